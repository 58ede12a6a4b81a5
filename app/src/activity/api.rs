use super::AccountActivity;
use crate::error::AppError;
use leptos::prelude::*;

crate::declare_access!(LoadActivity => Account);
/// An account's history, newest first: the signed-in customer's own changes, or in admin mode
/// those of the `account` customer service acts for, with its sign-ins and the staff member
/// behind each change.
#[server(endpoint = "activity")]
pub async fn load_activity(account: Option<String>) -> Result<AccountActivity, AppError> {
    let activity = crate::service::service::<dyn super::ActivityService>()?;
    let scope = crate::auth::account_scope::<LoadActivity>(account).await?;
    let for_staff = scope.actor.source == super::ChangeSource::Agent;
    activity.activity(scope.account, for_staff).await
}
