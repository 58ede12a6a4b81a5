use super::{load_activity, ActivityEntry};
use crate::shell::Loaded;
use leptos::prelude::*;
use leptos_meta::Title;

/// `/account/activity`: every change and consent on the account, newest first.
#[component]
pub fn ActivityPage() -> impl IntoView {
    let account = crate::acting::acting_for();
    let for_staff = account.is_some();
    let entries = Resource::new(move || account.clone(), load_activity);
    view! {
        <Title text="Activity" />
        <h1>"Activity"</h1>
        <p class="lead">"Every change to this account's recipients, alerts, consent, devices and programs: what changed, when, and who made it."</p>
        <Loaded resource=entries show=move |entries| view! { <ActivityList entries for_staff /> }.into_any() />
    }
}

#[component]
fn ActivityList(entries: Vec<ActivityEntry>, for_staff: bool) -> impl IntoView {
    if entries.is_empty() {
        return view! { <p class="card">"No changes yet."</p> }.into_any();
    }
    let items = entries
        .into_iter()
        .map(|entry| {
            let by = entry.by_line(for_staff);
            let changes = entry
                .changes
                .into_iter()
                .map(|change| {
                    let before = change.before.unwrap_or_else(|| "—".to_owned());
                    let after = change.after.unwrap_or_else(|| "—".to_owned());
                    view! {
                        <div>
                            <dt>{change.field}</dt>
                            <dd>{before} <span aria-label="changed to">" → "</span> {after}</dd>
                        </div>
                    }
                })
                .collect_view();
            view! {
                <li class="card activity">
                    <p class="activity__summary">{entry.summary}</p>
                    <p class="activity__meta">
                        <time datetime=entry.when_utc>{entry.when}</time>
                        {format!(" · {by}")}
                    </p>
                    <dl class="changes">{changes}</dl>
                </li>
            }
        })
        .collect_view();
    view! { <ol class="card-list">{items}</ol> }.into_any()
}
