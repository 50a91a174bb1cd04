//! The year-end card in Teams: Met / Not met / Carried over buttons close
//! the goal through the same use case as Slack's and refresh the card in
//! place; someone else's press changes nothing.

use crate::app::{LEAD, NURSE2, TeamsApp, spawn};
use crate::cards::{assert_valid, assert_valid_cards};
use alignbot::app::jobs::{self, Job, Trigger};
use alignbot::scheduler::schedule::Month;
use serde_json::{Value, json};

async fn goal_state(app: &TeamsApp, id: i64) -> (String, Option<String>) {
    sqlx::query_as("SELECT status, outcome FROM goals WHERE id = $1")
        .bind(id)
        .fetch_one(app.ctx.store.reads())
        .await
        .unwrap()
}

/// The button `title` of goal `goal` on `card`.
fn button(card: &Value, goal: i64, title: &str) -> Value {
    let mut found = None;
    for element in card["body"].as_array().unwrap() {
        for a in element["actions"].as_array().into_iter().flatten() {
            if a["title"] == json!(title) && a["data"]["goal"] == json!(goal) {
                found = Some(a.clone());
            }
        }
    }
    found.unwrap_or_else(|| panic!("a {title} button for goal {goal} in {card}"))
}

fn press(button: &Value) -> Value {
    json!({"action": {"type": "Action.Execute", "verb": button["verb"], "data": button["data"]}})
}

#[tokio::test]
pub(crate) async fn outcome_buttons_close_the_goal_and_refresh_the_card() {
    let app = spawn().await;
    app.post(&app.install(LEAD)).await;
    for title in ["Fewer falls", "Shorter waits"] {
        app.post(&app.typed(
            LEAD,
            &format!("goal add {title} pillar:patient-care target:100 year:2026"),
        ))
        .await;
    }
    app.drain().await;
    // December 1st: the year's last month.
    app.advance(4 * 24 * 3600);
    let summary = jobs::run(
        &app.ctx,
        Job::YearTurn,
        Month {
            year: 2026,
            month: 12,
        },
        Trigger::Manual,
    )
    .await
    .unwrap();
    assert!(summary.ran && summary.enqueued == 1, "{summary}");
    app.drain().await;
    let dm = app
        .sent_to(&format!("/v3/conversations/a:personal-{LEAD}/activities"))
        .into_iter()
        .find(|c| c.text().contains("2026 is ending"))
        .expect("the year-end card in the owner's 1:1");
    let card = dm.cards()[0].clone();
    assert!(
        !card.to_string().contains("Close each with"),
        "buttons, not only typing"
    );
    let met = button(&card, 1, "Met");
    assert_eq!(met["type"], json!("Action.Execute"));

    // Someone else's press is refused and closes nothing.
    let refused = app
        .post(&app.invoke(NURSE2, "adaptiveCard/action", press(&met)))
        .await;
    assert_eq!(
        refused.body["type"],
        json!("application/vnd.microsoft.activity.message")
    );
    assert_eq!(goal_state(&app, 1).await, ("active".into(), None));

    // The owner: Met, then Carried over; the card answers refreshed.
    let answer = app
        .post(&app.invoke(LEAD, "adaptiveCard/action", press(&met)))
        .await;
    assert_eq!(
        answer.body["type"],
        json!("application/vnd.microsoft.card.adaptive"),
        "{}",
        answer.body
    );
    let refreshed = answer.body["value"].clone();
    assert_valid(std::slice::from_ref(&refreshed));
    let text = refreshed.to_string();
    assert!(text.contains("Closed: met"), "{text}");
    assert!(text.contains("1 is still open"), "{text}");
    assert_eq!(
        goal_state(&app, 1).await,
        ("achieved".into(), Some("achieved".into()))
    );
    let carried = app
        .post(&app.invoke(
            LEAD,
            "adaptiveCard/action",
            press(&button(&refreshed, 2, "Carried over")),
        ))
        .await;
    let text = carried.body["value"].to_string();
    assert!(text.contains("Every goal of the year is closed"), "{text}");
    assert_eq!(
        goal_state(&app, 2).await,
        ("dropped".into(), Some("carried-over".into()))
    );
    let next: i64 = sqlx::query_scalar("SELECT plan_year FROM goals WHERE carried_from = 2")
        .fetch_one(app.ctx.store.reads())
        .await
        .unwrap();
    assert_eq!(next, 2027, "carried into next year's plan");

    // A second press on an old copy of the card closes nothing twice.
    let twice = app
        .post(&app.invoke(LEAD, "adaptiveCard/action", press(&met)))
        .await;
    assert_eq!(
        twice.body["type"],
        json!("application/vnd.microsoft.activity.message"),
        "{}",
        twice.body
    );
    let carried_twice: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM goals WHERE carried_from IS NOT NULL")
            .fetch_one(app.ctx.store.reads())
            .await
            .unwrap();
    assert_eq!(carried_twice, 1);

    // The posted card is updated for the owner's other clients too.
    app.drain().await;
    let updates: Vec<_> = app
        .fake
        .delivered()
        .into_iter()
        .filter(|c| c.method == "PUT" && c.path.contains(&format!("a:personal-{LEAD}")))
        .collect();
    assert!(!updates.is_empty(), "the DM is updated in place");
    assert!(
        updates
            .last()
            .unwrap()
            .text()
            .contains("Every goal of the year is closed")
    );
    assert_valid_cards(&app.fake.delivered());
}
