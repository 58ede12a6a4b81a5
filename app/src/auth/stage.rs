//! Signing in in steps: the password first, then, as the person's sign-in needs, a code from
//! their authenticator app, a password of their own (after a one-time password or a reset by an
//! administrator) and setting up a second factor (staff must have one). Until the last step the
//! session is nobody's: it reaches only the page of its step.

use super::Role;
use serde::{Deserialize, Serialize};

/// Where a session's sign-in stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SessionStage {
    /// Signed in.
    Active,
    /// The password was right; a code from the app (or a recovery code) comes next.
    SecondFactor,
    /// A one-time password was used: the person chooses their own before going on.
    NewPassword,
    /// Staff without a second factor set one up before going on.
    Enroll,
}

impl SessionStage {
    pub fn as_str(self) -> &'static str {
        match self {
            SessionStage::Active => "active",
            SessionStage::SecondFactor => "second_factor",
            SessionStage::NewPassword => "new_password",
            SessionStage::Enroll => "enroll",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [Self::Active, Self::SecondFactor, Self::NewPassword, Self::Enroll]
            .into_iter()
            .find(|stage| stage.as_str() == value)
    }

    /// The page of this step; `None` for an active session.
    pub fn page(self) -> Option<&'static str> {
        match self {
            SessionStage::Active => None,
            SessionStage::SecondFactor => Some(SECOND_FACTOR_PAGE),
            SessionStage::NewPassword => Some(NEW_PASSWORD_PAGE),
            SessionStage::Enroll => Some(ENROLL_PAGE),
        }
    }

    /// The step after the password was accepted, from what the person's sign-in has: the app
    /// code first, then their own password, then (staff only) a second factor to set up.
    pub fn after_password(has_second_factor: bool, must_change_password: bool, role: Role) -> Self {
        if has_second_factor {
            SessionStage::SecondFactor
        } else {
            Self::after_second_factor(false, must_change_password, role)
        }
    }

    /// The step after the second factor (or after the password, with none to check).
    pub fn after_second_factor(
        has_second_factor: bool,
        must_change_password: bool,
        role: Role,
    ) -> Self {
        if must_change_password {
            SessionStage::NewPassword
        } else {
            Self::after_new_password(has_second_factor, role)
        }
    }

    /// The step after choosing a password.
    pub fn after_new_password(has_second_factor: bool, role: Role) -> Self {
        if role != Role::Customer && !has_second_factor {
            SessionStage::Enroll
        } else {
            SessionStage::Active
        }
    }
}

/// `/signin/verify`: the code from the authenticator app.
pub const SECOND_FACTOR_PAGE: &str = "/signin/verify";
/// `/signin/new-password`: a password of one's own.
pub const NEW_PASSWORD_PAGE: &str = "/signin/new-password";
/// `/signin/two-step`: setting up the second factor.
pub const ENROLL_PAGE: &str = "/signin/two-step";
/// `/signin/reset`: choosing a new password from an administrator's one-time link.
pub const RESET_PAGE: &str = "/signin/reset";

/// A sign-in half-way through, as the server's session middleware puts it in the request: who
/// it is for and which step is next. It grants nothing but that step's page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingSignIn {
    pub user_id: super::UserId,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub stage: SessionStage,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_round_trip_through_their_stored_names() {
        for stage in [
            SessionStage::Active,
            SessionStage::SecondFactor,
            SessionStage::NewPassword,
            SessionStage::Enroll,
        ] {
            assert_eq!(SessionStage::parse(stage.as_str()), Some(stage));
        }
        assert_eq!(SessionStage::parse("root"), None);
    }

    #[test]
    fn the_code_comes_first_then_a_new_password_then_setting_up_a_second_factor() {
        use SessionStage::*;
        // A customer without a second factor is signed in by the password alone.
        assert_eq!(SessionStage::after_password(false, false, Role::Customer), Active);
        assert_eq!(SessionStage::after_password(true, true, Role::Customer), SecondFactor);
        assert_eq!(SessionStage::after_second_factor(true, true, Role::Agent), NewPassword);
        assert_eq!(SessionStage::after_second_factor(true, false, Role::Agent), Active);
        // A new staff member with a one-time password: their own password, then the app.
        assert_eq!(SessionStage::after_password(false, true, Role::Admin), NewPassword);
        assert_eq!(SessionStage::after_new_password(false, Role::Admin), Enroll);
        assert_eq!(SessionStage::after_new_password(false, Role::Customer), Active);
        // Staff whose second factor an administrator reset set it up again.
        assert_eq!(SessionStage::after_password(false, false, Role::ProgramManager), Enroll);
    }
}
