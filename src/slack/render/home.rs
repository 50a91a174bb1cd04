//! The Home tab: mission, pillars, a share button, one's own moments and the
//! latest shared ones.

use super::*;
use crate::app::home::HomeData;
use crate::domain::moment::{Moment, MomentStatus};
use crate::slack::ids;

/// How much of a story the Home tab shows before cutting it.
const STORY_PREVIEW: usize = 600;

pub fn view(data: &HomeData) -> SlackView {
    let dir = &data.directory;
    let mut blocks = vec![
        header(&dir.org.name),
        section(markdown(&format!(
            "*Our mission*\n_{}_",
            escape(&dir.org.mission)
        ))),
        actions(vec![
            button(ids::HOME_SHARE, "Share a mission moment", "share")
                .with_style(SlackBlockButtonStyle::Primary),
        ]),
        divider(),
    ];
    let pillars: Vec<String> = dir
        .active_pillars()
        .map(|p| {
            if p.description.is_empty() {
                format!("•  *{}*", pillar_label(p))
            } else {
                format!("•  *{}*: {}", pillar_label(p), escape(&p.description))
            }
        })
        .collect();
    if !pillars.is_empty() {
        blocks.push(section(markdown(&format!(
            "*Strategic pillars*\n{}",
            pillars.join("\n")
        ))));
        blocks.push(divider());
    }

    blocks.extend(priority_blocks(data));
    blocks.extend(goal_blocks(data));
    blocks.push(section(markdown("*Your moments*")));
    if data.mine.is_empty() {
        blocks.push(context("You haven't shared a mission moment yet. When did you last see our mission come alive?"));
    }
    for m in &data.mine {
        blocks.push(section(plain(&truncate(&m.story, STORY_PREVIEW))));
        blocks.push(context(&own_line(m, data)));
        blocks.push(actions(own_buttons(m)));
    }
    blocks.push(divider());
    blocks.push(section(markdown("*Latest mission moments*")));
    if data.latest.is_empty() {
        blocks.push(context("No moments yet. Be the first to share one!"));
    }
    for m in &data.latest {
        blocks.push(section(plain(&truncate(&m.story, STORY_PREVIEW))));
        blocks.push(context(&latest_line(m, data)));
        if data.removable.contains(&m.id) && m.author != data.person {
            blocks.push(actions(vec![remove_button(m)]));
        }
    }
    SlackView::Home(SlackHomeView::new(fit(blocks, MAX_VIEW_BLOCKS)))
}

fn pillar_and_date(m: &Moment, data: &HomeData) -> String {
    let date = m
        .created_at
        .with_timezone(&data.directory.org.timezone)
        .format("%b %-d, %Y")
        .to_string();
    match m.pillar.as_ref().and_then(|k| data.directory.pillar(k)) {
        Some(p) => format!("{date}  ·  {}", pillar_label(p)),
        None => date,
    }
}

fn reactions(n: i64) -> String {
    match n {
        0 => String::new(),
        1 => "  ·  1 reaction".to_owned(),
        n => format!("  ·  {n} reactions"),
    }
}

fn own_line(m: &Moment, data: &HomeData) -> String {
    let base = pillar_and_date(m, data);
    match m.status {
        MomentStatus::Draft => {
            let kinds: Vec<&str> = data
                .held
                .iter()
                .filter(|(id, _)| *id == m.id)
                .flat_map(|(_, kinds)| kinds.iter().map(|k| k.label()))
                .collect();
            let why = if kinds.is_empty() {
                String::new()
            } else {
                format!(": it may contain {}", kinds.join(", "))
            };
            format!(":hourglass: {base}  ·  *Not posted yet*, waiting for your review{why}")
        }
        _ => format!("{base}{}", reactions(m.reactions)),
    }
}

fn latest_line(m: &Moment, data: &HomeData) -> String {
    format!(
        "{}  ·  {}{}",
        mention(m.author.as_str()),
        pillar_and_date(m, data),
        reactions(m.reactions)
    )
}

/// "Remove" for an admin moderating someone else's moment.
fn remove_button(m: &Moment) -> SlackBlockButtonElement {
    button(ids::HOME_REMOVE, "Remove", &m.id.to_string())
        .with_style(SlackBlockButtonStyle::Danger)
        .with_confirm(confirm(
            "Take this moment down?",
            "Its post is deleted, its story is erased and it leaves every Home tab and the digests not yet sent. Its author is not told by alignbot. This cannot be undone.",
            "Take it down",
        ))
}

fn own_buttons(m: &Moment) -> Vec<SlackBlockButtonElement> {
    let id = m.id.to_string();
    match m.status {
        MomentStatus::Draft => draft_buttons(&id, "Edit"),
        _ => vec![
            button(ids::HOME_EDIT, "Edit", &id),
            button(ids::HOME_DELETE, "Delete", &id)
                .with_style(SlackBlockButtonStyle::Danger)
                .with_confirm(confirm(
                    "Delete this moment?",
                    "The story and its post will be removed for everyone. This cannot be undone.",
                    "Delete",
                )),
        ],
    }
}

/// My goals (with a Check in button and the line of sight), my teams'
/// goals, and open proposals to support.
fn goal_blocks(data: &HomeData) -> Vec<SlackBlock> {
    use super::goal::line;
    let dir = &data.directory;
    let mut blocks = vec![section(markdown(&format!(
        "*Your goals · {}*",
        data.years.label
    )))];
    if data.my_goals.is_empty() {
        blocks.push(context(
            "You own no goals this year. See your team's with `/goal list team <key>`.",
        ));
    }
    for goal in &data.my_goals {
        let mut lines = line(goal, dir);
        if let Some(SlackBlock::Section(first)) = lines.first_mut() {
            *first = first
                .clone()
                .with_accessory(button(ids::CHECK_IN, "Check in", &goal.id.0.to_string()).into());
        }
        blocks.extend(lines);
        let pillar = dir
            .pillar(&goal.pillar)
            .map(pillar_label)
            .unwrap_or_default();
        blocks.push(context(&format!(
            ":dart: {} → {pillar} → our mission",
            escape(&truncate(&goal.title, 60))
        )));
    }
    if data.my_goals_total > data.my_goals.len() as i64 {
        blocks.push(context(&format!(
            "… {} goals in all: `/goal list mine`",
            data.my_goals_total
        )));
    }
    if let Some((label, year, count)) = &data.years.next {
        let goals = if *count == 1 { "goal" } else { "goals" };
        blocks.push(context(&format!(
            ":seedling: Next year's plan ({label}): you own {count} {goals} so far · `/goal list mine year:{year}`"
        )));
    }
    if !data.team_goals.is_empty() {
        blocks.push(section(markdown("*Your team's goals*")));
        for goal in &data.team_goals {
            blocks.extend(line(goal, dir));
        }
    }
    if !data.proposals.is_empty() {
        blocks.push(section(markdown("*Proposals to support*")));
        for p in &data.proposals {
            blocks.push(
                SlackSectionBlock::new()
                    .with_text(plain(&p.title))
                    .with_accessory(
                        button(
                            ids::PROPOSAL_SUPPORT,
                            "Support / take back",
                            &p.id.to_string(),
                        )
                        .into(),
                    )
                    .into(),
            );
            blocks.push(context(&format!(
                "Proposed by {}  ·  {}",
                mention(p.proposer.as_str()),
                crate::app::jobs::plural(p.supporters as usize, "supporter", "supporters")
            )));
        }
    }
    blocks.push(divider());
    blocks
}

/// This month's priorities of the person's team.
fn priority_blocks(data: &HomeData) -> Vec<SlackBlock> {
    let Some((team, month, items)) = &data.priorities else {
        return Vec::new();
    };
    let title = section(markdown(&format!(
        "*{}: priorities for {month}*",
        escape(&team.name)
    )));
    match items {
        Some(items) => {
            let list: Vec<String> = items
                .iter()
                .enumerate()
                .map(|(i, t)| format!("{}. {t}", i + 1))
                .collect();
            vec![title, section(plain(&list.join("\n"))), divider()]
        }
        None => {
            let mut blocks = vec![title, context("Not published yet.")];
            if team.leaders.contains(&data.person) {
                blocks.push(actions(vec![
                    button(
                        ids::PRIORITIES_OPEN,
                        "Publish priorities",
                        team.key.as_str(),
                    )
                    .with_style(SlackBlockButtonStyle::Primary),
                ]));
            }
            blocks.push(divider());
            blocks
        }
    }
}
