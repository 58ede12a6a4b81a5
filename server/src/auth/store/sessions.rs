use super::users::identity;
use crate::store::{flag, StoreError};
use peakday_app::auth::UserId;
use peakday_app::auth::{SessionStage, Viewer};
use sqlx::{AnyConnection, Row};

/// A session with the user it belongs to.
#[derive(Debug, Clone)]
pub struct StoredSession {
    pub viewer: Viewer,
    pub user_disabled: bool,
    pub created_at: i64,
    pub last_seen_at: i64,
    /// Where the sign-in stands; only an active session is anyone's session.
    pub stage: SessionStage,
    /// The second factor being set up in this session (JSON), if any.
    pub enrolling: Option<String>,
    /// Wrong second-factor codes typed in this session.
    pub code_failures: i64,
    /// The user's own state, which decides the sign-in's next step.
    pub must_change_password: bool,
    pub totp_secret: Option<String>,
}

/// A new session to store.
#[derive(Debug, Clone)]
pub struct NewSession<'a> {
    pub token_hash: &'a str,
    pub user_id: UserId,
    pub stage: SessionStage,
    /// The client's address and browser, shown in the person's list of sessions.
    pub client: &'a str,
    pub user_agent: &'a str,
    /// A short random id naming the session in that list.
    pub public_id: &'a str,
}

/// One of a person's sessions, as their list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionSummary {
    pub public_id: String,
    pub token_hash: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub client: String,
    pub user_agent: String,
}

pub async fn insert_session(
    conn: &mut AnyConnection,
    session: &NewSession<'_>,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, stage, client, \
         user_agent, public_id) VALUES ($1, $2, $3, $3, $4, $5, $6, $7)",
    )
    .bind(session.token_hash)
    .bind(session.user_id.0)
    .bind(now)
    .bind(session.stage.as_str())
    .bind(session.client)
    .bind(session.user_agent)
    .bind(session.public_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn session(
    conn: &mut AnyConnection,
    token_hash: &str,
) -> Result<Option<StoredSession>, StoreError> {
    let row = sqlx::query(
        "SELECT s.created_at, s.last_seen_at, s.stage, s.enrolling, s.code_failures, \
                u.id, u.email, u.display_name, u.role, u.account_id, u.disabled, \
                u.must_change_password, u.totp_secret \
         FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|row| {
        let role: String = row.try_get("role")?;
        let stage: String = row.try_get("stage")?;
        Ok(StoredSession {
            viewer: Viewer {
                user_id: UserId(row.try_get("id")?),
                display_name: row.try_get("display_name")?,
                email: row.try_get("email")?,
                identity: identity(&role, row.try_get("account_id")?)?,
            },
            user_disabled: flag(row.try_get("disabled")?),
            created_at: row.try_get("created_at")?,
            last_seen_at: row.try_get("last_seen_at")?,
            stage: SessionStage::parse(&stage)
                .ok_or_else(|| StoreError::Corrupt(format!("session stage {stage:?}")))?,
            enrolling: row.try_get("enrolling")?,
            code_failures: row.try_get("code_failures")?,
            must_change_password: flag(row.try_get("must_change_password")?),
            totp_secret: row.try_get("totp_secret")?,
        })
    })
    .transpose()
}

pub async fn touch_session(
    conn: &mut AnyConnection,
    token_hash: &str,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
        .bind(now)
        .bind(token_hash)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Keeps the second factor being set up with the session, until it is confirmed.
pub async fn set_session_enrolling(
    conn: &mut AnyConnection,
    token_hash: &str,
    enrolling: Option<&str>,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE sessions SET enrolling = $1 WHERE token_hash = $2")
        .bind(enrolling)
        .bind(token_hash)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Counts a wrong second-factor code against the session; returns the count.
pub async fn count_code_failure(
    conn: &mut AnyConnection,
    token_hash: &str,
) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "UPDATE sessions SET code_failures = code_failures + 1 WHERE token_hash = $1 \
         RETURNING code_failures",
    )
    .bind(token_hash)
    .fetch_optional(&mut *conn)
    .await?
    .unwrap_or(i64::MAX))
}

/// Ends a session; returns the user it belonged to, if it existed.
pub async fn delete_session(
    conn: &mut AnyConnection,
    token_hash: &str,
) -> Result<Option<i64>, StoreError> {
    Ok(sqlx::query_scalar("DELETE FROM sessions WHERE token_hash = $1 RETURNING user_id")
        .bind(token_hash)
        .fetch_optional(&mut *conn)
        .await?)
}

/// `user`'s active sessions, most recently used first.
pub async fn sessions_of(
    conn: &mut AnyConnection,
    user: UserId,
) -> Result<Vec<SessionSummary>, StoreError> {
    let rows = sqlx::query(
        "SELECT public_id, token_hash, created_at, last_seen_at, client, user_agent \
         FROM sessions WHERE user_id = $1 AND stage = 'active' \
         ORDER BY last_seen_at DESC, created_at DESC",
    )
    .bind(user.0)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(SessionSummary {
                public_id: row.try_get("public_id")?,
                token_hash: row.try_get("token_hash")?,
                created_at: row.try_get("created_at")?,
                last_seen_at: row.try_get("last_seen_at")?,
                client: row.try_get("client")?,
                user_agent: row.try_get("user_agent")?,
            })
        })
        .collect()
}

/// Ends every session of `user` but the one with `keep`; returns how many ended.
pub async fn delete_other_sessions(
    conn: &mut AnyConnection,
    user: UserId,
    keep: &str,
) -> Result<u64, StoreError> {
    Ok(sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
        .bind(user.0)
        .bind(keep)
        .execute(&mut *conn)
        .await?
        .rows_affected())
}

/// Removes sessions idle since `idle_before` or created before `created_before`, and
/// sign-ins left half-way (a step not finished) since `step_before`.
pub async fn purge_sessions(
    conn: &mut AnyConnection,
    idle_before: i64,
    created_before: i64,
    step_before: i64,
) -> Result<u64, StoreError> {
    Ok(sqlx::query(
        "DELETE FROM sessions WHERE last_seen_at < $1 OR created_at < $2 \
         OR (stage <> 'active' AND created_at < $3)",
    )
    .bind(idle_before)
    .bind(created_before)
    .bind(step_before)
    .execute(&mut *conn)
    .await?
    .rows_affected())
}
