//! The SQL of users, sessions, second factors and reset links, and sign-in throttling.

mod credentials;
mod sessions;
mod signin_throttle;
mod users;

pub use credentials::*;
pub use sessions::*;
pub use signin_throttle::*;
pub use users::*;
