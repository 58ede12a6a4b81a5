//! `/security`: the signed-in person's password, two-step verification and sessions.
//!
//! Server-rendered with plain forms (no WASM): each change comes back to this page confirmed,
//! or refused beside its field. Passwords are never carried back into a form.

use super::security::{SecurityView, SessionView, TwoStep};
use super::security_api::{
    load_account_sign_in, load_security, ChangePassword, ConfirmTwoStep, EndCustomerSessions,
    EndOtherSessions, SetCustomerSignInDisabled, StartTwoStep, TurnOffTwoStep,
};
use super::signin_steps::TwoStepInstructions;
use super::NewPasswordForm;
use crate::shell::{
    provide_plain_post_refusal, FormErrors, FormRefusal, Loaded, SaveFeedback, SaveStatus,
    TextField,
};
use leptos::prelude::*;
use leptos_meta::Title;

/// The page's path.
pub const SECURITY_PAGE: &str = "/security";
/// Where an administrator asks for a reset link (a post), and sees it.
pub const RESET_LINK_PAGE: &str = "/admin/reset-link";

#[component]
pub fn SecurityPage() -> impl IntoView {
    provide_plain_post_refusal();
    SaveFeedback::provide();
    view! {
        <Title text="Sign-in & security" />
        <h1>"Sign-in & security"</h1>
        <SaveStatus />
        <Loaded data=load_security() show=|view| view! { <SecuritySections view /> }.into_any() />
    }
}

#[component]
fn SecuritySections(view: SecurityView) -> impl IntoView {
    let required = view.two_step_required();
    let owner = view.password_owner();
    view! {
        <PasswordSection email=view.email.clone() min_len=owner.min_len() />
        <TwoStepSection two_step=view.two_step setup=view.setup required />
        <SessionsSection sessions=view.sessions />
    }
}

#[component]
fn PasswordSection(email: String, min_len: usize) -> impl IntoView {
    let action = ServerAction::<ChangePassword>::new();
    let errors = FormErrors::follow(action);
    view! {
        <section class="card" aria-labelledby="password-heading">
            <h2 id="password-heading">"Password"</h2>
            <p>{format!("You sign in as {email}. Changing your password signs you out everywhere else.")}</p>
            <FormRefusal errors />
            <ActionForm action>
                // The email lets password managers file the new password under the right sign-in.
                <input type="text" name="username" value=email autocomplete="username" hidden />
                <TextField id="current-password".into() name="current" label="Current password" kind="password" autocomplete="current-password" error=errors.field("current") />
                <TextField id="new-password".into() name=NewPasswordForm::PASSWORD label="New password" kind="password" autocomplete="new-password" error=errors.field(NewPasswordForm::PASSWORD)
                    hint=format!("At least {min_len} characters. A few unrelated words are easy to remember and hard to guess.") />
                <TextField id="confirm-password".into() name=NewPasswordForm::CONFIRM label="New password again" kind="password" autocomplete="new-password" error=errors.field(NewPasswordForm::CONFIRM) />
                <button type="submit" class="primary">"Change password"</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn TwoStepSection(
    two_step: TwoStep,
    setup: Option<super::TwoStepSetup>,
    required: bool,
) -> impl IntoView {
    let start = ServerAction::<StartTwoStep>::new();
    let confirm = ServerAction::<ConfirmTwoStep>::new();
    let turn_off = ServerAction::<TurnOffTwoStep>::new();
    let errors = [FormErrors::follow(start), FormErrors::follow(confirm)];
    let off_errors = FormErrors::follow(turn_off);
    let body = match (two_step, setup) {
        (TwoStep::On { recovery_codes_left }, _) => {
            let status = format!(
                "On: you sign in with your password and a code from your authenticator app. {recovery_codes_left} recovery codes left."
            );
            let off = (!required).then(|| view! {
                <ActionForm action=turn_off>
                    <TextField id="off-password".into() name="current" label="Your password, to turn it off" kind="password" autocomplete="current-password" error=off_errors.field("current") />
                    <button type="submit" class="danger">"Turn off two-step verification"</button>
                </ActionForm>
            });
            let staff_note = required.then(|| view! {
                <p>"Staff always sign in with two steps. Lost your phone? Sign in with a recovery code, or ask an administrator to reset your two-step verification."</p>
            });
            view! {
                <p>{status}</p>
                {staff_note}
                <FormRefusal errors=off_errors />
                {off}
            }
            .into_any()
        }
        (TwoStep::Off, Some(setup)) => view! {
            <TwoStepInstructions setup />
            <ActionForm action=confirm>
                <TextField id="two-step-code".into() name="code" label="Code from your authenticator app" kind="text" autocomplete="one-time-code" error=errors[1].field("code") />
                <button type="submit" class="primary">"Turn on two-step verification"</button>
            </ActionForm>
        }
        .into_any(),
        (TwoStep::Off, None) => view! {
            <p>"Off. With two-step verification, signing in also takes a code from an app on your phone, so a stolen password alone is not enough."</p>
            <ActionForm action=start>
                <button type="submit" class="secondary">"Set up two-step verification"</button>
            </ActionForm>
        }
        .into_any(),
    };
    view! {
        <section class="card" aria-labelledby="two-step-heading">
            <h2 id="two-step-heading">"Two-step verification"</h2>
            {errors.map(|errors| view! { <FormRefusal errors /> })}
            {body}
        </section>
    }
}

#[component]
fn SessionsSection(sessions: Vec<SessionView>) -> impl IntoView {
    let action = ServerAction::<EndOtherSessions>::new();
    let errors = FormErrors::follow(action);
    let others = sessions.iter().filter(|session| !session.current).count();
    let items = sessions
        .into_iter()
        .map(|session| {
            let here = if session.current { " (this browser)" } else { "" };
            view! {
                <li class="card">
                    <h3>{format!("{}{here}", session.browser)}</h3>
                    <dl class="facts">
                        <div><dt>"From"</dt><dd>{session.from}</dd></div>
                        <div><dt>"Signed in"</dt><dd>{session.started}</dd></div>
                        <div><dt>"Last active"</dt><dd>{session.last_active}</dd></div>
                    </dl>
                </li>
            }
        })
        .collect_view();
    view! {
        <section aria-labelledby="sessions-heading">
            <h2 id="sessions-heading">"Where you are signed in"</h2>
            <p>"Each browser or device you sign in with has a session. Sessions end after 30 minutes without use (15 for staff) and 12 hours at most."</p>
            <FormRefusal errors />
            <ul class="card-list">{items}</ul>
            {(others > 0).then(|| view! {
                <ActionForm action>
                    <button type="submit" class="danger">"Sign out everywhere else"</button>
                </ActionForm>
            })}
        </section>
    }
}

/// `/admin/reset-link`: the link an administrator's post just issued, or how to get one.
#[component]
pub fn ResetLinkPage() -> impl IntoView {
    let issued = use_context::<super::IssuedResetLink>();
    view! {
        <Title text="Sign-in reset link" />
        <h1>"Sign-in reset link"</h1>
        {match issued {
            Some(link) => view! {
                <section class="card" aria-labelledby="link-heading">
                    <h2 id="link-heading">{format!("For {} ({})", link.display_name, link.email)}</h2>
                    <p>{format!("Give this link to {} only, by a channel you trust. It works once, for {} hours, and lets them choose a new password; their sessions end when they use it. Any earlier link for them no longer works.", link.display_name, link.expires_in_hours)}</p>
                    <p class="reset-link"><code>{link.url}</code></p>
                    <p>"This page shows the link once: copy it now."</p>
                </section>
            }
            .into_any(),
            None => view! {
                <p>"No link here. Reset a staff member's sign-in from the staff list, or a customer's from their account in customer service."</p>
            }
            .into_any(),
        }}
        <p><a href="/admin" rel="external">"Back to administration"</a></p>
    }
}

/// In admin mode, on the account's page: the customer's sign-in, and customer service's
/// controls over it (end its sessions, disable or enable it; administrators also issue a
/// one-time reset link). Each change is recorded in the account's Activity.
#[component]
pub fn CustomerSignInSection(account: String) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="sign-in-heading">
            <h2 id="sign-in-heading">"Sign-in"</h2>
            <Loaded
                data=load_account_sign_in(Some(account.clone()))
                show=move |sign_in| match sign_in {
                    Some(sign_in) => view! { <CustomerSignInControls account=account.clone() sign_in /> }.into_any(),
                    None => view! { <p>"This account has no sign-in."</p> }.into_any(),
                }
            />
        </section>
    }
}

#[component]
fn CustomerSignInControls(account: String, sign_in: super::AccountSignIn) -> impl IntoView {
    let end = ServerAction::<EndCustomerSessions>::new();
    let disable = ServerAction::<SetCustomerSignInDisabled>::new();
    let errors = [FormErrors::follow(end), FormErrors::follow(disable)];
    let status = if sign_in.disabled { "Disabled" } else { "Active" };
    let sessions = match sign_in.sessions {
        0 => "None".to_owned(),
        1 => "1 open".to_owned(),
        n => format!("{n} open"),
    };
    let (disable_label, disable_class) = if sign_in.disabled {
        ("Enable sign-in", "secondary")
    } else {
        ("Disable sign-in", "danger")
    };
    let reset = sign_in.can_reset.then(|| {
        let account = account.clone();
        view! {
            <form method="post" action=RESET_LINK_PAGE class="inline-form">
                <input type="hidden" name="account" value=account />
                <button type="submit" class="secondary">"Reset sign-in"</button>
            </form>
        }
    });
    let (end_account, disable_account) = (account.clone(), account);
    view! {
        {errors.map(|errors| view! { <FormRefusal errors /> })}
        <dl class="facts">
            <div><dt>"Email"</dt><dd>{sign_in.email}</dd></div>
            <div><dt>"Status"</dt><dd>{status}</dd></div>
            <div><dt>"Sessions"</dt><dd>{sessions}</dd></div>
            <div><dt>"Two-step verification"</dt><dd>{if sign_in.two_step { "On" } else { "Off" }}</dd></div>
        </dl>
        <div class="actions">
            <ActionForm action=end attr:class="inline-form">
                <input type="hidden" name="account" value=end_account />
                <button type="submit" class="secondary">"End all sessions"</button>
            </ActionForm>
            <ActionForm action=disable attr:class="inline-form">
                <input type="hidden" name="account" value=disable_account />
                <input type="hidden" name="disabled" value=(!sign_in.disabled).to_string() />
                <button type="submit" class=disable_class>{disable_label}</button>
            </ActionForm>
            {reset}
        </div>
    }
}
