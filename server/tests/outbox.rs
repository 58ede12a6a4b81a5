//! The outbox as the head-end sender uses it: leases that name their holder, and messages set
//! aside after too many failed attempts until an operator decides (both databases).

mod common;

use common::TestDb;
use peakday_app::staff::OutboxOperations;
use peakday_server::programs::head_end::delivery::{HeadEndSender, MAX_ATTEMPTS};
use peakday_server::programs::head_end::held::HeldMessages;
use peakday_server::programs::head_end::{HeadEndConfig, ASSET_SYNC};
use peakday_server::store::outbox;
use peakday_server::store::Store;

async fn queue(store: &Store, key: &str, account: &str) {
    let mut tx = store.begin_write().await.unwrap();
    let payload = serde_json::json!({ "message_id": key });
    outbox::enqueue(&mut tx, ASSET_SYNC, key, Some(account), &payload).await.unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn only_the_holder_of_a_lease_marks_the_message() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        queue(&db.store, "m-1", "3000012345").await;
        let t0 = peakday_server::store::now();
        let first = outbox::claim(&db.store, ASSET_SYNC, t0, 60).await.unwrap().unwrap();
        // The first sender stalls past its lease; a second takes the message over.
        let second = outbox::claim(&db.store, ASSET_SYNC, t0 + 61, 60).await.unwrap().unwrap();
        assert_eq!(first.id, second.id);
        assert_ne!(first.lease_token, second.lease_token);
        let stale = first.lease_token.as_deref().unwrap();
        assert!(
            !outbox::mark_delivered(&mut db.store.write().await.unwrap(), first.id, stale, t0 + 62)
                .await
                .unwrap(),
            "{}",
            db.name
        );
        assert!(!outbox::mark_failed(
            &mut db.store.write().await.unwrap(),
            first.id,
            stale,
            t0 + 70,
            None,
            "late"
        )
        .await
        .unwrap());
        let holder = second.lease_token.as_deref().unwrap();
        assert!(
            outbox::mark_delivered(
                &mut db.store.write().await.unwrap(),
                second.id,
                holder,
                t0 + 63
            )
            .await
            .unwrap(),
            "{}",
            db.name
        );
    }
}

#[tokio::test]
async fn a_message_that_keeps_failing_is_set_aside_holds_its_account_back_and_an_operator_releases_it(
) {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        queue(&db.store, "m-1", "3000012345").await;
        queue(&db.store, "m-2", "3000012345").await;
        queue(&db.store, "other", "3000067890").await;
        // Nothing listens at the head-end's address.
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
        let config = HeadEndConfig {
            url: Some(format!("http://{port}/sync")),
            secret: Some("a-head-end-secret-of-32-bytes-or-more".into()),
        };
        let sender = HeadEndSender::new(db.store.clone(), &config).unwrap().unwrap();
        let mut at = peakday_server::store::now();
        for _ in 0..MAX_ATTEMPTS {
            // Both accounts' first messages are tried in the same round.
            let round = sender.deliver_due_at(at).await.unwrap();
            assert_eq!(round.failed, 2, "{}", db.name);
            at += 3600;
        }
        assert_eq!(sender.deliver_due_at(at).await.unwrap().failed, 0, "{}: set aside", db.name);
        let held = HeldMessages::new(db.store.clone());
        let set_aside = held.held_messages().await.unwrap();
        assert_eq!(set_aside.len(), 2, "{}", db.name);
        assert_eq!(set_aside[0].account.as_deref(), Some("3000012345"));
        assert_eq!(set_aside[0].attempts, MAX_ATTEMPTS);

        // Discarding Jordan's lets his next message go; Priya's is sent again from scratch.
        held.release(peakday_app::auth::UserId(1), set_aside[0].id, true).await.unwrap();
        held.release(peakday_app::auth::UserId(1), set_aside[1].id, false).await.unwrap();
        let due: Vec<String> = {
            let mut keys = Vec::new();
            while let Some(message) = outbox::claim(&db.store, ASSET_SYNC, at, 60).await.unwrap() {
                keys.push(message.idempotency_key);
            }
            keys
        };
        assert_eq!(due, ["m-2", "other"], "{}", db.name);
        assert!(held.held_messages().await.unwrap().is_empty());
    }
}
