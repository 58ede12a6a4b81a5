//! What the "Sign-in & security" pages show, and the service behind them.

use super::password_policy::PasswordOwner;
use super::Role;
use serde::{Deserialize, Serialize};

/// A second factor being set up: what the person copies into their authenticator app, and the
/// recovery codes they keep. Shown while it waits for a code from the app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoStepSetup {
    /// An SVG `data:` URL of the QR code.
    pub qr_code: String,
    /// The secret, grouped for typing into an app by hand.
    pub secret: String,
    pub recovery_codes: Vec<String>,
}

/// Whether a person's sign-in has a second factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TwoStep {
    Off,
    On { recovery_codes_left: i64 },
}

/// One of the person's sessions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    /// A short public id (the session's secret never leaves the server).
    pub id: String,
    /// When it started and was last used, in the utility's time zone.
    pub started: String,
    pub last_active: String,
    /// The network address it came from.
    pub from: String,
    /// The browser, as it named itself (shortened).
    pub browser: String,
    /// The session of this very page.
    pub current: bool,
}

/// The "Sign-in & security" page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityView {
    pub email: String,
    pub role: Role,
    pub two_step: TwoStep,
    /// A second factor being set up in this session, if the person started one.
    pub setup: Option<TwoStepSetup>,
    pub sessions: Vec<SessionView>,
}

impl SecurityView {
    /// Staff must keep a second factor; customers choose.
    pub fn two_step_required(&self) -> bool {
        self.role != Role::Customer
    }

    pub fn password_owner(&self) -> PasswordOwner {
        password_owner(self.role)
    }
}

/// Whose password rules apply to a role.
pub fn password_owner(role: Role) -> PasswordOwner {
    if role == Role::Customer {
        PasswordOwner::Customer
    } else {
        PasswordOwner::Staff
    }
}

/// A customer's sign-in, as customer service sees it in admin mode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountSignIn {
    pub email: String,
    pub disabled: bool,
    /// Sessions open now.
    pub sessions: i64,
    pub two_step: bool,
    /// Whether the viewer may issue a reset link (administrators).
    pub can_reset: bool,
}

/// A one-time sign-in reset link just issued, shown to the administrator once: the page that
/// shows it is the answer to the post that issued it, so it is in no URL, log or history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedResetLink {
    pub display_name: String,
    pub email: String,
    pub url: String,
    pub expires_in_hours: i64,
}

/// The services the security pages call. The server implements it and provides it in context;
/// callers have authorized the viewer.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait SecurityService: Send + Sync + 'static {
    /// The page of `viewer`, whose current session is `session` (its stored hash).
    async fn security_view(
        &self,
        viewer: &super::Viewer,
        session: &str,
    ) -> Result<SecurityView, crate::error::AppError>;

    /// Changes the viewer's password after checking the current one; every other session of
    /// theirs ends.
    async fn change_password(
        &self,
        viewer: &super::Viewer,
        session: &str,
        current: String,
        new: super::NewPasswordForm,
    ) -> Result<crate::shell::Saved, crate::error::AppError>;

    /// Signs the viewer out everywhere but here.
    async fn end_other_sessions(
        &self,
        viewer: &super::Viewer,
        session: &str,
    ) -> Result<crate::shell::Saved, crate::error::AppError>;

    /// Starts setting up a second factor in this session (a customer's choice).
    async fn start_two_step(
        &self,
        viewer: &super::Viewer,
        session: &str,
    ) -> Result<crate::shell::Saved, crate::error::AppError>;

    /// Finishes the setup with a code from the app.
    async fn confirm_two_step(
        &self,
        viewer: &super::Viewer,
        session: &str,
        code: String,
    ) -> Result<crate::shell::Saved, crate::error::AppError>;

    /// Turns a customer's second factor off, after their password.
    async fn turn_off_two_step(
        &self,
        viewer: &super::Viewer,
        current: String,
    ) -> Result<crate::shell::Saved, crate::error::AppError>;

    /// A customer account's sign-in, for customer service; `None` when it has none.
    async fn account_sign_in(
        &self,
        account: crate::accounts::AccountId,
    ) -> Result<Option<AccountSignIn>, crate::error::AppError>;

    /// Ends every session of the account's sign-in, recorded on the account.
    async fn end_customer_sessions(
        &self,
        actor: crate::activity::Actor,
        account: crate::accounts::AccountId,
    ) -> Result<crate::shell::Saved, crate::error::AppError>;

    /// Disables (ending its sessions) or enables the account's sign-in.
    async fn set_customer_sign_in_disabled(
        &self,
        actor: crate::activity::Actor,
        account: crate::accounts::AccountId,
        disabled: bool,
    ) -> Result<crate::shell::Saved, crate::error::AppError>;

    /// Removes a staff member's second factor (and ends their sessions): they set up a new one
    /// at their next sign-in.
    async fn reset_second_factor(
        &self,
        admin: super::UserId,
        user: super::UserId,
    ) -> Result<crate::shell::Saved, crate::error::AppError>;
}

/// The security service as held in context.
#[cfg(feature = "ssr")]
pub type Security = std::sync::Arc<dyn SecurityService>;
