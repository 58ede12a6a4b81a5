//! The findings of the security review (issue 15), each pinned through the real router or the
//! store, on both databases where storage is involved.

mod common;

use axum::body::Body;
use common::{
    api, body_text, call, get, location, plain_post, post_step, send, sign_in, TestDb, SITE,
};
use http::header::{CONTENT_TYPE, COOKIE, ORIGIN};
use http::{Request, StatusCode};
use peakday_app::accounts::{AccountId, AccountNumber};
use peakday_server::accounts;
use peakday_server::auth;
use peakday_server::http::router;
use peakday_server::preferences;
use peakday_server::programs;
use peakday_server::store::audit;

async fn account(db: &TestDb, number: &str) -> AccountId {
    accounts::store::account_id_by_number(
        &mut db.store.read().await.unwrap(),
        &AccountNumber::parse(number).unwrap(),
    )
    .await
    .unwrap()
    .unwrap()
}

async fn actions(db: &TestDb, number: &str) -> Vec<String> {
    let records =
        audit::audit_of_account(&mut db.store.read().await.unwrap(), account(db, number).await, 50)
            .await
            .unwrap();
    records.into_iter().map(|record| record.entry.action).collect()
}

/// A form posted to `/api/register_device` from the devices page before the WASM arrives.
fn plain_post_to_devices(cookie: &str, body: &'static str) -> Request<Body> {
    plain_post_to_devices_from("/account/devices", cookie, body)
}

/// The same, from the devices page at `page` (its address may carry the last post's answer).
fn plain_post_to_devices_from(page: &str, cookie: &str, body: &'static str) -> Request<Body> {
    plain_post("/api/register_device", page, cookie, body)
}

#[tokio::test]
async fn a_refusal_in_the_url_shows_only_when_this_server_put_it_there_for_this_session() {
    let db = TestDb::sqlite().await.seeded().await;
    let app = router(db.app_state());
    let customer = sign_in(&app, "demo@peakday.example", "peakday-demo").await;

    // Anyone can write this link; the page must not say what it says.
    let forged = "/account/devices?__path=%2Fapi%2Fregister_device&__err=eyJJbnZhbGlkIjoiQ2FsbCA1NTUtMDEwMCBub3cifQ";
    let response = send(&app, get(forged, Some(&customer))).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/account/devices");

    // A refusal this server made (a plain form post without WASM) comes back signed and shows.
    let post = plain_post_to_devices(&customer, "kind=thermostat&make=ecobee&model=&serial=X1&network_address=10.0.0.1&capacity=3&service_point=SP-1000001");
    let refused = send(&app, post).await;
    let back = location(&refused);
    assert!(back.starts_with("/account/devices?") && back.contains("__sig="), "{back}");
    let page = send(&app, get(&back, Some(&customer))).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(body_text(page).await.contains("Enter the model."), "the genuine refusal shows");

    // The same link opened in another session is not this server's word to that session.
    let other = sign_in(&app, "demo@peakday.example", "peakday-demo").await;
    let elsewhere = send(&app, get(&back, Some(&other))).await;
    assert_eq!(elsewhere.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&elsewhere), "/account/devices");
}

#[tokio::test]
async fn a_refusal_names_the_recipients_form_it_refused_and_the_name_is_signed_with_it() {
    let db = TestDb::sqlite().await.seeded().await;
    let app = router(db.app_state());
    let customer = sign_in(&app, "demo@peakday.example", "peakday-demo").await;

    // Every card's alerts form posts to one function: a save of recipient 1's based on the page
    // before another save is refused, and the way back to the page names that card's form.
    let first = "version=0&recipient=1&channels%5Bemail%5D=on";
    let saved =
        send(&app, plain_post("/api/save_alerts", "/account/alerts", &customer, first)).await;
    assert!(location(&saved).contains("saved="), "{}", location(&saved));
    let stale = "version=0&part=1&recipient=1&channels%5Bemail%5D=on";
    let refused =
        send(&app, plain_post("/api/save_alerts", "/account/alerts", &customer, stale)).await;
    assert!(
        refused.headers().get("x-peakday-refused-form").is_none(),
        "the name is for the page alone"
    );
    let back = location(&refused);
    assert!(back.contains("__err=") && back.contains("&__form=1&__sig="), "{back}");
    let page = send(&app, get(&back, Some(&customer))).await;
    assert_eq!(page.status(), StatusCode::OK);

    // Renamed, the link is not this server's word: the page drops what it carries.
    let renamed = back.replace("&__form=1&", "&__form=4&");
    let response = send(&app, get(&renamed, Some(&customer))).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/account/alerts");
}

#[tokio::test]
async fn a_second_refusal_shows_itself_not_the_first_and_a_refusal_drops_an_earlier_save() {
    let db = TestDb::sqlite().await.seeded().await;
    let app = router(db.app_state());
    let customer = sign_in(&app, "demo@peakday.example", "peakday-demo").await;
    let page_after = |back: &str| {
        let app = app.clone();
        let customer = customer.clone();
        let back = back.to_owned();
        async move { body_text(send(&app, get(&back, Some(&customer))).await).await }
    };

    let saved = send(&app, plain_post_to_devices(&customer, "kind=thermostat&make=ecobee&model=Lite&serial=PLAIN-2&network_address=10.0.0.1&capacity=3&service_point=SP-1000001")).await;
    let after_save = location(&saved);
    // Posted again from the confirmed page, whose address carries the sentence.
    let no_model = "kind=thermostat&make=ecobee&model=&serial=X1&network_address=10.0.0.1&capacity=3&service_point=SP-1000001";
    let first =
        location(&send(&app, plain_post_to_devices_from(&after_save, &customer, no_model)).await);
    assert!(!first.contains("saved="), "a refusal does not carry the earlier sentence: {first}");
    let text = page_after(&first).await;
    assert!(text.contains("Enter the model."), "the refusal shows");
    assert!(!text.contains("was added"), "without the earlier confirmation beside it");

    // A second mistake, posted from the page that shows the first.
    let no_make = "kind=thermostat&make=&model=Lite&serial=X2&network_address=10.0.0.1&capacity=3&service_point=SP-1000001";
    let second =
        location(&send(&app, plain_post_to_devices_from(&first, &customer, no_make)).await);
    assert_eq!(second.matches("__err=").count(), 1, "{second}");
    let text = page_after(&second).await;
    assert!(text.contains("Enter the make (the brand)."), "the second refusal shows");
    assert!(!text.contains("Enter the model."), "the first is gone");
}

#[tokio::test]
async fn a_plain_posts_confirmation_says_what_was_saved_and_only_the_servers_words() {
    let db = TestDb::sqlite().await.seeded().await;
    let app = router(db.app_state());
    let customer = sign_in(&app, "demo@peakday.example", "peakday-demo").await;

    // Anyone can write this link; the status region must not say what it says.
    let forged = "/account/devices?saved=Call%20555-0100%20now";
    let response = send(&app, get(forged, Some(&customer))).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/account/devices");

    // A save made without WASM comes back to its page with the server's own sentence, signed.
    let post = plain_post_to_devices(&customer, "kind=thermostat&make=ecobee&model=Lite&serial=PLAIN-1&network_address=10.0.0.1&capacity=3&service_point=SP-1000001");
    let saved = send(&app, post).await;
    assert_eq!(saved.status(), StatusCode::FOUND);
    let back = location(&saved);
    assert!(back.starts_with("/account/devices?saved=") && back.contains("__sig="), "{back}");
    let page = send(&app, get(&back, Some(&customer))).await;
    assert_eq!(page.status(), StatusCode::OK);
    let text = body_text(page).await;
    assert!(text.contains("was added. See Programs to enroll it."), "the sentence shows");
    assert!(!text.contains("Your changes were saved."), "not a generic line");

    // Another session cannot be shown it.
    let other = sign_in(&app, "demo@peakday.example", "peakday-demo").await;
    let elsewhere = send(&app, get(&back, Some(&other))).await;
    assert_eq!(elsewhere.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn words_carried_in_the_page_asked_for_at_sign_in_are_not_signed_as_ours() {
    let db = TestDb::sqlite().await.seeded().await;
    let app = router(db.app_state());
    // A link to the sign-in page whose `next` carries a "confirmation" of the sender's choosing.
    let next = "%2Faccount%2Fdevices%3Fsaved%3DCall%2520555-0100%2520now";
    let body = format!("email=demo@peakday.example&password=peakday-demo&next={next}");
    let response = post_step(&app, "/signin", &body, None).await;
    let landing = location(&response).to_owned();
    assert!(landing.starts_with("/account/devices?saved="), "{landing}");
    assert!(!landing.contains("__sig="), "only a server function's answer is signed: {landing}");
    let cookie = common::session_cookie(&response).unwrap();
    let page = send(&app, get(&landing, Some(&cookie))).await;
    assert_eq!(page.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&page), "/account/devices");
}

#[tokio::test]
async fn a_line_break_in_the_page_asked_for_lands_home_instead_of_failing() {
    let db = TestDb::sqlite().await.seeded().await;
    let app = router(db.app_state());
    let body = "email=demo@peakday.example&password=peakday-demo&next=%2Faccount%2F%0A";
    let response = post_step(&app, "/signin", body, None).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/account");
}

#[tokio::test]
async fn a_clients_request_id_is_never_used_as_ours() {
    let db = TestDb::sqlite().await;
    let app = router(db.app_state());
    let request = Request::get("/healthz")
        .header("host", "127.0.0.1:3000")
        .header("x-request-id", "attacker-chosen\r")
        .body(Body::empty());
    let request = match request {
        Ok(request) => request,
        Err(_) => Request::get("/healthz")
            .header("host", "127.0.0.1:3000")
            .header("x-request-id", "attacker-chosen")
            .body(Body::empty())
            .unwrap(),
    };
    let response = send(&app, request).await;
    let id = response.headers()["x-request-id"].to_str().unwrap();
    assert_ne!(id, "attacker-chosen");
    assert_eq!(id.len(), 36, "a UUID of ours: {id}");
}

#[tokio::test]
async fn a_call_that_does_not_parse_is_a_400_and_a_body_past_the_limit_a_413() {
    let db = TestDb::sqlite().await.seeded().await;
    let app = router(db.app_state());
    let customer = sign_in(&app, "demo@peakday.example", "peakday-demo").await;
    for body in ["stop=email&version=abc", "stop=email", "version=99999999999999999999999"] {
        let response = send(&app, call("/api/set_opt_out", body, &customer)).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body}");
    }
    // 100 KiB, chunked: no length to refuse it by up front.
    let chunks = futures_chunks(100 * 1024);
    let request = Request::post("/api/set_opt_out")
        .header("host", "127.0.0.1:3000")
        .header(ORIGIN, SITE)
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(COOKIE, &customer)
        .body(chunks)
        .unwrap();
    assert_eq!(send(&app, request).await.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

/// A body sent in 1 KiB chunks, with no `Content-Length`.
fn futures_chunks(total: usize) -> Body {
    let chunk = axum::body::Bytes::from(vec![b'a'; 1024]);
    let chunks = (0..total / 1024).map(move |_| Ok::<_, std::io::Error>(chunk.clone()));
    Body::from_stream(futures_util::stream::iter(chunks))
}

#[tokio::test]
async fn a_page_the_role_may_not_open_is_refused_before_it_renders() {
    let db = TestDb::sqlite().await.seeded().await;
    let app = router(db.app_state());
    let customer = sign_in(&app, "demo@peakday.example", "peakday-demo").await;
    let response = send(&app, get("/admin", Some(&customer))).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let html = body_text(response).await;
    assert!(html.contains("<title>Not allowed · Peakday</title>"), "{html}");
    assert!(!html.contains("Administration</h1>"), "nothing of the refused page");
}

#[tokio::test]
async fn requests_for_another_host_name_are_refused() {
    let db = TestDb::sqlite().await.seeded().await;
    let app = router(db.app_state());
    let rebound = Request::get("/signin").header("host", "attacker.example").body(Body::empty());
    let response = send(&app, rebound.unwrap()).await;
    assert_eq!(response.status(), StatusCode::MISDIRECTED_REQUEST);
    let local = send(&app, get("/signin", None)).await;
    assert_eq!(local.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_customer_sees_their_sessions_and_signs_out_everywhere_else() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let app = router(db.app_state());
        let laptop = sign_in(&app, "demo@peakday.example", "peakday-demo").await;
        let phone = sign_in(&app, "demo@peakday.example", "peakday-demo").await;
        let (status, view) = api(&app, "/api/security", "", &laptop).await;
        assert_eq!(status, StatusCode::OK, "{}", db.name);
        let sessions = view["sessions"].as_array().unwrap();
        assert_eq!(sessions.len(), 2, "{}", db.name);
        assert_eq!(sessions.iter().filter(|s| s["current"] == true).count(), 1);

        let (status, saved) = api(&app, "/api/end_other_sessions", "", &laptop).await;
        assert_eq!(status, StatusCode::OK);
        assert!(saved["message"].as_str().unwrap().starts_with("Signed out of 1 other session"));
        assert_eq!(send(&app, get("/account", Some(&phone))).await.status(), StatusCode::SEE_OTHER);
        assert_eq!(send(&app, get("/account", Some(&laptop))).await.status(), StatusCode::OK);
        assert!(actions(&db, "3000012345").await.contains(&"sessions.ended_elsewhere".to_owned()));
    }
}

#[tokio::test]
async fn customer_service_ends_a_customers_sessions_and_disables_their_sign_in_on_the_record() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let app = router(db.app_state());
        let customer = sign_in(&app, "demo@peakday.example", "peakday-demo").await;
        let agent = sign_in(&app, "agent@peakday.example", "peakday-agent").await;

        let (_, sign_in_view) =
            api(&app, "/api/account_sign_in", "account=3000012345", &agent).await;
        assert_eq!(sign_in_view["email"], "demo@peakday.example", "{}", db.name);
        assert_eq!(sign_in_view["sessions"], 1);
        assert_eq!(sign_in_view["can_reset"], false, "agents do not issue reset links");

        let (status, _) =
            api(&app, "/api/end_customer_sessions", "account=3000012345", &agent).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            send(&app, get("/account", Some(&customer))).await.status(),
            StatusCode::SEE_OTHER
        );

        let disable = "account=3000012345&disabled=true";
        let (status, _) = api(&app, "/api/set_customer_sign_in_disabled", disable, &agent).await;
        assert_eq!(status, StatusCode::OK);
        let refused =
            post_step(&app, "/signin", "email=demo@peakday.example&password=peakday-demo", None)
                .await;
        assert_eq!(location(&refused), "/signin?notice=invalid", "{}", db.name);

        let history = audit::audit_of_account(
            &mut db.store.read().await.unwrap(),
            account(&db, "3000012345").await,
            20,
        )
        .await
        .unwrap();
        let by_agent: Vec<&str> = history
            .iter()
            .filter(|r| r.actor_name.as_deref() == Some("Alex Agent"))
            .map(|r| r.entry.action.as_str())
            .collect();
        assert!(
            by_agent.contains(&"sign_in.sessions_ended") && by_agent.contains(&"sign_in.disabled"),
            "{by_agent:?}"
        );

        // A customer cannot reach these controls, for their own account or another.
        let (status, _) = api(
            &app,
            "/api/end_customer_sessions",
            "account=3000067890",
            &sign_in(&app, "agent@peakday.example", "peakday-agent").await,
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "Priya has no sign-in");
    }
}

#[tokio::test]
async fn wrong_current_passwords_are_slowed_like_sign_ins_and_the_wait_is_said_in_words() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let app = router(db.app_state());
        let here = sign_in(&app, "demo@peakday.example", "peakday-demo").await;
        let change = |current: &str| {
            format!("current={current}&password=maple+harbor+kettle+ring&confirm=maple+harbor+kettle+ring")
        };
        for attempt in 1..=5 {
            let (_, refusal) = api(&app, "/api/change_password", &change("wrong"), &here).await;
            assert!(refusal.to_string().contains("not your current password"), "{attempt}");
        }
        // The sixth waits, whatever it holds: the right password too, so a guesser learns
        // nothing from it.
        for current in ["wrong", "peakday-demo"] {
            let (status, refusal) =
                api(&app, "/api/change_password", &change(current), &here).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{}: {refusal}", db.name);
            let refusal = refusal.to_string();
            assert!(
                refusal.contains("Too many wrong passwords. Wait 2 seconds, then try again.")
                    || refusal.contains("Too many wrong passwords. Wait 1 second, then try again."),
                "{refusal}"
            );
        }
        assert!(!actions(&db, "3000012345").await.contains(&"password.changed".to_owned()));
    }
}

#[tokio::test]
async fn changing_a_password_needs_the_current_one_follows_the_rules_and_ends_other_sessions() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let app = router(db.app_state());
        let here = sign_in(&app, "demo@peakday.example", "peakday-demo").await;
        let there = sign_in(&app, "demo@peakday.example", "peakday-demo").await;
        let change = |current: &str, new: &str| {
            let new = new.replace(' ', "+");
            format!("current={current}&password={new}&confirm={new}")
        };
        let (status, refusal) =
            api(&app, "/api/change_password", &change("wrong", "maple harbor kettle ring"), &here)
                .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refusal.to_string().contains("not your current password"), "{refusal}");
        for weak in ["short", "password123", "jordanrivera"] {
            let (status, refusal) =
                api(&app, "/api/change_password", &change("peakday-demo", weak), &here).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{weak}: {refusal}");
        }
        let (status, saved) = api(
            &app,
            "/api/change_password",
            &change("peakday-demo", "maple harbor kettle ring"),
            &here,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{}: {saved}", db.name);
        assert_eq!(send(&app, get("/account", Some(&there))).await.status(), StatusCode::SEE_OTHER);
        assert_eq!(send(&app, get("/account", Some(&here))).await.status(), StatusCode::OK);
        let old =
            post_step(&app, "/signin", "email=demo@peakday.example&password=peakday-demo", None)
                .await;
        assert_eq!(location(&old), "/signin?notice=invalid");
        sign_in(&app, "demo@peakday.example", "maple+harbor+kettle+ring").await;
        assert!(actions(&db, "3000012345").await.contains(&"password.changed".to_owned()));
    }
}

#[tokio::test]
async fn an_administrators_reset_link_works_once_and_ends_every_session() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let app = router(db.app_state());
        let customer = sign_in(&app, "demo@peakday.example", "peakday-demo").await;
        let admin = sign_in(&app, "admin@peakday.example", "peakday-admin").await;
        let agent = sign_in(&app, "agent@peakday.example", "peakday-agent").await;

        let refused =
            post_step(&app, "/admin/reset-link", "account=3000012345", Some(&agent)).await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN, "agents do not issue reset links");

        let issued = post_step(&app, "/admin/reset-link", "account=3000012345", Some(&admin)).await;
        assert_eq!(issued.status(), StatusCode::OK, "{}", db.name);
        let html = body_text(issued).await;
        let token = html
            .split("/signin/reset?token=")
            .nth(1)
            .and_then(|rest| rest.split('<').next())
            .expect("the page shows the link")
            .to_owned();
        let form = |password: &str| format!("token={token}&password={password}&confirm={password}");
        let weak = post_step(&app, "/signin/reset", &form("password123"), None).await;
        assert!(location(&weak).contains("problem=weak"), "{}", location(&weak));
        let done =
            post_step(&app, "/signin/reset", &form("lantern+orbit+copper+kettle"), None).await;
        assert_eq!(location(&done), "/signin?notice=password_reset", "{}", db.name);
        assert_eq!(
            send(&app, get("/account", Some(&customer))).await.status(),
            StatusCode::SEE_OTHER
        );
        let again =
            post_step(&app, "/signin/reset", &form("another+strong+pass+phrase"), None).await;
        assert!(location(&again).contains("problem=wrong_code"), "the link works once");
        sign_in(&app, "demo@peakday.example", "lantern+orbit+copper+kettle").await;
        let history = actions(&db, "3000012345").await;
        assert!(history.contains(&"sign_in.reset_link_issued".to_owned()));
        assert!(history.contains(&"sign_in.reset".to_owned()));
    }
}

#[tokio::test]
async fn an_administrator_resets_a_staff_members_second_factor_and_they_set_it_up_again() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let app = router(db.app_state());
        let admin = sign_in(&app, "admin@peakday.example", "peakday-admin").await;
        let pm = sign_in(&app, "pm@peakday.example", "peakday-pm").await;
        let email = peakday_app::contact::EmailAddress::parse("pm@peakday.example").unwrap();
        let id = auth::store::user_by_email(&mut db.store.read().await.unwrap(), &email)
            .await
            .unwrap()
            .unwrap()
            .id;
        let (status, _) =
            api(&app, "/api/reset_second_factor", &format!("user={id}"), &admin).await;
        assert_eq!(status, StatusCode::OK, "{}", db.name);
        assert_eq!(
            send(&app, get("/programs", Some(&pm))).await.status(),
            StatusCode::SEE_OTHER,
            "signed out"
        );
        let again =
            post_step(&app, "/signin", "email=pm@peakday.example&password=peakday-pm", None).await;
        assert_eq!(location(&again), "/signin/two-step", "{}: set it up again", db.name);
    }
}

#[tokio::test]
async fn a_customer_may_turn_on_two_step_verification_and_then_signs_in_with_a_code() {
    let db = TestDb::sqlite().await.seeded().await;
    let app = router(db.app_state());
    let customer = sign_in(&app, "demo@peakday.example", "peakday-demo").await;
    let (status, _) = api(&app, "/api/start_two_step", "", &customer).await;
    assert_eq!(status, StatusCode::OK);
    let (_, view) = api(&app, "/api/security", "", &customer).await;
    let secret: String = view["setup"]["secret"].as_str().unwrap().split_whitespace().collect();
    assert_eq!(view["setup"]["recovery_codes"].as_array().unwrap().len(), 10);
    let code = peakday_server::auth::second_factor::code_at(&secret, peakday_server::store::now())
        .unwrap();
    let (status, saved) =
        api(&app, "/api/confirm_two_step", &format!("code={code}"), &customer).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let next =
        post_step(&app, "/signin", "email=demo@peakday.example&password=peakday-demo", None).await;
    assert_eq!(location(&next), "/signin/verify");
    let (status, _) = api(&app, "/api/turn_off_two_step", "current=peakday-demo", &customer).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn sms_consent_is_each_accounts_own_and_a_stop_stops_every_account() {
    use peakday_app::contact::PhoneNumber;
    use peakday_app::preferences::SmsConsent;
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let (jordan, priya) = (account(&db, "3000012345").await, account(&db, "3000067890").await);
        let number = PhoneNumber::parse("(518) 555-0199").unwrap();
        // One number shared by both accounts' primary recipients.
        for account in [jordan, priya] {
            let mut tx = db.store.begin_write().await.unwrap();
            let recipients = preferences::recipients::recipients_of(&mut tx, account).await;
            let mut primary = recipients.unwrap().primary;
            primary.contact.sms = Some(number.clone());
            preferences::recipients::update_recipient(&mut tx, account, &primary).await.unwrap();
            tx.commit().await.unwrap();
        }
        let consent = |account| {
            let store = db.store.clone();
            let number = number.clone();
            async move {
                let mut conn = store.read().await.unwrap();
                let (_, reach, _) =
                    preferences::recipients::recipients_with_reach(&mut conn, account)
                        .await
                        .unwrap();
                reach.sms_consent.get(&number).copied()
            }
        };
        let mut tx = db.store.begin_write().await.unwrap();
        assert!(preferences::store::request_sms_consent(&mut tx, jordan, &number).await.unwrap());
        tx.commit().await.unwrap();
        assert_eq!(consent(jordan).await, Some(SmsConsent::Pending), "{}", db.name);
        assert_eq!(consent(priya).await, None, "{}: another account learns nothing", db.name);

        // The number confirms: only the account that asked is opted in.
        let mut tx = db.store.begin_write().await.unwrap();
        assert_eq!(
            preferences::store::confirm_sms_consent(&mut tx, &number, 1).await.unwrap(),
            [jordan]
        );
        tx.commit().await.unwrap();
        assert_eq!(consent(jordan).await, Some(SmsConsent::OptedIn));
        assert_eq!(consent(priya).await, None, "{}: one account's yes covers no other", db.name);

        // Priya asks too; then STOP from the number stops both at once.
        let mut tx = db.store.begin_write().await.unwrap();
        preferences::store::request_sms_consent(&mut tx, priya, &number).await.unwrap();
        let stopped = preferences::store::record_sms_stop(&mut tx, &number, 2).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(stopped.len(), 2, "{}", db.name);
        assert_eq!(consent(jordan).await, Some(SmsConsent::OptedOut));
        assert_eq!(consent(priya).await, Some(SmsConsent::OptedOut));
        let mut conn = db.store.read().await.unwrap();
        assert!(preferences::store::sms_number_stopped(&mut conn, &number).await.unwrap());
    }
}

#[tokio::test]
async fn another_accounts_device_is_not_disclosed_to_a_customer_but_customer_service_is_told() {
    let db = TestDb::sqlite().await.seeded().await;
    let app = router(db.app_state());
    let jordan = sign_in(&app, "demo@peakday.example", "peakday-demo").await;
    let device = "kind=battery&make=Tesla&model=Powerwall+3&serial=TW-77&network_address=10.0.0.9&capacity=13.5&service_point=";
    let (status, _) =
        api(&app, "/api/register_device", &format!("{device}SP-1000001"), &jordan).await;
    assert_eq!(status, StatusCode::OK);
    let casey = common::new_customer(&db, "3000077777", "casey@example.com").await;
    let casey = sign_in(&app, &casey, "amber-kettle-orbit-73").await;
    let (status, refusal) =
        api(&app, "/api/register_device", &format!("{device}SP-3000077777"), &casey).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let text = refusal.to_string();
    assert!(
        text.contains("We could not add this device") && !text.contains("3000012345"),
        "{text}"
    );
    let agent = sign_in(&app, "agent@peakday.example", "peakday-agent").await;
    let (_, told) = api(
        &app,
        "/api/register_device",
        &format!("{device}SP-3000077777&account=3000077777"),
        &agent,
    )
    .await;
    assert!(told.to_string().contains("on account 3000012345"), "{told}");
}

#[tokio::test]
async fn sqlite_acknowledges_a_save_only_once_it_is_on_disk() {
    let db = TestDb::sqlite().await;
    let mut conn = db.store.read().await.unwrap();
    let level: i64 = sqlx::query_scalar("PRAGMA synchronous").fetch_one(&mut *conn).await.unwrap();
    assert_eq!(level, 2, "FULL");
}

#[tokio::test]
async fn on_postgres_the_audit_log_cannot_be_truncated_and_a_role_that_may_only_append_cannot_rewrite_it(
) {
    let db = TestDb::postgres().await.seeded().await;
    db.store
        .execute_admin(
            "INSERT INTO audit_log (at, source, action) VALUES (1, 'system', 'test.record')",
        )
        .await
        .unwrap();
    let truncate = db.store.execute_admin("TRUNCATE audit_log").await;
    assert!(truncate.is_err(), "TRUNCATE is refused by the statement trigger");
    let delete = db.store.execute_admin("DELETE FROM audit_log").await;
    assert!(delete.is_err(), "row deletes are refused");

    // The role the README asks operators to run with: owns nothing, may only read and append
    // to the audit log (and work with the rest), so it cannot drop the triggers either.
    let role = format!("peakday_app_{}", std::process::id());
    for statement in [
        format!("DROP ROLE IF EXISTS {role}"),
        format!("CREATE ROLE {role} LOGIN"),
        format!("GRANT SELECT, INSERT ON audit_log TO {role}"),
    ] {
        db.store.execute_admin(&statement).await.unwrap();
    }
    let restricted =
        peakday_server::store::Store::connect(&db.url.replace("postgres@", &format!("{role}@")))
            .await
            .unwrap();
    assert!(restricted.execute_admin("SELECT 1 FROM audit_log LIMIT 1").await.is_ok());
    assert!(restricted
        .execute_admin("DROP TRIGGER audit_log_is_append_only ON audit_log")
        .await
        .is_err());
    assert!(restricted.execute_admin("UPDATE audit_log SET action = 'x'").await.is_err());
    restricted.close().await;
    db.store.execute_admin(&format!("REVOKE ALL ON audit_log FROM {role}")).await.unwrap();
    db.store.execute_admin(&format!("DROP ROLE {role}")).await.unwrap();
}

#[tokio::test]
async fn on_postgres_two_changes_of_one_account_cannot_both_pass_the_same_check() {
    let db = TestDb::postgres().await.seeded().await;
    // A second demand-response program: a meter may be in only one program of a kind.
    let mut second = peakday_server::demo::demo_programs(jiff::Zoned::now().year())[0].clone();
    second.name = "Cool Summer Saver".into();
    second.season_start = peakday_app::programs::CalendarDate::new(2000, 1, 1).unwrap();
    second.season_end = peakday_app::programs::CalendarDate::new(2099, 12, 31).unwrap();
    let mut tx = db.store.begin_write().await.unwrap();
    programs::store::insert_program(&mut tx, &second).await.unwrap();
    tx.commit().await.unwrap();

    let app = router(db.app_state());
    let customer = sign_in(&app, "demo@peakday.example", "peakday-demo").await;
    let thermostat = |serial: &str| {
        format!("kind=thermostat&make=ecobee&model=Premium&serial={serial}&network_address=10.0.0.2&capacity=3.5&service_point=SP-1000001")
    };
    for serial in ["RACE-1", "RACE-2"] {
        let (status, _) = api(&app, "/api/register_device", &thermostat(serial), &customer).await;
        assert_eq!(status, StatusCode::OK);
    }
    let (_, devices) = api(&app, "/api/devices", "", &customer).await;
    let ids: Vec<i64> =
        devices["devices"].as_array().unwrap().iter().map(|d| d["id"].as_i64().unwrap()).collect();
    let (_, programs) = api(&app, "/api/account_programs", "", &customer).await;
    let program_ids: Vec<i64> = programs["offers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|offer| offer["program"]["definition"]["kind"] == "demand_response")
        .map(|offer| offer["program"]["id"].as_i64().unwrap())
        .collect();
    assert_eq!(program_ids.len(), 2, "{programs}");
    // The same meter into two programs of a kind, at the same moment, on two connections.
    let first = format!("program={}&device={}", program_ids[0], ids[0]);
    let second = format!("program={}&device={}", program_ids[1], ids[1]);
    let (a, b) = tokio::join!(
        api(&app, "/api/enroll", &first, &customer),
        api(&app, "/api/enroll", &second, &customer),
    );
    let statuses = [a.0, b.0];
    assert!(statuses.contains(&StatusCode::OK), "{statuses:?}");
    assert!(
        statuses.contains(&StatusCode::UNPROCESSABLE_ENTITY),
        "one is refused: {statuses:?} {a:?} {b:?}"
    );

    // A late acknowledgement of an older message changes nothing: compare-and-set.
    let mut tx = db.store.begin_write().await.unwrap();
    let update = peakday_server::programs::store::RegistrationUpdate {
        registration: peakday_app::programs::Registration::Registered,
        detail: None,
        sync_message: None,
        synced_at: Some(1),
        if_message: Some("an-older-message"),
    };
    assert!(!programs::store::set_registration(
        &mut tx,
        peakday_app::programs::DeviceId(ids[0]),
        &update
    )
    .await
    .unwrap());
    tx.commit().await.unwrap();
}

/// The router served by the real accept loop on loopback, with short limits.
async fn serve_with(db: &TestDb, limits: peakday_server::http::Limits) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = router(db.app_state());
    tokio::spawn(peakday_server::http::serve(listener, app, limits, std::future::pending()));
    addr
}

/// Everything the server sends on `stream` until it closes it (or `within` passes).
async fn read_until_closed(
    stream: &mut tokio::net::TcpStream,
    within: std::time::Duration,
) -> Option<String> {
    use tokio::io::AsyncReadExt;
    let mut seen = Vec::new();
    let mut buffer = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buffer)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return Some(String::from_utf8_lossy(&seen).into_owned()),
            Ok(Ok(n)) => seen.extend_from_slice(&buffer[..n]),
            Err(_) => return None,
        }
    }
}

#[tokio::test]
async fn a_connection_that_never_finishes_its_headers_is_closed() {
    use tokio::io::AsyncWriteExt;
    let db = TestDb::sqlite().await;
    let limits = peakday_server::http::Limits {
        header_read_timeout: std::time::Duration::from_millis(500),
        ..Default::default()
    };
    let addr = serve_with(&db, limits).await;
    let mut slow = tokio::net::TcpStream::connect(addr).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: 1").await.unwrap();
    let closed = read_until_closed(&mut slow, std::time::Duration::from_secs(3)).await;
    assert!(closed.is_some(), "the server closed the connection within 3 s");
}

#[tokio::test]
async fn connections_past_the_cap_wait_for_one_to_close() {
    use tokio::io::AsyncWriteExt;
    let db = TestDb::sqlite().await;
    let limits = peakday_server::http::Limits { max_connections: 1, ..Default::default() };
    let addr = serve_with(&db, limits).await;
    let held = tokio::net::TcpStream::connect(addr).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let mut waiting = tokio::net::TcpStream::connect(addr).await.unwrap();
    waiting
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let early = read_until_closed(&mut waiting, std::time::Duration::from_millis(700)).await;
    assert!(early.is_none(), "not served while the one allowed connection is open: {early:?}");
    drop(held);
    let answer = read_until_closed(&mut waiting, std::time::Duration::from_secs(5)).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

/// Log lines written while a test runs, for asserting on them.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn refusals_and_failed_sign_ins_are_security_events_that_never_name_the_email() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::WARN)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let db = TestDb::sqlite().await.seeded().await;
    let app = router(db.app_state());
    post_step(&app, "/signin", "email=demo@peakday.example&password=wrong", None).await;
    let customer = sign_in(&app, "demo@peakday.example", "peakday-demo").await;
    send(&app, get("/admin", Some(&customer))).await;
    send(&app, call("/api/staff_members", "", &customer)).await;
    send(&app, call("/api/preferences", "account=3000067890", &customer)).await;
    let forged = Request::post("/signout")
        .header("host", "127.0.0.1:3000")
        .header(ORIGIN, "http://evil.test")
        .header(COOKIE, &customer)
        .body(Body::empty())
        .unwrap();
    send(&app, forged).await;

    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    for event in
        ["sign_in_failed", "page_forbidden", "call_forbidden", "account_refused", "csrf_refused"]
    {
        assert!(
            log.lines().any(|line| line.contains(" security:") && line.contains(event)),
            "{event} is a security event:\n{log}"
        );
    }
    let fingerprint = peakday_server::auth::email_fingerprint("demo@peakday.example");
    assert!(log.contains(&fingerprint), "the email is named by its fingerprint");
    assert!(!log.contains("demo@peakday.example"), "never by itself:\n{log}");
}

#[tokio::test]
async fn on_postgres_two_adds_of_the_same_email_serial_or_name_at_once_get_one_row_and_the_fields_message(
) {
    let db = TestDb::postgres().await.seeded().await;
    let app = router(db.app_state());
    let admin = sign_in(&app, "admin@peakday.example", "peakday-admin").await;
    let staff = "name=Twin+Hire&email=twin%40utility.example&role=agent&password=a-long-password-1";
    let (a, b) = tokio::join!(
        api(&app, "/api/create_staff_member", staff, &admin),
        api(&app, "/api/create_staff_member", staff, &admin),
    );
    let mut statuses = [a.0, b.0];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::UNPROCESSABLE_ENTITY], "{a:?} {b:?}");
    let refusal = if a.0 == StatusCode::OK { b.1 } else { a.1 };
    assert!(refusal.to_string().contains("Someone already signs in with that email."), "{refusal}");

    let customer = sign_in(&app, "demo@peakday.example", "peakday-demo").await;
    let device = "kind=thermostat&make=ecobee&model=Premium&serial=TWIN-1&network_address=10.0.0.3&capacity=3.5&service_point=SP-1000001";
    let (a, b) = tokio::join!(
        api(&app, "/api/register_device", device, &customer),
        api(&app, "/api/register_device", device, &customer),
    );
    let mut statuses = [a.0, b.0];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::UNPROCESSABLE_ENTITY], "{a:?} {b:?}");

    let pm = sign_in(&app, "pm@peakday.example", "peakday-pm").await;
    let program = "name=Twin+Program&description=&kind=demand_response&status=draft\
        &season_start=2027-06-01&season_end=2027-09-30&thermostat=on&min_battery_kwh=&rate_classes=\
        &max_events_per_season=3&max_event_hours=4&min_notice_hours=24&opt_outs_per_season=1\
        &enrollment_credit=0&performance_basis=per_event&performance_rate=1";
    let (a, b) = tokio::join!(
        api(&app, "/api/save_program", program, &pm),
        api(&app, "/api/save_program", program, &pm),
    );
    let mut statuses = [a.0, b.0];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::UNPROCESSABLE_ENTITY], "{a:?} {b:?}");
}

#[tokio::test]
async fn on_postgres_two_role_changes_at_once_each_record_what_they_replaced() {
    let db = TestDb::postgres().await.seeded().await;
    let app = router(db.app_state());
    let admin = sign_in(&app, "admin@peakday.example", "peakday-admin").await;
    let (_, members) = api(&app, "/api/staff_members", "", &admin).await;
    let alex = members
        .as_array()
        .unwrap()
        .iter()
        .find(|member| member["display_name"] == "Alex Agent")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    // Ten times, four changes at once: each waits for the one before, so every change's
    // "before" is the "after" of the one just before it.
    for _ in 0..10 {
        let bodies: Vec<String> = ["program_manager", "admin", "agent", "admin"]
            .iter()
            .map(|role| format!("user={alex}&role={role}"))
            .collect();
        let answers = futures_util::future::join_all(
            bodies.iter().map(|body| api(&app, "/api/change_staff_role", body, &admin)),
        )
        .await;
        assert!(answers.iter().all(|(status, _)| *status == StatusCode::OK), "{answers:?}");
    }
    let changes: Vec<(String, String)> = sqlx::query_as(
        "SELECT before_value, after_value FROM audit_log \
         WHERE action = 'staff.role_changed' ORDER BY id",
    )
    .fetch_all(&mut *db.store.read().await.unwrap())
    .await
    .unwrap();
    assert!(changes[0].0.contains("Customer service agent"), "{changes:?}");
    for pair in changes.windows(2) {
        assert_eq!(pair[1].0, pair[0].1, "a change saw the one before it: {changes:?}");
    }
}
