//! Annual goals: adding, checking in, listing, showing and closing.
//!
//! Who may do what (the rules are in [`super::permissions`], checked here
//! whatever the UI showed):
//! - add a goal: admins, and leaders for their own team; members propose;
//! - check in, edit, close: the goal's owner, a leader of its team, an admin;
//!   moving it to another team: whoever may add goals to that team;
//! - read: anyone in the organization.

use super::outgoing::{Outgoing, enqueue};
use super::permissions::Actor;
use super::{AppContext, AppError};
use crate::domain::goal::{CheckIn, Confidence, Goal, GoalId, GoalStatus, Note, PlanYear};
use crate::domain::{DomainError, PersonId};
use crate::store::goals;
use chrono::Datelike;

/// Goals per page of `/goal list`; each takes two blocks of a message's 50.
pub const PAGE_SIZE: i64 = 15;

pub use crate::domain::goal::GoalInput;
/// Which goals a listing shows (for adapters, which do not import the store).
pub use crate::store::goals::GoalFilter;

/// The plan year "now" is in, in the organization's time zone.
pub fn current_year(ctx: &AppContext) -> PlanYear {
    let dir = ctx.directory();
    let year = ctx.clock.now().with_timezone(&dir.org.timezone).year();
    PlanYear::new(year).expect("the clock is within the supported years")
}

fn some(raw: &Option<String>) -> Option<&str> {
    raw.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Refuses, with the reason to show, unless `person` may add goals directly
/// for the team their work belongs to (the add form asks this before it opens).
pub fn for_add_form(ctx: &AppContext, person: &PersonId) -> Result<(), AppError> {
    let dir = ctx.directory();
    let team = dir.home_team(person).map(|t| t.key.clone());
    if !Actor::new(&dir, person).may_add_goal(team.as_ref()) {
        return Err(AppError::Forbidden(
            "Team leaders and admins add goals directly. Propose yours to your team with `/goal propose`.".into(),
        ));
    }
    Ok(())
}

fn not_found(id: GoalId) -> AppError {
    AppError::NotFound(format!(
        "There is no goal {id}. `/goal list all` shows the goals."
    ))
}

fn refuse_change(goal: &Goal) -> AppError {
    AppError::Forbidden(format!(
        "Only the goal's owner (<@{}>), a leader of its team or an admin can change goal {}.",
        goal.owner, goal.id
    ))
}

/// Creates a goal; returns it as stored.
#[tracing::instrument(skip_all, fields(%actor))]
pub async fn add(ctx: &AppContext, actor: PersonId, input: GoalInput) -> Result<Goal, AppError> {
    let dir = ctx.directory();
    let goal = input.validate(&actor, &dir, current_year(ctx))?;
    if !Actor::new(&dir, &actor).may_add_goal(goal.team.as_ref()) {
        return Err(AppError::Forbidden(
            "Team leaders and admins add goals directly. Everyone else proposes them to their team: \
             `/goal propose <title> pillar:<key>`, and a leader approves."
                .into(),
        ));
    }
    let now = ctx.clock.now();
    let id = ctx
        .store
        .write(move |conn| {
            Box::pin(async move {
                let id = goals::insert(conn, &goal, &actor, None, now).await?;
                let detail = format!("added “{}” under {}", goal.title.as_str(), goal.pillar);
                goals::log_change(conn, &actor, &format!("goal:{}", id.0), "add", &detail, now)
                    .await?;
                enqueue(
                    conn,
                    &Outgoing::PublishHome {
                        person: goal.owner.clone(),
                    },
                    now,
                )
                .await?;
                Ok(id)
            })
        })
        .await?;
    ctx.wake_delivery();
    get(ctx, id).await
}

pub async fn get(ctx: &AppContext, id: GoalId) -> Result<Goal, AppError> {
    goals::get(ctx.store.reads(), id)
        .await?
        .ok_or_else(|| not_found(id))
}

/// A goal with its check-ins, newest first.
pub async fn show(ctx: &AppContext, id: GoalId) -> Result<(Goal, Vec<CheckIn>), AppError> {
    let goal = get(ctx, id).await?;
    let history = goals::check_ins(ctx.store.reads(), id, 24).await?;
    Ok((goal, history))
}

/// A goal `person` may change, or why not.
pub async fn for_change(ctx: &AppContext, person: &PersonId, id: GoalId) -> Result<Goal, AppError> {
    let goal = get(ctx, id).await?;
    if !Actor::new(&ctx.directory(), person).may_change_goal(&goal.owner, goal.team.as_ref()) {
        return Err(refuse_change(&goal));
    }
    Ok(goal)
}

/// A check-in as typed: the value in the goal's measure, an optional
/// confidence (default: the last one, else on track) and an optional note.
#[derive(Debug, Clone, Default)]
pub struct CheckInInput {
    pub value: String,
    pub confidence: Option<String>,
    pub note: Option<String>,
}

/// Records a check-in; the goal's history keeps every one.
#[tracing::instrument(skip_all, fields(%actor, %id))]
pub async fn check_in(
    ctx: &AppContext,
    actor: PersonId,
    id: GoalId,
    input: CheckInInput,
) -> Result<(Goal, CheckIn), AppError> {
    let goal = for_change(ctx, &actor, id).await?;
    if goal.status != GoalStatus::Active {
        return Err(AppError::Forbidden(format!(
            "Goal {id} is closed ({}); it takes no more check-ins.",
            goal.status.as_str()
        )));
    }
    let value = goal.kind.parse_value(&input.value)?;
    let confidence = match some(&input.confidence) {
        Some(raw) => Confidence::parse(raw).ok_or_else(|| DomainError::Invalid {
            what: "confidence",
            value: raw.chars().take(40).collect(),
            rule: "use on-track, at-risk or off-track",
        })?,
        None => goal.confidence.unwrap_or(Confidence::OnTrack),
    };
    let note = some(&input.note).map(Note::parse).transpose()?;
    let check_in = CheckIn {
        goal: id,
        value,
        confidence,
        note: note.map(|n| n.as_str().to_owned()),
        author: actor,
        at: ctx.clock.now(),
    };
    let progress = goal.kind.progress(Some(value));
    let (stored, owner) = (check_in.clone(), goal.owner.clone());
    let dir = ctx.directory();
    let month = crate::domain::period::Month::containing(check_in.at, dir.org.timezone).key();
    let nudge = crate::store::jobs::nudge_for(
        ctx.store.reads(),
        "progress-nudge",
        &month,
        goal.owner.as_str(),
    )
    .await?;
    ctx.store
        .write(move |conn| {
            Box::pin(async move {
                goals::record_check_in(conn, &stored, progress).await?;
                // The owner's check-in DM for this month shows what is left.
                if let Some((nudge, _, _)) = nudge {
                    enqueue(
                        conn,
                        &Outgoing::UpdateProgressNudge {
                            nudge: crate::domain::ids::NudgeId(nudge),
                            person: owner.clone(),
                        },
                        stored.at,
                    )
                    .await?;
                }
                enqueue(conn, &Outgoing::PublishHome { person: owner }, stored.at).await?;
                Ok(())
            })
        })
        .await?;
    ctx.wake_delivery();
    Ok((get(ctx, id).await?, check_in))
}

/// Closes a goal as achieved or dropped, with an optional note.
#[tracing::instrument(skip_all, fields(%actor, %id))]
pub async fn close(
    ctx: &AppContext,
    actor: PersonId,
    id: GoalId,
    outcome: GoalStatus,
    note: Option<String>,
) -> Result<Goal, AppError> {
    let goal = for_change(ctx, &actor, id).await?;
    if goal.status != GoalStatus::Active {
        return Err(AppError::Forbidden(format!(
            "Goal {id} is already closed ({}).",
            goal.status.as_str()
        )));
    }
    let note = some(&note)
        .map(Note::parse)
        .transpose()?
        .map(|n| n.as_str().to_owned());
    let now = ctx.clock.now();
    let owner = goal.owner.clone();
    ctx.store
        .write(move |conn| {
            Box::pin(async move {
                goals::close(conn, id, outcome, note.as_deref(), now).await?;
                goals::log_change(
                    conn,
                    &actor,
                    &format!("goal:{}", id.0),
                    outcome.as_str(),
                    note.as_deref().unwrap_or(""),
                    now,
                )
                .await?;
                enqueue(conn, &Outgoing::PublishHome { person: owner }, now).await?;
                Ok(())
            })
        })
        .await?;
    ctx.wake_delivery();
    get(ctx, id).await
}

/// Replaces a goal's definition (from the edit form); the team changes only
/// when one is picked and the editor may add goals to it.
#[tracing::instrument(skip_all, fields(%actor, %id))]
pub async fn edit(
    ctx: &AppContext,
    actor: PersonId,
    id: GoalId,
    input: GoalInput,
) -> Result<Goal, AppError> {
    let before = for_change(ctx, &actor, id).await?;
    let dir = ctx.directory();
    let mut goal = input.validate(&actor, &dir, before.year)?;
    if input.owner.is_none() {
        goal.owner = before.owner.clone();
    }
    // An empty Team field keeps the goal's team (validation would put the
    // editor's own team there); another team needs the right to add goals to it.
    if some(&input.team).is_none() {
        goal.team = before.team.clone();
    }
    if !Actor::new(&dir, &actor).may_move_goal(before.team.as_ref(), goal.team.as_ref()) {
        let to = goal
            .team
            .as_ref()
            .and_then(|t| dir.team(t))
            .map_or_else(|| "the whole organization".to_owned(), |t| t.name.clone());
        return Err(AppError::Forbidden(format!(
            "Goal {id} stays in its team: only admins and leaders of {to} can move a goal there."
        )));
    }
    let now = ctx.clock.now();
    ctx.store
        .write(move |conn| {
            Box::pin(async move {
                goals::update(conn, id, &goal, now).await?;
                goals::log_change(
                    conn,
                    &actor,
                    &format!("goal:{}", id.0),
                    "edit",
                    &format!("now “{}”", goal.title.as_str()),
                    now,
                )
                .await?;
                enqueue(
                    conn,
                    &Outgoing::PublishHome {
                        person: goal.owner.clone(),
                    },
                    now,
                )
                .await?;
                Ok(())
            })
        })
        .await?;
    ctx.wake_delivery();
    get(ctx, id).await
}

/// One page of a goal list.
pub struct GoalPage {
    pub goals: Vec<Goal>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
}

pub async fn list(ctx: &AppContext, filter: GoalFilter, page: u32) -> Result<GoalPage, AppError> {
    let year = current_year(ctx);
    let total = goals::count(ctx.store.reads(), &filter, year).await?;
    let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let page = i64::from(page.max(1)).min(pages);
    let goals = goals::list(
        ctx.store.reads(),
        &filter,
        year,
        PAGE_SIZE,
        (page - 1) * PAGE_SIZE,
    )
    .await?;
    Ok(GoalPage {
        goals,
        total,
        page,
        pages,
    })
}
