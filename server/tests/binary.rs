//! The `peakday` binary itself: first start on an empty database, and a graceful stop.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn http_get(port: u16, path: &str) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    write!(stream, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n")
        .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    Some(response)
}

#[test]
fn first_start_seeds_prints_the_sign_ins_serves_and_stops_gracefully_on_sigterm() {
    let data = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut server = Command::new(env!("CARGO_BIN_EXE_peakday"))
        .arg("serve")
        .env("DATABASE_URL", format!("sqlite://{}/first.db", data.path().display()))
        .env("PEAKDAY_ADDR", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .expect("the binary starts");

    let mut stdout = BufReader::new(server.stdout.take().unwrap());
    let mut printed = String::new();
    while !printed.contains("Stop with Ctrl+C.") {
        assert!(stdout.read_line(&mut printed).unwrap() > 0, "stdout closed early: {printed}");
    }
    assert!(printed.contains(&format!("Open http://127.0.0.1:{port}")), "{printed}");
    assert!(printed.contains("Seeded the demo utility"), "{printed}");
    assert!(printed.contains("demo@peakday.example / peakday-demo"), "{printed}");

    let deadline = Instant::now() + Duration::from_secs(20);
    let health = loop {
        if let Some(response) = http_get(port, "/healthz") {
            break response;
        }
        assert!(Instant::now() < deadline, "the server never answered");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    assert!(health.contains("\"backend\":\"sqlite\""), "{health}");

    let status = Command::new("kill").args(["-TERM", &server.id().to_string()]).status().unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let exit = loop {
        if let Some(exit) = server.try_wait().unwrap() {
            break exit;
        }
        assert!(Instant::now() < deadline, "the server did not stop within 10 s of SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(exit.success(), "a graceful stop exits 0, got {exit}");
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    assert!(rest.contains("Peakday stopped."), "{rest}");
}

/// Runs `peakday <args>` on the database at `url` to completion; returns success and output.
fn peakday(url: &str, args: &[&str], env: &[(&str, &str)]) -> (bool, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_peakday"))
        .args(args)
        .env("DATABASE_URL", url)
        .env("RUST_LOG", "error")
        .envs(env.iter().copied())
        .output()
        .expect("the binary runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

#[test]
fn the_command_line_sets_up_a_real_utility_and_never_seeds_the_demo_sign_ins() {
    let data = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/real.db", data.path().display());
    let customer = [
        "add-customer",
        "--account-number",
        "4000000001",
        "--name",
        "Dana Whitfield",
        "--email",
        "dana@example.com",
    ];
    let (ok, text) = peakday(&url, &customer, &[("PEAKDAY_CUSTOMER_PASSWORD", "abc")]);
    assert!(!ok && text.contains("Use at least 8 characters"), "{text}");
    let (ok, text) =
        peakday(&url, &customer, &[("PEAKDAY_CUSTOMER_PASSWORD", "saffron meadow kettle 9")]);
    assert!(ok, "{text}");
    let (ok, text) = peakday(&url, &["demo-code", "agent@peakday.example"], &[]);
    assert!(!ok, "no demo staff were seeded: {text}");

    let utility = [
        "init-utility",
        "--name",
        "Riverton Electric",
        "--time-zone",
        "America/Chicago",
        "--product",
        "PTR",
    ];
    let (ok, text) = peakday(&url, &utility, &[]);
    assert!(ok && text.contains("Riverton Electric is set up"), "{text}");
    let admin =
        ["add-staff", "--role", "admin", "--email", "ada@riverton.example", "--name", "Ada Lopez"];
    let (ok, text) = peakday(&url, &admin, &[]);
    assert!(ok && text.contains("One-time password: "), "{text}");
    let (ok, text) = peakday(&url, &admin, &[]);
    assert!(!ok && text.contains("already signs in"), "{text}");
}

#[test]
fn serve_refuses_the_demo_sign_ins_over_https_and_an_open_address_without_an_origin() {
    let data = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/public.db", data.path().display());
    let port = free_port().to_string();
    let addr = format!("127.0.0.1:{port}");
    let https = [
        ("PEAKDAY_PUBLIC_ORIGIN", "https://portal.riverton.example"),
        ("PEAKDAY_ADDR", addr.as_str()),
    ];
    let (ok, text) = peakday(&url, &["serve"], &https);
    assert!(!ok && text.contains("disable-demo-sign-ins"), "{text}");
    let (ok, text) = peakday(&url, &["disable-demo-sign-ins"], &[]);
    assert!(ok && text.contains("Disabled 4 demo sign-ins"), "{text}");

    let (ok, text) = peakday(&url, &["serve"], &[("PEAKDAY_ADDR", &format!("0.0.0.0:{port}"))]);
    assert!(!ok && text.contains("PEAKDAY_PUBLIC_ORIGIN"), "{text}");
}

#[test]
fn peakday_without_a_command_serves_with_the_same_settings_as_serve() {
    let data = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/bare.db", data.path().display());
    let port = free_port();
    // An open address with no public origin is refused at start: proof the settings were read
    // (ignored, it would serve on the default 127.0.0.1:3000 and never exit).
    let mut server = Command::new(env!("CARGO_BIN_EXE_peakday"))
        .env("DATABASE_URL", &url)
        .env("PEAKDAY_ADDR", format!("0.0.0.0:{port}"))
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let deadline = Instant::now() + Duration::from_secs(20);
    let exit = loop {
        if let Some(exit) = server.try_wait().unwrap() {
            break exit;
        }
        if Instant::now() > deadline {
            server.kill().unwrap();
            panic!("`peakday` without a command ignored PEAKDAY_ADDR and kept serving");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut errors = String::new();
    server.stderr.take().unwrap().read_to_string(&mut errors).unwrap();
    assert!(!exit.success() && errors.contains("PEAKDAY_PUBLIC_ORIGIN"), "{errors}");

    let (ok, text) = peakday(&url, &["--addr", "0.0.0.0:1"], &[]);
    assert!(!ok && text.contains("PEAKDAY_PUBLIC_ORIGIN"), "flags too: {text}");
    // Other commands run in the same environment.
    let (ok, text) = peakday(&url, &["migrate"], &[("PEAKDAY_ADDR", "0.0.0.0:1")]);
    assert!(ok && text.contains("Migrations applied"), "{text}");
}
