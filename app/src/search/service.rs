use super::{SearchCursor, SearchQuery, SearchResults};
use crate::error::AppError;

/// Customer service's account search.
#[async_trait::async_trait]
pub trait SearchService: Send + Sync + 'static {
    /// One page of the accounts matching `query`, after `after` if given.
    async fn search_accounts(
        &self,
        query: &SearchQuery,
        after: Option<SearchCursor>,
    ) -> Result<SearchResults, AppError>;
}
