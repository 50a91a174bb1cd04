//! The monthly rhythm in Slack: nudges (DMs) and the monthly digests.

use super::*;
pub use crate::app::compose::{DigestMoment, DigestNumbers};
use crate::domain::Directory;
use crate::domain::goal::Goal;
use crate::slack::ids;

/// How many goals a progress nudge shows (each takes up to three blocks of
/// the message's fifty).
const NUDGE_GOALS: usize = 15;

/// A goal owner's check-in DM: each goal with a Check in button, or a tick
/// once it was checked in this month.
pub fn progress_nudge(
    goals: &[Goal],
    month_label: &str,
    checked_since: chrono::DateTime<chrono::Utc>,
    dir: &Directory,
) -> SlackMessageContent {
    let open: Vec<&Goal> = goals
        .iter()
        .filter(|g| g.checked_in_at.is_none_or(|at| at < checked_since))
        .collect();
    let mut blocks = vec![header(&format!(":memo: Check-in time: {month_label}"))];
    if open.is_empty() {
        blocks.push(section(markdown(
            ":white_check_mark: All your goals are checked in for this month. Thank you!",
        )));
    } else {
        blocks.push(section(markdown(&format!(
            "Where do your goals stand? {} still {} a check-in this month.",
            open.len(),
            if open.len() == 1 { "needs" } else { "need" }
        ))));
    }
    // Those still to check in first, then those done; the rest are reachable
    // from the list command.
    let mut ordered: Vec<&Goal> = open.clone();
    ordered.extend(
        goals
            .iter()
            .filter(|g| g.checked_in_at.is_some_and(|at| at >= checked_since)),
    );
    for goal in ordered.iter().take(NUDGE_GOALS) {
        let mut lines = super::goal::line(goal, dir);
        let done = goal.checked_in_at.is_some_and(|at| at >= checked_since);
        if !done && let Some(SlackBlock::Section(first)) = lines.first_mut() {
            *first = first
                .clone()
                .with_accessory(button(ids::CHECK_IN, "Check in", &goal.id.0.to_string()).into());
        }
        if done {
            lines.push(context(":white_check_mark: checked in this month"));
        }
        blocks.extend(lines);
    }
    if ordered.len() > NUDGE_GOALS {
        let hidden_open = open.len().saturating_sub(NUDGE_GOALS);
        blocks.push(context(&format!(
            "…and {} not shown here ({} still to check in). `/goal list mine` lists them all; `/goal update <id> <value>` checks one in.",
            crate::app::jobs::plural(ordered.len() - NUDGE_GOALS, "more goal", "more goals"),
            hidden_open
        )));
    }
    SlackMessageContent::new()
        .with_text(format!("Check-in time for your goals: {month_label}"))
        .with_blocks(fit(blocks, MAX_MESSAGE_BLOCKS))
}

/// "Do you have a mission moment?"
pub fn moments_nudge(dir: &Directory, shared: bool) -> SlackMessageContent {
    if shared {
        return SlackMessageContent::new()
            .with_text("Thank you for sharing a mission moment this month!".into())
            .with_blocks(vec![
                header(":sparkles: Do you have a mission moment?"),
                section(markdown(
                    ":white_check_mark: You shared one this month. Thank you! Another is always welcome: `/moment <your story>`.",
                )),
            ]);
    }
    let pillars: Vec<String> = dir
        .active_pillars()
        .map(|p| format!("•  {}", pillar_label(p)))
        .collect();
    let mut blocks = vec![
        header(":sparkles: Do you have a mission moment?"),
        section(markdown(&format!(
            "When did you see our mission come alive this month?\n_{}_",
            escape(&dir.org.mission)
        ))),
    ];
    if !pillars.is_empty() {
        blocks.push(context(&format!(
            "For inspiration, our pillars:\n{}",
            pillars.join("\n")
        )));
    }
    blocks.push(actions(vec![
        button(ids::HOME_SHARE, "Share a mission moment", "share")
            .with_style(SlackBlockButtonStyle::Primary),
    ]));
    blocks.push(context(
        "You get this invitation once a month, unless you already shared a moment.",
    ));
    SlackMessageContent::new()
        .with_text("Do you have a mission moment?".into())
        .with_blocks(blocks)
}

/// The month's moments, most reacted first, grouped by pillar.
pub fn moments_digest(
    month_label: &str,
    moments: &[DigestMoment],
    dir: &Directory,
) -> SlackMessageContent {
    let mut blocks = vec![header(&format!(
        ":sparkles: Mission moments of {month_label}"
    ))];
    if moments.is_empty() {
        blocks.push(section(markdown(
            "No mission moments were shared this month. Who will share the first one next month?",
        )));
    }
    let mut groups: Vec<(Option<&str>, Vec<&DigestMoment>)> = Vec::new();
    for m in moments {
        match groups.iter_mut().find(|(p, _)| *p == m.pillar.as_deref()) {
            Some((_, list)) => list.push(m),
            None => groups.push((m.pillar.as_deref(), vec![m])),
        }
    }
    for (pillar, list) in groups {
        let title = pillar
            .and_then(|k| dir.pillars.iter().find(|p| p.key.as_str() == k))
            .map(pillar_label)
            .unwrap_or_else(|| "Other moments".to_owned());
        blocks.push(section(markdown(&format!("*{title}*"))));
        for m in list {
            blocks.push(section(plain(&truncate(&m.story, 500))));
            let mut line = format!("{}  ·  {} reactions", mention(&m.author), m.reactions);
            if !m.recognized.is_empty() {
                let people: Vec<String> = m.recognized.iter().map(|p| mention(p)).collect();
                line.push_str(&format!("  ·  :clap: {}", people.join(", ")));
            }
            blocks.push(context(&line));
        }
    }
    SlackMessageContent::new()
        .with_text(format!("Mission moments of {month_label}"))
        .with_blocks(fit(blocks, MAX_MESSAGE_BLOCKS))
}

/// The month in numbers for leaders.
pub fn leadership_digest(
    month_label: &str,
    n: &DigestNumbers,
    dir: &Directory,
) -> SlackMessageContent {
    let pillar_name = |k: &str| {
        dir.pillars
            .iter()
            .find(|p| p.key.as_str() == k)
            .map(pillar_label)
            .unwrap_or_else(|| escape(k))
    };
    let mut blocks = vec![
        header(&format!(":bar_chart: Alignment digest: {month_label}")),
        section(markdown(&super::priorities::published_line(
            dir,
            &n.published,
        ))),
        section(markdown(&super::priorities::org_pickup_line(
            &n.org_priorities,
        ))),
        section(markdown(&format!(
            "*Check-ins*: {} of {} active goals were checked in this month.",
            n.checked_in, n.active_goals
        ))),
    ];
    if n.at_risk.is_empty() {
        blocks.push(section(markdown("*Goals at risk*: none.")));
    } else {
        let lines: Vec<String> = n
            .at_risk
            .iter()
            .map(|(id, title, c)| {
                format!(
                    "•  #{id} {} ({})",
                    escape(title),
                    if c == "off-track" {
                        "off track"
                    } else {
                        "at risk"
                    }
                )
            })
            .collect();
        blocks.push(section(markdown(&format!(
            "*Goals at risk*\n{}",
            lines.join("\n")
        ))));
    }
    let per_pillar: Vec<String> = dir
        .active_pillars()
        .map(|p| {
            let count = n
                .moments_per_pillar
                .iter()
                .find(|(k, _)| k == p.key.as_str())
                .map_or(0, |(_, c)| *c);
            format!("{} {count}", pillar_label(p))
        })
        .collect();
    blocks.push(section(markdown(&format!(
        "*Mission moments per pillar*: {}",
        per_pillar.join("  ·  ")
    ))));
    if !n.drifting.is_empty() {
        let names: Vec<String> = n.drifting.iter().map(|k| pillar_name(k)).collect();
        blocks.push(section(markdown(&format!(
            ":warning: *Drift*: no check-ins and no moments for two months under {}.",
            names.join(", ")
        ))));
    }
    blocks.push(context("`/align status` shows the full alignment report."));
    SlackMessageContent::new()
        .with_text(format!("Alignment digest: {month_label}"))
        .with_blocks(fit(blocks, MAX_MESSAGE_BLOCKS))
}
