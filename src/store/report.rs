//! SQL aggregates for the alignment report. All of it is grouped in the
//! database, so the report costs a handful of indexed scans however many
//! goals and check-ins there are.

use super::StoreError;
use chrono::{DateTime, Utc};
use sqlx::{Any, AnyExecutor, AnyPool};

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
    exec: impl AnyExecutor<'_>,
    year: i32,
) -> Result<Vec<PillarTotals>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT pillar_key, COUNT(*) AS active, COALESCE(AVG(progress), 0.0) AS avg_progress, \
         COALESCE(SUM(CASE WHEN confidence IN ('at-risk', 'off-track') THEN 1 ELSE 0 END), 0) AS at_risk \
         FROM goals WHERE plan_year = $1 AND status = 'active' GROUP BY pillar_key",
    )
    .bind(year)
    .fetch_all(exec)
    .await?)
}

/// Per (team, pillar): active goals.
pub async fn team_pillar_counts(
    exec: impl AnyExecutor<'_>,
    year: i32,
) -> Result<Vec<(String, String, i64)>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT team_key, pillar_key, COUNT(*) FROM goals \
         WHERE plan_year = $1 AND status = 'active' AND team_key IS NOT NULL GROUP BY team_key, pillar_key",
    )
    .bind(year)
    .fetch_all(exec)
    .await?)
}

/// Per team: active goals, and how many were checked in since `since`.
pub async fn team_freshness(
    exec: impl AnyExecutor<'_>,
    year: i32,
    since: DateTime<Utc>,
) -> Result<Vec<(String, i64, i64)>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT team_key, COUNT(*), COALESCE(SUM(CASE WHEN checked_in_at >= $1 THEN 1 ELSE 0 END), 0) FROM goals \
         WHERE plan_year = $2 AND status = 'active' AND team_key IS NOT NULL GROUP BY team_key",
    )
    .bind(millis(since))
    .bind(year)
    .fetch_all(exec)
    .await?)
}

/// (team, person) pairs of everyone who proposed, supported or commented
/// on a proposal of that team in `year`.
pub async fn participants(pool: &AnyPool, year: i32) -> Result<Vec<(String, String)>, StoreError> {
    Ok(sqlx::query_as::<Any, (String, String)>(
        "SELECT DISTINCT p.team_key, x.person FROM proposals p JOIN ( \
             SELECT id AS proposal_id, proposer AS person FROM proposals \
             UNION SELECT proposal_id, person_id FROM proposal_supports \
             UNION SELECT proposal_id, person_id FROM proposal_comments \
         ) x ON x.proposal_id = p.id WHERE p.plan_year = $1",
    )
    .bind(year)
    .fetch_all(pool)
    .await?)
}

/// A month's shared moments (whole channel), most reacted first:
/// (id, author, story, pillar, reactions).
pub async fn moments_of_month(
    exec: impl AnyExecutor<'_>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<(i64, String, String, Option<String>, i64)>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT m.id, m.author, m.story, m.pillar_key, \
         (SELECT COUNT(*) FROM moment_reactions r WHERE r.moment_id = m.id) AS reactions \
         FROM moments m WHERE m.status = 'shared' AND m.audience = 'channel' AND m.created_at >= $1 AND m.created_at < $2 \
         ORDER BY reactions DESC, m.id LIMIT $3",
    )
    .bind(millis(from))
    .bind(millis(to))
    .bind(limit)
    .fetch_all(exec)
    .await?)
}

/// Recognized people of the given moments: (moment id, person).
pub async fn recognitions_of(
    exec: impl AnyExecutor<'_>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<(i64, String)>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT r.moment_id, r.person_id FROM moment_recognitions r JOIN moments m ON m.id = r.moment_id \
         WHERE m.status = 'shared' AND m.created_at >= $1 AND m.created_at < $2 ORDER BY r.moment_id",
    )
    .bind(millis(from))
    .bind(millis(to))
    .fetch_all(exec)
    .await?)
}

/// Per pillar: moments shared between `from` and `to` (any audience),
/// including those of forgotten people, whose stories are gone.
pub async fn moments_per_pillar(
    exec: impl AnyExecutor<'_>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<(String, i64)>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT pillar_key, COUNT(*) FROM moments WHERE (status = 'shared' OR forgotten = 1) AND pillar_key IS NOT NULL \
         AND created_at >= $1 AND created_at < $2 GROUP BY pillar_key",
    )
    .bind(millis(from))
    .bind(millis(to))
    .fetch_all(exec)
    .await?)
}

/// Per pillar: check-ins recorded between `from` and `to` on its goals.
pub async fn check_ins_per_pillar(
    exec: impl AnyExecutor<'_>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<(String, i64)>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT g.pillar_key, COUNT(*) FROM check_ins c JOIN goals g ON g.id = c.goal_id \
         WHERE c.created_at >= $1 AND c.created_at < $2 GROUP BY g.pillar_key",
    )
    .bind(millis(from))
    .bind(millis(to))
    .fetch_all(exec)
    .await?)
}

/// Active goals of `year`, how many were checked in since `since`, and the
/// titles of those at risk or off track: (total, fresh, at-risk titles).
pub async fn check_in_totals(
    exec: impl AnyExecutor<'_> + Copy,
    year: i32,
    since: DateTime<Utc>,
) -> Result<(i64, i64, Vec<(i64, String, String)>), StoreError> {
    let (total, fresh): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN checked_in_at >= $1 THEN 1 ELSE 0 END), 0) FROM goals \
         WHERE plan_year = $2 AND status = 'active'",
    )
    .bind(millis(since))
    .bind(year)
    .fetch_one(exec)
    .await?;
    let at_risk: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT id, title, confidence FROM goals WHERE plan_year = $1 AND status = 'active' \
         AND confidence IN ('at-risk', 'off-track') ORDER BY confidence DESC, id LIMIT 15",
    )
    .bind(year)
    .fetch_all(exec)
    .await?;
    Ok((total, fresh, at_risk))
}
