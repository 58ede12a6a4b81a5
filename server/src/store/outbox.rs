use super::{now, Backend, Store, StoreError};
use sqlx::{AnyConnection, Row};

/// A message waiting in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxMessage {
    pub id: i64,
    pub kind: String,
    pub idempotency_key: String,
    /// JSON.
    pub payload: String,
    pub attempts: i64,
    /// The lease the sender holds (when claimed): only its holder may mark the message.
    pub lease_token: Option<String>,
}

/// A message set aside after too many failed attempts, for an operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadMessage {
    pub id: i64,
    pub kind: String,
    pub ordering_key: Option<String>,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub dead_at: i64,
}

/// Queues a message in the transaction that decided to send it, so it is sent if and only
/// if that decision is stored. Messages that share an `ordering_key` are delivered one after
/// another in the order they were queued; `None` orders a message after nothing. Queuing the
/// same key again does nothing; returns whether it queued.
pub async fn enqueue(
    conn: &mut AnyConnection,
    kind: &str,
    idempotency_key: &str,
    ordering_key: Option<&str>,
    payload: &serde_json::Value,
) -> Result<bool, StoreError> {
    let at = now();
    let result = sqlx::query(
        "INSERT INTO outbox (kind, idempotency_key, ordering_key, payload, created_at, available_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (idempotency_key) DO NOTHING",
    )
    .bind(kind)
    .bind(idempotency_key)
    .bind(ordering_key)
    .bind(payload.to_string())
    .bind(at)
    .bind(at)
    .execute(&mut *conn)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Undelivered messages of `kind`, oldest first.
pub async fn pending_messages(
    conn: &mut AnyConnection,
    kind: &str,
) -> Result<Vec<OutboxMessage>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, kind, idempotency_key, payload, attempts, lease_token FROM outbox \
         WHERE kind = $1 AND delivered_at IS NULL ORDER BY id",
    )
    .bind(kind)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(outbox_message).collect()
}

/// An outbox row (`outbox`) that no undelivered message with its ordering key precedes (a
/// dead one holds its key too, until an operator sends it again or discards it). On
/// PostgreSQL a predecessor another sender has leased is committed and so seen here: two
/// instances never send one account's messages out of order.
const FIRST_IN_ORDER: &str = "NOT EXISTS (SELECT 1 FROM outbox earlier \
     WHERE earlier.ordering_key = outbox.ordering_key AND earlier.delivered_at IS NULL \
     AND earlier.discarded_at IS NULL AND earlier.id < outbox.id)";

/// A message a sender may take: not delivered, not dead, not discarded.
const LIVE: &str = "delivered_at IS NULL AND dead_at IS NULL AND discarded_at IS NULL";

/// Takes the next message of `kind` due at `now` (see [`claim_message`]) in a write
/// transaction of its own, after looking on a read connection whether there is one.
pub async fn claim(
    store: &Store,
    kind: &str,
    now: i64,
    lease: i64,
) -> Result<Option<OutboxMessage>, StoreError> {
    if !message_due(&mut *store.read().await?, kind, now).await? {
        return Ok(None);
    }
    let mut tx = store.begin_write().await?;
    let message = claim_message(&mut tx, kind, now, lease).await?;
    tx.commit().await?;
    Ok(message)
}

/// Whether a message of `kind` is due at `now`. Most polls find nothing: the sender looks on
/// a read connection before taking SQLite's write lock every second.
pub async fn message_due(
    conn: &mut AnyConnection,
    kind: &str,
    now: i64,
) -> Result<bool, StoreError> {
    let due: Option<i64> = sqlx::query_scalar(&format!(
        "SELECT id FROM outbox WHERE kind = $1 AND {LIVE} AND available_at <= $2 \
         AND {FIRST_IN_ORDER} LIMIT 1"
    ))
    .bind(kind)
    .bind(now)
    .fetch_optional(conn)
    .await?;
    Ok(due.is_some())
}

/// Takes the oldest message of `kind` that is due at `now`, and has no undelivered message
/// queued before it under its ordering key, and leases it until `now + lease`: another
/// instance (or this one after a crash) takes it again only after the lease, so a message is
/// delivered at least once and normally once, and never before the messages it follows.
/// Counts the attempt. Run in a write transaction, committed at once.
pub async fn claim_message(
    conn: &mut AnyConnection,
    kind: &str,
    now: i64,
    lease: i64,
) -> Result<Option<OutboxMessage>, StoreError> {
    let lock = match Backend::of(conn) {
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    let row = sqlx::query(&format!(
        "SELECT id, kind, idempotency_key, payload, attempts, lease_token FROM outbox \
         WHERE kind = $1 AND {LIVE} AND available_at <= $2 \
         AND {FIRST_IN_ORDER} ORDER BY available_at, id LIMIT 1{lock}"
    ))
    .bind(kind)
    .bind(now)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let mut message = outbox_message(&row)?;
    message.attempts += 1;
    let token = crate::auth::SessionToken::generate().as_str().to_owned();
    sqlx::query(
        "UPDATE outbox SET available_at = $1, attempts = $2, lease_token = $3 WHERE id = $4",
    )
    .bind(now + lease)
    .bind(message.attempts)
    .bind(&token)
    .bind(message.id)
    .execute(&mut *conn)
    .await?;
    message.lease_token = Some(token);
    Ok(Some(message))
}

/// Marks a message delivered, if `lease` still holds it (a sender whose lease ran out
/// and was taken by another marks nothing). Returns whether it marked.
pub async fn mark_delivered(
    conn: &mut AnyConnection,
    id: i64,
    lease: &str,
    now: i64,
) -> Result<bool, StoreError> {
    let result = sqlx::query(
        "UPDATE outbox SET delivered_at = $1, last_error = NULL, lease_token = NULL \
         WHERE id = $2 AND lease_token = $3",
    )
    .bind(now)
    .bind(id)
    .bind(lease)
    .execute(&mut *conn)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Records a failed attempt by the holder of `lease`: the message is due again at
/// `retry_at`, or, when `dead_at` is given, set aside for an operator.
pub async fn mark_failed(
    conn: &mut AnyConnection,
    id: i64,
    lease: &str,
    retry_at: i64,
    dead_at: Option<i64>,
    error: &str,
) -> Result<bool, StoreError> {
    let result = sqlx::query(
        "UPDATE outbox SET available_at = $1, last_error = $2, dead_at = $3, \
         lease_token = NULL WHERE id = $4 AND lease_token = $5",
    )
    .bind(retry_at)
    .bind(error)
    .bind(dead_at)
    .bind(id)
    .bind(lease)
    .execute(&mut *conn)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Messages set aside after too many failed attempts, oldest first.
pub async fn dead_messages(conn: &mut AnyConnection) -> Result<Vec<DeadMessage>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, kind, ordering_key, attempts, last_error, created_at, dead_at FROM outbox \
         WHERE dead_at IS NOT NULL AND delivered_at IS NULL AND discarded_at IS NULL \
         ORDER BY id",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(DeadMessage {
                id: row.try_get("id")?,
                kind: row.try_get("kind")?,
                ordering_key: row.try_get("ordering_key")?,
                attempts: row.try_get("attempts")?,
                last_error: row.try_get("last_error")?,
                created_at: row.try_get("created_at")?,
                dead_at: row.try_get("dead_at")?,
            })
        })
        .collect()
}

/// An operator sends a dead message again (now, with its attempts counted afresh), or
/// discards it, which lets the messages queued after it go. Returns whether it was dead.
pub async fn revive_or_discard(
    conn: &mut AnyConnection,
    id: i64,
    discard: bool,
    now: i64,
) -> Result<bool, StoreError> {
    let sql = if discard {
        "UPDATE outbox SET discarded_at = $1 WHERE id = $2 AND dead_at IS NOT NULL \
         AND delivered_at IS NULL AND discarded_at IS NULL"
    } else {
        "UPDATE outbox SET dead_at = NULL, attempts = 0, available_at = $1 WHERE id = $2 \
         AND dead_at IS NOT NULL AND delivered_at IS NULL AND discarded_at IS NULL"
    };
    let result = sqlx::query(sql).bind(now).bind(id).execute(&mut *conn).await?;
    Ok(result.rows_affected() == 1)
}

/// Every message of `kind` with its delivery state, oldest first (for tests and operators).
pub async fn messages(
    conn: &mut AnyConnection,
    kind: &str,
) -> Result<Vec<(OutboxMessage, Option<i64>)>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, kind, idempotency_key, payload, attempts, lease_token, delivered_at \
         FROM outbox WHERE kind = $1 ORDER BY id",
    )
    .bind(kind)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(|row| Ok((outbox_message(row)?, row.try_get("delivered_at")?))).collect()
}

/// The payload of the message with idempotency key `key`, if there is one.
pub async fn message_payload(
    conn: &mut AnyConnection,
    key: &str,
) -> Result<Option<String>, StoreError> {
    Ok(sqlx::query_scalar("SELECT payload FROM outbox WHERE idempotency_key = $1")
        .bind(key)
        .fetch_optional(&mut *conn)
        .await?)
}

fn outbox_message(row: &sqlx::any::AnyRow) -> Result<OutboxMessage, StoreError> {
    Ok(OutboxMessage {
        id: row.try_get("id")?,
        kind: row.try_get("kind")?,
        idempotency_key: row.try_get("idempotency_key")?,
        payload: row.try_get("payload")?,
        attempts: row.try_get("attempts")?,
        lease_token: row.try_get("lease_token")?,
    })
}
