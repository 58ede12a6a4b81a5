//! Page access at the HTTP level, from the same table the pages use (`peakday_app::auth::PAGES`):
//! anonymous visitors are sent to sign in, and a signed-in person opening another role's page is
//! answered 403 before any of it renders.

use super::session::SessionEnded;
use super::signin::signin_location;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use http::{Method, StatusCode};
use peakday_app::auth::{page_access, Access, PendingSignIn, SignInNotice, Viewer, RESET_PAGE};

pub async fn page_guard(request: Request, next: Next) -> Response {
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
