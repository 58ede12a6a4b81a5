//! The head-end / DERMS integration (issue 5): every registration change goes out as
//! a customer asset sync message through the durable outbox ([`delivery`]); the head-end answers
//! on our acknowledgement endpoint ([`api`]), signed with the shared secret ([`signature`]), and
//! [`acknowledgement`] turns its per-device statuses into each device's registration flag.

pub mod acknowledgement;
pub mod api;
pub mod delivery;
pub mod held;
pub mod message;
pub mod signature;

/// The outbox kind of customer asset sync messages.
pub const ASSET_SYNC: &str = "customer_asset_sync";

/// Where the head-end is and the secret both sides sign with.
#[derive(Debug, Clone, Default)]
pub struct HeadEndConfig {
    /// The head-end's endpoint for sync messages. Unset: messages wait in the outbox.
    pub url: Option<String>,
    /// Shared secret for HMAC-SHA256 signatures, both ways. Unset: acknowledgements are refused.
    pub secret: Option<String>,
}
