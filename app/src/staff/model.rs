use crate::auth::{Role, StaffRole, PASSWORD_MAX_LEN};
use crate::contact::EmailAddress;
use crate::error::FieldErrors;
use serde::{Deserialize, Serialize};

/// A staff user as administrators see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffMember {
    pub id: crate::auth::UserId,
    pub display_name: String,
    pub email: String,
    pub role: Role,
    pub disabled: bool,
}

impl StaffRole {
    pub const ALL: [StaffRole; 3] = [StaffRole::Agent, StaffRole::ProgramManager, StaffRole::Admin];

    /// The role as forms post it and the database stores it.
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|role| Role::from(*role).as_str() == value)
    }
}

/// Shortest password an administrator may give a new staff member: the staff rule of
/// `auth::password_policy`, one rule for every staff password.
pub use crate::auth::STAFF_PASSWORD_MIN_LEN;

/// A new staff member, as the administrator's form gives it; [`NewStaffForm::parse`] is the
/// only way to a [`NewStaff`].
#[derive(Debug, Clone, Default)]
pub struct NewStaffForm {
    pub name: String,
    pub email: String,
    pub role: String,
    pub password: String,
}

/// A valid new staff member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewStaff {
    pub display_name: String,
    pub email: EmailAddress,
    pub role: StaffRole,
    pub password: String,
}

impl NewStaffForm {
    pub const NAME: &'static str = "name";
    pub const EMAIL: &'static str = "email";
    pub const ROLE: &'static str = "role";
    pub const PASSWORD: &'static str = "password";

    /// What was typed, carried back with a refusal of a plain post: never the password.
    pub fn typed(&self) -> Vec<(String, String)> {
        [(Self::NAME, &self.name), (Self::EMAIL, &self.email), (Self::ROLE, &self.role)]
            .into_iter()
            .map(|(field, value)| (field.to_owned(), value.clone()))
            .collect()
    }

    /// Checks every field at once, so the form shows every problem together.
    pub fn parse(&self) -> Result<NewStaff, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = self.name.trim();
        if name.is_empty() {
            errors.add(Self::NAME, "Enter the staff member's name.");
        } else if name.chars().count() > 100 {
            errors.add(Self::NAME, "A name has at most 100 characters.");
        } else if crate::text::has_forbidden_characters(name) {
            errors.add(
                Self::NAME,
                format!("A name cannot contain {}.", crate::text::FORBIDDEN_CHARACTERS),
            );
        }
        let email = EmailAddress::parse(&self.email)
            .map_err(|error| errors.add(Self::EMAIL, error.to_string()))
            .ok();
        let role = StaffRole::parse(&self.role);
        if role.is_none() {
            errors.add(Self::ROLE, "Choose a role.");
        }
        let length = self.password.chars().count();
        if length < STAFF_PASSWORD_MIN_LEN {
            errors.add(
                Self::PASSWORD,
                format!("A password has at least {STAFF_PASSWORD_MIN_LEN} characters."),
            );
        } else if self.password.len() > PASSWORD_MAX_LEN {
            errors.add(Self::PASSWORD, "That password is too long.");
        }
        match (email, role) {
            (Some(email), Some(role)) if errors.is_empty() => Ok(NewStaff {
                display_name: name.to_owned(),
                email,
                role,
                password: self.password.clone(),
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> NewStaffForm {
        NewStaffForm {
            name: " Sam Support ".into(),
            email: "Sam@Utility.example".into(),
            role: "agent".into(),
            password: "correct horse battery".into(),
        }
    }

    #[test]
    fn a_complete_form_makes_a_staff_member() {
        let staff = form().parse().unwrap();
        assert_eq!(staff.display_name, "Sam Support");
        assert_eq!(staff.email.as_str(), "sam@utility.example");
        assert_eq!(staff.role, StaffRole::Agent);
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let errors = NewStaffForm {
            name: " ".into(),
            email: "sam".into(),
            role: "customer".into(),
            password: "short".into(),
        }
        .parse()
        .unwrap_err();
        for field in
            [NewStaffForm::NAME, NewStaffForm::EMAIL, NewStaffForm::ROLE, NewStaffForm::PASSWORD]
        {
            assert!(errors.get(field).is_some(), "{field}");
        }
    }

    #[test]
    fn staff_roles_never_include_customer() {
        assert_eq!(StaffRole::parse("customer"), None);
        for role in StaffRole::ALL {
            assert_eq!(StaffRole::parse(Role::from(role).as_str()), Some(role));
        }
    }
}
