//! The preferences service: loads an account's state, runs the shared rules
//! ([`PreferencesState::apply`]) inside one write transaction, and stores the effects, the audit
//! records and the new version together.

use crate::accounts;
use crate::preferences::recipients;
use crate::preferences::store;
use crate::store::audit;
use crate::store::audit_entry;
use crate::store::outbox;
use crate::store::{Store, StoreError, Tx};
use jiff::tz::TimeZone;
use jiff::Timestamp;
use peakday_app::accounts::AccountId;
use peakday_app::activity::{
    field_changes, AccountActivity, ActivityEntry, ActivityService, Actor, ChangeSource,
};
use peakday_app::change::ChangeError;
use peakday_app::error::AppError;
use peakday_app::preferences::{
    Basis, Effect, PreferenceChange, PreferencesService, PreferencesState, PreferencesView,
};
use peakday_app::shell::Saved;
use sqlx::AnyConnection;
use std::collections::BTreeMap;

/// The outbox kind of the text that asks a number to confirm SMS alerts.
pub const SMS_OPT_IN_CONFIRMATION: &str = "sms_opt_in_confirmation";

/// How many history records the Activity page shows.

#[derive(Debug, thiserror::Error)]
pub enum PreferencesError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the account was changed since version {0}")]
    Conflict(i64),
    #[error("the change was refused: {0:?}")]
    Refused(ChangeError),
}

impl From<PreferencesError> for AppError {
    fn from(error: PreferencesError) -> Self {
        match error {
            PreferencesError::Store(error) => error.into(),
            PreferencesError::Conflict(_) => AppError::Conflict,
            PreferencesError::Refused(refusal) => refusal.into(),
        }
    }
}

/// The preferences of accounts, over the store.
#[derive(Clone)]
pub struct Preferences {
    store: Store,
}

impl Preferences {
    pub fn new(store: Store) -> Self {
        Self { store }
    }

    /// What the alerts and notifications pages show.
    #[tracing::instrument(name = "preferences.view", skip_all, fields(account = account.0))]
    pub async fn view(&self, account: AccountId) -> Result<PreferencesView, PreferencesError> {
        let (state, version) = self.state_of(&mut *self.store.read().await?, account).await?;
        Ok(state.view(version))
    }

    /// Applies `change` if what it was based on still stands: the account is still at the
    /// page's version, or the part of the page the form changes is as it was (so two cards saved
    /// within one round trip both land). Everything it stores (the change, consent requests,
    /// queued texts, audit records, the next version) commits together.
    #[tracing::instrument(name = "preferences.change", skip_all, fields(account = account.0))]
    pub async fn change(
        &self,
        actor: Actor,
        account: AccountId,
        basis: impl Into<Basis>,
        change: &PreferenceChange,
    ) -> Result<Saved, PreferencesError> {
        let basis = basis.into();
        let mut tx = self.store.begin_write().await?;
        let next_version = store::claim_next_preferences_version(&mut tx, account).await?;
        let (state, _) = self.state_of(&mut tx, account).await?;
        let version = next_version - 1;
        // The view (every card's revision) is worked out only for a save made on an older page.
        if version != basis.version && !state.view(version).still_as_seen(basis, change) {
            return Err(PreferencesError::Conflict(basis.version));
        }
        let outcome = state.apply(change).map_err(PreferencesError::Refused)?;
        for effect in &outcome.effects {
            apply_effect(&mut tx, account, effect).await?;
        }
        if outcome.effects.iter().any(Effect::changes_recipients) {
            // Names, emails and phones are what customer service searches by.
            accounts::search::reindex_account(&mut tx, account).await?;
        }
        for record in &outcome.audit {
            audit::append_audit(&mut tx, &audit_entry(actor, Some(account), record)).await?;
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok(Saved::at_version(outcome.message, next_version))
    }

    /// The account's history of changes, newest first, with times in the utility's zone.
    /// Customer service (`for_staff`) also sees the sign-ins, in a list of their own, and which
    /// staff member made each change; a customer reads "by customer service".
    #[tracing::instrument(name = "activity.list", skip_all, fields(account = account.0))]
    pub async fn activity(
        &self,
        account: AccountId,
        for_staff: bool,
    ) -> Result<AccountActivity, PreferencesError> {
        let zone = self.utility_zone().await?;
        let entry = |stored: audit::StoredAuditEntry| {
            let parse = |json: &Option<String>| {
                json.as_deref()
                    .and_then(|text| serde_json::from_str::<BTreeMap<String, String>>(text).ok())
            };
            let (before, after) = (parse(&stored.entry.before), parse(&stored.entry.after));
            let instant = Timestamp::from_second(stored.at).unwrap_or(Timestamp::UNIX_EPOCH);
            ActivityEntry {
                when: crate::store::local_time(&zone, stored.at),
                when_utc: instant.to_string(),
                source: stored.entry.source,
                staff_member: stored
                    .actor_name
                    .filter(|_| for_staff && stored.entry.source == ChangeSource::Agent),
                summary: stored.entry.summary,
                changes: field_changes(before.as_ref(), after.as_ref()),
            }
        };
        let mut conn = self.store.read().await?;
        let limit = |shown: usize| i64::try_from(shown).unwrap_or(i64::MAX);
        let changes =
            audit::changes_of_account(&mut conn, account, limit(AccountActivity::CHANGES_SHOWN))
                .await?;
        let sign_ins = if for_staff {
            audit::sign_ins_of_account(&mut conn, account, limit(AccountActivity::SIGN_INS_SHOWN))
                .await?
        } else {
            Vec::new()
        };
        Ok(AccountActivity {
            changes: changes.into_iter().map(entry).collect(),
            sign_ins: sign_ins.into_iter().map(entry).collect(),
        })
    }

    async fn utility_zone(&self) -> Result<TimeZone, PreferencesError> {
        Ok(self.store.utility_zone(&mut *self.store.read().await?).await?)
    }

    /// Everything the rules need about an account, and the version it is at, on one connection
    /// (inside the write transaction when changing, after the claim). Nothing here
    /// may take a second connection from the pool: under load every connection can be held by
    /// a transaction waiting for one (measured with `bench-saves`: 200 sessions on SQLite's 8
    /// connections stalled until the 30 s timeout).
    async fn state_of(
        &self,
        conn: &mut AnyConnection,
        account: AccountId,
    ) -> Result<(PreferencesState, i64), StoreError> {
        let utility = self.store.utility_settings(conn).await?.ok_or_else(not_seeded)?;
        let service_points = accounts::store::service_points_of(conn, account).await?;
        let (recipients, reach, stored) = recipients::recipients_with_reach(conn, account).await?;
        let state = PreferencesState {
            product: utility.product,
            utility_name: utility.name,
            channels_offered: utility.channels,
            service_points,
            recipients,
            opt_outs: stored.opt_outs,
            sms_consent: reach.sms_consent,
            rules: utility.eligibility,
            undeliverable: reach.undeliverable,
        };
        Ok((state, stored.version))
    }
}

fn not_seeded() -> StoreError {
    StoreError::Corrupt("utility settings missing: the database was not seeded".to_owned())
}

async fn apply_effect(tx: &mut Tx, account: AccountId, effect: &Effect) -> Result<(), StoreError> {
    match effect {
        Effect::InsertRecipient(contact) => {
            recipients::insert_recipient(tx, account, contact).await?;
        }
        Effect::UpdateRecipient(recipient) => {
            recipients::update_recipient(tx, account, recipient).await?
        }
        Effect::DeleteRecipient(id) => recipients::delete_recipient(tx, account, *id).await?,
        Effect::SetOptOuts(opt_outs) => store::save_opt_outs(tx, account, *opt_outs).await?,
        Effect::RequestSmsConsent(number) => {
            if store::request_sms_consent(tx, account, number).await? {
                // The text itself is sent by the notifications work; queued here, durably.
                let payload =
                    serde_json::json!({ "to": number.as_e164(), "account_id": account.0 });
                let key = format!("{SMS_OPT_IN_CONFIRMATION}:{}:{}", account.0, number.as_e164());
                outbox::enqueue(tx, SMS_OPT_IN_CONFIRMATION, &key, None, &payload).await?;
            }
        }
    }
    Ok(())
}

#[async_trait::async_trait]
impl PreferencesService for Preferences {
    async fn preferences(&self, account: AccountId) -> Result<PreferencesView, AppError> {
        Ok(self.view(account).await?)
    }

    async fn change_preferences(
        &self,
        actor: Actor,
        account: AccountId,
        basis: Basis,
        change: PreferenceChange,
    ) -> Result<Saved, AppError> {
        Ok(self.change(actor, account, basis, &change).await?)
    }
}

#[async_trait::async_trait]
impl ActivityService for Preferences {
    async fn activity(
        &self,
        account: AccountId,
        for_staff: bool,
    ) -> Result<AccountActivity, AppError> {
        Ok(self.activity(account, for_staff).await?)
    }
}
