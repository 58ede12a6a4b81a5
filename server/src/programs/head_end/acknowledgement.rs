//! Applying the head-end's acknowledgement: each device's registration flag set to what the
//! head-end reports, once. A replayed acknowledgement answers what the first one did and
//! changes nothing; an answer about a device that a newer message has been sent about is
//! superseded; ids the message did not carry come back as unknown.

use super::message::{
    Acknowledgement, AcknowledgementResult, CustomerAssetSync, DeviceStatus, MessageStatus,
    SyncAction,
};
use crate::accounts;
use crate::programs::store;
use crate::programs::store::{RegistrationUpdate, StoredDevice};
use crate::store::audit;
use crate::store::audit_entry;
use crate::store::outbox;
use crate::store::{Store, StoreError, Tx};
use peakday_app::activity::{Actor, ChangeSource};
use peakday_app::change::AuditRecord;
use peakday_app::programs::{DeviceId, EnrollmentId, EnrollmentStatus, Registration};
use std::collections::BTreeMap;

#[derive(Debug, thiserror::Error)]
pub enum AcknowledgementError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("no sync message {0:?} was sent")]
    UnknownMessage(String),
}

/// Applies `ack` in one transaction.
pub async fn apply(
    store: &Store,
    ack: &Acknowledgement,
) -> Result<AcknowledgementResult, AcknowledgementError> {
    let mut tx = store.begin_write().await?;
    if let Some(previous) = store::acknowledgement(&mut tx, &ack.message_id).await? {
        let mut result: AcknowledgementResult = serde_json::from_str(&previous)
            .map_err(|error| StoreError::Corrupt(format!("stored acknowledgement: {error}")))?;
        result.replay = true;
        return Ok(result);
    }
    let payload = outbox::message_payload(&mut tx, &ack.message_id)
        .await?
        .ok_or_else(|| AcknowledgementError::UnknownMessage(ack.message_id.clone()))?;
    let message: CustomerAssetSync = serde_json::from_str(&payload).map_err(|error| {
        StoreError::Corrupt(format!("sync message {}: {error}", ack.message_id))
    })?;
    // The account's changes take this lock too: an acknowledgement and a change to the same
    // devices never interleave on PostgreSQL.
    accounts::store::lock_account_number(&mut tx, &message.account_number).await?;
    let statuses = device_statuses(ack, &message);
    let mut result = AcknowledgementResult {
        message_id: ack.message_id.clone(),
        replay: false,
        applied: Vec::new(),
        superseded: Vec::new(),
        unknown_devices: Vec::new(),
    };
    let now = crate::store::now();
    let mut enrollments = Vec::new();
    for (device_id, (status, reason)) in statuses {
        let carried = message.devices.iter().find(|device| device.device_id == device_id);
        let stored = store::device(&mut tx, DeviceId(device_id)).await?;
        let (Some(carried), Some(stored)) = (carried, stored) else {
            result.unknown_devices.push(device_id);
            continue;
        };
        if stored.sync_message.as_deref() != Some(ack.message_id.as_str()) {
            result.superseded.push(device_id);
            continue;
        }
        let registration = match status {
            DeviceStatus::Registered => Registration::Registered,
            DeviceStatus::Deregistered => Registration::Deregistered,
            DeviceStatus::Failed => Registration::Failed,
        };
        let detail = (status == DeviceStatus::Failed)
            .then(|| reason.clone().unwrap_or_else(|| "The head-end gave no reason.".to_owned()));
        let update = RegistrationUpdate {
            registration,
            detail: detail.as_deref(),
            sync_message: None,
            synced_at: Some(now),
            if_message: Some(&ack.message_id),
        };
        if !store::set_registration(&mut tx, DeviceId(device_id), &update).await? {
            result.superseded.push(device_id);
            continue;
        }
        audit(&mut tx, &stored, registration, detail.as_deref(), carried.action).await?;
        if let Some(enrollment) = stored.enrollment {
            enrollments.push((enrollment, stored.account));
        }
        result.applied.push(device_id);
    }
    enrollments.sort_unstable();
    enrollments.dedup();
    for (enrollment, account) in enrollments {
        confirm_when_registered(&mut tx, enrollment, account).await?;
    }
    // Registered into a confirmed enrollment, a device joins its program's events still to
    // come; de-registered or failed, it leaves them.
    for device in &result.applied {
        crate::events::service::follow_registration(store, &mut tx, DeviceId(*device)).await?;
    }
    let response = serde_json::to_string(&result).expect("a result serializes");
    store::record_acknowledgement(&mut tx, &ack.message_id, &response).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(result)
}

/// Each device's status: as listed, or for a rejected message every device it carried, failed.
fn device_statuses(
    ack: &Acknowledgement,
    message: &CustomerAssetSync,
) -> BTreeMap<i64, (DeviceStatus, Option<String>)> {
    let mut statuses: BTreeMap<i64, (DeviceStatus, Option<String>)> = ack
        .devices
        .iter()
        .map(|device| (device.device_id, (device.status, device.reason.clone())))
        .collect();
    if ack.status == MessageStatus::Rejected {
        let reason =
            ack.reason.clone().or_else(|| Some("The head-end rejected the request.".to_owned()));
        for device in &message.devices {
            statuses.entry(device.device_id).or_insert((DeviceStatus::Failed, reason.clone()));
        }
    }
    statuses
}

/// A pending enrollment becomes enrolled once the head-end has registered every device in it.
async fn confirm_when_registered(
    tx: &mut Tx,
    enrollment: EnrollmentId,
    account: peakday_app::accounts::AccountId,
) -> Result<(), StoreError> {
    let live = store::live_enrollments_of(tx, account).await?;
    let Some(enrollment) = live.into_iter().find(|e| e.id == enrollment) else { return Ok(()) };
    if enrollment.status != EnrollmentStatus::Pending {
        return Ok(());
    }
    let devices = store::devices_of(tx, account).await?;
    let all_registered = enrollment.devices.iter().all(|id| {
        devices
            .iter()
            .any(|d| d.device.id == *id && d.device.registration == Registration::Registered)
    });
    if all_registered && !enrollment.devices.is_empty() {
        store::set_enrollment_status(tx, enrollment.id, EnrollmentStatus::Enrolled).await?;
    }
    Ok(())
}

async fn audit(
    tx: &mut Tx,
    device: &StoredDevice,
    registration: Registration,
    detail: Option<&str>,
    action: SyncAction,
) -> Result<(), StoreError> {
    let title = device.device.title();
    let summary = match (registration, action) {
        (Registration::Registered, _) => format!("The head-end registered your {title}"),
        (Registration::Deregistered, _) => format!("The head-end de-registered your {title}"),
        (_, SyncAction::Register) => format!("The head-end could not register your {title}"),
        (_, SyncAction::Deregister) => format!("The head-end could not de-register your {title}"),
    };
    let label = format!("Head-end registration of {title}");
    let field = |value: &'static str| {
        let mut fields = vec![(label.as_str(), value)];
        fields.extend(detail.map(|detail| ("Reason", detail)));
        fields
    };
    let record = AuditRecord::new("device.registration", summary)
        .before(&field(device.device.registration.label()))
        .after(&field(registration.label()));
    let actor = Actor { user_id: None, source: ChangeSource::Api };
    audit::append_audit(tx, &audit_entry(actor, Some(device.account), &record)).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::programs::head_end::message::{DeviceAcknowledgement, DeviceSync, EnrollmentRef};

    fn message(devices: &[i64]) -> CustomerAssetSync {
        CustomerAssetSync {
            message_id: "sync-1".into(),
            created_at: "2026-11-28T12:00:00Z".into(),
            account_number: "3000012345".into(),
            enrollment: EnrollmentRef {
                id: 1,
                program_id: 1,
                program_name: "Smart Thermostat Rewards".into(),
                program_kind: "demand_response".into(),
                status: "pending".into(),
                service_point: "SP-1000001".into(),
            },
            devices: devices
                .iter()
                .map(|id| DeviceSync {
                    device_id: *id,
                    action: SyncAction::Register,
                    kind: "thermostat".into(),
                    make: "ecobee".into(),
                    model: "Premium".into(),
                    serial: format!("EB-{id}"),
                    network_address: "10.0.0.1".into(),
                    capacity: "3.5".into(),
                    capacity_unit: "kW".into(),
                    entity_group: "p1-thermostat-m-r-ptr".into(),
                })
                .collect(),
        }
    }

    #[test]
    fn a_rejected_message_fails_every_device_it_carried_with_its_reason() {
        let ack = Acknowledgement {
            message_id: "sync-1".into(),
            status: MessageStatus::Rejected,
            reason: Some("Unknown premise SP-1000001".into()),
            devices: vec![DeviceAcknowledgement {
                device_id: 7,
                status: DeviceStatus::Registered,
                reason: None,
            }],
        };
        let statuses = device_statuses(&ack, &message(&[7, 8]));
        assert_eq!(statuses[&7], (DeviceStatus::Registered, None), "a device's own status stands");
        assert_eq!(statuses[&8], (DeviceStatus::Failed, Some("Unknown premise SP-1000001".into())));
    }

    #[test]
    fn an_accepted_message_sets_only_the_devices_listed() {
        let ack = Acknowledgement {
            message_id: "sync-1".into(),
            status: MessageStatus::Accepted,
            reason: None,
            devices: vec![DeviceAcknowledgement {
                device_id: 8,
                status: DeviceStatus::Failed,
                reason: Some("offline".into()),
            }],
        };
        let statuses = device_statuses(&ack, &message(&[7, 8]));
        assert_eq!(statuses.len(), 1);
        assert_eq!(statuses[&8], (DeviceStatus::Failed, Some("offline".into())));
    }
}
