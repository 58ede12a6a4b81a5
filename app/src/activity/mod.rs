//! An account's history of changes and consent: who changed what, when and how,
//! as the customer's Activity page shows it.

mod api;
mod model;
mod page;
#[cfg(feature = "ssr")]
mod service;

pub use api::{load_activity, LoadActivity};
pub use model::{field_changes, AccountActivity, ActivityEntry, Actor, ChangeSource, FieldChange};
pub use page::ActivityPage;
#[cfg(feature = "ssr")]
pub use service::ActivityService;
