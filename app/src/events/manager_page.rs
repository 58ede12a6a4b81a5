use super::{
    load_program_events, verdict_sentence, CallEvent, CallEventForm, CancelEvent, EventPhase,
    ProgramEvent, ProgramEvents, Viability, REASON,
};
use crate::error::AppError;
use crate::shell::{
    provide_plain_post_refusal, FormErrors, FormRefusal, Loaded, SaveFeedback, SaveStatus,
    ScrollTable, TextField,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// `/programs/{id}/events`: a program's events with their reservations and viability, a form
/// to call one, and a way to cancel one. Server-rendered with plain forms.
#[component]
pub fn ProgramEventsPage() -> impl IntoView {
    provide_plain_post_refusal();
    SaveFeedback::provide();
    let id = use_params_map().with_untracked(|params| {
        params.get("id").and_then(|id| id.parse::<i64>().ok()).map(crate::programs::ProgramId)
    });
    let events = async move {
        match id {
            Some(id) => load_program_events(id).await,
            None => Err(AppError::NotFound),
        }
    };
    view! {
        <p><a href="/programs">"All programs"</a></p>
        <SaveStatus />
        <Loaded data=events show=|events| view! { <Events events /> }.into_any() />
    }
}

#[component]
fn Events(events: ProgramEvents) -> impl IntoView {
    let program = events.program;
    let name = program.definition.name.clone();
    let rules = program.definition.rules.clone();
    let season = format!(
        "Season {} to {}: {} of {} events called. Events last at most {} hours and are announced at least {} hours ahead.",
        program.definition.season_start,
        program.definition.season_end,
        events.called_this_season,
        rules.max_events_per_season,
        rules.max_event_hours,
        rules.min_notice_hours,
    );
    let cancel = ServerAction::<CancelEvent>::new();
    let cancel_errors = FormErrors::follow(cancel);
    let list = if events.events.is_empty() {
        view! { <p class="card">"No events are called yet."</p> }.into_any()
    } else {
        let cards = events
            .events
            .into_iter()
            .map(|event| view! { <EventCard event cancel /> })
            .collect_view();
        view! { <ul class="card-list card-list--wide">{cards}</ul> }.into_any()
    };
    view! {
        <Title text=format!("{name}: events") />
        <h1>{format!("{name}: events")}</h1>
        <p>
            <a href=format!("/programs/{}", program.id)>"Program definition"</a>
        </p>
        <p class="lead">{season}</p>
        <section class="card" aria-labelledby="call-heading">
            <h2 id="call-heading">"Call an event"</h2>
            <CallForm program=program.id groups=events.groups zone=events.zone />
        </section>
        <section aria-labelledby="events-heading">
            <h2 id="events-heading">"Events"</h2>
            <FormRefusal errors=cancel_errors />
            {list}
        </section>
    }
}

#[component]
fn CallForm(
    program: crate::programs::ProgramId,
    groups: Vec<String>,
    zone: String,
) -> impl IntoView {
    let action = ServerAction::<CallEvent>::new();
    let errors = FormErrors::follow(action);
    // Refused: the form as it was sent.
    let form = match errors.refusal_now() {
        Some(AppError::InvalidFields(fields)) if !fields.typed().is_empty() => {
            CallEventForm::from_typed(fields.typed())
        }
        _ => CallEventForm::default(),
    };
    let field = move |key: &'static str, label: &'static str, kind: &'static str, value: String| {
        view! {
            <TextField id=format!("event-{key}") name=key label kind autocomplete="off" value error=errors.field(key) />
        }
    };
    let groups_hint = if groups.is_empty() {
        "No devices are enrolled in this program yet.".to_owned()
    } else {
        format!("This program's groups: {}.", groups.join(", "))
    };
    view! {
        <p class="hint">{format!("Times are the utility's local time ({zone}).")}</p>
        <ActionForm action attr:novalidate=true>
            <input type="hidden" name="program" value=program.to_string() />
            {field(CallEventForm::DAY, "Day", "date", form.day.clone())}
            <div class="field-row">
                {field(CallEventForm::START, "Starts at", "time", form.start.clone())}
                {field(CallEventForm::END, "Ends at", "time", form.end.clone())}
            </div>
            <div class="field-row">
                {field(CallEventForm::NOTICE_DAY, "Customers told on", "date", form.notice_day.clone())}
                {field(CallEventForm::NOTICE_TIME, "Customers told at", "time", form.notice_time.clone())}
            </div>
            <p class="hint">"A notice time already passed means now: customers are told as the event is called."</p>
            {field(CallEventForm::TARGET, "Reduction to aim for, kW", "text", form.target_kw.clone())}
            {field(CallEventForm::GROUPS, "Entity groups, comma-separated (blank for all)", "text", form.groups.clone())}
            <p class="hint">{groups_hint}</p>
            <FormRefusal errors />
            <button type="submit" class="primary">"Call event"</button>
        </ActionForm>
    }
}

#[component]
fn EventCard(event: ProgramEvent, cancel: ServerAction<CancelEvent>) -> impl IntoView {
    let heading = format!("event-{}-heading", event.id.0);
    let title = format!("{} · {}", event.day, event.hours);
    let (verdict_class, verdict) = match (event.phase, event.viability()) {
        (EventPhase::Cancelled, _) => ("status", "Cancelled".to_owned()),
        (_, Viability::Viable) => ("status status--ok", "Viable".to_owned()),
        (_, Viability::BelowTarget { shortfall }) => {
            ("status status--warn", format!("Below target by {shortfall} kW"))
        }
    };
    let tally = event.tally;
    let groups = if event.groups.is_empty() {
        "All of the program's devices".to_owned()
    } else {
        event.groups.join(", ")
    };
    let participation = event.participation;
    let reported = participation.participated + participation.did_not_participate;
    let history = event
        .history
        .iter()
        .map(|entry| {
            view! {
                <tr>
                    <td>{entry.at.clone()}</td>
                    <th scope="row">{entry.cause.clone()}</th>
                    <td>{entry.reserved_devices}</td>
                    <td>{format!("{} kW", entry.reserved)}</td>
                    <td>{verdict_sentence(entry.target, entry.reserved)}</td>
                </tr>
            }
        })
        .collect_view();
    let history_heading = format!("event-{}-history", event.id.0);
    let cancellable = event.phase.is_current();
    view! {
        <li class="card event">
            <h3 id=heading>{title.clone()}</h3>
            <p>
                <span class="tag">{event.phase.label()}</span>" "
                <span class=verdict_class>{verdict}</span>
            </p>
            {event.cancel_reason.map(|reason| view! { <p>"Cancelled: " {reason}</p> })}
            <dl class="facts">
                <dt>"Target"</dt><dd>{format!("{} kW", event.target)}</dd>
                <dt>"Reserved"</dt><dd>{format!("{} kW from {} {}", tally.reserved_capacity, tally.reserved, if tally.reserved == 1 { "device" } else { "devices" })}</dd>
                <dt>"Opted out"</dt><dd>{tally.opted_out}</dd>
                <dt>"Away"</dt><dd>{tally.unavailable}</dd>
                <dt>"Released"</dt><dd>{tally.released}</dd>
                <dt>"Groups"</dt><dd>{groups}</dd>
                <dt>"Notice to customers"</dt><dd>{event.notice}</dd>
                {(reported > 0).then(|| view! {
                    <dt>"Participation"</dt>
                    <dd>{format!("{} took part, {} did not; {} kW delivered", participation.participated, participation.did_not_participate, participation.delivered)}</dd>
                })}
            </dl>
            <details class="disclosure">
                <summary>"History" <span class="visually-hidden">{format!(" of the event on {title}")}</span></summary>
                <p id=history_heading.clone() class="visually-hidden">{format!("History of the event on {title}")}</p>
                <ScrollTable labelledby=history_heading headers=&["When", "What changed", "Devices", "Reserved", "Verdict"]>
                    {history}
                </ScrollTable>
            </details>
            {cancellable.then(|| view! { <CancelForm event=event.id title=title.clone() action=cancel /> })}
        </li>
    }
}

#[component]
fn CancelForm(
    event: super::EventId,
    title: String,
    action: ServerAction<CancelEvent>,
) -> impl IntoView {
    let id = format!("cancel-{}-reason", event.0);
    view! {
        <details class="disclosure">
            <summary>"Cancel this event" <span class="visually-hidden">{format!(" on {title}")}</span></summary>
            <ActionForm action>
                <input type="hidden" name="event" value=event.0.to_string() />
                <div class="field">
                    <label for=id.clone()>"Why (customers are told)"</label>
                    <textarea id=id name=REASON rows="2" required=true maxlength="500"></textarea>
                </div>
                <button type="submit" class="danger">"Cancel the event and release its devices"</button>
            </ActionForm>
        </details>
    }
}
