//! The DERMS's report of how each device took part in an event, at
//! `POST /api/v1/events/{id}/participation`, signed as acknowledgements are. A report sets each
//! device's participation in the event; the same report again changes nothing (the devices come
//! back as unchanged), and a device the event never held comes back as unknown.

use crate::http::Shared;
use crate::programs::head_end::api::{error, partner_refusal};
use crate::programs::head_end::message::ApiError;
use crate::store::{Store, StoreError};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use peakday_app::events::EventId;
use peakday_app::programs::Capacity;
use serde::{Deserialize, Serialize};
use sqlx::Row;
use utoipa::ToSchema;

/// How the devices of one event took part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ParticipationReport {
    pub devices: Vec<DeviceParticipation>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ParticipationStatus {
    Participated,
    DidNotParticipate,
}

impl ParticipationStatus {
    fn as_str(self) -> &'static str {
        match self {
            ParticipationStatus::Participated => "participated",
            ParticipationStatus::DidNotParticipate => "did_not_participate",
        }
    }
}

/// One device's part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DeviceParticipation {
    pub device_id: i64,
    pub status: ParticipationStatus,
    /// Why it did not take part: `offline` or `overridden` (the customer changed it).
    #[serde(default)]
    pub reason: Option<String>,
    /// The reduction it delivered, kW as a decimal (`"1.2"`).
    #[serde(default)]
    pub delivered_kw: Option<String>,
}

/// What a report did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ParticipationResult {
    pub event_id: i64,
    /// Devices whose participation was set by this report.
    pub applied: Vec<i64>,
    /// Devices already reported so: a replay changes nothing.
    pub unchanged: Vec<i64>,
    /// Devices the event never held.
    pub unknown_devices: Vec<i64>,
}

/// The reasons a device may not have taken part.
const REASONS: [&str; 2] = ["offline", "overridden"];

/// Receives the DERMS's participation report for an event.
#[utoipa::path(
    post,
    path = "/api/v1/events/{id}/participation",
    request_body = ParticipationReport,
    params(
        ("id" = i64, Path, description = "The event"),
        ("X-Peakday-Signature" = String, Header, description = "t=<unix seconds>,v1=<hex HMAC-SHA256 of `head-end-to-peakday.<t>.<body>`>"),
    ),
    responses(
        (status = 200, description = "Applied (devices already so reported are unchanged)", body = ParticipationResult),
        (status = 400, description = "Not a participation report", body = ApiError),
        (status = 401, description = "Missing or wrong signature; nothing changed", body = ApiError),
        (status = 404, description = "No such event", body = ApiError),
    )
)]
pub async fn report(
    State(state): State<Shared>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(refused) = partner_refusal(&state, &headers, &body) {
        return refused;
    }
    let report: ParticipationReport = match serde_json::from_slice(&body) {
        Ok(report) => report,
        Err(problem) => {
            return error(StatusCode::BAD_REQUEST, format!("Not a participation report: {problem}"))
        }
    };
    for device in &report.devices {
        if let Some(reason) = &device.reason {
            if !REASONS.contains(&reason.as_str()) {
                return error(
                    StatusCode::BAD_REQUEST,
                    format!("Device {}: reason must be offline or overridden.", device.device_id),
                );
            }
        }
        if let Some(kw) = &device.delivered_kw {
            if Capacity::parse(kw).is_err() && kw.trim() != "0" {
                return error(
                    StatusCode::BAD_REQUEST,
                    format!(
                        "Device {}: delivered_kw must be a decimal such as 1.2.",
                        device.device_id
                    ),
                );
            }
        }
    }
    match apply(&state.store, EventId(id), &report).await {
        Ok(Some(result)) => Json(result).into_response(),
        Ok(None) => error(StatusCode::NOT_FOUND, format!("No event {id}.")),
        Err(problem) => {
            tracing::error!(error = %problem, "could not apply a participation report");
            error(StatusCode::SERVICE_UNAVAILABLE, "Could not apply it now; send it again later.")
        }
    }
}

/// Applies the report in one transaction; `None` when there is no such event.
pub async fn apply(
    store: &Store,
    event: EventId,
    report: &ParticipationReport,
) -> Result<Option<ParticipationResult>, StoreError> {
    let mut tx = store.begin_write().await?;
    if super::store::event(&mut tx, event).await?.is_none() {
        return Ok(None);
    }
    let mut result = ParticipationResult {
        event_id: event.0,
        applied: Vec::new(),
        unchanged: Vec::new(),
        unknown_devices: Vec::new(),
    };
    for device in &report.devices {
        let delivered = device
            .delivered_kw
            .as_deref()
            .map(|kw| Capacity::parse(kw).map(|c| i64::from(c.0)).unwrap_or(0));
        let row = sqlx::query(
            "SELECT participation, participation_reason, delivered_tenths FROM event_devices \
             WHERE event_id = $1 AND device_id = $2",
        )
        .bind(event.0)
        .bind(device.device_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            result.unknown_devices.push(device.device_id);
            continue;
        };
        let before: (Option<String>, Option<String>, Option<i64>) = (
            row.try_get("participation")?,
            row.try_get("participation_reason")?,
            row.try_get("delivered_tenths")?,
        );
        let after = (Some(device.status.as_str().to_owned()), device.reason.clone(), delivered);
        if before == after {
            result.unchanged.push(device.device_id);
            continue;
        }
        sqlx::query(
            "UPDATE event_devices SET participation = $1, participation_reason = $2, \
             delivered_tenths = $3 WHERE event_id = $4 AND device_id = $5",
        )
        .bind(after.0)
        .bind(after.1)
        .bind(after.2)
        .bind(event.0)
        .bind(device.device_id)
        .execute(&mut *tx)
        .await?;
        result.applied.push(device.device_id);
    }
    tx.commit().await?;
    Ok(Some(result))
}
