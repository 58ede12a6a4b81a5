//! Who may call what (issue 4): every registered server function and page route has a
//! declaration, every one is called as every role, a customer naming another account learns
//! nothing, and customer service acts for any customer with every change attributed.

mod common;

use axum::body::Body;
use axum::Router;
use common::{body_text, plain_post, send, sign_in, TestDb, SITE};
use http::header::{ACCEPT, CONTENT_TYPE, COOKIE, LOCATION, ORIGIN};
use http::{Request, StatusCode};
use peakday_app::auth::{
    page_access, server_function_access, server_functions, Access, Role, HANDLERS,
};
use peakday_server::accounts;
use peakday_server::http::router;
use peakday_server::store::audit;

/// Every field any server function takes, so each call reaches its access check and rules.
/// Unknown fields are ignored; ids that match nothing are refused by the rules (404), not by
/// access.
const EVERY_FIELD: &str = "version=0&recipient=0&name=Matrix+Test&email=matrix%40example.com\
    &sms=&voice=&resume=email&high_usage_kwh=&query=maple&user=0&role=agent\
    &password=long-enough-password&disabled=false&device=0&program=0&enrollment=0&replacement=0\
    &kind=thermostat&make=Matrix&model=M1&serial=MATRIX-1&network_address=10.0.0.1&capacity=1\
    &service_point=SP-0&description=&status=draft&season_start=2027-06-01&season_end=2027-09-30\
    &min_battery_kwh=&rate_classes=&max_events_per_season=1&max_event_hours=1&min_notice_hours=1\
    &opt_outs_per_season=0&enrollment_credit=0&performance_basis=per_event&performance_rate=1\
    &current=not-my-password&confirm=long-enough-password&code=000000&token=no-such-link\
    &message=0&discard=false&event=0&reason=Matrix&id=0&start=2027-06-01T08:00\
    &end=2027-06-01T09:00&day=2027-06-01&notice_day=2027-05-30&notice_time=08:00&target_kw=1\
    &groups=&set=true&note=Matrix";

fn call(path: &str, body: &str, cookie: Option<&str>) -> Request<Body> {
    let mut request = Request::post(path)
        .header("host", "127.0.0.1:3000")
        .header(ORIGIN, SITE)
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(ACCEPT, "application/json");
    if let Some(cookie) = cookie {
        request = request.header(COOKIE, cookie);
    }
    request.body(Body::from(body.to_owned())).unwrap()
}

fn get(path: &str, cookie: &str) -> Request<Body> {
    Request::get(path)
        .header("host", "127.0.0.1:3000")
        .header(COOKIE, cookie)
        .body(Body::empty())
        .unwrap()
}

/// The demo sign-ins, one per role.
async fn sign_ins(app: &Router) -> Vec<(Role, String)> {
    vec![
        (Role::Customer, sign_in(app, "demo@peakday.example", "peakday-demo").await),
        (Role::Agent, sign_in(app, "agent@peakday.example", "peakday-agent").await),
        (Role::ProgramManager, sign_in(app, "pm@peakday.example", "peakday-pm").await),
        (Role::Admin, sign_in(app, "admin@peakday.example", "peakday-admin").await),
    ]
}

#[tokio::test]
async fn every_registered_server_function_and_page_has_an_access_declaration() {
    let registered: Vec<&str> =
        leptos::server_fn::axum::server_fn_paths().map(|(path, _)| path).collect();
    let declared: Vec<(&str, Access)> = server_functions().collect();
    assert!(registered.len() >= declared.len(), "server functions are registered");
    for path in &registered {
        assert!(server_function_access(path).is_some(), "{path} has no access declaration");
    }
    for (path, _) in &declared {
        assert!(registered.contains(path), "{path} is declared but not registered");
    }
    for route in peakday_server::http::page_routes() {
        let path = route.path();
        assert!(page_access(path).is_some(), "page {path} has no access declaration");
    }
}

#[tokio::test]
async fn every_server_function_answers_each_role_as_declared() {
    let db = TestDb::sqlite().await.seeded().await;
    let app = router(db.app_state());
    let sign_ins = sign_ins(&app).await;
    for (path, access) in server_functions() {
        let anonymous = send(&app, call(path, EVERY_FIELD, None)).await.status();
        if access == Access::Public {
            assert_eq!(anonymous, StatusCode::OK, "{path} is public");
        } else {
            assert_eq!(anonymous, StatusCode::UNAUTHORIZED, "{path} anonymous");
        }
        for (role, cookie) in &sign_ins {
            // Customer service names the account it acts for (Priya's, which has no sign-in:
            // ending Jordan's sessions would sign the customer of this test out); a
            // customer's own comes from the session.
            let body = if *role == Role::Customer {
                EVERY_FIELD.to_owned()
            } else {
                format!("{EVERY_FIELD}&account=3000067890")
            };
            let status = send(&app, call(path, &body, Some(cookie))).await.status();
            if access.permits(*role) {
                assert!(
                    status != StatusCode::UNAUTHORIZED && status != StatusCode::FORBIDDEN,
                    "{path} as {role:?}: {status}"
                );
            } else {
                assert_eq!(status, StatusCode::FORBIDDEN, "{path} as {role:?}");
            }
        }
    }
}

#[tokio::test]
async fn every_handler_of_our_own_answers_each_role_as_declared() {
    let db = TestDb::sqlite().await.seeded().await;
    let app = router(db.app_state());
    let mut callers = vec![(None, None)];
    for (role, cookie) in sign_ins(&app).await {
        callers.push((Some(role), Some(cookie)));
    }
    for (method, path, access) in HANDLERS {
        // The one hashed file of the test site root (tests/common).
        let path = path.replace("{file}", "peakday.0123abcd.js");
        for (role, cookie) in &callers {
            let mut request = Request::builder()
                .method(*method)
                .uri(&path)
                .header("host", "127.0.0.1:3000")
                .header(ORIGIN, SITE)
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded");
            if let Some(cookie) = cookie {
                request = request.header(COOKIE, cookie.as_str());
            }
            let status = send(&app, request.body(Body::empty()).unwrap()).await.status();
            let permitted = role.map_or(*access == Access::Public, |role| access.permits(role));
            assert_eq!(
                permitted,
                !matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN),
                "{method} {path} as {role:?}: {status}"
            );
            assert_ne!(status, StatusCode::NOT_FOUND, "{method} {path} is routed");
        }
    }
}

#[tokio::test]
async fn a_customer_naming_any_other_account_is_refused_alike_whether_it_exists_or_not() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let app = router(db.app_state());
        let customer = sign_in(&app, "demo@peakday.example", "peakday-demo").await;
        for path in ["/api/account", "/api/preferences", "/api/activity", "/api/set_opt_out"] {
            let mut answers = Vec::new();
            for account in ["3000067890", "9999999999", "not-a-number"] {
                let body = format!("version=1&stop=everything&account={account}");
                let response = send(&app, call(path, &body, Some(&customer))).await;
                answers.push((response.status(), body_text(response).await));
            }
            assert_eq!(answers[0].0, StatusCode::FORBIDDEN, "{}: {path}", db.name);
            assert!(answers.iter().all(|answer| *answer == answers[0]), "{}: {path}", db.name);
            assert!(!answers[0].1.contains("Priya"), "{}: {path}", db.name);
        }
        let overview = send(&app, call("/api/account", "", Some(&customer))).await;
        assert!(body_text(overview).await.contains("3000012345"), "{}", db.name);
        let priya = audit::audit_of_account(
            &mut db.store.read().await.unwrap(),
            account_id(&db, "3000067890").await,
            50,
        )
        .await;
        assert!(priya.unwrap().iter().all(|record| record.entry.action != "opt_out.changed"));
    }
}

/// Sign-ins change nothing, so customer service reads them apart from the changes: however many
/// there are, the account's changes stay in sight. The customer sees the changes alone.
#[tokio::test]
async fn a_run_of_sign_ins_never_pushes_a_change_out_of_customer_services_sight() {
    use peakday_app::activity::{AccountActivity, Actor, ChangeSource};
    use peakday_app::change::AuditRecord;
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let app = router(db.app_state());
        let agent = sign_in(&app, "agent@peakday.example", "peakday-agent").await;
        let customer = sign_in(&app, "demo@peakday.example", "peakday-demo").await;
        let page = send(&app, call("/api/preferences", "", Some(&customer))).await;
        let page: serde_json::Value = serde_json::from_str(&body_text(page).await).unwrap();
        let stop = format!("version={}&stop=sms", page["version"]);
        let stopped = send(&app, call("/api/set_opt_out", &stop, Some(&customer))).await;
        assert_eq!(stopped.status(), StatusCode::OK, "{}", db.name);
        // More sign-ins than customer service is shown, all after the change.
        let account = account_id(&db, "3000012345").await;
        let actor = Actor { user_id: None, source: ChangeSource::Portal };
        let signed_in = AuditRecord::new("session.signed_in", "Signed in");
        let mut tx = db.store.begin_write().await.unwrap();
        for _ in 0..AccountActivity::SIGN_INS_SHOWN + 5 {
            let entry = peakday_server::store::audit_entry(actor, Some(account), &signed_in);
            audit::append_audit(&mut tx, &entry).await.unwrap();
        }
        tx.commit().await.unwrap();

        let read = |body: &str, session: &str| {
            let request = call("/api/activity", body, Some(session));
            async {
                serde_json::from_str::<AccountActivity>(&body_text(send(&app, request).await).await)
            }
        };
        let for_agent = read("account=3000012345", &agent).await.unwrap();
        assert_eq!(for_agent.changes.len(), 1, "{}: {for_agent:?}", db.name);
        assert_eq!(for_agent.changes[0].summary, "Stop all texts", "{}", db.name);
        assert_eq!(for_agent.sign_ins.len(), AccountActivity::SIGN_INS_SHOWN, "{}", db.name);
        assert!(for_agent.sign_ins.iter().all(|entry| entry.changes.is_empty()));
        let own = read("", &customer).await.unwrap();
        assert_eq!(own.changes, for_agent.changes, "{}", db.name);
        assert!(own.sign_ins.is_empty(), "{}: a customer sees changes only", db.name);
    }
}

async fn account_id(db: &TestDb, number: &str) -> peakday_app::accounts::AccountId {
    let number = peakday_app::accounts::AccountNumber::parse(number).unwrap();
    accounts::store::account_id_by_number(&mut db.store.read().await.unwrap(), &number)
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn an_agent_acts_for_a_customer_and_the_change_is_attributed() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let app = router(db.app_state());
        let agent = sign_in(&app, "agent@peakday.example", "peakday-agent").await;
        let customer = sign_in(&app, "demo@peakday.example", "peakday-demo").await;

        let page = send(&app, call("/api/preferences", "account=3000012345", Some(&agent))).await;
        assert_eq!(page.status(), StatusCode::OK, "{}", db.name);
        let page: serde_json::Value = serde_json::from_str(&body_text(page).await).unwrap();
        let body = format!(
            "account=3000012345&version={}&name=Added+By+Agent&email=onbehalf%40example.com&sms=&voice=",
            page["version"]
        );
        let added = send(&app, call("/api/add_recipient", &body, Some(&agent))).await;
        assert_eq!(added.status(), StatusCode::OK, "{}", db.name);

        let own = send(&app, call("/api/preferences", "", Some(&customer))).await;
        let own: serde_json::Value = serde_json::from_str(&body_text(own).await).unwrap();
        assert!(own.to_string().contains("Added By Agent"), "{}", db.name);

        // Seed 000's "Opt out a customer": texts stopped for the whole account, on their behalf.
        let stop = format!("account=3000012345&version={}&stop=sms", own["version"]);
        let stopped = send(&app, call("/api/set_opt_out", &stop, Some(&agent))).await;
        assert_eq!(stopped.status(), StatusCode::OK, "{}", db.name);
        let own = send(&app, call("/api/preferences", "", Some(&customer))).await;
        let own: serde_json::Value = serde_json::from_str(&body_text(own).await).unwrap();
        assert_eq!(own["opt_outs"]["sms"], true, "{}", db.name);

        let history = send(&app, call("/api/activity", "", Some(&customer))).await;
        let history: serde_json::Value = serde_json::from_str(&body_text(history).await).unwrap();
        assert_eq!(history["changes"][0]["source"], "agent", "{}", db.name);
        assert_eq!(history["changes"][0]["staff_member"], serde_json::Value::Null, "{}", db.name);

        let for_agent = send(&app, call("/api/activity", "account=3000012345", Some(&agent))).await;
        let for_agent: serde_json::Value =
            serde_json::from_str(&body_text(for_agent).await).unwrap();
        assert_eq!(for_agent["changes"][0]["staff_member"], "Alex Agent", "{}", db.name);

        let audit = audit::changes_of_account(
            &mut db.store.read().await.unwrap(),
            account_id(&db, "3000012345").await,
            1,
        )
        .await;
        let record = &audit.unwrap()[0];
        assert_eq!(record.entry.source, peakday_app::activity::ChangeSource::Agent);
        assert_eq!(record.actor_name.as_deref(), Some("Alex Agent"), "{}", db.name);

        let missing =
            send(&app, call("/api/preferences", "account=9999999999", Some(&agent))).await;
        assert_eq!(missing.status(), StatusCode::NOT_FOUND, "{}", db.name);
        let unnamed = send(&app, call("/api/preferences", "", Some(&agent))).await;
        assert_eq!(unnamed.status(), StatusCode::FORBIDDEN, "{}", db.name);
    }
}

#[tokio::test]
async fn admin_mode_pages_show_the_banner_and_stay_with_customer_service() {
    let db = TestDb::sqlite().await.seeded().await;
    let app = router(db.app_state());
    let agent = sign_in(&app, "agent@peakday.example", "peakday-agent").await;
    let customer = sign_in(&app, "demo@peakday.example", "peakday-demo").await;
    let pm = sign_in(&app, "pm@peakday.example", "peakday-pm").await;
    for page in ["", "/alerts", "/notifications", "/activity"] {
        let path = format!("/agent/accounts/3000012345{page}");
        let response = send(&app, get(&path, &agent)).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let html = body_text(response).await;
        assert!(
            html.contains("Acting for Jordan Rivera, account 3000012345.")
                && html.contains("Signed in as Alex Agent.")
                && html.contains(">Exit<"),
            "{path}"
        );
        assert_eq!(send(&app, get(&path, &customer)).await.status(), StatusCode::FORBIDDEN);
        assert_eq!(send(&app, get(&path, &pm)).await.status(), StatusCode::FORBIDDEN);
    }
    let alerts =
        body_text(send(&app, get("/agent/accounts/3000012345/alerts", &agent)).await).await;
    assert!(alerts.contains(r#"name="account" value="3000012345""#), "forms carry the account");
    let missing = send(&app, get("/agent/accounts/9999999999", &agent)).await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    // A page titled for the missing account and the way back; not the page under it repeating
    // the refusal, and nothing from the address.
    let missing =
        body_text(send(&app, get("/agent/accounts/9999999999/alerts", &agent)).await).await;
    assert!(missing.contains("<title>Account not found · Peakday</title>"), "{missing}");
    assert!(missing.contains("<h1>Account not found"), "{missing}");
    assert!(missing.contains("No account has that number."));
    assert!(missing.contains(r#"<a href="/agent">Back to the account search</a>"#));
    assert!(!missing.contains("Alerts &amp; recipients</h1>"));
    assert!(!missing.contains("9999999999"), "the number from the address is not repeated");
}

#[tokio::test]
async fn the_search_page_finds_accounts_and_refuses_empty_or_broad_queries() {
    let db = TestDb::sqlite().await.seeded().await;
    let app = router(db.app_state());
    let agent = sign_in(&app, "agent@peakday.example", "peakday-agent").await;
    let html = body_text(send(&app, get("/agent?q=518-555-0142", &agent)).await).await;
    assert!(html.contains("/agent/accounts/3000012345") && html.contains("Jordan Rivera"));
    assert!(!html.contains("Priya Okafor"));
    let html = body_text(send(&app, get("/agent?q=", &agent)).await).await;
    assert!(html.contains("Type an account number, a name"), "empty query explained");
    let html = body_text(send(&app, get("/agent?q=j", &agent)).await).await;
    assert!(html.contains("That would match too many accounts"), "broad query explained");
    let customer = sign_in(&app, "demo@peakday.example", "peakday-demo").await;
    let refused = send(&app, call("/api/search_accounts", "query=rivera", Some(&customer))).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_administrator_manages_staff_and_disabling_ends_sessions_at_once() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let app = router(db.app_state());
        let admin = sign_in(&app, "admin@peakday.example", "peakday-admin").await;
        let agent = sign_in(&app, "agent@peakday.example", "peakday-agent").await;
        assert_eq!(send(&app, get("/agent", &agent)).await.status(), StatusCode::OK);

        let staff = send(&app, call("/api/staff_members", "", Some(&admin))).await;
        let staff: serde_json::Value = serde_json::from_str(&body_text(staff).await).unwrap();
        let id_of = |email: &str| {
            staff.as_array().unwrap().iter().find(|m| m["email"] == email).unwrap()["id"]
                .as_i64()
                .unwrap()
        };
        let (alex, ada) = (id_of("agent@peakday.example"), id_of("admin@peakday.example"));

        let disable = format!("user={alex}&disabled=true");
        let response = send(&app, call("/api/set_staff_disabled", &disable, Some(&admin))).await;
        assert_eq!(response.status(), StatusCode::OK, "{}", db.name);
        let next_click = send(&app, get("/agent", &agent)).await;
        assert_eq!(next_click.status(), StatusCode::SEE_OTHER, "{}", db.name);
        assert!(next_click.headers()[LOCATION].to_str().unwrap().starts_with("/signin"));

        let own = format!("user={ada}&disabled=true");
        let refused = send(&app, call("/api/set_staff_disabled", &own, Some(&admin))).await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY, "{}", db.name);

        let create = "name=Casey+Contact&email=casey%40utility.example&role=agent&password=a-long-password-1";
        let created = send(&app, call("/api/create_staff_member", create, Some(&admin))).await;
        assert_eq!(created.status(), StatusCode::OK, "{}", db.name);
        // The password the administrator chose works once: Casey chooses their own, then sets
        // up two-step verification, and only then reaches customer service.
        let casey = common::first_staff_sign_in(
            &app,
            "casey@utility.example",
            "a-long-password-1",
            "copper kettle orbit lantern",
        )
        .await;
        assert_eq!(send(&app, get("/agent", &casey)).await.status(), StatusCode::OK);
        let again = send(&app, call("/api/create_staff_member", create, Some(&admin))).await;
        assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY, "{}", db.name);

        let staff = send(&app, call("/api/staff_members", "", Some(&admin))).await;
        let staff: serde_json::Value = serde_json::from_str(&body_text(staff).await).unwrap();
        let casey_id = staff
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["email"] == "casey@utility.example")
            .unwrap()["id"]
            .as_i64()
            .unwrap();
        let promote = format!("user={casey_id}&role=program_manager");
        assert_eq!(
            send(&app, call("/api/change_staff_role", &promote, Some(&admin))).await.status(),
            StatusCode::OK
        );
        assert_eq!(send(&app, get("/programs", &casey)).await.status(), StatusCode::OK);
        assert_eq!(send(&app, get("/agent", &casey)).await.status(), StatusCode::FORBIDDEN);

        let end = format!("user={casey_id}");
        assert_eq!(
            send(&app, call("/api/end_staff_sessions", &end, Some(&admin))).await.status(),
            StatusCode::OK
        );
        assert_eq!(send(&app, get("/programs", &casey)).await.status(), StatusCode::SEE_OTHER);

        let customer = sign_in(&app, "demo@peakday.example", "peakday-demo").await;
        let refused = send(&app, call("/api/set_staff_disabled", &disable, Some(&customer))).await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN, "{}", db.name);
    }
}

#[tokio::test]
async fn a_plain_form_post_in_admin_mode_saves_for_the_customer_and_returns_to_the_page() {
    let db = TestDb::sqlite().await.seeded().await;
    let app = router(db.app_state());
    let agent = sign_in(&app, "agent@peakday.example", "peakday-agent").await;
    let page = send(&app, call("/api/preferences", "account=3000012345", Some(&agent))).await;
    let page: serde_json::Value = serde_json::from_str(&body_text(page).await).unwrap();
    let body = format!(
        "account=3000012345&version={}&name=No+Script&email=noscript%40example.com&sms=&voice=",
        page["version"]
    );
    // As the browser sends it before the WASM arrives.
    let request =
        plain_post("/api/add_recipient", "/agent/accounts/3000012345/alerts", &agent, body);
    let response = send(&app, request).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    // Back to the page it came from, with the server's sentence signed for the session.
    let back = response.headers()[LOCATION].to_str().unwrap();
    assert!(back.starts_with("/agent/accounts/3000012345/alerts?saved=Added+No+Script."), "{back}");
    assert!(back.contains("&__sig="), "{back}");
    let customer = sign_in(&app, "demo@peakday.example", "peakday-demo").await;
    let own = send(&app, call("/api/preferences", "", Some(&customer))).await;
    assert!(body_text(own).await.contains("No Script"));
}
