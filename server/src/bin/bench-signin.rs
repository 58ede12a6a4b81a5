//! The server's memory under a flood of sign-ins (issue 15, item 2): starts `peakday serve` on a
//! fresh SQLite file, sends `--attempts` sign-ins at once (each from its own address and for its
//! own email, so throttling lets every one reach the password check), and prints the server's
//! resident memory before and at its peak, with how the attempts were answered.
//!
//! Each argon2id check takes 19 MiB; unbounded, 40 at once took the server from 193 MiB to
//! 898 MiB. Usage: bench-signin --peakday target/release/peakday [--attempts 200]

use clap::Parser;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[derive(Parser)]
struct Args {
    /// The `peakday` binary to measure.
    #[arg(long)]
    peakday: std::path::PathBuf,
    /// Sign-ins sent at once.
    #[arg(long, default_value_t = 200)]
    attempts: usize,
}

/// A line of `/proc/<pid>/status`, in KiB.
fn status_kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|line| line.strip_prefix(field)?.trim().strip_suffix(" kB")?.trim().parse().ok())
        .unwrap_or(0)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let data = std::env::temp_dir().join(format!("peakday-bench-signin-{}", std::process::id()));
    std::fs::create_dir_all(&data)?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let mut server = Command::new(&args.peakday)
        .arg("serve")
        .env("DATABASE_URL", format!("sqlite://{}/bench.db", data.display()))
        .env("PEAKDAY_ADDR", format!("127.0.0.1:{port}"))
        .env("PEAKDAY_TRUST_FORWARDED_FOR", "true")
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .spawn()?;
    let pid = server.id();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;
    let deadline = Instant::now() + Duration::from_secs(30);
    while client.get(format!("{base}/healthz")).send().await.is_err() {
        anyhow::ensure!(Instant::now() < deadline, "the server did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // One sign-in first, so the decoy hash and the pool are in place, as on a running server.
    let _ = client
        .post(format!("{base}/signin"))
        .header("origin", &base)
        .form(&[("email", "warm@example.com"), ("password", "warm-up")])
        .send()
        .await;
    let before = status_kib(pid, "VmRSS:");

    let started = Instant::now();
    let mut attempts = Vec::new();
    for n in 0..args.attempts {
        let (client, base) = (client.clone(), base.clone());
        attempts.push(tokio::spawn(async move {
            client
                .post(format!("{base}/signin"))
                .header("origin", &base)
                .header("x-forwarded-for", format!("198.51.{}.{}", n / 250, n % 250 + 1))
                .form(&[("email", format!("guess{n}@example.com")), ("password", "not-it".into())])
                .send()
                .await
                .map(|response| response.status().as_u16())
        }));
    }
    let (mut checked, mut busy, mut other) = (0, 0, 0);
    for attempt in attempts {
        match attempt.await? {
            Ok(303) => checked += 1,
            Ok(503) => busy += 1,
            _ => other += 1,
        }
    }
    let elapsed = started.elapsed();
    let peak = status_kib(pid, "VmHWM:");
    let _ = Command::new("kill").args(["-TERM", &pid.to_string()]).status();
    let _ = server.wait();
    let _ = std::fs::remove_dir_all(&data);

    println!(
        "{} sign-ins at once in {:.2} s: {checked} checked (wrong password), {busy} told to retry (503), {other} other",
        args.attempts,
        elapsed.as_secs_f64()
    );
    println!(
        "server memory: {:.1} MiB before, peak {:.1} MiB (each argon2 check takes 19 MiB; {} cores check at once)",
        before as f64 / 1024.0,
        peak as f64 / 1024.0,
        std::thread::available_parallelism().map_or(2, |n| n.get())
    );
    Ok(())
}
