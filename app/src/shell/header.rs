use super::Ready;
use crate::auth::{page_access, signed_in, SignedInAs};
use leptos::prelude::*;

/// Navigation entries; each shows only to roles its page admits.
const NAVIGATION: &[(&str, &str)] = &[
    ("/account", "My account"),
    ("/account/alerts", "Alerts & recipients"),
    ("/account/notifications", "Account notifications"),
    ("/account/programs", "Programs"),
    ("/account/devices", "My devices"),
    ("/account/events", "Peak days"),
    ("/account/activity", "Activity"),
    ("/agent", "Customer service"),
    ("/programs", "Programs"),
    ("/admin", "Administration"),
    ("/security", "Sign-in & security"),
];

/// The banner: the product's name, the signed-in person's navigation, who they are, and Sign out.
#[component]
pub fn Header() -> impl IntoView {
    let viewer = signed_in();
    Ready::new(view! {
        <header class="site-header">
            <div class="site-header__inner">
                // "/" is answered by the server (it sends each role to its home), not by the router.
                <a class="brand" href="/" rel="external">"Peakday"</a>
                {viewer.map(|viewer| view! { <SignedInBar viewer /> })}
            </div>
        </header>
    })
}

#[component]
fn SignedInBar(viewer: SignedInAs) -> impl IntoView {
    // Plain links: pages are rendered by the server alone (no client-side routing), so the
    // current page is known here once.
    let here = leptos_router::hooks::use_location().pathname.get_untracked();
    let links = NAVIGATION
        .iter()
        .filter(|(href, _)| page_access(href).is_some_and(|access| access.permits(viewer.role)))
        .map(|(href, label)| {
            let current = (here == *href).then_some("page");
            view! { <li><a href=*href aria-current=current>{*label}</a></li> }
        })
        .collect_view();
    view! {
        <nav aria-label="Main">
            <ul class="nav-links">{links}</ul>
        </nav>
        <div class="who">
            <span class="who__name">
                "Signed in as " <strong>{viewer.display_name}</strong>
                <span class="who__role">{format!(" ({})", viewer.role.label())}</span>
            </span>
            // A plain form: signing out is a full page load, so nothing of the account stays in
            // the page or the router's history state.
            <form method="post" action="/signout">
                <button type="submit" class="secondary">"Sign out"</button>
            </form>
        </div>
    }
}
