//! What a new password must be (ASVS 6.2): long enough for the role, not absurdly long, and,
//! checked on the server only (the dictionaries stay out of the WASM), not a common or easily
//! guessed password.

use super::credentials::PASSWORD_MAX_LEN;
use crate::error::FieldErrors;
use serde::{Deserialize, Serialize};

/// Customers' passwords have at least this many characters.
pub const CUSTOMER_PASSWORD_MIN_LEN: usize = 8;
/// Staff passwords, which reach every account, at least this many.
pub const STAFF_PASSWORD_MIN_LEN: usize = 12;

/// Whose password it is: the rule differs by reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PasswordOwner {
    Customer,
    Staff,
}

impl PasswordOwner {
    pub fn min_len(self) -> usize {
        match self {
            PasswordOwner::Customer => CUSTOMER_PASSWORD_MIN_LEN,
            PasswordOwner::Staff => STAFF_PASSWORD_MIN_LEN,
        }
    }
}

/// The length rule, the part the browser checks too. `None` when it holds.
pub fn length_problem(password: &str, owner: PasswordOwner) -> Option<String> {
    let length = password.chars().count();
    if length < owner.min_len() {
        Some(format!("Use at least {} characters.", owner.min_len()))
    } else if password.len() > PASSWORD_MAX_LEN {
        Some(format!("Use at most {PASSWORD_MAX_LEN} characters."))
    } else {
        None
    }
}

/// The strength rule, on the server: a password an attacker would try early (a common
/// password, a word with digits, the person's own email or name) is refused with a hint.
#[cfg(feature = "ssr")]
pub fn strength_problem(password: &str, personal: &[&str]) -> Option<String> {
    let estimate = zxcvbn::zxcvbn(password, personal);
    if estimate.score() as u8 >= 3 {
        return None;
    }
    let hint = estimate
        .feedback()
        .and_then(|feedback| feedback.warning().map(|warning| warning.to_string()))
        .unwrap_or_else(|| "It would be guessed too easily.".to_owned());
    Some(format!(
        "Choose a password that is harder to guess. {hint} A few unrelated words make a strong one."
    ))
}

/// A new password typed twice, as a form posts it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewPasswordForm {
    pub password: String,
    pub confirm: String,
}

impl NewPasswordForm {
    pub const PASSWORD: &'static str = "password";
    pub const CONFIRM: &'static str = "confirm";

    /// The browser's and the server's shared check: length, and the two entries equal.
    pub fn check(&self, owner: PasswordOwner) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::default();
        if let Some(problem) = length_problem(&self.password, owner) {
            errors.add(Self::PASSWORD, problem);
        }
        if self.confirm != self.password {
            errors.add(Self::CONFIRM, "The two passwords are not the same.");
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// [`NewPasswordForm::check`] and, on the server, the strength rule.
    #[cfg(feature = "ssr")]
    pub fn check_on_server(
        &self,
        owner: PasswordOwner,
        personal: &[&str],
    ) -> Result<(), FieldErrors> {
        self.check(owner)?;
        match strength_problem(&self.password, personal) {
            Some(problem) => {
                let mut errors = FieldErrors::default();
                errors.add(Self::PASSWORD, problem);
                Err(errors)
            }
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(password: &str) -> NewPasswordForm {
        NewPasswordForm { password: password.into(), confirm: password.into() }
    }

    #[test]
    fn customers_need_eight_characters_and_staff_twelve() {
        assert!(form("seven77").check(PasswordOwner::Customer).is_err());
        assert!(form("eight888").check(PasswordOwner::Customer).is_ok());
        let errors = form("eleven-1111").check(PasswordOwner::Staff).unwrap_err();
        assert_eq!(errors.get(NewPasswordForm::PASSWORD), Some("Use at least 12 characters."));
        assert!(form("twelve-12121").check(PasswordOwner::Staff).is_ok());
    }

    #[test]
    fn the_two_entries_must_match() {
        let form =
            NewPasswordForm { password: "maple syrup harbor".into(), confirm: "maple".into() };
        let errors = form.check(PasswordOwner::Customer).unwrap_err();
        assert_eq!(
            errors.get(NewPasswordForm::CONFIRM),
            Some("The two passwords are not the same.")
        );
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn common_and_personal_passwords_are_refused_and_unrelated_words_pass() {
        for weak in ["password123", "qwertyuiop", "iloveyou2026", "peakday-demo"] {
            assert!(
                form(weak).check_on_server(PasswordOwner::Customer, &["peakday", "demo"]).is_err(),
                "{weak}"
            );
        }
        for personal in ["jordanrivera", "Rivera2026!"] {
            assert!(
                form(personal)
                    .check_on_server(PasswordOwner::Customer, &["jordan", "rivera"])
                    .is_err(),
                "{personal}"
            );
        }
        assert!(form("copper kettle orbit lantern")
            .check_on_server(PasswordOwner::Staff, &[])
            .is_ok());
    }
}
