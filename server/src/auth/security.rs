//! People's control over sign-ins: their own password, second factor and sessions
//! (`/security`); customer service ending a customer's sessions or disabling their sign-in;
//! administrators resetting a sign-in (a one-time link) or a staff member's second factor.
//! Every change commits with its audit record.

use super::second_factor::Enrollment;
use super::service::{save_second_factor, session_audit, AuthService, StepError};
use super::StoredUser;
use super::{throttle, Busy, SessionToken};
use crate::auth::store;
use crate::staff;
use crate::store::audit;
use crate::store::audit_entry;
use crate::store::{local_time, Store, StoreError};
use peakday_app::accounts::AccountId;
use peakday_app::activity::{Actor, ChangeSource};
use peakday_app::auth::{
    password_owner, AccountSignIn, NewPasswordForm, PendingSignIn, ResetView, Role,
    SecurityService, SecurityView, SessionStage, SessionView, SignInStepService, SignInStepView,
    TwoStep, TwoStepSetup, UserId, Viewer,
};
use peakday_app::change::AuditRecord;
use peakday_app::error::{AppError, FieldErrors};
use peakday_app::shell::Saved;

/// How long a reset link works.
const RESET_LINK_SECONDS: i64 = 24 * 60 * 60;

/// The security services over the sign-in service.
#[derive(Clone)]
pub struct AccountSecurity {
    auth: AuthService,
}

impl From<Busy> for AppError {
    fn from(_: Busy) -> Self {
        AppError::Invalid("Peakday is busy checking passwords. Try again in a moment.".to_owned())
    }
}

impl From<StepError> for AppError {
    fn from(error: StepError) -> Self {
        match error {
            StepError::Password(fields) => AppError::InvalidFields(fields),
            StepError::SamePassword => field_error(
                NewPasswordForm::PASSWORD,
                "Choose a password different from your current one.",
            ),
            StepError::Busy(busy) => busy.into(),
            StepError::Store(error) => error.into(),
            StepError::WrongCode | StepError::TooManyCodes => field_error("code", WRONG_CODE),
            StepError::Ended => AppError::NotSignedIn,
        }
    }
}

const WRONG_CODE: &str = "That code is not right. Enter the six digits your app shows now.";

fn field_error(field: &str, message: &str) -> AppError {
    let mut fields = FieldErrors::default();
    fields.add(field, message);
    AppError::InvalidFields(fields)
}

fn saved(message: impl Into<String>) -> Saved {
    Saved::new(message)
}

/// The issued reset link, shown to the administrator once.
#[derive(Debug, Clone)]
pub struct IssuedReset {
    pub display_name: String,
    pub email: String,
    /// The link's path with its one-time token: `/signin/reset?token=…`.
    pub path: String,
    pub expires_in_hours: i64,
}

/// Why a reset link could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ResetError {
    #[error("the link has expired or was used")]
    Expired,
    #[error(transparent)]
    Step(#[from] StepError),
}

impl AccountSecurity {
    pub fn new(auth: AuthService) -> Self {
        Self { auth }
    }

    fn store(&self) -> &Store {
        self.auth.store()
    }

    /// Checks `current` as the viewer's password, counted like a sign-in attempt (so the form
    /// cannot be used to guess it faster than the sign-in page).
    async fn check_current_password(
        &self,
        viewer: &Viewer,
        current: String,
    ) -> Result<(), AppError> {
        let keys = [super::throttle::ThrottleKey {
            key: format!("reauth:{}", viewer.user_id),
            bucket: super::throttle::Bucket::PAIR,
        }];
        if let Err(wait) =
            throttle::reserve_attempt(self.store(), &keys, crate::store::now()).await?
        {
            return Err(field_error(
                "current",
                &format!(
                    "Too many wrong passwords. Wait {}, then try again.",
                    throttle::wait_in_words(wait)
                ),
            ));
        }
        let stored =
            store::password_hash_of(&mut *self.store().read().await?, viewer.user_id).await?;
        if !self.auth.hashing().verify(current, stored).await? {
            super::security_event("password_check_failed", &viewer.email, "", Some(viewer.role()));
            return Err(field_error("current", "That is not your current password."));
        }
        store::clear_throttle_keys(&mut *self.store().write().await?, &[keys[0].key.clone()])
            .await?;
        Ok(())
    }

    async fn setup_of(&self, session: &str) -> Result<Option<(Enrollment, String)>, StoreError> {
        let Some(stored) = store::session(&mut *self.store().read().await?, session).await? else {
            return Ok(None);
        };
        let enrollment: Option<Enrollment> =
            stored.enrolling.as_deref().and_then(|json| serde_json::from_str(json).ok());
        Ok(enrollment.map(|enrollment| (enrollment, stored.viewer.email)))
    }

    /// Issues a one-time link that lets `user` choose a new password, by administrator `admin`;
    /// any earlier unused link of theirs stops working.
    pub async fn issue_reset(&self, admin: UserId, user: UserId) -> Result<IssuedReset, AppError> {
        let target = store::user_by_id(&mut *self.store().read().await?, user)
            .await?
            .ok_or(AppError::NotFound)?;
        let token = SessionToken::generate();
        let now = crate::store::now();
        let mut tx = self.store().begin_write().await?;
        store::insert_signin_reset(
            &mut tx,
            &token.hash(),
            user,
            admin,
            now,
            now + RESET_LINK_SECONDS,
        )
        .await?;
        let record = AuditRecord::new(
            "sign_in.reset_link_issued",
            format!("Issued a one-time sign-in reset link for {}", target.display_name),
        );
        let actor = Actor { user_id: Some(admin), source: ChangeSource::Agent };
        let entry = audit_entry(actor, target.viewer().own_account(), &record);
        audit::append_audit(&mut tx, &entry).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(IssuedReset {
            display_name: target.display_name,
            email: target.email,
            path: format!("{}?token={}", peakday_app::auth::RESET_PAGE, token.as_str()),
            expires_in_hours: RESET_LINK_SECONDS / 3600,
        })
    }

    /// Uses a reset link: the new password replaces the old one, every session ends, and the
    /// link works no more. Whoever has the link may do this once, so the rules are the same as
    /// for any new password.
    pub async fn use_reset(&self, token: &str, form: &NewPasswordForm) -> Result<(), ResetError> {
        let hash = super::token_hash(token);
        let now = crate::store::now();
        let user = {
            let mut conn = self.store().read().await.map_err(StepError::from)?;
            match store::signin_reset_user(&mut conn, &hash, now).await.map_err(StepError::from)? {
                Some(user) => store::user_by_id(&mut conn, user).await.map_err(StepError::from)?,
                None => None,
            }
        };
        let user = user.ok_or(ResetError::Expired)?;
        let viewer = user.viewer();
        let new_hash = self.auth.checked_new_password(&viewer, form).await?;
        let mut tx = self.store().begin_write().await.map_err(StepError::from)?;
        if store::take_signin_reset(&mut tx, &hash, now).await.map_err(StepError::from)?.is_none() {
            return Err(ResetError::Expired);
        }
        store::set_password(&mut tx, user.id, &new_hash, false, now)
            .await
            .map_err(StepError::from)?;
        staff::store::delete_sessions_of(&mut tx, user.id).await.map_err(StepError::from)?;
        let audit =
            session_audit(&viewer, "sign_in.reset", "Chose a new password with a reset link");
        audit::append_audit(&mut tx, &audit).await.map_err(StepError::from)?;
        tx.commit().await.map_err(|error| StepError::from(StoreError::from(error)))?;
        Ok(())
    }

    /// Records a change to someone else's sign-in, on the account if it is a customer's.
    async fn record_change(
        &self,
        tx: &mut crate::store::Tx,
        actor: Actor,
        target: &StoredUser,
        action: &'static str,
        summary: String,
        change: Option<(&str, &str, &str)>,
    ) -> Result<(), StoreError> {
        let mut record = AuditRecord::new(action, summary);
        if let Some((field, before, after)) = change {
            record = record.before(&[(field, before)]).after(&[(field, after)]);
        }
        audit::append_audit(tx, &audit_entry(actor, target.viewer().own_account(), &record)).await
    }

    async fn customer_of(&self, account: AccountId) -> Result<StoredUser, AppError> {
        store::user_of_account(&mut *self.store().read().await?, account)
            .await?
            .ok_or_else(|| AppError::Invalid("This account has no sign-in.".to_owned()))
    }

    async fn security_view_inner(
        &self,
        viewer: &Viewer,
        session: &str,
    ) -> Result<SecurityView, AppError> {
        let user = store::user_by_id(&mut *self.store().read().await?, viewer.user_id)
            .await?
            .ok_or(AppError::NotSignedIn)?;
        let two_step = match user.totp_secret {
            Some(_) => {
                let mut tx = self.store().begin_write().await?;
                let left = store::recovery_codes_left(&mut tx, user.id).await?;
                tx.commit().await.map_err(StoreError::from)?;
                TwoStep::On { recovery_codes_left: left }
            }
            None => TwoStep::Off,
        };
        let setup = match (two_step, self.setup_of(session).await?) {
            (TwoStep::Off, Some((enrollment, email))) => Some(TwoStepSetup {
                qr_code: enrollment.qr_code(&email),
                secret: enrollment.secret_for_typing(),
                recovery_codes: enrollment.recovery_codes,
            }),
            _ => None,
        };
        let mut conn = self.store().read().await?;
        let zone = self.store().utility_zone(&mut conn).await.unwrap_or(jiff::tz::TimeZone::UTC);
        let sessions = store::sessions_of(&mut conn, viewer.user_id)
            .await?
            .into_iter()
            .map(|summary| SessionView {
                id: summary.public_id,
                started: local_time(&zone, summary.created_at),
                last_active: local_time(&zone, summary.last_seen_at),
                from: if summary.client.is_empty() { "Unknown".to_owned() } else { summary.client },
                browser: browser_name(&summary.user_agent),
                current: summary.token_hash == session,
            })
            .collect();
        Ok(SecurityView { email: user.email, role: viewer.role(), two_step, setup, sessions })
    }
}

/// A browser's name from its `User-Agent`, for the sessions list.
fn browser_name(user_agent: &str) -> String {
    let browser =
        [("Edg/", "Edge"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari")]
            .into_iter()
            .find(|(token, _)| user_agent.contains(token))
            .map(|(_, name)| name);
    let system = [
        ("Android", "Android"),
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Windows", "Windows"),
        ("Mac OS X", "Mac"),
        ("Linux", "Linux"),
    ]
    .into_iter()
    .find(|(token, _)| user_agent.contains(token))
    .map(|(_, name)| name);
    match (browser, system) {
        (Some(browser), Some(system)) => format!("{browser} on {system}"),
        (Some(browser), None) => browser.to_owned(),
        (None, Some(system)) => format!("A browser on {system}"),
        (None, None) => "A browser".to_owned(),
    }
}

#[async_trait::async_trait]
impl SecurityService for AccountSecurity {
    async fn security_view(
        &self,
        viewer: &Viewer,
        session: &str,
    ) -> Result<SecurityView, AppError> {
        self.security_view_inner(viewer, session).await
    }

    async fn change_password(
        &self,
        viewer: &Viewer,
        session: &str,
        current: String,
        new: NewPasswordForm,
    ) -> Result<Saved, AppError> {
        self.check_current_password(viewer, current).await?;
        let new_hash = self.auth.checked_new_password(viewer, &new).await?;
        let mut tx = self.store().begin_write().await?;
        let work = async {
            store::set_password(&mut tx, viewer.user_id, &new_hash, false, crate::store::now())
                .await?;
            let ended = store::delete_other_sessions(&mut tx, viewer.user_id, session).await?;
            let audit = session_audit(viewer, "password.changed", "Changed the password");
            audit::append_audit(&mut tx, &audit).await?;
            Ok::<_, StoreError>(ended)
        };
        let ended = work.await?;
        tx.commit().await.map_err(StoreError::from)?;
        let elsewhere = match ended {
            0 => String::new(),
            1 => " You were signed out of 1 other session.".to_owned(),
            n => format!(" You were signed out of {n} other sessions."),
        };
        Ok(saved(format!("Your password is changed.{elsewhere}")))
    }

    async fn end_other_sessions(&self, viewer: &Viewer, session: &str) -> Result<Saved, AppError> {
        let mut tx = self.store().begin_write().await?;
        let ended = store::delete_other_sessions(&mut tx, viewer.user_id, session).await?;
        let audit = session_audit(
            viewer,
            "sessions.ended_elsewhere",
            &format!("Signed out everywhere else ({ended})"),
        );
        audit::append_audit(&mut tx, &audit).await?;
        tx.commit().await.map_err(StoreError::from)?;
        let sessions = if ended == 1 { "session" } else { "sessions" };
        Ok(saved(format!(
            "Signed out of {ended} other {sessions}. Only this browser is signed in."
        )))
    }

    async fn start_two_step(&self, viewer: &Viewer, session: &str) -> Result<Saved, AppError> {
        let user = store::user_by_id(&mut *self.store().read().await?, viewer.user_id).await?;
        if user.and_then(|user| user.totp_secret).is_some() {
            return Err(AppError::Invalid("Two-step verification is on already.".to_owned()));
        }
        let enrollment = Enrollment::generate();
        let json = serde_json::to_string(&enrollment).unwrap_or_default();
        store::set_session_enrolling(&mut *self.store().write().await?, session, Some(&json))
            .await?;
        Ok(saved("Scan the QR code with your authenticator app, keep the recovery codes, then enter the code the app shows."))
    }

    async fn confirm_two_step(
        &self,
        viewer: &Viewer,
        session: &str,
        code: String,
    ) -> Result<Saved, AppError> {
        let Some((enrollment, _)) = self.setup_of(session).await? else {
            return Err(AppError::Invalid(
                "Start setting up two-step verification first.".to_owned(),
            ));
        };
        let Some(step) = self.auth.enrollment_step(&enrollment, &code, crate::store::now()) else {
            return Err(field_error(
                "code",
                "That code is not right. Enter the six digits your app shows now.",
            ));
        };
        let mut tx = self.store().begin_write().await?;
        save_second_factor(&mut tx, viewer, &enrollment, step).await?;
        tx.commit().await.map_err(StoreError::from)?;
        store::set_session_enrolling(&mut *self.store().write().await?, session, None).await?;
        Ok(saved(
            "Two-step verification is on: from now on, signing in also takes a code from your app.",
        ))
    }

    async fn turn_off_two_step(&self, viewer: &Viewer, current: String) -> Result<Saved, AppError> {
        if viewer.role() != Role::Customer {
            return Err(AppError::Forbidden);
        }
        self.check_current_password(viewer, current).await?;
        let mut tx = self.store().begin_write().await?;
        store::set_second_factor(&mut tx, viewer.user_id, None).await?;
        let audit =
            session_audit(viewer, "second_factor.removed", "Turned off two-step verification");
        audit::append_audit(&mut tx, &audit).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(saved("Two-step verification is off: signing in takes only your password."))
    }

    async fn account_sign_in(&self, account: AccountId) -> Result<Option<AccountSignIn>, AppError> {
        let mut conn = self.store().read().await?;
        let Some(user) = store::user_of_account(&mut conn, account).await? else {
            return Ok(None);
        };
        let sessions = store::session_count(&mut conn, user.id).await?;
        Ok(Some(AccountSignIn {
            email: user.email,
            disabled: user.disabled,
            sessions,
            two_step: user.totp_secret.is_some(),
            can_reset: false,
        }))
    }

    async fn end_customer_sessions(
        &self,
        actor: Actor,
        account: AccountId,
    ) -> Result<Saved, AppError> {
        let user = self.customer_of(account).await?;
        let mut tx = self.store().begin_write().await?;
        let ended = staff::store::delete_sessions_of(&mut tx, user.id).await?;
        let summary = format!("Ended the customer's sessions ({ended})");
        self.record_change(&mut tx, actor, &user, "sign_in.sessions_ended", summary, None).await?;
        tx.commit().await.map_err(StoreError::from)?;
        let sessions = if ended == 1 { "session" } else { "sessions" };
        Ok(saved(format!("Ended {ended} {sessions}: {} must sign in again.", user.display_name)))
    }

    async fn set_customer_sign_in_disabled(
        &self,
        actor: Actor,
        account: AccountId,
        disabled: bool,
    ) -> Result<Saved, AppError> {
        let user = self.customer_of(account).await?;
        let state = |disabled: bool| if disabled { "Disabled" } else { "Active" };
        let mut tx = self.store().begin_write().await?;
        let work = async {
            staff::store::set_user_disabled(&mut tx, user.id, disabled).await?;
            if disabled {
                staff::store::delete_sessions_of(&mut tx, user.id).await?;
            }
            let (action, summary) = if disabled {
                ("sign_in.disabled", "Disabled the customer's sign-in".to_owned())
            } else {
                ("sign_in.enabled", "Enabled the customer's sign-in".to_owned())
            };
            let change = Some(("Sign-in", state(user.disabled), state(disabled)));
            self.record_change(&mut tx, actor, &user, action, summary, change).await
        };
        work.await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(saved(if disabled {
            format!("{} can no longer sign in; their sessions have ended.", user.display_name)
        } else {
            format!("{} can sign in again.", user.display_name)
        }))
    }

    async fn reset_second_factor(&self, admin: UserId, user: UserId) -> Result<Saved, AppError> {
        let target = store::user_by_id(&mut *self.store().read().await?, user).await?;
        let target =
            target.filter(|target| target.role() != Role::Customer).ok_or(AppError::NotFound)?;
        let actor = Actor { user_id: Some(admin), source: ChangeSource::Agent };
        let mut tx = self.store().begin_write().await?;
        let work = async {
            store::set_second_factor(&mut tx, user, None).await?;
            staff::store::delete_sessions_of(&mut tx, user).await?;
            let summary = format!("Reset {}'s two-step verification", target.display_name);
            let change = Some(("Two-step verification", "On", "Set up again at next sign-in"));
            self.record_change(
                &mut tx,
                actor,
                &target,
                "staff.second_factor_reset",
                summary,
                change,
            )
            .await
        };
        work.await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(saved(format!(
            "{}'s two-step verification is reset: they set it up again at their next sign-in.",
            target.display_name
        )))
    }
}

#[async_trait::async_trait]
impl SignInStepService for AccountSecurity {
    async fn step_view(&self, pending: &PendingSignIn) -> Result<SignInStepView, AppError> {
        let setup = match pending.stage {
            SessionStage::Enroll => {
                let session = self.pending_session(pending).await?;
                let enrollment = self.auth.enrollment(&session.0, session.1.as_deref()).await?;
                Some(TwoStepSetup {
                    qr_code: enrollment.qr_code(&pending.email),
                    secret: enrollment.secret_for_typing(),
                    recovery_codes: enrollment.recovery_codes,
                })
            }
            _ => None,
        };
        Ok(SignInStepView {
            display_name: pending.display_name.clone(),
            email: pending.email.clone(),
            owner: password_owner(pending.role),
            setup,
        })
    }

    async fn reset_view(&self, token: &str) -> Result<Option<ResetView>, AppError> {
        let hash = super::token_hash(token);
        let mut conn = self.store().read().await?;
        let user = store::signin_reset_user(&mut conn, &hash, crate::store::now()).await?;
        let Some(user) = user else { return Ok(None) };
        let user = store::user_by_id(&mut conn, user).await?;
        Ok(user.map(|user| ResetView {
            display_name: user.display_name.clone(),
            owner: password_owner(user.role()),
        }))
    }
}

impl AccountSecurity {
    /// The stored hash and the setup in progress of the request's pending session.
    async fn pending_session(
        &self,
        pending: &PendingSignIn,
    ) -> Result<(String, Option<String>), AppError> {
        let key = leptos::prelude::with_context::<http::request::Parts, _>(|parts| {
            parts.extensions.get::<peakday_app::auth::SessionKey>().cloned()
        })
        .flatten()
        .ok_or(AppError::NotSignedIn)?;
        let session = store::session(&mut *self.store().read().await?, &key.0).await?;
        match session {
            Some(session) if session.viewer.user_id == pending.user_id => {
                Ok((key.0, session.enrolling))
            }
            _ => Err(AppError::NotSignedIn),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::browser_name;

    #[test]
    fn browsers_are_named_from_their_user_agent() {
        let chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";
        assert_eq!(browser_name(chrome), "Chrome on Linux");
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1";
        assert_eq!(browser_name(iphone), "Safari on iPhone");
        assert_eq!(browser_name(""), "A browser");
    }
}
