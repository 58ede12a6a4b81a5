use super::credentials::PASSWORD_MAX_LEN;
use crate::contact::EmailAddress;
use crate::shell::{query_param, Ready};
use leptos::{ev::SubmitEvent, prelude::*};
use leptos_meta::Title;

/// Why the sign-in page is shown again; the server names it in the `notice` query parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInNotice {
    /// Wrong email or password: one message for both, so nobody learns which emails exist.
    Invalid,
    /// Too many failed attempts for the account or from the client.
    Locked,
    SignedOut,
    Expired,
    /// Too many wrong codes in the second step: the sign-in starts over.
    TooManyCodes,
    /// A new password was chosen with a reset link.
    PasswordReset,
}

impl SignInNotice {
    pub fn as_query(self) -> &'static str {
        match self {
            SignInNotice::Invalid => "invalid",
            SignInNotice::Locked => "locked",
            SignInNotice::SignedOut => "signed_out",
            SignInNotice::Expired => "expired",
            SignInNotice::TooManyCodes => "too_many_codes",
            SignInNotice::PasswordReset => "password_reset",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [
            Self::Invalid,
            Self::Locked,
            Self::SignedOut,
            Self::Expired,
            Self::TooManyCodes,
            Self::PasswordReset,
        ]
        .into_iter()
        .find(|notice| notice.as_query() == value)
    }

    pub fn message(self) -> &'static str {
        match self {
            SignInNotice::Invalid => {
                "The email or password is not right. Check both and try again."
            }
            SignInNotice::Locked => {
                "Too many sign-in attempts. Wait a little, then try again: each further attempt waits longer."
            }
            SignInNotice::SignedOut => "You have signed out.",
            SignInNotice::Expired => "Your session ended. Sign in again to continue.",
            SignInNotice::TooManyCodes => {
                "Too many wrong codes. Sign in again to get another try."
            }
            SignInNotice::PasswordReset => {
                "Your new password is saved. Sign in with it."
            }
        }
    }

    fn is_error(self) -> bool {
        matches!(self, SignInNotice::Invalid | SignInNotice::Locked | SignInNotice::TooManyCodes)
    }
}

/// The email of a refused sign-in, kept so the page comes back with it filled in and only the
/// password to type again. In a cookie only the sign-in page is sent, for ten minutes, not in the
/// URL: an address in a URL stays in the browser's history and in logs. Only an email address
/// goes into it, and only one comes out of it.
pub struct KeptEmail;

impl KeptEmail {
    pub const MAX_AGE_SECONDS: u32 = 600;
    /// The path the cookie is sent to: the sign-in page, and its form's post.
    pub const PATH: &'static str = "/signin";

    /// Over HTTPS the name is `__Secure-`, which no plain-HTTP page can set.
    pub fn cookie_name(https: bool) -> &'static str {
        if https {
            "__Secure-peakday_signin_email"
        } else {
            "peakday_signin_email"
        }
    }

    /// The cookie's value for what was typed, percent-encoded; `None` unless it is an email
    /// address.
    pub fn encode(typed: &str) -> Option<String> {
        let email = EmailAddress::parse(typed).ok()?;
        Some(crate::shell::encode_component(email.as_str()))
    }

    /// The email address a cookie value holds, if it holds one.
    pub fn decode(value: &str) -> Option<String> {
        let email = EmailAddress::parse(&crate::shell::decode_component(value)).ok()?;
        Some(email.as_str().to_owned())
    }

    /// The kept email of this request, under either name (the page does not know whether the
    /// site is served over HTTPS; a browser only holds the name its server set).
    fn of_request() -> Option<String> {
        #[cfg(feature = "ssr")]
        {
            with_context::<http::request::Parts, _>(|parts| {
                [Self::cookie_name(true), Self::cookie_name(false)]
                    .into_iter()
                    .find_map(|name| super::cookie_value(&parts.headers, name))
                    .and_then(Self::decode)
            })
            .flatten()
        }
        #[cfg(not(feature = "ssr"))]
        None
    }
}

/// The sign-in form. It posts to the server's `/signin` handler as a plain form, so it works
/// before (or without) the WASM; once hydrated it checks the email's shape before sending.
#[component]
pub fn SignInPage() -> impl IntoView {
    let notice = query_param("notice").as_deref().and_then(SignInNotice::parse);
    let next = query_param("next").unwrap_or_default();
    let email = KeptEmail::of_request().unwrap_or_default();

    // The page reads nothing: rendered in one pass (see `shell::Ready`).
    Ready::new(view! {
        <Title text="Sign in" />
        <section class="card narrow">
            <h1>"Sign in"</h1>
            {notice
                .map(|notice| {
                    let class = if notice.is_error() { "notice notice--error" } else { "notice" };
                    let role = if notice.is_error() { "alert" } else { "status" };
                    view! {
                        <div class=class role=role>
                            <p>{notice.message()}</p>
                        </div>
                    }
                })}
            <SignInForm next email />
            // Customers cannot reset a password alone yet (email delivery is to come): say
            // whom to ask rather than leave a new or locked-out customer with nothing to try.
            <p class="hint signin-help">
                "Forgot your password? Contact your utility's customer service: they can give you a link to choose a new one."
            </p>
        </section>
    })
}

/// The form itself: an island, so it checks the email's shape before sending once the WASM runs.
#[island]
fn SignInForm(next: String, email: String) -> impl IntoView {
    crate::shell::mark_island_hydrated();
    let email_input = NodeRef::<leptos::html::Input>::new();
    let password_input = NodeRef::<leptos::html::Input>::new();
    let (email_error, set_email_error) = signal(None::<String>);
    let (password_error, set_password_error) = signal(None::<String>);

    let check_email = move || {
        let value = email_input.get().map(|input| input.value()).unwrap_or_default();
        let error = EmailAddress::parse(&value).err().map(|e| e.to_string());
        set_email_error.set(error.clone());
        error.is_none()
    };
    let check_password = move || {
        let empty = password_input.get().is_some_and(|input| input.value().is_empty());
        set_password_error.set(empty.then(|| "Enter your password.".to_owned()));
        !empty
    };
    let on_submit = move |event: SubmitEvent| {
        let email_ok = check_email();
        let password_ok = check_password();
        if !(email_ok && password_ok) {
            event.prevent_default();
            let first_bad = if email_ok { password_input } else { email_input };
            if let Some(input) = first_bad.get() {
                let _ = input.focus();
            }
        }
    };

    view! {
            <form method="post" action="/signin" novalidate on:submit=on_submit>
                <input type="hidden" name="next" value=next />
                <div class="field">
                    <label for="email">"Email"</label>
                    <input
                        id="email"
                        name="email"
                        type="email"
                        autocomplete="username"
                        required
                        value=email
                        node_ref=email_input
                        aria-invalid=move || email_error.get().is_some().to_string()
                        aria-describedby="email-error"
                        on:blur=move |_| {
                            if email_error.get_untracked().is_some() {
                                check_email();
                            }
                        }
                    />
                    <p id="email-error" class="field-error">
                        {move || email_error.get()}
                    </p>
                </div>
                <div class="field">
                    <label for="password">"Password"</label>
                    <input
                        id="password"
                        name="password"
                        type="password"
                        autocomplete="current-password"
                        required
                        maxlength=PASSWORD_MAX_LEN.to_string()
                        node_ref=password_input
                        aria-invalid=move || password_error.get().is_some().to_string()
                        aria-describedby="password-error"
                    />
                    <p id="password-error" class="field-error">
                        {move || password_error.get()}
                    </p>
                </div>
                <button type="submit" class="primary">
                    "Sign in"
                </button>
            </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_round_trip_through_the_query_string() {
        for notice in [
            SignInNotice::Invalid,
            SignInNotice::Locked,
            SignInNotice::SignedOut,
            SignInNotice::Expired,
            SignInNotice::TooManyCodes,
            SignInNotice::PasswordReset,
        ] {
            assert_eq!(SignInNotice::parse(notice.as_query()), Some(notice));
        }
        assert_eq!(SignInNotice::parse("<script>"), None);
    }

    #[test]
    fn only_an_email_address_is_kept_and_it_comes_back_as_the_address() {
        let value = KeptEmail::encode("  Jordan.Rivera+home@Example.com ").unwrap();
        assert!(value.bytes().all(|b| b.is_ascii_alphanumeric() || b"%-_.~".contains(&b)));
        assert_eq!(KeptEmail::decode(&value).as_deref(), Some("jordan.rivera+home@example.com"));
        assert_eq!(KeptEmail::encode("not an email"), None);
        assert_eq!(KeptEmail::encode(""), None);
        // A value set by something else is read only if it is an email address.
        assert_eq!(KeptEmail::decode("%22%3E%3Cscript%3E"), None);
        assert_eq!(KeptEmail::decode("a%40b.example%3B%20x"), None);
    }
}
