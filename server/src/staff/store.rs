//! Administrators' changes to staff users: role, sign-in enabled or not, sessions.

use crate::store::{Backend, StoreError};
use peakday_app::auth::UserId;
use peakday_app::auth::{Role, StaffRole};
use sqlx::AnyConnection;

/// A staff user as an administrator's change finds them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffRecord {
    pub display_name: String,
    pub role: Role,
    pub disabled: bool,
    /// Sessions open now, of any stage.
    pub sessions: i64,
}

/// The staff user with this id, locked for the change in `tx` (on PostgreSQL two
/// administrators' changes to one person would otherwise both read the same before); `None`
/// for customers and unknown ids alike.
pub async fn staff_record(
    conn: &mut AnyConnection,
    user: UserId,
) -> Result<Option<StaffRecord>, StoreError> {
    let lock = if Backend::of(conn) == Backend::Postgres { " FOR UPDATE" } else { "" };
    let row: Option<(String, String, i64, i64)> = sqlx::query_as(&format!(
        "SELECT display_name, role, disabled, \
         (SELECT COUNT(*) FROM sessions s WHERE s.user_id = users.id) AS sessions \
         FROM users WHERE id = $1 AND role <> 'customer'{lock}"
    ))
    .bind(user.0)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|(display_name, role, disabled, sessions)| {
        Ok(StaffRecord {
            display_name,
            role: Role::parse(&role)
                .ok_or_else(|| StoreError::Corrupt(format!("role {role:?}")))?,
            disabled: disabled != 0,
            sessions,
        })
    })
    .transpose()
}

pub async fn set_staff_role(
    conn: &mut AnyConnection,
    user: UserId,
    role: StaffRole,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE users SET role = $1 WHERE id = $2 AND role <> 'customer'")
        .bind(Role::from(role).as_str())
        .bind(user.0)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn set_user_disabled(
    conn: &mut AnyConnection,
    user: UserId,
    disabled: bool,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE users SET disabled = $1 WHERE id = $2")
        .bind(i64::from(disabled))
        .bind(user.0)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Ends every session of `user`; returns how many there were.
pub async fn delete_sessions_of(conn: &mut AnyConnection, user: UserId) -> Result<u64, StoreError> {
    Ok(sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user.0)
        .execute(&mut *conn)
        .await?
        .rows_affected())
}

pub async fn email_taken(conn: &mut AnyConnection, email: &str) -> Result<bool, StoreError> {
    let found: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(found.is_some())
}
