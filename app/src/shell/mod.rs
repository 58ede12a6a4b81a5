//! The frame every page sits in: the HTML document, the header with who is signed in, the guard
//! that keeps pages to the roles allowed to see them, and the 404 / 403 / error views.

mod document;
mod guard;
mod header;
mod loaded;
mod notices;
mod saving;

pub use document::{shell, App, AssetPaths};
pub use guard::Guarded;
pub use loaded::Loaded;
pub use notices::{ErrorNotice, Forbidden, Loading, NotFound};
#[cfg(feature = "ssr")]
pub use saving::{confirm_plain_form_save, refusal_status, set_refusal_status};
pub use saving::{
    provide_plain_post_refusal, FormErrors, FormRefusal, SaveBasis, SaveFeedback, SaveStatus,
};

use crate::auth::SignedInAs;
use crate::error::AppError;
use leptos::prelude::*;

/// The current viewer, loaded once per page load and shared by the header and the guard.
#[derive(Clone, Copy)]
pub struct ViewerResource(pub Resource<Result<Option<SignedInAs>, AppError>>);
