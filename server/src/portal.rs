//! The portal's services as server functions reach them (`peakday_app::service::PortalService`).

use crate::enrollments::Enrollments;
use crate::preferences::Preferences;
use crate::staff::StaffAdmin;
use crate::store::{Store, StoreError};
use peakday_app::accounts::{AccountId, AccountNumber, AccountOverview};
use peakday_app::activity::{ActivityEntry, Actor};
use peakday_app::auth::StaffRole;
use peakday_app::error::AppError;
use peakday_app::preferences::{PreferenceChange, PreferencesView, Saved};
use peakday_app::programs::{
    AccountDevices, AccountPrograms, EnrollmentChange, ProgramDefinition, ProgramsOverview,
};
use peakday_app::search::{SearchCursor, SearchQuery, SearchResults};
use peakday_app::service::PortalService;
use peakday_app::staff::{NewStaff, StaffMember};
use peakday_app::utility::UtilityOverview;

/// [`PortalService`] over the store.
pub struct Portal {
    store: Store,
    preferences: Preferences,
    staff: StaffAdmin,
    enrollments: Enrollments,
}

impl Portal {
    pub fn new(store: Store, hashing: crate::auth::Hashing) -> Self {
        Self {
            preferences: Preferences::new(store.clone()),
            staff: StaffAdmin::new(store.clone(), hashing),
            enrollments: Enrollments::new(store.clone()),
            store,
        }
    }
}

/// A store failure as the person sees it (a sentence) and the log records it (the cause).
pub(crate) fn unavailable(error: StoreError) -> AppError {
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

    async fn activity(
        &self,
        account: AccountId,
        for_staff: bool,
    ) -> Result<Vec<ActivityEntry>, AppError> {
        Ok(self.preferences.activity(account, for_staff).await?)
    }

    async fn account_id(&self, number: &AccountNumber) -> Result<Option<AccountId>, AppError> {
        self.store.account_id_by_number(number).await.map_err(unavailable)
    }

    async fn search_accounts(
        &self,
        query: &SearchQuery,
        after: Option<SearchCursor>,
    ) -> Result<SearchResults, AppError> {
        self.store.search_accounts(query, after.as_ref()).await.map_err(unavailable)
    }

    async fn create_staff(&self, admin: i64, staff: NewStaff) -> Result<Saved, AppError> {
        Ok(self.staff.create(admin, staff).await?)
    }

    async fn change_staff_role(
        &self,
        admin: i64,
        user: i64,
        role: StaffRole,
    ) -> Result<Saved, AppError> {
        Ok(self.staff.change_role(admin, user, role).await?)
    }

    async fn set_staff_disabled(
        &self,
        admin: i64,
        user: i64,
        disabled: bool,
    ) -> Result<Saved, AppError> {
        Ok(self.staff.set_disabled(admin, user, disabled).await?)
    }

    async fn end_staff_sessions(&self, admin: i64, user: i64) -> Result<Saved, AppError> {
        Ok(self.staff.end_sessions(admin, user).await?)
    }

    async fn account_devices(&self, account: AccountId) -> Result<AccountDevices, AppError> {
        Ok(self.enrollments.devices(account).await?)
    }

    async fn account_programs(&self, account: AccountId) -> Result<AccountPrograms, AppError> {
        Ok(self.enrollments.programs(account).await?)
    }

    async fn change_enrollment(
        &self,
        actor: Actor,
        account: AccountId,
        change: EnrollmentChange,
    ) -> Result<Saved, AppError> {
        Ok(self.enrollments.change(actor, account, &change).await?)
    }

    async fn programs_overview(&self) -> Result<ProgramsOverview, AppError> {
        Ok(self.enrollments.overview().await?)
    }

    async fn save_program(
        &self,
        manager: i64,
        program: Option<i64>,
        definition: ProgramDefinition,
    ) -> Result<Saved, AppError> {
        Ok(self.enrollments.save_program(manager, program, &definition).await?)
    }
}
