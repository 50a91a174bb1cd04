//! The alignment report (`/align status`): how the organization's goals sit
//! under its pillars, and how each team takes part. Every number comes with
//! its formula in the rendered report; nothing is a black box.

use super::goals::current_year;
use super::outgoing::Outgoing;
use super::permissions::Actor;
use super::{AppContext, AppError};
use crate::domain::goal::PlanYear;
use crate::domain::{ChannelId, PersonId};
use crate::domain::{Pillar, Team};
use crate::store::report;
use chrono::{Datelike, TimeZone};
use std::collections::{HashMap, HashSet};

#[derive(Debug, Clone, PartialEq)]
pub struct PillarLine {
    pub pillar: Pillar,
    pub active: i64,
    /// Mean progress of active goals, 0.0..=1.0.
    pub avg_progress: f64,
    pub at_risk: i64,
    /// Teams with no active goal under this pillar.
    pub teams_without: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TeamLine {
    pub team: Team,
    /// Active goals per pillar key (only pillars with goals).
    pub per_pillar: Vec<(String, i64)>,
    pub active: i64,
    /// Active goals checked in since the first of this month.
    pub fresh: i64,
    /// Team members (leaders and members) who proposed, supported or commented.
    pub participants: usize,
    pub size: usize,
}

/// Next year's plan as it takes shape, shown beside the current year's
/// report once goal-setting for it has produced goals.
#[derive(Debug, Clone, PartialEq)]
pub struct NextYearPlan {
    pub year: PlanYear,
    /// "2027" or "2027/28".
    pub label: String,
    /// Goals so far per pillar, in the pillars' order (pillars with goals only).
    pub per_pillar: Vec<(Pillar, i64)>,
    pub total: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub year: PlanYear,
    /// How people read the year: "2026" or "2025/26".
    pub year_label: String,
    /// Next year's plan, when the report is for the current year and next
    /// year already has goals.
    pub next: Option<NextYearPlan>,
    /// "November 2026", in the org's time zone.
    pub month: String,
    pub pillars: Vec<PillarLine>,
    pub teams: Vec<TeamLine>,
    pub org_wide_goals: i64,
}

/// The report for `year` (default: the current plan year, with next
/// year's plan beside it once it has goals).
pub async fn build(ctx: &AppContext, year: Option<PlanYear>) -> Result<Report, AppError> {
    let dir = ctx.directory();
    let current = current_year(ctx);
    let year = year.unwrap_or(current);
    let tz = dir.org.timezone;
    let local_now = ctx.clock.now().with_timezone(&tz);
    let month_start = tz
        .with_ymd_and_hms(local_now.year(), local_now.month(), 1, 0, 0, 0)
        .earliest()
        .map(|t| t.with_timezone(&chrono::Utc))
        .unwrap_or_else(|| ctx.clock.now());
    let pool = ctx.store.reads();
    let totals = report::pillar_totals(pool, year.value()).await?;
    let team_pillar = report::team_pillar_counts(pool, year.value()).await?;
    let freshness = report::team_freshness(pool, year.value(), month_start).await?;
    let participants = report::participants(pool, year.value()).await?;

    let mut by_team: HashMap<&str, Vec<(String, i64)>> = HashMap::new();
    for (team, pillar, n) in &team_pillar {
        by_team
            .entry(team.as_str())
            .or_default()
            .push((pillar.clone(), *n));
    }
    let pillars = dir
        .active_pillars()
        .map(|p| {
            let t = totals.iter().find(|t| t.pillar_key == p.key.as_str());
            PillarLine {
                pillar: p.clone(),
                active: t.map_or(0, |t| t.active),
                avg_progress: t.map_or(0.0, |t| t.avg_progress),
                at_risk: t.map_or(0, |t| t.at_risk),
                teams_without: dir
                    .teams
                    .iter()
                    .filter(|team| {
                        !by_team
                            .get(team.key.as_str())
                            .is_some_and(|v| v.iter().any(|(k, n)| k == p.key.as_str() && *n > 0))
                    })
                    .map(|team| team.name.clone())
                    .collect(),
            }
        })
        .collect();
    let mut people_by_team: HashMap<&str, HashSet<&str>> = HashMap::new();
    for (team, person) in &participants {
        people_by_team
            .entry(team.as_str())
            .or_default()
            .insert(person.as_str());
    }
    let teams = dir
        .teams
        .iter()
        .map(|team| {
            let (active, fresh) = freshness
                .iter()
                .find(|(k, _, _)| k == team.key.as_str())
                .map_or((0, 0), |(_, a, f)| (*a, *f));
            let roster: HashSet<&str> = team
                .leaders
                .iter()
                .chain(&team.members)
                .map(|p| p.as_str())
                .collect();
            let took_part = people_by_team
                .get(team.key.as_str())
                .map_or(0, |set| set.iter().filter(|p| roster.contains(*p)).count());
            let mut per_pillar = by_team.remove(team.key.as_str()).unwrap_or_default();
            per_pillar.sort();
            TeamLine {
                team: team.clone(),
                per_pillar,
                active,
                fresh,
                participants: took_part,
                size: roster.len(),
            }
        })
        .collect();
    let total: i64 = totals.iter().map(|t| t.active).sum();
    let in_teams: i64 = freshness.iter().map(|(_, a, _)| a).sum();
    let next = if year == current {
        next_year_plan(ctx, &dir, current).await?
    } else {
        None
    };
    Ok(Report {
        year,
        year_label: ctx.years.label(year),
        next,
        month: local_now.format("%B %Y").to_string(),
        pillars,
        teams,
        org_wide_goals: total - in_teams,
    })
}

/// Next year's goals per pillar, once goal-setting for it has produced any.
async fn next_year_plan(
    ctx: &AppContext,
    dir: &crate::domain::Directory,
    current: PlanYear,
) -> Result<Option<NextYearPlan>, AppError> {
    let next = current.next();
    if next == current {
        return Ok(None);
    }
    let totals = report::pillar_totals(ctx.store.reads(), next.value()).await?;
    let per_pillar: Vec<(Pillar, i64)> = dir
        .pillars
        .iter()
        .filter_map(|p| {
            totals
                .iter()
                .find(|t| t.pillar_key == p.key.as_str())
                .map(|t| (p.clone(), t.active))
        })
        .collect();
    let total: i64 = per_pillar.iter().map(|(_, n)| n).sum();
    Ok((total > 0).then(|| NextYearPlan {
        year: next,
        label: ctx.years.label(next),
        per_pillar,
        total,
    }))
}

/// Where `person` may share the report: nowhere unless they may share it
/// (see [`Actor::may_share_report`]); then the leadership channel.
pub fn share_targets(ctx: &AppContext, person: &PersonId) -> Vec<ChannelId> {
    let dir = ctx.directory();
    if !Actor::new(&dir, person).may_share_report() {
        return Vec::new();
    }
    let mut targets = vec![dir.org.leadership_channel.clone()];
    targets.extend(dir.org.staff_channel.clone());
    targets
}

/// Shares the report of `year` in `channel` through the outbox; refused
/// unless `person` may share it there (a forged button value changes
/// nothing).
#[tracing::instrument(skip_all, fields(%person))]
pub async fn share(
    ctx: &AppContext,
    person: PersonId,
    channel: &str,
    year: PlanYear,
) -> Result<ChannelId, AppError> {
    let targets = share_targets(ctx, &person);
    if targets.is_empty() {
        return Err(AppError::Forbidden(
            "Only admins and executives share the alignment report in a channel; `/align status` shows it to you."
                .into(),
        ));
    }
    let Some(channel) = targets.into_iter().find(|c| c.as_str() == channel) else {
        return Err(AppError::Forbidden(
            "The report is shared only in the leadership channel.".into(),
        ));
    };
    let message = Outgoing::ShareReport {
        year: year.value(),
        channel: channel.clone(),
        by: person,
    };
    super::moments::send(ctx, message).await?;
    Ok(channel)
}
