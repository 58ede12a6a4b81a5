//! Administrators' changes to staff, in the shape of `crate::change`: the staff member the
//! change is about (as read in its transaction) and the change in; the effect, the audit record
//! and the confirmation out. Rules: an administrator never takes away their own role or sign-in
//! (another administrator must), an email signs in one person, a staff member must exist.

use super::{NewStaff, NewStaffForm};
use crate::auth::{Role, StaffRole, UserId};
use crate::change::{AuditRecord, ChangeError};

/// An accepted staff change.
pub type Outcome = crate::change::Outcome<StaffEffect>;

/// One change an administrator asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StaffChange {
    Create(NewStaff),
    ChangeRole { user: UserId, role: StaffRole },
    SetDisabled { user: UserId, disabled: bool },
    EndSessions { user: UserId },
}

/// The staff member a change is about, as it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffSubject {
    pub display_name: String,
    pub role: Role,
    pub disabled: bool,
    /// Sessions open now, of any stage.
    pub sessions: u64,
}

/// What the rules need: who acts, and what the change is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffState {
    pub admin: UserId,
    /// The staff member named by the change; `None` when there is none (or it is a customer).
    pub subject: Option<StaffSubject>,
    /// For a new staff member: someone signs in with the email already.
    pub email_taken: bool,
}

/// What to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StaffEffect {
    /// The executor stores the password's hash, made before the transaction.
    CreateUser(NewStaff),
    SetRole(UserId, StaffRole),
    SetDisabled(UserId, bool),
    EndSessions(UserId),
}

/// The refusal of an email someone signs in with already, beside the email field.
pub fn email_taken() -> ChangeError {
    ChangeError::field(NewStaffForm::EMAIL, "Someone already signs in with that email.")
}

impl StaffState {
    pub fn apply(&self, change: &StaffChange) -> Result<Outcome, ChangeError> {
        match *change {
            StaffChange::Create(ref staff) => self.create(staff),
            StaffChange::ChangeRole { user, role } => self.change_role(user, role),
            StaffChange::SetDisabled { user, disabled } => self.set_disabled(user, disabled),
            StaffChange::EndSessions { user } => self.end_sessions(user),
        }
    }

    fn subject(&self) -> Result<&StaffSubject, ChangeError> {
        self.subject.as_ref().ok_or(ChangeError::NotFound)
    }

    fn create(&self, staff: &NewStaff) -> Result<Outcome, ChangeError> {
        if self.email_taken {
            return Err(email_taken());
        }
        let role = Role::from(staff.role);
        let name = &staff.display_name;
        let audit = AuditRecord::new(
            "staff.created",
            format!("Added {name} as {}", role.label().to_lowercase()),
        )
        .after(&[("Name", name), ("Email", staff.email.as_str()), ("Role", role.label())]);
        Ok(Outcome::new(format!(
            "{name} can now sign in as {}: the password you chose works once, then they choose their own and set up two-step verification.",
            role.label().to_lowercase()
        ))
        .effect(StaffEffect::CreateUser(staff.clone()))
        .audit(audit))
    }

    fn change_role(&self, user: UserId, role: StaffRole) -> Result<Outcome, ChangeError> {
        if user == self.admin && role != StaffRole::Admin {
            return Err(ChangeError::rule(
                "You cannot take away your own administrator role: ask another administrator.",
            ));
        }
        let member = self.subject()?;
        let new_role = Role::from(role);
        let name = &member.display_name;
        if member.role == new_role {
            return Ok(Outcome::new(format!("{name} is already {}.", article(new_role))));
        }
        Ok(Outcome::new(format!("{name} is now {}.", article(new_role)))
            .effect(StaffEffect::SetRole(user, role))
            .audit(
                AuditRecord::new(
                    "staff.role_changed",
                    format!("Changed {name}'s role to {}", new_role.label()),
                )
                .before(&[("Role", member.role.label())])
                .after(&[("Role", new_role.label())]),
            ))
    }

    fn set_disabled(&self, user: UserId, disabled: bool) -> Result<Outcome, ChangeError> {
        if user == self.admin && disabled {
            return Err(ChangeError::rule(
                "You cannot disable your own sign-in: ask another administrator.",
            ));
        }
        let member = self.subject()?;
        let name = &member.display_name;
        let state = |disabled: bool| if disabled { "Disabled" } else { "Active" };
        let (action, summary, message) = if disabled {
            (
                "staff.disabled",
                format!("Disabled {name}'s sign-in"),
                format!("{name} can no longer sign in; their sessions have ended."),
            )
        } else {
            (
                "staff.enabled",
                format!("Enabled {name}'s sign-in"),
                format!("{name} can sign in again."),
            )
        };
        let mut outcome = Outcome::new(message).effect(StaffEffect::SetDisabled(user, disabled));
        if disabled {
            outcome = outcome.effect(StaffEffect::EndSessions(user));
        }
        Ok(outcome.audit(
            AuditRecord::new(action, summary)
                .before(&[("Sign-in", state(member.disabled))])
                .after(&[("Sign-in", state(disabled))]),
        ))
    }

    fn end_sessions(&self, user: UserId) -> Result<Outcome, ChangeError> {
        let member = self.subject()?;
        let (name, ended) = (&member.display_name, member.sessions);
        let sessions = if ended == 1 { "session" } else { "sessions" };
        Ok(Outcome::new(format!("Ended {ended} {sessions} of {name}: they must sign in again."))
            .effect(StaffEffect::EndSessions(user))
            .audit(AuditRecord::new(
                "staff.sessions_ended",
                format!("Ended {name}'s sessions ({ended})"),
            )))
    }
}

/// "an agent", "a program manager", "an administrator".
fn article(role: Role) -> String {
    let label = role.label().to_lowercase();
    let an = label.starts_with(['a', 'e', 'i', 'o', 'u']);
    format!("{} {label}", if an { "an" } else { "a" })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contact::EmailAddress;

    const ADMIN: UserId = UserId(1);
    const AGENT: UserId = UserId(2);

    fn state(subject: Option<StaffSubject>) -> StaffState {
        StaffState { admin: ADMIN, subject, email_taken: false }
    }

    fn agent(sessions: u64) -> Option<StaffSubject> {
        Some(StaffSubject {
            display_name: "Avery".into(),
            role: Role::Agent,
            disabled: false,
            sessions,
        })
    }

    fn new_staff() -> NewStaff {
        NewStaff {
            display_name: "Sam Rivera".into(),
            email: EmailAddress::parse("sam@utility.example").unwrap(),
            role: StaffRole::ProgramManager,
            password: "a long enough password".into(),
        }
    }

    #[test]
    fn a_new_staff_member_is_created_and_audited_without_the_password() {
        let outcome = state(None).apply(&StaffChange::Create(new_staff())).unwrap();
        assert_eq!(outcome.effects, [StaffEffect::CreateUser(new_staff())]);
        let audit = &outcome.audit[0];
        assert_eq!(
            (audit.action, audit.summary.as_str()),
            ("staff.created", "Added Sam Rivera as program manager")
        );
        assert!(!format!("{audit:?}").contains("a long enough password"));
        assert!(outcome.message.starts_with("Sam Rivera can now sign in as program manager"));
    }

    #[test]
    fn an_email_in_use_is_refused_beside_the_email() {
        let taken = StaffState { email_taken: true, ..state(None) };
        assert_eq!(taken.apply(&StaffChange::Create(new_staff())), Err(email_taken()));
    }

    #[test]
    fn an_administrator_keeps_their_own_role_and_sign_in() {
        let own_role = StaffChange::ChangeRole { user: ADMIN, role: StaffRole::Agent };
        let refusal = state(agent(0)).apply(&own_role).unwrap_err();
        assert!(matches!(refusal, ChangeError::Rule(m) if m.contains("ask another administrator")));
        let own_sign_in = StaffChange::SetDisabled { user: ADMIN, disabled: true };
        assert!(matches!(state(agent(0)).apply(&own_sign_in), Err(ChangeError::Rule(_))));
        // Staying an administrator, or enabling oneself, is no loss.
        let stay = StaffChange::ChangeRole { user: ADMIN, role: StaffRole::Admin };
        assert!(state(agent(0)).apply(&stay).is_ok());
    }

    #[test]
    fn a_role_change_records_before_and_after_and_the_same_role_changes_nothing() {
        let promote = StaffChange::ChangeRole { user: AGENT, role: StaffRole::ProgramManager };
        let outcome = state(agent(0)).apply(&promote).unwrap();
        assert_eq!(outcome.effects, [StaffEffect::SetRole(AGENT, StaffRole::ProgramManager)]);
        assert_eq!(outcome.message, "Avery is now a program manager.");
        assert_eq!(outcome.audit[0].before.as_ref().unwrap()["Role"], "Customer service agent");
        let same = StaffChange::ChangeRole { user: AGENT, role: StaffRole::Agent };
        let outcome = state(agent(0)).apply(&same).unwrap();
        assert!(outcome.effects.is_empty() && outcome.audit.is_empty());
        assert_eq!(outcome.message, "Avery is already a customer service agent.");
    }

    #[test]
    fn disabling_ends_sessions_and_enabling_does_not() {
        let disable = StaffChange::SetDisabled { user: AGENT, disabled: true };
        let outcome = state(agent(2)).apply(&disable).unwrap();
        assert_eq!(
            outcome.effects,
            [StaffEffect::SetDisabled(AGENT, true), StaffEffect::EndSessions(AGENT)]
        );
        assert_eq!(outcome.audit[0].action, "staff.disabled");
        let enable = StaffChange::SetDisabled { user: AGENT, disabled: false };
        let outcome = state(agent(0)).apply(&enable).unwrap();
        assert_eq!(outcome.effects, [StaffEffect::SetDisabled(AGENT, false)]);
        assert_eq!(outcome.audit[0].action, "staff.enabled");
    }

    #[test]
    fn ending_sessions_says_how_many() {
        let end = StaffChange::EndSessions { user: AGENT };
        assert_eq!(
            state(agent(1)).apply(&end).unwrap().message,
            "Ended 1 session of Avery: they must sign in again."
        );
        assert_eq!(
            state(agent(3)).apply(&end).unwrap().audit[0].summary,
            "Ended Avery's sessions (3)"
        );
    }

    #[test]
    fn a_change_about_no_staff_member_is_not_found() {
        for change in [
            StaffChange::ChangeRole { user: UserId(9), role: StaffRole::Agent },
            StaffChange::SetDisabled { user: UserId(9), disabled: true },
            StaffChange::EndSessions { user: UserId(9) },
        ] {
            assert_eq!(state(None).apply(&change), Err(ChangeError::NotFound), "{change:?}");
        }
    }
}
