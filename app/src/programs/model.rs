//! Programs as program managers define them: demand response (DR) and
//! distributed-energy bring-your-own-device (DER BYOD), with their participation rules and
//! incentives. Utility-owned devices are out of scope, as in the seed.

use super::units::{CalendarDate, Capacity, Cents};
use serde::{Deserialize, Serialize};

/// What a program asks of its devices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProgramKind {
    /// The utility curtails load (thermostats, EV chargers) during events.
    DemandResponse,
    /// The customer's own resources (batteries, inverters, chargers) are dispatched.
    DerByod,
}

impl ProgramKind {
    pub const ALL: [ProgramKind; 2] = [ProgramKind::DemandResponse, ProgramKind::DerByod];

    pub fn as_str(self) -> &'static str {
        match self {
            ProgramKind::DemandResponse => "demand_response",
            ProgramKind::DerByod => "der_byod",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == value)
    }

    pub fn label(self) -> &'static str {
        match self {
            ProgramKind::DemandResponse => "Demand response",
            ProgramKind::DerByod => "Bring your own device (DER)",
        }
    }
}

/// Where a program is in its life: customers see only active ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProgramStatus {
    Draft,
    Active,
    Retired,
}

impl ProgramStatus {
    pub const ALL: [ProgramStatus; 3] =
        [ProgramStatus::Draft, ProgramStatus::Active, ProgramStatus::Retired];

    pub fn as_str(self) -> &'static str {
        match self {
            ProgramStatus::Draft => "draft",
            ProgramStatus::Active => "active",
            ProgramStatus::Retired => "retired",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == value)
    }

    pub fn label(self) -> &'static str {
        match self {
            ProgramStatus::Draft => "Draft",
            ProgramStatus::Active => "Active",
            ProgramStatus::Retired => "Retired",
        }
    }
}

/// The controllable devices customers bring.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceKind {
    Thermostat,
    EvCharger,
    Battery,
    SolarInverter,
}

impl DeviceKind {
    pub const ALL: [DeviceKind; 4] = [
        DeviceKind::Thermostat,
        DeviceKind::EvCharger,
        DeviceKind::Battery,
        DeviceKind::SolarInverter,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DeviceKind::Thermostat => "thermostat",
            DeviceKind::EvCharger => "ev_charger",
            DeviceKind::Battery => "battery",
            DeviceKind::SolarInverter => "solar_inverter",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == value)
    }

    pub fn label(self) -> &'static str {
        match self {
            DeviceKind::Thermostat => "Smart thermostat",
            DeviceKind::EvCharger => "EV charger",
            DeviceKind::Battery => "Home battery",
            DeviceKind::SolarInverter => "Solar inverter",
        }
    }

    /// The kind inside a sentence: "EV charger", "home battery".
    pub fn noun(self) -> &'static str {
        match self {
            DeviceKind::Thermostat => "smart thermostat",
            DeviceKind::EvCharger => "EV charger",
            DeviceKind::Battery => "home battery",
            DeviceKind::SolarInverter => "solar inverter",
        }
    }

    /// What a device's capacity measures: stored energy for a battery, power for the rest
    /// (a thermostat's is the controllable air-conditioning load).
    pub fn capacity_unit(self) -> &'static str {
        match self {
            DeviceKind::Battery => "kWh",
            _ => "kW",
        }
    }
}

/// Who may join a program and how much it may ask of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParticipationRules {
    /// Device kinds the program controls; at least one.
    pub device_kinds: Vec<DeviceKind>,
    /// The smallest battery accepted, if batteries are.
    pub min_battery_kwh: Option<Capacity>,
    /// Rate classes whose customers may join; empty for every rate class.
    pub rate_classes: Vec<String>,
    pub max_events_per_season: u32,
    pub max_event_hours: u32,
    pub min_notice_hours: u32,
    /// How many events a customer may opt out of ahead of time each season; `None` when
    /// pre-emptive opt-out is not allowed.
    pub opt_outs_per_season: Option<u32>,
    /// Whether customers may schedule time away (no events for their devices).
    pub unavailability_allowed: bool,
}

/// What a customer earns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Incentives {
    /// Paid once, when the enrollment is confirmed.
    pub enrollment_credit: Cents,
    pub performance: Performance,
}

/// The pay for taking part in events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "basis", content = "rate")]
pub enum Performance {
    PerKwhReduced(Cents),
    PerEvent(Cents),
}

impl Performance {
    pub fn describe(self) -> String {
        match self {
            Performance::PerKwhReduced(rate) => format!("{rate} per kWh reduced during events"),
            Performance::PerEvent(rate) => format!("{rate} per event you take part in"),
        }
    }
}

/// A program's definition: what program managers edit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgramDefinition {
    pub name: String,
    pub description: String,
    pub kind: ProgramKind,
    pub status: ProgramStatus,
    pub season_start: CalendarDate,
    pub season_end: CalendarDate,
    pub rules: ParticipationRules,
    pub incentives: Incentives,
}

/// Declares an id type: the database id of one kind of row, never to be passed where another
/// kind's is wanted. Serialized as the bare number.
macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

id_type!(
    /// A program's id.
    ProgramId
);
id_type!(
    /// A device's id. A browser may send one: every use is checked against the account acted on.
    DeviceId
);
id_type!(
    /// An enrollment's id. A browser may send one: checked as device ids are.
    EnrollmentId
);

/// A stored program.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Program {
    pub id: ProgramId,
    pub definition: ProgramDefinition,
}

impl Program {
    /// The short code entity groups start with (see `entity_group`).
    pub fn code(&self) -> String {
        format!("p{}", self.id)
    }
}

impl ProgramDefinition {
    /// The rules in sentences, for the pages customers and agents read.
    pub fn rule_lines(&self) -> Vec<String> {
        let rules = &self.rules;
        let kinds: Vec<&str> = rules.device_kinds.iter().map(|kind| kind.label()).collect();
        let mut lines = vec![format!("Devices: {}.", kinds.join(", "))];
        if let Some(min) = rules.min_battery_kwh {
            lines.push(format!("Batteries of at least {min} kWh."));
        }
        if !rules.rate_classes.is_empty() {
            lines.push(format!("Rate classes: {}.", rules.rate_classes.join(", ")));
        }
        lines.push(format!("Season: {} to {}.", self.season_start, self.season_end));
        lines.push(format!(
            "At most {} events a season, none longer than {} hours, announced at least {} hours ahead.",
            rules.max_events_per_season, rules.max_event_hours, rules.min_notice_hours
        ));
        lines.push(match rules.opt_outs_per_season {
            Some(0) | None => "You cannot opt out of an event ahead of time.".to_owned(),
            Some(n) => format!("You may opt out of up to {n} events a season ahead of time."),
        });
        if rules.unavailability_allowed {
            lines.push(
                "You may schedule time away, when no event will use your devices.".to_owned(),
            );
        }
        lines
    }

    /// The incentives in one sentence.
    pub fn incentive_line(&self) -> String {
        let performance = self.incentives.performance.describe();
        if self.incentives.enrollment_credit.0 > 0 {
            format!("{} when you enroll, then {performance}.", self.incentives.enrollment_credit)
        } else {
            format!("{}.", crate::text::capitalized(&performance))
        }
    }
}
