//! Small exact quantities the program rules use: calendar dates, device capacity in tenths and
//! money in cents. Exact, so a rule compares what the person typed, never a rounded float.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A day in the utility's calendar. Stored and posted as `YYYY-MM-DD` (what `<input type=date>`
/// sends); ordered by date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CalendarDate {
    year: u16,
    month: u8,
    day: u8,
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

impl CalendarDate {
    pub fn new(year: u16, month: u8, day: u8) -> Option<Self> {
        let leap =
            year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
        let days = match month {
            2 if leap => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            1..=12 => 31,
            _ => return None,
        };
        (1..=days).contains(&day).then_some(Self { year, month, day })
    }

    /// `YYYY-MM-DD`.
    pub fn parse(input: &str) -> Option<Self> {
        let mut parts = input.trim().splitn(3, '-');
        let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
        if year.len() != 4 || month.len() != 2 || day.len() != 2 {
            return None;
        }
        Self::new(year.parse().ok()?, month.parse().ok()?, day.parse().ok()?)
    }

    /// Year, month (1 to 12) and day.
    pub fn parts(self) -> (u16, u8, u8) {
        (self.year, self.month, self.day)
    }

    pub fn iso(self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// "June 1, 2026".
impl fmt::Display for CalendarDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}, {}", MONTHS[usize::from(self.month - 1)], self.day, self.year)
    }
}

impl TryFrom<String> for CalendarDate {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value).ok_or_else(|| format!("not a date: {value:?}"))
    }
}

impl From<CalendarDate> for String {
    fn from(value: CalendarDate) -> Self {
        value.iso()
    }
}

/// A device's capacity (kW, or kWh for a battery) in tenths: "13.5" is 135.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
pub struct Capacity(pub u32);

impl Capacity {
    /// The largest capacity a home device may have: 1,000 kW(h) is an industrial plant.
    pub const MAX: Capacity = Capacity(10_000);
    /// The largest reduction an event may aim for: 10,000,000 kW (10 GW), above any utility's
    /// whole peak. A program of 100,000 thermostats aims for tens of thousands of kW.
    pub const MAX_TARGET: Capacity = Capacity(100_000_000);

    /// A device's capacity: a positive number with at most one decimal, up to [`Capacity::MAX`].
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        Self::parse_up_to(
            input,
            Self::MAX,
            "Enter a capacity above 0.",
            "That is more than a home device can have (1,000 at most).",
        )
    }

    /// An event's target reduction, kW, up to [`Capacity::MAX_TARGET`].
    pub fn parse_target(input: &str) -> Result<Self, &'static str> {
        Self::parse_up_to(
            input,
            Self::MAX_TARGET,
            "Enter a target above 0 kW.",
            "That is more than any program can reduce (10,000,000 kW at most).",
        )
    }

    fn parse_up_to(
        input: &str,
        max: Capacity,
        zero: &'static str,
        too_much: &'static str,
    ) -> Result<Self, &'static str> {
        let input = input.trim();
        let Some(tenths) = decimal(input, 1) else {
            return Err(match Unreadable::of(input, 1) {
                Unreadable::Negative => zero,
                // A number too long to read is too large, not "not a number".
                Unreadable::TooLong => too_much,
                Unreadable::TooPrecise => "Use at most one decimal, such as 13.5.",
                Unreadable::NotANumber => "Enter a number such as 13.5.",
            });
        };
        if tenths == 0 {
            return Err(zero);
        }
        if tenths > u64::from(max.0) {
            return Err(too_much);
        }
        Ok(Self(tenths as u32))
    }
}

impl fmt::Display for Capacity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 % 10 {
            0 => write!(f, "{}", self.0 / 10),
            tenth => write!(f, "{}.{tenth}", self.0 / 10),
        }
    }
}

/// Money in cents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Cents(pub u32);

impl Cents {
    /// `$1.25`, `1.25`, `1` or `0.05`: dollars with at most two decimals, up to $10,000.
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let input = input.trim();
        let input = input.strip_prefix('$').unwrap_or(input).replace(',', "");
        let cents = decimal(&input, 2).ok_or(match Unreadable::of(&input, 2) {
            Unreadable::Negative => "Enter an amount of $0 or more.",
            Unreadable::TooLong => "An amount is at most $10,000.",
            Unreadable::TooPrecise => "Use whole cents: at most two decimals, such as 1.25.",
            Unreadable::NotANumber => "Enter an amount such as 1.25.",
        })?;
        if cents > 1_000_000 {
            return Err("An amount is at most $10,000.");
        }
        Ok(Self(cents as u32))
    }

    /// As a form shows it for editing: `1.25`.
    pub fn plain(self) -> String {
        format!("{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

/// "$1.25".
impl fmt::Display for Cents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "${}", self.plain())
    }
}

/// Why [`decimal`] could not read a number, so the message names what to change: "-3" and
/// "13.55" are numbers, just not ones the field takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unreadable {
    Negative,
    TooLong,
    TooPrecise,
    NotANumber,
}

impl Unreadable {
    fn of(input: &str, places: usize) -> Self {
        let unsigned = input.strip_prefix('-');
        let body = unsigned.unwrap_or(input);
        let (whole, fraction) = body.split_once('.').unwrap_or((body, ""));
        let digits = |text: &str| text.bytes().all(|b| b.is_ascii_digit());
        let number =
            !(whole.is_empty() && fraction.is_empty()) && digits(whole) && digits(fraction);
        match () {
            _ if !number => Self::NotANumber,
            _ if unsigned.is_some() => Self::Negative,
            _ if whole.len() > 9 => Self::TooLong,
            _ if fraction.len() > places => Self::TooPrecise,
            _ => Self::NotANumber,
        }
    }
}

/// A non-negative decimal with at most `places` decimals, as an integer of that many places.
fn decimal(input: &str, places: u32) -> Option<u64> {
    let (whole, fraction) = input.split_once('.').unwrap_or((input, ""));
    let digits = |text: &str| text.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() && fraction.is_empty()
        || !digits(whole)
        || !digits(fraction)
        || fraction.len() > places as usize
        || whole.len() > 9
    {
        return None;
    }
    let whole: u64 = if whole.is_empty() { 0 } else { whole.parse().ok()? };
    let mut fraction_value: u64 = if fraction.is_empty() { 0 } else { fraction.parse().ok()? };
    for _ in fraction.len()..places as usize {
        fraction_value *= 10;
    }
    Some(whole * 10u64.pow(places) + fraction_value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_iso_and_refuse_days_that_do_not_exist() {
        let date = CalendarDate::parse("2026-06-01").unwrap();
        assert_eq!(date.iso(), "2026-06-01");
        assert_eq!(date.to_string(), "June 1, 2026");
        assert!(CalendarDate::parse("2026-02-29").is_none());
        assert!(CalendarDate::parse("2028-02-29").is_some());
        assert!(CalendarDate::parse("2026-13-01").is_none());
        assert!(CalendarDate::parse("06/01/2026").is_none());
        assert!(CalendarDate::parse("2026-6-1").is_none());
        assert!(
            CalendarDate::parse("2026-06-01").unwrap() < CalendarDate::parse("2026-09-30").unwrap()
        );
    }

    #[test]
    fn capacity_keeps_one_decimal_exactly() {
        assert_eq!(Capacity::parse("13.5"), Ok(Capacity(135)));
        assert_eq!(Capacity::parse(" 7 "), Ok(Capacity(70)));
        assert_eq!(Capacity::parse(".5"), Ok(Capacity(5)));
        assert_eq!(Capacity(135).to_string(), "13.5");
        assert_eq!(Capacity(70).to_string(), "7");
        assert_eq!(Capacity::parse("13.55"), Err("Use at most one decimal, such as 13.5."));
        assert_eq!(Capacity::parse("0"), Err("Enter a capacity above 0."));
        assert_eq!(Capacity::parse("-3"), Err("Enter a capacity above 0."));
        assert_eq!(Capacity::parse("-0.5"), Err("Enter a capacity above 0."));
        assert_eq!(Capacity::parse("abc"), Err("Enter a number such as 13.5."));
        assert_eq!(Capacity::parse("-"), Err("Enter a number such as 13.5."));
        assert_eq!(Capacity::parse("1e3"), Err("Enter a number such as 13.5."));
        assert_eq!(Capacity::parse_target("-5"), Err("Enter a target above 0 kW."));
        assert_eq!(Capacity::parse_target("0.0001"), Err("Use at most one decimal, such as 13.5."));
        assert!(Capacity::parse("1000.1").is_err());
        assert_eq!(
            Capacity::parse("99999999999"),
            Err("That is more than a home device can have (1,000 at most).")
        );
    }

    #[test]
    fn money_reads_dollars_and_keeps_cents() {
        assert_eq!(Cents::parse("$1.00"), Ok(Cents(100)));
        assert_eq!(Cents::parse("1.5"), Ok(Cents(150)));
        assert_eq!(Cents::parse("0.05"), Ok(Cents(5)));
        assert_eq!(Cents::parse("$1,000"), Ok(Cents(100_000)));
        assert_eq!(Cents(256).to_string(), "$2.56");
        assert_eq!(Cents(5).plain(), "0.05");
        assert_eq!(
            Cents::parse("1.005"),
            Err("Use whole cents: at most two decimals, such as 1.25.")
        );
        assert_eq!(Cents::parse("-1"), Err("Enter an amount of $0 or more."));
        assert_eq!(Cents::parse("lots"), Err("Enter an amount such as 1.25."));
        assert!(Cents::parse("").is_err());
        assert!(Cents::parse("20000").is_err());
    }
}
