//! Online backups with `VACUUM INTO`.
//!
//! `VACUUM INTO` copies the database as one read transaction sees it, so the
//! copy is consistent even while `serve` keeps writing (WAL lets the writer
//! go on meanwhile), and it is compact. The copy is written next to the
//! target, checked, synced, then renamed into place, so a crash never leaves
//! a half-written file under the backup's name.

use sqlx::ConnectOptions;
use sqlx::sqlite::SqliteConnectOptions;
use std::path::{Path, PathBuf};
use std::str::FromStr;

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The operator asked for something impossible (exit code 2).
    #[error("{0}")]
    Usage(String),
    #[error("the backup failed: {0}")]
    Database(#[from] sqlx::Error),
    #[error("the backup failed: {0}")]
    Io(#[from] std::io::Error),
    #[error("the copy did not pass its integrity check: {0}")]
    Corrupt(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupReport {
    pub bytes: u64,
    pub tables: i64,
}

pub async fn backup(database_url: &str, target: &Path) -> Result<BackupReport, BackupError> {
    let source = SqliteConnectOptions::from_str(database_url)?;
    let file = source.get_filename().to_path_buf();
    if !file.exists() {
        return Err(BackupError::Usage(format!(
            "there is no database at {} (DATABASE_URL)",
            file.display()
        )));
    }
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.is_dir() {
        return Err(BackupError::Usage(format!(
            "the folder {} does not exist",
            dir.display()
        )));
    }
    let name = target
        .file_name()
        .ok_or_else(|| BackupError::Usage(format!("{} is not a file name", target.display())))?;
    let partial = dir.join(format!(".{}.partial", name.to_string_lossy()));
    let _ = std::fs::remove_file(&partial);

    // A copy of a large database takes seconds: that is expected, not a
    // slow query worth a warning.
    let mut conn = source
        .busy_timeout(std::time::Duration::from_secs(30))
        .disable_statement_logging()
        .connect()
        .await?;
    let copied = sqlx::query("VACUUM INTO $1")
        .bind(partial.to_string_lossy().into_owned())
        .execute(&mut conn)
        .await;
    drop(conn);
    if let Err(e) = copied {
        let _ = std::fs::remove_file(&partial);
        return Err(e.into());
    }
    let report = match check(&partial).await {
        Ok(report) => report,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
    };
    std::fs::File::open(&partial)?.sync_all()?;
    std::fs::rename(&partial, target)?;
    if let Ok(d) = std::fs::File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(report)
}

/// Opens the copy on its own and checks it before it gets the real name.
async fn check(path: &Path) -> Result<BackupReport, BackupError> {
    let mut conn = SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .disable_statement_logging()
        .connect()
        .await?;
    let verdict: String = sqlx::query_scalar("PRAGMA quick_check")
        .fetch_one(&mut conn)
        .await?;
    if verdict != "ok" {
        return Err(BackupError::Corrupt(verdict));
    }
    let tables: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'")
        .fetch_one(&mut conn)
        .await?;
    drop(conn);
    Ok(BackupReport {
        bytes: std::fs::metadata(path)?.len(),
        tables,
    })
}
