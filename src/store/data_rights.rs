//! Forgetting a person, stopping delivery, and purging data.
//!
//! Forgetting rewrites every row that names the person to a tombstone id
//! (`UFORGOTTEN<n>`) and erases the text they wrote (moment stories,
//! check-in notes, proposal comments), so counts and totals stay right while
//! nothing they wrote or who they were remains. The `forgotten_people` row
//! that numbers the tombstone records only when.

use super::Conn;
use super::StoreError;
use super::moments::{from_millis, millis};
use crate::domain::PersonId;
use chrono::{DateTime, Utc};
use sqlx::AnyExecutor;

/// What forgetting a person changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Forgotten {
    pub tombstone: String,
    /// Their moments that are on Slack and must be deleted there: (id, channel).
    pub posted_moments: Vec<(i64, String)>,
    pub moments: u64,
    pub check_in_notes: u64,
    pub comments: u64,
    pub rows_renamed: u64,
}

pub async fn forget(
    conn: &mut Conn,
    person: &PersonId,
    now: DateTime<Utc>,
) -> Result<Forgotten, StoreError> {
    let who = person.as_str();
    let n: i64 =
        sqlx::query_scalar("INSERT INTO forgotten_people (forgotten_at) VALUES ($1) RETURNING id")
            .bind(millis(now))
            .fetch_one(&mut *conn)
            .await?;
    let tomb = PersonId::tombstone(n).to_string();
    let posted_moments: Vec<(i64, String)> = sqlx::query_as(
        "SELECT id, channel FROM moments WHERE author = $1 AND status = 'shared' AND channel IS NOT NULL AND ts IS NOT NULL",
    )
    .bind(who)
    .fetch_all(&mut *conn)
    .await?;
    // Shared moments keep counting in totals (forgotten = 1); drafts vanish.
    let moments = sqlx::query(
        "UPDATE moments SET story = '', forgotten = CASE WHEN status = 'shared' THEN 1 ELSE forgotten END, \
         status = 'deleted', author = $1, updated_at = $2 WHERE author = $3",
    )
    .bind(&tomb)
    .bind(millis(now))
    .bind(who)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    let check_in_notes =
        sqlx::query("UPDATE check_ins SET note = NULL, author = $1 WHERE author = $2")
            .bind(&tomb)
            .bind(who)
            .execute(&mut *conn)
            .await?
            .rows_affected();
    let comments =
        sqlx::query("UPDATE proposal_comments SET text = '', person_id = $1 WHERE person_id = $2")
            .bind(&tomb)
            .bind(who)
            .execute(&mut *conn)
            .await?
            .rows_affected();
    let mut rows_renamed = 0;
    for sql in [
        "UPDATE moment_recognitions SET person_id = $1 WHERE person_id = $2",
        "UPDATE moment_reactions SET person_id = $1 WHERE person_id = $2",
        "UPDATE goals SET owner = $1 WHERE owner = $2",
        "UPDATE goals SET created_by = $1 WHERE created_by = $2",
        "UPDATE proposals SET proposer = $1 WHERE proposer = $2",
        "UPDATE proposals SET decided_by = $1 WHERE decided_by = $2",
        "UPDATE proposal_supports SET person_id = $1 WHERE person_id = $2",
        "UPDATE priorities SET author = $1 WHERE author = $2",
        "UPDATE plan_changes SET actor = $1 WHERE actor = $2",
        "UPDATE nudges SET person_id = $1 WHERE person_id = $2",
        // Privacy records (migration 0016) keep who, never text.
        "UPDATE moment_removals SET author = $1 WHERE author = $2",
        "UPDATE moment_removals SET removed_by = $1 WHERE removed_by = $2",
        "UPDATE privacy_overrides SET person_id = $1 WHERE person_id = $2",
        "UPDATE moment_unnamed SET person_id = $1 WHERE person_id = $2",
    ] {
        rows_renamed += sqlx::query(sql)
            .bind(&tomb)
            .bind(who)
            .execute(&mut *conn)
            .await?
            .rows_affected();
    }
    // The audit trail's words may name them (e.g. "leaders: <@U…>").
    sqlx::query("UPDATE plan_changes SET detail = REPLACE(detail, $1, $2) WHERE detail LIKE $3")
        .bind(who)
        .bind(&tomb)
        .bind(format!("%{who}%"))
        .execute(&mut *conn)
        .await?;
    for sql in [
        "DELETE FROM team_people WHERE person_id = $1",
        "DELETE FROM org_admins WHERE person_id = $1",
        "DELETE FROM person_prefs WHERE person_id = $1",
        "DELETE FROM person_tz WHERE person_id = $1",
        "DELETE FROM person_names WHERE person_id = $1",
        "DELETE FROM privacy_opt_outs WHERE person_id = $1",
    ] {
        sqlx::query(sql).bind(who).execute(&mut *conn).await?;
    }
    // Sent and failed messages are history, and may quote them: gone.
    // Pending ones still matter to others (a post recognizing them): the
    // id is rewritten, and whatever was addressed to them is skipped.
    sqlx::query("DELETE FROM outbox WHERE status <> 'pending' AND payload LIKE $1")
        .bind(format!("%{who}%"))
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "UPDATE outbox SET payload = REPLACE(payload, $1, $2), lane = REPLACE(lane, $1, $2), \
         dedupe_key = REPLACE(dedupe_key, $1, $2) WHERE status = 'pending' AND payload LIKE $3",
    )
    .bind(who)
    .bind(&tomb)
    .bind(format!("%{who}%"))
    .execute(&mut *conn)
    .await?;
    Ok(Forgotten {
        tombstone: tomb,
        posted_moments,
        moments,
        check_in_notes,
        comments,
        rows_renamed,
    })
}

/// Records that delivery stopped (first reason wins).
pub async fn stop_delivery(
    conn: &mut Conn,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO install_state (id, stopped_at, reason) VALUES (1, $1, $2) \
         ON CONFLICT (id) DO UPDATE SET stopped_at = COALESCE(install_state.stopped_at, excluded.stopped_at), \
         reason = COALESCE(install_state.reason, excluded.reason)",
    )
    .bind(millis(now))
    .bind(reason)
    .execute(conn)
    .await?;
    Ok(())
}

/// Clears the stop after the app was installed again with a working token.
pub async fn resume_delivery(conn: &mut Conn) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE install_state SET stopped_at = NULL, reason = NULL, purged_at = NULL WHERE id = 1",
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// When and why delivery stopped, if it did.
pub async fn stopped(
    exec: impl AnyExecutor<'_>,
) -> Result<Option<(DateTime<Utc>, String)>, StoreError> {
    let row: Option<(Option<i64>, Option<String>)> =
        sqlx::query_as("SELECT stopped_at, reason FROM install_state WHERE id = 1")
            .fetch_optional(exec)
            .await?;
    Ok(match row {
        Some((Some(at), reason)) => Some((from_millis(at), reason.unwrap_or_default())),
        _ => None,
    })
}

/// True once [`purge_all`] ran for the current stop.
pub async fn purged(exec: impl AnyExecutor<'_>) -> Result<bool, StoreError> {
    let purged: Option<Option<i64>> =
        sqlx::query_scalar("SELECT purged_at FROM install_state WHERE id = 1")
            .fetch_optional(exec)
            .await?;
    Ok(matches!(purged, Some(Some(_))))
}

/// Everything the organization's people put in: goals, check-ins, moments,
/// priorities, proposals, the audit trail, pending and past messages. The
/// plan itself (org, pillars, teams) stays: it comes from the config file.
pub async fn purge_all(conn: &mut Conn, now: DateTime<Utc>) -> Result<(), StoreError> {
    for sql in [
        "DELETE FROM moment_reactions",
        "DELETE FROM moment_recognitions",
        "DELETE FROM moments",
        "DELETE FROM priority_reviews",
        "DELETE FROM priority_items",
        "DELETE FROM priorities",
        "DELETE FROM proposal_comments",
        "DELETE FROM proposal_supports",
        "UPDATE proposals SET goal_id = NULL",
        "UPDATE priority_items SET goal_id = NULL",
        "DELETE FROM check_ins",
        "DELETE FROM goals",
        "DELETE FROM proposals",
        "DELETE FROM plan_changes",
        "DELETE FROM nudges",
        "DELETE FROM job_runs",
        "DELETE FROM outbox",
        "DELETE FROM slack_events",
        "DELETE FROM person_prefs",
        "DELETE FROM person_tz",
        "DELETE FROM person_names",
        "DELETE FROM forgotten_people",
        "DELETE FROM moment_removals",
        "DELETE FROM moment_unnamed",
        "DELETE FROM privacy_overrides",
        "DELETE FROM privacy_opt_outs",
        "DELETE FROM digest_posts",
    ] {
        sqlx::query(sql).execute(&mut *conn).await?;
    }
    sqlx::query("UPDATE install_state SET purged_at = $1 WHERE id = 1")
        .bind(millis(now))
        .execute(conn)
        .await?;
    Ok(())
}

/// Empties every table, the organization included (the playground's
/// "Reset demo"; `serve` never calls it).
pub async fn erase_everything(conn: &mut Conn) -> Result<(), StoreError> {
    if super::backend_of(conn) == super::Backend::Postgres {
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema() \
             AND tablename NOT LIKE '\\_sqlx\\_%'",
        )
        .fetch_all(&mut *conn)
        .await?;
        if tables.is_empty() {
            return Ok(());
        }
        // Audited: the names come from the schema itself, quoted as
        // identifiers; nothing a person typed reaches this SQL.
        let list: Vec<String> = tables
            .iter()
            .map(|t| format!("\"{}\"", t.replace('"', "\"\"")))
            .collect();
        let sql = format!("TRUNCATE {} RESTART IDENTITY", list.join(", "));
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&mut *conn)
            .await?;
        return Ok(());
    }
    // Rows reference each other; check that only at commit.
    sqlx::query("PRAGMA defer_foreign_keys = ON")
        .execute(&mut *conn)
        .await?;
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' \
         AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlx_%'",
    )
    .fetch_all(&mut *conn)
    .await?;
    for table in tables {
        // Audited: the names come from the schema itself, quoted as
        // identifiers; nothing a person typed reaches this SQL.
        let sql = format!("DELETE FROM \"{}\"", table.replace('"', "\"\""));
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query("DELETE FROM sqlite_sequence")
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Day-to-day housekeeping: delivered or failed messages and handled event
/// ids older than `before` are no longer needed (event ids only guard
/// against Slack's retries, which stop after minutes).
pub async fn prune(conn: &mut Conn, before: DateTime<Utc>) -> Result<u64, StoreError> {
    let outbox = sqlx::query(
        "DELETE FROM outbox WHERE status <> 'pending' AND finished_at IS NOT NULL AND finished_at < $1",
    )
    .bind(millis(before))
    .execute(&mut *conn)
    .await?
    .rows_affected();
    let events = sqlx::query("DELETE FROM slack_events WHERE received_at < $1")
        .bind(millis(before))
        .execute(conn)
        .await?
        .rows_affected();
    Ok(outbox + events)
}
