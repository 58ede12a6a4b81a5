use super::{now, Store, StoreError, Tx};
use peakday_app::accounts::AccountId;
use sqlx::Row;

/// How a change arrived (DOMAIN.md §6: "how: portal, agent, SMS keyword, email link, import, API").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditSource {
    Portal,
    Agent,
    Sms,
    Email,
    Import,
    Api,
    System,
}

impl AuditSource {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditSource::Portal => "portal",
            AuditSource::Agent => "agent",
            AuditSource::Sms => "sms",
            AuditSource::Email => "email",
            AuditSource::Import => "import",
            AuditSource::Api => "api",
            AuditSource::System => "system",
        }
    }
}

/// One audit record: who, on which account, how, what, before and after (JSON).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub actor_user_id: Option<i64>,
    pub account: Option<AccountId>,
    pub source: AuditSource,
    pub action: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

impl Store {
    /// Appends a record inside the transaction that makes the change, so neither lands alone.
    pub async fn append_audit(tx: &mut Tx, entry: &AuditEntry) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO audit_log \
             (at, actor_user_id, source, account_id, action, before_value, after_value) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(now())
        .bind(entry.actor_user_id)
        .bind(entry.source.as_str())
        .bind(entry.account.map(|account| account.0))
        .bind(&entry.action)
        .bind(entry.before.as_deref())
        .bind(entry.after.as_deref())
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// The newest `limit` records about an account, newest first.
    pub async fn audit_of_account(
        &self,
        account: AccountId,
        limit: i64,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT actor_user_id, source, account_id, action, before_value, after_value \
             FROM audit_log WHERE account_id = $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(account.0)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let source: String = row.try_get("source")?;
                Ok(AuditEntry {
                    actor_user_id: row.try_get("actor_user_id")?,
                    account: row.try_get::<Option<i64>, _>("account_id")?.map(AccountId),
                    source: parse_source(&source)?,
                    action: row.try_get("action")?,
                    before: row.try_get("before_value")?,
                    after: row.try_get("after_value")?,
                })
            })
            .collect()
    }
}

fn parse_source(value: &str) -> Result<AuditSource, StoreError> {
    use AuditSource::*;
    [Portal, Agent, Sms, Email, Import, Api, System]
        .into_iter()
        .find(|source| source.as_str() == value)
        .ok_or_else(|| StoreError::Corrupt(format!("audit source {value:?}")))
}
