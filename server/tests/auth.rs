//! Sign-in, sessions and throttling, each run on SQLite and on PostgreSQL.

mod common;

use common::TestDb;
use peakday_app::auth::Role;
use peakday_server::auth::{AuthService, SessionPolicy, SessionState, SignInError};

const T0: i64 = 1_790_000_000;

fn service(db: &TestDb) -> AuthService {
    AuthService::new(db.store.clone(), SessionPolicy::default())
}

async fn active_role(
    auth: &AuthService,
    token: &peakday_server::auth::SessionToken,
    at: i64,
) -> Option<Role> {
    match auth.session(token, at).await.unwrap() {
        SessionState::Active(viewer) => Some(viewer.role()),
        SessionState::Ended => None,
    }
}

#[tokio::test]
async fn the_right_password_opens_a_session_and_records_it() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let auth = service(&db);
        let signed_in =
            auth.sign_in(" Demo@Peakday.example ", "peakday-demo", "10.0.0.1", T0).await.unwrap();
        assert_eq!(signed_in.viewer.role(), Role::Customer, "{}", db.name);
        assert_eq!(active_role(&auth, &signed_in.token, T0 + 5).await, Some(Role::Customer));

        let account = signed_in.viewer.own_account().unwrap();
        let audit = db.store.audit_of_account(account, 5).await.unwrap();
        assert_eq!(audit[0].entry.action, "signed_in", "{}", db.name);
        assert_eq!(audit[0].entry.actor_user_id, Some(signed_in.viewer.user_id));
    }
}

#[tokio::test]
async fn a_wrong_password_an_unknown_email_and_junk_get_the_same_answer() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let auth = service(&db);
        for (email, password) in [
            ("demo@peakday.example", "wrong"),
            ("nobody@peakday.example", "peakday-demo"),
            ("not an email", "peakday-demo"),
            ("demo@peakday.example", ""),
        ] {
            let result = auth.sign_in(email, password, "10.0.0.1", T0).await;
            assert!(matches!(result, Err(SignInError::Invalid)), "{}: {email}/{password}", db.name);
        }
    }
}

#[tokio::test]
async fn five_failures_lock_the_account_for_fifteen_minutes_even_with_the_right_password() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let auth = service(&db);
        for attempt in 0..5 {
            let client = format!("10.0.0.{attempt}");
            assert!(matches!(
                auth.sign_in("demo@peakday.example", "wrong", &client, T0 + attempt).await,
                Err(SignInError::Invalid)
            ));
        }
        let locked =
            auth.sign_in("demo@peakday.example", "peakday-demo", "10.9.9.9", T0 + 10).await;
        assert!(matches!(locked, Err(SignInError::Throttled)), "{}", db.name);
        // Another account is not affected.
        assert!(auth
            .sign_in("agent@peakday.example", "peakday-agent", "10.9.9.9", T0 + 10)
            .await
            .is_ok());
        // Once the window has passed, the right password works again.
        let later = T0 + 15 * 60 + 10;
        assert!(
            auth.sign_in("demo@peakday.example", "peakday-demo", "10.9.9.9", later).await.is_ok(),
            "{}",
            db.name
        );
    }
}

#[tokio::test]
async fn thirty_failures_from_one_client_stop_that_client_only() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let auth = service(&db);
        for attempt in 0..30 {
            let email = format!("guess{attempt}@example.com");
            let _ = auth.sign_in(&email, "guess", "192.0.2.66", T0).await;
        }
        let blocked =
            auth.sign_in("demo@peakday.example", "peakday-demo", "192.0.2.66", T0 + 1).await;
        assert!(matches!(blocked, Err(SignInError::Throttled)), "{}", db.name);
        assert!(auth
            .sign_in("demo@peakday.example", "peakday-demo", "192.0.2.67", T0 + 1)
            .await
            .is_ok());
    }
}

#[tokio::test]
async fn idle_sessions_end_after_30_minutes_for_customers_and_15_for_staff() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let auth = service(&db);
        let customer =
            auth.sign_in("demo@peakday.example", "peakday-demo", "c", T0).await.unwrap().token;
        let agent =
            auth.sign_in("agent@peakday.example", "peakday-agent", "c", T0).await.unwrap().token;

        let sixteen_minutes = T0 + 16 * 60;
        assert_eq!(
            active_role(&auth, &agent, sixteen_minutes).await,
            None,
            "{}: staff idle",
            db.name
        );
        assert_eq!(active_role(&auth, &customer, sixteen_minutes).await, Some(Role::Customer));
        // That visit counted as activity: 29 minutes after it the customer is still in ...
        assert!(active_role(&auth, &customer, sixteen_minutes + 29 * 60).await.is_some());
        // ... and 31 idle minutes end it.
        let idle = sixteen_minutes + 29 * 60 + 31 * 60;
        assert_eq!(active_role(&auth, &customer, idle).await, None, "{}: customer idle", db.name);
        // Ended means gone: the same token does not come back.
        assert_eq!(active_role(&auth, &customer, idle + 1).await, None);
    }
}

#[tokio::test]
async fn a_busy_session_still_ends_after_twelve_hours() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let auth = service(&db);
        let token =
            auth.sign_in("demo@peakday.example", "peakday-demo", "c", T0).await.unwrap().token;
        let mut at = T0;
        while at < T0 + 12 * 3600 - 600 {
            at += 600;
            assert!(active_role(&auth, &token, at).await.is_some());
        }
        assert_eq!(active_role(&auth, &token, T0 + 12 * 3600 + 1).await, None, "{}", db.name);
    }
}

#[tokio::test]
async fn signing_out_ends_the_session_on_the_server() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let auth = service(&db);
        let signed_in = auth.sign_in("pm@peakday.example", "peakday-pm", "c", T0).await.unwrap();
        auth.sign_out(&signed_in.token, Some(&signed_in.viewer)).await.unwrap();
        assert_eq!(active_role(&auth, &signed_in.token, T0 + 1).await, None, "{}", db.name);
    }
}

#[tokio::test]
async fn disabling_a_user_ends_their_sessions_and_stops_sign_in() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let auth = service(&db);
        let token =
            auth.sign_in("agent@peakday.example", "peakday-agent", "c", T0).await.unwrap().token;
        db.store
            .execute_admin("UPDATE users SET disabled = 1 WHERE email = 'agent@peakday.example'")
            .await
            .unwrap();
        assert_eq!(active_role(&auth, &token, T0 + 1).await, None, "{}", db.name);
        let again = auth.sign_in("agent@peakday.example", "peakday-agent", "c", T0 + 2).await;
        assert!(matches!(again, Err(SignInError::Invalid)), "{}", db.name);
    }
}

#[tokio::test]
async fn purging_removes_only_what_nobody_can_use() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let auth = service(&db);
        let old =
            auth.sign_in("demo@peakday.example", "peakday-demo", "c", T0).await.unwrap().token;
        let fresh = auth
            .sign_in("admin@peakday.example", "peakday-admin", "c", T0 + 3600)
            .await
            .unwrap()
            .token;
        auth.purge_expired(T0 + 3600 + 60).await.unwrap();
        assert_eq!(
            active_role(&auth, &fresh, T0 + 3600 + 61).await,
            Some(Role::Admin),
            "{}",
            db.name
        );
        assert_eq!(active_role(&auth, &old, T0 + 3600 + 61).await, None, "{}", db.name);
    }
}
