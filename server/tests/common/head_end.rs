//! A head-end stand-in on loopback: a small HTTP server speaking the documented sync format
//! (`/api/v1/openapi.json`). It checks each message's signature, applies a message once per
//! `Idempotency-Key` (as a real head-end must), and answers with a signed acknowledgement
//! posted to the portal before it replies, so a delivery round ends with its effects applied.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use peakday_server::events::derms::DermsEventMessage;
use peakday_server::programs::head_end::message::{
    Acknowledgement, CustomerAssetSync, DeviceAcknowledgement, DeviceStatus, MessageStatus,
    SyncAction,
};
use peakday_server::programs::head_end::signature::{self, Direction};
use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

/// What the stand-in has seen and done.
#[derive(Default)]
pub struct Ledger {
    /// Every delivery, duplicates included, by idempotency key.
    pub deliveries: Vec<String>,
    /// Messages applied, once each.
    pub applied: BTreeSet<String>,
    /// Devices registered now, with how many times each was registered.
    pub registered: BTreeMap<i64, u32>,
    /// Every acknowledgement posted back, with the portal's HTTP status.
    pub acknowledgements: Vec<(Acknowledgement, u16)>,
    /// Devices whose registration the stand-in refuses, with the reason.
    pub refuse: BTreeMap<i64, String>,
    /// Event messages received, in order of arrival, each once (a redelivery is not kept).
    pub events: Vec<DermsEventMessage>,
}

#[derive(Clone)]
struct StandIn {
    ledger: Arc<Mutex<Ledger>>,
    secret: String,
    portal: String,
    client: reqwest::Client,
}

pub struct HeadEnd {
    pub url: String,
    pub ledger: Arc<Mutex<Ledger>>,
    task: tokio::task::JoinHandle<()>,
}

impl HeadEnd {
    /// Starts the stand-in at `addr` (port 0 for any), acknowledging to the portal at `portal`.
    pub async fn start(addr: SocketAddr, portal: &str, secret: &str) -> Self {
        let ledger = Arc::new(Mutex::new(Ledger::default()));
        let stand_in = StandIn {
            ledger: ledger.clone(),
            secret: secret.to_owned(),
            portal: portal.to_owned(),
            client: reqwest::Client::new(),
        };
        let app = Router::new()
            .route("/sync", post(receive))
            .route("/events", post(receive_event))
            .with_state(stand_in);
        let listener = tokio::net::TcpListener::bind(addr).await.expect("the stand-in binds");
        let url = format!("http://{}/sync", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self { url, ledger, task }
    }

    /// Takes the stand-in down: its port refuses connections until started again.
    pub async fn stop(self) {
        self.task.abort();
        let _ = self.task.await;
    }

    pub fn ledger(&self) -> std::sync::MutexGuard<'_, Ledger> {
        self.ledger.lock().unwrap()
    }
}

fn signed(stand_in: &StandIn, headers: &HeaderMap, body: &[u8]) -> bool {
    headers.get(signature::HEADER).and_then(|value| value.to_str().ok()).is_some_and(|header| {
        let now = peakday_server::store::now();
        signature::verify(&stand_in.secret, Direction::ToHeadEnd, body, header, now).is_ok()
    })
}

/// An event message: kept once per idempotency key, in order of arrival.
async fn receive_event(
    State(stand_in): State<StandIn>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    if !signed(&stand_in, &headers, &body) {
        return StatusCode::UNAUTHORIZED;
    }
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let message: DermsEventMessage = serde_json::from_slice(&body).expect("an event message");
    assert_eq!(key, message.message_id, "the idempotency key is the message id");
    let mut ledger = stand_in.ledger.lock().unwrap();
    ledger.deliveries.push(key.clone());
    if ledger.applied.insert(key) {
        ledger.events.push(message);
    }
    StatusCode::ACCEPTED
}

async fn receive(State(stand_in): State<StandIn>, headers: HeaderMap, body: Bytes) -> StatusCode {
    if !signed(&stand_in, &headers, &body) {
        return StatusCode::UNAUTHORIZED;
    }
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let message: CustomerAssetSync = serde_json::from_slice(&body).expect("a sync message");
    assert_eq!(key, message.message_id, "the idempotency key is the message id");
    let ack = {
        let mut ledger = stand_in.ledger.lock().unwrap();
        ledger.deliveries.push(key.clone());
        let first_time = ledger.applied.insert(key.clone());
        let devices = message
            .devices
            .iter()
            .map(|device| {
                let refused = ledger.refuse.get(&device.device_id).cloned();
                let status = match (device.action, &refused) {
                    (SyncAction::Register, Some(_)) => DeviceStatus::Failed,
                    (SyncAction::Register, None) => {
                        if first_time {
                            *ledger.registered.entry(device.device_id).or_default() += 1;
                        }
                        DeviceStatus::Registered
                    }
                    (SyncAction::Deregister, _) => {
                        if first_time {
                            ledger.registered.remove(&device.device_id);
                        }
                        DeviceStatus::Deregistered
                    }
                };
                DeviceAcknowledgement { device_id: device.device_id, status, reason: refused }
            })
            .collect();
        Acknowledgement { message_id: key, status: MessageStatus::Accepted, reason: None, devices }
    };
    let status =
        post_acknowledgement(&stand_in.client, &stand_in.portal, &stand_in.secret, &ack).await;
    stand_in.ledger.lock().unwrap().acknowledgements.push((ack, status));
    StatusCode::ACCEPTED
}

/// Posts `ack` to the portal, signed with `secret`; returns the HTTP status.
pub async fn post_acknowledgement(
    client: &reqwest::Client,
    portal: &str,
    secret: &str,
    ack: &Acknowledgement,
) -> u16 {
    post_signed(client, portal, secret, &serde_json::to_vec(ack).unwrap()).await.0
}

/// Posts `body` to the portal's acknowledgement endpoint, signed with `secret`; returns the
/// HTTP status and the JSON answer.
pub async fn post_signed(
    client: &reqwest::Client,
    portal: &str,
    secret: &str,
    body: &[u8],
) -> (u16, serde_json::Value) {
    post_signed_to(client, &format!("{portal}/api/v1/head-end/acknowledgements"), secret, body)
        .await
}

/// Posts `body` to `url` as the head-end does, signed with `secret`; returns the HTTP status and
/// the JSON answer.
pub async fn post_signed_to(
    client: &reqwest::Client,
    url: &str,
    secret: &str,
    body: &[u8],
) -> (u16, serde_json::Value) {
    let response = client
        .post(url)
        .header("content-type", "application/json")
        .header(
            signature::HEADER,
            signature::sign(secret, Direction::FromHeadEnd, peakday_server::store::now(), body),
        )
        .body(body.to_vec())
        .send()
        .await
        .expect("the portal answers");
    let status = response.status().as_u16();
    (status, serde_json::from_str(&response.text().await.unwrap()).unwrap())
}

/// Serves `app` on a loopback port; returns its origin.
pub async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        peakday_server::http::serve(listener, app, Default::default(), std::future::pending())
            .await
            .unwrap();
    });
    origin
}
