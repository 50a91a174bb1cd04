//! The year-end card in Teams: each open goal of the owner's year with
//! Met / Not met / Carried over buttons (`Action.Execute`). A button closes
//! the goal through the same use case as Slack's buttons
//! (app::goals::choose_outcome, which also queues the card's update) and
//! answers with the card as it is now, composed by the app. Typing
//! `goal close <id> met|not-met|carried-over` still works.

use super::render::{self, Names, card, heading, note, para};
use crate::app::compose::{self, Composed, YearEndNudge};
use crate::app::outgoing::Outgoing;
use crate::app::people::{PlatformPeople, ZoneLookupError};
use crate::app::{AppContext, AppError, conversations, goals};
use crate::domain::PersonId;
use crate::domain::goal::{GoalId, GoalOutcome, GoalStatus};
use crate::domain::ids::NudgeId;
use futures_util::future::BoxFuture;
use serde_json::{Value, json};

/// The verb of the outcome buttons.
pub const VERB: &str = "goal_outcome";
/// Goals shown with buttons (Teams cards stay readable; the rest are typed).
const MAX_GOALS: usize = 14;

/// The three outcomes a button offers, as `goal close` spells them.
const OUTCOMES: [(&str, &str); 3] = [
    ("Met", "met"),
    ("Not met", "not-met"),
    ("Carried over", "carried-over"),
];

fn goal_line(goal: &crate::domain::goal::Goal) -> String {
    let mut line = format!("{} {}", goal.id, goal.title);
    if let Some(value) = goal.current {
        line.push_str(&format!(" · {}", goal.kind.format_value(value)));
    }
    line
}

/// The year-end DM: open goals first, each with its buttons; closed ones
/// with their outcome.
pub fn nudge_card(n: &YearEndNudge) -> Value {
    let open = n
        .goals
        .iter()
        .filter(|g| g.status == GoalStatus::Active)
        .count();
    let mut body = vec![heading(&format!(
        "{} is ending: how did your goals go?",
        n.year_label
    ))];
    body.push(para(&if open == 0 {
        "Every goal of the year is closed. Thank you!".to_owned()
    } else {
        format!(
            "Choose how each goal ended. {open} {} still open. Carried over starts it again in next year's plan, linked to this one.",
            if open == 1 { "is" } else { "are" }
        )
    }));
    for goal in n.goals.iter().take(MAX_GOALS) {
        body.push(para(&goal_line(goal)));
        if goal.status == GoalStatus::Active {
            let actions: Vec<Value> = OUTCOMES
                .iter()
                .map(|(title, outcome)| {
                    render::execute(
                        title,
                        VERB,
                        json!({"goal": goal.id.0, "nudge": n.nudge.0, "outcome": outcome}),
                    )
                })
                .collect();
            body.push(json!({"type": "ActionSet", "actions": actions}));
        } else {
            let how = goal.outcome.map_or(goal.status.as_str(), |o| o.label());
            body.push(note(&format!("Closed: {how}")));
        }
    }
    if n.goals.len() > MAX_GOALS {
        body.push(note(&format!(
            "… and {} more: close them with goal close <id> met | not-met | carried-over.",
            n.goals.len() - MAX_GOALS
        )));
    }
    if open > 0 {
        body.push(note(&format!(
            "Goals still open on {} are closed with their last value as not reported (never as met). You can also type goal close <id> met | not-met | carried-over [note].",
            n.closes_on.format("%-d %B %Y")
        )));
    }
    card(body, Vec::new())
}

/// Teams tells a person's zone only in the messages they send; composing
/// the year-end card needs none.
struct NoZones;

impl PlatformPeople for NoZones {
    fn time_zone<'a>(
        &'a self,
        _person: &'a PersonId,
    ) -> BoxFuture<'a, Result<Option<String>, ZoneLookupError>> {
        Box::pin(async { Ok(None) })
    }
}

fn message_answer(text: &str) -> Value {
    json!({"statusCode": 200, "type": "application/vnd.microsoft.activity.message", "value": text})
}

/// An outcome button: close the goal, answer with the card as it is now.
pub async fn choose(ctx: &AppContext, person: PersonId, data: &Value) -> Value {
    let parsed = (|| {
        let goal = GoalId(data.get("goal")?.as_i64()?);
        let nudge = NudgeId(data.get("nudge")?.as_i64()?);
        let outcome = GoalOutcome::parse(data.get("outcome")?.as_str()?)?;
        Some((goal, nudge, outcome))
    })();
    let Some((goal, nudge, outcome)) = parsed else {
        return message_answer(
            "This button is out of date. Type goal close <id> met | not-met | carried-over.",
        );
    };
    let closed = match goals::choose_outcome(ctx, person.clone(), goal, outcome, nudge).await {
        Ok(closed) => closed,
        Err(e) => return message_answer(&refusal(&e)),
    };
    let refreshed = Outgoing::UpdateYearEndNudge {
        nudge,
        person,
        year: closed.goal.year.value(),
    };
    match compose::compose(ctx, &NoZones, &refreshed).await {
        Ok(Composed::Update { message, .. } | Composed::Post { message, .. }) => {
            let names = Names(conversations::names(ctx).await.unwrap_or_default());
            json!({"statusCode": 200, "type": render::CARD_CONTENT_TYPE,
                   "value": render::message(&message, &ctx.directory(), &names)})
        }
        // The card was never recorded as posted: say what was done.
        _ => message_answer(&match closed.carried_to {
            Some(next) => format!(
                "Goal {} is closed as carried over: it goes on as goal {next} in next year's plan.",
                closed.goal.id
            ),
            None => format!("Goal {} is closed as {}.", closed.goal.id, outcome.label()),
        }),
    }
}

fn refusal(e: &AppError) -> String {
    if e.is_for_person() {
        e.to_string()
    } else {
        tracing::error!(error = %e, "a Teams year-end button failed");
        "Sorry, something went wrong on our side. Please try again in a minute.".to_owned()
    }
}
