//! The interface server functions use to reach the portal's services. The server crate implements
//! it over its store and provides it in Leptos context at start-up; this crate never sees SQL.

use crate::accounts::{AccountId, AccountOverview};
use crate::error::AppError;
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
}

/// The services as held in context.
pub type Services = Arc<dyn PortalService>;
