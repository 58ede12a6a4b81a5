use super::{AccountId, AccountNumber, AccountOverview};
use crate::error::AppError;

/// Accounts as server functions see them. Callers have authorized the viewer.
#[async_trait::async_trait]
pub trait AccountsService: Send + Sync + 'static {
    /// The account a customer sees on their home page.
    async fn account_overview(&self, account: AccountId) -> Result<AccountOverview, AppError>;

    /// The account with this number, if there is one.
    async fn account_id(&self, number: &AccountNumber) -> Result<Option<AccountId>, AppError>;

    /// Whether the account has the medical or life-support flag.
    async fn medical_flag(&self, account: AccountId) -> Result<bool, AppError>;

    /// Sets or clears the flag with a note, audited as `actor`'s.
    async fn set_medical_flag(
        &self,
        actor: crate::activity::Actor,
        account: AccountId,
        set: bool,
        note: String,
    ) -> Result<crate::shell::Saved, AppError>;
}
