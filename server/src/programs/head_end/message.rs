//! The messages exchanged with the head-end, as JSON. The OpenAPI document is generated from
//! these types (`api`), so the document and the code cannot drift apart.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A customer asset sync request: sent whenever devices join or leave an
/// enrollment. POSTed to the head-end with `Idempotency-Key: <message_id>` and a signature;
/// the same message may arrive more than once and must take effect once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CustomerAssetSync {
    /// Unique per message; also the idempotency key.
    pub message_id: String,
    /// When the change was made (RFC 3339, UTC).
    pub created_at: String,
    pub account_number: String,
    pub enrollment: EnrollmentRef,
    pub devices: Vec<DeviceSync>,
}

/// The enrollment (subscription) a message is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EnrollmentRef {
    pub id: i64,
    pub program_id: i64,
    pub program_name: String,
    /// `demand_response` or `der_byod`.
    pub program_kind: String,
    /// `pending`, `enrolled` or `unenrolled`.
    pub status: String,
    /// The service point (premise) behind which the devices sit.
    pub service_point: String,
}

/// What to do with a device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SyncAction {
    Register,
    Deregister,
}

/// One device of a sync message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DeviceSync {
    pub device_id: i64,
    pub action: SyncAction,
    /// `thermostat`, `ev_charger`, `battery` or `solar_inverter`.
    pub kind: String,
    pub make: String,
    pub model: String,
    pub serial: String,
    /// How the head-end reaches the device.
    pub network_address: String,
    /// Capacity as a decimal, in `capacity_unit`.
    pub capacity: String,
    /// `kW`, or `kWh` for a battery.
    pub capacity_unit: String,
    /// The entity group the DERMS selects devices by.
    pub entity_group: String,
}

/// The head-end's acknowledgement of one sync message: a message-level status and a status per
/// device. Sent to `POST /api/v1/head-end/acknowledgements`, signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Acknowledgement {
    pub message_id: String,
    pub status: MessageStatus,
    /// Why a message was rejected.
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub devices: Vec<DeviceAcknowledgement>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MessageStatus {
    Accepted,
    /// The whole message was refused: every device in it failed, with the message's reason.
    Rejected,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DeviceAcknowledgement {
    pub device_id: i64,
    pub status: DeviceStatus,
    #[serde(default)]
    pub reason: Option<String>,
}

/// The head-end registration of one device after the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeviceStatus {
    Registered,
    Deregistered,
    Failed,
}

/// What an acknowledgement did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AcknowledgementResult {
    pub message_id: String,
    /// True when this acknowledgement was received before: nothing changed this time.
    pub replay: bool,
    /// Devices whose registration flag was set.
    pub applied: Vec<i64>,
    /// Devices a newer message has been sent about since: this answer no longer applies.
    pub superseded: Vec<i64>,
    /// Device ids this message did not carry or that do not exist.
    pub unknown_devices: Vec<i64>,
}

/// An error body: what was wrong, in a sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ApiError {
    pub error: String,
}
