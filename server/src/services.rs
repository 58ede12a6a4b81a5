//! The services server functions reach, one per feature, each put into Leptos context as the
//! `Arc<dyn Trait>` its feature in `peakday_app` declares, in one `ServiceRegistry`
//! (`peakday_app::service::service`).

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
use peakday_app::service::ServiceRegistry;
use peakday_app::staff::{OutboxOperations, StaffService};
use peakday_app::utility::UtilityService;
use std::sync::Arc;

/// Every feature's service, made once at start-up and shared by every request.
#[derive(Clone)]
pub struct Services {
    security: Arc<AccountSecurity>,
    /// The same services by the traits server functions ask for.
    registry: Arc<ServiceRegistry>,
}

impl Services {
    pub fn new(store: &Store, auth: &AuthService) -> Self {
        let accounts = Arc::new(Accounts::new(store.clone()));
        let preferences = Arc::new(Preferences::new(store.clone()));
        let security = Arc::new(AccountSecurity::new(auth.clone()));
        let registry = ServiceRegistry::default()
            .with::<dyn AccountsService>(accounts.clone())
            .with::<dyn UtilityService>(accounts.clone())
            .with::<dyn SearchService>(accounts)
            .with::<dyn PreferencesService>(preferences.clone())
            .with::<dyn ActivityService>(preferences)
            .with::<dyn ProgramsService>(Arc::new(Enrollments::new(store.clone())))
            .with::<dyn EventsService>(Arc::new(Events::new(store.clone())))
            .with::<dyn StaffService>(Arc::new(StaffAdmin::new(
                store.clone(),
                auth.hashing().clone(),
            )))
            .with::<dyn SecurityService>(security.clone())
            .with::<dyn SignInStepService>(security.clone())
            .with::<dyn OutboxOperations>(Arc::new(HeldMessages::new(store.clone())));
        Self { security, registry: Arc::new(registry) }
    }

    /// People's control over sign-ins, for the HTTP handlers that are not server functions.
    pub fn security(&self) -> &AccountSecurity {
        &self.security
    }

    /// Puts every service into the current Leptos context, as one registry.
    pub fn provide(&self) {
        provide_context(self.registry.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::SessionPolicy;
    use leptos::prelude::Owner;
    use peakday_app::service::service;

    /// Every trait a server function asks for is found, as the service that implements it: a
    /// trait left out of the registry would answer every call of its feature 503.
    #[tokio::test]
    async fn every_feature_trait_is_found_in_a_request_context() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("services.db").display());
        let store = Store::connect(&url).await.unwrap();
        let auth = AuthService::new(store.clone(), SessionPolicy::default());
        let services = Services::new(&store, &auth);
        Owner::new().with(|| {
            assert!(service::<dyn AccountsService>().is_err(), "nothing before it is provided");
            services.provide();
            assert!(service::<dyn AccountsService>().is_ok());
            assert!(service::<dyn UtilityService>().is_ok());
            assert!(service::<dyn SearchService>().is_ok());
            assert!(service::<dyn PreferencesService>().is_ok());
            assert!(service::<dyn ActivityService>().is_ok());
            assert!(service::<dyn ProgramsService>().is_ok());
            assert!(service::<dyn EventsService>().is_ok());
            assert!(service::<dyn StaffService>().is_ok());
            assert!(service::<dyn SecurityService>().is_ok());
            assert!(service::<dyn SignInStepService>().is_ok());
            assert!(service::<dyn OutboxOperations>().is_ok());
        });
    }
}
