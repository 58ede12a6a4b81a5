//! Peak days (issue 17) on both databases, through the real router: an event called and its
//! devices reserved, the rules' refusals, an opt-out and its viability, time away set by an
//! agent, the DERMS receiving an event's messages in order after an outage, and its
//! participation report answered and replayed. The demo's peak day (`demo::seed_peak_day`) is
//! the start: Jordan's registered thermostat in an event of Smart Thermostat Rewards.

mod common;

use axum::Router;
use common::head_end::{post_signed_to, serve, HeadEnd};
use common::{api, new_customer, sign_in, TestDb};
use http::StatusCode;
use peakday_server::events::derms::{DermsChange, DERMS_EVENT};
use peakday_server::events::PEAK_DAY_NOTICE;
use peakday_server::http::router;
use peakday_server::programs::head_end::delivery::HeadEndSender;
use peakday_server::programs::head_end::HeadEndConfig;
use peakday_server::store::now;
use peakday_server::store::outbox;
use serde_json::Value;

const SECRET: &str = "test-head-end-secret-of-32-bytes-or-more";

struct Rig {
    app: Router,
    portal: String,
    customer: String,
    manager: String,
    program: i64,
    event: i64,
}

async fn rig(db: &TestDb) -> Rig {
    peakday_server::demo::seed_peak_day(&db.store).await.expect("the demo peak day seeds");
    let app = router(db.app_state_with_head_end("http://127.0.0.1:9/sync", SECRET));
    let portal = serve(app.clone()).await;
    let customer = sign_in(&app, "demo@peakday.example", "peakday-demo").await;
    let manager = sign_in(&app, "pm@peakday.example", "peakday-pm").await;
    let (_, events) = api(&app, "/api/account_events", "", &customer).await;
    let event = events["upcoming"][0]["id"].as_i64().expect("the demo event is upcoming");
    Rig { app, portal, customer, manager, program: 1, event }
}

async fn program_events(rig: &Rig) -> Value {
    let (status, events) =
        api(&rig.app, "/api/program_events", &format!("program={}", rig.program), &rig.manager)
            .await;
    assert_eq!(status, StatusCode::OK, "{events}");
    // Every change is re-evaluated, so the newest history entry (the event's running tally)
    // agrees with the devices' states counted afresh.
    for event in events["events"].as_array().unwrap() {
        let newest = event["history"].as_array().unwrap().last().cloned().unwrap_or_default();
        assert_eq!(newest["reserved_devices"], event["tally"]["reserved"], "{event}");
        assert_eq!(newest["reserved"], event["tally"]["reserved_capacity"], "{event}");
    }
    events
}

/// The outbox's event messages, oldest first, as their change's type.
async fn derms_messages(db: &TestDb) -> Vec<String> {
    outbox::messages(&mut db.store.read().await.unwrap(), DERMS_EVENT)
        .await
        .unwrap()
        .iter()
        .map(|(message, _)| {
            let payload: Value = serde_json::from_str(&message.payload).unwrap();
            payload["change"]["type"].as_str().unwrap().to_owned()
        })
        .collect()
}

#[tokio::test]
async fn a_called_event_reserves_the_device_and_an_opt_out_releases_it() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let rig = rig(&db).await;
        let events = program_events(&rig).await;
        let event = &events["events"][0];
        assert_eq!(event["tally"]["reserved"], 1, "{}: {events}", db.name);
        assert_eq!(event["tally"]["reserved_capacity"], 35);
        assert_eq!(event["history"].as_array().unwrap().len(), 1);
        assert_eq!(events["called_this_season"], 1);
        assert_eq!(derms_messages(&db).await, ["dispatch"]);
        let notices =
            outbox::messages(&mut db.store.read().await.unwrap(), PEAK_DAY_NOTICE).await.unwrap();
        assert_eq!(notices.len(), 1, "one advance notice for the one account");

        let (_, mine) = api(&rig.app, "/api/account_events", "", &rig.customer).await;
        let upcoming = &mine["upcoming"][0];
        assert_eq!(upcoming["devices"][0]["state"], "reserved", "{mine}");
        assert_eq!(upcoming["opt_outs_left_after"], 2);
        assert!(upcoming["ask"].as_str().unwrap().contains("thermostat"));

        // Another account cannot reach the event, whatever it sends.
        let other = new_customer(&db, "3000099999", "other@example.com").await;
        let other = sign_in(&rig.app, &other, "amber-kettle-orbit-73").await;
        let body = format!("event={}", rig.event);
        let (status, _) = api(&rig.app, "/api/opt_out", &body, &other).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) =
            api(&rig.app, "/api/opt_out", &format!("{body}&account=3000012345"), &other).await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        let (status, saved) = api(&rig.app, "/api/opt_out", &body, &rig.customer).await;
        assert_eq!(status, StatusCode::OK, "{saved}");
        assert!(saved["message"].as_str().unwrap().ends_with("2 of 3 opt-outs left this season."));
        let (status, again) = api(&rig.app, "/api/opt_out", &body, &rig.customer).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(again.to_string().contains("opted out of this event already"), "{again}");

        let events = program_events(&rig).await;
        let event = &events["events"][0];
        assert_eq!(
            (event["tally"]["reserved"].clone(), event["tally"]["opted_out"].clone()),
            (0.into(), 1.into())
        );
        let history = event["history"].as_array().unwrap();
        assert_eq!(history.len(), 2, "the opt-out is re-evaluated and kept");
        assert_eq!(history[1]["cause"], "An account opted out");
        assert_eq!(history[1]["reserved"], 0);
        assert_eq!(derms_messages(&db).await, ["dispatch", "opt_out"]);

        let (_, mine) = api(&rig.app, "/api/account_events", "", &rig.customer).await;
        assert_eq!(mine["upcoming"][0]["opted_out"], true);
        assert_eq!(mine["allowances"][0]["used"], 1);
        let (_, activity) = api(&rig.app, "/api/activity", "", &rig.customer).await;
        assert!(activity.to_string().contains("Opted out of the peak-day event on"), "{activity}");

        // The page no longer asks or promises a credit; once cancelled it says only that.
        let page = events_page(&rig).await;
        assert!(page.contains("You opted out of this event"), "{page}");
        assert!(page.contains("will not be adjusted during this event, and it earns no credit"));
        assert!(!page.contains("Earn $1.00"), "an opted-out event promises no credit: {page}");
        let body = format!("event={}&reason=Cooler+weather+forecast", rig.event);
        let (status, saved) = api(&rig.app, "/api/cancel_event", &body, &rig.manager).await;
        assert_eq!(status, StatusCode::OK, "{saved}");
        let page = events_page(&rig).await;
        assert!(page.contains("Cooler weather forecast"), "{page}");
        assert!(!page.contains("You opted out of this event"), "{page}");
        assert!(!page.contains("earns no credit"), "{page}");
    }
}

/// The customer's Peak days page, as HTML.
async fn events_page(rig: &Rig) -> String {
    let response =
        common::send(&rig.app, common::get("/account/events", Some(&rig.customer))).await;
    assert_eq!(response.status(), StatusCode::OK);
    common::body_text(response).await
}

#[tokio::test]
async fn a_refused_time_away_comes_back_in_its_devices_form_alone_with_what_was_typed() {
    let db = TestDb::sqlite().await.seeded().await;
    let rig = rig(&db).await;
    // Jordan enrolls a second thermostat, so the page has two "Schedule time away" forms.
    let second = "kind=thermostat&make=ecobee&model=Lite&serial=EB-2222\
        &network_address=10.0.0.22&capacity=2&service_point=SP-1000001";
    let (status, saved) = api(&rig.app, "/api/register_device", second, &rig.customer).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let (_, devices) = api(&rig.app, "/api/devices", "", &rig.customer).await;
    let ids: Vec<i64> =
        devices["devices"].as_array().unwrap().iter().map(|d| d["id"].as_i64().unwrap()).collect();
    let second = *ids.iter().max().unwrap();
    let (_, offers) = api(&rig.app, "/api/account_programs", "", &rig.customer).await;
    let enrollment = offers["offers"][0]["enrollment"]["id"].as_i64().unwrap();
    let add = format!("enrollment={enrollment}&device={second}");
    let (status, saved) = api(&rig.app, "/api/add_enrolled_device", &add, &rig.customer).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let (_, events) = api(&rig.app, "/api/account_events", "", &rig.customer).await;
    assert_eq!(events["devices"].as_array().unwrap().len(), 2, "{events}");

    // Backwards, for the second device, posted without WASM.
    let backwards = format!("device={second}&start=2027-03-02T20:00&end=2027-03-02T08:00");
    let post =
        common::plain_post("/api/schedule_time_away", "/account/events", &rig.customer, backwards);
    let refused = common::send(&rig.app, post).await;
    let back = common::location(&refused);
    let page = common::send(&rig.app, common::get(&back, Some(&rig.customer))).await;
    let page = common::body_text(page).await;
    let message = "The time away must end after it starts.";
    assert_eq!(page.matches(message).count(), 1, "shown once: {page}");
    let form_of = |device: i64| {
        let start = page.find(&format!("id=\"away-{device}-heading\"")).unwrap();
        let rest = &page[start..];
        rest[..rest.find("</form>").unwrap()].to_owned()
    };
    let refused_form = form_of(second);
    assert!(refused_form.contains(message), "{refused_form}");
    assert!(refused_form.contains(r#"value="2027-03-02T20:00""#), "as typed: {refused_form}");
    assert!(refused_form.contains(r#"value="2027-03-02T08:00""#), "as typed: {refused_form}");
    let other = form_of(*ids.iter().min().unwrap());
    assert!(!other.contains("2027-03-02") && !other.contains(r#"aria-invalid="true""#), "{other}");
}

#[tokio::test]
async fn an_event_breaking_the_programs_rules_is_refused_with_each_rule_named() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let rig = rig(&db).await;
        let (status, refused) = api(
            &rig.app,
            "/api/call_event",
            "program=1&day=2000-01-05&start=09:00&end=15:00&notice_day=2000-01-05&notice_time=08:00\
             &target_kw=10&groups=",
            &rig.manager,
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{}: {refused}", db.name);
        let text = refused.to_string();
        assert!(
            text.contains("This program allows events of 4 hours at most; this one lasts 6 hours."),
            "{text}"
        );
        assert!(text.contains("The event's start has passed."), "{text}");
        assert!(text.contains("This program's season runs from"), "{text}");
        assert_eq!(
            program_events(&rig).await["events"].as_array().unwrap().len(),
            1,
            "nothing stored"
        );

        // A customer may not call events at all.
        let (status, _) =
            api(&rig.app, "/api/call_event", "program=1&day=2000-01-05", &rig.customer).await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        // Cancelling needs a reason, then releases the device and tells the DERMS.
        let body = format!("event={}&reason=", rig.event);
        let (status, _) = api(&rig.app, "/api/cancel_event", &body, &rig.manager).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let body = format!("event={}&reason=Cooler+weather+forecast", rig.event);
        let (status, saved) = api(&rig.app, "/api/cancel_event", &body, &rig.manager).await;
        assert_eq!(status, StatusCode::OK, "{saved}");
        let event = &program_events(&rig).await["events"][0];
        assert_eq!(event["phase"], "Cancelled");
        assert_eq!(event["tally"]["released"], 1);
        assert_eq!(derms_messages(&db).await, ["dispatch", "cancel"]);
        let (_, mine) = api(&rig.app, "/api/account_events", "", &rig.customer).await;
        assert_eq!(mine["upcoming"][0]["cancel_reason"], "Cooler weather forecast");
        assert_eq!(
            outbox::messages(&mut db.store.read().await.unwrap(), PEAK_DAY_NOTICE)
                .await
                .unwrap()
                .len(),
            2,
            "a cancellation notice"
        );
    }
}

#[tokio::test]
async fn an_agents_time_away_releases_the_device_and_the_customer_sees_it() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let rig = rig(&db).await;
        let agent = sign_in(&rig.app, "agent@peakday.example", "peakday-agent").await;
        let (_, theirs) = api(&rig.app, "/api/account_events", "account=3000012345", &agent).await;
        let device = theirs["devices"][0]["device"].as_i64().unwrap();
        let day = theirs["upcoming"][0]["day"].as_str().unwrap().to_owned();
        let body = format!("account=3000012345&device={device}&start={day}T08:00&end={day}T20:00");
        let (status, saved) = api(&rig.app, "/api/schedule_time_away", &body, &agent).await;
        assert_eq!(status, StatusCode::OK, "{}: {saved}", db.name);
        assert!(saved["message"]
            .as_str()
            .unwrap()
            .ends_with("It is released from 1 peak-day event."));
        let event = &program_events(&rig).await["events"][0];
        assert_eq!(event["tally"]["unavailable"], 1);
        assert_eq!(derms_messages(&db).await, ["dispatch", "unavailable", "release"]);

        let (_, activity) = api(&rig.app, "/api/activity", "", &rig.customer).await;
        let entry = activity["changes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|entry| entry["summary"].as_str().unwrap().starts_with("Scheduled time away"))
            .unwrap_or_else(|| panic!("{activity}"))
            .clone();
        assert_eq!(entry["source"], "agent", "{entry}");

        // The customer's card neither asks nor promises anything of a device that is away.
        let page = events_page(&rig).await;
        assert!(page.contains("None of your devices takes part in this event"), "{page}");
        assert!(!page.contains("Earn $1.00"), "{page}");
        assert!(!page.contains("thermostat is eased"), "{page}");
        assert!(!page.contains("Opt out of this event"), "{page}");

        // Backwards is refused beside its field; cancelling gives the device back to the event.
        let backwards =
            format!("account=3000012345&device={device}&start={day}T20:00&end={day}T08:00");
        let (status, _) = api(&rig.app, "/api/schedule_time_away", &backwards, &agent).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let (_, mine) = api(&rig.app, "/api/account_events", "", &rig.customer).await;
        let away = mine["devices"][0]["periods"][0]["id"].as_i64().unwrap();
        let (status, _) =
            api(&rig.app, "/api/cancel_time_away", &format!("id={away}"), &rig.customer).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(program_events(&rig).await["events"][0]["tally"]["reserved"], 1);
        // Back in the event, it is asked again.
        let page = events_page(&rig).await;
        assert!(page.contains("thermostat is eased") && page.contains("Earn $1.00"), "{page}");
    }
}

#[tokio::test]
async fn the_derms_hears_an_events_messages_in_order_after_an_outage_and_reports_participation() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let rig = rig(&db).await;
        let (status, _) =
            api(&rig.app, "/api/opt_out", &format!("event={}", rig.event), &rig.customer).await;
        assert_eq!(status, StatusCode::OK);
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
        let config = HeadEndConfig {
            url: Some(format!("http://{port}/sync")),
            secret: Some(SECRET.to_owned()),
        };
        let sender = HeadEndSender::new(db.store.clone(), &config).unwrap().unwrap();
        let t0 = now();
        let round = sender.deliver_due_at(t0).await.unwrap();
        assert_eq!(
            (round.delivered, round.failed),
            (0, 1),
            "{}: the opt-out waits behind the dispatch",
            db.name
        );

        let head_end = HeadEnd::start(port, &rig.portal, SECRET).await;
        let round = sender.deliver_due_at(t0 + 3600).await.unwrap();
        let round_two = sender.deliver_due_at(t0 + 3600).await.unwrap();
        assert_eq!(round.delivered + round_two.delivered, 2);
        let received: Vec<DermsChange> =
            head_end.ledger().events.iter().map(|message| message.change.clone()).collect();
        assert!(
            matches!(&received[0], DermsChange::Dispatch { page: 1, pages: 1, devices, .. } if devices.len() == 1)
        );
        assert!(
            matches!(&received[1], DermsChange::OptOut { device_ids } if device_ids.len() == 1)
        );
        let device = match &received[0] {
            DermsChange::Dispatch { devices, .. } => devices[0].device_id,
            _ => unreachable!(),
        };

        let url = format!("{}/api/v1/events/{}/participation", rig.portal, rig.event);
        let report = serde_json::json!({ "devices": [
            { "device_id": device, "status": "did_not_participate", "reason": "overridden" },
            { "device_id": 999_999, "status": "participated", "delivered_kw": "1.2" },
        ]});
        let body = serde_json::to_vec(&report).unwrap();
        let client = reqwest::Client::new();
        let (status, first) = post_signed_to(&client, &url, SECRET, &body).await;
        assert_eq!(status, 200, "{first}");
        assert_eq!(first["applied"], serde_json::json!([device]));
        assert_eq!(first["unknown_devices"], serde_json::json!([999_999]));
        let (_, replay) = post_signed_to(&client, &url, SECRET, &body).await;
        assert_eq!(replay["applied"], serde_json::json!([]), "a replay changes nothing");
        assert_eq!(replay["unchanged"], serde_json::json!([device]));
        let unsigned = client.post(&url).body(body.clone()).send().await.unwrap();
        assert_eq!(unsigned.status().as_u16(), 401);
        let missing = format!("{}/api/v1/events/424242/participation", rig.portal);
        assert_eq!(post_signed_to(&client, &missing, SECRET, &body).await.0, 404);

        let (_, mine) = api(&rig.app, "/api/account_events", "", &rig.customer).await;
        assert_eq!(
            mine["upcoming"][0]["devices"][0]["participation"],
            "did not take part: changed by you during the event"
        );
        assert_eq!(
            program_events(&rig).await["events"][0]["participation"]["did_not_participate"],
            1
        );
        head_end.stop().await;
    }
}

#[tokio::test]
async fn a_device_registered_after_the_call_joins_the_event_and_leaves_it_when_unenrolled() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let rig = rig(&db).await;
        let head_end = HeadEnd::start("127.0.0.1:0".parse().unwrap(), &rig.portal, SECRET).await;
        let config =
            HeadEndConfig { url: Some(head_end.url.clone()), secret: Some(SECRET.to_owned()) };
        let sender = HeadEndSender::new(db.store.clone(), &config).unwrap().unwrap();
        // Priya's account: a thermostat of her own, enrolled after the event was called.
        let priya = new_customer(&db, "3000077777", "priya@example.com").await;
        let priya = sign_in(&rig.app, &priya, "amber-kettle-orbit-73").await;
        let device = "kind=thermostat&make=ecobee&model=Lite&serial=EB-7777\
            &network_address=10.0.0.77&capacity=2&service_point=SP-3000077777";
        let (status, saved) = api(&rig.app, "/api/register_device", device, &priya).await;
        assert_eq!(status, StatusCode::OK, "{}: {saved}", db.name);
        let (_, devices) = api(&rig.app, "/api/devices", "", &priya).await;
        let id = devices["devices"][0]["id"].as_i64().unwrap();
        let (status, saved) =
            api(&rig.app, "/api/enroll", &format!("program={}&device={id}", rig.program), &priya)
                .await;
        assert_eq!(status, StatusCode::OK, "{saved}");
        sender.deliver_due_at(now()).await.unwrap();

        let event = &program_events(&rig).await["events"][0];
        assert_eq!(event["tally"]["reserved"], 2, "{event}");
        assert_eq!(event["tally"]["reserved_capacity"], 55);
        assert_eq!(
            event["history"].as_array().unwrap().last().unwrap()["cause"],
            "A device joined"
        );
        let (_, hers) = api(&rig.app, "/api/account_events", "", &priya).await;
        assert_eq!(hers["upcoming"][0]["devices"][0]["state"], "reserved", "{hers}");
        sender.deliver_due_at(now()).await.unwrap();
        let received: Vec<String> = head_end
            .ledger()
            .events
            .iter()
            .map(|message| {
                serde_json::to_value(&message.change).unwrap()["type"].as_str().unwrap().to_owned()
            })
            .collect();
        assert_eq!(received, ["dispatch", "join"]);
        let notices =
            outbox::messages(&mut db.store.read().await.unwrap(), PEAK_DAY_NOTICE).await.unwrap();
        assert_eq!(notices.len(), 2, "Priya is told of the event she joined");

        let (_, offers) = api(&rig.app, "/api/account_programs", "", &priya).await;
        let enrollment = offers["offers"][0]["enrollment"]["id"].as_i64().unwrap();
        let (status, _) =
            api(&rig.app, "/api/unenroll", &format!("enrollment={enrollment}"), &priya).await;
        assert_eq!(status, StatusCode::OK);
        sender.deliver_due_at(now()).await.unwrap();
        let event = &program_events(&rig).await["events"][0];
        assert_eq!(
            (event["tally"]["reserved"].clone(), event["tally"]["released"].clone()),
            (1.into(), 1.into())
        );
        head_end.stop().await;
    }
}

#[tokio::test]
async fn an_agent_sets_and_clears_the_medical_flag_with_a_note_and_the_customer_sees_why() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let app = router(db.app_state());
        let agent = sign_in(&app, "agent@peakday.example", "peakday-agent").await;
        let customer = sign_in(&app, "demo@peakday.example", "peakday-demo").await;
        let jordan = "account=3000012345";
        let (status, _) =
            api(&app, "/api/set_medical_flag", &format!("{jordan}&set=true&note="), &agent).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{}: a note is required", db.name);
        let (status, _) =
            api(&app, "/api/set_medical_flag", "set=false&note=mine", &customer).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "a customer cannot clear their own flag");
        let body = format!("{jordan}&set=true&note=Oxygen+concentrator%3B+letter+from+Dr.+Ames");
        let (status, saved) = api(&app, "/api/set_medical_flag", &body, &agent).await;
        assert_eq!(status, StatusCode::OK, "{saved}");
        assert_eq!(api(&app, "/api/medical_flag", jordan, &agent).await.1, true);
        let (_, offers) = api(&app, "/api/account_programs", "", &customer).await;
        assert!(offers.to_string().contains("medical or life-support flag"), "{offers}");
        let (status, again) = api(&app, "/api/set_medical_flag", &body, &agent).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(again.to_string().contains("set already"));
        let (_, activity) = api(&app, "/api/activity", "", &customer).await;
        assert!(
            activity.to_string().contains("Set the medical or life-support flag"),
            "{activity}"
        );
        let clear = format!("{jordan}&set=false&note=Equipment+returned");
        assert_eq!(api(&app, "/api/set_medical_flag", &clear, &agent).await.0, StatusCode::OK);
        assert_eq!(api(&app, "/api/medical_flag", jordan, &agent).await.1, false);
    }
}

#[tokio::test]
async fn the_same_event_called_forty_times_at_once_is_called_once() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let rig = rig(&db).await;
        let when = (jiff::Zoned::now().date() + jiff::Span::new().days(9)).to_string();
        let today = jiff::Zoned::now().date().to_string();
        let form = format!(
            "program=1&day={when}&start=14:00&end=18:00&notice_day={today}&notice_time=00:00\
             &target_kw=1&groups="
        );
        let calls: Vec<_> = (0..40)
            .map(|_| {
                let (app, manager, form) = (rig.app.clone(), rig.manager.clone(), form.clone());
                tokio::spawn(async move { api(&app, "/api/call_event", &form, &manager).await })
            })
            .collect();
        let mut answers = Vec::new();
        for call in calls {
            answers.push(call.await.unwrap());
        }
        let called = answers.iter().filter(|(status, _)| *status == StatusCode::OK).count();
        assert_eq!(called, 1, "{}: {answers:?}", db.name);
        let (_, refused) =
            answers.iter().find(|(status, _)| *status == StatusCode::UNPROCESSABLE_ENTITY).unwrap();
        assert!(
            refused
                .to_string()
                .contains("This program already has an event for these devices then"),
            "{refused}"
        );
        // The demo's event and this one: nothing else stored, the season counted once.
        let events = program_events(&rig).await;
        assert_eq!(events["events"].as_array().unwrap().len(), 2, "{}", db.name);
        assert_eq!(events["called_this_season"], 2);

        // Another hour of the same day is another event.
        let later = form.replace("start=14:00&end=18:00", "start=18:00&end=20:00");
        let (status, saved) = api(&rig.app, "/api/call_event", &later, &rig.manager).await;
        assert_eq!(status, StatusCode::OK, "{}: {saved}", db.name);
    }
}

#[tokio::test]
async fn an_event_whose_notice_time_has_passed_records_customers_told_when_it_was_called() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let rig = rig(&db).await;
        let when = (jiff::Zoned::now().date() + jiff::Span::new().days(9)).to_string();
        let week_ago = (jiff::Zoned::now().date() - jiff::Span::new().days(7)).to_string();
        let form = format!(
            "program=1&day={when}&start=14:00&end=18:00&notice_day={week_ago}&notice_time=09:00\
             &target_kw=1&groups="
        );
        let called_at = jiff::Timestamp::now().as_second();
        let (status, saved) = api(&rig.app, "/api/call_event", &form, &rig.manager).await;
        assert_eq!(status, StatusCode::OK, "{}: {saved}", db.name);
        // Nobody was told a week ago: the event says customers were told as it was called.
        let notice_at: i64 =
            sqlx::query_scalar("SELECT notice_at FROM events ORDER BY id DESC LIMIT 1")
                .fetch_one(&mut *db.store.read().await.unwrap())
                .await
                .unwrap();
        assert!(notice_at >= called_at, "{}: told at {notice_at}, called at {called_at}", db.name);
        assert!(notice_at <= jiff::Timestamp::now().as_second());
    }
}

#[tokio::test]
async fn a_program_that_would_strand_an_event_called_is_refused_until_it_is_cancelled() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let rig = rig(&db).await;
        let today = jiff::Zoned::now().date();
        let season_end = |overview: Value| {
            let end = overview["programs"][0]["program"]["definition"]["season_end"].clone();
            assert!(!end.is_null(), "{overview}");
            end
        };
        let overview = || api(&rig.app, "/api/programs_overview", "", &rig.manager);
        let before = season_end(overview().await.1);
        let form = |status: &str, season_end: &str| {
            format!(
                "program={}&name=Smart+Thermostat+Rewards&description=&kind=demand_response\
                 &status={status}&season_start={}&season_end={season_end}&thermostat=on\
                 &min_battery_kwh=&rate_classes=R-PTR&max_events_per_season=15\
                 &max_event_hours=4&min_notice_hours=24&opt_outs_per_season=3\
                 &unavailability_allowed=on&enrollment_credit=50&performance_basis=per_kwh\
                 &performance_rate=1",
                rig.program,
                today - jiff::Span::new().days(30),
            )
        };
        // The demo's event is days away: a season ending today would leave it out, and a
        // retired program would keep it.
        let short = form("active", &today.to_string());
        let retired = form("retired", before.as_str().unwrap());
        for (form, refusal) in
            [(&short, "after this end. Cancel it first"), (&retired, "keep the program active")]
        {
            let (status, refused) = api(&rig.app, "/api/save_program", form, &rig.manager).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{}: {refused}", db.name);
            assert!(refused.to_string().contains(refusal), "{refused}");
        }
        let program = &overview().await.1["programs"][0]["program"]["definition"];
        assert_eq!(program["season_end"], before, "nothing stored");
        assert_eq!(program["status"], "active", "nothing stored");

        let body = format!("event={}&reason=Season+ends+early", rig.event);
        let (status, saved) = api(&rig.app, "/api/cancel_event", &body, &rig.manager).await;
        assert_eq!(status, StatusCode::OK, "{saved}");
        let (status, saved) = api(&rig.app, "/api/save_program", &short, &rig.manager).await;
        assert_eq!(status, StatusCode::OK, "{}: {saved}", db.name);
        assert_ne!(season_end(overview().await.1), before, "the season is saved once it can be");
        let (status, saved) = api(&rig.app, "/api/save_program", &retired, &rig.manager).await;
        assert_eq!(status, StatusCode::OK, "{}: {saved}", db.name);
    }
}

/// The next night the utility's clocks (New York's, in the demo) skip 02:30, within a year.
fn next_spring_forward() -> jiff::civil::Date {
    let zone = jiff::tz::TimeZone::get("America/New_York").unwrap();
    let today = jiff::Zoned::now().date();
    (1..=366)
        .map(|days| today + jiff::Span::new().days(days))
        .find(|day| {
            let at = day.at(2, 30, 0, 0);
            matches!(zone.to_ambiguous_zoned(at).offset(), jiff::tz::AmbiguousOffset::Gap { .. })
        })
        .unwrap()
}

#[tokio::test]
async fn time_away_at_a_time_the_clocks_skip_is_refused_by_name() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let rig = rig(&db).await;
        let (_, mine) = api(&rig.app, "/api/account_events", "", &rig.customer).await;
        let device = mine["devices"][0]["device"].as_i64().unwrap();
        let night = next_spring_forward();
        // 02:30 to 03:30 that night: 02:30 would be moved to 03:30, an empty span.
        let body = format!("device={device}&start={night}T02:30&end={night}T03:30");
        let (status, refused) =
            api(&rig.app, "/api/schedule_time_away", &body, &rig.customer).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{}: {refused}", db.name);
        let refused = refused.to_string();
        assert!(
            refused.contains("2:30 AM on ")
                && refused.contains(" does not happen: clocks go forward"),
            "{refused}"
        );
        assert!(!refused.contains("must end after it starts"), "{refused}");
        // Around the change, the same night is scheduled.
        let body = format!("device={device}&start={night}T01:00&end={night}T04:00");
        let (status, saved) = api(&rig.app, "/api/schedule_time_away", &body, &rig.customer).await;
        assert_eq!(status, StatusCode::OK, "{}: {saved}", db.name);
    }
}

#[tokio::test]
async fn the_same_time_away_sent_forty_times_at_once_is_scheduled_once() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let rig = rig(&db).await;
        let (_, mine) = api(&rig.app, "/api/account_events", "", &rig.customer).await;
        let device = mine["devices"][0]["device"].as_i64().unwrap();
        let from = (jiff::Zoned::now().date() + jiff::Span::new().days(20)).to_string();
        let to = (jiff::Zoned::now().date() + jiff::Span::new().days(22)).to_string();
        let body = format!("device={device}&start={from}T08:00&end={to}T18:00");
        let sends: Vec<_> = (0..40)
            .map(|_| {
                let (app, customer, body) = (rig.app.clone(), rig.customer.clone(), body.clone());
                tokio::spawn(
                    async move { api(&app, "/api/schedule_time_away", &body, &customer).await },
                )
            })
            .collect();
        let mut answers = Vec::new();
        for send in sends {
            answers.push(send.await.unwrap());
        }
        let saved = answers.iter().filter(|(status, _)| *status == StatusCode::OK).count();
        assert_eq!(saved, 1, "{}: {answers:?}", db.name);
        let (_, refused) =
            answers.iter().find(|(status, _)| *status == StatusCode::UNPROCESSABLE_ENTITY).unwrap();
        assert!(refused.to_string().contains("already has time away from"), "{refused}");
        let (_, mine) = api(&rig.app, "/api/account_events", "", &rig.customer).await;
        let periods = mine["devices"][0]["periods"].as_array().unwrap().clone();
        assert_eq!(periods.len(), 1, "{}: {mine}", db.name);

        // A period reaching into it is refused too; cancelled, its dates are free again.
        let longer = format!("device={device}&start={to}T08:00&end={to}T20:00");
        let (status, _) = api(&rig.app, "/api/schedule_time_away", &longer, &rig.customer).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let cancel = format!("id={}", periods[0]["id"]);
        let (status, _) = api(&rig.app, "/api/cancel_time_away", &cancel, &rig.customer).await;
        assert_eq!(status, StatusCode::OK);
        let (status, saved) =
            api(&rig.app, "/api/schedule_time_away", &longer, &rig.customer).await;
        assert_eq!(status, StatusCode::OK, "{}: {saved}", db.name);
    }
}

#[tokio::test]
async fn opt_outs_at_once_never_pass_the_seasons_limit() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let rig = rig(&db).await;
        // Three more events (the demo's program allows 3 opt-outs a season): four in all.
        for day in [4, 5, 6] {
            let when = (jiff::Zoned::now().date() + jiff::Span::new().days(day)).to_string();
            let today = jiff::Zoned::now().date().to_string();
            let form = format!(
                "program=1&day={when}&start=14:00&end=18:00&notice_day={today}&notice_time=00:00\
                 &target_kw=1&groups="
            );
            let (status, saved) = api(&rig.app, "/api/call_event", &form, &rig.manager).await;
            assert_eq!(status, StatusCode::OK, "{}: {saved}", db.name);
        }
        let (_, mine) = api(&rig.app, "/api/account_events", "", &rig.customer).await;
        let events: Vec<i64> = mine["upcoming"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].as_i64().unwrap())
            .collect();
        assert_eq!(events.len(), 4, "{mine}");
        // Each event twice, all at once.
        let calls = events.iter().chain(events.iter()).map(|event| {
            let (app, customer, event) = (rig.app.clone(), rig.customer.clone(), *event);
            tokio::spawn(async move {
                api(&app, "/api/opt_out", &format!("event={event}"), &customer).await.0
            })
        });
        let mut statuses = Vec::new();
        for call in calls.collect::<Vec<_>>() {
            statuses.push(call.await.unwrap());
        }
        let passed = statuses.iter().filter(|status| **status == StatusCode::OK).count();
        assert_eq!(passed, 3, "{}: {statuses:?}", db.name);
        let (_, mine) = api(&rig.app, "/api/account_events", "", &rig.customer).await;
        assert_eq!(mine["allowances"][0]["used"], 3);
        let opted: usize =
            mine["upcoming"].as_array().unwrap().iter().filter(|e| e["opted_out"] == true).count();
        assert_eq!(opted, 3);
    }
}

#[tokio::test]
async fn two_releases_at_once_each_see_the_other_in_the_events_history() {
    use peakday_app::accounts::AccountId;
    use peakday_app::events::{DeviceState, EventId};
    use peakday_app::programs::{Capacity, DeviceId, ProgramId};
    use peakday_server::events::store::{self as events, Place};

    for db in TestDb::all().await {
        let db = db.seeded().await;
        peakday_server::demo::seed_peak_day(&db.store).await.expect("the demo peak day seeds");
        let (event, device, account): (i64, i64, i64) =
            sqlx::query_as("SELECT event_id, device_id, account_id FROM event_devices")
                .fetch_one(&mut *db.store.read().await.unwrap())
                .await
                .unwrap();
        let event = EventId(event);
        // Two more of the account's devices join the event: three reserved.
        let mut tx = db.store.begin_write().await.unwrap();
        let mut more = Vec::new();
        for copy in ["-2", "-3"] {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO devices (account_id, service_point_id, kind, make, model, serial, \
                 network_address, capacity_tenths, registration, created_at) \
                 SELECT account_id, service_point_id, kind, make, model, serial || $1, \
                 network_address, 20, registration, created_at FROM devices WHERE id = $2 \
                 RETURNING id",
            )
            .bind(copy)
            .bind(device)
            .fetch_one(&mut *tx)
            .await
            .unwrap();
            more.push(DeviceId(id));
        }
        let places: Vec<Place> = more
            .iter()
            .map(|device| Place {
                device: *device,
                account: AccountId(account),
                state: DeviceState::Reserved,
                entity_group: "race",
                capacity: Capacity(20),
            })
            .collect();
        let joined = events::insert_places(&mut tx, event, &places).await.unwrap();
        events::reevaluate(&mut tx, event, "Two joined", joined).await.unwrap();
        tx.commit().await.unwrap();

        // Each device released in its own transaction, both open at once: on PostgreSQL each
        // re-evaluates before the other commits. Counting the reserved devices there, both
        // would record 2; each records its own change, and the history sums them.
        let release = |device: DeviceId, start: u64, after: u64| {
            let store = db.store.clone();
            tokio::spawn(async move {
                let pause = |ms| tokio::time::sleep(std::time::Duration::from_millis(ms));
                pause(start).await;
                let mut tx = store.begin_write().await.unwrap();
                let left = events::set_states(&mut tx, event, &[device], DeviceState::OptedOut)
                    .await
                    .unwrap();
                pause(200).await;
                events::reevaluate(&mut tx, event, "Released", left).await.unwrap();
                pause(after).await;
                tx.commit().await.unwrap();
            })
        };
        let (first, second) = (release(more[0], 0, 200), release(more[1], 100, 0));
        first.await.unwrap();
        second.await.unwrap();

        let mut conn = db.store.read().await.unwrap();
        let histories =
            events::histories(&mut conn, ProgramId(1), |at| at.to_string()).await.unwrap();
        let reserved: Vec<u32> =
            histories[&event].iter().map(|entry| entry.reserved_devices).collect();
        assert_eq!(reserved, [1, 3, 2, 1], "{}: each release counts the other's", db.name);
        let events_page = events::tallies(&mut conn, ProgramId(1)).await.unwrap();
        assert_eq!(events_page[&event].0.reserved, 1, "{}", db.name);
    }
}
