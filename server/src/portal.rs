//! The portal's services as server functions reach them (`peakday_app::service::PortalService`).

use crate::preferences::Preferences;
use crate::store::{Store, StoreError};
use peakday_app::accounts::{AccountId, AccountOverview};
use peakday_app::activity::{ActivityEntry, Actor};
use peakday_app::error::AppError;
use peakday_app::preferences::{PreferenceChange, PreferencesView, Saved};
use peakday_app::service::PortalService;
use peakday_app::staff::StaffMember;
use peakday_app::utility::UtilityOverview;

/// [`PortalService`] over the store.
pub struct Portal {
    store: Store,
    preferences: Preferences,
}

impl Portal {
    pub fn new(store: Store) -> Self {
        Self { preferences: Preferences::new(store.clone()), store }
    }
}

/// The person sees a sentence; the log gets the cause.
fn unavailable(error: StoreError) -> AppError {
    tracing::error!(%error, "store failed");
    AppError::Unavailable
}

#[async_trait::async_trait]
impl PortalService for Portal {
    async fn account_overview(&self, account: AccountId) -> Result<AccountOverview, AppError> {
        self.store.account_overview(account).await.map_err(unavailable)?.ok_or(AppError::NotFound)
    }

    async fn utility_overview(&self) -> Result<UtilityOverview, AppError> {
        let settings =
            self.store.utility_settings().await.map_err(unavailable)?.ok_or_else(|| {
                tracing::error!("utility settings missing: the database was not seeded");
                AppError::Unavailable
            })?;
        let account_count = self.store.count_accounts().await.map_err(unavailable)?;
        Ok(UtilityOverview { settings, account_count })
    }

    async fn staff_members(&self) -> Result<Vec<StaffMember>, AppError> {
        self.store.staff_members().await.map_err(unavailable)
    }

    async fn preferences(&self, account: AccountId) -> Result<PreferencesView, AppError> {
        Ok(self.preferences.view(account).await?)
    }

    async fn change_preferences(
        &self,
        actor: Actor,
        account: AccountId,
        version: i64,
        change: PreferenceChange,
    ) -> Result<Saved, AppError> {
        Ok(self.preferences.change(actor, account, version, &change).await?)
    }

    async fn activity(&self, account: AccountId) -> Result<Vec<ActivityEntry>, AppError> {
        Ok(self.preferences.activity(account).await?)
    }
}
