//! `alignbot export`: the organization's plan and its history as files, one
//! per kind of row, for spreadsheets, BI tools or an archive.
//!
//! Everything is read in one read transaction (a consistent snapshot: a
//! check-in committed meanwhile is in no file rather than half of them) and
//! written row by row, so memory stays flat however many check-ins there
//! are. Existing files are never overwritten unless asked (`force`): an
//! export directory is often a shared folder with last month's files.

use super::AppContext;
use crate::export::rows::{
    CheckInRow, ExportRow, GoalRow, MomentRow, PillarRow, PriorityRow, TeamRow,
};
use crate::export::{FileWriter, Format, WriteError};
use crate::store::{StoreError, export as rows};
use chrono::TimeZone;
use chrono_tz::Tz;
use std::path::{Path, PathBuf};

/// What to export, where.
#[derive(Debug, Clone)]
pub struct ExportRequest {
    pub format: Format,
    pub out: PathBuf,
    /// Only this plan year's goals and their check-ins, priorities of its
    /// months and moments posted in it (org time zone); pillars and teams
    /// are always complete.
    pub year: Option<i32>,
    /// Replace files of a previous export.
    pub force: bool,
}

/// Each file written and its number of rows, in the order written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportSummary {
    pub files: Vec<(PathBuf, u64)>,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(
        "{} already exist(s) in {}: pass --force to replace, or choose another --out",
        names(.files), .dir.display()
    )]
    Exists { dir: PathBuf, files: Vec<PathBuf> },
    #[error("cannot create the directory {}: {source}", path.display())]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Write(#[from] WriteError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn names(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .filter_map(|p| p.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(", ")
}

fn paths(format: Format, dir: &Path) -> [PathBuf; 6] {
    [
        format.path_for::<PillarRow>(dir),
        format.path_for::<TeamRow>(dir),
        format.path_for::<GoalRow>(dir),
        format.path_for::<CheckInRow>(dir),
        format.path_for::<PriorityRow>(dir),
        format.path_for::<MomentRow>(dir),
    ]
}

/// `[start, end)` of `year` in the organization's time zone, in Unix ms.
fn year_bounds(tz: Tz, year: i32) -> (i64, i64) {
    let start = |y: i32| {
        tz.with_ymd_and_hms(y, 1, 1, 0, 0, 0)
            .earliest()
            .map_or(i64::MIN, |t| t.timestamp_millis())
    };
    (start(year), start(year + 1))
}

/// A small file: written whole.
fn write_all<R: ExportRow>(
    dir: &Path,
    format: Format,
    rows: Vec<R>,
) -> Result<(PathBuf, u64), ExportError> {
    let mut file = FileWriter::<R>::create(dir, format)?;
    for row in rows {
        file.write(row)?;
    }
    Ok(file.finish()?)
}

/// Writes the six files; see "Export and import" in docs/operations.md for columns.
///
/// File writes are blocking; this runs in the `alignbot export` command,
/// where nothing else shares the runtime.
pub async fn export(ctx: &AppContext, req: &ExportRequest) -> Result<ExportSummary, ExportError> {
    let (dir, format) = (req.out.as_path(), req.format);
    std::fs::create_dir_all(dir).map_err(|source| ExportError::CreateDir {
        path: dir.to_owned(),
        source,
    })?;
    if !req.force {
        let existing: Vec<PathBuf> = paths(format, dir)
            .into_iter()
            .filter(|p| p.exists())
            .collect();
        if !existing.is_empty() {
            return Err(ExportError::Exists {
                dir: dir.to_owned(),
                files: existing,
            });
        }
    }
    let tz = ctx.directory().org.timezone;
    let (from_ms, to_ms) = req
        .year
        .map_or((i64::MIN, i64::MAX), |y| year_bounds(tz, y));
    let mut tx = ctx.store.reads().begin().await.map_err(StoreError::from)?;
    let mut files = Vec::with_capacity(6);
    files.push(write_all(dir, format, rows::pillars(&mut tx).await?)?);
    files.push(write_all(dir, format, rows::teams(&mut tx).await?)?);

    let mut goals = FileWriter::<GoalRow>::create(dir, format)?;
    rows::goals(&mut tx, req.year, |row| {
        goals.write(row).map_err(ExportError::from)
    })
    .await?;
    files.push(goals.finish()?);

    let mut check_ins = FileWriter::<CheckInRow>::create(dir, format)?;
    rows::check_ins(&mut tx, req.year, |row| {
        check_ins.write(row).map_err(ExportError::from)
    })
    .await?;
    files.push(check_ins.finish()?);

    let mut priorities = FileWriter::<PriorityRow>::create(dir, format)?;
    rows::priorities(&mut tx, req.year, |row| {
        priorities.write(row).map_err(ExportError::from)
    })
    .await?;
    files.push(priorities.finish()?);

    let mut moments = FileWriter::<MomentRow>::create(dir, format)?;
    rows::moments(&mut tx, from_ms, to_ms, |row| {
        moments.write(row).map_err(ExportError::from)
    })
    .await?;
    files.push(moments.finish()?);

    tx.rollback().await.map_err(StoreError::from)?;
    Ok(ExportSummary { files })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_year_starts_at_local_midnight() {
        let tz: Tz = "America/New_York".parse().unwrap();
        let (from, to) = year_bounds(tz, 2027);
        // 2027-01-01T05:00:00Z and 2028-01-01T05:00:00Z
        assert_eq!(from, 1_798_779_600_000);
        assert_eq!(to, 1_830_315_600_000);
    }
}
