use super::Ready;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;

/// A page that does not exist. The server answers it with status 404.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    set_status(http::StatusCode::NOT_FOUND);
    Ready::new(view! {
        <Title text="Page not found" />
        <section class="card narrow">
            <h1>"Page not found"</h1>
            <p>"We could not find that page. Check the address, or go back to the start."</p>
            <p>
                <a href="/" rel="external">"Go to the start"</a>
            </p>
        </section>
    })
}

/// A page the signed-in person's role may not open. The server answers it with status 403.
#[component]
pub fn Forbidden() -> impl IntoView {
    #[cfg(feature = "ssr")]
    set_status(http::StatusCode::FORBIDDEN);
    Ready::new(view! {
        <Title text="Not allowed" />
        <section class="card narrow">
            <h1>"Not allowed"</h1>
            <p>"Your sign-in does not give access to this page."</p>
            <p>
                <a href="/" rel="external">"Go to your home page"</a>
            </p>
        </section>
    })
}

/// An error from a server function, in the words of [`AppError`].
#[component]
pub fn ErrorNotice(error: AppError) -> impl IntoView {
    view! {
        <div class="notice notice--error" role="alert">
            <p>{error.to_string()}</p>
        </div>
    }
}

#[cfg(feature = "ssr")]
fn set_status(status: http::StatusCode) {
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(status);
    }
}
