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
use crate::domain::goal::{
    CheckIn, Confidence, Goal, GoalId, GoalOutcome, GoalStatus, Note, PlanYear,
};
use crate::domain::{DomainError, PersonId};
use crate::store::{Conn, StoreError, goals};
use chrono::{DateTime, Utc};

/// Goals per page of `/goal list`; each takes two blocks of a message's 50.
pub const PAGE_SIZE: i64 = 15;

pub use crate::domain::goal::GoalInput;
/// Which goals a listing shows (for adapters, which do not import the store).
pub use crate::store::goals::GoalFilter;

/// Today in the organization's time zone.
pub fn local_today(ctx: &AppContext) -> chrono::NaiveDate {
    let dir = ctx.directory();
    ctx.clock
        .now()
        .with_timezone(&dir.org.timezone)
        .date_naive()
}

/// The plan year "now" is in, in the organization's time zone.
pub fn current_year(ctx: &AppContext) -> PlanYear {
    ctx.years.year_of(local_today(ctx))
}

/// The year new goals, proposals and kick-offs are for when no `year:` is
/// given, and whether that is next year (its goal-setting is open).
pub fn default_year(ctx: &AppContext) -> (PlanYear, bool) {
    ctx.years.default_year(local_today(ctx))
}

/// The plan years the goal form offers, as (value, label), and the value it
/// starts on: the current year and, from the month next year's
/// goal-setting opens, next year, which is then the default (as for
/// `/goal add` without `year:`).
pub fn form_years(ctx: &AppContext) -> (Vec<(String, String)>, String) {
    let current = current_year(ctx);
    let (default, _) = default_year(ctx);
    let mut years = vec![current];
    if default != current {
        years.push(default);
    }
    let options = years
        .iter()
        .map(|y| (y.value().to_string(), ctx.years.label(*y)))
        .collect();
    (options, default.value().to_string())
}

/// The year a person named with `year:` (for lists and reports), or the
/// current one.
pub fn year_or_current(ctx: &AppContext, raw: Option<&str>) -> Result<PlanYear, AppError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        Some(raw) => Ok(PlanYear::parse(raw).map_err(DomainError::from)?),
        None => Ok(current_year(ctx)),
    }
}

/// The year a person named with `year:` for something new (a kick-off), or
/// the default one: next year once its goal-setting is open.
pub fn year_or_default(ctx: &AppContext, raw: Option<&str>) -> Result<PlanYear, AppError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        Some(raw) => Ok(PlanYear::parse(raw).map_err(DomainError::from)?),
        None => Ok(default_year(ctx).0),
    }
}

fn some(raw: &Option<String>) -> Option<&str> {
    raw.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Refuses, with the reason to show, unless `person` may add goals directly
/// for the team their work belongs to (the add form asks this before it opens).
pub fn for_add_form(ctx: &AppContext, person: &PersonId) -> Result<(), AppError> {
    let dir = ctx.directory();
    let team = dir.home_team(person).map(|t| t.key.clone());
    let actor = Actor::new(&dir, person);
    // A leader of several teams picks one of them in the form.
    if !actor.may_add_goal(team.as_ref()) && actor.led_teams().is_empty() {
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
        "Only the goal's owner, a leader of its team or an admin can change goal {}; `/goal show {}` says who owns it.",
        goal.id, goal.id
    ))
}

/// The value of the goal form's "Whole organization" team option: a goal
/// of no team (admins only). It can never be a team key.
pub const WHOLE_ORGANIZATION: &str = "(organization)";

/// The question for a leader of several teams who named none: a goal (or
/// proposal) is always for one team, never silently for another.
pub fn ask_which_team(
    ctx: &AppContext,
    person: &PersonId,
    team: Option<&str>,
    usage: &str,
) -> Result<(), AppError> {
    if team.map(str::trim).is_some_and(|t| !t.is_empty()) {
        return Ok(());
    }
    let dir = ctx.directory();
    let led = Actor::new(&dir, person).led_teams();
    if led.len() > 1 {
        return Err(super::priorities::which_team_error(&led, usage));
    }
    Ok(())
}

/// The team a new goal's form starts on: the team whose channel the
/// command came from, if the person may add (`propose`: propose) there,
/// else their own team; `None` leaves the choice to them.
pub fn form_team(
    ctx: &AppContext,
    person: &PersonId,
    channel: Option<&str>,
    propose: bool,
) -> Option<crate::domain::TeamKey> {
    let dir = ctx.directory();
    let actor = Actor::new(&dir, person);
    let allowed = |t: &crate::domain::Team| {
        if propose {
            actor.may_take_part(&t.key)
        } else {
            actor.may_add_goal(Some(&t.key))
        }
    };
    dir.teams
        .iter()
        .find(|t| channel.is_some_and(|c| t.channel.as_str() == c) && allowed(t))
        .or_else(|| dir.home_team(person).filter(|t| allowed(t)))
        .map(|t| t.key.clone())
}

/// Why `person` may not add a goal to `team` directly, said for them: a
/// leader of other teams is told which they lead.
fn refuse_add(
    ctx: &AppContext,
    person: &PersonId,
    team: Option<&crate::domain::TeamKey>,
) -> AppError {
    let dir = ctx.directory();
    let led = Actor::new(&dir, person).led_teams();
    let name = team.and_then(|t| dir.team(t)).map(|t| t.name.clone());
    match (led.as_slice(), name) {
        ([], _) => AppError::Forbidden(
            "Team leaders and admins add goals directly. Everyone else proposes them to their team: \
             `/goal propose <title> pillar:<key>`, and a leader approves."
                .into(),
        ),
        (led, Some(name)) => {
            let keys: Vec<String> = led.iter().map(|t| format!("`team:{}`", t.key)).collect();
            AppError::Forbidden(format!(
                "You lead {}, not {name}: add goals to your teams ({}), or propose this one to {name} with `/goal propose`.",
                led.iter().map(|t| t.name.clone()).collect::<Vec<_>>().join(", "),
                keys.join(", ")
            ))
        }
        (_, None) => AppError::Forbidden(
            "Only admins add goals for the whole organization; add `team:<key>` for one of your teams.".into(),
        ),
    }
}

/// Creates a goal; returns it as stored.
#[tracing::instrument(skip_all, fields(%actor))]
pub async fn add(ctx: &AppContext, actor: PersonId, input: GoalInput) -> Result<Goal, AppError> {
    let dir = ctx.directory();
    let start_given = input.start.as_deref().is_some_and(|s| !s.trim().is_empty());
    let mut input = input;
    let whole_org = input.team.as_deref() == Some(WHOLE_ORGANIZATION);
    if whole_org {
        input.team = None;
    } else {
        ask_which_team(
            ctx,
            &actor,
            input.team.as_deref(),
            "/goal add <title> pillar:<key> {team}",
        )?;
    }
    let mut goal = input.validate(&actor, &dir, default_year(ctx).0)?;
    if whole_org {
        goal.team = None;
    }
    let from_first = goal.kind.starts_at_first_check_in(start_given);
    if !Actor::new(&dir, &actor).may_add_goal(goal.team.as_ref()) {
        return Err(refuse_add(ctx, &actor, goal.team.as_ref()));
    }
    let now = ctx.clock.now();
    let id = ctx
        .store
        .write(move |conn| {
            Box::pin(async move {
                let id = goals::insert(conn, &goal, &actor, None, now).await?;
                if from_first {
                    goals::mark_start_from_first(conn, id).await?;
                }
                let detail = format!("added “{}” under {}", goal.title.as_str(), goal.pillar);
                goal_changed(conn, &actor, id, &goal.owner, "add", &detail, now).await?;
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

/// A goal with its check-ins, newest first (a carried-over goal's include
/// those of the goal it carries over).
pub async fn show(ctx: &AppContext, id: GoalId) -> Result<(Goal, Vec<CheckIn>), AppError> {
    let goal = get(ctx, id).await?;
    let mut history = goals::check_ins(ctx.store.reads(), id, 24).await?;
    // A goal carried over keeps its history: last year's check-ins follow
    // this year's.
    if let Some(from) = goal.carried_from {
        history.extend(goals::check_ins(ctx.store.reads(), from, 24).await?);
    }
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
    // A goal added without a start starts at its first check-in.
    let mut conn = ctx.store.read_conn().await?;
    let restart = if goals::starts_from_first(&mut conn, id).await? {
        goal.kind.starting_at(value)
    } else {
        None
    };
    drop(conn);
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
                let progress = match &restart {
                    Some(kind) if goals::take_start_from_first(conn, id, kind).await? => {
                        kind.progress(Some(stored.value))
                    }
                    _ => progress,
                };
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

/// A goal closed: as it is now, and next year's goal carrying it over.
pub struct Closed {
    pub goal: Goal,
    pub carried_to: Option<GoalId>,
}

fn already_closed(goal: &Goal) -> AppError {
    let how = goal.outcome.map_or(goal.status.as_str(), |o| o.label());
    AppError::Forbidden(format!("Goal {} is already closed ({how}).", goal.id))
}

/// Closes a goal with its outcome (`/goal close`, the year's-turn buttons)
/// and an optional note. "Carried over" starts next year's copy of it,
/// linked to this one. The close is conditional in the database, so a goal
/// closed twice at once (two presses, the owner and the year's turn) is
/// closed once: the second is told it is already closed.
pub async fn close(
    ctx: &AppContext,
    actor: PersonId,
    id: GoalId,
    outcome: GoalOutcome,
    note: Option<String>,
) -> Result<Closed, AppError> {
    close_with(ctx, actor, id, outcome, note, None).await
}

/// An outcome chosen with a button of the year-end DM `nudge` (for plan
/// year `year`): closes the goal and re-renders the DM in the same
/// transaction.
pub async fn choose_outcome(
    ctx: &AppContext,
    actor: PersonId,
    id: GoalId,
    outcome: GoalOutcome,
    nudge: crate::domain::ids::NudgeId,
) -> Result<Closed, AppError> {
    let goal = get(ctx, id).await?;
    let refresh = Outgoing::UpdateYearEndNudge {
        nudge,
        person: actor.clone(),
        year: goal.year.value(),
    };
    close_with(ctx, actor, id, outcome, None, Some(refresh)).await
}

#[tracing::instrument(skip_all, fields(%actor, %id))]
async fn close_with(
    ctx: &AppContext,
    actor: PersonId,
    id: GoalId,
    outcome: GoalOutcome,
    note: Option<String>,
    also: Option<Outgoing>,
) -> Result<Closed, AppError> {
    let goal = for_change(ctx, &actor, id).await?;
    if goal.status != GoalStatus::Active {
        return Err(already_closed(&goal));
    }
    if outcome == GoalOutcome::NotReported {
        return Err(AppError::Forbidden(
            "\"Not reported\" is what the year's turn records when nobody chose: say `achieved`, `dropped`, `not-met` or `carried-over`.".into(),
        ));
    }
    let note = some(&note)
        .map(Note::parse)
        .transpose()?
        .map(|n| n.as_str().to_owned());
    let now = ctx.clock.now();
    let owner = goal.owner.clone();
    let due = goal
        .due
        .and_then(|d| d.checked_add_months(chrono::Months::new(12)));
    let result = ctx
        .store
        .write(move |conn| {
            Box::pin(async move {
                if !goals::close(conn, id, outcome, note.as_deref(), now).await? {
                    return Ok(None);
                }
                let carried_to = match outcome {
                    GoalOutcome::CarriedOver => {
                        goals::carry_over(conn, id, due, &actor, now).await?
                    }
                    _ => None,
                };
                let detail = match carried_to {
                    Some(next) => format!("carried over as goal {next}"),
                    None => note.clone().unwrap_or_default(),
                };
                goal_changed(conn, &actor, id, &owner, outcome.as_str(), &detail, now).await?;
                if let Some(message) = &also {
                    enqueue(conn, message, now).await?;
                }
                Ok(Some(carried_to))
            })
        })
        .await?;
    ctx.wake_delivery();
    let goal = get(ctx, id).await?;
    match result {
        Some(carried_to) => Ok(Closed { goal, carried_to }),
        None => Err(already_closed(&goal)),
    }
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
                let detail = format!("now “{}”", goal.title.as_str());
                goal_changed(conn, &actor, id, &goal.owner, "edit", &detail, now).await?;
                Ok(())
            })
        })
        .await?;
    ctx.wake_delivery();
    get(ctx, id).await
}

/// What every change to a goal writes beside it, in its transaction: a line
/// in the plan's history (`action`, `detail`) and a fresh Home for its
/// `owner`. Shared by adding, editing and closing a goal.
async fn goal_changed(
    conn: &mut Conn,
    actor: &PersonId,
    id: GoalId,
    owner: &PersonId,
    action: &str,
    detail: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    goals::log_change(conn, actor, &format!("goal:{}", id.0), action, detail, now).await?;
    let person = owner.clone();
    enqueue(conn, &Outgoing::PublishHome { person }, now).await
}

/// One page of a goal list.
pub struct GoalPage {
    pub goals: Vec<Goal>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
}

pub async fn list(
    ctx: &AppContext,
    filter: GoalFilter,
    year: PlanYear,
    page: u32,
) -> Result<GoalPage, AppError> {
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
