//! The second factor (ASVS 6.3.2, 6.5): TOTP codes from an authenticator app (RFC 6238: SHA-1,
//! six digits, 30-second steps), each accepted once, and single-use recovery codes for a lost
//! phone. Required for staff, optional for customers.

use base64::{engine::general_purpose::STANDARD, Engine as _};
use rand::{Rng, RngCore};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use totp_rs::{Algorithm, Secret, TOTP};

/// How long one code lasts.
const STEP_SECONDS: u64 = 30;
/// Codes of the step before and after now are accepted too, for clocks a little off.
const SKEW_STEPS: u64 = 1;
/// How many recovery codes a person gets.
pub const RECOVERY_CODES: usize = 10;
/// What authenticator apps show above the code.
const ISSUER: &str = "Peakday";

/// A second factor being set up: shown once (QR code, secret, recovery codes), kept with the
/// session until the person confirms it with a code from their app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrollment {
    /// Base32, as authenticator apps take it.
    pub secret: String,
    pub recovery_codes: Vec<String>,
}

impl Enrollment {
    /// A new random secret (160 bits, RFC 4226's recommendation) and recovery codes.
    pub fn generate() -> Self {
        let mut bytes = [0u8; 20];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        let secret = match Secret::Raw(bytes.to_vec()).to_encoded() {
            Secret::Encoded(text) => text,
            Secret::Raw(_) => unreachable!("to_encoded gives an encoded secret"),
        };
        let recovery_codes = (0..RECOVERY_CODES).map(|_| recovery_code()).collect();
        Self { secret, recovery_codes }
    }

    /// The `otpauth://` URI authenticator apps read from the QR code.
    pub fn uri(&self, account: &str) -> String {
        let encode = |text: &str| {
            text.bytes()
                .map(|byte| match byte {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'@' => {
                        (byte as char).to_string()
                    }
                    _ => format!("%{byte:02X}"),
                })
                .collect::<String>()
        };
        format!(
            "otpauth://totp/{}:{}?secret={}&issuer={}",
            encode(ISSUER),
            encode(account),
            self.secret,
            encode(ISSUER)
        )
    }

    /// The QR code of [`Enrollment::uri`], as an SVG `data:` URL for an `<img>`.
    pub fn qr_code(&self, account: &str) -> String {
        let svg = qrcode::QrCode::new(self.uri(account).as_bytes())
            .map(|code| {
                code.render::<qrcode::render::svg::Color>()
                    .min_dimensions(220, 220)
                    .quiet_zone(true)
                    .build()
            })
            .unwrap_or_default();
        format!("data:image/svg+xml;base64,{}", STANDARD.encode(svg))
    }

    /// The secret in groups of four, easier to type into an app by hand.
    pub fn secret_for_typing(&self) -> String {
        self.secret
            .as_bytes()
            .chunks(4)
            .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// A recovery code: ten characters from an alphabet without look-alikes, as `xxxxx-xxxxx`.
fn recovery_code() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rngs::OsRng;
    let mut code: String =
        (0..10).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char).collect();
    code.insert(5, '-');
    code
}

/// What a recovery code is stored as: SHA-256 of the code as typed without spaces or dashes,
/// in lower case. Codes carry 50 random bits and are single-use, so a fast hash is enough.
pub fn recovery_code_hash(code: &str) -> String {
    let normalized: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    hex::encode(Sha256::digest(normalized.as_bytes()))
}

/// What a person typed in the second-factor step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecondFactorInput {
    /// Six digits from the app.
    Code(String),
    /// One of the recovery codes.
    Recovery(String),
}

impl SecondFactorInput {
    /// Six digits (spaces allowed) are an app code; anything else is tried as a recovery code.
    pub fn parse(typed: &str) -> Option<Self> {
        let compact: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
        if compact.is_empty() || compact.len() > 32 {
            return None;
        }
        if compact.len() == 6 && compact.bytes().all(|b| b.is_ascii_digit()) {
            Some(Self::Code(compact))
        } else {
            Some(Self::Recovery(compact))
        }
    }
}

/// The time step `code` belongs to, if it is the code of a step around `now` later than
/// `last_step` (the last one accepted: each code is used once, ASVS 6.5.1).
pub fn accepted_step(secret: &str, code: &str, now: i64, last_step: i64) -> Option<i64> {
    let bytes = Secret::Encoded(secret.to_owned()).to_bytes().ok()?;
    let totp = TOTP::new_unchecked(Algorithm::SHA1, 6, 0, STEP_SECONDS, bytes);
    let now = u64::try_from(now).ok()?;
    let current = now / STEP_SECONDS;
    (current.saturating_sub(SKEW_STEPS)..=current + SKEW_STEPS)
        .filter(|step| i64::try_from(*step).is_ok_and(|step| step > last_step))
        .find(|step| {
            let expected = totp.generate(step * STEP_SECONDS);
            constant_time_eq(expected.as_bytes(), code.as_bytes())
        })
        .and_then(|step| i64::try_from(step).ok())
}

/// The code an app shows at `now` (for the demo's `peakday demo-code` and for tests).
pub fn code_at(secret: &str, now: i64) -> Option<String> {
    let bytes = Secret::Encoded(secret.to_owned()).to_bytes().ok()?;
    let totp = TOTP::new_unchecked(Algorithm::SHA1, 6, 0, STEP_SECONDS, bytes);
    Some(totp.generate(u64::try_from(now).ok()?))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B's SHA-1 key, "12345678901234567890", in base32.
    const RFC_SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    #[test]
    fn codes_match_the_rfc_6238_test_vectors() {
        // The RFC's eight-digit values, of which an app shows the last six.
        for (time, expected) in [
            (59, "287082"),
            (1_111_111_109, "081804"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
        ] {
            assert_eq!(code_at(RFC_SECRET, time).unwrap(), expected, "at {time}");
        }
    }

    #[test]
    fn a_code_is_accepted_once_and_a_step_either_side() {
        let now = 1_234_567_890;
        let code = code_at(RFC_SECRET, now).unwrap();
        let step = accepted_step(RFC_SECRET, &code, now, 0).unwrap();
        assert_eq!(step, now / 30);
        assert_eq!(accepted_step(RFC_SECRET, &code, now, step), None, "used once");
        assert_eq!(accepted_step(RFC_SECRET, &code, now + 30, 0), Some(step), "a step late");
        assert_eq!(accepted_step(RFC_SECRET, &code, now + 60, 0), None, "two steps late");
        assert_eq!(accepted_step(RFC_SECRET, "000000", now, 0), None);
    }

    #[test]
    fn six_digits_are_an_app_code_and_anything_else_a_recovery_code() {
        assert_eq!(
            SecondFactorInput::parse(" 123 456 "),
            Some(SecondFactorInput::Code("123456".into()))
        );
        assert_eq!(
            SecondFactorInput::parse("abcde-fghjk"),
            Some(SecondFactorInput::Recovery("abcde-fghjk".into()))
        );
        assert_eq!(SecondFactorInput::parse("   "), None);
    }

    #[test]
    fn recovery_codes_are_unique_and_match_however_typed() {
        let enrollment = Enrollment::generate();
        assert_eq!(enrollment.recovery_codes.len(), RECOVERY_CODES);
        let unique: std::collections::BTreeSet<_> = enrollment.recovery_codes.iter().collect();
        assert_eq!(unique.len(), RECOVERY_CODES);
        let code = &enrollment.recovery_codes[0];
        assert_eq!(code.len(), 11);
        assert_eq!(
            recovery_code_hash(code),
            recovery_code_hash(&code.to_uppercase().replace('-', " "))
        );
    }

    #[test]
    fn the_enrollment_uri_names_the_issuer_and_account() {
        let enrollment = Enrollment { secret: RFC_SECRET.into(), recovery_codes: vec![] };
        assert_eq!(
            enrollment.uri("ada admin@peakday.example"),
            "otpauth://totp/Peakday:ada%20admin@peakday.example?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Peakday"
        );
        assert!(enrollment.qr_code("a@b.example").starts_with("data:image/svg+xml;base64,"));
        assert_eq!(enrollment.secret_for_typing().split(' ').count(), 8);
    }
}
