//! Passwords, second factors, recovery codes and one-time reset links.

use crate::store::StoreError;
use peakday_app::auth::UserId;
use sqlx::{AnyConnection, Row};

/// Stores a new password hash; `must_change` makes the next sign-in ask for another.
pub async fn set_password(
    conn: &mut AnyConnection,
    user: UserId,
    password_hash: &str,
    must_change: bool,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE users SET password_hash = $1, must_change_password = $2, \
         password_changed_at = $3 WHERE id = $4",
    )
    .bind(password_hash)
    .bind(i64::from(must_change))
    .bind(now)
    .bind(user.0)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Accepts a TOTP code of time step `step` for `user` if no code of that step or a later
/// one was accepted before: compare-and-set, so two sign-ins racing with one code cannot
/// both pass (ASVS 6.5.1).
pub async fn claim_totp_step(
    conn: &mut AnyConnection,
    user: UserId,
    step: i64,
) -> Result<bool, StoreError> {
    Ok(sqlx::query("UPDATE users SET totp_last_step = $1 WHERE id = $2 AND totp_last_step < $1")
        .bind(step)
        .bind(user.0)
        .execute(&mut *conn)
        .await?
        .rows_affected()
        == 1)
}

/// Uses one of `user`'s recovery codes, if it is one and was not used before.
pub async fn use_recovery_code(
    conn: &mut AnyConnection,
    user: UserId,
    code_hash: &str,
    now: i64,
) -> Result<bool, StoreError> {
    Ok(sqlx::query(
        "UPDATE recovery_codes SET used_at = $1 \
         WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL",
    )
    .bind(now)
    .bind(user.0)
    .bind(code_hash)
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1)
}

/// How many of `user`'s recovery codes are left.
pub async fn recovery_codes_left(
    conn: &mut AnyConnection,
    user: UserId,
) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL",
    )
    .bind(user.0)
    .fetch_one(&mut *conn)
    .await?)
}

/// Sets (or, with `None`, removes) `user`'s second factor, replacing their recovery codes.
pub async fn set_second_factor(
    conn: &mut AnyConnection,
    user: UserId,
    second_factor: Option<(&str, i64, &[String])>,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
        .bind(user.0)
        .execute(&mut *conn)
        .await?;
    let (secret, step) = second_factor.map_or((None, 0), |(secret, step, _)| (Some(secret), step));
    sqlx::query("UPDATE users SET totp_secret = $1, totp_last_step = $2 WHERE id = $3")
        .bind(secret)
        .bind(step)
        .bind(user.0)
        .execute(&mut *conn)
        .await?;
    for hash in second_factor.map(|(_, _, codes)| codes).unwrap_or_default() {
        sqlx::query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)")
            .bind(user.0)
            .bind(hash)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Stores a one-time sign-in reset link's token hash for `user`, replacing any earlier
/// unused link of theirs.
pub async fn insert_signin_reset(
    conn: &mut AnyConnection,
    token_hash: &str,
    user: UserId,
    created_by: UserId,
    now: i64,
    expires_at: i64,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM signin_resets WHERE user_id = $1 AND used_at IS NULL")
        .bind(user.0)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO signin_resets (token_hash, user_id, created_by, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token_hash)
    .bind(user.0)
    .bind(created_by.0)
    .bind(now)
    .bind(expires_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The user a reset link is for, if it is unused and not expired at `now`.
pub async fn signin_reset_user(
    conn: &mut sqlx::AnyConnection,
    token_hash: &str,
    now: i64,
) -> Result<Option<UserId>, StoreError> {
    let user: Option<i64> = sqlx::query_scalar(
        "SELECT user_id FROM signin_resets \
         WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(conn)
    .await?;
    Ok(user.map(UserId))
}

/// Uses a reset link: the user it was for, if it was still good. Once only, even when two
/// requests race with the same link.
pub async fn take_signin_reset(
    conn: &mut AnyConnection,
    token_hash: &str,
    now: i64,
) -> Result<Option<i64>, StoreError> {
    let row = sqlx::query(
        "UPDATE signin_resets SET used_at = $1 \
         WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 RETURNING user_id",
    )
    .bind(now)
    .bind(token_hash)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|row| row.try_get("user_id")).transpose().map_err(StoreError::from)
}
