//! The WASM entry point: hydrates the islands of the page the server rendered (the rest of the
//! page is plain server HTML).

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Links the app's islands into the bundle; each one hydrates itself where it appears.
    #[allow(unused_imports)]
    use peakday_app::*;
    leptos::mount::hydrate_islands();
    // Tells browser tests (and anyone curious) that client-side behaviour is live.
    if let Some(body) = leptos::prelude::document().body() {
        let _ = body.set_attribute("data-hydrated", "");
    }
}
