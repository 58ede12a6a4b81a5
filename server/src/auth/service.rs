use super::{verify_password, SessionToken};
use crate::store::{AuditEntry, Store, StoreError};
use peakday_app::activity::ChangeSource;
use peakday_app::auth::{Credentials, Role, Viewer};

/// Timeouts and throttling limits (ASVS 7.3.1 / 7.3.2 and 6.3.1).
#[derive(Debug, Clone, Copy)]
pub struct SessionPolicy {
    pub customer_idle_secs: i64,
    pub staff_idle_secs: i64,
    pub absolute_secs: i64,
    /// How long failed sign-ins count against an account or a client.
    pub throttle_window_secs: i64,
    pub max_failures_per_account: i64,
    pub max_failures_per_client: i64,
    /// `last_seen_at` is written at most this often, so reads do not all become writes.
    pub touch_every_secs: i64,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self {
            customer_idle_secs: 30 * 60,
            staff_idle_secs: 15 * 60,
            absolute_secs: 12 * 60 * 60,
            throttle_window_secs: 15 * 60,
            max_failures_per_account: 5,
            max_failures_per_client: 30,
            touch_every_secs: 60,
        }
    }
}

impl SessionPolicy {
    fn idle_secs(&self, role: Role) -> i64 {
        if role == Role::Customer {
            self.customer_idle_secs
        } else {
            self.staff_idle_secs
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// Wrong email, wrong password, malformed input or a disabled user: one answer for all.
    #[error("the email or password is not right")]
    Invalid,
    #[error("too many failed sign-ins")]
    Throttled,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A new session: the token for the cookie and where the person goes next.
#[derive(Debug)]
pub struct SignedIn {
    pub token: SessionToken,
    pub viewer: Viewer,
}

/// What a session cookie turned out to be.
#[derive(Debug)]
pub enum SessionState {
    Active(Viewer),
    /// The session timed out, was signed out or its user was disabled.
    Ended,
}

/// Signs people in and out and resolves session cookies.
#[derive(Clone)]
pub struct AuthService {
    store: Store,
    policy: SessionPolicy,
}

impl AuthService {
    pub fn new(store: Store, policy: SessionPolicy) -> Self {
        Self { store, policy }
    }

    /// Checks the email and password typed at `client` and opens a new session.
    pub async fn sign_in(
        &self,
        email: &str,
        password: &str,
        client: &str,
        now: i64,
    ) -> Result<SignedIn, SignInError> {
        let client_key = format!("client:{client}");
        let Some(credentials) = Credentials::parse(email, password) else {
            self.store.record_signin_failure(&[&client_key], now).await?;
            return Err(SignInError::Invalid);
        };
        // Failures are counted per email whether or not it has an account, so throttling does
        // not reveal which emails exist.
        let account_key = format!("account:{}", credentials.email);
        let since = now - self.policy.throttle_window_secs;
        if self.store.signin_failures_since(&account_key, since).await?
            >= self.policy.max_failures_per_account
            || self.store.signin_failures_since(&client_key, since).await?
                >= self.policy.max_failures_per_client
        {
            return Err(SignInError::Throttled);
        }

        let user = self.store.user_by_email(&credentials.email).await?;
        let stored_hash = user.as_ref().map(|user| user.password_hash.clone());
        let password = credentials.password.clone();
        let matches =
            tokio::task::spawn_blocking(move || verify_password(&password, stored_hash.as_deref()))
                .await
                .unwrap_or(false);
        let user = match user {
            Some(user) if matches && !user.disabled => user,
            _ => {
                self.store.record_signin_failure(&[&account_key, &client_key], now).await?;
                return Err(SignInError::Invalid);
            }
        };

        let token = SessionToken::generate();
        let viewer = Viewer {
            user_id: user.id,
            display_name: user.display_name,
            email: user.email,
            identity: user.identity,
        };
        let mut tx = self.store.begin_write().await?;
        Store::clear_signin_failures(&mut tx, &account_key).await?;
        Store::insert_session(&mut tx, &token.hash(), viewer.user_id, now).await?;
        Store::append_audit(&mut tx, &session_audit(&viewer, "signed_in")).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(SignedIn { token, viewer })
    }

    /// Resolves a session cookie, ending sessions that timed out or whose user was disabled.
    pub async fn session(
        &self,
        token: &SessionToken,
        now: i64,
    ) -> Result<SessionState, StoreError> {
        let hash = token.hash();
        let Some(session) = self.store.session(&hash).await? else {
            return Ok(SessionState::Ended);
        };
        let idle = now - session.last_seen_at > self.policy.idle_secs(session.viewer.role());
        let too_old = now - session.created_at > self.policy.absolute_secs;
        if idle || too_old || session.user_disabled {
            let mut tx = self.store.begin_write().await?;
            Store::delete_session(&mut tx, &hash).await?;
            tx.commit().await?;
            return Ok(SessionState::Ended);
        }
        if now - session.last_seen_at >= self.policy.touch_every_secs {
            self.store.touch_session(&hash, now).await?;
        }
        Ok(SessionState::Active(session.viewer))
    }

    /// Ends the session on the server, so the cookie is worthless even if kept (ASVS 7.4.1).
    pub async fn sign_out(
        &self,
        token: &SessionToken,
        viewer: Option<&Viewer>,
    ) -> Result<(), StoreError> {
        let mut tx = self.store.begin_write().await?;
        let ended = Store::delete_session(&mut tx, &token.hash()).await?;
        if let (Some(_), Some(viewer)) = (ended, viewer) {
            Store::append_audit(&mut tx, &session_audit(viewer, "signed_out")).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Deletes sessions and throttle records nobody can use any more.
    pub async fn purge_expired(&self, now: i64) -> Result<(), StoreError> {
        let idle = self.policy.customer_idle_secs.max(self.policy.staff_idle_secs);
        self.store.purge_sessions(now - idle, now - self.policy.absolute_secs).await?;
        self.store.purge_signin_failures(now - self.policy.throttle_window_secs).await?;
        Ok(())
    }
}

/// Sign-ins and sign-outs are recorded on the customer's account (or with no account for staff).
fn session_audit(viewer: &Viewer, action: &str) -> AuditEntry {
    AuditEntry {
        actor_user_id: Some(viewer.user_id),
        account: viewer.own_account(),
        source: if viewer.role() == Role::Customer {
            ChangeSource::Portal
        } else {
            ChangeSource::Agent
        },
        action: action.to_owned(),
        summary: String::new(),
        before: None,
        after: None,
    }
}
