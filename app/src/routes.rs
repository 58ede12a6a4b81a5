//! The application's top: the HTML document and the route table, which name every page. Nothing
//! below imports from here.
//!
//! Access is the server's: its page guard (`server/src/http/guard.rs`) sends anonymous visitors to
//! sign in and answers a page the viewer's role may not open with the not-allowed page before any
//! of it runs, from the one declaration in `auth::access`. Pages are only ever rendered by the
//! server (islands, no client-side routing), so the route table checks nothing more.

use crate::accounts::AccountPage;
use crate::acting::AdminMode;
use crate::activity::ActivityPage;
use crate::auth::{
    EnrollPage, NewPasswordPage, ResetLinkPage, ResetPage, SecondFactorPage, SecurityPage,
    SignInPage,
};
use crate::events::{PeakDaysPage, ProgramEventsPage};
use crate::preferences::{AlertsPage, NotificationsPage};
use crate::programs::{AccountProgramsPage, DevicesPage, ProgramEditPage, ProgramsPage};
use crate::shell::{AssetPaths, Forbidden, Header, IslandLoader, IslandScripts, NotFound, Ready};
use crate::staff::{AdminPage, AgentPage};
use leptos::children::ToChildren;
use leptos::prelude::*;
use leptos::tachys::view::iterators::StaticVec;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::any_nested_route::AnyNestedRoute;
use leptos_router::{
    components::{ParentRoute, Route, RouteChildren, Router, Routes, RoutesProps},
    hooks::use_url,
    path, MatchNestedRoutes, RouteList, SsrMode,
};

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let paths =
        use_context::<AssetPaths>().unwrap_or_else(|| AssetPaths::unhashed(&options.output_name));
    view! {
        <!DOCTYPE html>
        <html lang="en">
            // Nothing in the head waits: rendered in one pass (see `shell::Ready`).
            {Ready::new(view! {
                <head>
                    <meta charset="utf-8" />
                    <meta name="viewport" content="width=device-width, initial-scale=1" />
                    <meta name="color-scheme" content="light" />
                    <link rel="stylesheet" href=paths.stylesheet.clone() />
                    <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                    <IslandScripts paths=paths.clone() />
                    <MetaTags />
                </head>
            })}
            <body>
                <App />
                <IslandLoader paths />
            </body>
        </html>
    }
}

/// The application: header, routes, and the pages behind them.
///
/// Every page renders whole on the server before it is sent (`SsrMode::Async`): out-of-order
/// streaming needs a script to put the streamed parts in place, and forms must work without any;
/// and a page sent whole is one write, not a stream of them (measured with perf on `/account`:
/// a tenth of the server's time was in the socket writes and stream plumbing of streaming).
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();

    view! {
        <Title formatter=|title: String| format!("{title} · Peakday") />
        <Router>
            <a class="skip-link" href="#main">
                "Skip to main content"
            </a>
            <Header />
            <main id="main" tabindex="-1">
                {Routes(
                    RoutesProps::builder()
                        .fallback(NotFound)
                        .children(RouteChildren::to_children(route_table))
                        .build(),
                )}
            </main>
        </Router>
    }
}

/// The routes that match this request's path, in the table's order. `<Routes>` takes its table
/// by value, so the table is built once per thread (building it in place, each route numbered,
/// its methods hashed into a set, its view boxed, cost every page about 10k instructions) and
/// only the routes that match are cloned for the request: cloning all of them cost every page
/// about 15k instructions (`scripts/profile.sh`). `<Routes>` still chooses among those, by the
/// same matching, so the first match of the whole table is the one it renders, and a path no
/// route matches leaves it none: the fallback, as before.
fn route_table() -> StaticVec<AnyNestedRoute> {
    thread_local! {
        static TABLE: Vec<AnyNestedRoute> = vec![
            view! {
                <Route path=path!("/signin") view=SignInPage ssr=SsrMode::Async />
            }
            .into_inner(),
            // What the server's page guard answers a page the viewer's role may not open.
            view! {
                <Route path=path!("/not-allowed") view=Forbidden ssr=SsrMode::Async />
            }
            .into_inner(),
            // The later steps of signing in and a reset link: rendered whole on the
            // server, with plain forms.
            view! {
                <Route path=path!("/signin/verify") view=SecondFactorPage ssr=SsrMode::Async />
            }
            .into_inner(),
            view! {
                <Route path=path!("/signin/new-password") view=NewPasswordPage ssr=SsrMode::Async />
            }
            .into_inner(),
            view! {
                <Route path=path!("/signin/two-step") view=EnrollPage ssr=SsrMode::Async />
            }
            .into_inner(),
            view! {
                <Route path=path!("/signin/reset") view=ResetPage ssr=SsrMode::Async />
            }
            .into_inner(),
            view! {
                <Route
                    path=path!("/security")
                    view=SecurityPage
                    ssr=SsrMode::Async
                />
            }
            .into_inner(),
            view! {
                <Route
                    path=path!("/account")
                    view=AccountPage
                    ssr=SsrMode::Async
                />
            }
            .into_inner(),
            view! {
                <Route
                    path=path!("/account/alerts")
                    view=AlertsPage
                    ssr=SsrMode::Async
                />
            }
            .into_inner(),
            view! {
                <Route
                    path=path!("/account/notifications")
                    view=NotificationsPage
                    ssr=SsrMode::Async
                />
            }
            .into_inner(),
            view! {
                <Route
                    path=path!("/account/programs")
                    view=AccountProgramsPage
                    ssr=SsrMode::Async
                />
            }
            .into_inner(),
            view! {
                <Route
                    path=path!("/account/devices")
                    view=DevicesPage
                    ssr=SsrMode::Async
                />
            }
            .into_inner(),
            view! {
                <Route
                    path=path!("/account/events")
                    view=PeakDaysPage
                    ssr=SsrMode::Async
                />
            }
            .into_inner(),
            view! {
                <Route
                    path=path!("/account/activity")
                    view=ActivityPage
                    ssr=SsrMode::Async
                />
            }
            .into_inner(),
            view! {
                <Route
                    path=path!("/agent")
                    view=AgentPage
                    ssr=SsrMode::Async
                />
            }
            .into_inner(),
            // Admin mode: the customer's own pages, for the account in the URL.
            view! {
                <ParentRoute
                    path=path!("/agent/accounts/:number")
                    view=AdminMode
                    ssr=SsrMode::Async
                >
                    <Route path=path!("") view=AccountPage />
                    <Route path=path!("alerts") view=AlertsPage />
                    <Route path=path!("notifications") view=NotificationsPage />
                    <Route path=path!("programs") view=AccountProgramsPage />
                    <Route path=path!("devices") view=DevicesPage />
                    <Route path=path!("events") view=PeakDaysPage />
                    <Route path=path!("activity") view=ActivityPage />
                </ParentRoute>
            }
            .into_inner(),
            view! {
                <Route
                    path=path!("/programs")
                    view=ProgramsPage
                    ssr=SsrMode::Async
                />
            }
            .into_inner(),
            view! {
                <Route
                    path=path!("/programs/:id")
                    view=ProgramEditPage
                    ssr=SsrMode::Async
                />
            }
            .into_inner(),
            view! {
                <Route
                    path=path!("/programs/:id/events")
                    view=ProgramEventsPage
                    ssr=SsrMode::Async
                />
            }
            .into_inner(),
            view! {
                <Route path=path!("/admin") view=AdminPage ssr=SsrMode::Async />
            }
            .into_inner(),
            view! {
                <Route
                    path=path!("/admin/reset-link")
                    view=ResetLinkPage
                    ssr=SsrMode::Async
                />
            }
            .into_inner(),
        ];
    }
    if RouteList::is_generating() {
        // The server's route list is read from this table once, at start-up: it needs them all.
        return TABLE.with(|table| StaticVec::from(table.clone()));
    }
    use_url().with_untracked(|url| {
        TABLE.with(|table| {
            let matching = matching_routes(table, url.path());
            StaticVec::from(matching.iter().map(|&i| table[i].clone()).collect::<Vec<_>>())
        })
    })
}

/// How many paths [`matching_routes`] remembers per thread before it starts again: pages with
/// an id in the path (an account's number) make a new path each, so the memory is bounded.
const REMEMBERED_PATHS: usize = 256;

/// The positions in `table` of the routes that match `path`, remembered per thread: matching
/// every route of the table against the path cost every page about 6k instructions
/// (`scripts/profile.sh /signin`: 21 `match_nested` calls), a lookup a few hundred.
fn matching_routes(table: &[AnyNestedRoute], path: &str) -> std::rc::Rc<[usize]> {
    use std::cell::RefCell;
    use std::collections::HashMap;
    use std::rc::Rc;
    thread_local! {
        static KNOWN: RefCell<HashMap<String, Rc<[usize]>>> = RefCell::new(HashMap::new());
    }
    KNOWN.with_borrow_mut(|known| {
        if let Some(matching) = known.get(path) {
            return matching.clone();
        }
        let matching: Rc<[usize]> =
            (0..table.len()).filter(|&i| table[i].match_nested(path).0.is_some()).collect();
        if known.len() >= REMEMBERED_PATHS {
            known.clear();
        }
        known.insert(path.to_owned(), matching.clone());
        matching
    })
}
