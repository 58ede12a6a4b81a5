//! The interface server functions use to reach the portal's services. The server crate implements
//! it over its store and provides it in Leptos context at start-up; this crate never sees SQL.

use crate::accounts::{AccountId, AccountNumber, AccountOverview};
use crate::activity::{ActivityEntry, Actor};
use crate::auth::StaffRole;
use crate::error::AppError;
use crate::preferences::{PreferenceChange, PreferencesView, Saved};
use crate::programs::{
    AccountDevices, AccountPrograms, EnrollmentChange, ProgramDefinition, ProgramsOverview,
};
use crate::search::{SearchCursor, SearchQuery, SearchResults};
use crate::staff::{NewStaff, StaffMember};
use crate::utility::UtilityOverview;
use std::sync::Arc;

/// The portal's services as server functions see them. Callers have already authorized the
/// viewer; implementations enforce the data rules.
#[async_trait::async_trait]
pub trait PortalService: Send + Sync + 'static {
    /// The account a customer sees on their home page.
    async fn account_overview(&self, account: AccountId) -> Result<AccountOverview, AppError>;

    /// The utility's settings and the size of its book, for staff homes.
    async fn utility_overview(&self) -> Result<UtilityOverview, AppError>;

    /// Every staff user, for administrators.
    async fn staff_members(&self) -> Result<Vec<StaffMember>, AppError>;

    /// An account's recipients, their choices with delivery status, and the account-wide stops.
    async fn preferences(&self, account: AccountId) -> Result<PreferencesView, AppError>;

    /// Applies one change made by `actor`, if the account is still at `version` (a save based on
    /// an older page is refused with [`AppError::Conflict`]). The change, its audit records and
    /// the new version are stored together or not at all.
    async fn change_preferences(
        &self,
        actor: Actor,
        account: AccountId,
        version: i64,
        change: PreferenceChange,
    ) -> Result<Saved, AppError>;

    /// An account's history, newest first. Customer service (`for_staff`) sees every record,
    /// sign-ins too, with the name of the staff member behind each change.
    async fn activity(
        &self,
        account: AccountId,
        for_staff: bool,
    ) -> Result<Vec<ActivityEntry>, AppError>;

    /// The account with this number, if there is one.
    async fn account_id(&self, number: &AccountNumber) -> Result<Option<AccountId>, AppError>;

    /// One page of the accounts matching `query`, after `after` if given.
    async fn search_accounts(
        &self,
        query: &SearchQuery,
        after: Option<SearchCursor>,
    ) -> Result<SearchResults, AppError>;

    /// Adds a staff member, recorded as `admin`'s change.
    async fn create_staff(&self, admin: i64, staff: NewStaff) -> Result<Saved, AppError>;

    /// Gives staff member `user` another role.
    async fn change_staff_role(
        &self,
        admin: i64,
        user: i64,
        role: StaffRole,
    ) -> Result<Saved, AppError>;

    /// Disables or enables `user`'s sign-in; disabling ends their sessions.
    async fn set_staff_disabled(
        &self,
        admin: i64,
        user: i64,
        disabled: bool,
    ) -> Result<Saved, AppError>;

    /// Ends every session of staff member `user`.
    async fn end_staff_sessions(&self, admin: i64, user: i64) -> Result<Saved, AppError>;

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
        manager: i64,
        program: Option<i64>,
        definition: ProgramDefinition,
    ) -> Result<Saved, AppError>;
}

/// The services as held in context.
pub type Services = Arc<dyn PortalService>;
