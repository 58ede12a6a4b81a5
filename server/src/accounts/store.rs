use crate::preferences;
use crate::store::{flag, now, placeholders, Backend, StoreError, ROWS_PER_STATEMENT};
use peakday_app::accounts::{
    AccountId, AccountNumber, AccountOverview, BillCycleDay, Fuel, ServicePoint,
};
use peakday_app::recipients::ContactDetails;
use peakday_app::search::SearchDocument;
use sqlx::{AnyConnection, Row};

/// An account to create, with its service points.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub account_number: AccountNumber,
    pub customer_name: String,
    pub service_address: String,
    pub service_points: Vec<NewServicePoint>,
    /// The account holder as the primary recipient of its alerts: every account has one.
    pub primary: ContactDetails,
}

/// A service point to create under a new account.
#[derive(Debug, Clone)]
pub struct NewServicePoint {
    pub number: String,
    pub fuel: Fuel,
    pub rate_class: String,
    pub ami: bool,
    pub bill_cycle_day: BillCycleDay,
}

/// The account a customer sees on their home page; `None` if there is no such account.
pub async fn account_overview(
    conn: &mut AnyConnection,
    account: AccountId,
) -> Result<Option<AccountOverview>, StoreError> {
    // One statement for the account and its service points: one hand-off to the database's
    // thread instead of two, on `/account` and every admin-mode page's banner.
    let rows = sqlx::query(
        "SELECT a.account_number, a.customer_name, a.service_address, sp.service_point_number, \
                sp.fuel, sp.rate_class, sp.ami, sp.bill_cycle_day \
         FROM accounts a LEFT JOIN service_points sp ON sp.account_id = a.id \
         WHERE a.id = $1 ORDER BY sp.service_point_number",
    )
    .bind(account.0)
    .fetch_all(&mut *conn)
    .await?;
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let number: String = first.try_get("account_number")?;
    let mut service_points = Vec::with_capacity(rows.len());
    for row in &rows {
        // An account without service points is one row whose service-point columns are NULL.
        if row.try_get::<Option<String>, _>("service_point_number")?.is_some() {
            service_points.push(service_point(row)?);
        }
    }
    Ok(Some(AccountOverview {
        account_number: AccountNumber::parse(&number)
            .map_err(|e| StoreError::Corrupt(format!("account number {number:?}: {e}")))?,
        customer_name: first.try_get("customer_name")?,
        service_address: first.try_get("service_address")?,
        service_points,
    }))
}

/// An account's service points.
pub async fn service_points_of(
    conn: &mut AnyConnection,
    account: AccountId,
) -> Result<Vec<ServicePoint>, StoreError> {
    let rows = sqlx::query(
        "SELECT service_point_number, fuel, rate_class, ami, bill_cycle_day \
         FROM service_points WHERE account_id = $1 ORDER BY service_point_number",
    )
    .bind(account.0)
    .fetch_all(conn)
    .await?;
    rows.iter().map(service_point).collect()
}

/// The account with this number, if any.
pub async fn account_id_by_number(
    conn: &mut AnyConnection,
    number: &AccountNumber,
) -> Result<Option<AccountId>, StoreError> {
    let id: Option<i64> = sqlx::query_scalar("SELECT id FROM accounts WHERE account_number = $1")
        .bind(number.as_str())
        .fetch_optional(&mut *conn)
        .await?;
    Ok(id.map(AccountId))
}

pub async fn count_accounts(conn: &mut AnyConnection) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM accounts").fetch_one(&mut *conn).await?)
}

/// Creates accounts, their service points and primary recipients with set-based, multi-row inserts, and returns
/// the new accounts' ids in input order. Ids are assigned here (one past the largest), so
/// service points can name their account without a query per row.
pub async fn insert_accounts(
    conn: &mut AnyConnection,
    accounts: &[NewAccount],
) -> Result<Vec<AccountId>, StoreError> {
    let first: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM accounts")
        .fetch_one(&mut *conn)
        .await?;
    let created_at = now();
    let ids: Vec<i64> = (first..).take(accounts.len()).collect();

    for (chunk_index, chunk) in accounts.chunks(ROWS_PER_STATEMENT).enumerate() {
        let sql = format!(
            "INSERT INTO accounts (id, account_number, customer_name, service_address, created_at) \
             VALUES {}",
            placeholders(chunk.len(), 5)
        );
        let mut query = sqlx::query(&sql);
        for (offset, account) in chunk.iter().enumerate() {
            query = query
                .bind(ids[chunk_index * ROWS_PER_STATEMENT + offset])
                .bind(account.account_number.as_str())
                .bind(&account.customer_name)
                .bind(&account.service_address)
                .bind(created_at);
        }
        query.execute(&mut *conn).await?;
    }

    let points: Vec<(i64, &NewServicePoint)> = ids
        .iter()
        .zip(accounts)
        .flat_map(|(id, account)| account.service_points.iter().map(move |point| (*id, point)))
        .collect();
    for chunk in points.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO service_points \
             (account_id, service_point_number, fuel, rate_class, ami, bill_cycle_day) VALUES {}",
            placeholders(chunk.len(), 6)
        );
        let mut query = sqlx::query(&sql);
        for (account_id, point) in chunk {
            query = query
                .bind(*account_id)
                .bind(&point.number)
                .bind(point.fuel.as_str())
                .bind(&point.rate_class)
                .bind(i64::from(point.ami))
                .bind(i64::from(point.bill_cycle_day.get()));
        }
        query.execute(&mut *conn).await?;
    }

    let primaries: Vec<(i64, &ContactDetails)> =
        ids.iter().copied().zip(accounts.iter().map(|account| &account.primary)).collect();
    preferences::recipients::insert_primary_recipients(conn, &primaries).await?;
    let documents: Vec<(i64, SearchDocument)> =
        ids.iter().copied().zip(accounts.iter().map(NewAccount::search_document)).collect();
    super::search::index_new_accounts(conn, &documents).await?;

    if Backend::of(conn) == Backend::Postgres && !ids.is_empty() {
        // Explicit ids do not move PostgreSQL's identity sequence; keep it past them.
        sqlx::query(
            "SELECT setval(pg_get_serial_sequence('accounts', 'id'), MAX(id)) FROM accounts",
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(ids.into_iter().map(AccountId).collect())
}

impl NewAccount {
    /// What the new account will be found by: it has only its primary recipient yet.
    fn search_document(&self) -> SearchDocument {
        let contact = &self.primary;
        SearchDocument {
            account_number: self.account_number.to_string(),
            customer_name: self.customer_name.clone(),
            service_address: self.service_address.clone(),
            names: vec![contact.name.to_string()],
            emails: contact.email.iter().map(ToString::to_string).collect(),
            phones: [&contact.sms, &contact.voice]
                .into_iter()
                .flatten()
                .map(|phone| phone.as_e164().to_owned())
                .collect(),
        }
    }
}

pub(crate) fn service_point(row: &sqlx::any::AnyRow) -> Result<ServicePoint, StoreError> {
    let fuel: String = row.try_get("fuel")?;
    let day: i64 = row.try_get("bill_cycle_day")?;
    Ok(ServicePoint {
        number: row.try_get("service_point_number")?,
        fuel: Fuel::parse(&fuel).ok_or_else(|| StoreError::Corrupt(format!("fuel {fuel:?}")))?,
        rate_class: row.try_get("rate_class")?,
        ami: flag(row.try_get("ami")?),
        bill_cycle_day: u8::try_from(day)
            .ok()
            .and_then(|day| BillCycleDay::new(day).ok())
            .ok_or_else(|| StoreError::Corrupt(format!("bill cycle day {day}")))?,
    })
}

/// Locks an account's row for the rest of `tx`, so changes to one account (and the
/// head-end's answers about it) run one after another on PostgreSQL. On SQLite the write
/// transaction holds the database already.
pub async fn lock_account(conn: &mut AnyConnection, account: AccountId) -> Result<(), StoreError> {
    if Backend::of(conn) == Backend::Postgres {
        sqlx::query("SELECT id FROM accounts WHERE id = $1 FOR UPDATE")
            .bind(account.0)
            .fetch_optional(&mut *conn)
            .await?;
    }
    Ok(())
}

/// [`lock_account`] by account number.
pub async fn lock_account_number(conn: &mut AnyConnection, number: &str) -> Result<(), StoreError> {
    if Backend::of(conn) == Backend::Postgres {
        sqlx::query("SELECT id FROM accounts WHERE account_number = $1 FOR UPDATE")
            .bind(number)
            .fetch_optional(&mut *conn)
            .await?;
    }
    Ok(())
}
