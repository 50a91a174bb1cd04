//! SQL for mission moments, their recognitions and reactions.

use super::Conn;
use super::StoreError;
use crate::domain::moment::{Moment, MomentStatus};
use crate::domain::{Audience, MomentDraft, MomentId, PersonId, PillarKey};
use chrono::{DateTime, TimeZone, Utc};
use sqlx::{AnyExecutor, FromRow};

#[derive(FromRow)]
struct MomentRow {
    id: i64,
    author: String,
    story: String,
    pillar_key: Option<String>,
    audience: String,
    status: String,
    channel: Option<String>,
    ts: Option<String>,
    created_at: i64,
    reactions: i64,
}

/// The moment columns plus its reaction count, then `$rest` (WHERE …).
macro_rules! select_moment {
    ($rest:literal) => {
        concat!(
            "SELECT m.id, m.author, m.story, m.pillar_key, m.audience, m.status, m.channel, m.ts, m.created_at, ",
            "(SELECT COUNT(*) FROM moment_reactions r WHERE r.moment_id = m.id) AS reactions ",
            "FROM moments m ",
            $rest
        )
    };
}

pub(crate) fn millis(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

pub(crate) fn from_millis(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

impl MomentRow {
    fn into_domain(self, recognized: Vec<PersonId>) -> Result<Moment, StoreError> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("moment {}: bad {what}", self.id));
        Ok(Moment {
            id: MomentId(self.id),
            author: PersonId::parse(&self.author).map_err(|_| corrupt("author"))?,
            pillar: match &self.pillar_key {
                Some(k) => Some(PillarKey::parse(k).map_err(|_| corrupt("pillar"))?),
                None => None,
            },
            audience: Audience::parse(&self.audience).ok_or_else(|| corrupt("audience"))?,
            status: MomentStatus::parse(&self.status).ok_or_else(|| corrupt("status"))?,
            post: self.channel.clone().zip(self.ts.clone()),
            recognized,
            reactions: self.reactions,
            created_at: from_millis(self.created_at),
            story: self.story,
        })
    }
}

/// Stores a new moment (with its recognitions) and returns its id.
pub async fn insert(
    conn: &mut Conn,
    draft: &MomentDraft,
    status: MomentStatus,
    now: DateTime<Utc>,
) -> Result<MomentId, StoreError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO moments (author, story, pillar_key, audience, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(draft.author.as_str())
    .bind(draft.story.as_str())
    .bind(draft.pillar.as_ref().map(PillarKey::as_str))
    .bind(draft.audience.as_str())
    .bind(status.as_str())
    .bind(millis(now))
    .bind(millis(now))
    .fetch_one(&mut *conn)
    .await?;
    insert_recognitions(conn, id, draft.recognized.people()).await?;
    Ok(MomentId(id))
}

/// Stores many shared moments with one multi-row INSERT (the group-commit
/// hot path); returns their ids in the order given.
///
/// Why sorting the returned ids gives that order: SQLite assigns the rowids
/// of one INSERT in the order of its VALUES rows, each above the last, while
/// RETURNING itself promises no order.
pub async fn insert_shared_many(
    conn: &mut Conn,
    drafts: &[(&MomentDraft, DateTime<Utc>)],
) -> Result<Vec<MomentId>, StoreError> {
    if drafts.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "INSERT INTO moments (author, story, pillar_key, audience, status, created_at, updated_at) VALUES {} RETURNING id",
        super::values_placeholders(drafts.len(), 7)
    );
    // Audited: only numbered placeholders are formatted into the SQL.
    let mut insert = sqlx::query_scalar(sqlx::AssertSqlSafe(sql));
    for (draft, now) in drafts {
        insert = insert
            .bind(draft.author.as_str())
            .bind(draft.story.as_str())
            .bind(draft.pillar.as_ref().map(PillarKey::as_str))
            .bind(draft.audience.as_str())
            .bind(MomentStatus::Shared.as_str())
            .bind(millis(*now))
            .bind(millis(*now));
    }
    let mut ids: Vec<i64> = insert.fetch_all(&mut *conn).await?;
    if ids.len() != drafts.len() {
        return Err(StoreError::Corrupt(format!(
            "inserted {} moments but got {} ids",
            drafts.len(),
            ids.len()
        )));
    }
    ids.sort_unstable();
    for ((draft, _), id) in drafts.iter().zip(&ids) {
        if !draft.recognized.is_empty() {
            insert_recognitions(conn, *id, draft.recognized.people()).await?;
        }
    }
    Ok(ids.into_iter().map(MomentId).collect())
}

/// The times of the moments each of `authors` shared (or held for review
/// and posted) since `since`, oldest first: what the hourly limit counts.
pub async fn shared_since_by(
    conn: &mut Conn,
    authors: &[&str],
    since: DateTime<Utc>,
) -> Result<std::collections::HashMap<String, Vec<DateTime<Utc>>>, StoreError> {
    let mut by_author = std::collections::HashMap::new();
    if authors.is_empty() {
        return Ok(by_author);
    }
    let list: Vec<String> = (2..authors.len() + 2).map(|n| format!("${n}")).collect();
    let sql = format!(
        "SELECT author, created_at FROM moments WHERE created_at >= $1 AND status <> 'draft' \
         AND author IN ({}) ORDER BY created_at",
        list.join(", ")
    );
    // Audited: only numbered placeholders are formatted into the SQL.
    let mut select =
        sqlx::query_as::<_, (String, i64)>(sqlx::AssertSqlSafe(sql)).bind(millis(since));
    for author in authors {
        select = select.bind(*author);
    }
    for (author, at) in select.fetch_all(&mut *conn).await? {
        by_author
            .entry(author)
            .or_insert_with(Vec::new)
            .push(from_millis(at));
    }
    Ok(by_author)
}

async fn insert_recognitions(
    conn: &mut Conn,
    id: i64,
    people: &[PersonId],
) -> Result<(), StoreError> {
    for person in people {
        sqlx::query("INSERT INTO moment_recognitions (moment_id, person_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(id)
            .bind(person.as_str())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

async fn recognitions(exec: &mut Conn, id: i64) -> Result<Vec<PersonId>, StoreError> {
    let rows: Vec<String> = sqlx::query_scalar(
        "SELECT person_id FROM moment_recognitions WHERE moment_id = $1 ORDER BY rowid",
    )
    .bind(id)
    .fetch_all(exec)
    .await?;
    rows.iter()
        .map(|p| {
            PersonId::parse(p)
                .map_err(|_| StoreError::Corrupt(format!("moment {id}: bad recognized person")))
        })
        .collect()
}

/// One moment with its recognitions and reaction count.
pub async fn get(conn: &mut Conn, id: MomentId) -> Result<Option<Moment>, StoreError> {
    let row: Option<MomentRow> = sqlx::query_as(select_moment!("WHERE m.id = $1"))
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await?;
    match row {
        Some(row) => {
            let people = recognitions(conn, row.id).await?;
            Ok(Some(row.into_domain(people)?))
        }
        None => Ok(None),
    }
}

/// The moment whose post is the message `(channel, ts)`, if any.
pub async fn by_post(
    exec: impl AnyExecutor<'_>,
    channel: &str,
    ts: &str,
) -> Result<Option<MomentId>, StoreError> {
    let id: Option<i64> =
        sqlx::query_scalar("SELECT id FROM moments WHERE channel = $1 AND ts = $2")
            .bind(channel)
            .bind(ts)
            .fetch_optional(exec)
            .await?;
    Ok(id.map(MomentId))
}

/// Lists moments for the Home tab: `author` given → that person's (not
/// deleted), otherwise the latest shared to the whole channel.
pub async fn list(
    conn: &mut Conn,
    author: Option<&PersonId>,
    limit: i64,
) -> Result<Vec<Moment>, StoreError> {
    let rows: Vec<MomentRow> =
        match author {
            Some(author) => {
                sqlx::query_as(select_moment!(
                    "WHERE m.author = $1 AND m.status <> 'deleted' ORDER BY m.id DESC LIMIT $2"
                ))
                .bind(author.as_str())
                .bind(limit)
                .fetch_all(&mut *conn)
                .await?
            }
            None => sqlx::query_as(select_moment!(
                "WHERE m.status = 'shared' AND m.audience = 'channel' ORDER BY m.id DESC LIMIT $1"
            ))
            .bind(limit)
            .fetch_all(&mut *conn)
            .await?,
        };
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let people = recognitions(conn, row.id).await?;
        out.push(row.into_domain(people)?);
    }
    Ok(out)
}

pub async fn set_status(
    conn: &mut Conn,
    id: MomentId,
    status: MomentStatus,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE moments SET status = $1, updated_at = $2 WHERE id = $3")
        .bind(status.as_str())
        .bind(millis(now))
        .bind(id.0)
        .execute(conn)
        .await?;
    Ok(())
}

/// Replaces a moment's content; the audience and author never change.
pub async fn update_content(
    conn: &mut Conn,
    id: MomentId,
    draft: &MomentDraft,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE moments SET story = $1, pillar_key = $2, updated_at = $3 WHERE id = $4")
        .bind(draft.story.as_str())
        .bind(draft.pillar.as_ref().map(PillarKey::as_str))
        .bind(millis(now))
        .bind(id.0)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM moment_recognitions WHERE moment_id = $1")
        .bind(id.0)
        .execute(&mut *conn)
        .await?;
    insert_recognitions(conn, id.0, draft.recognized.people()).await
}

/// Marks deleted and forgets the story and the people named in it.
pub async fn mark_deleted(
    conn: &mut Conn,
    id: MomentId,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE moments SET status = 'deleted', story = '', updated_at = $1 WHERE id = $2")
        .bind(millis(now))
        .bind(id.0)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM moment_recognitions WHERE moment_id = $1")
        .bind(id.0)
        .execute(conn)
        .await?;
    Ok(())
}

/// Removes a draft that was never posted (discarded or superseded).
pub async fn delete_draft(conn: &mut Conn, id: MomentId) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM moments WHERE id = $1 AND status = 'draft'")
        .bind(id.0)
        .execute(conn)
        .await?;
    Ok(())
}

/// Records a reaction; returns false if it was already there.
pub async fn add_reaction(
    conn: &mut Conn,
    id: MomentId,
    person: &str,
    reaction: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "INSERT INTO moment_reactions (moment_id, person_id, reaction, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT DO NOTHING",
    )
    .bind(id.0)
    .bind(person)
    .bind(reaction)
    .bind(millis(now))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn remove_reaction(
    conn: &mut Conn,
    id: MomentId,
    person: &str,
    reaction: &str,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "DELETE FROM moment_reactions WHERE moment_id = $1 AND person_id = $2 AND reaction = $3",
    )
    .bind(id.0)
    .bind(person)
    .bind(reaction)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
