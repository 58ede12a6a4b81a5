use super::{Role, Viewer};
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What the header shows about the person signed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedInAs {
    pub display_name: String,
    pub email: String,
    pub role: Role,
}

impl From<&Viewer> for SignedInAs {
    fn from(viewer: &Viewer) -> Self {
        Self {
            display_name: viewer.display_name.clone(),
            email: viewer.email.clone(),
            role: viewer.role(),
        }
    }
}

crate::declare_access!(CurrentViewer => Public);
/// Who is signed in, if anyone. Public: it only ever describes the caller.
#[server(endpoint = "viewer")]
pub async fn current_viewer() -> Result<Option<SignedInAs>, AppError> {
    Ok(super::viewer_of_request().as_ref().map(SignedInAs::from))
}
