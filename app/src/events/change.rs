//! Every change to peak days, in the one shape of a change (`crate::change`): calling an event
//! ([`plan_call`]) and cancelling one ([`plan_cancel`]) for program managers; opting out and time
//! away for an account ([`AccountEventState::apply`]). Each returns what to store, what to tell
//! the DERMS, and what to audit; the server's executor does it in one transaction.

use super::form::TimeAwayForm;
use super::model::{DeviceState, Tally, TimeAwayId};
use super::rules::{
    check_call, check_opt_out, check_time_away, doubled_event, reservation, viability, CallRefusal,
    CalledEvent, Candidate, EventId, EventScope, NotReserved, ProposedEvent, Span, TimeAwayRefusal,
    Viability,
};
use crate::accounts::AccountId;
use crate::change::{AuditRecord, ChangeError, Outcome};
use crate::error::FieldErrors;
use crate::programs::{Capacity, DeviceId, Program, ProgramId};
use serde::{Deserialize, Serialize};

/// What the DERMS is told, beside the event's dispatch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DermsNotice {
    /// The account's devices leave the event: it opted out.
    OptOut { event: EventId, devices: Vec<DeviceId> },
    /// A device will be away for `span`: no event may use it then.
    Unavailable { device: DeviceId, span: Span },
    /// Devices leave an event for another reason (time away, the event cancelled).
    Release { event: EventId, devices: Vec<DeviceId>, reason: &'static str },
    /// Devices join an event's reservation after it was dispatched.
    Join { event: EventId, devices: Vec<DeviceId> },
    /// The whole event is off.
    Cancel { event: EventId, reason: String },
}

/// One thing to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventEffect {
    SetStates {
        event: EventId,
        devices: Vec<DeviceId>,
        state: DeviceState,
    },
    RecordOptOut {
        event: EventId,
    },
    AddTimeAway {
        device: DeviceId,
        span: Span,
    },
    CancelTimeAway {
        id: TimeAwayId,
    },
    CancelEvent {
        event: EventId,
        reason: String,
    },
    /// Count the event's reservation again and keep the verdict in its history.
    Reevaluate {
        event: EventId,
        cause: &'static str,
    },
    Tell(DermsNotice),
}

/// A device of the program as the call sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reservable {
    pub device: DeviceId,
    pub account: AccountId,
    pub capacity: Capacity,
    pub candidate: Candidate,
}

/// What calling an event stores: each device that takes a place in it (reserved, or away), the
/// tally, and the words for the manager and the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallPlan {
    /// Indexes into the devices given, with the state each takes.
    pub places: Vec<(usize, DeviceState)>,
    pub tally: Tally,
    pub audit: AuditRecord,
    pub message: String,
    /// When customers are told ([`ProposedEvent::told_at`]): what the event stores and the
    /// notices are sent at.
    pub notice_at: i64,
}

/// What the program has called already, as a new call is checked against it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CalledBefore {
    /// Its events of this season not cancelled.
    pub this_season: u32,
    /// Its events not cancelled that overlap the one asked for.
    pub overlapping: Vec<CalledEvent>,
}

/// The event the manager asks for, checked against the program's rules, with every device's
/// place in it. `label` names the event in sentences ("Jul 15, 2026, 2:00–6:00 PM EDT").
pub fn plan_call(
    program: &Program,
    event: &ProposedEvent,
    groups: &[String],
    label: &str,
    now: i64,
    called: &CalledBefore,
    devices: &[Reservable],
) -> Result<CallPlan, ChangeError> {
    let mut refusals = check_call(program, event, now, called.this_season);
    if let Some(doubled) = doubled_event(event.span, groups, &called.overlapping) {
        refusals.push(CallRefusal::Doubles { label: doubled.label.clone() });
    }
    let unknown = unknown_groups(groups, devices);
    if !refusals.is_empty() || !unknown.is_empty() {
        let mut fields = call_refusal_fields(&refusals);
        if !unknown.is_empty() {
            fields.add(
                super::form::CallEventForm::GROUPS,
                format!(
                    "No device of this program is in {}: check the spelling, or leave this empty \
                     for all of its devices.",
                    unknown.join(", ")
                ),
            );
        }
        return Err(ChangeError::Fields(fields));
    }
    let scope = EventScope { program: program.id, span: event.span, groups };
    let mut places = Vec::new();
    let mut tally = Tally::default();
    for (index, device) in devices.iter().enumerate() {
        let state = match reservation(&scope, &device.candidate) {
            Ok(()) => DeviceState::Reserved,
            Err(NotReserved::Unavailable) => DeviceState::Unavailable,
            Err(_) => continue,
        };
        tally.count(state, device.capacity);
        places.push((index, state));
    }
    let verdict = verdict_sentence(event.target, tally.reserved_capacity);
    let message = format!(
        "Event called for {label}: {} {} reserved, {} kW of the {} kW target. {verdict}",
        tally.reserved,
        if tally.reserved == 1 { "device" } else { "devices" },
        tally.reserved_capacity,
        event.target,
    );
    let audit =
        AuditRecord::new("event.called", format!("Called an event of {}", program.definition.name))
            .after(&[
                ("program", &program.definition.name),
                ("when", label),
                ("target_kw", &event.target.to_string()),
                ("groups", &if groups.is_empty() { "all".to_owned() } else { groups.join(", ") }),
                ("reserved_devices", &tally.reserved.to_string()),
            ]);
    Ok(CallPlan { places, tally, audit, message, notice_at: event.told_at(now) })
}

/// The groups named that none of the program's devices is in: an event on them would reserve
/// nothing and still count against the season's events (a typo, most often).
fn unknown_groups<'a>(groups: &'a [String], devices: &[Reservable]) -> Vec<&'a str> {
    groups
        .iter()
        .filter(|group| {
            !devices.iter().any(|device| device.candidate.entity_group.as_ref() == Some(*group))
        })
        .map(String::as_str)
        .collect()
}

/// The verdict in a sentence.
pub fn verdict_sentence(target: Capacity, reserved: Capacity) -> String {
    match viability(target, reserved) {
        Viability::Viable => "Viable.".to_owned(),
        Viability::BelowTarget { shortfall } => format!("Below target by {shortfall} kW."),
    }
}

/// Each refusal beside the field it is about; the rest above the form.
fn call_refusal_fields(refusals: &[CallRefusal]) -> FieldErrors {
    use super::form::CallEventForm as Form;
    let mut fields = FieldErrors::default();
    let mut general = Vec::new();
    for refusal in refusals {
        let field = match refusal {
            CallRefusal::EndNotAfterStart | CallRefusal::TooLong { .. } => Some(Form::END),
            CallRefusal::StartsInThePast | CallRefusal::Doubles { .. } => Some(Form::START),
            CallRefusal::OutsideSeason { .. } => Some(Form::DAY),
            CallRefusal::TooLittleNotice { .. } | CallRefusal::NoticeAfterStart => {
                Some(Form::NOTICE_TIME)
            }
            CallRefusal::NoTarget => Some(Form::TARGET),
            CallRefusal::ProgramNotActive | CallRefusal::SeasonFull { .. } => None,
        };
        match field {
            Some(field) if fields.get(field).is_none() => fields.add(field, refusal.to_string()),
            _ => general.push(refusal.to_string()),
        }
    }
    if !general.is_empty() {
        fields.add("form", general.join(" "));
    }
    fields
}

/// An event as its manager may change it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagedEvent {
    pub id: EventId,
    pub program: String,
    pub span: Span,
    pub cancelled: bool,
    pub label: String,
}

/// The longest cancellation reason kept.
pub const REASON_LIMIT: usize = 500;
/// The cancel form's reason field.
pub const REASON: &str = "reason";

/// Cancels `event` for `reason`: every device is released and the DERMS told.
pub fn plan_cancel(
    event: &ManagedEvent,
    reason: &str,
    now: i64,
) -> Result<Outcome<EventEffect>, ChangeError> {
    let reason = crate::text::record_note(
        reason,
        REASON_LIMIT,
        "Say why the event is cancelled: customers are told.",
    )
    .map_err(|message| ChangeError::field(REASON, message))?;
    if event.cancelled {
        return Err(ChangeError::rule("This event was cancelled already."));
    }
    if now >= event.span.ends_at {
        return Err(ChangeError::rule("This event has ended: it can no longer be cancelled."));
    }
    let id = event.id;
    Ok(Outcome::new(format!(
        "The event on {} is cancelled; its devices are released.",
        event.label
    ))
    .effect(EventEffect::CancelEvent { event: id, reason: reason.to_owned() })
    .effect(EventEffect::Reevaluate { event: id, cause: "Event cancelled" })
    .effect(EventEffect::Tell(DermsNotice::Cancel { event: id, reason: reason.to_owned() }))
    .audit(
        AuditRecord::new("event.cancelled", format!("Cancelled an event of {}", event.program))
            .before(&[("when", &event.label), ("status", "called")])
            .after(&[("when", &event.label), ("status", "cancelled"), ("reason", reason)]),
    ))
}

/// One of the account's events, with its devices' places.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldEvent {
    pub id: EventId,
    pub program: ProgramId,
    pub span: Span,
    pub cancelled: bool,
    pub opted_out: bool,
    pub devices: Vec<(DeviceId, DeviceState)>,
    /// "Jul 15, 2026, 2:00–6:00 PM EDT".
    pub label: String,
}

/// One of the account's devices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldDevice {
    pub id: DeviceId,
    /// "smart thermostat (Ecobee SmartThermostat)".
    pub title: String,
    /// The program it is enrolled in (confirmed), if any.
    pub program: Option<ProgramId>,
}

/// A period of the account's time away.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldAway {
    pub id: TimeAwayId,
    pub device: DeviceId,
    pub span: Span,
    pub cancelled: bool,
    /// "from Dec 20, 2026, 8:00 AM EST to Dec 22, 2026, 6:00 PM EST".
    pub label: String,
}

/// The account's peak days as the rules see them, read inside the write transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountEventState {
    pub now: i64,
    pub programs: Vec<Program>,
    pub events: Vec<HeldEvent>,
    /// Opt-outs used this season, per program.
    pub opt_outs_used: Vec<(ProgramId, u32)>,
    pub devices: Vec<HeldDevice>,
    pub away: Vec<HeldAway>,
}

/// A change an account asks for, with its times placed in the utility's zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AccountEventChange {
    OptOut {
        event: EventId,
    },
    /// `label` is the span as the person wrote it, for sentences.
    ScheduleTimeAway {
        device: DeviceId,
        span: Span,
        label: String,
    },
    CancelTimeAway {
        id: TimeAwayId,
    },
}

impl AccountEventState {
    pub fn apply(&self, change: &AccountEventChange) -> Result<Outcome<EventEffect>, ChangeError> {
        match change {
            AccountEventChange::OptOut { event } => self.opt_out(*event),
            AccountEventChange::ScheduleTimeAway { device, span, label } => {
                self.schedule_away(*device, *span, label)
            }
            AccountEventChange::CancelTimeAway { id } => self.cancel_away(*id),
        }
    }

    fn program(&self, id: ProgramId) -> Result<&Program, ChangeError> {
        self.programs.iter().find(|program| program.id == id).ok_or(ChangeError::NotFound)
    }

    fn used(&self, program: ProgramId) -> u32 {
        self.opt_outs_used.iter().find(|(id, _)| *id == program).map_or(0, |(_, used)| *used)
    }

    fn opt_out(&self, id: EventId) -> Result<Outcome<EventEffect>, ChangeError> {
        let event = self.events.iter().find(|event| event.id == id).ok_or(ChangeError::NotFound)?;
        if event.cancelled {
            return Err(ChangeError::rule(
                "This event was cancelled: there is nothing to opt out of.",
            ));
        }
        if event.opted_out {
            return Err(ChangeError::rule("You have opted out of this event already."));
        }
        let program = self.program(event.program)?;
        let used = self.used(program.id);
        check_opt_out(program, used, event.span.starts_at, self.now)
            .map_err(|refusal| ChangeError::rule(refusal.to_string()))?;
        let devices: Vec<DeviceId> = event
            .devices
            .iter()
            .filter(|(_, state)| *state == DeviceState::Reserved)
            .map(|(device, _)| *device)
            .collect();
        if devices.is_empty() {
            return Err(ChangeError::rule("None of your devices is taking part in this event."));
        }
        let allowed = program.definition.rules.opt_outs_per_season.unwrap_or(0);
        let left = allowed.saturating_sub(used + 1);
        let message = format!(
            "You have opted out of the event on {}: your devices are released. {left} of {allowed} opt-outs left this season.",
            event.label
        );
        let names = self.titles(&devices);
        Ok(Outcome::new(message)
            .effect(EventEffect::RecordOptOut { event: id })
            .effect(EventEffect::SetStates {
                event: id,
                devices: devices.clone(),
                state: DeviceState::OptedOut,
            })
            .effect(EventEffect::Reevaluate { event: id, cause: "An account opted out" })
            .effect(EventEffect::Tell(DermsNotice::OptOut { event: id, devices }))
            .audit(
                AuditRecord::new(
                    "event.opted_out",
                    format!("Opted out of the peak-day event on {}", event.label),
                )
                .before(&[
                    ("event", &id.0.to_string()),
                    ("devices", &names),
                    ("state", "taking part"),
                ])
                .after(&[
                    ("event", &id.0.to_string()),
                    ("devices", &names),
                    ("state", "opted out"),
                ]),
            ))
    }

    fn titles(&self, devices: &[DeviceId]) -> String {
        let titles: Vec<&str> = devices
            .iter()
            .filter_map(|id| self.devices.iter().find(|device| device.id == *id))
            .map(|device| device.title.as_str())
            .collect();
        titles.join(", ")
    }

    fn schedule_away(
        &self,
        id: DeviceId,
        span: Span,
        label: &str,
    ) -> Result<Outcome<EventEffect>, ChangeError> {
        let device =
            self.devices.iter().find(|device| device.id == id).ok_or(ChangeError::NotFound)?;
        let program_id = device.program.ok_or_else(|| {
            ChangeError::rule("Time away is for a device enrolled in a program: enroll it first.")
        })?;
        let program = self.program(program_id)?;
        check_time_away(program, span, self.now).map_err(|refusal| match refusal {
            TimeAwayRefusal::NotAllowed => ChangeError::rule(refusal.to_string()),
            TimeAwayRefusal::EndNotAfterStart
            | TimeAwayRefusal::InThePast
            | TimeAwayRefusal::TooFarAhead => {
                ChangeError::field(TimeAwayForm::END, refusal.to_string())
            }
        })?;
        // A second period over the first would show the device away twice and, cancelled, leave
        // it away all the same: one period per device at a time (one still to end; periods over
        // are no longer shown, so cannot be cancelled).
        if let Some(taken) = self.away.iter().find(|away| {
            away.device == id
                && !away.cancelled
                && away.span.ends_at > self.now
                && away.span.overlaps(span)
        }) {
            return Err(ChangeError::field(
                TimeAwayForm::START,
                format!(
                    "Your {} already has time away {}. Cancel it first to change it, or choose \
                     dates outside it.",
                    device.title, taken.label
                ),
            ));
        }
        let mut outcome = Outcome::new(String::new())
            .effect(EventEffect::AddTimeAway { device: id, span })
            .effect(EventEffect::Tell(DermsNotice::Unavailable { device: id, span }));
        let mut released = 0;
        for event in
            self.events.iter().filter(|event| !event.cancelled && event.span.overlaps(span))
        {
            if !event.devices.contains(&(id, DeviceState::Reserved))
                || event.span.starts_at <= self.now
            {
                continue;
            }
            released += 1;
            outcome = outcome
                .effect(EventEffect::SetStates {
                    event: event.id,
                    devices: vec![id],
                    state: DeviceState::Unavailable,
                })
                .effect(EventEffect::Reevaluate { event: event.id, cause: "Time away scheduled" })
                .effect(EventEffect::Tell(DermsNotice::Release {
                    event: event.id,
                    devices: vec![id],
                    reason: "unavailable",
                }));
        }
        outcome.message = match released {
            0 => format!("Time away saved for your {}: {label}.", device.title),
            1 => format!(
                "Time away saved for your {}: {label}. It is released from 1 peak-day event.",
                device.title
            ),
            n => format!(
                "Time away saved for your {}: {label}. It is released from {n} peak-day events.",
                device.title
            ),
        };
        Ok(outcome.audit(
            AuditRecord::new(
                "time_away.scheduled",
                format!("Scheduled time away for the {}", device.title),
            )
            .after(&[("device", &device.title), ("when", label)]),
        ))
    }

    fn cancel_away(&self, id: TimeAwayId) -> Result<Outcome<EventEffect>, ChangeError> {
        let away = self.away.iter().find(|away| away.id == id).ok_or(ChangeError::NotFound)?;
        if away.cancelled {
            return Err(ChangeError::rule("This time away was cancelled already."));
        }
        if away.span.ends_at <= self.now {
            return Err(ChangeError::rule("This time away has ended: there is nothing to cancel."));
        }
        let device = away.device;
        let title = self.titles(&[device]);
        let mut outcome = Outcome::new(format!("Time away cancelled for your {title}."))
            .effect(EventEffect::CancelTimeAway { id });
        // Events still to come that the device missed only for this time away take it back.
        let still_away = |span: Span| {
            self.away.iter().any(|other| {
                other.id != id
                    && other.device == device
                    && !other.cancelled
                    && other.span.overlaps(span)
            })
        };
        let reserved_elsewhere = |event: &HeldEvent| {
            self.events.iter().any(|other| {
                other.id != event.id
                    && !other.cancelled
                    && other.span.overlaps(event.span)
                    && other.devices.contains(&(device, DeviceState::Reserved))
            })
        };
        for event in &self.events {
            let rejoins = !event.cancelled
                && event.span.starts_at > self.now
                && event.span.overlaps(away.span)
                && event.devices.contains(&(device, DeviceState::Unavailable))
                && !still_away(event.span)
                && !reserved_elsewhere(event);
            if rejoins {
                outcome = outcome
                    .effect(EventEffect::SetStates {
                        event: event.id,
                        devices: vec![device],
                        state: DeviceState::Reserved,
                    })
                    .effect(EventEffect::Reevaluate {
                        event: event.id,
                        cause: "Time away cancelled",
                    })
                    .effect(EventEffect::Tell(DermsNotice::Join {
                        event: event.id,
                        devices: vec![device],
                    }));
            }
        }
        Ok(outcome.audit(
            AuditRecord::new("time_away.cancelled", format!("Cancelled time away for the {title}"))
                .before(&[("device", &title), ("status", "scheduled")])
                .after(&[("device", &title), ("status", "cancelled")]),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::programs::{CalendarDate, EnrollmentStatus, ProgramForm, Registration};

    const HOUR: i64 = 3600;
    const NOW: i64 = 1_784_000_000;

    fn program(opt_outs: &str, away: bool) -> Program {
        let form = ProgramForm {
            name: "Smart Thermostat Rewards".into(),
            kind: "demand_response".into(),
            status: "active".into(),
            season_start: "2026-06-01".into(),
            season_end: "2026-09-30".into(),
            device_kinds: vec![crate::programs::DeviceKind::Thermostat],
            max_events_per_season: "4".into(),
            max_event_hours: "4".into(),
            min_notice_hours: "2".into(),
            opt_outs_per_season: opt_outs.into(),
            unavailability_allowed: away,
            enrollment_credit: "25".into(),
            performance_basis: "per_event".into(),
            performance_rate: "5".into(),
            ..ProgramForm::default()
        };
        Program { id: ProgramId(1), definition: form.parse().unwrap() }
    }

    fn event_at(start: i64) -> ProposedEvent {
        ProposedEvent {
            day: CalendarDate::parse("2026-07-15").unwrap(),
            span: Span::new(start, start + 4 * HOUR),
            notice_at: NOW,
            target: Capacity(100),
        }
    }

    fn device(id: i64, registration: Registration, away: Vec<Span>) -> Reservable {
        Reservable {
            device: DeviceId(id),
            account: AccountId(id),
            capacity: Capacity(35),
            candidate: Candidate {
                enrollment: Some((ProgramId(1), EnrollmentStatus::Enrolled)),
                registration,
                entity_group: Some("p1-thermostat-s-r-ptr".into()),
                unavailable: away,
                opted_out: false,
                reserved_for: vec![],
            },
        }
    }

    #[test]
    fn a_call_reserves_registered_devices_and_sets_aside_those_away() {
        let start = NOW + 24 * HOUR;
        let devices = [
            device(1, Registration::Registered, vec![]),
            device(2, Registration::RegistrationPending, vec![]),
            device(3, Registration::Registered, vec![Span::new(start - HOUR, start + HOUR)]),
            device(4, Registration::Registered, vec![]),
        ];
        let plan = plan_call(
            &program("2", true),
            &event_at(start),
            &[],
            "Jul 15",
            NOW,
            &none_called(),
            &devices,
        )
        .unwrap();
        assert_eq!(
            plan.places,
            [(0, DeviceState::Reserved), (2, DeviceState::Unavailable), (3, DeviceState::Reserved)]
        );
        assert_eq!(plan.tally.reserved_capacity, Capacity(70));
        assert_eq!(
            plan.message,
            "Event called for Jul 15: 2 devices reserved, 7 kW of the 10 kW target. Below target by 3 kW."
        );
        assert_eq!(plan.audit.action, "event.called");
        assert_eq!(plan.notice_at, NOW, "told at the time asked for");
    }

    #[test]
    fn a_call_whose_notice_time_has_passed_tells_customers_now() {
        let start = NOW + 24 * HOUR;
        let devices = [device(1, Registration::Registered, vec![])];
        let told_at = |notice_at: i64| {
            let event = ProposedEvent { notice_at, ..event_at(start) };
            plan_call(&program("2", true), &event, &[], "Jul 15", NOW, &none_called(), &devices)
                .unwrap()
                .notice_at
        };
        assert_eq!(told_at(NOW - 24 * HOUR), NOW, "not yesterday: nobody was told then");
        assert_eq!(told_at(NOW + HOUR), NOW + HOUR, "a time to come stands");
    }

    fn none_called() -> CalledBefore {
        CalledBefore::default()
    }

    fn season_of(this_season: u32) -> CalledBefore {
        CalledBefore { this_season, overlapping: vec![] }
    }

    #[test]
    fn a_call_that_doubles_an_event_on_the_same_devices_is_refused() {
        let start = NOW + 24 * HOUR;
        let devices = [device(1, Registration::Registered, vec![])];
        let group = "p1-thermostat-s-r-ptr".to_owned();
        let called = |groups: &[&str], from: i64, to: i64| CalledBefore {
            this_season: 1,
            overlapping: vec![CalledEvent {
                span: Span::new(from, to),
                groups: groups.iter().map(|g| g.to_string()).collect(),
                label: "Jul 15, 14:00–18:00 EDT".into(),
            }],
        };
        let plan = |groups: &[String], before: &CalledBefore| {
            plan_call(
                &program("2", true),
                &event_at(start),
                groups,
                "Jul 15",
                NOW,
                before,
                &devices,
            )
        };
        let doubled = "This program already has an event for these devices then (Jul 15, \
                       14:00–18:00 EDT). Cancel it first, or choose another time or other entity \
                       groups.";
        // The same call twice: all devices both times.
        let refused = plan(&[], &called(&[], start, start + 4 * HOUR)).unwrap_err();
        let ChangeError::Fields(fields) = refused else { panic!("{refused:?}") };
        assert_eq!(fields.get("start"), Some(doubled));
        // One on a group against one on all devices, and one hour shared.
        let one_hour = called(&[], start + 3 * HOUR, start + 5 * HOUR);
        assert!(plan(std::slice::from_ref(&group), &one_hour).is_err());
        assert!(plan(
            std::slice::from_ref(&group),
            &called(&[group.as_str()], start, start + HOUR)
        )
        .is_err());
        // Other groups at the same hours, or the same devices right after: both may be called.
        assert!(plan(
            std::slice::from_ref(&group),
            &called(&["p1-ev-charger-m"], start, start + HOUR)
        )
        .is_ok());
        assert!(plan(&[], &called(&[], start + 4 * HOUR, start + 6 * HOUR)).is_ok());
    }

    #[test]
    fn a_call_on_a_group_no_device_is_in_is_refused() {
        let start = NOW + 24 * HOUR;
        let devices = [device(1, Registration::Registered, vec![])];
        let known = ["p1-thermostat-s-r-ptr".to_owned()];
        let plan = plan_call(
            &program("2", true),
            &event_at(start),
            &known,
            "Jul 15",
            NOW,
            &none_called(),
            &devices,
        );
        assert_eq!(plan.unwrap().tally.reserved, 1);
        let typo = ["p1-thermostat-s-r-ptr".to_owned(), "p1-thermostat-x".to_owned()];
        let refused = plan_call(
            &program("2", true),
            &event_at(start),
            &typo,
            "Jul 15",
            NOW,
            &none_called(),
            &devices,
        )
        .unwrap_err();
        let ChangeError::Fields(fields) = refused else { panic!("{refused:?}") };
        assert_eq!(
            fields.get("groups"),
            Some(
                "No device of this program is in p1-thermostat-x: check the spelling, or leave \
                 this empty for all of its devices."
            )
        );
    }

    #[test]
    fn a_refused_call_names_each_rule_beside_its_field() {
        let start = NOW + HOUR;
        let mut long = event_at(start);
        long.span = Span::new(start, start + 5 * HOUR);
        let refused = plan_call(&program("2", true), &long, &[], "Jul 15", NOW, &season_of(4), &[])
            .unwrap_err();
        let ChangeError::Fields(fields) = refused else { panic!("{refused:?}") };
        assert_eq!(
            fields.get("end"),
            Some("This program allows events of 4 hours at most; this one lasts 5 hours.")
        );
        assert_eq!(
            fields.get("notice_time"),
            Some("This program needs 2 hours' notice; customers would have 1 hour.")
        );
        assert_eq!(
            fields.get("form"),
            Some("This program allows 4 events per season; 4 are called.")
        );
    }

    fn account(used: u32, opt_outs: &str) -> AccountEventState {
        let start = NOW + 24 * HOUR;
        AccountEventState {
            now: NOW,
            programs: vec![program(opt_outs, true)],
            events: vec![HeldEvent {
                id: EventId(7),
                program: ProgramId(1),
                span: Span::new(start, start + 4 * HOUR),
                cancelled: false,
                opted_out: false,
                devices: vec![
                    (DeviceId(1), DeviceState::Reserved),
                    (DeviceId(2), DeviceState::Unavailable),
                ],
                label: "Jul 15, 2026, 14:00–18:00 EDT".into(),
            }],
            opt_outs_used: vec![(ProgramId(1), used)],
            devices: vec![
                HeldDevice {
                    id: DeviceId(1),
                    title: "smart thermostat".into(),
                    program: Some(ProgramId(1)),
                },
                HeldDevice {
                    id: DeviceId(2),
                    title: "EV charger".into(),
                    program: Some(ProgramId(1)),
                },
                HeldDevice { id: DeviceId(3), title: "home battery".into(), program: None },
            ],
            away: vec![HeldAway {
                id: TimeAwayId(5),
                device: DeviceId(2),
                span: Span::new(start - HOUR, start + HOUR),
                cancelled: false,
                label: "from Jul 15, 2026, 1:00 PM EDT to Jul 15, 2026, 3:00 PM EDT".into(),
            }],
        }
    }

    #[test]
    fn an_opt_out_releases_only_the_reserved_devices_and_counts_down() {
        let outcome =
            account(0, "2").apply(&AccountEventChange::OptOut { event: EventId(7) }).unwrap();
        assert!(
            outcome.message.ends_with("1 of 2 opt-outs left this season."),
            "{}",
            outcome.message
        );
        assert!(outcome.effects.contains(&EventEffect::SetStates {
            event: EventId(7),
            devices: vec![DeviceId(1)],
            state: DeviceState::OptedOut
        }));
        assert!(outcome.effects.contains(&EventEffect::Tell(DermsNotice::OptOut {
            event: EventId(7),
            devices: vec![DeviceId(1)]
        })));
        assert_eq!(outcome.audit[0].action, "event.opted_out");
    }

    #[test]
    fn opt_outs_are_refused_when_used_up_not_allowed_started_or_done() {
        let refusal = |state: AccountEventState| match state
            .apply(&AccountEventChange::OptOut { event: EventId(7) })
            .unwrap_err()
        {
            ChangeError::Rule(message) => message,
            other => panic!("{other:?}"),
        };
        assert_eq!(refusal(account(2, "2")), "You have used 2 of 2 opt-outs this season.");
        assert!(refusal(account(0, "0")).contains("does not allow opting out"));
        let mut started = account(0, "2");
        started.now = started.events[0].span.starts_at;
        assert!(refusal(started).contains("has started"));
        let mut done = account(0, "2");
        done.events[0].opted_out = true;
        assert_eq!(refusal(done), "You have opted out of this event already.");
        let other = account(0, "2").apply(&AccountEventChange::OptOut { event: EventId(8) });
        assert_eq!(
            other.unwrap_err(),
            ChangeError::NotFound,
            "another account's event is not found"
        );
    }

    #[test]
    fn time_away_releases_the_device_from_events_it_covers() {
        let state = account(0, "2");
        let start = state.events[0].span.starts_at;
        let change = AccountEventChange::ScheduleTimeAway {
            device: DeviceId(1),
            span: Span::new(start + HOUR, start + 30 * HOUR),
            label: "from Jul 15 to Jul 16".into(),
        };
        let outcome = state.apply(&change).unwrap();
        assert!(
            outcome.message.ends_with("It is released from 1 peak-day event."),
            "{}",
            outcome.message
        );
        assert!(outcome.effects.contains(&EventEffect::SetStates {
            event: EventId(7),
            devices: vec![DeviceId(1)],
            state: DeviceState::Unavailable
        }));
        // Touching the event's end: no overlap, nothing released.
        let after = AccountEventChange::ScheduleTimeAway {
            device: DeviceId(1),
            span: Span::new(state.events[0].span.ends_at, state.events[0].span.ends_at + HOUR),
            label: "later".into(),
        };
        assert_eq!(state.apply(&after).unwrap().effects.len(), 2);
    }

    #[test]
    fn time_away_is_refused_with_its_reason() {
        let state = account(0, "2");
        let backwards = AccountEventChange::ScheduleTimeAway {
            device: DeviceId(1),
            span: Span::new(NOW + 2 * HOUR, NOW + HOUR),
            label: String::new(),
        };
        assert_eq!(
            state.apply(&backwards).unwrap_err(),
            ChangeError::field(TimeAwayForm::END, "The time away must end after it starts.")
        );
        let unenrolled = AccountEventChange::ScheduleTimeAway {
            device: DeviceId(3),
            span: Span::new(NOW + HOUR, NOW + 2 * HOUR),
            label: String::new(),
        };
        assert!(matches!(state.apply(&unenrolled), Err(ChangeError::Rule(_))));
        let mut strict = account(0, "2");
        strict.programs = vec![program("2", false)];
        let allowed = AccountEventChange::ScheduleTimeAway {
            device: DeviceId(1),
            span: Span::new(NOW + HOUR, NOW + 2 * HOUR),
            label: String::new(),
        };
        assert_eq!(
            strict.apply(&allowed).unwrap_err(),
            ChangeError::rule("This program does not allow scheduling time away.")
        );
    }

    #[test]
    fn time_away_over_a_period_already_scheduled_for_the_device_is_refused() {
        let state = account(0, "2");
        let held = state.away[0].span;
        let away = |device: i64, span: Span| AccountEventChange::ScheduleTimeAway {
            device: DeviceId(device),
            span,
            label: String::new(),
        };
        let refused = ChangeError::field(
            TimeAwayForm::START,
            "Your EV charger already has time away from Jul 15, 2026, 1:00 PM EDT to Jul 15, \
             2026, 3:00 PM EDT. Cancel it first to change it, or choose dates outside it.",
        );
        // The same period again, and one reaching into it.
        assert_eq!(state.apply(&away(2, held)).unwrap_err(), refused);
        let later = Span::new(held.ends_at - HOUR, held.ends_at + 5 * HOUR);
        assert_eq!(state.apply(&away(2, later)).unwrap_err(), refused);
        // Right after it, or the same hours for another device: allowed.
        assert!(state.apply(&away(2, Span::new(held.ends_at, held.ends_at + HOUR))).is_ok());
        assert!(state.apply(&away(1, held)).is_ok());
        // Once cancelled, or over, it takes nothing.
        let mut cancelled = state.clone();
        cancelled.away[0].cancelled = true;
        assert!(cancelled.apply(&away(2, held)).is_ok());
        let mut over = state.clone();
        over.away[0].span = Span::new(NOW - 3 * HOUR, NOW - HOUR);
        assert!(over.apply(&away(2, Span::new(NOW - 2 * HOUR, NOW + HOUR))).is_ok());
    }

    #[test]
    fn cancelled_time_away_gives_the_device_back_to_events_still_to_come() {
        let outcome = account(0, "2")
            .apply(&AccountEventChange::CancelTimeAway { id: TimeAwayId(5) })
            .unwrap();
        assert!(outcome.effects.contains(&EventEffect::SetStates {
            event: EventId(7),
            devices: vec![DeviceId(2)],
            state: DeviceState::Reserved
        }));
        let mut started = account(0, "2");
        started.now = started.events[0].span.starts_at + 1;
        let outcome =
            started.apply(&AccountEventChange::CancelTimeAway { id: TimeAwayId(5) }).unwrap();
        assert_eq!(
            outcome.effects,
            [EventEffect::CancelTimeAway { id: TimeAwayId(5) }],
            "too late to rejoin"
        );
    }

    fn managed(cancelled: bool) -> ManagedEvent {
        ManagedEvent {
            id: EventId(7),
            program: "Smart Thermostat Rewards".into(),
            span: Span::new(NOW + HOUR, NOW + 5 * HOUR),
            cancelled,
            label: "Jul 15".into(),
        }
    }

    #[test]
    fn a_cancellation_needs_a_reason_and_releases_every_device() {
        assert_eq!(
            plan_cancel(&managed(false), "  ", NOW).unwrap_err(),
            ChangeError::field(REASON, "Say why the event is cancelled: customers are told.")
        );
        // Customers read the reason on their Peak days page.
        assert_eq!(
            plan_cancel(&managed(false), "Cooler \u{202E}weather", NOW).unwrap_err(),
            ChangeError::field(
                REASON,
                "Remove the control, invisible or text-direction characters: they hide what the text says."
            )
        );
        let outcome = plan_cancel(&managed(false), "Cooler weather forecast", NOW).unwrap();
        assert_eq!(
            outcome.effects[0],
            EventEffect::CancelEvent {
                event: EventId(7),
                reason: "Cooler weather forecast".into()
            }
        );
        assert!(outcome.effects.contains(&EventEffect::Tell(DermsNotice::Cancel {
            event: EventId(7),
            reason: "Cooler weather forecast".into()
        })));
        assert_eq!(
            plan_cancel(&managed(true), "again", NOW).unwrap_err(),
            ChangeError::rule("This event was cancelled already.")
        );
        assert!(matches!(
            plan_cancel(&managed(false), "late", NOW + 5 * HOUR),
            Err(ChangeError::Rule(_))
        ));
    }
}
