//! Who is signed in and what they may reach.
//!
//! One declaration decides access: [`Access`] names who may use a page or a server function, and
//! [`page_access`] maps every page to one. The server's page guard, the pages themselves and every
//! server function (through `authorize`) read the same declaration.

mod access;
mod credentials;
mod password_policy;
mod security;
mod security_api;
mod security_page;
#[cfg(feature = "ssr")]
mod server;
mod signed_in;
mod signin_page;
mod signin_steps;
mod stage;
mod viewer;

pub use access::{page_access, Access, Role, HANDLERS, PAGES};
#[cfg(feature = "ssr")]
pub use access::{server_function_access, server_functions, DeclaredAccess, Guarded};
pub use credentials::{Credentials, PASSWORD_MAX_LEN};
pub use password_policy::{
    length_problem, NewPasswordForm, PasswordOwner, CUSTOMER_PASSWORD_MIN_LEN,
    STAFF_PASSWORD_MIN_LEN,
};
pub use security::{
    password_owner, AccountSignIn, IssuedResetLink, SecurityView, SessionView, TwoStep,
    TwoStepSetup,
};
#[cfg(feature = "ssr")]
pub use security::{Security, SecurityService};
pub use security_api::{
    change_password, confirm_two_step, end_customer_sessions, end_other_sessions,
    load_account_sign_in, load_security, reset_second_factor, set_customer_sign_in_disabled,
    start_two_step, turn_off_two_step, ChangePassword, ConfirmTwoStep, EndCustomerSessions,
    EndOtherSessions, LoadAccountSignIn, LoadSecurity, ResetSecondFactor, SessionKey,
    SetCustomerSignInDisabled, StartTwoStep, TurnOffTwoStep,
};
pub use security_page::{
    CustomerSignInSection, ResetLinkPage, SecurityPage, RESET_LINK_PAGE, SECURITY_PAGE,
};
#[cfg(feature = "ssr")]
pub use server::{
    account_scope, authorize, authorize_call, cookie_value, viewer_of_request, AccountScope,
};
pub use signed_in::{signed_in, SignedInAs};
pub use signin_page::{KeptEmail, SignInNotice, SignInPage};
pub use signin_steps::{
    load_reset, load_sign_in_step, EnrollPage, LoadReset, LoadSignInStep, NewPasswordPage,
    ResetPage, ResetView, SecondFactorPage, SignInStepView, StepProblem, TwoStepInstructions,
};
#[cfg(feature = "ssr")]
pub use signin_steps::{SignInStepService, SignInSteps};
pub use stage::{
    PendingSignIn, SessionStage, ENROLL_PAGE, NEW_PASSWORD_PAGE, RESET_PAGE, SECOND_FACTOR_PAGE,
};
pub use viewer::{Identity, StaffRole, UserId, Viewer};
