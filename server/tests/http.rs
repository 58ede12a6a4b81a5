//! The HTTP edge through the real router, in process (`tower::ServiceExt::oneshot`).

mod common;

use axum::body::Body;
use axum::Router;
use common::{body_text, get, send, session_cookie, sign_in, TestDb, SITE};
use http::header::{CACHE_CONTROL, CONTENT_TYPE, COOKIE, LOCATION, ORIGIN, SET_COOKIE};
use http::{Request, Response, StatusCode};
use peakday_server::accounts;
use peakday_server::config::HttpConfig;
use peakday_server::http::router;
use peakday_server::preferences;

async fn app(db: &TestDb) -> Router {
    router(db.app_state())
}

fn post_form(path: &str, body: &str, origin: &str, cookie: Option<&str>) -> Request<Body> {
    let mut request = Request::post(path)
        .header("host", "127.0.0.1:3000")
        .header(ORIGIN, origin)
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(cookie) = cookie {
        request = request.header(COOKIE, cookie);
    }
    request.body(Body::from(body.to_owned())).unwrap()
}

fn location(response: &Response<Body>) -> &str {
    response.headers().get(LOCATION).and_then(|v| v.to_str().ok()).unwrap_or_default()
}

#[tokio::test]
async fn health_reports_the_database_on_both_backends() {
    for db in TestDb::all().await {
        let app = app(&db).await;
        let response = send(&app, get("/healthz", None)).await;
        assert_eq!(response.status(), StatusCode::OK);
        let body: serde_json::Value = serde_json::from_str(&body_text(response).await).unwrap();
        assert_eq!(body["status"], "ok");
        assert_eq!(body["database"]["backend"], db.name);
    }
}

#[tokio::test]
async fn signing_in_sets_an_http_only_lax_cookie_and_lands_on_the_role_home() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let app = app(&db).await;
        for (email, password, home) in [
            ("demo@peakday.example", "peakday-demo", "/account"),
            ("agent@peakday.example", "peakday-agent", "/agent"),
            ("pm@peakday.example", "peakday-pm", "/programs"),
            ("admin@peakday.example", "peakday-admin", "/admin"),
        ] {
            let body = format!("email={email}&password={password}&next=");
            let mut response = send(&app, post_form("/signin", &body, SITE, None)).await;
            assert_eq!(response.status(), StatusCode::SEE_OTHER, "{}", db.name);
            if home != "/account" {
                // Staff: a code from their authenticator app comes next, then their home.
                assert_eq!(location(&response), peakday_app::auth::SECOND_FACTOR_PAGE);
                let pending = common::session_cookie(&response).unwrap();
                let code = peakday_server::auth::second_factor::code_at(
                    peakday_server::demo::DEMO_TOTP_SECRET,
                    peakday_server::store::now(),
                )
                .unwrap();
                let step =
                    post_form("/signin/verify", &format!("code={code}"), SITE, Some(&pending));
                response = send(&app, step).await;
            }
            assert_eq!(location(&response), home);
            let cookie = response.headers().get(SET_COOKIE).unwrap().to_str().unwrap();
            assert!(cookie.starts_with("peakday_session="), "{cookie}");
            assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
            assert!(!cookie.contains("Secure"), "plain HTTP: no Secure flag");
        }
    }
}

#[tokio::test]
async fn over_https_the_cookie_is_secure_and_host_prefixed() {
    let db = TestDb::sqlite().await.seeded().await;
    let config = HttpConfig {
        public_origin: Some("https://portal.utility.example".into()),
        secure_cookies: true,
        ..HttpConfig::local(common::site_root())
    };
    let app = router(peakday_server::app_state(db.store.clone(), config, None));
    let body = "email=demo@peakday.example&password=peakday-demo";
    let request = Request::post("/signin")
        .header("host", "portal.utility.example")
        .header(ORIGIN, "https://portal.utility.example")
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    let response = send(&app, request).await;
    let cookie = response.headers().get(SET_COOKIE).unwrap().to_str().unwrap();
    assert!(
        cookie.starts_with("__Host-peakday_session=") && cookie.contains("; Secure"),
        "{cookie}"
    );
    // The sign-in's kept email (ended here) is `__Secure-` too.
    let kept = response.headers().get_all(SET_COOKIE).iter().filter_map(|v| v.to_str().ok());
    let kept: Vec<&str> = kept.filter(|set| set.contains("peakday_signin_email=")).collect();
    assert!(
        matches!(kept[..], [set] if set.starts_with("__Secure-peakday_signin_email=;") && set.contains("; Secure")),
        "{kept:?}"
    );
    assert!(response.headers().contains_key("strict-transport-security"));
}

#[tokio::test]
async fn a_wrong_password_returns_to_signin_with_one_message_and_no_cookie() {
    let db = TestDb::sqlite().await.seeded().await;
    let app = app(&db).await;
    let body = "email=demo@peakday.example&password=nope&next=%2Faccount";
    let response = send(&app, post_form("/signin", body, SITE, None)).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/signin?notice=invalid&next=%2Faccount");
    assert_eq!(session_cookie(&response), None);
    // The page it returns to says what went wrong and whom to ask, for a customer who forgot.
    let page = body_text(send(&app, get(location(&response), None)).await).await;
    assert!(page.contains("The email or password is not right"), "{page}");
    assert!(page.contains("Forgot your password? Contact your utility"), "{page}");
}

/// The `Set-Cookie` of `response` for the email a refused sign-in keeps.
fn kept_email(response: &Response<Body>) -> Option<String> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|set| set.starts_with("peakday_signin_email="))
        .map(str::to_owned)
}

#[tokio::test]
async fn a_refused_sign_in_comes_back_with_the_email_filled_in_and_never_in_the_url() {
    let db = TestDb::sqlite().await.seeded().await;
    let app = app(&db).await;
    let body = "email=Demo%40Peakday.example&password=nope&next=%2Faccount";
    let refused = send(&app, post_form("/signin", body, SITE, None)).await;
    assert!(!location(&refused).contains("peakday.example"), "{}", location(&refused));
    let set = kept_email(&refused).expect("the email is kept");
    for part in ["Path=/signin", "HttpOnly", "SameSite=Lax", "Max-Age=600"] {
        assert!(set.contains(part), "{set}");
    }
    let cookie = set.split(';').next().unwrap().to_owned();
    let page = body_text(send(&app, get(location(&refused), Some(&cookie))).await).await;
    assert!(page.contains(r#"value="demo@peakday.example""#), "{page}");

    // Signing in ends it; what is not an email address is never kept, and a cookie holding
    // anything else fills in nothing.
    let body = "email=demo%40peakday.example&password=peakday-demo";
    let signed_in = send(&app, post_form("/signin", body, SITE, None)).await;
    assert!(kept_email(&signed_in).is_some_and(|set| set.contains("Max-Age=0")));
    let typo = send(&app, post_form("/signin", "email=demo&password=nope", SITE, None)).await;
    assert!(kept_email(&typo).is_some_and(|set| set.starts_with("peakday_signin_email=;")));
    let crafted = "peakday_signin_email=%22%3E%3Cb%3Ehi";
    let page = body_text(send(&app, get("/signin", Some(crafted))).await).await;
    assert!(!page.contains("<b>hi") && !page.contains("&lt;b&gt;hi"), "{page}");
}

#[tokio::test]
async fn sign_in_after_five_failures_says_locked() {
    let db = TestDb::sqlite().await.seeded().await;
    let app = app(&db).await;
    for _ in 0..5 {
        send(&app, post_form("/signin", "email=demo@peakday.example&password=nope", SITE, None))
            .await;
    }
    let body = "email=demo@peakday.example&password=peakday-demo";
    let response = send(&app, post_form("/signin", body, SITE, None)).await;
    assert_eq!(location(&response), "/signin?notice=locked");
}

#[tokio::test]
async fn every_sign_in_gets_a_new_session_id_and_the_old_one_stops_working() {
    let db = TestDb::sqlite().await.seeded().await;
    let app = app(&db).await;
    let first = sign_in(&app, "demo@peakday.example", "peakday-demo").await;
    let body = "email=demo@peakday.example&password=peakday-demo";
    let response = send(&app, post_form("/signin", body, SITE, Some(&first))).await;
    let second = session_cookie(&response).unwrap();
    assert_ne!(first, second);
    let with_first = send(&app, get("/account", Some(&first))).await;
    assert_eq!(with_first.status(), StatusCode::SEE_OTHER, "the earlier session ended");
    assert_eq!(send(&app, get("/account", Some(&second))).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn an_anonymous_visitor_is_sent_to_sign_in_with_the_page_to_return_to() {
    let db = TestDb::sqlite().await.seeded().await;
    let app = app(&db).await;
    for page in ["/account", "/agent", "/programs", "/admin"] {
        let response = send(&app, get(page, None)).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{page}");
        assert_eq!(location(&response), format!("/signin?next=%2F{}", &page[1..]));
    }
    assert_eq!(location(&send(&app, get("/", None)).await), "/signin");
}

#[tokio::test]
async fn the_customer_sees_their_own_account_on_both_backends() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let app = app(&db).await;
        let cookie = sign_in(&app, "demo@peakday.example", "peakday-demo").await;
        let response = send(&app, get("/account", Some(&cookie))).await;
        assert_eq!(response.status(), StatusCode::OK, "{}", db.name);
        assert_eq!(response.headers().get(CACHE_CONTROL).unwrap(), "no-store");
        let page = body_text(response).await;
        assert!(page.contains("3000012345"), "{}: the account number is on the page", db.name);
        assert!(page.contains("12 Maple Street"), "{}", db.name);
        assert!(!page.contains("3000067890"), "{}: no other account", db.name);
    }
}

#[tokio::test]
async fn a_page_of_another_role_is_answered_403() {
    let db = TestDb::sqlite().await.seeded().await;
    let app = app(&db).await;
    let customer = sign_in(&app, "demo@peakday.example", "peakday-demo").await;
    let agent = sign_in(&app, "agent@peakday.example", "peakday-agent").await;
    let pm = sign_in(&app, "pm@peakday.example", "peakday-pm").await;
    for (cookie, page) in [
        (&customer, "/agent"),
        (&customer, "/programs"),
        (&customer, "/admin"),
        (&agent, "/account"),
        (&agent, "/programs"),
        (&agent, "/admin"),
        (&pm, "/admin"),
        (&pm, "/agent"),
    ] {
        let response = send(&app, get(page, Some(cookie))).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{page}");
        assert!(body_text(response).await.contains("Not allowed"), "{page}");
    }
    for (cookie, page) in [(&agent, "/agent"), (&pm, "/programs")] {
        assert_eq!(send(&app, get(page, Some(cookie))).await.status(), StatusCode::OK, "{page}");
    }
}

/// Which routes match a path is remembered per thread (`routes::matching_routes` in app/), and
/// forgotten after a few hundred paths: a path asked for again, after other paths and after more
/// paths than are remembered, is still the page it names.
#[tokio::test]
async fn a_path_is_the_same_page_whenever_and_however_often_it_is_asked_for() {
    let db = TestDb::sqlite().await.seeded().await;
    let app = app(&db).await;
    let cookie = sign_in(&app, "demo@peakday.example", "peakday-demo").await;
    let pages = [
        ("/account", StatusCode::OK, "12 Maple Street"),
        ("/account/alerts", StatusCode::OK, "Add a recipient"),
        ("/account/nowhere", StatusCode::NOT_FOUND, "Page not found"),
        ("/account/events", StatusCode::OK, "Schedule time away"),
    ];
    for round in 0..3 {
        for (path, status, text) in pages {
            let response = send(&app, get(path, Some(&cookie))).await;
            assert_eq!(response.status(), status, "{path}, round {round}");
            assert!(body_text(response).await.contains(text), "{path}, round {round}");
        }
        for n in 0..150 {
            let path = format!("/account/nowhere-{round}-{n}");
            let response = send(&app, get(&path, Some(&cookie))).await;
            assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        }
    }
}

/// The page router reads `%2e%2e` as `..`, as browsers do; the access check must read the same
/// path, or `/%2e%2e/admin` renders the administration page to a customer.
#[tokio::test]
async fn a_path_spelt_with_dot_segments_is_checked_as_the_page_it_names() {
    let db = TestDb::sqlite().await.seeded().await;
    let app = app(&db).await;
    let customer = sign_in(&app, "demo@peakday.example", "peakday-demo").await;
    for (crafted, page) in [
        ("/%2e%2e/admin", "/admin"),
        ("/account/%2E%2E/agent", "/agent"),
        ("/x/../programs?tab=1", "/programs?tab=1"),
    ] {
        for cookie in [Some(customer.as_str()), None] {
            let response = send(&app, get(crafted, cookie)).await;
            assert_eq!(response.status(), StatusCode::PERMANENT_REDIRECT, "{crafted}");
            assert_eq!(location(&response), page, "{crafted}");
            let body = body_text(response).await;
            assert!(!body.contains("Administration") && !body.contains("Find an account"));
        }
    }
    let leaving = send(&app, get("/.//evil.example/admin", Some(&customer))).await;
    assert_eq!(leaving.status(), StatusCode::NOT_FOUND);
    assert!(location(&leaving).is_empty());
}

#[tokio::test]
async fn server_functions_answer_401_and_403_and_never_leak_data() {
    let db = TestDb::sqlite().await.seeded().await;
    let app = app(&db).await;
    let call = |cookie: Option<&str>| {
        let mut request = Request::post("/api/account")
            .header("host", "127.0.0.1:3000")
            .header(ORIGIN, SITE)
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(cookie) = cookie {
            request = request.header(COOKIE, cookie);
        }
        request.body(Body::empty()).unwrap()
    };
    let anonymous = send(&app, call(None)).await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    assert!(!body_text(anonymous).await.contains("3000012345"));

    let agent = sign_in(&app, "agent@peakday.example", "peakday-agent").await;
    let refused = send(&app, call(Some(&agent))).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    let customer = sign_in(&app, "demo@peakday.example", "peakday-demo").await;
    let own = send(&app, call(Some(&customer))).await;
    assert_eq!(own.status(), StatusCode::OK);
    assert!(body_text(own).await.contains("3000012345"));
}

#[tokio::test]
async fn state_changes_from_another_origin_are_refused_and_change_nothing() {
    let db = TestDb::sqlite().await.seeded().await;
    let app = app(&db).await;
    let body = "email=demo@peakday.example&password=peakday-demo";
    let forged = send(&app, post_form("/signin", body, "http://evil.test", None)).await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert!(!forged.headers().contains_key(SET_COOKIE));

    let cookie = sign_in(&app, "demo@peakday.example", "peakday-demo").await;
    let forged_signout =
        send(&app, post_form("/signout", "", "http://evil.test", Some(&cookie))).await;
    assert_eq!(forged_signout.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        send(&app, get("/account", Some(&cookie))).await.status(),
        StatusCode::OK,
        "still signed in"
    );

    let cross_site = Request::post("/api/account")
        .header("host", "127.0.0.1:3000")
        .header("sec-fetch-site", "cross-site")
        .header(COOKIE, &cookie)
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&app, cross_site).await.status(), StatusCode::FORBIDDEN);

    let no_origin = Request::post("/signout").header(COOKIE, &cookie).body(Body::empty()).unwrap();
    assert_eq!(send(&app, no_origin).await.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn signing_out_clears_the_cookie_and_the_old_cookie_is_worthless() {
    let db = TestDb::sqlite().await.seeded().await;
    let app = app(&db).await;
    let cookie = sign_in(&app, "demo@peakday.example", "peakday-demo").await;
    let response = send(&app, post_form("/signout", "", SITE, Some(&cookie))).await;
    assert_eq!(location(&response), "/signin?notice=signed_out");
    let cleared = response.headers().get(SET_COOKIE).unwrap().to_str().unwrap();
    assert!(cleared.contains("Max-Age=0"), "{cleared}");

    let replayed = send(&app, get("/account", Some(&cookie))).await;
    assert_eq!(replayed.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&replayed), "/signin?notice=expired&next=%2Faccount");
}

/// The page loads the front end by the hashed names cargo-leptos wrote in `hash.txt`, read when
/// the server starts: changing the file afterwards changes no page.
#[tokio::test]
async fn pages_load_the_front_end_by_the_hashed_names_read_at_start() {
    let db = TestDb::sqlite().await.seeded().await;
    let dir = tempfile::tempdir().unwrap();
    let hash_file = dir.path().join("hash.txt");
    std::fs::write(&hash_file, "js: js11\nwasm: wasm22\ncss: css33\n").unwrap();
    let state = peakday_server::app_state(
        db.store.clone(),
        HttpConfig::local(common::site_root()),
        Some(&hash_file),
    );
    std::fs::write(&hash_file, "js: later\nwasm: later\ncss: later\n").unwrap();
    let page = body_text(send(&router(state), get("/signin", None)).await).await;
    for expected in [
        "<link rel=\"stylesheet\" href=\"/pkg/peakday.css33.css\">",
        "<link rel=\"modulepreload\" href=\"/pkg/peakday.js11.js\"",
        "<link rel=\"preload\" href=\"/pkg/peakday.wasm22.wasm\" as=\"fetch\" type=\"application/wasm\"",
        "(\"\", \"pkg\", \"peakday.js11\", \"peakday.wasm22\", false);</script>",
    ] {
        assert!(page.contains(expected), "{expected} in {page}");
    }
    assert!(!page.contains("later"));
}

#[tokio::test]
async fn pages_carry_security_headers_and_a_nonce_csp() {
    let db = TestDb::sqlite().await.seeded().await;
    let app = app(&db).await;
    let response = send(&app, get("/signin", None)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    let csp = headers.get("content-security-policy").unwrap().to_str().unwrap();
    assert!(csp.contains("'nonce-") && csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(headers.get("x-content-type-options").unwrap(), "nosniff");
    assert_eq!(headers.get("referrer-policy").unwrap(), "same-origin");
    assert_eq!(headers.get("x-frame-options").unwrap(), "DENY");
    assert!(headers.contains_key("x-request-id"));
    let page = body_text(response).await;
    let nonce = csp.split("'nonce-").nth(1).unwrap().split('\'').next().unwrap();
    assert!(page.contains(&format!("nonce=\"{nonce}\"")), "inline scripts carry the nonce");
    assert!(page.contains("<label for=\"email\">Email</label>"));
}

#[tokio::test]
async fn a_signed_in_visitor_to_signin_or_the_root_goes_home() {
    let db = TestDb::sqlite().await.seeded().await;
    let app = app(&db).await;
    let cookie = sign_in(&app, "pm@peakday.example", "peakday-pm").await;
    assert_eq!(location(&send(&app, get("/signin", Some(&cookie))).await), "/programs");
    assert_eq!(location(&send(&app, get("/", Some(&cookie))).await), "/programs");
}

#[tokio::test]
async fn an_unknown_page_is_a_friendly_404() {
    let db = TestDb::sqlite().await.seeded().await;
    let app = app(&db).await;
    let response = send(&app, get("/no/such/page", None)).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(body_text(response).await.contains("Page not found"));
}

/// A page for something that does not exist is the same friendly 404 as an unknown address,
/// whether the id is a number nobody has or not a number: never a 200 saying only "We could not
/// find that".
#[tokio::test]
async fn a_page_for_a_program_that_does_not_exist_is_a_friendly_404() {
    let db = TestDb::sqlite().await.seeded().await;
    let app = app(&db).await;
    let manager = sign_in(&app, "pm@peakday.example", "peakday-pm").await;
    for path in ["/programs/999999/events", "/programs/0/events", "/programs/x/events"] {
        let response = send(&app, get(path, Some(&manager))).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        let page = body_text(response).await;
        assert!(page.contains("<title>Page not found · Peakday</title>"), "{path}: {page}");
        assert!(page.contains("Check the address"), "{path}");
    }
    let known = send(&app, get("/programs/1/events", Some(&manager))).await;
    assert_eq!(known.status(), StatusCode::OK);
    assert!(!body_text(known).await.contains("Page not found"));
}

#[tokio::test]
async fn hashed_assets_are_cached_for_a_year_and_missing_ones_are_not() {
    let db = TestDb::sqlite().await;
    let app = app(&db).await;
    let asset = send(&app, get("/pkg/peakday.0123abcd.js", None)).await;
    assert_eq!(asset.status(), StatusCode::OK);
    assert_eq!(asset.headers().get(CACHE_CONTROL).unwrap(), "public, max-age=31536000, immutable");
    assert_eq!(asset.headers().get(CONTENT_TYPE).unwrap(), "text/javascript; charset=utf-8");
    assert!(asset.headers().get("content-encoding").is_none(), "no br asked, none given");

    let mut wants_brotli = get("/pkg/peakday.0123abcd.js", None);
    wants_brotli.headers_mut().insert("accept-encoding", "gzip, br".parse().unwrap());
    let brotli = send(&app, wants_brotli).await;
    assert_eq!(brotli.headers().get("content-encoding").unwrap(), "br");
    assert_eq!(body_text(brotli).await, "brotli bytes", "the precompressed file is sent as is");

    let missing = send(&app, get("/pkg/peakday.ffff.js", None)).await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert!(missing.headers().get(CACHE_CONTROL).is_none());
}

#[tokio::test]
async fn an_oversized_body_is_refused_with_413() {
    let db = TestDb::sqlite().await.seeded().await;
    let app = app(&db).await;
    let huge = format!("email=demo@peakday.example&password={}", "x".repeat(100 * 1024));
    let response = send(&app, post_form("/signin", &huge, SITE, None)).await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

/// A server-function call as the hydrated page makes it (JSON answer), or as a plain HTML form
/// makes it before the WASM loads (`plain`: redirect back to the page).
fn call(path: &str, body: &str, cookie: Option<&str>, plain: bool) -> Request<Body> {
    let mut request = Request::post(path)
        .header("host", "127.0.0.1:3000")
        .header(ORIGIN, SITE)
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(http::header::REFERER, format!("{SITE}/account/alerts"));
    request =
        request.header(http::header::ACCEPT, if plain { "text/html" } else { "application/json" });
    if let Some(cookie) = cookie {
        request = request.header(COOKIE, cookie);
    }
    request.body(Body::from(body.to_owned())).unwrap()
}

/// The demo customer's preferences as the page loads them.
async fn preferences(app: &Router, cookie: &str) -> serde_json::Value {
    let response = send(app, call("/api/preferences", "", Some(cookie), false)).await;
    assert_eq!(response.status(), StatusCode::OK);
    serde_json::from_str(&body_text(response).await).unwrap()
}

#[tokio::test]
async fn preference_functions_refuse_anonymous_callers_and_staff_naming_no_account() {
    let db = TestDb::sqlite().await.seeded().await;
    let app = app(&db).await;
    let agent = sign_in(&app, "agent@peakday.example", "peakday-agent").await;
    for path in ["/api/preferences", "/api/add_recipient", "/api/set_opt_out", "/api/activity"] {
        let body = "version=0&name=X&email=x%40example.com&sms=&voice=&stop=email";
        assert_eq!(
            send(&app, call(path, body, None, false)).await.status(),
            StatusCode::UNAUTHORIZED,
            "{path}"
        );
        assert_eq!(
            send(&app, call(path, body, Some(&agent), false)).await.status(),
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
}

/// Before the WASM loads, a form posts itself and the browser shows whatever comes back: a 401
/// or 403 would show its body (`"NotSignedIn"`), so a refused plain post is sent back to its
/// page like every other refusal, and the page's guard sends an ended session to sign in.
#[tokio::test]
async fn a_plain_form_post_after_the_session_ended_goes_back_to_sign_in_not_to_a_bare_error() {
    let db = TestDb::sqlite().await.seeded().await;
    let app = app(&db).await;
    let body = "version=0&name=Late&email=late%40example.com&sms=&voice=";
    for cookie in [None, Some("peakday_session=ended")] {
        let response = send(&app, call("/api/add_recipient", body, cookie, true)).await;
        assert_eq!(response.status(), StatusCode::FOUND, "{cookie:?}");
        let mut at = location(&response).to_owned();
        assert!(at.starts_with("/account/alerts?"), "{at}");
        // The page, once its unverifiable query is dropped, sends the browser to sign in.
        for _ in 0..3 {
            if at.starts_with("/signin") {
                break;
            }
            let mut page = Request::get(&at).header("host", "127.0.0.1:3000");
            if let Some(cookie) = cookie {
                page = page.header(COOKIE, cookie);
            }
            let page = send(&app, page.body(Body::empty()).unwrap()).await;
            assert!(page.status().is_redirection(), "{at}: {}", page.status());
            at = location(&page).to_owned();
        }
        assert!(at.contains("next=%2Faccount%2Falerts"), "{at}");
    }
    // A customer posting to a program manager's form is sent back too, and nothing is saved.
    let customer = sign_in(&app, "demo@peakday.example", "peakday-demo").await;
    let response = send(&app, call("/api/save_program", "name=X", Some(&customer), true)).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    // Called as the hydrated page calls, the statuses still say why.
    let response = send(&app, call("/api/add_recipient", body, None, false)).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let response = send(&app, call("/api/save_program", "name=X", Some(&customer), false)).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_plain_form_post_saves_and_returns_to_the_page_with_a_confirmation() {
    let db = TestDb::sqlite().await.seeded().await;
    let app = app(&db).await;
    let cookie = sign_in(&app, "demo@peakday.example", "peakday-demo").await;
    let version = preferences(&app, &cookie).await["version"].as_i64().unwrap();
    let body = format!("version={version}&name=Plain+Post&email=plain%40example.com&sms=&voice=");
    let response = send(&app, call("/api/add_recipient", &body, Some(&cookie), true)).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let back = location(&response);
    assert!(back.starts_with("/account/alerts?saved=Added+Plain+Post."), "{back}");
    assert!(back.contains("&__sig="), "the sentence is signed for the session: {back}");
    let names = preferences(&app, &cookie).await["recipients"]["additional"].to_string();
    assert!(names.contains("Plain Post"), "{names}");
}

#[tokio::test]
async fn refusals_carry_their_status_and_change_nothing() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let app = app(&db).await;
        let cookie = sign_in(&app, "demo@peakday.example", "peakday-demo").await;
        let page = preferences(&app, &cookie).await;
        let version = page["version"].as_i64().unwrap();

        // Bad input: 422 with the field's message; nothing stored.
        let bad = format!("version={version}&name=Typo&email=typo%40&sms=&voice=");
        let response = send(&app, call("/api/add_recipient", &bad, Some(&cookie), false)).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{}", db.name);
        assert!(body_text(response)
            .await
            .contains("Enter an email address like name@example.com."));

        // Another account's recipient (Priya is the second demo account's holder): 404, untouched.
        let mut conn = db.store.read().await.unwrap();
        let priya = accounts::store::account_id_by_number(
            &mut db.store.read().await.unwrap(),
            &"3000067890".parse_account(),
        )
        .await
        .unwrap()
        .unwrap();
        let theirs =
            preferences::recipients::recipients_of(&mut conn, priya).await.unwrap().primary.id.0;
        drop(conn);
        let body = format!("version={version}&recipient={theirs}&name=Mine+Now&email=evil%40example.com&sms=&voice=");
        let response = send(&app, call("/api/update_contact", &body, Some(&cookie), false)).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{}", db.name);

        // An older page: 409.
        let sam = page["recipients"]["additional"][0]["recipient"]["id"].as_i64().unwrap();
        let remove = format!("version={version}&recipient={sam}");
        assert_eq!(
            send(&app, call("/api/remove_recipient", &remove, Some(&cookie), false)).await.status(),
            StatusCode::OK
        );
        let stale = send(&app, call("/api/remove_recipient", &remove, Some(&cookie), false)).await;
        assert_eq!(stale.status(), StatusCode::CONFLICT, "{}", db.name);

        let after = preferences(&app, &cookie).await;
        assert_eq!(
            after["version"].as_i64(),
            Some(version + 1),
            "{}: only the one good save landed",
            db.name
        );
        let mut conn = db.store.read().await.unwrap();
        let untouched = preferences::recipients::recipients_of(&mut conn, priya).await.unwrap();
        assert_eq!(untouched.primary.contact.name.as_str(), "Priya Okafor");
    }
}

#[tokio::test]
async fn a_cross_site_save_is_refused_and_changes_nothing() {
    let db = TestDb::sqlite().await.seeded().await;
    let app = app(&db).await;
    let cookie = sign_in(&app, "demo@peakday.example", "peakday-demo").await;
    let before = preferences(&app, &cookie).await;
    let forged = Request::post("/api/set_opt_out")
        .header("host", "127.0.0.1:3000")
        .header(ORIGIN, "http://evil.test")
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(COOKIE, &cookie)
        .body(Body::from(format!("version={}&stop=everything", before["version"])))
        .unwrap();
    assert_eq!(send(&app, forged).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(preferences(&app, &cookie).await, before);
}

trait ParseAccount {
    fn parse_account(&self) -> peakday_app::accounts::AccountNumber;
}

impl ParseAccount for str {
    fn parse_account(&self) -> peakday_app::accounts::AccountNumber {
        peakday_app::accounts::AccountNumber::parse(self).unwrap()
    }
}
