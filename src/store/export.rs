//! Reads for `alignbot export`: every kind of row, in a stable order,
//! handed to a callback one at a time.
//!
//! Goals, check-ins, priorities and moments are streamed (`fetch`, not
//! `fetch_all`), so an export of years of check-ins runs in constant memory.
//! Pillars, teams and priority reviews are a few hundred rows at most and
//! are read whole. The caller runs every function on one read transaction,
//! so all files describe the same moment.

use super::Conn;
use super::StoreError;
use super::moments::from_millis;
use crate::domain::goal::{GoalKind, Unit};
use crate::export::rows::{CheckInRow, GoalRow, MomentRow, PillarRow, PriorityRow, TeamRow};
use chrono::{DateTime, SecondsFormat, Utc};
use futures_util::TryStreamExt;
use sqlx::FromRow;
use std::collections::HashMap;

/// RFC 3339, UTC, milliseconds: `2026-11-16T15:00:00.000Z`.
pub fn timestamp(ms: i64) -> String {
    time(from_millis(ms))
}

fn time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

pub async fn pillars(conn: &mut Conn) -> Result<Vec<PillarRow>, StoreError> {
    let rows: Vec<(String, String, String, String, i64, Option<i64>)> = sqlx::query_as(
        "SELECT key, name, description, emoji, position, archived_at FROM pillars ORDER BY position, key",
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .enumerate()
        .map(
            |(i, (key, name, description, emoji, _, archived_at))| PillarRow {
                key,
                name,
                description,
                emoji,
                position: i as i64 + 1,
                archived_at: archived_at.map(timestamp),
            },
        )
        .collect())
}

pub async fn teams(conn: &mut Conn) -> Result<Vec<TeamRow>, StoreError> {
    let teams: Vec<(String, String, String, String)> =
        sqlx::query_as("SELECT key, name, channel, holidays FROM teams ORDER BY key")
            .fetch_all(&mut *conn)
            .await?;
    let people: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT team_key, person_id, role FROM team_people ORDER BY team_key, role, person_id",
    )
    .fetch_all(conn)
    .await?;
    let mut by_team: HashMap<(String, String), Vec<String>> = HashMap::new();
    for (team, person, role) in people {
        by_team.entry((team, role)).or_default().push(person);
    }
    let mut take = |team: &str, role: &str| {
        by_team
            .remove(&(team.to_owned(), role.to_owned()))
            .unwrap_or_default()
            .join(" ")
    };
    Ok(teams
        .into_iter()
        .map(|(key, name, channel, holidays)| TeamRow {
            leaders: take(&key, "leader"),
            members: take(&key, "member"),
            holidays: holidays
                .split(',')
                .map(str::trim)
                .filter(|d| !d.is_empty())
                .collect::<Vec<_>>()
                .join(" "),
            key,
            name,
            channel,
        })
        .collect())
}

#[derive(FromRow)]
struct GoalRecord {
    id: i64,
    plan_year: i64,
    title: String,
    pillar_key: String,
    team_key: Option<String>,
    owner: String,
    kind: String,
    current_value: Option<f64>,
    progress: f64,
    confidence: Option<String>,
    status: String,
    due_date: Option<String>,
    created_by: String,
    created_at: i64,
    closed_at: Option<i64>,
    closed_note: Option<String>,
}

fn unit_text(unit: &Unit) -> Option<String> {
    match unit {
        Unit::None => None,
        Unit::Percent => Some("%".to_owned()),
        Unit::Currency(s) | Unit::Suffix(s) => Some(s.clone()),
    }
}

impl GoalRecord {
    fn into_row(self) -> Result<GoalRow, StoreError> {
        let kind: GoalKind = serde_json::from_str(&self.kind)
            .map_err(|_| StoreError::Corrupt(format!("goal {}: bad kind", self.id)))?;
        let (kind, start, target, unit) = match &kind {
            GoalKind::Numeric {
                start,
                target,
                unit,
            } => ("numeric", Some(*start), Some(*target), unit_text(unit)),
            GoalKind::Percent => ("percent", Some(0.0), Some(100.0), Some("%".to_owned())),
            GoalKind::Milestone => ("milestone", None, None, None),
        };
        Ok(GoalRow {
            id: self.id,
            year: self.plan_year as i32,
            title: self.title,
            pillar: self.pillar_key,
            team: self.team_key,
            owner: self.owner,
            kind,
            start,
            target,
            unit,
            current: self.current_value,
            progress_percent: (self.progress * 1000.0).round() / 10.0,
            confidence: self.confidence,
            status: self.status,
            due: self.due_date,
            created_by: self.created_by,
            created_at: timestamp(self.created_at),
            closed_at: self.closed_at.map(timestamp),
            closed_note: self.closed_note,
        })
    }
}

/// Goals (of `year`, if given), by id. A closed goal's `closed_at` is when
/// the plan history recorded it achieved or dropped.
pub async fn goals<E: From<StoreError>>(
    conn: &mut Conn,
    year: Option<i32>,
    mut each: impl FnMut(GoalRow) -> Result<(), E>,
) -> Result<(), E> {
    const SELECT: &str = "SELECT g.id, g.plan_year, g.title, g.pillar_key, g.team_key, g.owner, g.kind, \
        g.current_value, g.progress, g.confidence, g.status, g.due_date, g.created_by, g.created_at, \
        CASE WHEN g.status <> 'active' THEN (SELECT MAX(pc.at) FROM plan_changes pc \
          WHERE pc.subject = 'goal:' || g.id AND pc.action IN ('achieved', 'dropped')) END AS closed_at, \
        g.closed_note FROM goals g WHERE g.plan_year BETWEEN $1 AND $2 ORDER BY g.id";
    let (from, to) = year.map_or((i32::MIN, i32::MAX), |y| (y, y));
    let mut rows = sqlx::query_as::<_, GoalRecord>(SELECT)
        .bind(from)
        .bind(to)
        .fetch(conn);
    while let Some(record) = rows.try_next().await.map_err(StoreError::from)? {
        each(record.into_row()?)?;
    }
    Ok(())
}

/// Check-ins (of goals of `year`, if given), by id.
pub async fn check_ins<E: From<StoreError>>(
    conn: &mut Conn,
    year: Option<i32>,
    mut each: impl FnMut(CheckInRow) -> Result<(), E>,
) -> Result<(), E> {
    type Record = (i64, i64, i64, f64, String, Option<String>, String);
    let query = match year {
        None => sqlx::query_as::<_, Record>(
            "SELECT id, goal_id, created_at, value, confidence, note, author FROM check_ins ORDER BY id",
        ),
        Some(y) => sqlx::query_as::<_, Record>(
            "SELECT c.id, c.goal_id, c.created_at, c.value, c.confidence, c.note, c.author \
             FROM check_ins c JOIN goals g ON g.id = c.goal_id WHERE g.plan_year = $1 ORDER BY c.id",
        )
        .bind(y),
    };
    let mut rows = query.fetch(conn);
    while let Some((id, goal_id, at, value, confidence, note, author)) =
        rows.try_next().await.map_err(StoreError::from)?
    {
        each(CheckInRow {
            id,
            goal_id,
            at: timestamp(at),
            value,
            confidence,
            note,
            author,
        })?;
    }
    Ok(())
}

/// The month before `YYYY-MM`.
fn previous_month(period: &str) -> Option<String> {
    let (y, m) = period.split_once('-')?;
    let (y, m): (i32, u32) = (y.parse().ok()?, m.parse().ok()?);
    Some(if m <= 1 {
        format!("{:04}-12", y - 1)
    } else {
        format!("{y:04}-{:02}", m - 1)
    })
}

/// Published priorities (of months of `year`, if given), by month, team and
/// position. An item's `review` is how the team's next publication said
/// it ended (matched by its text, which the review form copies).
pub async fn priorities<E: From<StoreError>>(
    conn: &mut Conn,
    year: Option<i32>,
    mut each: impl FnMut(PriorityRow) -> Result<(), E>,
) -> Result<(), E> {
    let reviews: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT p.team_key, p.period, r.text, r.outcome FROM priority_reviews r \
         JOIN priorities p ON p.id = r.priority_id",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(StoreError::from)?;
    let mut outcomes: HashMap<(String, String, String), String> = HashMap::new();
    for (team, period, text, outcome) in reviews {
        if let Some(reviewed) = previous_month(&period) {
            outcomes.insert((team, reviewed, text), outcome);
        }
    }
    let (from, to) = year.map_or_else(
        || ("0000-00".to_owned(), "9999-99".to_owned()),
        |y| (format!("{y:04}-01"), format!("{y:04}-12")),
    );
    type Record = (String, String, i64, String, Option<i64>, String, i64);
    let mut rows = sqlx::query_as::<_, Record>(
        "SELECT p.team_key, p.period, i.position, i.text, i.goal_id, p.author, p.published_at \
         FROM priority_items i JOIN priorities p ON p.id = i.priority_id \
         WHERE p.period BETWEEN $1 AND $2 ORDER BY p.period, p.team_key, i.position",
    )
    .bind(from)
    .bind(to)
    .fetch(conn);
    while let Some((team, month, position, text, goal_id, author, published_at)) =
        rows.try_next().await.map_err(StoreError::from)?
    {
        let review = outcomes
            .get(&(team.clone(), month.clone(), text.clone()))
            .cloned();
        each(PriorityRow {
            team,
            month,
            position: position + 1,
            text,
            goal_id,
            review,
            author,
            published_at: timestamp(published_at),
        })?;
    }
    Ok(())
}

#[derive(FromRow)]
struct MomentRecord {
    id: i64,
    created_at: i64,
    author: String,
    pillar_key: Option<String>,
    story: String,
    audience: String,
    channel: Option<String>,
    ts: Option<String>,
    reactions: i64,
    recognized: Option<String>,
}

/// Shared moments posted in `[from_ms, to_ms)`, by id, with their reaction
/// count and the people they recognize. Drafts (never confirmed by their
/// author) and deleted moments are not exported.
pub async fn moments<E: From<StoreError>>(
    conn: &mut Conn,
    from_ms: i64,
    to_ms: i64,
    mut each: impl FnMut(MomentRow) -> Result<(), E>,
) -> Result<(), E> {
    // One row per recognized person (or one with NULL), grouped below, so
    // the stream never holds more than one moment.
    let mut rows = sqlx::query_as::<_, MomentRecord>(
        "SELECT m.id, m.created_at, m.author, m.pillar_key, m.story, m.audience, m.channel, m.ts, \
         (SELECT COUNT(*) FROM moment_reactions r WHERE r.moment_id = m.id) AS reactions, \
         mr.person_id AS recognized \
         FROM moments m LEFT JOIN moment_recognitions mr ON mr.moment_id = m.id \
         WHERE m.status = 'shared' AND m.created_at >= $1 AND m.created_at < $2 \
         ORDER BY m.id, mr.person_id",
    )
    .bind(from_ms)
    .bind(to_ms)
    .fetch(conn);
    let mut current: Option<MomentRow> = None;
    while let Some(record) = rows.try_next().await.map_err(StoreError::from)? {
        if let Some(row) = current.as_mut().filter(|row| row.id == record.id) {
            if let Some(person) = record.recognized {
                row.recognized.push(' ');
                row.recognized.push_str(&person);
            }
            continue;
        }
        if let Some(done) = current.take() {
            each(done)?;
        }
        current = Some(MomentRow {
            id: record.id,
            posted_at: timestamp(record.created_at),
            author: record.author,
            pillar: record.pillar_key,
            story: record.story,
            visibility: record.audience,
            channel: record.channel,
            ts: record.ts,
            reaction_count: record.reactions,
            recognized: record.recognized.unwrap_or_default(),
        });
    }
    if let Some(done) = current {
        each(done)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn previous_month_crosses_years() {
        assert_eq!(previous_month("2027-01").as_deref(), Some("2026-12"));
        assert_eq!(previous_month("2027-10").as_deref(), Some("2027-09"));
        assert_eq!(previous_month("junk"), None);
    }

    #[test]
    fn timestamps_are_rfc3339_utc_with_milliseconds() {
        assert_eq!(timestamp(1_763_305_200_000), "2025-11-16T15:00:00.000Z");
    }
}
