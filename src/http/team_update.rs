//! The team progress update's draft buttons and its form (see
//! [`crate::app::team_update`]).

use crate::app::moments::open_modal;
use crate::app::outgoing::Modal;
use crate::app::{AppContext, AppError, team_update};
use crate::domain::PersonId;
use crate::slack::ids;
use crate::slack::interaction::{FormState, metadata};
use crate::slack::render::goal::TeamMeta;
use slack_morphism::prelude::*;
use std::collections::HashMap;

/// "Post as is" and "Add a sentence and post"; false if `action` is neither.
pub async fn button(
    ctx: &AppContext,
    person: PersonId,
    action: &str,
    value: &str,
    trigger: String,
) -> Result<bool, AppError> {
    match action {
        ids::TEAM_UPDATE_POST => {
            let (team, _) = team_update::parse_button_value(ctx, value)?;
            // The draft DM turns into "Posted" (the confirmation).
            team_update::post(ctx, person, &team, None).await?;
            Ok(true)
        }
        ids::TEAM_UPDATE_EDIT => {
            let (team, _) = team_update::parse_button_value(ctx, value)?;
            let team = team_update::team_for(ctx, &person, &team)?;
            open_modal(ctx, trigger, Modal::TeamUpdate { team: team.key }).await?;
            Ok(true)
        }
        _ => Ok(false),
    }
}

/// The form: posts with the leader's sentence and closes; a sentence that
/// cannot go out is explained under the field, with the text kept.
pub async fn submit(
    ctx: &AppContext,
    person: PersonId,
    raw_meta: &str,
    state: &FormState,
) -> Result<SlackViewSubmissionResponse, AppError> {
    let meta: TeamMeta = metadata(raw_meta);
    let text = state.text(ids::TEAM_UPDATE_SENTENCE);
    let refused = |e: AppError| {
        SlackViewSubmissionResponse::Errors(SlackViewSubmissionErrorsResponse::new(HashMap::from(
            [(ids::TEAM_UPDATE_SENTENCE.to_owned(), e.to_string())],
        )))
    };
    let sentence = match team_update::sentence(ctx, text.as_deref()) {
        Ok(s) => s,
        Err(e) if e.is_for_person() => return Ok(refused(e)),
        Err(e) => return Err(e),
    };
    match team_update::post(ctx, person, &meta.team, sentence).await {
        // Closed; the leader's draft DM turns into "Posted to #…".
        Ok(_) => Ok(SlackViewSubmissionResponse::Clear(
            SlackViewSubmissionClearResponse::new(),
        )),
        Err(e) if e.is_for_person() => Ok(refused(e)),
        Err(e) => Err(e),
    }
}
