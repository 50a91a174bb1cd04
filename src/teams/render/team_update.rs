//! The monthly team progress update in Teams: the leader's draft card (a
//! section per team, each with "Add a sentence and post", which opens a
//! dialog, and "Post as is", which posts and refreshes the card), the post
//! in the team's channel, and the dialog for the leader's sentence. The
//! same app calls as Slack's buttons and form ([`crate::app::team_update`]).

use super::{Names, card, dialog, execute, goal_line, heading, note, open_dialog, para};
use crate::app::compose::{TeamUpdate, TeamUpdateDraft, TeamUpdateForm};
use serde_json::{Value, json};

/// The verb of "Post as is" (`Action.Execute`).
pub const POST: &str = "team_update_post";
/// The dialog of "Add a sentence and post".
pub const DIALOG: &str = "team_update";

/// The update's lines, as the team channel sees them.
pub fn body(u: &TeamUpdate, names: &Names) -> Vec<Value> {
    let mut body = vec![heading(&format!(
        "{} · progress in {}",
        u.team.name, u.month_label
    ))];
    if let Some(sentence) = &u.sentence {
        body.push(para(sentence));
    }
    if u.goals.is_empty() {
        body.push(note("The team has no active goals."));
    }
    body.extend(lines(u, names));
    if let Some(author) = &u.author {
        body.push(note(&format!("Posted by {}", names.of(author))));
    }
    body
}

/// One line and one note per goal, at-risk first (as composed).
fn lines(u: &TeamUpdate, names: &Names) -> Vec<Value> {
    let mut out = Vec::new();
    for g in &u.goals {
        out.push(para(&goal_line(&g.goal)));
        let mut line = format!("Owner {}", names.of(&g.goal.owner));
        if let Some(change) = g.change {
            line.push_str(&format!(
                " · {}{} since last month",
                if change >= 0.0 { "+" } else { "" },
                g.goal.kind.format_value(change)
            ));
        }
        if let Some(headline) = &g.headline {
            line.push_str(&format!(" · \"{headline}\""));
        } else if g.headline_withheld {
            line.push_str(" · note left out by the privacy guard");
        }
        out.push(note(&line));
    }
    out
}

/// The leader's draft: a section per team, each with its own buttons
/// (an `ActionSet` under it) until it is posted.
pub fn draft(d: &TeamUpdateDraft, names: &Names) -> Value {
    let open = d.sections.iter().filter(|s| s.posted.is_none()).count();
    let intro = if open == 0 {
        format!(
            "Every progress update for {} is posted. Thank you!",
            d.month_label
        )
    } else if d.reminder {
        format!(
            "Reminder: {} for {} still {} a draft. Only you see this.",
            if open == 1 {
                "a progress update"
            } else {
                "progress updates"
            },
            d.month_label,
            if open == 1 { "is" } else { "are" }
        )
    } else if d.sections.len() == 1 {
        format!(
            "Your team's progress update for {}, as a draft only you see. Nothing is posted until you say so.",
            d.month_label
        )
    } else {
        format!(
            "Your teams' progress updates for {}, as drafts only you see, one per team. Nothing is posted until you say so.",
            d.month_label
        )
    };
    let mut out = vec![note(&intro)];
    for s in &d.sections {
        let mut update = s.update.clone();
        update.author = None;
        out.extend(body(&update, names));
        match &s.posted {
            Some(by) => out.push(note(&format!(
                "Posted to the team's channel by {}.",
                names.of(by)
            ))),
            None => out.push(json!({"type": "ActionSet", "actions": [
                open_dialog(
                    &format!("Add a sentence and post {}'s update", s.update.team.name),
                    DIALOG,
                    json!({"value": s.value}),
                ),
                execute(
                    &format!("Post {}'s update as is", s.update.team.name),
                    POST,
                    json!({"value": s.value, "nudge": d.nudge.0}),
                ),
            ]})),
        }
    }
    card(out, Vec::new())
}

/// The dialog: the leader's sentence, an inline error under it, then the
/// goal lines to read.
pub fn form(
    f: &TeamUpdateForm,
    value: &str,
    typed: &str,
    problem: Option<&str>,
    names: &Names,
) -> Value {
    let u = &f.update;
    let mut body = vec![
        para(&format!(
            "{}: progress in {}. Your sentence is shown first, as you write it; leave names out, the whole team reads it.",
            u.team.name, u.month_label
        )),
        json!({"type": "Input.Text", "id": "sentence", "label": "Your sentence (optional)",
               "isMultiline": true,
               "maxLength": crate::app::team_update::MAX_SENTENCE, "value": typed}),
    ];
    if let Some(problem) = problem {
        body.push(dialog::error(problem));
    }
    body.push(note("The goal lines follow it:"));
    body.extend(lines(u, names));
    card(
        body,
        vec![json!({"type": "Action.Submit", "title": "Post",
                     "data": {"dialog": DIALOG, "value": value}})],
    )
}
