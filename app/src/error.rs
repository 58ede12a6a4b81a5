//! The one error type server functions return to the browser.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// What went wrong, phrased for the person using the page. The cause goes to the server log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Your session ended, so this was not saved. Sign in again to continue.")]
    NotSignedIn,
    #[error("You are not allowed to see or change this.")]
    Forbidden,
    #[error("We could not find that.")]
    NotFound,
    /// Input that failed validation; the text says what to fix.
    #[error("{0}")]
    Invalid(String),
    /// Input that failed validation, field by field; the form shows each beside its field.
    #[error("Some details need fixing: see the highlighted fields.")]
    InvalidFields(FieldErrors),
    #[error("This was changed elsewhere, in another tab or by someone else. Reload the page to see the latest version; nothing was saved.")]
    Conflict,
    #[error("Something went wrong on our side. Please try again in a moment.")]
    Unavailable,
    /// A call whose arguments did not parse: not something a page of ours sends.
    #[error("That request was not understood. Reload the page and try again.")]
    BadRequest,
}

impl AppError {
    /// This refusal, carrying what was typed back to its form when it is about fields (see
    /// `FieldErrors::typed`); any other error as it is.
    pub fn with_typed(self, typed: Vec<(String, String)>) -> Self {
        match self {
            AppError::InvalidFields(fields) => AppError::InvalidFields(fields.with_typed(typed)),
            other => other,
        }
    }
}

impl AppError {
    /// The HTTP status that says why: the one place an error gets its status.
    #[cfg(feature = "ssr")]
    pub fn status(&self) -> http::StatusCode {
        use http::StatusCode;
        match self {
            AppError::NotSignedIn => StatusCode::UNAUTHORIZED,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Invalid(_) | AppError::InvalidFields(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Conflict => StatusCode::CONFLICT,
            AppError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            AppError::BadRequest => StatusCode::BAD_REQUEST,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(error: ServerFnErrorErr) -> Self {
        match error {
            // Arguments that do not parse come from no page of ours: a 400, not our failure.
            ServerFnErrorErr::Args(_)
            | ServerFnErrorErr::Deserialization(_)
            | ServerFnErrorErr::MissingArg(_) => AppError::BadRequest,
            // Transport failures: the person can only retry.
            error => {
                leptos::logging::warn!("server function failed: {error}");
                AppError::Unavailable
            }
        }
    }
}

/// What is wrong with a form, field by field, in words for the person filling it in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldErrors {
    errors: Vec<(String, String)>,
    /// What was typed, for a form that posts without WASM: a refused plain post comes back to
    /// its page with the refusal in the URL, and this lets the page show the form as it was
    /// sent instead of empty. Set only by forms that ask for it, and never with a password.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    typed: Vec<(String, String)>,
}

impl FieldErrors {
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.errors.push((field.to_owned(), message.into()));
    }

    /// The message for `field`, if it has one.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(name, _)| name == field).map(|(_, message)| message.as_str())
    }

    /// Drops the message of `field`.
    pub fn clear(&mut self, field: &str) {
        self.errors.retain(|(name, _)| name != field);
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// Every message, in the order added.
    pub fn messages(&self) -> impl Iterator<Item = &str> {
        self.errors.iter().map(|(_, message)| message.as_str())
    }

    /// These errors, carrying what was typed back to the form (see `typed`).
    pub fn with_typed(mut self, typed: Vec<(String, String)>) -> Self {
        self.typed = typed;
        self
    }

    /// What was typed, if the form sent it back.
    pub fn typed(&self) -> &[(String, String)] {
        &self.typed
    }
}

/// The value typed in `field`, from pairs a refusal carried back ([`FieldErrors::typed`]);
/// empty when it is not among them.
pub fn typed_value(pairs: &[(String, String)], field: &str) -> String {
    pairs.iter().find(|(name, _)| name == field).map(|(_, value)| value.clone()).unwrap_or_default()
}
