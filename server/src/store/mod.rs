//! Storage: one store over SQLite (the default, one file) or PostgreSQL (`DATABASE_URL=postgres://`).
//! This folder is the platform: connecting, migrations, transactions, the audit log, the outbox
//! and the utility's settings. Each feature's SQL lives with the feature (`accounts/store.rs`,
//! `preferences/store.rs`, `programs/store/`, `staff/store.rs`, `auth/store/`, `events/store.rs`).
//!
//! One calling convention: SQL is a free function over a connection,
//! `fn f(conn: &mut AnyConnection, ...)`. Reads take one from [`Store::read`]; writes take the
//! transaction from [`Store::begin_write`] (it derefs to a connection) and the caller commits, so
//! a service decides what one change holds. [`Store`] itself only hands out connections and
//! keeps the utility's settings.
//!
//! Queries are written once with `$n` placeholders, which both databases accept, and run through
//! sqlx's `Any` driver. Where the dialects differ the store asks [`Backend`]. Times are unix
//! seconds (UTC); booleans are 0/1 integers, so decoding is the same on both.

pub mod audit;
mod audit_record;
pub mod outbox;
pub mod utility;

pub use audit::{AuditEntry, StoredAuditEntry};
pub use audit_record::audit_entry;
pub use outbox::{DeadMessage, OutboxMessage};
pub use utility::local_time;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Connection, Executor, Transaction};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

/// A transaction over whichever database the store uses.
pub type Tx = Transaction<'static, sqlx::Any>;

/// Which database the store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The database `conn` talks to.
    pub fn of(conn: &sqlx::AnyConnection) -> Self {
        if conn.backend_name().eq_ignore_ascii_case("postgresql") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("could not apply database migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("unsupported DATABASE_URL {0:?}: use sqlite://path/to/file.db or postgres://...")]
    UnsupportedUrl(String),
    #[error("could not create the database folder {path}: {source}")]
    Folder { path: String, source: std::io::Error },
    /// A stored row that no longer parses into the domain type: a bug or a hand edit.
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
}

impl StoreError {
    /// Whether this is a unique index refusing a row (two requests racing to add the same
    /// serial, email or name on PostgreSQL pass the check before either inserts; the index
    /// then refuses one of them, which the service answers as its check would have).
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, StoreError::Database(sqlx::Error::Database(error)) if error.is_unique_violation())
    }
}

/// A store failure, as the person using the page hears it: "try again in a moment". What
/// failed goes to the log, never to the page.
impl From<StoreError> for peakday_app::error::AppError {
    fn from(error: StoreError) -> Self {
        tracing::error!(%error, "store failed");
        peakday_app::error::AppError::Unavailable
    }
}

/// The database, shared by every request and job.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// The utility's settings, kept a few seconds (`utility.rs`).
    kept_settings: std::sync::Arc<utility::KeptSettings>,
    /// SQLite's one writer, a connection of its own (PostgreSQL writes on `pool`). Writers of
    /// this process queue for it first come first served, rather than each taking a pooled
    /// connection and waiting inside SQLite's busy handler, which sleeps in growing steps (up
    /// to 100 ms) whatever the lock's holder is doing, and meanwhile keeps a connection that
    /// reads (every page's session) need. The busy timeout still covers another process
    /// writing to the same file.
    writer: Option<AnyPool>,
}

/// A PostgreSQL connection idle this long is pinged before it is lent (see [`Store::connect`]).
const PING_WHEN_IDLE_FOR: Duration = Duration::from_secs(1);

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl Store {
    /// Opens the database at `url`, creating a SQLite file (and its folder) when missing.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let (backend, url) = if let Some(path) = url.strip_prefix("sqlite://") {
            (Backend::Sqlite, sqlite_url(path)?)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            (Backend::Postgres, url.to_owned())
        } else {
            return Err(StoreError::UnsupportedUrl(url.to_owned()));
        };
        let options = AnyConnectOptions::from_str(&url)?;
        let store = match backend {
            Backend::Sqlite => Self {
                pool: sqlite_pool(8).connect_with(options.clone()).await?,
                writer: Some(sqlite_pool(1).connect_with(options).await?),
                backend,
                kept_settings: Default::default(),
            },
            Backend::Postgres => Self {
                pool: AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
                    // sqlx asks the server whether a connection is alive before lending it and
                    // again when it comes back: two round trips more per page and per save, on
                    // connections that just answered. The ping on return stays (sqlx's own);
                    // the one before lending is kept for connections idle long enough for the
                    // server to have gone away (a restart, a failover) without anyone noticing.
                    .test_before_acquire(false)
                    .before_acquire(|conn, meta| {
                        Box::pin(async move {
                            if meta.idle_for >= PING_WHEN_IDLE_FOR {
                                conn.ping().await?;
                            }
                            Ok(true)
                        })
                    })
                    .connect_with(options)
                    .await?,
                writer: None,
                backend,
                kept_settings: Default::default(),
            },
        };
        Ok(store)
    }

    /// Applies the migrations of this store's database, then indexes for search any account
    /// made before the search index existed (migration 0003's data step, which needs the
    /// shared term rules and so runs here rather than in SQL). Safe to run from several
    /// instances.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&self.pool).await?,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&self.pool).await?,
        }
        let indexed = crate::accounts::index_unindexed_accounts(self).await?;
        if indexed > 0 {
            tracing::info!(indexed, "indexed existing accounts for search");
        }
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Starts a transaction that will write. On SQLite it waits its turn for the writer
    /// connection, then takes the write lock at once (`BEGIN IMMEDIATE`), so two
    /// read-modify-writes cannot interleave and then fail on upgrade. PostgreSQL writers run
    /// side by side; what they check, they lock.
    pub async fn begin_write(&self) -> Result<Tx, StoreError> {
        Ok(match &self.writer {
            Some(writer) => writer.begin_with("BEGIN IMMEDIATE").await?,
            None => self.pool.begin().await?,
        })
    }

    /// After a bulk load: PostgreSQL's planner statistics and visibility map brought up to date
    /// at once instead of whenever autovacuum gets there. Without it, index-only scans of the
    /// search index visit the table for every row they read (EXPLAIN ANALYZE at 1,000,000
    /// accounts: 2,266 heap fetches for one two-word query). SQLite needs nothing.
    pub async fn refresh_statistics(&self) -> Result<(), StoreError> {
        if self.backend == Backend::Postgres {
            sqlx::raw_sql("VACUUM ANALYZE").execute(&self.pool).await?;
        }
        Ok(())
    }

    /// A trivial query, for health checks.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// A connection for a series of reads that belong together.
    pub async fn read(&self) -> Result<sqlx::pool::PoolConnection<sqlx::Any>, StoreError> {
        Ok(self.pool.acquire().await?)
    }

    /// A connection for one write that needs no transaction of its own (a session's last-seen
    /// time, say). On SQLite it is the writer connection, taken in turn like a transaction;
    /// never ask for it while holding a write transaction.
    pub async fn write(&self) -> Result<sqlx::pool::PoolConnection<sqlx::Any>, StoreError> {
        Ok(self.writer.as_ref().unwrap_or(&self.pool).acquire().await?)
    }

    /// Closes every connection, waiting for those in use.
    pub async fn close(&self) {
        if let Some(writer) = &self.writer {
            writer.close().await;
        }
        self.pool.close().await;
    }
}

/// SQLite connections: `count` of them, opened up front and kept. WAL lets readers run beside
/// the one writer; `synchronous = FULL`: a save acknowledged is on disk, power loss included
/// (NORMAL can lose the last commits in WAL mode); the cost is in the README's figures.
fn sqlite_pool(count: u32) -> AnyPoolOptions {
    AnyPoolOptions::new()
        .max_connections(count)
        .min_connections(count)
        // A file on this machine cannot drop a connection: no round trip to the connection's
        // thread to ask, before every query (measured with perf: the ping was a third of those
        // round trips on a signed-in page).
        .test_before_acquire(false)
        // Never a connection (and its PRAGMAs) to open while a request waits.
        .idle_timeout(None)
        .max_lifetime(None)
        .after_connect(|conn, _| {
            Box::pin(async move {
                conn.execute(
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
                )
                .await?;
                Ok(())
            })
        })
}

/// `sqlite://data/peakday.db` names a file relative to the working directory; make sure its
/// folder exists and ask SQLite to create the file.
fn sqlite_url(path: &str) -> Result<String, StoreError> {
    let file = path.split('?').next().unwrap_or(path);
    if let Some(folder) = Path::new(file).parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(folder)
            .map_err(|source| StoreError::Folder { path: folder.display().to_string(), source })?;
    }
    Ok(if path.contains("mode=") {
        format!("sqlite://{path}")
    } else if path.contains('?') {
        format!("sqlite://{path}&mode=rwc")
    } else {
        format!("sqlite://{path}?mode=rwc")
    })
}

/// The current time as the store records it: unix seconds, UTC.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs() as i64)
        .unwrap_or_default()
}

/// Stored 0/1 integers as booleans.
pub(crate) fn flag(value: i64) -> bool {
    value != 0
}

impl Store {
    /// Runs one statement outside any transaction: `CREATE DATABASE` and the like, for tools
    /// and tests. Never give it user input.
    pub async fn execute_admin(&self, statement: &str) -> Result<(), StoreError> {
        sqlx::raw_sql(statement).execute(&self.pool).await?;
        Ok(())
    }
}

/// Rows per multi-row INSERT: 500 accounts x 5 values stays far below both databases' limits on
/// bound parameters (SQLite 32,766; PostgreSQL 65,535).
pub(crate) const ROWS_PER_STATEMENT: usize = 500;

/// `($1, $2), ($3, $4)` for `rows` rows of `columns` values.
pub(crate) fn placeholders(rows: usize, columns: usize) -> String {
    (0..rows)
        .map(|row| {
            let values: Vec<String> =
                (1..=columns).map(|column| format!("${}", row * columns + column)).collect();
            format!("({})", values.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn placeholders_number_every_value_once() {
        assert_eq!(super::placeholders(2, 3), "($1, $2, $3), ($4, $5, $6)");
    }
}
