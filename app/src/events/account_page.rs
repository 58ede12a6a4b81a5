use super::{
    load_account_events, AccountEvent, AccountEvents, CancelTimeAway, DeviceAway, DeviceState,
    EventPhase, OptOut, ScheduleTimeAway, TimeAwayForm,
};
use crate::acting::{acting_for, ActingInput};
use crate::shell::{
    provide_plain_post_refusal, FormErrors, FormRefusal, Loaded, SaveFeedback, SaveStatus,
    TextField,
};
use crate::text::capitalized;
use leptos::prelude::*;
use leptos_meta::Title;

/// `/account/events` ("Peak days"): the events that use the account's devices, opting out of
/// one, and time away for each enrolled device. Server-rendered with plain forms; the same page
/// in admin mode.
#[component]
pub fn PeakDaysPage() -> impl IntoView {
    provide_plain_post_refusal();
    SaveFeedback::provide();
    let account = acting_for();
    view! {
        <Title text="Peak days" />
        <h1>"Peak days"</h1>
        <p class="lead">
            "On a peak day the utility asks your enrolled devices to use less power for a few hours, and you earn credits for it."
        </p>
        <SaveStatus />
        <Loaded data=load_account_events(account) show=|events| view! { <PeakDays events /> }.into_any() />
    }
}

/// The page's forms, made once and shared by every card.
#[derive(Clone, Copy)]
struct Actions {
    opt_out: ServerAction<OptOut>,
    away: ServerAction<ScheduleTimeAway>,
    cancel_away: ServerAction<CancelTimeAway>,
}

#[component]
fn PeakDays(events: AccountEvents) -> impl IntoView {
    let actions = Actions {
        opt_out: ServerAction::new(),
        away: ServerAction::new(),
        cancel_away: ServerAction::new(),
    };
    let opt_out_errors = FormErrors::follow(actions.opt_out);
    let cancel_errors = FormErrors::follow(actions.cancel_away);
    let away_errors = FormErrors::follow(actions.away);
    // A refused "Schedule time away" comes back to every device's form alike: a refusal about
    // fields names its device and shows in that device's form alone (see `AwayCard`); any
    // other shows above the devices.
    let away_typed = away_errors.refused_typed();
    let away_errors_above =
        if away_typed.is_some() { FormErrors::plain(None) } else { away_errors };
    let allowances = events
        .allowances
        .iter()
        .map(|allowance| view! { <li>{allowance.sentence()}</li> })
        .collect_view();
    let upcoming = if events.upcoming.is_empty() {
        view! { <p class="card">"No peak days are coming up for your devices."</p> }.into_any()
    } else {
        let cards = events
            .upcoming
            .into_iter()
            .map(|event| view! { <EventCard event opt_out=Some(actions.opt_out) /> })
            .collect_view();
        view! { <ul class="card-list card-list--wide">{cards}</ul> }.into_any()
    };
    let past = if events.past.is_empty() {
        view! { <p>"No past peak days yet."</p> }.into_any()
    } else {
        let cards = events
            .past
            .into_iter()
            .map(|event| view! { <EventCard event opt_out=None /> })
            .collect_view();
        view! { <ul class="card-list card-list--wide">{cards}</ul> }.into_any()
    };
    let devices = if events.devices.is_empty() {
        view! { <p>"Time away applies to devices enrolled in a program; none are yet."</p> }
            .into_any()
    } else {
        let zone = events.zone.clone();
        events
            .devices
            .into_iter()
            .map(|device| {
                let typed = away_typed
                    .as_deref()
                    .and_then(|typed| TimeAwayForm::typed_for(typed, device.device));
                let errors = if typed.is_some() { away_errors } else { FormErrors::plain(None) };
                view! { <AwayCard device actions errors typed zone=zone.clone() /> }
            })
            .collect_view()
            .into_any()
    };
    view! {
        <section aria-labelledby="upcoming-heading">
            <h2 id="upcoming-heading">"Coming up"</h2>
            <ul class="opt-outs">{allowances}</ul>
            <FormRefusal errors=opt_out_errors />
            {upcoming}
        </section>
        <section aria-labelledby="away-heading">
            <h2 id="away-heading">"Time away"</h2>
            <p>"Going away, or need a device on a given day? Schedule time away and no event will use it then."</p>
            <FormRefusal errors=cancel_errors />
            <FormRefusal errors=away_errors_above />
            {devices}
        </section>
        <section aria-labelledby="past-heading">
            <h2 id="past-heading">"Past peak days"</h2>
            {past}
        </section>
    }
}

#[component]
fn EventCard(event: AccountEvent, opt_out: Option<ServerAction<OptOut>>) -> impl IntoView {
    let heading = format!("peak-{}-heading", event.id.0);
    let title = format!("{} · {}", event.day, event.hours);
    let devices = event
        .devices
        .iter()
        .map(|device| {
            let participation = device.participation.clone().map(|text| format!(" ({text})"));
            view! { <li>{capitalized(&device.title)}": " <strong>{device.state.label()}</strong>{participation}</li> }
        })
        .collect_view();
    // A cancellation says more than an opt-out it made moot (and gave back).
    let cancelled = event.phase == EventPhase::Cancelled;
    let status = if event.opted_out && !cancelled {
        view! { <p class="status status--warn">"You opted out of this event"</p> }.into_any()
    } else {
        view! { <p><span class="tag">{event.phase.label()}</span></p> }.into_any()
    };
    // What the event asks and pays, only while it does: an opted-out or cancelled event, or one
    // none of the account's devices takes part in (time away, say), neither adjusts a device
    // nor earns anything, and has nothing left to opt out of.
    let taking_part = event.devices.iter().any(|device| device.state == DeviceState::Reserved);
    let asked = match (cancelled, event.opted_out, taking_part) {
        (true, _, _) => None,
        (false, true, _) => Some(view! {
            <p>"Your devices will not be adjusted during this event, and it earns no credit."</p>
        }
        .into_any()),
        (false, false, false) => Some(view! {
            <p>"None of your devices takes part in this event: none is adjusted, and it earns no credit."</p>
        }
        .into_any()),
        (false, false, true) => Some(view! {
            <p>{event.ask.clone()}</p>
            <p><strong>{event.earn.clone()}</strong></p>
        }
        .into_any()),
    };
    let can_opt_out = taking_part && !event.opted_out && event.phase.is_current();
    let opt_out = match (opt_out, can_opt_out) {
        (Some(action), true) => Some(match event.opt_out_refused.clone() {
            Some(reason) => view! { <p class="hint">{reason}</p> }.into_any(),
            None => view! {
                <OptOutForm event=event.id title=title.clone() left=event.opt_outs_left_after.unwrap_or(0) action />
            }
            .into_any(),
        }),
        _ => None,
    };
    view! {
        <li class="card event">
            <h3 id=heading>{title.clone()}</h3>
            <p>{event.program.clone()}</p>
            {status}
            {event.cancel_reason.clone().map(|reason| view! { <p>"Cancelled by the utility: " {reason}</p> })}
            <ul class="devices-in-event">{devices}</ul>
            {asked}
            {opt_out}
        </li>
    }
}

/// Opting out in two steps: open, read what is given up, confirm.
#[component]
fn OptOutForm(
    event: super::EventId,
    title: String,
    left: u32,
    action: ServerAction<OptOut>,
) -> impl IntoView {
    let plural = if left == 1 { "opt-out" } else { "opt-outs" };
    view! {
        <details class="disclosure">
            <summary>"Opt out" <span class="visually-hidden">{format!(" of the event on {title}")}</span></summary>
            <p>{format!(
                "Your devices will not be adjusted during this event and you will not earn its credit. You will have {left} {plural} left this season."
            )}</p>
            <ActionForm action>
                <ActingInput />
                <input type="hidden" name="event" value=event.0.to_string() />
                <button type="submit" class="danger">"Opt out of this event"</button>
            </ActionForm>
        </details>
    }
}

/// One enrolled device's time away: what is scheduled, and the form to schedule more, showing
/// `errors` and what was `typed` when the server refused this device's form.
#[component]
fn AwayCard(
    device: DeviceAway,
    actions: Actions,
    errors: FormErrors,
    typed: Option<TimeAwayForm>,
    zone: String,
) -> impl IntoView {
    let typed = typed.unwrap_or_default();
    let heading = format!("away-{}-heading", device.device);
    let labelled = heading.clone();
    let periods = if device.periods.is_empty() {
        view! { <p>"No time away scheduled."</p> }.into_any()
    } else {
        let rows = device
            .periods
            .into_iter()
            .map(|period| {
                let (from, to) = (period.from.clone(), period.to.clone());
                let cancel = period.cancellable.then(move || {
                    view! {
                        <ActionForm action=actions.cancel_away attr:class="inline-form">
                            <ActingInput />
                            <input type="hidden" name="id" value=period.id.to_string() />
                            <button type="submit" class="secondary">
                                "Cancel" <span class="visually-hidden">{format!(" time away from {from} to {to}")}</span>
                            </button>
                        </ActionForm>
                    }
                });
                view! { <li>{format!("From {} to {}", period.from, period.to)} " " {cancel}</li> }
            })
            .collect_view();
        view! { <ul>{rows}</ul> }.into_any()
    };
    let title = device.title.clone();
    let form = match device.refused.clone() {
        Some(reason) => view! { <p class="hint">{reason}</p> }.into_any(),
        None => {
            let prefix = format!("away-{}", device.device);
            view! {
                <ActionForm action=actions.away attr:novalidate=true>
                    <ActingInput />
                    <input type="hidden" name=TimeAwayForm::DEVICE value=device.device.to_string() />
                    <p class="hint">{format!("Local time ({zone}), up to a year ahead.")}</p>
                    <div class="field-row">
                        <TextField id=format!("{prefix}-start") name=TimeAwayForm::START label="Away from" kind="datetime-local" autocomplete="off" value=typed.start error=errors.field(TimeAwayForm::START) />
                        <TextField id=format!("{prefix}-end") name=TimeAwayForm::END label="Back on" kind="datetime-local" autocomplete="off" value=typed.end error=errors.field(TimeAwayForm::END) />
                    </div>
                    <FormRefusal errors />
                    <button type="submit" class="primary">
                        "Schedule time away" <span class="visually-hidden">{format!(" for the {title}")}</span>
                    </button>
                </ActionForm>
            }
            .into_any()
        }
    };
    view! {
        <div class="card" role="group" aria-labelledby=labelled>
            <h3 id=heading>{capitalized(&device.title)}</h3>
            <p class="hint">{device.program.clone()}</p>
            {periods}
            {form}
        </div>
    }
}
