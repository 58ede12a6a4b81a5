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
}

impl Store {
    /// Queues a message in the transaction that decided to send it, so it is sent if and only
    /// if that decision is stored. Queuing the same key again does nothing; returns whether it
    /// queued.
    pub async fn enqueue(
        tx: &mut Tx,
        kind: &str,
        idempotency_key: &str,
        payload: &serde_json::Value,
    ) -> Result<bool, StoreError> {
        let at = now();
        let result = sqlx::query(
            "INSERT INTO outbox (kind, idempotency_key, payload, created_at, available_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (idempotency_key) DO NOTHING",
        )
        .bind(kind)
        .bind(idempotency_key)
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
            "SELECT id, kind, idempotency_key, payload, attempts FROM outbox \
             WHERE kind = $1 AND delivered_at IS NULL ORDER BY id",
        )
        .bind(kind)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(OutboxMessage {
                    id: row.try_get("id")?,
                    kind: row.try_get("kind")?,
                    idempotency_key: row.try_get("idempotency_key")?,
                    payload: row.try_get("payload")?,
                    attempts: row.try_get("attempts")?,
                })
            })
            .collect()
    }
}
