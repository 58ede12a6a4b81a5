//! Headers every response carries, and caching rules.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use std::sync::Arc;

fn set_if_absent(headers: &mut HeaderMap, name: HeaderName, value: HeaderValue) {
    headers.entry(name).or_insert(value);
}

/// Hardening every response carries unless its handler set its own. Constants, so each name
/// and value is checked once, when the server is compiled, not on every response.
const HARDENING: [(HeaderName, HeaderValue); 6] = [
    (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
    (header::REFERRER_POLICY, HeaderValue::from_static("same-origin")),
    (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
    (
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'; base-uri 'none'"),
    ),
    (
        HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=()"),
    ),
    (
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    ),
];

const TRANSPORT_SECURITY: HeaderValue =
    HeaderValue::from_static("max-age=63072000; includeSubDomains");

const NO_STORE: HeaderValue = HeaderValue::from_static("no-store");

/// The nonce of a page's inline scripts: made here for each request, given to Leptos as its
/// `Nonce` (see [`provide_page_nonce`]), and named in the page's CSP header by
/// [`security_headers`], which therefore knows it without asking the render.
#[derive(Clone)]
pub struct PageNonce(Arc<str>);

/// Gives the request's nonce to Leptos, in place of the one it would make. Called where Leptos
/// renders a page.
pub fn provide_page_nonce() {
    use leptos::prelude::{provide_context, with_context};
    let nonce = with_context::<http::request::Parts, _>(|parts| {
        parts.extensions.get::<PageNonce>().cloned()
    })
    .flatten();
    if let Some(PageNonce(nonce)) = nonce {
        provide_context(leptos::nonce::Nonce::from_value(nonce));
    }
}

/// A rendered page's Content-Security-Policy: its own nonce for Leptos' inline scripts, and
/// `wasm-unsafe-eval` so the browser may compile the app's WASM; nothing else runs inline.
fn page_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
         form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    )
}

/// Browser hardening for every response. A rendered page (HTML) gets a policy with the nonce
/// made for it here; everything else gets the fallback, which allows nothing.
pub async fn security_headers(
    State(https): State<bool>,
    mut request: Request,
    next: Next,
) -> Response {
    let nonce: Arc<str> = {
        use base64::Engine as _;
        let bytes: [u8; 16] = rand::random();
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(bytes).into()
    };
    request.extensions_mut().insert(PageNonce(nonce.clone()));
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let page = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|kind| kind.starts_with("text/html"));
    if page {
        if let Ok(value) = HeaderValue::from_str(&page_policy(&nonce)) {
            headers.insert(header::CONTENT_SECURITY_POLICY, value);
        }
    }
    for (name, value) in HARDENING {
        set_if_absent(headers, name, value);
    }
    if https {
        set_if_absent(headers, header::STRICT_TRANSPORT_SECURITY, TRANSPORT_SECURITY);
    }
    response
}

/// Pages and server-function answers hold personal data: never stored by the browser or a proxy,
/// so the back button after signing out asks the server again.
pub async fn no_store_for_dynamic(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let dynamic = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_none_or(|kind| kind.starts_with("text/html") || kind.starts_with("application/json"));
    if dynamic {
        set_if_absent(response.headers_mut(), header::CACHE_CONTROL, NO_STORE);
    }
    response
}
