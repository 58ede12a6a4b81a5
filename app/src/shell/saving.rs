//! How islands save: each form is a [`SaveForm`] over a server function, so it works before the
//! WASM loads (the server answers a plain form post by redirecting back to the page). Once
//! hydrated, a save announces what was saved in the page's status region and refreshes the
//! page's data; a refusal stays beside its form, with the person's input untouched.

use crate::error::{AppError, FieldErrors};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The confirmation of a save, in words: what every writing server function answers. A save
/// of versioned data (preferences) also says the version it made, so the page's other forms
/// base their next save on it at once, without waiting for the page's data to reload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Saved {
    pub message: String,
    pub version: Option<i64>,
}

impl Saved {
    pub fn new(message: impl Into<String>) -> Self {
        Self { message: message.into(), version: None }
    }

    /// The confirmation of a save that made `version` of the data it changed.
    pub fn at_version(message: impl Into<String>, version: i64) -> Self {
        Self { message: message.into(), version: Some(version) }
    }
}

/// Data whose saves are checked against the version the page showed (see [`SaveBasis`]).
pub trait Versioned {
    fn version(&self) -> i64;
}

/// The page's record of saves: the last confirmation, a counter the island's data follows (see
/// [`SaveFeedback::reload_after_saves`]), so data is reloaded after a save and never after a
/// refusal (nothing typed is lost), and the newest version of the page's data it knows of.
#[derive(Clone, Copy)]
pub struct SaveFeedback {
    message: RwSignal<Option<String>>,
    saves: RwSignal<u32>,
    region: NodeRef<leptos::html::Div>,
    /// What every form's [`SaveBasis`] sends: the version of the data the page loaded, or the
    /// one its own last save made. A reload takes a round trip; a save pressed meanwhile is
    /// based on what the page shows plus its own saves, so it must not be refused as stale.
    version: RwSignal<i64>,
}

impl SaveFeedback {
    /// Creates the page's feedback and provides it to the forms below.
    pub fn provide() -> Self {
        let feedback = Self {
            message: RwSignal::new(None),
            saves: RwSignal::new(0),
            region: NodeRef::new(),
            version: RwSignal::new(0),
        };
        provide_context(feedback);
        feedback
    }

    /// The page's data: as the server rendered it, then reloaded with `load` after each
    /// successful save (never after a refusal, so nothing typed is lost). A reload older than
    /// what the page's saves have made since (two saves, answered out of order) is dropped: the
    /// later save's own reload brings the data.
    pub fn reload_after_saves<T, F>(
        self,
        initial: T,
        load: impl Fn() -> F + 'static,
    ) -> ReadSignal<T>
    where
        T: Versioned + Send + Sync + 'static,
        F: std::future::Future<Output = Result<T, AppError>> + 'static,
    {
        provide_plain_post_refusal();
        self.version.set(initial.version());
        let (data, set_data) = signal(initial);
        Effect::watch(
            move || self.saves.get(),
            move |_, _, _| {
                let reload = load();
                leptos::task::spawn_local(async move {
                    match reload.await {
                        Ok(fresh) if fresh.version() >= self.version.get_untracked() => {
                            self.version.set(fresh.version());
                            set_data.set(fresh);
                        }
                        _ => {}
                    }
                })
            },
            false,
        );
        data
    }

    fn saved(self, saved: Saved) {
        if let Some(version) = saved.version {
            self.version.update(|known| *known = version.max(*known));
        }
        self.message.set(Some(saved.message));
        self.saves.update(|n| *n += 1);
        // The form that was used may re-render away; keyboard and screen reader users land on
        // the confirmation instead of the top of the page.
        if let Some(region) = self.region.get_untracked() {
            let _ = region.focus();
        }
    }
}

/// The status region at the top of a page that saves: what was saved, in words. After a plain
/// form post (no WASM yet) the server's sentence comes back in the URL (`?saved=…`), signed for
/// the session: the server sends a page whose `saved` it did not sign to the page without it,
/// so a crafted link cannot make this region say anything.
#[component]
pub fn SaveStatus() -> impl IntoView {
    let feedback = expect_context::<SaveFeedback>();
    let after_plain_post = query_param(SAVED_PARAMETER).filter(|text| !text.is_empty());
    let message = move || feedback.message.get().or_else(|| after_plain_post.clone());
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
                    feedback.saved(saved);
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

    /// Errors of a plain form that posts itself (no action): the browser's own checks, starting
    /// from the server's refusal of the last post, if any.
    pub fn plain(refused: Option<AppError>) -> Self {
        let errors =
            Self { fields: RwSignal::new(FieldErrors::default()), refusal: RwSignal::new(None) };
        match refused {
            Some(AppError::InvalidFields(fields)) => errors.show(fields),
            other => errors.refusal.set(other),
        }
        errors
    }

    /// The refusal shown now, fields and all (to hand a server refusal to an island).
    pub fn refusal_now(self) -> Option<AppError> {
        let fields = self.fields.get_untracked();
        if fields.is_empty() {
            self.refusal.get_untracked()
        } else {
            Some(AppError::InvalidFields(fields))
        }
    }

    /// Every field typed before the server refused the form, when the refusal carried them
    /// back (see `FieldErrors::typed`).
    pub fn refused_typed(self) -> Option<Vec<(String, String)>> {
        self.fields
            .with_untracked(|fields| (!fields.typed().is_empty()).then(|| fields.typed().to_vec()))
    }

    /// What was typed in `field` before the server refused the form, when the refusal carried it
    /// back (see `FieldErrors::typed`); empty otherwise.
    pub fn typed(self, field: &str) -> String {
        self.fields
            .with_untracked(|fields| {
                fields
                    .typed()
                    .iter()
                    .find(|(name, _)| name == field)
                    .map(|(_, value)| value.clone())
            })
            .unwrap_or_default()
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
            fields.clear(field);
            if let Err(error) = result {
                fields.add(field, error.to_string());
            }
        });
    }
}

/// The form-level refusal: "changed elsewhere", a broken rule, or "see the fields". Both
/// "changed elsewhere" and "your session ended" offer to load the page again: the page's guard
/// sends an ended session to sign in and back.
#[component]
pub fn FormRefusal(errors: FormErrors) -> impl IntoView {
    move || {
        errors.refusal.get().map(|error| {
            let reload = match error {
                AppError::Conflict => Some("Reload the page"),
                AppError::NotSignedIn => Some("Sign in again"),
                _ => None,
            };
            let extra = errors.fields.read().get("form").map(str::to_owned);
            view! {
                <div class="notice notice--error" role="alert">
                    <p>{error.to_string()}</p>
                    {extra.map(|text| view! { <p>{text}</p> })}
                    {reload.map(|label| view! { <p><a href="" rel="external">{label}</a></p> })}
                </div>
            }
        })
    }
}

/// A form that saves through a server function. Without WASM it posts itself (the server
/// redirects back to the page); once hydrated it sends the same body with `fetch` and hands
/// the answer to `action`, which the form's [`FormErrors`] follows. Rather than Leptos'
/// `ActionForm`, which reads the form into the function's arguments in the browser and writes
/// them out again (serde_qs both ways): the server reads the browser's own encoding of the form
/// either way, and the WASM is smaller by that code (see docs/performance-history.md).
#[component]
pub fn SaveForm<A>(action: ServerAction<A>, children: Children) -> impl IntoView
where
    A: leptos::server_fn::ServerFn<Output = Saved, Error = AppError> + Send + Sync + 'static,
    A: Clone,
{
    let on_submit = move |event: leptos::ev::SubmitEvent| {
        // Should the form not read (it always should), the browser's own post goes ahead.
        let Some(body) = form_body(&event) else { return };
        event.prevent_default();
        leptos::task::spawn_local(async move {
            let answer = post_form(A::url(), body).await;
            action.value().set(Some(answer));
        });
    };
    view! {
        <form action=A::url() method="post" novalidate on:submit=on_submit>
            {children()}
        </form>
    }
}

/// The submitted form's fields, encoded as the browser posts them: with the pressed button's
/// name and value, when it has a name (a form whose buttons each say what they do), which
/// `FormData` of the form alone leaves out.
fn form_body(event: &leptos::ev::SubmitEvent) -> Option<String> {
    use wasm_bindgen::JsCast;
    let form = event.target()?.dyn_into::<web_sys::HtmlFormElement>().ok()?;
    let fields = web_sys::FormData::new_with_form(&form).ok()?;
    let encoded = web_sys::UrlSearchParams::new_with_str_sequence_sequence(&fields).ok()?;
    let pressed = event.submitter().and_then(|e| e.dyn_into::<web_sys::HtmlButtonElement>().ok());
    if let Some(button) = pressed.filter(|button| !button.name().is_empty()) {
        encoded.append(&button.name(), &button.value());
    }
    Some(encoded.to_string().into())
}

/// Posts `body` to a server function as a hydrated page does (asking for JSON), and reads its
/// answer: the confirmation, or the refusal it encodes. A failure to reach the server is
/// `Unavailable`, as Leptos' own client reports it.
async fn post_form(url: &str, body: String) -> Result<Saved, AppError> {
    use leptos::server_fn::error::FromServerFnError;
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;
    let unavailable = |_: JsValue| AppError::Unavailable;
    let headers = web_sys::Headers::new().map_err(unavailable)?;
    headers.set("Content-Type", "application/x-www-form-urlencoded").map_err(unavailable)?;
    headers.set("Accept", "application/json").map_err(unavailable)?;
    let request = web_sys::RequestInit::new();
    request.set_method("POST");
    request.set_headers(&headers);
    request.set_body(&JsValue::from_str(&body));
    let window = web_sys::window().ok_or(AppError::Unavailable)?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str_and_init(url, &request))
        .await
        .map_err(unavailable)?
        .unchecked_into();
    let text = JsFuture::from(response.text().map_err(unavailable)?)
        .await
        .map_err(unavailable)?
        .as_string()
        .unwrap_or_default();
    if response.ok() {
        serde_json::from_str(&text).map_err(|_| AppError::Unavailable)
    } else {
        Err(AppError::de(text.into()))
    }
}

/// What every save is based on, as hidden inputs: the newest version of the page's data (kept
/// by [`SaveFeedback`]; the server refuses a save based on an older page), the revision of the
/// part of the page the form changes, if the data says one (`part`: the server lets the save
/// through an older version while that part is as it was), and, in admin mode, the account
/// acted for.
#[component]
pub fn SaveBasis(#[prop(optional)] part: Option<u64>) -> impl IntoView {
    let account = crate::acting::ActingFor::current();
    let version = expect_context::<SaveFeedback>().version;
    view! {
        <input type="hidden" name="version" value=move || version.get().to_string() />
        {part.map(|part| view! { <input type="hidden" name="part" value=part.to_string() /> })}
        {account.map(|number| view! { <input type="hidden" name="account" value=number /> })}
    }
}

/// The query parameter that carries a save's sentence back to its page after a plain form post.
pub const SAVED_PARAMETER: &str = "saved";

/// `read` of the current request's head, if the request is a plain HTML form post (no WASM),
/// which the server answers by redirecting back to the page rather than with data. The head is
/// borrowed, not cloned: page reads ask this too (through [`refusal_status`]).
#[cfg(feature = "ssr")]
fn if_plain_form_post<T>(read: impl FnOnce(&http::request::Parts) -> Option<T>) -> Option<T> {
    use http::header::ACCEPT;
    with_context::<http::request::Parts, _>(|parts| {
        let accepts_html = parts
            .headers
            .get(ACCEPT)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.contains("text/html"));
        if accepts_html && parts.method == http::Method::POST {
            read(parts)
        } else {
            None
        }
    })
    .flatten()
}

/// How a writing server function answers, the one way they all do: `let answer = save_answer();`
/// first (what it needs of the request is taken now, before the call awaits anything), then
/// `answer(result)`. A plain form post (no WASM) is redirected back to its page with the
/// server's sentence (`?saved=…`, signed on its way out by the server); a refusal gets the status that says why (a plain post keeps Leptos' redirect
/// back to the page, which shows the refusal).
#[cfg(feature = "ssr")]
pub fn save_answer() -> impl Fn(Result<Saved, AppError>) -> Result<Saved, AppError> {
    use http::header::{LOCATION, REFERER};
    use http::{HeaderValue, StatusCode};
    let back = if_plain_form_post(|parts| {
        let referer = parts.headers.get(REFERER)?.to_str().ok()?;
        Some(back_to_page(referer))
    });
    let response = use_context::<leptos_axum::ResponseOptions>();
    let status = refusal_status();
    move |result| {
        match (&result, &back, &response) {
            (Ok(saved), Some(path), Some(response)) => {
                let sentence = encode_component(&saved.message);
                let location = format!("{path}?{SAVED_PARAMETER}={sentence}");
                if let Ok(location) = HeaderValue::from_str(&location) {
                    response.insert_header(LOCATION, location);
                    response.set_status(StatusCode::FOUND);
                }
            }
            (Ok(_), _, _) => {}
            (Err(error), _, _) => status(error),
        }
        result
    }
}

/// Where a form repeated on a page (one per recipient) is named when the server refuses it after
/// a plain form post: every copy's action picks the refusal up from the URL, and each keeps it
/// only if it names that copy (see [`keep_refusal_if_mine`]). The server function sets the
/// header; the server moves it into the signed redirect as [`REFUSED_FORM_PARAMETER`].
pub const REFUSED_FORM_HEADER: &str = "x-peakday-refused-form";
pub const REFUSED_FORM_PARAMETER: &str = "__form";

/// Names the copy of a repeated form this call came from (its recipient, say), for a refusal
/// of a plain form post to be shown by that copy alone. Call it before the first await.
#[cfg(feature = "ssr")]
pub fn name_refused_form(form: impl std::fmt::Display) {
    if let (Some(response), Ok(value)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(&form.to_string()),
    ) {
        response.insert_header(http::HeaderName::from_static(REFUSED_FORM_HEADER), value);
    }
}

/// For one copy of a repeated form (`form`, as the server function names it with
/// [`name_refused_form`]): drops the refusal `action` took from the URL when it names another
/// copy. Call it as the action is made, before anything reads its value.
pub fn keep_refusal_if_mine<A>(action: ServerAction<A>, form: &str)
where
    A: leptos::server_fn::ServerFn + Clone + Send + Sync + 'static,
    A::Output: Send + Sync + 'static,
    A::Error: Send + Sync + 'static,
{
    let named = query_param(REFUSED_FORM_PARAMETER);
    if named.is_some_and(|named| named != form) && action.value().with_untracked(Option::is_some) {
        action.value().set(None);
    }
}

/// The path of our own page a `Referer` names (never anywhere else it might name).
#[cfg(feature = "ssr")]
fn back_to_page(referer: &str) -> String {
    let path = referer
        .split_once("://")
        .and_then(|(_, rest)| rest.find('/').map(|slash| &rest[slash..]))
        .unwrap_or("/");
    let path = path.split(['?', '#']).next().unwrap_or("/");
    if path.starts_with('/') && !path.starts_with("//") {
        path.to_owned()
    } else {
        "/".to_owned()
    }
}

/// Gives a refused call the HTTP status that says why ([`AppError::status`]), for clients that
/// read statuses; the request's context is read now, so the status can be set after an await. A
/// plain form post keeps its redirect back to the page, which shows the refusal.
#[cfg(feature = "ssr")]
pub fn refusal_status() -> impl Fn(&AppError) + Clone + Send + Sync + 'static {
    let plain = if_plain_form_post(|_| Some(())).is_some();
    let response = use_context::<leptos_axum::ResponseOptions>();
    move |error| match &response {
        Some(response) if !plain => response.set_status(error.status()),
        _ => {}
    }
}

/// A parameter of the page's URL (its first value, decoded), read the same way on the server, from
/// the request, and in an island, which has no router to ask. Pages read their parameters with
/// it rather than the router's `use_query_map`, whose memo cost `/signin` about 1.4k
/// instructions (`scripts/profile.sh`) to read two parameters once.
pub fn query_param(name: &str) -> Option<String> {
    #[cfg(feature = "ssr")]
    let search =
        with_context::<http::request::Parts, _>(|parts| parts.uri.query().map(str::to_owned))
            .flatten()
            .unwrap_or_default();
    #[cfg(not(feature = "ssr"))]
    let search = window().location().search().unwrap_or_default();
    search.trim_start_matches('?').split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        (key == name).then(|| decode_component(value))
    })
}

/// Percent-encoding of one query value: everything but unreserved characters.
#[cfg_attr(not(feature = "ssr"), allow(dead_code))]
pub(crate) fn encode_component(value: &str) -> String {
    value
        .bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (byte as char).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

/// Percent-decoding of one query value (`+` is a space in form encoding).
pub(crate) fn decode_component(value: &str) -> String {
    let hex = |byte: u8| (byte as char).to_digit(16).map(|digit| digit as u8);
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%' && i + 2 < bytes.len())
            .then(|| Some(hex(bytes[i + 1])? * 16 + hex(bytes[i + 2])?))
            .flatten();
        match (escaped, bytes[i]) {
            (Some(byte), _) => {
                out.push(byte);
                i += 2;
            }
            (None, b'+') => out.push(b' '),
            (None, byte) => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// After a plain form post the server's refusal comes back in the URL (`__err`, `__path`); the
/// router would hand it to the page's actions, but islands have no router. Call it before the
/// page's actions are made.
pub fn provide_plain_post_refusal() {
    if let (Some(err), Some(path)) = (query_param("__err"), query_param("__path")) {
        provide_context(leptos::server::ServerActionError::new(&path, &err));
    }
}

#[cfg(test)]
mod tests {
    use super::{decode_component, encode_component};

    #[test]
    fn a_sentence_survives_the_url() {
        let sentence = "Priya Patel gets SMS & email: \"peak\" alerts, 100% café?";
        let encoded = encode_component(sentence);
        assert!(encoded
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || b"%-_.~".contains(&byte)));
        assert_eq!(decode_component(&encoded), sentence);
    }

    #[test]
    fn query_values_are_percent_decoded() {
        assert_eq!(decode_component("a+b%20c"), "a b c");
        assert_eq!(decode_component("%7B%22Invalid%22%7D"), "{\"Invalid\"}");
        assert_eq!(decode_component("100%"), "100%");
        assert_eq!(decode_component("%zz"), "%zz");
        assert_eq!(decode_component("caf%C3%A9"), "café");
    }
}
