//! `bench-saves`: how fast preference changes are saved when many customers save at once.
//!
//! Creates `--sessions` customers (once), signs each in through the real router, then has every
//! session save an account-wide stop, back and forth, as fast as it can for `--seconds` (after
//! `--warm-up` seconds not counted), each
//! save a server-function call through the whole HTTP stack in process (session, CSRF check,
//! authorization, rules, one write transaction with its audit record). Prints saves per second
//! and latency percentiles. Numbers, not pass/fail: `scripts/bench.sh` runs it on SQLite and on
//! PostgreSQL.

use anyhow::{bail, Context};
use axum::Router;
use clap::Parser;
use http::StatusCode;
use peakday_server::bench::{open_seeded, post, sign_in};
use peakday_server::config::{default_site_root, HttpConfig};
use peakday_server::onboarding::{add_customer, NewCustomer};
use peakday_server::{app_state, http as edge};
use std::time::{Duration, Instant};
use tower::ServiceExt;

#[derive(Parser)]
struct Args {
    #[arg(long, env = "DATABASE_URL")]
    database_url: String,
    #[arg(long, default_value_t = 200)]
    sessions: usize,
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Saves per second across all sessions, spread evenly (open loop; latency counts from each
    /// save's scheduled time, so a stall is not hidden). Without it every session saves again
    /// as soon as its last save is answered: the most the server can take.
    #[arg(long)]
    rate: Option<f64>,
    /// Seconds of saving before the clock starts, at the same rate: the first saves of a fresh
    /// process also open its database connections, prepare their statements and fill the
    /// server's caches (measured on PostgreSQL at 1,000/s: in runs without it, nearly every save
    /// over 20 ms came in the first 0.2 s). Those are a restart's figures, not a busy day's.
    #[arg(long, default_value_t = 1)]
    warm_up: u64,
}

const PASSWORD: &str = "bench-password-1";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let store = open_seeded(&args.database_url).await?;
    for n in 0..args.sessions {
        let customer = NewCustomer {
            account_number: format!("{}", 8_000_000_000u64 + n as u64),
            name: format!("Bench Customer {n}"),
            service_address: "1 Bench Road, Springfield, NY 12345".into(),
            email: format!("bench{n}@peakday.example"),
            password: PASSWORD.into(),
            rate_class: "R-PTR".into(),
            mobile: None,
        };
        // Already there from an earlier run: keep it.
        let _ = add_customer(&store, &customer).await;
    }
    let app = edge::router(app_state(store.clone(), HttpConfig::local(default_site_root()), None));

    let mut sessions = Vec::with_capacity(args.sessions);
    for n in 0..args.sessions {
        let cookie = sign_in(&app, &format!("bench{n}@peakday.example"), PASSWORD).await?;
        let version = current_version(&app, &cookie).await?;
        sessions.push((cookie, version));
    }

    let pace = args.rate.map(|rate| Duration::from_secs_f64(args.sessions as f64 / rate));
    println!(
        "{} sessions saving for {} s after {} s not counted on {} (in-process, through the router), {}",
        args.sessions,
        args.seconds,
        args.warm_up,
        store.backend().name(),
        args.rate
            .map_or("as fast as answered".to_owned(), |rate| format!("{rate} saves/s offered"))
    );
    let started = Instant::now() + Duration::from_secs(args.warm_up);
    let deadline = started + Duration::from_secs(args.seconds);
    let workers: Vec<_> = sessions
        .into_iter()
        .enumerate()
        .map(|(index, (cookie, mut version))| {
            let app = app.clone();
            // Paced sessions start spread over one interval, so arrivals are even.
            let mut next =
                pace.map(|pace| Instant::now() + pace.mul_f64(index as f64 / args.sessions as f64));
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut stop = true;
                while Instant::now() < deadline {
                    let pressed = if stop { "stop" } else { "resume" };
                    let body = format!("version={version}&{pressed}=email");
                    let began = match (next, pace) {
                        (Some(at), Some(pace)) => {
                            tokio::time::sleep_until(at.into()).await;
                            next = Some(at + pace);
                            at
                        }
                        _ => Instant::now(),
                    };
                    let response =
                        app.clone().oneshot(post("/api/set_opt_out", &body, &cookie)).await?;
                    let status = response.status();
                    let body = axum::body::to_bytes(response.into_body(), 1 << 20).await?;
                    if began >= started {
                        latencies.push(began.elapsed());
                    }
                    if status != StatusCode::OK {
                        bail!("a save was refused ({status}): {}", String::from_utf8_lossy(&body));
                    }
                    let saved: serde_json::Value = serde_json::from_slice(&body)?;
                    saved["message"].as_str().context("the save says what was saved")?;
                    // Each session's account is its own: an accepted save moves it one version.
                    version += 1;
                    stop = !stop;
                }
                Ok::<_, anyhow::Error>(latencies)
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for worker in workers {
        latencies.extend(worker.await??);
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "saves: {}  saves/s: {:.0}  p50: {:.1} ms  p90: {:.1} ms  p99: {:.1} ms  max: {:.1} ms",
        latencies.len(),
        latencies.len() as f64 / elapsed,
        ms(at(0.50)),
        ms(at(0.90)),
        ms(at(0.99)),
        ms(*latencies.last().unwrap_or(&Duration::ZERO)),
    );
    store.close().await;
    Ok(())
}

async fn current_version(app: &Router, cookie: &str) -> anyhow::Result<i64> {
    let response = app.clone().oneshot(post("/api/preferences", "", cookie)).await?;
    let page: serde_json::Value =
        serde_json::from_slice(&axum::body::to_bytes(response.into_body(), 1 << 20).await?)?;
    page["version"].as_i64().context("the preferences name their version")
}
