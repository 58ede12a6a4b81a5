use super::Shared;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use http::StatusCode;
use serde_json::json;
use std::time::Duration;

/// `GET /healthz`: 200 with the database's status when it answers within two seconds, else 503.
pub async fn health(State(state): State<Shared>) -> Response {
    let backend = state.store.backend().name();
    let database_ok = matches!(
        tokio::time::timeout(Duration::from_secs(2), state.store.ping()).await,
        Ok(Ok(()))
    );
    let (status, word) = if database_ok {
        (StatusCode::OK, "ok")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "unavailable")
    };
    (status, Json(json!({ "status": word, "database": { "backend": backend, "status": word } })))
        .into_response()
}
