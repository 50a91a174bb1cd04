//! Persistence: SQLite (the default) or PostgreSQL through sqlx's `Any`
//! driver, migrations applied on start.
//!
//! Reads go straight to a small pool (WAL lets them run beside the writer).
//! Every write goes through [`Store::write`], which hands the closure to the
//! single group-commit writer (see `writer`). Store functions in the
//! submodules take `&mut Conn` (an `AnyConnection`), so the app service that calls
//! `write` decides what shares a transaction: a moment and its outbox row,
//! an event id and its effects.
//!
//! SQL style: lowercase snake_case names, `$1, $2, …` placeholders (numbered: sqlx binds them by number on SQLite and PostgreSQL), times as INTEGER
//! milliseconds; no SQLite-only syntax beyond what PostgreSQL also accepts.

pub mod backup;
pub mod copy;
pub mod data_rights;
pub mod events;
pub mod export;
pub mod goals;
pub mod jobs;
pub mod lanes;
pub mod moments;
pub mod org;
pub mod outbox;
pub mod pause;
pub mod people;
pub mod priorities;
pub mod privacy;
pub mod proposals;
pub mod replays;
pub mod report;
mod shares_sqlite;
pub mod team_updates;
pub mod teams_conversations;
mod writer;

pub use writer::{NewShare, Remember, Shared, Thank};

use futures_util::future::BoxFuture;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};
use sqlx::{AnyPool, ConnectOptions, Connection};
use std::str::FromStr;
use std::sync::Arc;

/// The connection every store function takes: sqlx's `Any` driver, so one
/// body of SQL serves SQLite and PostgreSQL.
pub use sqlx::AnyConnection as Conn;

/// SQLite's migrations (the default backend).
static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations");
/// Their PostgreSQL twins: same tables and columns, PostgreSQL's types.
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// Which database a `DATABASE_URL` names. The few statements whose dialects
/// differ (transaction start, backups, listing tables) branch on this, here
/// and in [`backend_of`]; everything else is the same SQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The backend for `url`: `sqlite:` or `postgres:`/`postgresql:`.
    pub fn of_url(url: &str) -> Result<Self, StoreError> {
        let scheme = url.split(':').next().unwrap_or_default();
        match scheme {
            "sqlite" => Ok(Self::Sqlite),
            "postgres" | "postgresql" => Ok(Self::Postgres),
            _ => Err(StoreError::UnsupportedUrl),
        }
    }

    /// The migrations of this backend.
    pub fn migrations(self) -> &'static Migrator {
        match self {
            Self::Sqlite => &SQLITE_MIGRATIONS,
            Self::Postgres => &POSTGRES_MIGRATIONS,
        }
    }

    /// How a write batch starts. SQLite takes the write lock at once (no
    /// deadlock-prone lock upgrade later); PostgreSQL locks rows as it goes.
    fn begin_write(self) -> &'static str {
        match self {
            Self::Sqlite => "BEGIN IMMEDIATE",
            Self::Postgres => "BEGIN",
        }
    }

    /// The name shown to operators.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "SQLite",
            Self::Postgres => "PostgreSQL",
        }
    }
}

/// The backend a connection talks to, for the statements that differ.
pub(crate) fn backend_of(conn: &Conn) -> Backend {
    if conn.backend_name() == "PostgreSQL" {
        Backend::Postgres
    } else {
        Backend::Sqlite
    }
}

/// `($1, $2, …), (…)`: numbered placeholders for a multi-row INSERT of
/// `rows` rows of `columns` values (numbering continues across rows).
/// sqlx's `QueryBuilder` writes `?` through the `Any` driver, which
/// PostgreSQL does not accept.
pub(crate) fn values_placeholders(rows: usize, columns: usize) -> String {
    let mut out = String::with_capacity(rows * columns * 5);
    for row in 0..rows {
        if row > 0 {
            out.push_str(", ");
        }
        out.push('(');
        for column in 0..columns {
            if column > 0 {
                out.push_str(", ");
            }
            out.push('$');
            out.push_str(&(row * columns + column + 1).to_string());
        }
        out.push(')');
    }
    out
}

/// A failure of the database itself; the app maps it to a 5xx (or an
/// apology to the user), never to a message showing SQL.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(Arc<sqlx::Error>),
    #[error("database migration failed: {0}")]
    Migrate(Arc<sqlx::migrate::MigrateError>),
    #[error("the write was not applied: the database writer is unavailable")]
    NotApplied,
    #[error("stored data is not valid: {0}")]
    Corrupt(String),
    #[error("DATABASE_URL must start with sqlite:// or postgres://")]
    UnsupportedUrl,
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        StoreError::Database(Arc::new(e))
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        StoreError::Migrate(Arc::new(e))
    }
}

/// Handle to the database; cheap to clone.
#[derive(Clone)]
pub struct Store {
    reads: AnyPool,
    writer: writer::Writer,
    backend: Backend,
}

impl Store {
    /// Opens the database at `url`: SQLite (the file is created if needed)
    /// or PostgreSQL (the database must exist).
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = Backend::of_url(url)?;
        let options = AnyConnectOptions::from_str(url)?;
        let (reads, writes) = match backend {
            Backend::Sqlite => {
                create_sqlite(url).await?;
                let reads = sqlite_pool(4).connect_with(options.clone()).await?;
                (reads, sqlite_pool(1).connect_with(options).await?)
            }
            // Reads share a pool per process; writes still go through the
            // one group-commit writer (one connection), which keeps a
            // batch's commit shared on PostgreSQL too. Races between
            // replicas are closed in SQL (conditional updates, unique keys).
            Backend::Postgres => {
                // One connection first: a refused connection, a wrong
                // password or a missing database is reported at once and
                // as itself (the pool would retry for 30 s and then say
                // only that it timed out).
                options.connect().await?.close().await?;
                (
                    postgres_pool(8).connect_with(options.clone()).await?,
                    postgres_pool(1).connect_with(options).await?,
                )
            }
        };
        let writer = writer::Writer::start(writes, backend);
        if backend == Backend::Sqlite {
            tokio::spawn(checkpoint_in_background(
                reads.clone(),
                writer.wal_restart(),
            ));
        }
        Ok(Self {
            reads,
            writer,
            backend,
        })
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Applies this backend's embedded migrations; returns how many were
    /// applied now (0: the database was already up to date).
    pub async fn migrate(&self) -> Result<usize, StoreError> {
        let migrator = self.backend.migrations();
        let before = self.applied_versions().await.unwrap_or_default();
        migrator.run(&self.reads).await?;
        Ok(migrator
            .iter()
            .filter(|m| !before.iter().any(|(v, ok)| *v == m.version && *ok))
            .count())
    }

    /// (version, succeeded) of every migration recorded in the database.
    async fn applied_versions(&self) -> Result<Vec<(i64, bool)>, sqlx::Error> {
        // `success` is a BOOLEAN in PostgreSQL and an INTEGER in SQLite;
        // the CASE reads both as 0/1.
        let rows: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT version, CASE WHEN success THEN 1 ELSE 0 END FROM _sqlx_migrations",
        )
        .fetch_all(&self.reads)
        .await?;
        Ok(rows.into_iter().map(|(v, ok)| (v, ok == 1)).collect())
    }

    /// Why this instance cannot serve yet, if it cannot: the database does
    /// not answer, or a migration of this build is missing or failed.
    pub async fn readiness(&self) -> Result<(), String> {
        let applied = self
            .applied_versions()
            .await
            .map_err(|e| format!("the {} database does not answer: {e}", self.backend.name()))?;
        for migration in self.backend.migrations().iter() {
            match applied.iter().find(|(v, _)| *v == migration.version) {
                Some((_, true)) => {}
                Some((_, false)) => {
                    return Err(format!("migration {} failed", migration.version));
                }
                None => return Err(format!("migration {} is not applied", migration.version)),
            }
        }
        Ok(())
    }

    /// The pool for reads.
    pub fn reads(&self) -> &AnyPool {
        &self.reads
    }

    /// One connection from the read pool, for a use case that reads several
    /// things in a row (the one place a pool that cannot give one becomes a
    /// [`StoreError`]).
    pub async fn read_conn(&self) -> Result<sqlx::pool::PoolConnection<sqlx::Any>, StoreError> {
        Ok(self.reads.acquire().await?)
    }

    /// Runs `f` in a transaction shared with other concurrent writes and
    /// returns once that transaction has committed (or `f` failed, in which
    /// case none of its changes remain).
    pub async fn write<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut Conn) -> BoxFuture<'c, Result<T, StoreError>> + Send + 'static,
    {
        self.writer.write(f).await
    }

    /// Stores a moment shared straight to its channel with its outbox row;
    /// concurrent shares are written together with multi-row INSERTs.
    pub async fn share(&self, share: NewShare) -> Result<Shared, StoreError> {
        self.writer.share(share).await
    }

    /// Closes the pools; pending writes still finish.
    pub async fn close(&self) {
        self.reads.close().await;
    }
}

/// Creates the SQLite file (and its folder) if needed and switches it to
/// WAL, which the file remembers: reads then run beside the writer.
async fn create_sqlite(url: &str) -> Result<(), StoreError> {
    let options = SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal);
    if let Some(dir) = options.get_filename().parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir).map_err(|e| StoreError::Database(Arc::new(e.into())))?;
    }
    options.connect().await?.close().await?;
    Ok(())
}

/// SQLite's per-connection settings, applied to every pooled connection
/// (the `Any` driver opens SQLite connections from the URL alone).
fn sqlite_pool(connections: u32) -> AnyPoolOptions {
    AnyPoolOptions::new()
        .max_connections(connections)
        // A file on this machine does not go away while idle; the ping
        // before each use would be one more hand-off to the connection's
        // thread on every read.
        .test_before_acquire(false)
        .after_connect(|conn, _| {
            Box::pin(async move {
                // NORMAL in WAL mode: a commit survives a crash of the
                // process (what "committed before the reply" needs); only a
                // power loss can drop the last transactions. FULL would sync
                // on every batch.
                // No automatic checkpoint: SQLite would run it inside the
                // commit that crosses 1,000 WAL pages, so one request in a
                // few hundred waited for it (the p99 at one connection).
                // [`checkpoint_in_background`] does it off the request path.
                sqlx::raw_sql(
                    "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; \
                     PRAGMA wal_autocheckpoint = 0",
                )
                .execute(conn)
                .await?;
                Ok(())
            })
        })
}

/// Copies the WAL back into the database file a few times a second, on a
/// read connection, so that no commit pays for it. PASSIVE never waits for
/// (or blocks) the writer or readers; it copies what it can and the next
/// round takes the rest. When the log has grown past
/// [`writer::WAL_RESTART_FRAMES`], asks the writer to let it start over
/// (see `writer`). Ends when the pool is closed.
async fn checkpoint_in_background(reads: AnyPool, restart: writer::WalRestart) {
    let mut every = tokio::time::interval(std::time::Duration::from_millis(250));
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        if reads.is_closed() {
            return;
        }
        match sqlx::query_as::<_, (i64, i64, i64)>("PRAGMA wal_checkpoint(PASSIVE)")
            .fetch_one(&reads)
            .await
        {
            Ok((_, log, _)) if log >= writer::WAL_RESTART_FRAMES => restart.request(),
            Ok(_) => {}
            Err(e) => {
                if reads.is_closed() {
                    return;
                }
                tracing::debug!(error = %e, "WAL checkpoint failed; the next round retries");
            }
        }
    }
}

/// PostgreSQL's per-connection settings. Notices stay on the server:
/// sqlx logs each at INFO, and the only ones alignbot causes are the
/// `… already exists, skipping` of `CREATE … IF NOT EXISTS` (sqlx's own
/// `_sqlx_migrations` on every start). Warnings and errors still come
/// through (errors are errors of the query, whatever this says).
fn postgres_pool(connections: u32) -> AnyPoolOptions {
    AnyPoolOptions::new()
        .max_connections(connections)
        .after_connect(|conn, _| {
            Box::pin(async move {
                sqlx::raw_sql("SET client_min_messages = warning")
                    .execute(conn)
                    .await?;
                Ok(())
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_number_on_across_rows() {
        assert_eq!(values_placeholders(2, 3), "($1, $2, $3), ($4, $5, $6)");
        assert_eq!(values_placeholders(1, 1), "($1)");
    }

    #[test]
    fn the_url_scheme_picks_the_backend() {
        assert_eq!(
            Backend::of_url("sqlite://data/a.db").unwrap(),
            Backend::Sqlite
        );
        assert_eq!(
            Backend::of_url("postgres://u@h/db").unwrap(),
            Backend::Postgres
        );
        assert_eq!(
            Backend::of_url("postgresql://u@h/db").unwrap(),
            Backend::Postgres
        );
        assert!(Backend::of_url("mysql://h/db").is_err());
    }
}
