use super::{notices::ErrorNotice, Forbidden, Loading, ViewerResource};
use crate::auth::page_access;
use leptos::prelude::*;
use leptos_router::hooks::use_location;

/// Shows its children only to a viewer the page's [`page_access`] entry permits.
///
/// The server's page guard already redirects anonymous visitors and answers 403 before anything
/// renders; this keeps client-side navigation to the same rule.
#[component]
pub fn Guarded(children: ChildrenFn) -> impl IntoView {
    let viewer = expect_context::<ViewerResource>().0;
    let path = use_location().pathname;
    view! {
        <Suspense fallback=Loading>
            {move || {
                let children = children.clone();
                Suspend::new(async move {
                    let access = page_access(&path.get_untracked());
                    match viewer.await {
                        Ok(Some(viewer)) if access.is_none_or(|a| a.permits(viewer.role)) => {
                            children().into_any()
                        }
                        Ok(Some(_)) => view! { <Forbidden /> }.into_any(),
                        Ok(None) => {
                            view! {
                                <section class="card narrow">
                                    <h1>"Please sign in"</h1>
                                    <p>
                                        <a href="/signin">"Sign in"</a>
                                        " to see this page."
                                    </p>
                                </section>
                            }
                                .into_any()
                        }
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}
