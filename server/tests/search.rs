//! Customer service's account search on both databases: every kind of query finds the account,
//! the index follows recipient changes, results page without repeats, and accounts made before
//! the index existed are indexed when the migrations run.

mod common;

use common::TestDb;
use peakday_app::accounts::{AccountId, AccountNumber};
use peakday_app::activity::{Actor, ChangeSource};
use peakday_app::preferences::PreferenceChange;
use peakday_app::recipients::ContactForm;
use peakday_app::search::{SearchQuery, RESULTS_PER_PAGE};
use peakday_server::accounts;
use peakday_server::demo::DEMO_ACCOUNT_NUMBER;
use peakday_server::generate::generate_accounts;
use peakday_server::preferences::Preferences;
use peakday_server::store::Store;

const AGENT: Actor = Actor { user_id: None, source: ChangeSource::Agent };

/// The account numbers the search finds for `query`, first page.
async fn found(store: &Store, query: &str) -> Vec<String> {
    let query = SearchQuery::parse(query).unwrap();
    let results = accounts::search::search_accounts(&mut store.read().await.unwrap(), &query, None)
        .await
        .unwrap();
    results.matches.into_iter().map(|found| found.account_number.to_string()).collect()
}

async fn demo_account(store: &Store) -> AccountId {
    accounts::store::account_id_by_number(
        &mut store.read().await.unwrap(),
        &AccountNumber::parse(DEMO_ACCOUNT_NUMBER).unwrap(),
    )
    .await
    .unwrap()
    .unwrap()
}

#[tokio::test]
async fn every_kind_of_query_finds_the_demo_account() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        generate_accounts(&db.store, 300, 7).await.unwrap();
        for query in [
            "3000012345",
            "300001",
            "Jordan Rivera",
            "jord riv",
            "RIVERA JORDAN",
            "demo@peakday.example",
            "(518) 555-0142",
            "518.555.0142",
            "+1 518 555 0142",
            "12 Maple Street",
            "Sam Rivera",
            "sam.rivera@example.com",
        ] {
            let numbers = found(&db.store, query).await;
            assert!(numbers.contains(&DEMO_ACCOUNT_NUMBER.to_owned()), "{}: {query}", db.name);
        }
        assert_eq!(found(&db.store, "(518) 555-0142").await, [DEMO_ACCOUNT_NUMBER], "{}", db.name);
        assert!(found(&db.store, "Nobody Atall").await.is_empty(), "{}", db.name);
    }
}

#[tokio::test]
async fn the_index_follows_recipients_as_they_are_added_changed_and_removed() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let preferences = Preferences::new(db.store.clone());
        let account = demo_account(&db.store).await;
        let version = preferences.view(account).await.unwrap().version;
        let zoe = ContactForm {
            name: "Zoë Núñez".into(),
            email: String::new(),
            sms: "(315) 555-0199".into(),
            voice: String::new(),
        }
        .parse()
        .unwrap();
        preferences
            .change(AGENT, account, version, &PreferenceChange::AddRecipient(zoe))
            .await
            .unwrap();
        for query in ["zoe nunez", "ZOË", "Núñ", "315-555-0199"] {
            assert_eq!(
                found(&db.store, query).await,
                [DEMO_ACCOUNT_NUMBER],
                "{}: {query}",
                db.name
            );
        }

        let view = preferences.view(account).await.unwrap();
        let id = view
            .recipients
            .additional
            .iter()
            .find(|r| r.recipient.contact.name.as_str() == "Zoë Núñez")
            .unwrap()
            .recipient
            .id;
        preferences
            .change(AGENT, account, view.version, &PreferenceChange::RemoveRecipient(id))
            .await
            .unwrap();
        assert!(found(&db.store, "zoe nunez").await.is_empty(), "{}", db.name);
        assert!(found(&db.store, "315 555 0199").await.is_empty(), "{}", db.name);
        assert_eq!(found(&db.store, "Jordan").await, [DEMO_ACCOUNT_NUMBER], "{}", db.name);
    }
}

#[tokio::test]
async fn results_come_a_page_at_a_time_without_repeats() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        generate_accounts(&db.store, 400, 11).await.unwrap();
        // Every generated address is in New York: far more than a page.
        let query = SearchQuery::parse("NY").unwrap();
        let mut seen = std::collections::HashSet::new();
        let mut after = None;
        let mut pages = 0;
        loop {
            let page = accounts::search::search_accounts(
                &mut db.store.read().await.unwrap(),
                &query,
                after.as_ref(),
            )
            .await
            .unwrap();
            assert!(page.matches.len() <= RESULTS_PER_PAGE, "{}", db.name);
            for found in &page.matches {
                assert!(seen.insert(found.account_number.clone()), "{}: repeated", db.name);
            }
            pages += 1;
            match page.next {
                Some(next) => after = Some(next),
                None => break,
            }
        }
        assert_eq!(seen.len(), 403, "{}: every account once, over {pages} pages", db.name);
        assert!(pages >= 403 / RESULTS_PER_PAGE, "{}", db.name);
    }
}

#[tokio::test]
async fn accounts_made_before_the_index_are_indexed_when_migrations_run() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        db.store.execute_admin("DELETE FROM account_search_terms").await.unwrap();
        db.store.execute_admin("DELETE FROM account_search").await.unwrap();
        assert!(found(&db.store, "Jordan").await.is_empty(), "{}", db.name);
        db.store.migrate().await.unwrap();
        assert_eq!(found(&db.store, "Jordan").await, [DEMO_ACCOUNT_NUMBER], "{}", db.name);
        assert_eq!(found(&db.store, "Priya").await, ["3000067890"], "{}", db.name);
    }
}
