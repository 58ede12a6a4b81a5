use serde::{Deserialize, Serialize};
use std::fmt;

/// An email address that looks real (basic validation that it resembles a real one; it is
/// not proven to exist). ASCII letters are stored lower-case so sign-in and look-ups ignore case.
///
/// The rules are ASCII rules that let any non-ASCII character through (internationalized
/// addresses stay valid): they need no Unicode tables, which keeps the browser bundle small.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EmailAddress(String);

/// Why text is not an email address, in words for the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("Enter an email address.")]
    Empty,
    #[error("Enter an email address like name@example.com.")]
    Malformed,
    #[error("That email address is too long (254 characters at most).")]
    TooLong,
}

impl EmailAddress {
    /// RFC 5321 limits: 64 characters before the `@`, 254 in all.
    const MAX_LEN: usize = 254;
    const MAX_LOCAL_LEN: usize = 64;

    /// Parses what a person typed: surrounding spaces are ignored, case is folded.
    pub fn parse(input: &str) -> Result<Self, EmailError> {
        let text = input.trim();
        if text.is_empty() {
            return Err(EmailError::Empty);
        }
        if text.chars().count() > Self::MAX_LEN {
            return Err(EmailError::TooLong);
        }
        let (local, domain) = text.split_once('@').ok_or(EmailError::Malformed)?;
        let local_ok = !local.is_empty()
            && local.len() <= Self::MAX_LOCAL_LEN
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local.chars().all(|c| is_letter_or_digit(c) || "!#$%&'*+/=?^_`{|}~.-".contains(c));
        if !local_ok || !is_domain(domain) {
            return Err(EmailError::Malformed);
        }
        Ok(Self(text.to_ascii_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A host name with at least two labels and an alphabetic top-level domain of two letters or more.
fn is_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |label: &&str| {
        !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| is_letter_or_digit(c) || c == '-')
    };
    let tld_ok = labels.last().is_some_and(|tld| {
        tld.chars().count() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic() || !c.is_ascii())
    });
    labels.len() >= 2 && labels.iter().all(label_ok) && tld_ok
}

/// ASCII letters and digits, and any non-ASCII character that is not a space or a control.
fn is_letter_or_digit(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || (!c.is_ascii() && !c.is_whitespace() && !crate::text::is_forbidden(c))
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for EmailAddress {
    type Error = EmailError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<EmailAddress> for String {
    fn from(value: EmailAddress) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ordinary_address_is_accepted_and_case_folded() {
        let email = EmailAddress::parse("  Jordan.Rivera@Example.COM ").unwrap();
        assert_eq!(email.as_str(), "jordan.rivera@example.com");
    }

    #[test]
    fn plus_addressing_and_subdomains_are_accepted() {
        assert!(EmailAddress::parse("a+alerts@mail.utility.co.uk").is_ok());
    }

    #[test]
    fn internationalized_addresses_are_accepted() {
        assert!(EmailAddress::parse("josé@correo.example").is_ok());
        assert!(EmailAddress::parse("user@例え.テスト").is_ok());
    }

    #[test]
    fn empty_input_asks_for_an_address() {
        assert_eq!(EmailAddress::parse("   "), Err(EmailError::Empty));
    }

    #[test]
    fn values_that_do_not_resemble_an_address_are_refused() {
        for bad in [
            "jordan",
            "jordan@",
            "@example.com",
            "jordan@example",
            "jordan@@example.com",
            "jor dan@example.com",
            "jordan@exa_mple.com",
            "jordan@-example.com",
            "jordan@example.c",
            "jordan@example.123",
            ".jordan@example.com",
            "jor..dan@example.com",
            "jordan@example..com",
        ] {
            assert_eq!(EmailAddress::parse(bad), Err(EmailError::Malformed), "{bad}");
        }
    }

    #[test]
    fn an_address_over_254_characters_is_refused() {
        let long = format!("{}@{}.com", "a".repeat(64), "b".repeat(190));
        assert_eq!(EmailAddress::parse(&long), Err(EmailError::TooLong));
    }

    #[test]
    fn deserializing_runs_the_same_validation() {
        let bad: Result<EmailAddress, _> = serde_json::from_str("\"not-an-email\"");
        assert!(bad.is_err());
        let good: EmailAddress = serde_json::from_str("\"A@B.org\"").unwrap();
        assert_eq!(good.as_str(), "a@b.org");
    }
}
