//! Server functions of the "Sign-in & security" page and of customer service's and
//! administrators' controls over other people's sign-ins. Each authorizes first.

use super::{AccountSignIn, SecurityView};
use crate::error::AppError;
use crate::shell::Saved;
use leptos::prelude::*;

/// The stored hash of the request's session, put in the request by the server's session layer
/// beside the [`super::Viewer`]: it names "this session" among a person's sessions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionKey(pub String);

#[cfg(feature = "ssr")]
fn session_key() -> Result<String, AppError> {
    leptos::prelude::with_context::<http::request::Parts, _>(|parts| {
        parts.extensions.get::<SessionKey>().map(|key| key.0.clone())
    })
    .flatten()
    .ok_or(AppError::NotSignedIn)
}

#[cfg(feature = "ssr")]
fn security() -> Result<super::Security, AppError> {
    crate::service::service::<dyn super::SecurityService>()
}

crate::declare_access!(LoadSecurity => SignedIn);
/// The signed-in person's password, second factor and sessions.
#[server(endpoint = "security")]
pub async fn load_security() -> Result<SecurityView, AppError> {
    let viewer = super::authorize_call::<LoadSecurity>()?;
    let (session, security) = (session_key()?, security()?);
    security.security_view(&viewer, &session).await
}

crate::declare_access!(ChangePassword => SignedIn);
/// Changes the signed-in person's password; their other sessions end.
#[server(endpoint = "change_password")]
pub async fn change_password(
    current: String,
    password: String,
    confirm: String,
) -> Result<Saved, AppError> {
    let viewer = super::authorize_call::<ChangePassword>()?;
    let (session, security, answer) = (session_key()?, security()?, crate::shell::save_answer());
    let form = super::NewPasswordForm { password, confirm };
    answer(security.change_password(&viewer, &session, current, form).await)
}

crate::declare_access!(EndOtherSessions => SignedIn);
/// Signs the person out of every other browser and device.
#[server(endpoint = "end_other_sessions")]
pub async fn end_other_sessions() -> Result<Saved, AppError> {
    let viewer = super::authorize_call::<EndOtherSessions>()?;
    let (session, security, answer) = (session_key()?, security()?, crate::shell::save_answer());
    answer(security.end_other_sessions(&viewer, &session).await)
}

crate::declare_access!(StartTwoStep => SignedIn);
/// Starts setting up two-step verification (customers; staff set it up at sign-in).
#[server(endpoint = "start_two_step")]
pub async fn start_two_step() -> Result<Saved, AppError> {
    let viewer = super::authorize_call::<StartTwoStep>()?;
    let (session, security, answer) = (session_key()?, security()?, crate::shell::save_answer());
    answer(security.start_two_step(&viewer, &session).await)
}

crate::declare_access!(ConfirmTwoStep => SignedIn);
/// Finishes setting up two-step verification with a code from the app.
#[server(endpoint = "confirm_two_step")]
pub async fn confirm_two_step(code: String) -> Result<Saved, AppError> {
    let viewer = super::authorize_call::<ConfirmTwoStep>()?;
    let (session, security, answer) = (session_key()?, security()?, crate::shell::save_answer());
    answer(security.confirm_two_step(&viewer, &session, code).await)
}

crate::declare_access!(TurnOffTwoStep => Customer);
/// Turns a customer's two-step verification off, after their password.
#[server(endpoint = "turn_off_two_step")]
pub async fn turn_off_two_step(current: String) -> Result<Saved, AppError> {
    let viewer = super::authorize_call::<TurnOffTwoStep>()?;
    let (security, answer) = (security()?, crate::shell::save_answer());
    answer(security.turn_off_two_step(&viewer, current).await)
}

crate::declare_access!(LoadAccountSignIn => CustomerService);
/// The sign-in of the account customer service is acting for.
#[server(endpoint = "account_sign_in")]
pub async fn load_account_sign_in(
    account: Option<String>,
) -> Result<Option<AccountSignIn>, AppError> {
    let security = security()?;
    let admin = super::viewer_of_request().is_some_and(|v| v.role() == super::Role::Admin);
    let scope = super::account_scope::<LoadAccountSignIn>(account).await?;
    let sign_in = security.account_sign_in(scope.account).await?;
    Ok(sign_in.map(|sign_in| AccountSignIn { can_reset: admin, ..sign_in }))
}

crate::declare_access!(EndCustomerSessions => CustomerService);
/// Ends every session of a customer's sign-in (customer service, in admin mode).
#[server(endpoint = "end_customer_sessions")]
pub async fn end_customer_sessions(account: Option<String>) -> Result<Saved, AppError> {
    let (security, answer) = (security()?, crate::shell::save_answer());
    let scope = match super::account_scope::<EndCustomerSessions>(account).await {
        Ok(scope) => scope,
        Err(error) => return answer(Err(error)),
    };
    answer(security.end_customer_sessions(scope.actor, scope.account).await)
}

crate::declare_access!(SetCustomerSignInDisabled => CustomerService);
/// Disables (ending its sessions) or enables a customer's sign-in (customer service).
#[server(endpoint = "set_customer_sign_in_disabled")]
pub async fn set_customer_sign_in_disabled(
    account: Option<String>,
    disabled: bool,
) -> Result<Saved, AppError> {
    let (security, answer) = (security()?, crate::shell::save_answer());
    let scope = match super::account_scope::<SetCustomerSignInDisabled>(account).await {
        Ok(scope) => scope,
        Err(error) => return answer(Err(error)),
    };
    answer(security.set_customer_sign_in_disabled(scope.actor, scope.account, disabled).await)
}

crate::declare_access!(ResetSecondFactor => Admin);
/// Removes a staff member's second factor: they set up a new one at their next sign-in.
#[server(endpoint = "reset_second_factor")]
pub async fn reset_second_factor(user: super::UserId) -> Result<Saved, AppError> {
    let admin = super::authorize_call::<ResetSecondFactor>()?;
    let (security, answer) = (security()?, crate::shell::save_answer());
    answer(security.reset_second_factor(admin.user_id, user).await)
}
