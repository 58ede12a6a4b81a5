use crate::store::{now, StoreError};
use peakday_app::accounts::AccountId;
use peakday_app::programs::{
    Capacity, DeviceId, DeviceKind, EnrollmentId, EnrollmentStatus, EntityGroupSummary, ProgramId,
};
use sqlx::{AnyConnection, Row};

/// An enrollment that is pending or enrolled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEnrollment {
    pub id: EnrollmentId,
    pub account: AccountId,
    pub program_id: ProgramId,
    pub service_point_id: i64,
    pub service_point: String,
    pub status: EnrollmentStatus,
    /// The devices in it now, by id.
    pub devices: Vec<DeviceId>,
}

/// What enrollment needs to know of an account besides its devices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceSites {
    pub account_number: String,
    pub life_support: bool,
    /// The electric service points devices may sit behind.
    pub locations: Vec<DeviceLocation>,
}

/// An account's service point that devices may sit behind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceLocation {
    pub id: i64,
    pub number: String,
    pub rate_class: String,
}

/// The account's live enrollments, oldest first.
pub async fn live_enrollments_of(
    conn: &mut AnyConnection,
    account: AccountId,
) -> Result<Vec<StoredEnrollment>, StoreError> {
    let rows = sqlx::query(
        "SELECT e.id, e.account_id, e.program_id, e.service_point_id, sp.service_point_number, \
         e.status FROM enrollments e JOIN service_points sp ON sp.id = e.service_point_id \
         WHERE e.account_id = $1 AND e.status <> 'unenrolled' ORDER BY e.id",
    )
    .bind(account.0)
    .fetch_all(&mut *conn)
    .await?;
    // Every live enrollment's devices in one query, not one per enrollment.
    let members = sqlx::query(
        "SELECT ed.enrollment_id, ed.device_id FROM enrollment_devices ed \
         JOIN enrollments e ON e.id = ed.enrollment_id \
         WHERE e.account_id = $1 AND e.status <> 'unenrolled' AND ed.removed_at IS NULL \
         ORDER BY ed.device_id",
    )
    .bind(account.0)
    .fetch_all(&mut *conn)
    .await?;
    let mut enrollments = Vec::with_capacity(rows.len());
    for row in &rows {
        let id: i64 = row.try_get("id")?;
        let status: String = row.try_get("status")?;
        let mut devices = Vec::new();
        for member in &members {
            if member.try_get::<i64, _>("enrollment_id")? == id {
                devices.push(DeviceId(member.try_get("device_id")?));
            }
        }
        enrollments.push(StoredEnrollment {
            id: EnrollmentId(id),
            account: AccountId(row.try_get("account_id")?),
            program_id: ProgramId(row.try_get("program_id")?),
            service_point_id: row.try_get("service_point_id")?,
            service_point: row.try_get("service_point_number")?,
            status: EnrollmentStatus::parse(&status).ok_or_else(|| {
                StoreError::Corrupt(format!("enrollment {id}: status {status:?}"))
            })?,
            devices,
        });
    }
    Ok(enrollments)
}

pub async fn device_sites_of(
    conn: &mut AnyConnection,
    account: AccountId,
) -> Result<DeviceSites, StoreError> {
    let row = sqlx::query("SELECT account_number, life_support FROM accounts WHERE id = $1")
        .bind(account.0)
        .fetch_one(&mut *conn)
        .await?;
    let rows = sqlx::query(
        "SELECT id, service_point_number, rate_class FROM service_points \
         WHERE account_id = $1 AND fuel = 'electric' ORDER BY service_point_number",
    )
    .bind(account.0)
    .fetch_all(&mut *conn)
    .await?;
    let locations = rows
        .iter()
        .map(|row| {
            Ok(DeviceLocation {
                id: row.try_get("id")?,
                number: row.try_get("service_point_number")?,
                rate_class: row.try_get("rate_class")?,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    Ok(DeviceSites {
        account_number: row.try_get("account_number")?,
        life_support: row.try_get::<i64, _>("life_support")? != 0,
        locations,
    })
}

pub async fn set_life_support(
    conn: &mut AnyConnection,
    account: AccountId,
    flag: bool,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE accounts SET life_support = $1 WHERE id = $2")
        .bind(i64::from(flag))
        .bind(account.0)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn insert_enrollment(
    conn: &mut AnyConnection,
    account: AccountId,
    program: ProgramId,
    service_point_id: i64,
) -> Result<EnrollmentId, StoreError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO enrollments (account_id, program_id, service_point_id, status, created_at) \
         VALUES ($1, $2, $3, 'pending', $4) RETURNING id",
    )
    .bind(account.0)
    .bind(program.0)
    .bind(service_point_id)
    .bind(now())
    .fetch_one(&mut *conn)
    .await
    .map(EnrollmentId)?)
}

pub async fn set_enrollment_status(
    conn: &mut AnyConnection,
    enrollment: EnrollmentId,
    status: EnrollmentStatus,
) -> Result<(), StoreError> {
    let at = now();
    sqlx::query(
        "UPDATE enrollments SET status = $1, \
         enrolled_at = CASE WHEN $1 = 'enrolled' THEN COALESCE(enrolled_at, $2) ELSE enrolled_at END, \
         unenrolled_at = CASE WHEN $1 = 'unenrolled' THEN $2 ELSE unenrolled_at END \
         WHERE id = $3",
    )
    .bind(status.as_str())
    .bind(at)
    .bind(enrollment.0)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn add_enrollment_device(
    conn: &mut AnyConnection,
    enrollment: EnrollmentId,
    device: DeviceId,
    entity_group: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO enrollment_devices (enrollment_id, device_id, entity_group, added_at) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(enrollment.0)
    .bind(device.0)
    .bind(entity_group)
    .bind(now())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn remove_enrollment_device(
    conn: &mut AnyConnection,
    enrollment: EnrollmentId,
    device: DeviceId,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE enrollment_devices SET removed_at = $1 \
         WHERE enrollment_id = $2 AND device_id = $3 AND removed_at IS NULL",
    )
    .bind(now())
    .bind(enrollment.0)
    .bind(device.0)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Every entity group with its live devices and their total capacity.
pub async fn entity_groups(
    conn: &mut AnyConnection,
) -> Result<Vec<EntityGroupSummary>, StoreError> {
    let rows = sqlx::query(
        "SELECT ed.entity_group, p.name AS program, d.kind, COUNT(*) AS devices, \
         CAST(SUM(d.capacity_tenths) AS BIGINT) AS capacity \
         FROM enrollment_devices ed JOIN devices d ON d.id = ed.device_id \
         JOIN enrollments e ON e.id = ed.enrollment_id JOIN programs p ON p.id = e.program_id \
         WHERE ed.removed_at IS NULL GROUP BY ed.entity_group, p.name, d.kind \
         ORDER BY ed.entity_group",
    )
    .fetch_all(&mut *conn)
    .await?;
    // SUM of BIGINT is NUMERIC on PostgreSQL, which the Any driver cannot decode: cast back.
    rows.iter()
        .map(|row| {
            let kind: String = row.try_get("kind")?;
            Ok(EntityGroupSummary {
                group: row.try_get("entity_group")?,
                program: row.try_get("program")?,
                kind: DeviceKind::parse(&kind)
                    .ok_or_else(|| StoreError::Corrupt(format!("device kind {kind:?}")))?,
                devices: row.try_get::<i64, _>("devices")? as u32,
                total_capacity: Capacity(row.try_get::<i64, _>("capacity")? as u32),
            })
        })
        .collect()
}

/// The response given to head-end message `message_id`'s acknowledgement, if one came.
pub async fn acknowledgement(
    conn: &mut AnyConnection,
    message_id: &str,
) -> Result<Option<String>, StoreError> {
    Ok(sqlx::query_scalar("SELECT response FROM head_end_acknowledgements WHERE message_id = $1")
        .bind(message_id)
        .fetch_optional(&mut *conn)
        .await?)
}

pub async fn record_acknowledgement(
    conn: &mut AnyConnection,
    message_id: &str,
    response: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO head_end_acknowledgements (message_id, received_at, response) VALUES ($1, $2, $3)",
    )
    .bind(message_id)
    .bind(now())
    .bind(response)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
