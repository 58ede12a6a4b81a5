//! What the benchmark programs (`src/bin/bench-*`) share: the database opened, migrated and
//! seeded, and requests through the real router in process, made as a browser makes them.

use crate::store::Store;
use anyhow::Context;
use axum::body::Body;
use axum::Router;
use http::{header, Request};
use tower::ServiceExt;

/// The origin requests come from (the router's same-origin check passes it).
pub const ORIGIN: &str = "http://127.0.0.1:3000";

/// The database at `url`, migrated and seeded with the demo.
pub async fn open_seeded(url: &str) -> anyhow::Result<Store> {
    let store = Store::connect(url).await?;
    store.migrate().await?;
    crate::demo::seed_if_empty(&store).await?;
    Ok(store)
}

/// A server-function call (or a form post) as the browser makes it.
pub fn post(path: &str, body: &str, cookie: &str) -> Request<Body> {
    Request::post(path)
        .header(header::HOST, "127.0.0.1:3000")
        .header(header::ORIGIN, ORIGIN)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json")
        .header(header::COOKIE, cookie)
        .body(Body::from(body.to_owned()))
        .expect("a valid request")
}

/// Signs in with a password (no second factor) and returns the session cookie's `name=value`.
pub async fn sign_in(app: &Router, email: &str, password: &str) -> anyhow::Result<String> {
    let body = format!("email={email}&password={password}&next=");
    let response = app.clone().oneshot(post("/signin", &body, "")).await?;
    let cookie = response
        .headers()
        .get(header::SET_COOKIE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .filter(|pair| !pair.ends_with('='))
        .context("sign-in gave no session cookie")?;
    Ok(cookie.to_owned())
}

/// CPU time this process has used so far, user and system, in seconds (Linux; 0 elsewhere):
/// with the benchmark's client in the same process, what one operation costs the machine.
pub fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else { return 0.0 };
    // Fields after the command name, which is in parentheses and may hold spaces: utime and
    // stime are the 14th and 15th fields, in clock ticks (100 per second on Linux).
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |n: usize| fields.get(n).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}
