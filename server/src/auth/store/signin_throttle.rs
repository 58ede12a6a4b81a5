use crate::auth::throttle::{Counted, ThrottleKey};
use crate::store::{Backend, StoreError};
use sqlx::{AnyConnection, Row};

/// Counts a sign-in attempt under every key, or refuses it, in the caller's write transaction:
/// it locks each key's row (in key order, so two attempts never wait on each other
/// crosswise), checks it and counts the attempt. Returns `Err(seconds)` when a key says to
/// wait; the caller then drops the transaction, counting nothing.
pub async fn reserve_signin_attempt(
    conn: &mut AnyConnection,
    keys: &[ThrottleKey],
    now: i64,
) -> Result<Result<(), i64>, StoreError> {
    let mut keys: Vec<&ThrottleKey> = keys.iter().collect();
    keys.sort_by(|a, b| a.key.cmp(&b.key));
    let lock = match Backend::of(conn) {
        Backend::Postgres => " FOR UPDATE",
        Backend::Sqlite => "",
    };
    let mut counted = Vec::with_capacity(keys.len());
    let mut wait = 0;
    for key in &keys {
        sqlx::query(
            "INSERT INTO signin_throttle (throttle_key, failures, blocked_until, updated_at) \
             VALUES ($1, 0, 0, 0) ON CONFLICT (throttle_key) DO NOTHING",
        )
        .bind(&key.key)
        .execute(&mut *conn)
        .await?;
        let row = sqlx::query(&format!(
            "SELECT failures, blocked_until, updated_at FROM signin_throttle \
             WHERE throttle_key = $1{lock}"
        ))
        .bind(&key.key)
        .fetch_one(&mut *conn)
        .await?;
        let state = Counted {
            failures: row.try_get("failures")?,
            blocked_until: row.try_get("blocked_until")?,
            updated_at: row.try_get("updated_at")?,
        };
        match state.attempt(key.bucket, now) {
            Ok(next) => counted.push((key, next)),
            Err(seconds) => wait = wait.max(seconds),
        }
    }
    if wait > 0 {
        return Ok(Err(wait));
    }
    for (key, state) in counted {
        sqlx::query(
            "UPDATE signin_throttle SET failures = $1, blocked_until = $2, updated_at = $3 \
             WHERE throttle_key = $4",
        )
        .bind(state.failures)
        .bind(state.blocked_until)
        .bind(state.updated_at)
        .bind(&key.key)
        .execute(&mut *conn)
        .await?;
    }
    Ok(Ok(()))
}

/// Forgets the counts under `keys`, after a successful sign-in.
pub async fn clear_throttle_keys(
    conn: &mut AnyConnection,
    keys: &[String],
) -> Result<(), StoreError> {
    for key in keys {
        sqlx::query("DELETE FROM signin_throttle WHERE throttle_key = $1")
            .bind(key)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Takes back one counted attempt under `key` (a success from that client).
pub async fn uncount_attempt(conn: &mut AnyConnection, key: &str) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE signin_throttle SET failures = failures - 1 \
         WHERE throttle_key = $1 AND failures > 0",
    )
    .bind(key)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The count under one key (for tests and the throttle benchmark).
pub async fn throttle_failures(conn: &mut AnyConnection, key: &str) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar("SELECT failures FROM signin_throttle WHERE throttle_key = $1")
        .bind(key)
        .fetch_optional(&mut *conn)
        .await?
        .unwrap_or(0))
}

/// Deletes counts nobody is waiting on any more.
pub async fn purge_signin_throttle(
    conn: &mut AnyConnection,
    before: i64,
) -> Result<u64, StoreError> {
    Ok(sqlx::query("DELETE FROM signin_throttle WHERE updated_at < $1 AND blocked_until < $1")
        .bind(before)
        .execute(&mut *conn)
        .await?
        .rows_affected())
}

/// The server key called `name`, made from `candidate` if it does not exist yet (every
/// instance then reads the one that was stored first).
pub async fn server_key(
    conn: &mut AnyConnection,
    name: &str,
    candidate: &str,
) -> Result<String, StoreError> {
    sqlx::query(
        "INSERT INTO server_keys (name, secret, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (name) DO NOTHING",
    )
    .bind(name)
    .bind(candidate)
    .bind(crate::store::now())
    .execute(&mut *conn)
    .await?;
    Ok(sqlx::query_scalar("SELECT secret FROM server_keys WHERE name = $1")
        .bind(name)
        .fetch_one(&mut *conn)
        .await?)
}
