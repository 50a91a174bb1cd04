//! SQL for the memory of signed requests already acted on.
//!
//! A request signed by Slack stays valid for five minutes, so a copy sent
//! again inside that window would act again (three moments from one
//! `/moment`). Remembered in the database, not in one process, so a replay
//! sent to another replica is refused too. One INSERT decides atomically:
//! whoever inserts the hash first acts; everyone else is a replay. The
//! INSERT runs in the transaction of what the request does (a shared
//! moment's, see `writer`), or on its own just before it.

use super::moments::millis;
use super::writer::Remember;
use super::{Conn, StoreError};
use chrono::{DateTime, Utc};
use std::collections::HashSet;

/// Records the request's signature hash; false if it was seen before.
pub async fn remember(
    conn: &mut Conn,
    signature_hash: &str,
    expires_at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "INSERT INTO request_replays (signature_hash, expires_at) VALUES ($1, $2) \
         ON CONFLICT (signature_hash) DO NOTHING",
    )
    .bind(signature_hash)
    .bind(millis(expires_at))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Forgets hashes whose requests no longer pass the signature check.
pub async fn prune(conn: &mut Conn, now: DateTime<Utc>) -> Result<u64, StoreError> {
    let done = sqlx::query("DELETE FROM request_replays WHERE expires_at <= $1")
        .bind(millis(now))
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}

/// Records many requests with one INSERT; returns the hashes that were new
/// (those not returned were seen before). The hashes must be distinct.
pub async fn remember_many(
    conn: &mut Conn,
    rows: &[&Remember],
) -> Result<HashSet<String>, StoreError> {
    let sql = format!(
        "INSERT INTO request_replays (signature_hash, expires_at) VALUES {} \
         ON CONFLICT (signature_hash) DO NOTHING RETURNING signature_hash",
        super::values_placeholders(rows.len(), 2)
    );
    // Audited: only numbered placeholders are formatted into the SQL.
    let mut insert = sqlx::query_scalar(sqlx::AssertSqlSafe(sql));
    for row in rows {
        insert = insert.bind(row.hash.as_str()).bind(millis(row.until));
    }
    let fresh: Vec<String> = insert.fetch_all(&mut *conn).await?;
    Ok(fresh.into_iter().collect())
}
