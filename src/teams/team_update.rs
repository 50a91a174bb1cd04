//! The team progress update's draft card in Teams: "Post as is" (an
//! `Action.Execute`, answered with the card refreshed) and "Add a sentence
//! and post" (a dialog whose sentence is checked inline). The counterpart
//! of Slack's `http::team_update`, calling the same app functions.

use super::render::{Names, dialog, team_update as cards};
use crate::app::compose::{self, View};
use crate::app::outgoing::Modal;
use crate::app::{AppContext, AppError, conversations, team_update};
use crate::domain::PersonId;
use crate::domain::ids::NudgeId;
use serde_json::Value;

fn value_of(data: &Value) -> String {
    data.get("value")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

async fn names(ctx: &AppContext) -> Names {
    Names(conversations::names(ctx).await.unwrap_or_default())
}

/// "Post as is": posts the section's team update, then answers with the
/// draft as it now stands (that section says it was posted). `Err` is what
/// to tell the person instead.
pub async fn post(ctx: &AppContext, person: PersonId, data: &Value) -> Result<Value, String> {
    let value = value_of(data);
    let posted = async {
        let (team, _) = team_update::parse_button_value(ctx, &value)?;
        team_update::post(ctx, person, &team, None).await
    }
    .await;
    if let Err(e) = posted {
        return Err(super::invoke::person_message(&e));
    }
    let Some(nudge) = data.get("nudge").and_then(Value::as_i64) else {
        return Err("Posted. It is on its way to the team's channel.".to_owned());
    };
    match compose::current_draft(ctx, NudgeId(nudge)).await {
        Ok(Some(draft)) => Ok(cards::draft(&draft, &names(ctx).await)),
        _ => Err("Posted. It is on its way to the team's channel.".to_owned()),
    }
}

/// The form for `value`'s team, with what was typed and a problem.
async fn form(
    ctx: &AppContext,
    person: &PersonId,
    value: &str,
    typed: &str,
    problem: Option<&str>,
) -> Result<Value, AppError> {
    let (team, _) = team_update::parse_button_value(ctx, value)?;
    let team = team_update::team_for(ctx, person, &team)?;
    let view = match compose::view(ctx, &Modal::TeamUpdate { team: team.key }).await {
        Ok(view) => view,
        Err(e) => {
            tracing::error!(error = %e, "the team update form could not be composed");
            return Ok(dialog::close(
                "Sorry, something went wrong on our side. Please try again in a minute.",
            ));
        }
    };
    let Some(View::TeamUpdate(f)) = view else {
        return Err(AppError::NotFound("This team no longer exists.".to_owned()));
    };
    Ok(dialog::show(
        "Progress update",
        cards::form(&f, value, typed, problem, &names(ctx).await),
    ))
}

/// `task/fetch` of "Add a sentence and post".
pub async fn open(ctx: &AppContext, person: PersonId, data: &Value) -> Value {
    match form(ctx, &person, &value_of(data), "", None).await {
        Ok(shown) => shown,
        Err(e) => dialog::close(&super::invoke::person_message(&e)),
    }
}

/// `task/submit`: posts with the sentence and closes, or shows the form
/// again with the sentence kept and the problem under it.
pub async fn submit(ctx: &AppContext, person: PersonId, data: &Value) -> Value {
    let value = value_of(data);
    let typed = data
        .get("sentence")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let again = async |e: AppError| {
        let problem = super::invoke::person_message(&e);
        match form(ctx, &person, &value, &typed, Some(&problem)).await {
            Ok(shown) => shown,
            Err(e) => dialog::close(&super::invoke::person_message(&e)),
        }
    };
    let sentence = match team_update::sentence(ctx, Some(&typed)) {
        Ok(s) => s,
        Err(e) if e.is_for_person() => return again(e).await,
        Err(e) => return dialog::close(&super::invoke::person_message(&e)),
    };
    let posted = async {
        let (team, _) = team_update::parse_button_value(ctx, &value)?;
        team_update::post(ctx, person.clone(), &team, sentence).await
    }
    .await;
    match posted {
        Ok((team, month)) => dialog::close(&format!(
            "Posted {}'s progress update for {}. It is on its way to the team's channel.",
            team.name,
            team_update::reported_month(month).label()
        )),
        Err(e) if e.is_for_person() => again(e).await,
        Err(e) => dialog::close(&super::invoke::person_message(&e)),
    }
}
