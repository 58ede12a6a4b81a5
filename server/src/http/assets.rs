//! The built front end: `/pkg` files named with content hashes, held in memory.
//!
//! The files are read once at start-up with their precompressed `.br` / `.gz` siblings (written
//! by `cargo leptos build --release --precompress`). A request is then a map look-up: no file
//! system calls, no blocking-pool hop. A hashed name never changes content, so a new build means
//! a restart, which deploys do anyway.

use axum::body::{Body, Bytes};
use axum::extract::{Path as UrlPath, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use http::header::{ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE, VARY};
use http::{HeaderMap, HeaderValue, StatusCode};
use peakday_app::shell::AssetPaths;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

/// One file and the encodings it exists in.
struct Asset {
    content_type: &'static str,
    identity: Bytes,
    brotli: Option<Bytes>,
    gzip: Option<Bytes>,
}

/// Every file of `pkg/`, by name.
#[derive(Clone, Default)]
pub struct Assets(Arc<HashMap<String, Asset>>);

impl Assets {
    /// Reads `site_root/pkg`. A missing folder (tests, a server started before its first front-end
    /// build) gives an empty set and every asset answers 404.
    pub fn load(site_root: &Path) -> Self {
        let folder = site_root.join("pkg");
        let Ok(entries) = std::fs::read_dir(&folder) else {
            tracing::warn!(folder = %folder.display(), "no built front end found");
            return Self::default();
        };
        let read = |name: &str| std::fs::read(folder.join(name)).ok().map(Bytes::from);
        let mut assets = HashMap::new();
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with(".br") || name.ends_with(".gz") {
                continue;
            }
            let Some(identity) = read(&name) else { continue };
            let asset = Asset {
                content_type: content_type(&name),
                brotli: read(&format!("{name}.br")),
                gzip: read(&format!("{name}.gz")),
                identity,
            };
            assets.insert(name, asset);
        }
        Self(Arc::new(assets))
    }
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("wasm") => "application/wasm",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Whether the client accepts `coding`: it is listed in `Accept-Encoding` without `q=0`.
fn accepts(headers: &HeaderMap, coding: &str) -> bool {
    headers
        .get_all(ACCEPT_ENCODING)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|item| {
            let mut parts = item.split(';').map(str::trim);
            let refused = |param: &str| {
                let quality = param.strip_prefix("q=").and_then(|q| q.trim().parse::<f32>().ok());
                quality == Some(0.0)
            };
            parts.next() == Some(coding) && !parts.any(refused)
        })
}

async fn serve(
    State(assets): State<Assets>,
    UrlPath(name): UrlPath<String>,
    headers: HeaderMap,
) -> Response {
    let Some(asset) = assets.0.get(&name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let (body, encoding) = match (&asset.brotli, &asset.gzip) {
        (Some(brotli), _) if accepts(&headers, "br") => (brotli.clone(), Some("br")),
        (_, Some(gzip)) if accepts(&headers, "gzip") => (gzip.clone(), Some("gzip")),
        _ => (asset.identity.clone(), None),
    };
    let mut response = Response::new(Body::from(body));
    let response_headers = response.headers_mut();
    response_headers.insert(CONTENT_TYPE, HeaderValue::from_static(asset.content_type));
    response_headers
        .insert(CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable"));
    response_headers.insert(VARY, HeaderValue::from_static("accept-encoding"));
    if let Some(encoding) = encoding {
        response_headers.insert(CONTENT_ENCODING, HeaderValue::from_static(encoding));
    }
    response
}

/// `/pkg/{file}`: hashed JS, WASM and CSS from memory, precompressed when available, cached for
/// a year (the name changes when the content does).
pub fn hashed_assets<S: Clone + Send + Sync + 'static>(assets: Assets) -> Router<S> {
    Router::new().route("/{file}", get(serve)).with_state(assets)
}

/// The stylesheet's, JS module's and WASM's hashed names, from the `hash.txt` cargo-leptos writes
/// beside the server binary (`css: <hash>`, `js: <hash>`, `wasm: <hash>` lines). Without one,
/// the unhashed names.
pub fn asset_paths(output_name: &str, hash_file: Option<&Path>) -> AssetPaths {
    let Some(hashes) = hash_file.and_then(|file| std::fs::read_to_string(file).ok()) else {
        return AssetPaths::unhashed(output_name);
    };
    let hash = |kind: &str| {
        hashes.lines().find_map(|line| {
            let (name, hash) = line.split_once(':')?;
            (name.trim() == kind).then(|| format!("{output_name}.{}", hash.trim()))
        })
    };
    let unhashed = AssetPaths::unhashed(output_name);
    AssetPaths::new(
        hash("css").map_or(unhashed.stylesheet.to_string(), |name| format!("/pkg/{name}.css")),
        hash("js").unwrap_or(unhashed.script.to_string()),
        hash("wasm").unwrap_or(unhashed.wasm.to_string()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asset_names_carry_their_hashes_from_hash_txt() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("hash.txt");
        std::fs::write(&file, "js: aa11\nwasm: bb22\ncss: cc33\n").unwrap();
        let paths = asset_paths("peakday", Some(&file));
        assert_eq!(&*paths.stylesheet, "/pkg/peakday.cc33.css");
        assert_eq!((&*paths.script, &*paths.wasm), ("peakday.aa11", "peakday.bb22"));
        assert_eq!(&*asset_paths("peakday", None).stylesheet, "/pkg/peakday.css");
        assert_eq!(&*asset_paths("peakday", None).script, "peakday");
    }

    #[test]
    fn accept_encoding_tokens_are_matched_whole_and_q0_refuses() {
        let headers = |value: &'static str| {
            let mut map = HeaderMap::new();
            map.insert(ACCEPT_ENCODING, HeaderValue::from_static(value));
            map
        };
        assert!(accepts(&headers("gzip, deflate, br"), "br"));
        assert!(accepts(&headers("br;q=0.5"), "br"));
        assert!(!accepts(&headers("br;q=0, gzip"), "br"));
        assert!(!accepts(&headers("brotli"), "br"));
        assert!(accepts(&headers("br;q=0, gzip"), "gzip"));
    }
}
