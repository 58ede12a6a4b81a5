//! The one error type server functions return to the browser.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// What went wrong, phrased for the person using the page. The cause goes to the server log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Please sign in to continue.")]
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
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(error: ServerFnErrorErr) -> Self {
        // Transport and (de)serialization failures: the person can only retry.
        leptos::logging::warn!("server function failed: {error}");
        AppError::Unavailable
    }
}

/// What is wrong with a form, field by field, in words for the person filling it in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldErrors(pub Vec<(String, String)>);

impl FieldErrors {
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push((field.to_owned(), message.into()));
    }

    /// The message for `field`, if it has one.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.iter().find(|(name, _)| name == field).map(|(_, message)| message.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}
