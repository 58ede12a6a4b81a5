//! Delivers customer asset sync messages from the outbox to the head-end.
//!
//! A message is claimed with a lease, POSTed with its idempotency key and signature, and marked
//! delivered on a 2xx answer. Any other answer, or none, schedules the next attempt with
//! exponential backoff. A crash between sending and marking leaves the lease to expire and the
//! message goes again: delivery is at least once, and the head-end takes effect once per
//! `Idempotency-Key`. Nothing is lost while the head-end is down or this server restarts: the
//! outbox is in the database.

use super::{signature, HeadEndConfig, ASSET_SYNC};
use crate::store::{OutboxMessage, Store, StoreError};
use std::time::Duration;

/// How long a claimed message is left to its sender before another may take it.
const LEASE_SECONDS: i64 = 60;
/// The first retry waits this long; each next one twice as long, up to [`MAX_BACKOFF_SECONDS`].
const FIRST_BACKOFF_SECONDS: i64 = 5;
const MAX_BACKOFF_SECONDS: i64 = 15 * 60;
/// How often the sender looks for due messages.
const POLL: Duration = Duration::from_secs(1);

/// The wait before attempt `attempts + 1`, after `attempts` failed ones.
pub fn backoff(attempts: i64) -> i64 {
    let doublings = u32::try_from(attempts.saturating_sub(1)).unwrap_or(u32::MAX).min(20);
    (FIRST_BACKOFF_SECONDS << doublings).min(MAX_BACKOFF_SECONDS)
}

/// What one round of delivery did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Round {
    pub delivered: u32,
    pub failed: u32,
}

/// Sends due sync messages to the configured head-end.
#[derive(Clone)]
pub struct HeadEndSender {
    store: Store,
    client: reqwest::Client,
    url: String,
    secret: Option<String>,
}

impl HeadEndSender {
    /// A sender, when a head-end URL is configured.
    pub fn new(store: Store, config: &HeadEndConfig) -> Option<Self> {
        let url = config.url.clone()?;
        if config.secret.is_none() {
            tracing::warn!("PEAKDAY_HEAD_END_SECRET is not set: sync messages go unsigned");
        }
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .expect("an HTTP client builds");
        Some(Self { store, client, url, secret: config.secret.clone() })
    }

    /// Sends every message due at `now` once; failures are scheduled again.
    pub async fn deliver_due(&self, now: i64) -> Result<Round, StoreError> {
        let mut round = Round::default();
        while let Some(message) = self.store.claim_message(ASSET_SYNC, now, LEASE_SECONDS).await? {
            match self.send(&message).await {
                Ok(()) => {
                    self.store.mark_delivered(message.id, now).await?;
                    round.delivered += 1;
                }
                Err(error) => {
                    let retry_at = now + backoff(message.attempts);
                    tracing::warn!(
                        key = message.idempotency_key,
                        attempts = message.attempts,
                        retry_in_seconds = retry_at - now,
                        %error,
                        "head-end sync not delivered"
                    );
                    self.store.mark_failed(message.id, retry_at, &error).await?;
                    round.failed += 1;
                }
            }
        }
        Ok(round)
    }

    async fn send(&self, message: &OutboxMessage) -> Result<(), String> {
        let mut request = self
            .client
            .post(&self.url)
            .header("content-type", "application/json")
            .header("idempotency-key", &message.idempotency_key)
            .body(message.payload.clone());
        if let Some(secret) = &self.secret {
            request = request
                .header(signature::HEADER, signature::sign(secret, message.payload.as_bytes()));
        }
        let response = request.send().await.map_err(|error| error.to_string())?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(format!("the head-end answered {}", response.status()))
        }
    }

    /// Delivers in the background for as long as the server runs. Several instances may run it:
    /// each message is leased to one.
    pub fn spawn(self) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let mut every = tokio::time::interval(POLL);
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                every.tick().await;
                if let Err(error) = self.deliver_due(crate::store::now()).await {
                    tracing::warn!(%error, "head-end delivery round failed");
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::backoff;

    #[test]
    fn retries_back_off_exponentially_up_to_fifteen_minutes() {
        let waits: Vec<i64> = (1..=10).map(backoff).collect();
        assert_eq!(waits, [5, 10, 20, 40, 80, 160, 320, 640, 900, 900]);
        assert_eq!(backoff(1_000), 900);
    }
}
