//! Approve opens a form prefilled with the proposal's target and due date;
//! the leader may adjust both, and bad input is refused in place.

use crate::helpers::*;
use serde_json::{Value, json};

const LEAD: &str = "U0LEAD1";

fn approval(target: &str, due: Option<&str>) -> Value {
    let mut p = submission(
        LEAD,
        "proposal_approve",
        json!({"goal": 1}),
        &Form::default(),
    );
    p["view"]["state"]["values"] = json!({
        "goal_target": {"goal_target": {"type": "plain_text_input", "value": target}},
        "goal_due": {"goal_due": {"type": "datepicker", "selected_date": due}},
    });
    p
}

#[tokio::test]
async fn a_leader_approves_with_an_adjusted_target_and_due_date() {
    let app = spawn_app().await;
    let reply = app
        .post_command(
            "/goal",
            "propose Shorter handoffs pillar:patient-care start:45min target:30min due:Q4",
            NURSE,
        )
        .await;
    assert!(reply.text().contains("Proposal 1"), "{}", reply.body);
    app.settle().await;

    app.post_interaction(&button(
        LEAD,
        "proposal_approve",
        "1",
        On::Message(&app.fake.hook_url("p")),
    ))
    .await;
    let open = &app.sent("views.open", 1).await[0];
    let view = &open.body["view"];
    assert_eq!(view["callback_id"], "proposal_approve");
    let block = |id: &str| {
        view["blocks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["block_id"] == id)
            .unwrap_or_else(|| panic!("no {id} in {view}"))
            .clone()
    };
    assert_eq!(block("goal_target")["element"]["initial_value"], "30 min");
    let proposed_due = block("goal_due")["element"]["initial_date"]
        .as_str()
        .expect("the proposal's due date")
        .to_owned();
    assert!(proposed_due.ends_with("-12-31"), "{proposed_due}");
    let year = &proposed_due[..4];

    // A target that is no measure: said next to the field, nothing stored.
    let bad = app.post_interaction(&approval("banana", None)).await.json();
    assert_eq!(bad["response_action"], "errors", "{bad}");
    assert!(bad["errors"]["goal_target"].is_string(), "{bad}");
    // A unit that does not match the proposal's start, likewise.
    let mismatch = app.post_interaction(&approval("$30", None)).await.json();
    assert!(mismatch["errors"]["goal_target"].is_string(), "{mismatch}");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM goals").await, 0);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM proposals WHERE status = 'open'")
            .await,
        1
    );

    let adjusted_due = format!("{year}-09-30");
    let done = app
        .post_interaction(&approval("25min", Some(&adjusted_due)))
        .await
        .json();
    assert_eq!(done["response_action"], "clear", "{done}");
    let (kind, due): (String, String) =
        sqlx::query_as("SELECT kind, due_date FROM goals WHERE proposal_id = 1")
            .fetch_one(app.ctx.store.reads())
            .await
            .unwrap();
    assert_eq!(due, adjusted_due);
    assert!(kind.contains("45") && kind.contains("25"), "{kind}");
    assert!(!kind.contains("30"), "{kind}");

    // The thread says what the leader adjusted.
    let mut said = String::new();
    for _ in 0..5 {
        app.advance(1);
        app.drain().await;
        if let Some(c) =
            app.fake.calls_to("chat.postMessage").into_iter().find(|c| {
                c.body["thread_ts"].is_string() && c.body.to_string().contains("Approved by")
            })
        {
            said = blocks_text(&c.body);
            break;
        }
    }
    assert!(said.contains("Adjusted: target"), "{said}");
    assert!(
        said.contains("25 min") && said.contains("(proposed"),
        "{said}"
    );
    assert!(said.contains("due Sep 30"), "{said}");
}

#[tokio::test]
async fn an_approval_left_as_proposed_keeps_the_proposals_target_and_due() {
    let app = spawn_app().await;
    app.post_command(
        "/goal",
        "propose Shorter handoffs pillar:patient-care start:45min target:30min due:Q4",
        NURSE,
    )
    .await;
    app.settle().await;
    // Both fields emptied: the proposal's values stand.
    let done = app.post_interaction(&approval("  ", None)).await.json();
    assert_eq!(done["response_action"], "clear", "{done}");
    let (kind, due): (String, String) =
        sqlx::query_as("SELECT kind, due_date FROM goals WHERE proposal_id = 1")
            .fetch_one(app.ctx.store.reads())
            .await
            .unwrap();
    assert!(kind.contains("45") && kind.contains("30"), "{kind}");
    assert!(due.ends_with("-12-31"), "{due}");
}
