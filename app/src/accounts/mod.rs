//! Customer accounts: the account number, service address and service points a customer sees on
//! their home page, and the server function that loads them.

mod api;
mod medical;
mod model;
mod page;
#[cfg(feature = "ssr")]
mod service;

pub use api::{load_account, LoadAccount};
pub use medical::{
    apply_medical_flag, load_medical_flag, set_medical_flag, LoadMedicalFlag, MedicalFlagSection,
    SetMedicalFlag, NOTE, NOTE_LIMIT,
};
pub use model::{
    AccountId, AccountNumber, AccountNumberError, AccountOverview, BillCycleDay, Fuel, ServicePoint,
};
pub use page::AccountPage;
#[cfg(feature = "ssr")]
pub use service::AccountsService;
