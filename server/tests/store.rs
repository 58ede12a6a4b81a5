//! Storage rules, each run on SQLite and on PostgreSQL.

mod common;

use common::TestDb;
use peakday_app::accounts::{AccountNumber, Fuel};
use peakday_app::activity::ChangeSource;
use peakday_app::auth::Identity;
use peakday_app::contact::EmailAddress;
use peakday_app::utility::Product;
use peakday_server::accounts;
use peakday_server::auth;
use peakday_server::auth::NewUser;
use peakday_server::demo::{seed_if_empty, DEMO_ACCOUNT_NUMBER};
use peakday_server::generate::generate_accounts;
use peakday_server::preferences;
use peakday_server::store::audit;
use peakday_server::store::utility;
use peakday_server::store::AuditEntry;

#[tokio::test]
async fn the_demo_utility_is_seeded_once_with_three_varied_accounts() {
    for db in TestDb::all().await {
        let store = &db.store;
        assert!(seed_if_empty(store).await.unwrap(), "{}: first start seeds", db.name);
        assert!(!seed_if_empty(store).await.unwrap(), "{}: second start does not", db.name);

        let settings = store
            .utility_settings(&mut store.read().await.unwrap())
            .await
            .unwrap()
            .expect("settings exist");
        assert_eq!(settings.name, "Demo Power & Light");
        assert_eq!(settings.time_zone, "America/New_York");
        assert_eq!(settings.product, Product::PeakTimeRebates);
        assert_eq!(
            accounts::store::count_accounts(&mut store.read().await.unwrap()).await.unwrap(),
            3,
            "{}",
            db.name
        );

        let dual = accounts::store::account_id_by_number(
            &mut store.read().await.unwrap(),
            &AccountNumber::parse("3000067890").unwrap(),
        )
        .await
        .unwrap()
        .unwrap();
        let dual = accounts::store::account_overview(&mut store.read().await.unwrap(), dual)
            .await
            .unwrap()
            .unwrap();
        let fuels: Vec<Fuel> = dual.service_points.iter().map(|p| p.fuel).collect();
        assert_eq!(fuels, vec![Fuel::Electric, Fuel::Gas], "{}: dual fuel", db.name);

        let non_ami = accounts::store::account_id_by_number(
            &mut store.read().await.unwrap(),
            &AccountNumber::parse("3000054321").unwrap(),
        )
        .await
        .unwrap()
        .unwrap();
        let non_ami = accounts::store::account_overview(&mut store.read().await.unwrap(), non_ami)
            .await
            .unwrap()
            .unwrap();
        assert!(non_ami.service_points.iter().all(|p| !p.ami), "{}: non-AMI", db.name);

        let staff = auth::store::staff_members(&mut store.read().await.unwrap()).await.unwrap();
        assert_eq!(staff.len(), 3, "{}: agent, program manager, admin", db.name);
    }
}

#[tokio::test]
async fn an_unknown_account_has_no_overview() {
    for db in TestDb::all().await {
        let missing = accounts::store::account_overview(
            &mut db.store.read().await.unwrap(),
            peakday_app::accounts::AccountId(999_999),
        )
        .await
        .unwrap();
        assert!(missing.is_none(), "{}", db.name);
    }
}

/// The account and its service points come in one statement (a join): an account with none
/// still has its overview, with none listed.
#[tokio::test]
async fn an_account_without_service_points_has_an_overview_without_them() {
    for db in TestDb::all().await {
        let mut tx = db.store.begin_write().await.unwrap();
        let ids = accounts::store::insert_accounts(
            &mut tx,
            &[accounts::store::NewAccount {
                account_number: AccountNumber::parse("3000011111").unwrap(),
                customer_name: "Robin Bare".into(),
                service_address: "1 Empty Lot".into(),
                service_points: vec![],
                primary: peakday_server::demo::contact("Robin Bare", "robin@example.com", "", ""),
            }],
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let overview =
            accounts::store::account_overview(&mut db.store.read().await.unwrap(), ids[0])
                .await
                .unwrap()
                .expect("the account exists");
        assert_eq!(overview.customer_name, "Robin Bare", "{}", db.name);
        assert_eq!(overview.service_address, "1 Empty Lot", "{}", db.name);
        assert!(overview.service_points.is_empty(), "{}", db.name);
    }
}

#[tokio::test]
async fn the_generator_adds_accounts_in_batches_with_their_service_points() {
    for db in TestDb::all().await.into_iter().map(|db| async { db.seeded().await }) {
        let db = db.await;
        let store = &db.store;
        generate_accounts(store, 1_234, 7).await.unwrap();
        generate_accounts(store, 10, 7).await.unwrap();
        assert_eq!(
            accounts::store::count_accounts(&mut store.read().await.unwrap()).await.unwrap(),
            3 + 1_234 + 10,
            "{}",
            db.name
        );

        // The last generated account has its own service points, not another's.
        let last = AccountNumber::parse(&(5_000_000_000u64 + 3 + 1_234 + 9).to_string()).unwrap();
        let id = accounts::store::account_id_by_number(&mut store.read().await.unwrap(), &last)
            .await
            .unwrap()
            .expect("the last account exists");
        let overview = accounts::store::account_overview(&mut store.read().await.unwrap(), id)
            .await
            .unwrap()
            .unwrap();
        assert!(!overview.service_points.is_empty(), "{}", db.name);
        assert_eq!(overview.service_points[0].fuel, Fuel::Electric);
        // ... and the account holder as its primary recipient, reachable one way or another.
        let recipients =
            preferences::recipients::recipients_of(&mut store.read().await.unwrap(), id)
                .await
                .unwrap();
        assert_eq!(recipients.primary.contact.name.as_str(), overview.customer_name, "{}", db.name);
        let contact = &recipients.primary.contact;
        assert!(contact.email.is_some() || contact.sms.is_some() || contact.voice.is_some());

        // Ids keep working for rows created after generated ones (PostgreSQL's sequence moved).
        let mut tx = store.begin_write().await.unwrap();
        let user = NewUser {
            email: EmailAddress::parse("late@example.com").unwrap(),
            display_name: "Late Customer".into(),
            password_hash: "x".into(),
            identity: Identity::Customer { account_id: id },
            must_change_password: false,
        };
        auth::store::insert_user(&mut tx, &user).await.unwrap();
        tx.commit().await.unwrap();
    }
}

#[tokio::test]
async fn a_customer_user_must_belong_to_an_account_and_staff_to_none() {
    for db in TestDb::all().await {
        let result = db
            .store
            .execute_admin(
                "INSERT INTO users (email, display_name, password_hash, role, account_id, created_at) \
                 VALUES ('x@example.com', 'X', 'h', 'customer', NULL, 0)",
            )
            .await;
        assert!(result.is_err(), "{}: a customer without an account is refused", db.name);
    }
}

#[tokio::test]
async fn the_audit_log_only_grows() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let store = &db.store;
        let account = accounts::store::account_id_by_number(
            &mut store.read().await.unwrap(),
            &AccountNumber::parse(DEMO_ACCOUNT_NUMBER).unwrap(),
        )
        .await
        .unwrap()
        .unwrap();
        let entry = AuditEntry {
            actor_user_id: None,
            account: Some(account),
            source: ChangeSource::System,
            action: "test_change".into(),
            summary: "A test change".into(),
            before: Some("{\"a\":1}".into()),
            after: Some("{\"a\":2}".into()),
        };
        let mut tx = store.begin_write().await.unwrap();
        audit::append_audit(&mut tx, &entry).await.unwrap();
        tx.commit().await.unwrap();
        let stored =
            audit::audit_of_account(&mut store.read().await.unwrap(), account, 10).await.unwrap();
        assert_eq!(
            stored.into_iter().map(|s| s.entry).collect::<Vec<_>>(),
            vec![entry],
            "{}",
            db.name
        );

        let update = store.execute_admin("UPDATE audit_log SET action = 'rewritten'").await;
        assert!(update.is_err(), "{}: audit records cannot be changed", db.name);
        let delete = store.execute_admin("DELETE FROM audit_log").await;
        assert!(delete.is_err(), "{}: audit records cannot be deleted", db.name);
        assert_eq!(
            audit::audit_of_account(&mut store.read().await.unwrap(), account, 10)
                .await
                .unwrap()
                .len(),
            1
        );
    }
}

#[tokio::test]
async fn a_rolled_back_write_leaves_nothing() {
    for db in TestDb::all().await {
        let store = &db.store;
        let mut tx = store.begin_write().await.unwrap();
        seed_in(&mut tx).await;
        tx.rollback().await.unwrap();
        assert_eq!(
            accounts::store::count_accounts(&mut store.read().await.unwrap()).await.unwrap(),
            0,
            "{}",
            db.name
        );
        assert!(
            store.utility_settings(&mut store.read().await.unwrap()).await.unwrap().is_none(),
            "{}",
            db.name
        );
    }
}

async fn seed_in(tx: &mut peakday_server::store::Tx) {
    utility::insert_utility_settings_once(tx, &peakday_server::demo::demo_utility()).await.unwrap();
}

/// Writers waiting for SQLite's one writer must not hold the connections that reads need:
/// with a write open and more writers queued than the pool has connections, a page's read
/// still gets a connection at once, and every queued writer then runs.
#[tokio::test]
async fn queued_writers_leave_connections_for_reads() {
    let db = TestDb::sqlite().await;
    let store = db.store.clone();
    seed_if_empty(&store).await.unwrap();
    let open = store.begin_write().await.unwrap();
    let writers: Vec<_> = (0..20)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut tx = store.begin_write().await.unwrap();
                sqlx::query("UPDATE utility_settings SET name = name")
                    .execute(&mut *tx)
                    .await
                    .unwrap();
                tx.commit().await.unwrap();
            })
        })
        .collect();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    // Were writers to take pooled connections, the 20 would sit in SQLite's busy handler on
    // all 8 and this read would wait for the busy timeout (5 s).
    let read = tokio::time::timeout(std::time::Duration::from_secs(2), store.ping()).await;
    assert!(matches!(read, Ok(Ok(()))), "a read waited behind queued writers: {read:?}");
    open.commit().await.unwrap();
    for writer in writers {
        writer.await.unwrap();
    }
}

/// The server ends every connection of the database while they sit idle in the pool (a
/// restart, a failover): the next request gets a fresh one, not the error of a dead one. The
/// pool pings only connections idle a while before lending them (`store::connect`).
#[tokio::test]
async fn a_postgres_connection_ended_while_idle_is_not_lent() {
    use sqlx::Connection;
    let db = TestDb::postgres().await;
    let busy: Vec<_> = futures_util::future::join_all((0..4).map(|_| db.store.read())).await;
    drop(busy);
    let database = db.url.rsplit('/').next().unwrap().to_owned();
    let mut admin = sqlx::AnyConnection::connect(&common::postgres_admin_url()).await.unwrap();
    let ended: Vec<bool> = sqlx::query_scalar(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1",
    )
    .bind(&database)
    .fetch_all(&mut admin)
    .await
    .unwrap();
    assert!(ended.len() >= 4 && ended.iter().all(|ended| *ended), "{ended:?}");
    admin.close().await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1_200)).await;
    for _ in 0..8 {
        db.store.ping().await.expect("a live connection is lent");
    }
}

/// Migration 0007 turns each history entry's reservation into the change since the entry
/// before; the history reads as it did. Played by undoing 0007 on a migrated database, writing
/// history the 0006 way, and migrating again.
#[tokio::test]
async fn an_events_history_reads_the_same_after_migration_0007() {
    use peakday_app::programs::{Capacity, ProgramId};
    use peakday_server::events::store as events;

    for db in TestDb::all().await {
        let db = db.seeded().await;
        peakday_server::demo::seed_peak_day(&db.store).await.unwrap();
        let mut conn = db.store.read().await.unwrap();
        for statement in [
            "ALTER TABLE event_history ADD COLUMN reserved_devices INTEGER NOT NULL DEFAULT 0",
            "ALTER TABLE event_history ADD COLUMN reserved_tenths INTEGER NOT NULL DEFAULT 0",
            "ALTER TABLE event_history DROP COLUMN change_devices",
            "ALTER TABLE event_history DROP COLUMN change_tenths",
            "DELETE FROM _sqlx_migrations WHERE version = 7",
            "DELETE FROM event_history",
        ] {
            sqlx::query(statement).execute(&mut *conn).await.unwrap();
        }
        let event: i64 =
            sqlx::query_scalar("SELECT id FROM events").fetch_one(&mut *conn).await.unwrap();
        for (cause, devices, tenths) in
            [("Event called", 1, 35), ("Two joined", 3, 75), ("Opted out", 2, 55), ("Gone", 0, 0)]
        {
            sqlx::query(
                "INSERT INTO event_history (event_id, at, cause, reserved_devices, \
                 reserved_tenths, target_tenths) VALUES ($1, 0, $2, $3, $4, 300)",
            )
            .bind(event)
            .bind(cause)
            .bind(devices)
            .bind(tenths)
            .execute(&mut *conn)
            .await
            .unwrap();
        }
        drop(conn);
        db.store.migrate().await.expect("0007 applies to a 0006 history");

        let mut conn = db.store.read().await.unwrap();
        let histories =
            events::histories(&mut conn, ProgramId(1), |at| at.to_string()).await.unwrap();
        let read: Vec<(String, u32, Capacity)> = histories
            .values()
            .flatten()
            .map(|entry| (entry.cause.clone(), entry.reserved_devices, entry.reserved))
            .collect();
        assert_eq!(
            read,
            [
                ("Event called".to_owned(), 1, Capacity(35)),
                ("Two joined".to_owned(), 3, Capacity(75)),
                ("Opted out".to_owned(), 2, Capacity(55)),
                ("Gone".to_owned(), 0, Capacity(0)),
            ],
            "{}",
            db.name
        );
    }
}
