//! Staff administration (issue 4): administrators add staff, change roles, disable sign-ins and
//! end sessions, in the shape of a change (`peakday_app::change`): the staff member is read in
//! the write transaction, [`StaffState::apply`] decides, and the effects and the audit record
//! commit together.

use crate::auth;
use crate::auth::NewUser;
use crate::auth::{Busy, Hashing};
use crate::staff::store;
use crate::store::audit;
use crate::store::audit_entry;
use crate::store::{Store, StoreError};
use peakday_app::activity::{Actor, ChangeSource};
use peakday_app::auth::{Identity, StaffRole, UserId};
use peakday_app::change::ChangeError;
use peakday_app::error::AppError;
use peakday_app::shell::Saved;
use peakday_app::staff::{
    email_taken, NewStaff, StaffChange, StaffEffect, StaffMember, StaffService, StaffState,
    StaffSubject,
};

#[derive(Debug, thiserror::Error)]
pub enum StaffError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Busy(#[from] Busy),
    #[error("the change was refused: {0:?}")]
    Refused(ChangeError),
}

impl From<StaffError> for AppError {
    fn from(error: StaffError) -> Self {
        match error {
            StaffError::Store(error) => error.into(),
            StaffError::Busy(busy) => busy.into(),
            StaffError::Refused(refusal) => refusal.into(),
        }
    }
}

/// Staff administration over the store.
#[derive(Clone)]
pub struct StaffAdmin {
    store: Store,
    hashing: Hashing,
}

impl StaffAdmin {
    pub fn new(store: Store, hashing: Hashing) -> Self {
        Self { store, hashing }
    }

    /// Applies `change`, made by administrator `admin`.
    #[tracing::instrument(name = "staff.change", skip_all, fields(kind = change_kind(change)))]
    pub async fn change(&self, admin: UserId, change: &StaffChange) -> Result<Saved, StaffError> {
        // A new staff member's password works once, at their first sign-in. Hashed before the
        // write lock: argon2 takes tens of milliseconds, on its own threads within the limit.
        let password_hash = match change {
            StaffChange::Create(staff) => Some(self.hashing.hash(staff.password.clone()).await?),
            _ => None,
        };
        let mut tx = self.store.begin_write().await?;
        let state = StaffState {
            admin,
            subject: match subject_of(change) {
                Some(user) => {
                    store::staff_record(&mut tx, user).await?.map(|record| StaffSubject {
                        display_name: record.display_name,
                        role: record.role,
                        disabled: record.disabled,
                        sessions: record.sessions.max(0) as u64,
                    })
                }
                None => None,
            },
            email_taken: match change {
                StaffChange::Create(staff) => {
                    store::email_taken(&mut tx, staff.email.as_str()).await?
                }
                _ => false,
            },
        };
        let outcome = state.apply(change).map_err(StaffError::Refused)?;
        for effect in &outcome.effects {
            match effect {
                StaffEffect::CreateUser(staff) => {
                    let user = NewUser {
                        email: staff.email.clone(),
                        display_name: staff.display_name.clone(),
                        // Hashed above for every new staff member.
                        password_hash: password_hash.clone().ok_or_else(|| {
                            StoreError::Corrupt("a new staff member without a hash".into())
                        })?,
                        identity: Identity::Staff { role: staff.role },
                        must_change_password: true,
                    };
                    match auth::store::insert_user(&mut tx, &user).await {
                        // Two administrators adding one email at once on PostgreSQL: the
                        // unique index takes one; the other hears what the check says.
                        Err(error) if error.is_unique_violation() => {
                            return Err(StaffError::Refused(email_taken()))
                        }
                        inserted => inserted?,
                    };
                }
                StaffEffect::SetRole(user, role) => {
                    store::set_staff_role(&mut tx, *user, *role).await?
                }
                StaffEffect::SetDisabled(user, disabled) => {
                    store::set_user_disabled(&mut tx, *user, *disabled).await?
                }
                StaffEffect::EndSessions(user) => {
                    store::delete_sessions_of(&mut tx, *user).await?;
                }
            }
        }
        let actor = Actor { user_id: Some(admin), source: ChangeSource::Portal };
        for record in &outcome.audit {
            audit::append_audit(&mut tx, &audit_entry(actor, None, record)).await?;
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok(Saved::new(outcome.message))
    }
}

/// The staff member a change is about, if it names one.
fn subject_of(change: &StaffChange) -> Option<UserId> {
    match *change {
        StaffChange::Create(_) => None,
        StaffChange::ChangeRole { user, .. }
        | StaffChange::SetDisabled { user, .. }
        | StaffChange::EndSessions { user } => Some(user),
    }
}

/// For the span: which change, never its fields (a new staff member's password is one).
fn change_kind(change: &StaffChange) -> &'static str {
    match change {
        StaffChange::Create(_) => "create",
        StaffChange::ChangeRole { .. } => "change_role",
        StaffChange::SetDisabled { .. } => "set_disabled",
        StaffChange::EndSessions { .. } => "end_sessions",
    }
}

#[async_trait::async_trait]
impl StaffService for StaffAdmin {
    #[tracing::instrument(name = "staff.list", skip_all)]
    async fn staff_members(&self) -> Result<Vec<StaffMember>, AppError> {
        Ok(auth::store::staff_members(&mut *self.store.read().await?).await?)
    }

    async fn create_staff(&self, admin: UserId, staff: NewStaff) -> Result<Saved, AppError> {
        Ok(self.change(admin, &StaffChange::Create(staff)).await?)
    }

    async fn change_staff_role(
        &self,
        admin: UserId,
        user: UserId,
        role: StaffRole,
    ) -> Result<Saved, AppError> {
        Ok(self.change(admin, &StaffChange::ChangeRole { user, role }).await?)
    }

    async fn set_staff_disabled(
        &self,
        admin: UserId,
        user: UserId,
        disabled: bool,
    ) -> Result<Saved, AppError> {
        Ok(self.change(admin, &StaffChange::SetDisabled { user, disabled }).await?)
    }

    async fn end_staff_sessions(&self, admin: UserId, user: UserId) -> Result<Saved, AppError> {
        Ok(self.change(admin, &StaffChange::EndSessions { user }).await?)
    }
}
