//! SQL for monthly priorities.

use super::Conn;
use super::StoreError;
use super::moments::{from_millis, millis};
use chrono::{DateTime, Utc};
use sqlx::AnyExecutor;

/// A team's priorities for a month, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    pub id: i64,
    pub team: String,
    pub period: String,
    pub author: String,
    pub published_at: DateTime<Utc>,
    pub post: Option<(String, String)>,
    pub items: Vec<String>,
    /// The goal each item serves, if linked (same order as `items`).
    pub goals: Vec<Option<i64>>,
    /// How last month's items ended: (text, "done" | "carried-over" | "dropped").
    pub review: Vec<(String, String)>,
}

type Row = (
    i64,
    String,
    String,
    String,
    i64,
    Option<String>,
    Option<String>,
);

async fn with_items(conn: &mut Conn, row: Option<Row>) -> Result<Option<Published>, StoreError> {
    let Some((id, team, period, author, at, channel, ts)) = row else {
        return Ok(None);
    };
    let rows: Vec<(String, Option<i64>)> = sqlx::query_as(
        "SELECT text, goal_id FROM priority_items WHERE priority_id = $1 ORDER BY position",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let review: Vec<(String, String)> = sqlx::query_as(
        "SELECT text, outcome FROM priority_reviews WHERE priority_id = $1 ORDER BY position",
    )
    .bind(id)
    .fetch_all(conn)
    .await?;
    let (items, goals) = rows.into_iter().unzip();
    Ok(Some(Published {
        id,
        team,
        period,
        author,
        published_at: from_millis(at),
        post: channel.zip(ts),
        items,
        goals,
        review,
    }))
}

pub async fn for_team(
    conn: &mut Conn,
    team: &str,
    period: &str,
) -> Result<Option<Published>, StoreError> {
    let row: Option<Row> = sqlx::query_as(
        "SELECT id, team_key, period, author, published_at, channel, ts FROM priorities WHERE team_key = $1 AND period = $2",
    )
    .bind(team)
    .bind(period)
    .fetch_optional(&mut *conn)
    .await?;
    with_items(conn, row).await
}

pub async fn get(
    conn: &mut Conn,
    id: crate::domain::ids::PriorityId,
) -> Result<Option<Published>, StoreError> {
    let row: Option<Row> =
        sqlx::query_as("SELECT id, team_key, period, author, published_at, channel, ts FROM priorities WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&mut *conn)
            .await?;
    with_items(conn, row).await
}

/// Publishes (or republishes) a team's priorities for `period`; returns the
/// id and whether this replaced an earlier publication.
pub async fn publish(
    conn: &mut Conn,
    team: &str,
    period: &str,
    author: &str,
    items: &[(String, Option<i64>)],
    review: &[(String, String)],
    now: DateTime<Utc>,
) -> Result<(i64, bool), StoreError> {
    let existing: Option<i64> =
        sqlx::query_scalar("SELECT id FROM priorities WHERE team_key = $1 AND period = $2")
            .bind(team)
            .bind(period)
            .fetch_optional(&mut *conn)
            .await?;
    let id = match existing {
        Some(id) => {
            sqlx::query("UPDATE priorities SET author = $1, published_at = $2 WHERE id = $3")
                .bind(author)
                .bind(millis(now))
                .bind(id)
                .execute(&mut *conn)
                .await?;
            sqlx::query("DELETE FROM priority_items WHERE priority_id = $1")
                .bind(id)
                .execute(&mut *conn)
                .await?;
            sqlx::query("DELETE FROM priority_reviews WHERE priority_id = $1")
                .bind(id)
                .execute(&mut *conn)
                .await?;
            id
        }
        None => {
            sqlx::query_scalar(
                "INSERT INTO priorities (team_key, period, author, published_at) VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(team)
            .bind(period)
            .bind(author)
            .bind(millis(now))
            .fetch_one(&mut *conn)
            .await?
        }
    };
    for (position, (text, goal)) in items.iter().enumerate() {
        sqlx::query(
            "INSERT INTO priority_items (priority_id, position, text, goal_id) VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(position as i64)
        .bind(text)
        .bind(goal)
        .execute(&mut *conn)
        .await?;
    }
    for (position, (text, outcome)) in review.iter().enumerate() {
        sqlx::query("INSERT INTO priority_reviews (priority_id, position, text, outcome) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(position as i64)
            .bind(text)
            .bind(outcome)
            .execute(&mut *conn)
            .await?;
    }
    Ok((id, existing.is_some()))
}

/// Teams that published for `period`: (team, published_at).
pub async fn published_teams(
    exec: impl AnyExecutor<'_>,
    period: &str,
) -> Result<Vec<(String, i64)>, StoreError> {
    Ok(
        sqlx::query_as("SELECT team_key, published_at FROM priorities WHERE period = $1")
            .bind(period)
            .fetch_all(exec)
            .await?,
    )
}

/// The organization's priorities for a month, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgPublished {
    pub id: i64,
    pub period: String,
    pub author: String,
    pub published_at: DateTime<Utc>,
    pub post: Option<(String, String)>,
    pub items: Vec<String>,
}

type OrgRow = (i64, String, String, i64, Option<String>, Option<String>);

async fn org_with_items(
    conn: &mut super::Conn,
    row: Option<OrgRow>,
) -> Result<Option<OrgPublished>, StoreError> {
    let Some((id, period, author, at, channel, ts)) = row else {
        return Ok(None);
    };
    let items: Vec<String> = sqlx::query_scalar(
        "SELECT text FROM org_priority_items WHERE org_priority_id = $1 ORDER BY position",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(Some(OrgPublished {
        id,
        period,
        author,
        published_at: from_millis(at),
        post: channel.zip(ts),
        items,
    }))
}

/// The organization's priorities for `period`, if published.
pub async fn org_for_period(
    conn: &mut super::Conn,
    period: &str,
) -> Result<Option<OrgPublished>, StoreError> {
    let row: Option<OrgRow> = sqlx::query_as(
        "SELECT id, period, author, published_at, channel, ts FROM org_priorities WHERE period = $1",
    )
    .bind(period)
    .fetch_optional(&mut *conn)
    .await?;
    org_with_items(conn, row).await
}

pub async fn org_get(conn: &mut super::Conn, id: i64) -> Result<Option<OrgPublished>, StoreError> {
    let row: Option<OrgRow> = sqlx::query_as(
        "SELECT id, period, author, published_at, channel, ts FROM org_priorities WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    org_with_items(conn, row).await
}

/// Publishes (or republishes) the organization's priorities for `period`;
/// returns the id and whether this replaced an earlier publication. The
/// row is claimed by the unique period, so two executives publishing at once
/// make one publication (the later items win).
pub async fn org_publish(
    conn: &mut super::Conn,
    period: &str,
    author: &str,
    items: &[String],
    now: DateTime<Utc>,
) -> Result<(i64, bool), StoreError> {
    let inserted: Option<i64> = sqlx::query_scalar(
        "INSERT INTO org_priorities (period, author, published_at) VALUES ($1, $2, $3) \
         ON CONFLICT (period) DO NOTHING RETURNING id",
    )
    .bind(period)
    .bind(author)
    .bind(millis(now))
    .fetch_optional(&mut *conn)
    .await?;
    let (id, again) = match inserted {
        Some(id) => (id, false),
        None => {
            let id: i64 = sqlx::query_scalar(
                "UPDATE org_priorities SET author = $1, published_at = $2 WHERE period = $3 RETURNING id",
            )
            .bind(author)
            .bind(millis(now))
            .bind(period)
            .fetch_one(&mut *conn)
            .await?;
            sqlx::query("DELETE FROM org_priority_items WHERE org_priority_id = $1")
                .bind(id)
                .execute(&mut *conn)
                .await?;
            (id, true)
        }
    };
    for (position, text) in items.iter().enumerate() {
        sqlx::query(
            "INSERT INTO org_priority_items (org_priority_id, position, text) VALUES ($1, $2, $3)",
        )
        .bind(id)
        .bind(position as i64)
        .bind(text)
        .execute(&mut *conn)
        .await?;
    }
    Ok((id, again))
}

/// Links `team`'s items of `period` to organization priorities: `links`
/// holds, by item position, the organization item's 1-based number.
pub async fn link_org_items(
    conn: &mut super::Conn,
    priority: i64,
    links: &[Option<i64>],
) -> Result<(), StoreError> {
    for (position, link) in links.iter().enumerate() {
        sqlx::query(
            "UPDATE priority_items SET org_item = $1 WHERE priority_id = $2 AND position = $3",
        )
        .bind(*link)
        .bind(priority)
        .bind(position as i64)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The organization items (1-based numbers) teams linked in `period`, with
/// the teams that picked each: (number, team).
pub async fn org_items_picked(
    exec: impl AnyExecutor<'_>,
    period: &str,
) -> Result<Vec<(i64, String)>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT DISTINCT i.org_item, p.team_key FROM priority_items i \
         JOIN priorities p ON p.id = i.priority_id \
         WHERE p.period = $1 AND i.org_item IS NOT NULL ORDER BY i.org_item, p.team_key",
    )
    .bind(period)
    .fetch_all(exec)
    .await?)
}

/// The organization item each of a team publication's items serves.
pub async fn org_links(
    exec: impl AnyExecutor<'_>,
    priority: i64,
) -> Result<Vec<Option<i64>>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT org_item FROM priority_items WHERE priority_id = $1 ORDER BY position",
    )
    .bind(priority)
    .fetch_all(exec)
    .await?)
}

/// Per pillar, the active goals of `year`: (pillar, on track, at risk or
/// off track, not checked in yet).
pub async fn goal_confidence_per_pillar(
    exec: impl AnyExecutor<'_>,
    year: i32,
) -> Result<Vec<(String, i64, i64, i64)>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT pillar_key, \
         SUM(CASE WHEN confidence = 'on-track' THEN 1 ELSE 0 END), \
         SUM(CASE WHEN confidence IN ('at-risk', 'off-track') THEN 1 ELSE 0 END), \
         SUM(CASE WHEN confidence IS NULL THEN 1 ELSE 0 END) \
         FROM goals WHERE plan_year = $1 AND status = 'active' GROUP BY pillar_key",
    )
    .bind(year)
    .fetch_all(exec)
    .await?)
}
