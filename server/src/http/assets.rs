//! The built front end: `/pkg` files named with content hashes.

use super::headers::cache_forever;
use axum::middleware::map_response;
use axum::Router;
use peakday_app::shell::AssetPaths;
use std::path::Path;
use tower_http::services::ServeDir;

/// `/pkg/*`: hashed JS, WASM and CSS, served precompressed when cargo-leptos made `.br`/`.gz`
/// files, and cached for a year.
pub fn hashed_assets<S: Clone + Send + Sync + 'static>(site_root: &Path) -> Router<S> {
    Router::new()
        .fallback_service(
            ServeDir::new(site_root.join("pkg")).precompressed_br().precompressed_gzip(),
        )
        .layer(map_response(cache_forever))
}

/// The stylesheet's hashed path, from the `hash.txt` cargo-leptos writes beside the server binary
/// (`css: <hash>` lines). Without one, the unhashed name.
pub fn asset_paths(output_name: &str, hash_file: Option<&Path>) -> AssetPaths {
    let css_hash = hash_file.and_then(|file| std::fs::read_to_string(file).ok()).and_then(|text| {
        text.lines().find_map(|line| {
            let (kind, hash) = line.split_once(':')?;
            (kind.trim() == "css").then(|| hash.trim().to_owned())
        })
    });
    let stylesheet = match css_hash {
        Some(hash) => format!("/pkg/{output_name}.{hash}.css"),
        None => format!("/pkg/{output_name}.css"),
    };
    AssetPaths { stylesheet }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stylesheet_name_carries_the_hash_from_hash_txt() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("hash.txt");
        std::fs::write(&file, "js: aa11\nwasm: bb22\ncss: cc33\n").unwrap();
        assert_eq!(asset_paths("peakday", Some(&file)).stylesheet, "/pkg/peakday.cc33.css");
        assert_eq!(asset_paths("peakday", None).stylesheet, "/pkg/peakday.css");
    }
}
