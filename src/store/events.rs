//! SQL for Events API deliveries already handled.

use super::Conn;
use super::StoreError;
use super::moments::millis;
use chrono::{DateTime, Utc};

/// Records `event_id` as handled; false if it already was. Call it in the
/// same transaction as the event's effects.
pub async fn record(
    conn: &mut Conn,
    event_id: &str,
    event_type: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "INSERT INTO slack_events (event_id, event_type, received_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
    )
    .bind(event_id)
    .bind(event_type)
    .bind(millis(now))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
