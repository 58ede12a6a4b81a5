//! A refusal or a confirmation carried back to a page in its URL, after a form posted without
//! WASM, is shown only if this server put it there for this session.
//!
//! Leptos answers a refused plain form post by sending the browser back to the page with the
//! error in the query (`?__err=…&__path=…`), which the page then shows, fields and typed values
//! included; a save answers with its sentence (`?saved=…`, `peakday_app::shell::save_answer`).
//! Anyone could write such a URL and make our page say anything ("call this number"). So the
//! redirect is signed here, binding what it carries and the page to the session (`__sig`, HMAC
//! under a server key), and a page request carrying anything that does not verify is sent to
//! the same page without it, before anything renders: an island reading the URL in the browser
//! then only ever finds words this server wrote.

use super::session::session_token;
use super::{AppState, Shared};
use crate::auth::KeyPurpose;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use http::header::LOCATION;
use http::{HeaderValue, Method};
use peakday_app::shell::{REFUSED_FORM_HEADER, REFUSED_FORM_PARAMETER, SAVED_PARAMETER};

const ERROR: &str = "__err";
const PATH: &str = "__path";
const SIGNATURE: &str = "__sig";
/// What a URL may carry back to a page, signed: a refusal, the function refusing, which copy of
/// a repeated form it refused, or a save's sentence.
const CARRIED: [&str; 4] = [ERROR, PATH, REFUSED_FORM_PARAMETER, SAVED_PARAMETER];

/// Signs what a redirect a server function answered a plain form post with carries back to
/// the page, and keeps the redirect on this site (only its path and query are kept). Only a
/// server function's answer is signed: any other redirect that carries such words took them
/// from the request (sign-in's `next=/account?saved=…`), and signing them would make them ours.
pub async fn sign_refusal_redirects(
    State(state): State<Shared>,
    request: Request,
    next: Next,
) -> Response {
    if !super::is_server_function_call(&request) {
        return next.run(request).await;
    }
    let session = session_key(&state, &request);
    let mut response = next.run(request).await;
    // The copy of a repeated form the function named: for the page alone, never the browser.
    let form = response.headers_mut().remove(REFUSED_FORM_HEADER);
    let Some(location) = response.headers().get(LOCATION).and_then(|v| v.to_str().ok()) else {
        return response;
    };
    let local = local_part(location).to_owned();
    let (path, pairs) = split_query(&local);
    let form = form.and_then(|value| value.to_str().ok().map(str::to_owned));
    let pairs = this_answer_only(pairs, form);
    let Some(carried) = carried(&pairs) else { return response };
    let Ok(signature) =
        state.auth.keys().sign(KeyPurpose::Refusal, &[&session, path, &carried]).await
    else {
        return response;
    };
    let mut kept = pairs;
    kept.push((SIGNATURE.to_owned(), signature));
    let query = serde_urlencoded::to_string(&kept).unwrap_or_default();
    if let Ok(value) = HeaderValue::from_str(&format!("{path}?{query}")) {
        response.headers_mut().insert(LOCATION, value);
    }
    response
}

/// Sends a page request carrying a refusal or confirmation this server did not sign for this
/// session to the page without it.
pub async fn drop_forged_refusals(
    State(state): State<Shared>,
    request: Request,
    next: Next,
) -> Response {
    if request.method() != Method::GET {
        return next.run(request).await;
    }
    let path = request.uri().path().to_owned();
    let query = request.uri().query().unwrap_or_default().to_owned();
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&query).unwrap_or_default();
    if !pairs.iter().any(|(key, _)| CARRIED.contains(&key.as_str()) || key == SIGNATURE) {
        return next.run(request).await;
    }
    let session = session_key(&state, &request);
    let genuine = match (carried(&pairs), value_of(&pairs, SIGNATURE)) {
        (Some(carried), Some(signature)) => state
            .auth
            .keys()
            .verify(KeyPurpose::Refusal, &[&session, &path, &carried], &signature)
            .await
            .unwrap_or(false),
        _ => false,
    };
    if genuine {
        return next.run(request).await;
    }
    tracing::warn!(target: "security", event = "forged_refusal", %path, "forged_refusal");
    let kept: Vec<&(String, String)> = pairs
        .iter()
        .filter(|(key, _)| !CARRIED.contains(&key.as_str()) && key != SIGNATURE)
        .collect();
    let target = if kept.is_empty() {
        path
    } else {
        format!("{path}?{}", serde_urlencoded::to_string(&kept).unwrap_or_default())
    };
    Redirect::to(&target).into_response()
}

/// What the query carries back to its page, as one string to sign (`None` when nothing): a
/// refusal (its error and the function's path) or a save's sentence.
fn carried(pairs: &[(String, String)]) -> Option<String> {
    let values: Vec<(&str, String)> =
        CARRIED.iter().filter_map(|key| Some((*key, value_of(pairs, key)?))).collect();
    (!values.is_empty()).then(|| serde_urlencoded::to_string(&values).unwrap_or_default())
}

/// The query of a redirect answering a plain form post, carrying this answer alone. Leptos
/// appends a refusal to the page's address as the browser sent it, which may still carry the
/// last post's answer: a refusal or a sentence, and its signature. Each carried key keeps its
/// last value (the one just appended), a refusal drops an earlier save's sentence, and the old
/// signature goes (the caller signs anew). Otherwise the page would show the first of two
/// refusals, or "Saved" beside a refusal. A refusal names the copy of a repeated form it
/// refused when the function named one (`form`); an earlier answer's name never stays.
fn this_answer_only(pairs: Vec<(String, String)>, form: Option<String>) -> Vec<(String, String)> {
    let mut kept: Vec<(String, String)> = Vec::with_capacity(pairs.len());
    for (key, value) in pairs {
        if key == SIGNATURE || key == REFUSED_FORM_PARAMETER {
            continue;
        }
        if CARRIED.contains(&key.as_str()) {
            kept.retain(|(earlier, _)| *earlier != key);
        }
        kept.push((key, value));
    }
    if kept.iter().any(|(key, _)| key == ERROR) {
        kept.retain(|(key, _)| key != SAVED_PARAMETER);
        kept.extend(form.map(|form| (REFUSED_FORM_PARAMETER.to_owned(), form)));
    }
    kept
}

/// What binds a refusal to the browser's session: its stored hash ("" with none).
fn session_key(state: &AppState, request: &Request) -> String {
    session_token(request.headers(), state.config.secure_cookies)
        .map(|token| token.hash())
        .unwrap_or_default()
}

/// The path and query of a `Location`, dropping any scheme and host.
fn local_part(location: &str) -> &str {
    match location.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("/", |slash| &rest[slash..]),
        None => location,
    }
}

fn split_query(local: &str) -> (&str, Vec<(String, String)>) {
    match local.split_once('?') {
        Some((path, query)) => (path, serde_urlencoded::from_str(query).unwrap_or_default()),
        None => (local, Vec::new()),
    }
}

fn value_of(pairs: &[(String, String)], key: &str) -> Option<String> {
    pairs.iter().find(|(name, _)| name == key).map(|(_, value)| value.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirects_keep_only_their_path_and_query() {
        assert_eq!(local_part("https://evil.example/account?x=1"), "/account?x=1");
        assert_eq!(local_part("/account/devices?__err=x"), "/account/devices?__err=x");
        assert_eq!(local_part("https://evil.example"), "/");
    }

    #[test]
    fn a_refusal_after_an_earlier_answer_carries_only_its_own() {
        let pairs = |query: &str| split_query(query).1;
        let second_refusal = "/account/alerts?tab=x&__path=%2Fapi%2Fupdate_contact&__err=old\
            &__form=3&__sig=s1&__path=%2Fapi%2Fadd_recipient&__err=new";
        assert_eq!(
            this_answer_only(pairs(second_refusal), None),
            pairs("/account/alerts?tab=x&__path=%2Fapi%2Fadd_recipient&__err=new")
        );
        let refusal_after_a_save = "/account/alerts?saved=Added+Sam&__sig=s1&__path=p&__err=e";
        assert_eq!(
            this_answer_only(pairs(refusal_after_a_save), None),
            pairs("/account/alerts?__path=p&__err=e")
        );
        let a_save = "/account/alerts?saved=Added+Sam";
        assert_eq!(this_answer_only(pairs(a_save), Some("4".into())), pairs(a_save));
    }

    #[test]
    fn a_refusal_names_the_copy_of_a_form_it_refused() {
        let pairs = |query: &str| split_query(query).1;
        let refused = "/account/alerts?__form=3&__path=%2Fapi%2Fsave_alerts&__err=e";
        assert_eq!(
            this_answer_only(pairs(refused), Some("4".into())),
            pairs("/account/alerts?__path=%2Fapi%2Fsave_alerts&__err=e&__form=4")
        );
    }
}
