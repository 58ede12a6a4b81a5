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
    #[error("This was changed elsewhere. Reload the page to see the latest version.")]
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
