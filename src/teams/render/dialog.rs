//! Dialogs (task modules): the forms Teams opens on `task/fetch`, shown
//! again on `task/submit` with what was typed and an inline error under the
//! field, the counterpart of Slack's modal `response_action: errors`.

use super::{card, note, para, words};
use crate::domain::Directory;
use serde_json::{Value, json};

/// The dialog names carried in a button's data.
pub const SHARE_MOMENT: &str = "share_moment";
pub const CHECK_IN: &str = "check_in";
pub const PUBLISH_PRIORITIES: &str = "publish_priorities";
/// The organization's priorities (admins and executives).
pub const ORG_PRIORITIES: &str = "org_priorities";
/// Priority fields in the publish form (the grammar takes more when typed).
pub const PRIORITY_FIELDS: usize = 5;

/// An inline error under a field, plain text in the attention colour.
pub fn error(text: &str) -> Value {
    json!({"type": "RichTextBlock", "inlines": [
        {"type": "TextRun", "text": words(text), "color": "Attention"}
    ]})
}

/// The `task/fetch` / `task/submit` answer that shows `card` in a dialog.
pub fn show(title: &str, card: Value) -> Value {
    json!({"task": {"type": "continue", "value": {
        "title": title,
        "height": "medium",
        "width": "medium",
        "card": {"contentType": super::CARD_CONTENT_TYPE, "content": card},
    }}})
}

/// The `task/submit` answer that closes the dialog with a short message.
pub fn close(message: &str) -> Value {
    json!({"task": {"type": "message", "value": message}})
}

/// What was typed into a form, to show it again.
#[derive(Debug, Clone, Default)]
pub struct Typed {
    pub story: String,
    pub pillar: String,
    pub value: String,
    pub confidence: String,
    pub note: String,
    /// Priority items, by field.
    pub items: Vec<String>,
}

fn submit(dialog: &str, extra: Value) -> Value {
    let mut data = json!({"dialog": dialog});
    if let (Some(data), Some(extra)) = (data.as_object_mut(), extra.as_object()) {
        data.extend(extra.clone());
    }
    json!({"type": "Action.Submit", "title": "Submit", "data": data})
}

/// "Share a mission moment": the story and an optional pillar.
pub fn share_moment(dir: &Directory, typed: &Typed, problem: Option<&str>) -> Value {
    let mut choices: Vec<Value> = dir
        .active_pillars()
        .map(|p| json!({"title": p.name, "value": p.key.as_str()}))
        .collect();
    choices.insert(0, json!({"title": "No pillar", "value": ""}));
    let mut body = vec![
        para(&format!("Our mission: {}", dir.org.mission)),
        json!({"type": "Input.Text", "id": "story", "label": "Your story", "isMultiline": true,
               "maxLength": 3000, "value": typed.story}),
    ];
    if let Some(problem) = problem {
        body.push(error(problem));
    }
    body.push(
        json!({"type": "Input.ChoiceSet", "id": "pillar", "label": "Pillar",
                     "choices": choices, "value": typed.pillar}),
    );
    body.push(note("It is posted to the moments channel as you write it."));
    show_card(body, submit(SHARE_MOMENT, json!({})))
}

/// A goal check-in: value (or n%), confidence, note.
pub fn check_in(goal_id: &str, title: &str, typed: &Typed, problem: Option<&str>) -> Value {
    let confidence = if typed.confidence.is_empty() {
        "on-track"
    } else {
        typed.confidence.as_str()
    };
    let mut body = vec![
        para(&format!("{goal_id} {title}")),
        json!({"type": "Input.Text", "id": "value", "label": "Value now (a number, or n%)",
               "value": typed.value}),
    ];
    if let Some(problem) = problem {
        body.push(error(problem));
    }
    body.push(
        json!({"type": "Input.ChoiceSet", "id": "confidence", "label": "Confidence",
        "value": confidence, "choices": [
            {"title": "On track", "value": "on-track"},
            {"title": "At risk", "value": "at-risk"},
            {"title": "Off track", "value": "off-track"}]}),
    );
    body.push(
        json!({"type": "Input.Text", "id": "note", "label": "Note (optional)",
                     "isMultiline": true, "maxLength": 2000, "value": typed.note}),
    );
    show_card(body, submit(CHECK_IN, json!({"goal": goal_id})))
}

/// A team's priorities for the month: up to [`PRIORITY_FIELDS`] items.
pub fn publish_priorities(
    team_key: &str,
    team_name: &str,
    month: &str,
    typed: &Typed,
    problem: Option<&str>,
) -> Value {
    publish_priorities_for(team_key, team_name, month, typed, problem, &[])
}

/// The field of the publish dialog's team select.
pub const TEAM_CHOICE: &str = "team_choice";

/// [`publish_priorities`] with a team select first when `choices` (key,
/// name) offers more than one team (a leader of several); the submitted
/// `team_choice` names the team.
pub fn publish_priorities_for(
    team_key: &str,
    team_name: &str,
    month: &str,
    typed: &Typed,
    problem: Option<&str>,
    choices: &[(String, String)],
) -> Value {
    let mut body = Vec::new();
    if choices.len() > 1 {
        let options: Vec<Value> = choices
            .iter()
            .map(|(key, name)| json!({"title": name, "value": key}))
            .collect();
        body.push(
            json!({"type": "Input.ChoiceSet", "id": TEAM_CHOICE, "label": "Team",
                         "isRequired": true, "choices": options, "value": team_key}),
        );
        body.push(para(&format!(
            "Priorities for {month}. The items below start from {team_name}'s; edit them for the team you choose."
        )));
    } else {
        body.push(para(&format!("{team_name}: priorities for {month}")));
    }
    for i in 0..PRIORITY_FIELDS {
        let value = typed.items.get(i).cloned().unwrap_or_default();
        body.push(json!({"type": "Input.Text", "id": format!("item{}", i + 1),
                         "label": format!("Priority {}", i + 1), "maxLength": 300, "value": value}));
    }
    if let Some(problem) = problem {
        body.push(error(problem));
    }
    body.push(note(
        "They are posted to the team's channel as you write them.",
    ));
    show_card(body, submit(PUBLISH_PRIORITIES, json!({"team": team_key})))
}

/// The organization's priorities for `month`: up to
/// [`crate::app::priorities::ORG_FORM_ITEMS`] items; `problem` is shown
/// under the item (0-based) it is about.
pub fn org_priorities(month: &str, items: &[String], problem: Option<(usize, &str)>) -> Value {
    let mut body = vec![para(&format!(
        "The organization's priorities for {month}. They go to all staff as written; team leaders link theirs to these by number."
    ))];
    for i in 0..crate::app::priorities::ORG_FORM_ITEMS {
        let value = items.get(i).cloned().unwrap_or_default();
        body.push(json!({"type": "Input.Text", "id": format!("item{}", i + 1),
                         "label": format!("Priority {}", i + 1), "maxLength": 200, "value": value}));
        if let Some((at, text)) = problem
            && at == i
        {
            body.push(error(text));
        }
    }
    show_card(body, submit(ORG_PRIORITIES, json!({})))
}

fn show_card(body: Vec<Value>, action: Value) -> Value {
    card(body, vec![action])
}
