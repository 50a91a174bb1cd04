//! SQL for privacy: the history of moments taken down, people who asked not
//! to be named, "Don't name me" requests, overrides of the guard, and the
//! count behind the per-person moments limit.
//!
//! Nothing here keeps a story's text: a takedown erases it from `moments`
//! and leaves only who removed which moment and when.

use super::Conn;
use super::StoreError;
use super::moments::{from_millis, millis};
use crate::domain::{MomentId, PersonId};
use chrono::{DateTime, Utc};

/// One moment taken down: by whom and when, and the month of an
/// already-sent digest that quoted it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removal {
    pub moment: MomentId,
    pub author: String,
    pub removed_by: String,
    pub removed_at: DateTime<Utc>,
    pub digest_sent: Option<String>,
}

/// Records a takedown; false if the moment was already taken down (the
/// unique key closes a double click's race).
pub async fn record_removal(conn: &mut Conn, removal: &Removal) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "INSERT INTO moment_removals (moment_id, author, removed_by, removed_at, digest_sent) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (moment_id) DO NOTHING",
    )
    .bind(removal.moment.0)
    .bind(removal.author.as_str())
    .bind(removal.removed_by.as_str())
    .bind(millis(removal.removed_at))
    .bind(removal.digest_sent.as_deref())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The takedown of `moment`, if it was taken down.
pub async fn removal(conn: &mut Conn, moment: MomentId) -> Result<Option<Removal>, StoreError> {
    let row: Option<(i64, String, String, i64, Option<String>)> = sqlx::query_as(
        "SELECT moment_id, author, removed_by, removed_at, digest_sent \
         FROM moment_removals WHERE moment_id = $1",
    )
    .bind(moment.0)
    .fetch_optional(conn)
    .await?;
    Ok(
        row.map(|(id, author, removed_by, at, digest_sent)| Removal {
            moment: MomentId(id),
            author,
            removed_by,
            removed_at: from_millis(at),
            digest_sent,
        }),
    )
}

/// The creation times of `author`'s moments that went (or are going) to a
/// channel since `since`, oldest first: what the per-person limit counts.
/// Held drafts do not count until they are posted.
pub async fn shared_since(
    conn: &mut Conn,
    author: &PersonId,
    since: DateTime<Utc>,
) -> Result<Vec<DateTime<Utc>>, StoreError> {
    let times: Vec<i64> = sqlx::query_scalar(
        "SELECT created_at FROM moments WHERE author = $1 AND created_at >= $2 \
         AND status <> 'draft' ORDER BY created_at",
    )
    .bind(author.as_str())
    .bind(millis(since))
    .fetch_all(conn)
    .await?;
    Ok(times.into_iter().map(from_millis).collect())
}

/// Turns "don't name me in future moments" on or off for `person`.
pub async fn set_opt_out(
    conn: &mut Conn,
    person: &PersonId,
    opted_out: bool,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    if opted_out {
        sqlx::query(
            "INSERT INTO privacy_opt_outs (person_id, created_at) VALUES ($1, $2) \
             ON CONFLICT (person_id) DO NOTHING",
        )
        .bind(person.as_str())
        .bind(millis(now))
        .execute(conn)
        .await?;
    } else {
        sqlx::query("DELETE FROM privacy_opt_outs WHERE person_id = $1")
            .bind(person.as_str())
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// Whether `person` asked not to be named in future moments.
pub async fn is_opted_out(conn: &mut Conn, person: &PersonId) -> Result<bool, StoreError> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM privacy_opt_outs WHERE person_id = $1")
            .bind(person.as_str())
            .fetch_optional(conn)
            .await?;
    Ok(found.is_some())
}

/// Of `people`, those who asked not to be named, in the order given.
pub async fn opted_out_among(
    conn: &mut Conn,
    people: &[PersonId],
) -> Result<Vec<PersonId>, StoreError> {
    let mut out = Vec::new();
    for person in people {
        if is_opted_out(&mut *conn, person).await? {
            out.push(person.clone());
        }
    }
    Ok(out)
}

/// Records that `person` asked not to be named in `moment`; false if they
/// already had.
pub async fn record_unnamed(
    conn: &mut Conn,
    moment: MomentId,
    person: &PersonId,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "INSERT INTO moment_unnamed (moment_id, person_id, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (moment_id, person_id) DO NOTHING",
    )
    .bind(moment.0)
    .bind(person.as_str())
    .bind(millis(now))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Whether anyone asked not to be named in `moment` (its post then says it
/// was edited at the request of a person named).
pub async fn was_unnamed(conn: &mut Conn, moment: MomentId) -> Result<bool, StoreError> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM moment_unnamed WHERE moment_id = $1 LIMIT 1")
            .bind(moment.0)
            .fetch_optional(conn)
            .await?;
    Ok(found.is_some())
}

/// Records a "post as written" past the guard: who, which moment, which
/// kinds of findings (never the text). Returns the override's id.
pub async fn record_override(
    conn: &mut Conn,
    person: &PersonId,
    moment: Option<MomentId>,
    findings: &str,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO privacy_overrides (person_id, moment_id, findings, created_at) \
         VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(person.as_str())
    .bind(moment.map(|m| m.0))
    .bind(findings)
    .bind(millis(now))
    .fetch_one(conn)
    .await?)
}

/// One override as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    pub person: String,
    pub moment: Option<MomentId>,
    pub findings: String,
    pub at: DateTime<Utc>,
}

pub async fn override_by_id(conn: &mut Conn, id: i64) -> Result<Option<Override>, StoreError> {
    let row: Option<(String, Option<i64>, String, i64)> = sqlx::query_as(
        "SELECT person_id, moment_id, findings, created_at FROM privacy_overrides WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|(person, moment, findings, at)| Override {
        person,
        moment: moment.map(MomentId),
        findings,
        at: from_millis(at),
    }))
}

/// The names the bot cached for `person` (real name, display name), to
/// take out of a story when they ask not to be named.
pub async fn names_of(conn: &mut Conn, person: &PersonId) -> Result<Vec<String>, StoreError> {
    let row: Option<(Option<String>, Option<String>)> =
        sqlx::query_as("SELECT real_name, display_name FROM person_names WHERE person_id = $1")
            .bind(person.as_str())
            .fetch_optional(conn)
            .await?;
    Ok(row
        .map(|(real, display)| real.into_iter().chain(display).collect())
        .unwrap_or_default())
}

/// Replaces a moment's story and recognitions after a person asked not to
/// be named; the rest of the moment is unchanged.
pub async fn rewrite_story(
    conn: &mut Conn,
    moment: MomentId,
    story: &str,
    unnamed: &PersonId,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE moments SET story = $1, updated_at = $2 WHERE id = $3")
        .bind(story)
        .bind(millis(now))
        .bind(moment.0)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM moment_recognitions WHERE moment_id = $1 AND person_id = $2")
        .bind(moment.0)
        .bind(unnamed.as_str())
        .execute(conn)
        .await?;
    Ok(())
}

/// Records where the moments digest of `month` (`2026-11`) was posted.
pub async fn record_digest_post(
    conn: &mut Conn,
    month: &str,
    channel: &str,
    ts: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO digest_posts (month, channel, ts) VALUES ($1, $2, $3) \
         ON CONFLICT (month) DO UPDATE SET channel = excluded.channel, ts = excluded.ts",
    )
    .bind(month)
    .bind(channel)
    .bind(ts)
    .execute(conn)
    .await?;
    Ok(())
}

/// Where the moments digest of `month` was posted, if the bot knows.
pub async fn digest_post(
    conn: &mut Conn,
    month: &str,
) -> Result<Option<(String, String)>, StoreError> {
    Ok(
        sqlx::query_as("SELECT channel, ts FROM digest_posts WHERE month = $1")
            .bind(month)
            .fetch_optional(conn)
            .await?,
    )
}
