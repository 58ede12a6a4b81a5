use crate::store::{flag, now, StoreError};
use peakday_app::accounts::AccountId;
use peakday_app::auth::UserId;
use peakday_app::auth::{Identity, Role, Viewer};
use peakday_app::contact::EmailAddress;
use peakday_app::staff::StaffMember;
use sqlx::{AnyConnection, Row};

/// A user to create. The password is already hashed.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: EmailAddress,
    pub display_name: String,
    pub password_hash: String,
    pub identity: Identity,
    /// A one-time password: the first sign-in asks for a password of their own.
    pub must_change_password: bool,
}

/// A user as sign-in needs them.
#[derive(Debug, Clone)]
pub struct StoredUser {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    pub identity: Identity,
    pub disabled: bool,
    pub must_change_password: bool,
    /// The second factor's secret, if they have one.
    pub totp_secret: Option<String>,
}

impl StoredUser {
    pub fn role(&self) -> Role {
        match self.identity {
            Identity::Customer { .. } => Role::Customer,
            Identity::Staff { role } => role.into(),
        }
    }

    /// The user as a signed-in viewer.
    pub fn viewer(&self) -> Viewer {
        Viewer {
            user_id: self.id,
            display_name: self.display_name.clone(),
            email: self.email.clone(),
            identity: self.identity.clone(),
        }
    }
}

const USER_COLUMNS: &str = "id, email, display_name, password_hash, role, account_id, disabled, \
     must_change_password, totp_secret";

fn stored_user(row: &sqlx::any::AnyRow) -> Result<StoredUser, StoreError> {
    let role: String = row.try_get("role")?;
    let account: Option<i64> = row.try_get("account_id")?;
    Ok(StoredUser {
        id: UserId(row.try_get("id")?),
        email: row.try_get("email")?,
        display_name: row.try_get("display_name")?,
        password_hash: row.try_get("password_hash")?,
        identity: identity(&role, account)?,
        disabled: flag(row.try_get("disabled")?),
        must_change_password: flag(row.try_get("must_change_password")?),
        totp_secret: row.try_get("totp_secret")?,
    })
}

pub async fn user_by_email(
    conn: &mut AnyConnection,
    email: &EmailAddress,
) -> Result<Option<StoredUser>, StoreError> {
    let row = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE email = $1"))
        .bind(email.as_str())
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(stored_user).transpose()
}

pub async fn user_by_id(
    conn: &mut AnyConnection,
    user: UserId,
) -> Result<Option<StoredUser>, StoreError> {
    let row = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"))
        .bind(user.0)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(stored_user).transpose()
}

/// The sign-in of a customer account, if it has one.
pub async fn user_of_account(
    conn: &mut AnyConnection,
    account: peakday_app::accounts::AccountId,
) -> Result<Option<StoredUser>, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {USER_COLUMNS} FROM users WHERE account_id = $1 AND role = 'customer' \
         ORDER BY id LIMIT 1"
    ))
    .bind(account.0)
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(stored_user).transpose()
}

/// The stored password hash of `user`.
pub async fn password_hash_of(
    conn: &mut AnyConnection,
    user: UserId,
) -> Result<Option<String>, StoreError> {
    Ok(sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
        .bind(user.0)
        .fetch_optional(&mut *conn)
        .await?)
}

/// How many sessions `user` has open now.
pub async fn session_count(conn: &mut AnyConnection, user: UserId) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE user_id = $1 AND stage = 'active'")
        .bind(user.0)
        .fetch_one(&mut *conn)
        .await?)
}

/// Creates a user and returns their id.
pub async fn insert_user(conn: &mut AnyConnection, user: &NewUser) -> Result<UserId, StoreError> {
    let role = match &user.identity {
        Identity::Customer { .. } => Role::Customer,
        Identity::Staff { role } => Role::from(*role),
    };
    let account = match user.identity {
        Identity::Customer { account_id } => Some(account_id.0),
        Identity::Staff { .. } => None,
    };
    Ok(sqlx::query_scalar(
        "INSERT INTO users (email, display_name, password_hash, role, account_id, created_at, \
         must_change_password) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(user.email.as_str())
    .bind(&user.display_name)
    .bind(&user.password_hash)
    .bind(role.as_str())
    .bind(account)
    .bind(now())
    .bind(i64::from(user.must_change_password))
    .fetch_one(&mut *conn)
    .await
    .map(UserId)?)
}

/// Every staff user, by name.
pub async fn staff_members(conn: &mut AnyConnection) -> Result<Vec<StaffMember>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, email, display_name, role, disabled FROM users \
         WHERE role <> 'customer' ORDER BY display_name, email",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            let role: String = row.try_get("role")?;
            Ok(StaffMember {
                id: UserId(row.try_get("id")?),
                display_name: row.try_get("display_name")?,
                email: row.try_get("email")?,
                role: Role::parse(&role)
                    .ok_or_else(|| StoreError::Corrupt(format!("role {role:?}")))?,
                disabled: flag(row.try_get("disabled")?),
            })
        })
        .collect()
}

/// The identity stored as a role and an optional account.
pub(crate) fn identity(role: &str, account: Option<i64>) -> Result<Identity, StoreError> {
    Role::parse(role)
        .and_then(|role| Identity::from_parts(role, account.map(AccountId)))
        .ok_or_else(|| StoreError::Corrupt(format!("user role {role:?} with account {account:?}")))
}
