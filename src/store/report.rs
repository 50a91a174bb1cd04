//! SQL aggregates for the alignment report. All of it is grouped in the
//! database, so the report costs a handful of indexed scans however many
//! goals and check-ins there are.

use super::StoreError;
use chrono::{DateTime, Utc};
use sqlx::SqliteExecutor;
use sqlx::{Sqlite, SqlitePool};

use super::moments::millis;

/// Per pillar: active goals, their mean progress, how many are at risk.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct PillarTotals {
    pub pillar_key: String,
    pub active: i64,
    pub avg_progress: f64,
    pub at_risk: i64,
}

pub async fn pillar_totals(
    exec: impl SqliteExecutor<'_>,
    year: i32,
) -> Result<Vec<PillarTotals>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT pillar_key, COUNT(*) AS active, COALESCE(AVG(progress), 0.0) AS avg_progress, \
         COALESCE(SUM(CASE WHEN confidence IN ('at-risk', 'off-track') THEN 1 ELSE 0 END), 0) AS at_risk \
         FROM goals WHERE plan_year = ? AND status = 'active' GROUP BY pillar_key",
    )
    .bind(year)
    .fetch_all(exec)
    .await?)
}

/// Per (team, pillar): active goals.
pub async fn team_pillar_counts(
    exec: impl SqliteExecutor<'_>,
    year: i32,
) -> Result<Vec<(String, String, i64)>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT team_key, pillar_key, COUNT(*) FROM goals \
         WHERE plan_year = ? AND status = 'active' AND team_key IS NOT NULL GROUP BY team_key, pillar_key",
    )
    .bind(year)
    .fetch_all(exec)
    .await?)
}

/// Per team: active goals, and how many were checked in since `since`.
pub async fn team_freshness(
    exec: impl SqliteExecutor<'_>,
    year: i32,
    since: DateTime<Utc>,
) -> Result<Vec<(String, i64, i64)>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT team_key, COUNT(*), COALESCE(SUM(CASE WHEN checked_in_at >= ? THEN 1 ELSE 0 END), 0) FROM goals \
         WHERE plan_year = ? AND status = 'active' AND team_key IS NOT NULL GROUP BY team_key",
    )
    .bind(millis(since))
    .bind(year)
    .fetch_all(exec)
    .await?)
}

/// (team, person) pairs of everyone who proposed, supported or commented
/// on a proposal of that team in `year`.
pub async fn participants(
    pool: &SqlitePool,
    year: i32,
) -> Result<Vec<(String, String)>, StoreError> {
    Ok(sqlx::query_as::<Sqlite, (String, String)>(
        "SELECT DISTINCT p.team_key, x.person FROM proposals p JOIN ( \
             SELECT id AS proposal_id, proposer AS person FROM proposals \
             UNION SELECT proposal_id, person_id FROM proposal_supports \
             UNION SELECT proposal_id, person_id FROM proposal_comments \
         ) x ON x.proposal_id = p.id WHERE p.plan_year = ?",
    )
    .bind(year)
    .fetch_all(pool)
    .await?)
}
