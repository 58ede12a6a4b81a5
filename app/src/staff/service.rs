use super::{NewStaff, StaffMember};
use crate::auth::{StaffRole, UserId};
use crate::error::AppError;
use crate::shell::Saved;

/// Staff administration. Callers have authorized an administrator, `admin`.
#[async_trait::async_trait]
pub trait StaffService: Send + Sync + 'static {
    /// Every staff user.
    async fn staff_members(&self) -> Result<Vec<StaffMember>, AppError>;

    /// Adds a staff member, recorded as `admin`'s change.
    async fn create_staff(&self, admin: UserId, staff: NewStaff) -> Result<Saved, AppError>;

    /// Gives staff member `user` another role.
    async fn change_staff_role(
        &self,
        admin: UserId,
        user: UserId,
        role: StaffRole,
    ) -> Result<Saved, AppError>;

    /// Disables or enables `user`'s sign-in; disabling ends their sessions.
    async fn set_staff_disabled(
        &self,
        admin: UserId,
        user: UserId,
        disabled: bool,
    ) -> Result<Saved, AppError>;

    /// Ends every session of staff member `user`.
    async fn end_staff_sessions(&self, admin: UserId, user: UserId) -> Result<Saved, AppError>;
}
