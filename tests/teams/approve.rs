//! Approve in Teams opens a dialog prefilled with the proposal's target,
//! due date and owner; bad values come back next to their field and nothing
//! is stored; a good one approves as adjusted and the channel's card is
//! refreshed (tests/api/approve_adjust.rs is Slack's counterpart).

use crate::app::{LEAD, NURSE, NURSE2, NURSING, TeamsApp, spawn};
use crate::cards::{assert_valid, assert_valid_cards};
use alignbot::domain::goal::GoalId;
use serde_json::{Value, json};

async fn goals(app: &TeamsApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM goals")
        .fetch_one(app.ctx.store.reads())
        .await
        .unwrap()
}

/// The input `id` of a dialog's card.
fn input<'a>(card: &'a Value, id: &str) -> &'a Value {
    card["body"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == json!(id))
        .unwrap_or_else(|| panic!("an input {id} in {card}"))
}

/// The texts shown in the attention colour: the inline errors.
fn errors(card: &Value) -> Vec<String> {
    card["body"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| {
            let run = &e["inlines"][0];
            (run["color"] == json!("Attention")).then(|| run["text"].as_str().unwrap().to_owned())
        })
        .collect()
}

#[tokio::test]
pub(crate) async fn approve_opens_a_prefilled_form_refuses_bad_values_and_approves_as_adjusted() {
    let app = spawn().await;
    for person in [NURSE, NURSE2, LEAD] {
        app.post(&app.install(person)).await;
    }
    app.post(&app.typed(
        NURSE,
        "goal propose Shorter waits pillar:patient-care target:30min due:2026-12-20",
    ))
    .await;
    app.drain().await;
    let posted = app.sent_to("/v3/conversations");
    let approve = posted[0].cards()[0]["actions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"] == json!("Approve"))
        .cloned()
        .expect("an Approve button");

    let opened = app
        .post(&app.invoke(LEAD, "task/fetch", json!({"data": approve["data"]})))
        .await;
    assert_eq!(
        opened.body["task"]["type"],
        json!("continue"),
        "{}",
        opened.body
    );
    let form = opened.body["task"]["value"]["card"]["content"].clone();
    assert_valid(std::slice::from_ref(&form));
    assert_eq!(
        input(&form, "target")["value"],
        json!("30 min"),
        "prefilled"
    );
    assert_eq!(
        input(&form, "due")["value"],
        json!("2026-12-20"),
        "prefilled"
    );
    assert_eq!(input(&form, "owner")["value"], json!(NURSE), "the proposer");
    assert!(
        input(&form, "owner")["choices"]
            .to_string()
            .contains("Ned Nurse"),
        "a teammate may own it instead: {form}"
    );
    let submit = form["actions"][0]["data"].clone();
    let with = |target: &str, due: &str, owner: &str| {
        let mut data = submit.clone();
        data["target"] = json!(target);
        data["due"] = json!(due);
        data["owner"] = json!(owner);
        json!({ "data": data })
    };

    // Bad values: the form again, each error under its field, nothing stored.
    let bad = app
        .post(&app.invoke(LEAD, "task/submit", with("lots", "2026-02-30", NURSE)))
        .await;
    assert_eq!(bad.body["task"]["type"], json!("continue"), "{}", bad.body);
    let again = bad.body["task"]["value"]["card"]["content"].clone();
    assert_valid(std::slice::from_ref(&again));
    let shown = errors(&again);
    assert_eq!(shown.len(), 2, "one error per bad field: {shown:?}");
    assert_eq!(
        input(&again, "target")["value"],
        json!("lots"),
        "kept as typed"
    );
    let body = again["body"].as_array().unwrap();
    let at = |id: &str| body.iter().position(|e| e["id"] == json!(id)).unwrap();
    let error_at: Vec<usize> = body
        .iter()
        .enumerate()
        .filter(|(_, e)| e["inlines"][0]["color"] == json!("Attention"))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(
        error_at,
        vec![at("target") + 1, at("due") + 1],
        "next to their fields"
    );
    assert_eq!(goals(&app).await, 0, "nothing stored");
    let open: String = sqlx::query_scalar("SELECT status FROM proposals")
        .fetch_one(app.ctx.store.reads())
        .await
        .unwrap();
    assert_eq!(open, "open");

    // A member may not approve, even by a forged submit.
    let forged = app
        .post(&app.invoke(NURSE2, "task/submit", with("20min", "2026-12-31", NURSE2)))
        .await;
    assert_eq!(forged.body["task"]["type"], json!("message"));
    assert_eq!(goals(&app).await, 0);

    // Adjusted: a new target, due date and owner.
    let done = app
        .post(&app.invoke(LEAD, "task/submit", with("20min", "2026-12-31", NURSE2)))
        .await;
    assert_eq!(done.body["task"]["type"], json!("message"), "{}", done.body);
    let said = done.body["task"]["value"].as_str().unwrap();
    assert!(said.contains("Approved. It is now goal #1"), "{said}");
    let (goal, _) = alignbot::app::goals::show(&app.ctx, GoalId(1))
        .await
        .unwrap();
    assert_eq!(goal.kind.format_value(20.0), "20 min");
    assert!(
        matches!(goal.kind, alignbot::domain::goal::GoalKind::Numeric { target, .. } if target == 20.0),
        "{:?}",
        goal.kind
    );
    assert_eq!(goal.due.unwrap().to_string(), "2026-12-31");
    assert_eq!(goal.owner.as_str(), NURSE2);

    // The channel's card is refreshed in place.
    app.drain().await;
    let updated = app
        .fake
        .delivered()
        .into_iter()
        .rfind(|c| c.method == "PUT" && c.path.contains(NURSING))
        .expect("the proposal's card is updated");
    assert!(
        updated.text().contains("Approved as goal #1"),
        "{}",
        updated.text()
    );
    let second = app
        .post(&app.invoke(LEAD, "task/fetch", json!({"data": approve["data"]})))
        .await;
    assert_eq!(
        second.body["task"]["type"],
        json!("message"),
        "already decided"
    );
    assert_eq!(goals(&app).await, 1);
    assert_valid_cards(&app.fake.delivered());
}
