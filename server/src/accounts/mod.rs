//! Accounts: the overview a customer sees, lookup by number, loading accounts in bulk
//! (`store.rs`), and customer service's search index (`search.rs`).

mod search;
mod service;
mod store;

pub use service::Accounts;
pub use store::{NewAccount, NewServicePoint};
