use super::UtilityOverview;
use crate::error::AppError;

/// The utility, for staff homes.
#[async_trait::async_trait]
pub trait UtilityService: Send + Sync + 'static {
    /// The utility's settings and the size of its book.
    async fn utility_overview(&self) -> Result<UtilityOverview, AppError>;
}
