//! Page access at the HTTP level, from the same table the pages use (`peakday_app::auth::PAGES`):
//! anonymous visitors are sent to sign in, and a signed-in person opening another role's page is
//! answered 403 before any of it renders. A path the page router would read as another path
//! (`/%2e%2e/admin` is `/admin` to it) is sent to that path first, so the check and the page
//! always see the same one.

use super::session::SessionEnded;
use super::signin::signin_location;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use http::{Method, StatusCode};
use peakday_app::auth::{page_access, Access, PendingSignIn, SignInNotice, Viewer, RESET_PAGE};

pub async fn page_guard(request: Request, next: Next) -> Response {
    match as_the_router_reads(request.uri()) {
        RouterPath::Same => {}
        RouterPath::Other(target) => return Redirect::permanent(&target).into_response(),
        RouterPath::Elsewhere => return (StatusCode::NOT_FOUND, "Page not found.").into_response(),
    }
    if !matches!(*request.method(), Method::GET | Method::HEAD) {
        return next.run(request).await;
    }
    let path = request.uri().path().to_owned();
    let viewer = request.extensions().get::<Viewer>().cloned();
    let signing_in = path == "/signin" || path.starts_with("/signin/");
    if let (true, Some(viewer)) = (signing_in && path != RESET_PAGE, &viewer) {
        return Redirect::to(viewer.role().home()).into_response();
    }
    // A sign-in half-way through its steps reaches its step's page (or starts over at
    // /signin), nothing else.
    if let Some(step) = request.extensions().get::<PendingSignIn>().and_then(|p| p.stage.page()) {
        if path != step && path != "/signin" && page_access(&path).is_some() {
            return Redirect::to(step).into_response();
        }
    }
    let Some(access) = page_access(&path).filter(|access| *access != Access::Public) else {
        return next.run(request).await;
    };
    match viewer {
        None => {
            let notice = request.extensions().get::<SessionEnded>().map(|_| SignInNotice::Expired);
            let wanted = request.uri().path_and_query().map_or(path.as_str(), |pq| pq.as_str());
            Redirect::to(&signin_location(notice, Some(wanted))).into_response()
        }
        Some(viewer) if access.permits(viewer.role()) => next.run(request).await,
        // Refused before the page renders: the request goes on as the not-allowed page, so
        // none of the refused page's code runs.
        Some(viewer) => {
            tracing::warn!(
                target: "security",
                event = "page_forbidden",
                path,
                role = viewer.role().as_str(),
                "page refused"
            );
            let mut request = request;
            *request.uri_mut() = http::Uri::from_static(peakday_app::shell::FORBIDDEN_PAGE);
            let mut response = next.run(request).await;
            *response.status_mut() = StatusCode::FORBIDDEN;
            response
        }
    }
}

/// How the page router reads a request's path, against how axum routed it.
#[derive(Debug, PartialEq, Eq)]
enum RouterPath {
    Same,
    /// Another path of this site (with the request's query): `/%2e%2e/admin` is `/admin`.
    Other(String),
    /// Nowhere on this site, or nowhere a redirect may safely name (`//host` would leave it).
    Elsewhere,
}

/// Leptos' router parses the request's URL as browsers do (the WHATWG URL standard, `url`
/// crate), which resolves `.` and `..` segments, `%2e` spelt ones included; axum routes the raw
/// path. Without this, `/%2e%2e/admin` passed the access check as a path that is no page, and
/// the router then rendered the administration page to a customer (its data stayed refused by
/// the server functions' own checks).
fn as_the_router_reads(uri: &http::Uri) -> RouterPath {
    // Parsed once: every page request joins its path to it.
    static BASE: std::sync::LazyLock<url::Url> = std::sync::LazyLock::new(|| {
        url::Url::parse("http://peakday.invalid/").expect("a valid base URL")
    });
    let raw = uri.path();
    let Ok(url) = BASE.join(uri.path_and_query().map_or(raw, |pq| pq.as_str())) else {
        return RouterPath::Elsewhere;
    };
    let path = url.path();
    if path == raw {
        RouterPath::Same
    } else if url.host_str() != Some("peakday.invalid") || path.starts_with("//") {
        RouterPath::Elsewhere
    } else {
        RouterPath::Other(match uri.query() {
            Some(query) => format!("{path}?{query}"),
            None => path.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{as_the_router_reads, RouterPath};

    fn read(path: &str) -> RouterPath {
        as_the_router_reads(&path.parse().unwrap())
    }

    #[test]
    fn dot_segments_are_sent_to_the_page_they_name() {
        assert_eq!(read("/account/alerts?saved=x"), RouterPath::Same);
        assert_eq!(read("/%2e%2e/admin"), RouterPath::Other("/admin".to_owned()));
        assert_eq!(read("/x/%2E%2e/programs?a=1"), RouterPath::Other("/programs?a=1".to_owned()));
        assert_eq!(read("/account/./alerts"), RouterPath::Other("/account/alerts".to_owned()));
        assert_eq!(read("/account/.."), RouterPath::Other("/".to_owned()));
    }

    #[test]
    fn a_path_that_would_leave_the_site_goes_nowhere() {
        assert_eq!(read("//evil.example/admin"), RouterPath::Elsewhere);
        assert_eq!(read("/.//evil.example"), RouterPath::Elsewhere);
    }
}
