//! SQL for the monthly team progress updates (`team_updates`): one row per
//! team and month, so an update is posted once however many leaders press
//! "Post".

use super::moments::{from_millis, millis};
use super::{Conn, StoreError};
use chrono::{DateTime, Utc};

/// A posted update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamUpdate {
    pub id: i64,
    pub team: String,
    pub period: String,
    pub author: String,
    pub sentence: Option<String>,
    pub at: DateTime<Utc>,
}

type Row = (i64, String, String, String, Option<String>, i64);

fn from_row((id, team, period, author, sentence, at): Row) -> TeamUpdate {
    TeamUpdate {
        id,
        team,
        period,
        author,
        sentence,
        at: from_millis(at),
    }
}

/// Records `team`'s update for `period`; `None` if it was already posted.
pub async fn insert(
    conn: &mut Conn,
    team: &str,
    period: &str,
    author: &str,
    sentence: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Option<i64>, StoreError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO team_updates (team_key, period, author, sentence, created_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (team_key, period) DO NOTHING RETURNING id",
    )
    .bind(team)
    .bind(period)
    .bind(author)
    .bind(sentence)
    .bind(millis(now))
    .fetch_optional(conn)
    .await?)
}

pub async fn get(conn: &mut Conn, id: i64) -> Result<Option<TeamUpdate>, StoreError> {
    let row: Option<Row> = sqlx::query_as(
        "SELECT id, team_key, period, author, sentence, created_at FROM team_updates WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(from_row))
}

/// `team`'s update for `period`, if posted.
pub async fn for_team(
    conn: &mut Conn,
    team: &str,
    period: &str,
) -> Result<Option<TeamUpdate>, StoreError> {
    let row: Option<Row> = sqlx::query_as(
        "SELECT id, team_key, period, author, sentence, created_at FROM team_updates \
         WHERE team_key = $1 AND period = $2",
    )
    .bind(team)
    .bind(period)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(from_row))
}

/// The teams that posted their update for `period`.
pub async fn posted_teams(conn: &mut Conn, period: &str) -> Result<Vec<String>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT team_key FROM team_updates WHERE period = $1")
            .bind(period)
            .fetch_all(conn)
            .await?,
    )
}

/// The nudges (draft DMs and reminders) sent about `team`'s update for
/// `period`: their ids, to mark them posted.
pub async fn nudges(conn: &mut Conn, jobs: &[&str], period: &str) -> Result<Vec<i64>, StoreError> {
    let mut ids = Vec::new();
    for job in jobs {
        let found: Vec<i64> =
            sqlx::query_scalar("SELECT id FROM nudges WHERE job = $1 AND period = $2")
                .bind(*job)
                .bind(period)
                .fetch_all(&mut *conn)
                .await?;
        ids.extend(found);
    }
    Ok(ids)
}
