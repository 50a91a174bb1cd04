//! The team progress update in Slack: the leader's draft DM (a section per
//! team, each with "Add a sentence and post" and "Post as is"), the post in
//! the team channel, and
//! the form for the leader's sentence. Goal titles, notes and the sentence
//! are people's words: escaped, so they show exactly as written.

use super::*;
use crate::app::compose::{
    GoalProgress, TeamUpdate, TeamUpdateDraft, TeamUpdateForm, TeamUpdateSection,
};
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

/// Goal lines a post or a one-team draft shows (Slack allows 50 blocks).
const MAX_LINES: usize = 40;

/// The update's blocks, shared by the post and the draft's preview, with
/// at most `max_lines` goal lines (the rest are counted, with the command
/// that lists them).
fn body(u: &TeamUpdate, max_lines: usize) -> Vec<SlackBlock> {
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
    for line in u.goals.iter().take(max_lines) {
        blocks.push(section(markdown(&goal_block(line))));
    }
    if u.goals.len() > max_lines {
        blocks.push(context(&format!(
            "…and {} more: `/goal list team {}`",
            u.goals.len() - max_lines,
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
        .with_blocks(fit(body(u, MAX_LINES), MAX_MESSAGE_BLOCKS))
}

/// "Nursing", "Nursing and Intensive care", "A, B and C".
fn names_of(sections: &[&TeamUpdateSection]) -> String {
    let names: Vec<String> = sections
        .iter()
        .map(|s| escape(&s.update.team.name))
        .collect();
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        Some((last, _)) => last.clone(),
        None => String::new(),
    }
}

/// The leader's DM: a section per team with what would be posted and the
/// two ways to post it; a posted section says where it went.
pub fn draft(d: &TeamUpdateDraft) -> SlackMessageContent {
    let open: Vec<&TeamUpdateSection> = d.sections.iter().filter(|s| s.posted.is_none()).collect();
    let intro = match (d.sections.as_slice(), open.is_empty(), d.reminder) {
        ([one], true, _) => format!(
            ":white_check_mark: Posted to {} by {}. Thank you!",
            channel_link(one.update.team.channel.as_str()),
            one.posted
                .as_ref()
                .map(|p| mention(p.as_str()))
                .unwrap_or_default()
        ),
        (_, true, _) => format!(
            ":white_check_mark: Every progress update for {} is posted. Thank you!",
            d.month_label
        ),
        ([one], false, true) => format!(
            ":alarm_clock: *Reminder:* {}'s progress update for {} is still a draft. Only you see this; post it to {} when you are ready.",
            escape(&one.update.team.name),
            d.month_label,
            channel_link(one.update.team.channel.as_str())
        ),
        (_, false, true) => format!(
            ":alarm_clock: *Reminder:* the progress updates for {} of {} are still drafts. Only you see this; post each to its team's channel when you are ready.",
            names_of(&open),
            d.month_label
        ),
        ([one], false, false) => format!(
            ":memo: Here is the draft of {}'s progress update for {}. Read it, add a sentence of your own if you like, and post it to {}. Nothing is posted until you say so.",
            escape(&one.update.team.name),
            d.month_label,
            channel_link(one.update.team.channel.as_str())
        ),
        (all, false, false) => {
            let all: Vec<&TeamUpdateSection> = all.iter().collect();
            format!(
                ":memo: Here are the drafts of the progress updates for {} for {}, one per team. Read each, add a sentence of your own if you like, and post it to its team's channel. Nothing is posted until you say so.",
                names_of(&all),
                d.month_label
            )
        }
    };
    // Room for every section within Slack's 50 blocks: the goal lines are
    // shared out (a section takes about six blocks besides its goal lines),
    // each keeping at least a few; the rest are counted.
    let max_lines = match d.sections.len() {
        0 | 1 => MAX_LINES,
        n => ((MAX_MESSAGE_BLOCKS - 1) / n).saturating_sub(6).max(3),
    };
    let mut blocks = vec![section(markdown(&intro))];
    for s in &d.sections {
        blocks.push(divider());
        blocks.extend(body(&s.update, max_lines));
        let channel = channel_link(s.update.team.channel.as_str());
        match &s.posted {
            Some(by) => blocks.push(section(markdown(&format!(
                ":white_check_mark: Posted to {channel} by {}.",
                mention(by.as_str())
            )))),
            None => blocks.push(actions(vec![
                button(ids::TEAM_UPDATE_EDIT, "Add a sentence and post", &s.value)
                    .with_style(SlackBlockButtonStyle::Primary),
                button(ids::TEAM_UPDATE_POST, "Post as is", &s.value).with_confirm(confirm(
                    &format!("Post {}'s update?", truncate(&s.update.team.name, 40)),
                    &format!(
                        "It goes to {}'s channel as shown here.",
                        truncate(&s.update.team.name, 80)
                    ),
                    "Post it",
                )),
            ])),
        }
    }
    let teams: Vec<&TeamUpdateSection> = d.sections.iter().collect();
    SlackMessageContent::new()
        .with_text(format!(
            "{}: progress update for {}",
            names_of(&teams),
            d.month_label
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
    blocks.extend(body(u, MAX_LINES).into_iter().skip(1));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::goal::{Goal, GoalId, GoalKind, GoalStatus, PlanYear};
    use crate::domain::ids::NudgeId;
    use crate::domain::{ChannelId, PersonId, PillarKey, Team, TeamKey};

    fn team(key: &str, name: &str) -> Team {
        Team {
            key: TeamKey::parse(key).unwrap(),
            name: name.into(),
            channel: ChannelId::parse(&format!("C0{}", key.to_uppercase())).unwrap(),
            leaders: vec![PersonId::parse("U0LEAD1").unwrap()],
            members: Vec::new(),
            holidays: Vec::new(),
        }
    }

    fn line(id: i64, title: &str) -> GoalProgress {
        let owner = PersonId::parse("U0LEAD1").unwrap();
        GoalProgress {
            goal: Goal {
                id: GoalId(id),
                title: title.into(),
                pillar: PillarKey::parse("patient-care").unwrap(),
                team: None,
                owner: owner.clone(),
                year: PlanYear::new(2026).unwrap(),
                kind: GoalKind::Milestone,
                due: None,
                status: GoalStatus::Active,
                current: None,
                confidence: None,
                progress: 0.0,
                checked_in_at: None,
                closed_note: None,
                outcome: None,
                carried_from: None,
                created_by: owner,
                created_at: chrono::Utc::now(),
            },
            change: None,
            headline: None,
            headline_withheld: false,
        }
    }

    fn section_of(key: &str, name: &str, goals: usize, posted: bool) -> TeamUpdateSection {
        TeamUpdateSection {
            update: TeamUpdate {
                team: team(key, name),
                month_label: "November 2026".into(),
                goals: (0..goals)
                    .map(|i| line(i as i64 + 1, &format!("{name} <goal> {i}")))
                    .collect(),
                sentence: None,
                author: None,
            },
            value: format!("{key}/2026-12"),
            posted: posted.then(|| PersonId::parse("U0LEAD1").unwrap()),
        }
    }

    fn draft_of(sections: Vec<TeamUpdateSection>) -> SlackMessageContent {
        draft(&TeamUpdateDraft {
            nudge: NudgeId(1),
            month_label: "November 2026".into(),
            reminder: false,
            sections,
        })
    }

    #[test]
    fn three_teams_with_many_goals_fit_slack_and_every_open_section_keeps_its_buttons() {
        let message = draft_of(vec![
            section_of("icu", "Intensive care", 30, false),
            section_of("nursing", "Nursing", 30, true),
            section_of("wards", "Wards", 30, false),
        ]);
        let blocks = message.blocks.clone().unwrap();
        assert!(blocks.len() <= MAX_MESSAGE_BLOCKS, "{}", blocks.len());
        let json = serde_json::to_string(&message).unwrap();
        for open in ["icu/2026-12", "wards/2026-12"] {
            assert_eq!(json.matches(open).count(), 2, "{open}: both buttons");
        }
        assert!(
            !json.contains("nursing/2026-12"),
            "a posted section has none"
        );
        assert!(json.contains("Posted to <#C0NURSING>"), "{json}");
        assert!(
            json.contains("/goal list team wards"),
            "the rest are counted"
        );
        assert!(!json.contains("<goal>"), "titles are escaped: {json}");
    }

    #[test]
    fn one_team_reads_as_before() {
        let json =
            serde_json::to_string(&draft_of(vec![section_of("icu", "ICU", 2, false)])).unwrap();
        assert!(
            json.contains("Here is the draft of ICU's progress update"),
            "{json}"
        );
    }
}
