//! `bench-events`: how long calling an event takes for a program with many devices, and how an
//! opt-out holds up under load.
//!
//! 1. Makes `--devices` synthetic accounts (`peakday generate`), each with a registered smart
//!    thermostat enrolled in Smart Thermostat Rewards (once; a later run reuses them), then calls
//!    one event of that program through the events service, as a program manager's form does:
//!    rules, every device's reservation computed and stored, the DERMS dispatch queued in pages,
//!    one advance notice per account, the history and the audit record, in one transaction.
//!    Prints the seconds it took.
//! 2. Signs in `--sessions` customers of those accounts through the real router and offers
//!    `--rate` opt-outs per second among them for `--seconds` (open loop: latency counts from
//!    each opt-out's scheduled time), each a server-function call through the whole HTTP stack.
//!    Each session opts out of its own events: the benchmark calls one event per session's
//!    opt-outs ahead, on separate days, so every opt-out does the full work (a refusal would be
//!    cheaper). Prints opt-outs per second and latency percentiles.
//!
//! Numbers, not pass/fail: `scripts/bench-events.sh` runs it on SQLite and on PostgreSQL.

use anyhow::{bail, Context};
use axum::Router;
use clap::Parser;
use http::StatusCode;
use peakday_app::events::{EventRequest, LocalTime};
use peakday_app::programs::{CalendarDate, Capacity, ProgramId};
use peakday_server::accounts;
use peakday_server::auth;
use peakday_server::bench::{cpu_seconds, open_seeded, post, sign_in};
use peakday_server::config::{default_site_root, HttpConfig};
use peakday_server::events::Events;
use peakday_server::programs;
use peakday_server::store::Store;
use peakday_server::{app_state, http as edge};
use std::time::{Duration, Instant};
use tower::ServiceExt;

#[derive(Parser)]
struct Args {
    #[arg(long, env = "DATABASE_URL")]
    database_url: String,
    /// Enrolled, registered devices in the program.
    #[arg(long, default_value_t = 100_000)]
    devices: u64,
    /// Customers opting out at once.
    #[arg(long, default_value_t = 200)]
    sessions: usize,
    /// Opt-outs per second offered.
    #[arg(long, default_value_t = 500.0)]
    rate: f64,
    #[arg(long, default_value_t = 5)]
    seconds: u64,
}

const PASSWORD: &str = "bench-password-1";
const PROGRAM: ProgramId = ProgramId(1);
/// The entity group of the devices of the customers who sign in.
const SESSION_GROUP: &str = "p1-thermostat-bench";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    // RUST_LOG=sqlx::query=info shows each statement with its time.
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let store = open_seeded(&args.database_url).await?;
    enroll_devices(&store, args.devices).await?;
    // Enough events and opt-outs in a season for the load: the demo program allows 15 and 3.
    let mut tx = store.begin_write().await?;
    let mut program =
        programs::store::program(&mut tx, PROGRAM).await?.context("the demo program")?;
    program.definition.rules.max_events_per_season = 1_000;
    program.definition.rules.opt_outs_per_season = Some(1_000);
    program.definition.rules.min_notice_hours = 1;
    programs::store::update_program(&mut tx, PROGRAM, &program.definition).await?;
    tx.commit().await?;
    let manager = auth::store::user_by_email(
        &mut *store.read().await?,
        &peakday_app::contact::EmailAddress::parse("pm@peakday.example").unwrap(),
    )
    .await?
    .context("the demo program manager")?
    .id;
    let events = Events::new(store.clone());
    let zone = store.utility_zone(&mut *store.read().await?).await?;
    let today = jiff::Timestamp::now().to_zoned(zone).date();
    let date = |days: i64| {
        let day = today.checked_add(jiff::Span::new().days(days)).expect("a date");
        CalendarDate::new(day.year() as u16, day.month() as u8, day.day() as u8).expect("a date")
    };
    let request = |days: i64, hour: u8| EventRequest {
        day: date(days),
        start: LocalTime::new(hour, 0).unwrap(),
        end: LocalTime::new(hour + 1, 0).unwrap(),
        notice_day: date(0),
        notice_time: LocalTime::new(0, 0).unwrap(),
        target: Capacity(1_000_000),
        groups: Vec::new(),
    };
    // Devices reserved for an overlapping event are not reserved again: each run takes its own
    // hour, on days after any earlier run's.
    let already: i64 = sqlx_count(&store, "SELECT COUNT(*) FROM events").await?;
    let first_day = 2 + already;
    let started = Instant::now();
    let saved = events
        .call(manager, PROGRAM, &request(first_day, 10))
        .await
        .map_err(|error| anyhow::anyhow!("the event call: {error}"))?;
    let elapsed = started.elapsed();
    println!(
        "call an event for {} enrolled, registered devices: {:.2} s ({})",
        args.devices,
        elapsed.as_secs_f64(),
        saved.message
    );

    // Opt-outs: each session opts out of one event after another, each event targeting only
    // the sessions' group (200 devices, not the program's 100,000).
    let opt_outs_per_session =
        (args.rate * args.seconds as f64 / args.sessions as f64).ceil() as i64;
    if opt_outs_per_session > 900 {
        bail!("more opt-outs per session than the benchmark's program allows: raise --sessions");
    }
    let mut event_ids = Vec::new();
    for n in 0..opt_outs_per_session {
        let mut request = request(first_day + 1 + n, 14);
        request.groups = vec![SESSION_GROUP.to_owned()];
        events
            .call(manager, PROGRAM, &request)
            .await
            .map_err(|error| anyhow::anyhow!("an event call: {error}"))?;
        event_ids.push(sqlx_count(&store, "SELECT MAX(id) FROM events").await?);
    }
    let app = edge::router(app_state(store.clone(), HttpConfig::local(default_site_root()), None));
    let mut sessions = Vec::new();
    for n in 0..args.sessions {
        sessions.push(sign_in(&app, &format!("bench-events{n}@peakday.example"), PASSWORD).await?);
    }
    let interval = Duration::from_secs_f64(1.0 / args.rate);
    let total = (args.rate * args.seconds as f64) as usize;
    let start = Instant::now() + Duration::from_millis(200);
    let cpu_before = cpu_seconds();
    let mut tasks = Vec::with_capacity(total);
    for i in 0..total {
        let (app, cookie) = (app.clone(), sessions[i % sessions.len()].clone());
        let event = event_ids[i / sessions.len()];
        let at = start + interval * i as u32;
        tasks.push(tokio::spawn(async move {
            tokio::time::sleep_until(at.into()).await;
            let status =
                post_status(&app, "/api/opt_out", &format!("event={event}"), &cookie).await;
            (at.elapsed(), status)
        }));
    }
    let mut latencies = Vec::with_capacity(total);
    let mut refused = 0;
    for task in tasks {
        let (latency, status) = task.await?;
        if status != StatusCode::OK {
            refused += 1;
        }
        latencies.push(latency);
    }
    let elapsed = start.elapsed();
    let cpu = cpu_seconds() - cpu_before;
    latencies.sort_unstable();
    let pick = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    println!(
        "opt-outs: {total} offered at {}/s by {} sessions: {:.0}/s done, p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms, {refused} refused; CPU {:.2} ms per opt-out (client included)",
        args.rate,
        args.sessions,
        total as f64 / elapsed.as_secs_f64(),
        pick(0.50).as_secs_f64() * 1e3,
        pick(0.99).as_secs_f64() * 1e3,
        latencies.last().unwrap().as_secs_f64() * 1e3,
        cpu * 1e3 / total as f64,
    );
    Ok(())
}

async fn sqlx_count(store: &Store, sql: &str) -> anyhow::Result<i64> {
    let mut conn = store.read().await?;
    let value: Option<i64> = sqlx::query_scalar(sql).fetch_one(&mut *conn).await?;
    Ok(value.unwrap_or(0))
}

/// Makes sure `count` accounts have a registered thermostat enrolled in the program, and that
/// the first 1,000 of them can sign in.
async fn enroll_devices(store: &Store, count: u64) -> anyhow::Result<()> {
    // Made by an earlier run: keep them.
    let made = sqlx_count(store, "SELECT COUNT(*) FROM devices WHERE model = 'Bench'").await?;
    if made > 0 {
        return Ok(());
    }
    let accounts = accounts::store::count_accounts(&mut *store.read().await?).await? as u64;
    if accounts < count {
        peakday_server::generate::generate_accounts(store, count - accounts, 17).await?;
    }
    let started = Instant::now();
    let mut tx = store.begin_write().await?;
    // One device, one enrollment per account that has none, in three statements.
    for sql in [
        "INSERT INTO devices (account_id, service_point_id, kind, make, model, serial, \
         network_address, capacity_tenths, registration, created_at) \
         SELECT a.id, MIN(sp.id), 'thermostat', 'ecobee', 'Bench', 'BENCH-' || CAST(a.id AS TEXT), \
         '10.9.0.1', 35, 'registered', 0 FROM accounts a \
         JOIN service_points sp ON sp.account_id = a.id AND sp.fuel = 'electric' \
         WHERE a.life_support = 0 AND NOT EXISTS (SELECT 1 FROM devices d WHERE d.account_id = a.id) \
         GROUP BY a.id",
        "INSERT INTO enrollments (account_id, program_id, service_point_id, status, created_at, enrolled_at) \
         SELECT d.account_id, 1, d.service_point_id, 'enrolled', 0, 0 FROM devices d \
         WHERE d.model = 'Bench' AND NOT EXISTS \
         (SELECT 1 FROM enrollments e WHERE e.account_id = d.account_id AND e.program_id = 1)",
        "INSERT INTO enrollment_devices (enrollment_id, device_id, entity_group, added_at) \
         SELECT e.id, d.id, 'p1-thermostat-m-r-ptr', 0 FROM enrollments e \
         JOIN devices d ON d.account_id = e.account_id AND d.model = 'Bench' \
         WHERE NOT EXISTS (SELECT 1 FROM enrollment_devices ed WHERE ed.device_id = d.id)",
    ] {
        sqlx::query(sql).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    // Rows made in bulk, as no customer makes them: the planner is told, as after `generate`.
    store.refresh_statistics().await?;
    eprintln!(
        "enrolled the generated accounts' thermostats in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    // Sign-ins for the sessions: customers of the first accounts with a device.
    let ids: Vec<i64> = {
        let mut conn = store.read().await?;
        sqlx::query_scalar(
            "SELECT account_id FROM devices WHERE model = 'Bench' ORDER BY account_id LIMIT 1000",
        )
        .fetch_all(&mut *conn)
        .await?
    };
    let mut tx = store.begin_write().await?;
    for account in &ids {
        sqlx::query(
            "UPDATE enrollment_devices SET entity_group = $1 WHERE device_id IN \
             (SELECT id FROM devices WHERE account_id = $2)",
        )
        .bind(SESSION_GROUP)
        .bind(account)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    let hash = peakday_server::auth::hash_password_off_thread(PASSWORD.to_owned()).await;
    for (n, account) in ids.iter().enumerate() {
        let user = peakday_server::auth::NewUser {
            email: peakday_app::contact::EmailAddress::parse(&format!(
                "bench-events{n}@peakday.example"
            ))
            .unwrap(),
            display_name: format!("Bench {n}"),
            password_hash: hash.clone(),
            identity: peakday_app::auth::Identity::Customer {
                account_id: peakday_app::accounts::AccountId(*account),
            },
            must_change_password: false,
        };
        let mut tx = store.begin_write().await?;
        auth::store::insert_user(&mut tx, &user).await?;
        tx.commit().await?;
    }
    Ok(())
}

async fn post_status(app: &Router, path: &str, body: &str, cookie: &str) -> StatusCode {
    match app.clone().oneshot(post(path, body, cookie)).await {
        Ok(response) => response.status(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}
