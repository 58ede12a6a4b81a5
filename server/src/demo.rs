//! The demo utility "Demo Power & Light", seeded on first start of an empty database.

use crate::accounts;
use crate::accounts::{NewAccount, NewServicePoint};
use crate::auth;
use crate::auth::hash_password_off_thread;
use crate::auth::NewUser;
use crate::preferences;
use crate::programs;
use crate::programs::store::RegistrationUpdate;
use crate::store::utility;
use crate::store::{Store, StoreError, Tx};
use peakday_app::accounts::{AccountId, AccountNumber, BillCycleDay, Fuel};
use peakday_app::auth::{Identity, StaffRole};
use peakday_app::contact::EmailAddress;
use peakday_app::events::{EventRequest, LocalTime};
use peakday_app::preferences::Communication;
use peakday_app::programs::{
    entity_group, CalendarDate, Capacity, DeviceId, DeviceKind, EnrollmentStatus, NewDevice,
    ProgramDefinition, ProgramForm, Registration,
};
use peakday_app::recipients::{ContactDetails, ContactForm};
use peakday_app::utility::{Channel, EligibilityRules, Product, UtilitySettings};

/// A fixed demo sign-in, printed at start and listed in the README.
pub struct DemoSignIn {
    pub email: &'static str,
    pub password: &'static str,
    pub role: &'static str,
}

pub const DEMO_SIGN_INS: [DemoSignIn; 4] = [
    DemoSignIn { email: "demo@peakday.example", password: "peakday-demo", role: "customer" },
    DemoSignIn { email: "agent@peakday.example", password: "peakday-agent", role: "agent" },
    DemoSignIn { email: "pm@peakday.example", password: "peakday-pm", role: "program manager" },
    DemoSignIn { email: "admin@peakday.example", password: "peakday-admin", role: "admin" },
];

/// The demo staff's second factor (RFC 6238), public like their passwords: add it to an
/// authenticator app, or print the current code with `peakday demo-code <email>`.
pub const DEMO_TOTP_SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

/// The demo customer's account number.
pub const DEMO_ACCOUNT_NUMBER: &str = "3000012345";

pub fn demo_utility() -> UtilitySettings {
    UtilitySettings {
        name: "Demo Power & Light".into(),
        time_zone: "America/New_York".into(),
        product: Product::PeakTimeRebates,
        channels: vec![Channel::Email, Channel::Sms, Channel::Voice, Channel::Print],
        eligibility: EligibilityRules { peak_day_rate_classes: vec!["R-PTR".into()] },
    }
}

/// Three varied accounts: electric only on a peak time rebate rate; dual fuel; non-AMI.
fn demo_accounts() -> Vec<NewAccount> {
    let point = |number: &str, fuel, rate: &str, ami, day| NewServicePoint {
        number: number.into(),
        fuel,
        rate_class: rate.into(),
        ami,
        bill_cycle_day: BillCycleDay::new(day).expect("demo bill cycle days are valid"),
    };
    let account =
        |number: &str, name: &str, address: &str, points, (email, sms, voice)| NewAccount {
            account_number: AccountNumber::parse(number).expect("demo account numbers are valid"),
            customer_name: name.into(),
            service_address: address.into(),
            service_points: points,
            primary: contact(name, email, sms, voice),
        };
    vec![
        account(
            DEMO_ACCOUNT_NUMBER,
            "Jordan Rivera",
            "12 Maple Street, Springfield, NY 12345",
            vec![point("SP-1000001", Fuel::Electric, "R-PTR", true, 3)],
            ("demo@peakday.example", "(518) 555-0142", ""),
        ),
        account(
            "3000067890",
            "Priya Okafor",
            "88 Harbor View Road, Springfield, NY 12346",
            vec![
                point("SP-1000002", Fuel::Electric, "R-TOU", true, 12),
                point("SP-1000003", Fuel::Gas, "G-1", true, 12),
            ],
            ("priya.okafor@example.com", "", ""),
        ),
        account(
            "3000054321",
            "Harold Becker",
            "4 Old Mill Lane, Riverton, NY 12350",
            vec![point("SP-1000004", Fuel::Electric, "R-1", false, 21)],
            ("", "", "(518) 555-0177"),
        ),
    ]
}

/// Contact details the demo knows to be valid.
pub fn contact(name: &str, email: &str, sms: &str, voice: &str) -> ContactDetails {
    let form = ContactForm {
        name: name.into(),
        email: email.into(),
        sms: sms.into(),
        voice: voice.into(),
    };
    form.parse().expect("demo contact details are valid")
}

/// Seeds the demo utility, accounts and sign-ins if the database has no utility yet. Returns
/// whether it seeded. One transaction: a crash leaves nothing half-seeded, and of several
/// instances starting at once only one seeds.
pub async fn seed_if_empty(store: &Store) -> Result<bool, StoreError> {
    let mut tx = store.begin_write().await?;
    if !utility::insert_utility_settings_once(&mut tx, &demo_utility()).await? {
        return Ok(false);
    }
    let account_ids = accounts::store::insert_accounts(&mut tx, &demo_accounts()).await?;
    seed_demo_preferences(&mut tx, account_ids[0], account_ids[2]).await?;
    for program in demo_programs(jiff::Zoned::now().year()) {
        programs::store::insert_program(&mut tx, &program).await?;
    }
    // Harold's household has a medical flag: demand response is closed to it online.
    programs::store::set_life_support(&mut tx, account_ids[2], true).await?;
    let identities = [
        ("Jordan Rivera", Identity::Customer { account_id: account_ids[0] }),
        ("Alex Agent", Identity::Staff { role: StaffRole::Agent }),
        ("Morgan Manager", Identity::Staff { role: StaffRole::ProgramManager }),
        ("Ada Admin", Identity::Staff { role: StaffRole::Admin }),
    ];
    for (sign_in, (name, identity)) in DEMO_SIGN_INS.iter().zip(identities) {
        let staff = matches!(identity, Identity::Staff { .. });
        let user = NewUser {
            email: EmailAddress::parse(sign_in.email).expect("demo emails are valid"),
            display_name: name.into(),
            password_hash: hash_password_off_thread(sign_in.password.to_owned()).await,
            identity,
            must_change_password: false,
        };
        let id = auth::store::insert_user(&mut tx, &user).await?;
        // Staff sign in with a second factor; the demo's is the published one above.
        if staff {
            auth::store::set_second_factor(&mut tx, id, Some((DEMO_TOTP_SECRET, 0, &[]))).await?;
        }
    }
    tx.commit().await?;
    Ok(true)
}

/// Jordan gets peak day alerts by email and shares them with Sam; Harold chose the alert by
/// phone, but his rate is not a rebate rate, so his page says why it is not delivered.
async fn seed_demo_preferences(
    tx: &mut Tx,
    jordan: AccountId,
    harold: AccountId,
) -> Result<(), StoreError> {
    let mut primary = preferences::recipients::recipients_of(tx, jordan).await?.primary;
    primary.peak_channels.email = true;
    primary.communications = [Communication::PeakDayAlert, Communication::PeakDayResults].into();
    preferences::recipients::update_recipient(tx, jordan, &primary).await?;
    preferences::recipients::insert_recipient(
        tx,
        jordan,
        &contact("Sam Rivera", "sam.rivera@example.com", "", ""),
    )
    .await?;
    accounts::search::reindex_account(tx, jordan).await?;

    let mut primary = preferences::recipients::recipients_of(tx, harold).await?.primary;
    primary.peak_channels.voice = true;
    primary.communications = [Communication::PeakDayAlert].into();
    preferences::recipients::update_recipient(tx, harold, &primary).await?;
    Ok(())
}

/// The demo's two programs (issue 5): thermostats in demand response for a season of a year,
/// and batteries and EV chargers in a year-round bring-your-own-device program.
pub fn demo_programs(year: i16) -> Vec<ProgramDefinition> {
    // The thermostats' season is the twelve months from this month's first day, so a first run
    // any time of year shows a peak day.
    let today = jiff::Zoned::now().date();
    let season_start = today.first_of_month();
    let season_end = season_start
        .checked_add(jiff::Span::new().months(12))
        .and_then(|next| next.yesterday())
        .expect("a year from now is a date");
    let thermostats = ProgramForm {
        name: "Smart Thermostat Rewards".into(),
        description: "On a few peak afternoons each season we raise your thermostat by up to 4 degrees for a few hours. You can always change it back.".into(),
        kind: "demand_response".into(),
        status: "active".into(),
        season_start: season_start.to_string(),
        season_end: season_end.to_string(),
        device_kinds: vec![DeviceKind::Thermostat],
        min_battery_kwh: String::new(),
        rate_classes: "R-PTR, R-TOU".into(),
        max_events_per_season: "15".into(),
        max_event_hours: "4".into(),
        min_notice_hours: "24".into(),
        opt_outs_per_season: "3".into(),
        unavailability_allowed: true,
        enrollment_credit: "50".into(),
        performance_basis: "per_kwh".into(),
        performance_rate: "1.00".into(),
    };
    let batteries = ProgramForm {
        name: "Battery & EV Partners".into(),
        description: "Your home battery or EV charger helps the grid on peak days: we draw on the battery or pause charging, and pay you for each event.".into(),
        kind: "der_byod".into(),
        season_start: format!("{year}-01-01"),
        season_end: format!("{year}-12-31"),
        device_kinds: vec![DeviceKind::EvCharger, DeviceKind::Battery],
        min_battery_kwh: "10".into(),
        rate_classes: String::new(),
        max_events_per_season: "30".into(),
        max_event_hours: "3".into(),
        min_notice_hours: "4".into(),
        opt_outs_per_season: "5".into(),
        enrollment_credit: "100".into(),
        performance_basis: "per_event".into(),
        performance_rate: "5.00".into(),
        ..thermostats.clone()
    };
    [thermostats, batteries]
        .iter()
        .map(|form| form.parse().expect("the demo programs are valid"))
        .collect()
}

/// The demo's peak day: Jordan's thermostat, enrolled and registered, and an event of Smart
/// Thermostat Rewards in three days (14:00 to 18:00 local), called by the demo program manager
/// through the events service, as a program manager would. Run once, after [`seed_if_empty`]
/// seeded (tests seed without it: their customer starts with no devices).
pub async fn seed_peak_day(store: &Store) -> anyhow::Result<()> {
    let account = accounts::store::account_id_by_number(
        &mut *store.read().await?,
        &AccountNumber::parse(DEMO_ACCOUNT_NUMBER).expect("valid"),
    )
    .await?
    .ok_or_else(|| anyhow::anyhow!("the demo account is missing"))?;
    let manager = auth::store::user_by_email(
        &mut *store.read().await?,
        &EmailAddress::parse(DEMO_SIGN_INS[2].email).expect("valid"),
    )
    .await?
    .ok_or_else(|| anyhow::anyhow!("the demo program manager is missing"))?;
    let mut tx = store.begin_write().await?;
    let program = programs::store::programs(&mut tx)
        .await?
        .into_iter()
        .find(|program| program.definition.name == "Smart Thermostat Rewards")
        .ok_or_else(|| anyhow::anyhow!("the demo thermostat program is missing"))?;
    let site = programs::store::device_sites_of(&mut tx, account)
        .await?
        .locations
        .into_iter()
        .next()
        .ok_or_else(|| anyhow::anyhow!("the demo account has no service point"))?;
    let thermostat = NewDevice {
        kind: DeviceKind::Thermostat,
        make: "ecobee".into(),
        model: "SmartThermostat Premium".into(),
        serial: "EB-DEMO-0001".into(),
        network_address: "00:1B:44:11:3A:01".into(),
        capacity: Capacity(35),
        service_point: site.number.clone(),
    };
    let device =
        DeviceId(programs::store::insert_device(&mut tx, account, site.id, &thermostat).await?);
    let enrollment =
        programs::store::insert_enrollment(&mut tx, account, program.id, site.id).await?;
    let group = entity_group(&program, thermostat.kind, thermostat.capacity, &site.rate_class);
    programs::store::add_enrollment_device(&mut tx, enrollment, device, &group).await?;
    programs::store::set_enrollment_status(&mut tx, enrollment, EnrollmentStatus::Enrolled).await?;
    let registered = RegistrationUpdate {
        registration: Registration::Registered,
        detail: None,
        sync_message: None,
        synced_at: Some(crate::store::now()),
        if_message: None,
    };
    programs::store::set_registration(&mut tx, device, &registered).await?;
    tx.commit().await?;

    let zone = store.utility_zone(&mut *store.read().await?).await?;
    let now = jiff::Timestamp::now().to_zoned(zone);
    let day = now.date().checked_add(jiff::Span::new().days(3))?;
    let date = |date: jiff::civil::Date| {
        CalendarDate::new(date.year() as u16, date.month() as u8, date.day() as u8)
            .expect("jiff gives real dates")
    };
    let request = EventRequest {
        day: date(day),
        start: LocalTime::new(14, 0).expect("a time"),
        end: LocalTime::new(18, 0).expect("a time"),
        notice_day: date(now.date()),
        notice_time: LocalTime::new(now.hour() as u8, now.minute() as u8).expect("a time"),
        target: Capacity(30),
        groups: Vec::new(),
    };
    crate::events::Events::new(store.clone())
        .call(manager.id, program.id, &request)
        .await
        .map_err(|error| anyhow::anyhow!("the demo event: {error}"))?;
    Ok(())
}
