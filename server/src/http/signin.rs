//! `POST /signin`, `POST /signout` and `GET /`: plain form handlers, so signing in and out work
//! before the WASM loads, and each is a full page load that leaves no account data in the page.

use super::session::{clearing_cookie, session_cookie, session_token};
use super::AppState;
use crate::auth::SignInError;
use crate::store::now;
use axum::extract::rejection::FormRejection;
use axum::extract::{ConnectInfo, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use http::header::SET_COOKIE;
use http::{HeaderMap, StatusCode};
use peakday_app::auth::{page_access, Role, SignInNotice, Viewer};
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

pub async fn sign_in(
    State(state): State<AppState>,
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
    let client = client_address(
        &headers,
        peer.map(|Extension(ConnectInfo(addr))| addr),
        state.config.trust_forwarded_for,
    );
    match state.auth.sign_in(&form.email, &form.password, &client, now()).await {
        Ok(signed_in) => {
            let target = landing(&form.next, signed_in.viewer.role());
            let mut response = Redirect::to(&target).into_response();
            response.headers_mut().insert(SET_COOKIE, session_cookie(&signed_in.token, https));
            response
        }
        Err(SignInError::Invalid) => {
            Redirect::to(&signin_location(Some(SignInNotice::Invalid), Some(&form.next)))
                .into_response()
        }
        Err(SignInError::Throttled) => {
            Redirect::to(&signin_location(Some(SignInNotice::Locked), Some(&form.next)))
                .into_response()
        }
        Err(SignInError::Store(error)) => {
            tracing::error!(%error, "sign-in failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "Peakday cannot sign you in right now. Try again in a moment.",
            )
                .into_response()
        }
    }
}

pub async fn sign_out(
    State(state): State<AppState>,
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
