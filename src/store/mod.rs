//! Persistence: SQLite through sqlx, migrations applied on start.
//!
//! Reads go straight to a small pool (WAL lets them run beside the writer).
//! Every write goes through [`Store::write`], which hands the closure to the
//! single group-commit writer (see `writer`). Store functions in the
//! submodules take `&mut SqliteConnection`, so the app service that calls
//! `write` decides what shares a transaction: a moment and its outbox row,
//! an event id and its effects.
//!
//! SQL style: lowercase snake_case names, `?` placeholders, times as INTEGER
//! milliseconds; no SQLite-only syntax beyond what PostgreSQL also accepts.

pub mod backup;
pub mod data_rights;
pub mod events;
pub mod export;
pub mod goals;
pub mod jobs;
pub mod moments;
pub mod org;
pub mod outbox;
pub mod people;
pub mod priorities;
pub mod privacy;
pub mod proposals;
pub mod report;
mod writer;

pub use writer::NewShare;

use futures_util::future::BoxFuture;
use sqlx::SqliteConnection;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

pub use sqlx::SqliteConnection as Conn;

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
    reads: SqlitePool,
    writer: writer::Writer,
}

impl Store {
    /// Opens (creating if needed) the database at `url`.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // NORMAL in WAL mode: a commit survives a crash of the process
            // (what "committed before the reply" needs); only a power loss
            // can drop the last transactions. FULL would sync on every batch.
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        if let Some(dir) = options.get_filename().parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Database(Arc::new(e.into())))?;
        }
        let reads = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options.clone())
            .await?;
        let writes = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await?;
        Ok(Self {
            reads,
            writer: writer::Writer::start(writes),
        })
    }

    /// Applies the embedded migrations in `migrations/`.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        sqlx::migrate!("./migrations").run(&self.reads).await?;
        Ok(())
    }

    /// Why this instance cannot serve yet, if it cannot: the database does
    /// not answer, or a migration of this build is missing or failed.
    pub async fn readiness(&self) -> Result<(), String> {
        let applied: Vec<(i64, bool)> =
            sqlx::query_as("SELECT version, success FROM _sqlx_migrations")
                .fetch_all(&self.reads)
                .await
                .map_err(|e| format!("the database does not answer: {e}"))?;
        for migration in sqlx::migrate!("./migrations").iter() {
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
    pub fn reads(&self) -> &SqlitePool {
        &self.reads
    }

    /// Runs `f` in a transaction shared with other concurrent writes and
    /// returns once that transaction has committed (or `f` failed, in which
    /// case none of its changes remain).
    pub async fn write<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, Result<T, StoreError>>
            + Send
            + 'static,
    {
        self.writer.write(f).await
    }

    /// Stores a moment shared straight to its channel with its outbox row;
    /// concurrent shares are written together with multi-row INSERTs.
    pub async fn share(&self, share: NewShare) -> Result<crate::domain::MomentId, StoreError> {
        self.writer.share(share).await
    }

    /// Closes the pools; pending writes still finish.
    pub async fn close(&self) {
        self.reads.close().await;
    }
}
