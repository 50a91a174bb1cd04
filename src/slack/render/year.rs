//! The year's turn in Block Kit: the owner's year-end DM, one goal per
//! section with its last value, and the outcomes as buttons (a chosen
//! outcome replaces the buttons when the DM is re-rendered).

use super::*;
use crate::app::compose::YearEndNudge;
use crate::domain::Directory;
use crate::domain::goal::GoalStatus;
use crate::slack::ids;

/// Goals shown with buttons: each takes two or three blocks of the 50.
const MAX_GOALS: usize = 14;

/// The value a year-end button carries: the goal, and the DM to re-render.
pub fn outcome_value(goal: i64, nudge: i64) -> String {
    format!("{goal}:{nudge}")
}

pub fn year_end_nudge(n: &YearEndNudge, dir: &Directory) -> SlackMessageContent {
    let open = n
        .goals
        .iter()
        .filter(|g| g.status == GoalStatus::Active)
        .count();
    let mut blocks = vec![header(&format!(
        ":checkered_flag: {} is ending: how did your goals go?",
        n.year_label
    ))];
    blocks.push(section(markdown(&if open == 0 {
        ":white_check_mark: Every goal of the year is closed. Thank you!".to_owned()
    } else {
        format!(
            "Choose how each goal ended. {open} {} still open. *Carried over* starts it again in next year's plan, linked to this one.",
            if open == 1 { "is" } else { "are" }
        )
    })));
    for goal in n.goals.iter().take(MAX_GOALS) {
        blocks.extend(super::goal::line(goal, dir));
        if goal.status == GoalStatus::Active {
            let value = outcome_value(goal.id.0, n.nudge.0);
            blocks.push(actions(vec![
                button(ids::GOAL_OUTCOME_MET, "Met", &value)
                    .with_style(SlackBlockButtonStyle::Primary),
                button(ids::GOAL_OUTCOME_NOT_MET, "Not met", &value),
                button(ids::GOAL_OUTCOME_CARRIED, "Carried over", &value),
            ]));
        } else {
            let how = goal.outcome.map_or(goal.status.as_str(), |o| o.label());
            blocks.push(context(&format!(":white_check_mark: closed: {how}")));
        }
    }
    if n.goals.len() > MAX_GOALS {
        blocks.push(context(&format!(
            "… and {} more: close them with `/goal close <id> achieved|not-met|carried-over`.",
            n.goals.len() - MAX_GOALS
        )));
    }
    if open > 0 {
        blocks.push(context(&format!(
            "Goals still open on {} are closed with their last value as *not reported* (never as met). \
             You can also type `/goal close <id> achieved|not-met|carried-over [note]`.",
            n.closes_on.format("%B %-d, %Y")
        )));
    }
    SlackMessageContent::new()
        .with_text(format!(
            "{} is ending: how did your goals go?",
            n.year_label
        ))
        .with_blocks(fit(blocks, MAX_MESSAGE_BLOCKS))
}
