//! `POST /signin` and its later steps (`/signin/verify`, `/signin/new-password`,
//! `/signin/two-step`), `POST /signin/reset`, `POST /signout`, `GET /`, and the administrator's
//! `POST /admin/reset-link`: plain form handlers, so signing in and out work before the WASM
//! loads, and each is a full page load that leaves no account data in the page.

use super::session::{
    clearing_cookie, cookie_value, device_cookie, device_cookie_name, kept_email_cookie,
    session_cookie, session_token,
};
use super::{AppState, Shared};
use crate::accounts;
use crate::auth;
use crate::auth::{Attempt, ResetError, SessionToken, SignInError, SignedIn, StepError};
use crate::store::now;
use axum::extract::rejection::FormRejection;
use axum::extract::{ConnectInfo, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use http::header::{HOST, RETRY_AFTER, SET_COOKIE, USER_AGENT};
use http::{HeaderMap, StatusCode};
use peakday_app::accounts::AccountNumber;
use peakday_app::auth::{
    page_access, IssuedResetLink, NewPasswordForm, Role, SignInNotice, StepProblem, UserId, Viewer,
    ENROLL_PAGE, NEW_PASSWORD_PAGE, RESET_PAGE, SECOND_FACTOR_PAGE,
};
use peakday_app::error::AppError;
use serde::Deserialize;
use std::net::SocketAddr;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SignInForm {
    email: String,
    password: String,
    next: String,
}

/// `/signin` with an optional notice and the page to return to.
pub fn signin_location(notice: Option<SignInNotice>, next: Option<&str>) -> String {
    let mut query = Vec::new();
    if let Some(notice) = notice {
        query.push(("notice", notice.as_query()));
    }
    if let Some(next) = next.filter(|next| !next.is_empty()) {
        query.push(("next", next));
    }
    if query.is_empty() {
        "/signin".to_owned()
    } else {
        format!("/signin?{}", serde_urlencoded::to_string(query).unwrap_or_default())
    }
}

/// Where to go after signing in: the page asked for, if it is a page of this site the role may
/// open (never another site: `//evil.test` is refused), else the role's home. Only visible ASCII
/// is accepted, so the path is always a valid `Location` (a line break in it once answered 500).
fn landing(next: &str, role: Role) -> String {
    let path = next.split(['?', '#']).next().unwrap_or_default();
    let local = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && next.len() <= 1024
        && next.bytes().all(|byte| byte.is_ascii_graphic());
    match page_access(path) {
        Some(access) if local && access.permits(role) => next.to_owned(),
        _ => role.home().to_owned(),
    }
}

/// The client's address for throttling: the socket's peer, or the load balancer's
/// `X-Forwarded-For` (its last hop) when configured to trust it.
fn client_address(
    headers: &HeaderMap,
    peer: Option<SocketAddr>,
    trust_forwarded_for: bool,
) -> String {
    let forwarded = trust_forwarded_for
        .then(|| headers.get("x-forwarded-for")?.to_str().ok()?.rsplit(',').next().map(str::trim))
        .flatten()
        .filter(|address| !address.is_empty());
    match (forwarded, peer) {
        (Some(address), _) => address.to_owned(),
        (None, Some(peer)) => peer.ip().to_string(),
        (None, None) => "unknown".to_owned(),
    }
}

/// What a sign-in request carries besides its form: the browser's address, name and device
/// cookie, for throttling and the person's list of sessions.
fn attempt_context(
    state: &AppState,
    headers: &HeaderMap,
    peer: Option<SocketAddr>,
) -> (String, String) {
    let client = client_address(headers, peer, state.config.trust_forwarded_for);
    let user_agent = headers
        .get(USER_AGENT)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (client, user_agent)
}

/// Where a browser goes after a step: the next step's page, or (signed in) the page it asked
/// for; with the step's new session cookie and, once signed in, a device cookie if it had none.
fn after_step(state: &AppState, signed_in: &SignedIn, next: &str) -> Response {
    let https = state.config.secure_cookies;
    let target = match signed_in.stage.page() {
        Some(step) => step.to_owned(),
        None => landing(next, signed_in.viewer.role()),
    };
    let mut response = Redirect::to(&target).into_response();
    let headers = response.headers_mut();
    headers.append(SET_COOKIE, session_cookie(&signed_in.token, https));
    if let Some(cookie) = signed_in.device_cookie.as_deref().and_then(|v| device_cookie(v, https)) {
        headers.append(SET_COOKIE, cookie);
    }
    response
}

/// 503 with `Retry-After`: too many passwords are being checked at once (see `auth::Hashing`).
fn busy() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(RETRY_AFTER, "2")],
        "Peakday is busy checking sign-ins. Wait a moment, then try again.",
    )
        .into_response()
}

fn store_failed(error: impl std::fmt::Display) -> Response {
    tracing::error!(%error, "sign-in failed");
    (
        StatusCode::SERVICE_UNAVAILABLE,
        "Peakday cannot sign you in right now. Try again in a moment.",
    )
        .into_response()
}

pub async fn sign_in(
    State(state): State<Shared>,
    headers: HeaderMap,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    form: Result<Form<SignInForm>, FormRejection>,
) -> Response {
    let https = state.config.secure_cookies;
    // Missing fields parse as empty (and fail as a wrong password); a body that is not a form at
    // all, or too large, is answered as such (415, 413).
    let Form(form) = match form {
        Ok(form) => form,
        Err(rejection) => return rejection.into_response(),
    };
    // Whatever session the browser had ends here: a sign-in always gets a new id (ASVS 7.2.4).
    if let Some(old) = session_token(&headers, https) {
        if let Err(error) = state.auth.sign_out(&old, None).await {
            tracing::error!(%error, "could not end the previous session");
        }
    }
    let (client, user_agent) =
        attempt_context(&state, &headers, peer.map(|Extension(ConnectInfo(a))| a));
    let attempt = Attempt {
        email: &form.email,
        password: &form.password,
        client: &client,
        user_agent: &user_agent,
        device: cookie_value(&headers, device_cookie_name(https)),
    };
    // A refused sign-in comes back with the email filled in (`KeptEmail`); a signed-in one
    // leaves none behind.
    let (mut response, kept) = match state.auth.sign_in(&attempt, now()).await {
        Ok(signed_in) => (after_step(&state, &signed_in, &form.next), None),
        Err(SignInError::Invalid) => {
            (refused(SignInNotice::Invalid, &form.next), Some(&form.email))
        }
        Err(SignInError::Throttled(_)) => {
            (refused(SignInNotice::Locked, &form.next), Some(&form.email))
        }
        Err(SignInError::Busy(_)) => return busy(),
        Err(SignInError::Store(error)) => return store_failed(error),
    };
    response.headers_mut().append(SET_COOKIE, kept_email_cookie(kept.map(String::as_str), https));
    response
}

/// Back to the sign-in page with `notice`, keeping the page to return to.
fn refused(notice: SignInNotice, next: &str) -> Response {
    Redirect::to(&signin_location(Some(notice), Some(next))).into_response()
}

/// A later step's form: a code, or a new password typed twice.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StepForm {
    code: String,
    password: String,
    confirm: String,
    token: String,
}

/// Runs one later step of signing in and answers: on to the next step, back to this step's
/// page with its problem, or (the step ended) back to sign in.
async fn step(
    state: &AppState,
    headers: &HeaderMap,
    peer: Option<SocketAddr>,
    page: &str,
    run: impl AsyncFnOnce(&SessionToken, &Attempt<'_>) -> Result<SignedIn, StepError>,
) -> Response {
    let https = state.config.secure_cookies;
    let Some(token) = session_token(headers, https) else {
        return Redirect::to(&signin_location(Some(SignInNotice::Expired), None)).into_response();
    };
    let (client, user_agent) = attempt_context(state, headers, peer);
    let attempt = Attempt {
        email: "",
        password: "",
        client: &client,
        user_agent: &user_agent,
        device: cookie_value(headers, device_cookie_name(https)),
    };
    match run(&token, &attempt).await {
        Ok(signed_in) => after_step(state, &signed_in, ""),
        Err(StepError::Ended) => {
            Redirect::to(&signin_location(Some(SignInNotice::Expired), None)).into_response()
        }
        Err(StepError::TooManyCodes) => {
            Redirect::to(&signin_location(Some(SignInNotice::TooManyCodes), None)).into_response()
        }
        Err(StepError::Busy(_)) => Redirect::to(&problem(page, StepProblem::Busy)).into_response(),
        Err(StepError::Store(error)) => store_failed(error),
        Err(error) => Redirect::to(&problem(page, step_problem(&error))).into_response(),
    }
}

/// The fixed problem a step's page shows for `error`.
fn step_problem(error: &StepError) -> StepProblem {
    match error {
        StepError::Password(fields) if fields.get(NewPasswordForm::CONFIRM).is_some() => {
            StepProblem::Mismatch
        }
        StepError::Password(fields)
            if fields.get(NewPasswordForm::PASSWORD).is_some_and(|m| m.starts_with("Use at")) =>
        {
            StepProblem::Short
        }
        StepError::Password(_) => StepProblem::Weak,
        StepError::SamePassword => StepProblem::Same,
        _ => StepProblem::WrongCode,
    }
}

fn problem(page: &str, problem: StepProblem) -> String {
    format!("{page}?problem={}", problem.as_query())
}

/// `POST /signin/verify`: the code from the app, or a recovery code.
pub async fn second_factor(
    State(state): State<Shared>,
    headers: HeaderMap,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    Form(form): Form<StepForm>,
) -> Response {
    let peer = peer.map(|Extension(ConnectInfo(addr))| addr);
    let auth = state.auth.clone();
    step(&state, &headers, peer, SECOND_FACTOR_PAGE, async |token, attempt| {
        auth.second_factor(token, &form.code, attempt, now()).await
    })
    .await
}

/// `POST /signin/new-password`: a password of the person's own, after a one-time one.
pub async fn new_password(
    State(state): State<Shared>,
    headers: HeaderMap,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    Form(form): Form<StepForm>,
) -> Response {
    let peer = peer.map(|Extension(ConnectInfo(addr))| addr);
    let auth = state.auth.clone();
    let new = NewPasswordForm { password: form.password, confirm: form.confirm };
    step(&state, &headers, peer, NEW_PASSWORD_PAGE, async |token, attempt| {
        auth.choose_password(token, &new, attempt, now()).await
    })
    .await
}

/// `POST /signin/two-step`: the first code from the app turns the second factor on.
pub async fn enroll(
    State(state): State<Shared>,
    headers: HeaderMap,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    Form(form): Form<StepForm>,
) -> Response {
    let peer = peer.map(|Extension(ConnectInfo(addr))| addr);
    let auth = state.auth.clone();
    step(&state, &headers, peer, ENROLL_PAGE, async |token, attempt| {
        auth.confirm_enrollment(token, &form.code, attempt, now()).await
    })
    .await
}

/// `POST /signin/reset`: a new password from an administrator's one-time link. Every session
/// of the person ends; they sign in with the new password (and their second factor).
pub async fn reset(State(state): State<Shared>, Form(form): Form<StepForm>) -> Response {
    let new = NewPasswordForm { password: form.password, confirm: form.confirm };
    let back = |problem: StepProblem| {
        let query = serde_urlencoded::to_string([
            ("token", form.token.as_str()),
            ("problem", problem.as_query()),
        ])
        .unwrap_or_default();
        Redirect::to(&format!("{RESET_PAGE}?{query}")).into_response()
    };
    match state.services.security().use_reset(&form.token, &new).await {
        Ok(()) => {
            Redirect::to(&signin_location(Some(SignInNotice::PasswordReset), None)).into_response()
        }
        Err(ResetError::Expired) => back(StepProblem::WrongCode),
        Err(ResetError::Step(StepError::Busy(_))) => back(StepProblem::Busy),
        Err(ResetError::Step(StepError::Store(error))) => store_failed(error),
        Err(ResetError::Step(error)) => back(step_problem(&error)),
    }
}

/// The administrator's form asking for a reset link: a staff member by id, or a customer by
/// account number.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ResetLinkForm {
    user: Option<UserId>,
    account: Option<String>,
}

/// `POST /admin/reset-link`: issues a one-time reset link and shows it to the administrator,
/// once, in the page this post renders (it is never in a URL, so never in a log or history).
pub async fn reset_link(
    State(state): State<Shared>,
    viewer: Option<Extension<Viewer>>,
    request: axum::extract::Request,
) -> Response {
    let Some(Extension(admin)) = viewer.filter(|Extension(v)| v.role() == Role::Admin) else {
        return (StatusCode::FORBIDDEN, "Only administrators can reset a sign-in.").into_response();
    };
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 4096).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let form: ResetLinkForm = serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
    let user = match (form.user, form.account.as_deref().map(AccountNumber::parse)) {
        (Some(user), None) => Some(user),
        (None, Some(Ok(number))) => {
            let found = async {
                let mut conn = state.store.read().await?;
                match accounts::store::account_id_by_number(&mut conn, &number).await? {
                    Some(account) => auth::store::user_of_account(&mut conn, account).await,
                    None => Ok(None),
                }
            };
            match found.await {
                Ok(user) => user.map(|user| user.id),
                Err(error) => return store_failed(error),
            }
        }
        _ => None,
    };
    let issued = match user {
        Some(user) => state.services.security().issue_reset(admin.user_id, user).await,
        None => Err(AppError::NotFound),
    };
    let issued = match issued {
        Ok(issued) => issued,
        Err(AppError::NotFound) => {
            return (StatusCode::UNPROCESSABLE_ENTITY, "There is no such sign-in.").into_response()
        }
        Err(_) => return store_failed("issuing a reset link"),
    };
    let origin = state.config.public_origin.clone().unwrap_or_else(|| {
        let host = parts.headers.get(HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
        format!("http://{host}")
    });
    let link = IssuedResetLink {
        display_name: issued.display_name,
        email: issued.email,
        url: format!("{}{}", origin.trim_end_matches('/'), issued.path),
        expires_in_hours: issued.expires_in_hours,
    };
    let request = axum::extract::Request::from_parts(parts, axum::body::Body::empty());
    super::render_page_with(&state, request, link).await
}

pub async fn sign_out(
    State(state): State<Shared>,
    headers: HeaderMap,
    viewer: Option<Extension<Viewer>>,
) -> Response {
    let https = state.config.secure_cookies;
    if let Some(token) = session_token(&headers, https) {
        if let Err(error) = state.auth.sign_out(&token, viewer.as_ref().map(|Extension(v)| v)).await
        {
            tracing::error!(%error, "sign-out failed");
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                "Peakday could not sign you out. Try again in a moment.",
            )
                .into_response();
        }
    }
    let mut response =
        Redirect::to(&signin_location(Some(SignInNotice::SignedOut), None)).into_response();
    response.headers_mut().insert(SET_COOKIE, clearing_cookie(https));
    response
}

/// `GET /`: each role's home, or sign-in.
pub async fn home(viewer: Option<Extension<Viewer>>) -> Redirect {
    match viewer {
        Some(Extension(viewer)) => Redirect::to(viewer.role().home()),
        None => Redirect::to("/signin"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn after_sign_in_only_local_pages_the_role_may_open_are_honoured() {
        assert_eq!(landing("/account", Role::Customer), "/account");
        assert_eq!(landing("/account?tab=1", Role::Customer), "/account?tab=1");
        assert_eq!(landing("/admin", Role::Customer), "/account");
        assert_eq!(landing("//evil.test/account", Role::Customer), "/account");
        assert_eq!(landing("https://evil.test/", Role::Agent), "/agent");
        assert_eq!(landing("/\\evil.test", Role::Agent), "/agent");
        assert_eq!(landing("", Role::Admin), "/admin");
        assert_eq!(landing("/nowhere", Role::ProgramManager), "/programs");
        assert_eq!(landing("/account/\n", Role::Customer), "/account");
        assert_eq!(landing("/account/\r\nSet-Cookie: x=y", Role::Customer), "/account");
        assert_eq!(landing("/account/alerts?saved=1", Role::Customer), "/account/alerts?saved=1");
    }

    #[test]
    fn the_signin_location_encodes_its_query() {
        assert_eq!(signin_location(None, None), "/signin");
        assert_eq!(
            signin_location(Some(SignInNotice::Expired), Some("/account?a=1&b=2")),
            "/signin?notice=expired&next=%2Faccount%3Fa%3D1%26b%3D2"
        );
    }

    #[test]
    fn forwarded_for_is_used_only_when_trusted() {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", "203.0.113.9, 10.0.0.2".parse().unwrap());
        let peer = Some(SocketAddr::from(([127, 0, 0, 1], 5000)));
        assert_eq!(client_address(&headers, peer, false), "127.0.0.1");
        assert_eq!(client_address(&headers, peer, true), "10.0.0.2");
        assert_eq!(client_address(&HeaderMap::new(), None, false), "unknown");
    }
}
