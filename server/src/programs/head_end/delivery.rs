//! Delivers customer asset sync messages and event messages from the outbox to the head-end.
//!
//! A message is claimed with a lease, POSTed with its idempotency key and signature, and marked
//! delivered on a 2xx answer. Any other answer, or none, schedules the next attempt with
//! exponential backoff. A crash between sending and marking leaves the lease to expire and the
//! message goes again: delivery is at least once, and the head-end takes effect once per
//! `Idempotency-Key`. Nothing is lost while the head-end is down or this server restarts: the
//! outbox is in the database.

use super::signature::{self, Direction};
use super::{HeadEndConfig, ASSET_SYNC};
use crate::events::derms::DERMS_EVENT;
use crate::store::outbox;
use crate::store::{OutboxMessage, Store, StoreError};
use std::time::Duration;
use tokio::task::JoinSet;

/// How long the head-end has to answer one POST.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a claimed message is left to its sender before another may take it: well past
/// the request timeout, so a slow answer never lets a second sender start on the same message.
const LEASE_SECONDS: i64 = 60;
const _: () = assert!(LEASE_SECONDS as u64 > 3 * REQUEST_TIMEOUT.as_secs());
/// Messages of different ordering keys (accounts) in flight at once.
const IN_FLIGHT: usize = 8;
/// After this many failed attempts (about 4 hours at the backoff's 15-minute cap) a message is
/// set aside for an operator; it holds back its account's later messages until sent or discarded.
pub const MAX_ATTEMPTS: i64 = 25;
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

/// Why a sender cannot start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SenderConfigError {
    #[error("PEAKDAY_HEAD_END_URL is set but PEAKDAY_HEAD_END_SECRET is not: messages would go unsigned")]
    NoSecret,
    #[error(transparent)]
    ShortSecret(#[from] signature::ShortSecret),
}

/// Sends due sync messages to the configured head-end.
#[derive(Clone)]
pub struct HeadEndSender {
    store: Store,
    client: reqwest::Client,
    url: String,
    /// Where event messages go (see `events_url`).
    events_url: String,
    secret: String,
}

impl HeadEndSender {
    /// A sender, when a head-end URL is configured (`Ok(None)` when not). A sender never sends
    /// unsigned, nor with a secret too short to trust.
    pub fn new(store: Store, config: &HeadEndConfig) -> Result<Option<Self>, SenderConfigError> {
        let Some(url) = config.url.clone() else { return Ok(None) };
        let secret = config.secret.clone().ok_or(SenderConfigError::NoSecret)?;
        signature::check_secret(&secret)?;
        let client = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .build()
            .expect("an HTTP client builds");
        let events_url = super::events_url(&url);
        Ok(Some(Self { store, client, url, events_url, secret }))
    }

    /// Sends every message due now once, different accounts' messages at the same time (up to
    /// [`IN_FLIGHT`]); failures are scheduled again, or set aside after [`MAX_ATTEMPTS`].
    pub async fn deliver_due(&self) -> Result<Round, StoreError> {
        self.deliver_round(crate::store::now).await
    }

    /// [`HeadEndSender::deliver_due`] as if the clock read `now` throughout (tests play out
    /// backoffs and leases this way).
    pub async fn deliver_due_at(&self, now: i64) -> Result<Round, StoreError> {
        self.deliver_round(move || now).await
    }

    async fn deliver_round(
        &self,
        clock: impl Fn() -> i64 + Clone + Send + Sync + 'static,
    ) -> Result<Round, StoreError> {
        let mut round = Round::default();
        let mut in_flight = JoinSet::new();
        loop {
            // The clock is read at each claim: a round that takes a while neither hands out
            // leases that have already run out nor schedules retries early.
            let claimed = if in_flight.len() < IN_FLIGHT {
                match outbox::claim(&self.store, ASSET_SYNC, clock(), LEASE_SECONDS).await? {
                    Some(message) => Some(message),
                    None => outbox::claim(&self.store, DERMS_EVENT, clock(), LEASE_SECONDS).await?,
                }
            } else {
                None
            };
            match claimed {
                Some(message) => {
                    let (sender, clock) = (self.clone(), clock.clone());
                    in_flight.spawn(async move { sender.deliver(message, clock).await });
                }
                None => match in_flight.join_next().await {
                    Some(outcome) => match outcome.expect("a delivery task does not panic")? {
                        true => round.delivered += 1,
                        false => round.failed += 1,
                    },
                    None => return Ok(round),
                },
            }
        }
    }

    /// Sends one claimed message and records how it went; returns whether it was delivered.
    async fn deliver(
        &self,
        message: OutboxMessage,
        clock: impl Fn() -> i64,
    ) -> Result<bool, StoreError> {
        let lease = message.lease_token.clone().unwrap_or_default();
        match self.send(&message).await {
            Ok(()) => {
                if !outbox::mark_delivered(
                    &mut *self.store.write().await?,
                    message.id,
                    &lease,
                    clock(),
                )
                .await?
                {
                    tracing::warn!(
                        key = message.idempotency_key,
                        "lease lost before delivery was recorded"
                    );
                }
                Ok(true)
            }
            Err(error) => {
                let now = clock();
                let retry_at = now + backoff(message.attempts);
                let dead = (message.attempts >= MAX_ATTEMPTS).then_some(now);
                if dead.is_some() {
                    tracing::error!(
                        key = message.idempotency_key,
                        attempts = message.attempts,
                        %error,
                        "head-end sync set aside after too many attempts: an operator must send it again or discard it"
                    );
                } else {
                    tracing::warn!(
                        key = message.idempotency_key,
                        attempts = message.attempts,
                        retry_in_seconds = retry_at - now,
                        %error,
                        "head-end sync not delivered"
                    );
                }
                outbox::mark_failed(
                    &mut *self.store.write().await?,
                    message.id,
                    &lease,
                    retry_at,
                    dead,
                    &error,
                )
                .await?;
                Ok(false)
            }
        }
    }

    async fn send(&self, message: &OutboxMessage) -> Result<(), String> {
        let signed = signature::sign(
            &self.secret,
            Direction::ToHeadEnd,
            crate::store::now(),
            message.payload.as_bytes(),
        );
        let request = self
            .client
            .post(if message.kind == DERMS_EVENT { &self.events_url } else { &self.url })
            .header("content-type", "application/json")
            .header("idempotency-key", &message.idempotency_key)
            .header(signature::HEADER, signed)
            .body(message.payload.clone());
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
                if let Err(error) = self.deliver_due().await {
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
