use super::AccountOverview;
use crate::error::AppError;
use leptos::prelude::*;

crate::declare_access!(LoadAccount => Account);
/// An account's number, holder, address and service points: the signed-in customer's own
/// (the account comes from the session, ASVS 8.2.2), or in admin mode the `account` customer
/// service acts for.
#[server(endpoint = "account")]
pub async fn load_account(account: Option<String>) -> Result<AccountOverview, AppError> {
    let accounts = crate::service::service::<dyn super::AccountsService>()?;
    let scope = crate::auth::account_scope::<LoadAccount>(account).await?;
    accounts.account_overview(scope.account).await
}
