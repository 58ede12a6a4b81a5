//! The pages of a sign-in's later steps (see [`super::SessionStage`]) and of a reset link.
//! Each posts a plain form to the server's own handler, which answers by sending the browser to
//! the next step or back here with a [`StepProblem`]: a fixed sentence the server names in the
//! URL, so nobody can make these pages say anything else.

use super::password_policy::PasswordOwner;
use super::security::TwoStepSetup;
use super::stage::{ENROLL_PAGE, NEW_PASSWORD_PAGE, RESET_PAGE, SECOND_FACTOR_PAGE};
use super::NewPasswordForm;
use crate::error::AppError;
use crate::shell::Loaded;
use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

/// Why a step's page is shown again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StepProblem {
    WrongCode,
    TooManyCodes,
    Short,
    Mismatch,
    Weak,
    Same,
    Busy,
}

impl StepProblem {
    const ALL: [StepProblem; 7] = [
        Self::WrongCode,
        Self::TooManyCodes,
        Self::Short,
        Self::Mismatch,
        Self::Weak,
        Self::Same,
        Self::Busy,
    ];

    pub fn as_query(self) -> &'static str {
        match self {
            StepProblem::WrongCode => "wrong_code",
            StepProblem::TooManyCodes => "too_many_codes",
            StepProblem::Short => "short",
            StepProblem::Mismatch => "mismatch",
            StepProblem::Weak => "weak",
            StepProblem::Same => "same",
            StepProblem::Busy => "busy",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|problem| problem.as_query() == value)
    }

    /// The sentence shown; `owner` gives the length rule.
    pub fn message(self, owner: PasswordOwner) -> String {
        match self {
            StepProblem::WrongCode => {
                "That code is not right, or was used already. Enter the code your app shows now, or one of your recovery codes.".to_owned()
            }
            StepProblem::TooManyCodes => {
                "Too many wrong codes. Sign in again to get another try.".to_owned()
            }
            StepProblem::Short => format!("Use at least {} characters.", owner.min_len()),
            StepProblem::Mismatch => "The two passwords are not the same.".to_owned(),
            StepProblem::Weak => "Choose a password that is harder to guess: avoid common passwords, names, dates and keyboard patterns. A few unrelated words make a strong one.".to_owned(),
            StepProblem::Same => "Choose a password different from the one you were given.".to_owned(),
            StepProblem::Busy => "Peakday is busy checking sign-ins. Try again in a moment.".to_owned(),
        }
    }

    /// The field the problem is about, for the form to mark.
    fn field(self) -> &'static str {
        match self {
            StepProblem::Mismatch => NewPasswordForm::CONFIRM,
            StepProblem::Short | StepProblem::Weak | StepProblem::Same => NewPasswordForm::PASSWORD,
            _ => "code",
        }
    }
}

/// What the page of a sign-in's current step needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInStepView {
    pub display_name: String,
    pub email: String,
    pub owner: PasswordOwner,
    /// For the set-up step: what to copy into the app.
    pub setup: Option<TwoStepSetup>,
}

crate::declare_access!(LoadSignInStep => Public);
/// The step of the request's half-finished sign-in; `None` without one.
#[server(endpoint = "sign_in_step")]
pub async fn load_sign_in_step() -> Result<Option<SignInStepView>, AppError> {
    let pending = with_context::<http::request::Parts, _>(|parts| {
        parts.extensions.get::<super::PendingSignIn>().cloned()
    })
    .flatten();
    let Some(pending) = pending else { return Ok(None) };
    let steps = crate::service::service::<dyn SignInStepService>()?;
    steps.step_view(&pending).await.map(Some)
}

/// What the reset page needs: whose sign-in the link resets, and the length rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResetView {
    pub display_name: String,
    pub owner: PasswordOwner,
}

crate::declare_access!(LoadReset => Public);
/// The sign-in a reset link is for, if the link is still good.
#[server(endpoint = "reset_link")]
pub async fn load_reset(token: String) -> Result<Option<ResetView>, AppError> {
    let steps = crate::service::service::<dyn SignInStepService>()?;
    steps.reset_view(&token).await
}

/// The step services the pages above read. The server implements it.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait SignInStepService: Send + Sync + 'static {
    async fn step_view(&self, pending: &super::PendingSignIn) -> Result<SignInStepView, AppError>;
    async fn reset_view(&self, token: &str) -> Result<Option<ResetView>, AppError>;
}

/// The step services as held in context.
#[cfg(feature = "ssr")]
pub type SignInSteps = std::sync::Arc<dyn SignInStepService>;

fn problem_from_query() -> Option<StepProblem> {
    crate::shell::query_param("problem").as_deref().and_then(StepProblem::parse)
}

/// The problem's line for `field`, if the page was shown again for it.
fn field_error(
    problem: Option<StepProblem>,
    field: &'static str,
    owner: PasswordOwner,
) -> Signal<Option<String>> {
    let message = problem.filter(|problem| problem.field() == field).map(|p| p.message(owner));
    Signal::derive(move || message.clone())
}

/// A step's page frame: the step's view once loaded, or a pointer back to sign-in.
#[component]
fn StepFrame(
    title: &'static str,
    show: impl Fn(SignInStepView) -> AnyView + Clone + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <Title text=title />
        <section class="card narrow">
            <h1>{title}</h1>
            <Loaded
                data=load_sign_in_step()
                show=move |step| match step {
                    Some(step) => show(step),
                    None => view! {
                        <p>"This step of signing in has ended."</p>
                        <p><a href="/signin" rel="external">"Sign in again"</a></p>
                    }
                    .into_any(),
                }
            />
        </section>
    }
}

/// `/signin/verify`: the code from the authenticator app, or a recovery code.
#[component]
pub fn SecondFactorPage() -> impl IntoView {
    let problem = problem_from_query();
    view! {
        <StepFrame
            title="Two-step verification"
            show=move |step| {
                let error = field_error(problem, "code", step.owner);
                view! {
                    <p>{format!("Signing in as {}.", step.email)}</p>
                    <form method="post" action=SECOND_FACTOR_PAGE>
                        <CodeField error label="Code from your authenticator app" hint="Six digits. Lost your phone? Enter one of your recovery codes instead." />
                        <button type="submit" class="primary">"Continue"</button>
                    </form>
                }
                .into_any()
            }
        />
    }
}

/// `/signin/new-password`: a password of one's own, after a one-time password.
#[component]
pub fn NewPasswordPage() -> impl IntoView {
    let problem = problem_from_query();
    view! {
        <StepFrame
            title="Choose your password"
            show=move |step| {
                view! {
                    <p>{format!("Welcome, {}. The password you were given works once: choose your own to continue.", step.display_name)}</p>
                    <NewPasswordFields problem owner=step.owner action=NEW_PASSWORD_PAGE token=None />
                }
                .into_any()
            }
        />
    }
}

/// `/signin/two-step`: setting up the second factor every staff sign-in needs.
#[component]
pub fn EnrollPage() -> impl IntoView {
    let problem = problem_from_query();
    view! {
        <StepFrame
            title="Set up two-step verification"
            show=move |step| {
                let error = field_error(problem, "code", step.owner);
                match step.setup {
                    Some(setup) => view! {
                        <p>"Staff sign in with a password and a code from an authenticator app on their phone. Set it up once:"</p>
                        <TwoStepInstructions setup />
                        <form method="post" action=ENROLL_PAGE>
                            <CodeField error label="Code from your authenticator app" hint="Six digits, as the app shows them now." />
                            <button type="submit" class="primary">"Turn on and continue"</button>
                        </form>
                    }
                    .into_any(),
                    None => view! { <p>"Nothing to set up."</p> }.into_any(),
                }
            }
        />
    }
}

/// The QR code, the secret to type instead, and the recovery codes to keep.
#[component]
pub fn TwoStepInstructions(setup: TwoStepSetup) -> impl IntoView {
    let codes = setup
        .recovery_codes
        .into_iter()
        .map(|code| view! { <li><code>{code}</code></li> })
        .collect_view();
    view! {
        <ol class="steps">
            <li>
                <p>"In an authenticator app (such as Google Authenticator, Microsoft Authenticator or 1Password), add an account by scanning this code:"</p>
                <img class="qr-code" src=setup.qr_code width="220" height="220" alt="QR code to scan with your authenticator app. The key to type instead is shown below it." />
                <p>"Or type this key: " <code class="secret">{setup.secret}</code></p>
            </li>
            <li>
                <p>"Keep these recovery codes somewhere safe. Each works once, in place of a code from the app, if you lose your phone:"</p>
                <ul class="recovery-codes">{codes}</ul>
            </li>
            <li><p>"Enter the six-digit code the app shows."</p></li>
        </ol>
    }
}

/// A one-time code input with its hint and error line.
#[component]
fn CodeField(
    error: Signal<Option<String>>,
    label: &'static str,
    hint: &'static str,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for="code">{label}</label>
            <p id="code-hint" class="hint">{hint}</p>
            <input
                id="code"
                name="code"
                type="text"
                inputmode="numeric"
                autocomplete="one-time-code"
                required
                maxlength="32"
                aria-invalid=move || error.get().is_some().to_string()
                aria-describedby="code-hint code-error"
            />
            <p id="code-error" class="field-error">{move || error.get()}</p>
        </div>
    }
}

/// The new password typed twice, posting to `action`; a reset link's token rides along.
#[component]
fn NewPasswordFields(
    problem: Option<StepProblem>,
    owner: PasswordOwner,
    action: &'static str,
    token: Option<String>,
) -> impl IntoView {
    let password_error = field_error(problem, NewPasswordForm::PASSWORD, owner);
    let confirm_error = field_error(problem, NewPasswordForm::CONFIRM, owner);
    let general = problem.filter(|problem| *problem == StepProblem::Busy).map(|p| p.message(owner));
    view! {
        {general.map(|text| view! { <div class="notice notice--error" role="alert"><p>{text}</p></div> })}
        <form method="post" action=action>
            {token.map(|token| view! { <input type="hidden" name="token" value=token /> })}
            <p id="password-rule" class="hint">{format!("At least {} characters. A few unrelated words are easy to remember and hard to guess.", owner.min_len())}</p>
            <div class="field">
                <label for="password">"New password"</label>
                <input id="password" name=NewPasswordForm::PASSWORD type="password" autocomplete="new-password" required
                    aria-invalid=move || password_error.get().is_some().to_string()
                    aria-describedby="password-rule password-error" />
                <p id="password-error" class="field-error">{move || password_error.get()}</p>
            </div>
            <div class="field">
                <label for="confirm">"New password again"</label>
                <input id="confirm" name=NewPasswordForm::CONFIRM type="password" autocomplete="new-password" required
                    aria-invalid=move || confirm_error.get().is_some().to_string()
                    aria-describedby="confirm-error" />
                <p id="confirm-error" class="field-error">{move || confirm_error.get()}</p>
            </div>
            <button type="submit" class="primary">"Save password"</button>
        </form>
    }
}

/// `/signin/reset?token=…`: a new password from an administrator's one-time link.
#[component]
pub fn ResetPage() -> impl IntoView {
    let token = crate::shell::query_param("token").unwrap_or_default();
    let problem = problem_from_query();
    view! {
        <Title text="Choose a new password" />
        <section class="card narrow">
            <h1>"Choose a new password"</h1>
            <Loaded
                data=load_reset(token.clone())
                show=move |reset| match reset {
                    Some(reset) => view! {
                        <p>{format!("This link resets the sign-in of {}. It works once.", reset.display_name)}</p>
                        <NewPasswordFields problem owner=reset.owner action=RESET_PAGE token=Some(token.clone()) />
                    }
                    .into_any(),
                    None => view! {
                        <p>"This link has expired or was used already. Ask for a new one."</p>
                        <p><a href="/signin" rel="external">"Go to sign in"</a></p>
                    }
                    .into_any(),
                }
            />
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_round_trip_through_the_query_and_unknown_ones_say_nothing() {
        for problem in StepProblem::ALL {
            assert_eq!(StepProblem::parse(problem.as_query()), Some(problem));
        }
        assert_eq!(StepProblem::parse("Call 555-0100 now"), None);
    }

    #[test]
    fn the_length_problem_names_the_owners_rule() {
        assert_eq!(StepProblem::Short.message(PasswordOwner::Staff), "Use at least 12 characters.");
    }
}
