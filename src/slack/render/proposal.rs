//! Goal proposals in the team channel, and their forms.

use super::*;
use crate::app::compose::ProposalCard;
use crate::domain::Directory;
use crate::domain::goal::{GoalKind, ProposalStatus};
use crate::slack::ids;
use crate::slack::render::goal::GoalMeta;
use chrono::NaiveDate;

fn measure(kind: &GoalKind) -> String {
    match kind {
        GoalKind::Numeric { start, target, .. } => format!(
            "{} → {}",
            kind.format_value(*start),
            kind.format_value(*target)
        ),
        GoalKind::Percent => "0–100 %".to_owned(),
        GoalKind::Milestone => "milestone".to_owned(),
    }
}

/// The proposal post: what is proposed, by whom, how much support, and the
/// buttons (Support, Comment for all; Approve, Decline for leaders: the app
/// checks who pressed).
pub fn post(p: &ProposalCard, dir: &Directory) -> SlackMessageContent {
    let pillar = dir
        .pillar(&p.pillar)
        .map(pillar_label)
        .unwrap_or_else(|| escape(p.pillar.as_str()));
    let due = p
        .due
        .map(|d| format!("  ·  due {}", d.format("%b %-d, %Y")))
        .unwrap_or_default();
    let plural = crate::app::jobs::plural;
    let counts = format!(
        ":raised_hands: {}  ·  :speech_balloon: {}",
        plural(p.supporters as usize, "supporter", "supporters"),
        plural(p.comments as usize, "comment", "comments"),
    );
    let mut blocks = vec![
        header(":bulb: Goal proposal"),
        section(plain(&p.title)),
        context(&format!(
            "{pillar}  ·  {}  ·  {}{due}",
            measure(&p.kind),
            p.year.value()
        )),
        context(&format!(
            "Proposed by {}  ·  {counts}",
            mention(p.proposer.as_str())
        )),
    ];
    if !p.supporter_ids.is_empty() {
        blocks.push(context(&supported_by(&p.supporter_ids)));
    }
    let id = p.id.to_string();
    match p.status {
        ProposalStatus::Open => blocks.push(actions(vec![
            button(ids::PROPOSAL_SUPPORT, "Support / take back", &id),
            button(ids::PROPOSAL_COMMENT, "Comment", &id),
            button(ids::PROPOSAL_APPROVE, "Approve", &id)
                .with_style(SlackBlockButtonStyle::Primary),
            // Opens a form asking why (it is the confirmation).
            button(ids::PROPOSAL_DECLINE, "Decline", &id).with_style(SlackBlockButtonStyle::Danger),
        ])),
        ProposalStatus::Approved => blocks.push(context(&format!(
            ":white_check_mark: Approved by {}{}",
            p.decided_by
                .as_ref()
                .map(|d| mention(d.as_str()))
                .unwrap_or_default(),
            p.goal
                .map(|g| format!(": now goal {g}"))
                .unwrap_or_default()
        ))),
        ProposalStatus::Declined => blocks.push(context(&format!(
            ":no_entry_sign: Declined by {}",
            p.decided_by
                .as_ref()
                .map(|d| mention(d.as_str()))
                .unwrap_or_default()
        ))),
    }
    SlackMessageContent::new()
        .with_text(format!(
            "Goal proposal from {}",
            mention(p.proposer.as_str())
        ))
        .with_blocks(blocks)
}

/// "Supported by @a, @b and 3 more".
pub fn supported_by(people: &[crate::domain::PersonId]) -> String {
    const SHOWN: usize = 10;
    let names: Vec<String> = people
        .iter()
        .take(SHOWN)
        .map(|p| mention(p.as_str()))
        .collect();
    let more = people.len().saturating_sub(SHOWN);
    if more > 0 {
        format!("Supported by {} and {more} more", names.join(", "))
    } else {
        format!("Supported by {}", names.join(", "))
    }
}

/// A comment, in the proposal's thread; the comment is shown as written.
pub fn comment(author: &str, text: &str) -> SlackMessageContent {
    SlackMessageContent::new()
        .with_text(format!("{} commented", mention(author)))
        .with_blocks(vec![
            context(&format!(":speech_balloon: {} commented:", mention(author))),
            section(plain(text)),
        ])
}

/// What the approving leader changed, in words: "target 40min (proposed
/// 30min), due Sep 30, 2026 (proposed Dec 31, 2026)"; `None` when nothing.
fn adjustments(p: &ProposalCard, kind: &GoalKind, due: Option<NaiveDate>) -> Option<String> {
    let day = |d: Option<NaiveDate>| {
        d.map(|d| d.format("%b %-d, %Y").to_string())
            .unwrap_or_else(|| "none".to_owned())
    };
    let mut changes = Vec::new();
    if *kind != p.kind {
        changes.push(format!(
            "target {} (proposed {})",
            measure(kind),
            measure(&p.kind)
        ));
    }
    if due != p.due {
        changes.push(format!("due {} (proposed {})", day(due), day(p.due)));
    }
    (!changes.is_empty()).then(|| changes.join(", "))
}

/// The decision, in the proposal's thread; an approval says what the leader
/// adjusted (`approved`: the goal's measure and due date).
pub fn decided(
    p: &ProposalCard,
    owner: Option<&str>,
    reason: Option<&str>,
    approved: Option<&(GoalKind, Option<NaiveDate>)>,
) -> SlackMessageContent {
    let adjusted = approved.and_then(|(kind, due)| adjustments(p, kind, *due));
    let by = p
        .decided_by
        .as_ref()
        .map(|d| mention(d.as_str()))
        .unwrap_or_default();
    let text = match (p.status, p.goal) {
        (ProposalStatus::Approved, Some(goal)) => format!(
            ":white_check_mark: Approved by {by}. It is now goal {goal}{}.{} `/goal show {}` follows it.",
            owner
                .map(|o| format!(", owned by {}", mention(o)))
                .unwrap_or_default(),
            adjusted
                .map(|a| format!(" Adjusted: {a}."))
                .unwrap_or_default(),
            goal.0
        ),
        _ if reason.is_some() => {
            format!(":no_entry_sign: Declined by {by}. Thank you for proposing it. The reason:")
        }
        _ => format!(":no_entry_sign: Declined by {by}. Thank you for proposing it."),
    };
    let mut blocks = vec![section(markdown(&text))];
    if let (ProposalStatus::Declined, Some(reason)) = (p.status, reason) {
        // The leader's words, shown as written.
        blocks.push(section(plain(reason)));
    }
    SlackMessageContent::new()
        .with_text(text.clone())
        .with_blocks(blocks)
}

fn modal(
    callback: &str,
    title: &str,
    submit: &str,
    blocks: Vec<SlackBlock>,
    proposal: i64,
) -> SlackView {
    SlackView::Modal(
        SlackModalView::new(plain_only(title, 24), blocks)
            .with_callback_id(callback.into())
            .with_submit(plain_only(submit, 24))
            .with_close(plain_only("Cancel", 24))
            .with_private_metadata(
                serde_json::to_string(&GoalMeta {
                    goal: Some(proposal),
                })
                .expect("metadata serializes"),
            ),
    )
}

pub fn comment_modal(p: &ProposalCard) -> SlackView {
    let input = SlackBlockPlainTextInputElement::new()
        .with_action_id(ids::GOAL_NOTE.into())
        .with_multiline(true)
        .with_max_length(2000);
    let blocks = vec![
        section(plain(&p.title)),
        SlackInputBlock::new(plain_only("Your comment", 2000), input.into())
            .with_block_id(ids::GOAL_NOTE.into())
            .into(),
    ];
    modal(
        ids::PROPOSAL_COMMENT_CALLBACK,
        "Comment",
        "Post",
        blocks,
        p.id.0,
    )
}

/// Decline with a reason: the proposer and the team read it in the thread.
pub fn decline_modal(p: &ProposalCard) -> SlackView {
    let input = SlackBlockPlainTextInputElement::new()
        .with_action_id(ids::PROPOSAL_REASON.into())
        .with_multiline(true)
        .with_max_length(crate::app::proposals::MAX_REASON as u64);
    let blocks = vec![
        section(plain(&p.title)),
        SlackInputBlock::new(plain_only("Why not this year?", 2000), input.into())
            .with_block_id(ids::PROPOSAL_REASON.into())
            .with_hint(plain_only(
                "Posted in the proposal's thread, as you write it, for the proposer and the team. Leave names out.",
                2000,
            ))
            .into(),
    ];
    modal(
        ids::PROPOSAL_DECLINE_CALLBACK,
        "Decline proposal",
        "Decline",
        blocks,
        p.id.0,
    )
}

pub fn approve_modal(p: &ProposalCard) -> SlackView {
    let owner = SlackBlockUsersSelectElement::new()
        .with_action_id(ids::GOAL_OWNER.into())
        .with_initial_user(p.proposer.to_string());
    let mut target = SlackBlockPlainTextInputElement::new()
        .with_action_id(ids::GOAL_TARGET.into())
        .with_max_length(40)
        .with_placeholder(plain_only("e.g. 30min, 45.5%, $1.2M", 150));
    let proposed = crate::app::proposals::target_text(&p.kind);
    if !proposed.is_empty() {
        target = target.with_initial_value(proposed);
    }
    let mut due = SlackBlockDatePickerElement::new().with_action_id(ids::GOAL_DUE.into());
    if let Some(d) = p.due {
        due = due.with_initial_date(d.format("%Y-%m-%d").to_string());
    }
    let blocks = vec![
        section(plain(&p.title)),
        context(&format!(
            "{}  ·  {}",
            crate::app::jobs::plural(p.supporters as usize, "supporter", "supporters"),
            crate::app::jobs::plural(p.comments as usize, "comment", "comments"),
        )),
        SlackInputBlock::new(plain_only("Owner of the goal", 2000), owner.into())
            .with_block_id(ids::GOAL_OWNER.into())
            .with_hint(plain_only(
                "The proposer, unless you pick someone else.",
                2000,
            ))
            .into(),
        SlackInputBlock::new(plain_only("Target", 2000), target.into())
            .with_block_id(ids::GOAL_TARGET.into())
            .with_optional(true)
            .with_hint(plain_only(
                "The proposed target; change it if you agree on another. A number with its unit (30min, $1.2M), \
                 100% for a percent goal, or empty for a done/not-done milestone.",
                2000,
            ))
            .into(),
        SlackInputBlock::new(plain_only("Due", 2000), due.into())
            .with_block_id(ids::GOAL_DUE.into())
            .with_optional(true)
            .with_hint(plain_only(
                "The proposed due date; pick another to adjust it.",
                2000,
            ))
            .into(),
    ];
    modal(
        ids::PROPOSAL_APPROVE_CALLBACK,
        "Approve proposal",
        "Approve",
        blocks,
        p.id.0,
    )
}

/// The goal-setting kick-off: mission, pillars, last year's goals and their
/// outcomes, and an invitation to propose.
pub fn kickoff(dir: &Directory, k: &crate::app::compose::Kickoff) -> SlackMessageContent {
    use crate::domain::goal::{GoalStatus, progress_bar};
    let (team, year, last_year) = (&k.team, &k.label, &k.last_year);
    let name = dir
        .team(team)
        .map(|t| t.name.clone())
        .unwrap_or_else(|| team.to_string());
    let pillars: Vec<String> = dir
        .active_pillars()
        .map(|p| {
            if p.description.is_empty() {
                format!("•  *{}* (`{}`)", pillar_label(p), p.key)
            } else {
                format!(
                    "•  *{}* (`{}`): {}",
                    pillar_label(p),
                    p.key,
                    escape(&p.description)
                )
            }
        })
        .collect();
    let mut blocks = vec![
        header(&format!(
            ":dart: {name}: let's set our {year} goals together"
        )),
        section(markdown(&format!(
            "*Our mission*\n_{}_",
            escape(&dir.org.mission)
        ))),
        section(markdown(&format!("*Our pillars*\n{}", pillars.join("\n")))),
        divider(),
    ];
    if last_year.is_empty() {
        blocks.push(context(&format!(
            "No goals were recorded for {} yet.",
            k.last_label
        )));
    } else {
        let lines: Vec<String> = last_year
            .iter()
            .take(15)
            .map(|g| {
                let outcome = match g.status {
                    GoalStatus::Achieved => ":trophy: achieved".to_owned(),
                    GoalStatus::Dropped => ":wastebasket: dropped".to_owned(),
                    GoalStatus::Active => format!("`{}`", progress_bar(g.progress)),
                };
                format!("•  {}  {}", escape(&g.title), outcome)
            })
            .collect();
        blocks.push(section(markdown(&format!(
            "*Last year's goals ({})*\n{}",
            k.last_label,
            lines.join("\n")
        ))));
    }
    let year_option = if k.needs_year {
        format!(" year:{}", k.year)
    } else {
        String::new()
    };
    blocks.push(section(markdown(&format!(
        "*Your turn.* What should we achieve in {year}? Propose a goal under a pillar; support the ones you believe in; \
         a leader approves. `/goal propose <title> pillar:<key>{year_option} [target:<n>] [due:<date>]`",
    ))));
    blocks.push(actions(vec![
        button(ids::GOAL_PROPOSE_OPEN, "Propose a goal", team.as_str())
            .with_style(SlackBlockButtonStyle::Primary),
    ]));
    SlackMessageContent::new()
        .with_text(format!("{name}: let's set our {year} goals together"))
        .with_blocks(fit(blocks, MAX_MESSAGE_BLOCKS))
}
