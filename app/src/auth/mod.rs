//! Who is signed in and what they may reach.
//!
//! One declaration decides access: [`Access`] names who may use a page or a server function, and
//! [`page_access`] maps every page to one. The server's page guard, the pages themselves and every
//! server function (through `authorize`) read the same declaration.

mod access;
mod api;
mod credentials;
#[cfg(feature = "ssr")]
mod server;
mod signin_page;
mod viewer;

pub use access::{
    page_access, server_function_access, Access, Role, HANDLERS, PAGES, SERVER_FUNCTIONS,
};
pub use api::{current_viewer, CurrentViewer, SignedInAs};
pub use credentials::{Credentials, PASSWORD_MAX_LEN};
#[cfg(feature = "ssr")]
pub use server::{
    account_scope, authorize, authorize_call, services, viewer_of_request, AccountScope,
};
pub use signin_page::{SignInNotice, SignInPage};
pub use viewer::{Identity, StaffRole, Viewer};
