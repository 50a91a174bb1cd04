//! SQL for goals, check-ins and the plan's change history.

use super::moments::{from_millis, millis};
use super::{Conn, StoreError};
use crate::domain::goal::{
    CheckIn, Confidence, Goal, GoalId, GoalKind, GoalOutcome, GoalStatus, NewGoal, PlanYear,
};
use crate::domain::{PersonId, PillarKey, TeamKey};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{AnyExecutor, FromRow};

#[derive(FromRow)]
struct GoalRow {
    id: i64,
    title: String,
    pillar_key: String,
    team_key: Option<String>,
    owner: String,
    plan_year: i64,
    kind: String,
    due_date: Option<String>,
    status: String,
    current_value: Option<f64>,
    confidence: Option<String>,
    progress: f64,
    checked_in_at: Option<i64>,
    closed_note: Option<String>,
    outcome: Option<String>,
    carried_from: Option<i64>,
    created_by: String,
    created_at: i64,
}

macro_rules! select_goal {
    ($rest:literal) => {
        concat!(
            "SELECT id, title, pillar_key, team_key, owner, plan_year, kind, due_date, status, current_value, ",
            "confidence, progress, checked_in_at, closed_note, outcome, carried_from, created_by, created_at FROM goals ",
            $rest
        )
    };
}

fn corrupt(id: i64, what: &str) -> StoreError {
    StoreError::Corrupt(format!("goal {id}: bad {what}"))
}

impl GoalRow {
    fn into_domain(self) -> Result<Goal, StoreError> {
        let id = self.id;
        Ok(Goal {
            id: GoalId(id),
            pillar: PillarKey::parse(&self.pillar_key).map_err(|_| corrupt(id, "pillar"))?,
            team: match &self.team_key {
                Some(t) => Some(TeamKey::parse(t).map_err(|_| corrupt(id, "team"))?),
                None => None,
            },
            owner: PersonId::parse(&self.owner).map_err(|_| corrupt(id, "owner"))?,
            year: PlanYear::new(self.plan_year as i32).map_err(|_| corrupt(id, "year"))?,
            kind: serde_json::from_str(&self.kind).map_err(|_| corrupt(id, "kind"))?,
            due: match &self.due_date {
                Some(d) => Some(
                    NaiveDate::parse_from_str(d, "%Y-%m-%d")
                        .map_err(|_| corrupt(id, "due date"))?,
                ),
                None => None,
            },
            status: GoalStatus::parse(&self.status).ok_or_else(|| corrupt(id, "status"))?,
            current: self.current_value,
            confidence: match &self.confidence {
                Some(c) => Some(Confidence::parse(c).ok_or_else(|| corrupt(id, "confidence"))?),
                None => None,
            },
            progress: self.progress,
            checked_in_at: self.checked_in_at.map(from_millis),
            closed_note: self.closed_note,
            outcome: match &self.outcome {
                Some(o) => Some(GoalOutcome::parse(o).ok_or_else(|| corrupt(id, "outcome"))?),
                None => None,
            },
            carried_from: self.carried_from.map(GoalId),
            created_by: PersonId::parse(&self.created_by).map_err(|_| corrupt(id, "creator"))?,
            created_at: from_millis(self.created_at),
            title: self.title,
        })
    }
}

fn kind_json(kind: &GoalKind) -> String {
    serde_json::to_string(kind).expect("goal kinds serialize")
}

pub async fn insert(
    conn: &mut Conn,
    goal: &NewGoal,
    created_by: &PersonId,
    proposal: Option<i64>,
    now: DateTime<Utc>,
) -> Result<GoalId, StoreError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO goals (title, pillar_key, team_key, owner, plan_year, kind, due_date, status, progress, \
         proposal_id, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'active', $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(goal.title.as_str())
    .bind(goal.pillar.as_str())
    .bind(goal.team.as_ref().map(TeamKey::as_str))
    .bind(goal.owner.as_str())
    .bind(goal.year.value())
    .bind(kind_json(&goal.kind))
    .bind(goal.due.map(|d| d.format("%Y-%m-%d").to_string()))
    .bind(goal.kind.progress(None))
    .bind(proposal)
    .bind(created_by.as_str())
    .bind(millis(now))
    .bind(millis(now))
    .fetch_one(conn)
    .await?;
    Ok(GoalId(id))
}

pub async fn get(exec: impl AnyExecutor<'_>, id: GoalId) -> Result<Option<Goal>, StoreError> {
    let row: Option<GoalRow> = sqlx::query_as(select_goal!("WHERE id = $1"))
        .bind(id.0)
        .fetch_optional(exec)
        .await?;
    row.map(GoalRow::into_domain).transpose()
}

/// Which goals a list shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GoalFilter {
    Owner(PersonId),
    Team(TeamKey),
    All,
}

/// Active goals of `year` for `filter`, by pillar order then id; one page.
pub async fn list(
    exec: impl AnyExecutor<'_>,
    filter: &GoalFilter,
    year: PlanYear,
    limit: i64,
    offset: i64,
) -> Result<Vec<Goal>, StoreError> {
    let query = match filter {
        GoalFilter::Owner(p) => sqlx::query_as(select_goal!(
            "WHERE owner = $1 AND plan_year = $2 AND status = 'active' ORDER BY id LIMIT $3 OFFSET $4"
        ))
        .bind(p.as_str()),
        GoalFilter::Team(t) => sqlx::query_as(select_goal!(
            "WHERE team_key = $1 AND plan_year = $2 AND status = 'active' ORDER BY id LIMIT $3 OFFSET $4"
        ))
        .bind(t.as_str()),
        GoalFilter::All => sqlx::query_as(select_goal!(
            "WHERE plan_year = $1 AND status = 'active' ORDER BY id LIMIT $2 OFFSET $3"
        )),
    };
    let rows: Vec<GoalRow> = query
        .bind(year.value())
        .bind(limit)
        .bind(offset)
        .fetch_all(exec)
        .await?;
    rows.into_iter().map(GoalRow::into_domain).collect()
}

/// How many goals `list` would show in all.
pub async fn count(
    exec: impl AnyExecutor<'_>,
    filter: &GoalFilter,
    year: PlanYear,
) -> Result<i64, StoreError> {
    let query = match filter {
        GoalFilter::Owner(p) => sqlx::query_scalar(
            "SELECT COUNT(*) FROM goals WHERE owner = $1 AND plan_year = $2 AND status = 'active'",
        )
        .bind(p.as_str()),
        GoalFilter::Team(t) => sqlx::query_scalar(
            "SELECT COUNT(*) FROM goals WHERE team_key = $1 AND plan_year = $2 AND status = 'active'",
        )
        .bind(t.as_str()),
        GoalFilter::All => sqlx::query_scalar(
            "SELECT COUNT(*) FROM goals WHERE plan_year = $1 AND status = 'active'",
        ),
    };
    Ok(query.bind(year.value()).fetch_one(exec).await?)
}

/// Records a check-in and makes it the goal's current state.
pub async fn record_check_in(
    conn: &mut Conn,
    check_in: &CheckIn,
    progress: f64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO check_ins (goal_id, value, confidence, note, author, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(check_in.goal.0)
    .bind(check_in.value)
    .bind(check_in.confidence.as_str())
    .bind(check_in.note.as_deref())
    .bind(check_in.author.as_str())
    .bind(millis(check_in.at))
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE goals SET current_value = $1, confidence = $2, progress = $3, checked_in_at = $4, updated_at = $5 WHERE id = $6",
    )
    .bind(check_in.value)
    .bind(check_in.confidence.as_str())
    .bind(progress)
    .bind(millis(check_in.at))
    .bind(millis(check_in.at))
    .bind(check_in.goal.0)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(FromRow)]
struct CheckInRow {
    goal_id: i64,
    value: f64,
    confidence: String,
    note: Option<String>,
    author: String,
    created_at: i64,
}

/// A goal's check-ins, newest first.
pub async fn check_ins(
    exec: impl AnyExecutor<'_>,
    goal: GoalId,
    limit: i64,
) -> Result<Vec<CheckIn>, StoreError> {
    let rows: Vec<CheckInRow> = sqlx::query_as(
        "SELECT goal_id, value, confidence, note, author, created_at FROM check_ins WHERE goal_id = $1 ORDER BY id DESC LIMIT $2",
    )
    .bind(goal.0)
    .bind(limit)
    .fetch_all(exec)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(CheckIn {
                goal: GoalId(r.goal_id),
                value: r.value,
                confidence: Confidence::parse(&r.confidence)
                    .ok_or_else(|| corrupt(r.goal_id, "check-in confidence"))?,
                note: r.note,
                author: PersonId::parse(&r.author)
                    .map_err(|_| corrupt(r.goal_id, "check-in author"))?,
                at: from_millis(r.created_at),
            })
        })
        .collect()
}

/// Closes an active goal with `outcome`; false when it was already closed
/// (by another press, the owner or the year's turn: the first one wins).
pub async fn close(
    conn: &mut Conn,
    id: GoalId,
    outcome: GoalOutcome,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE goals SET status = $1, outcome = $2, closed_note = $3, updated_at = $4 \
         WHERE id = $5 AND status = 'active'",
    )
    .bind(outcome.status().as_str())
    .bind(outcome.as_str())
    .bind(note)
    .bind(millis(now))
    .bind(id.0)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Starts next year's copy of a goal carried over: same title, pillar, team,
/// owner and measure, its last value as the current one, `due` (the old due
/// date a year on), linked to `goal`. `None` when it was already carried.
pub async fn carry_over(
    conn: &mut Conn,
    goal: GoalId,
    due: Option<NaiveDate>,
    by: &PersonId,
    now: DateTime<Utc>,
) -> Result<Option<GoalId>, StoreError> {
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO goals (title, pillar_key, team_key, owner, plan_year, kind, due_date, status, \
         current_value, progress, created_by, created_at, updated_at, carried_from) \
         SELECT title, pillar_key, team_key, owner, plan_year + 1, kind, $1, 'active', \
         current_value, progress, $2, $3, $3, id FROM goals WHERE id = $4 \
         ON CONFLICT (carried_from) DO NOTHING RETURNING id",
    )
    .bind(due.map(|d| d.format("%Y-%m-%d").to_string()))
    .bind(by.as_str())
    .bind(millis(now))
    .bind(goal.0)
    .fetch_optional(conn)
    .await?;
    Ok(id.map(GoalId))
}

/// The goal that carries `goal` over into the next year, if any.
pub async fn successor(
    exec: impl AnyExecutor<'_>,
    goal: GoalId,
) -> Result<Option<GoalId>, StoreError> {
    let id: Option<i64> = sqlx::query_scalar("SELECT id FROM goals WHERE carried_from = $1")
        .bind(goal.0)
        .fetch_optional(exec)
        .await?;
    Ok(id.map(GoalId))
}

/// A person's goals of `year`, whatever their status (for the year-end DM).
pub async fn for_owner_year(
    exec: impl AnyExecutor<'_>,
    owner: &PersonId,
    year: PlanYear,
    limit: i64,
) -> Result<Vec<Goal>, StoreError> {
    let rows: Vec<GoalRow> = sqlx::query_as(select_goal!(
        "WHERE owner = $1 AND plan_year = $2 ORDER BY id LIMIT $3"
    ))
    .bind(owner.as_str())
    .bind(year.value())
    .bind(limit)
    .fetch_all(exec)
    .await?;
    rows.into_iter().map(GoalRow::into_domain).collect()
}

/// Owners of active goals of `year`, for the year's-turn nudge.
pub async fn owners_with_open_goals(
    exec: impl AnyExecutor<'_>,
    year: PlanYear,
) -> Result<Vec<PersonId>, StoreError> {
    let owners: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT owner FROM goals WHERE plan_year = $1 AND status = 'active' ORDER BY owner",
    )
    .bind(year.value())
    .fetch_all(exec)
    .await?;
    owners
        .iter()
        .map(|o| PersonId::parse(o).map_err(|_| StoreError::Corrupt(format!("goal owner {o}"))))
        .collect()
}

/// Closes every goal still active of `year` or earlier as "not reported",
/// keeping its last value; the number closed.
pub async fn close_unreported(
    conn: &mut Conn,
    year: PlanYear,
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let done = sqlx::query(
        "UPDATE goals SET status = $1, outcome = $2, updated_at = $3 \
         WHERE plan_year <= $4 AND status = 'active'",
    )
    .bind(GoalOutcome::NotReported.status().as_str())
    .bind(GoalOutcome::NotReported.as_str())
    .bind(millis(now))
    .bind(year.value())
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Replaces a goal's definition (title, pillar, team, owner, measure, due).
pub async fn update(
    conn: &mut Conn,
    id: GoalId,
    goal: &NewGoal,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE goals SET title = $1, pillar_key = $2, team_key = $3, owner = $4, plan_year = $5, kind = $6, due_date = $7, \
         progress = $8, updated_at = $9 WHERE id = $10",
    )
    .bind(goal.title.as_str())
    .bind(goal.pillar.as_str())
    .bind(goal.team.as_ref().map(TeamKey::as_str))
    .bind(goal.owner.as_str())
    .bind(goal.year.value())
    .bind(kind_json(&goal.kind))
    .bind(goal.due.map(|d| d.format("%Y-%m-%d").to_string()))
    .bind(0.0_f64)
    .bind(millis(now))
    .bind(id.0)
    .execute(&mut *conn)
    .await?;
    // The measure may have changed: recompute progress from the current value.
    if let Some(g) = get(&mut *conn, id).await? {
        sqlx::query("UPDATE goals SET progress = $1 WHERE id = $2")
            .bind(g.kind.progress(g.current))
            .bind(id.0)
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// Appends to the plan's history.
pub async fn log_change(
    conn: &mut Conn,
    actor: &PersonId,
    subject: &str,
    action: &str,
    detail: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO plan_changes (actor, subject, action, detail, at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(actor.as_str())
    .bind(subject)
    .bind(action)
    .bind(detail)
    .bind(millis(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// A team's goals of a year, whatever their status (for the kick-off's
/// look back at last year).
pub async fn for_team_year(
    exec: impl AnyExecutor<'_>,
    team: &TeamKey,
    year: i32,
    limit: i64,
) -> Result<Vec<Goal>, StoreError> {
    let rows: Vec<GoalRow> = sqlx::query_as(select_goal!(
        "WHERE team_key = $1 AND plan_year = $2 ORDER BY id LIMIT $3"
    ))
    .bind(team.as_str())
    .bind(year)
    .bind(limit)
    .fetch_all(exec)
    .await?;
    rows.into_iter().map(GoalRow::into_domain).collect()
}

/// One line of the plan's history.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct PlanChange {
    pub actor: String,
    pub subject: String,
    pub action: String,
    pub detail: String,
    pub at: i64,
}

/// The plan's latest changes, newest first.
pub async fn history(
    exec: impl AnyExecutor<'_>,
    limit: i64,
) -> Result<Vec<PlanChange>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT actor, subject, action, detail, at FROM plan_changes ORDER BY id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(exec)
    .await?)
}

/// When each pillar was added with `/align pillar add` (milliseconds), for
/// pillars added that way; pillars from the settings file have no entry.
pub async fn pillars_added(conn: &mut super::Conn) -> Result<Vec<(String, i64)>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT subject, MIN(at) FROM plan_changes WHERE action = $1 AND subject LIKE $2 GROUP BY subject",
    )
    .bind("add")
    .bind("pillar:%")
    .fetch_all(conn)
    .await?)
}

/// Marks a goal added without a start: its first check-in becomes the start.
pub async fn mark_start_from_first(conn: &mut super::Conn, id: GoalId) -> Result<(), StoreError> {
    sqlx::query("UPDATE goals SET start_from_first_check_in = 1 WHERE id = $1")
        .bind(id.0)
        .execute(conn)
        .await?;
    Ok(())
}

/// Whether the goal still waits for its first check-in to set its start.
pub async fn starts_from_first(conn: &mut super::Conn, id: GoalId) -> Result<bool, StoreError> {
    let flag: Option<i64> =
        sqlx::query_scalar("SELECT start_from_first_check_in FROM goals WHERE id = $1")
            .bind(id.0)
            .fetch_optional(conn)
            .await?;
    Ok(flag == Some(1))
}

/// Gives the goal `kind` (its start now the first check-in's value), once:
/// false when another check-in did it first.
pub async fn take_start_from_first(
    conn: &mut super::Conn,
    id: GoalId,
    kind: &GoalKind,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE goals SET kind = $1, start_from_first_check_in = 0 \
         WHERE id = $2 AND start_from_first_check_in = 1",
    )
    .bind(kind_json(kind))
    .bind(id.0)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
