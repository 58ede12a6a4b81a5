use serde::{Deserialize, Serialize};
use std::fmt;

/// A phone number that looks real (basic validation that it resembles a real one; it is
/// not proven to exist), held in E.164 form (`+15552345678`).
///
/// People type North American numbers in any layout: `555-234-5678`, `(555) 234 5678`,
/// `1.555.234.5678`; those become `+1…`. Numbers elsewhere are written with their `+` and
/// country code. The rules are table-free (no libphonenumber metadata), which keeps the browser
/// bundle small; the same parser runs in the browser and on the server.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PhoneNumber(String);

/// Why text is not a phone number, in words for the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("Enter a phone number.")]
    Empty,
    #[error("A phone number has only digits, spaces, dashes, dots, brackets and a leading +.")]
    BadCharacters,
    #[error("Enter a 10-digit number like (555) 234-5678, or + and the country code.")]
    WrongLength,
    #[error(
        "That is not a valid North American number: area code and exchange start with 2 to 9."
    )]
    NotNanp,
}

impl PhoneNumber {
    /// E.164 allows 15 digits after the `+`; 8 is the shortest number in common use.
    const INTERNATIONAL_DIGITS: std::ops::RangeInclusive<usize> = 8..=15;

    /// Parses what a person typed.
    pub fn parse(input: &str) -> Result<Self, PhoneError> {
        let text = input.trim();
        if text.is_empty() {
            return Err(PhoneError::Empty);
        }
        let (international, rest) = match text.strip_prefix('+') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let mut digits = String::with_capacity(rest.len());
        for c in rest.chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '-' | '.' | '(' | ')' => {}
                _ => return Err(PhoneError::BadCharacters),
            }
        }
        let national = match (international, digits.len()) {
            (false, 10) => digits.as_str(),
            (false, 11) if digits.starts_with('1') => &digits[1..],
            (false, _) => return Err(PhoneError::WrongLength),
            (true, _) if digits.starts_with('1') => {
                if digits.len() != 11 {
                    return Err(PhoneError::WrongLength);
                }
                &digits[1..]
            }
            (true, n) if Self::INTERNATIONAL_DIGITS.contains(&n) && !digits.starts_with('0') => {
                return Ok(Self(format!("+{digits}")));
            }
            (true, _) => return Err(PhoneError::WrongLength),
        };
        if !is_nanp(national) {
            return Err(PhoneError::NotNanp);
        }
        Ok(Self(format!("+1{national}")))
    }

    /// The stored form: `+` and digits.
    pub fn as_e164(&self) -> &str {
        &self.0
    }

    /// Whether this is a North American (+1) number.
    pub fn is_nanp(&self) -> bool {
        self.0.starts_with("+1")
    }
}

/// A North American number (10 digits, NXX-NXX-XXXX): area code and exchange start with 2 to 9,
/// and the area code is not a service code like 911.
fn is_nanp(national: &str) -> bool {
    let bytes = national.as_bytes();
    let starts_2_to_9 = |b: u8| (b'2'..=b'9').contains(&b);
    bytes.len() == 10
        && starts_2_to_9(bytes[0])
        && !(bytes[1] == b'1' && bytes[2] == b'1')
        && starts_2_to_9(bytes[3])
}

/// North American numbers read `(555) 234-5678`; others keep their E.164 form.
impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.strip_prefix("+1") {
            Some(n) => write!(f, "({}) {}-{}", &n[..3], &n[3..6], &n[6..]),
            None => f.write_str(&self.0),
        }
    }
}

impl TryFrom<String> for PhoneNumber {
    type Error = PhoneError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<PhoneNumber> for String {
    fn from(value: PhoneNumber) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn north_american_numbers_in_any_layout_become_e164() {
        for typed in [
            "555-234-5678",
            "(555) 234-5678",
            "555.234.5678",
            "5552345678",
            "1 555 234 5678",
            "+1 (555) 234-5678",
            "  555 234 5678 ",
        ] {
            assert_eq!(PhoneNumber::parse(typed).unwrap().as_e164(), "+15552345678", "{typed}");
        }
    }

    #[test]
    fn north_american_numbers_are_shown_formatted() {
        assert_eq!(PhoneNumber::parse("5552345678").unwrap().to_string(), "(555) 234-5678");
    }

    #[test]
    fn international_numbers_keep_their_country_code() {
        let number = PhoneNumber::parse("+44 20 7946 0958").unwrap();
        assert_eq!(number.as_e164(), "+442079460958");
        assert_eq!(number.to_string(), "+442079460958");
        assert!(!number.is_nanp());
    }

    #[test]
    fn wrong_lengths_are_refused() {
        for bad in ["555-2345", "55523456789", "+1 555 234 567", "+12345", "+1234567890123456"] {
            assert_eq!(PhoneNumber::parse(bad), Err(PhoneError::WrongLength), "{bad}");
        }
    }

    #[test]
    fn letters_and_symbols_are_refused() {
        for bad in ["555-CALL-NOW", "555/234/5678", "555 234 5678 x12"] {
            assert_eq!(PhoneNumber::parse(bad), Err(PhoneError::BadCharacters), "{bad}");
        }
    }

    #[test]
    fn area_codes_and_exchanges_follow_the_north_american_plan() {
        for bad in ["155-234-5678", "055-234-5678", "555-134-5678", "911-234-5678"] {
            assert_eq!(PhoneNumber::parse(bad), Err(PhoneError::NotNanp), "{bad}");
        }
    }

    #[test]
    fn empty_input_asks_for_a_number() {
        assert_eq!(PhoneNumber::parse("  "), Err(PhoneError::Empty));
    }

    #[test]
    fn deserializing_runs_the_same_validation() {
        assert!(serde_json::from_str::<PhoneNumber>("\"12\"").is_err());
        let number: PhoneNumber = serde_json::from_str("\"(555) 234-5678\"").unwrap();
        assert_eq!(number.as_e164(), "+15552345678");
    }
}
