/// The page the server renders, with status 403, in place of a page the viewer may not open.
pub const FORBIDDEN_PAGE: &str = "/not-allowed";

/// Paths of the built static assets whose names carry a content hash, resolved by the server at
/// start-up from cargo-leptos' `hash.txt`.
#[derive(Clone, Debug)]
pub struct AssetPaths {
    pub stylesheet: String,
}
