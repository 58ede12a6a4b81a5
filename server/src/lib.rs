//! The Peakday server: storage, sign-in and sessions, the HTTP edge, demo data and the account
//! generator. `main.rs` is the command line around it.

pub mod accounts;
mod allocator;
pub mod auth;
pub mod bench;
pub mod config;
pub mod demo;
pub mod events;
pub mod generate;
pub mod http;
pub mod onboarding;
pub mod preferences;
pub mod programs;
pub mod services;
pub mod setup;
pub mod staff;
pub mod store;

/// mimalloc for every binary and test of the server: measured with perf on a signed-in page,
/// glibc's malloc and free were a fifth of the server's time (page rendering allocates much).
#[global_allocator]
static ALLOCATOR: allocator::Mimalloc = allocator::Mimalloc;

use crate::auth::{AuthService, SessionPolicy};
use crate::config::HttpConfig;
use crate::http::AppState;
use crate::store::Store;
use leptos::config::LeptosOptions;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The Leptos build the server renders pages for. `hash_file` is cargo-leptos' `hash.txt`
/// when the front end was built with hashed file names; Leptos reads it by this absolute path.
pub fn leptos_options(site_root: &Path, hash_file: Option<&Path>) -> LeptosOptions {
    let builder = LeptosOptions::builder()
        .output_name("peakday")
        .site_root(site_root.display().to_string())
        .site_pkg_dir("pkg");
    match hash_file {
        Some(file) => {
            builder.hash_files(true).hash_file(Arc::from(file.display().to_string())).build()
        }
        None => builder.hash_files(false).build(),
    }
}

/// Where the front end's `hash.txt` is: in the site root when the build put it there (the
/// release front end served by a debug server, `scripts/build.sh`), else beside this binary,
/// where `cargo leptos build` writes it.
pub fn find_hash_file(site_root: &Path) -> Option<PathBuf> {
    let beside_binary = std::env::current_exe().ok().map(|exe| exe.with_file_name("hash.txt"));
    [Some(site_root.join("hash.txt")), beside_binary].into_iter().flatten().find(|f| f.exists())
}

/// Everything the router needs, from an opened store.
pub fn app_state(store: Store, config: HttpConfig, hash_file: Option<&Path>) -> AppState {
    let options = leptos_options(&config.site_root, hash_file);
    let auth = AuthService::new(store.clone(), SessionPolicy::default());
    AppState {
        assets: crate::http::asset_paths(&options.output_name, hash_file),
        static_files: crate::http::Assets::load(&config.site_root),
        leptos_options: options,
        services: crate::services::Services::new(&store, &auth),
        auth,
        store,
        config: Arc::new(config),
    }
}
