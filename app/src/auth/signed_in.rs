use super::{Role, Viewer};
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

/// Who is signed in, as the page being rendered shows them: read from the request, which the
/// session middleware has already resolved, so no page waits on it. Only the server renders
/// outside islands, so in the browser there is no one to show.
pub fn signed_in() -> Option<SignedInAs> {
    #[cfg(feature = "ssr")]
    return super::viewer_of_request().as_ref().map(SignedInAs::from);
    #[cfg(not(feature = "ssr"))]
    None
}
