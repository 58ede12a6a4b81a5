use super::AccountActivity;
use crate::accounts::AccountId;
use crate::error::AppError;

/// An account's history.
#[async_trait::async_trait]
pub trait ActivityService: Send + Sync + 'static {
    /// Newest first. Customer service (`for_staff`) sees the sign-ins too, and the name of the
    /// staff member behind each change.
    async fn activity(
        &self,
        account: AccountId,
        for_staff: bool,
    ) -> Result<AccountActivity, AppError>;
}
