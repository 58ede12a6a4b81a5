//! Test databases: every storage test body runs against a fresh SQLite file and a fresh
//! PostgreSQL database (created per test, dropped afterwards).
#![allow(dead_code)]

use axum::body::Body;
use axum::Router;
use http::header::{CONTENT_TYPE, ORIGIN, SET_COOKIE};
use http::{Request, Response, StatusCode};
use peakday_server::config::HttpConfig;
use peakday_server::demo::seed_if_empty;
use peakday_server::http::AppState;
use peakday_server::store::Store;
use std::sync::atomic::{AtomicU32, Ordering};
use tower::ServiceExt;

pub mod head_end;

/// The origin the test router is addressed as.
pub const SITE: &str = "http://127.0.0.1:3000";

/// One request through the router, in process.
pub async fn send(app: &Router, request: Request<Body>) -> Response<Body> {
    app.clone().oneshot(request).await.unwrap()
}

/// A form posted to server function `path` from the page at `page` as a browser sends it
/// before the WASM arrives (asking for HTML, so it is answered with a redirect to the page).
pub fn plain_post(path: &str, page: &str, cookie: &str, body: impl Into<String>) -> Request<Body> {
    Request::post(path)
        .header("host", "127.0.0.1:3000")
        .header(ORIGIN, SITE)
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(http::header::ACCEPT, "text/html")
        .header(http::header::REFERER, format!("{SITE}{page}"))
        .header(http::header::COOKIE, cookie)
        .body(Body::from(body.into()))
        .unwrap()
}

/// A GET of `path` on the test router's host, signed in when `cookie` is given.
pub fn get(path: &str, cookie: Option<&str>) -> Request<Body> {
    let mut request = Request::get(path).header("host", "127.0.0.1:3000");
    if let Some(cookie) = cookie {
        request = request.header(http::header::COOKIE, cookie);
    }
    request.body(Body::empty()).unwrap()
}

pub async fn body_text(response: Response<Body>) -> String {
    let bytes = axum::body::to_bytes(response.into_body(), 4 * 1024 * 1024).await.unwrap();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Signs in through the form handlers and returns `name=value` of the session cookie: the
/// password, then, for the demo's staff, a code of the demo's second factor.
pub async fn sign_in(app: &Router, email: &str, password: &str) -> String {
    let response =
        post_step(app, "/signin", &format!("email={email}&password={password}&next="), None).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{email} signs in");
    let cookie = session_cookie(&response).expect("sign-in sets a session cookie");
    if location(&response) != peakday_app::auth::SECOND_FACTOR_PAGE {
        return cookie;
    }
    second_factor(app, &cookie, peakday_server::demo::DEMO_TOTP_SECRET).await
}

/// Passes the second step with a code of `secret`: the current step's code, or (when a test
/// signed in as the same person moments ago, and that code was used) the next step's, which
/// the server accepts too; past both, the code of the step after waiting for it.
pub async fn second_factor(app: &Router, cookie: &str, secret: &str) -> String {
    let now = peakday_server::store::now();
    for at in [now, now + 30, now + 60] {
        if at > peakday_server::store::now() + 30 {
            // Both codes the server takes now were used: wait for the next step.
            tokio::time::sleep(std::time::Duration::from_secs((30 - now % 30) as u64 + 1)).await;
        }
        let code = peakday_server::auth::second_factor::code_at(secret, at).unwrap();
        let response =
            post_step(app, "/signin/verify", &format!("code={code}"), Some(cookie)).await;
        let refused = format!("{}?problem=wrong_code", peakday_app::auth::SECOND_FACTOR_PAGE);
        if location(&response) != refused {
            assert_eq!(response.status(), StatusCode::SEE_OTHER);
            return session_cookie(&response).expect("the second step sets a new session cookie");
        }
    }
    panic!("no code of the second factor was accepted");
}

/// A new staff member's first sign-in, through every step: the one-time password, a password
/// of their own, and setting up the second factor (the secret read as their app would from
/// the page's setup). Returns the signed-in session's cookie.
pub async fn first_staff_sign_in(app: &Router, email: &str, one_time: &str, own: &str) -> String {
    use peakday_app::auth::{ENROLL_PAGE, NEW_PASSWORD_PAGE};
    let response =
        post_step(app, "/signin", &format!("email={email}&password={one_time}&next="), None).await;
    assert_eq!(location(&response), NEW_PASSWORD_PAGE, "{email}: a password of their own first");
    let cookie = session_cookie(&response).unwrap();
    let own = own.replace(' ', "+");
    let body = format!("password={own}&confirm={own}");
    let response = post_step(app, NEW_PASSWORD_PAGE, &body, Some(&cookie)).await;
    assert_eq!(location(&response), ENROLL_PAGE, "{email}: then the second factor");
    let cookie = session_cookie(&response).unwrap();
    let page = Request::get(ENROLL_PAGE)
        .header("host", "127.0.0.1:3000")
        .header(http::header::COOKIE, &cookie)
        .body(Body::empty())
        .unwrap();
    let html = body_text(send(app, page).await).await;
    let secret: String = html
        .split("<code class=\"secret\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .expect("the setup page shows the key")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let code = peakday_server::auth::second_factor::code_at(&secret, peakday_server::store::now())
        .unwrap();
    let response = post_step(app, ENROLL_PAGE, &format!("code={code}"), Some(&cookie)).await;
    assert!(!location(&response).starts_with("/signin"), "{email}: signed in");
    session_cookie(&response).unwrap()
}

/// A customer account of a test's own (`peakday add-customer`): one electric service point
/// `SP-<number>`, password `amber-kettle-orbit-73`. Returns the sign-in email.
pub async fn new_customer(db: &TestDb, number: &str, email: &str) -> String {
    let customer = peakday_server::onboarding::NewCustomer {
        account_number: number.to_owned(),
        name: "Casey Morgan".to_owned(),
        service_address: "1 Main Street, Springfield, NY 12345".to_owned(),
        email: email.to_owned(),
        password: "amber-kettle-orbit-73".to_owned(),
        rate_class: "R-PTR".to_owned(),
        mobile: None,
    };
    peakday_server::onboarding::add_customer(&db.store, &customer).await.unwrap();
    email.to_owned()
}

/// A server function call as the browser's WASM makes it: a same-origin form post asking for
/// JSON, with the session's cookie.
pub fn call(path: &str, body: &str, cookie: &str) -> Request<Body> {
    Request::post(path)
        .header("host", "127.0.0.1:3000")
        .header(ORIGIN, SITE)
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(http::header::ACCEPT, "application/json")
        .header(http::header::COOKIE, cookie)
        .body(Body::from(body.to_owned()))
        .unwrap()
}

/// Calls a server function and returns its status and JSON answer.
pub async fn api(
    app: &Router,
    path: &str,
    body: &str,
    cookie: &str,
) -> (StatusCode, serde_json::Value) {
    let response = send(app, call(path, body, cookie)).await;
    let status = response.status();
    let text = body_text(response).await;
    (status, serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)))
}

/// A same-origin form post, with a cookie if given.
pub async fn post_step(
    app: &Router,
    path: &str,
    body: &str,
    cookie: Option<&str>,
) -> Response<Body> {
    let mut request = Request::post(path)
        .header("host", "127.0.0.1:3000")
        .header(ORIGIN, SITE)
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(cookie) = cookie {
        request = request.header(http::header::COOKIE, cookie);
    }
    send(app, request.body(Body::from(body.to_owned())).unwrap()).await
}

/// The `Location` a response sends the browser to.
pub fn location(response: &Response<Body>) -> String {
    response
        .headers()
        .get(http::header::LOCATION)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// `name=value` of the session cookie a response sets; `None` when it clears it.
pub fn session_cookie(response: &Response<Body>) -> Option<String> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .filter_map(|set| set.split(';').next().map(str::trim))
        .find(|pair| pair.contains("peakday_session="))
        .filter(|pair| !pair.ends_with('='))
        .map(str::to_owned)
}

/// Where PostgreSQL is reached to create and drop test databases.
pub fn postgres_admin_url() -> String {
    std::env::var("PEAKDAY_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// A database for one test; removed when dropped.
pub struct TestDb {
    pub store: Store,
    pub name: &'static str,
    /// Where the store was opened: open it again to play a restart.
    pub url: String,
    _sqlite_dir: Option<tempfile::TempDir>,
    postgres_database: Option<String>,
}

impl TestDb {
    pub async fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let url = format!("sqlite://{}", dir.path().join("peakday.db").display());
        let store = Store::connect(&url).await.expect("SQLite opens");
        store.migrate().await.expect("SQLite migrations apply");
        Self { store, name: "sqlite", url, _sqlite_dir: Some(dir), postgres_database: None }
    }

    pub async fn postgres() -> Self {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let database = format!(
            "peakday_test_{}_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed),
            rand_suffix()
        );
        let admin = Store::connect(&postgres_admin_url()).await.expect(
            "PostgreSQL is reachable at PEAKDAY_TEST_POSTGRES_URL (default 127.0.0.1:5432)",
        );
        admin.execute_admin(&format!("CREATE DATABASE {database}")).await.expect("CREATE DATABASE");
        admin.close().await;
        let url = replace_database(&postgres_admin_url(), &database);
        let store = Store::connect(&url).await.expect("the test database opens");
        store.migrate().await.expect("PostgreSQL migrations apply");
        Self { store, name: "postgres", url, _sqlite_dir: None, postgres_database: Some(database) }
    }

    /// One of each backend.
    pub async fn all() -> Vec<TestDb> {
        vec![Self::sqlite().await, Self::postgres().await]
    }

    /// Seeds the demo data and returns self, for tests that sign in as the demo users.
    pub async fn seeded(self) -> Self {
        seed_if_empty(&self.store).await.expect("the demo data seeds");
        self
    }

    pub fn app_state(&self) -> AppState {
        peakday_server::app_state(self.store.clone(), HttpConfig::local(site_root()), None)
    }

    /// The app state with a head-end at `url` signing with `secret`.
    pub fn app_state_with_head_end(&self, url: &str, secret: &str) -> AppState {
        let mut config = HttpConfig::local(site_root());
        config.head_end = peakday_server::programs::head_end::HeadEndConfig {
            url: Some(url.to_owned()),
            secret: Some(secret.to_owned()),
        };
        peakday_server::app_state(self.store.clone(), config, None)
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some(database) = self.postgres_database.take() else { return };
        // Drop runs on the test's runtime, which this blocks: a thread with its own runtime does
        // the work, and FORCE ends the test pool's connections without waiting on that runtime.
        std::thread::spawn(move || {
            let runtime =
                tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            runtime.block_on(async move {
                if let Ok(admin) = Store::connect(&postgres_admin_url()).await {
                    let _ = admin
                        .execute_admin(&format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"))
                        .await;
                    admin.close().await;
                }
            });
        })
        .join()
        .ok();
    }
}

/// A site root with a hashed asset, for the static-file tests.
pub fn site_root() -> std::path::PathBuf {
    let root = std::env::temp_dir().join(format!("peakday-test-site-{}", std::process::id()));
    std::fs::create_dir_all(root.join("pkg")).unwrap();
    std::fs::write(root.join("pkg/peakday.0123abcd.js"), "export default function() {}\n").unwrap();
    std::fs::write(root.join("pkg/peakday.0123abcd.js.br"), "brotli bytes").unwrap();
    std::fs::write(root.join("favicon.svg"), "<svg xmlns=\"http://www.w3.org/2000/svg\"/>")
        .unwrap();
    root
}

fn rand_suffix() -> u32 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default()
}

fn replace_database(url: &str, database: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let base = base.rsplit_once('/').map_or(base, |(prefix, _)| prefix);
    match query {
        Some(query) => format!("{base}/{database}?{query}"),
        None => format!("{base}/{database}"),
    }
}
