//! How server functions reach the server's services: one trait per feature, declared beside
//! the feature (`accounts::AccountsService`, `preferences::PreferencesService`, ...), each
//! implemented by the server's service for that feature, registered at start-up as an
//! `Arc<dyn Trait>` in a [`ServiceRegistry`], which every request finds in its Leptos context.
//! This crate never sees SQL.

use crate::error::AppError;
use leptos::prelude::use_context;
use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::Arc;

/// Every feature's service, by its trait. Built once at start-up and put into each request's
/// context as one shared value: one `provide_context` per request rather than one per feature
/// (eleven of them were about 1% of a page's instructions).
#[derive(Default)]
pub struct ServiceRegistry(HashMap<TypeId, Box<dyn Any + Send + Sync>>);

impl ServiceRegistry {
    /// Registers `service` as the service `S` (a `dyn` feature trait).
    pub fn with<S: ?Sized + Send + Sync + 'static>(mut self, service: Arc<S>) -> Self {
        self.0.insert(TypeId::of::<Arc<S>>(), Box::new(service));
        self
    }

    fn get<S: ?Sized + Send + Sync + 'static>(&self) -> Option<Arc<S>> {
        self.0.get(&TypeId::of::<Arc<S>>())?.downcast_ref::<Arc<S>>().cloned()
    }
}

/// The service `S` (a `dyn` feature trait) from context. Take it before the call awaits
/// anything, so the call does not depend on when, or under which owner, its future is polled.
pub fn service<S: ?Sized + Send + Sync + 'static>() -> Result<Arc<S>, AppError> {
    use_context::<Arc<ServiceRegistry>>().and_then(|registry| registry.get::<S>()).ok_or_else(
        || {
            leptos::logging::error!("{} missing from context", std::any::type_name::<S>());
            AppError::Unavailable
        },
    )
}
