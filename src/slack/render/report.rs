//! `/align status`: the alignment report.

use super::*;
use crate::app::report::Report;
use crate::domain::Directory;
use crate::domain::goal::progress_bar;

/// Team lines per section: keeps each section well under 3,000 characters.
const TEAMS_PER_SECTION: usize = 12;
/// Sections of team lines at most; the rest is summarized.
const MAX_TEAM_SECTIONS: usize = 30;

/// The report for the person who asked; `share_to` are the channels they
/// may share it in (a "Share in #…" button each).
pub fn status(
    report: &Report,
    dir: &Directory,
    share_to: &[crate::domain::ChannelId],
) -> SlackCommandEventResponse {
    let mut blocks = report_blocks(report, dir);
    if !share_to.is_empty() {
        let buttons = share_to
            .iter()
            .map(|c| {
                let label = if *c == dir.org.leadership_channel {
                    "Share in the leadership channel"
                } else {
                    "Share with all staff"
                };
                button(
                    crate::slack::ids::REPORT_SHARE,
                    label,
                    &format!("{}:{}", c.as_str(), report.year.value()),
                )
            })
            .collect();
        blocks.push(context(&format!(
            "Share this report with {}:",
            share_to
                .iter()
                .map(|c| channel_link(c.as_str()))
                .collect::<Vec<_>>()
                .join(", ")
        )));
        blocks.push(actions(buttons));
    }
    SlackCommandEventResponse::new(
        SlackMessageContent::new()
            .with_text(format!("Alignment report · {}", report.month))
            .with_blocks(fit(blocks, MAX_MESSAGE_BLOCKS)),
    )
    .with_response_type(SlackMessageResponseType::Ephemeral)
}

/// The report as posted in a channel when someone shared it.
pub fn shared(
    report: &Report,
    by: &crate::domain::PersonId,
    dir: &Directory,
) -> SlackMessageContent {
    let mut blocks = report_blocks(report, dir);
    blocks.insert(1, context(&format!("Shared by {}", mention(by.as_str()))));
    SlackMessageContent::new()
        .with_text(format!("Alignment report · {}", report.month))
        .with_blocks(fit(blocks, MAX_MESSAGE_BLOCKS))
}

fn report_blocks(report: &Report, dir: &Directory) -> Vec<SlackBlock> {
    let mut blocks = vec![
        header(&format!("Alignment report · {}", report.month)),
        context(&format!(
            "_{}_  ·  plan year {}",
            escape(&dir.org.mission),
            report.year_label
        )),
        section(markdown("*By pillar*")),
    ];
    for line in &report.pillars {
        let gaps = match line.teams_without.len() {
            0 => "every team has a goal here".to_owned(),
            n if n <= 5 => format!(
                "no goal yet: {}",
                line.teams_without
                    .iter()
                    .map(|t| escape(t))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            n => format!("{n} teams have no goal here"),
        };
        blocks.push(section(markdown(&format!(
            "*{}*\n`{}`  {} active  ·  {} at risk  ·  {gaps}",
            pillar_label(&line.pillar),
            progress_bar(line.avg_progress),
            line.active,
            line.at_risk
        ))));
    }
    if report.org_wide_goals > 0 {
        blocks.push(context(&format!(
            "{} organization-wide goals (no team) are counted above.",
            report.org_wide_goals
        )));
    }
    blocks.push(divider());
    blocks.push(section(markdown("*By team*")));
    let lines: Vec<String> = report
        .teams
        .iter()
        .map(|t| {
            let per_pillar = if t.per_pillar.is_empty() {
                "no active goals".to_owned()
            } else {
                t.per_pillar
                    .iter()
                    .map(|(k, n)| {
                        let name = dir.pillars.iter().find(|p| p.key.as_str() == k).map(|p| escape(&p.name)).unwrap_or_else(|| escape(k));
                        format!("{name} {n}")
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            format!(
                "*{}*: {per_pillar}  ·  checked in this month {}/{}  ·  took part in goal-setting {}/{}",
                escape(&t.team.name),
                t.fresh,
                t.active,
                t.participants,
                t.size
            )
        })
        .collect();
    let chunks: Vec<_> = lines.chunks(TEAMS_PER_SECTION).collect();
    for chunk in chunks.iter().take(MAX_TEAM_SECTIONS) {
        blocks.push(section(markdown(&chunk.join("\n"))));
    }
    if chunks.len() > MAX_TEAM_SECTIONS {
        let shown = MAX_TEAM_SECTIONS * TEAMS_PER_SECTION;
        blocks.push(context(&format!(
            "… and {} more teams.",
            lines.len() - shown
        )));
    }
    if let Some(next) = &report.next {
        blocks.push(divider());
        blocks.push(section(markdown(&next_year(next))));
    }
    blocks.push(divider());
    blocks.push(context(
        "*How these are computed.* Progress of a goal = (current − start) ÷ (target − start), capped to 0–100 % \
         (so lower-is-better goals count the same way); a percent goal's progress is its percent; a milestone is 0 or 100 %. \
         A pillar's bar = the mean progress of its active goals this plan year. At risk = the latest check-in says at risk or off track. \
         Checked in this month = active goals with a check-in since the 1st (org time) ÷ active goals. \
         Took part = team members who proposed, supported or commented on a goal proposal this year ÷ team size.",
    ));
    blocks
}

/// Next year's plan beside this year's: goals so far per pillar.
fn next_year(next: &crate::app::report::NextYearPlan) -> String {
    let per_pillar = next
        .per_pillar
        .iter()
        .map(|(p, n)| format!("{} {n}", pillar_label(p)))
        .collect::<Vec<_>>()
        .join("  ·  ");
    let goals = if next.total == 1 { "goal" } else { "goals" };
    format!(
        "*Next year's plan ({})*: {} {goals} so far  ·  {per_pillar}\n`/goal list all year:{}` shows them.",
        next.label, next.total, next.year
    )
}
