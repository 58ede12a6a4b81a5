//! Accounts: the overview a customer sees, lookup by number, loading accounts in bulk
//! (`store.rs`), and customer service's search index (`search.rs`).

pub mod search;
mod service;
pub mod store;

pub(crate) use search::index_unindexed_accounts;
pub use service::Accounts;
pub use store::{NewAccount, NewServicePoint};
