use super::{flag, now, Store, StoreError, Tx};
use peakday_app::accounts::AccountId;
use peakday_app::auth::{Identity, Role};
use peakday_app::contact::EmailAddress;
use peakday_app::staff::StaffMember;
use sqlx::Row;

/// A user to create. The password is already hashed.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: EmailAddress,
    pub display_name: String,
    pub password_hash: String,
    pub identity: Identity,
}

/// A user as sign-in needs them.
#[derive(Debug, Clone)]
pub struct StoredUser {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    pub identity: Identity,
    pub disabled: bool,
}

impl Store {
    pub async fn user_by_email(
        &self,
        email: &EmailAddress,
    ) -> Result<Option<StoredUser>, StoreError> {
        let row = sqlx::query(
            "SELECT id, email, display_name, password_hash, role, account_id, disabled \
             FROM users WHERE email = $1",
        )
        .bind(email.as_str())
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| {
            let role: String = row.try_get("role")?;
            let account: Option<i64> = row.try_get("account_id")?;
            Ok(StoredUser {
                id: row.try_get("id")?,
                email: row.try_get("email")?,
                display_name: row.try_get("display_name")?,
                password_hash: row.try_get("password_hash")?,
                identity: identity(&role, account)?,
                disabled: flag(row.try_get("disabled")?),
            })
        })
        .transpose()
    }

    /// Creates a user and returns their id.
    pub async fn insert_user(tx: &mut Tx, user: &NewUser) -> Result<i64, StoreError> {
        let role = match &user.identity {
            Identity::Customer { .. } => Role::Customer,
            Identity::Staff { role } => Role::from(*role),
        };
        let account = match user.identity {
            Identity::Customer { account_id } => Some(account_id.0),
            Identity::Staff { .. } => None,
        };
        Ok(sqlx::query_scalar(
            "INSERT INTO users (email, display_name, password_hash, role, account_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(user.email.as_str())
        .bind(&user.display_name)
        .bind(&user.password_hash)
        .bind(role.as_str())
        .bind(account)
        .bind(now())
        .fetch_one(&mut **tx)
        .await?)
    }

    /// Every staff user, by name.
    pub async fn staff_members(&self) -> Result<Vec<StaffMember>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, email, display_name, role, disabled FROM users \
             WHERE role <> 'customer' ORDER BY display_name, email",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let role: String = row.try_get("role")?;
                Ok(StaffMember {
                    id: row.try_get("id")?,
                    display_name: row.try_get("display_name")?,
                    email: row.try_get("email")?,
                    role: Role::parse(&role)
                        .ok_or_else(|| StoreError::Corrupt(format!("role {role:?}")))?,
                    disabled: flag(row.try_get("disabled")?),
                })
            })
            .collect()
    }
}

/// The identity stored as a role and an optional account.
pub(super) fn identity(role: &str, account: Option<i64>) -> Result<Identity, StoreError> {
    Role::parse(role)
        .and_then(|role| Identity::from_parts(role, account.map(AccountId)))
        .ok_or_else(|| StoreError::Corrupt(format!("user role {role:?} with account {account:?}")))
}
