//! Headers every response carries, and caching rules.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::header::{self, HeaderMap, HeaderName, HeaderValue};

fn set_if_absent(headers: &mut HeaderMap, name: HeaderName, value: &'static str) {
    headers.entry(name).or_insert(HeaderValue::from_static(value));
}

/// Browser hardening for every response. Pages replace the fallback CSP with one carrying a
/// nonce for their inline scripts (see `peakday_app::shell`).
pub async fn security_headers(State(https): State<bool>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
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
