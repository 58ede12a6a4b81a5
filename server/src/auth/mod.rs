//! Sign-in, sessions and throttling (ASVS 5.0 chapters 6 and 7).

mod password;
mod service;
mod token;

pub use password::{hash_password, verify_password};
pub use service::{AuthService, SessionPolicy, SessionState, SignInError, SignedIn};
pub use token::{token_hash, SessionToken};
