//! Monthly priorities in Slack: the team post, the leadership line, the
//! leader's nudge and the publish form.

use super::*;
use crate::domain::goal::{Goal, progress_bar};
use crate::domain::priorities::PriorityList;
use crate::domain::{Directory, Team};
use crate::slack::ids;
use crate::slack::render::goal::TeamMeta;
use crate::store::priorities::Published;

fn numbered(items: &[String]) -> String {
    items
        .iter()
        .enumerate()
        .map(|(i, t)| format!("{}. {t}", i + 1))
        .collect::<Vec<_>>()
        .join("\n")
}

fn goal_lines(goals: &[Goal]) -> String {
    goals
        .iter()
        .take(8)
        .map(|g| {
            format!(
                "`{}`  {}",
                progress_bar(g.progress),
                escape(&truncate(&g.title, 80))
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The team's priorities, with its goal progress, for the team channel and
/// for `/priorities show`. The items are the leader's words, shown as written.
pub fn post_blocks(
    p: &Published,
    team: &Team,
    month_label: &str,
    goals: &[Goal],
) -> Vec<SlackBlock> {
    let mut blocks = vec![
        header(&format!(
            ":dart: {}: priorities for {month_label}",
            team.name
        )),
        section(plain(&numbered(&p.items))),
        context(&format!("Published by {}", mention(&p.author))),
    ];
    if !goals.is_empty() {
        blocks.push(section(markdown(&format!(
            "*Goal progress*\n{}",
            goal_lines(goals)
        ))));
    }
    blocks
}

pub fn post(p: &Published, team: &Team, month_label: &str, goals: &[Goal]) -> SlackMessageContent {
    SlackMessageContent::new()
        .with_text(format!("{}: priorities for {month_label}", team.name))
        .with_blocks(post_blocks(p, team, month_label, goals))
}

pub fn summary(p: &Published, team: &Team, month_label: &str) -> SlackMessageContent {
    let text = format!(
        ":white_check_mark: {} published *{}*'s priorities for {month_label}: {} {} in {}.",
        mention(&p.author),
        escape(&team.name),
        p.items.len(),
        if p.items.len() == 1 { "item" } else { "items" },
        channel_link(team.channel.as_str())
    );
    SlackMessageContent::new()
        .with_text(text.clone())
        .with_blocks(vec![section(markdown(&text))])
}

/// The leader's DM: the month, the team's goal progress, and the button.
pub fn nudge(
    team: &Team,
    month_label: &str,
    goals: &[Goal],
    published: bool,
    reminder: bool,
) -> SlackMessageContent {
    let title = if reminder {
        format!(
            ":alarm_clock: Reminder: {}'s priorities for {month_label}",
            team.name
        )
    } else {
        format!(
            ":spiral_calendar_pad: {}: priorities for {month_label}",
            team.name
        )
    };
    let mut blocks = vec![header(&title)];
    if published {
        blocks.push(section(markdown(
            ":white_check_mark: Published. Thank you! Your team can see them in its channel.",
        )));
    } else {
        blocks.push(section(markdown(&format!(
            "Time to tell {} what matters most this month. Up to 7 items; last month's are there to carry over, edit or drop.",
            channel_link(team.channel.as_str())
        ))));
    }
    if !goals.is_empty() {
        blocks.push(section(markdown(&format!(
            "*Your team's goals*\n{}",
            goal_lines(goals)
        ))));
    }
    if !published {
        blocks.push(actions(vec![
            button(
                ids::PRIORITIES_OPEN,
                "Publish priorities",
                team.key.as_str(),
            )
            .with_style(SlackBlockButtonStyle::Primary),
        ]));
    }
    SlackMessageContent::new()
        .with_text(format!("{}: priorities for {month_label}", team.name))
        .with_blocks(blocks)
}

/// The publish form: up to seven items, prefilled.
pub fn form(team: &Team, month_label: &str, prefill: &[String]) -> SlackView {
    let mut blocks = vec![context(&format!(
        "*{}*, {month_label}. Empty items are left out.",
        escape(&team.name)
    ))];
    for i in 0..PriorityList::MAX_ITEMS {
        let id = format!("{}{}", ids::PRIORITY_ITEM, i + 1);
        let mut input = SlackBlockPlainTextInputElement::new()
            .with_action_id(id.clone().into())
            .with_max_length(PriorityList::MAX_CHARS as u64);
        if let Some(v) = prefill.get(i) {
            input = input.with_initial_value(v.clone());
        }
        blocks.push(
            SlackInputBlock::new(
                plain_only(&format!("Priority {}", i + 1), 2000),
                input.into(),
            )
            .with_block_id(id.into())
            .with_optional(i > 0)
            .into(),
        );
    }
    SlackView::Modal(
        SlackModalView::new(plain_only("Monthly priorities", 24), blocks)
            .with_callback_id(ids::PRIORITIES_CALLBACK.into())
            .with_submit(plain_only("Publish", 24))
            .with_close(plain_only("Cancel", 24))
            .with_private_metadata(
                serde_json::to_string(&TeamMeta {
                    team: team.key.to_string(),
                    leaders: true,
                })
                .expect("metadata serializes"),
            ),
    )
}

/// Which teams published this month (on time: before the reminder), for
/// the leadership digest.
pub fn published_line(dir: &Directory, published: &[(String, bool)]) -> String {
    let status = |t: &Team| {
        published
            .iter()
            .find(|(k, _)| k == t.key.as_str())
            .map(|(_, on_time)| *on_time)
    };
    let names = |want: Option<bool>| {
        dir.teams
            .iter()
            .filter(|t| status(t) == want)
            .map(|t| escape(&t.name))
            .collect::<Vec<_>>()
    };
    let (on_time, late, missing) = (names(Some(true)), names(Some(false)), names(None));
    let mut line = format!("*Priorities*: {} on time", on_time.len());
    if !late.is_empty() {
        line.push_str(&format!(", {} late ({})", late.len(), late.join(", ")));
    }
    if missing.is_empty() {
        line.push_str(", none missing.");
    } else {
        line.push_str(&format!(
            ", {} missing ({}).",
            missing.len(),
            missing.join(", ")
        ));
    }
    line
}

/// To an admin, privately: the teams still without priorities, with their
/// leaders. Never posted in a channel.
pub fn missing(month_label: &str, teams: &[&Team]) -> SlackMessageContent {
    let lines: Vec<String> = teams
        .iter()
        .map(|t| {
            let leaders: Vec<String> = t.leaders.iter().map(|l| mention(l.as_str())).collect();
            format!(
                "•  *{}*: {}",
                escape(&t.name),
                if leaders.is_empty() {
                    "no leader".to_owned()
                } else {
                    leaders.join(", ")
                }
            )
        })
        .collect();
    let text = format!(
        ":clipboard: *Teams without priorities for {month_label}* (their leaders had a nudge and a reminder):\n{}",
        lines.join("\n")
    );
    SlackMessageContent::new()
        .with_text(format!("Teams without priorities for {month_label}"))
        .with_blocks(vec![
            section(markdown(&text)),
            context("Only you see this list."),
        ])
}
