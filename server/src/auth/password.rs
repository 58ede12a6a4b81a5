//! Passwords as argon2id PHC strings, with the crate's recommended parameters (19 MiB, 2 passes).
//!
//! Each run works in a 19 MiB block of memory that its thread keeps and reuses, rather than
//! asking the allocator afresh: glibc kept each freed 19 MiB block in its heap, so the server
//! grew by about 19 MiB per sign-in under a flood (447 MiB after 50, `bench-signin`) even with
//! only two checks at a time. With the block reused, memory is the hashing threads' blocks.

use argon2::password_hash::{rand_core::OsRng, Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use std::cell::RefCell;
use std::sync::OnceLock;

thread_local! {
    /// This thread's argon2 memory, grown to the largest run it has made and kept.
    static MEMORY: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// Runs argon2 with `params` over this thread's memory.
fn run(
    algorithm: Algorithm,
    version: Version,
    params: Params,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
) -> bool {
    let blocks = params.block_count();
    let argon2 = Argon2::new(algorithm, version, params);
    MEMORY.with(|memory| {
        let mut memory = memory.borrow_mut();
        if memory.len() < blocks {
            memory.resize(blocks, Block::default());
        }
        argon2.hash_password_into_with_memory(password, salt, out, &mut memory[..blocks]).is_ok()
    })
}

/// [`hash_password`] on a blocking thread, for start-up and the command line: argon2 takes tens
/// of milliseconds, never on the async threads. (Requests go through `Hashing`, which also
/// bounds how many run at once.)
pub async fn hash_password_off_thread(password: String) -> String {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .expect("hashing a password does not panic")
}

/// Hashes a password with argon2id and the crate's recommended parameters (19 MiB, 2 passes).
pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    let params = Params::default();
    let mut salt_bytes = [0u8; 64];
    let raw_salt = salt.decode_b64(&mut salt_bytes).expect("a generated salt decodes");
    let mut out = vec![0u8; Params::DEFAULT_OUTPUT_LEN];
    assert!(
        run(
            Algorithm::Argon2id,
            Version::V0x13,
            params.clone(),
            password.as_bytes(),
            raw_salt,
            &mut out
        ),
        "argon2 with default parameters accepts any password"
    );
    PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).expect("default parameters encode"),
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).expect("a 32-byte output")),
    }
    .to_string()
}

/// Whether `password` matches the stored PHC string. With no stored hash (an unknown email) it
/// still does the same work against a fixed hash, so response times do not tell who has an account.
pub fn verify_password(password: &str, stored: Option<&str>) -> bool {
    static DECOY: OnceLock<String> = OnceLock::new();
    let decoy = DECOY.get_or_init(|| hash_password("decoy password for unknown accounts"));
    match stored {
        Some(phc) => matches(password, phc),
        None => {
            matches(password, decoy);
            false
        }
    }
}

fn matches(password: &str, phc: &str) -> bool {
    let Ok(hash) = PasswordHash::new(phc) else { return false };
    let (Some(salt), Some(expected)) = (hash.salt, hash.hash) else { return false };
    let (Ok(algorithm), Ok(params)) =
        (Algorithm::try_from(hash.algorithm), Params::try_from(&hash))
    else {
        return false;
    };
    let version = match hash.version.map(Version::try_from) {
        Some(Ok(version)) => version,
        Some(Err(_)) => return false,
        None => Version::default(),
    };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_bytes) else { return false };
    let mut out = vec![0u8; expected.len()];
    run(algorithm, version, params, password.as_bytes(), salt, &mut out)
        && Output::new(&out).is_ok_and(|computed| computed == expected)
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::PasswordVerifier;

    #[test]
    fn a_hashed_password_verifies_and_another_does_not() {
        let stored = hash_password("peakday-demo");
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_password("peakday-demo", Some(&stored)));
        assert!(!verify_password("peakday-dem0", Some(&stored)));
    }

    #[test]
    fn hashes_agree_with_the_argon2_crates_own_verifier_both_ways() {
        let ours = hash_password("copper kettle");
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(Argon2::default().verify_password(b"copper kettle", &parsed).is_ok());
        use argon2::PasswordHasher;
        let salt = SaltString::generate(&mut OsRng);
        let theirs = Argon2::default().hash_password(b"copper kettle", &salt).unwrap().to_string();
        assert!(verify_password("copper kettle", Some(&theirs)));
    }

    #[test]
    fn an_unknown_account_never_verifies() {
        assert!(!verify_password("decoy password for unknown accounts", None));
    }

    #[test]
    fn a_corrupt_stored_hash_does_not_verify() {
        assert!(!verify_password("x", Some("not a phc string")));
    }
}
