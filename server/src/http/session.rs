//! The session cookie: reading it on every page request, writing it at sign-in, clearing it.

use super::Shared;
use crate::auth::{SessionState, SessionToken};
use crate::store::now;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::header::SET_COOKIE;
use http::{HeaderMap, HeaderValue, StatusCode};
use peakday_app::auth::{KeptEmail, SessionKey};

/// The cookie's name over plain HTTP. Over HTTPS it is `__Host-peakday_session`, a name browsers
/// only accept with `Secure`, `Path=/` and no `Domain`.
pub const SESSION_COOKIE: &str = "peakday_session";

/// Marks a request whose cookie named a session that has ended (timed out or signed out).
#[derive(Clone, Copy, Debug)]
pub struct SessionEnded;

pub fn cookie_name(https: bool) -> &'static str {
    if https {
        "__Host-peakday_session"
    } else {
        SESSION_COOKIE
    }
}

/// The session token the browser sent, if any.
pub fn session_token(headers: &HeaderMap, https: bool) -> Option<SessionToken> {
    cookie_value(headers, cookie_name(https)).map(SessionToken::from_cookie)
}

/// The value of the cookie `name` the browser sent (one reading, shared with the pages).
pub use peakday_app::auth::cookie_value;

/// The device cookie's name: `__Host-` over HTTPS, as the session cookie's.
pub fn device_cookie_name(https: bool) -> &'static str {
    if https {
        "__Host-peakday_device"
    } else {
        "peakday_device"
    }
}

/// `Set-Cookie` for a device cookie: "this browser signed in as this person before", which lets
/// it through throttling others caused (see `auth::throttle`). A year; `HttpOnly`, `Lax`.
pub fn device_cookie(value: &str, https: bool) -> Option<HeaderValue> {
    let secure = if https { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=31536000{secure}",
        device_cookie_name(https)
    ))
    .ok()
}

/// `Set-Cookie` for a new session: `HttpOnly` (no script reads it), `SameSite=Lax` (not sent on
/// cross-site posts), `Secure` over HTTPS, and no expiry, so it ends with the browser; the server
/// enforces idle and absolute timeouts.
pub fn session_cookie(token: &SessionToken, https: bool) -> HeaderValue {
    let secure = if https { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{}={}; Path=/; HttpOnly; SameSite=Lax{secure}",
        cookie_name(https),
        token.as_str()
    ))
    .expect("tokens are URL-safe base64")
}

pub fn clearing_cookie(https: bool) -> HeaderValue {
    let secure = if https { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}",
        cookie_name(https)
    ))
    .expect("a static cookie is a valid header")
}

/// `Set-Cookie` keeping the email of a refused sign-in for the sign-in page
/// ([`KeptEmail`]), or ending it (`typed` `None`, or not an email address). `HttpOnly`,
/// `SameSite=Lax`, sent to `/signin` alone.
pub fn kept_email_cookie(typed: Option<&str>, https: bool) -> HeaderValue {
    let secure = if https { "; Secure" } else { "" };
    let (value, max_age) = match typed.and_then(KeptEmail::encode) {
        Some(value) => (value, KeptEmail::MAX_AGE_SECONDS),
        None => (String::new(), 0),
    };
    HeaderValue::from_str(&format!(
        "{}={value}; Path={}; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}",
        KeptEmail::cookie_name(https),
        KeptEmail::PATH,
    ))
    .expect("the value is percent-encoded")
}

/// Resolves the session cookie into a `Viewer` request extension for the handlers, server
/// functions and the page guard below; clears cookies whose session has ended.
pub async fn resolve_session(
    State(state): State<Shared>,
    mut request: Request,
    next: Next,
) -> Response {
    let https = state.config.secure_cookies;
    let mut ended = false;
    if let Some(token) = session_token(request.headers(), https) {
        let key = SessionKey(token.hash());
        match state.auth.session(&token, now()).await {
            Ok(SessionState::Active(viewer)) => {
                request.extensions_mut().insert(viewer);
                request.extensions_mut().insert(key);
            }
            Ok(SessionState::Pending(pending)) => {
                request.extensions_mut().insert(pending);
                request.extensions_mut().insert(key);
            }
            Ok(SessionState::Ended) => {
                ended = true;
                request.extensions_mut().insert(SessionEnded);
            }
            Err(error) => {
                tracing::error!(%error, "could not resolve a session");
                return (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Peakday cannot reach its database. Try again in a moment.",
                )
                    .into_response();
            }
        }
    }
    let mut response = next.run(request).await;
    let sets_cookie = response.headers().contains_key(SET_COOKIE);
    if ended && !sets_cookie {
        response.headers_mut().append(SET_COOKIE, clearing_cookie(https));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::header::COOKIE;

    #[test]
    fn the_session_cookie_is_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(COOKIE, HeaderValue::from_static("theme=dark; peakday_session=abc123; x=y"));
        assert_eq!(session_token(&headers, false), Some(SessionToken::from_cookie("abc123")));
        assert_eq!(session_token(&headers, true), None);
    }

    #[test]
    fn cookies_are_http_only_lax_and_secure_over_https() {
        let token = SessionToken::from_cookie("t");
        assert_eq!(
            session_cookie(&token, false),
            "peakday_session=t; Path=/; HttpOnly; SameSite=Lax"
        );
        assert_eq!(
            session_cookie(&token, true),
            "__Host-peakday_session=t; Path=/; HttpOnly; SameSite=Lax; Secure"
        );
    }
}
