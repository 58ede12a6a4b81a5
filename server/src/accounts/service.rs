//! Accounts as staff and customers look them up: an account's overview, an account by number,
//! customer service's search, and the utility's overview for staff homes.

use crate::accounts::search;
use crate::accounts::store;
use crate::programs;
use crate::store::audit;
use crate::store::{audit_entry, Store};
use peakday_app::accounts::{
    apply_medical_flag, AccountId, AccountNumber, AccountOverview, AccountsService,
};
use peakday_app::activity::Actor;
use peakday_app::error::AppError;
use peakday_app::search::{SearchCursor, SearchQuery, SearchResults, SearchService};
use peakday_app::shell::Saved;
use peakday_app::utility::{UtilityOverview, UtilityService};

/// Reads of accounts and the utility, over the store.
#[derive(Clone)]
pub struct Accounts {
    store: Store,
}

impl Accounts {
    pub fn new(store: Store) -> Self {
        Self { store }
    }
}

#[async_trait::async_trait]
impl AccountsService for Accounts {
    #[tracing::instrument(name = "accounts.overview", skip_all, fields(account = account.0))]
    async fn account_overview(&self, account: AccountId) -> Result<AccountOverview, AppError> {
        store::account_overview(&mut *self.store.read().await?, account)
            .await?
            .ok_or(AppError::NotFound)
    }

    #[tracing::instrument(name = "accounts.by_number", skip_all)]
    async fn account_id(&self, number: &AccountNumber) -> Result<Option<AccountId>, AppError> {
        Ok(store::account_id_by_number(&mut *self.store.read().await?, number).await?)
    }

    #[tracing::instrument(name = "accounts.medical_flag", skip_all, fields(account = account.0))]
    async fn medical_flag(&self, account: AccountId) -> Result<bool, AppError> {
        Ok(programs::store::device_sites_of(&mut *self.store.read().await?, account)
            .await?
            .life_support)
    }

    /// In one write transaction with the account locked: two agents at once each see the
    /// other's change, and each records what it replaced.
    #[tracing::instrument(name = "accounts.set_medical_flag", skip_all, fields(account = account.0))]
    async fn set_medical_flag(
        &self,
        actor: Actor,
        account: AccountId,
        set: bool,
        note: String,
    ) -> Result<Saved, AppError> {
        let mut tx = self.store.begin_write().await?;
        store::lock_account(&mut tx, account).await?;
        let current = programs::store::device_sites_of(&mut tx, account).await?.life_support;
        let outcome = apply_medical_flag(current, set, &note)?;
        for flag in &outcome.effects {
            programs::store::set_life_support(&mut tx, account, *flag).await?;
        }
        for record in &outcome.audit {
            audit::append_audit(&mut tx, &audit_entry(actor, Some(account), record)).await?;
        }
        tx.commit().await.map_err(crate::store::StoreError::from)?;
        Ok(Saved::new(outcome.message))
    }
}

#[async_trait::async_trait]
impl UtilityService for Accounts {
    #[tracing::instrument(name = "utility.overview", skip_all)]
    async fn utility_overview(&self) -> Result<UtilityOverview, AppError> {
        let mut conn = self.store.read().await?;
        let settings = self.store.utility_settings(&mut conn).await?.ok_or_else(|| {
            tracing::error!("utility settings missing: the database was not seeded");
            AppError::Unavailable
        })?;
        let account_count = store::count_accounts(&mut conn).await?;
        Ok(UtilityOverview { settings, account_count })
    }
}

#[async_trait::async_trait]
impl SearchService for Accounts {
    #[tracing::instrument(name = "accounts.search", skip_all)]
    async fn search_accounts(
        &self,
        query: &SearchQuery,
        after: Option<SearchCursor>,
    ) -> Result<SearchResults, AppError> {
        Ok(search::search_accounts(&mut *self.store.read().await?, query, after.as_ref()).await?)
    }
}
