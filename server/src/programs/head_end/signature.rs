//! Signatures of what Peakday and the head-end send each other, in
//! `X-Peakday-Signature: t=<unix seconds>,v1=<hex>`, where the hex is HMAC-SHA256 under the
//! shared secret of `<direction>.<t>.<body>` (Stripe's scheme, with the direction added):
//!
//! - the direction (`peakday-to-head-end`, `head-end-to-peakday`) is signed, so a message one
//!   side sent can never be played back to it as if the other side had sent it;
//! - the time is signed, and a signature older (or newer) than five minutes is refused, so a
//!   captured request cannot be replayed later;
//! - the secret has at least 32 bytes (checked at start-up, before anything is sent).
//!
//! Checked in constant time.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The header carrying the signature.
pub const HEADER: &str = "x-peakday-signature";
/// The shortest secret accepted.
pub const MIN_SECRET_BYTES: usize = 32;
/// How far a signature's time may be from ours.
pub const TOLERANCE_SECONDS: i64 = 5 * 60;

/// Who sent a signed body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Sync messages Peakday sends.
    ToHeadEnd,
    /// Acknowledgements and reports the head-end sends.
    FromHeadEnd,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::ToHeadEnd => "peakday-to-head-end",
            Direction::FromHeadEnd => "head-end-to-peakday",
        }
    }
}

/// Why a secret cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the head-end secret has {0} bytes; it needs at least {MIN_SECRET_BYTES} (for example `openssl rand -hex 32`)")]
pub struct ShortSecret(pub usize);

/// Checks a configured secret.
pub fn check_secret(secret: &str) -> Result<(), ShortSecret> {
    if secret.len() < MIN_SECRET_BYTES {
        Err(ShortSecret(secret.len()))
    } else {
        Ok(())
    }
}

fn mac(secret: &str, direction: Direction, timestamp: i64, body: &[u8]) -> Hmac<Sha256> {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(direction.as_str().as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The header value for `body` sent in `direction` at `timestamp`.
pub fn sign(secret: &str, direction: Direction, timestamp: i64, body: &[u8]) -> String {
    let signature = mac(secret, direction, timestamp, body).finalize().into_bytes();
    format!("t={timestamp},v1={}", hex::encode(signature))
}

/// Why a signature was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("the signature header is missing or malformed")]
    Malformed,
    #[error("the signature is more than five minutes from our clock")]
    Stale,
    #[error("the signature does not match the body")]
    Mismatch,
}

/// Checks `header` as the signature of `body` sent in `direction`, at `now`.
pub fn verify(
    secret: &str,
    direction: Direction,
    body: &[u8],
    header: &str,
    now: i64,
) -> Result<(), Refused> {
    let mut timestamp = None;
    let mut signature = None;
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", value)) => timestamp = value.parse::<i64>().ok(),
            Some(("v1", value)) => signature = hex::decode(value).ok(),
            _ => {}
        }
    }
    let (Some(timestamp), Some(signature)) = (timestamp, signature) else {
        return Err(Refused::Malformed);
    };
    if (now - timestamp).abs() > TOLERANCE_SECONDS {
        return Err(Refused::Stale);
    }
    mac(secret, direction, timestamp, body).verify_slice(&signature).map_err(|_| Refused::Mismatch)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "0123456789abcdef0123456789abcdef";
    const NOW: i64 = 1_790_000_000;

    #[test]
    fn a_signature_verifies_only_its_own_body_secret_and_direction() {
        let header = sign(SECRET, Direction::FromHeadEnd, NOW, b"{\"a\":1}");
        assert!(header.starts_with(&format!("t={NOW},v1=")));
        assert_eq!(verify(SECRET, Direction::FromHeadEnd, b"{\"a\":1}", &header, NOW), Ok(()));
        assert_eq!(
            verify(SECRET, Direction::FromHeadEnd, b"{\"a\":2}", &header, NOW),
            Err(Refused::Mismatch)
        );
        let other = "fedcba9876543210fedcba9876543210";
        assert_eq!(
            verify(other, Direction::FromHeadEnd, b"{\"a\":1}", &header, NOW),
            Err(Refused::Mismatch)
        );
        assert_eq!(
            verify(SECRET, Direction::ToHeadEnd, b"{\"a\":1}", &header, NOW),
            Err(Refused::Mismatch),
            "a message we sent cannot come back as the head-end's"
        );
    }

    #[test]
    fn a_signature_from_more_than_five_minutes_ago_or_ahead_is_refused() {
        let header = sign(SECRET, Direction::FromHeadEnd, NOW, b"x");
        assert_eq!(verify(SECRET, Direction::FromHeadEnd, b"x", &header, NOW + 300), Ok(()));
        assert_eq!(
            verify(SECRET, Direction::FromHeadEnd, b"x", &header, NOW + 301),
            Err(Refused::Stale)
        );
        assert_eq!(
            verify(SECRET, Direction::FromHeadEnd, b"x", &header, NOW - 301),
            Err(Refused::Stale)
        );
    }

    #[test]
    fn malformed_headers_are_refused() {
        for header in ["", "sha256=abcd", "t=1,v1=zz", "v1=00", "t=x,v1=00"] {
            assert_eq!(
                verify(SECRET, Direction::FromHeadEnd, b"x", header, NOW),
                Err(Refused::Malformed),
                "{header:?}"
            );
        }
    }

    #[test]
    fn secrets_shorter_than_32_bytes_are_refused() {
        assert_eq!(check_secret("e2e-head-end-secret"), Err(ShortSecret(19)));
        assert_eq!(check_secret(SECRET), Ok(()));
    }

    #[test]
    fn the_signed_string_is_direction_dot_time_dot_body() {
        // Computed independently: Python's hmac.new(secret, b'head-end-to-peakday.1790000000.{"a":1}', sha256).
        assert_eq!(
            sign(SECRET, Direction::FromHeadEnd, NOW, b"{\"a\":1}"),
            "t=1790000000,v1=d5df38a2642d63a3e842460cac51e9756d1a6ea3f4df72c53de5af46817eb44b"
        );
    }
}
