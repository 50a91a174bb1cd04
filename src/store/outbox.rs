//! SQL for the transactional outbox.
//!
//! A row is `pending` until delivered (`sent`) or given up (`failed`, with
//! the reason). A worker claims a row by setting `lease_until` in a single
//! conditional UPDATE, so two workers (or two replicas) never send the same
//! row at once, and a crashed worker's claim simply runs out.

use super::StoreError;
use super::moments::millis;
use crate::domain::ids::PostOwner;
use chrono::{DateTime, Utc};
use sqlx::{FromRow, SqliteConnection, SqliteExecutor};

/// An outgoing call to write into the outbox.
#[derive(Debug, Clone)]
pub struct NewOutgoing {
    pub lane: Option<String>,
    pub dedupe_key: Option<String>,
    pub payload: String,
    pub expires_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, FromRow)]
pub struct OutboxRow {
    pub id: i64,
    pub lane: Option<String>,
    pub payload: String,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub lease_until: Option<i64>,
    pub expires_at: Option<i64>,
    pub created_at: i64,
}

/// Adds a row and returns its id. When a pending row with the same dedupe
/// key exists, that row does the job instead (its id is returned); if it is
/// being sent right now, it is flagged to be sent once more afterwards, since
/// what is in flight may already be out of date.
pub async fn enqueue(
    conn: &mut SqliteConnection,
    new: &NewOutgoing,
    now: DateTime<Utc>,
) -> Result<Option<i64>, StoreError> {
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO outbox (lane, dedupe_key, payload, status, attempts, next_attempt_at, expires_at, created_at) \
         VALUES (?, ?, ?, 'pending', 0, ?, ?, ?) \
         ON CONFLICT (dedupe_key) WHERE status = 'pending' AND dedupe_key IS NOT NULL \
         DO UPDATE SET again = CASE WHEN outbox.lease_until IS NOT NULL THEN 1 ELSE outbox.again END \
         RETURNING id",
    )
    .bind(new.lane.as_deref())
    .bind(new.dedupe_key.as_deref())
    .bind(&new.payload)
    .bind(millis(now))
    .bind(new.expires_at.map(millis))
    .bind(millis(now))
    .fetch_optional(conn)
    .await?;
    Ok(id)
}

/// Adds many rows (without dedupe keys) with one multi-row INSERT.
pub async fn enqueue_many(
    conn: &mut SqliteConnection,
    rows: &[NewOutgoing],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    if rows.is_empty() {
        return Ok(());
    }
    debug_assert!(
        rows.iter().all(|r| r.dedupe_key.is_none()),
        "dedupe keys need enqueue()"
    );
    let mut insert = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
        "INSERT INTO outbox (lane, payload, status, attempts, next_attempt_at, expires_at, created_at) ",
    );
    insert.push_values(rows, |mut row, new| {
        row.push_bind(new.lane.as_deref())
            .push_bind(new.payload.as_str())
            .push_bind("pending")
            .push_bind(0_i64)
            .push_bind(millis(now))
            .push_bind(new.expires_at.map(millis))
            .push_bind(millis(now));
    });
    insert.build().execute(conn).await?;
    Ok(())
}

/// The oldest pending rows, in order (claimed or not).
pub async fn pending(
    exec: impl SqliteExecutor<'_>,
    limit: i64,
) -> Result<Vec<OutboxRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, lane, payload, attempts, next_attempt_at, lease_until, expires_at, created_at \
         FROM outbox WHERE status = 'pending' ORDER BY id LIMIT ?",
    )
    .bind(limit)
    .fetch_all(exec)
    .await?)
}

/// Claims a row for one delivery attempt; false if another worker holds it
/// or it is no longer pending.
pub async fn claim(
    conn: &mut SqliteConnection,
    id: i64,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE outbox SET lease_until = ?, attempts = attempts + 1 \
         WHERE id = ? AND status = 'pending' AND (lease_until IS NULL OR lease_until <= ?)",
    )
    .bind(millis(lease_until))
    .bind(id)
    .bind(millis(now))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks a row delivered, unless it was asked for again meanwhile: then it
/// goes back to pending for one more send.
pub async fn mark_sent(
    conn: &mut SqliteConnection,
    id: i64,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE outbox SET status = CASE WHEN again = 1 THEN 'pending' ELSE 'sent' END, \
         finished_at = CASE WHEN again = 1 THEN NULL ELSE ? END, \
         again = 0, lease_until = NULL, last_error = NULL, next_attempt_at = ? WHERE id = ?",
    )
    .bind(millis(now))
    .bind(millis(now))
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Releases the claim and schedules the next attempt.
pub async fn reschedule(
    conn: &mut SqliteConnection,
    id: i64,
    at: DateTime<Utc>,
    error: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE outbox SET lease_until = NULL, next_attempt_at = ?, last_error = ? WHERE id = ?",
    )
    .bind(millis(at))
    .bind(error)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Gives up on a row for good, keeping the reason.
pub async fn mark_failed(
    conn: &mut SqliteConnection,
    id: i64,
    now: DateTime<Utc>,
    reason: &str,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE outbox SET status = 'failed', lease_until = NULL, last_error = ?, finished_at = ? WHERE id = ?")
        .bind(reason)
        .bind(millis(now))
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Counts by status, for operators and tests.
pub async fn counts(exec: impl SqliteExecutor<'_>) -> Result<OutboxCounts, StoreError> {
    let (pending, sent, failed): (i64, i64, i64) = sqlx::query_as(
        "SELECT COALESCE(SUM(status = 'pending'), 0), COALESCE(SUM(status = 'sent'), 0), COALESCE(SUM(status = 'failed'), 0) FROM outbox",
    )
    .fetch_one(exec)
    .await?;
    Ok(OutboxCounts {
        pending,
        sent,
        failed,
    })
}

/// What `/metrics` reports about the outbox. Uses the `(status, id)` index:
/// the oldest pending row is the one with the lowest id.
pub async fn depth(exec: impl SqliteExecutor<'_> + Copy) -> Result<OutboxDepth, StoreError> {
    let pending: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE status = 'pending'")
        .fetch_one(exec)
        .await?;
    let failed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE status = 'failed'")
        .fetch_one(exec)
        .await?;
    let oldest: Option<i64> = sqlx::query_scalar(
        "SELECT created_at FROM outbox WHERE status = 'pending' ORDER BY id LIMIT 1",
    )
    .fetch_optional(exec)
    .await?;
    Ok(OutboxDepth {
        pending,
        failed,
        oldest_pending: oldest.map(crate::store::moments::from_millis),
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutboxDepth {
    pub pending: i64,
    pub failed: i64,
    pub oldest_pending: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutboxCounts {
    pub pending: i64,
    pub sent: i64,
    pub failed: i64,
}

/// Why a row failed, for operators and tests.
pub async fn last_error(
    exec: impl SqliteExecutor<'_>,
    id: i64,
) -> Result<Option<String>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT last_error FROM outbox WHERE id = ?")
            .bind(id)
            .fetch_optional(exec)
            .await?
            .flatten(),
    )
}

/// Remembers where a delivered post landed (`channel`, `ts`) on the row it
/// belongs to, so later updates and deletions of it find it. The one place
/// every kind of post is recorded; the table is chosen from a closed list.
pub async fn record_post(
    conn: &mut SqliteConnection,
    owner: PostOwner,
    channel: &str,
    ts: &str,
) -> Result<(), StoreError> {
    let (sql, id) = match owner {
        PostOwner::Moment(id) => ("UPDATE moments SET channel = ?, ts = ? WHERE id = ?", id.0),
        PostOwner::Proposal(id) => (
            "UPDATE proposals SET channel = ?, ts = ? WHERE id = ?",
            id.0,
        ),
        PostOwner::Priorities(id) => (
            "UPDATE priorities SET channel = ?, ts = ? WHERE id = ?",
            id.0,
        ),
        PostOwner::Nudge(id) => ("UPDATE nudges SET channel = ?, ts = ? WHERE id = ?", id.0),
        PostOwner::MomentsDigest { year, month } => {
            let key = format!("{year:04}-{month:02}");
            return super::privacy::record_digest_post(conn, &key, channel, ts).await;
        }
    };
    sqlx::query(sql)
        .bind(channel)
        .bind(ts)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}
