//! SQL for job runs and the nudges they send.

use super::Conn;
use super::StoreError;
use super::moments::{from_millis, millis};
use chrono::{DateTime, Utc};
use sqlx::AnyExecutor;

/// Claims `(job, period)`; false if it was already claimed (by anyone).
pub async fn claim(
    conn: &mut Conn,
    job: &str,
    period: &str,
    trigger: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "INSERT INTO job_runs (job, period, trigger, started_at) VALUES ($1, $2, $3, $4) ON CONFLICT (job, period) DO NOTHING",
    )
    .bind(job)
    .bind(period)
    .bind(trigger)
    .bind(millis(now))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn finish(
    conn: &mut Conn,
    job: &str,
    period: &str,
    summary: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE job_runs SET finished_at = $1, summary = $2 WHERE job = $3 AND period = $4",
    )
    .bind(millis(now))
    .bind(summary)
    .bind(job)
    .bind(period)
    .execute(conn)
    .await?;
    Ok(())
}

/// The latest run of a job: (period, started, summary).
pub async fn last_run(
    exec: impl AnyExecutor<'_>,
    job: &str,
) -> Result<Option<(String, DateTime<Utc>, Option<String>)>, StoreError> {
    let row: Option<(String, i64, Option<String>)> = sqlx::query_as(
        "SELECT period, started_at, summary FROM job_runs WHERE job = $1 ORDER BY started_at DESC, id DESC LIMIT 1",
    )
    .bind(job)
    .fetch_optional(exec)
    .await?;
    Ok(row.map(|(p, at, s)| (p, from_millis(at), s)))
}

pub async fn was_run(
    exec: impl AnyExecutor<'_>,
    job: &str,
    period: &str,
) -> Result<bool, StoreError> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM job_runs WHERE job = $1 AND period = $2")
        .bind(job)
        .bind(period)
        .fetch_one(exec)
        .await?;
    Ok(n > 0)
}

/// Records that `person` is nudged by `job` for `period`; false if already.
pub async fn record_nudge(
    conn: &mut Conn,
    job: &str,
    period: &str,
    person: &str,
    now: DateTime<Utc>,
) -> Result<Option<i64>, StoreError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO nudges (job, period, person_id, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (job, period, person_id) DO NOTHING RETURNING id",
    )
    .bind(job)
    .bind(period)
    .bind(person)
    .bind(millis(now))
    .fetch_optional(conn)
    .await?)
}

/// One nudge: who, for which job and period, and where its DM landed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nudge {
    pub id: i64,
    pub job: String,
    pub period: String,
    pub person: String,
    pub post: Option<(String, String)>,
}

type NudgeRow = (i64, String, String, String, Option<String>, Option<String>);

pub async fn nudge(
    exec: impl AnyExecutor<'_>,
    id: crate::domain::ids::NudgeId,
) -> Result<Option<Nudge>, StoreError> {
    let row: Option<NudgeRow> =
        sqlx::query_as("SELECT id, job, period, person_id, channel, ts FROM nudges WHERE id = $1")
            .bind(id.0)
            .fetch_optional(exec)
            .await?;
    Ok(row.map(|(id, job, period, person, channel, ts)| Nudge {
        id,
        job,
        period,
        person,
        post: channel.zip(ts),
    }))
}

/// The progress nudge sent to `person` for `period`, if any: (id, channel, ts).
pub async fn nudge_for(
    exec: impl AnyExecutor<'_>,
    job: &str,
    period: &str,
    person: &str,
) -> Result<Option<(i64, Option<String>, Option<String>)>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, channel, ts FROM nudges WHERE job = $1 AND period = $2 AND person_id = $3",
    )
    .bind(job)
    .bind(period)
    .bind(person)
    .fetch_optional(exec)
    .await?)
}

/// Owners of active goals of `year` and those of their goals without a
/// check-in since `since`, ordered by owner.
pub async fn goals_due_for_check_in(
    exec: impl AnyExecutor<'_>,
    year: i32,
    since: DateTime<Utc>,
) -> Result<Vec<(String, i64)>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT owner, id FROM goals WHERE plan_year = $1 AND status = 'active' \
         AND (checked_in_at IS NULL OR checked_in_at < $2) ORDER BY owner, id",
    )
    .bind(year)
    .bind(millis(since))
    .fetch_all(exec)
    .await?)
}

/// People who shared a moment between `from` and `to`.
pub async fn moment_authors(
    exec: impl AnyExecutor<'_>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<String>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT DISTINCT author FROM moments WHERE status = 'shared' AND created_at >= $1 AND created_at < $2",
    )
    .bind(millis(from))
    .bind(millis(to))
    .fetch_all(exec)
    .await?)
}

/// When the run of `job` for `period` started, if it ran.
pub async fn run_started(
    exec: impl AnyExecutor<'_>,
    job: &str,
    period: &str,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    let at: Option<i64> =
        sqlx::query_scalar("SELECT started_at FROM job_runs WHERE job = $1 AND period = $2")
            .bind(job)
            .bind(period)
            .fetch_optional(exec)
            .await?;
    Ok(at.map(from_millis))
}

/// Forgets the run of `job` for `period` and the nudges it recorded, so the
/// job can run again for that period. Only the playground calls this (its
/// "Run job now" menu runs a job as often as asked, on its demo database);
/// `serve` and `jobs run` never do, which keeps their once-per-period rule.
pub async fn forget_run(conn: &mut Conn, job: &str, period: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM nudges WHERE job = $1 AND period = $2")
        .bind(job)
        .bind(period)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM job_runs WHERE job = $1 AND period = $2")
        .bind(job)
        .bind(period)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
