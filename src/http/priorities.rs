//! `/priorities …`, the publish form and its button.

use crate::app::commands::priorities::{HELP, PrioritiesCommand, parse_priorities};
use crate::app::moments::open_modal;
use crate::app::outgoing::Modal;
use crate::app::{AppContext, AppError, priorities};
use crate::domain::PersonId;
use crate::domain::goal::GoalId;
use crate::domain::priorities::PriorityList;
use crate::slack::command::SlashCommand;
use crate::slack::ids;
use crate::slack::interaction::{FormState, metadata};
use crate::slack::render::goal::TeamMeta;
use crate::slack::render::{self, reply};
use crate::store::goals::GoalFilter;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use slack_morphism::prelude::*;
use std::collections::HashMap;

pub async fn command(ctx: &AppContext, person: PersonId, cmd: &SlashCommand) -> Response {
    match run(ctx, person, cmd).await {
        Ok(response) => response,
        Err(e) => super::which_team::failure(e, cmd),
    }
}

async fn run(ctx: &AppContext, person: PersonId, cmd: &SlashCommand) -> Result<Response, AppError> {
    match parse_priorities(&cmd.text) {
        PrioritiesCommand::Help => Ok(Json(reply::ephemeral(HELP)).into_response()),
        PrioritiesCommand::PublishForm { team } => {
            let (team, choices) =
                priorities::form_teams(ctx, &person, team.as_deref(), cmd.channel_id.as_deref())?;
            let trigger = cmd.trigger_id.clone().ok_or_else(|| {
                AppError::NotFound("Slack did not send a trigger to open the form.".into())
            })?;
            let modal = Modal::PublishPriorities {
                team: team.key,
                choices,
            };
            open_modal(ctx, trigger, modal).await?;
            Ok(StatusCode::OK.into_response())
        }
        PrioritiesCommand::Publish { team, items } => {
            let list = PriorityList::parse(&items)?;
            let (team, month) = priorities::publish(ctx, person, team.as_deref(), list).await?;
            Ok(Json(reply::ephemeral(&format!(
                ":white_check_mark: Published {}'s priorities for {}. They are on their way to {}.",
                render::escape(&team.name),
                month.label(),
                render::channel_link(team.channel.as_str())
            )))
            .into_response())
        }
        PrioritiesCommand::Show { team } => {
            let dir = ctx.directory();
            let team = match team {
                None => priorities::team_to_show(ctx, &person, cmd.channel_id.as_deref())?,
                Some(raw) => dir
                    .team(&dir.resolve_team(&raw)?)
                    .cloned()
                    .expect("resolved"),
            };
            let month = priorities::this_month(ctx);
            match priorities::show(ctx, &team, month).await? {
                Some(p) => {
                    let year = crate::domain::goal::PlanYear::new(month.year)?;
                    let goals = crate::store::goals::list(
                        ctx.store.reads(),
                        &GoalFilter::Team(team.key.clone()),
                        year,
                        8,
                        0,
                    )
                    .await?;
                    let blocks =
                        render::priorities::post_blocks(&p.into(), &team, &month.label(), &goals);
                    Ok(Json(
                        SlackCommandEventResponse::new(
                            SlackMessageContent::new()
                                .with_text(format!("{} priorities", team.name))
                                .with_blocks(blocks),
                        )
                        .with_response_type(SlackMessageResponseType::Ephemeral),
                    )
                    .into_response())
                }
                None => Ok(Json(reply::ephemeral(&format!(
                    "{} has not published its priorities for {} yet.",
                    render::escape(&team.name),
                    month.label()
                )))
                .into_response()),
            }
        }
        PrioritiesCommand::OrgPublish { items } => {
            let list = PriorityList::parse(&items)?;
            let done = priorities::org_publish(ctx, person, list).await?;
            let whither = match &done.channel {
                Some(c) => format!("They are on their way to {}.", render::channel_link(c.as_str())),
                None => "There is no staff channel (`[org] staff_channel`), so they are shown by `/priorities org show` and in the leaders' nudges only.".to_owned(),
            };
            Ok(Json(reply::ephemeral(&format!(
                ":white_check_mark: {} the organization's priorities for {}. {whither}",
                if done.again { "Updated" } else { "Published" },
                done.month.label()
            )))
            .into_response())
        }
        PrioritiesCommand::OrgPublishForm => {
            priorities::org_form(ctx, &person).await?;
            let trigger = cmd.trigger_id.clone().ok_or_else(|| {
                AppError::NotFound(
                    "Slack did not send a trigger to open the form. Type the items instead: \
                     `/priorities org publish Safe staffing this winter; Flu vaccination drive`."
                        .into(),
                )
            })?;
            open_modal(ctx, trigger, Modal::OrgPriorities).await?;
            Ok(StatusCode::OK.into_response())
        }
        PrioritiesCommand::OrgShow => {
            let dir = ctx.directory();
            match priorities::org_show(ctx).await? {
                Some(p) => Ok(Json(
                    SlackCommandEventResponse::new(
                        SlackMessageContent::new()
                            .with_text(format!("{} priorities", dir.org.name))
                            .with_blocks(render::priorities::org_blocks(&p, &dir)),
                    )
                    .with_response_type(SlackMessageResponseType::Ephemeral),
                )
                .into_response()),
                None => Ok(Json(reply::ephemeral(&format!(
                    "The organization's priorities for {} are not published yet. Admins and executives publish them with `/priorities org publish <item>; <item>`.",
                    priorities::this_month(ctx).label()
                )))
                .into_response()),
            }
        }
        PrioritiesCommand::OrgUnknown(other) => Ok(Json(reply::problem(&format!(
            "I don't know `/priorities org {other}`: say `/priorities org show` or `/priorities org publish <item>; <item>`."
        )))
        .into_response()),
        PrioritiesCommand::Unknown(other) => Ok(Json(reply::problem(&format!(
            "I don't know `/priorities {other}`. Try /priorities help."
        )))
        .into_response()),
    }
}

/// The "Publish priorities" button (from the leader's nudge), and the
/// form's team select (`view`: the open form, reloaded for the team
/// chosen).
pub async fn button(
    ctx: &AppContext,
    person: PersonId,
    action: &str,
    value: &str,
    trigger: String,
    view: Option<String>,
) -> Result<bool, AppError> {
    match action {
        render::priorities::ORG_OPEN => {
            priorities::org_form(ctx, &person).await?;
            open_modal(ctx, trigger, Modal::OrgPriorities).await?;
            Ok(true)
        }
        ids::PRIORITIES_OPEN => {
            let (team, choices) = priorities::form_teams(ctx, &person, Some(value), None)?;
            let modal = Modal::PublishPriorities {
                team: team.key,
                choices,
            };
            open_modal(ctx, trigger, modal).await?;
            Ok(true)
        }
        render::priorities::PRIORITIES_TEAM => {
            let Some(view) = view else {
                return Ok(true);
            };
            let (team, choices) = priorities::form_teams(ctx, &person, Some(value), None)?;
            let modal = Modal::PublishPriorities {
                team: team.key,
                choices,
            };
            crate::app::moments::send(
                ctx,
                crate::app::outgoing::Outgoing::UpdateModal { view, modal },
            )
            .await?;
            Ok(true)
        }
        _ => Ok(false),
    }
}

/// The publish form; `None` if `callback` is not it.
pub async fn submit(
    ctx: &AppContext,
    person: PersonId,
    callback: &str,
    raw_meta: &str,
    state: &FormState,
) -> Result<Option<SlackViewSubmissionResponse>, AppError> {
    if callback != ids::PRIORITIES_CALLBACK {
        return Ok(None);
    }
    let meta: TeamMeta = metadata(raw_meta);
    let items = (1..=PriorityList::MAX_ITEMS).map(|i| {
        state
            .text(&format!("{}{i}", ids::PRIORITY_ITEM))
            .unwrap_or_default()
    });
    let list = match PriorityList::new(items) {
        Ok(list) => list,
        Err(e) => {
            let field = format!("{}1", ids::PRIORITY_ITEM);
            return Ok(Some(SlackViewSubmissionResponse::Errors(
                SlackViewSubmissionErrorsResponse::new(HashMap::from([(field, e.to_string())])),
            )));
        }
    };
    // The rows with an item: the list skips empty ones, so each row's goal
    // and organization priority go with the item it stands beside.
    let filled: Vec<usize> = (1..=PriorityList::MAX_ITEMS)
        .filter(|i| {
            !state
                .text(&format!("{}{i}", ids::PRIORITY_ITEM))
                .unwrap_or_default()
                .trim()
                .is_empty()
        })
        .collect();
    let goals: Vec<Option<GoalId>> = filled
        .iter()
        .map(|i| {
            state
                .selected(&format!("{}{i}", ids::PRIORITY_GOAL))
                .and_then(|g| g.parse().ok())
                .map(GoalId)
        })
        .collect();
    let team = priorities::team_for(ctx, &person, Some(&meta.team))?;
    let last_month = priorities::prefill(ctx, &team).await?.last_month;
    let review: Vec<(String, String)> = last_month
        .into_iter()
        .enumerate()
        .filter_map(|(j, text)| {
            state
                .selected(&format!("{}{}", ids::PRIORITY_REVIEW, j + 1))
                .map(|o| (text, o))
        })
        .collect();
    let org_links = filled
        .iter()
        .map(|i| {
            state
                .selected(&format!("{}{i}", render::priorities::PRIORITY_ORG))
                .and_then(|n| n.parse().ok())
        })
        .collect();
    let publication = priorities::Publication {
        items: list,
        goals,
        review,
        org_links,
    };
    let text = match priorities::publish_linked(ctx, person.clone(), Some(&meta.team), publication)
        .await
    {
        Ok((team, month)) => {
            let text = format!(
                ":white_check_mark: Published {}'s priorities for {}. They are on their way to {}.",
                render::escape(&team.name),
                month.label(),
                render::channel_link(team.channel.as_str())
            );
            return Ok(Some(super::interactions::closed(ctx, person, text).await?));
        }
        Err(e) if e.is_for_person() => format!(":warning: {}", render::escape(&e.to_string())),
        Err(e) => return Err(e),
    };
    Ok(Some(SlackViewSubmissionResponse::Update(
        SlackViewSubmissionUpdateResponse::new(render::modal::notice("Priorities", &text)),
    )))
}

/// The organization's priorities form: publishes and closes (confirming by
/// DM), or shows the problem under the field it is about, with the text kept.
pub async fn org_submit(
    ctx: &AppContext,
    person: PersonId,
    state: &FormState,
) -> Result<SlackViewSubmissionResponse, AppError> {
    let field = |i: usize| format!("{}{}", render::priorities::ORG_ITEM, i + 1);
    let fields: Vec<String> = (0..priorities::ORG_FORM_ITEMS)
        .map(|i| state.text(&field(i)).unwrap_or_default())
        .collect();
    let error = |i: usize, text: String| {
        SlackViewSubmissionResponse::Errors(SlackViewSubmissionErrorsResponse::new(HashMap::from(
            [(field(i), text)],
        )))
    };
    let list = match priorities::org_items_from_form(ctx, &fields) {
        Ok(list) => list,
        Err((i, text)) => return Ok(error(i, text)),
    };
    match priorities::org_publish(ctx, person.clone(), list).await {
        Ok(done) => {
            let whither = match &done.channel {
                Some(c) => format!("They are on their way to {}.", render::channel_link(c.as_str())),
                None => "There is no staff channel (`[org] staff_channel`), so they are shown by `/priorities org show` and in the leaders' nudges only.".to_owned(),
            };
            let text = format!(
                ":white_check_mark: {} the organization's priorities for {}. {whither}",
                if done.again { "Updated" } else { "Published" },
                done.month.label()
            );
            super::interactions::closed(ctx, person, text).await
        }
        Err(e) if e.is_for_person() => Ok(error(0, e.to_string())),
        Err(e) => Err(e),
    }
}
