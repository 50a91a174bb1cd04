//! The monthly nudges, as direct messages: a goal owner's check-in, the
//! mission-moment invitation, and a leader's "publish your priorities".
//!
//! A nudge remembers where its DM landed (its row in `nudges`), so it is
//! posted once and later re-rendered in place (ticks after a check-in,
//! "published" after the priorities went out).

use super::{ComposeError, Composed, Conversation, Message, update_post};
use crate::app::AppContext;
use crate::domain::goal::Goal;
use crate::domain::ids::{NudgeId, PostOwner};
use crate::domain::period::Month;
use crate::domain::{PersonId, Team, TeamKey};
use crate::store::goals::{self, GoalFilter};
use crate::store::jobs;
use chrono::{DateTime, Utc};

/// A goal owner's check-in DM: each goal, open or checked in this month.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgressNudge {
    pub goals: Vec<Goal>,
    pub month_label: String,
    /// A goal checked in since this instant counts as done this month.
    pub checked_since: DateTime<Utc>,
}

/// "Do you have a mission moment?": the mission and pillars come from the
/// organization; the invitation itself only knows whether the person has
/// shared since (then it says thank you instead of asking).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MomentsNudge {
    pub shared: bool,
}

/// A leader's monthly priorities DM: one section per team they lead that
/// the job asked about, each open or marked as published on its own.
#[derive(Debug, Clone, PartialEq)]
pub struct PrioritiesNudge {
    pub month_label: String,
    pub sections: Vec<PrioritiesSection>,
    /// A reminder some working days after the first nudge.
    pub reminder: bool,
    /// The organization's priorities for the month, shown first (empty
    /// when the executives have not published yet).
    pub org_items: Vec<String>,
}

/// More goals than one person could own; the progress nudge counts up to it.
const MAX_OWNED: i64 = 1000;

/// One team in a leader's priorities DM.
#[derive(Debug, Clone, PartialEq)]
pub struct PrioritiesSection {
    pub team: Team,
    pub goals: Vec<Goal>,
    pub published: bool,
}
/// A DM to `person` that records where it landed on nudge `id`.
fn dm(id: NudgeId, person: &PersonId, message: Message) -> Composed {
    Composed::Post {
        to: Conversation::Person(person.clone()),
        message,
        thread: None,
        record: Some(PostOwner::Nudge(id)),
    }
}

/// The team's goals of the plan year that contains `month`.
pub(super) async fn team_goals(
    ctx: &AppContext,
    team: &Team,
    month: Month,
) -> Result<Vec<Goal>, ComposeError> {
    let year = ctx.years.year_of_month(month.year, month.month);
    Ok(goals::list(
        ctx.store.reads(),
        &GoalFilter::Team(team.key.clone()),
        year,
        8,
        0,
    )
    .await?)
}

/// The team by key, and the month a period names.
pub(super) fn team_month(ctx: &AppContext, team: &str, period: &str) -> Option<(Team, Month)> {
    let dir = ctx.directory();
    let team = dir.teams.iter().find(|t| t.key.as_str() == team)?.clone();
    Some((team, Month::parse(period)?))
}

pub(super) async fn progress(
    ctx: &AppContext,
    id: NudgeId,
    person: &PersonId,
    update: bool,
) -> Result<Composed, ComposeError> {
    let Some(n) = jobs::nudge(ctx.store.reads(), id).await? else {
        return Ok(Composed::Skip("nudge no longer exists"));
    };
    let Some(month) = Month::parse(&n.period) else {
        return Ok(Composed::Skip("nudge has no readable period"));
    };
    let tz = ctx.directory().org.timezone;
    // All of them (up to a bound no owner reaches), so the count of those
    // still to check in is right; the DM shows the first ones and says how
    // to reach the rest.
    let year = ctx.years.year_of_month(month.year, month.month);
    let goals = goals::list(
        ctx.store.reads(),
        &GoalFilter::Owner(person.clone()),
        year,
        MAX_OWNED,
        0,
    )
    .await?;
    let message = Message::ProgressNudge(ProgressNudge {
        goals,
        month_label: month.label(),
        checked_since: month.start(tz),
    });
    if update {
        return Ok(update_post(n.post, message));
    }
    if n.post.is_some() {
        return Ok(Composed::Skip("nudge was already posted"));
    }
    Ok(dm(id, person, message))
}

pub(super) async fn moments(
    ctx: &AppContext,
    id: NudgeId,
    person: &PersonId,
) -> Result<Composed, ComposeError> {
    let posted = jobs::nudge(ctx.store.reads(), id).await?;
    if posted.is_none_or(|n| n.post.is_some()) {
        return Ok(Composed::Skip(
            "nudge was already posted or no longer exists",
        ));
    }
    Ok(dm(
        id,
        person,
        Message::MomentsNudge(MomentsNudge { shared: false }),
    ))
}

pub(super) async fn priorities(
    ctx: &AppContext,
    id: NudgeId,
    person: &PersonId,
    team: &TeamKey,
    reminder: bool,
) -> Result<Composed, ComposeError> {
    let Some(n) = jobs::nudge(ctx.store.reads(), id).await? else {
        return Ok(Composed::Skip("nudge no longer exists"));
    };
    if n.post.is_some() {
        return Ok(Composed::Skip("nudge was already posted"));
    }
    let Some(message) = priorities_message(ctx, &n, person, Some(team), reminder).await? else {
        return Ok(Composed::Skip("the team no longer exists"));
    };
    Ok(dm(id, person, message))
}

/// The moments invitation, re-rendered as thanked once the person shared.
pub(super) async fn moments_done(ctx: &AppContext, id: NudgeId) -> Result<Composed, ComposeError> {
    let Some(n) = jobs::nudge(ctx.store.reads(), id).await? else {
        return Ok(Composed::Skip("nudge no longer exists"));
    };
    Ok(update_post(
        n.post,
        Message::MomentsNudge(MomentsNudge { shared: true }),
    ))
}

/// The leader's priorities DM, re-rendered after one of its teams published.
pub(super) async fn priorities_done(
    ctx: &AppContext,
    id: NudgeId,
) -> Result<Composed, ComposeError> {
    let Some(n) = jobs::nudge(ctx.store.reads(), id).await? else {
        return Ok(Composed::Skip("nudge no longer exists"));
    };
    if n.post.is_none() {
        return Ok(Composed::Skip("the nudge was not posted yet"));
    }
    let person = PersonId::parse(&n.person).map_err(|e| ComposeError::Impossible(e.to_string()))?;
    let reminder = n.job == "priorities-reminder";
    let Some(message) = priorities_message(ctx, &n, &person, None, reminder).await? else {
        return Ok(Composed::Skip("the leader no longer leads a team"));
    };
    Ok(update_post(n.post, message))
}

/// The sections of nudge `n`: the teams its job marked for the person (a
/// reminder: those it reminded of), each published or not as of now.
/// `fallback` names the team of a nudge enqueued before teams were kept
/// per leader.
async fn priorities_message(
    ctx: &AppContext,
    n: &jobs::Nudge,
    person: &PersonId,
    fallback: Option<&TeamKey>,
    reminder: bool,
) -> Result<Option<Message>, ComposeError> {
    let Some(month) = Month::parse(&n.period) else {
        return Ok(None);
    };
    let states = jobs::leader_team_states(ctx.store.reads(), &n.period, person.as_str()).await?;
    let dir = ctx.directory();
    let mut keys: Vec<String> = states
        .iter()
        .filter(|s| {
            if reminder {
                s.reminded_at.is_some()
            } else {
                s.nudged_at.is_some()
            }
        })
        .map(|s| s.team_key.clone())
        .collect();
    if keys.is_empty() {
        keys = match fallback {
            Some(team) => vec![team.to_string()],
            None => dir
                .teams
                .iter()
                .filter(|t| t.leaders.contains(person))
                .take(1)
                .map(|t| t.key.to_string())
                .collect(),
        };
    }
    let published: Vec<String> =
        crate::store::priorities::published_teams(ctx.store.reads(), &n.period)
            .await?
            .into_iter()
            .map(|(team, _)| team)
            .collect();
    let mut sections = Vec::new();
    // In the directory's order, so the DM reads like `/align teams`.
    for team in dir
        .teams
        .iter()
        .filter(|t| keys.iter().any(|k| k == t.key.as_str()))
    {
        sections.push(PrioritiesSection {
            goals: team_goals(ctx, team, month).await?,
            published: published.iter().any(|k| k == team.key.as_str()),
            team: team.clone(),
        });
    }
    if sections.is_empty() {
        return Ok(None);
    }
    let org_items = super::org_priorities::items_for(ctx, &n.period).await?;
    Ok(Some(Message::PrioritiesNudge(PrioritiesNudge {
        month_label: month.label(),
        sections,
        reminder,
        org_items,
    })))
}
