//! SQL for the transactional outbox.
//!
//! A row is `pending` until delivered (`sent`) or given up (`failed`, with
//! the reason). A worker claims a row by setting `lease_until` in a single
//! conditional UPDATE, so two workers (or two replicas) never send the same
//! row at once, and a crashed worker's claim simply runs out.

use super::Conn;
use super::StoreError;
use super::moments::millis;
use crate::domain::ids::PostOwner;
use chrono::{DateTime, Utc};
use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::{Any, AnyExecutor, FromRow};

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
    conn: &mut Conn,
    new: &NewOutgoing,
    now: DateTime<Utc>,
) -> Result<Option<i64>, StoreError> {
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO outbox (lane, dedupe_key, payload, status, attempts, next_attempt_at, expires_at, created_at) \
         VALUES ($1, $2, $3, 'pending', 0, $4, $5, $6) \
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
    conn: &mut Conn,
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
    let sql = format!(
        "INSERT INTO outbox (lane, payload, status, attempts, next_attempt_at, expires_at, created_at) VALUES {}",
        super::values_placeholders(rows.len(), 7)
    );
    // Audited: only numbered placeholders are formatted into the SQL.
    let mut insert = sqlx::query(sqlx::AssertSqlSafe(sql));
    for new in rows {
        insert = insert
            .bind(new.lane.as_deref())
            .bind(new.payload.as_str())
            .bind("pending")
            .bind(0_i64)
            .bind(millis(now))
            .bind(new.expires_at.map(millis))
            .bind(millis(now));
    }
    insert.execute(conn).await?;
    Ok(())
}

/// The oldest pending rows, in order (claimed or not).
pub async fn pending(exec: impl AnyExecutor<'_>, limit: i64) -> Result<Vec<OutboxRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, lane, payload, attempts, next_attempt_at, lease_until, expires_at, created_at \
         FROM outbox WHERE status = 'pending' ORDER BY id LIMIT $1",
    )
    .bind(limit)
    .fetch_all(exec)
    .await?)
}

/// Pending rows added after row `after` (ids above it), oldest first: their
/// id, lane and first send time, without their payloads. What the delivery
/// worker looks at when woken, to tell whether anything new can go now.
pub async fn pending_after(
    exec: impl AnyExecutor<'_>,
    after: i64,
    limit: i64,
) -> Result<Vec<(i64, Option<String>, i64)>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, lane, next_attempt_at FROM outbox \
         WHERE status = 'pending' AND id > $1 ORDER BY id LIMIT $2",
    )
    .bind(after)
    .bind(limit)
    .fetch_all(exec)
    .await?)
}

/// A worker's hold on a row: who and until when. Every update that finishes
/// a send is fenced on both (`… WHERE id = $1 AND lease_until = $2 AND
/// claimed_by = $3`), so a worker whose lease ran out (stalled, or paused by
/// the machine) cannot overwrite what the worker that took the row over did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub worker: String,
    pub lease_until: i64,
}

/// Claims a row for one delivery attempt with one conditional UPDATE; `None`
/// if another worker holds it or it is no longer pending. The condition is
/// evaluated on the row itself, so two workers (in one process or several,
/// on SQLite or PostgreSQL) can never both win it.
pub async fn claim(
    conn: &mut Conn,
    id: i64,
    worker: &str,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
) -> Result<Option<Claim>, StoreError> {
    let held: Option<(Option<String>, Option<i64>)> = sqlx::query_as(
        "UPDATE outbox SET lease_until = $1, claimed_by = $2, attempts = attempts + 1 \
         WHERE id = $3 AND status = 'pending' AND (lease_until IS NULL OR lease_until <= $4) \
         RETURNING claimed_by, lease_until",
    )
    .bind(millis(lease_until))
    .bind(worker)
    .bind(id)
    .bind(millis(now))
    .fetch_optional(conn)
    .await?;
    Ok(held.and_then(|(worker, lease)| {
        Some(Claim {
            worker: worker?,
            lease_until: lease?,
        })
    }))
}

/// Runs `update`, an UPDATE of the claimed row `id` whose last three
/// placeholders are its fence (`WHERE id = … AND lease_until = … AND
/// claimed_by = …`), with the fence bound after the update's own values.
/// Every change to a claimed row goes through here, so each is fenced on
/// the claim the same way. True if the claim still held (one row changed);
/// false if it was lost and nothing changed.
async fn fenced<'q>(
    conn: &mut Conn,
    update: Query<'q, Any, AnyArguments>,
    id: i64,
    claim: &'q Claim,
) -> Result<bool, StoreError> {
    let done = update
        .bind(id)
        .bind(claim.lease_until)
        .bind(&claim.worker)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks a claimed row delivered, unless it was asked for again meanwhile:
/// then it goes back to pending for one more send. False if the claim was
/// lost (another worker took the row over): nothing is changed.
pub async fn mark_sent(
    conn: &mut Conn,
    id: i64,
    claim: &Claim,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let update = sqlx::query(
        "UPDATE outbox SET status = CASE WHEN again = 1 THEN 'pending' ELSE 'sent' END, \
         finished_at = CASE WHEN again = 1 THEN NULL ELSE $1 END, \
         again = 0, lease_until = NULL, claimed_by = NULL, last_error = NULL, next_attempt_at = $1 \
         WHERE id = $2 AND lease_until = $3 AND claimed_by = $4",
    )
    .bind(millis(now));
    fenced(conn, update, id, claim).await
}

/// Releases a claimed row and schedules its next attempt; false if the claim
/// was lost.
pub async fn reschedule(
    conn: &mut Conn,
    id: i64,
    claim: &Claim,
    at: DateTime<Utc>,
    error: &str,
) -> Result<bool, StoreError> {
    let update = sqlx::query(
        "UPDATE outbox SET lease_until = NULL, claimed_by = NULL, next_attempt_at = $1, last_error = $2 \
         WHERE id = $3 AND lease_until = $4 AND claimed_by = $5",
    )
    .bind(millis(at))
    .bind(error);
    fenced(conn, update, id, claim).await
}

/// Gives a claimed row back as if it had never been tried (the attempt is
/// not counted): delivery paused for a reason that is not the row's (the
/// token was refused). False if the claim was lost.
pub async fn release(
    conn: &mut Conn,
    id: i64,
    claim: &Claim,
    error: &str,
) -> Result<bool, StoreError> {
    let update = sqlx::query(
        "UPDATE outbox SET lease_until = NULL, claimed_by = NULL, \
         attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END, last_error = $1 \
         WHERE id = $2 AND lease_until = $3 AND claimed_by = $4",
    )
    .bind(error);
    fenced(conn, update, id, claim).await
}

/// Releases every claim `worker` still holds (graceful shutdown): its rows
/// are free for the other workers at once rather than when the leases run
/// out. The attempts they counted are given back.
pub async fn release_worker(conn: &mut Conn, worker: &str) -> Result<u64, StoreError> {
    let done = sqlx::query(
        "UPDATE outbox SET lease_until = NULL, claimed_by = NULL, \
         attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END \
         WHERE status = 'pending' AND claimed_by = $1",
    )
    .bind(worker)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// The workers holding claims on pending rows whose id starts with
/// `prefix` (this host's, at start: see `delivery::Worker::run`).
pub async fn claimants(
    exec: impl AnyExecutor<'_>,
    prefix: &str,
) -> Result<Vec<String>, StoreError> {
    let like = format!("{}%", prefix.replace(['%', '_'], ""));
    Ok(sqlx::query_scalar(
        "SELECT DISTINCT claimed_by FROM outbox \
         WHERE status = 'pending' AND claimed_by IS NOT NULL AND claimed_by LIKE $1",
    )
    .bind(like)
    .fetch_all(exec)
    .await?)
}

/// Gives up on a claimed row for good, keeping the reason; false if the
/// claim was lost.
pub async fn mark_failed(
    conn: &mut Conn,
    id: i64,
    claim: &Claim,
    now: DateTime<Utc>,
    reason: &str,
) -> Result<bool, StoreError> {
    let update = sqlx::query(
        "UPDATE outbox SET status = 'failed', lease_until = NULL, claimed_by = NULL, last_error = $1, finished_at = $2 \
         WHERE id = $3 AND lease_until = $4 AND claimed_by = $5",
    )
    .bind(reason)
    .bind(millis(now));
    fenced(conn, update, id, claim).await
}

/// Gives up on a row nobody holds whose time ran out before it could be
/// sent (a modal's trigger); false if a worker holds it or it is done.
pub async fn expire(
    conn: &mut Conn,
    id: i64,
    now: DateTime<Utc>,
    reason: &str,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE outbox SET status = 'failed', last_error = $1, finished_at = $2 \
         WHERE id = $3 AND status = 'pending' AND (lease_until IS NULL OR lease_until <= $2)",
    )
    .bind(reason)
    .bind(millis(now))
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Counts by status, for operators and tests.
pub async fn counts(exec: impl AnyExecutor<'_>) -> Result<OutboxCounts, StoreError> {
    let (pending, sent, failed): (i64, i64, i64) = sqlx::query_as(
        "SELECT COUNT(CASE WHEN status = 'pending' THEN 1 END), COUNT(CASE WHEN status = 'sent' THEN 1 END), \
         COUNT(CASE WHEN status = 'failed' THEN 1 END) FROM outbox",
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
pub async fn depth(exec: impl AnyExecutor<'_> + Copy) -> Result<OutboxDepth, StoreError> {
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
pub async fn last_error(exec: impl AnyExecutor<'_>, id: i64) -> Result<Option<String>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT last_error FROM outbox WHERE id = $1")
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
    conn: &mut Conn,
    owner: PostOwner,
    channel: &str,
    ts: &str,
) -> Result<(), StoreError> {
    let (sql, id) = match owner {
        PostOwner::Moment(id) => (
            "UPDATE moments SET channel = $1, ts = $2 WHERE id = $3",
            id.0,
        ),
        PostOwner::Proposal(id) => (
            "UPDATE proposals SET channel = $1, ts = $2 WHERE id = $3",
            id.0,
        ),
        PostOwner::Priorities(id) => (
            "UPDATE priorities SET channel = $1, ts = $2 WHERE id = $3",
            id.0,
        ),
        PostOwner::Nudge(id) => (
            "UPDATE nudges SET channel = $1, ts = $2 WHERE id = $3",
            id.0,
        ),
        PostOwner::OrgPriorities(id) => (
            "UPDATE org_priorities SET channel = $1, ts = $2 WHERE id = $3",
            id,
        ),
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
