use super::SearchResults;
use crate::error::AppError;
use leptos::prelude::*;

crate::declare_access!(SearchAccounts => CustomerService);
/// Customer service's account search. `after` is the cursor of the page before, if any.
#[server(endpoint = "search_accounts")]
pub async fn search_accounts(
    query: String,
    after: Option<String>,
) -> Result<SearchResults, AppError> {
    crate::auth::authorize_call::<SearchAccounts>()?;
    let search = crate::service::service::<dyn super::SearchService>()?;
    let parsed = super::SearchQuery::parse(&query).map_err(|e| AppError::Invalid(e.to_string()))?;
    let after = after.as_deref().and_then(super::SearchCursor::decode);
    search.search_accounts(&parsed, after).await
}
