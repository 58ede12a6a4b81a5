use super::Role;
use crate::accounts::AccountId;
use serde::{Deserialize, Serialize};

/// A staff member's role. A separate type from [`Role`] so a customer identity cannot carry one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StaffRole {
    Agent,
    ProgramManager,
    Admin,
}

impl From<StaffRole> for Role {
    fn from(role: StaffRole) -> Self {
        match role {
            StaffRole::Agent => Role::Agent,
            StaffRole::ProgramManager => Role::ProgramManager,
            StaffRole::Admin => Role::Admin,
        }
    }
}

/// What a signed-in person is: a customer of exactly one account, or staff with a role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Identity {
    Customer { account_id: AccountId },
    Staff { role: StaffRole },
}

/// A user's id (a customer's sign-in or a staff member).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UserId(pub i64);

impl std::fmt::Display for UserId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The person behind the current request, as resolved from their session by the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    pub user_id: UserId,
    pub display_name: String,
    pub email: String,
    pub identity: Identity,
}

impl Viewer {
    pub fn role(&self) -> Role {
        match self.identity {
            Identity::Customer { .. } => Role::Customer,
            Identity::Staff { role } => role.into(),
        }
    }

    /// The account a customer may act on; `None` for staff.
    pub fn own_account(&self) -> Option<AccountId> {
        match self.identity {
            Identity::Customer { account_id } => Some(account_id),
            Identity::Staff { .. } => None,
        }
    }
}

impl Identity {
    /// Builds an identity from stored columns; `None` when they contradict each other.
    pub fn from_parts(role: Role, account_id: Option<AccountId>) -> Option<Self> {
        match (role, account_id) {
            (Role::Customer, Some(account_id)) => Some(Identity::Customer { account_id }),
            (Role::Agent, None) => Some(Identity::Staff { role: StaffRole::Agent }),
            (Role::ProgramManager, None) => {
                Some(Identity::Staff { role: StaffRole::ProgramManager })
            }
            (Role::Admin, None) => Some(Identity::Staff { role: StaffRole::Admin }),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_customer_needs_an_account_and_staff_must_not_have_one() {
        assert!(Identity::from_parts(Role::Customer, None).is_none());
        assert!(Identity::from_parts(Role::Agent, Some(AccountId(1))).is_none());
        let customer = Identity::from_parts(Role::Customer, Some(AccountId(7))).unwrap();
        assert_eq!(customer, Identity::Customer { account_id: AccountId(7) });
    }

    #[test]
    fn the_role_follows_the_identity() {
        for role in Role::ALL {
            let account = (role == Role::Customer).then_some(AccountId(1));
            let viewer = Viewer {
                user_id: UserId(1),
                display_name: "x".into(),
                email: "x@example.com".into(),
                identity: Identity::from_parts(role, account).unwrap(),
            };
            assert_eq!(viewer.role(), role);
            assert_eq!(viewer.own_account(), account);
        }
    }
}
