//! Finding any account from one search box (issue 4):
//! account number, a customer's or recipient's name, email, phone in any layout, or service
//! address, answered from an index of folded terms on both databases.

mod api;
mod model;
mod page;
#[cfg(feature = "ssr")]
mod service;
mod terms;

pub use api::{search_accounts, SearchAccounts};
pub use model::{AccountMatch, SearchCursor, SearchResults, RESULTS_PER_PAGE};
pub use page::SearchSection;
#[cfg(feature = "ssr")]
pub use service::SearchService;
pub use terms::{
    join_terms, split_terms, words, QueryPart, SearchDocument, SearchError, SearchQuery, TermMatch,
};
