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

/// Records the teams nudge `nudge` covers, in the order its DM lists them.
pub async fn add_nudge_teams(
    conn: &mut Conn,
    nudge: i64,
    teams: &[&str],
) -> Result<(), StoreError> {
    for (position, team) in teams.iter().enumerate() {
        sqlx::query(
            "INSERT INTO nudge_teams (nudge_id, team_key, position) VALUES ($1, $2, $3) \
             ON CONFLICT (nudge_id, team_key) DO NOTHING",
        )
        .bind(nudge)
        .bind(*team)
        .bind(position as i64)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The teams nudge `nudge` covers, in its DM's order (empty for a nudge
/// recorded before nudges covered several teams).
pub async fn nudge_teams(conn: &mut Conn, nudge: i64) -> Result<Vec<String>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT team_key FROM nudge_teams WHERE nudge_id = $1 ORDER BY position, team_key",
    )
    .bind(nudge)
    .fetch_all(conn)
    .await?)
}

/// The nudges (draft DMs and reminders) sent about `team`'s update for
/// `period`: their ids, to mark that team's section posted. `jobs` names
/// the jobs of the nudges whose sections are in `nudge_teams`, and
/// `legacy` those of nudges recorded with one job name per team.
pub async fn nudges(
    conn: &mut Conn,
    team: &str,
    jobs: &[&str],
    legacy: &[&str],
    period: &str,
) -> Result<Vec<i64>, StoreError> {
    let mut ids = Vec::new();
    for job in jobs {
        let found: Vec<i64> = sqlx::query_scalar(
            "SELECT n.id FROM nudges n JOIN nudge_teams t ON t.nudge_id = n.id \
             WHERE n.job = $1 AND n.period = $2 AND t.team_key = $3 ORDER BY n.id",
        )
        .bind(*job)
        .bind(period)
        .bind(team)
        .fetch_all(&mut *conn)
        .await?;
        ids.extend(found);
    }
    for job in legacy {
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
