//! `peakday generate`: fills a database with synthetic but realistic accounts, for benchmarks and
//! agent search. Deterministic for a given seed, batched, with a progress bar.

use crate::accounts;
use crate::accounts::{NewAccount, NewServicePoint};
use crate::store::{Store, StoreError};
use indicatif::{ProgressBar, ProgressStyle};
use peakday_app::accounts::{AccountNumber, BillCycleDay, Fuel};
use peakday_app::recipients::ContactForm;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

#[rustfmt::skip]
const FIRST_NAMES: &[&str] = &[
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David",
    "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah",
    "Carlos", "María", "José", "Sofía", "Wei", "Mei", "Aarav", "Priya", "Mohammed", "Fatima",
    "Kwame", "Amara", "Liam", "Olivia", "Noah", "Emma", "Hiroshi", "Yuki", "Dmitri", "Anya", "Zoë",
    "Renée",
];
#[rustfmt::skip]
const LAST_NAMES: &[&str] = &[
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernández", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Pérez", "Thompson", "White", "Harris", "Sánchez",
    "Clark", "Ramírez", "Lewis", "Robinson", "Nguyen", "Kim", "Patel", "O'Brien", "Okafor",
    "Kowalski", "Müller", "Rossi", "Cohen", "Yamamoto",
];
#[rustfmt::skip]
const STREETS: &[&str] = &[
    "Maple Street", "Oak Avenue", "Pine Road", "Cedar Lane", "Elm Street", "Washington Avenue",
    "Lake Drive", "Hillcrest Road", "Sunset Boulevard", "River Road", "Park Place", "Main Street",
    "Church Street", "Highland Avenue", "Meadow Lane", "Forest Drive", "Spring Street",
    "Ridge Road", "Valley View Drive", "Orchard Lane",
];
#[rustfmt::skip]
const TOWNS: &[(&str, &str)] = &[
    ("Springfield", "12345"), ("Riverton", "12350"), ("Fairview", "12361"),
    ("Greenville", "12372"), ("Franklin", "12383"), ("Clinton", "12394"), ("Madison", "12405"),
    ("Georgetown", "12416"), ("Salem", "12427"), ("Bristol", "12438"),
];
const ELECTRIC_RATES: &[&str] = &["R-1", "R-TOU", "R-PTR", "R-EV"];
const GAS_RATES: &[&str] = &["G-1", "G-2"];
/// Upstate New York area codes, to match the generated addresses.
const AREA_CODES: &[u16] = &[315, 518, 585, 607, 716, 845];

/// Accounts per transaction: large enough to amortise commits, small enough to keep the
/// SQLite write lock for well under a second.
const ACCOUNTS_PER_TRANSACTION: usize = 5_000;

/// Account numbers of generated accounts start here, clear of the demo accounts.
const FIRST_ACCOUNT_NUMBER: u64 = 5_000_000_000;

/// One synthetic account, numbered `serial`.
pub fn synthetic_account(rng: &mut StdRng, serial: u64) -> NewAccount {
    let first = FIRST_NAMES[rng.gen_range(0..FIRST_NAMES.len())];
    let last = LAST_NAMES[rng.gen_range(0..LAST_NAMES.len())];
    let (town, zip) = TOWNS[rng.gen_range(0..TOWNS.len())];
    let street = STREETS[rng.gen_range(0..STREETS.len())];
    let house = rng.gen_range(1..9_999);
    let day = BillCycleDay::new(rng.gen_range(1..=28)).expect("1..=28 is a bill cycle day");
    let ami = rng.gen_bool(0.85);
    let mut points = vec![NewServicePoint {
        number: format!("SP-{}", serial * 2),
        fuel: Fuel::Electric,
        rate_class: ELECTRIC_RATES[rng.gen_range(0..ELECTRIC_RATES.len())].into(),
        ami,
        bill_cycle_day: day,
    }];
    // About a third of customers also take gas, billed on the same cycle.
    if rng.gen_bool(0.35) {
        points.push(NewServicePoint {
            number: format!("SP-{}", serial * 2 + 1),
            fuel: Fuel::Gas,
            rate_class: GAS_RATES[rng.gen_range(0..GAS_RATES.len())].into(),
            ami,
            bill_cycle_day: day,
        });
    }
    // Most people give an email address; many a mobile number too; a few only a landline.
    let email = rng.gen_bool(0.9).then(|| {
        let local: String = format!("{first}.{last}{}", serial % 1000)
            .chars()
            .filter(|c| c.is_alphanumeric() || *c == '.')
            .collect();
        format!("{}@example.net", local.to_lowercase())
    });
    let sms = rng.gen_bool(0.6).then(|| synthetic_phone(rng));
    let voice = (email.is_none() || rng.gen_bool(0.2)).then(|| synthetic_phone(rng));
    let primary = ContactForm {
        name: format!("{first} {last}"),
        email: email.unwrap_or_default(),
        sms: sms.unwrap_or_default(),
        voice: voice.unwrap_or_default(),
    }
    .parse()
    .expect("generated contact details are valid");
    NewAccount {
        account_number: AccountNumber::parse(&serial.to_string())
            .expect("generated account numbers have 10 digits"),
        customer_name: format!("{first} {last}"),
        primary,
        service_address: format!("{house} {street}, {town}, NY {zip}"),
        service_points: points,
    }
}

/// A North American number in the area codes of the generated addresses.
fn synthetic_phone(rng: &mut StdRng) -> String {
    let area = AREA_CODES[rng.gen_range(0..AREA_CODES.len())];
    format!("({area}) {}-{:04}", rng.gen_range(200..1000), rng.gen_range(0..10_000))
}

/// Adds `count` synthetic accounts after any generated before, showing progress on stderr.
pub async fn generate_accounts(store: &Store, count: u64, seed: u64) -> Result<(), StoreError> {
    let already: i64 = accounts::store::count_accounts(&mut *store.read().await?).await?;
    let mut rng = StdRng::seed_from_u64(seed ^ already as u64);
    let progress = ProgressBar::new(count);
    progress.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {human_pos}/{human_len} accounts ({per_sec}, eta {eta})",
        )
        .expect("the template is valid"),
    );
    let mut next_serial = FIRST_ACCOUNT_NUMBER + already as u64;
    let mut remaining = count;
    while remaining > 0 {
        let batch = remaining.min(ACCOUNTS_PER_TRANSACTION as u64);
        let accounts: Vec<NewAccount> =
            (0..batch).map(|i| synthetic_account(&mut rng, next_serial + i)).collect();
        let mut tx = store.begin_write().await?;
        accounts::store::insert_accounts(&mut tx, &accounts).await?;
        tx.commit().await?;
        next_serial += batch;
        remaining -= batch;
        progress.inc(batch);
    }
    progress.finish();
    store.refresh_statistics().await
}
