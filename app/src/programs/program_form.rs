//! The program manager's program form: every field as typed, and [`ProgramForm::parse`], the one
//! place a [`ProgramDefinition`] is checked (the page shows the same messages the server sends).

use super::model::{
    DeviceKind, Incentives, ParticipationRules, Performance, ProgramDefinition, ProgramKind,
    ProgramStatus,
};
use super::units::{CalendarDate, Capacity, Cents};
use crate::error::FieldErrors;
use serde::{Deserialize, Serialize};

/// The form as posted. A device kind's box posts its kind's name (`thermostat=on`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgramForm {
    pub name: String,
    pub description: String,
    pub kind: String,
    pub status: String,
    pub season_start: String,
    pub season_end: String,
    /// The device kinds ticked.
    pub device_kinds: Vec<DeviceKind>,
    pub min_battery_kwh: String,
    /// Comma-separated; empty for every rate class.
    pub rate_classes: String,
    pub max_events_per_season: String,
    pub max_event_hours: String,
    pub min_notice_hours: String,
    /// Empty or 0 when customers may not opt out ahead of time.
    pub opt_outs_per_season: String,
    pub unavailability_allowed: bool,
    pub enrollment_credit: String,
    /// `per_kwh` or `per_event`.
    pub performance_basis: String,
    pub performance_rate: String,
}

/// The form exactly as the browser posts it: every field as typed, and a ticked box as `on`
/// (an unticked one posts nothing). [`ProgramPost::form`] gathers the boxes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProgramPost {
    pub name: String,
    pub description: String,
    pub kind: String,
    pub status: String,
    pub season_start: String,
    pub season_end: String,
    pub thermostat: Option<String>,
    pub ev_charger: Option<String>,
    pub battery: Option<String>,
    pub solar_inverter: Option<String>,
    pub min_battery_kwh: String,
    pub rate_classes: String,
    pub max_events_per_season: String,
    pub max_event_hours: String,
    pub min_notice_hours: String,
    pub opt_outs_per_season: String,
    pub unavailability_allowed: Option<String>,
    pub enrollment_credit: String,
    pub performance_basis: String,
    pub performance_rate: String,
}

impl ProgramPost {
    pub fn form(self) -> ProgramForm {
        let ticked = [
            (DeviceKind::Thermostat, self.thermostat),
            (DeviceKind::EvCharger, self.ev_charger),
            (DeviceKind::Battery, self.battery),
            (DeviceKind::SolarInverter, self.solar_inverter),
        ];
        ProgramForm {
            name: self.name,
            description: self.description,
            kind: self.kind,
            status: self.status,
            season_start: self.season_start,
            season_end: self.season_end,
            device_kinds: ticked
                .into_iter()
                .filter(|(_, ticked)| ticked.is_some())
                .map(|(kind, _)| kind)
                .collect(),
            min_battery_kwh: self.min_battery_kwh,
            rate_classes: self.rate_classes,
            max_events_per_season: self.max_events_per_season,
            max_event_hours: self.max_event_hours,
            min_notice_hours: self.min_notice_hours,
            opt_outs_per_season: self.opt_outs_per_season,
            unavailability_allowed: self.unavailability_allowed.is_some(),
            enrollment_credit: self.enrollment_credit,
            performance_basis: self.performance_basis,
            performance_rate: self.performance_rate,
        }
    }
}

impl ProgramForm {
    pub const NAME: &'static str = "name";
    pub const DESCRIPTION: &'static str = "description";
    pub const KIND: &'static str = "kind";
    pub const STATUS: &'static str = "status";
    pub const SEASON_START: &'static str = "season_start";
    pub const SEASON_END: &'static str = "season_end";
    pub const DEVICE_KINDS: &'static str = "device_kinds";
    pub const MIN_BATTERY_KWH: &'static str = "min_battery_kwh";
    pub const RATE_CLASSES: &'static str = "rate_classes";
    pub const MAX_EVENTS: &'static str = "max_events_per_season";
    pub const MAX_EVENT_HOURS: &'static str = "max_event_hours";
    pub const MIN_NOTICE_HOURS: &'static str = "min_notice_hours";
    pub const OPT_OUTS: &'static str = "opt_outs_per_season";
    pub const UNAVAILABILITY: &'static str = "unavailability_allowed";
    pub const ENROLLMENT_CREDIT: &'static str = "enrollment_credit";
    pub const PERFORMANCE_BASIS: &'static str = "performance_basis";
    pub const PERFORMANCE_RATE: &'static str = "performance_rate";

    /// The form showing a stored program, for editing.
    pub fn of(definition: &ProgramDefinition) -> Self {
        let rules = &definition.rules;
        let (basis, rate) = match definition.incentives.performance {
            Performance::PerKwhReduced(rate) => ("per_kwh", rate),
            Performance::PerEvent(rate) => ("per_event", rate),
        };
        Self {
            name: definition.name.clone(),
            description: definition.description.clone(),
            kind: definition.kind.as_str().to_owned(),
            status: definition.status.as_str().to_owned(),
            season_start: definition.season_start.iso(),
            season_end: definition.season_end.iso(),
            device_kinds: rules.device_kinds.clone(),
            min_battery_kwh: rules.min_battery_kwh.map(|min| min.to_string()).unwrap_or_default(),
            rate_classes: rules.rate_classes.join(", "),
            max_events_per_season: rules.max_events_per_season.to_string(),
            max_event_hours: rules.max_event_hours.to_string(),
            min_notice_hours: rules.min_notice_hours.to_string(),
            opt_outs_per_season: rules.opt_outs_per_season.unwrap_or(0).to_string(),
            unavailability_allowed: rules.unavailability_allowed,
            enrollment_credit: definition.incentives.enrollment_credit.plain(),
            performance_basis: basis.to_owned(),
            performance_rate: rate.plain(),
        }
    }

    /// The form as field name and value pairs, as it was posted (a ticked device kind as its
    /// name and `on`): carried back with a refusal so the page shows what was typed.
    pub fn typed(&self) -> Vec<(String, String)> {
        let mut pairs: Vec<(String, String)> = [
            (Self::NAME, &self.name),
            (Self::DESCRIPTION, &self.description),
            (Self::KIND, &self.kind),
            (Self::STATUS, &self.status),
            (Self::SEASON_START, &self.season_start),
            (Self::SEASON_END, &self.season_end),
            (Self::MIN_BATTERY_KWH, &self.min_battery_kwh),
            (Self::RATE_CLASSES, &self.rate_classes),
            (Self::MAX_EVENTS, &self.max_events_per_season),
            (Self::MAX_EVENT_HOURS, &self.max_event_hours),
            (Self::MIN_NOTICE_HOURS, &self.min_notice_hours),
            (Self::OPT_OUTS, &self.opt_outs_per_season),
            (Self::ENROLLMENT_CREDIT, &self.enrollment_credit),
            (Self::PERFORMANCE_BASIS, &self.performance_basis),
            (Self::PERFORMANCE_RATE, &self.performance_rate),
        ]
        .into_iter()
        .map(|(field, value)| (field.to_owned(), value.clone()))
        .collect();
        if self.unavailability_allowed {
            pairs.push((Self::UNAVAILABILITY.to_owned(), "on".to_owned()));
        }
        for kind in &self.device_kinds {
            pairs.push((kind.as_str().to_owned(), "on".to_owned()));
        }
        pairs
    }

    /// The form from [`ProgramForm::typed`]'s pairs.
    pub fn from_typed(pairs: &[(String, String)]) -> Self {
        let value = |field: &str| crate::error::typed_value(pairs, field);
        Self {
            name: value(Self::NAME),
            description: value(Self::DESCRIPTION),
            kind: value(Self::KIND),
            status: value(Self::STATUS),
            season_start: value(Self::SEASON_START),
            season_end: value(Self::SEASON_END),
            device_kinds: DeviceKind::ALL
                .into_iter()
                .filter(|kind| !value(kind.as_str()).is_empty())
                .collect(),
            min_battery_kwh: value(Self::MIN_BATTERY_KWH),
            rate_classes: value(Self::RATE_CLASSES),
            max_events_per_season: value(Self::MAX_EVENTS),
            max_event_hours: value(Self::MAX_EVENT_HOURS),
            min_notice_hours: value(Self::MIN_NOTICE_HOURS),
            opt_outs_per_season: value(Self::OPT_OUTS),
            unavailability_allowed: !value(Self::UNAVAILABILITY).is_empty(),
            enrollment_credit: value(Self::ENROLLMENT_CREDIT),
            performance_basis: value(Self::PERFORMANCE_BASIS),
            performance_rate: value(Self::PERFORMANCE_RATE),
        }
    }

    /// Checks every field at once, so the form shows every problem together.
    pub fn parse(&self) -> Result<ProgramDefinition, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = self.name.trim().to_owned();
        if name.is_empty() {
            errors.add(Self::NAME, "Enter the program's name.");
        } else if name.chars().count() > 80 {
            errors.add(Self::NAME, "A program name has at most 80 characters.");
        } else if crate::text::has_forbidden_characters(&name) {
            errors.add(
                Self::NAME,
                format!("A name cannot contain {}.", crate::text::FORBIDDEN_CHARACTERS),
            );
        }
        let description = self.description.trim().to_owned();
        if description.chars().count() > 1000 {
            errors.add(Self::DESCRIPTION, "A description has at most 1,000 characters.");
        } else if crate::text::has_forbidden_characters_in_lines(&description) {
            errors.add(
                Self::DESCRIPTION,
                format!("A description cannot contain {}.", crate::text::FORBIDDEN_CHARACTERS),
            );
        }
        let kind = ProgramKind::parse(&self.kind);
        if kind.is_none() {
            errors.add(Self::KIND, "Choose the kind of program.");
        }
        let status = ProgramStatus::parse(&self.status);
        if status.is_none() {
            errors.add(Self::STATUS, "Choose a status.");
        }
        let date = |errors: &mut FieldErrors, field, value: &str| {
            let date = CalendarDate::parse(value);
            if date.is_none() {
                errors.add(field, "Enter a date as YYYY-MM-DD, such as 2026-06-01.");
            }
            date
        };
        let season_start = date(&mut errors, Self::SEASON_START, &self.season_start);
        let season_end = date(&mut errors, Self::SEASON_END, &self.season_end);
        if let (Some(start), Some(end)) = (season_start, season_end) {
            if end < start {
                errors.add(Self::SEASON_END, "The season ends on or after the day it starts.");
            }
        }
        let mut device_kinds = self.device_kinds.clone();
        device_kinds.sort_unstable();
        device_kinds.dedup();
        if device_kinds.is_empty() {
            errors.add(Self::DEVICE_KINDS, "Choose at least one kind of device.");
        }
        let min_battery_kwh = match self.min_battery_kwh.trim() {
            "" => None,
            _ if !device_kinds.contains(&DeviceKind::Battery) => {
                errors.add(
                    Self::MIN_BATTERY_KWH,
                    "Only a program for batteries has a minimum battery size.",
                );
                None
            }
            text => {
                Capacity::parse(text).map_err(|error| errors.add(Self::MIN_BATTERY_KWH, error)).ok()
            }
        };
        let rate_classes = rate_classes(&self.rate_classes)
            .map_err(|error| errors.add(Self::RATE_CLASSES, error))
            .unwrap_or_default();
        let mut count =
            |field, value: &str, range: std::ops::RangeInclusive<u32>, what: &str| match value
                .trim()
                .parse::<u32>()
            {
                Ok(n) if range.contains(&n) => Some(n),
                _ => {
                    errors.add(
                        field,
                        format!("Enter {what} from {} to {}.", range.start(), range.end()),
                    );
                    None
                }
            };
        let max_events =
            count(Self::MAX_EVENTS, &self.max_events_per_season, 1..=100, "a number of events");
        let max_hours =
            count(Self::MAX_EVENT_HOURS, &self.max_event_hours, 1..=24, "a number of hours");
        let notice =
            count(Self::MIN_NOTICE_HOURS, &self.min_notice_hours, 0..=168, "a number of hours");
        let opt_outs = match self.opt_outs_per_season.trim() {
            "" => Some(0),
            text => count(Self::OPT_OUTS, text, 0..=100, "a number of opt-outs"),
        };
        let enrollment_credit = match self.enrollment_credit.trim() {
            "" => Some(Cents(0)),
            text => {
                Cents::parse(text).map_err(|error| errors.add(Self::ENROLLMENT_CREDIT, error)).ok()
            }
        };
        let rate = Cents::parse(&self.performance_rate)
            .map_err(|error| errors.add(Self::PERFORMANCE_RATE, error))
            .ok();
        let performance = match (self.performance_basis.as_str(), rate) {
            ("per_kwh", Some(rate)) => Some(Performance::PerKwhReduced(rate)),
            ("per_event", Some(rate)) => Some(Performance::PerEvent(rate)),
            ("per_kwh" | "per_event", None) => None,
            _ => {
                errors.add(Self::PERFORMANCE_BASIS, "Choose how events are paid.");
                None
            }
        };
        match (
            kind,
            status,
            season_start,
            season_end,
            max_events,
            max_hours,
            notice,
            opt_outs,
            enrollment_credit,
            performance,
        ) {
            (
                Some(kind),
                Some(status),
                Some(season_start),
                Some(season_end),
                Some(max_events_per_season),
                Some(max_event_hours),
                Some(min_notice_hours),
                Some(opt_outs),
                Some(enrollment_credit),
                Some(performance),
            ) if errors.is_empty() => Ok(ProgramDefinition {
                name,
                description,
                kind,
                status,
                season_start,
                season_end,
                rules: ParticipationRules {
                    device_kinds,
                    min_battery_kwh,
                    rate_classes,
                    max_events_per_season,
                    max_event_hours,
                    min_notice_hours,
                    opt_outs_per_season: (opt_outs > 0).then_some(opt_outs),
                    unavailability_allowed: self.unavailability_allowed,
                },
                incentives: Incentives { enrollment_credit, performance },
            }),
            _ => Err(errors),
        }
    }
}

/// "R-PTR, r-tou" as `["R-PTR", "R-TOU"]`: rate classes are codes, upper case.
fn rate_classes(input: &str) -> Result<Vec<String>, &'static str> {
    let mut classes = Vec::new();
    for class in input.split(',').map(str::trim).filter(|class| !class.is_empty()) {
        let valid = class.len() <= 20
            && class.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !valid {
            return Err("Rate classes are codes such as R-PTR, separated by commas.");
        }
        let class = class.to_ascii_uppercase();
        if !classes.contains(&class) {
            classes.push(class);
        }
    }
    Ok(classes)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn a_posted_form_keeps_the_ticked_boxes_only() {
        let post = ProgramPost {
            name: "Cool Savings".into(),
            thermostat: Some("on".into()),
            battery: Some("on".into()),
            unavailability_allowed: None,
            ..ProgramPost::default()
        };
        let form = post.form();
        assert_eq!(form.name, "Cool Savings");
        assert_eq!(form.device_kinds, [DeviceKind::Thermostat, DeviceKind::Battery]);
        assert!(!form.unavailability_allowed);
    }

    pub(crate) fn thermostat_program() -> ProgramForm {
        ProgramForm {
            name: "Smart Thermostat Rewards".into(),
            description: "Let us nudge your thermostat on peak days.".into(),
            kind: "demand_response".into(),
            status: "active".into(),
            season_start: "2026-06-01".into(),
            season_end: "2026-09-30".into(),
            device_kinds: vec![DeviceKind::Thermostat],
            min_battery_kwh: "".into(),
            rate_classes: "r-ptr, R-TOU".into(),
            max_events_per_season: "15".into(),
            max_event_hours: "4".into(),
            min_notice_hours: "24".into(),
            opt_outs_per_season: "3".into(),
            unavailability_allowed: true,
            enrollment_credit: "$50".into(),
            performance_basis: "per_kwh".into(),
            performance_rate: "1.00".into(),
        }
    }

    #[test]
    fn a_complete_form_becomes_a_program() {
        let program = thermostat_program().parse().unwrap();
        assert_eq!(program.kind, ProgramKind::DemandResponse);
        assert_eq!(program.rules.rate_classes, ["R-PTR", "R-TOU"]);
        assert_eq!(program.rules.opt_outs_per_season, Some(3));
        assert_eq!(program.incentives.enrollment_credit, Cents(5000));
        assert_eq!(program.incentives.performance, Performance::PerKwhReduced(Cents(100)));
        assert_eq!(ProgramForm::of(&program).parse().unwrap(), program, "round trip");
        assert_eq!(
            program.incentive_line(),
            "$50.00 when you enroll, then $1.00 per kWh reduced during events."
        );
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let form = ProgramForm {
            name: " ".into(),
            kind: "utility_owned".into(),
            season_start: "2026-09-30".into(),
            season_end: "2026-06-01".into(),
            device_kinds: vec![],
            min_battery_kwh: "10".into(),
            rate_classes: "R PTR".into(),
            max_events_per_season: "0".into(),
            max_event_hours: "25".into(),
            performance_basis: "per_kwh".into(),
            performance_rate: "1.005".into(),
            ..thermostat_program()
        };
        let errors = form.parse().unwrap_err();
        for field in [
            ProgramForm::NAME,
            ProgramForm::KIND,
            ProgramForm::SEASON_END,
            ProgramForm::DEVICE_KINDS,
            ProgramForm::MIN_BATTERY_KWH,
            ProgramForm::RATE_CLASSES,
            ProgramForm::MAX_EVENTS,
            ProgramForm::MAX_EVENT_HOURS,
            ProgramForm::PERFORMANCE_RATE,
        ] {
            assert!(errors.get(field).is_some(), "{field}: {errors:?}");
        }
        assert_eq!(errors.get(ProgramForm::STATUS), None);
    }

    #[test]
    fn what_was_typed_comes_back_as_it_was() {
        let typed = ProgramForm {
            season_end: "not a date".into(),
            max_event_hours: "99".into(),
            ..thermostat_program()
        };
        assert_eq!(ProgramForm::from_typed(&typed.typed()), typed);
        let none = ProgramForm {
            device_kinds: vec![],
            unavailability_allowed: false,
            ..thermostat_program()
        };
        assert_eq!(ProgramForm::from_typed(&none.typed()), none);
    }

    #[test]
    fn no_opt_outs_means_pre_emptive_opt_out_is_not_allowed() {
        let form = ProgramForm { opt_outs_per_season: "0".into(), ..thermostat_program() };
        assert_eq!(form.parse().unwrap().rules.opt_outs_per_season, None);
        let form = ProgramForm { opt_outs_per_season: "".into(), ..thermostat_program() };
        assert_eq!(form.parse().unwrap().rules.opt_outs_per_season, None);
    }
}
