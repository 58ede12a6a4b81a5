use super::{load_activity, AccountActivity, ActivityEntry};
use crate::shell::Loaded;
use leptos::prelude::*;
use leptos_meta::Title;

/// `/account/activity`: every change and consent on the account, newest first; in admin mode
/// also the sign-ins, apart, so that they never bury a change.
#[component]
pub fn ActivityPage() -> impl IntoView {
    let account = crate::acting::acting_for();
    let for_staff = account.is_some();
    view! {
        <Title text="Activity" />
        <h1>"Activity"</h1>
        <p class="lead">"Every change to this account's recipients, alerts, consent, devices and programs: what changed, when, and who made it."</p>
        <Loaded data=load_activity(account) show=move |activity| view! { <ActivitySections activity for_staff /> }.into_any() />
    }
}

#[component]
fn ActivitySections(activity: AccountActivity, for_staff: bool) -> impl IntoView {
    let AccountActivity { changes, sign_ins } = activity;
    let changes = view! {
        <ActivityList entries=changes for_staff shown=AccountActivity::CHANGES_SHOWN none="No changes yet." what="changes" />
    };
    if !for_staff {
        return changes.into_any();
    }
    view! {
        <section aria-labelledby="changes-heading">
            <h2 id="changes-heading">"Changes"</h2>
            {changes}
        </section>
        <section aria-labelledby="sign-ins-heading">
            <h2 id="sign-ins-heading">"Sign-ins and security"</h2>
            <ActivityList entries=sign_ins for_staff shown=AccountActivity::SIGN_INS_SHOWN none="No sign-ins yet." what="records" />
        </section>
    }
    .into_any()
}

/// One list of records; `shown` is the most the server sends, said when the list is that long.
#[component]
fn ActivityList(
    entries: Vec<ActivityEntry>,
    for_staff: bool,
    shown: usize,
    none: &'static str,
    what: &'static str,
) -> impl IntoView {
    if entries.is_empty() {
        return view! { <p class="card">{none}</p> }.into_any();
    }
    let cut = (entries.len() >= shown).then(|| {
        view! { <p class="hint">{format!("The newest {shown} {what} are shown.")}</p> }
    });
    let items = entries
        .into_iter()
        .map(|entry| {
            let by = entry.by_line(for_staff);
            let changes = (!entry.changes.is_empty()).then(|| {
                let fields = entry
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
                view! { <dl class="changes">{fields}</dl> }
            });
            view! {
                <li class="card activity">
                    <p class="activity__summary">{entry.summary}</p>
                    <p class="activity__meta">
                        <time datetime=entry.when_utc>{entry.when}</time>
                        {format!(" · {by}")}
                    </p>
                    {changes}
                </li>
            }
        })
        .collect_view();
    view! {
        <ol class="card-list">{items}</ol>
        {cut}
    }
    .into_any()
}
