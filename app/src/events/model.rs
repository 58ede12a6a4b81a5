//! Events as the pages show them: a program's events with their reservations for program
//! managers, and an account's peak days for the customer (and customer service acting for them).
//! Times arrive already written in the utility's zone.

use super::rules::{viability, EventId, Span, Viability};
use crate::programs::{CalendarDate, Capacity, DeviceId, DeviceKind, Performance, Program};
use serde::{Deserialize, Serialize};

/// Where an event is in its life. Only a cancellation is stored; the rest follows the clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EventPhase {
    Scheduled,
    Active,
    Completed,
    Cancelled,
}

impl EventPhase {
    pub fn at(span: Span, cancelled: bool, now: i64) -> Self {
        if cancelled {
            EventPhase::Cancelled
        } else if now < span.starts_at {
            EventPhase::Scheduled
        } else if now < span.ends_at {
            EventPhase::Active
        } else {
            EventPhase::Completed
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            EventPhase::Scheduled => "Scheduled",
            EventPhase::Active => "Under way",
            EventPhase::Completed => "Completed",
            EventPhase::Cancelled => "Cancelled",
        }
    }

    /// Whether it is still to come or under way (a customer's "upcoming").
    pub fn is_current(self) -> bool {
        matches!(self, EventPhase::Scheduled | EventPhase::Active)
    }
}

/// A device's place in an event's reservation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceState {
    Reserved,
    /// Its account opted out of the event.
    OptedOut,
    /// Time away covers the event.
    Unavailable,
    /// No longer the event's: cancelled, unenrolled, or de-registered.
    Released,
}

impl DeviceState {
    pub const ALL: [DeviceState; 4] = [
        DeviceState::Reserved,
        DeviceState::OptedOut,
        DeviceState::Unavailable,
        DeviceState::Released,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DeviceState::Reserved => "reserved",
            DeviceState::OptedOut => "opted_out",
            DeviceState::Unavailable => "unavailable",
            DeviceState::Released => "released",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|state| state.as_str() == value)
    }

    pub fn label(self) -> &'static str {
        match self {
            DeviceState::Reserved => "Taking part",
            DeviceState::OptedOut => "Opted out",
            DeviceState::Unavailable => "Away",
            DeviceState::Released => "Released",
        }
    }
}

/// How many devices stand where in one event, and the capacity reserved.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    pub reserved: u32,
    pub opted_out: u32,
    pub unavailable: u32,
    pub released: u32,
    pub reserved_capacity: Capacity,
}

impl Tally {
    pub fn count(&mut self, state: DeviceState, capacity: Capacity) {
        match state {
            DeviceState::Reserved => {
                self.reserved += 1;
                self.reserved_capacity = Capacity(self.reserved_capacity.0 + capacity.0);
            }
            DeviceState::OptedOut => self.opted_out += 1,
            DeviceState::Unavailable => self.unavailable += 1,
            DeviceState::Released => self.released += 1,
        }
    }
}

/// One evaluation of an event's reservation against its target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// When, in the utility's zone.
    pub at: String,
    /// What changed: "Event called", "An account opted out", ...
    pub cause: String,
    pub reserved_devices: u32,
    pub reserved: Capacity,
    pub target: Capacity,
}

impl HistoryEntry {
    pub fn verdict(&self) -> Viability {
        viability(self.target, self.reserved)
    }
}

/// What the DERMS reported of the devices' participation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParticipationTally {
    pub participated: u32,
    pub did_not_participate: u32,
    /// kW delivered, in tenths, summed over the reports.
    pub delivered: Capacity,
}

/// One event, for the program manager.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgramEvent {
    pub id: EventId,
    pub day: CalendarDate,
    /// "2:00–6:00 PM EDT".
    pub hours: String,
    /// When customers were (or will be) told, in the utility's zone.
    pub notice: String,
    pub target: Capacity,
    pub groups: Vec<String>,
    pub phase: EventPhase,
    pub cancel_reason: Option<String>,
    pub tally: Tally,
    pub participation: ParticipationTally,
    /// Oldest first.
    pub history: Vec<HistoryEntry>,
}

impl ProgramEvent {
    pub fn viability(&self) -> Viability {
        viability(self.target, self.tally.reserved_capacity)
    }
}

/// A program with its events, for `/programs/{id}/events`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgramEvents {
    pub program: Program,
    /// Events of this season not cancelled.
    pub called_this_season: u32,
    /// Newest first.
    pub events: Vec<ProgramEvent>,
    /// The program's entity groups, to target.
    pub groups: Vec<String>,
    /// The utility's time zone, named for the form ("America/New_York").
    pub zone: String,
}

/// One of the account's devices in an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventDevice {
    pub id: DeviceId,
    pub title: String,
    pub state: DeviceState,
    /// What the DERMS reported, in words.
    pub participation: Option<String>,
}

/// An event that concerns the account, as the customer reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountEvent {
    pub id: EventId,
    pub program: String,
    pub day: CalendarDate,
    pub hours: String,
    pub phase: EventPhase,
    pub cancel_reason: Option<String>,
    pub devices: Vec<EventDevice>,
    /// What the customer is asked to do.
    pub ask: String,
    /// What they can earn.
    pub earn: String,
    pub opted_out: bool,
    /// Why it cannot be opted out of now; `None` when it can.
    pub opt_out_refused: Option<String>,
    /// Opt-outs left in the program's season after this one, when it can be opted out of.
    pub opt_outs_left_after: Option<u32>,
}

/// The account's opt-outs in one program's season.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OptOutAllowance {
    pub program: String,
    pub used: u32,
    /// `None`: the program allows no opt-outs.
    pub allowed: Option<u32>,
}

impl OptOutAllowance {
    pub fn sentence(&self) -> String {
        match self.allowed {
            None => {
                format!("{} does not allow opting out of an event ahead of time.", self.program)
            }
            Some(allowed) => format!(
                "{}: {} of {allowed} opt-outs left this season.",
                self.program,
                allowed.saturating_sub(self.used)
            ),
        }
    }
}

/// One period of time away.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AwayPeriod {
    pub id: TimeAwayId,
    pub from: String,
    pub to: String,
    /// Not yet ended: it can be cancelled.
    pub cancellable: bool,
}

/// A device in a program, with its time away.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceAway {
    pub device: DeviceId,
    pub title: String,
    pub program: String,
    /// Why time away cannot be scheduled for it; `None` when it can.
    pub refused: Option<String>,
    pub periods: Vec<AwayPeriod>,
}

/// `/account/events`: the account's peak days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountEvents {
    /// Soonest first.
    pub upcoming: Vec<AccountEvent>,
    /// Newest first.
    pub past: Vec<AccountEvent>,
    pub allowances: Vec<OptOutAllowance>,
    pub devices: Vec<DeviceAway>,
    /// The utility's time zone, named for the form.
    pub zone: String,
}

/// A period of time away's id. A browser may send one: checked against the account acted on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TimeAwayId(pub i64);

impl std::fmt::Display for TimeAwayId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// What a customer is asked to do during an event from `start` to `end` (local "14:00"),
/// for the kinds of device it uses. A thermostat is eased toward using less in either season
/// (peak days come in winter too), so the sentence names both directions.
pub fn ask(kinds: &[DeviceKind], start: &str, end: &str) -> String {
    let mut lines: Vec<String> = Vec::new();
    for kind in kinds {
        let line = match kind {
            DeviceKind::Thermostat => format!(
                "From {start} to {end} your thermostat is eased a few degrees: warmer if it is cooling your home, cooler if it is heating it. Cool or warm your home beforehand to stay comfortable."
            ),
            DeviceKind::EvCharger => format!("From {start} to {end} your EV charger pauses. Charge before or after."),
            DeviceKind::Battery => format!("From {start} to {end} your battery powers your home instead of the grid."),
            DeviceKind::SolarInverter => {
                format!("From {start} to {end} your solar inverter sends what it can to the grid.")
            }
        };
        if !lines.contains(&line) {
            lines.push(line);
        }
    }
    lines.join(" ")
}

/// What taking part earns, in a sentence.
pub fn earn(performance: Performance) -> String {
    match performance {
        Performance::PerEvent(rate) => format!("Take part to earn {rate}."),
        Performance::PerKwhReduced(rate) => {
            format!("Earn {rate} for each kWh you use less than usual during the event.")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_is_scheduled_until_it_starts_and_completed_when_it_ends() {
        let span = Span::new(100, 200);
        assert_eq!(EventPhase::at(span, false, 99), EventPhase::Scheduled);
        assert_eq!(EventPhase::at(span, false, 100), EventPhase::Active);
        assert_eq!(EventPhase::at(span, false, 199), EventPhase::Active);
        assert_eq!(EventPhase::at(span, false, 200), EventPhase::Completed);
        assert_eq!(EventPhase::at(span, true, 150), EventPhase::Cancelled);
    }

    #[test]
    fn only_reserved_devices_count_toward_the_target() {
        let mut tally = Tally::default();
        tally.count(DeviceState::Reserved, Capacity(35));
        tally.count(DeviceState::Reserved, Capacity(15));
        tally.count(DeviceState::OptedOut, Capacity(100));
        tally.count(DeviceState::Unavailable, Capacity(100));
        assert_eq!(tally.reserved_capacity, Capacity(50));
        assert_eq!((tally.reserved, tally.opted_out, tally.unavailable), (2, 1, 1));
    }

    #[test]
    fn an_allowance_says_what_is_left() {
        let allowance = OptOutAllowance {
            program: "Smart Thermostat Rewards".into(),
            used: 1,
            allowed: Some(2),
        };
        assert_eq!(
            allowance.sentence(),
            "Smart Thermostat Rewards: 1 of 2 opt-outs left this season."
        );
    }

    #[test]
    fn the_ask_names_each_kind_once_and_the_hours() {
        let text = ask(&[DeviceKind::Thermostat, DeviceKind::Thermostat], "14:00", "18:00");
        assert_eq!(
            text,
            "From 14:00 to 18:00 your thermostat is eased a few degrees: warmer if it is cooling your home, cooler if it is heating it. Cool or warm your home beforehand to stay comfortable."
        );
        assert_eq!(
            earn(Performance::PerEvent(crate::programs::Cents(500))),
            "Take part to earn $5.00."
        );
    }
}
