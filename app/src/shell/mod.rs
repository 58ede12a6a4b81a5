//! What every page is made with: the header with who is signed in, the 404 / 403 / error views,
//! loading, fields and tables, and how forms save (`saving.rs`).

mod document;
mod field;
mod header;
mod loaded;
mod notices;
mod ready;
mod saving;
mod table;

pub use document::{AssetPaths, IslandLoader, IslandScripts, FORBIDDEN_PAGE};
pub use field::{SelectField, TextField};
pub use header::Header;
pub use loaded::Loaded;
pub use notices::{ErrorNotice, Forbidden, NotFound};
pub use ready::Ready;
pub(crate) use saving::{decode_component, encode_component};
pub use saving::{
    keep_refusal_if_mine, provide_plain_post_refusal, query_param, FormErrors, FormRefusal,
    SaveBasis, SaveFeedback, SaveForm, SaveStatus, Saved, Versioned, REFUSED_FORM_HEADER,
    REFUSED_FORM_PARAMETER, SAVED_PARAMETER,
};
#[cfg(feature = "ssr")]
pub use saving::{name_refused_form, refusal_status, save_answer};
pub use table::ScrollTable;

use leptos::prelude::*;

/// Counts the calling island as hydrated on `<body data-islands-hydrated>`. The alerts and
/// notifications islands are lazy: their code is fetched when the page has them, after the page's
/// own `data-hydrated`; browser tests wait for both before using a form.
pub fn mark_island_hydrated() {
    Effect::new(|_| {
        let Some(body) = document().body() else { return };
        let count = body
            .get_attribute("data-islands-hydrated")
            .and_then(|value| value.parse::<u32>().ok())
            .unwrap_or(0);
        let _ = body.set_attribute("data-islands-hydrated", &(count + 1).to_string());
    });
}
