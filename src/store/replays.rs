//! SQL for the memory of signed requests already acted on.
//!
//! A request signed by Slack stays valid for five minutes, so a copy sent
//! again inside that window would act again (three moments from one
//! `/moment`). Remembered in the database, not in one process, so a replay
//! sent to another replica is refused too. One INSERT decides atomically:
//! whoever inserts the hash first acts; everyone else is a replay. The
//! INSERT runs in the transaction of what the request does (a shared
//! moment's, see `writer`), or on its own just before it.
//!
//! On SQLite the key is (expires_at, signature_hash): the expiry is the end
//! of the window of the timestamp the signature covers, so the pair is
//! unique exactly when the hash is, and one tree ordered by expiry takes new
//! entries on its last page and is pruned from its first (migration 0022).
//! PostgreSQL keeps the hash as its key. The INSERTs name no conflict
//! target, so the same SQL fits both, and a SQLite connection whose schema
//! predates the migration does not fail to prepare it.

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
         ON CONFLICT DO NOTHING",
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
         ON CONFLICT DO NOTHING RETURNING signature_hash",
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;
    use chrono::TimeZone;

    /// Migration 0022 rebuilds the table: what was remembered before it is
    /// still refused after it, and the new key prunes as the old did.
    #[tokio::test]
    async fn the_rebuilt_memory_keeps_what_it_held_and_prunes_by_expiry() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("r.db").display());
        let store = Store::connect(&url).await.unwrap();
        let until = Utc.with_ymd_and_hms(2026, 11, 27, 9, 5, 1).unwrap();
        let later = until + chrono::Duration::minutes(1);
        store
            .backend()
            .migrations()
            .run_to(21, store.reads())
            .await
            .unwrap();
        let mut conn = store.read_conn().await.unwrap();
        sqlx::query("INSERT INTO request_replays (signature_hash, expires_at) VALUES ('old', $1)")
            .bind(millis(until))
            .execute(&mut *conn)
            .await
            .unwrap();

        store.migrate().await.unwrap();
        assert!(!remember(&mut conn, "old", until).await.unwrap());
        assert!(remember(&mut conn, "new", later).await.unwrap());
        assert!(!remember(&mut conn, "new", later).await.unwrap());
        let fresh = remember_many(
            &mut conn,
            &[
                &Remember {
                    hash: "new".into(),
                    until: later,
                },
                &Remember {
                    hash: "third".into(),
                    until: later,
                },
            ],
        )
        .await
        .unwrap();
        assert_eq!(fresh, HashSet::from(["third".to_owned()]));

        assert_eq!(prune(&mut conn, until).await.unwrap(), 1);
        assert!(remember(&mut conn, "old", until).await.unwrap());
        assert_eq!(prune(&mut conn, later).await.unwrap(), 3);
    }
}
