//! The SQL of users, sessions, second factors and reset links, and sign-in throttling.

mod credentials;
mod sessions;
mod signin_throttle;
mod users;

pub use sessions::{NewSession, SessionSummary, StoredSession};
pub use users::{NewUser, StoredUser};
