//! The rules of a peak day, as pure functions over instants (unix seconds, UTC) that the server
//! computes in the utility's zone: whether a program manager may call an event, which devices it
//! reserves and why not the others, whether a customer may opt out or schedule time away, and
//! whether the reserved capacity meets the event's target. Each refusal names its rule and the
//! numbers.

use crate::programs::{
    CalendarDate, Capacity, EnrollmentStatus, Program, ProgramId, ProgramStatus, Registration,
};
use serde::{Deserialize, Serialize};
use std::fmt;

const HOUR: i64 = 3600;

/// An event's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EventId(pub i64);

/// A span of time, `[starts_at, ends_at)` in unix seconds: a range that ends when another
/// starts does not overlap it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    pub starts_at: i64,
    pub ends_at: i64,
}

impl Span {
    pub fn new(starts_at: i64, ends_at: i64) -> Self {
        Self { starts_at, ends_at }
    }

    pub fn overlaps(self, other: Span) -> bool {
        self.starts_at < other.ends_at && other.starts_at < self.ends_at
    }

    /// Length in seconds; zero or less when the end is not after the start.
    pub fn seconds(self) -> i64 {
        self.ends_at - self.starts_at
    }
}

/// An event a program manager asks for, with its times already placed in the utility's zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposedEvent {
    /// The event's day in the utility's zone (seasons are calendar dates).
    pub day: CalendarDate,
    pub span: Span,
    /// When customers are told.
    pub notice_at: i64,
    /// The reduction asked for, kW in tenths.
    pub target: Capacity,
}

impl ProposedEvent {
    /// When customers are in fact told: the time asked for, or `now` once that has passed (a
    /// notice cannot go out in the past; a call whose notice time was yesterday tells them now).
    pub fn told_at(&self, now: i64) -> i64 {
        self.notice_at.max(now)
    }
}

/// Why an event cannot be called, in words for the program manager.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallRefusal {
    ProgramNotActive,
    EndNotAfterStart,
    StartsInThePast,
    OutsideSeason {
        start: CalendarDate,
        end: CalendarDate,
    },
    TooLong {
        max_hours: u32,
        minutes: i64,
    },
    TooLittleNotice {
        min_hours: u32,
        minutes: i64,
    },
    /// The notice was set to go out when the event has started or is over (most often its day
    /// typed as the event's, or later): "no time" would not say what to change.
    NoticeAfterStart,
    SeasonFull {
        max: u32,
        called: u32,
    },
    NoTarget,
    /// An event of the program not cancelled already covers some of the same devices at some of
    /// the same time (named by its label): a second call, most often a form sent twice.
    Doubles {
        label: String,
    },
}

impl fmt::Display for CallRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallRefusal::ProgramNotActive => {
                write!(f, "Only an active program's events can be called.")
            }
            CallRefusal::EndNotAfterStart => write!(f, "The event must end after it starts."),
            CallRefusal::StartsInThePast => write!(f, "The event's start has passed."),
            CallRefusal::OutsideSeason { start, end } => {
                write!(f, "This program's season runs from {start} to {end}.")
            }
            CallRefusal::TooLong { max_hours, minutes } => write!(
                f,
                "This program allows events of {max_hours} {} at most; this one lasts {}.",
                plural(*max_hours, "hour", "hours"),
                duration(*minutes)
            ),
            CallRefusal::TooLittleNotice { min_hours, minutes } => write!(
                f,
                "This program needs {min_hours} {} notice; customers would have {}.",
                plural(*min_hours, "hour's", "hours'"),
                duration(*minutes)
            ),
            CallRefusal::SeasonFull { max, called } => write!(
                f,
                "This program allows {max} {} per season; {called} {} called.",
                plural(*max, "event", "events"),
                if *called == 1 { "is" } else { "are" }
            ),
            CallRefusal::NoticeAfterStart => {
                write!(f, "The notice must go out before the event starts.")
            }
            CallRefusal::NoTarget => write!(f, "Give the reduction to aim for, in kW."),
            CallRefusal::Doubles { label } => write!(
                f,
                "This program already has an event for these devices then ({label}). Cancel it \
                 first, or choose another time or other entity groups."
            ),
        }
    }
}

/// Every rule an event call breaks; empty when it may be called. `called_this_season`: the
/// program's events of this season not cancelled.
pub fn check_call(
    program: &Program,
    event: &ProposedEvent,
    now: i64,
    called_this_season: u32,
) -> Vec<CallRefusal> {
    let definition = &program.definition;
    let rules = &definition.rules;
    let mut refusals = Vec::new();
    if definition.status != ProgramStatus::Active {
        refusals.push(CallRefusal::ProgramNotActive);
    }
    if event.span.seconds() <= 0 {
        refusals.push(CallRefusal::EndNotAfterStart);
    } else if event.span.seconds() > i64::from(rules.max_event_hours) * HOUR {
        let minutes = event.span.seconds() / 60;
        refusals.push(CallRefusal::TooLong { max_hours: rules.max_event_hours, minutes });
    }
    if event.span.starts_at <= now {
        refusals.push(CallRefusal::StartsInThePast);
    }
    if event.day < definition.season_start || event.day > definition.season_end {
        refusals.push(CallRefusal::OutsideSeason {
            start: definition.season_start,
            end: definition.season_end,
        });
    }
    let notice = event.span.starts_at - event.told_at(now);
    if event.notice_at >= event.span.starts_at {
        refusals.push(CallRefusal::NoticeAfterStart);
    } else if notice < i64::from(rules.min_notice_hours) * HOUR {
        refusals.push(CallRefusal::TooLittleNotice {
            min_hours: rules.min_notice_hours,
            minutes: notice.max(0) / 60,
        });
    }
    if called_this_season >= rules.max_events_per_season {
        refusals.push(CallRefusal::SeasonFull {
            max: rules.max_events_per_season,
            called: called_this_season,
        });
    }
    if event.target.0 == 0 {
        refusals.push(CallRefusal::NoTarget);
    }
    refusals
}

/// An event of the program, not cancelled, that a new call is checked against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalledEvent {
    pub span: Span,
    /// The entity groups it was called on; none: all of the program's devices.
    pub groups: Vec<String>,
    /// Its day and hours in words ("Jul 15, 2026, 14:00–18:00 EDT").
    pub label: String,
}

/// The first of `called` that an event over `span` on `groups` would double: overlapping in time
/// and covering some of the same devices. Events on disjoint groups may share hours (a manager
/// dispatching each group at its own target); one on all devices shares devices with every other.
pub fn doubled_event<'a>(
    span: Span,
    groups: &[String],
    called: &'a [CalledEvent],
) -> Option<&'a CalledEvent> {
    called.iter().find(|event| {
        event.span.overlaps(span)
            && (groups.is_empty()
                || event.groups.is_empty()
                || groups.iter().any(|group| event.groups.contains(group)))
    })
}

/// What the reservation rule knows of one device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The program of its live enrollment and that enrollment's status.
    pub enrollment: Option<(ProgramId, EnrollmentStatus)>,
    pub registration: Registration,
    pub entity_group: Option<String>,
    /// Its time away.
    pub unavailable: Vec<Span>,
    /// Opted out of this event.
    pub opted_out: bool,
    /// Other events it is reserved for.
    pub reserved_for: Vec<(EventId, Span)>,
}

/// Why a device is not reserved for an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum NotReserved {
    NotInProgram,
    EnrollmentPending,
    NotRegistered,
    NotTargeted,
    Unavailable,
    OptedOut,
    ReservedElsewhere(EventId),
}

impl NotReserved {
    pub fn label(&self) -> String {
        match self {
            NotReserved::NotInProgram => "Not enrolled in this program".to_owned(),
            NotReserved::EnrollmentPending => "Enrollment not yet confirmed".to_owned(),
            NotReserved::NotRegistered => "Not registered with the control system".to_owned(),
            NotReserved::NotTargeted => "Not in a targeted group".to_owned(),
            NotReserved::Unavailable => "Time away".to_owned(),
            NotReserved::OptedOut => "Opted out".to_owned(),
            NotReserved::ReservedElsewhere(event) => {
                format!("Reserved for event {} at the same time", event.0)
            }
        }
    }
}

/// The event as the reservation rule sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventScope<'a> {
    pub program: ProgramId,
    pub span: Span,
    /// The entity groups it targets; empty for all of the program's.
    pub groups: &'a [String],
}

/// Whether `device` is reserved for `event`, or the first reason it is not.
pub fn reservation(event: &EventScope<'_>, device: &Candidate) -> Result<(), NotReserved> {
    match device.enrollment {
        Some((program, _)) if program != event.program => return Err(NotReserved::NotInProgram),
        None => return Err(NotReserved::NotInProgram),
        Some((_, EnrollmentStatus::Enrolled)) => {}
        Some(_) => return Err(NotReserved::EnrollmentPending),
    }
    if device.registration != Registration::Registered {
        return Err(NotReserved::NotRegistered);
    }
    let targeted = event.groups.is_empty()
        || device.entity_group.as_ref().is_some_and(|group| event.groups.contains(group));
    if !targeted {
        return Err(NotReserved::NotTargeted);
    }
    if device.unavailable.iter().any(|away| away.overlaps(event.span)) {
        return Err(NotReserved::Unavailable);
    }
    if device.opted_out {
        return Err(NotReserved::OptedOut);
    }
    match device.reserved_for.iter().find(|(_, span)| span.overlaps(event.span)) {
        Some((other, _)) => Err(NotReserved::ReservedElsewhere(*other)),
        None => Ok(()),
    }
}

/// Why a customer cannot opt out of an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OptOutRefusal {
    NotAllowed,
    UsedUp { used: u32, allowed: u32 },
    Started,
}

impl fmt::Display for OptOutRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OptOutRefusal::NotAllowed => {
                write!(f, "This program does not allow opting out of an event ahead of time.")
            }
            OptOutRefusal::UsedUp { used, allowed } => write!(
                f,
                "You have used {used} of {allowed} {} this season.",
                plural(*allowed, "opt-out", "opt-outs")
            ),
            OptOutRefusal::Started => {
                write!(f, "This event has started: it can no longer be opted out of.")
            }
        }
    }
}

/// How many opt-outs are left this season, when the program allows any.
pub fn opt_outs_left(program: &Program, used_this_season: u32) -> Option<u32> {
    let allowed = program.definition.rules.opt_outs_per_season.filter(|n| *n > 0)?;
    Some(allowed.saturating_sub(used_this_season))
}

/// Whether the account may opt a device out of an event starting at `starts_at`.
pub fn check_opt_out(
    program: &Program,
    used_this_season: u32,
    starts_at: i64,
    now: i64,
) -> Result<(), OptOutRefusal> {
    let allowed = match program.definition.rules.opt_outs_per_season {
        Some(allowed) if allowed > 0 => allowed,
        _ => return Err(OptOutRefusal::NotAllowed),
    };
    if now >= starts_at {
        return Err(OptOutRefusal::Started);
    }
    if used_this_season >= allowed {
        return Err(OptOutRefusal::UsedUp { used: used_this_season, allowed });
    }
    Ok(())
}

/// Why time away cannot be scheduled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimeAwayRefusal {
    NotAllowed,
    EndNotAfterStart,
    InThePast,
    /// Ends more than [`TIME_AWAY_MAX_AHEAD_DAYS`] from now: almost always a mistyped year, and
    /// otherwise a standing opt-out from every event that no season's opt-out limit would allow.
    TooFarAhead,
}

/// How far ahead time away may end.
pub const TIME_AWAY_MAX_AHEAD_DAYS: i64 = 366;

impl fmt::Display for TimeAwayRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TimeAwayRefusal::NotAllowed => "This program does not allow scheduling time away.",
            TimeAwayRefusal::EndNotAfterStart => "The time away must end after it starts.",
            TimeAwayRefusal::InThePast => "The time away has ended already: choose a later end.",
            TimeAwayRefusal::TooFarAhead => {
                "Time away can end at most a year from now: choose an earlier end."
            }
        })
    }
}

/// Whether a device in `program` may be away for `span`.
pub fn check_time_away(program: &Program, span: Span, now: i64) -> Result<(), TimeAwayRefusal> {
    if !program.definition.rules.unavailability_allowed {
        return Err(TimeAwayRefusal::NotAllowed);
    }
    if span.seconds() <= 0 {
        return Err(TimeAwayRefusal::EndNotAfterStart);
    }
    if span.ends_at <= now {
        return Err(TimeAwayRefusal::InThePast);
    }
    if span.ends_at > now + TIME_AWAY_MAX_AHEAD_DAYS * 24 * HOUR {
        return Err(TimeAwayRefusal::TooFarAhead);
    }
    Ok(())
}

/// Whether the reserved capacity meets the event's target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Viability {
    Viable,
    /// Short by this much, kW in tenths.
    BelowTarget {
        shortfall: Capacity,
    },
}

pub fn viability(target: Capacity, reserved: Capacity) -> Viability {
    if reserved >= target {
        Viability::Viable
    } else {
        Viability::BelowTarget { shortfall: Capacity(target.0 - reserved.0) }
    }
}

fn plural<'a>(n: u32, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 {
        one
    } else {
        many
    }
}

/// "3 hours", "1 hour 30 minutes", "45 minutes".
fn duration(minutes: i64) -> String {
    let (hours, minutes) = (minutes / 60, minutes % 60);
    let hours_part = match hours {
        0 => None,
        1 => Some("1 hour".to_owned()),
        n => Some(format!("{n} hours")),
    };
    let minutes_part = match minutes {
        0 => None,
        1 => Some("1 minute".to_owned()),
        n => Some(format!("{n} minutes")),
    };
    match (hours_part, minutes_part) {
        (Some(h), Some(m)) => format!("{h} {m}"),
        (Some(h), None) => h,
        (None, Some(m)) => m,
        (None, None) => "no time".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::programs::program_form::tests::thermostat_program;
    use crate::programs::ProgramForm;

    /// 2026-07-15 14:00 in New York (18:00 UTC).
    const START: i64 = 1_784_138_400;
    const DAY_BEFORE: i64 = START - 24 * HOUR;

    fn day() -> CalendarDate {
        CalendarDate::parse("2026-07-15").unwrap()
    }

    /// Smart Thermostat Rewards: active, season June 1 to September 30, 15 events of 4 hours
    /// at most with 24 hours' notice, 3 opt-outs a season, time away allowed.
    fn program() -> Program {
        Program { id: ProgramId(1), definition: thermostat_program().parse().unwrap() }
    }

    fn program_with(change: impl FnOnce(&mut ProgramForm)) -> Program {
        let mut form = thermostat_program();
        change(&mut form);
        Program { id: ProgramId(1), definition: form.parse().unwrap() }
    }

    fn event(hours: i64) -> ProposedEvent {
        ProposedEvent {
            day: day(),
            span: Span::new(START, START + hours * HOUR),
            notice_at: DAY_BEFORE - HOUR,
            target: Capacity(500),
        }
    }

    fn messages(refusals: &[CallRefusal]) -> Vec<String> {
        refusals.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn an_event_inside_every_rule_may_be_called() {
        assert_eq!(check_call(&program(), &event(4), DAY_BEFORE - 2 * HOUR, 14), []);
    }

    #[test]
    fn each_refusal_names_its_rule_and_the_numbers() {
        let full = program_with(|form| form.max_events_per_season = "4".into());
        assert_eq!(
            messages(&check_call(&full, &event(2), DAY_BEFORE - 2 * HOUR, 4)),
            ["This program allows 4 events per season; 4 are called."]
        );
        assert_eq!(
            messages(&check_call(&program(), &event(5), DAY_BEFORE - 2 * HOUR, 0)),
            ["This program allows events of 4 hours at most; this one lasts 5 hours."]
        );
        let late = ProposedEvent { notice_at: START - 20 * HOUR - 30 * 60, ..event(2) };
        assert_eq!(
            messages(&check_call(&program(), &late, late.notice_at - 60, 0)),
            ["This program needs 24 hours' notice; customers would have 20 hours 30 minutes."]
        );
        let after = ProposedEvent { notice_at: START + HOUR, ..event(2) };
        assert_eq!(
            messages(&check_call(&program(), &after, DAY_BEFORE - 2 * HOUR, 0)),
            ["The notice must go out before the event starts."]
        );
        let november =
            ProposedEvent { day: CalendarDate::parse("2026-11-02").unwrap(), ..event(2) };
        assert_eq!(
            messages(&check_call(&program(), &november, DAY_BEFORE - 2 * HOUR, 0)),
            ["This program's season runs from June 1, 2026 to September 30, 2026."]
        );
    }

    #[test]
    fn notice_counts_from_now_when_it_was_to_go_out_earlier() {
        // Notice "sent" two days ahead, but the call is made 3 hours before the start.
        let refusals = check_call(&program(), &event(2), START - 3 * HOUR, 0);
        assert_eq!(refusals, [CallRefusal::TooLittleNotice { min_hours: 24, minutes: 180 }]);
    }

    #[test]
    fn a_draft_program_a_past_start_a_backward_window_and_no_target_are_refused() {
        let draft = program_with(|form| form.status = "draft".into());
        assert!(check_call(&draft, &event(2), DAY_BEFORE - 2 * HOUR, 0)
            .contains(&CallRefusal::ProgramNotActive));
        let refusals = check_call(&program(), &event(2), START + 60, 0);
        assert!(refusals.contains(&CallRefusal::StartsInThePast), "{refusals:?}");
        let backward = ProposedEvent { span: Span::new(START, START), ..event(2) };
        assert!(check_call(&program(), &backward, DAY_BEFORE - 2 * HOUR, 0)
            .contains(&CallRefusal::EndNotAfterStart));
        let aimless = ProposedEvent { target: Capacity(0), ..event(2) };
        assert_eq!(
            messages(&check_call(&program(), &aimless, DAY_BEFORE - 2 * HOUR, 0)),
            ["Give the reduction to aim for, in kW."]
        );
    }

    fn candidate() -> Candidate {
        Candidate {
            enrollment: Some((ProgramId(1), EnrollmentStatus::Enrolled)),
            registration: Registration::Registered,
            entity_group: Some("p1-thermostat-m-r-ptr".into()),
            unavailable: vec![],
            opted_out: false,
            reserved_for: vec![],
        }
    }

    fn scope(groups: &[String]) -> EventScope<'_> {
        EventScope { program: ProgramId(1), span: Span::new(START, START + 4 * HOUR), groups }
    }

    #[test]
    fn an_enrolled_registered_targeted_free_device_is_reserved() {
        assert_eq!(reservation(&scope(&[]), &candidate()), Ok(()));
        let groups = ["p1-thermostat-m-r-ptr".to_owned()];
        assert_eq!(reservation(&scope(&groups), &candidate()), Ok(()));
    }

    #[test]
    fn every_reason_a_device_is_not_reserved() {
        let cases: Vec<(Candidate, NotReserved)> = vec![
            (Candidate { enrollment: None, ..candidate() }, NotReserved::NotInProgram),
            (
                Candidate {
                    enrollment: Some((ProgramId(2), EnrollmentStatus::Enrolled)),
                    ..candidate()
                },
                NotReserved::NotInProgram,
            ),
            (
                Candidate {
                    enrollment: Some((ProgramId(1), EnrollmentStatus::Pending)),
                    ..candidate()
                },
                NotReserved::EnrollmentPending,
            ),
            (
                Candidate { registration: Registration::RegistrationPending, ..candidate() },
                NotReserved::NotRegistered,
            ),
            (
                Candidate { registration: Registration::Failed, ..candidate() },
                NotReserved::NotRegistered,
            ),
            (
                Candidate {
                    unavailable: vec![Span::new(START + HOUR, START + 30 * HOUR)],
                    ..candidate()
                },
                NotReserved::Unavailable,
            ),
            (Candidate { opted_out: true, ..candidate() }, NotReserved::OptedOut),
            (
                Candidate {
                    reserved_for: vec![(EventId(7), Span::new(START - HOUR, START + HOUR))],
                    ..candidate()
                },
                NotReserved::ReservedElsewhere(EventId(7)),
            ),
        ];
        for (device, reason) in cases {
            assert_eq!(reservation(&scope(&[]), &device), Err(reason.clone()), "{device:?}");
            assert!(!reason.label().is_empty());
        }
        let other_group = ["p1-thermostat-l-r-ptr".to_owned()];
        assert_eq!(reservation(&scope(&other_group), &candidate()), Err(NotReserved::NotTargeted));
    }

    #[test]
    fn touching_ranges_do_not_overlap() {
        let event = Span::new(START, START + 4 * HOUR);
        assert!(
            !Span::new(START - 2 * HOUR, START).overlaps(event),
            "time away ending at the start"
        );
        assert!(
            !Span::new(START + 4 * HOUR, START + 6 * HOUR).overlaps(event),
            "starting at the end"
        );
        assert!(Span::new(START - 2 * HOUR, START + 1).overlaps(event));
        assert!(Span::new(START + 4 * HOUR - 1, START + 6 * HOUR).overlaps(event));
        let away =
            Candidate { unavailable: vec![Span::new(START - 2 * HOUR, START)], ..candidate() };
        assert_eq!(reservation(&scope(&[]), &away), Ok(()));
        let back_to_back = Candidate {
            reserved_for: vec![(EventId(7), Span::new(START + 4 * HOUR, START + 6 * HOUR))],
            ..candidate()
        };
        assert_eq!(reservation(&scope(&[]), &back_to_back), Ok(()));
    }

    #[test]
    fn time_away_across_midnight_covers_the_evening_and_the_morning() {
        // 22:00 on the 14th to 06:00 on the 15th (New York): 02:00 to 10:00 UTC.
        let night = Span::new(START - 20 * HOUR, START - 12 * HOUR);
        assert!(night.overlaps(Span::new(START - 19 * HOUR, START - 18 * HOUR)), "23:00");
        assert!(night.overlaps(Span::new(START - 14 * HOUR, START - 13 * HOUR)), "04:00");
        assert!(!night.overlaps(Span::new(START, START + 4 * HOUR)), "the 14:00 event");
    }

    #[test]
    fn opt_outs_are_limited_by_season_and_end_when_the_event_starts() {
        let two = program_with(|form| form.opt_outs_per_season = "2".into());
        assert_eq!(check_opt_out(&two, 1, START, START - HOUR), Ok(()));
        assert_eq!(opt_outs_left(&two, 1), Some(1));
        let used = check_opt_out(&two, 2, START, START - HOUR).unwrap_err();
        assert_eq!(used.to_string(), "You have used 2 of 2 opt-outs this season.");
        assert_eq!(opt_outs_left(&two, 2), Some(0));
        assert_eq!(check_opt_out(&two, 0, START, START), Err(OptOutRefusal::Started));
        let none = program_with(|form| form.opt_outs_per_season = "0".into());
        assert_eq!(check_opt_out(&none, 0, START, START - HOUR), Err(OptOutRefusal::NotAllowed));
        assert_eq!(opt_outs_left(&none, 0), None);
    }

    #[test]
    fn time_away_must_be_allowed_end_after_it_starts_and_not_be_over() {
        let window = Span::new(START, START + 48 * HOUR);
        assert_eq!(check_time_away(&program(), window, START - HOUR), Ok(()));
        let no = program_with(|form| form.unavailability_allowed = false);
        assert_eq!(check_time_away(&no, window, START - HOUR), Err(TimeAwayRefusal::NotAllowed));
        assert_eq!(
            check_time_away(&program(), Span::new(START, START - HOUR), START - 2 * HOUR),
            Err(TimeAwayRefusal::EndNotAfterStart)
        );
        assert_eq!(
            check_time_away(&program(), window, START + 48 * HOUR),
            Err(TimeAwayRefusal::InThePast)
        );
        // Already begun but not over: it still counts from now on.
        assert_eq!(check_time_away(&program(), window, START + HOUR), Ok(()));
    }

    #[test]
    fn time_away_ends_within_a_year() {
        let year = TIME_AWAY_MAX_AHEAD_DAYS * 24 * HOUR;
        let now = START - HOUR;
        let up_to_the_day = Span::new(START, now + year);
        assert_eq!(check_time_away(&program(), up_to_the_day, now), Ok(()));
        let past_it = Span::new(START, now + year + 1);
        assert_eq!(check_time_away(&program(), past_it, now), Err(TimeAwayRefusal::TooFarAhead));
        // The year 9999 typed for 2026.
        let typo = Span::new(START, 253_402_300_000);
        assert_eq!(check_time_away(&program(), typo, now), Err(TimeAwayRefusal::TooFarAhead));
    }

    #[test]
    fn viability_compares_reserved_capacity_with_the_target() {
        assert_eq!(viability(Capacity(500), Capacity(520)), Viability::Viable);
        assert_eq!(viability(Capacity(500), Capacity(500)), Viability::Viable);
        assert_eq!(
            viability(Capacity(500), Capacity(385)),
            Viability::BelowTarget { shortfall: Capacity(115) }
        );
    }
}
