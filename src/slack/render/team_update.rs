//! The team progress update in Slack: the leader's draft DM (with "Add a
//! sentence and post" and "Post as is"), the post in the team channel, and
//! the form for the leader's sentence. Goal titles, notes and the sentence
//! are people's words: escaped, so they show exactly as written.

use super::*;
use crate::app::compose::{GoalProgress, TeamUpdate, TeamUpdateDraft, TeamUpdateForm};
use crate::domain::goal::GoalKind;
use crate::slack::ids;
use crate::slack::render::goal::TeamMeta;

/// "+2", "−4 min", "no change".
fn change_text(kind: &GoalKind, change: f64) -> String {
    if change.abs() < 1e-9 {
        return "no change".to_owned();
    }
    let sign = if change > 0.0 { "+" } else { "−" };
    format!("{sign}{}", kind.format_value(change.abs()))
}

/// One goal: title, value and change, confidence, owner; the note headline below.
fn goal_block(line: &GoalProgress) -> String {
    let g = &line.goal;
    let value = match g.current {
        Some(v) => {
            let change = match line.change {
                Some(c) => format!(" ({} over the month)", change_text(&g.kind, c)),
                None => String::new(),
            };
            format!("{}{change}", escape(&g.kind.format_value(v)))
        }
        None => "no check-in yet".to_owned(),
    };
    let confidence = g
        .confidence
        .map(|c| format!("{} {}", c.emoji(), c.label()))
        .unwrap_or_else(|| ":white_circle: Not checked in".to_owned());
    let mut text = format!(
        "*{}*\n{value}  ·  {confidence}  ·  {}",
        escape(&truncate(&g.title, 150)),
        mention(g.owner.as_str())
    );
    if let Some(h) = &line.headline {
        text.push_str(&format!("\n> {}", escape(h)));
    } else if line.headline_withheld {
        text.push_str("\n_The latest note is not shown: it may identify someone._");
    }
    text
}

/// The update's blocks, shared by the post and the draft's preview.
fn body(u: &TeamUpdate) -> Vec<SlackBlock> {
    let mut blocks = vec![header(&format!(
        ":bar_chart: {}: progress in {}",
        u.team.name, u.month_label
    ))];
    if let Some(sentence) = &u.sentence {
        blocks.push(section(plain(sentence)));
    }
    if u.goals.is_empty() {
        blocks.push(section(markdown("_The team has no active goals._")));
    }
    for line in u.goals.iter().take(40) {
        blocks.push(section(markdown(&goal_block(line))));
    }
    if u.goals.len() > 40 {
        blocks.push(context(&format!(
            "…and {} more: `/goal list team {}`",
            u.goals.len() - 40,
            u.team.key
        )));
    }
    if let Some(author) = &u.author {
        blocks.push(context(&format!("Posted by {}", mention(author.as_str()))));
    }
    blocks
}

/// The post in the team channel.
pub fn post(u: &TeamUpdate) -> SlackMessageContent {
    SlackMessageContent::new()
        .with_text(format!("{}: progress in {}", u.team.name, u.month_label))
        .with_blocks(fit(body(u), MAX_MESSAGE_BLOCKS))
}

/// The leader's DM: what would be posted, and the two ways to post it.
pub fn draft(d: &TeamUpdateDraft) -> SlackMessageContent {
    let u = &d.update;
    let channel = channel_link(u.team.channel.as_str());
    let intro = match (&d.posted, d.reminder) {
        (Some(by), _) => format!(
            ":white_check_mark: Posted to {channel} by {}. Thank you!",
            mention(by.as_str())
        ),
        (None, true) => format!(
            ":alarm_clock: *Reminder:* {}'s progress update for {} is still a draft. Only you see this; post it to {channel} when you are ready.",
            escape(&u.team.name),
            u.month_label
        ),
        (None, false) => format!(
            ":memo: Here is the draft of {}'s progress update for {}. Read it, add a sentence of your own if you like, and post it to {channel}. Nothing is posted until you say so.",
            escape(&u.team.name),
            u.month_label
        ),
    };
    let mut blocks = vec![section(markdown(&intro)), divider()];
    blocks.extend(body(u));
    if d.posted.is_none() {
        blocks.push(divider());
        blocks.push(actions(vec![
            button(ids::TEAM_UPDATE_EDIT, "Add a sentence and post", &d.value)
                .with_style(SlackBlockButtonStyle::Primary),
            button(ids::TEAM_UPDATE_POST, "Post as is", &d.value).with_confirm(confirm(
                "Post the update?",
                "It goes to the team channel as shown here.",
                "Post it",
            )),
        ]));
    }
    SlackMessageContent::new()
        .with_text(format!(
            "{}: progress update for {}",
            u.team.name, u.month_label
        ))
        .with_blocks(fit(blocks, MAX_MESSAGE_BLOCKS))
}

/// The form: one sentence above the goal lines, which are shown to read.
pub fn form(f: &TeamUpdateForm) -> SlackView {
    let u = &f.update;
    let input = SlackBlockPlainTextInputElement::new()
        .with_action_id(ids::TEAM_UPDATE_SENTENCE.into())
        .with_multiline(true)
        .with_max_length(crate::app::team_update::MAX_SENTENCE as u64)
        .with_placeholder(plain_only(
            "e.g. Great month for waits; staffing needs our help.",
            150,
        ));
    let mut blocks = vec![
        SlackInputBlock::new(plain_only("Your sentence", 2000), input.into())
            .with_block_id(ids::TEAM_UPDATE_SENTENCE.into())
            .with_hint(plain_only(
                "Shown first, as you write it. Leave names out: the whole team reads it.",
                2000,
            ))
            .into(),
        context("The goal lines follow it:"),
    ];
    blocks.extend(body(u).into_iter().skip(1));
    SlackView::Modal(
        SlackModalView::new(
            plain_only("Progress update", 24),
            fit(blocks, MAX_VIEW_BLOCKS),
        )
        .with_callback_id(ids::TEAM_UPDATE_CALLBACK.into())
        .with_submit(plain_only("Post", 24))
        .with_close(plain_only("Cancel", 24))
        .with_private_metadata(
            serde_json::to_string(&TeamMeta {
                team: u.team.key.to_string(),
                leaders: true,
            })
            .expect("metadata serializes"),
        ),
    )
}
