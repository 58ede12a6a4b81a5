use super::ActivityEntry;
use crate::error::AppError;
use leptos::prelude::*;

/// The signed-in customer's account history, newest first.
#[server(endpoint = "activity")]
pub async fn load_activity() -> Result<Vec<ActivityEntry>, AppError> {
    let (account, _) = crate::auth::customer_scope()?;
    crate::auth::services()?.activity(account).await
}
