use super::{now, Store, StoreError, Tx};
use sqlx::Row;

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

impl Store {
    /// Queues a message in the transaction that decided to send it, so it is sent if and only
    /// if that decision is stored. Messages that share an `ordering_key` are delivered one after
    /// another in the order they were queued; `None` orders a message after nothing. Queuing the
    /// same key again does nothing; returns whether it queued.
    pub async fn enqueue(
        tx: &mut Tx,
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
        .execute(&mut **tx)
        .await?;
        Ok(result.rows_affected() == 1)
    }

    /// Undelivered messages of `kind`, oldest first.
    pub async fn pending_messages(&self, kind: &str) -> Result<Vec<OutboxMessage>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, kind, idempotency_key, payload, attempts, lease_token FROM outbox \
             WHERE kind = $1 AND delivered_at IS NULL ORDER BY id",
        )
        .bind(kind)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(outbox_message).collect()
    }
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

impl Store {
    /// Takes the oldest message of `kind` that is due at `now`, and has no undelivered message
    /// queued before it under its ordering key, and leases it until `now + lease`: another
    /// instance (or this one after a crash) takes it again only after the lease, so a message is
    /// delivered at least once and normally once, and never before the messages it follows.
    /// Counts the attempt.
    pub async fn claim_message(
        &self,
        kind: &str,
        now: i64,
        lease: i64,
    ) -> Result<Option<OutboxMessage>, StoreError> {
        // Most polls find nothing: look before taking SQLite's write lock every second.
        let due: Option<i64> = sqlx::query_scalar(&format!(
            "SELECT id FROM outbox WHERE kind = $1 AND {LIVE} AND available_at <= $2 \
             AND {FIRST_IN_ORDER} LIMIT 1"
        ))
        .bind(kind)
        .bind(now)
        .fetch_optional(self.pool())
        .await?;
        if due.is_none() {
            return Ok(None);
        }
        let mut tx = self.begin_write().await?;
        let lock = match self.backend() {
            super::Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            super::Backend::Sqlite => "",
        };
        let row = sqlx::query(&format!(
            "SELECT id, kind, idempotency_key, payload, attempts, lease_token FROM outbox \
             WHERE kind = $1 AND {LIVE} AND available_at <= $2 \
             AND {FIRST_IN_ORDER} ORDER BY available_at, id LIMIT 1{lock}"
        ))
        .bind(kind)
        .bind(now)
        .fetch_optional(&mut *tx)
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
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        message.lease_token = Some(token);
        Ok(Some(message))
    }

    /// Marks a message delivered, if `lease` still holds it (a sender whose lease ran out
    /// and was taken by another marks nothing). Returns whether it marked.
    pub async fn mark_delivered(&self, id: i64, lease: &str, now: i64) -> Result<bool, StoreError> {
        let result = sqlx::query(
            "UPDATE outbox SET delivered_at = $1, last_error = NULL, lease_token = NULL \
             WHERE id = $2 AND lease_token = $3",
        )
        .bind(now)
        .bind(id)
        .bind(lease)
        .execute(self.pool())
        .await?;
        Ok(result.rows_affected() == 1)
    }

    /// Records a failed attempt by the holder of `lease`: the message is due again at
    /// `retry_at`, or, when `dead_at` is given, set aside for an operator.
    pub async fn mark_failed(
        &self,
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
        .execute(self.pool())
        .await?;
        Ok(result.rows_affected() == 1)
    }

    /// Messages set aside after too many failed attempts, oldest first.
    pub async fn dead_messages(&self) -> Result<Vec<DeadMessage>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, kind, ordering_key, attempts, last_error, created_at, dead_at FROM outbox \
             WHERE dead_at IS NOT NULL AND delivered_at IS NULL AND discarded_at IS NULL \
             ORDER BY id",
        )
        .fetch_all(self.pool())
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
        tx: &mut Tx,
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
        let result = sqlx::query(sql).bind(now).bind(id).execute(&mut **tx).await?;
        Ok(result.rows_affected() == 1)
    }

    /// Every message of `kind` with its delivery state, oldest first (for tests and operators).
    pub async fn messages(
        &self,
        kind: &str,
    ) -> Result<Vec<(OutboxMessage, Option<i64>)>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, kind, idempotency_key, payload, attempts, lease_token, delivered_at \
             FROM outbox WHERE kind = $1 ORDER BY id",
        )
        .bind(kind)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(|row| Ok((outbox_message(row)?, row.try_get("delivered_at")?))).collect()
    }
}

impl Store {
    /// The payload of the message with idempotency key `key`, if there is one.
    pub async fn message_payload(tx: &mut Tx, key: &str) -> Result<Option<String>, StoreError> {
        Ok(sqlx::query_scalar("SELECT payload FROM outbox WHERE idempotency_key = $1")
            .bind(key)
            .fetch_optional(&mut **tx)
            .await?)
    }
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
