use super::{ErrorNotice, Loading, NotFound};
use crate::error::AppError;
use leptos::prelude::*;
use serde::{de::DeserializeOwned, Serialize};

/// A server function's answer on a page: an announced placeholder while it loads, then `show`
/// of the data, or the error in words. Every page that loads data shows it through this.
///
/// A page whose data is not there (`/programs/<unknown id>/events`) is the not-found page,
/// answered 404 as an unknown address is; any other refusal keeps the page around it and is
/// answered with the status that says why ([`AppError::status`]), so a 200 always means the
/// page shows what was asked for.
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
    // Read from the request's context now: the answer is awaited outside it.
    #[cfg(feature = "ssr")]
    let set_status = super::refusal_status();
    view! {
        <Suspense fallback=Loading>
            {move || {
                let show = show.clone();
                #[cfg(feature = "ssr")]
                let set_status = set_status.clone();
                Suspend::new(async move {
                let answer = resource.await;
                after_dry_run().await;
                match answer {
                    Ok(data) => show(data),
                    Err(AppError::NotFound) => view! { <NotFound /> }.into_any(),
                    Err(error) => {
                        #[cfg(feature = "ssr")]
                        set_status(&error);
                        view! { <ErrorNotice error /> }.into_any()
                    }
                }
                })
            }}
        </Suspense>
    }
}

/// Ready on its second poll. A `Suspend` awaits this after its data and before it builds its
/// view: Leptos' `Suspense` renders on the server by first walking its children in a dry run,
/// polling each `Suspend` once and dropping what it built, then running its closure afresh to
/// render. Data already there (the viewer, a fast query) made the dry run build the whole view,
/// and every resource in it, only to throw it away: the header was built three times per page
/// and the alerts page's content one and a half times on average (callgrind, 100 requests).
/// Pending once, the dry run builds nothing; the render, which polls until ready, builds once.
pub async fn after_dry_run() {
    struct PendingOnce(bool);
    impl std::future::Future for PendingOnce {
        type Output = ();
        fn poll(
            mut self: std::pin::Pin<&mut Self>,
            context: &mut std::task::Context<'_>,
        ) -> std::task::Poll<()> {
            if self.0 {
                return std::task::Poll::Ready(());
            }
            self.0 = true;
            context.waker().wake_by_ref();
            std::task::Poll::Pending
        }
    }
    PendingOnce(false).await
}
