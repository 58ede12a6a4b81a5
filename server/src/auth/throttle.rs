//! Sign-in throttling that slows guessing without letting anyone lock anyone else out.
//!
//! Every attempt is counted *before* its password is checked, under one or more keys, in one
//! transaction that refuses the attempt if any key says "not yet" (so 40 parallel guesses cannot
//! all pass a check made before any of them was counted). Past a few free attempts each key makes
//! the next attempt wait longer (growing delays); nothing is a hard lock:
//!
//! - **the email from this client** (`pair:`): the guesser's own bucket. 5 free attempts, then
//!   waits of 2 s, 4 s, 8 s, … up to 15 minutes.
//! - **the email from anywhere** (`email:`): a soft signal against guessing spread over many
//!   addresses. 10 free, then waits up to a minute: an attacker cannot keep the owner out longer.
//! - **this client for any email** (`client:`): against one address trying many emails. 30 free,
//!   then waits up to a minute, so a site behind one load balancer address is slowed, not locked.
//! - **a browser that signed in before** (`device:`, a signed device cookie for that person)
//!   counts only under its own key: whatever others do to the email or the address, the owner's
//!   own browser gets its 5 free attempts.
//!
//! A successful sign-in clears the email's keys and the device's key.

use serde::{Deserialize, Serialize};

/// Failed attempts older than this are forgotten.
pub const WINDOW_SECONDS: i64 = 15 * 60;

/// One kind of throttle key: how many attempts are free, and the longest wait after them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bucket {
    pub free: i64,
    pub max_wait_seconds: i64,
}

impl Bucket {
    pub const PAIR: Bucket = Bucket { free: 5, max_wait_seconds: 15 * 60 };
    pub const EMAIL: Bucket = Bucket { free: 10, max_wait_seconds: 60 };
    pub const CLIENT: Bucket = Bucket { free: 30, max_wait_seconds: 60 };
    pub const DEVICE: Bucket = Bucket { free: 5, max_wait_seconds: 15 * 60 };

    /// The wait before the next attempt, after `failures` counted ones: none while free, then
    /// 2 s doubling at each further failure, up to the bucket's most.
    pub fn wait_after(self, failures: i64) -> i64 {
        if failures < self.free {
            return 0;
        }
        let doublings = u32::try_from(failures - self.free + 1).unwrap_or(u32::MAX).min(20);
        (1i64 << doublings).min(self.max_wait_seconds)
    }
}

/// A key an attempt is counted under, with its bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThrottleKey {
    pub key: String,
    pub bucket: Bucket,
}

/// The keys of an attempt at `email` from `client`; from a browser that signed in as this person
/// before (`device`), only that browser's key.
pub fn keys_for(email: &str, client: &str, device: Option<&str>) -> Vec<ThrottleKey> {
    let key = |key: String, bucket| ThrottleKey { key, bucket };
    match device {
        Some(device) => vec![key(format!("device:{device}"), Bucket::DEVICE)],
        None => vec![
            key(format!("pair:{email}|{client}"), Bucket::PAIR),
            key(format!("email:{email}"), Bucket::EMAIL),
            key(format!("client:{client}"), Bucket::CLIENT),
        ],
    }
}

/// The keys a malformed attempt (no valid email) counts under: only the client's.
pub fn client_key(client: &str) -> ThrottleKey {
    ThrottleKey { key: format!("client:{client}"), bucket: Bucket::CLIENT }
}

/// The keys a successful sign-in clears: the email's (from anywhere and from this client) and
/// the device's. The client's count is not cleared (successes by some people behind an address
/// must not wipe out another's guessing), but its own attempt is taken back: the address counts
/// failures only, so a busy office signing in all day is never slowed by its successes.
pub fn keys_cleared_on_success(email: &str, client: &str, device: Option<&str>) -> Vec<String> {
    let mut keys = vec![format!("pair:{email}|{client}"), format!("email:{email}")];
    keys.extend(device.map(|device| format!("device:{device}")));
    keys
}

/// A key's state as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counted {
    pub failures: i64,
    pub blocked_until: i64,
    pub updated_at: i64,
}

impl Counted {
    /// Counts one more attempt at `now` under `bucket`: the new state, or how many seconds to
    /// wait when the key does not allow an attempt yet. Counts older than the window start over.
    pub fn attempt(self, bucket: Bucket, now: i64) -> Result<Counted, i64> {
        let current =
            if now - self.updated_at > WINDOW_SECONDS { Counted::default() } else { self };
        if current.blocked_until > now {
            return Err(current.blocked_until - now);
        }
        let failures = current.failures + 1;
        Ok(Counted { failures, blocked_until: now + bucket.wait_after(failures), updated_at: now })
    }
}

/// A wait of `seconds` in words: "1 second", "45 seconds"; past a minute in whole minutes,
/// rounded up ("2 minutes" for 65 s), since nobody counts 900 seconds.
pub fn wait_in_words(seconds: i64) -> String {
    match seconds {
        ..=1 => "1 second".to_owned(),
        2..=59 => format!("{seconds} seconds"),
        60 => "1 minute".to_owned(),
        _ => format!("{} minutes", (seconds + 59) / 60),
    }
}

/// Counts a sign-in attempt under `keys` in a write transaction of its own (see
/// [`super::store::reserve_signin_attempt`]), or refuses it with the seconds to wait, counting
/// nothing.
pub async fn reserve_attempt(
    store: &crate::store::Store,
    keys: &[ThrottleKey],
    now: i64,
) -> Result<Result<(), i64>, crate::store::StoreError> {
    let mut tx = store.begin_write().await?;
    let verdict = super::store::reserve_signin_attempt(&mut tx, keys, now).await?;
    if verdict.is_ok() {
        tx.commit().await?;
    }
    Ok(verdict)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_attempts_are_free_then_waits_double_up_to_fifteen_minutes() {
        let waits: Vec<i64> = (1..=16).map(|n| Bucket::PAIR.wait_after(n)).collect();
        assert_eq!(waits, [0, 0, 0, 0, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900]);
        assert_eq!(Bucket::EMAIL.wait_after(50), 60, "the email's wait stays short");
        assert_eq!(Bucket::CLIENT.wait_after(29), 0);
    }

    #[test]
    fn an_attempt_during_a_wait_is_refused_with_the_seconds_left_and_not_counted() {
        let mut state = Counted::default();
        for n in 1..=5 {
            state = state.attempt(Bucket::PAIR, 1_000).unwrap_or_else(|_| panic!("attempt {n}"));
        }
        assert_eq!(state.failures, 5);
        assert_eq!(state.attempt(Bucket::PAIR, 1_000), Err(2));
        assert_eq!(state.attempt(Bucket::PAIR, 1_001), Err(1));
        let sixth = state.attempt(Bucket::PAIR, 1_002).unwrap();
        assert_eq!((sixth.failures, sixth.blocked_until), (6, 1_006));
    }

    #[test]
    fn a_wait_is_said_in_seconds_then_whole_minutes() {
        let said: Vec<String> = [1, 2, 59, 60, 61, 120, 900].map(wait_in_words).to_vec();
        assert_eq!(
            said,
            [
                "1 second",
                "2 seconds",
                "59 seconds",
                "1 minute",
                "2 minutes",
                "2 minutes",
                "15 minutes"
            ]
        );
    }

    #[test]
    fn counts_older_than_the_window_start_over() {
        let old = Counted { failures: 12, blocked_until: 1_900, updated_at: 1_000 };
        let fresh = old.attempt(Bucket::PAIR, 1_000 + WINDOW_SECONDS + 1_000).unwrap();
        assert_eq!(fresh.failures, 1);
    }

    #[test]
    fn a_known_browser_counts_only_under_its_own_key() {
        let keys = keys_for("ana@example.com", "203.0.113.9", Some("d1"));
        assert_eq!(keys, vec![ThrottleKey { key: "device:d1".into(), bucket: Bucket::DEVICE }]);
        let keys: Vec<String> =
            keys_for("ana@example.com", "203.0.113.9", None).into_iter().map(|k| k.key).collect();
        assert_eq!(
            keys,
            ["pair:ana@example.com|203.0.113.9", "email:ana@example.com", "client:203.0.113.9"]
        );
    }
}
