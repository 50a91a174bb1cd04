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
