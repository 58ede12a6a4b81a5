//! Account Center preferences: recipients, alert channels, account-wide stops, SMS consent and
//! the notification matrix. The service runs the shared rules (`peakday_app::preferences`) in
//! one write transaction; `store.rs` and `recipients.rs` hold their SQL.

pub mod recipients;
mod service;
pub mod store;

pub use service::{Preferences, PreferencesError, SMS_OPT_IN_CONFIRMATION};
