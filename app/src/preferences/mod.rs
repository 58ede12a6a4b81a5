//! An account's communication preferences: what each recipient receives and
//! on which channels, the account-wide stops, SMS consent per number, the account notification
//! matrix, and the rule engine that decides what is delivered and why not.

mod alerts_page;
mod api;
mod change;
mod delivery;
mod forms;
mod model;
mod notifications_page;
mod recipient;
#[cfg(feature = "ssr")]
mod service;
mod view;

pub use alerts_page::AlertsPage;
pub use api::*;
pub use change::{unreachable_by, Effect, Outcome, PreferenceChange, PreferencesState};
pub use delivery::{
    communications_offered, eligibility, summarize, Audience, Decision, EligibilityFailure,
    Message, PlannedDelivery, SelectionStatus, Suppression,
};
pub use forms::{
    cell_field, channel_field, communication_field, RECIPIENT_FIELD, RESUME_FIELD, STOP_FIELD,
};
pub use model::*;
pub use notifications_page::NotificationsPage;
pub use recipient::Recipient;
#[cfg(feature = "ssr")]
pub use service::PreferencesService;
pub use view::{Basis, PreferencesView, RecipientView};
