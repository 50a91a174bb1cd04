//! Which database an integration test's app runs on, shared by the Slack
//! (`tests/api`) and Teams (`tests/teams`) suites: SQLite by default, a
//! fresh database on the throwaway PostgreSQL server (`pg_server`) when a
//! test of `postgres.rs` re-runs another's body with [`on_backend`], or for
//! every test with `ALIGNBOT_TEST_BACKEND=postgres` (`.ci/run` does, after
//! the SQLite pass).

use std::cell::Cell;
use std::path::Path;

/// The database a test app runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A SQLite file in the app's temporary directory (the default).
    Sqlite,
    /// A fresh database on the throwaway PostgreSQL server of
    /// `tests/common/postgres.rs`.
    Postgres,
}

thread_local! {
    /// The backend a test on this thread spawns its app on.
    static CURRENT: Cell<Backend> = Cell::new(from_env());
}

fn from_env() -> Backend {
    match std::env::var("ALIGNBOT_TEST_BACKEND").as_deref() {
        Ok("postgres") => Backend::Postgres,
        _ => Backend::Sqlite,
    }
}

/// The backend a test on this thread spawns its app on.
pub fn current() -> Backend {
    CURRENT.with(Cell::get)
}

/// Runs `test` (a `#[tokio::test]` function, whose runtime drives its body
/// on the calling thread) with its apps on `backend`.
pub fn on_backend(backend: Backend, test: impl FnOnce()) {
    CURRENT.with(|b| b.set(backend));
    test();
}

/// The SQLite database of an app whose files are in `dir`.
pub fn sqlite_url(dir: &Path) -> String {
    format!("sqlite://{}", dir.join("alignbot.db").display())
}

/// A fresh database of `backend` for an app whose files are in `dir`.
pub async fn database_for(backend: Backend, dir: &Path) -> String {
    match backend {
        Backend::Sqlite => sqlite_url(dir),
        Backend::Postgres => crate::pg_server::fresh_database().await,
    }
}
