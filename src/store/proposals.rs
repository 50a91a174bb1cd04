//! SQL for goal proposals, their supporters and comments.

use super::Conn;
use super::StoreError;
use super::moments::{from_millis, millis};
use crate::domain::goal::{GoalId, GoalKind, PlanYear, ProposalStatus};
use crate::domain::{PersonId, PillarKey, TeamKey};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{AnyExecutor, FromRow};

/// A proposal with its counts, as the app sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    pub id: i64,
    pub title: String,
    pub pillar: PillarKey,
    pub team: TeamKey,
    pub proposer: PersonId,
    pub year: PlanYear,
    pub kind: GoalKind,
    pub due: Option<NaiveDate>,
    pub status: ProposalStatus,
    pub decided_by: Option<PersonId>,
    pub goal: Option<GoalId>,
    pub post: Option<(String, String)>,
    pub supporters: i64,
    pub comments: i64,
    pub created_at: DateTime<Utc>,
}

#[derive(FromRow)]
struct Row {
    id: i64,
    title: String,
    pillar_key: String,
    team_key: String,
    proposer: String,
    plan_year: i64,
    kind: String,
    due_date: Option<String>,
    status: String,
    decided_by: Option<String>,
    goal_id: Option<i64>,
    channel: Option<String>,
    ts: Option<String>,
    supporters: i64,
    comments: i64,
    created_at: i64,
}

macro_rules! select_proposal {
    ($rest:literal) => {
        concat!(
            "SELECT p.id, p.title, p.pillar_key, p.team_key, p.proposer, p.plan_year, p.kind, p.due_date, p.status, ",
            "p.decided_by, p.goal_id, p.channel, p.ts, p.created_at, ",
            "(SELECT COUNT(*) FROM proposal_supports s WHERE s.proposal_id = p.id) AS supporters, ",
            "(SELECT COUNT(*) FROM proposal_comments c WHERE c.proposal_id = p.id) AS comments ",
            "FROM proposals p ",
            $rest
        )
    };
}

impl Row {
    fn into_domain(self) -> Result<Proposal, StoreError> {
        let id = self.id;
        let bad = |what: &str| StoreError::Corrupt(format!("proposal {id}: bad {what}"));
        Ok(Proposal {
            id,
            pillar: PillarKey::parse(&self.pillar_key).map_err(|_| bad("pillar"))?,
            team: TeamKey::parse(&self.team_key).map_err(|_| bad("team"))?,
            proposer: PersonId::parse(&self.proposer).map_err(|_| bad("proposer"))?,
            year: PlanYear::new(self.plan_year as i32).map_err(|_| bad("year"))?,
            kind: serde_json::from_str(&self.kind).map_err(|_| bad("kind"))?,
            due: match &self.due_date {
                Some(d) => Some(NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| bad("due"))?),
                None => None,
            },
            status: ProposalStatus::parse(&self.status).ok_or_else(|| bad("status"))?,
            decided_by: match &self.decided_by {
                Some(p) => Some(PersonId::parse(p).map_err(|_| bad("decider"))?),
                None => None,
            },
            goal: self.goal_id.map(GoalId),
            post: self.channel.zip(self.ts),
            supporters: self.supporters,
            comments: self.comments,
            created_at: from_millis(self.created_at),
            title: self.title,
        })
    }
}

/// A proposal to store (already validated as a goal would be).
pub struct NewProposal<'a> {
    pub title: &'a str,
    pub pillar: &'a PillarKey,
    pub team: &'a TeamKey,
    pub proposer: &'a PersonId,
    pub year: PlanYear,
    pub kind: &'a GoalKind,
    pub due: Option<NaiveDate>,
}

pub async fn insert(
    conn: &mut Conn,
    p: &NewProposal<'_>,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO proposals (title, pillar_key, team_key, proposer, plan_year, kind, due_date, status, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8) RETURNING id",
    )
    .bind(p.title)
    .bind(p.pillar.as_str())
    .bind(p.team.as_str())
    .bind(p.proposer.as_str())
    .bind(p.year.value())
    .bind(serde_json::to_string(p.kind).expect("goal kinds serialize"))
    .bind(p.due.map(|d| d.format("%Y-%m-%d").to_string()))
    .bind(millis(now))
    .fetch_one(conn)
    .await?)
}

pub async fn get(
    exec: impl AnyExecutor<'_>,
    id: crate::domain::ids::ProposalId,
) -> Result<Option<Proposal>, StoreError> {
    let row: Option<Row> = sqlx::query_as(select_proposal!("WHERE p.id = $1"))
        .bind(id.0)
        .fetch_optional(exec)
        .await?;
    row.map(Row::into_domain).transpose()
}

/// Open proposals of a team, newest first.
pub async fn open_for_team(
    exec: impl AnyExecutor<'_>,
    team: &TeamKey,
    limit: i64,
) -> Result<Vec<Proposal>, StoreError> {
    let rows: Vec<Row> = sqlx::query_as(select_proposal!(
        "WHERE p.status = 'open' AND p.team_key = $1 ORDER BY p.id DESC LIMIT $2"
    ))
    .bind(team.as_str())
    .bind(limit)
    .fetch_all(exec)
    .await?;
    rows.into_iter().map(Row::into_domain).collect()
}

/// Adds or removes `person`'s support; returns true if they now support it.
pub async fn toggle_support(
    conn: &mut Conn,
    id: i64,
    person: &PersonId,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let removed =
        sqlx::query("DELETE FROM proposal_supports WHERE proposal_id = $1 AND person_id = $2")
            .bind(id)
            .bind(person.as_str())
            .execute(&mut *conn)
            .await?;
    if removed.rows_affected() > 0 {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO proposal_supports (proposal_id, person_id, created_at) VALUES ($1, $2, $3)",
    )
    .bind(id)
    .bind(person.as_str())
    .bind(millis(now))
    .execute(conn)
    .await?;
    Ok(true)
}

pub async fn add_comment(
    conn: &mut Conn,
    id: i64,
    person: &PersonId,
    text: &str,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO proposal_comments (proposal_id, person_id, text, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(id)
    .bind(person.as_str())
    .bind(text)
    .bind(millis(now))
    .fetch_one(conn)
    .await?)
}

/// One comment: (author, text).
pub async fn comment(
    exec: impl AnyExecutor<'_>,
    comment: i64,
) -> Result<Option<(String, String)>, StoreError> {
    Ok(
        sqlx::query_as("SELECT person_id, text FROM proposal_comments WHERE id = $1")
            .bind(comment)
            .fetch_optional(exec)
            .await?,
    )
}

/// Decides `id` if it is still open; returns false, changing nothing, if it
/// was already decided. The condition in the UPDATE (not a read before it)
/// settles a race between two deciders: the database lets one row change,
/// and only the caller that changed it goes on to act on the decision.
pub async fn decide_if_open(
    conn: &mut Conn,
    id: i64,
    status: ProposalStatus,
    by: &PersonId,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE proposals SET status = $1, decided_by = $2, decided_at = $3 WHERE id = $4 AND status = 'open'",
    )
    .bind(status.as_str())
    .bind(by.as_str())
    .bind(millis(now))
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Links an approved proposal to the goal it became.
pub async fn set_goal(conn: &mut Conn, id: i64, goal: GoalId) -> Result<(), StoreError> {
    sqlx::query("UPDATE proposals SET goal_id = $1 WHERE id = $2")
        .bind(goal.0)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Who supports the proposal, in the order they did.
pub async fn supporters(conn: &mut super::Conn, id: i64) -> Result<Vec<String>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT person_id FROM proposal_supports WHERE proposal_id = $1 ORDER BY created_at, person_id",
    )
    .bind(id)
    .fetch_all(conn)
    .await?)
}

/// Records why the proposal was declined (in the decision's transaction).
pub async fn set_decline_reason(
    conn: &mut super::Conn,
    id: i64,
    reason: &str,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE proposals SET decline_reason = $1 WHERE id = $2")
        .bind(reason)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Why the proposal was declined, if a reason was given.
pub async fn decline_reason(conn: &mut super::Conn, id: i64) -> Result<Option<String>, StoreError> {
    let reason: Option<Option<String>> =
        sqlx::query_scalar("SELECT decline_reason FROM proposals WHERE id = $1")
            .bind(id)
            .fetch_optional(conn)
            .await?;
    Ok(reason.flatten())
}

/// The proposal posted at (`channel`, `ts`), if any.
pub async fn by_post(conn: &mut Conn, channel: &str, ts: &str) -> Result<Option<i64>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT id FROM proposals WHERE channel = $1 AND ts = $2")
            .bind(channel)
            .bind(ts)
            .fetch_optional(conn)
            .await?,
    )
}

/// Records where in Slack comment `comment` is (a reply typed in the thread).
pub async fn set_comment_post(
    conn: &mut Conn,
    comment: i64,
    channel: &str,
    ts: &str,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE proposal_comments SET slack_channel = $1, slack_ts = $2 WHERE id = $3")
        .bind(channel)
        .bind(ts)
        .bind(comment)
        .execute(conn)
        .await?;
    Ok(())
}

/// Replaces the text of the comment typed at (`channel`, `ts`), if any.
pub async fn edit_comment_at(
    conn: &mut Conn,
    channel: &str,
    ts: &str,
    text: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE proposal_comments SET text = $1 WHERE slack_channel = $2 AND slack_ts = $3",
    )
    .bind(text)
    .bind(channel)
    .bind(ts)
    .execute(conn)
    .await?;
    Ok(())
}

/// Deletes the comment typed at (`channel`, `ts`); its proposal, if there
/// was one.
pub async fn delete_comment_at(
    conn: &mut Conn,
    channel: &str,
    ts: &str,
) -> Result<Option<i64>, StoreError> {
    Ok(sqlx::query_scalar(
        "DELETE FROM proposal_comments WHERE slack_channel = $1 AND slack_ts = $2 RETURNING proposal_id",
    )
    .bind(channel)
    .bind(ts)
    .fetch_optional(conn)
    .await?)
}
