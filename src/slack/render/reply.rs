//! Ephemeral answers to slash commands and button presses.

use super::*;
use crate::domain::privacy::Finding;
use crate::domain::{Audience, ChannelId, MomentId};

/// An ephemeral text reply (only the person who asked sees it).
pub fn ephemeral(mrkdwn: &str) -> SlackCommandEventResponse {
    SlackCommandEventResponse::new(
        SlackMessageContent::new()
            .with_text(truncate(mrkdwn, MAX_SECTION))
            .with_blocks(vec![section(markdown(mrkdwn))]),
    )
    .with_response_type(SlackMessageResponseType::Ephemeral)
}

/// A refusal or problem, with what to do about it. `message` is escaped.
pub fn problem(message: &str) -> SlackCommandEventResponse {
    ephemeral(&format!(":warning: {}", escape(message)))
}

pub fn thanks(channel: &ChannelId, audience: Audience) -> String {
    match audience {
        Audience::Channel => format!(
            ":sparkles: Thank you! Your mission moment is on its way to {}.",
            channel_link(channel.as_str())
        ),
        Audience::Leaders => format!(
            ":sparkles: Thank you! Your mission moment is on its way to the leaders in {}.",
            channel_link(channel.as_str())
        ),
    }
}

/// The privacy guard's question for a story sent with `/moment <story>`.
pub fn held_for_review(draft: MomentId, findings: &[Finding]) -> SlackCommandEventResponse {
    let mut text = format!(
        ":warning: *I haven't posted your moment yet.* It may contain details that identify someone:{}",
        findings_list(findings)
    );
    text.push_str("\nPatients' names and details must never appear in the channel. What would you like to do?");
    let id = draft.to_string();
    let blocks = vec![
        section(markdown(&text)),
        actions(draft_buttons(&id, "Edit first")),
    ];
    SlackCommandEventResponse::new(
        SlackMessageContent::new()
            .with_text("Your moment is waiting for your review before it is posted.".into())
            .with_blocks(blocks),
    )
    .with_response_type(SlackMessageResponseType::Ephemeral)
}

/// `/moment help`.
pub fn moment_usage(mission: &str, pillar_keys: &[&str]) -> SlackCommandEventResponse {
    let pillars = if pillar_keys.is_empty() {
        String::new()
    } else {
        format!(
            "\nAdd `pillar:<key>` at the start or end to link it to a pillar: {}.",
            pillar_keys
                .iter()
                .map(|k| format!("`{}`", escape(k)))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    ephemeral(&format!(
        "*Share a mission moment*: a short story of when our mission came alive at work.\n_{}_\n\n\
         •  `/moment` opens a form (pick a pillar, recognize people, choose who sees it).\n\
         •  `/moment <your story>` shares it right away in the moments channel.{pillars}\n\
         You can edit or delete your moments later from the bot's Home tab, or with the \
         *Edit or delete moment* shortcut on the post.\n         •  `/moment remove <link or id>` takes a moment down (yours, or any as an admin).\n         •  `/align privacy`: whether colleagues may name you in their moments.",
        escape(mission)
    ))
}

/// The overview at the top of `/align help`.
pub fn overview() -> &'static str {
    "*alignbot* keeps us aligned on our mission and strategy.\n\
     •  `/moment <story>` or `/moment`: share a mission moment.\n\
     •  `/goal help`: annual goals under our pillars, monthly check-ins, team proposals.\n\
     •  Shortcuts: *Share a mission moment* (⚡ menu) and *Share as mission moment* on any message.\n\
     •  The bot's *Home* tab: the mission, the pillars, your goals and your moments."
}
