//! Signing in (in steps), sessions, and the sign-in's security log.

use super::hashing::{Busy, Hashing};
use super::keys::{KeyPurpose, ServerKeys};
use super::second_factor::{accepted_step, recovery_code_hash, Enrollment, SecondFactorInput};
use super::store::{NewSession, StoredUser};
use super::throttle::{self, client_key, keys_cleared_on_success, keys_for};
use super::SessionToken;
use crate::auth::store;
use crate::store::audit;
use crate::store::{AuditEntry, Store, StoreError, Tx};
use peakday_app::activity::ChangeSource;
use peakday_app::auth::{
    password_owner, Credentials, NewPasswordForm, PendingSignIn, Role, SessionStage, UserId, Viewer,
};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Timeouts (ASVS 7.3.1 / 7.3.2).
#[derive(Debug, Clone, Copy)]
pub struct SessionPolicy {
    pub customer_idle_secs: i64,
    pub staff_idle_secs: i64,
    pub absolute_secs: i64,
    /// How long a sign-in may stay half-way (between its steps).
    pub step_secs: i64,
    /// `last_seen_at` is written at most this often, so reads do not all become writes.
    pub touch_every_secs: i64,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self {
            customer_idle_secs: 30 * 60,
            staff_idle_secs: 15 * 60,
            absolute_secs: 12 * 60 * 60,
            step_secs: 10 * 60,
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

/// Wrong codes one half-finished sign-in may type before it must start over.
const CODE_FAILURES_PER_SIGN_IN: i64 = 5;

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// Wrong email, wrong password, malformed input or a disabled user: one answer for all.
    #[error("the email or password is not right")]
    Invalid,
    /// Too many attempts under a throttle key: wait this many seconds.
    #[error("too many sign-in attempts; wait {0} s")]
    Throttled(i64),
    /// Too many passwords being checked at once.
    #[error(transparent)]
    Busy(#[from] Busy),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why a later step of signing in did not go on.
#[derive(Debug, thiserror::Error)]
pub enum StepError {
    /// The session is not at this step (ended, timed out, or another step).
    #[error("this sign-in step has ended")]
    Ended,
    #[error("the code is not right")]
    WrongCode,
    /// Too many wrong codes: the half-finished sign-in was ended.
    #[error("too many wrong codes")]
    TooManyCodes,
    /// The new password breaks a rule: the field and sentence.
    #[error("{0:?}")]
    Password(peakday_app::error::FieldErrors),
    /// The new password is the one being replaced.
    #[error("the new password is the old one")]
    SamePassword,
    #[error(transparent)]
    Busy(#[from] Busy),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// One sign-in attempt: what was typed, and where it came from.
#[derive(Debug, Clone, Copy)]
pub struct Attempt<'a> {
    pub email: &'a str,
    pub password: &'a str,
    /// The client's network address (for throttling and the sessions list).
    pub client: &'a str,
    pub user_agent: &'a str,
    /// The browser's device cookie, if it sent one.
    pub device: Option<&'a str>,
}

impl<'a> Attempt<'a> {
    /// An attempt from `client` with no browser details (tests, tools).
    pub fn new(email: &'a str, password: &'a str, client: &'a str) -> Self {
        Self { email, password, client, user_agent: "", device: None }
    }
}

/// Where the browser is: a browser that finishes a step gets a new session token (a new id at
/// each step, ASVS 7.2.4) and, once signed in, a device cookie if it had none for this person.
#[derive(Debug)]
pub struct SignedIn {
    pub token: SessionToken,
    pub stage: SessionStage,
    pub viewer: Viewer,
    pub device_cookie: Option<String>,
}

/// What a session cookie turned out to be.
#[derive(Debug)]
pub enum SessionState {
    Active(Viewer),
    /// A sign-in half-way through its steps: it reaches only its step's page.
    Pending(PendingSignIn),
    /// The session timed out, was signed out or its user was disabled.
    Ended,
}

/// Signs people in and out and resolves session cookies.
#[derive(Clone)]
pub struct AuthService {
    store: Store,
    policy: SessionPolicy,
    hashing: Hashing,
    keys: ServerKeys,
}

impl AuthService {
    pub fn new(store: Store, policy: SessionPolicy) -> Self {
        Self::with_hashing(store, policy, Hashing::for_this_machine())
    }

    /// With a given limit on password hashing (shared with the other services that hash).
    pub fn with_hashing(store: Store, policy: SessionPolicy, hashing: Hashing) -> Self {
        let keys = ServerKeys::new(store.clone());
        Self { store, policy, hashing, keys }
    }

    pub fn hashing(&self) -> &Hashing {
        &self.hashing
    }

    pub fn keys(&self) -> &ServerKeys {
        &self.keys
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The first step: email and password. The attempt is counted under its throttle keys
    /// before the password is checked (so parallel guesses cannot all pass one count), and the
    /// check waits for one of a few argon2 slots.
    pub async fn sign_in(&self, attempt: &Attempt<'_>, now: i64) -> Result<SignedIn, SignInError> {
        let Some(credentials) = Credentials::parse(attempt.email, attempt.password) else {
            if let Err(wait) =
                throttle::reserve_attempt(&self.store, &[client_key(attempt.client)], now).await?
            {
                security_event("sign_in_throttled", attempt.email, attempt.client, None);
                return Err(SignInError::Throttled(wait));
            }
            security_event("sign_in_failed", attempt.email, attempt.client, None);
            return Err(SignInError::Invalid);
        };
        let email = credentials.email.as_str();
        let user = store::user_by_email(&mut *self.store.read().await?, &credentials.email).await?;
        let device = match (attempt.device, &user) {
            (Some(cookie), Some(user)) => self.device_of(cookie, user.id).await?,
            _ => None,
        };
        let keys = keys_for(email, attempt.client, device.as_deref());
        if let Err(wait) = throttle::reserve_attempt(&self.store, &keys, now).await? {
            let role = user.as_ref().map(StoredUser::role);
            security_event("sign_in_throttled", email, attempt.client, role);
            return Err(SignInError::Throttled(wait));
        }
        let stored_hash = user.as_ref().map(|user| user.password_hash.clone());
        let matches = self.hashing.verify(credentials.password.clone(), stored_hash).await?;
        let user = match user {
            Some(user) if matches && !user.disabled => user,
            user => {
                self.record_failure(user.as_ref(), email, attempt.client).await?;
                return Err(SignInError::Invalid);
            }
        };
        store::clear_throttle_keys(
            &mut *self.store.write().await?,
            &keys_cleared_on_success(email, attempt.client, device.as_deref()),
        )
        .await?;
        if device.is_none() {
            store::uncount_attempt(
                &mut *self.store.write().await?,
                &client_key(attempt.client).key,
            )
            .await?;
        }
        let viewer = user.viewer();
        let stage = SessionStage::after_password(
            user.totp_secret.is_some(),
            user.must_change_password,
            viewer.role(),
        );
        let mut tx = self.store.begin_write().await?;
        let token = new_session(&mut tx, viewer.user_id, stage, attempt, now).await?;
        if stage == SessionStage::Active {
            audit::append_audit(&mut tx, &session_audit(&viewer, "session.signed_in", "Signed in"))
                .await?;
        }
        tx.commit().await.map_err(StoreError::from)?;
        let device_cookie = self.device_cookie_for(stage, &viewer, device.is_some()).await?;
        Ok(SignedIn { token, stage, viewer, device_cookie })
    }

    /// The second step: a code from the authenticator app or a recovery code. Each code is
    /// accepted once (compare-and-set on the last time step used).
    pub async fn second_factor(
        &self,
        token: &SessionToken,
        typed: &str,
        attempt: &Attempt<'_>,
        now: i64,
    ) -> Result<SignedIn, StepError> {
        let (hash, session) = self.session_at(token, SessionStage::SecondFactor, now).await?;
        let secret = session.totp_secret.clone().ok_or(StepError::Ended)?;
        let user = session.viewer.user_id;
        let mut tx = self.store.begin_write().await?;
        let (accepted, with_recovery_code) = match SecondFactorInput::parse(typed) {
            Some(SecondFactorInput::Code(code)) => match accepted_step(&secret, &code, now, 0) {
                Some(step) => (store::claim_totp_step(&mut tx, user, step).await?, false),
                None => (false, false),
            },
            Some(SecondFactorInput::Recovery(code)) => {
                let hash = recovery_code_hash(&code);
                (store::use_recovery_code(&mut tx, user, &hash, now).await?, true)
            }
            None => (false, false),
        };
        if !accepted {
            tx.rollback().await.map_err(StoreError::from)?;
            return Err(self.wrong_code(&hash, &session.viewer, attempt.client).await?);
        }
        if with_recovery_code {
            let left = store::recovery_codes_left(&mut tx, user).await?;
            let summary = format!("Signed in with a recovery code ({left} left)");
            let audit =
                session_audit(&session.viewer, "second_factor.recovery_code_used", &summary);
            audit::append_audit(&mut tx, &audit).await?;
        }
        let next = SessionStage::after_second_factor(
            true,
            session.must_change_password,
            session.viewer.role(),
        );
        self.next_step(tx, &hash, &session.viewer, next, attempt, now).await
    }

    /// The password step after a one-time password: a password of the person's own.
    pub async fn choose_password(
        &self,
        token: &SessionToken,
        form: &NewPasswordForm,
        attempt: &Attempt<'_>,
        now: i64,
    ) -> Result<SignedIn, StepError> {
        let (hash, session) = self.session_at(token, SessionStage::NewPassword, now).await?;
        let viewer = &session.viewer;
        let new_hash = self.checked_new_password(viewer, form).await?;
        let mut tx = self.store.begin_write().await?;
        store::set_password(&mut tx, viewer.user_id, &new_hash, false, now).await?;
        let audit =
            session_audit(viewer, "password.chosen", "Chose a password after a one-time one");
        audit::append_audit(&mut tx, &audit).await?;
        let next = SessionStage::after_new_password(session.totp_secret.is_some(), viewer.role());
        self.next_step(tx, &hash, viewer, next, attempt, now).await
    }

    /// What the set-up step shows: the second factor being set up in this session (made on
    /// first view and kept until confirmed, so a reload shows the same QR code).
    pub async fn enrollment(
        &self,
        token_hash: &str,
        enrolling: Option<&str>,
    ) -> Result<Enrollment, StoreError> {
        if let Some(existing) = enrolling.and_then(|json| serde_json::from_str(json).ok()) {
            return Ok(existing);
        }
        let enrollment = Enrollment::generate();
        let json = serde_json::to_string(&enrollment).unwrap_or_default();
        store::set_session_enrolling(&mut *self.store.write().await?, token_hash, Some(&json))
            .await?;
        Ok(enrollment)
    }

    /// The set-up step: the first code from the app turns the second factor on.
    pub async fn confirm_enrollment(
        &self,
        token: &SessionToken,
        code: &str,
        attempt: &Attempt<'_>,
        now: i64,
    ) -> Result<SignedIn, StepError> {
        let (hash, session) = self.session_at(token, SessionStage::Enroll, now).await?;
        let enrollment: Enrollment = session
            .enrolling
            .as_deref()
            .and_then(|json| serde_json::from_str(json).ok())
            .ok_or(StepError::Ended)?;
        let Some(step) = self.enrollment_step(&enrollment, code, now) else {
            return Err(self.wrong_code(&hash, &session.viewer, attempt.client).await?);
        };
        let mut tx = self.store.begin_write().await?;
        save_second_factor(&mut tx, &session.viewer, &enrollment, step).await?;
        self.next_step(tx, &hash, &session.viewer, SessionStage::Active, attempt, now).await
    }

    /// The time step of `code` for a second factor being set up.
    pub fn enrollment_step(&self, enrollment: &Enrollment, code: &str, now: i64) -> Option<i64> {
        match SecondFactorInput::parse(code)? {
            SecondFactorInput::Code(code) => accepted_step(&enrollment.secret, &code, now, 0),
            SecondFactorInput::Recovery(_) => None,
        }
    }

    /// The hash of a new password for `viewer`, once it passes the rules: length, the two
    /// entries equal, hard to guess (not their email or name), not the current one.
    pub async fn checked_new_password(
        &self,
        viewer: &Viewer,
        form: &NewPasswordForm,
    ) -> Result<String, StepError> {
        let owner = password_owner(viewer.role());
        let name_parts: Vec<&str> = viewer.display_name.split_whitespace().collect();
        let mut personal = vec![viewer.email.as_str(), "peakday"];
        personal.extend(viewer.email.split(['@', '.']));
        personal.extend(name_parts);
        form.check_on_server(owner, &personal).map_err(StepError::Password)?;
        let current =
            store::password_hash_of(&mut *self.store.read().await?, viewer.user_id).await?;
        if self.hashing.verify(form.password.clone(), current).await? {
            return Err(StepError::SamePassword);
        }
        Ok(self.hashing.hash(form.password.clone()).await?)
    }

    /// Resolves a session cookie, ending sessions that timed out or whose user was disabled.
    pub async fn session(
        &self,
        token: &SessionToken,
        now: i64,
    ) -> Result<SessionState, StoreError> {
        let hash = token.hash();
        let Some(session) = store::session(&mut *self.store.read().await?, &hash).await? else {
            return Ok(SessionState::Ended);
        };
        let role = session.viewer.role();
        let idle = now - session.last_seen_at > self.policy.idle_secs(role);
        let too_old = now - session.created_at > self.policy.absolute_secs;
        let step_too_old = session.stage != SessionStage::Active
            && now - session.created_at > self.policy.step_secs;
        if idle || too_old || step_too_old || session.user_disabled {
            let mut tx = self.store.begin_write().await?;
            store::delete_session(&mut tx, &hash).await?;
            tx.commit().await?;
            return Ok(SessionState::Ended);
        }
        if session.stage != SessionStage::Active {
            return Ok(SessionState::Pending(PendingSignIn {
                user_id: session.viewer.user_id,
                email: session.viewer.email,
                display_name: session.viewer.display_name,
                role,
                stage: session.stage,
            }));
        }
        if now - session.last_seen_at >= self.policy.touch_every_secs {
            store::touch_session(&mut *self.store.write().await?, &hash, now).await?;
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
        let ended = store::delete_session(&mut tx, &token.hash()).await?;
        if let (Some(_), Some(viewer)) = (ended, viewer) {
            audit::append_audit(
                &mut tx,
                &session_audit(viewer, "session.signed_out", "Signed out"),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Deletes sessions and throttle records nobody can use any more.
    pub async fn purge_expired(&self, now: i64) -> Result<(), StoreError> {
        let idle = self.policy.customer_idle_secs.max(self.policy.staff_idle_secs);
        store::purge_sessions(
            &mut *self.store.write().await?,
            now - idle,
            now - self.policy.absolute_secs,
            now - self.policy.step_secs,
        )
        .await?;
        store::purge_signin_throttle(
            &mut *self.store.write().await?,
            now - throttle::WINDOW_SECONDS,
        )
        .await?;
        Ok(())
    }

    /// The session at `token`, if it is at `stage` and not too old.
    async fn session_at(
        &self,
        token: &SessionToken,
        stage: SessionStage,
        now: i64,
    ) -> Result<(String, super::StoredSession), StepError> {
        let hash = token.hash();
        let session =
            store::session(&mut *self.store.read().await?, &hash).await?.ok_or(StepError::Ended)?;
        let fresh = now - session.created_at <= self.policy.step_secs;
        if session.stage != stage || !fresh || session.user_disabled {
            return Err(StepError::Ended);
        }
        Ok((hash, session))
    }

    /// Counts a wrong code; past the limit the half-finished sign-in ends.
    async fn wrong_code(
        &self,
        hash: &str,
        viewer: &Viewer,
        client: &str,
    ) -> Result<StepError, StoreError> {
        security_event("second_factor_failed", &viewer.email, client, Some(viewer.role()));
        if store::count_code_failure(&mut *self.store.write().await?, hash).await?
            < CODE_FAILURES_PER_SIGN_IN
        {
            return Ok(StepError::WrongCode);
        }
        let mut tx = self.store.begin_write().await?;
        store::delete_session(&mut tx, hash).await?;
        let audit =
            session_audit(viewer, "second_factor.failed", "Too many wrong codes at sign-in");
        audit::append_audit(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(StepError::TooManyCodes)
    }

    /// Ends the step's session and opens the next step's (a new id), committing `tx`.
    async fn next_step(
        &self,
        mut tx: Tx,
        old_hash: &str,
        viewer: &Viewer,
        stage: SessionStage,
        attempt: &Attempt<'_>,
        now: i64,
    ) -> Result<SignedIn, StepError> {
        store::delete_session(&mut tx, old_hash).await?;
        let token = new_session(&mut tx, viewer.user_id, stage, attempt, now).await?;
        if stage == SessionStage::Active {
            audit::append_audit(&mut tx, &session_audit(viewer, "session.signed_in", "Signed in"))
                .await?;
        }
        tx.commit().await.map_err(StoreError::from)?;
        let device = match attempt.device {
            Some(cookie) => self.device_of(cookie, viewer.user_id).await?,
            None => None,
        };
        let device_cookie = self.device_cookie_for(stage, viewer, device.is_some()).await?;
        Ok(SignedIn { token, stage, viewer: viewer.clone(), device_cookie })
    }

    /// A failed sign-in: the security log always; the audit log when the email is a user's
    /// (on their account, for a customer), never with what was typed as the password.
    async fn record_failure(
        &self,
        user: Option<&StoredUser>,
        email: &str,
        client: &str,
    ) -> Result<(), StoreError> {
        security_event("sign_in_failed", email, client, user.map(StoredUser::role));
        let Some(user) = user else { return Ok(()) };
        let viewer = user.viewer();
        let summary = format!("Failed sign-in from {client}");
        let mut tx = self.store.begin_write().await?;
        audit::append_audit(&mut tx, &session_audit(&viewer, "signin.failed", &summary)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The device id a device cookie carries, if it was signed by this server for `user`.
    async fn device_of(&self, cookie: &str, user: UserId) -> Result<Option<String>, StoreError> {
        let mut parts = cookie.splitn(3, '.');
        let (Some(owner), Some(device), Some(signature)) =
            (parts.next(), parts.next(), parts.next())
        else {
            return Ok(None);
        };
        if owner != user.0.to_string() || device.is_empty() || device.len() > 64 {
            return Ok(None);
        }
        let valid = self.keys.verify(KeyPurpose::DeviceCookie, &[owner, device], signature).await?;
        Ok(valid.then(|| device.to_owned()))
    }

    /// A device cookie to set once a browser without one is signed in.
    async fn device_cookie_for(
        &self,
        stage: SessionStage,
        viewer: &Viewer,
        has_one: bool,
    ) -> Result<Option<String>, StoreError> {
        if stage != SessionStage::Active || has_one {
            return Ok(None);
        }
        let mut bytes = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        let (owner, device) = (viewer.user_id.to_string(), hex::encode(bytes));
        let signature = self.keys.sign(KeyPurpose::DeviceCookie, &[&owner, &device]).await?;
        Ok(Some(format!("{owner}.{device}.{signature}")))
    }
}

/// Stores a confirmed second factor with its recovery codes, and records it.
pub async fn save_second_factor(
    tx: &mut Tx,
    viewer: &Viewer,
    enrollment: &Enrollment,
    step: i64,
) -> Result<(), StoreError> {
    let hashes: Vec<String> =
        enrollment.recovery_codes.iter().map(|code| recovery_code_hash(code)).collect();
    store::set_second_factor(tx, viewer.user_id, Some((&enrollment.secret, step, &hashes))).await?;
    let audit = session_audit(viewer, "second_factor.enrolled", "Turned on two-step verification");
    audit::append_audit(tx, &audit).await
}

/// Opens a session at `stage` and returns its token.
async fn new_session(
    tx: &mut Tx,
    user_id: UserId,
    stage: SessionStage,
    attempt: &Attempt<'_>,
    now: i64,
) -> Result<SessionToken, StoreError> {
    let token = SessionToken::generate();
    let mut public = [0u8; 8];
    rand::rngs::OsRng.fill_bytes(&mut public);
    let user_agent: String =
        attempt.user_agent.chars().filter(|c| !c.is_control()).take(200).collect();
    let session = NewSession {
        token_hash: &token.hash(),
        user_id,
        stage,
        client: attempt.client,
        user_agent: &user_agent,
        public_id: &hex::encode(public),
    };
    store::insert_session(tx, &session, now).await?;
    Ok(token)
}

/// A record of the person's own sign-in activity: on their account (customers), by them.
pub fn session_audit(viewer: &Viewer, action: &'static str, summary: &str) -> AuditEntry {
    let source =
        if viewer.role() == Role::Customer { ChangeSource::Portal } else { ChangeSource::Agent };
    let actor = peakday_app::activity::Actor { user_id: Some(viewer.user_id), source };
    crate::store::audit_entry(
        actor,
        viewer.own_account(),
        &peakday_app::change::AuditRecord::new(action, summary),
    )
}

/// A line on the `security` log target (ASVS 16.3): what happened, to which email (hashed, so
/// the log holds no address and no mistyped password), from where, and the user's role if the
/// email is a user's.
pub fn security_event(event: &str, email: &str, client: &str, role: Option<Role>) {
    tracing::warn!(
        target: "security",
        event,
        email = %email_fingerprint(email),
        client,
        role = role.map(Role::as_str).unwrap_or("none"),
        "{event}"
    );
}

/// The first 16 hex digits of SHA-256 of the email as typed (trimmed, lower case): enough to
/// follow one email through the log without writing it there.
pub fn email_fingerprint(email: &str) -> String {
    let digest = Sha256::digest(email.trim().to_lowercase().as_bytes());
    hex::encode(&digest[..8])
}
