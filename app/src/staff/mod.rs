//! Staff homes: the agent's, the program manager's and the administrator's.

mod admin_page;
mod agent_page;
mod api;
mod change;
mod model;
mod outbox;
#[cfg(feature = "ssr")]
mod service;
mod utility_summary;

pub use admin_page::AdminPage;
pub use agent_page::AgentPage;
pub use api::*;
pub use change::{email_taken, StaffChange, StaffEffect, StaffState, StaffSubject};
pub use model::{NewStaff, NewStaffForm, StaffMember, STAFF_PASSWORD_MIN_LEN};
pub use outbox::{
    held_messages, release_message, HeldMessage, HeldMessages, HeldMessagesSection, ReleaseMessage,
};
#[cfg(feature = "ssr")]
pub use outbox::{Outbox, OutboxOperations};
#[cfg(feature = "ssr")]
pub use service::StaffService;
pub use utility_summary::UtilitySummary;
