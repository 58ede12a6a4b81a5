//! Sign-in, sessions and throttling (ASVS 5.0 chapters 6 and 7): passwords (argon2id, a bounded
//! number at a time), sign-in in steps with a TOTP second factor, throttling that cannot be
//! raced or used to lock people out, device cookies, and the server's own signing keys.

mod hashing;
mod keys;
mod password;
pub mod second_factor;
mod security;
mod service;
pub mod store;
pub mod throttle;
mod token;

pub use hashing::{Busy, Hashing};
pub use keys::{KeyPurpose, ServerKeys};
pub use password::{hash_password, hash_password_off_thread, verify_password};
pub use security::{AccountSecurity, IssuedReset, ResetError};
pub use service::{
    email_fingerprint, save_second_factor, security_event, session_audit, Attempt, AuthService,
    SessionPolicy, SessionState, SignInError, SignedIn, StepError,
};
pub use store::{NewSession, NewUser, SessionSummary, StoredSession, StoredUser};
pub use token::{token_hash, SessionToken};
