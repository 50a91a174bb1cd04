//! SQL for the delivery pause after Slack refused the bot token.
//!
//! `invalid_auth`, `token_revoked`, a 401/403 or a proxy's 404 say nothing
//! about the message: purging or failing rows would lose every queued nudge
//! over a token that an admin fixes an hour later. So the pause is one row
//! every worker reads before it claims anything, and one worker at a time
//! (whoever wins the conditional update) asks `auth.test` whether the token
//! works again, with backoff. It is not the uninstall (`install_state`):
//! only a verified `app_uninstalled` or `tokens_revoked` event starts the
//! retention clock for the purge.

use super::moments::millis;
use super::{Conn, StoreError};
use chrono::{DateTime, Utc};
use sqlx::AnyExecutor;

/// Delivery is paused since `paused_at` because Slack said `error`.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AuthPause {
    pub paused_at: i64,
    pub error: String,
    pub checks: i64,
    pub next_check_at: i64,
}

/// Pauses delivery; true if this started the pause (false: already paused).
pub async fn pause(
    conn: &mut Conn,
    now: DateTime<Utc>,
    error: &str,
    first_check_at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "INSERT INTO delivery_auth (id, paused_at, error, checks, next_check_at) \
         VALUES (1, $1, $2, 0, $3) ON CONFLICT (id) DO NOTHING",
    )
    .bind(millis(now))
    .bind(error)
    .bind(millis(first_check_at))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The pause, if delivery is paused.
pub async fn state(exec: impl AnyExecutor<'_>) -> Result<Option<AuthPause>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT paused_at, error, checks, next_check_at FROM delivery_auth WHERE id = 1",
    )
    .fetch_optional(exec)
    .await?)
}

/// Takes the turn to check the token (the pause as read said `seen` checks
/// were made and the next is due); false if another worker took it.
pub async fn take_check(
    conn: &mut Conn,
    seen: i64,
    now: DateTime<Utc>,
    next_check_at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE delivery_auth SET checks = $1 + 1, next_check_at = $2 \
         WHERE id = 1 AND checks = $1 AND next_check_at <= $3",
    )
    .bind(seen)
    .bind(millis(next_check_at))
    .bind(millis(now))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Ends the pause (the token works again); true if it was paused.
pub async fn resume(conn: &mut Conn) -> Result<bool, StoreError> {
    let done = sqlx::query("DELETE FROM delivery_auth WHERE id = 1")
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}
