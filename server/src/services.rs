//! The services server functions reach, one per feature, each put into Leptos context as the
//! `Arc<dyn Trait>` its feature in `peakday_app` declares (`peakday_app::service::service`).

use crate::accounts::Accounts;
use crate::auth::{AccountSecurity, AuthService};
use crate::events::Events;
use crate::preferences::Preferences;
use crate::programs::head_end::held::HeldMessages;
use crate::programs::Enrollments;
use crate::staff::StaffAdmin;
use crate::store::Store;
use leptos::prelude::provide_context;
use peakday_app::accounts::AccountsService;
use peakday_app::activity::ActivityService;
use peakday_app::auth::{SecurityService, SignInStepService};
use peakday_app::events::EventsService;
use peakday_app::preferences::PreferencesService;
use peakday_app::programs::ProgramsService;
use peakday_app::search::SearchService;
use peakday_app::staff::{OutboxOperations, StaffService};
use peakday_app::utility::UtilityService;
use std::sync::Arc;

/// Every feature's service, made once at start-up and shared by every request.
#[derive(Clone)]
pub struct Services {
    accounts: Arc<Accounts>,
    preferences: Arc<Preferences>,
    programs: Arc<Enrollments>,
    events: Arc<Events>,
    staff: Arc<StaffAdmin>,
    security: Arc<AccountSecurity>,
    held: Arc<HeldMessages>,
}

impl Services {
    pub fn new(store: &Store, auth: &AuthService) -> Self {
        Self {
            accounts: Arc::new(Accounts::new(store.clone())),
            preferences: Arc::new(Preferences::new(store.clone())),
            programs: Arc::new(Enrollments::new(store.clone())),
            events: Arc::new(Events::new(store.clone())),
            staff: Arc::new(StaffAdmin::new(store.clone(), auth.hashing().clone())),
            security: Arc::new(AccountSecurity::new(auth.clone())),
            held: Arc::new(HeldMessages::new(store.clone())),
        }
    }

    /// People's control over sign-ins, for the HTTP handlers that are not server functions.
    pub fn security(&self) -> &AccountSecurity {
        &self.security
    }

    /// Puts each service into the current Leptos context as its feature's trait object.
    pub fn provide(&self) {
        provide_context::<Arc<dyn AccountsService>>(self.accounts.clone());
        provide_context::<Arc<dyn UtilityService>>(self.accounts.clone());
        provide_context::<Arc<dyn SearchService>>(self.accounts.clone());
        provide_context::<Arc<dyn PreferencesService>>(self.preferences.clone());
        provide_context::<Arc<dyn ActivityService>>(self.preferences.clone());
        provide_context::<Arc<dyn ProgramsService>>(self.programs.clone());
        provide_context::<Arc<dyn EventsService>>(self.events.clone());
        provide_context::<Arc<dyn StaffService>>(self.staff.clone());
        provide_context::<Arc<dyn SecurityService>>(self.security.clone());
        provide_context::<Arc<dyn SignInStepService>>(self.security.clone());
        provide_context::<Arc<dyn OutboxOperations>>(self.held.clone());
    }
}
