//! What the DERMS hears about events, as JSON through the outbox (sent by the head-end sender
//! with its signature and idempotency key, as registrations are). An event's messages share the
//! ordering key `event:<id>`, so an opt-out or a release never overtakes the dispatch it changes;
//! a dispatch is sent in pages of [`PAGE_SIZE`] devices, never as one unbounded body.

use crate::store::outbox;
use crate::store::{StoreError, Tx};
use peakday_app::events::EventId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The outbox kind of event messages to the DERMS.
pub const DERMS_EVENT: &str = "derms_event";
/// Devices in one dispatch page.
pub const PAGE_SIZE: usize = 1_000;

/// One message about an event (or a device's time away). POSTed to the DERMS's events endpoint
/// with `Idempotency-Key: <message_id>` and a signature; the same message may arrive more than
/// once and must take effect once. Messages of one event arrive in the order they were made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DermsEventMessage {
    /// Unique per message; also the idempotency key.
    pub message_id: String,
    /// When the change was made (RFC 3339, UTC).
    pub created_at: String,
    /// The event; absent for time away, which concerns a device.
    pub event_id: Option<i64>,
    pub change: DermsChange,
}

/// What changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum DermsChange {
    /// The event and one page of its reserved devices.
    Dispatch {
        program_id: i64,
        program_name: String,
        /// RFC 3339, UTC.
        starts_at: String,
        ends_at: String,
        /// The reduction asked for, kW as a decimal.
        target_kw: String,
        /// 1-based; `pages` in all.
        page: u32,
        pages: u32,
        devices: Vec<DispatchedDevice>,
    },
    /// Devices join the event's reservation after its dispatch.
    Join { devices: Vec<DispatchedDevice> },
    /// The account behind these devices opted out: leave them alone during the event.
    OptOut { device_ids: Vec<i64> },
    /// These devices leave the event (`unavailable`: time away; `cancelled`).
    Release { device_ids: Vec<i64>, reason: String },
    /// The device is away for this range: no event may use it.
    Unavailable { device_id: i64, starts_at: String, ends_at: String },
    /// The whole event is off.
    Cancel { reason: String },
}

/// A device the event uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DispatchedDevice {
    pub device_id: i64,
    /// The entity group the DERMS selects devices by.
    pub entity_group: String,
    /// How the DERMS reaches the device.
    pub network_address: String,
    /// Its capacity, kW as a decimal.
    pub capacity_kw: String,
}

/// RFC 3339 of unix seconds.
pub fn rfc3339(at: i64) -> String {
    jiff::Timestamp::from_second(at).unwrap_or(jiff::Timestamp::UNIX_EPOCH).to_string()
}

/// A fresh message id: `<prefix>-<32 hex digits>`.
pub fn message_id(prefix: &str) -> String {
    use rand::RngCore;
    let mut id = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut id);
    format!("{prefix}-{}", hex::encode(id))
}

/// Queues `change` in the transaction that made it. Messages about an event keep its order;
/// time away keeps the device's.
pub async fn queue(
    tx: &mut Tx,
    event: Option<EventId>,
    ordering: &str,
    message_id: String,
    change: DermsChange,
) -> Result<(), StoreError> {
    let message = DermsEventMessage {
        message_id,
        created_at: jiff::Timestamp::now().to_string(),
        event_id: event.map(|event| event.0),
        change,
    };
    let payload = serde_json::to_value(&message).expect("an event message serializes");
    outbox::enqueue(tx, DERMS_EVENT, &message.message_id, Some(ordering), &payload).await?;
    Ok(())
}

/// The ordering key of an event's messages.
pub fn event_order(event: EventId) -> String {
    format!("event:{}", event.0)
}
