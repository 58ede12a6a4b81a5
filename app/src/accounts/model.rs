use serde::{Deserialize, Serialize};
use std::fmt;

/// The database id of an account. Never accepted from a customer's browser: a customer's account
/// comes from their session (ASVS 8.2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct AccountId(pub i64);

/// The utility's account number: 6 to 20 digits. People type it with spaces or dashes; those are
/// dropped.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AccountNumber(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AccountNumberError {
    #[error("Enter an account number.")]
    Empty,
    #[error("An account number has only digits (spaces and dashes are fine).")]
    NotDigits,
    #[error("An account number has 6 to 20 digits.")]
    WrongLength,
}

impl AccountNumber {
    pub fn parse(input: &str) -> Result<Self, AccountNumberError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(AccountNumberError::Empty);
        }
        let mut digits = String::with_capacity(trimmed.len());
        for c in trimmed.chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '-' => {}
                _ => return Err(AccountNumberError::NotDigits),
            }
        }
        if !(6..=20).contains(&digits.len()) {
            return Err(AccountNumberError::WrongLength);
        }
        Ok(Self(digits))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AccountNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for AccountNumber {
    type Error = AccountNumberError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<AccountNumber> for String {
    fn from(value: AccountNumber) -> Self {
        value.0
    }
}

/// The fuel a service point delivers. Alerts are computed per fuel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fuel {
    Electric,
    Gas,
}

impl Fuel {
    pub const ALL: [Fuel; 2] = [Fuel::Electric, Fuel::Gas];

    /// The value stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Fuel::Electric => "electric",
            Fuel::Gas => "gas",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|fuel| fuel.as_str() == value)
    }

    pub fn label(self) -> &'static str {
        match self {
            Fuel::Electric => "Electric",
            Fuel::Gas => "Gas",
        }
    }
}

/// The day of the month a service point's bill period starts: 1 to 28, so every month has it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct BillCycleDay(u8);

impl BillCycleDay {
    pub fn new(day: u8) -> Result<Self, String> {
        if (1..=28).contains(&day) {
            Ok(Self(day))
        } else {
            Err(format!("A bill cycle day is from 1 to 28, not {day}."))
        }
    }

    pub fn get(self) -> u8 {
        self.0
    }
}

impl TryFrom<u8> for BillCycleDay {
    type Error = String;
    fn try_from(value: u8) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl From<BillCycleDay> for u8 {
    fn from(value: BillCycleDay) -> Self {
        value.0
    }
}

/// A metered point of delivery behind which devices sit and for which bills are computed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServicePoint {
    pub number: String,
    pub fuel: Fuel,
    pub rate_class: String,
    /// Interval (smart) metering: decides which high-bill comparison applies.
    pub ami: bool,
    pub bill_cycle_day: BillCycleDay,
}

/// What a customer sees first: whose account this is and what it serves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountOverview {
    pub account_number: AccountNumber,
    pub customer_name: String,
    pub service_address: String,
    pub service_points: Vec<ServicePoint>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_numbers_drop_spaces_and_dashes() {
        let number = AccountNumber::parse(" 3000-0123 45 ").unwrap();
        assert_eq!(number.as_str(), "3000012345");
    }

    #[test]
    fn account_numbers_refuse_letters_and_odd_lengths() {
        assert_eq!(AccountNumber::parse(""), Err(AccountNumberError::Empty));
        assert_eq!(AccountNumber::parse("30000A2345"), Err(AccountNumberError::NotDigits));
        assert_eq!(AccountNumber::parse("12345"), Err(AccountNumberError::WrongLength));
        assert_eq!(AccountNumber::parse(&"1".repeat(21)), Err(AccountNumberError::WrongLength));
    }

    #[test]
    fn bill_cycle_day_is_between_1_and_28() {
        assert!(BillCycleDay::new(0).is_err());
        assert_eq!(BillCycleDay::new(3).unwrap().get(), 3);
        assert!(BillCycleDay::new(28).is_ok());
        assert!(BillCycleDay::new(29).is_err());
    }

    #[test]
    fn fuel_round_trips_through_its_stored_name() {
        for fuel in Fuel::ALL {
            assert_eq!(Fuel::parse(fuel.as_str()), Some(fuel));
        }
        assert_eq!(Fuel::parse("steam"), None);
    }
}
