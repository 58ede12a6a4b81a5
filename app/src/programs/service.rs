use super::{
    AccountDevices, AccountPrograms, EnrollmentChange, ProgramDefinition, ProgramId,
    ProgramsOverview,
};
use crate::accounts::AccountId;
use crate::activity::Actor;
use crate::auth::UserId;
use crate::error::AppError;
use crate::shell::Saved;

/// Programs, devices and enrollments.
#[async_trait::async_trait]
pub trait ProgramsService: Send + Sync + 'static {
    /// An account's devices with their head-end registration.
    async fn account_devices(&self, account: AccountId) -> Result<AccountDevices, AppError>;

    /// The active programs as the account sees them.
    async fn account_programs(&self, account: AccountId) -> Result<AccountPrograms, AppError>;

    /// Applies one change to an account's devices or enrollments, with its audit record and the
    /// head-end sync message it calls for, together or not at all.
    async fn change_enrollment(
        &self,
        actor: Actor,
        account: AccountId,
        change: EnrollmentChange,
    ) -> Result<Saved, AppError>;

    /// Every program and entity group, for program managers.
    async fn programs_overview(&self) -> Result<ProgramsOverview, AppError>;

    /// Creates a program (`program` is `None`) or changes one, recorded as `manager`'s change.
    async fn save_program(
        &self,
        manager: UserId,
        program: Option<ProgramId>,
        definition: ProgramDefinition,
    ) -> Result<Saved, AppError>;
}
