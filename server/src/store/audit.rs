use super::{now, StoreError};
use peakday_app::accounts::AccountId;
use peakday_app::activity::ChangeSource;
use sqlx::{AnyConnection, Row};

/// One audit record: who, on which account, how, what (a stable action name and a sentence),
/// before and after (JSON).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub actor_user_id: Option<peakday_app::auth::UserId>,
    pub account: Option<AccountId>,
    pub source: ChangeSource,
    pub action: String,
    pub summary: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// A stored record and when it was written (unix seconds, UTC).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAuditEntry {
    pub at: i64,
    pub entry: AuditEntry,
    /// The name of the user who made the change, if a user did.
    pub actor_name: Option<String>,
}

/// Appends a record inside the transaction that makes the change, so neither lands alone.
pub async fn append_audit(conn: &mut AnyConnection, entry: &AuditEntry) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO audit_log \
         (at, actor_user_id, source, account_id, action, summary, before_value, after_value) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(now())
    .bind(entry.actor_user_id.map(|user| user.0))
    .bind(entry.source.as_str())
    .bind(entry.account.map(|account| account.0))
    .bind(&entry.action)
    .bind(&entry.summary)
    .bind(entry.before.as_deref())
    .bind(entry.after.as_deref())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The newest `limit` records about an account, newest first.
pub async fn audit_of_account(
    conn: &mut AnyConnection,
    account: AccountId,
    limit: i64,
) -> Result<Vec<StoredAuditEntry>, StoreError> {
    audit_where(conn, account, limit, "").await
}

/// The newest `limit` changes to an account's data, newest first: records with a before or
/// an after. Sign-ins and sign-outs, which change nothing, are left out.
pub async fn changes_of_account(
    conn: &mut AnyConnection,
    account: AccountId,
    limit: i64,
) -> Result<Vec<StoredAuditEntry>, StoreError> {
    audit_where(
        conn,
        account,
        limit,
        "AND (a.before_value IS NOT NULL OR a.after_value IS NOT NULL)",
    )
    .await
}

/// The newest `limit` records of an account that change nothing, newest first: sign-ins,
/// sign-outs and security records (a password changed), which customer service reads apart
/// from the changes.
pub async fn sign_ins_of_account(
    conn: &mut AnyConnection,
    account: AccountId,
    limit: i64,
) -> Result<Vec<StoredAuditEntry>, StoreError> {
    audit_where(conn, account, limit, "AND a.before_value IS NULL AND a.after_value IS NULL").await
}

async fn audit_where(
    conn: &mut AnyConnection,
    account: AccountId,
    limit: i64,
    condition: &'static str,
) -> Result<Vec<StoredAuditEntry>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT a.at, a.actor_user_id, a.source, a.account_id, a.action, a.summary, \
         a.before_value, a.after_value, u.display_name AS actor_name \
         FROM audit_log a LEFT JOIN users u ON u.id = a.actor_user_id \
         WHERE a.account_id = $1 {condition} ORDER BY a.id DESC LIMIT $2"
    ))
    .bind(account.0)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            let source: String = row.try_get("source")?;
            Ok(StoredAuditEntry {
                at: row.try_get("at")?,
                actor_name: row.try_get("actor_name")?,
                entry: AuditEntry {
                    actor_user_id: row
                        .try_get::<Option<i64>, _>("actor_user_id")?
                        .map(peakday_app::auth::UserId),
                    account: row.try_get::<Option<i64>, _>("account_id")?.map(AccountId),
                    source: ChangeSource::parse(&source)
                        .ok_or_else(|| StoreError::Corrupt(format!("audit source {source:?}")))?,
                    action: row.try_get("action")?,
                    summary: row.try_get("summary")?,
                    before: row.try_get("before_value")?,
                    after: row.try_get("after_value")?,
                },
            })
        })
        .collect()
}
