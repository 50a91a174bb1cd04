//! `/align pillars` and `/align teams`: the keys people type in `pillar:` and
//! `team:` options, beside the names they know, so nobody has to guess a key
//! (every "there is no pillar/team" answer points here).

use super::*;
use crate::domain::Directory;

/// Lines per section: keeps each section well under 3,000 characters.
const LINES_PER_SECTION: usize = 15;

fn response(title: &str, lines: &[String], empty: &str, footer: &str) -> SlackCommandEventResponse {
    let mut blocks = vec![section(markdown(title))];
    if lines.is_empty() {
        blocks.push(section(markdown(empty)));
    }
    for chunk in lines.chunks(LINES_PER_SECTION) {
        blocks.push(section(markdown(&chunk.join("\n"))));
    }
    blocks.push(context(footer));
    SlackCommandEventResponse::new(
        SlackMessageContent::new()
            .with_text(title.to_owned())
            .with_blocks(fit(blocks, MAX_MESSAGE_BLOCKS)),
    )
    .with_response_type(SlackMessageResponseType::Ephemeral)
}

/// Every current pillar: key, name, description; archived ones last, marked.
pub fn pillars(dir: &Directory) -> SlackCommandEventResponse {
    let mut ordered: Vec<_> = dir.pillars.iter().collect();
    ordered.sort_by_key(|p| p.archived);
    let lines: Vec<String> = ordered
        .into_iter()
        .map(|p| {
            let mut line = format!("•  `{}`  *{}*", p.key, pillar_label(p));
            if !p.description.is_empty() {
                line.push_str(&format!(": {}", escape(&truncate(&p.description, 150))));
            }
            if p.archived {
                line.push_str("  _(archived: takes no new goals)_");
            }
            line
        })
        .collect();
    response(
        "*Pillars* (type the key: `pillar:<key>`)",
        &lines,
        "No pillars yet. An admin adds one with `/align pillar add <key> <name…>`.",
        "Example: `/goal add Cut wait times pillar:patient-care target:30min`",
    )
}

/// Every team: key, name, leaders and channel.
pub fn teams(dir: &Directory) -> SlackCommandEventResponse {
    let lines: Vec<String> = dir
        .teams
        .iter()
        .map(|t| {
            let leaders = if t.leaders.is_empty() {
                "no leader yet".to_owned()
            } else {
                t.leaders
                    .iter()
                    .map(|p| mention(p.as_str()))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            format!(
                "•  `{}`  *{}*  ·  {}  ·  led by {leaders}",
                t.key,
                escape(&t.name),
                channel_link(t.channel.as_str())
            )
        })
        .collect();
    response(
        "*Teams* (type the key: `team:<key>`)",
        &lines,
        "No teams yet. An admin adds one with `/align team add <key> <name…> channel:#channel`.",
        "Example: `/goal list team nursing` · `/priorities show nursing`",
    )
}
