//! Typed commands that open a form on Slack (`priorities publish` and
//! `priorities org publish` without items). Teams opens a dialog only from a
//! card button, so the answer is a card whose button opens that dialog: the
//! team's priorities form (with its team select for a leader of several
//! teams) or the organization's.

use crate::app::commands::priorities::{PrioritiesCommand, parse_priorities};
use crate::app::outgoing::{Outgoing, PromptedForm};
use crate::app::{AppContext, AppError, priorities};
use crate::domain::PersonId;
use std::future::Future;

/// The prompt card for `text`, if it is one of those commands; `Err` is
/// what to tell the person instead (e.g. they lead no team).
pub fn form_prompt<'a>(
    ctx: &'a AppContext,
    person: &'a PersonId,
    text: &str,
) -> Option<impl Future<Output = Result<Outgoing, AppError>> + 'a> {
    let text = text.trim();
    let (word, rest) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
    if !word.eq_ignore_ascii_case("priorities") {
        return None;
    }
    let command = parse_priorities(rest);
    if !matches!(
        command,
        PrioritiesCommand::PublishForm { .. } | PrioritiesCommand::OrgPublishForm
    ) {
        return None;
    }
    Some(async move {
        let form = match command {
            PrioritiesCommand::PublishForm { team } => {
                let (team, _) = priorities::form_teams(ctx, person, team.as_deref(), None)?;
                PromptedForm::TeamPriorities { team: team.key }
            }
            _ => {
                priorities::org_form(ctx, person).await?;
                PromptedForm::OrgPriorities
            }
        };
        Ok(Outgoing::FormPrompt {
            person: person.clone(),
            form,
        })
    })
}
