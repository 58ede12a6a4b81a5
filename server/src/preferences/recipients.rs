use super::store::{StoredPreferences, PREFERENCES_COLUMNS};
use crate::store::{flag, now, placeholders, StoreError, ROWS_PER_STATEMENT};
use peakday_app::accounts::AccountId;
use peakday_app::contact::{EmailAddress, PhoneNumber};
use peakday_app::preferences::{address_for, Recipient, SmsConsent};
use peakday_app::preferences::{Communication, Communications, NotificationMatrix, PeakChannels};
use peakday_app::recipients::{ContactDetails, RecipientId, RecipientName, Recipients};
use peakday_app::utility::Channel;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use std::collections::{BTreeMap, BTreeSet};

const RECIPIENT_COLUMNS: &str = "id, is_primary, name, email, sms_phone, voice_phone, \
     peak_email, peak_sms, peak_voice, communications, notifications";

/// An account's recipients, the primary first. An account without a primary is corrupt:
/// every account gets one when it is created.
pub async fn recipients_of(
    conn: &mut AnyConnection,
    account: AccountId,
) -> Result<Recipients<Recipient>, StoreError> {
    let rows = recipient_rows(conn, account, "").await?;
    ordered(account, rows.iter().map(recipient).collect::<Result<_, _>>()?)
}

/// What the rules need to know about reaching an account's recipients besides their details.
#[derive(Debug, Default)]
pub struct Reach {
    /// The account's SMS consent for its recipients' numbers; a number without a record was
    /// never asked by this account. Another account's consent for the same number is theirs.
    pub sms_consent: BTreeMap<PhoneNumber, SmsConsent>,
    /// The recipients' addresses marked undeliverable (a hard bounce, a disconnected number).
    pub undeliverable: BTreeSet<(Channel, String)>,
}

/// Beside each recipient's row: the account's SMS consent for its number, and whether each of
/// its addresses is marked undeliverable (the columns of [`UNDELIVERABLE_COLUMNS`]).
const REACH_COLUMNS: &str = ", (SELECT c.state FROM account_sms_consent c \
     WHERE c.account_id = recipients.account_id AND c.phone = recipients.sms_phone) AS sms_consent, \
     CASE WHEN EXISTS (SELECT 1 FROM undeliverable_addresses u WHERE u.channel = 'email' \
     AND u.address = recipients.email) THEN 1 ELSE 0 END AS undeliverable_email, \
     CASE WHEN EXISTS (SELECT 1 FROM undeliverable_addresses u WHERE u.channel = 'sms' \
     AND u.address = recipients.sms_phone) THEN 1 ELSE 0 END AS undeliverable_sms, \
     CASE WHEN EXISTS (SELECT 1 FROM undeliverable_addresses u WHERE u.channel = 'voice' \
     AND u.address = recipients.voice_phone) THEN 1 ELSE 0 END AS undeliverable_voice";

/// The channels a customer controls, each with its column of [`REACH_COLUMNS`].
const UNDELIVERABLE_COLUMNS: [(Channel, &str); 3] = [
    (Channel::Email, "undeliverable_email"),
    (Channel::Sms, "undeliverable_sms"),
    (Channel::Voice, "undeliverable_voice"),
];

/// An account's recipients (as [`recipients_of`]), their [`Reach`] and the account's
/// [`StoredPreferences`], read in one statement: a save reads them while it holds SQLite's write
/// lock, where every statement counts, and a page sees them as of one moment.
pub async fn recipients_with_reach(
    conn: &mut AnyConnection,
    account: AccountId,
) -> Result<(Recipients<Recipient>, Reach, StoredPreferences), StoreError> {
    let rows =
        recipient_rows(conn, account, &format!("{REACH_COLUMNS}{PREFERENCES_COLUMNS}")).await?;
    // Every row carries the same preferences; an account always has its primary recipient's.
    let preferences =
        rows.first().map(StoredPreferences::from_row).transpose()?.unwrap_or_default();
    let mut reach = Reach::default();
    let mut recipients = Vec::with_capacity(rows.len());
    for row in &rows {
        let (is_primary, recipient) = recipient(row)?;
        let contact = &recipient.contact;
        let consent: Option<String> = row.try_get("sms_consent")?;
        if let (Some(state), Some(number)) = (consent, &contact.sms) {
            let state = SmsConsent::parse(&state)
                .ok_or_else(|| StoreError::Corrupt(format!("sms consent state {state:?}")))?;
            reach.sms_consent.insert(number.clone(), state);
        }
        for (channel, column) in UNDELIVERABLE_COLUMNS {
            let marked = flag(row.try_get(column)?);
            if let Some(address) = address_for(contact, channel).filter(|_| marked) {
                reach.undeliverable.insert((channel, address));
            }
        }
        recipients.push((is_primary, recipient));
    }
    Ok((ordered(account, recipients)?, reach, preferences))
}

async fn recipient_rows(
    conn: &mut AnyConnection,
    account: AccountId,
    extra_columns: &str,
) -> Result<Vec<AnyRow>, StoreError> {
    Ok(sqlx::query(&format!(
        "SELECT {RECIPIENT_COLUMNS}{extra_columns} FROM recipients \
         LEFT JOIN account_preferences ON account_preferences.account_id = recipients.account_id \
         WHERE recipients.account_id = $1 ORDER BY is_primary DESC, id"
    ))
    .bind(account.0)
    .fetch_all(conn)
    .await?)
}

/// Recipients in the order their rows came (each marked whether it is the primary), as the
/// primary and the rest.
fn ordered(
    account: AccountId,
    recipients: Vec<(bool, Recipient)>,
) -> Result<Recipients<Recipient>, StoreError> {
    let mut primary = None;
    let mut additional = Vec::new();
    for (is_primary, recipient) in recipients {
        if is_primary {
            primary = Some(recipient);
        } else {
            additional.push(recipient);
        }
    }
    let primary = primary.ok_or_else(|| {
        StoreError::Corrupt(format!("account {} has no primary recipient", account.0))
    })?;
    Ok(Recipients { primary, additional })
}

/// Adds an additional recipient with nothing chosen yet.
pub async fn insert_recipient(
    conn: &mut AnyConnection,
    account: AccountId,
    contact: &ContactDetails,
) -> Result<RecipientId, StoreError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO recipients \
         (account_id, is_primary, name, email, sms_phone, voice_phone, created_at) \
         VALUES ($1, 0, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(account.0)
    .bind(contact.name.as_str())
    .bind(contact.email.as_ref().map(EmailAddress::as_str))
    .bind(contact.sms.as_ref().map(PhoneNumber::as_e164))
    .bind(contact.voice.as_ref().map(PhoneNumber::as_e164))
    .bind(now())
    .fetch_one(&mut *conn)
    .await?;
    Ok(RecipientId(id))
}

/// Stores a recipient's details and choices. Scoped to the account: an id of another
/// account's recipient changes nothing.
pub async fn update_recipient(
    conn: &mut AnyConnection,
    account: AccountId,
    recipient: &Recipient,
) -> Result<(), StoreError> {
    let contact = &recipient.contact;
    let channels = recipient.peak_channels;
    let notifications = serde_json::to_string(&recipient.notifications)
        .map_err(|e| StoreError::Corrupt(format!("notification matrix: {e}")))?;
    let updated = sqlx::query(
        "UPDATE recipients SET name = $1, email = $2, sms_phone = $3, voice_phone = $4, \
         peak_email = $5, peak_sms = $6, peak_voice = $7, communications = $8, \
         notifications = $9 WHERE id = $10 AND account_id = $11",
    )
    .bind(contact.name.as_str())
    .bind(contact.email.as_ref().map(EmailAddress::as_str))
    .bind(contact.sms.as_ref().map(PhoneNumber::as_e164))
    .bind(contact.voice.as_ref().map(PhoneNumber::as_e164))
    .bind(i64::from(channels.email))
    .bind(i64::from(channels.sms))
    .bind(i64::from(channels.voice))
    .bind(communications_text(&recipient.communications))
    .bind(notifications)
    .bind(recipient.id.0)
    .bind(account.0)
    .execute(&mut *conn)
    .await?;
    expect_one_row(updated.rows_affected(), recipient.id)
}

/// Removes an additional recipient. The primary is never removed, whatever is asked.
pub async fn delete_recipient(
    conn: &mut AnyConnection,
    account: AccountId,
    id: RecipientId,
) -> Result<(), StoreError> {
    let deleted =
        sqlx::query("DELETE FROM recipients WHERE id = $1 AND account_id = $2 AND is_primary = 0")
            .bind(id.0)
            .bind(account.0)
            .execute(&mut *conn)
            .await?;
    expect_one_row(deleted.rows_affected(), id)
}

/// Creates the primary recipients of new accounts, many rows per statement.
pub(crate) async fn insert_primary_recipients(
    conn: &mut AnyConnection,
    primaries: &[(i64, &ContactDetails)],
) -> Result<(), StoreError> {
    let created_at = now();
    for chunk in primaries.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO recipients \
             (account_id, is_primary, name, email, sms_phone, voice_phone, created_at) VALUES {}",
            placeholders(chunk.len(), 7)
        );
        let mut query = sqlx::query(&sql);
        for (account_id, contact) in chunk {
            query = query
                .bind(*account_id)
                .bind(1_i64)
                .bind(contact.name.as_str())
                .bind(contact.email.as_ref().map(EmailAddress::as_str))
                .bind(contact.sms.as_ref().map(PhoneNumber::as_e164))
                .bind(contact.voice.as_ref().map(PhoneNumber::as_e164))
                .bind(created_at);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// The rules checked the recipient exists; a miss here means the data moved underneath.
fn expect_one_row(rows: u64, id: RecipientId) -> Result<(), StoreError> {
    if rows == 1 {
        Ok(())
    } else {
        Err(StoreError::Corrupt(format!("recipient {} changed during the transaction", id.0)))
    }
}

fn communications_text(communications: &Communications) -> String {
    communications.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(",")
}

/// A recipient's row: whether it is the account's primary, and the recipient.
fn recipient(row: &AnyRow) -> Result<(bool, Recipient), StoreError> {
    let id: i64 = row.try_get("id")?;
    let corrupt = |what: &str, detail: String| {
        StoreError::Corrupt(format!("recipient {id}: {what}: {detail}"))
    };
    let name: String = row.try_get("name")?;
    let email: Option<String> = row.try_get("email")?;
    let sms: Option<String> = row.try_get("sms_phone")?;
    let voice: Option<String> = row.try_get("voice_phone")?;
    let phone = |value: Option<String>, what: &str| {
        value
            .map(|text| PhoneNumber::parse(&text).map_err(|e| corrupt(what, e.to_string())))
            .transpose()
    };
    let contact = ContactDetails {
        name: RecipientName::parse(&name).map_err(|e| corrupt("name", e.to_string()))?,
        email: email
            .map(|text| EmailAddress::parse(&text).map_err(|e| corrupt("email", e.to_string())))
            .transpose()?,
        sms: phone(sms, "sms phone")?,
        voice: phone(voice, "voice phone")?,
    };
    let communications: String = row.try_get("communications")?;
    let communications = communications
        .split(',')
        .filter(|name| !name.is_empty())
        .map(|name| Communication::parse(name).ok_or_else(|| corrupt("communication", name.into())))
        .collect::<Result<Communications, _>>()?;
    let notifications: String = row.try_get("notifications")?;
    let notifications: NotificationMatrix = serde_json::from_str(&notifications)
        .map_err(|e| corrupt("notifications", e.to_string()))?;
    let is_primary = flag(row.try_get("is_primary")?);
    Ok((
        is_primary,
        Recipient {
            id: RecipientId(id),
            contact,
            peak_channels: PeakChannels {
                email: flag(row.try_get("peak_email")?),
                sms: flag(row.try_get("peak_sms")?),
                voice: flag(row.try_get("peak_voice")?),
            },
            communications,
            notifications,
        },
    ))
}
