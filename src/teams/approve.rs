//! Approve in Teams: the proposal card's Approve button opens a dialog
//! prefilled with the proposal's target and due date and its owner (the
//! proposer, or a teammate), the counterpart of Slack's approval modal. Bad
//! values come back next to their field and nothing is stored; a good one
//! approves through the same use case (app::proposals::approve_adjusted),
//! whose outbox rows refresh the channel's card and tell the thread.

use super::render::{self, Names, card, dialog, note, para, words};
use crate::app::compose::ProposalCard;
use crate::app::proposals::{self, Adjust, Decided};
use crate::app::{AppContext, AppError, conversations};
use crate::domain::PersonId;
use crate::domain::goal::GoalField;
use serde_json::{Value, json};

/// The dialog's name in the button's and the form's data.
pub const DIALOG: &str = "approve_proposal";

/// The Approve button of an open proposal's card.
pub fn button(proposal: i64) -> Value {
    render::open_dialog("Approve", DIALOG, json!({"proposal": proposal}))
}

/// What was typed, to show it again.
#[derive(Debug, Clone, Default)]
struct Typed {
    target: String,
    due: String,
    owner: String,
}

/// Errors by field.
#[derive(Debug, Default)]
struct Problems {
    target: Option<String>,
    due: Option<String>,
    other: Option<String>,
}

fn error(text: &str) -> Value {
    json!({"type": "RichTextBlock", "inlines": [
        {"type": "TextRun", "text": words(text), "color": "Attention"}
    ]})
}

fn text_of(data: &Value, key: &str) -> String {
    data.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .trim()
        .to_owned()
}

fn proposal_of(data: &Value) -> Option<i64> {
    match data.get("proposal") {
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    }
}

/// The form: the title, who supports it, owner, target and due.
fn form(
    ctx: &AppContext,
    p: &ProposalCard,
    names: &Names,
    typed: &Typed,
    problems: &Problems,
) -> Value {
    let dir = ctx.directory();
    // The owner: the proposer, or one of the team's people.
    let mut people: Vec<PersonId> = vec![p.proposer.clone()];
    if let Some(team) = dir.team(&p.team) {
        for person in team.leaders.iter().chain(team.members.iter()) {
            if !people.contains(person) {
                people.push(person.clone());
            }
        }
    }
    let choices: Vec<Value> = people
        .iter()
        .map(|person| {
            let mut title = names.of(person);
            if *person == p.proposer {
                title.push_str(" (proposed it)");
            }
            json!({"title": words(&title), "value": person.as_str()})
        })
        .collect();
    let owner = if typed.owner.is_empty() {
        p.proposer.as_str().to_owned()
    } else {
        typed.owner.clone()
    };
    let mut body = vec![
        para(&format!("Proposal {}: {}", p.id, p.title)),
        note(&format!(
            "{} supporter{} · {}",
            p.supporters,
            if p.supporters == 1 { "" } else { "s" },
            dir.team(&p.team)
                .map_or(p.team.as_str(), |t| t.name.as_str())
        )),
        json!({"type": "Input.ChoiceSet", "id": "owner", "label": "Owner of the goal",
               "choices": choices, "value": owner}),
        json!({"type": "Input.Text", "id": "target", "label": "Target", "maxLength": 40,
               "placeholder": "e.g. 30min, 45.5%, $1.2M", "value": typed.target}),
    ];
    if let Some(problem) = &problems.target {
        body.push(error(problem));
    }
    body.push(note(
        "The proposed target; change it if you agree on another. A number with its unit (30min, $1.2M), 100% for a percent goal, or empty for a done/not-done milestone.",
    ));
    body.push(json!({"type": "Input.Date", "id": "due", "label": "Due", "value": typed.due}));
    if let Some(problem) = &problems.due {
        body.push(error(problem));
    }
    body.push(note("The proposed due date; pick another to adjust it."));
    if let Some(problem) = &problems.other {
        body.push(error(problem));
    }
    card(
        body,
        vec![
            json!({"type": "Action.Submit", "title": "Approve", "style": "positive",
                    "data": {"dialog": DIALOG, "proposal": p.id.0}}),
        ],
    )
}

fn person_message(e: &AppError) -> String {
    if e.is_for_person() {
        e.to_string()
    } else {
        tracing::error!(error = %e, "a Teams approval failed");
        "Sorry, something went wrong on our side. Please try again in a minute.".to_owned()
    }
}

async fn names(ctx: &AppContext) -> Names {
    Names(conversations::names(ctx).await.unwrap_or_default())
}

const TITLE: &str = "Approve proposal";
const UNKNOWN: &str = "This button is out of date: that proposal no longer exists.";

/// `task/fetch`: the form prefilled with the proposal, or why not.
pub async fn open(ctx: &AppContext, person: PersonId, data: &Value) -> Value {
    let Some(id) = proposal_of(data) else {
        return dialog::close(UNKNOWN);
    };
    match proposals::for_decision(ctx, &person, id).await {
        Ok(p) => {
            let p = ProposalCard::from(p);
            let typed = Typed {
                target: proposals::target_text(&p.kind),
                due: p
                    .due
                    .map(|d| d.format("%Y-%m-%d").to_string())
                    .unwrap_or_default(),
                owner: p.proposer.as_str().to_owned(),
            };
            let names = names(ctx).await;
            dialog::show(TITLE, form(ctx, &p, &names, &typed, &Problems::default()))
        }
        Err(e) => dialog::close(&person_message(&e)),
    }
}

/// `task/submit`: the form again with errors next to their fields
/// (nothing stored), or approved and closed.
pub async fn submit(ctx: &AppContext, person: PersonId, data: &Value) -> Value {
    let Some(id) = proposal_of(data) else {
        return dialog::close(UNKNOWN);
    };
    let typed = Typed {
        target: text_of(data, "target"),
        due: text_of(data, "due"),
        owner: text_of(data, "owner"),
    };
    let proposal = match proposals::for_decision(ctx, &person, id).await {
        Ok(p) => p,
        Err(e) => return dialog::close(&person_message(&e)),
    };
    let adjust = Adjust {
        target: Some(typed.target.clone()),
        due: Some(typed.due.clone()),
    };
    let card = ProposalCard::from(proposal.clone());
    let shown = names(ctx).await;
    let again =
        |problems: Problems| dialog::show(TITLE, form(ctx, &card, &shown, &typed, &problems));
    if let Err(found) = adjust.apply(&proposal) {
        let mut problems = Problems::default();
        for (field, e) in found {
            let slot = match field {
                GoalField::Due => &mut problems.due,
                _ => &mut problems.target,
            };
            slot.get_or_insert(e.to_string());
        }
        return again(problems);
    }
    let owner = match Some(typed.owner.as_str())
        .filter(|o| !o.is_empty())
        .map(PersonId::parse)
        .transpose()
    {
        Ok(owner) => owner,
        Err(e) => {
            return again(Problems {
                other: Some(e.to_string()),
                ..Problems::default()
            });
        }
    };
    match proposals::approve_adjusted(ctx, person, id, owner, &adjust).await {
        Ok(Decided::Made(goal)) => dialog::close(&format!(
            "Approved. It is now goal {}; the proposal's card and thread say so.",
            goal.id
        )),
        Ok(Decided::Already(first)) => {
            let by = first
                .by
                .as_ref()
                .map_or_else(|| "someone else".to_owned(), |p| shown.of(p));
            dialog::close(&format!(
                "Proposal {} was already {} by {by}; nothing changed.",
                first.proposal,
                first.status.as_str()
            ))
        }
        Err(e @ AppError::Invalid(_)) => again(Problems {
            other: Some(e.to_string()),
            ..Problems::default()
        }),
        Err(e) => dialog::close(&person_message(&e)),
    }
}
