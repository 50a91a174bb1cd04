//! The "which team?" question with a button per team. A leader of several
//! teams who types `/goal add`, `/goal propose` or `/priorities publish|show`
//! without `team:` is asked which team; each button re-runs what they typed
//! for that team (`team:<key>` added after the subcommand), so nothing they
//! typed is lost. The typed text travels in the button's value (Slack keeps
//! up to 2,000 characters there); text too long for that gets the question
//! without buttons and is told to copy it.

use super::error::command_failure;
use crate::app::error::WhichTeam;
use crate::app::{AppContext, AppError};
use crate::domain::PersonId;
use crate::slack::command::SlashCommand;
use crate::slack::render::{self, actions, button as slack_button, markdown, section};
use axum::Json;
use axum::response::{IntoResponse, Response};
use slack_morphism::prelude::*;

/// The action id of the buttons.
pub const ACTION: &str = "which_team";
/// Slack's limit on a button's value.
const MAX_VALUE: usize = 2000;
/// The commands a button may re-run.
const COMMANDS: [&str; 2] = ["/goal", "/priorities"];

/// `text` with `team:<key>` after its first word (the subcommand), where
/// every command that takes `team:` reads it.
pub fn with_team(text: &str, team: &str) -> String {
    let text = text.trim();
    match text.split_once(char::is_whitespace) {
        Some((sub, rest)) => format!("{sub} team:{team} {}", rest.trim()),
        None => format!("{text} team:{team}"),
    }
}

/// A button's value: the command and its text, on one line.
fn value(cmd: &SlashCommand, team: &str) -> String {
    format!("{} {}", cmd.command, with_team(&cmd.text, team))
}

/// The answer to a failed command: the "which team?" question with a button
/// per team, or the usual refusal.
pub fn failure(e: AppError, cmd: &SlashCommand) -> Response {
    match e {
        AppError::WhichTeam(q) if COMMANDS.contains(&cmd.command.as_str()) => {
            Json(question(&q, cmd)).into_response()
        }
        e => command_failure(e),
    }
}

fn question(q: &WhichTeam, cmd: &SlashCommand) -> SlackCommandEventResponse {
    let values: Vec<(String, String)> = q
        .teams
        .iter()
        .map(|(key, name)| (name.clone(), value(cmd, key)))
        .collect();
    let mut text = format!(":question: {}", render::escape(&q.question));
    let mut blocks = Vec::new();
    if values.iter().all(|(_, v)| v.chars().count() <= MAX_VALUE) && values.len() <= 25 {
        text.push_str(" Or choose it here:");
        blocks.push(section(markdown(&text)));
        blocks.push(actions(
            values
                .iter()
                .map(|(name, v)| slack_button(ACTION, name, v))
                .collect(),
        ));
    } else {
        text.push_str(" (Your text is too long to keep on a button: copy it, and send it again with `team:<key>`.)");
        blocks.push(section(markdown(&text)));
    }
    SlackCommandEventResponse::new(
        SlackMessageContent::new()
            .with_text(render::escape(&render::truncate(&q.question, 300)))
            .with_blocks(blocks),
    )
    .with_response_type(SlackMessageResponseType::Ephemeral)
}

/// A button: re-runs the command for the team chosen, as the person who
/// pressed it (with their permissions, as if they had typed it), and
/// replaces the question with the answer.
pub async fn pressed(
    ctx: &AppContext,
    person: PersonId,
    value: &str,
    trigger: String,
    reply_to: Option<String>,
) -> Result<(), AppError> {
    let (command, text) = value.split_once(' ').unwrap_or((value, ""));
    if !COMMANDS.contains(&command) {
        return Err(AppError::NotFound(
            "This button is not one I know. Type the command again with `team:<key>`.".into(),
        ));
    }
    let cmd = SlashCommand {
        command: command.to_owned(),
        text: text.to_owned(),
        user_id: person.to_string(),
        channel_id: None,
        team_id: None,
        response_url: reply_to.clone(),
        trigger_id: Some(trigger),
    };
    let response = match command {
        "/goal" => super::goals::command_in(ctx, person, &cmd).await,
        _ => super::priorities::command(ctx, person, &cmd).await,
    };
    let Some(to) = reply_to else { return Ok(()) };
    let Some(answer) = answer_text(response).await else {
        return Ok(()); // a form was opened: nothing to say
    };
    super::interactions::bot_reply(ctx, Some(to), answer, true).await
}

/// The text of a command's JSON answer (its blocks' text, which the bot
/// wrote with people's words escaped); `None` for an empty answer.
async fn answer_text(response: Response) -> Option<String> {
    let body = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .ok()?;
    let json: serde_json::Value = serde_json::from_slice(&body).ok()?;
    let mut parts = Vec::new();
    for block in json["blocks"].as_array().into_iter().flatten() {
        if let Some(t) = block["text"]["text"].as_str() {
            parts.push(t.to_owned());
        }
        for e in block["elements"].as_array().into_iter().flatten() {
            if let Some(t) = e["text"].as_str() {
                parts.push(t.to_owned());
            }
        }
    }
    if parts.is_empty() {
        json["text"].as_str().map(str::to_owned)
    } else {
        Some(parts.join("\n"))
    }
}

#[cfg(test)]
mod tests {
    use super::with_team;

    #[test]
    fn the_team_goes_after_the_subcommand_and_the_text_is_kept() {
        assert_eq!(
            with_team("add Cut waits pillar:patient-care", "icu"),
            "add team:icu Cut waits pillar:patient-care"
        );
        assert_eq!(
            with_team("publish Hire; Train", "nursing"),
            "publish team:nursing Hire; Train"
        );
        assert_eq!(with_team("show", "icu"), "show team:icu");
    }
}
