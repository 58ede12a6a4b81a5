//! Server-side checks every server function starts with.

use super::{Access, Viewer};
use crate::accounts::AccountsService;
use crate::accounts::{AccountId, AccountNumber};
use crate::activity::{Actor, ChangeSource};
use crate::error::AppError;
use http::request::Parts;
use http::StatusCode;
use leptos::prelude::with_context;
use std::sync::Arc;

/// The value of the cookie `name` the browser sent, if any.
pub fn cookie_value<'a>(headers: &'a http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .find_map(|pair| {
            let (key, value) = pair.trim().split_once('=')?;
            (key == name && !value.is_empty()).then_some(value)
        })
}

/// The signed-in person of the current request, put there by the server's session middleware.
pub fn viewer_of_request() -> Option<Viewer> {
    // Borrowed, not `use_context`: that clones the whole request head (every header) each call.
    with_context::<Parts, _>(|parts| parts.extensions.get::<Viewer>().cloned()).flatten()
}

/// Refuses the call unless the current viewer is signed in and `access` permits their role.
/// Every non-public server function calls this first (ASVS 8.2.1 / 8.3.1).
/// A refusal also sets the response status (401 or 403) for clients that read it; a plain form
/// post keeps its redirect back to the page instead, as every refusal does, since a browser
/// shows the body of a 401 rather than follow it: an expired session then lands on the sign-in
/// page ("Your session ended"), not on a bare `"NotSignedIn"`.
pub fn authorize(access: Access) -> Result<Viewer, AppError> {
    let set_status = crate::shell::refusal_status();
    let refuse = |error: AppError, status: StatusCode| {
        let function =
            with_context::<Parts, _>(|parts| parts.uri.path().to_owned()).unwrap_or_default();
        let role = viewer_of_request().map_or("none", |viewer| viewer.role().as_str());
        // ASVS 16.3.2: refused calls are security events, on their own log target.
        tracing::warn!(
            target: "security",
            event = if status == StatusCode::UNAUTHORIZED { "call_unauthenticated" } else { "call_forbidden" },
            function,
            role,
            "call refused"
        );
        set_status(&error);
        Err(error)
    };
    match viewer_of_request() {
        None => refuse(AppError::NotSignedIn, StatusCode::UNAUTHORIZED),
        Some(viewer) if access.permits(viewer.role()) => Ok(viewer),
        Some(_) => refuse(AppError::Forbidden, StatusCode::FORBIDDEN),
    }
}

/// Refuses the call unless the viewer may call server function `F`, as its declaration
/// (`declare_access!`, beside the function) says; without one, the call does not compile.
pub fn authorize_call<F: super::Guarded>() -> Result<Viewer, AppError> {
    authorize(F::ACCESS)
}

/// The account a call acts on, and who is acting.
pub struct AccountScope {
    pub account: AccountId,
    pub actor: Actor,
}

/// The account a call of `F` acts on, and who is acting.
///
/// A customer acts on their own account, which comes from the session; a customer whose request
/// names any account is refused alike whether or not it exists, so no id a browser sends reaches
/// another account or tells whether it exists (ASVS 8.2.2). Customer service names the account
/// it acts for (admin mode), and the change is recorded as theirs, made through an agent.
///
/// Everything taken from the request's context is taken before the first await, so the call does
/// not depend on when, or under which owner, its future is polled.
pub async fn account_scope<F: super::Guarded>(
    account: Option<String>,
) -> Result<AccountScope, AppError> {
    let viewer = authorize_call::<F>()?;
    let accounts: Arc<dyn AccountsService> = crate::service::service()?;
    let set_status = crate::shell::refusal_status();
    let role = viewer.role().as_str();
    let refuse = |error: AppError| {
        // A customer naming an account, or an account that does not exist: someone trying ids.
        tracing::warn!(target: "security", event = "account_refused", function = F::PATH, role, "account refused");
        set_status(&error);
        Err(error)
    };
    let actor = |source| Actor { user_id: Some(viewer.user_id), source };
    let account = match (viewer.own_account(), account) {
        (Some(own), None) => {
            return Ok(AccountScope { account: own, actor: actor(ChangeSource::Portal) })
        }
        (Some(_), Some(_)) => return refuse(AppError::Forbidden),
        (None, Some(number)) if Access::CustomerService.permits(viewer.role()) => number,
        (None, _) => return refuse(AppError::Forbidden),
    };
    let Ok(number) = AccountNumber::parse(&account) else {
        return refuse(AppError::NotFound);
    };
    match accounts.account_id(&number).await? {
        Some(account) => Ok(AccountScope { account, actor: actor(ChangeSource::Agent) }),
        None => refuse(AppError::NotFound),
    }
}
