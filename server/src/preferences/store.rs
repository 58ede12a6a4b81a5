use crate::store::{flag, now, StoreError};
use peakday_app::accounts::AccountId;
use peakday_app::contact::PhoneNumber;
use peakday_app::preferences::AccountOptOuts;
use peakday_app::utility::Channel;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

/// The version every save of an account's preferences is checked against, and its account-wide
/// stops. An account nobody changed yet has no row: version 0, nothing stopped.
#[derive(Debug, Clone, Copy, Default)]
pub struct StoredPreferences {
    pub version: i64,
    pub opt_outs: AccountOptOuts,
}

/// The columns of [`StoredPreferences`] for a statement that joins `account_preferences`; they
/// are NULL where the account has no row yet.
pub const PREFERENCES_COLUMNS: &str = ", account_preferences.version AS preferences_version, \
     account_preferences.stop_email, account_preferences.stop_sms, \
     account_preferences.stop_voice, account_preferences.stop_everything";

impl StoredPreferences {
    /// From a row with [`PREFERENCES_COLUMNS`].
    pub fn from_row(row: &AnyRow) -> Result<Self, StoreError> {
        let stop = |column: &str| -> Result<bool, StoreError> {
            Ok(flag(row.try_get::<Option<i64>, _>(column)?.unwrap_or(0)))
        };
        Ok(Self {
            version: row.try_get::<Option<i64>, _>("preferences_version")?.unwrap_or(0),
            opt_outs: AccountOptOuts {
                email: stop("stop_email")?,
                sms: stop("stop_sms")?,
                voice: stop("stop_voice")?,
                everything: stop("stop_everything")?,
            },
        })
    }
}

/// Moves the account to its next version and returns it (1 for an account nobody changed yet).
/// Run first in a save's transaction: on PostgreSQL the row lock then orders concurrent saves of
/// one account, and each sees the state the one before it left; the caller checks that the
/// save was made on that state ([`peakday_app::preferences::PreferencesView::still_as_seen`])
/// and rolls back otherwise.
pub async fn claim_next_preferences_version(
    conn: &mut AnyConnection,
    account: AccountId,
) -> Result<i64, StoreError> {
    let row = sqlx::query(
        "INSERT INTO account_preferences (account_id, version, updated_at) VALUES ($1, 1, $2) \
         ON CONFLICT (account_id) DO UPDATE \
         SET version = account_preferences.version + 1, updated_at = excluded.updated_at \
         RETURNING version",
    )
    .bind(account.0)
    .bind(now())
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.try_get::<i64, _>("version")?)
}

/// Stores the account-wide stops (after the version was claimed).
pub async fn save_opt_outs(
    conn: &mut AnyConnection,
    account: AccountId,
    opt_outs: AccountOptOuts,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE account_preferences SET stop_email = $1, stop_sms = $2, stop_voice = $3, \
         stop_everything = $4 WHERE account_id = $5",
    )
    .bind(i64::from(opt_outs.email))
    .bind(i64::from(opt_outs.sms))
    .bind(i64::from(opt_outs.voice))
    .bind(i64::from(opt_outs.everything))
    .bind(account.0)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Marks a number this account never asked pending. Returns false if the account already
/// has consent on record for it (pending, in or out), which a portal request never overrides.
pub async fn request_sms_consent(
    conn: &mut AnyConnection,
    account: AccountId,
    number: &PhoneNumber,
) -> Result<bool, StoreError> {
    let result = sqlx::query(
        "INSERT INTO account_sms_consent (account_id, phone, state, updated_at) \
         VALUES ($1, $2, 'pending', $3) ON CONFLICT (account_id, phone) DO NOTHING",
    )
    .bind(account.0)
    .bind(number.as_e164())
    .bind(now())
    .execute(&mut *conn)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// A STOP from `number`: every account's consent for it ends at
/// once, and the number is remembered as stopped. Returns the accounts that had asked.
pub async fn record_sms_stop(
    conn: &mut AnyConnection,
    number: &PhoneNumber,
    at: i64,
) -> Result<Vec<AccountId>, StoreError> {
    sqlx::query(
        "INSERT INTO sms_number_stops (phone, stopped_at) VALUES ($1, $2) \
         ON CONFLICT (phone) DO UPDATE SET stopped_at = $2",
    )
    .bind(number.as_e164())
    .bind(at)
    .execute(&mut *conn)
    .await?;
    let accounts: Vec<i64> = sqlx::query_scalar(
        "UPDATE account_sms_consent SET state = 'opted_out', updated_at = $1 \
         WHERE phone = $2 RETURNING account_id",
    )
    .bind(at)
    .bind(number.as_e164())
    .fetch_all(&mut *conn)
    .await?;
    Ok(accounts.into_iter().map(AccountId).collect())
}

/// A confirmation (YES) from `number`: the accounts that asked it and are waiting are opted
/// in, each for its own texts; accounts that never asked stay unasked. Returns them.
pub async fn confirm_sms_consent(
    conn: &mut AnyConnection,
    number: &PhoneNumber,
    at: i64,
) -> Result<Vec<AccountId>, StoreError> {
    sqlx::query("DELETE FROM sms_number_stops WHERE phone = $1")
        .bind(number.as_e164())
        .execute(&mut *conn)
        .await?;
    let accounts: Vec<i64> = sqlx::query_scalar(
        "UPDATE account_sms_consent SET state = 'opted_in', updated_at = $1 \
         WHERE phone = $2 AND state = 'pending' RETURNING account_id",
    )
    .bind(at)
    .bind(number.as_e164())
    .fetch_all(&mut *conn)
    .await?;
    Ok(accounts.into_iter().map(AccountId).collect())
}

/// Whether `number` said STOP and has not opted in again since: nothing is sent to it.
pub async fn sms_number_stopped(
    conn: &mut AnyConnection,
    number: &PhoneNumber,
) -> Result<bool, StoreError> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT stopped_at FROM sms_number_stops WHERE phone = $1")
            .bind(number.as_e164())
            .fetch_optional(conn)
            .await?;
    Ok(found.is_some())
}

/// Marks an address undeliverable (a hard bounce, a disconnected number) until it changes.
pub async fn mark_undeliverable(
    conn: &mut AnyConnection,
    channel: Channel,
    address: &str,
    reason: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO undeliverable_addresses (channel, address, reason, marked_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (channel, address) DO NOTHING",
    )
    .bind(channel.as_str())
    .bind(address)
    .bind(reason)
    .bind(now())
    .execute(&mut *conn)
    .await?;
    Ok(())
}
