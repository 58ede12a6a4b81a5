//! Customer accounts: the account number, service address and service points a customer sees on
//! their home page, and the server function that loads them.

mod api;
mod model;
mod page;
#[cfg(feature = "ssr")]
mod service;

pub use api::{load_account, LoadAccount};
pub use model::{
    AccountId, AccountNumber, AccountNumberError, AccountOverview, BillCycleDay, Fuel, ServicePoint,
};
pub use page::AccountPage;
#[cfg(feature = "ssr")]
pub use service::AccountsService;
