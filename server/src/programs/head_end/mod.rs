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

/// Where event messages go: beside the sync endpoint, `events` in place of its last path
/// segment (`https://derms.example/api/sync` -> `https://derms.example/api/events`).
pub fn events_url(sync_url: &str) -> String {
    let (base, _) = sync_url.trim_end_matches('/').rsplit_once('/').unwrap_or((sync_url, ""));
    format!("{base}/events")
}

#[cfg(test)]
mod tests {
    #[test]
    fn events_go_beside_the_sync_endpoint() {
        assert_eq!(super::events_url("http://127.0.0.1:3090/sync"), "http://127.0.0.1:3090/events");
        assert_eq!(
            super::events_url("https://derms.example/api/v2/sync/"),
            "https://derms.example/api/v2/events"
        );
    }
}
