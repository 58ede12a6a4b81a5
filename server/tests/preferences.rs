//! The preferences service on both databases: every save checks the version, applies the shared
//! rules inside one transaction, and stores the change with its audit records, or nothing.

mod common;

use common::TestDb;
use peakday_app::accounts::{AccountId, AccountNumber};
use peakday_app::activity::{Actor, ChangeSource};
use peakday_app::preferences::{
    Basis, Communication, OptOutScope, PeakChannels, PreferenceChange, PreferencesView,
    SelectionStatus, SmsConsent,
};
use peakday_app::recipients::{ContactDetails, ContactForm, RecipientId};
use peakday_app::utility::Channel;
use peakday_server::accounts;
use peakday_server::demo::DEMO_ACCOUNT_NUMBER;
use peakday_server::preferences::{Preferences, PreferencesError, SMS_OPT_IN_CONFIRMATION};
use peakday_server::store::audit;
use peakday_server::store::outbox;
use peakday_server::store::Store;

const CUSTOMER: Actor = Actor { user_id: None, source: ChangeSource::Portal };

fn contact(name: &str, email: &str, sms: &str) -> ContactDetails {
    ContactForm { name: name.into(), email: email.into(), sms: sms.into(), voice: String::new() }
        .parse()
        .unwrap()
}

async fn account(store: &Store, number: &str) -> AccountId {
    accounts::store::account_id_by_number(
        &mut store.read().await.unwrap(),
        &AccountNumber::parse(number).unwrap(),
    )
    .await
    .unwrap()
    .unwrap()
}

/// The demo customer's account, seeded with Jordan (primary) and Sam.
async fn demo(db: &TestDb) -> (Preferences, AccountId, PreferencesView) {
    let preferences = Preferences::new(db.store.clone());
    let account = account(&db.store, DEMO_ACCOUNT_NUMBER).await;
    let view = preferences.view(account).await.unwrap();
    (preferences, account, view)
}

#[tokio::test]
async fn adding_a_recipient_stores_it_audits_it_and_moves_the_version() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let (preferences, account, before) = demo(&db).await;
        let add = PreferenceChange::AddRecipient(contact("Ana Lima", "ana@example.com", ""));
        let saved = preferences.change(CUSTOMER, account, before.version, &add).await.unwrap();
        assert!(saved.message.starts_with("Added Ana Lima."), "{}", db.name);

        let after = preferences.view(account).await.unwrap();
        assert_eq!(after.version, before.version + 1, "{}", db.name);
        // The answer names the version the save made, which the page's next save is based on.
        assert_eq!(saved.version, Some(after.version), "{}", db.name);
        let names: Vec<String> = after
            .recipients
            .additional
            .iter()
            .map(|r| r.recipient.contact.name.to_string())
            .collect();
        assert_eq!(names, ["Sam Rivera", "Ana Lima"], "{}", db.name);
        let audit = audit::changes_of_account(&mut db.store.read().await.unwrap(), account, 10)
            .await
            .unwrap();
        assert_eq!(audit[0].entry.action, "recipient.added", "{}", db.name);
        assert_eq!(audit[0].entry.source, ChangeSource::Portal);
        assert!(audit[0].entry.after.as_deref().unwrap().contains("ana@example.com"));
    }
}

#[tokio::test]
async fn a_save_from_an_older_page_is_refused_and_changes_nothing() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let (preferences, account, page) = demo(&db).await;
        let first = PreferenceChange::AddRecipient(contact("First Tab", "one@example.com", ""));
        preferences.change(CUSTOMER, account, page.version, &first).await.unwrap();
        let audit_before =
            audit::changes_of_account(&mut db.store.read().await.unwrap(), account, 100)
                .await
                .unwrap()
                .len();

        let second = PreferenceChange::AddRecipient(contact("Second Tab", "two@example.com", ""));
        let result = preferences.change(CUSTOMER, account, page.version, &second).await;
        assert!(matches!(result, Err(PreferencesError::Conflict(_))), "{}: {result:?}", db.name);
        let view = preferences.view(account).await.unwrap();
        assert!(view.recipients.iter().all(|r| r.recipient.contact.name.as_str() != "Second Tab"));
        assert_eq!(
            audit::changes_of_account(&mut db.store.read().await.unwrap(), account, 100)
                .await
                .unwrap()
                .len(),
            audit_before
        );
    }
}

/// Two cards of one page saved within one round trip, at once: both land, one after the
/// other, as neither changes the other's card; a save on a card that changed since is refused.
#[tokio::test]
async fn saves_of_different_cards_made_on_one_page_all_land_and_a_changed_card_refuses() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let (preferences, account, page) = demo(&db).await;
        let jordan = page.recipients.primary.recipient.id;
        let sam = page.recipients.additional[0].recipient.id;
        let alerts = |recipient| PreferenceChange::SetAlerts {
            recipient,
            channels: PeakChannels { email: true, ..PeakChannels::default() },
            communications: [Communication::HighBillAlert].into(),
        };
        let stop_voice = PreferenceChange::SetOptOut {
            scope: OptOutScope::Channel(Channel::Voice),
            stopped: true,
        };
        let saves = [alerts(jordan), alerts(sam), stop_voice].map(|change| {
            let preferences = preferences.clone();
            let basis = Basis { version: page.version, part: page.part_of(&change) };
            tokio::spawn(async move { preferences.change(CUSTOMER, account, basis, &change).await })
        });
        let mut versions = Vec::new();
        for save in saves {
            versions.push(save.await.unwrap().unwrap().version.unwrap());
        }
        versions.sort();
        assert_eq!(versions, [1, 2, 3].map(|n| page.version + n), "{}", db.name);
        let now = preferences.view(account).await.unwrap();
        assert!(now.opt_outs.voice, "{}", db.name);
        for card in now.recipients.iter() {
            assert!(card.recipient.communications.contains(&Communication::HighBillAlert));
        }

        // Sam's card changed since the page: a second save made on it is refused.
        let rename = PreferenceChange::UpdateContact(sam, contact("Sam R.", "sam@example.com", ""));
        let basis = Basis { version: page.version, part: page.part_of(&rename) };
        let refused = preferences.change(CUSTOMER, account, basis, &rename).await;
        assert!(matches!(refused, Err(PreferencesError::Conflict(_))), "{}: {refused:?}", db.name);
        let after = preferences.view(account).await.unwrap();
        assert_eq!(after.version, now.version, "{}: nothing stored", db.name);
        assert_eq!(after.recipients.additional[0].recipient.contact.name.as_str(), "Sam Rivera");
    }
}

#[tokio::test]
async fn of_two_concurrent_saves_at_one_version_exactly_one_lands() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let (preferences, account, page) = demo(&db).await;
        let attempts = (0..2).map(|n| {
            let preferences = preferences.clone();
            let change =
                PreferenceChange::AddRecipient(contact(&format!("Racer {n}"), "r@example.com", ""));
            tokio::spawn(async move {
                preferences.change(CUSTOMER, account, page.version, &change).await
            })
        });
        let mut landed = 0;
        for attempt in attempts {
            match attempt.await.unwrap() {
                Ok(_) => landed += 1,
                Err(PreferencesError::Conflict(_)) => {}
                Err(other) => panic!("{}: {other:?}", db.name),
            }
        }
        assert_eq!(landed, 1, "{}", db.name);
        assert_eq!(preferences.view(account).await.unwrap().recipients.additional.len(), 2);
    }
}

#[tokio::test]
async fn the_eleventh_additional_recipient_is_refused_by_the_server() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let (preferences, account, mut page) = demo(&db).await;
        // Sam is the first of ten.
        for n in 2..=10 {
            let add = PreferenceChange::AddRecipient(contact(
                &format!("Person {n}"),
                "p@example.com",
                "",
            ));
            preferences.change(CUSTOMER, account, page.version, &add).await.unwrap();
            page = preferences.view(account).await.unwrap();
        }
        assert_eq!(page.recipients.additional.len(), 10);
        let eleventh = PreferenceChange::AddRecipient(contact("Eleventh", "e@example.com", ""));
        let refused = preferences.change(CUSTOMER, account, page.version, &eleventh).await;
        assert!(matches!(&refused, Err(PreferencesError::Refused(_))), "{}: {refused:?}", db.name);
        let after = preferences.view(account).await.unwrap();
        assert_eq!(after.recipients.additional.len(), 10, "{}", db.name);
        assert_eq!(after.version, page.version, "{}: a refused save keeps the version", db.name);
    }
}

#[tokio::test]
async fn another_accounts_recipient_cannot_be_touched() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let (preferences, account, page) = demo(&db).await;
        let other = account_of_priya(&db).await;
        let priya = preferences.view(other).await.unwrap().recipients.primary.recipient.id;
        for change in [
            PreferenceChange::RemoveRecipient(priya),
            PreferenceChange::UpdateContact(priya, contact("Taken Over", "evil@example.com", "")),
        ] {
            let result = preferences.change(CUSTOMER, account, page.version, &change).await;
            assert!(
                matches!(
                    result,
                    Err(PreferencesError::Refused(peakday_app::change::ChangeError::NotFound))
                ),
                "{}: {result:?}",
                db.name
            );
        }
        let untouched = preferences.view(other).await.unwrap().recipients.primary;
        assert_eq!(untouched.recipient.contact.name.as_str(), "Priya Okafor", "{}", db.name);
    }
}

async fn account_of_priya(db: &TestDb) -> AccountId {
    account(&db.store, "3000067890").await
}

#[tokio::test]
async fn the_primary_recipient_is_never_removed() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let (preferences, account, page) = demo(&db).await;
        let primary = page.recipients.primary.recipient.id;
        let result = preferences
            .change(CUSTOMER, account, page.version, &PreferenceChange::RemoveRecipient(primary))
            .await;
        assert!(matches!(result, Err(PreferencesError::Refused(_))), "{}", db.name);
        assert_eq!(
            preferences.view(account).await.unwrap().recipients.primary.recipient.id,
            primary
        );
    }
}

#[tokio::test]
async fn turning_texts_on_asks_the_number_once_and_queues_one_confirmation() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let (preferences, account, page) = demo(&db).await;
        let jordan = page.recipients.primary.recipient.id;
        let alerts = PreferenceChange::SetAlerts {
            recipient: jordan,
            channels: PeakChannels { email: true, sms: true, voice: false },
            communications: [Communication::PeakDayAlert].into(),
        };
        let saved = preferences.change(CUSTOMER, account, page.version, &alerts).await.unwrap();
        assert!(saved.message.contains("(518) 555-0142"), "{}", saved.message);
        let view = preferences.view(account).await.unwrap();
        assert_eq!(view.recipients.primary.sms_consent, Some(SmsConsent::Pending), "{}", db.name);
        // Saved again (say, from an agent's screen): nothing more is queued.
        preferences.change(CUSTOMER, account, view.version, &alerts).await.unwrap();
        let queued =
            outbox::pending_messages(&mut db.store.read().await.unwrap(), SMS_OPT_IN_CONFIRMATION)
                .await
                .unwrap();
        assert_eq!(queued.len(), 1, "{}", db.name);
        assert!(queued[0].payload.contains("+15185550142"));
        let audit = audit::changes_of_account(&mut db.store.read().await.unwrap(), account, 10)
            .await
            .unwrap();
        assert_eq!(audit.iter().filter(|a| a.entry.action == "sms_consent.requested").count(), 1);
    }
}

#[tokio::test]
async fn the_page_explains_an_ineligible_selection() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let preferences = Preferences::new(db.store.clone());
        // Harold is on R-1, not a peak time rebate rate, and chose the peak day alert.
        let harold = account(&db.store, "3000054321").await;
        let view = preferences.view(harold).await.unwrap();
        let status = view
            .recipients
            .primary
            .statuses
            .iter()
            .find(|(c, _)| *c == Communication::PeakDayAlert);
        assert_eq!(
            status.map(|(_, s)| s.clone()),
            Some(SelectionStatus::NotDelivered("not on a peak time rebate rate".into())),
            "{}",
            db.name
        );
    }
}

#[tokio::test]
async fn stopping_all_email_suppresses_it_and_resuming_brings_it_back() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let (preferences, account, page) = demo(&db).await;
        let stop = PreferenceChange::SetOptOut {
            scope: OptOutScope::Channel(Channel::Email),
            stopped: true,
        };
        preferences.change(CUSTOMER, account, page.version, &stop).await.unwrap();
        let stopped = preferences.view(account).await.unwrap();
        assert!(stopped.opt_outs.email, "{}", db.name);
        let (_, status) = &stopped.recipients.primary.statuses[0];
        assert_eq!(
            *status,
            SelectionStatus::NotDelivered("all email is stopped for this account".into())
        );

        let resume = PreferenceChange::SetOptOut {
            scope: OptOutScope::Channel(Channel::Email),
            stopped: false,
        };
        preferences.change(CUSTOMER, account, stopped.version, &resume).await.unwrap();
        let resumed = preferences.view(account).await.unwrap();
        assert!(!resumed.opt_outs.email);
        assert_eq!(
            resumed.recipients.primary.statuses[0].1,
            SelectionStatus::Delivered(vec![Channel::Email])
        );
    }
}

#[tokio::test]
async fn an_undeliverable_address_suppresses_alerts_to_it_and_to_nothing_else() {
    use peakday_server::preferences::{recipients, store};
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let (preferences, account, _) = demo(&db).await;
        let (people, _, _) =
            recipients::recipients_with_reach(&mut db.store.read().await.unwrap(), account)
                .await
                .unwrap();
        let email = people.primary.contact.email.clone().unwrap().as_str().to_owned();
        let mut tx = db.store.begin_write().await.unwrap();
        store::mark_undeliverable(&mut tx, Channel::Email, &email, "hard bounce").await.unwrap();
        // The same text as another channel's address, and an address nobody here uses.
        store::mark_undeliverable(&mut tx, Channel::Voice, &email, "bad data").await.unwrap();
        store::mark_undeliverable(&mut tx, Channel::Email, "gone@example.com", "hard bounce")
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let (_, reach, _) =
            recipients::recipients_with_reach(&mut db.store.read().await.unwrap(), account)
                .await
                .unwrap();
        assert_eq!(
            reach.undeliverable.into_iter().collect::<Vec<_>>(),
            [(Channel::Email, email)],
            "{}",
            db.name
        );
        let page = preferences.view(account).await.unwrap();
        assert!(
            matches!(&page.recipients.primary.statuses[0].1, SelectionStatus::NotDelivered(why) if why.contains("bounced")),
            "{}: {:?}",
            db.name,
            page.recipients.primary.statuses[0]
        );
        let priya = account_of_priya(&db).await;
        let (_, theirs, _) =
            recipients::recipients_with_reach(&mut db.store.read().await.unwrap(), priya)
                .await
                .unwrap();
        assert!(theirs.undeliverable.is_empty(), "{}", db.name);
    }
}

#[tokio::test]
async fn activity_lists_changes_newest_first_with_before_and_after_and_no_sign_ins() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let (preferences, account, page) = demo(&db).await;
        let sam = page.recipients.additional[0].recipient.id;
        let edit =
            PreferenceChange::UpdateContact(sam, contact("Sam Rivera", "sam.new@example.com", ""));
        preferences.change(CUSTOMER, account, page.version, &edit).await.unwrap();
        let remove = PreferenceChange::RemoveRecipient(sam);
        preferences.change(CUSTOMER, account, page.version + 1, &remove).await.unwrap();
        // A sign-in is recorded in the audit log but is not a change.
        peakday_server::auth::AuthService::new(db.store.clone(), Default::default())
            .sign_in(
                &peakday_server::auth::Attempt::new(
                    "demo@peakday.example",
                    "peakday-demo",
                    "10.0.0.1",
                ),
                1_800_000_000,
            )
            .await
            .unwrap();

        let activity = preferences.activity(account, false).await.unwrap().changes;
        let summaries: Vec<&str> = activity.iter().map(|entry| entry.summary.as_str()).collect();
        assert_eq!(
            summaries,
            ["Removed recipient Sam Rivera", "Changed the contact info of Sam Rivera"],
            "{}",
            db.name
        );
        let email = activity[1].changes.iter().find(|c| c.field == "Email").unwrap();
        assert_eq!(email.before.as_deref(), Some("sam.rivera@example.com"));
        assert_eq!(email.after.as_deref(), Some("sam.new@example.com"));
        assert!(
            activity[0].when.ends_with("EST") || activity[0].when.ends_with("EDT"),
            "{}",
            activity[0].when
        );
        assert!(activity[0].when_utc.ends_with('Z'));
    }
}

#[tokio::test]
async fn a_removed_recipient_id_is_not_found_afterwards() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let (preferences, account, page) = demo(&db).await;
        let sam: RecipientId = page.recipients.additional[0].recipient.id;
        preferences
            .change(CUSTOMER, account, page.version, &PreferenceChange::RemoveRecipient(sam))
            .await
            .unwrap();
        let again = preferences
            .change(CUSTOMER, account, page.version + 1, &PreferenceChange::RemoveRecipient(sam))
            .await;
        assert!(matches!(again, Err(PreferencesError::Refused(_))), "{}", db.name);
    }
}

/// The page's one read of recipients carries the account's version and stops from the same
/// statement: none before the first save (no preferences row yet), then as saved.
#[tokio::test]
async fn the_recipients_read_carries_the_accounts_version_and_stops() {
    use peakday_server::preferences::recipients;
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let (preferences, account, before) = demo(&db).await;
        let read = || async {
            let mut conn = db.store.read().await.unwrap();
            recipients::recipients_with_reach(&mut conn, account).await.unwrap().2
        };
        // The seeded demo account was never saved: it has no preferences row.
        let unsaved = read().await;
        assert_eq!((unsaved.version, before.version), (0, 0), "{}", db.name);
        assert_eq!(unsaved.opt_outs, Default::default(), "{}", db.name);

        let stop = PreferenceChange::SetOptOut {
            scope: OptOutScope::Channel(Channel::Email),
            stopped: true,
        };
        let answer = preferences.change(CUSTOMER, account, before.version, &stop).await.unwrap();
        let saved = read().await;
        assert_eq!((saved.version, answer.version), (1, Some(1)), "{}", db.name);
        assert!(saved.opt_outs.email && !saved.opt_outs.sms && !saved.opt_outs.everything);
        let view = preferences.view(account).await.unwrap();
        assert_eq!((view.version, view.opt_outs), (saved.version, saved.opt_outs), "{}", db.name);
    }
}
