//! SQL for goals, check-ins and the plan's change history.

use super::Conn;
use super::StoreError;
use super::moments::{from_millis, millis};
use crate::domain::goal::{
    CheckIn, Confidence, Goal, GoalId, GoalKind, GoalStatus, NewGoal, PlanYear,
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
    created_by: String,
    created_at: i64,
}

macro_rules! select_goal {
    ($rest:literal) => {
        concat!(
            "SELECT id, title, pillar_key, team_key, owner, plan_year, kind, due_date, status, current_value, ",
            "confidence, progress, checked_in_at, closed_note, created_by, created_at FROM goals ",
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

/// Closes a goal as achieved or dropped.
pub async fn close(
    conn: &mut Conn,
    id: GoalId,
    status: GoalStatus,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE goals SET status = $1, closed_note = $2, updated_at = $3 WHERE id = $4")
        .bind(status.as_str())
        .bind(note)
        .bind(millis(now))
        .bind(id.0)
        .execute(conn)
        .await?;
    Ok(())
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
