//! SQL for pacing shared by every delivery worker on the database.
//!
//! Slack allows about one message per second per channel, and a 429 asks
//! the whole app to wait. Kept in one process's memory, two processes on one
//! database would each keep their own pace and together post twice as fast,
//! so each channel's next allowed send time lives in `lane_pace`, taken with
//! one conditional upsert in the claim's transaction. The lane [`WORKSPACE`]
//! is the whole workspace: a 429's Retry-After holds every worker there.
//!
//! The workspace pace (`delivery.max_per_second`, N) is a sliding window:
//! at most N calls in any one second, whichever workers make them. It is N
//! slots in `rate_slots`. A call takes a slot whose `free_at` has passed and
//! holds it while in flight ([`take_rate_slot`]); when the call is answered,
//! the slot frees one second after the answer ([`release_rate_slot`]). A
//! call reaches Slack between its slot's taking and its answer, so two calls
//! on one slot reach Slack more than a second apart, and N slots let at most
//! N calls into any second: strict at Slack's end, not only at ours. (The
//! cell-rate meter this replaced let a whole second's calls go at once after
//! a pause and then the steady rate: nearly 2N in one sliding second.)

use super::moments::millis;
use super::{Backend, Conn, StoreError, backend_of};
use chrono::{DateTime, Utc};
use sqlx::AnyExecutor;

/// The lane that pauses everything (no channel id looks like it).
pub const WORKSPACE: &str = "*";

/// Takes a free workspace call slot (one of `per_second`) at `now` and holds
/// it until `until` (the claim's lease: the call's answer frees it sooner).
/// `None` when all `per_second` slots are in use: this second's calls, by
/// any worker, are used up. Slots at or above `per_second` are left alone
/// (the setting was higher before a restart); missing slots are created.
pub async fn take_rate_slot(
    conn: &mut Conn,
    now: DateTime<Utc>,
    per_second: usize,
    until: DateTime<Utc>,
) -> Result<Option<i64>, StoreError> {
    let n = slots(per_second);
    if let Some(slot) = take_free_slot(conn, now, n, until).await? {
        return Ok(Some(slot));
    }
    let have: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM rate_slots WHERE slot < $1")
        .bind(n)
        .fetch_one(&mut *conn)
        .await?;
    if have >= n {
        return Ok(None);
    }
    // First use, or a higher setting: the missing slots, free at once.
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < $1) \
         INSERT INTO rate_slots (slot, free_at) SELECT i, 0 FROM n WHERE true \
         ON CONFLICT (slot) DO NOTHING",
    )
    .bind(n)
    .execute(&mut *conn)
    .await?;
    take_free_slot(conn, now, n, until).await
}

/// One conditional update: the slot free the longest, if any is. On
/// PostgreSQL a slot another transaction is taking is skipped, not waited
/// for, so two replicas do not queue on one row (nor find it taken after the
/// wait and wrongly conclude the meter is full).
async fn take_free_slot(
    conn: &mut Conn,
    now: DateTime<Utc>,
    n: i64,
    until: DateTime<Utc>,
) -> Result<Option<i64>, StoreError> {
    let sql = match backend_of(conn) {
        Backend::Sqlite => {
            "UPDATE rate_slots SET free_at = $1 \
             WHERE slot = (SELECT slot FROM rate_slots WHERE slot < $2 AND free_at <= $3 \
                           ORDER BY free_at, slot LIMIT 1) \
             RETURNING slot"
        }
        Backend::Postgres => {
            "UPDATE rate_slots SET free_at = $1 \
             WHERE slot = (SELECT slot FROM rate_slots WHERE slot < $2 AND free_at <= $3 \
                           ORDER BY free_at, slot LIMIT 1 FOR UPDATE SKIP LOCKED) \
               AND free_at <= $3 \
             RETURNING slot"
        }
    };
    Ok(sqlx::query_scalar(sql)
        .bind(millis(until))
        .bind(n)
        .bind(millis(now))
        .fetch_optional(conn)
        .await?)
}

/// Frees `slot` (taken with [`take_rate_slot`] until `held_until`) at
/// `free_at`: a second after its call's answer, so its next call reaches
/// Slack more than a second after this one did; or at once when the call
/// was never made (the row was skipped, deferred or taken by another
/// worker). Fenced on the hold, so a slot another worker took after the
/// hold ran out is not touched.
pub async fn release_rate_slot(
    conn: &mut Conn,
    slot: i64,
    held_until: DateTime<Utc>,
    free_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE rate_slots SET free_at = $1 WHERE slot = $2 AND free_at = $3")
        .bind(millis_up(free_at))
        .bind(slot)
        .bind(millis(held_until))
        .execute(conn)
        .await?;
    Ok(())
}

/// When the first of the `per_second` slots frees (ms), if any slot exists.
pub async fn rate_free_at(
    exec: impl AnyExecutor<'_>,
    per_second: usize,
) -> Result<Option<i64>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT MIN(free_at) FROM rate_slots WHERE slot < $1")
            .bind(slots(per_second))
            .fetch_one(exec)
            .await?,
    )
}

fn slots(per_second: usize) -> i64 {
    i64::try_from(per_second.max(1)).unwrap_or(i64::MAX)
}

/// `t` in milliseconds, rounded up: a wall clock's answer at 5.4 ms frees its
/// slot at 1,006 ms, not 1,005 (a second after the call may have arrived).
fn millis_up(t: DateTime<Utc>) -> i64 {
    let ms = millis(t);
    if t.timestamp_subsec_nanos().is_multiple_of(1_000_000) {
        ms
    } else {
        ms + 1
    }
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
