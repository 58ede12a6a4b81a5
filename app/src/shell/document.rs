/// The page the server renders, with status 403, in place of a page the viewer may not open.
pub const FORBIDDEN_PAGE: &str = "/not-allowed";

use leptos::prelude::*;
use std::sync::Arc;

/// Paths of the built static assets whose names carry a content hash, resolved by the server at
/// start-up from cargo-leptos' `hash.txt`, with everything every page renders from them built
/// then too: each page clones shared strings instead of formatting them again (the loader's
/// call alone is about a kilobyte).
#[derive(Clone, Debug)]
pub struct AssetPaths {
    /// `/pkg/peakday.<hash>.css`.
    pub stylesheet: Arc<str>,
    /// The JS module and the WASM in `/pkg`, without their extensions: `peakday.<hash>`.
    pub script: Arc<str>,
    pub wasm: Arc<str>,
    module_href: Arc<str>,
    wasm_href: Arc<str>,
    loader_call: Arc<str>,
}

impl AssetPaths {
    pub fn new(stylesheet: String, script: String, wasm: String) -> Self {
        Self {
            module_href: format!("/pkg/{script}.js").into(),
            wasm_href: format!("/pkg/{wasm}.wasm").into(),
            loader_call: format!("{ISLAND_LOADER}(\"\", \"pkg\", {script:?}, {wasm:?}, false);")
                .into(),
            stylesheet: stylesheet.into(),
            script: script.into(),
            wasm: wasm.into(),
        }
    }

    /// The names of a build without hashes, as Leptos gives them.
    pub fn unhashed(output_name: &str) -> Self {
        // wasm-bindgen's own name for the WASM, unless cargo-leptos built this and renamed it.
        let wasm_suffix = if option_env!("LEPTOS_OUTPUT_NAME").is_some() { "" } else { "_bg" };
        Self::new(
            format!("/pkg/{output_name}.css"),
            output_name.to_owned(),
            format!("{output_name}{wasm_suffix}"),
        )
    }
}

/// Leptos' islands loader (`leptos/src/hydration/island_script.js` of leptos 0.8, MIT licensed),
/// verbatim: it imports the JS module, starts the WASM and hydrates each island, module first.
const ISLAND_LOADER: &str = include_str!("island_script.js");

/// What Leptos' `<HydrationScripts islands=true />` renders in the head: preloads of the JS
/// module and the WASM. Leptos' own reads `hash.txt` from disk for every page it renders
/// (measured with perf: 3.8% of the server's time on `/account/alerts`); here the names come from
/// [`AssetPaths`], resolved once at start-up. The loader that starts them is [`IslandLoader`].
#[component]
pub fn IslandScripts(paths: AssetPaths) -> impl IntoView {
    let nonce = use_nonce();
    // As Leptos' does: outside islands, nothing is rendered for hydration.
    if let Some(context) = Owner::current_shared_context() {
        context.set_is_hydrating(false);
    }
    let AssetPaths { module_href, wasm_href, .. } = paths;
    // `crossorigin` carries the nonce as in Leptos' own (any value but `use-credentials` means
    // anonymous), so the preloads match what the loader fetches.
    view! {
        <link rel="modulepreload" href=module_href crossorigin=nonce.clone() />
        <link
            rel="preload"
            href=wasm_href
            r#as="fetch"
            r#type="application/wasm"
            crossorigin=nonce.map(|nonce| nonce.to_string()).unwrap_or_default()
        />
    }
}

/// Leptos' islands loader called with the built names, last in the body. A module script runs
/// once the document is parsed wherever it stands, so the browser sees no difference; the
/// server does: `leptos_meta` searches the page's head for `</head>` and its `<!--HEAD-->`
/// marker on every request, and without the loader's kilobytes in the head both searches are
/// short (measured with `scripts/profile.sh /signin anon`: see docs/performance-history.md).
#[component]
pub fn IslandLoader(paths: AssetPaths) -> impl IntoView {
    let nonce = use_nonce();
    view! { <script type="module" nonce=nonce>{paths.loader_call}</script> }
}
