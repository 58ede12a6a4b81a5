use super::{
    guard::Guarded, header::Header, notices::Forbidden, notices::NotFound, ViewerResource,
};
use crate::accounts::AccountPage;
use crate::acting::AdminMode;
use crate::activity::ActivityPage;
use crate::auth::{
    current_viewer, EnrollPage, NewPasswordPage, ResetLinkPage, ResetPage, SecondFactorPage,
    SecurityPage, SignInPage,
};
use crate::preferences::{AlertsPage, NotificationsPage};
use crate::programs::{AccountProgramsPage, DevicesPage, ProgramEditPage, ProgramsPage};
use crate::staff::{AdminPage, AgentPage};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::{
    components::{ParentRoute, Route, Router, Routes},
    path, SsrMode,
};

/// The page the server renders, with status 403, in place of a page the viewer may not open.
pub const FORBIDDEN_PAGE: &str = "/not-allowed";

/// Paths of the built static assets whose names carry a content hash, resolved by the server at
/// start-up from cargo-leptos' `hash.txt`.
#[derive(Clone, Debug)]
pub struct AssetPaths {
    pub stylesheet: String,
}

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let stylesheet = use_context::<AssetPaths>()
        .map(|paths| paths.stylesheet)
        .unwrap_or_else(|| format!("/{}/{}.css", options.site_pkg_dir, options.output_name));
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light" />
                <link rel="stylesheet" href=stylesheet />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <HydrationScripts options islands=true />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The application: header, routes, and the pages behind them.
///
/// Pages with forms render whole on the server (`SsrMode::Async`): out-of-order streaming needs
/// a script to put the streamed parts in place, and those forms must work without any.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_context(ViewerResource(Resource::new(|| (), |_| current_viewer())));

    view! {
        <Title formatter=|title: String| format!("{title} · Peakday") />
        <Router>
            <a class="skip-link" href="#main">
                "Skip to main content"
            </a>
            <Header />
            <main id="main" tabindex="-1">
                <Routes fallback=NotFound>
                    <Route path=path!("/signin") view=SignInPage />
                    // What the server's page guard answers a page the viewer's role may not open.
                    <Route path=path!("/not-allowed") view=Forbidden />
                    // The later steps of signing in and a reset link: rendered whole on the
                    // server, with plain forms.
                    <Route path=path!("/signin/verify") view=SecondFactorPage ssr=SsrMode::Async />
                    <Route path=path!("/signin/new-password") view=NewPasswordPage ssr=SsrMode::Async />
                    <Route path=path!("/signin/two-step") view=EnrollPage ssr=SsrMode::Async />
                    <Route path=path!("/signin/reset") view=ResetPage ssr=SsrMode::Async />
                    <Route
                        path=path!("/security")
                        view=|| view! { <Guarded><SecurityPage /></Guarded> }
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/account")
                        view=|| view! { <Guarded><AccountPage /></Guarded> }
                    />
                    <Route
                        path=path!("/account/alerts")
                        view=|| view! { <Guarded><AlertsPage /></Guarded> }
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/account/notifications")
                        view=|| view! { <Guarded><NotificationsPage /></Guarded> }
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/account/programs")
                        view=|| view! { <Guarded><AccountProgramsPage /></Guarded> }
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/account/devices")
                        view=|| view! { <Guarded><DevicesPage /></Guarded> }
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/account/activity")
                        view=|| view! { <Guarded><ActivityPage /></Guarded> }
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/agent")
                        view=|| view! { <Guarded><AgentPage /></Guarded> }
                        ssr=SsrMode::Async
                    />
                    // Admin mode: the customer's own pages, for the account in the URL.
                    <ParentRoute
                        path=path!("/agent/accounts/:number")
                        view=|| view! { <Guarded><AdminMode /></Guarded> }
                        ssr=SsrMode::Async
                    >
                        <Route path=path!("") view=AccountPage />
                        <Route path=path!("alerts") view=AlertsPage />
                        <Route path=path!("notifications") view=NotificationsPage />
                        <Route path=path!("programs") view=AccountProgramsPage />
                        <Route path=path!("devices") view=DevicesPage />
                        <Route path=path!("activity") view=ActivityPage />
                    </ParentRoute>
                    <Route
                        path=path!("/programs")
                        view=|| view! { <Guarded><ProgramsPage /></Guarded> }
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/programs/:id")
                        view=|| view! { <Guarded><ProgramEditPage /></Guarded> }
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("/admin") view=|| view! { <Guarded><AdminPage /></Guarded> } />
                    <Route
                        path=path!("/admin/reset-link")
                        view=|| view! { <Guarded><ResetLinkPage /></Guarded> }
                    />
                </Routes>
            </main>
        </Router>
    }
}
