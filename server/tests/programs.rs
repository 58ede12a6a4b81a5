//! Programs, devices and enrollments with head-end sync (issue 5), on both databases, through
//! the real router, with a head-end stand-in on loopback (tests/common/head_end.rs).

mod common;

use axum::body::Body;
use axum::Router;
use common::head_end::{post_acknowledgement, post_signed, serve, HeadEnd};
use common::{api, body_text, send, sign_in, TestDb};
use http::{Request, StatusCode};
use peakday_server::accounts;
use peakday_server::http::router;
use peakday_server::programs::head_end::delivery::HeadEndSender;
use peakday_server::programs::head_end::message::{
    Acknowledgement, DeviceAcknowledgement, DeviceStatus, MessageStatus,
};
use peakday_server::programs::head_end::signature::{self, Direction};
use peakday_server::programs::head_end::{HeadEndConfig, ASSET_SYNC};
use peakday_server::store::audit;
use peakday_server::store::outbox;
use peakday_server::store::{now, Store};
use serde_json::Value;

const SECRET: &str = "test-head-end-secret-of-32-bytes-or-more";

/// The portal served on loopback, the customer's session, and a sender to a stand-in.
struct Rig {
    app: Router,
    portal: String,
    customer: String,
}

async fn rig(db: &TestDb) -> Rig {
    let app = router(db.app_state_with_head_end("http://127.0.0.1:9/unused", SECRET));
    let portal = serve(app.clone()).await;
    let customer = sign_in(&app, "demo@peakday.example", "peakday-demo").await;
    Rig { app, portal, customer }
}

fn sender(store: &Store, head_end: &HeadEnd) -> HeadEndSender {
    let config = HeadEndConfig { url: Some(head_end.url.clone()), secret: Some(SECRET.to_owned()) };
    HeadEndSender::new(store.clone(), &config).unwrap().unwrap()
}

/// A head-end address nothing listens on yet (the head-end is down), and its configuration.
fn head_end_down() -> (std::net::SocketAddr, HeadEndConfig) {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let config =
        HeadEndConfig { url: Some(format!("http://{port}/sync")), secret: Some(SECRET.to_owned()) };
    (port, config)
}

const THERMOSTAT: &str = "kind=thermostat&make=ecobee&model=SmartThermostat+Premium&serial=EB-4410\
    &network_address=00:1B:44:11:3A:B7&capacity=3.5&service_point=SP-1000001";

async fn add_device(rig: &Rig, form: &str) -> i64 {
    let (status, saved) = api(&rig.app, "/api/register_device", form, &rig.customer).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let (_, devices) = api(&rig.app, "/api/devices", "", &rig.customer).await;
    devices["devices"].as_array().unwrap().last().unwrap()["id"].as_i64().unwrap()
}

async fn programs(rig: &Rig) -> Value {
    api(&rig.app, "/api/account_programs", "", &rig.customer).await.1
}

fn offer<'a>(programs: &'a Value, name: &str) -> &'a Value {
    programs["offers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|offer| offer["program"]["definition"]["name"] == name)
        .unwrap_or_else(|| panic!("{name} is offered: {programs}"))
}

async fn device(rig: &Rig, id: i64) -> Value {
    let (_, devices) = api(&rig.app, "/api/devices", "", &rig.customer).await;
    devices["devices"].as_array().unwrap().iter().find(|d| d["id"] == id).cloned().unwrap()
}

async fn enroll_thermostat(rig: &Rig) -> (i64, i64) {
    let thermostat = add_device(rig, THERMOSTAT).await;
    let program =
        offer(&programs(rig).await, "Smart Thermostat Rewards")["program"]["id"].as_i64().unwrap();
    let body = format!("program={program}&device={thermostat}");
    let (status, saved) = api(&rig.app, "/api/enroll", &body, &rig.customer).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    (program, thermostat)
}

#[tokio::test]
async fn enrolling_a_thermostat_registers_it_with_the_head_end() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let rig = rig(&db).await;
        let head_end = HeadEnd::start("127.0.0.1:0".parse().unwrap(), &rig.portal, SECRET).await;
        let (program, thermostat) = enroll_thermostat(&rig).await;

        let enrolled = offer(&programs(&rig).await, "Smart Thermostat Rewards").clone();
        assert_eq!(enrolled["enrollment"]["status"], "pending", "{}", db.name);
        assert_eq!(device(&rig, thermostat).await["registration"], "registration_pending");

        // The sync message carries the enrollment, the device, its entity group and address.
        let queued =
            outbox::messages(&mut db.store.read().await.unwrap(), ASSET_SYNC).await.unwrap();
        assert_eq!(queued.len(), 1, "{}", db.name);
        let message: Value = serde_json::from_str(&queued[0].0.payload).unwrap();
        assert_eq!(message["enrollment"]["program_id"], program);
        assert_eq!(message["account_number"], "3000012345");
        assert_eq!(message["devices"][0]["action"], "register");
        assert_eq!(message["devices"][0]["network_address"], "00:1B:44:11:3A:B7");
        assert_eq!(message["devices"][0]["entity_group"], format!("p{program}-thermostat-m-r-ptr"));

        let round = sender(&db.store, &head_end).deliver_due_at(now()).await.unwrap();
        assert_eq!((round.delivered, round.failed), (1, 0), "{}", db.name);
        assert_eq!(head_end.ledger().acknowledgements[0].1, 200);

        let registered = device(&rig, thermostat).await;
        assert_eq!(registered["registration"], "registered", "{}", db.name);
        assert!(registered["last_sync"].as_str().is_some_and(|at| !at.is_empty()));
        let enrolled = offer(&programs(&rig).await, "Smart Thermostat Rewards").clone();
        assert_eq!(enrolled["enrollment"]["status"], "enrolled", "{}", db.name);

        // The customer's history says what happened, and the program manager sees the group.
        let (_, history) = api(&rig.app, "/api/activity", "", &rig.customer).await;
        let summaries: Vec<&str> = history["changes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["summary"].as_str().unwrap())
            .collect();
        assert!(
            summaries
                .iter()
                .any(|s| s.starts_with("The head-end registered your Smart thermostat")),
            "{summaries:?}"
        );
        assert!(summaries.contains(&"Enrolled in Smart Thermostat Rewards"), "{summaries:?}");
        let manager = sign_in(&rig.app, "pm@peakday.example", "peakday-pm").await;
        let (_, overview) = api(&rig.app, "/api/programs_overview", "", &manager).await;
        assert_eq!(overview["groups"][0]["devices"], 1, "{overview}");
        assert_eq!(overview["groups"][0]["total_capacity"], 35);
        head_end.stop().await;
    }
}

#[tokio::test]
async fn messages_survive_a_head_end_outage_and_a_restart_and_take_effect_once() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let rig = rig(&db).await;
        let (port, down) = head_end_down();
        let (_, thermostat) = enroll_thermostat(&rig).await;
        let t0 = now();
        let round = HeadEndSender::new(db.store.clone(), &down)
            .unwrap()
            .unwrap()
            .deliver_due_at(t0)
            .await
            .unwrap();
        assert_eq!((round.delivered, round.failed), (0, 1), "{}", db.name);
        let (message, delivered) =
            outbox::messages(&mut db.store.read().await.unwrap(), ASSET_SYNC)
                .await
                .unwrap()
                .remove(0);
        assert_eq!((message.attempts, delivered), (1, None));

        // The server restarts: a new store on the same database, a new sender.
        let restarted = Store::connect(&db.url).await.unwrap();
        restarted.migrate().await.unwrap();
        let again = HeadEndSender::new(restarted.clone(), &down).unwrap().unwrap();
        assert_eq!(
            again.deliver_due_at(t0 + 1).await.unwrap().failed,
            0,
            "not due before its backoff"
        );

        // The head-end comes back on the same address; the message goes at its next attempt.
        let head_end = HeadEnd::start(port, &rig.portal, SECRET).await;
        let round = again.deliver_due_at(t0 + 10).await.unwrap();
        assert_eq!((round.delivered, round.failed), (1, 0), "{}", db.name);
        assert_eq!(device(&rig, thermostat).await["registration"], "registered");

        // Delivered twice (a crash after sending, before marking it sent): the head-end applies
        // it once, and the second acknowledgement is a replay that changes nothing.
        let (mut message, _) = outbox::messages(&mut restarted.read().await.unwrap(), ASSET_SYNC)
            .await
            .unwrap()
            .remove(0);
        let resend = format!("UPDATE outbox SET delivered_at = NULL WHERE id = {}", message.id);
        restarted.execute_admin(&resend).await.unwrap();
        assert_eq!(
            again.deliver_due_at(t0 + 20).await.unwrap().delivered,
            0,
            "leased to the crashed sender"
        );
        let round = again.deliver_due_at(t0 + 10 + 61).await.unwrap();
        assert_eq!(round.delivered, 1, "sent again once the lease ran out");
        message.attempts += 1;
        {
            let ledger = head_end.ledger();
            assert_eq!(
                ledger.deliveries,
                [message.idempotency_key.clone(), message.idempotency_key.clone()]
            );
            assert_eq!(ledger.registered.get(&thermostat), Some(&1), "registered once");
            assert_eq!(ledger.acknowledgements.len(), 2);
        }
        let account = accounts::store::account_id_by_number(
            &mut db.store.read().await.unwrap(),
            &peakday_app::accounts::AccountNumber::parse("3000012345").unwrap(),
        )
        .await
        .unwrap()
        .unwrap();
        let records = audit::audit_of_account(&mut db.store.read().await.unwrap(), account, 100)
            .await
            .unwrap();
        let registrations =
            records.iter().filter(|r| r.entry.action == "device.registration").count();
        assert_eq!(registrations, 1, "{}: the replayed acknowledgement changed nothing", db.name);
        head_end.stop().await;
        restarted.close().await;
    }
}

#[tokio::test]
async fn an_unenrollment_made_during_an_outage_never_overtakes_its_registration() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let rig = rig(&db).await;
        let (port, down) = head_end_down();
        let sender = HeadEndSender::new(db.store.clone(), &down).unwrap().unwrap();
        let (_, thermostat) = enroll_thermostat(&rig).await;
        let t0 = now();
        assert_eq!(
            sender.deliver_due_at(t0).await.unwrap().failed,
            1,
            "{}: head-end down",
            db.name
        );

        // The customer changes their mind while the registration waits out its backoff.
        let enrollment = offer(&programs(&rig).await, "Smart Thermostat Rewards")["enrollment"]
            ["id"]
            .as_i64()
            .unwrap();
        let (status, _) =
            api(&rig.app, "/api/unenroll", &format!("enrollment={enrollment}"), &rig.customer)
                .await;
        assert_eq!(status, StatusCode::OK);
        let keys: Vec<String> = outbox::messages(&mut db.store.read().await.unwrap(), ASSET_SYNC)
            .await
            .unwrap()
            .into_iter()
            .map(|(message, _)| message.idempotency_key)
            .collect();
        assert_eq!(keys.len(), 2);

        // The head-end is back; the de-registration is due at once but waits for the message
        // it follows, and then both go in the order they were made.
        let head_end = HeadEnd::start(port, &rig.portal, SECRET).await;
        let waiting = sender.deliver_due_at(t0 + 2).await.unwrap();
        assert_eq!((waiting.delivered, waiting.failed), (0, 0), "{}", db.name);
        let round = sender.deliver_due_at(t0 + 10).await.unwrap();
        assert_eq!((round.delivered, round.failed), (2, 0), "{}", db.name);
        {
            let ledger = head_end.ledger();
            assert_eq!(ledger.deliveries, keys, "{}: delivered in order", db.name);
            assert!(ledger.registered.is_empty(), "{}: the head-end ends de-registered", db.name);
        }
        assert_eq!(device(&rig, thermostat).await["registration"], "deregistered", "{}", db.name);
        head_end.stop().await;
    }
}

#[tokio::test]
async fn replacing_a_device_deregisters_the_old_one_and_registers_the_new() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let rig = rig(&db).await;
        let head_end = HeadEnd::start("127.0.0.1:0".parse().unwrap(), &rig.portal, SECRET).await;
        let sender = sender(&db.store, &head_end);
        let (_, old) = enroll_thermostat(&rig).await;
        sender.deliver_due_at(now()).await.unwrap();
        let new =
            add_device(&rig, &THERMOSTAT.replace("EB-4410", "EB-9001").replace("3A:B7", "3A:C8"))
                .await;
        let enrollment = offer(&programs(&rig).await, "Smart Thermostat Rewards")["enrollment"]
            ["id"]
            .as_i64()
            .unwrap();

        let body = format!("enrollment={enrollment}&device={old}&replacement={new}");
        let (status, saved) = api(&rig.app, "/api/replace_device", &body, &rig.customer).await;
        assert_eq!(status, StatusCode::OK, "{saved}");
        assert_eq!(device(&rig, old).await["registration"], "deregistration_pending");
        assert_eq!(device(&rig, new).await["registration"], "registration_pending");
        sender.deliver_due_at(now()).await.unwrap();
        assert_eq!(device(&rig, old).await["registration"], "deregistered", "{}", db.name);
        assert_eq!(device(&rig, new).await["registration"], "registered", "{}", db.name);
        let ledger_registered: Vec<i64> = head_end.ledger().registered.keys().copied().collect();
        assert_eq!(ledger_registered, [new]);

        // Unenrolling de-registers what is left and ends the enrollment.
        let (status, _) =
            api(&rig.app, "/api/unenroll", &format!("enrollment={enrollment}"), &rig.customer)
                .await;
        assert_eq!(status, StatusCode::OK);
        sender.deliver_due_at(now()).await.unwrap();
        assert_eq!(device(&rig, new).await["registration"], "deregistered", "{}", db.name);
        let thermostat_offer = offer(&programs(&rig).await, "Smart Thermostat Rewards").clone();
        assert_eq!(thermostat_offer["enrollment"], Value::Null, "{}", db.name);
        assert!(head_end.ledger().registered.is_empty());
        head_end.stop().await;
    }
}

#[tokio::test]
async fn a_refused_registration_shows_its_reason_and_keeps_the_enrollment_pending() {
    let db = TestDb::sqlite().await.seeded().await;
    let rig = rig(&db).await;
    let head_end = HeadEnd::start("127.0.0.1:0".parse().unwrap(), &rig.portal, SECRET).await;
    let thermostat = add_device(&rig, THERMOSTAT).await;
    head_end.ledger().refuse.insert(thermostat, "Device offline: no heartbeat in 24 hours".into());
    let program =
        offer(&programs(&rig).await, "Smart Thermostat Rewards")["program"]["id"].as_i64().unwrap();
    api(&rig.app, "/api/enroll", &format!("program={program}&device={thermostat}"), &rig.customer)
        .await;
    sender(&db.store, &head_end).deliver_due_at(now()).await.unwrap();
    let failed = device(&rig, thermostat).await;
    assert_eq!(failed["registration"], "failed");
    assert_eq!(failed["registration_detail"], "Device offline: no heartbeat in 24 hours");
    let pending = offer(&programs(&rig).await, "Smart Thermostat Rewards").clone();
    assert_eq!(pending["enrollment"]["status"], "pending");
}

#[tokio::test]
async fn acknowledgements_must_be_signed_and_unknown_devices_come_back() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let rig = rig(&db).await;
        let (_, thermostat) = enroll_thermostat(&rig).await;
        let key = outbox::messages(&mut db.store.read().await.unwrap(), ASSET_SYNC).await.unwrap()
            [0]
        .0
        .idempotency_key
        .clone();
        let ack = Acknowledgement {
            message_id: key.clone(),
            status: MessageStatus::Accepted,
            reason: None,
            devices: vec![
                DeviceAcknowledgement {
                    device_id: thermostat,
                    status: DeviceStatus::Registered,
                    reason: None,
                },
                DeviceAcknowledgement {
                    device_id: 999_999,
                    status: DeviceStatus::Registered,
                    reason: None,
                },
            ],
        };
        let body = serde_json::to_vec(&ack).unwrap();
        let client = reqwest::Client::new();
        let url = format!("{}/api/v1/head-end/acknowledgements", rig.portal);
        let now = now();
        let other_secret = "another-secret-of-thirty-two-bytes-x";
        for bad in [
            Some(signature::sign(other_secret, Direction::FromHeadEnd, now, &body)),
            None,
            Some("sha256=00".to_owned()),
            // Signed right, but ten minutes ago: a captured request played back later.
            Some(signature::sign(SECRET, Direction::FromHeadEnd, now - 600, &body)),
            // Signed right, but as a message of ours going out: never taken as the head-end's.
            Some(signature::sign(SECRET, Direction::ToHeadEnd, now, &body)),
        ] {
            let mut request =
                client.post(&url).header("content-type", "application/json").body(body.clone());
            if let Some(header) = bad {
                request = request.header(signature::HEADER, header);
            }
            let response = request.send().await.unwrap();
            assert_eq!(response.status().as_u16(), 401, "{}", db.name);
            let error: Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
            assert!(error["error"].as_str().unwrap().contains("signature"));
        }
        assert_eq!(
            device(&rig, thermostat).await["registration"],
            "registration_pending",
            "{}: nothing changed",
            db.name
        );

        let status = post_acknowledgement(&client, &rig.portal, SECRET, &ack).await;
        assert_eq!(status, 200);
        let (_, replay) = post_signed(&client, &rig.portal, SECRET, &body).await;
        assert_eq!(replay["replay"], true, "{}", db.name);
        assert_eq!(replay["applied"], serde_json::json!([thermostat]));
        assert_eq!(replay["unknown_devices"], serde_json::json!([999_999]));
        assert_eq!(device(&rig, thermostat).await["registration"], "registered");

        let unknown = Acknowledgement { message_id: "sync-never-sent".into(), ..ack.clone() };
        assert_eq!(post_acknowledgement(&client, &rig.portal, SECRET, &unknown).await, 404);
        let garbage = b"{\"message_id\": 7}";
        assert_eq!(post_signed(&client, &rig.portal, SECRET, garbage).await.0, 400);
    }
}

#[tokio::test]
async fn eligibility_refusals_give_their_reasons_and_change_nothing() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let rig = rig(&db).await;
        // No device yet: the thermostat program says what it needs.
        let none = offer(&programs(&rig).await, "Smart Thermostat Rewards").clone();
        assert!(
            none["reasons"][0]
                .as_str()
                .unwrap()
                .contains("add a device this program uses (smart thermostat)"),
            "{none}"
        );

        // A battery below the program's minimum is named.
        let small = "kind=battery&make=Generac&model=PWRcell&serial=GN-1&network_address=10.0.0.9\
            &capacity=8.6&service_point=SP-1000001";
        let battery = add_device(&rig, small).await;
        let battery_offer = offer(&programs(&rig).await, "Battery & EV Partners").clone();
        assert!(
            battery_offer["reasons"][0].as_str().unwrap().contains("smaller than the 10 kWh"),
            "{battery_offer}"
        );
        let program = battery_offer["program"]["id"].as_i64().unwrap();
        let (status, refusal) = api(
            &rig.app,
            "/api/enroll",
            &format!("program={program}&device={battery}"),
            &rig.customer,
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{}", db.name);
        assert!(refusal.to_string().contains("smaller than the 10 kWh"), "{refusal}");
        assert!(
            outbox::messages(&mut db.store.read().await.unwrap(), ASSET_SYNC)
                .await
                .unwrap()
                .is_empty(),
            "nothing queued"
        );

        // A bad device form is refused field by field; a serial registered already is refused.
        let (status, refusal) = api(
            &rig.app,
            "/api/register_device",
            "kind=toaster&make=&model=x&serial=a b\
            &network_address=x&capacity=0&service_point=SP-1000001",
            &rig.customer,
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        for field in ["kind", "make", "serial", "capacity"] {
            assert!(refusal.to_string().contains(&format!("\"{field}\"")), "{field}: {refusal}");
        }
        let (status, refusal) = api(&rig.app, "/api/register_device", small, &rig.customer).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refusal.to_string().contains("on this account already"), "{refusal}");
        // Another account's service point is not this account's to use.
        let elsewhere = small.replace("SP-1000001", "SP-1000002").replace("GN-1", "GN-2");
        let (status, _) = api(&rig.app, "/api/register_device", &elsewhere, &rig.customer).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

        // Harold's medical flag closes demand response, with a please-contact-us.
        let agent = sign_in(&rig.app, "agent@peakday.example", "peakday-agent").await;
        let (_, harold) =
            api(&rig.app, "/api/account_programs", "account=3000054321", &agent).await;
        let closed = offer(&harold, "Smart Thermostat Rewards");
        assert!(closed["reasons"][0].as_str().unwrap().contains("Please contact us"), "{closed}");
    }
}

#[tokio::test]
async fn an_agent_enrolls_for_a_customer_and_a_customer_cannot_reach_another_accounts_devices() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let rig = rig(&db).await;
        let agent = sign_in(&rig.app, "agent@peakday.example", "peakday-agent").await;
        let form = format!("account=3000067890&{}", THERMOSTAT.replace("SP-1000001", "SP-1000002"));
        let (status, saved) = api(&rig.app, "/api/register_device", &form, &agent).await;
        assert_eq!(status, StatusCode::OK, "{saved}");
        let (_, devices) = api(&rig.app, "/api/devices", "account=3000067890", &agent).await;
        let priyas = devices["devices"][0]["id"].as_i64().unwrap();
        let (_, offers) =
            api(&rig.app, "/api/account_programs", "account=3000067890", &agent).await;
        let program = offer(&offers, "Smart Thermostat Rewards")["program"]["id"].as_i64().unwrap();
        let body = format!("account=3000067890&program={program}&device={priyas}");
        assert_eq!(
            api(&rig.app, "/api/enroll", &body, &agent).await.0,
            StatusCode::OK,
            "{}",
            db.name
        );

        let account = accounts::store::account_id_by_number(
            &mut db.store.read().await.unwrap(),
            &peakday_app::accounts::AccountNumber::parse("3000067890").unwrap(),
        )
        .await
        .unwrap()
        .unwrap();
        let records = audit::audit_of_account(&mut db.store.read().await.unwrap(), account, 10)
            .await
            .unwrap();
        let enrolled = records.iter().find(|r| r.entry.action == "enrollment.created").unwrap();
        assert_eq!(enrolled.entry.source.as_str(), "agent");
        assert_eq!(enrolled.actor_name.as_deref(), Some("Alex Agent"));

        // Jordan sends Priya's device and enrollment ids: not found, nothing changes.
        let (_, jordans) = api(&rig.app, "/api/account_programs", "", &rig.customer).await;
        let enrollment = offer(&offers_after(&rig, &agent).await, "Smart Thermostat Rewards")
            ["enrollment"]["id"]
            .clone();
        assert_eq!(offer(&jordans, "Smart Thermostat Rewards")["enrollment"], Value::Null);
        for (path, body) in [
            ("/api/remove_device", format!("device={priyas}")),
            ("/api/unenroll", format!("enrollment={enrollment}")),
            ("/api/enroll", format!("program={program}&device={priyas}")),
        ] {
            let (status, _) = api(&rig.app, path, &body, &rig.customer).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{}: {path}", db.name);
        }
        let (_, still) = api(&rig.app, "/api/devices", "account=3000067890", &agent).await;
        assert_eq!(still["devices"][0]["enrolled_in"], "Smart Thermostat Rewards");
    }
}

async fn offers_after(rig: &Rig, agent: &str) -> Value {
    api(&rig.app, "/api/account_programs", "account=3000067890", agent).await.1
}

#[tokio::test]
async fn program_managers_create_and_change_programs() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let app = router(db.app_state());
        let manager = sign_in(&app, "pm@peakday.example", "peakday-pm").await;
        let form = "name=Cool+Summer&description=&kind=demand_response&status=draft\
            &season_start=2027-06-01&season_end=2027-09-30&thermostat=on&min_battery_kwh=\
            &rate_classes=R-PTR&max_events_per_season=10&max_event_hours=4&min_notice_hours=24\
            &opt_outs_per_season=0&enrollment_credit=25&performance_basis=per_event&performance_rate=2";
        let (status, saved) = api(&app, "/api/save_program", form, &manager).await;
        assert_eq!(status, StatusCode::OK, "{saved}");
        let (status, refusal) = api(&app, "/api/save_program", form, &manager).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{}", db.name);
        assert!(refusal.to_string().contains("Another program has this name"));
        let (_, overview) = api(&app, "/api/programs_overview", "", &manager).await;
        let created = overview["programs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["program"]["definition"]["name"] == "Cool Summer")
            .unwrap()
            .clone();
        assert_eq!(created["program"]["definition"]["rules"]["opt_outs_per_season"], Value::Null);
        // A ticked box posts `on`; the others post nothing.
        let kinds = &created["program"]["definition"]["rules"]["device_kinds"];
        assert_eq!(kinds, &serde_json::json!(["thermostat"]), "{}", db.name);
        let id = created["program"]["id"].as_i64().unwrap();

        let changed = format!("program={id}&{}", form.replace("status=draft", "status=active"));
        assert_eq!(api(&app, "/api/save_program", &changed, &manager).await.0, StatusCode::OK);
        // A draft is hidden from customers; once active it is offered.
        let customer = sign_in(&app, "demo@peakday.example", "peakday-demo").await;
        let (_, offers) = api(&app, "/api/account_programs", "", &customer).await;
        assert!(offers.to_string().contains("Cool Summer"), "{}", db.name);
        let (status, _) = api(&app, "/api/save_program", "name=&kind=x&status=y&season_start=&season_end=\
            &min_battery_kwh=&rate_classes=&max_events_per_season=&max_event_hours=&min_notice_hours=\
            &opt_outs_per_season=&enrollment_credit=&performance_basis=&performance_rate=&description=", &manager).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    }
}

#[tokio::test]
async fn the_openapi_document_describes_the_integration_endpoints() {
    let db = TestDb::sqlite().await.seeded().await;
    let app = router(db.app_state());
    let response = send(
        &app,
        Request::get("/api/v1/openapi.json")
            .header("host", "127.0.0.1:3000")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let document: Value = serde_json::from_str(&body_text(response).await).unwrap();
    assert!(document["openapi"].as_str().unwrap().starts_with("3."));
    assert!(document["paths"]["/api/v1/head-end/acknowledgements"]["post"].is_object());
    assert!(document["paths"]["/api/v1/events/{id}/participation"]["post"].is_object());
    for schema in [
        "CustomerAssetSync",
        "DeviceSync",
        "Acknowledgement",
        "AcknowledgementResult",
        "DermsEventMessage",
        "DermsChange",
        "ParticipationReport",
        "ParticipationResult",
    ] {
        assert!(document["components"]["schemas"][schema].is_object(), "{schema}");
    }
    let device = &document["components"]["schemas"]["DeviceSync"]["properties"];
    assert!(device["entity_group"].is_object() && device["network_address"].is_object());
}

#[tokio::test]
async fn a_second_device_joins_the_enrollment_and_only_unenrolled_devices_can_be_removed() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let rig = rig(&db).await;
        let head_end = HeadEnd::start("127.0.0.1:0".parse().unwrap(), &rig.portal, SECRET).await;
        let sender = sender(&db.store, &head_end);
        let (_, first) = enroll_thermostat(&rig).await;
        sender.deliver_due_at(now()).await.unwrap();
        let (status, refusal) =
            api(&rig.app, "/api/remove_device", &format!("device={first}"), &rig.customer).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{}", db.name);
        assert!(refusal.to_string().contains("unenroll or replace it there first"), "{refusal}");

        let upstairs = THERMOSTAT
            .replace("EB-4410", "EB-5120")
            .replace("3A:B7", "3A:D9")
            .replace("3.5", "2.5");
        let second = add_device(&rig, &upstairs).await;
        let offers = programs(&rig).await;
        let thermostats = offer(&offers, "Smart Thermostat Rewards");
        assert_eq!(thermostats["eligible"][0]["id"], second, "{}: the new one may join", db.name);
        let enrollment = thermostats["enrollment"]["id"].as_i64().unwrap();
        let body = format!("enrollment={enrollment}&device={second}");
        let (status, saved) = api(&rig.app, "/api/add_enrolled_device", &body, &rig.customer).await;
        assert_eq!(status, StatusCode::OK, "{saved}");
        // The enrollment stays enrolled while the new device registers; its group is by size.
        let offers = programs(&rig).await;
        assert_eq!(offer(&offers, "Smart Thermostat Rewards")["enrollment"]["status"], "enrolled");
        assert_eq!(
            device(&rig, second).await["entity_group"].as_str().unwrap().split('-').nth(2),
            Some("s")
        );
        sender.deliver_due_at(now()).await.unwrap();
        assert_eq!(device(&rig, second).await["registration"], "registered", "{}", db.name);
        assert_eq!(head_end.ledger().registered.len(), 2);

        // Adding it again is refused by the rule: a device takes part in one program at a time.
        let (status, refusal) =
            api(&rig.app, "/api/add_enrolled_device", &body, &rig.customer).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refusal.to_string().contains("one program at a time"), "{refusal}");

        let (status, _) =
            api(&rig.app, "/api/unenroll", &format!("enrollment={enrollment}"), &rig.customer)
                .await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) =
            api(&rig.app, "/api/remove_device", &format!("device={first}"), &rig.customer).await;
        assert_eq!(status, StatusCode::OK, "{}: removable once unenrolled", db.name);
        let (_, devices) = api(&rig.app, "/api/devices", "", &rig.customer).await;
        assert_eq!(devices["devices"].as_array().unwrap().len(), 1);
        head_end.stop().await;
    }
}

#[tokio::test]
async fn a_late_answer_to_an_older_message_does_not_undo_a_newer_change() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let rig = rig(&db).await;
        // Enrolled, and replaced before the head-end answered the registration.
        let (_, old) = enroll_thermostat(&rig).await;
        let first =
            outbox::messages(&mut db.store.read().await.unwrap(), ASSET_SYNC).await.unwrap()[0]
                .0
                .idempotency_key
                .clone();
        let new =
            add_device(&rig, &THERMOSTAT.replace("EB-4410", "EB-7001").replace("3A:B7", "3A:E1"))
                .await;
        let enrollment = offer(&programs(&rig).await, "Smart Thermostat Rewards")["enrollment"]
            ["id"]
            .as_i64()
            .unwrap();
        let body = format!("enrollment={enrollment}&device={old}&replacement={new}");
        assert_eq!(
            api(&rig.app, "/api/replace_device", &body, &rig.customer).await.0,
            StatusCode::OK
        );

        let late = Acknowledgement {
            message_id: first,
            status: MessageStatus::Accepted,
            reason: None,
            devices: vec![DeviceAcknowledgement {
                device_id: old,
                status: DeviceStatus::Registered,
                reason: None,
            }],
        };
        let client = reqwest::Client::new();
        let body = serde_json::to_vec(&late).unwrap();
        let (_, result) = post_signed(&client, &rig.portal, SECRET, &body).await;
        assert_eq!(result["superseded"], serde_json::json!([old]), "{}: {result}", db.name);
        assert_eq!(result["applied"], serde_json::json!([]));
        assert_eq!(
            device(&rig, old).await["registration"],
            "deregistration_pending",
            "{}",
            db.name
        );
    }
}
