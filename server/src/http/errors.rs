//! What the edge answers when a request is malformed or a call is refused: the status that
//! says why, from one place ([`AppError::status`]), and a body limit that holds for chunked
//! bodies too.

use super::BODY_LIMIT_BYTES;
use axum::body::Body;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::header::CONTENT_TYPE;
use http::{Method, StatusCode};
use peakday_app::error::AppError;

/// Reads a state-changing request's body up to the limit before any handler sees it: a body
/// past the limit, however it is sent (chunked bodies carry no length to check up front), gets
/// 413 instead of failing half-read inside a handler.
pub async fn bounded_body(request: Request, next: Next) -> Response {
    if matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    match axum::body::to_bytes(body, BODY_LIMIT_BYTES).await {
        Ok(bytes) => next.run(Request::from_parts(parts, Body::from(bytes))).await,
        Err(_) => {
            tracing::warn!(path = %parts.uri.path(), "refused a request body over the limit");
            (StatusCode::PAYLOAD_TOO_LARGE, "The request is too large.").into_response()
        }
    }
}

/// A server function that failed without saying why in its status (its arguments did not
/// parse, so it never ran) answers 500 with its error in the body: this gives such answers the
/// status of the error they carry (400 for arguments that do not parse).
pub async fn status_of_refusals(request: Request, next: Next) -> Response {
    let is_call = super::is_server_function_call(&request);
    let response = next.run(request).await;
    let json = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|kind| kind.starts_with("application/json"));
    if !is_call || response.status() != StatusCode::INTERNAL_SERVER_ERROR || !json {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = error.status();
        if parts.status == StatusCode::BAD_REQUEST {
            tracing::warn!("refused a call whose arguments do not parse");
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}
