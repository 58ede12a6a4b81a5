//! How pages save: each form is an `ActionForm` over a server function, so it works before the
//! WASM loads (the server answers a plain form post by redirecting back to the page). Once
//! hydrated, a save announces what was saved in the page's status region and refreshes the
//! page's data; a refusal stays beside its form, with the person's input untouched.

use crate::error::{AppError, FieldErrors};
use crate::preferences::Saved;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The page's record of saves: the last confirmation, and a counter the page's data resource
/// follows, so data is reloaded after a save and never after a refusal (nothing typed is lost).
#[derive(Clone, Copy)]
pub struct SaveFeedback {
    message: RwSignal<Option<String>>,
    saves: RwSignal<u32>,
    region: NodeRef<leptos::html::Div>,
}

impl SaveFeedback {
    /// Creates the page's feedback and provides it to the forms below.
    pub fn provide() -> Self {
        let feedback =
            Self { message: RwSignal::new(None), saves: RwSignal::new(0), region: NodeRef::new() };
        provide_context(feedback);
        feedback
    }

    /// Read by the page's data resource: changes after each successful save.
    pub fn saves(self) -> u32 {
        self.saves.get()
    }

    fn saved(self, message: String) {
        self.message.set(Some(message));
        self.saves.update(|n| *n += 1);
        // The form that was used may re-render away; keyboard and screen reader users land on
        // the confirmation instead of the top of the page.
        if let Some(region) = self.region.get_untracked() {
            let _ = region.focus();
        }
    }
}

/// The status region at the top of a page that saves: what was saved, in words. After a plain
/// form post (no WASM yet) the server adds `?saved=1` and this says so.
#[component]
pub fn SaveStatus() -> impl IntoView {
    let feedback = expect_context::<SaveFeedback>();
    let query = use_query_map();
    let message = move || {
        feedback
            .message
            .get()
            .or_else(|| query.read().get("saved").map(|_| "Your changes were saved.".to_owned()))
    };
    view! {
        <div class="save-status" role="status" tabindex="-1" node_ref=feedback.region>
            {move || message().map(|text| view! { <p class="notice notice--ok">{text}</p> })}
        </div>
    }
}

/// Errors of one form: the refusal from the server's last answer (or the URL, after a plain form
/// post), plus field checks made in the browser as the person leaves each field.
#[derive(Clone, Copy)]
pub struct FormErrors {
    fields: RwSignal<FieldErrors>,
    refusal: RwSignal<Option<AppError>>,
}

impl FormErrors {
    /// Follows `action`: a save reports to the page's [`SaveFeedback`]; a refusal is kept here.
    pub fn follow<A>(action: ServerAction<A>) -> Self
    where
        A: leptos::server_fn::ServerFn<Output = Saved, Error = AppError> + Send + Sync + 'static,
        A: Clone,
    {
        let errors =
            Self { fields: RwSignal::new(FieldErrors::default()), refusal: RwSignal::new(None) };
        let feedback = use_context::<SaveFeedback>();
        let apply = move |result: Option<Result<Saved, AppError>>| match result {
            Some(Ok(saved)) => {
                errors.fields.set(FieldErrors::default());
                errors.refusal.set(None);
                if let Some(feedback) = feedback {
                    feedback.saved(saved.message);
                }
            }
            Some(Err(AppError::InvalidFields(fields))) => errors.show(fields),
            Some(Err(error)) => errors.refusal.set(Some(error)),
            None => {}
        };
        // After a plain form post the server's refusal arrives in the URL, and the action
        // starts with it: show it in the server-rendered page too.
        apply(action.value().get_untracked());
        Effect::new(move |_| apply(action.value().get()));
        errors
    }

    /// The message for `field`, if any.
    pub fn field(self, field: &'static str) -> Signal<Option<String>> {
        Signal::derive(move || self.fields.read().get(field).map(str::to_owned))
    }

    /// Shows the browser's own check of a whole form, as the server would have answered.
    pub fn show(self, fields: FieldErrors) {
        self.fields.set(fields);
        self.refusal.set(Some(AppError::InvalidFields(FieldErrors::default())));
    }

    /// Records the browser's own check of one field: `Err` shows the message, `Ok` clears it.
    pub fn check<T, E: ToString>(self, field: &'static str, result: Result<T, E>) {
        self.fields.update(|fields| {
            fields.0.retain(|(name, _)| name != field);
            if let Err(error) = result {
                fields.add(field, error.to_string());
            }
        });
    }
}

/// The form-level refusal: "changed elsewhere", a broken rule, or "see the fields".
#[component]
pub fn FormRefusal(errors: FormErrors) -> impl IntoView {
    move || {
        errors.refusal.get().map(|error| {
            let conflict = error == AppError::Conflict;
            let extra = errors.fields.read().get("form").map(str::to_owned);
            view! {
                <div class="notice notice--error" role="alert">
                    <p>{error.to_string()}</p>
                    {extra.map(|text| view! { <p>{text}</p> })}
                    {conflict.then(|| view! { <p><a href="" rel="external">"Reload the page"</a></p> })}
                </div>
            }
        })
    }
}

/// The hidden version every save carries: the server refuses a save based on an older page.
#[component]
pub fn VersionInput(version: i64) -> impl IntoView {
    view! { <input type="hidden" name="version" value=version.to_string() /> }
}

/// Whether the current request is a plain HTML form post (no WASM), which the server answers
/// by redirecting back to the page rather than with data.
#[cfg(feature = "ssr")]
fn is_plain_form_post() -> Option<http::request::Parts> {
    use http::header::ACCEPT;
    let parts = use_context::<http::request::Parts>()?;
    let accepts_html = parts
        .headers
        .get(ACCEPT)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.contains("text/html"));
    accepts_html.then_some(parts)
}

/// Confirms a save of a plain form post (no WASM): the server function's redirect back to the
/// page carries `?saved=1`, which [`SaveStatus`] reads. Script-driven saves need nothing: the
/// page announces the server's own words.
#[cfg(feature = "ssr")]
pub fn confirm_plain_form_save() {
    use http::header::REFERER;
    let Some(parts) = is_plain_form_post() else { return };
    let Some(referer) = parts.headers.get(REFERER).and_then(|value| value.to_str().ok()) else {
        return;
    };
    // Only the path of our own page: never redirect anywhere the Referer names.
    let path = referer
        .split_once("://")
        .and_then(|(_, rest)| rest.find('/').map(|slash| &rest[slash..]))
        .unwrap_or("/");
    let path = path.split(['?', '#']).next().unwrap_or("/");
    if path.starts_with('/') && !path.starts_with("//") {
        leptos_axum::redirect(&format!("{path}?saved=1"));
    }
}

/// Gives a refused call the HTTP status that says why (404, 409, 422, 503), for clients that read
/// statuses. A plain form post keeps its redirect back to the page, which shows the refusal.
#[cfg(feature = "ssr")]
pub fn set_refusal_status(error: &AppError) {
    use http::StatusCode;
    if is_plain_form_post().is_some() {
        return;
    }
    let status = match error {
        AppError::NotSignedIn => StatusCode::UNAUTHORIZED,
        AppError::Forbidden => StatusCode::FORBIDDEN,
        AppError::NotFound => StatusCode::NOT_FOUND,
        AppError::Invalid(_) | AppError::InvalidFields(_) => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::Conflict => StatusCode::CONFLICT,
        AppError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
    };
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(status);
    }
}
