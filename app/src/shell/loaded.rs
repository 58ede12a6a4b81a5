use super::{ErrorNotice, Loading};
use crate::error::AppError;
use leptos::prelude::*;
use serde::{de::DeserializeOwned, Serialize};

/// A server function's answer on a page: an announced placeholder while it loads, then `show`
/// of the data, or the error in words. Every page that loads data shows it through this.
#[component]
pub fn Loaded<T, S>(
    resource: Resource<Result<T, AppError>>,
    /// Renders the data once it is there.
    show: S,
) -> impl IntoView
where
    T: Clone + Send + Sync + Serialize + DeserializeOwned + 'static,
    S: Fn(T) -> AnyView + Clone + Send + Sync + 'static,
{
    view! {
        <Suspense fallback=Loading>
            {move || {
                let show = show.clone();
                Suspend::new(async move {
                match resource.await {
                    Ok(data) => show(data),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
                })
            }}
        </Suspense>
    }
}
