use super::{ErrorNotice, NotFound, Ready};
use crate::error::AppError;
use leptos::prelude::*;
use std::future::Future;

/// A server function's answer on a page: `show` of the data, or the error in words. Every page
/// that loads data shows it through this.
///
/// No `Suspense` around it: pages are rendered whole on the server (`SsrMode::Async`) and never
/// in the browser (only islands are), so its fallback was never seen, while it cost every page a
/// dry run, which built the content and dropped it when the data was already there, an effect
/// and a spawned task (wrk, `/account`: a fifth more pages per second without it). For the same
/// reason the read is a plain future, awaited once as the page renders, not a `Resource`: a
/// resource's reactive state (an async derived signal with an owner of its own, a memo of its
/// source, its fetch spawned as a task of its own) is for data that changes in the browser,
/// which a page's never does (`/account`: 5% fewer instructions, 8 to 20% more pages per
/// second; docs/performance-history.md, "a nineteenth machine").
///
/// A page whose data is not there (`/programs/<unknown id>/events`) is the not-found page,
/// answered 404 as an unknown address is; any other refusal keeps the page around it and is
/// answered with the status that says why ([`AppError::status`]), so a 200 always means the
/// page shows what was asked for.
#[component]
pub fn Loaded<T, F, S>(
    /// The page's read, a server function called on the server: awaited as the page renders.
    data: F,
    /// Renders the data once it is there, in one pass ([`Ready`]): nothing in it may wait in
    /// turn (no `Loaded` inside another), or it would render as nothing. Every page puts its
    /// loads side by side.
    show: S,
) -> impl IntoView
where
    T: Send + 'static,
    F: Future<Output = Result<T, AppError>> + Send + 'static,
    S: FnOnce(T) -> AnyView + Send + 'static,
{
    // Read from the request's context now: the answer is awaited outside it.
    #[cfg(feature = "ssr")]
    let set_status = super::refusal_status();
    Suspend::new(async move {
        match data.await {
            Ok(data) => Ready::new(show(data)).into_any(),
            Err(AppError::NotFound) => view! { <NotFound /> }.into_any(),
            Err(error) => {
                #[cfg(feature = "ssr")]
                set_status(&error);
                view! { <ErrorNotice error /> }.into_any()
            }
        }
    })
}
