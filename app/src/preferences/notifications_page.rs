use super::{
    cell_field, load_preferences, Activity, NotificationMatrix, PreferencesView, RecipientView,
    SaveNotifications,
};
use crate::acting::ActingFor;
use crate::shell::{
    FormErrors, FormRefusal, Loaded, SaveBasis, SaveFeedback, SaveForm, SaveStatus,
};
use crate::utility::Channel;
use leptos::prelude::*;
use leptos_meta::Title;

/// `/account/notifications`: the matrix of account activities by channel, for the
/// account holder and for each recipient.
#[component]
pub fn NotificationsPage() -> impl IntoView {
    let account = crate::acting::acting_for();
    view! {
        <Title text="Account notifications" />
        <h1>"Account notifications"</h1>
        <Loaded data=load_preferences(account.clone()) show=move |view| view! { <NotificationsIsland account=account.clone() view /> }.into_any() />
    }
}

#[island]
fn NotificationsIsland(account: Option<String>, view: PreferencesView) -> impl IntoView {
    crate::shell::mark_island_hydrated();
    ActingFor::provide(account.clone());
    let feedback = SaveFeedback::provide();
    let page = feedback.reload_after_saves(view, move || load_preferences(account.clone()));
    let sections = move || page.with(|view| view.recipients.iter().cloned().collect::<Vec<_>>());
    let channels = move || {
        page.with_untracked(|view| {
            NotificationMatrix::CHANNELS
                .into_iter()
                .filter(|channel| view.channels_offered.contains(channel))
                .collect::<Vec<Channel>>()
        })
    };
    view! {
        <SaveStatus />
        <p class="lead">"Choose which account events each person hears about, and how. Texts go out only to numbers that confirmed."</p>
        // Keyed by what each shows: a reload after a save rebuilds the recipients whose data
        // changed (afresh: patching inputs in place can leave a previous render's values behind)
        // and leaves the others alone, with whatever is ticked in them.
            <For each=sections key=|r| r.revision let:recipient>
                <MatrixForm recipient channels=channels() />
            </For>
    }
}

#[component]
fn MatrixForm(recipient: RecipientView, channels: Vec<Channel>) -> impl IntoView {
    let action = ServerAction::<SaveNotifications>::new();
    let RecipientView { recipient: person, is_primary, revision, .. } = recipient;
    let id = person.id.0;
    crate::shell::keep_refusal_if_mine(action, &id.to_string());
    let errors = FormErrors::follow(action);
    let name = person.contact.name.to_string();
    let heading = format!("notifications-{id}");
    let matrix = person.notifications;
    let unreachable: Vec<(Channel, String)> = channels
        .iter()
        .filter_map(|channel| {
            Some((*channel, super::unreachable_by(&person.contact, *channel, is_primary)?))
        })
        .collect();
    let unreachable_hints = unreachable
        .iter()
        .map(|(_, reason)| view! { <p class="hint">{reason.clone()}</p> })
        .collect_view();
    let header_cells = channels
        .iter()
        .map(|channel| view! { <th scope="col">{channel.label()}</th> })
        .collect_view();
    let rows = Activity::ALL
        .into_iter()
        .map(|activity| {
            let cells = channels
                .iter()
                .map(|channel| {
                    let channel = *channel;
                    // A channel that cannot reach this person is not offered; the reason is
                    // said once under the table (on a phone, where the table stacks, only
                    // that). One chosen before stays, to be unticked.
                    let checked = matrix.get(activity, channel);
                    if !checked && unreachable.iter().any(|(unreachable, _)| *unreachable == channel) {
                        return view! {
                            <td class="matrix__na">
                                <span aria-hidden="true">"—"</span>
                                <span class="visually-hidden">"Not available"</span>
                            </td>
                        }
                        .into_any();
                    }
                    // On a phone the table stacks (style/main.css) and each box shows its
                    // channel's name beside it, as the column headings are out of sight. The
                    // box's own name holds that name as shown, so a person using speech input
                    // can say it; screen readers read the box's name, so the shown one is hidden
                    // from them.
                    let label = format!("{} by {}", activity.label(), channel.label());
                    view! {
                        <td>
                            <label class="matrix__cell">
                                <input type="checkbox" name=cell_field(activity, channel) checked=checked aria-label=label />
                                <span class="matrix__channel" aria-hidden="true">{channel.label()}</span>
                            </label>
                        </td>
                    }
                    .into_any()
                })
                .collect_view();
            view! {
                <tr>
                    <th scope="row">
                        {activity.label()}
                        <span class="hint">{activity.description()}</span>
                    </th>
                    {cells}
                </tr>
            }
        })
        .collect_view();
    let threshold_id = format!("{heading}-high-usage");
    let title_id = heading.clone();
    let region_label = format!("Notification choices of {name}");
    let threshold_error = errors.field("high_usage_kwh");
    let threshold_error_id = format!("{threshold_id}-error");
    view! {
        <section class="card" aria-labelledby=heading>
            <div class="recipient__title">
                <h2 id=title_id>{name}</h2>
                {is_primary.then(|| view! { <span class="tag">"Account holder"</span> })}
            </div>
            <SaveForm action>
                <SaveBasis part=revision />
                <input type="hidden" name=super::RECIPIENT_FIELD value=id.to_string() />
                <div class="table-scroll" role="region" aria-label=region_label tabindex="0">
                    <table class="matrix">
                        <thead>
                            <tr>
                                <th scope="col">"Activity"</th>
                                {header_cells}
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
                {unreachable_hints}
                <div class="field field--narrow">
                    <label for=threshold_id.clone()>"High usage amount (kWh per billing period)"</label>
                    <input
                        id=threshold_id
                        name="high_usage_kwh"
                        inputmode="numeric"
                        value=matrix.high_usage_kwh.map(|kwh| kwh.to_string()).unwrap_or_default()
                        aria-invalid=move || threshold_error.get().is_some().to_string()
                        aria-describedby=threshold_error_id.clone()
                        on:input=move |event| {
                            if threshold_error.get_untracked().is_some() {
                                errors.check("high_usage_kwh", NotificationMatrix::parse_threshold(&event_target_value(&event)));
                            }
                        }
                    />
                    <p id=threshold_error_id class="field-error">{move || threshold_error.get()}</p>
                </div>
                <FormRefusal errors />
                <button type="submit" class="primary">"Save notifications"</button>
            </SaveForm>
        </section>
    }
}
