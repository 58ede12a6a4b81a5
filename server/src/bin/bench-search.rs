//! `bench-search`: how fast customer service's search answers at the size of a real utility.
//!
//! Fills the database with generated accounts up to `--accounts` (the generator's realistic
//! names, addresses, emails and phones; skipped when they are already there), then runs each kind
//! of query the search box takes, built from randomly chosen accounts, and prints latency
//! percentiles per kind. Each query is one page of results as the search page asks for it
//! (`Store::search_accounts`). Numbers, not pass/fail.

use clap::Parser;
use peakday_app::contact::PhoneNumber;
use peakday_app::search::SearchQuery;
use peakday_server::accounts;
use peakday_server::generate::generate_accounts;
use peakday_server::store::Store;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sqlx::Row;
use std::time::{Duration, Instant};

#[derive(Parser)]
struct Args {
    #[arg(long, env = "DATABASE_URL")]
    database_url: String,
    /// Accounts the database should hold; generated if fewer.
    #[arg(long, default_value_t = 1_000_000)]
    accounts: i64,
    /// Queries of each kind.
    #[arg(long, default_value_t = 200)]
    queries: usize,
}

/// One sampled account's searchable facts.
struct Sample {
    number: String,
    name: String,
    address: String,
    email: Option<String>,
    phone: Option<String>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let store = peakday_server::bench::open_seeded(&args.database_url).await?;
    let have = accounts::store::count_accounts(&mut *store.read().await?).await?;
    if have < args.accounts {
        let started = Instant::now();
        generate_accounts(&store, (args.accounts - have) as u64, 1).await?;
        println!(
            "generated {} accounts in {:.1} s",
            args.accounts - have,
            started.elapsed().as_secs_f64()
        );
    }
    let total = accounts::store::count_accounts(&mut *store.read().await?).await?;
    let mut rng = StdRng::seed_from_u64(42);
    let mut samples = Vec::with_capacity(args.queries);
    while samples.len() < args.queries {
        if let Some(sample) = sample(&store, rng.gen_range(1..=total)).await? {
            samples.push(sample);
        }
    }

    println!(
        "{} accounts on {}; {} queries of each kind",
        total,
        store.backend().name(),
        args.queries
    );
    println!(
        "{:<40} {:>9} {:>9} {:>9} {:>9} {:>8}",
        "query", "p50 ms", "p95 ms", "p99 ms", "max ms", "results"
    );
    type Make = fn(&Sample) -> Option<String>;
    let kinds: [(&str, Make); 9] = [
        ("account number, exact", |s| Some(s.number.clone())),
        ("account number, first 6 digits", |s| Some(s.number[..6].to_owned())),
        ("last name, first 3 letters", |s| {
            s.name.split(' ').nth(1).map(|l| l[..3.min(l.len())].to_owned())
        }),
        ("first and last name", |s| Some(s.name.clone())),
        ("last name then first initial", |s| {
            let mut words = s.name.split(' ');
            let first = words.next()?;
            Some(format!("{} {}", words.next()?, &first[..1]))
        }),
        ("email address", |s| s.email.clone()),
        ("phone, typed 518.555.0142", |s| {
            let digits = &s.phone.as_ref()?[2..];
            Some(format!("{}.{}.{}", &digits[..3], &digits[3..6], &digits[6..]))
        }),
        ("house number and street", |s| s.address.split(',').next().map(str::to_owned)),
        ("town (very broad)", |s| s.address.split(", ").nth(1).map(str::to_owned)),
    ];
    for (label, make) in kinds {
        let mut times = Vec::new();
        let mut results = 0;
        for sample in &samples {
            let Some(text) = make(sample) else { continue };
            let query = SearchQuery::parse(&text)?;
            let started = Instant::now();
            let page =
                accounts::search::search_accounts(&mut *store.read().await?, &query, None).await?;
            times.push(started.elapsed());
            results += page.matches.len();
        }
        report(label, &mut times, results);
    }
    Ok(())
}

fn report(label: &str, times: &mut [Duration], results: usize) {
    if times.is_empty() {
        return;
    }
    times.sort();
    let at = |q: f64| {
        times[((times.len() as f64 * q) as usize).min(times.len() - 1)].as_secs_f64() * 1e3
    };
    println!(
        "{label:<40} {:>9.2} {:>9.2} {:>9.2} {:>9.2} {:>8.1}",
        at(0.50),
        at(0.95),
        at(0.99),
        at(1.0),
        results as f64 / times.len() as f64
    );
}

async fn sample(store: &Store, id: i64) -> anyhow::Result<Option<Sample>> {
    let mut conn = store.read().await?;
    let row = sqlx::query(
        "SELECT a.account_number, a.customer_name, a.service_address, r.email, r.sms_phone, \
         r.voice_phone FROM accounts a JOIN recipients r ON r.account_id = a.id AND r.is_primary = 1 \
         WHERE a.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let sms: Option<String> = row.try_get("sms_phone")?;
    let voice: Option<String> = row.try_get("voice_phone")?;
    let phone = sms.or(voice).filter(|p| PhoneNumber::parse(p).is_ok());
    Ok(Some(Sample {
        number: row.try_get("account_number")?,
        name: row.try_get("customer_name")?,
        address: row.try_get("service_address")?,
        email: row.try_get("email")?,
        phone,
    }))
}
