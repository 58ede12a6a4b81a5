//! The interface server functions use to reach the portal's services. The server crate implements
//! it over its store and provides it in Leptos context at start-up; this crate never sees SQL.

use crate::accounts::{AccountId, AccountOverview};
use crate::activity::{ActivityEntry, Actor};
use crate::error::AppError;
use crate::preferences::{PreferenceChange, PreferencesView, Saved};
use crate::staff::StaffMember;
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

    /// An account's history of changes, newest first.
    async fn activity(&self, account: AccountId) -> Result<Vec<ActivityEntry>, AppError>;
}

/// The services as held in context.
pub type Services = Arc<dyn PortalService>;
