//! How server functions reach the server's services: one trait per feature, declared beside
//! the feature (`accounts::AccountsService`, `preferences::PreferencesService`, ...), each
//! implemented by the server's service for that feature and put into Leptos context at start-up
//! as an `Arc<dyn Trait>`. This crate never sees SQL.

use crate::error::AppError;
use leptos::prelude::use_context;
use std::sync::Arc;

/// The service `S` (a `dyn` feature trait) from context. Take it before the call awaits
/// anything: a resource rendered on the server may be polled again outside the request's context.
pub fn service<S: ?Sized + Send + Sync + 'static>() -> Result<Arc<S>, AppError> {
    use_context::<Arc<S>>().ok_or_else(|| {
        leptos::logging::error!("{} missing from context", std::any::type_name::<S>());
        AppError::Unavailable
    })
}
