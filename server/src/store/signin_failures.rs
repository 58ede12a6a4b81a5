use super::{Store, StoreError, Tx};

impl Store {
    /// Records one failed sign-in under each throttle key.
    pub async fn record_signin_failure(&self, keys: &[&str], now: i64) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        for key in keys {
            sqlx::query("INSERT INTO signin_failures (throttle_key, at) VALUES ($1, $2)")
                .bind(*key)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Failed sign-ins under `key` at or after `since`.
    pub async fn signin_failures_since(&self, key: &str, since: i64) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM signin_failures WHERE throttle_key = $1 AND at >= $2",
        )
        .bind(key)
        .bind(since)
        .fetch_one(self.pool())
        .await?)
    }

    /// Forgets the failures under `key`, after a successful sign-in.
    pub async fn clear_signin_failures(tx: &mut Tx, key: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM signin_failures WHERE throttle_key = $1")
            .bind(key)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    pub async fn purge_signin_failures(&self, before: i64) -> Result<u64, StoreError> {
        Ok(sqlx::query("DELETE FROM signin_failures WHERE at < $1")
            .bind(before)
            .execute(self.pool())
            .await?
            .rows_affected())
    }
}
