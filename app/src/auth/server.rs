//! Server-side checks every server function starts with.

use super::{Access, Viewer};
use crate::accounts::AccountId;
use crate::activity::{Actor, ChangeSource};
use crate::error::AppError;
use crate::service::Services;
use http::request::Parts;
use http::StatusCode;
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;

/// The signed-in person of the current request, put there by the server's session middleware.
pub fn viewer_of_request() -> Option<Viewer> {
    use_context::<Parts>().and_then(|parts| parts.extensions.get::<Viewer>().cloned())
}

/// Refuses the call unless the current viewer is signed in and `access` permits their role.
/// Every non-public server function calls this first (ASVS 8.2.1 / 8.3.1).
/// A refusal also sets the response status (401 or 403) for clients that read it.
pub fn authorize(access: Access) -> Result<Viewer, AppError> {
    let refuse = |error: AppError, status: StatusCode| {
        if let Some(response) = use_context::<ResponseOptions>() {
            response.set_status(status);
        }
        Err(error)
    };
    match viewer_of_request() {
        None => refuse(AppError::NotSignedIn, StatusCode::UNAUTHORIZED),
        Some(viewer) if access.permits(viewer.role()) => Ok(viewer),
        Some(_) => refuse(AppError::Forbidden, StatusCode::FORBIDDEN),
    }
}

/// The portal's services, provided in context by the server at start-up.
pub fn services() -> Result<Services, AppError> {
    use_context::<Services>().ok_or_else(|| {
        leptos::logging::error!("PortalService missing from context");
        AppError::Unavailable
    })
}

/// The account a customer's request acts on, and who is acting. The account always comes from
/// the session, never from the request, so no id a browser sends can reach another account
/// (ASVS 8.2.2).
pub fn customer_scope() -> Result<(AccountId, Actor), AppError> {
    let viewer = authorize(Access::Customer)?;
    let account = viewer.own_account().ok_or(AppError::Forbidden)?;
    Ok((account, Actor { user_id: Some(viewer.user_id), source: ChangeSource::Portal }))
}
