//! The SQL of peak days, as free functions over a connection (a transaction derefs to one).
//! Queries are written once for both databases (see `crate::store`).

use crate::store::{now, placeholders, StoreError, ROWS_PER_STATEMENT};
use peakday_app::accounts::AccountId;
use peakday_app::activity::Actor;
use peakday_app::events::{
    Candidate, DeviceState, EventId, HistoryEntry, ParticipationTally, ProposedEvent, Reservable,
    Span, Tally, TimeAwayId,
};
use peakday_app::programs::{
    CalendarDate, Capacity, DeviceId, EnrollmentStatus, ProgramId, Registration,
};
use sqlx::{AnyConnection, Row};
use std::collections::BTreeMap;

/// An event as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    pub id: EventId,
    pub program: ProgramId,
    pub day: CalendarDate,
    pub span: Span,
    pub notice_at: i64,
    pub target: Capacity,
    pub groups: Vec<String>,
    pub cancelled_at: Option<i64>,
    pub cancel_reason: Option<String>,
}

const EVENT_COLUMNS: &str = "id, program_id, day, starts_at, ends_at, notice_at, target_tenths, \
     entity_groups, cancelled_at, cancel_reason";

fn stored_event(row: &sqlx::any::AnyRow) -> Result<StoredEvent, StoreError> {
    let id: i64 = row.try_get("id")?;
    let corrupt = |what: &str| StoreError::Corrupt(format!("event {id}: {what}"));
    let day: String = row.try_get("day")?;
    let groups: String = row.try_get("entity_groups")?;
    Ok(StoredEvent {
        id: EventId(id),
        program: ProgramId(row.try_get("program_id")?),
        day: CalendarDate::parse(&day).ok_or_else(|| corrupt("day"))?,
        span: Span::new(row.try_get("starts_at")?, row.try_get("ends_at")?),
        notice_at: row.try_get("notice_at")?,
        target: Capacity(tenths(row.try_get("target_tenths")?)),
        groups: serde_json::from_str(&groups).map_err(|_| corrupt("entity groups"))?,
        cancelled_at: row.try_get("cancelled_at")?,
        cancel_reason: row.try_get("cancel_reason")?,
    })
}

fn tenths(value: i64) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

/// The event, if it exists.
pub async fn event(
    conn: &mut AnyConnection,
    id: EventId,
) -> Result<Option<StoredEvent>, StoreError> {
    let row = sqlx::query(&format!("SELECT {EVENT_COLUMNS} FROM events WHERE id = $1"))
        .bind(id.0)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(stored_event).transpose()
}

/// The program's events, newest first.
pub async fn events_of_program(
    conn: &mut AnyConnection,
    program: ProgramId,
) -> Result<Vec<StoredEvent>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {EVENT_COLUMNS} FROM events WHERE program_id = $1 ORDER BY starts_at DESC, id DESC"
    ))
    .bind(program.0)
    .fetch_all(conn)
    .await?;
    rows.iter().map(stored_event).collect()
}

/// The program's events not cancelled that overlap `span`.
pub async fn live_events_overlapping(
    conn: &mut AnyConnection,
    program: ProgramId,
    span: Span,
) -> Result<Vec<StoredEvent>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {EVENT_COLUMNS} FROM events WHERE program_id = $1 AND cancelled_at IS NULL \
         AND starts_at < $2 AND ends_at > $3 ORDER BY starts_at, id"
    ))
    .bind(program.0)
    .bind(span.ends_at)
    .bind(span.starts_at)
    .fetch_all(conn)
    .await?;
    rows.iter().map(stored_event).collect()
}

/// The program's events in `[from, to]` (calendar days) that are not cancelled.
pub async fn called_between(
    conn: &mut AnyConnection,
    program: ProgramId,
    from: CalendarDate,
    to: CalendarDate,
) -> Result<u32, StoreError> {
    let count: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM events WHERE program_id = $1 AND cancelled_at IS NULL \
         AND day >= $2 AND day <= $3",
    )
    .bind(program.0)
    .bind(from.iso())
    .bind(to.iso())
    .fetch_one(conn)
    .await?;
    Ok(tenths(count))
}

/// Every device in the program's live enrollments, as the reservation rule sees it for an event
/// over `span`: its time away and its places in other events overlapping it; beside them, each
/// one's network address (for the DERMS).
pub async fn program_devices(
    conn: &mut AnyConnection,
    program: ProgramId,
    span: Span,
) -> Result<(Vec<Reservable>, Vec<String>), StoreError> {
    devices_of_program(conn, program, span, None).await
}

/// [`program_devices`], of one device (none when it is not in the program now).
pub async fn program_device(
    conn: &mut AnyConnection,
    program: ProgramId,
    span: Span,
    device: DeviceId,
) -> Result<Option<(Reservable, String)>, StoreError> {
    let (mut devices, mut addresses) =
        devices_of_program(conn, program, span, Some(device)).await?;
    Ok(devices.pop().zip(addresses.pop()))
}

async fn devices_of_program(
    conn: &mut AnyConnection,
    program: ProgramId,
    span: Span,
    only: Option<DeviceId>,
) -> Result<(Vec<Reservable>, Vec<String>), StoreError> {
    // An id is a number: written into the text, it cannot change the query's meaning.
    let only = only.map(|device| format!(" AND d.id = {}", device.0)).unwrap_or_default();
    let rows = sqlx::query(&format!(
        "SELECT d.id, d.account_id, d.capacity_tenths, d.registration, d.network_address, \
         ed.entity_group, e.status FROM enrollments e \
         JOIN enrollment_devices ed ON ed.enrollment_id = e.id AND ed.removed_at IS NULL \
         JOIN devices d ON d.id = ed.device_id AND d.removed_at IS NULL \
         WHERE e.program_id = $1 AND e.status <> 'unenrolled'{only} ORDER BY d.id"
    ))
    .bind(program.0)
    .fetch_all(&mut *conn)
    .await?;
    let away = sqlx::query(
        "SELECT t.device_id, t.starts_at, t.ends_at FROM time_away t \
         JOIN enrollment_devices ed ON ed.device_id = t.device_id AND ed.removed_at IS NULL \
         JOIN enrollments e ON e.id = ed.enrollment_id \
         WHERE e.program_id = $1 AND e.status <> 'unenrolled' AND t.cancelled_at IS NULL \
         AND t.starts_at < $3 AND t.ends_at > $2",
    )
    .bind(program.0)
    .bind(span.starts_at)
    .bind(span.ends_at)
    .fetch_all(&mut *conn)
    .await?;
    let mut away_of: BTreeMap<i64, Vec<Span>> = BTreeMap::new();
    for row in &away {
        let span = Span::new(row.try_get("starts_at")?, row.try_get("ends_at")?);
        away_of.entry(row.try_get("device_id")?).or_default().push(span);
    }
    let elsewhere = sqlx::query(
        "SELECT ed.device_id, ev.id, ev.starts_at, ev.ends_at FROM event_devices ed \
         JOIN events ev ON ev.id = ed.event_id \
         WHERE ed.state = 'reserved' AND ev.cancelled_at IS NULL \
         AND ev.starts_at < $2 AND ev.ends_at > $1",
    )
    .bind(span.starts_at)
    .bind(span.ends_at)
    .fetch_all(&mut *conn)
    .await?;
    let mut reserved_for: BTreeMap<i64, Vec<(EventId, Span)>> = BTreeMap::new();
    for row in &elsewhere {
        let span = Span::new(row.try_get("starts_at")?, row.try_get("ends_at")?);
        reserved_for
            .entry(row.try_get("device_id")?)
            .or_default()
            .push((EventId(row.try_get("id")?), span));
    }
    let mut devices = Vec::with_capacity(rows.len());
    let mut addresses = Vec::with_capacity(rows.len());
    for row in &rows {
        let id: i64 = row.try_get("id")?;
        let corrupt = |what: &str| StoreError::Corrupt(format!("device {id}: {what}"));
        let registration: String = row.try_get("registration")?;
        let status: String = row.try_get("status")?;
        let candidate = Candidate {
            enrollment: Some((
                program,
                EnrollmentStatus::parse(&status).ok_or_else(|| corrupt("enrollment status"))?,
            )),
            registration: Registration::parse(&registration)
                .ok_or_else(|| corrupt("registration"))?,
            entity_group: Some(row.try_get("entity_group")?),
            unavailable: away_of.remove(&id).unwrap_or_default(),
            opted_out: false,
            reserved_for: reserved_for.remove(&id).unwrap_or_default(),
        };
        devices.push(Reservable {
            device: DeviceId(id),
            account: AccountId(row.try_get("account_id")?),
            capacity: Capacity(tenths(row.try_get("capacity_tenths")?)),
            candidate,
        });
        addresses.push(row.try_get("network_address")?);
    }
    Ok((devices, addresses))
}

/// The program's entity groups with devices in them now.
pub async fn program_groups(
    conn: &mut AnyConnection,
    program: ProgramId,
) -> Result<Vec<String>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT DISTINCT ed.entity_group FROM enrollment_devices ed \
         JOIN enrollments e ON e.id = ed.enrollment_id \
         WHERE e.program_id = $1 AND e.status <> 'unenrolled' AND ed.removed_at IS NULL \
         ORDER BY ed.entity_group",
    )
    .bind(program.0)
    .fetch_all(conn)
    .await?)
}

/// Stores a called event; returns its id.
pub async fn insert_event(
    conn: &mut AnyConnection,
    program: ProgramId,
    event: &ProposedEvent,
    groups: &[String],
    actor: Actor,
) -> Result<EventId, StoreError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO events (program_id, day, starts_at, ends_at, notice_at, target_tenths, \
         entity_groups, called_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         RETURNING id",
    )
    .bind(program.0)
    .bind(event.day.iso())
    .bind(event.span.starts_at)
    .bind(event.span.ends_at)
    .bind(event.notice_at)
    .bind(i64::from(event.target.0))
    .bind(serde_json::to_string(groups).expect("names serialize"))
    .bind(actor.user_id.map(|user| user.0))
    .bind(now())
    .fetch_one(conn)
    .await?;
    Ok(EventId(id))
}

/// One device's place in an event, to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place<'a> {
    pub device: DeviceId,
    pub account: AccountId,
    pub state: DeviceState,
    pub entity_group: &'a str,
    pub capacity: Capacity,
}

/// Stores the devices' places in `event`, many rows per statement.
pub async fn insert_places(
    conn: &mut AnyConnection,
    event: EventId,
    places: &[Place<'_>],
) -> Result<ReservationChange, StoreError> {
    let at = now();
    for chunk in places.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO event_devices (event_id, device_id, account_id, state, entity_group, \
             capacity_tenths, changed_at) VALUES {}",
            placeholders(chunk.len(), 7)
        );
        let mut query = sqlx::query(&sql);
        for place in chunk {
            query = query
                .bind(event.0)
                .bind(place.device.0)
                .bind(place.account.0)
                .bind(place.state.as_str())
                .bind(place.entity_group)
                .bind(i64::from(place.capacity.0))
                .bind(at);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(places
        .iter()
        .filter(|place| place.state == DeviceState::Reserved)
        .map(|place| ReservationChange::joined(place.capacity))
        .sum())
}

/// Devices (and their capacity) that entered the reservation, less those that left it: what a
/// history entry records (migration 0007).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReservationChange {
    pub devices: i64,
    pub tenths: i64,
}

impl ReservationChange {
    fn joined(capacity: Capacity) -> Self {
        Self { devices: 1, tenths: i64::from(capacity.0) }
    }

    fn left(tenths: i64) -> Self {
        Self { devices: -1, tenths: -tenths }
    }
}

impl std::ops::AddAssign for ReservationChange {
    fn add_assign(&mut self, other: Self) {
        self.devices += other.devices;
        self.tenths += other.tenths;
    }
}

impl std::iter::Sum for ReservationChange {
    fn sum<I: Iterator<Item = Self>>(changes: I) -> Self {
        let mut total = Self::default();
        for change in changes {
            total += change;
        }
        total
    }
}

/// Puts `devices` of `event` in `state`; returns the change to the reservation. Each statement's
/// condition names the state it moves from, so the change follows what the row held when it was
/// locked, not what was read before.
pub async fn set_states(
    conn: &mut AnyConnection,
    event: EventId,
    devices: &[DeviceId],
    state: DeviceState,
) -> Result<ReservationChange, StoreError> {
    let at = now();
    let mut moved = ReservationChange::default();
    for device in devices {
        let change = StateChange { event, device: *device, state, at };
        if state == DeviceState::Reserved {
            for tenths in change.run(conn, "state <> 'reserved'").await? {
                moved += ReservationChange { devices: 1, tenths };
            }
        } else {
            let left = change.run(conn, "state = 'reserved'").await?;
            if left.is_empty() {
                // From another state than reserved: the reservation does not change.
                change.run(conn, "state <> 'reserved'").await?;
            }
            moved += left.into_iter().map(ReservationChange::left).sum();
        }
    }
    Ok(moved)
}

/// One device of an event put in a state.
struct StateChange {
    event: EventId,
    device: DeviceId,
    state: DeviceState,
    at: i64,
}

impl StateChange {
    /// Runs the change if the device's state matches `from`; the capacity of each row moved.
    async fn run(&self, conn: &mut AnyConnection, from: &str) -> Result<Vec<i64>, StoreError> {
        Ok(sqlx::query_scalar(&format!(
            "UPDATE event_devices SET state = $1, changed_at = $2 \
             WHERE event_id = $3 AND device_id = $4 AND {from} RETURNING capacity_tenths"
        ))
        .bind(self.state.as_str())
        .bind(self.at)
        .bind(self.event.0)
        .bind(self.device.0)
        .fetch_all(conn)
        .await?)
    }
}

/// The accounts with devices reserved for `event`.
pub async fn reserved_accounts(
    conn: &mut AnyConnection,
    event: EventId,
) -> Result<Vec<AccountId>, StoreError> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT DISTINCT account_id FROM event_devices WHERE event_id = $1 AND state = 'reserved' \
         ORDER BY account_id",
    )
    .bind(event.0)
    .fetch_all(conn)
    .await?;
    Ok(ids.into_iter().map(AccountId).collect())
}

/// Releases every device of `event` still reserved or away; returns the change to the
/// reservation.
pub async fn release_all(
    conn: &mut AnyConnection,
    event: EventId,
) -> Result<ReservationChange, StoreError> {
    let at = now();
    let left: Vec<i64> = sqlx::query_scalar(
        "UPDATE event_devices SET state = 'released', changed_at = $1 \
         WHERE event_id = $2 AND state = 'reserved' RETURNING capacity_tenths",
    )
    .bind(at)
    .bind(event.0)
    .fetch_all(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE event_devices SET state = 'released', changed_at = $1 \
         WHERE event_id = $2 AND state = 'unavailable'",
    )
    .bind(at)
    .bind(event.0)
    .execute(conn)
    .await?;
    Ok(left.into_iter().map(ReservationChange::left).sum())
}

pub async fn cancel_event(
    conn: &mut AnyConnection,
    event: EventId,
    reason: &str,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE events SET cancelled_at = $1, cancel_reason = $2 WHERE id = $3")
        .bind(now())
        .bind(reason)
        .bind(event.0)
        .execute(conn)
        .await?;
    Ok(())
}

/// Keeps `change`, what moved the event's reservation, in its history with the cause and the
/// event's target: the reservation at each entry is the sum of the changes up to it
/// (`histories`), so this neither counts the event's devices nor locks the event.
pub async fn reevaluate(
    conn: &mut AnyConnection,
    event: EventId,
    cause: &str,
    change: ReservationChange,
) -> Result<(), StoreError> {
    let added = sqlx::query(
        "INSERT INTO event_history (event_id, at, cause, change_devices, change_tenths, \
         target_tenths) SELECT id, $2, $3, $4, $5, target_tenths FROM events WHERE id = $1",
    )
    .bind(event.0)
    .bind(now())
    .bind(cause)
    .bind(change.devices)
    .bind(change.tenths)
    .execute(conn)
    .await?
    .rows_affected();
    if added == 1 {
        Ok(())
    } else {
        Err(StoreError::Corrupt(format!("event {} vanished", event.0)))
    }
}

/// Each event's tally, by event.
pub async fn tallies(
    conn: &mut AnyConnection,
    program: ProgramId,
) -> Result<BTreeMap<EventId, (Tally, ParticipationTally)>, StoreError> {
    let rows = sqlx::query(
        "SELECT ed.event_id, ed.state, ed.capacity_tenths, ed.participation, ed.delivered_tenths \
         FROM event_devices ed JOIN events ev ON ev.id = ed.event_id WHERE ev.program_id = $1",
    )
    .bind(program.0)
    .fetch_all(conn)
    .await?;
    let mut tallies: BTreeMap<EventId, (Tally, ParticipationTally)> = BTreeMap::new();
    for row in &rows {
        let event = EventId(row.try_get("event_id")?);
        let state: String = row.try_get("state")?;
        let state = DeviceState::parse(&state)
            .ok_or_else(|| StoreError::Corrupt(format!("event {}: device state", event.0)))?;
        let (tally, participation) = tallies.entry(event).or_default();
        tally.count(state, Capacity(tenths(row.try_get("capacity_tenths")?)));
        match row.try_get::<Option<String>, _>("participation")?.as_deref() {
            Some("participated") => participation.participated += 1,
            Some(_) => participation.did_not_participate += 1,
            None => {}
        }
        let delivered: Option<i64> = row.try_get("delivered_tenths")?;
        participation.delivered =
            Capacity(participation.delivered.0 + tenths(delivered.unwrap_or(0)));
    }
    Ok(tallies)
}

/// Each event's history, oldest first, with times written by `local`.
pub async fn histories(
    conn: &mut AnyConnection,
    program: ProgramId,
    local: impl Fn(i64) -> String,
) -> Result<BTreeMap<EventId, Vec<HistoryEntry>>, StoreError> {
    let rows = sqlx::query(
        "SELECT h.event_id, h.at, h.cause, h.change_devices, h.change_tenths, h.target_tenths \
         FROM event_history h JOIN events ev ON ev.id = h.event_id WHERE ev.program_id = $1 \
         ORDER BY h.id",
    )
    .bind(program.0)
    .fetch_all(conn)
    .await?;
    let mut histories: BTreeMap<EventId, (ReservationChange, Vec<HistoryEntry>)> = BTreeMap::new();
    for row in &rows {
        let (reserved, entries) = histories.entry(EventId(row.try_get("event_id")?)).or_default();
        *reserved += ReservationChange {
            devices: row.try_get("change_devices")?,
            tenths: row.try_get("change_tenths")?,
        };
        entries.push(HistoryEntry {
            at: local(row.try_get("at")?),
            cause: row.try_get("cause")?,
            reserved_devices: tenths(reserved.devices.max(0)),
            reserved: Capacity(tenths(reserved.tenths.max(0))),
            target: Capacity(tenths(row.try_get("target_tenths")?)),
        });
    }
    Ok(histories.into_iter().map(|(event, (_, entries))| (event, entries)).collect())
}

/// One of an account's devices in one event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountPlace {
    pub event: StoredEvent,
    pub device: DeviceId,
    pub state: DeviceState,
    pub participation: Option<String>,
    pub participation_reason: Option<String>,
    pub delivered: Option<Capacity>,
    pub opted_out: bool,
}

/// Every place the account's devices have in events (in `only` when given), by event start
/// then device.
pub async fn account_places(
    conn: &mut AnyConnection,
    account: AccountId,
    only: Option<EventId>,
) -> Result<Vec<AccountPlace>, StoreError> {
    let rows = sqlx::query(
        "SELECT ev.id, ev.program_id, ev.day, ev.starts_at, ev.ends_at, ev.notice_at, \
         ev.target_tenths, ev.entity_groups, ev.cancelled_at, ev.cancel_reason, ed.device_id, \
         ed.state, ed.participation, ed.participation_reason, ed.delivered_tenths, \
         o.at AS opted_out_at FROM event_devices ed JOIN events ev ON ev.id = ed.event_id \
         LEFT JOIN event_opt_outs o ON o.event_id = ev.id AND o.account_id = ed.account_id \
         WHERE ed.account_id = $1 AND ($2 IS NULL OR ed.event_id = $2) \
         ORDER BY ev.starts_at, ev.id, ed.device_id",
    )
    .bind(account.0)
    .bind(only.map(|event| event.0))
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            let state: String = row.try_get("state")?;
            let delivered: Option<i64> = row.try_get("delivered_tenths")?;
            Ok(AccountPlace {
                event: stored_event(row)?,
                device: DeviceId(row.try_get("device_id")?),
                state: DeviceState::parse(&state)
                    .ok_or_else(|| StoreError::Corrupt("event device state".into()))?,
                participation: row.try_get("participation")?,
                participation_reason: row.try_get("participation_reason")?,
                delivered: delivered.map(|d| Capacity(tenths(d))),
                opted_out: row.try_get::<Option<i64>, _>("opted_out_at")?.is_some(),
            })
        })
        .collect()
}

/// The account's opt-outs of events not cancelled: each event's program and day.
pub async fn opt_outs_of(
    conn: &mut AnyConnection,
    account: AccountId,
) -> Result<Vec<(ProgramId, CalendarDate)>, StoreError> {
    let rows = sqlx::query(
        "SELECT ev.program_id, ev.day FROM event_opt_outs o JOIN events ev ON ev.id = o.event_id \
         WHERE o.account_id = $1 AND ev.cancelled_at IS NULL",
    )
    .bind(account.0)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            let day: String = row.try_get("day")?;
            Ok((
                ProgramId(row.try_get("program_id")?),
                CalendarDate::parse(&day).ok_or_else(|| StoreError::Corrupt("event day".into()))?,
            ))
        })
        .collect()
}

/// Records the account's opt-out of `event`. Returns false when one is stored already (two
/// opt-outs racing: the primary key takes one).
pub async fn record_opt_out(
    conn: &mut AnyConnection,
    event: EventId,
    account: AccountId,
    actor: Actor,
) -> Result<bool, StoreError> {
    let result = sqlx::query(
        "INSERT INTO event_opt_outs (event_id, account_id, user_id, source, at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (event_id, account_id) DO NOTHING",
    )
    .bind(event.0)
    .bind(account.0)
    .bind(actor.user_id.map(|user| user.0))
    .bind(actor.source.as_str())
    .bind(now())
    .execute(conn)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// A period of time away as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAway {
    pub id: TimeAwayId,
    pub device: DeviceId,
    pub span: Span,
    pub cancelled: bool,
}

/// The account's time away, soonest first.
pub async fn time_away_of(
    conn: &mut AnyConnection,
    account: AccountId,
) -> Result<Vec<StoredAway>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, device_id, starts_at, ends_at, cancelled_at FROM time_away \
         WHERE account_id = $1 ORDER BY starts_at, id",
    )
    .bind(account.0)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(StoredAway {
                id: TimeAwayId(row.try_get("id")?),
                device: DeviceId(row.try_get("device_id")?),
                span: Span::new(row.try_get("starts_at")?, row.try_get("ends_at")?),
                cancelled: row.try_get::<Option<i64>, _>("cancelled_at")?.is_some(),
            })
        })
        .collect()
}

pub async fn insert_time_away(
    conn: &mut AnyConnection,
    account: AccountId,
    device: DeviceId,
    span: Span,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO time_away (device_id, account_id, starts_at, ends_at, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(device.0)
    .bind(account.0)
    .bind(span.starts_at)
    .bind(span.ends_at)
    .bind(now())
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn cancel_time_away(
    conn: &mut AnyConnection,
    id: TimeAwayId,
    account: AccountId,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE time_away SET cancelled_at = $1 WHERE id = $2 AND account_id = $3")
        .bind(now())
        .bind(id.0)
        .bind(account.0)
        .execute(conn)
        .await?;
    Ok(())
}

/// What the DERMS needs of devices joining an event.
pub async fn dispatch_details(
    conn: &mut AnyConnection,
    event: EventId,
    devices: &[DeviceId],
) -> Result<Vec<(DeviceId, String, String, Capacity)>, StoreError> {
    let mut details = Vec::with_capacity(devices.len());
    for device in devices {
        let row = sqlx::query(
            "SELECT ed.entity_group, d.network_address, ed.capacity_tenths FROM event_devices ed \
             JOIN devices d ON d.id = ed.device_id WHERE ed.event_id = $1 AND ed.device_id = $2",
        )
        .bind(event.0)
        .bind(device.0)
        .fetch_one(&mut *conn)
        .await?;
        details.push((
            *device,
            row.try_get("entity_group")?,
            row.try_get("network_address")?,
            Capacity(tenths(row.try_get("capacity_tenths")?)),
        ));
    }
    Ok(details)
}

/// Queues one advance notice per account, due when customers are to be told: the delivery
/// plan (recipients, channels, consent) is applied when it is sent, so a change made in
/// between is honoured.
pub async fn queue_notices(
    conn: &mut AnyConnection,
    kind: &str,
    notices: &[(String, serde_json::Value)],
    available_at: i64,
) -> Result<(), StoreError> {
    let at = now();
    for chunk in notices.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO outbox (kind, idempotency_key, payload, created_at, available_at) \
             VALUES {} ON CONFLICT (idempotency_key) DO NOTHING",
            placeholders(chunk.len(), 5)
        );
        let mut query = sqlx::query(&sql);
        for (key, payload) in chunk {
            query =
                query.bind(kind).bind(key).bind(payload.to_string()).bind(at).bind(available_at);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Events still to come (not started, not cancelled) of `program`, soonest first.
pub async fn upcoming_events(
    conn: &mut AnyConnection,
    program: ProgramId,
    now: i64,
) -> Result<Vec<StoredEvent>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {EVENT_COLUMNS} FROM events WHERE program_id = $1 AND cancelled_at IS NULL \
         AND starts_at > $2 ORDER BY starts_at"
    ))
    .bind(program.0)
    .bind(now)
    .fetch_all(conn)
    .await?;
    rows.iter().map(stored_event).collect()
}

/// The device's places in events still to come, with each event's program.
pub async fn upcoming_places_of_device(
    conn: &mut AnyConnection,
    device: DeviceId,
    now: i64,
) -> Result<Vec<(StoredEvent, DeviceState)>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {}, ed.state FROM event_devices ed JOIN events ev ON ev.id = ed.event_id \
         WHERE ed.device_id = $1 AND ev.cancelled_at IS NULL AND ev.starts_at > $2",
        EVENT_COLUMNS.split(", ").map(|c| format!("ev.{c}")).collect::<Vec<_>>().join(", ")
    ))
    .bind(device.0)
    .bind(now)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            let state: String = row.try_get("state")?;
            let state = DeviceState::parse(&state)
                .ok_or_else(|| StoreError::Corrupt("event device state".into()))?;
            Ok((stored_event(row)?, state))
        })
        .collect()
}

/// The program whose live enrollment holds the device, if any.
pub async fn program_of_device(
    conn: &mut AnyConnection,
    device: DeviceId,
) -> Result<Option<ProgramId>, StoreError> {
    let program: Option<i64> = sqlx::query_scalar(
        "SELECT e.program_id FROM enrollment_devices ed JOIN enrollments e ON e.id = ed.enrollment_id \
         WHERE ed.device_id = $1 AND ed.removed_at IS NULL AND e.status <> 'unenrolled'",
    )
    .bind(device.0)
    .fetch_optional(conn)
    .await?;
    Ok(program.map(ProgramId))
}
