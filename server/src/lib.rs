//! The Peakday server: storage, sign-in and sessions, the HTTP edge, demo data and the account
//! generator. `main.rs` is the command line around it.

pub mod auth;
pub mod config;
pub mod demo;
pub mod enrollments;
pub mod generate;
pub mod head_end;
pub mod http;
pub mod onboarding;
pub mod portal;
pub mod preferences;
pub mod staff;
pub mod store;

use crate::auth::{AuthService, SessionPolicy};
use crate::config::HttpConfig;
use crate::http::AppState;
use crate::store::Store;
use leptos::config::LeptosOptions;
use std::path::Path;
use std::sync::Arc;

/// The Leptos build the server renders pages for. `hash_file` is cargo-leptos' `hash.txt`
/// when the front end was built with hashed file names.
pub fn leptos_options(site_root: &Path, hash_file: Option<&Path>) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("peakday")
        .site_root(site_root.display().to_string())
        .site_pkg_dir("pkg")
        .hash_files(hash_file.is_some())
        .build()
}

/// Everything the router needs, from an opened store.
pub fn app_state(store: Store, config: HttpConfig, hash_file: Option<&Path>) -> AppState {
    let options = leptos_options(&config.site_root, hash_file);
    AppState {
        assets: crate::http::asset_paths(&options.output_name, hash_file),
        static_files: crate::http::Assets::load(&config.site_root),
        leptos_options: options,
        auth: AuthService::new(store.clone(), SessionPolicy::default()),
        services: Arc::new(portal::Portal::new(store.clone())),
        store,
        config: Arc::new(config),
    }
}
