use crate::contact::EmailAddress;

/// Passwords longer than this are refused before hashing, so nobody can make the server hash
/// megabytes (argon2 work grows with input).
pub const PASSWORD_MAX_LEN: usize = 1024;

/// A sign-in attempt whose fields have the right shape. Whether they match a user is the server's
/// question; every shape problem reads the same to the person, so nothing leaks.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub email: EmailAddress,
    pub password: String,
}

impl Credentials {
    pub fn parse(email: &str, password: &str) -> Option<Self> {
        let email = EmailAddress::parse(email).ok()?;
        if password.is_empty() || password.len() > PASSWORD_MAX_LEN {
            return None;
        }
        Some(Self { email, password: password.to_owned() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_formed_credentials_parse() {
        let credentials = Credentials::parse("Demo@Peakday.example", "peakday-demo").unwrap();
        assert_eq!(credentials.email.as_str(), "demo@peakday.example");
    }

    #[test]
    fn empty_or_oversized_passwords_and_bad_emails_are_refused() {
        assert!(Credentials::parse("demo@peakday.example", "").is_none());
        assert!(
            Credentials::parse("demo@peakday.example", &"x".repeat(PASSWORD_MAX_LEN + 1)).is_none()
        );
        assert!(Credentials::parse("demo", "peakday-demo").is_none());
    }
}
