//! A team's monthly priorities: the post in its channel, the line in the
//! leadership channel, and an admin's list of teams still without them.

use super::nudges::{team_goals, team_month};
use super::{ComposeError, Composed, Conversation, Message, update_post};
use crate::app::AppContext;
use crate::domain::goal::Goal;
use crate::domain::ids::{PostOwner, PriorityId};
use crate::domain::period::Month;
use crate::domain::{ChannelId, PersonId, Team};
use crate::store::priorities;

/// One publication of a team's priorities: the leader's words as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedPriorities {
    pub id: PriorityId,
    pub author: String,
    pub items: Vec<String>,
    /// The goal each item serves, if linked (same order as `items`).
    pub goals: Vec<Option<i64>>,
    /// How last month's items ended: (text, "done" | "carried-over" | "dropped").
    pub review: Vec<(String, String)>,
}

impl From<priorities::Published> for PublishedPriorities {
    fn from(p: priorities::Published) -> Self {
        Self {
            id: PriorityId(p.id),
            author: p.author,
            items: p.items,
            goals: p.goals,
            review: p.review,
        }
    }
}

/// The team's priorities with its goal progress, for the team channel.
#[derive(Debug, Clone, PartialEq)]
pub struct PrioritiesPost {
    pub priorities: PublishedPriorities,
    pub team: Team,
    pub month_label: String,
    pub goals: Vec<Goal>,
}

/// One line for the leadership channel: a team published.
#[derive(Debug, Clone, PartialEq)]
pub struct PrioritiesSummary {
    pub priorities: PublishedPriorities,
    pub team: Team,
    pub month_label: String,
}

/// To an admin, privately: the teams without priorities this month.
#[derive(Debug, Clone, PartialEq)]
pub struct MissingPriorities {
    pub month_label: String,
    pub teams: Vec<Team>,
}

type Loaded = (PublishedPriorities, Option<(String, String)>, Team, Month);

async fn load(ctx: &AppContext, id: PriorityId) -> Result<Option<Loaded>, ComposeError> {
    let mut conn = ctx.store.read_conn().await?;
    let Some(mut p) = priorities::get(&mut conn, id).await? else {
        return Ok(None);
    };
    let post = p.post.take();
    Ok(team_month(ctx, &p.team, &p.period)
        .map(|(team, month)| (PublishedPriorities::from(p), post, team, month)))
}

async fn body(
    ctx: &AppContext,
    priorities: PublishedPriorities,
    team: Team,
    month: Month,
) -> Result<Message, ComposeError> {
    let goals = team_goals(ctx, &team, month).await?;
    Ok(Message::Priorities(PrioritiesPost {
        priorities,
        team,
        month_label: month.label(),
        goals,
    }))
}

pub(super) async fn post(
    ctx: &AppContext,
    id: PriorityId,
    channel: &ChannelId,
) -> Result<Composed, ComposeError> {
    let Some((p, post, team, month)) = load(ctx, id).await? else {
        return Ok(Composed::Skip("priorities or their team no longer exist"));
    };
    let message = body(ctx, p, team, month).await?;
    if post.is_some() {
        return Ok(Composed::Skip("the priorities were already posted"));
    }
    Ok(Composed::Post {
        to: Conversation::Channel(channel.clone()),
        message,
        thread: None,
        record: Some(PostOwner::Priorities(id)),
    })
}

pub(super) async fn update(ctx: &AppContext, id: PriorityId) -> Result<Composed, ComposeError> {
    let Some((p, post, team, month)) = load(ctx, id).await? else {
        return Ok(Composed::Skip("priorities or their team no longer exist"));
    };
    let message = body(ctx, p, team, month).await?;
    Ok(update_post(post, message))
}

pub(super) async fn summary(
    ctx: &AppContext,
    id: PriorityId,
    channel: &ChannelId,
) -> Result<Composed, ComposeError> {
    let Some((priorities, _, team, month)) = load(ctx, id).await? else {
        return Ok(Composed::Skip("priorities or their team no longer exist"));
    };
    Ok(Composed::Post {
        to: Conversation::Channel(channel.clone()),
        message: Message::PrioritiesSummary(PrioritiesSummary {
            priorities,
            team,
            month_label: month.label(),
        }),
        thread: None,
        record: None,
    })
}

pub(super) async fn missing(
    ctx: &AppContext,
    period: &str,
    person: &PersonId,
) -> Result<Composed, ComposeError> {
    let Some(month) = Month::parse(period) else {
        return Ok(Composed::Skip("no readable period"));
    };
    let published: Vec<String> = priorities::published_teams(ctx.store.reads(), period)
        .await?
        .into_iter()
        .map(|(team, _)| team)
        .collect();
    let teams: Vec<Team> = ctx
        .directory()
        .teams
        .iter()
        .filter(|t| !published.iter().any(|p| p == t.key.as_str()))
        .cloned()
        .collect();
    if teams.is_empty() {
        return Ok(Composed::Skip("every team has published meanwhile"));
    }
    Ok(Composed::Post {
        to: Conversation::Person(person.clone()),
        message: Message::MissingPriorities(MissingPriorities {
            month_label: month.label(),
            teams,
        }),
        thread: None,
        record: None,
    })
}
