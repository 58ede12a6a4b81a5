use super::AccountOverview;
use crate::error::AppError;
use leptos::prelude::*;

/// The signed-in customer's own account. It takes no account id: the account comes from the
/// session, so a customer cannot name another one (ASVS 8.2.2).
#[server(endpoint = "my_account")]
pub async fn my_account() -> Result<AccountOverview, AppError> {
    use crate::auth::{authorize, services, Access};
    let viewer = authorize(Access::Customer)?;
    let account = viewer.own_account().ok_or(AppError::Forbidden)?;
    services()?.account_overview(account).await
}
