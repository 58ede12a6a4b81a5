use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use std::sync::OnceLock;

/// Hashes a password with argon2id and the crate's recommended parameters (19 MiB, 2 passes).
pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 with default parameters accepts any password")
        .to_string()
}

/// Whether `password` matches the stored PHC string. With no stored hash (an unknown email) it
/// still does the same work against a fixed hash, so response times do not tell who has an account.
pub fn verify_password(password: &str, stored: Option<&str>) -> bool {
    static DECOY: OnceLock<String> = OnceLock::new();
    let decoy = DECOY.get_or_init(|| hash_password("decoy password for unknown accounts"));
    let matches = |phc: &str| {
        PasswordHash::new(phc)
            .map(|hash| Argon2::default().verify_password(password.as_bytes(), &hash).is_ok())
            .unwrap_or(false)
    };
    match stored {
        Some(phc) => matches(phc),
        None => {
            matches(decoy);
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hashed_password_verifies_and_another_does_not() {
        let stored = hash_password("peakday-demo");
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify_password("peakday-demo", Some(&stored)));
        assert!(!verify_password("peakday-dem0", Some(&stored)));
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
