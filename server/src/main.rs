//! `peakday`: runs the portal (`serve`, the default), applies migrations (`migrate`), sets up a
//! real utility (`init-utility`, `add-staff`), fills a database with synthetic accounts
//! (`generate`), adds one customer (`add-customer`), and manages the demo's sign-ins
//! (`demo-code`, `disable-demo-sign-ins`). Only `serve` on an empty database seeds demo data.

use anyhow::Context;
use clap::{Parser, Subcommand};
use peakday_server::accounts;
use peakday_server::config::{default_addr, default_site_root, HttpConfig};
use peakday_server::demo::{seed_if_empty, DEMO_SIGN_INS};
use peakday_server::programs::head_end::delivery::HeadEndSender;
use peakday_server::programs::head_end::HeadEndConfig;
use peakday_server::setup;
use peakday_server::store::{now, Store};
use peakday_server::{app_state, generate, http, onboarding};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Parser)]
#[command(name = "peakday", version, about = "Peakday: the Account Center for utility customers")]
struct Cli {
    /// SQLite file (`sqlite://path`) or PostgreSQL (`postgres://…`).
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://data/peakday.db", global = true)]
    database_url: String,
    /// `serve`'s options, for `peakday` without a command: it serves with the same flags and
    /// `PEAKDAY_*` settings as `peakday serve` (`cargo leptos serve` starts it that way). Other
    /// commands ignore them, so one environment can run `migrate` and serve.
    #[command(flatten)]
    serve: ServeArgs,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the portal (the default).
    Serve(ServeArgs),
    /// Apply database migrations and exit.
    Migrate,
    /// Add synthetic accounts, for benchmarks and search.
    Generate {
        /// How many accounts to add.
        #[arg(long)]
        accounts: u64,
        /// Seed for the random generator: the same seed gives the same accounts.
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
    /// Set the utility's settings (a real utility's first step; run again to change them).
    InitUtility(setup::UtilityArgs),
    /// Add a staff member; prints a one-time password, which they replace at first sign-in
    /// before setting up two-step verification.
    AddStaff(setup::StaffArgs),
    /// Print the current two-step code of a demo staff sign-in (the demo's secret is public).
    DemoCode {
        /// A demo staff email, such as agent@peakday.example.
        email: String,
    },
    /// Disable the demo's sign-ins (their passwords are published) in this database.
    DisableDemoSignIns,
    /// Add a customer account with one electric service point and a sign-in.
    AddCustomer {
        #[arg(long)]
        account_number: String,
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "1 Main Street, Springfield, NY 12345")]
        address: String,
        /// The sign-in email, also the primary recipient's email.
        #[arg(long)]
        email: String,
        /// The sign-in password (or set PEAKDAY_CUSTOMER_PASSWORD, kept out of the process list).
        #[arg(long, env = "PEAKDAY_CUSTOMER_PASSWORD")]
        password: String,
        #[arg(long, default_value = "R-PTR")]
        rate_class: String,
        /// The holder's mobile number for texts (any layout).
        #[arg(long)]
        mobile: Option<String>,
    },
}

#[derive(clap::Args)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "PEAKDAY_ADDR")]
    addr: Option<SocketAddr>,
    /// The origin browsers use, e.g. https://portal.example.com (CSRF checks compare to it).
    #[arg(long, env = "PEAKDAY_PUBLIC_ORIGIN")]
    public_origin: Option<String>,
    /// Mark cookies Secure; implied by an https public origin.
    #[arg(long, env = "PEAKDAY_SECURE_COOKIES")]
    secure_cookies: bool,
    /// Trust X-Forwarded-For from a load balancer for the client address.
    #[arg(long, env = "PEAKDAY_TRUST_FORWARDED_FOR")]
    trust_forwarded_for: bool,
    /// Do not seed the demo utility and sign-ins into an empty database.
    #[arg(long, env = "PEAKDAY_NO_DEMO")]
    no_demo: bool,
    /// The head-end / DERMS endpoint customer asset sync messages are POSTed to.
    #[arg(long, env = "PEAKDAY_HEAD_END_URL")]
    head_end_url: Option<String>,
    /// The secret both sides sign messages with (HMAC-SHA256).
    #[arg(long, env = "PEAKDAY_HEAD_END_SECRET", hide_env_values = true)]
    head_end_secret: Option<String>,
    /// The built site (defaults to the one built beside this binary).
    #[arg(long, env = "LEPTOS_SITE_ROOT")]
    site_root: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,tower_http=info".into()),
        )
        .init();
    let cli = Cli::parse();
    let store = Store::connect(&cli.database_url)
        .await
        .with_context(|| format!("opening the database at {}", cli.database_url))?;
    store.migrate().await.context("applying migrations")?;

    match cli.command.unwrap_or(Command::Serve(cli.serve)) {
        Command::Migrate => println!("Migrations applied to {}.", store.backend().name()),
        Command::Generate { accounts, seed } => {
            let started = std::time::Instant::now();
            generate::generate_accounts(&store, accounts, seed).await?;
            println!(
                "Added {accounts} accounts in {:.1} s; the database now holds {}.",
                started.elapsed().as_secs_f64(),
                accounts::store::count_accounts(&mut *store.read().await?).await?
            );
        }
        Command::AddCustomer {
            account_number,
            name,
            address,
            email,
            password,
            rate_class,
            mobile,
        } => {
            let customer = onboarding::NewCustomer {
                account_number,
                name,
                service_address: address,
                email,
                password,
                rate_class,
                mobile,
            };
            onboarding::add_customer(&store, &customer).await?;
            println!("Added account {} for {}.", customer.account_number, customer.email);
        }
        Command::InitUtility(args) => println!("{}", setup::init_utility(&store, &args).await?),
        Command::AddStaff(args) => println!("{}", setup::add_staff(&store, &args).await?),
        Command::DemoCode { email } => println!("{}", setup::demo_code(&store, &email).await?),
        Command::DisableDemoSignIns => {
            let disabled = setup::disable_demo_sign_ins(&store).await?;
            println!("Disabled {disabled} demo sign-ins.");
        }
        Command::Serve(args) => serve(store, &cli.database_url, args).await?,
    }
    Ok(())
}

async fn serve(store: Store, database_url: &str, args: ServeArgs) -> anyhow::Result<()> {
    let addr = args.addr.unwrap_or_else(default_addr);
    // Without a public origin the portal trusts only loopback Host names (DNS rebinding), so
    // anywhere else it must be told the origin browsers use.
    if args.public_origin.is_none() && !addr.ip().is_loopback() {
        anyhow::bail!(
            "listening on {addr}, beyond this machine: set PEAKDAY_PUBLIC_ORIGIN (for example \
             https://portal.example.com) so requests for any other host are refused"
        );
    }
    let seeded = !args.no_demo && seed_if_empty(&store).await?;
    if seeded {
        peakday_server::demo::seed_peak_day(&store).await?;
        println!("Seeded the demo utility \"Demo Power & Light\", with a peak day in three days.");
    }
    let https = args.public_origin.as_deref().is_some_and(|origin| origin.starts_with("https://"));
    let demo_sign_ins = setup::enabled_demo_sign_ins(&store).await?;
    if https && !demo_sign_ins.is_empty() {
        anyhow::bail!(
            "this database has the demo's sign-ins ({}), whose passwords are published: run \
             `peakday disable-demo-sign-ins` before serving it at {}",
            demo_sign_ins.join(", "),
            args.public_origin.as_deref().unwrap_or_default()
        );
    }
    if !setup::has_utility(&store).await? {
        println!("No utility is set up yet: run `peakday init-utility --help`, then `peakday add-staff --role admin ...`.");
    }
    let config = HttpConfig {
        public_origin: args.public_origin.clone(),
        secure_cookies: args.secure_cookies || https,
        trust_forwarded_for: args.trust_forwarded_for,
        site_root: args.site_root.unwrap_or_else(default_site_root),
        head_end: HeadEndConfig {
            url: args.head_end_url.clone(),
            secret: args.head_end_secret.clone(),
        },
    };
    let hash_file = peakday_server::find_hash_file(&config.site_root);
    let state = app_state(store.clone(), config, hash_file.as_deref());
    spawn_session_purge(state.auth.clone());
    match HeadEndSender::new(store.clone(), &state.config.head_end)? {
        Some(sender) => {
            sender.spawn();
        }
        None => tracing::warn!(
            "PEAKDAY_HEAD_END_URL is not set: device registrations wait in the outbox until it is"
        ),
    }

    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("listening on {addr}"))?;
    print_welcome(
        &args.public_origin.unwrap_or_else(|| format!("http://{addr}")),
        database_url,
        !demo_sign_ins.is_empty(),
    );

    let app = http::router(state);
    http::serve(listener, app, Default::default(), shutdown_signal()).await?;
    store.close().await;
    println!("Peakday stopped.");
    Ok(())
}

fn print_welcome(url: &str, database_url: &str, demo: bool) {
    println!("\nPeakday is running. Open {url}");
    println!("Database: {database_url}");
    if demo {
        println!("Demo sign-ins (email / password):");
        for sign_in in DEMO_SIGN_INS {
            println!("  {:<16} {} / {}", sign_in.role, sign_in.email, sign_in.password);
        }
        println!(
            "Staff also enter a code from an authenticator app (key {}), or print one with\n  \
             peakday demo-code agent@peakday.example",
            peakday_server::demo::DEMO_TOTP_SECRET
        );
    }
    println!("Stop with Ctrl+C.\n");
}

/// Sessions and throttle records past their time are deleted every ten minutes. Deletes are
/// idempotent, so several instances may all do it.
fn spawn_session_purge(auth: peakday_server::auth::AuthService) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(600));
        loop {
            every.tick().await;
            if let Err(error) = auth.purge_expired(now()).await {
                tracing::warn!(%error, "could not purge expired sessions");
            }
        }
    });
}

/// Ctrl+C or SIGTERM: stop accepting, finish the requests in flight, then exit.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
