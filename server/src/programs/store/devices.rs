use crate::store::{now, StoreError};
use peakday_app::accounts::AccountId;
use peakday_app::programs::{
    Capacity, Device, DeviceId, DeviceKind, EnrollmentId, NewDevice, Registration,
};
use sqlx::{AnyConnection, Row};

/// A device as stored, with what the services need beyond what people see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDevice {
    /// `last_sync` is left empty: times are shown in the utility's zone by the service.
    pub device: Device,
    pub account: AccountId,
    pub service_point_id: i64,
    pub rate_class: String,
    pub sync_message: Option<String>,
    pub last_sync_at: Option<i64>,
    /// The live enrollment the device is in.
    pub enrollment: Option<EnrollmentId>,
}

/// What a head-end acknowledgement may set on a device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationUpdate<'a> {
    pub registration: Registration,
    pub detail: Option<&'a str>,
    /// The message that now concerns the device (when sending), or `None` to keep it.
    pub sync_message: Option<&'a str>,
    /// When the head-end answered (when acknowledged).
    pub synced_at: Option<i64>,
    /// Only if the device is still about this message (an acknowledgement's): a newer message
    /// sent meanwhile wins, even when the two race on separate connections.
    pub if_message: Option<&'a str>,
}

const DEVICE_COLUMNS: &str = "SELECT d.id, d.account_id, d.service_point_id, \
     sp.service_point_number, sp.rate_class, d.kind, d.make, d.model, d.serial, \
     d.network_address, d.capacity_tenths, d.registration, d.registration_detail, \
     d.sync_message, d.last_sync_at, ed.enrollment_id, ed.entity_group, p.name AS program_name \
     FROM devices d JOIN service_points sp ON sp.id = d.service_point_id \
     LEFT JOIN enrollment_devices ed ON ed.device_id = d.id AND ed.removed_at IS NULL \
     LEFT JOIN enrollments e ON e.id = ed.enrollment_id \
     LEFT JOIN programs p ON p.id = e.program_id";

/// An account's devices (not removed), oldest first.
pub async fn devices_of(
    conn: &mut AnyConnection,
    account: AccountId,
) -> Result<Vec<StoredDevice>, StoreError> {
    let rows = sqlx::query(&format!(
        "{DEVICE_COLUMNS} WHERE d.account_id = $1 AND d.removed_at IS NULL ORDER BY d.id"
    ))
    .bind(account.0)
    .fetch_all(conn)
    .await?;
    rows.iter().map(stored_device).collect()
}

/// One device by id, whoever owns it (for head-end acknowledgements).
pub async fn device(
    conn: &mut AnyConnection,
    id: DeviceId,
) -> Result<Option<StoredDevice>, StoreError> {
    let row = sqlx::query(&format!("{DEVICE_COLUMNS} WHERE d.id = $1"))
        .bind(id.0)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(stored_device).transpose()
}

/// Whether a device of this make and serial is registered (and not removed) already.
/// The account and number of the account that has a device of this make and serial, if
/// any has.
pub async fn serial_owner(
    conn: &mut AnyConnection,
    make: &str,
    serial: &str,
) -> Result<Option<(AccountId, String)>, StoreError> {
    let row: Option<(i64, String)> = sqlx::query_as(
        "SELECT a.id, a.account_number FROM devices d JOIN accounts a ON a.id = d.account_id \
         WHERE lower(d.make) = lower($1) AND d.serial = $2 AND d.removed_at IS NULL",
    )
    .bind(make)
    .bind(serial)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(|(id, number)| (AccountId(id), number)))
}

pub async fn insert_device(
    conn: &mut AnyConnection,
    account: AccountId,
    service_point_id: i64,
    device: &NewDevice,
) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO devices (account_id, service_point_id, kind, make, model, serial, \
         network_address, capacity_tenths, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(account.0)
    .bind(service_point_id)
    .bind(device.kind.as_str())
    .bind(&device.make)
    .bind(&device.model)
    .bind(&device.serial)
    .bind(&device.network_address)
    .bind(i64::from(device.capacity.0))
    .bind(now())
    .fetch_one(&mut *conn)
    .await?)
}

pub async fn remove_device(conn: &mut AnyConnection, id: DeviceId) -> Result<(), StoreError> {
    sqlx::query("UPDATE devices SET removed_at = $1 WHERE id = $2")
        .bind(now())
        .bind(id.0)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Sets a device's registration; returns false when `if_message` named a message the
/// device is no longer about (nothing changed).
pub async fn set_registration(
    conn: &mut AnyConnection,
    device: DeviceId,
    update: &RegistrationUpdate<'_>,
) -> Result<bool, StoreError> {
    let result = sqlx::query(
        "UPDATE devices SET registration = $1, registration_detail = $2, \
         sync_message = COALESCE($3, sync_message), last_sync_at = COALESCE($4, last_sync_at) \
         WHERE id = $5 AND ($6 IS NULL OR sync_message = $6)",
    )
    .bind(update.registration.as_str())
    .bind(update.detail)
    .bind(update.sync_message)
    .bind(update.synced_at)
    .bind(device.0)
    .bind(update.if_message)
    .execute(&mut *conn)
    .await?;
    Ok(result.rows_affected() == 1)
}

fn stored_device(row: &sqlx::any::AnyRow) -> Result<StoredDevice, StoreError> {
    let id: i64 = row.try_get("id")?;
    let corrupt =
        |what: &str, value: &str| StoreError::Corrupt(format!("device {id}: {what} {value:?}"));
    let kind: String = row.try_get("kind")?;
    let registration: String = row.try_get("registration")?;
    let capacity: i64 = row.try_get("capacity_tenths")?;
    Ok(StoredDevice {
        device: Device {
            id: DeviceId(id),
            kind: DeviceKind::parse(&kind).ok_or_else(|| corrupt("kind", &kind))?,
            make: row.try_get("make")?,
            model: row.try_get("model")?,
            serial: row.try_get("serial")?,
            network_address: row.try_get("network_address")?,
            capacity: Capacity(
                u32::try_from(capacity).map_err(|_| corrupt("capacity", &capacity.to_string()))?,
            ),
            service_point: row.try_get("service_point_number")?,
            registration: Registration::parse(&registration)
                .ok_or_else(|| corrupt("registration", &registration))?,
            registration_detail: row.try_get("registration_detail")?,
            last_sync: None,
            enrolled_in: row.try_get("program_name")?,
            entity_group: row.try_get("entity_group")?,
        },
        account: AccountId(row.try_get("account_id")?),
        service_point_id: row.try_get("service_point_id")?,
        rate_class: row.try_get("rate_class")?,
        sync_message: row.try_get("sync_message")?,
        last_sync_at: row.try_get("last_sync_at")?,
        enrollment: row.try_get::<Option<i64>, _>("enrollment_id")?.map(EnrollmentId),
    })
}
