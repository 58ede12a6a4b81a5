//! CSRF protection: state changes only from the portal's own pages (ASVS 3.5.x). Leptos server
//! functions do not check this themselves, so every non-GET request passes through here.

use super::Shared;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{header, HeaderMap, Method, StatusCode};

pub async fn same_origin_only(
    State(state): State<Shared>,
    request: Request,
    next: Next,
) -> Response {
    let safe = matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if safe || is_same_origin(request.headers(), state.config.public_origin.as_deref()) {
        next.run(request).await
    } else {
        tracing::warn!(
            target: "security",
            event = "csrf_refused",
            path = %request.uri().path(),
            origin = ?request.headers().get(header::ORIGIN),
            fetch_site = ?request.headers().get("sec-fetch-site"),
            "refused a cross-site state change"
        );
        (
            StatusCode::FORBIDDEN,
            "Refused: changes can only be made from Peakday's own pages. Reload the page and try again.",
        )
            .into_response()
    }
}

/// DNS rebinding: a page of another site whose name was made to point here must not be served
/// as ours. With a public origin, only its host is answered; without one (serving on loopback
/// only, see `main.rs`), only loopback names are. Everything else gets 421.
pub async fn known_host_only(
    State(state): State<Shared>,
    request: Request,
    next: Next,
) -> Response {
    if host_allowed(request.headers(), state.config.public_origin.as_deref()) {
        next.run(request).await
    } else {
        tracing::warn!(
            target: "security",
            event = "unknown_host",
            host = ?request.headers().get(header::HOST),
            path = %request.uri().path(),
            "unknown_host"
        );
        (StatusCode::MISDIRECTED_REQUEST, "This server does not answer for that host name.")
            .into_response()
    }
}

/// Whether the request's `Host` is the public origin's host, or (with none) a loopback name.
pub fn host_allowed(headers: &HeaderMap, public_origin: Option<&str>) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|value| value.to_str().ok()) else {
        return false;
    };
    let host = host.to_ascii_lowercase();
    match public_origin {
        Some(origin) => {
            let expected =
                origin.trim_end_matches('/').split_once("://").map_or(origin, |(_, a)| a);
            host == expected.to_ascii_lowercase()
        }
        None => {
            let name = match host.strip_prefix('[') {
                Some(bracketed) => bracketed.split(']').next().unwrap_or_default(),
                None => host.rsplit_once(':').map_or(host.as_str(), |(name, _)| name),
            };
            name == "localhost"
                || name.parse::<std::net::IpAddr>().is_ok_and(|address| address.is_loopback())
        }
    }
}

/// Browsers say where a request comes from: `Sec-Fetch-Site` (which page scripts cannot forge)
/// or, from older browsers, `Origin`. A request with neither is refused.
pub fn is_same_origin(headers: &HeaderMap, public_origin: Option<&str>) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        return site == "same-origin";
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|value| value.to_str().ok()) else {
        return false;
    };
    match public_origin {
        Some(expected) => origin == expected.trim_end_matches('/'),
        None => {
            let host = headers.get(header::HOST).and_then(|value| value.to_str().ok());
            let authority = origin.split_once("://").map(|(_, rest)| rest);
            matches!((authority, host), (Some(a), Some(h)) if a.eq_ignore_ascii_case(h))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(k, v)| (http::HeaderName::from_static(k), HeaderValue::from_static(v)))
            .collect()
    }

    #[test]
    fn fetch_metadata_decides_when_present() {
        assert!(is_same_origin(&headers(&[("sec-fetch-site", "same-origin")]), None));
        assert!(!is_same_origin(&headers(&[("sec-fetch-site", "cross-site")]), None));
        assert!(!is_same_origin(
            &headers(&[
                ("sec-fetch-site", "same-site"),
                ("origin", "http://a.test"),
                ("host", "a.test")
            ]),
            None
        ));
    }

    #[test]
    fn origin_must_match_the_host_or_the_configured_origin() {
        assert!(is_same_origin(
            &headers(&[("origin", "http://127.0.0.1:3000"), ("host", "127.0.0.1:3000")]),
            None
        ));
        assert!(!is_same_origin(
            &headers(&[("origin", "http://evil.test"), ("host", "127.0.0.1:3000")]),
            None
        ));
        assert!(!is_same_origin(&headers(&[("origin", "null"), ("host", "127.0.0.1:3000")]), None));
        let public = Some("https://portal.utility.example/");
        assert!(is_same_origin(&headers(&[("origin", "https://portal.utility.example")]), public));
        assert!(!is_same_origin(&headers(&[("origin", "http://portal.utility.example")]), public));
    }

    #[test]
    fn only_the_public_origins_host_or_loopback_names_are_answered() {
        let public = Some("https://portal.utility.example");
        assert!(host_allowed(&headers(&[("host", "portal.utility.example")]), public));
        assert!(!host_allowed(&headers(&[("host", "rebound.attacker.example")]), public));
        assert!(!host_allowed(&headers(&[("host", "127.0.0.1:3000")]), public));
        for host in ["127.0.0.1:3000", "localhost:3000", "[::1]:3000", "localhost"] {
            assert!(host_allowed(&headers(&[("host", host)]), None), "{host}");
        }
        for host in ["attacker.example:3000", "127.0.0.1.attacker.example", "10.0.0.5:3000"] {
            assert!(!host_allowed(&headers(&[("host", host)]), None), "{host}");
        }
        assert!(!host_allowed(&HeaderMap::new(), None));
    }

    #[test]
    fn a_request_that_says_nothing_is_refused() {
        assert!(!is_same_origin(&headers(&[("host", "127.0.0.1:3000")]), None));
    }
}
