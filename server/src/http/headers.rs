//! Headers every response carries, and caching rules.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use std::sync::{Arc, Mutex};

fn set_if_absent(headers: &mut HeaderMap, name: HeaderName, value: &'static str) {
    headers.entry(name).or_insert(HeaderValue::from_static(value));
}

/// The nonce Leptos gave a page's inline scripts, handed from the render back to
/// [`security_headers`] through the request's extensions (see `record_page_nonce`).
#[derive(Clone, Default)]
pub struct PageNonce(Arc<Mutex<Option<String>>>);

impl PageNonce {
    pub fn record(&self, nonce: String) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(nonce);
    }

    fn take(&self) -> Option<String> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).take()
    }
}

/// Records the current page's nonce for its CSP header. Called where Leptos renders a page.
pub fn record_page_nonce() {
    use leptos::prelude::use_context;
    let slot = use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<PageNonce>().cloned());
    if let (Some(slot), Some(nonce)) = (slot, leptos::nonce::use_nonce()) {
        slot.record(nonce.to_string());
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

/// Browser hardening for every response. A rendered page gets a policy with its nonce, set here
/// at the edge rather than through Leptos' response options, which now and then lost it (a
/// page then came with the fallback policy and never hydrated; seen in the browser tests).
/// Everything else gets the fallback, which allows nothing.
pub async fn security_headers(
    State(https): State<bool>,
    mut request: Request,
    next: Next,
) -> Response {
    let nonce = PageNonce::default();
    request.extensions_mut().insert(nonce.clone());
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if let Some(value) = nonce.take().and_then(|n| HeaderValue::from_str(&page_policy(&n)).ok()) {
        headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    set_if_absent(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set_if_absent(headers, header::REFERRER_POLICY, "same-origin");
    set_if_absent(headers, header::X_FRAME_OPTIONS, "DENY");
    set_if_absent(
        headers,
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; frame-ancestors 'none'; base-uri 'none'",
    );
    set_if_absent(
        headers,
        HeaderName::from_static("permissions-policy"),
        "camera=(), microphone=(), geolocation=(), payment=()",
    );
    set_if_absent(headers, HeaderName::from_static("cross-origin-opener-policy"), "same-origin");
    if https {
        set_if_absent(
            headers,
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=63072000; includeSubDomains",
        );
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
        set_if_absent(response.headers_mut(), header::CACHE_CONTROL, "no-store");
    }
    response
}
