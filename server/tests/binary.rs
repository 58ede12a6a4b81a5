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
