//! The integration endpoints under `/api/v1/`: the head-end's acknowledgements, and the OpenAPI
//! document generated from the handlers and message types here. Systems, not browsers, call
//! them: no session, no cookies; a request is authenticated by its HMAC signature.

use super::message::{
    Acknowledgement, AcknowledgementResult, ApiError, CustomerAssetSync, DeviceAcknowledgement,
    DeviceStatus, DeviceSync, EnrollmentRef, MessageStatus, SyncAction,
};
use super::{acknowledgement, signature};
use crate::events::derms::{DermsChange, DermsEventMessage, DispatchedDevice};
use crate::events::participation::{
    DeviceParticipation, ParticipationReport, ParticipationResult, ParticipationStatus,
};
use crate::http::Shared;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Peakday integration API",
        version = "1",
        description = "Endpoints for the head-end / DERMS. Peakday POSTs a CustomerAssetSync \
            to the head-end's configured URL for every device registration change, with \
            `Idempotency-Key` and `X-Peakday-Signature` headers; the head-end answers each \
            message with an Acknowledgement here. `X-Peakday-Signature: t=<unix seconds>,v1=<hex>` \
            signs both ways: the hex HMAC-SHA256, under the shared secret (32 bytes or more), of \
            `<direction>.<t>.<raw body>`, where direction is `peakday-to-head-end` for sync \
            messages and `head-end-to-peakday` for acknowledgements. A signature more than five \
            minutes from the receiver's clock is refused. Event messages (DermsEventMessage: \
            dispatch in pages, joins, opt-outs, releases, time away, cancellation) go, signed the \
            same way, to the sync URL's sibling `events` (`.../sync` -> `.../events`), in order \
            for each event; the DERMS reports each device's participation here."
    ),
    paths(acknowledge, crate::events::participation::report, openapi_document),
    components(schemas(
        CustomerAssetSync,
        EnrollmentRef,
        DeviceSync,
        SyncAction,
        Acknowledgement,
        MessageStatus,
        DeviceAcknowledgement,
        DeviceStatus,
        AcknowledgementResult,
        DermsEventMessage,
        DermsChange,
        DispatchedDevice,
        ParticipationReport,
        DeviceParticipation,
        ParticipationStatus,
        ParticipationResult,
        ApiError
    ))
)]
pub struct ApiDoc;

/// The `/api/v1` routes.
pub fn router() -> Router<Shared> {
    Router::new()
        .route("/head-end/acknowledgements", post(acknowledge))
        .route("/events/{id}/participation", post(crate::events::participation::report))
        .route("/openapi.json", get(openapi_document))
}

/// Checks a partner request's signature (`Direction::FromHeadEnd`): the answer to send when it
/// fails, `None` when it holds. Nothing a request asks is done before this passes.
pub fn partner_refusal(state: &Shared, headers: &HeaderMap, body: &[u8]) -> Option<Response> {
    let Some(secret) =
        state.config.head_end.secret.as_deref().filter(|s| signature::check_secret(s).is_ok())
    else {
        return Some(error(
            StatusCode::UNAUTHORIZED,
            "No head-end secret is configured: partner requests are refused.",
        ));
    };
    let header = headers.get(signature::HEADER).and_then(|value| value.to_str().ok());
    let checked = match header {
        Some(header) => signature::verify(
            secret,
            signature::Direction::FromHeadEnd,
            body,
            header,
            crate::store::now(),
        ),
        None => Err(signature::Refused::Malformed),
    };
    checked.err().map(|refused| {
        tracing::warn!(target: "security", event = "partner_signature_refused", %refused, "partner_signature_refused");
        error(StatusCode::UNAUTHORIZED, format!("Refused: {refused}. Nothing changed."))
    })
}

pub fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(ApiError { error: message.into() })).into_response()
}

/// Receives the head-end's acknowledgement of a sync message and sets each device's
/// registration. Replays are answered as the first time, with `replay: true`, and change
/// nothing.
#[utoipa::path(
    post,
    path = "/api/v1/head-end/acknowledgements",
    request_body = Acknowledgement,
    params(("X-Peakday-Signature" = String, Header, description = "t=<unix seconds>,v1=<hex HMAC-SHA256 of `head-end-to-peakday.<t>.<body>`>")),
    responses(
        (status = 200, description = "Applied (or a replay)", body = AcknowledgementResult),
        (status = 400, description = "Not an acknowledgement", body = ApiError),
        (status = 401, description = "Missing or wrong signature; nothing changed", body = ApiError),
        (status = 404, description = "No such sync message", body = ApiError),
    )
)]
async fn acknowledge(State(state): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    if let Some(refused) = partner_refusal(&state, &headers, &body) {
        return refused;
    }
    let ack: Acknowledgement = match serde_json::from_slice(&body) {
        Ok(ack) => ack,
        Err(problem) => {
            return error(StatusCode::BAD_REQUEST, format!("Not an acknowledgement: {problem}"))
        }
    };
    match acknowledgement::apply(&state.store, &ack).await {
        Ok(result) => Json(result).into_response(),
        Err(acknowledgement::AcknowledgementError::UnknownMessage(id)) => {
            error(StatusCode::NOT_FOUND, format!("No sync message {id:?} was sent."))
        }
        Err(acknowledgement::AcknowledgementError::Store(problem)) => {
            tracing::error!(error = %problem, "could not apply a head-end acknowledgement");
            error(StatusCode::SERVICE_UNAVAILABLE, "Could not apply it now; send it again later.")
        }
    }
}

/// This document.
#[utoipa::path(get, path = "/api/v1/openapi.json", responses((status = 200, description = "The OpenAPI document")))]
async fn openapi_document() -> Response {
    Json(ApiDoc::openapi()).into_response()
}
