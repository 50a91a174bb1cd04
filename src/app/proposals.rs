//! Team goal-setting: members propose goals, teammates support and comment,
//! a leader approves (the proposal becomes an active goal) or declines.
//!
//! Who may do what (the rules are in [`super::permissions`]): any member or
//! leader of the team (or an admin) may propose, support and comment; only
//! the team's leaders and admins decide.
//!
//! A decision is made once. Two leaders pressing at the same moment both see
//! an open proposal, so the check that counts is inside the write: the
//! proposal's status changes only while it is still open, and only the
//! request that changed it creates the goal and announces the decision; the
//! other is told who decided first (see [`Decided`]). A unique index on the
//! goal's proposal backs this in the database.

use super::goals::GoalInput;
use super::outgoing::{Outgoing, enqueue};
use super::permissions::Actor;
use super::{AppContext, AppError};
use crate::domain::goal::{
    Goal, GoalField, GoalId, GoalKind, NewGoal, Note, ProposalStatus, Quantity, parse_due,
};
use crate::domain::{ChannelId, DomainError, PersonId, Team};
use crate::store::goals;
use crate::store::proposals::{self, NewProposal, Proposal};
use crate::store::{Conn, StoreError};
use chrono::{DateTime, NaiveDate, Utc};

fn gone() -> AppError {
    AppError::NotFound("That proposal no longer exists.".into())
}

pub async fn get(ctx: &AppContext, id: i64) -> Result<Proposal, AppError> {
    proposals::get(ctx.store.reads(), crate::domain::ids::ProposalId(id))
        .await?
        .ok_or_else(gone)
}

/// A proposal still open for support, comments and a decision.
pub async fn get_open(ctx: &AppContext, id: i64) -> Result<Proposal, AppError> {
    let p = get(ctx, id).await?;
    if p.status != ProposalStatus::Open {
        return Err(AppError::Forbidden(format!(
            "Proposal {id} was already {}.",
            p.status.as_str()
        )));
    }
    Ok(p)
}

/// An open proposal that `person` may approve or decline (asked before the
/// approval form opens; the decision itself is settled in the write).
pub async fn for_decision(
    ctx: &AppContext,
    person: &PersonId,
    id: i64,
) -> Result<Proposal, AppError> {
    let p = get_open(ctx, id).await?;
    may_decide(ctx, person, &p)?;
    Ok(p)
}

fn may_decide(ctx: &AppContext, person: &PersonId, p: &Proposal) -> Result<(), AppError> {
    if Actor::new(&ctx.directory(), person).may_decide_proposal(&p.team) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "Only a leader of this team or an admin can approve or decline a proposal.".into(),
        ))
    }
}

/// The outcome of an approval or a decline: this request decided the
/// proposal, or someone had decided it first and nothing changed.
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub enum Decided<T> {
    Made(T),
    Already(AlreadyDecided),
}

/// How a proposal had already been decided, for the answer to whoever came
/// second (the adapter words it: it knows how to mention a person).
#[derive(Debug, Clone, PartialEq)]
pub struct AlreadyDecided {
    pub proposal: i64,
    pub status: ProposalStatus,
    pub by: Option<PersonId>,
}

/// What the proposal became, read after the losing write (whose reply
/// follows the commit of the winning one).
async fn already_decided(ctx: &AppContext, id: i64) -> Result<AlreadyDecided, AppError> {
    let p = get(ctx, id).await?;
    Ok(AlreadyDecided {
        proposal: id,
        status: p.status,
        by: p.decided_by,
    })
}

fn team_channel(ctx: &AppContext, p: &Proposal) -> Result<ChannelId, AppError> {
    ctx.directory()
        .team(&p.team)
        .map(|t| t.channel.clone())
        .ok_or_else(|| AppError::NotFound(format!("The team `{}` no longer exists.", p.team)))
}

/// Proposes a goal to the proposer's team; returns its id and the team.
#[tracing::instrument(skip_all, fields(%person))]
pub async fn propose(
    ctx: &AppContext,
    person: PersonId,
    input: GoalInput,
) -> Result<(i64, Team), AppError> {
    let dir = ctx.directory();
    super::goals::ask_which_team(
        ctx,
        &person,
        input.team.as_deref(),
        "/goal propose <title> pillar:<key> {team}",
    )?;
    let goal: NewGoal = input.validate(&person, &dir, super::goals::default_year(ctx).0)?;
    let Some(team) = goal.team.as_ref().and_then(|t| dir.team(t)).cloned() else {
        return Err(AppError::Forbidden(
            "A proposal goes to a team: add team:<key> (you are not in exactly one team).".into(),
        ));
    };
    if !Actor::new(&dir, &person).may_take_part(&team.key) {
        return Err(AppError::Forbidden(format!(
            "Only members of {} can propose its goals.",
            team.name
        )));
    }
    let now = ctx.clock.now();
    let channel = team.channel.clone();
    let id = ctx
        .store
        .write(move |conn| {
            Box::pin(async move {
                let new = NewProposal {
                    title: goal.title.as_str(),
                    pillar: &goal.pillar,
                    team: goal.team.as_ref().expect("checked above"),
                    proposer: &person,
                    year: goal.year,
                    kind: &goal.kind,
                    due: goal.due,
                };
                let id = proposals::insert(conn, &new, now).await?;
                enqueue(
                    conn,
                    &Outgoing::PostProposal {
                        proposal: crate::domain::ids::ProposalId(id),
                        channel,
                    },
                    now,
                )
                .await?;
                Ok(id)
            })
        })
        .await?;
    ctx.wake_delivery();
    Ok((id, team))
}

fn may_take_part(ctx: &AppContext, person: &PersonId, p: &Proposal) -> Result<(), AppError> {
    if Actor::new(&ctx.directory(), person).may_take_part(&p.team) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "Only members of this team can support or comment on its proposals.".into(),
        ))
    }
}

/// Where a person's support stands after pressing "Support / take back".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Support {
    /// True: they support it now; false: they took it back.
    pub mine: bool,
    /// Everyone who supports it now.
    pub supporters: Vec<PersonId>,
    pub title: String,
}

/// Supports the proposal, or takes the support back; the post's count
/// follows in place, and the person is told where they stand.
#[tracing::instrument(skip_all, fields(%person, id))]
pub async fn toggle_support(
    ctx: &AppContext,
    person: PersonId,
    id: i64,
) -> Result<Support, AppError> {
    let p = get_open(ctx, id).await?;
    may_take_part(ctx, &person, &p)?;
    let channel = team_channel(ctx, &p)?;
    let now = ctx.clock.now();
    let title = p.title.clone();
    let (mine, supporters) = ctx
        .store
        .write(move |conn| {
            Box::pin(async move {
                let mine = proposals::toggle_support(conn, id, &person, now).await?;
                let supporters = proposals::supporters(conn, id).await?;
                enqueue(
                    conn,
                    &Outgoing::UpdateProposal {
                        proposal: crate::domain::ids::ProposalId(id),
                        channel,
                    },
                    now,
                )
                .await?;
                Ok((mine, supporters))
            })
        })
        .await?;
    ctx.wake_delivery();
    Ok(Support {
        mine,
        supporters: supporters
            .iter()
            .filter_map(|s| PersonId::parse(s).ok())
            .collect(),
        title,
    })
}

/// Comments on a proposal; the comment goes to the post's thread.
#[tracing::instrument(skip_all, fields(%person, id))]
pub async fn comment(
    ctx: &AppContext,
    person: PersonId,
    id: i64,
    text: &str,
) -> Result<(), AppError> {
    let note = Note::parse(text)?;
    super::guard::check(ctx, [note.as_str()])?;
    let p = get_open(ctx, id).await?;
    may_take_part(ctx, &person, &p)?;
    let channel = team_channel(ctx, &p)?;
    let now = ctx.clock.now();
    ctx.store
        .write(move |conn| {
            Box::pin(async move {
                let comment = proposals::add_comment(conn, id, &person, note.as_str(), now).await?;
                enqueue(
                    conn,
                    &Outgoing::ProposalComment {
                        proposal: crate::domain::ids::ProposalId(id),
                        comment,
                        channel: channel.clone(),
                    },
                    now,
                )
                .await?;
                enqueue(
                    conn,
                    &Outgoing::UpdateProposal {
                        proposal: crate::domain::ids::ProposalId(id),
                        channel,
                    },
                    now,
                )
                .await?;
                Ok(())
            })
        })
        .await?;
    ctx.wake_delivery();
    Ok(())
}

/// The longest reply kept as a comment (the rest stays in Slack's thread).
const MAX_THREAD_REPLY: usize = 3000;

/// A reply typed straight into a proposal's thread counts as a comment: it
/// is stored with the comments and the post's count is updated. It is not
/// posted again (it is in the thread already), so the privacy guard, which
/// checks what the bot posts on someone's behalf, has nothing to hold.
/// Runs in the event's transaction, so a repeated event id counts once.
/// False when the thread is not a proposal's.
pub async fn count_thread_reply(
    conn: &mut crate::store::Conn,
    person: &str,
    (channel, thread_ts, ts): (&str, &str, &str),
    text: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<bool, crate::store::StoreError> {
    let (Ok(person), Ok(channel_id)) = (PersonId::parse(person), ChannelId::parse(channel)) else {
        return Ok(false);
    };
    let Some(id) = proposals::by_post(&mut *conn, channel, thread_ts).await? else {
        return Ok(false);
    };
    let kept: String = text.chars().take(MAX_THREAD_REPLY).collect();
    let comment = proposals::add_comment(&mut *conn, id, &person, &kept, now).await?;
    proposals::set_comment_post(&mut *conn, comment, channel, ts).await?;
    let update = Outgoing::UpdateProposal {
        proposal: crate::domain::ids::ProposalId(id),
        channel: channel_id,
    };
    enqueue(conn, &update, now).await?;
    Ok(true)
}

/// A counted reply was edited in Slack: its stored text follows (the count
/// does not change).
pub async fn edit_thread_reply(
    conn: &mut crate::store::Conn,
    channel: &str,
    ts: &str,
    text: &str,
) -> Result<(), crate::store::StoreError> {
    let kept: String = text.chars().take(MAX_THREAD_REPLY).collect();
    proposals::edit_comment_at(conn, channel, ts, &kept).await
}

/// A counted reply was deleted in Slack: it is uncounted and the proposal's
/// post shows the new count. Any other deleted message changes nothing.
pub async fn uncount_thread_reply(
    conn: &mut crate::store::Conn,
    channel: &str,
    ts: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<bool, crate::store::StoreError> {
    let Ok(channel_id) = ChannelId::parse(channel) else {
        return Ok(false);
    };
    let Some(id) = proposals::delete_comment_at(&mut *conn, channel, ts).await? else {
        return Ok(false);
    };
    let update = Outgoing::UpdateProposal {
        proposal: crate::domain::ids::ProposalId(id),
        channel: channel_id,
    };
    enqueue(conn, &update, now).await?;
    Ok(true)
}

/// Each problem with the field it is about (as [`crate::domain::goal::GoalInput::check`]).
pub type Problems = Vec<(GoalField, DomainError)>;

/// What the approving leader changed in the approval form: a new target and
/// due date, as typed or picked. Blank keeps the proposal's.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Adjust {
    pub target: Option<String>,
    pub due: Option<String>,
}

impl Adjust {
    /// The goal's kind and due date with the adjustments applied, validated
    /// like `/goal add`'s target and due (a numeric proposal keeps its
    /// start); each problem with its field, so a form shows it in place.
    pub fn apply(&self, p: &Proposal) -> Result<(GoalKind, Option<NaiveDate>), Problems> {
        let mut problems = Vec::new();
        let kind = match blank_is_none(&self.target) {
            None => Some(p.kind.clone()),
            Some(target) => {
                let start = match &p.kind {
                    GoalKind::Numeric { start, unit, .. } => Some(
                        Quantity {
                            value: *start,
                            unit: unit.clone(),
                        }
                        .to_string(),
                    ),
                    _ => None,
                };
                GoalKind::from_input(start.as_deref(), Some(target))
                    .map_err(|e| problems.push((GoalField::Measure, e.into())))
                    .ok()
            }
        };
        let due = match blank_is_none(&self.due) {
            None => Some(p.due),
            Some(raw) => parse_due(raw, p.year)
                .map(Some)
                .map_err(|e| problems.push((GoalField::Due, e.into())))
                .ok(),
        };
        match (kind, due) {
            (Some(kind), Some(due)) if problems.is_empty() => Ok((kind, due)),
            _ => Err(problems),
        }
    }
}

fn blank_is_none(raw: &Option<String>) -> Option<&str> {
    raw.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The proposal's target as a person types it (`30min`, `100%`), empty for
/// a done/not-done milestone: what the approval form starts from.
pub fn target_text(kind: &GoalKind) -> String {
    match kind {
        GoalKind::Numeric { target, .. } => kind.format_value(*target),
        GoalKind::Percent => "100%".to_owned(),
        GoalKind::Milestone => String::new(),
    }
}

/// Turns the proposal into an active goal owned by `owner` (default: the
/// proposer), and says so in the proposal's thread; unless it was already
/// decided, then nothing changes.
pub async fn approve(
    ctx: &AppContext,
    leader: PersonId,
    id: i64,
    owner: Option<PersonId>,
) -> Result<Decided<Goal>, AppError> {
    approve_adjusted(ctx, leader, id, owner, &Adjust::default()).await
}

/// [`approve`], with the target and due date the leader adjusted; bad
/// input is refused before anything is written.
#[tracing::instrument(skip_all, fields(%leader, id))]
pub async fn approve_adjusted(
    ctx: &AppContext,
    leader: PersonId,
    id: i64,
    owner: Option<PersonId>,
    adjust: &Adjust,
) -> Result<Decided<Goal>, AppError> {
    let p = get(ctx, id).await?;
    may_decide(ctx, &leader, &p)?;
    let (kind, due) = adjust
        .apply(&p)
        .map_err(|mut problems| AppError::Invalid(problems.swap_remove(0).1))?;
    let channel = team_channel(ctx, &p)?;
    let goal = NewGoal {
        title: crate::domain::goal::GoalTitle::parse(&p.title)?,
        pillar: p.pillar.clone(),
        team: Some(p.team.clone()),
        owner: owner.unwrap_or_else(|| p.proposer.clone()),
        year: p.year,
        kind,
        due,
    };
    let now = ctx.clock.now();
    let made: Option<GoalId> = ctx
        .store
        .write(move |conn| {
            Box::pin(async move {
                if !proposals::decide_if_open(conn, id, ProposalStatus::Approved, &leader, now)
                    .await?
                {
                    return Ok(None);
                }
                let goal_id = goals::insert(conn, &goal, &leader, Some(id), now).await?;
                proposals::set_goal(conn, id, goal_id).await?;
                let detail = format!("approved proposal {id} as “{}”", goal.title.as_str());
                goals::log_change(
                    conn,
                    &leader,
                    &format!("goal:{}", goal_id.0),
                    "approve",
                    &detail,
                    now,
                )
                .await?;
                enqueue_decided(conn, id, channel, now).await?;
                enqueue(
                    conn,
                    &Outgoing::PublishHome {
                        person: goal.owner.clone(),
                    },
                    now,
                )
                .await?;
                Ok(Some(goal_id))
            })
        })
        .await?;
    let Some(goal_id) = made else {
        return Ok(Decided::Already(already_decided(ctx, id).await?));
    };
    ctx.wake_delivery();
    Ok(Decided::Made(super::goals::get(ctx, goal_id).await?))
}

/// The messages of a decision, approved or declined alike: the proposal's
/// card refreshed to show it, and a line in its thread saying so.
async fn enqueue_decided(
    conn: &mut Conn,
    id: i64,
    channel: ChannelId,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let proposal = crate::domain::ids::ProposalId(id);
    enqueue(
        conn,
        &Outgoing::UpdateProposal {
            proposal,
            channel: channel.clone(),
        },
        now,
    )
    .await?;
    enqueue(conn, &Outgoing::ProposalDecided { proposal, channel }, now).await?;
    Ok(())
}

/// The longest decline reason, in characters.
pub const MAX_REASON: usize = 500;

/// A leader's reason for declining, trimmed: required, bounded, and
/// through the privacy guard (it is posted to the team channel's thread).
pub fn decline_reason(ctx: &AppContext, raw: &str) -> Result<String, AppError> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(AppError::Invalid(crate::domain::DomainError::Rule(
            "Say in a sentence why not: the proposer and the team read it in the thread.".into(),
        )));
    }
    let len = text.chars().count();
    if len > MAX_REASON {
        return Err(AppError::Invalid(crate::domain::DomainError::Rule(
            format!("Your reason is {len} characters long; the limit is {MAX_REASON}. Shorten it."),
        )));
    }
    let findings = crate::domain::privacy::scan_with(text, &ctx.known_people());
    if let Some(first) = findings.first() {
        return Err(AppError::Invalid(crate::domain::DomainError::Rule(
            format!(
                "This looks like {} (“{}”); the whole team reads it. Say it without personal details.",
                first.kind.label(),
                first.excerpt
            ),
        )));
    }
    Ok(text.to_owned())
}

/// Declines the proposal with the leader's `reason`, saying so in its
/// thread; unless it was already decided, then nothing changes.
#[tracing::instrument(skip_all, fields(%leader, id))]
pub async fn decline(
    ctx: &AppContext,
    leader: PersonId,
    id: i64,
    reason: &str,
) -> Result<Decided<()>, AppError> {
    let reason = decline_reason(ctx, reason)?;
    let p = get(ctx, id).await?;
    may_decide(ctx, &leader, &p)?;
    let channel = team_channel(ctx, &p)?;
    let now = ctx.clock.now();
    let made = ctx
        .store
        .write(move |conn| {
            Box::pin(async move {
                if !proposals::decide_if_open(conn, id, ProposalStatus::Declined, &leader, now)
                    .await?
                {
                    return Ok(false);
                }
                proposals::set_decline_reason(conn, id, &reason).await?;
                enqueue_decided(conn, id, channel, now).await?;
                Ok(true)
            })
        })
        .await?;
    if !made {
        return Ok(Decided::Already(already_decided(ctx, id).await?));
    }
    ctx.wake_delivery();
    Ok(Decided::Made(()))
}

/// Open proposals in the person's teams, for the Home tab.
pub async fn open_for(
    ctx: &AppContext,
    person: &PersonId,
    limit: i64,
) -> Result<Vec<Proposal>, AppError> {
    let dir = ctx.directory();
    let mut out = Vec::new();
    for team in dir.teams_of(person) {
        out.extend(proposals::open_for_team(ctx.store.reads(), &team.key, limit).await?);
    }
    out.sort_by_key(|p| std::cmp::Reverse(p.id));
    out.truncate(limit as usize);
    Ok(out)
}

/// Posts the goal-setting kick-off to a team's channel: the mission, the
/// pillars, last year's goals and how they ended, and an invitation to
/// propose. Leaders of the team and admins may start it.
#[tracing::instrument(skip_all, fields(%person))]
pub async fn kickoff(
    ctx: &AppContext,
    person: PersonId,
    team: &str,
    year: crate::domain::goal::PlanYear,
) -> Result<Team, AppError> {
    let dir = ctx.directory();
    let key = dir.resolve_team(team)?;
    if !Actor::new(&dir, &person).may_start_goal_setting(&key) {
        return Err(AppError::Forbidden(
            "Only the team's leaders and admins can start its goal-setting.".into(),
        ));
    }
    let team = dir.team(&key).cloned().expect("resolved above");
    let (year, channel, now) = (year.value(), team.channel.clone(), ctx.clock.now());
    ctx.store
        .write(move |conn| {
            Box::pin(async move {
                let detail = format!("started goal-setting for {year}");
                goals::log_change(
                    conn,
                    &person,
                    &format!("team:{key}"),
                    "kickoff",
                    &detail,
                    now,
                )
                .await?;
                enqueue(
                    conn,
                    &Outgoing::Kickoff {
                        team: key,
                        year,
                        channel,
                    },
                    now,
                )
                .await?;
                Ok(())
            })
        })
        .await?;
    ctx.wake_delivery();
    Ok(team)
}
