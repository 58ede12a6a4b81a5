//! Sign-in, its steps, sessions and throttling, each run on SQLite and on PostgreSQL.

mod common;

use common::TestDb;
use peakday_app::auth::{NewPasswordForm, Role, SessionStage};
use peakday_server::accounts;
use peakday_server::auth;
use peakday_server::auth::second_factor::{code_at, Enrollment};
use peakday_server::auth::{
    Attempt, AuthService, SessionPolicy, SessionState, SessionToken, SignInError, SignedIn,
    StepError,
};
use peakday_server::demo::DEMO_TOTP_SECRET;
use peakday_server::store::audit;

const T0: i64 = 1_790_000_000;

fn service(db: &TestDb) -> AuthService {
    AuthService::new(db.store.clone(), SessionPolicy::default())
}

async fn active_role(auth: &AuthService, token: &SessionToken, at: i64) -> Option<Role> {
    match auth.session(token, at).await.unwrap() {
        SessionState::Active(viewer) => Some(viewer.role()),
        SessionState::Pending(_) | SessionState::Ended => None,
    }
}

async fn sign_in(
    auth: &AuthService,
    email: &str,
    password: &str,
    client: &str,
    at: i64,
) -> Result<SignedIn, SignInError> {
    auth.sign_in(&Attempt::new(email, password, client), at).await
}

/// Signs a demo staff member in with both steps at `at`.
async fn staff_session(auth: &AuthService, email: &str, password: &str, at: i64) -> SignedIn {
    let first = sign_in(auth, email, password, "c", at).await.unwrap();
    assert_eq!(first.stage, SessionStage::SecondFactor, "{email}: the code comes next");
    let code = code_at(DEMO_TOTP_SECRET, at).unwrap();
    auth.second_factor(&first.token, &code, &Attempt::new("", "", "c"), at).await.unwrap()
}

#[tokio::test]
async fn the_right_password_opens_a_session_and_records_it() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let auth = service(&db);
        let signed_in =
            sign_in(&auth, " Demo@Peakday.example ", "peakday-demo", "10.0.0.1", T0).await.unwrap();
        assert_eq!(signed_in.viewer.role(), Role::Customer, "{}", db.name);
        assert_eq!(signed_in.stage, SessionStage::Active);
        assert!(signed_in.device_cookie.is_some(), "a browser new to this person gets one");
        assert_eq!(active_role(&auth, &signed_in.token, T0 + 5).await, Some(Role::Customer));

        let account = signed_in.viewer.own_account().unwrap();
        let audit =
            audit::audit_of_account(&mut db.store.read().await.unwrap(), account, 5).await.unwrap();
        assert_eq!(audit[0].entry.action, "session.signed_in", "{}", db.name);
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
            let result = sign_in(&auth, email, password, "10.0.0.1", T0).await;
            assert!(matches!(result, Err(SignInError::Invalid)), "{}: {email}/{password}", db.name);
        }
        // The wrong password is in the customer's history (an empty one never reached a
        // check); the unknown email is nowhere.
        let jordan = accounts::store::account_id_by_number(
            &mut db.store.read().await.unwrap(),
            &peakday_app::accounts::AccountNumber::parse("3000012345").unwrap(),
        )
        .await
        .unwrap();
        let audit =
            audit::audit_of_account(&mut db.store.read().await.unwrap(), jordan.unwrap(), 10)
                .await
                .unwrap();
        assert_eq!(
            audit.iter().filter(|a| a.entry.action == "signin.failed").count(),
            1,
            "{}",
            db.name
        );
    }
}

#[tokio::test]
async fn a_guesser_waits_longer_and_longer_but_cannot_lock_the_owner_out() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let auth = service(&db);
        // Five free guesses from one place, then each next one waits (2 s, then 4 s, ...).
        for attempt in 0..5 {
            let guess =
                sign_in(&auth, "demo@peakday.example", "wrong", "203.0.113.5", T0 + attempt).await;
            assert!(matches!(guess, Err(SignInError::Invalid)), "{}: guess {attempt}", db.name);
        }
        let waiting = sign_in(&auth, "demo@peakday.example", "wrong", "203.0.113.5", T0 + 5).await;
        assert!(matches!(waiting, Err(SignInError::Throttled(1..=2))), "{}: {waiting:?}", db.name);
        // The owner, elsewhere, signs in with the right password at once.
        let owner =
            sign_in(&auth, "demo@peakday.example", "peakday-demo", "198.51.100.7", T0 + 5).await;
        assert!(owner.is_ok(), "{}: the owner is not locked out", db.name);
        // The guesser's waits grow.
        let next = sign_in(&auth, "demo@peakday.example", "wrong", "203.0.113.5", T0 + 7).await;
        assert!(matches!(next, Err(SignInError::Invalid)));
        let sooner = sign_in(&auth, "demo@peakday.example", "wrong", "203.0.113.5", T0 + 9).await;
        assert!(matches!(sooner, Err(SignInError::Throttled(2))), "{}: {sooner:?}", db.name);
    }
}

#[tokio::test]
async fn guesses_spread_over_many_addresses_only_slow_the_email_and_its_own_browser_gets_in() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let auth = service(&db);
        let device = sign_in(&auth, "demo@peakday.example", "peakday-demo", "198.51.100.7", T0)
            .await
            .unwrap()
            .device_cookie
            .unwrap();
        for attempt in 0..12 {
            let client = format!("203.0.113.{attempt}");
            let _ =
                sign_in(&auth, "demo@peakday.example", "wrong", &client, T0 + 10 + attempt).await;
        }
        // The email from anywhere now waits, a minute at most ...
        let stranger =
            sign_in(&auth, "demo@peakday.example", "peakday-demo", "192.0.2.1", T0 + 22).await;
        assert!(
            matches!(stranger, Err(SignInError::Throttled(1..=60))),
            "{}: {stranger:?}",
            db.name
        );
        // A forged device cookie counts for nothing ...
        let forged = format!("{device}0");
        let attempt = Attempt {
            device: Some(&forged),
            ..Attempt::new("demo@peakday.example", "peakday-demo", "192.0.2.1")
        };
        let refused = auth.sign_in(&attempt, T0 + 22).await;
        assert!(matches!(refused, Err(SignInError::Throttled(_))), "{}: {refused:?}", db.name);
        // ... but the browser that signed in as this person before is let through.
        let attempt = Attempt { device: Some(&device), ..attempt };
        assert!(auth.sign_in(&attempt, T0 + 22).await.is_ok(), "{}", db.name);
    }
}

#[tokio::test]
async fn many_failures_from_one_address_slow_it_for_a_minute_at_most() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let auth = service(&db);
        for attempt in 0..30 {
            let email = format!("guess{attempt}@example.com");
            let _ = sign_in(&auth, &email, "guess", "192.0.2.66", T0).await;
        }
        let slowed =
            sign_in(&auth, "demo@peakday.example", "peakday-demo", "192.0.2.66", T0 + 1).await;
        assert!(matches!(slowed, Err(SignInError::Throttled(1..=60))), "{}: {slowed:?}", db.name);
        assert!(sign_in(&auth, "demo@peakday.example", "peakday-demo", "192.0.2.67", T0 + 1)
            .await
            .is_ok());
        let later =
            sign_in(&auth, "agent@peakday.example", "peakday-agent", "192.0.2.66", T0 + 62).await;
        assert!(later.is_ok(), "{}: a minute later the address signs in again", db.name);
    }
}

/// Item 1 of the review: the throttle counted after checking, so parallel guesses all passed.
#[tokio::test]
async fn parallel_guesses_are_checked_no_more_often_than_the_limit_allows() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let auth = service(&db);
        // Four guesses used, one left; then 20 at once, the right password among them.
        for attempt in 0..4 {
            let _ =
                sign_in(&auth, "demo@peakday.example", "wrong", "203.0.113.9", T0 + attempt).await;
        }
        let mut guesses = Vec::new();
        for n in 0..20 {
            let auth = auth.clone();
            let password = if n == 13 { "peakday-demo" } else { "wrong" };
            guesses.push(tokio::spawn(async move {
                auth.sign_in(
                    &Attempt::new("demo@peakday.example", password, "203.0.113.9"),
                    T0 + 10,
                )
                .await
            }));
        }
        let mut checked = 0;
        for guess in guesses {
            match guess.await.unwrap() {
                Err(SignInError::Throttled(_)) => {}
                Ok(_) | Err(SignInError::Invalid) => checked += 1,
                Err(other) => panic!("{}: {other:?}", db.name),
            }
        }
        assert_eq!(checked, 1, "{}: one attempt was left, one password was checked", db.name);
    }
}

#[tokio::test]
async fn staff_sign_in_with_a_code_each_code_works_once_and_five_wrong_ones_end_the_attempt() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let auth = service(&db);
        let first =
            sign_in(&auth, "agent@peakday.example", "peakday-agent", "c", T0).await.unwrap();
        assert_eq!(first.stage, SessionStage::SecondFactor, "{}", db.name);
        assert!(first.device_cookie.is_none(), "not signed in yet");
        assert_eq!(
            active_role(&auth, &first.token, T0).await,
            None,
            "half-way is nobody's session"
        );
        let step = Attempt::new("", "", "c");
        let code = code_at(DEMO_TOTP_SECRET, T0).unwrap();
        let signed_in = auth.second_factor(&first.token, &code, &step, T0).await.unwrap();
        assert_eq!(signed_in.stage, SessionStage::Active);
        assert_ne!(signed_in.token, first.token, "a new session id after the second step");
        assert_eq!(active_role(&auth, &signed_in.token, T0 + 1).await, Some(Role::Agent));
        assert_eq!(active_role(&auth, &first.token, T0 + 1).await, None);

        // The same code again, in another sign-in: refused.
        let again =
            sign_in(&auth, "agent@peakday.example", "peakday-agent", "c", T0 + 2).await.unwrap();
        let replay = auth.second_factor(&again.token, &code, &step, T0 + 2).await;
        assert!(matches!(replay, Err(StepError::WrongCode)), "{}: {replay:?}", db.name);
        for _ in 0..3 {
            let wrong = auth.second_factor(&again.token, "000000", &step, T0 + 3).await;
            assert!(matches!(wrong, Err(StepError::WrongCode)));
        }
        let fifth = auth.second_factor(&again.token, "111111", &step, T0 + 3).await;
        assert!(matches!(fifth, Err(StepError::TooManyCodes)), "{}: {fifth:?}", db.name);
        let next_code = code_at(DEMO_TOTP_SECRET, T0 + 30).unwrap();
        let ended = auth.second_factor(&again.token, &next_code, &step, T0 + 30).await;
        assert!(matches!(ended, Err(StepError::Ended)), "{}: the attempt is over", db.name);
    }
}

#[tokio::test]
async fn a_new_staff_member_chooses_a_password_then_sets_up_a_second_factor() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let auth = service(&db);
        let args = peakday_server::setup::StaffArgs {
            role: "agent".into(),
            email: "rosa.diaz@utility.example".into(),
            name: "Rosa Diaz".into(),
        };
        let printed = peakday_server::setup::add_staff(&db.store, &args).await.unwrap();
        let one_time = printed.lines().find_map(|l| l.strip_prefix("One-time password: ")).unwrap();
        let step = Attempt::new("", "", "c");

        let first = sign_in(&auth, "rosa.diaz@utility.example", one_time, "c", T0).await.unwrap();
        assert_eq!(first.stage, SessionStage::NewPassword, "{}", db.name);
        let weak =
            NewPasswordForm { password: "password1234".into(), confirm: "password1234".into() };
        assert!(matches!(
            auth.choose_password(&first.token, &weak, &step, T0).await,
            Err(StepError::Password(_))
        ));
        let same = NewPasswordForm { password: one_time.into(), confirm: one_time.into() };
        assert!(matches!(
            auth.choose_password(&first.token, &same, &step, T0).await,
            Err(StepError::SamePassword)
        ));
        let own = NewPasswordForm {
            password: "copper kettle orbit lantern".into(),
            confirm: "copper kettle orbit lantern".into(),
        };
        let chosen = auth.choose_password(&first.token, &own, &step, T0).await.unwrap();
        assert_eq!(chosen.stage, SessionStage::Enroll, "{}", db.name);

        let session =
            auth::store::session(&mut db.store.read().await.unwrap(), &chosen.token.hash())
                .await
                .unwrap()
                .unwrap();
        let enrollment: Enrollment =
            auth.enrollment(&chosen.token.hash(), session.enrolling.as_deref()).await.unwrap();
        let code = code_at(&enrollment.secret, T0).unwrap();
        let wrong = auth.confirm_enrollment(&chosen.token, "123456", &step, T0).await;
        assert!(matches!(wrong, Err(StepError::WrongCode)));
        let active = auth.confirm_enrollment(&chosen.token, &code, &step, T0).await.unwrap();
        assert_eq!(active.stage, SessionStage::Active, "{}", db.name);
        assert_eq!(active_role(&auth, &active.token, T0 + 1).await, Some(Role::Agent));

        // Next time: the password they chose, then a code (or a recovery code, once).
        let again = sign_in(
            &auth,
            "rosa.diaz@utility.example",
            "copper kettle orbit lantern",
            "c",
            T0 + 60,
        )
        .await
        .unwrap();
        assert_eq!(again.stage, SessionStage::SecondFactor);
        let recovery = &enrollment.recovery_codes[0];
        assert!(auth.second_factor(&again.token, recovery, &step, T0 + 60).await.is_ok());
        let third = sign_in(
            &auth,
            "rosa.diaz@utility.example",
            "copper kettle orbit lantern",
            "c",
            T0 + 90,
        )
        .await
        .unwrap();
        let reused = auth.second_factor(&third.token, recovery, &step, T0 + 90).await;
        assert!(
            matches!(reused, Err(StepError::WrongCode)),
            "{}: a recovery code works once",
            db.name
        );
        // The one-time password works no more.
        let old = sign_in(&auth, "rosa.diaz@utility.example", one_time, "c", T0 + 120).await;
        assert!(matches!(old, Err(SignInError::Invalid)));
    }
}

#[tokio::test]
async fn idle_sessions_end_after_30_minutes_for_customers_and_15_for_staff() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let auth = service(&db);
        let customer =
            sign_in(&auth, "demo@peakday.example", "peakday-demo", "c", T0).await.unwrap().token;
        let agent = staff_session(&auth, "agent@peakday.example", "peakday-agent", T0).await.token;

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
async fn a_half_finished_sign_in_ends_after_ten_minutes() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let auth = service(&db);
        let first = sign_in(&auth, "pm@peakday.example", "peakday-pm", "c", T0).await.unwrap();
        let late = T0 + 11 * 60;
        let code = code_at(DEMO_TOTP_SECRET, late).unwrap();
        let result =
            auth.second_factor(&first.token, &code, &Attempt::new("", "", "c"), late).await;
        assert!(matches!(result, Err(StepError::Ended)), "{}: {result:?}", db.name);
    }
}

#[tokio::test]
async fn a_busy_session_still_ends_after_twelve_hours() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let auth = service(&db);
        let token =
            sign_in(&auth, "demo@peakday.example", "peakday-demo", "c", T0).await.unwrap().token;
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
        let signed_in = staff_session(&auth, "pm@peakday.example", "peakday-pm", T0).await;
        auth.sign_out(&signed_in.token, Some(&signed_in.viewer)).await.unwrap();
        assert_eq!(active_role(&auth, &signed_in.token, T0 + 1).await, None, "{}", db.name);
    }
}

#[tokio::test]
async fn disabling_a_user_ends_their_sessions_and_stops_sign_in() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let auth = service(&db);
        let token = staff_session(&auth, "agent@peakday.example", "peakday-agent", T0).await.token;
        db.store
            .execute_admin("UPDATE users SET disabled = 1 WHERE email = 'agent@peakday.example'")
            .await
            .unwrap();
        assert_eq!(active_role(&auth, &token, T0 + 1).await, None, "{}", db.name);
        let again = sign_in(&auth, "agent@peakday.example", "peakday-agent", "c", T0 + 2).await;
        assert!(matches!(again, Err(SignInError::Invalid)), "{}", db.name);
    }
}

#[tokio::test]
async fn purging_removes_only_what_nobody_can_use() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let auth = service(&db);
        let old =
            sign_in(&auth, "demo@peakday.example", "peakday-demo", "c", T0).await.unwrap().token;
        let fresh =
            staff_session(&auth, "admin@peakday.example", "peakday-admin", T0 + 3600).await.token;
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

#[tokio::test]
async fn an_office_signing_in_all_day_from_one_address_is_never_slowed_by_its_successes() {
    for db in TestDb::all().await {
        let db = db.seeded().await;
        let auth = service(&db);
        for n in 0..40 {
            let signed_in =
                sign_in(&auth, "demo@peakday.example", "peakday-demo", "192.0.2.80", T0 + n).await;
            assert!(signed_in.is_ok(), "{}: sign-in {n}: {signed_in:?}", db.name);
        }
        assert_eq!(
            auth::store::throttle_failures(
                &mut db.store.read().await.unwrap(),
                "client:192.0.2.80"
            )
            .await
            .unwrap(),
            0
        );
    }
}
