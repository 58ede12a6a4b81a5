//! Staff administration (issue 4): administrators add staff, change roles, disable sign-ins and
//! end sessions. Each change commits with its audit record.

use crate::auth::{Busy, Hashing};
use crate::store::{AuditEntry, NewUser, Store, StoreError, Tx};
use peakday_app::activity::ChangeSource;
use peakday_app::auth::{Identity, Role, StaffRole};
use peakday_app::error::AppError;
use peakday_app::preferences::Saved;
use peakday_app::staff::NewStaff;
use std::collections::BTreeMap;

#[derive(Debug, thiserror::Error)]
pub enum StaffError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Busy(#[from] Busy),
    #[error("no staff user {0}")]
    NotFound(i64),
    #[error("{0}")]
    Refused(&'static str),
    /// A refusal about one field of the form: shown beside it.
    #[error("{1}")]
    Field(&'static str, &'static str),
}

impl From<StaffError> for AppError {
    fn from(error: StaffError) -> Self {
        match error {
            StaffError::Store(error) => crate::portal::unavailable(error),
            StaffError::Busy(busy) => busy.into(),
            StaffError::NotFound(_) => AppError::NotFound,
            StaffError::Refused(message) => AppError::Invalid(message.to_owned()),
            StaffError::Field(field, message) => {
                let mut fields = peakday_app::error::FieldErrors::default();
                fields.add(field, message);
                AppError::InvalidFields(fields)
            }
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

    /// Adds a staff member with the password the administrator chose, which works once: at
    /// their first sign-in they choose their own, then set up their second factor.
    pub async fn create(&self, admin: i64, staff: NewStaff) -> Result<Saved, StaffError> {
        // Hash before taking the write lock: argon2 takes tens of milliseconds, off the async
        // threads and within the shared limit.
        let password_hash = self.hashing.hash(staff.password.clone()).await?;
        let mut tx = self.store.begin_write().await?;
        if Store::email_taken(&mut tx, staff.email.as_str()).await? {
            return Err(email_taken());
        }
        let role = Role::from(staff.role);
        let user = NewUser {
            email: staff.email.clone(),
            display_name: staff.display_name.clone(),
            password_hash,
            identity: Identity::Staff { role: staff.role },
            must_change_password: true,
        };
        match Store::insert_user(&mut tx, &user).await {
            Err(error) if error.is_unique_violation() => return Err(email_taken()),
            inserted => inserted?,
        };
        let after = fields(&[
            ("Name", &staff.display_name),
            ("Email", staff.email.as_str()),
            ("Role", role.label()),
        ]);
        let summary = format!("Added {} as {}", staff.display_name, role.label().to_lowercase());
        record(&mut tx, admin, "staff_created", &summary, None, Some(after)).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(saved(format!(
            "{} can now sign in as {}: the password you chose works once, then they choose their own and set up two-step verification.",
            staff.display_name,
            role.label().to_lowercase()
        )))
    }

    pub async fn change_role(
        &self,
        admin: i64,
        user: i64,
        role: StaffRole,
    ) -> Result<Saved, StaffError> {
        if admin == user && role != StaffRole::Admin {
            return Err(StaffError::Refused(
                "You cannot take away your own administrator role: ask another administrator.",
            ));
        }
        let mut tx = self.store.begin_write().await?;
        let member = Store::staff_record(&mut tx, user).await?.ok_or(StaffError::NotFound(user))?;
        let new_role = Role::from(role);
        if member.role == new_role {
            return Ok(saved(format!("{} is already {}.", member.display_name, article(new_role))));
        }
        Store::set_staff_role(&mut tx, user, role).await?;
        let summary = format!("Changed {}'s role to {}", member.display_name, new_role.label());
        let before = fields(&[("Role", member.role.label())]);
        let after = fields(&[("Role", new_role.label())]);
        record(&mut tx, admin, "staff_role_changed", &summary, Some(before), Some(after)).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(saved(format!("{} is now {}.", member.display_name, article(new_role))))
    }

    pub async fn set_disabled(
        &self,
        admin: i64,
        user: i64,
        disabled: bool,
    ) -> Result<Saved, StaffError> {
        if admin == user && disabled {
            return Err(StaffError::Refused(
                "You cannot disable your own sign-in: ask another administrator.",
            ));
        }
        let mut tx = self.store.begin_write().await?;
        let member = Store::staff_record(&mut tx, user).await?.ok_or(StaffError::NotFound(user))?;
        Store::set_user_disabled(&mut tx, user, disabled).await?;
        if disabled {
            Store::delete_sessions_of(&mut tx, user).await?;
        }
        let state = |disabled: bool| if disabled { "Disabled" } else { "Active" };
        let (action, summary, message) = if disabled {
            (
                "staff_disabled",
                format!("Disabled {}'s sign-in", member.display_name),
                format!(
                    "{} can no longer sign in; their sessions have ended.",
                    member.display_name
                ),
            )
        } else {
            (
                "staff_enabled",
                format!("Enabled {}'s sign-in", member.display_name),
                format!("{} can sign in again.", member.display_name),
            )
        };
        let before = fields(&[("Sign-in", state(member.disabled))]);
        let after = fields(&[("Sign-in", state(disabled))]);
        record(&mut tx, admin, action, &summary, Some(before), Some(after)).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(saved(message))
    }

    pub async fn end_sessions(&self, admin: i64, user: i64) -> Result<Saved, StaffError> {
        let mut tx = self.store.begin_write().await?;
        let member = Store::staff_record(&mut tx, user).await?.ok_or(StaffError::NotFound(user))?;
        let ended = Store::delete_sessions_of(&mut tx, user).await?;
        let summary = format!("Ended {}'s sessions ({ended})", member.display_name);
        record(&mut tx, admin, "staff_sessions_ended", &summary, None, None).await?;
        tx.commit().await.map_err(StoreError::from)?;
        let sessions = if ended == 1 { "session" } else { "sessions" };
        Ok(saved(format!(
            "Ended {ended} {sessions} of {}: they must sign in again.",
            member.display_name
        )))
    }
}

fn email_taken() -> StaffError {
    StaffError::Field(
        peakday_app::staff::NewStaffForm::EMAIL,
        "Someone already signs in with that email.",
    )
}

/// "an agent", "a program manager", "an administrator".
fn article(role: Role) -> String {
    let label = role.label().to_lowercase();
    let an = label.starts_with(['a', 'e', 'i', 'o', 'u']);
    format!("{} {label}", if an { "an" } else { "a" })
}

fn saved(message: String) -> Saved {
    // Staff changes have no page version; the field is for the account pages.
    Saved { message, version: 0 }
}

fn fields(pairs: &[(&str, &str)]) -> String {
    let map: BTreeMap<&str, &str> = pairs.iter().copied().collect();
    serde_json::to_string(&map).unwrap_or_default()
}

async fn record(
    tx: &mut Tx,
    admin: i64,
    action: &str,
    summary: &str,
    before: Option<String>,
    after: Option<String>,
) -> Result<(), StoreError> {
    let entry = AuditEntry {
        actor_user_id: Some(admin),
        account: None,
        source: ChangeSource::Portal,
        action: action.to_owned(),
        summary: summary.to_owned(),
        before,
        after,
    };
    Store::append_audit(tx, &entry).await
}
