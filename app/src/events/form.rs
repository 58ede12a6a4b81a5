//! The program manager's "Call an event" form: every field as typed, and
//! [`CallEventForm::parse`], the one place it is checked (the page shows the same messages the
//! server sends). Times are the utility's local time; the server places them in its zone.

use crate::error::FieldErrors;
use crate::programs::{CalendarDate, Capacity};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A time of day, `HH:MM` on a 24-hour clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct LocalTime {
    hour: u8,
    minute: u8,
}

impl LocalTime {
    pub fn new(hour: u8, minute: u8) -> Option<Self> {
        (hour < 24 && minute < 60).then_some(Self { hour, minute })
    }

    /// `14:00`, `9:30`.
    pub fn parse(input: &str) -> Option<Self> {
        let (hour, minute) = input.trim().split_once(':')?;
        let digits = |text: &str| !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
        if !digits(hour) || hour.len() > 2 || minute.len() != 2 || !digits(minute) {
            return None;
        }
        Self::new(hour.parse().ok()?, minute.parse().ok()?)
    }

    pub fn hour(self) -> u8 {
        self.hour
    }

    pub fn minute(self) -> u8 {
        self.minute
    }
}

impl fmt::Display for LocalTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.hour, self.minute)
    }
}

/// A local date and time: `2026-07-15T14:00`, as a `datetime-local` field posts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LocalMoment {
    pub day: CalendarDate,
    pub time: LocalTime,
}

impl LocalMoment {
    pub fn parse(input: &str) -> Option<Self> {
        let (day, time) = input.trim().split_once(['T', ' '])?;
        Some(Self { day: CalendarDate::parse(day)?, time: LocalTime::parse(time)? })
    }
}

impl fmt::Display for LocalMoment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.day, self.time)
    }
}

/// The "Schedule time away" form: from and to, local.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeAwayForm {
    pub start: String,
    pub end: String,
}

impl TimeAwayForm {
    pub const START: &'static str = "start";
    pub const END: &'static str = "end";
    /// The hidden field naming the device the time away is for.
    pub const DEVICE: &'static str = "device";

    /// The form of `device` as field name and value pairs: carried back with a refusal, so
    /// the page shows what was typed, in that device's form alone (every device's form posts
    /// to one server function).
    pub fn typed(&self, device: impl fmt::Display) -> Vec<(String, String)> {
        [
            (Self::START, self.start.clone()),
            (Self::END, self.end.clone()),
            (Self::DEVICE, device.to_string()),
        ]
        .into_iter()
        .map(|(field, value)| (field.to_owned(), value))
        .collect()
    }

    /// The form typed for `device`, from [`TimeAwayForm::typed`]'s pairs; `None` when they
    /// are another device's.
    pub fn typed_for(pairs: &[(String, String)], device: impl fmt::Display) -> Option<Self> {
        let value = |field: &str| crate::error::typed_value(pairs, field);
        (value(Self::DEVICE) == device.to_string())
            .then(|| Self { start: value(Self::START), end: value(Self::END) })
    }

    pub fn parse(&self) -> Result<(LocalMoment, LocalMoment), FieldErrors> {
        let mut errors = FieldErrors::default();
        let moment = |errors: &mut FieldErrors, field: &str, input: &str| {
            let moment = LocalMoment::parse(input);
            if moment.is_none() {
                errors.add(field, "Enter a date and time such as 2026-07-15 14:00.");
            }
            moment
        };
        let start = moment(&mut errors, Self::START, &self.start);
        let end = moment(&mut errors, Self::END, &self.end);
        match (start, end) {
            (Some(start), Some(end)) if end <= start => {
                errors.add(Self::END, "The time away must end after it starts.");
                Err(errors)
            }
            (Some(start), Some(end)) => Ok((start, end)),
            _ => Err(errors),
        }
    }
}

/// The form as posted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CallEventForm {
    pub day: String,
    pub start: String,
    pub end: String,
    pub notice_day: String,
    pub notice_time: String,
    /// The reduction to aim for, kW.
    pub target_kw: String,
    /// Entity groups, separated by commas; empty for all of the program's devices.
    pub groups: String,
}

/// A checked event request, in the utility's local time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRequest {
    pub day: CalendarDate,
    pub start: LocalTime,
    pub end: LocalTime,
    pub notice_day: CalendarDate,
    pub notice_time: LocalTime,
    pub target: Capacity,
    pub groups: Vec<String>,
}

impl CallEventForm {
    pub const DAY: &'static str = "day";
    pub const START: &'static str = "start";
    pub const END: &'static str = "end";
    pub const NOTICE_DAY: &'static str = "notice_day";
    pub const NOTICE_TIME: &'static str = "notice_time";
    pub const TARGET: &'static str = "target_kw";
    pub const GROUPS: &'static str = "groups";

    /// The fields as typed, to carry back to the form with a refusal.
    pub fn typed(&self) -> Vec<(String, String)> {
        [
            (Self::DAY, &self.day),
            (Self::START, &self.start),
            (Self::END, &self.end),
            (Self::NOTICE_DAY, &self.notice_day),
            (Self::NOTICE_TIME, &self.notice_time),
            (Self::TARGET, &self.target_kw),
            (Self::GROUPS, &self.groups),
        ]
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value.clone()))
        .collect()
    }

    /// The form as [`CallEventForm::typed`] carried it back.
    pub fn from_typed(typed: &[(String, String)]) -> Self {
        let get = |field: &str| crate::error::typed_value(typed, field);
        Self {
            day: get(Self::DAY),
            start: get(Self::START),
            end: get(Self::END),
            notice_day: get(Self::NOTICE_DAY),
            notice_time: get(Self::NOTICE_TIME),
            target_kw: get(Self::TARGET),
            groups: get(Self::GROUPS),
        }
    }

    /// The request, or a message for each field that is wrong. An event lies within one day:
    /// it ends after it starts, on the same day.
    pub fn parse(&self) -> Result<EventRequest, FieldErrors> {
        let mut errors = FieldErrors::default();
        let date = |errors: &mut FieldErrors, field: &str, input: &str| {
            let date = CalendarDate::parse(input);
            if date.is_none() {
                errors.add(field, "Enter a date such as 2026-07-15.");
            }
            date
        };
        let time = |errors: &mut FieldErrors, field: &str, input: &str| {
            let time = LocalTime::parse(input);
            if time.is_none() {
                errors.add(field, "Enter a time such as 14:00 (24-hour clock).");
            }
            time
        };
        let day = date(&mut errors, Self::DAY, &self.day);
        let start = time(&mut errors, Self::START, &self.start);
        let end = time(&mut errors, Self::END, &self.end);
        if let (Some(start), Some(end)) = (start, end) {
            if end <= start {
                errors.add(Self::END, "The event must end after it starts, on the same day.");
            }
        }
        let notice_day = date(&mut errors, Self::NOTICE_DAY, &self.notice_day);
        let notice_time = time(&mut errors, Self::NOTICE_TIME, &self.notice_time);
        let target = match Capacity::parse_target(&self.target_kw) {
            Ok(target) => Some(target),
            Err(message) => {
                errors.add(Self::TARGET, message);
                None
            }
        };
        let groups = match entity_groups(&self.groups) {
            Ok(groups) => Some(groups),
            Err(message) => {
                errors.add(Self::GROUPS, message);
                None
            }
        };
        match (day, start, end, notice_day, notice_time, target, groups) {
            (
                Some(day),
                Some(start),
                Some(end),
                Some(notice_day),
                Some(notice_time),
                Some(target),
                Some(groups),
            ) if errors.is_empty() => {
                Ok(EventRequest { day, start, end, notice_day, notice_time, target, groups })
            }
            _ => Err(errors),
        }
    }
}

/// "p1-thermostat-m-r-ptr, p1-battery-l-r-tou" as a list; group names are lower case letters,
/// digits and dashes (see `programs::entity_group`).
fn entity_groups(input: &str) -> Result<Vec<String>, &'static str> {
    let mut groups = Vec::new();
    for group in input.split(',').map(str::trim).filter(|group| !group.is_empty()) {
        let group = group.to_ascii_lowercase();
        let valid = group.len() <= 60
            && group.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !valid {
            return Err(
                "Entity groups are names such as p1-thermostat-m-r-ptr, separated by commas.",
            );
        }
        if !groups.contains(&group) {
            groups.push(group);
        }
    }
    Ok(groups)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_time_away_comes_back_to_its_own_device_alone() {
        let typed =
            TimeAwayForm { start: "2027-03-02T20:00".into(), end: "2027-03-02T08:00".into() };
        let pairs = typed.typed(7);
        assert_eq!(TimeAwayForm::typed_for(&pairs, 7), Some(typed));
        assert_eq!(TimeAwayForm::typed_for(&pairs, 8), None);
        assert_eq!(TimeAwayForm::typed_for(&[], 7), None);
    }

    fn form() -> CallEventForm {
        CallEventForm {
            day: "2026-07-15".into(),
            start: "14:00".into(),
            end: "18:00".into(),
            notice_day: "2026-07-14".into(),
            notice_time: "12:00".into(),
            target_kw: "50".into(),
            groups: "".into(),
        }
    }

    #[test]
    fn a_complete_form_is_a_request_for_every_group() {
        let request = form().parse().unwrap();
        assert_eq!(request.day.iso(), "2026-07-15");
        assert_eq!(
            (request.start.to_string(), request.end.to_string()),
            ("14:00".into(), "18:00".into())
        );
        assert_eq!(request.target, Capacity(500));
        assert!(request.groups.is_empty());
    }

    #[test]
    fn a_target_is_a_program_s_reduction_not_a_home_device_s() {
        let target = |kw: &str| CallEventForm { target_kw: kw.into(), ..form() }.parse();
        // 100,000 thermostats at 1 kW each: a hundred times what one device may have.
        assert_eq!(target("100000").unwrap().target, Capacity(1_000_000));
        assert_eq!(target("10000000").unwrap().target, Capacity::MAX_TARGET);
        let refused =
            |kw: &str| target(kw).unwrap_err().get(CallEventForm::TARGET).map(str::to_owned);
        assert_eq!(
            refused("10000000.1").as_deref(),
            Some("That is more than any program can reduce (10,000,000 kW at most).")
        );
        assert_eq!(refused("0").as_deref(), Some("Enter a target above 0 kW."));
        assert_eq!(
            refused("99999999999").as_deref(),
            Some("That is more than any program can reduce (10,000,000 kW at most).")
        );
        assert_eq!(refused("lots").as_deref(), Some("Enter a number such as 13.5."));
    }

    #[test]
    fn times_are_on_a_24_hour_clock() {
        assert_eq!(LocalTime::parse("9:30"), LocalTime::new(9, 30));
        assert_eq!(LocalTime::parse(" 23:59 "), LocalTime::new(23, 59));
        for wrong in ["24:00", "12:60", "2pm", "12", "12:5", ":30", "-1:00", "1:2x"] {
            assert_eq!(LocalTime::parse(wrong), None, "{wrong}");
        }
    }

    #[test]
    fn each_wrong_field_is_named() {
        let wrong = CallEventForm {
            day: "July 15".into(),
            start: "2pm".into(),
            notice_time: "".into(),
            target_kw: "0".into(),
            groups: "p1 thermostat".into(),
            ..form()
        };
        let errors = wrong.parse().unwrap_err();
        assert_eq!(errors.get(CallEventForm::DAY), Some("Enter a date such as 2026-07-15."));
        assert!(errors.get(CallEventForm::START).unwrap().contains("14:00"));
        assert!(errors.get(CallEventForm::NOTICE_TIME).is_some());
        assert_eq!(errors.get(CallEventForm::TARGET), Some("Enter a target above 0 kW."));
        assert!(errors.get(CallEventForm::GROUPS).unwrap().contains("separated by commas"));
        assert_eq!(errors.get(CallEventForm::END), None, "the end alone is fine");
    }

    #[test]
    fn an_event_ends_after_it_starts_on_its_day() {
        for end in ["14:00", "13:00", "0:30"] {
            let errors = CallEventForm { end: end.into(), ..form() }.parse().unwrap_err();
            assert_eq!(
                errors.get(CallEventForm::END),
                Some("The event must end after it starts, on the same day."),
                "{end}"
            );
        }
    }

    #[test]
    fn groups_are_lower_cased_and_listed_once() {
        let request = CallEventForm {
            groups: "P1-Thermostat-M-R-PTR, p1-thermostat-m-r-ptr,,p2-battery-l-r-tou".into(),
            ..form()
        }
        .parse()
        .unwrap();
        assert_eq!(request.groups, ["p1-thermostat-m-r-ptr", "p2-battery-l-r-tou"]);
    }

    #[test]
    fn time_away_is_two_local_moments_in_order() {
        let form =
            TimeAwayForm { start: "2026-07-15T08:00".into(), end: "2026-07-17 20:30".into() };
        let (start, end) = form.parse().unwrap();
        assert_eq!(
            (start.to_string(), end.to_string()),
            ("July 15, 2026 08:00".into(), "July 17, 2026 20:30".into())
        );
        let backwards =
            TimeAwayForm { start: "2026-07-17T08:00".into(), end: "2026-07-15T08:00".into() };
        assert_eq!(
            backwards.parse().unwrap_err().get(TimeAwayForm::END),
            Some("The time away must end after it starts.")
        );
        let wrong = TimeAwayForm { start: "tomorrow".into(), end: "2026-07-15T25:00".into() };
        let errors = wrong.parse().unwrap_err();
        assert!(
            errors.get(TimeAwayForm::START).is_some() && errors.get(TimeAwayForm::END).is_some()
        );
    }
}
