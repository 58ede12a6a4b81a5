use super::users::identity;
use super::{flag, Store, StoreError, Tx};
use peakday_app::auth::Viewer;
use sqlx::Row;

/// A session with the user it belongs to.
#[derive(Debug, Clone)]
pub struct StoredSession {
    pub viewer: Viewer,
    pub user_disabled: bool,
    pub created_at: i64,
    pub last_seen_at: i64,
}

impl Store {
    pub async fn insert_session(
        tx: &mut Tx,
        token_hash: &str,
        user_id: i64,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at) \
             VALUES ($1, $2, $3, $3)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    pub async fn session(&self, token_hash: &str) -> Result<Option<StoredSession>, StoreError> {
        let row = sqlx::query(
            "SELECT s.created_at, s.last_seen_at, u.id, u.email, u.display_name, u.role, \
                    u.account_id, u.disabled \
             FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| {
            let role: String = row.try_get("role")?;
            Ok(StoredSession {
                viewer: Viewer {
                    user_id: row.try_get("id")?,
                    display_name: row.try_get("display_name")?,
                    email: row.try_get("email")?,
                    identity: identity(&role, row.try_get("account_id")?)?,
                },
                user_disabled: flag(row.try_get("disabled")?),
                created_at: row.try_get("created_at")?,
                last_seen_at: row.try_get("last_seen_at")?,
            })
        })
        .transpose()
    }

    pub async fn touch_session(&self, token_hash: &str, now: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
            .bind(now)
            .bind(token_hash)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Ends a session; returns the user it belonged to, if it existed.
    pub async fn delete_session(tx: &mut Tx, token_hash: &str) -> Result<Option<i64>, StoreError> {
        Ok(sqlx::query_scalar("DELETE FROM sessions WHERE token_hash = $1 RETURNING user_id")
            .bind(token_hash)
            .fetch_optional(&mut **tx)
            .await?)
    }

    /// Removes sessions idle since `idle_before` or created before `created_before`.
    pub async fn purge_sessions(
        &self,
        idle_before: i64,
        created_before: i64,
    ) -> Result<u64, StoreError> {
        Ok(sqlx::query("DELETE FROM sessions WHERE last_seen_at < $1 OR created_at < $2")
            .bind(idle_before)
            .bind(created_before)
            .execute(self.pool())
            .await?
            .rows_affected())
    }
}
