//! The HTTP edge: the axum router with the Leptos pages and server functions, the session,
//! same-origin and page-access checks, and the security and caching headers every response gets.

mod assets;
mod errors;
mod guard;
mod headers;
mod health;
mod origin;
mod refusal;
mod serve;
mod session;
mod signin;

pub use assets::{asset_paths, Assets};
pub use serve::{serve, Limits, HEADER_READ_TIMEOUT, MAX_CONNECTIONS};

use crate::auth::AuthService;
use crate::config::HttpConfig;
use crate::store::Store;
use axum::extract::FromRef;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::{get, post};
use axum::Router;
use http::StatusCode;
use leptos::prelude::*;
use leptos_axum::{
    file_and_error_handler_with_context, generate_route_list, AxumRouteListing, LeptosRoutes,
};
use peakday_app::shell::AssetPaths;
use peakday_app::{shell, App};
use std::sync::Arc;
use std::time::Duration;
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// Largest request body accepted. Forms and server-function calls are small.
pub const BODY_LIMIT_BYTES: usize = 64 * 1024;

/// The app's pages, listed once per process. Listing them renders the app with resource loads
/// suspended by a flag that is global to the process (leptos_server 0.8's
/// `SuppressResourceLoad`): a page rendering meanwhile, on another router of the same process,
/// had a resource that never loaded, and its request hung until the 408 (seen in the HTTP tests,
/// which build a router per test in parallel; leptos-rs/leptos#4773). Listed once, behind a
/// lock every router waits on, no render can overlap the listing.
pub fn page_routes() -> Vec<AxumRouteListing> {
    static ROUTES: std::sync::LazyLock<Vec<AxumRouteListing>> =
        std::sync::LazyLock::new(|| generate_route_list(App));
    ROUTES.clone()
}

/// A request still running after this is answered 408.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Everything a request handler may need. Cloned for every middleware layer of every request,
/// so it is one shared pointer ([`State`]) to this.
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub store: Store,
    pub auth: AuthService,
    /// Every feature's service (server functions find them in Leptos context).
    pub services: crate::services::Services,
    pub config: Arc<HttpConfig>,
    pub assets: AssetPaths,
    /// The built `/pkg` files, loaded at start-up.
    pub static_files: Assets,
}

/// The app state as handlers and middleware hold it: one reference count per clone.
#[derive(Clone)]
pub struct Shared(Arc<AppState>);

impl Shared {
    pub fn new(state: AppState) -> Self {
        Self(Arc::new(state))
    }
}

impl std::ops::Deref for Shared {
    type Target = AppState;
    fn deref(&self) -> &AppState {
        &self.0
    }
}

impl FromRef<Shared> for LeptosOptions {
    fn from_ref(state: &Shared) -> Self {
        state.leptos_options.clone()
    }
}

/// What every page and server function finds in Leptos context: the services and the built
/// assets' names; and the page's nonce is recorded for its CSP header.
fn page_context(state: &AppState) -> impl Fn() + Clone + Send + Sync + 'static {
    let services = state.services.clone();
    let assets = state.assets.clone();
    move || {
        services.provide();
        provide_context(assets.clone());
        headers::provide_page_nonce();
    }
}

/// Renders the page at the request's path with `value` in its context: the answer to a post
/// that shows something once (an administrator's reset link).
pub async fn render_page_with<T: Clone + Send + Sync + 'static>(
    state: &AppState,
    request: axum::extract::Request,
    value: T,
) -> axum::response::Response {
    let context = page_context(state);
    let options = state.leptos_options.clone();
    let render = leptos_axum::render_app_to_stream_with_context(
        move || {
            context();
            provide_context(value.clone());
        },
        move || shell(options.clone()),
    );
    axum::response::IntoResponse::into_response(render(request).await)
}

/// The whole application as one router.
pub fn router(state: AppState) -> Router {
    let state = Shared::new(state);
    let context = page_context(&state);
    let app_shell = {
        let options = state.leptos_options.clone();
        move || shell(options.clone())
    };

    // Pages, server functions and the sign-in handlers: they know who is signed in. Every route
    // of our own is declared with its access in `peakday_app::auth::HANDLERS`; the access tests
    // call each one as every role.
    let pages = Router::new()
        .route("/", get(signin::home))
        .route("/signin", post(signin::sign_in))
        .route("/signin/verify", post(signin::second_factor))
        .route("/signin/new-password", post(signin::new_password))
        .route("/signin/two-step", post(signin::enroll))
        .route("/signin/reset", post(signin::reset))
        .route("/signout", post(signin::sign_out))
        .route("/admin/reset-link", post(signin::reset_link))
        .leptos_routes_with_context(&state, page_routes(), context.clone(), app_shell)
        .fallback(file_and_error_handler_with_context::<Shared, _>(context, shell))
        .with_state(state.clone());
    // One stack of layers around the whole pages router, outermost first. `Router::layer` would
    // wrap each of its 30-odd routes instead, and every layer clones what it wraps on every
    // request: the route's whole stack, handler included, 26 times per page (callgrind).
    let pages = ServiceBuilder::new()
        .layer(from_fn(headers::no_store_for_dynamic))
        .layer(from_fn(errors::bounded_body))
        .layer(from_fn_with_state(state.clone(), origin::same_origin_only))
        .layer(from_fn_with_state(state.clone(), origin::known_host_only))
        .layer(from_fn(errors::status_of_refusals))
        .layer(from_fn_with_state(state.clone(), session::resolve_session))
        .layer(from_fn_with_state(state.clone(), refusal::sign_refusal_redirects))
        .layer(from_fn_with_state(state.clone(), refusal::drop_forged_refusals))
        .layer(from_fn(guard::page_guard))
        .service(pages);

    Router::new()
        .route("/healthz", get(health::health))
        .nest("/pkg", assets::hashed_assets(state.static_files.clone()))
        // Systems, not browsers: no session, no same-origin check; each request is signed.
        .nest("/api/v1", crate::programs::head_end::api::router())
        // Everything else is a page, a server function or a sign-in handler.
        .fallback_service(pages)
        .with_state(state.clone())
        .layer(CompressionLayer::new())
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT_BYTES))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, REQUEST_TIMEOUT))
        .layer(from_fn_with_state(state.config.secure_cookies, headers::security_headers))
        .layer(
            ServiceBuilder::new()
                .layer(from_fn(set_aside_client_request_id))
                .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
                .layer(TraceLayer::new_for_http().make_span_with(request_span))
                .layer(PropagateRequestIdLayer::x_request_id()),
        )
}

/// A call to a server function: a POST under Leptos' `/api/` prefix. (The head-end's `/api/v1`
/// is routed apart, outside the pages' layers that ask.)
fn is_server_function_call(request: &axum::extract::Request) -> bool {
    request.method() == http::Method::POST && request.uri().path().starts_with("/api/")
}

/// The `X-Request-Id` a client sent: logged beside ours, never used as ours, so nobody outside
/// can make two requests share an id in the logs or write into them.
#[derive(Clone)]
struct ClientRequestId(String);

/// Takes the client's `X-Request-Id` off the request (the next layer then always makes a new
/// one), keeping a short printable copy for the log.
async fn set_aside_client_request_id(
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    if let Some(value) = request.headers_mut().remove("x-request-id") {
        let printable: String = String::from_utf8_lossy(value.as_bytes())
            .chars()
            .filter(|c| c.is_ascii_graphic())
            .take(64)
            .collect();
        request.extensions_mut().insert(ClientRequestId(printable));
    }
    next.run(request).await
}

/// Each request's log lines carry its method, path and request id (and the client's own id, if
/// it sent one).
fn request_span(request: &http::Request<axum::body::Body>) -> tracing::Span {
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    let client_request_id =
        request.extensions().get::<ClientRequestId>().map(|id| id.0.as_str()).unwrap_or_default();
    tracing::info_span!(
        "request",
        method = %request.method(),
        path = %request.uri().path(),
        request_id,
        client_request_id
    )
}
