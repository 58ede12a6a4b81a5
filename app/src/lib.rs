//! Peakday's shared half: the domain models and validation both the browser and the server use,
//! the pages and components, and the server-function signatures.
//!
//! Server-only code sits behind `#[cfg(feature = "ssr")]` in as few places as possible; storage
//! lives in the `server` crate and is reached through one service trait per feature
//! (`accounts::AccountsService`, ...; see [`service`]), which the server puts into Leptos context
//! at start-up, so this crate never depends on a database driver.

pub mod accounts;
pub mod acting;
pub mod activity;
pub mod auth;
pub mod change;
pub mod contact;
pub mod error;
pub mod events;
pub mod preferences;
pub mod programs;
pub mod recipients;
pub mod routes;
pub mod search;
#[cfg(feature = "ssr")]
pub mod service;
pub mod shell;
pub mod staff;
pub mod text;
pub mod utility;

pub use routes::{shell, App};
