//! SQL for pacing shared by every delivery worker on the database.
//!
//! Slack allows about one message per second per channel, and a 429 asks
//! the whole app to wait. Kept in one process's memory, two processes on one
//! database would each keep their own pace and together post twice as fast,
//! so each channel's next allowed send time lives in `lane_pace`, taken with
//! one conditional upsert in the claim's transaction. The lane [`WORKSPACE`]
//! is the whole workspace: a 429's Retry-After holds every worker there. The
//! lane [`RATE`] meters calls across the workspace (`delivery.max_per_second`)
//! for every worker together: its time is the "theoretical arrival time" of
//! the generic cell rate algorithm, so a burst of the full second's calls may
//! go at once and then one per interval.

use super::moments::millis;
use super::{Conn, StoreError};
use chrono::{DateTime, Utc};
use sqlx::AnyExecutor;

/// The lane that pauses everything (no channel id looks like it).
pub const WORKSPACE: &str = "*";
/// The lane that meters calls per second across the workspace.
pub const RATE: &str = "+";

/// Takes one of the workspace's calls for this second: at most
/// `per_second` calls start in any second, whichever workers start them.
/// False when the second's calls are used up.
pub async fn take_rate_slot(
    conn: &mut Conn,
    now: DateTime<Utc>,
    per_second: usize,
) -> Result<bool, StoreError> {
    let (interval, tolerance) = rate_interval(per_second);
    let now = millis(now);
    let taken: Option<i64> = sqlx::query_scalar(
        "INSERT INTO lane_pace (lane, next_send_at) VALUES ($1, $2 + $3) \
         ON CONFLICT (lane) DO UPDATE SET next_send_at = \
           CASE WHEN lane_pace.next_send_at > $2 THEN lane_pace.next_send_at ELSE $2 END + $3 \
         WHERE lane_pace.next_send_at - $4 <= $2 \
         RETURNING next_send_at",
    )
    .bind(RATE)
    .bind(now)
    .bind(interval)
    .bind(tolerance)
    .fetch_optional(conn)
    .await?;
    Ok(taken.is_some())
}

/// Returns a slot taken with [`take_rate_slot`] that called nobody.
pub async fn give_back_rate_slot(conn: &mut Conn, per_second: usize) -> Result<(), StoreError> {
    let (interval, _) = rate_interval(per_second);
    sqlx::query("UPDATE lane_pace SET next_send_at = next_send_at - $1 WHERE lane = $2")
        .bind(interval)
        .bind(RATE)
        .execute(conn)
        .await?;
    Ok(())
}

/// When the next workspace call may start, given the [`RATE`] lane's time.
pub fn rate_free_at(rate_time: i64, per_second: usize) -> i64 {
    let (_, tolerance) = rate_interval(per_second);
    rate_time - tolerance
}

/// Milliseconds between calls, and how far ahead a burst may run.
fn rate_interval(per_second: usize) -> (i64, i64) {
    let interval = 1_000 / i64::try_from(per_second.max(1)).unwrap_or(i64::MAX);
    (interval, 1_000 - interval)
}

/// Takes the lane's next send slot: true (and the lane is held until
/// `now + pace`) if the lane may be sent to now; false if another send on it
/// was less than `pace` ago. One statement, so two workers cannot both win.
pub async fn reserve(
    conn: &mut Conn,
    lane: &str,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let taken: Option<i64> = sqlx::query_scalar(
        "INSERT INTO lane_pace (lane, next_send_at) VALUES ($1, $2) \
         ON CONFLICT (lane) DO UPDATE SET next_send_at = excluded.next_send_at \
         WHERE lane_pace.next_send_at <= $3 \
         RETURNING next_send_at",
    )
    .bind(lane)
    .bind(millis(until))
    .bind(millis(now))
    .fetch_optional(conn)
    .await?;
    Ok(taken.is_some())
}

/// Holds the lane at least until `until` (a 429's Retry-After, or the pace
/// counted from when a slow send finished); never shortens a longer hold.
pub async fn hold(conn: &mut Conn, lane: &str, until: DateTime<Utc>) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO lane_pace (lane, next_send_at) VALUES ($1, $2) \
         ON CONFLICT (lane) DO UPDATE SET next_send_at = excluded.next_send_at \
         WHERE lane_pace.next_send_at < excluded.next_send_at",
    )
    .bind(lane)
    .bind(millis(until))
    .execute(conn)
    .await?;
    Ok(())
}

/// Gives back a slot taken with [`reserve`] that sent nothing to Slack (the
/// message was skipped or deferred), unless someone has moved the lane since.
pub async fn give_back(
    conn: &mut Conn,
    lane: &str,
    reserved_until: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE lane_pace SET next_send_at = $1 WHERE lane = $2 AND next_send_at = $3")
        .bind(millis(now))
        .bind(lane)
        .bind(millis(reserved_until))
        .execute(conn)
        .await?;
    Ok(())
}

/// The lanes that may not be sent to at `now`, with when they may.
pub async fn held(
    exec: impl AnyExecutor<'_>,
    now: DateTime<Utc>,
) -> Result<Vec<(String, i64)>, StoreError> {
    Ok(
        sqlx::query_as("SELECT lane, next_send_at FROM lane_pace WHERE next_send_at > $1")
            .bind(millis(now))
            .fetch_all(exec)
            .await?,
    )
}

/// Forgets lanes idle since before `before` (housekeeping): a DM lane per
/// person would otherwise stay forever.
pub async fn prune(conn: &mut Conn, before: DateTime<Utc>) -> Result<u64, StoreError> {
    let done = sqlx::query("DELETE FROM lane_pace WHERE next_send_at < $1")
        .bind(millis(before))
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}
