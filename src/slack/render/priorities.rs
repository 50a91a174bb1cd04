//! Monthly priorities in Slack: the team post, the leadership line, the
//! leader's nudge and the publish form.

use super::*;
use crate::app::compose::PublishedPriorities;
use crate::domain::goal::{Goal, progress_bar};
use crate::domain::priorities::PriorityList;
use crate::domain::{Directory, Team};
use crate::slack::ids;
use crate::slack::render::goal::TeamMeta;

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
    p: &PublishedPriorities,
    team: &Team,
    month_label: &str,
    goals: &[Goal],
) -> Vec<SlackBlock> {
    let lines: Vec<String> = p
        .items
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let link = p
                .goals
                .get(i)
                .copied()
                .flatten()
                .and_then(|g| goals.iter().find(|x| x.id.0 == g))
                .map(|g| format!("  (goal {}: {})", g.id, g.title))
                .unwrap_or_default();
            format!("{}. {text}{link}", i + 1)
        })
        .collect();
    let mut blocks = vec![
        header(&format!(
            ":dart: {}: priorities for {month_label}",
            team.name
        )),
        section(plain(&lines.join("\n"))),
        context(&format!("Published by {}", mention(&p.author))),
    ];
    if !p.review.is_empty() {
        let count = |o: &str| p.review.iter().filter(|(_, x)| x == o).count();
        blocks.push(context(&format!(
            "Last month: :white_check_mark: {} done  ·  :arrow_right_hook: {} carried over  ·  :x: {} dropped",
            count("done"),
            count("carried-over"),
            count("dropped")
        )));
    }
    if !goals.is_empty() {
        blocks.push(section(markdown(&format!(
            "*Goal progress*\n{}",
            goal_lines(goals)
        ))));
    }
    blocks
}

pub fn post(
    p: &PublishedPriorities,
    team: &Team,
    month_label: &str,
    goals: &[Goal],
) -> SlackMessageContent {
    SlackMessageContent::new()
        .with_text(format!("{}: priorities for {month_label}", team.name))
        .with_blocks(post_blocks(p, team, month_label, goals))
}

pub fn summary(p: &PublishedPriorities, team: &Team, month_label: &str) -> SlackMessageContent {
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

/// The leader's DM: the organization's priorities first (when published),
/// then a section per team the leader leads, each with its goal progress and
/// its own button, or marked as published. A leader of one team sees the
/// same single-team DM as before.
pub fn nudge(n: &crate::app::compose::PrioritiesNudge) -> SlackMessageContent {
    let month_label = &n.month_label;
    let name = match n.sections.as_slice() {
        [one] => one.team.name.clone(),
        _ => "Your teams".to_owned(),
    };
    // The plain title is also the notification's text, so a reminder's
    // preview says it is a reminder, not the nudge again.
    let (emoji, plain_title) = match (n.reminder, n.sections.len() > 1) {
        (true, false) => (
            ":alarm_clock:",
            format!("Reminder: {name}'s priorities for {month_label}"),
        ),
        (true, true) => (
            ":alarm_clock:",
            format!("Reminder: your teams' priorities for {month_label}"),
        ),
        (false, _) => (
            ":spiral_calendar_pad:",
            format!("{name}: priorities for {month_label}"),
        ),
    };
    let title = format!("{emoji} {plain_title}");
    let mut blocks = vec![header(&title)];
    if !n.org_items.is_empty() {
        let lines: Vec<String> = n
            .org_items
            .iter()
            .enumerate()
            .map(|(i, text)| format!("{}. {}", i + 1, escape(text)))
            .collect();
        blocks.push(section(markdown(&format!(
            "*The organization's priorities for {month_label}*\n{}\n_Link yours to them in the form (or `org:<n>` after an item)._",
            lines.join("\n")
        ))));
    }
    let several = n.sections.len() > 1;
    for s in &n.sections {
        let team = &s.team;
        if several {
            blocks.push(section(markdown(&format!("*{}*", escape(&team.name)))));
        }
        if s.published {
            blocks.push(section(markdown(&format!(
                ":white_check_mark: Published. Thank you! {} can see them in {}.",
                if several {
                    escape(&team.name)
                } else {
                    "Your team".to_owned()
                },
                channel_link(team.channel.as_str())
            ))));
        } else {
            blocks.push(section(markdown(&format!(
                "Time to tell {} what matters most this month. Up to 7 items; last month's are there to carry over, edit or drop.",
                channel_link(team.channel.as_str())
            ))));
        }
        if !s.goals.is_empty() {
            blocks.push(section(markdown(&format!(
                "*{}*\n{}",
                if several {
                    format!("{}'s goals", escape(&team.name))
                } else {
                    "Your team's goals".to_owned()
                },
                goal_lines(&s.goals)
            ))));
        }
        if !s.published {
            let label = if several {
                format!("Publish {}'s priorities", team.name)
            } else {
                "Publish priorities".to_owned()
            };
            blocks.push(actions(vec![
                button(
                    ids::PRIORITIES_OPEN,
                    &truncate(&label, 75),
                    team.key.as_str(),
                )
                .with_style(SlackBlockButtonStyle::Primary),
            ]));
        }
        if several {
            blocks.push(divider());
        }
    }
    if several {
        blocks.pop();
    }
    SlackMessageContent::new()
        .with_text(plain_title)
        .with_blocks(blocks)
}

/// The form's "Serves an organization priority?" select of item n is
/// `priority_org_<n>`.
pub const PRIORITY_ORG: &str = "priority_org_";

/// The action id of the publish form's team select (a leader of several
/// teams): choosing a team reloads the form for it.
pub const PRIORITIES_TEAM: &str = "priorities_team";

/// The team select at the top of the publish form: an `actions` block, so
/// that choosing a team reloads the form with that team's carried-over
/// items and goals (an input block would only be read on submit).
fn team_select(team: &Team, choices: &[Team]) -> SlackBlock {
    let option = |t: &Team| SlackBlockChoiceItem::new(plain_only(&t.name, 75), t.key.to_string());
    let select = SlackBlockStaticSelectElement::new()
        .with_action_id(PRIORITIES_TEAM.into())
        .with_placeholder(plain_only("Team", 150))
        .with_options(choices.iter().take(100).map(option).collect())
        .with_initial_option(option(team));
    SlackActionsBlock::new(vec![select.into()])
        .with_block_id(PRIORITIES_TEAM.into())
        .into()
}

/// The publish form: up to seven items, each optionally linked to one of
/// the team's goals, and (before the month's first publication) how each of
/// last month's items ended. With `choices` (a leader of several teams), a
/// team select comes first.
pub fn form(
    team: &Team,
    month_label: &str,
    prefill: &crate::app::priorities::FormPrefill,
    goals: &[Goal],
    choices: &[Team],
) -> SlackView {
    let goal_option = |g: &Goal| {
        SlackBlockChoiceItem::new(
            plain_only(&format!("{} {}", g.id, g.title), 75),
            g.id.0.to_string(),
        )
    };
    let mut blocks = Vec::new();
    if choices.len() > 1 {
        blocks.push(section(markdown(
            "*Which team?* Choosing another team reloads the form with its items and goals.",
        )));
        blocks.push(team_select(team, choices));
    }
    blocks.push(context(&format!(
        "*{}*, {month_label}. Empty items are left out.",
        escape(&team.name)
    )));
    if !prefill.last_month.is_empty() {
        blocks.push(section(markdown(
            "*Last month's priorities*: how did each end?",
        )));
        let outcome =
            |v: &str, label: &str| SlackBlockChoiceItem::new(plain_only(label, 75), v.to_owned());
        for (j, text) in prefill.last_month.iter().enumerate() {
            let id = format!("{}{}", ids::PRIORITY_REVIEW, j + 1);
            let options = vec![
                outcome("done", "Done"),
                outcome("carried-over", "Carried over"),
                outcome("dropped", "Dropped"),
            ];
            let select = SlackBlockStaticSelectElement::new()
                .with_action_id(id.clone().into())
                .with_initial_option(outcome("carried-over", "Carried over"))
                .with_options(options);
            blocks.push(
                SlackInputBlock::new(plain_only(&truncate(text, 200), 2000), select.into())
                    .with_block_id(id.into())
                    .into(),
            );
        }
        blocks.push(divider());
    }
    let options: Vec<_> = goals.iter().take(100).map(goal_option).collect();
    for i in 0..PriorityList::MAX_ITEMS {
        let id = format!("{}{}", ids::PRIORITY_ITEM, i + 1);
        let current = prefill.items.get(i);
        blocks.push(item_input(id, i, current.map(|(text, _)| text)));
        if !options.is_empty() {
            let gid = format!("{}{}", ids::PRIORITY_GOAL, i + 1);
            let mut select = SlackBlockStaticSelectElement::new()
                .with_action_id(gid.clone().into())
                .with_placeholder(plain_only("Serves a goal? (optional)", 150))
                .with_options(options.clone());
            if let Some(chosen) = current
                .and_then(|(_, g)| *g)
                .and_then(|g| goals.iter().find(|x| x.id.0 == g))
            {
                select = select.with_initial_option(goal_option(chosen));
            }
            blocks.push(
                SlackInputBlock::new(plain_only("Goal", 2000), select.into())
                    .with_block_id(gid.into())
                    .with_optional(true)
                    .into(),
            );
        }
        if !prefill.org_items.is_empty() {
            let org_option = |n: usize, text: &str| {
                SlackBlockChoiceItem::new(plain_only(&format!("{n}. {text}"), 75), n.to_string())
            };
            let org_options: Vec<_> = prefill
                .org_items
                .iter()
                .enumerate()
                .map(|(j, text)| org_option(j + 1, text))
                .collect();
            let oid = format!("{PRIORITY_ORG}{}", i + 1);
            let mut select = SlackBlockStaticSelectElement::new()
                .with_action_id(oid.clone().into())
                .with_placeholder(plain_only(
                    "Serves an organization priority? (optional)",
                    150,
                ))
                .with_options(org_options);
            if let Some(n) = prefill.org_links.get(i).copied().flatten()
                && let Some(text) = prefill.org_items.get((n - 1).max(0) as usize)
            {
                select = select.with_initial_option(org_option(n as usize, text));
            }
            blocks.push(
                SlackInputBlock::new(plain_only("Organization priority", 2000), select.into())
                    .with_block_id(oid.into())
                    .with_optional(true)
                    .into(),
            );
        }
    }
    SlackView::Modal(
        SlackModalView::new(
            plain_only("Monthly priorities", 24),
            fit(blocks, MAX_VIEW_BLOCKS),
        )
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

/// For the leadership digest: each of the organization's priorities and
/// the teams that took it up, those no team picked named first.
pub fn org_pickup_line(items: &[(String, Vec<String>)]) -> String {
    if items.is_empty() {
        return "*Organization priorities*: none published this month.".to_owned();
    }
    let unpicked: Vec<String> = items
        .iter()
        .enumerate()
        .filter(|(_, (_, teams))| teams.is_empty())
        .map(|(i, (text, _))| format!("{}. {}", i + 1, escape(&truncate(text, 80))))
        .collect();
    let picked: Vec<String> = items
        .iter()
        .enumerate()
        .filter(|(_, (_, teams))| !teams.is_empty())
        .map(|(i, (text, teams))| {
            let names: Vec<String> = teams.iter().map(|t| escape(t)).collect();
            format!(
                "{}. {} ({})",
                i + 1,
                escape(&truncate(text, 80)),
                names.join(", ")
            )
        })
        .collect();
    let mut line = String::from("*Organization priorities*: ");
    if unpicked.is_empty() {
        line.push_str("every one was taken up by a team.");
    } else {
        line.push_str(&format!("no team has taken up {}.", unpicked.join("; ")));
    }
    if !picked.is_empty() {
        line.push_str(&format!("\nTaken up: {}.", picked.join("; ")));
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

/// "1 check-in", "2 check-ins".
fn count(n: i64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The organization's priorities for the staff channel and for
/// `/priorities org show`: the executives' words as written, the progress
/// per pillar, and which teams took each item up.
pub fn org_blocks(
    p: &crate::app::compose::org_priorities::OrgPrioritiesPost,
    dir: &Directory,
) -> Vec<SlackBlock> {
    let lines: Vec<String> = p
        .items
        .iter()
        .enumerate()
        .map(|(i, text)| format!("{}. {text}", i + 1))
        .collect();
    let mut blocks = vec![
        header(&format!(
            ":compass: {}: priorities for {}",
            dir.org.name, p.month_label
        )),
        section(plain(&lines.join("\n"))),
        context(&format!("Published by {}", mention(&p.author))),
    ];
    if !p.pillars.is_empty() {
        let rows: Vec<String> = p
            .pillars
            .iter()
            .map(|x| {
                format!(
                    "{} *{}*: {} on track · {} at risk · {} · {}",
                    x.emoji,
                    escape(&x.name),
                    count(x.on_track, "goal", "goals"),
                    x.at_risk,
                    count(x.check_ins, "check-in", "check-ins"),
                    count(x.moments, "moment", "moments")
                )
                .trim()
                .to_owned()
            })
            .collect();
        blocks.push(section(markdown(&format!(
            "*Progress per pillar this month*\n{}",
            rows.join("\n")
        ))));
    }
    let taken: Vec<String> = p
        .picked_by
        .iter()
        .enumerate()
        .map(|(i, teams)| {
            if teams.is_empty() {
                format!("{}: no team yet", i + 1)
            } else {
                let names: Vec<String> = teams.iter().map(|t| escape(t)).collect();
                format!("{}: {}", i + 1, names.join(", "))
            }
        })
        .collect();
    if !taken.is_empty() {
        blocks.push(context(&format!("Taken up by  {}", taken.join("  ·  "))));
    }
    blocks
}

pub fn org_post(
    p: &crate::app::compose::org_priorities::OrgPrioritiesPost,
    dir: &Directory,
) -> SlackMessageContent {
    SlackMessageContent::new()
        .with_text(format!(
            "{}: priorities for {}",
            dir.org.name, p.month_label
        ))
        .with_blocks(org_blocks(p, dir))
}

/// To an executive, privately: next month's organization priorities.
pub fn org_nudge(
    n: &crate::app::compose::org_priorities::OrgPrioritiesNudge,
) -> SlackMessageContent {
    let mut text = format!(
        ":spiral_calendar_pad: *The organization's priorities for {}*\nThe team leaders are asked for theirs at the start of the month and link them to yours: publish first with the button, or type `/priorities org publish <item>; <item>` (up to 7). They go to all staff.",
        n.month_label
    );
    if !n.current.is_empty() {
        let lines: Vec<String> = n
            .current
            .iter()
            .enumerate()
            .map(|(i, t)| format!("{}. {}", i + 1, escape(t)))
            .collect();
        text.push_str(&format!("\n\n*This month's*\n{}", lines.join("\n")));
    }
    SlackMessageContent::new()
        .with_text(format!(
            "The organization's priorities for {}",
            n.month_label
        ))
        .with_blocks(vec![
            section(markdown(&text)),
            actions(vec![
                button(ORG_OPEN, "Publish the organization's priorities", "open")
                    .with_style(SlackBlockButtonStyle::Primary),
            ]),
        ])
}

/// The callback id of the organization's priorities form.
pub const ORG_CALLBACK: &str = "org_priorities_publish";
/// Its item fields are `org_item_<n>` (1-based).
pub const ORG_ITEM: &str = "org_item_";
/// The "Publish the organization's priorities" button (the executives' nudge).
pub const ORG_OPEN: &str = "org_priorities_open";

/// The organization's priorities form: up to
/// [`crate::app::priorities::ORG_FORM_ITEMS`] items, prefilled with the
/// month's items when they were published already.
pub fn org_form(f: &crate::app::priorities::OrgForm) -> SlackView {
    let mut blocks = vec![context(&format!(
        "*The organization's priorities for {}*. They go to all staff as written; empty items are left out. Team leaders link their priorities to these by number.",
        f.month_label
    ))];
    for i in 0..crate::app::priorities::ORG_FORM_ITEMS {
        let id = format!("{ORG_ITEM}{}", i + 1);
        blocks.push(item_input(id, i, f.items.get(i)));
    }
    SlackView::Modal(
        SlackModalView::new(
            plain_only("Organization priorities", 24),
            fit(blocks, MAX_VIEW_BLOCKS),
        )
        .with_callback_id(ORG_CALLBACK.into())
        .with_submit(plain_only("Publish", 24))
        .with_close(plain_only("Cancel", 24)),
    )
}

/// Row `i` (from 0) of a priorities form, a team's or the organization's:
/// "Priority {i + 1}", one item's text (prefilled with `current`), optional
/// after the first. `id` is both its block and its action id.
fn item_input(id: String, i: usize, current: Option<&String>) -> SlackBlock {
    let mut input = SlackBlockPlainTextInputElement::new()
        .with_action_id(id.clone().into())
        .with_max_length(PriorityList::MAX_CHARS as u64);
    if let Some(text) = current {
        input = input.with_initial_value(text.clone());
    }
    SlackInputBlock::new(
        plain_only(&format!("Priority {}", i + 1), 2000),
        input.into(),
    )
    .with_block_id(id.into())
    .with_optional(i > 0)
    .into()
}
