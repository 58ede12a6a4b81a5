use crate::contact::{EmailAddress, PhoneNumber};
use crate::error::FieldErrors;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Seed 000: "A customer can add up to 10 additional recipients."
pub const MAX_ADDITIONAL_RECIPIENTS: usize = 10;

/// The database id of a recipient. A browser may send one, so every use is checked against the
/// account the caller may act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RecipientId(pub i64);

/// A recipient's name: what the alerts and the page call them. 1 to 100 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RecipientName(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("Enter a name.")]
    Empty,
    #[error("A name is 100 characters at most.")]
    TooLong,
    #[error("A name cannot contain {}.", crate::text::FORBIDDEN_CHARACTERS)]
    Control,
}

impl RecipientName {
    const MAX_CHARS: usize = 100;

    pub fn parse(input: &str) -> Result<Self, NameError> {
        let text = input.trim();
        if text.is_empty() {
            return Err(NameError::Empty);
        }
        if text.chars().count() > Self::MAX_CHARS {
            return Err(NameError::TooLong);
        }
        if crate::text::has_forbidden_characters(text) {
            return Err(NameError::Control);
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RecipientName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for RecipientName {
    type Error = NameError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<RecipientName> for String {
    fn from(value: RecipientName) -> Self {
        value.0
    }
}

/// Who a recipient is and how to reach them: a name and at least one contact ("Each
/// recipient must have a name and at least one communication type"). Only [`ContactForm::parse`]
/// and deserialization of a valid value make one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ContactDetails {
    pub name: RecipientName,
    pub email: Option<EmailAddress>,
    /// Mobile number for text messages.
    pub sms: Option<PhoneNumber>,
    /// Number for voice calls.
    pub voice: Option<PhoneNumber>,
}

/// The contact form as typed: every field is text, empty when left blank.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactForm {
    pub name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub sms: String,
    #[serde(default)]
    pub voice: String,
}

/// The form-level message when every contact field is blank.
pub const NEEDS_A_CONTACT: &str = "Add at least one way to reach this recipient: an email address, a mobile phone for texts, or a phone for calls.";

impl ContactForm {
    /// Field names, as the form's inputs are named.
    pub const NAME: &'static str = "name";
    pub const EMAIL: &'static str = "email";
    pub const SMS: &'static str = "sms";
    pub const VOICE: &'static str = "voice";
    /// Errors about the form as a whole.
    pub const FORM: &'static str = "form";

    /// The one validation of contact details, run by the browser for instant feedback and by
    /// the server, which never trusts the browser.
    pub fn parse(&self) -> Result<ContactDetails, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = RecipientName::parse(&self.name)
            .map_err(|e| errors.add(Self::NAME, e.to_string()))
            .ok();
        fn optional(text: &str) -> Option<&str> {
            (!text.trim().is_empty()).then_some(text)
        }
        let email = optional(&self.email).and_then(|text| {
            EmailAddress::parse(text).map_err(|e| errors.add(Self::EMAIL, e.to_string())).ok()
        });
        let sms = optional(&self.sms).and_then(|text| {
            PhoneNumber::parse(text).map_err(|e| errors.add(Self::SMS, e.to_string())).ok()
        });
        let voice = optional(&self.voice).and_then(|text| {
            PhoneNumber::parse(text).map_err(|e| errors.add(Self::VOICE, e.to_string())).ok()
        });
        let all_blank = [&self.email, &self.sms, &self.voice].iter().all(|t| t.trim().is_empty());
        if all_blank {
            errors.add(Self::FORM, NEEDS_A_CONTACT);
        }
        match name {
            Some(name) if errors.is_empty() => Ok(ContactDetails { name, email, sms, voice }),
            _ => Err(errors),
        }
    }

    /// The form filled in with a recipient's current details, for "Edit contact info".
    pub fn from_details(details: &ContactDetails) -> Self {
        Self {
            name: details.name.to_string(),
            email: details.email.as_ref().map(ToString::to_string).unwrap_or_default(),
            sms: details.sms.as_ref().map(ToString::to_string).unwrap_or_default(),
            voice: details.voice.as_ref().map(ToString::to_string).unwrap_or_default(),
        }
    }

    /// The form as field name and value pairs: carried back with a refusal of a form posted
    /// without WASM, so the page shows what was typed (see `FieldErrors::typed`).
    pub fn typed(&self) -> Vec<(String, String)> {
        [
            (Self::NAME, &self.name),
            (Self::EMAIL, &self.email),
            (Self::SMS, &self.sms),
            (Self::VOICE, &self.voice),
        ]
        .into_iter()
        .map(|(field, value)| (field.to_owned(), value.clone()))
        .collect()
    }

    /// The form from [`ContactForm::typed`]'s pairs.
    pub fn from_typed(pairs: &[(String, String)]) -> Self {
        let value = |field: &str| crate::error::typed_value(pairs, field);
        Self {
            name: value(Self::NAME),
            email: value(Self::EMAIL),
            sms: value(Self::SMS),
            voice: value(Self::VOICE),
        }
    }
}

/// An account's recipients (`R`: what is known of each): exactly one primary and up to ten more. The primary is its own
/// field, so no code can forget it or hold two.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recipients<R> {
    pub primary: R,
    pub additional: Vec<R>,
}

impl<R> Recipients<R> {
    /// Every recipient, the primary first.
    pub fn iter(&self) -> impl Iterator<Item = &R> {
        std::iter::once(&self.primary).chain(self.additional.iter())
    }

    /// Whether another additional recipient may be added.
    pub fn has_room(&self) -> bool {
        self.additional.len() < MAX_ADDITIONAL_RECIPIENTS
    }

    /// The same recipients with each one mapped.
    pub fn map<T>(&self, mut f: impl FnMut(&R, bool) -> T) -> Recipients<T> {
        Recipients {
            primary: f(&self.primary, true),
            additional: self.additional.iter().map(|r| f(r, false)).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(name: &str, email: &str, sms: &str, voice: &str) -> ContactForm {
        ContactForm { name: name.into(), email: email.into(), sms: sms.into(), voice: voice.into() }
    }

    #[test]
    fn a_refused_form_comes_back_as_it_was_typed() {
        let typed = form("Sam & Co", "not-an-email", "(518) 555", "");
        assert_eq!(ContactForm::from_typed(&typed.typed()), typed);
        assert_eq!(ContactForm::from_typed(&[]), ContactForm::default());
    }

    #[test]
    fn a_name_and_an_email_make_a_contact() {
        let details = form(" Sam Rivera ", "Sam@Example.com", "", "").parse().unwrap();
        assert_eq!(details.name.as_str(), "Sam Rivera");
        assert_eq!(details.email.unwrap().as_str(), "sam@example.com");
        assert_eq!(details.sms, None);
    }

    #[test]
    fn phones_are_normalized() {
        let details = form("Sam", "", "555.234.5678", "+1 (555) 876-5432").parse().unwrap();
        assert_eq!(details.sms.unwrap().as_e164(), "+15552345678");
        assert_eq!(details.voice.unwrap().as_e164(), "+15558765432");
    }

    #[test]
    fn a_recipient_needs_at_least_one_contact() {
        let errors = form("Sam", " ", "", "").parse().unwrap_err();
        assert_eq!(errors.get(ContactForm::FORM), Some(NEEDS_A_CONTACT));
    }

    #[test]
    fn a_recipient_needs_a_name() {
        let errors = form("  ", "sam@example.com", "", "").parse().unwrap_err();
        assert_eq!(errors.get(ContactForm::NAME), Some("Enter a name."));
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let errors = form("", "sam@", "12", "CALL-ME").parse().unwrap_err();
        assert!(errors.get(ContactForm::NAME).is_some());
        assert_eq!(
            errors.get(ContactForm::EMAIL),
            Some("Enter an email address like name@example.com.")
        );
        assert!(errors.get(ContactForm::SMS).is_some());
        assert!(errors.get(ContactForm::VOICE).is_some());
        assert_eq!(errors.get(ContactForm::FORM), None, "the fields were not blank");
    }

    #[test]
    fn names_over_100_characters_or_with_control_characters_are_refused() {
        assert_eq!(RecipientName::parse(&"x".repeat(101)), Err(NameError::TooLong));
        assert!(RecipientName::parse(&"é".repeat(100)).is_ok());
        assert_eq!(RecipientName::parse("Sam\u{0}"), Err(NameError::Control));
        // A zero-width space would make "Sam" and "Sam\u{200B}" two recipients who read alike.
        assert_eq!(RecipientName::parse("Sam\u{200B}"), Err(NameError::Control));
    }

    #[test]
    fn the_edit_form_round_trips_the_details() {
        let details = form("Sam", "sam@example.com", "5552345678", "").parse().unwrap();
        assert_eq!(ContactForm::from_details(&details).parse().unwrap(), details);
    }
}
