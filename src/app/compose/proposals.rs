//! Team goal-setting in the team channel: the proposal card, its thread
//! (comments, the decision) and the yearly kick-off.

use super::{ComposeError, Composed, Conversation, Message, update_post};
use crate::app::AppContext;
use crate::domain::goal::{Goal, GoalId, GoalKind, PlanYear, ProposalStatus};
use crate::domain::ids::{PostOwner, PostRef, ProposalId};
use crate::domain::{ChannelId, PersonId, PillarKey, TeamKey};
use crate::store::{goals, proposals};
use chrono::NaiveDate;

/// A goal proposal as people see it: what is proposed, by whom, under
/// which pillar, how much support, and how it was decided.
#[derive(Debug, Clone, PartialEq)]
pub struct ProposalCard {
    pub id: ProposalId,
    /// As the proposer wrote it.
    pub title: String,
    pub pillar: PillarKey,
    pub team: TeamKey,
    pub proposer: PersonId,
    pub year: PlanYear,
    pub kind: GoalKind,
    pub due: Option<NaiveDate>,
    pub status: ProposalStatus,
    pub decided_by: Option<PersonId>,
    /// The goal it became, once approved.
    pub goal: Option<GoalId>,
    pub supporters: i64,
    /// Who supports it, in the order they did (filled by [`load`]).
    pub supporter_ids: Vec<PersonId>,
    /// Comments made with the Comment button (replies typed straight into
    /// the thread are not seen by the bot, so the post says what it counts).
    pub comments: i64,
}

impl From<proposals::Proposal> for ProposalCard {
    fn from(p: proposals::Proposal) -> Self {
        Self {
            id: ProposalId(p.id),
            title: p.title,
            pillar: p.pillar,
            team: p.team,
            proposer: p.proposer,
            year: p.year,
            kind: p.kind,
            due: p.due,
            status: p.status,
            decided_by: p.decided_by,
            goal: p.goal,
            supporters: p.supporters,
            supporter_ids: Vec::new(),
            comments: p.comments,
        }
    }
}

/// A comment in a proposal's thread, shown as written.
#[derive(Debug, Clone, PartialEq)]
pub struct ProposalComment {
    pub author: String,
    pub text: String,
}

/// How a proposal was decided, for its thread; `owner` owns the new goal.
#[derive(Debug, Clone, PartialEq)]
pub struct ProposalDecision {
    pub proposal: ProposalCard,
    pub owner: Option<String>,
    /// Why it was declined, as the leader wrote it (checked by the privacy
    /// guard when they did).
    pub reason: Option<String>,
    /// The approved goal's measure and due date: the leader may have
    /// adjusted the proposal's, and the thread says so.
    pub approved: Option<(GoalKind, Option<NaiveDate>)>,
}

/// The goal-setting kick-off for a team: last year's goals and outcomes.
#[derive(Debug, Clone, PartialEq)]
pub struct Kickoff {
    pub team: TeamKey,
    pub year: i32,
    pub last_year: Vec<Goal>,
    /// How people read the year and the one before ("2027", "2026/27").
    pub label: String,
    pub last_label: String,
    /// Proposals made without `year:` would land in another year, so the
    /// invitation shows `year:` (a kick-off for a year not yet open).
    pub needs_year: bool,
}

/// The proposal with its post, as it is now.
pub(super) async fn load(
    ctx: &AppContext,
    id: ProposalId,
) -> Result<Option<(ProposalCard, Option<(String, String)>)>, ComposeError> {
    let Some(mut p) = proposals::get(ctx.store.reads(), id).await? else {
        return Ok(None);
    };
    let post = p.post.take();
    let mut card = ProposalCard::from(p);
    let mut conn = ctx.store.read_conn().await?;
    card.supporter_ids = proposals::supporters(&mut conn, id.0)
        .await?
        .iter()
        .filter_map(|s| PersonId::parse(s).ok())
        .collect();
    Ok(Some((card, post)))
}

pub(super) async fn post(
    ctx: &AppContext,
    id: ProposalId,
    channel: &ChannelId,
) -> Result<Composed, ComposeError> {
    let Some((card, post)) = load(ctx, id).await? else {
        return Ok(Composed::Skip("proposal no longer exists"));
    };
    if post.is_some() {
        return Ok(Composed::Skip("proposal was already posted"));
    }
    Ok(Composed::Post {
        to: Conversation::Channel(channel.clone()),
        message: Message::Proposal(card),
        thread: None,
        record: Some(PostOwner::Proposal(id)),
    })
}

pub(super) async fn update(ctx: &AppContext, id: ProposalId) -> Result<Composed, ComposeError> {
    let Some((card, post)) = load(ctx, id).await? else {
        return Ok(Composed::Skip("proposal no longer exists"));
    };
    Ok(update_post(post, Message::Proposal(card)))
}

pub(super) async fn comment(
    ctx: &AppContext,
    id: ProposalId,
    comment: i64,
) -> Result<Composed, ComposeError> {
    let Some((_, post)) = load(ctx, id).await? else {
        return Ok(Composed::Skip("proposal no longer exists"));
    };
    let Some(at) = PostRef::from_pair(post) else {
        return Ok(Composed::Skip("proposal was never posted"));
    };
    let Some((author, text)) = proposals::comment(ctx.store.reads(), comment).await? else {
        return Ok(Composed::Skip("comment no longer exists"));
    };
    Ok(Composed::Post {
        to: Conversation::Existing(at.channel.clone()),
        message: Message::ProposalComment(ProposalComment { author, text }),
        thread: Some(at),
        record: None,
    })
}

pub(super) async fn decided(ctx: &AppContext, id: ProposalId) -> Result<Composed, ComposeError> {
    let Some((card, post)) = load(ctx, id).await? else {
        return Ok(Composed::Skip("proposal no longer exists"));
    };
    let Some(at) = PostRef::from_pair(post) else {
        return Ok(Composed::Skip("proposal was never posted"));
    };
    let goal = match card.goal {
        Some(g) => goals::get(ctx.store.reads(), g).await?,
        None => None,
    };
    let owner = goal.as_ref().map(|g| g.owner.to_string());
    let approved = goal.map(|g| (g.kind, g.due));
    let mut conn = ctx.store.read_conn().await?;
    let reason = proposals::decline_reason(&mut conn, id.0).await?;
    drop(conn);
    Ok(Composed::Post {
        to: Conversation::Existing(at.channel.clone()),
        message: Message::ProposalDecision(ProposalDecision {
            proposal: card,
            owner,
            reason,
            approved,
        }),
        thread: Some(at),
        record: None,
    })
}

pub(super) async fn kickoff(
    ctx: &AppContext,
    team: &TeamKey,
    year: i32,
    channel: &ChannelId,
) -> Result<Composed, ComposeError> {
    let last_year = goals::for_team_year(ctx.store.reads(), team, year - 1, 20).await?;
    let plan_year = PlanYear::new(year).map_err(|e| ComposeError::Impossible(e.to_string()))?;
    Ok(Composed::Post {
        to: Conversation::Channel(channel.clone()),
        message: Message::Kickoff(Kickoff {
            team: team.clone(),
            year,
            last_year,
            label: ctx.years.label(plan_year),
            last_label: ctx.years.label(plan_year.previous()),
            needs_year: crate::app::goals::default_year(ctx).0 != plan_year,
        }),
        thread: None,
        record: None,
    })
}
