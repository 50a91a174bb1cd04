//! `/goal` and the goal forms and buttons.

use super::AppState;
use crate::app::commands::Usage;
use crate::app::commands::goal::{GoalCommand, goal_help, parse_goal};
use crate::app::goal_commands::{self, GoalDone, GoalForm, Listed, goal_id};
use crate::app::goals::{self, CheckInInput, GoalInput};
use crate::app::moments::open_modal;
use crate::app::outgoing::Modal;
use crate::app::proposals::{self, AlreadyDecided, Decided};
use crate::app::{AppContext, AppError};
use crate::domain::goal::{GoalField, GoalId, GoalOutcome, PlanYear};
use crate::domain::{DomainError, PersonId};
use crate::slack::command::SlashCommand;
use crate::slack::ids;
use crate::slack::interaction::{FormState, metadata};
use crate::slack::render::goal::GoalMeta;
use crate::slack::render::{self, reply};
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use slack_morphism::prelude::*;
use std::collections::HashMap;

/// `/goal …`.
pub async fn command(state: &AppState, person: PersonId, cmd: &SlashCommand) -> Response {
    command_in(&state.ctx, person, cmd).await
}

/// `/goal …` (also re-run by a "which team?" button).
pub async fn command_in(ctx: &AppContext, person: PersonId, cmd: &SlashCommand) -> Response {
    let parsed = match parse_goal(&cmd.text) {
        Ok(parsed) => parsed,
        Err(Usage(text)) => return Json(reply::ephemeral(&text)).into_response(),
    };
    match run(
        ctx,
        person,
        parsed,
        cmd.trigger_id.clone(),
        cmd.channel_id.as_deref(),
    )
    .await
    {
        Ok(response) => response,
        Err(e) => super::which_team::failure(e, cmd),
    }
}

/// Runs the command through the shared dispatch (`app::goal_commands`) and
/// renders what it did: ephemeral Block Kit, or the form.
async fn run(
    ctx: &AppContext,
    person: PersonId,
    cmd: GoalCommand,
    trigger: Option<String>,
    channel: Option<&str>,
) -> Result<Response, AppError> {
    let dir = ctx.directory();
    let reply = |r: SlackCommandEventResponse| Ok(Json(r).into_response());
    let need_trigger = || {
        trigger.clone().ok_or_else(|| {
            AppError::NotFound(
                "Slack did not send a trigger to open the form; please try again.".into(),
            )
        })
    };
    match goal_commands::run(ctx, person.clone(), cmd).await? {
        GoalDone::Help => reply(reply::ephemeral(goal_help())),
        GoalDone::Form(GoalForm::Add) => {
            goals::for_add_form(ctx, &person)?;
            open_modal(
                ctx,
                need_trigger()?,
                Modal::NewGoal {
                    propose: false,
                    team: goals::form_team(ctx, &person, channel, false),
                    owner: Some(person),
                },
            )
            .await?;
            Ok(StatusCode::OK.into_response())
        }
        GoalDone::Added {
            goal,
            named_year,
            start_given,
        } => {
            let mut text = format!(
                ":white_check_mark: Added goal {}.{}",
                goal.id,
                next_year_note(ctx, named_year, goal.year)
            );
            if goal.kind.starts_at_first_check_in(start_given) {
                text.push_str(" No `start:` was given, so its first check-in will be its start.");
            }
            reply(render::goal::confirmation(&text, &goal, &dir))
        }
        GoalDone::Form(GoalForm::CheckIn { id }) => {
            let goal = goals::for_change(ctx, &person, goal_id(&id)?).await?;
            open_modal(ctx, need_trigger()?, Modal::CheckIn { goal: goal.id }).await?;
            Ok(StatusCode::OK.into_response())
        }
        GoalDone::CheckedIn { goal, check_in } => {
            let mut text = format!(
                ":white_check_mark: Checked in on goal {}: *{}*, {} {}.",
                goal.id,
                render::escape(&goal.kind.format_value(check_in.value)),
                check_in.confidence.emoji(),
                check_in.confidence.label()
            );
            text.push_str(&started_here(&goal, check_in.value));
            reply(render::goal::confirmation(&text, &goal, &dir))
        }
        GoalDone::Listed {
            scope,
            year,
            named_year,
            page,
        } => {
            let (title, mut next) = match scope {
                Listed::Mine => ("Your goals".to_owned(), "/goal list mine".to_owned()),
                Listed::Team(key, name) => {
                    (format!("{name} goals"), format!("/goal list team {key}"))
                }
                Listed::All => (
                    format!("All goals of {}", dir.org.name),
                    "/goal list all".to_owned(),
                ),
            };
            if named_year {
                next.push_str(&format!(" year:{year}"));
            }
            let title = format!("{title} · {}", ctx.years.label(year));
            reply(render::goal::list(&title, &page, &dir, &next))
        }
        GoalDone::Shown { goal, history } => {
            reply(render::goal::show(&goal, &history, &dir, dir.org.timezone))
        }
        GoalDone::Closed { closed, .. } => {
            let text = closed_text(&closed);
            reply(render::goal::confirmation(&text, &closed.goal, &dir))
        }
        GoalDone::Form(GoalForm::Edit { id }) => {
            let goal = goals::for_change(ctx, &person, goal_id(&id)?).await?;
            open_modal(ctx, need_trigger()?, Modal::EditGoal { goal: goal.id }).await?;
            Ok(StatusCode::OK.into_response())
        }
        GoalDone::Form(GoalForm::Propose) => {
            open_modal(
                ctx,
                need_trigger()?,
                Modal::NewGoal {
                    propose: true,
                    owner: None,
                    team: goals::form_team(ctx, &person, channel, true),
                },
            )
            .await?;
            Ok(StatusCode::OK.into_response())
        }
        GoalDone::Proposed {
            proposal,
            team,
            named_year,
        } => {
            let (year, _) = goals::default_year(ctx);
            reply(reply::ephemeral(&format!(
                ":bulb: Thanks! Proposal {proposal} is on its way to {} for your teammates to support.{}",
                render::channel_link(team.channel.as_str()),
                next_year_note(ctx, named_year, year)
            )))
        }
    }
}

/// " This check-in is the goal's start…", when a check-in sits at the
/// goal's start (a goal added without one takes its first check-in's value).
fn started_here(goal: &crate::domain::goal::Goal, value: f64) -> String {
    match &goal.kind {
        crate::domain::goal::GoalKind::Numeric { start, target, .. }
            if *start == value && goal.progress == 0.0 =>
        {
            format!(
                "\n:information_source: This check-in is the goal's start: its progress runs from {} to {}.",
                render::escape(&goal.kind.format_value(*start)),
                render::escape(&goal.kind.format_value(*target))
            )
        }
        _ => String::new(),
    }
}

/// What closing a goal says: the outcome, and where a carried-over goal went on.
pub fn closed_text(closed: &goals::Closed) -> String {
    let id = closed.goal.id;
    match (closed.goal.outcome, closed.carried_to) {
        (Some(GoalOutcome::Achieved), _) => {
            format!(":trophy: Goal {id} is closed as achieved (met). Well done!")
        }
        (Some(GoalOutcome::CarriedOver), Some(next)) => format!(
            ":arrow_right: Goal {id} is closed as carried over: it goes on as goal {next} in next year's plan, with its history linked (`/goal show {}`).",
            next.0
        ),
        (Some(outcome), _) => format!("Goal {id} is closed as {}.", outcome.label()),
        (None, _) => format!("Goal {id} is closed."),
    }
}

/// Says so when a goal or proposal went to next year by default (its
/// goal-setting is open), and how to choose another year.
fn next_year_note(ctx: &AppContext, named_year: bool, year: PlanYear) -> String {
    let (default, next) = goals::default_year(ctx);
    if named_year || !next || year != default {
        return String::new();
    }
    format!(
        " It is for {}: goal-setting for next year is open (add `year:{}` to choose this year).",
        ctx.years.label(year),
        year.previous()
    )
}

fn errors(fields: HashMap<String, String>) -> SlackViewSubmissionResponse {
    SlackViewSubmissionResponse::Errors(SlackViewSubmissionErrorsResponse::new(fields))
}

fn notice(title: &str, text: &str) -> SlackViewSubmissionResponse {
    SlackViewSubmissionResponse::Update(SlackViewSubmissionUpdateResponse::new(
        render::modal::notice(title, text),
    ))
}

/// The goal form's values as a `GoalInput`.
fn goal_input(state: &FormState) -> Result<GoalInput, AppError> {
    let owner = match state.user(ids::GOAL_OWNER) {
        Some(raw) => Some(PersonId::parse(&raw)?),
        None => None,
    };
    Ok(GoalInput {
        title: state.text(ids::GOAL_TITLE).unwrap_or_default(),
        pillar: state.selected(ids::GOAL_PILLAR),
        target: state.text(ids::GOAL_TARGET),
        start: state.text(ids::GOAL_START),
        due: state.date(ids::GOAL_DUE),
        team: state.selected(ids::GOAL_TEAM),
        owner,
        // Only the add and propose forms have the year select.
        year: state.selected(render::goal::GOAL_YEAR),
    })
}

/// Every problem with the goal form, next to its field: the domain's one
/// validation of goal input, mapped to the form's blocks.
fn field_errors(
    input: &GoalInput,
    person: &PersonId,
    ctx: &AppContext,
    year: PlanYear,
) -> HashMap<String, String> {
    // "Whole organization" is no team key; the use case reads it.
    let mut input = input.clone();
    if input.team.as_deref() == Some(goals::WHOLE_ORGANIZATION) {
        input.team = None;
    }
    let Err(problems) = input.check(person, &ctx.directory(), year) else {
        return HashMap::new();
    };
    let mut out = HashMap::new();
    for (field, e) in problems {
        let (block, text) = match field {
            GoalField::Pillar if input.pillar.is_none() => (
                ids::GOAL_PILLAR,
                "Pick the pillar this goal serves.".to_owned(),
            ),
            GoalField::Pillar => (ids::GOAL_PILLAR, e.to_string()),
            GoalField::Measure => (ids::GOAL_TARGET, e.to_string()),
            GoalField::Due => (ids::GOAL_DUE, e.to_string()),
            GoalField::Team => (ids::GOAL_TEAM, e.to_string()),
            GoalField::Year if input.year.is_some() => (render::goal::GOAL_YEAR, e.to_string()),
            // The edit form has no year field: a year problem is the goal's.
            GoalField::Title | GoalField::Year => (ids::GOAL_TITLE, e.to_string()),
        };
        out.entry(block.to_owned()).or_insert(text);
    }
    out
}

/// A goal form, check-in form or proposal form was submitted; `None` if
/// `callback` is not one of them.
pub async fn submit(
    ctx: &AppContext,
    person: PersonId,
    callback: &str,
    raw_meta: &str,
    state: &FormState,
) -> Result<Option<SlackViewSubmissionResponse>, AppError> {
    let meta: GoalMeta = metadata(raw_meta);
    let dir = ctx.directory();
    let response = match callback {
        ids::GOAL_ADD_CALLBACK | ids::GOAL_EDIT_CALLBACK | ids::GOAL_PROPOSE_CALLBACK => {
            let input = goal_input(state)?;
            let problems = field_errors(&input, &person, ctx, goals::current_year(ctx));
            if !problems.is_empty() {
                return Ok(Some(errors(problems)));
            }
            let who = person.clone();
            let result = match (callback, meta.goal) {
                (ids::GOAL_EDIT_CALLBACK, Some(id)) => goals::edit(ctx, person, GoalId(id), input)
                    .await
                    .map(|g| format!("Goal {} is updated.", g.id)),
                (ids::GOAL_PROPOSE_CALLBACK, _) => proposals::propose(ctx, person, input).await.map(|(p, team)| {
                    format!(
                        ":bulb: Thanks! Proposal {p} is on its way to {} for your teammates to support.",
                        render::channel_link(team.channel.as_str())
                    )
                }),
                _ => goals::add(ctx, person, input).await.map(|g| {
                    format!(":white_check_mark: Added goal {}: {}.", g.id, render::escape(&g.title))
                }),
            };
            match result {
                Ok(text) => super::interactions::closed(ctx, who, text).await?,
                Err(AppError::Invalid(e)) => {
                    errors(HashMap::from([(ids::GOAL_TITLE.to_owned(), e.to_string())]))
                }
                Err(e) if e.is_for_person() => notice(
                    "Not saved",
                    &format!(":warning: {}", render::escape(&e.to_string())),
                ),
                Err(e) => return Err(e),
            }
        }
        ids::GOAL_CHECK_IN_CALLBACK => {
            let Some(id) = meta.goal else {
                return Ok(Some(notice(
                    "Not saved",
                    "This form lost track of its goal; please open it again.",
                )));
            };
            let input = CheckInInput {
                value: state.text(ids::GOAL_VALUE).unwrap_or_default(),
                confidence: state.selected(ids::GOAL_CONFIDENCE),
                note: state.text(ids::GOAL_NOTE),
            };
            match goals::check_in(ctx, person.clone(), GoalId(id), input).await {
                Ok((goal, c)) => {
                    let text = format!(
                        ":white_check_mark: Checked in on goal {} ({}): *{}*, {} {}.\n`{}`",
                        goal.id,
                        render::escape(&goal.title),
                        render::escape(&goal.kind.format_value(c.value)),
                        c.confidence.emoji(),
                        c.confidence.label(),
                        crate::domain::goal::progress_bar(goal.progress)
                    ) + &started_here(&goal, c.value);
                    super::interactions::closed(ctx, person, text).await?
                }
                Err(AppError::Invalid(DomainError::Goal(e))) => {
                    let field = if e.to_string().to_lowercase().contains("note") {
                        ids::GOAL_NOTE
                    } else {
                        ids::GOAL_VALUE
                    };
                    errors(HashMap::from([(field.to_owned(), e.to_string())]))
                }
                Err(AppError::Invalid(e)) => {
                    errors(HashMap::from([(ids::GOAL_VALUE.to_owned(), e.to_string())]))
                }
                Err(e) if e.is_for_person() => notice(
                    "Not saved",
                    &format!(":warning: {}", render::escape(&e.to_string())),
                ),
                Err(e) => return Err(e),
            }
        }
        ids::TEAM_PEOPLE_CALLBACK => {
            let meta: render::goal::TeamMeta = metadata(raw_meta);
            let chosen: Vec<PersonId> = state
                .users(ids::TEAM_PEOPLE)
                .iter()
                .filter_map(|p| PersonId::parse(p).ok())
                .collect();
            let team = dir.resolve_team(&meta.team)?;
            let current = dir
                .team(&team)
                .map(|t| {
                    if meta.leaders {
                        t.leaders.clone()
                    } else {
                        t.members.clone()
                    }
                })
                .unwrap_or_default();
            let added: Vec<PersonId> = chosen
                .iter()
                .filter(|p| !current.contains(p))
                .cloned()
                .collect();
            let removed: Vec<PersonId> = current
                .iter()
                .filter(|p| !chosen.contains(p))
                .cloned()
                .collect();
            let result = async {
                if !added.is_empty() {
                    crate::app::plan::team_people(
                        ctx,
                        person.clone(),
                        team.as_str(),
                        meta.leaders,
                        true,
                        added,
                    )
                    .await?;
                }
                if !removed.is_empty() {
                    crate::app::plan::team_people(
                        ctx,
                        person.clone(),
                        team.as_str(),
                        meta.leaders,
                        false,
                        removed,
                    )
                    .await?;
                }
                Ok::<_, AppError>(())
            }
            .await;
            match result {
                Ok(()) => {
                    let label = if meta.leaders { "leaders" } else { "members" };
                    let text = format!(
                        ":white_check_mark: Saved {}'s {label}.",
                        render::escape(&meta.team)
                    );
                    super::interactions::closed(ctx, person, text).await?
                }
                Err(e) if e.is_for_person() => notice(
                    "Not saved",
                    &format!(":warning: {}", render::escape(&e.to_string())),
                ),
                Err(e) => return Err(e),
            }
        }
        _ => return proposals_submit(ctx, person, callback, raw_meta, state, &dir).await,
    };
    Ok(Some(response))
}

async fn proposals_submit(
    ctx: &AppContext,
    person: PersonId,
    callback: &str,
    raw_meta: &str,
    state: &FormState,
    _dir: &crate::domain::Directory,
) -> Result<Option<SlackViewSubmissionResponse>, AppError> {
    let meta: GoalMeta = metadata(raw_meta);
    let Some(id) = meta.goal else { return Ok(None) };
    let result = match callback {
        ids::PROPOSAL_APPROVE_CALLBACK => {
            let owner = state
                .user(ids::GOAL_OWNER)
                .map(|o| PersonId::parse(&o))
                .transpose()?;
            let adjust = proposals::Adjust {
                target: state.text(ids::GOAL_TARGET),
                due: state.date(ids::GOAL_DUE),
            };
            // Bad input is shown next to its field, and nothing is stored.
            if let Err(problems) = adjust.apply(&proposals::get(ctx, id).await?) {
                let mut out = HashMap::new();
                for (field, e) in problems {
                    let block = match field {
                        GoalField::Due => ids::GOAL_DUE,
                        _ => ids::GOAL_TARGET,
                    };
                    out.entry(block.to_owned()).or_insert(e.to_string());
                }
                return Ok(Some(errors(out)));
            }
            match proposals::approve_adjusted(ctx, person.clone(), id, owner, &adjust).await {
                Ok(Decided::Made(goal)) => Ok(format!(
                    ":white_check_mark: Approved. It is now goal {}.",
                    goal.id
                )),
                Ok(Decided::Already(first)) => {
                    return Ok(Some(notice(
                        "Not saved",
                        &format!(":warning: {}", already_decided(&first)),
                    )));
                }
                Err(e) => Err(e),
            }
        }
        ids::PROPOSAL_DECLINE_CALLBACK => {
            let reason = state.text(ids::PROPOSAL_REASON).unwrap_or_default();
            match proposals::decline(ctx, person.clone(), id, &reason).await {
                Ok(Decided::Made(())) => Ok(format!(
                    ":no_entry_sign: Declined proposal {id}. Your reason is in its thread."
                )),
                Ok(Decided::Already(first)) => {
                    return Ok(Some(notice(
                        "Not saved",
                        &format!(":warning: {}", already_decided(&first)),
                    )));
                }
                Err(AppError::Invalid(e)) => {
                    return Ok(Some(errors(HashMap::from([(
                        ids::PROPOSAL_REASON.to_owned(),
                        e.to_string(),
                    )]))));
                }
                Err(e) => Err(e),
            }
        }
        ids::PROPOSAL_COMMENT_CALLBACK => {
            let text = state.text(ids::GOAL_NOTE).unwrap_or_default();
            match proposals::comment(ctx, person.clone(), id, &text).await {
                Ok(()) => Ok("Thanks, your comment is posted in the proposal's thread.".to_owned()),
                Err(AppError::Invalid(e)) => {
                    return Ok(Some(errors(HashMap::from([(
                        ids::GOAL_NOTE.to_owned(),
                        e.to_string(),
                    )]))));
                }
                Err(e) => Err(e),
            }
        }
        _ => return Ok(None),
    };
    Ok(Some(match result {
        Ok(text) => super::interactions::closed(ctx, person, text).await?,
        Err(e) if e.is_for_person() => notice(
            "Not saved",
            &format!(":warning: {}", render::escape(&e.to_string())),
        ),
        Err(e) => return Err(e),
    }))
}

/// A goal or proposal button; `Ok(false)` if `action` is not one of them.
pub async fn button(
    ctx: &AppContext,
    person: PersonId,
    action: &str,
    value: &str,
    trigger: String,
) -> Result<bool, AppError> {
    match action {
        ids::CHECK_IN => {
            let goal = goals::for_change(ctx, &person, goal_id(value)?).await?;
            open_modal(ctx, trigger, Modal::CheckIn { goal: goal.id }).await?;
        }
        ids::GOAL_OUTCOME_MET | ids::GOAL_OUTCOME_NOT_MET | ids::GOAL_OUTCOME_CARRIED => {
            let outcome = match action {
                ids::GOAL_OUTCOME_MET => GoalOutcome::Achieved,
                ids::GOAL_OUTCOME_NOT_MET => GoalOutcome::NotMet,
                _ => GoalOutcome::CarriedOver,
            };
            let (goal, nudge) = value
                .split_once(':')
                .and_then(|(g, n)| Some((g.parse().ok()?, n.parse().ok()?)))
                .ok_or_else(|| AppError::NotFound("That button is out of date.".into()))?;
            goals::choose_outcome(
                ctx,
                person,
                GoalId(goal),
                outcome,
                crate::domain::ids::NudgeId(nudge),
            )
            .await?;
        }
        ids::GOAL_PROPOSE_OPEN => {
            open_modal(
                ctx,
                trigger,
                Modal::NewGoal {
                    propose: true,
                    owner: None,
                    team: goals::form_team(ctx, &person, None, true),
                },
            )
            .await?;
        }
        // Without a message to answer under (e.g. from the Home tab).
        ids::PROPOSAL_SUPPORT => {
            proposals::toggle_support(ctx, person, proposal_id(value)?).await?;
        }
        ids::PROPOSAL_COMMENT => {
            let id = proposal_id(value)?;
            proposals::get_open(ctx, id).await?;
            open_modal(
                ctx,
                trigger,
                Modal::CommentProposal {
                    proposal: crate::domain::ids::ProposalId(id),
                },
            )
            .await?;
        }
        ids::PROPOSAL_APPROVE => {
            let id = proposal_id(value)?;
            proposals::for_decision(ctx, &person, id).await?;
            open_modal(
                ctx,
                trigger,
                Modal::ApproveProposal {
                    proposal: crate::domain::ids::ProposalId(id),
                },
            )
            .await?;
        }
        ids::PROPOSAL_DECLINE => {
            let id = proposal_id(value)?;
            proposals::for_decision(ctx, &person, id).await?;
            open_modal(
                ctx,
                trigger,
                Modal::DeclineProposal {
                    proposal: crate::domain::ids::ProposalId(id),
                },
            )
            .await?;
        }
        _ => return Ok(false),
    }
    Ok(true)
}

/// The answer to whoever decided second. Built only from our own words, the
/// proposal's number and a validated user id, so the mention is safe to send
/// unescaped (the modal's notice and the button's reply are mrkdwn).
fn already_decided(first: &AlreadyDecided) -> String {
    let by = first.by.as_ref().map_or_else(
        || "someone else".to_owned(),
        |p| render::mention(p.as_str()),
    );
    format!(
        "Proposal {} was already {} by {by}; nothing changed.",
        first.proposal,
        first.status.as_str()
    )
}

pub(super) fn proposal_id(raw: &str) -> Result<i64, AppError> {
    raw.trim()
        .parse()
        .map_err(|_| AppError::NotFound("That proposal no longer exists.".into()))
}
