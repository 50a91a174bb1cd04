//! `POST /slack/commands`: answered within Slack's three seconds, in the
//! HTTP response; anything slower (opening a modal, posting) goes through
//! the outbox.

use super::error::Replayable;
use super::error::{HttpError, command_failure};
use super::signed::SignedCommand;
use super::{AppState, record_request};
use crate::app::commands::moment::{MomentCommand, parse_moment};
use crate::app::moments::{self, MomentInput, ShareOutcome};
use crate::app::outgoing::{Modal, MomentPrefill};
use crate::app::replays::{Once, Replay};
use crate::domain::{Audience, PersonId};
use crate::slack::command::SlashCommand;
use crate::slack::render::reply;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

pub async fn handle(
    State(state): State<AppState>,
    SignedCommand(body, replay): SignedCommand,
) -> Result<Response, HttpError> {
    let cmd = SlashCommand::parse(&body)
        .map_err(|e| HttpError::BadRequest(format!("not a slash command: {e}")))?;
    record_request(cmd.team_id.as_deref(), Some(&cmd.user_id), &cmd.command);
    let person = PersonId::parse(&cmd.user_id).map_err(|e| HttpError::BadRequest(e.to_string()))?;
    // `/moment <story>` writes its replay entry with the story (one commit);
    // every other command claims it first, in a transaction of its own.
    let parsed = (cmd.command == "/moment").then(|| parse_moment(&cmd.text));
    let replay = match parsed {
        Some(MomentCommand::Share { .. }) => replay,
        _ => {
            claim(&state, replay).await?;
            None
        }
    };
    Ok(match (cmd.command.as_str(), parsed) {
        ("/moment", Some(parsed)) => moment(&state, person, &cmd, parsed, replay).await?,
        ("/goal", _) => super::goals::command(&state, person, &cmd).await,
        ("/priorities", _) => super::priorities::command(&state.ctx, person, &cmd).await,
        ("/align", _) => super::align::command(&state.ctx, person, &cmd).await,
        (other, _) => Json(reply::problem(&format!(
            "alignbot does not handle {other}. Try /align help."
        )))
        .into_response(),
    })
}

/// Records `replay` (if any) before the command acts; a replay is answered
/// without acting.
async fn claim(state: &AppState, replay: Option<Replay>) -> Result<(), HttpError> {
    if let Some(replay) = replay
        && !replay.claim(&state.ctx).await?
    {
        return Err(HttpError::Replay(Replayable::Command));
    }
    Ok(())
}

/// `/moment …`; `replay` is unclaimed only for a story to share.
async fn moment(
    state: &AppState,
    person: PersonId,
    cmd: &SlashCommand,
    parsed: MomentCommand,
    replay: Option<Replay>,
) -> Result<Response, HttpError> {
    let ctx = &state.ctx;
    Ok(match parsed {
        MomentCommand::RemoveUsage(usage) => Json(reply::problem(&usage.0)).into_response(),
        MomentCommand::Remove(target) => {
            let taken = match moments::resolve(ctx, &target).await {
                Ok(id) => moments::take_down(ctx, person, id).await,
                Err(e) => Err(e),
            };
            match taken {
                Ok(taken) => Json(reply::ephemeral(
                    &crate::slack::render::privacy::taken_down_text(&taken),
                ))
                .into_response(),
                Err(e) => command_failure(e),
            }
        }
        MomentCommand::Help => {
            let dir = ctx.directory();
            let keys: Vec<&str> = dir.active_pillars().map(|p| p.key.as_str()).collect();
            Json(reply::moment_usage(&dir.org.mission, &keys)).into_response()
        }
        MomentCommand::OpenForm => {
            let Some(trigger) = cmd.trigger_id.clone() else {
                return Ok(Json(reply::problem("Slack did not send a trigger to open the form. Try `/moment <your story>` instead.")).into_response());
            };
            match moments::open_modal(ctx, trigger, Modal::ShareMoment(MomentPrefill::default()))
                .await
            {
                // An empty 200: the modal is the answer.
                Ok(()) => StatusCode::OK.into_response(),
                Err(e) => command_failure(e),
            }
        }
        MomentCommand::Share { story, pillar } => {
            let input = MomentInput {
                story: story.clone(),
                pillar: pillar.clone(),
                recognized: Vec::new(),
                audience: Audience::Channel,
            };
            let draft = match input.validate(person, &ctx.directory()) {
                Ok(draft) => draft,
                // Too long for a post: the form opens with every word kept,
                // to shorten there rather than retype.
                Err(e @ crate::domain::DomainError::StoryTooLong { .. })
                    if cmd.trigger_id.is_some() =>
                {
                    claim(state, replay).await?;
                    let trigger = cmd.trigger_id.clone().unwrap_or_default();
                    let prefill = MomentPrefill {
                        story,
                        pillar: pillar.and_then(|p| crate::domain::PillarKey::parse(&p).ok()),
                        ..Default::default()
                    };
                    return Ok(
                        match moments::open_modal(ctx, trigger, Modal::ShareMoment(prefill)).await {
                            Ok(()) => Json(reply::problem(&format!(
                                "{e} I opened the form with your story so you can shorten it there."
                            )))
                            .into_response(),
                            Err(e) => command_failure(e),
                        },
                    );
                }
                Err(e) => return Ok(command_failure(e.into())),
            };
            let shared = match replay {
                Some(replay) => moments::share_or_hold_once(ctx, draft, replay).await,
                None => moments::share_or_hold(ctx, draft).await.map(Once::Done),
            };
            let shared = match shared {
                Ok(Once::Done(outcome)) => Ok(outcome),
                Ok(Once::Replay) => return Err(HttpError::Replay(Replayable::Command)),
                Err(e) => Err(e),
            };
            match shared {
                Ok(ShareOutcome::Posted { channel, .. }) => {
                    Json(reply::ephemeral(&reply::thanks(&channel, Audience::Channel))).into_response()
                }
                Ok(ShareOutcome::Held { draft, findings }) => {
                    Json(reply::held_for_review(draft, &findings)).into_response()
                }
                Ok(ShareOutcome::NotNamed { people }) => {
                    Json(reply::ephemeral(&crate::slack::render::privacy::not_named_text(&people)))
                        .into_response()
                }
                // A one-line command has no form to ask again in; see share_or_hold.
                Ok(ShareOutcome::NeedsReview { .. }) => command_failure(crate::app::AppError::NotFound(
                    "Your story could not be held for review. Please use /moment to open the form.".into(),
                )),
                Err(e) => command_failure(e),
            }
        }
    })
}
