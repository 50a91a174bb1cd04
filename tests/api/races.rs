//! Races and a permission hole from the hardening review (issue 10): two
//! leaders deciding one proposal at once, and a goal moved to another team
//! through its edit form. Every request goes through the real, signed
//! `/slack/interactions` endpoint, fired concurrently where the bug was a race.

use crate::helpers::*;
use serde_json::{Value, json};

const LEAD: &str = "U0LEAD1";
const LEAD2: &str = "U0LEAD2";
const PHARMACIST: &str = "U0PHARM1";

/// Two teams; nursing has two leaders, so two people may decide at once.
const TWO_TEAMS: &str = r#"
[org]
name = "Riverside Health"
mission = "Every patient leaves healthier and heard."
timezone = "America/New_York"
moments_channel = "C0MOMENTS"
leadership_channel = "C0LEADERS"
admins = ["U0ADMIN"]

[[pillars]]
key = "patient-care"
name = "Patient care"

[[teams]]
key = "nursing"
name = "Nursing"
channel = "C0NURSING"
leaders = ["U0LEAD1", "U0LEAD2"]
members = ["U0NURSE1", "U0NURSE2"]

[[teams]]
key = "pharmacy"
name = "Pharmacy"
channel = "C0PHARMACY"
leaders = ["U0PHARMLEAD"]
members = ["U0PHARM1"]

[delivery]
per_channel_interval_ms = 1000
request_timeout_ms = 2000
"#;

async fn spawn() -> TestApp {
    spawn_app_at(TWO_TEAMS, start_time()).await
}

/// A member proposes; returns the proposal's id once its post is out.
async fn propose(app: &TestApp, title: &str) -> i64 {
    let reply = app
        .post_command(
            "/goal",
            &format!("propose {title} pillar:patient-care"),
            NURSE,
        )
        .await;
    assert!(reply.text().contains("Proposal"), "{}", reply.body);
    app.scalar("SELECT MAX(id) FROM proposals").await
}

/// The approval form of `proposal`, submitted by `leader`; `view` is the id
/// of that leader's own open modal (each press opens its own).
fn approval(leader: &str, proposal: i64, view: &str) -> Value {
    let mut p = submission(
        leader,
        "proposal_approve",
        json!({ "goal": proposal }),
        &Form::default(),
    );
    p["view"]["id"] = json!(view);
    p["view"]["state"]["values"] = json!({});
    p
}

/// The decline form of `proposal`, submitted by `leader` with a reason.
fn decline(leader: &str, proposal: i64, view: &str) -> Value {
    let mut p = submission(
        leader,
        "proposal_decline",
        json!({ "goal": proposal }),
        &Form::default(),
    );
    p["view"]["id"] = json!(view);
    p["view"]["state"]["values"] = json!({"proposal_reason": {"proposal_reason": {"type": "plain_text_input", "value": "Not this year."}}});
    p
}

async fn count(app: &TestApp, sql: &'static str, id: i64) -> i64 {
    sqlx::query_scalar(sql)
        .bind(id)
        .fetch_one(app.ctx.store.reads())
        .await
        .unwrap()
}

/// Outbox rows that announce a decision on `proposal` in its thread.
async fn decision_messages(app: &TestApp, proposal: i64) -> i64 {
    let payloads: Vec<String> = sqlx::query_scalar("SELECT payload FROM outbox")
        .fetch_all(app.ctx.store.reads())
        .await
        .unwrap();
    payloads
        .iter()
        .map(|p| serde_json::from_str::<Value>(p).unwrap())
        .filter(|p| p["kind"] == "proposal_decided" && p["proposal"] == proposal)
        .count() as i64
}

/// Lets the delivery worker send everything pending, moving the manual clock
/// a second at a time past the channel's pacing.
async fn drain(app: &TestApp) {
    // Paced rows wait for a later instant: drain what is due, move the
    // manual clock a second, and again, until nothing is pending (bounded:
    // far more seconds than these tests enqueue messages).
    for _ in 0..600 {
        app.drain().await;
        if app.outbox().await.pending == 0 {
            return;
        }
        app.advance(1);
    }
    panic!("the outbox did not drain: {:?}", app.outbox().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
pub(crate) async fn ten_concurrent_approvals_make_one_goal_and_one_decision_message() {
    let app = spawn().await;
    let id = propose(&app, "Better shift handoffs").await;
    drain(&app).await;

    let leaders = [LEAD, LEAD2, ADMIN];
    let submissions = (0..10).map(|i| {
        let payload = approval(leaders[i % leaders.len()], id, &format!("VAPPROVE{i}"));
        let app = &app;
        async move { app.post_interaction(&payload).await }
    });
    let replies = futures_util::future::join_all(submissions).await;

    let mut won = 0;
    for reply in &replies {
        assert_eq!(reply.status, 200, "{}", reply.body);
        let json = reply.json();
        let view = json["view"].to_string();
        // The winner's form closes (confirmed in their DM).
        if json["response_action"] == "clear" {
            won += 1;
        } else {
            assert!(
                view.contains("already approved by"),
                "the loser is told who decided first: {view}"
            );
        }
    }
    assert_eq!(won, 1, "exactly one approval wins");
    // Every reply came after its write committed: the state is final.
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM goals WHERE proposal_id = $1",
            id
        )
        .await,
        1,
        "one goal from one proposal"
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM goals").await, 1);
    assert_eq!(decision_messages(&app, id).await, 1);
    let (status, goal): (String, Option<i64>) =
        sqlx::query_as("SELECT status, goal_id FROM proposals WHERE id = $1")
            .bind(id)
            .fetch_one(app.ctx.store.reads())
            .await
            .unwrap();
    assert_eq!(status, "approved");
    let made: i64 = app.scalar("SELECT id FROM goals").await;
    assert_eq!(goal, Some(made), "the proposal names the goal it became");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM plan_changes WHERE action = 'approve'")
            .await,
        1
    );

    // Delivered: one announcement in the proposal's thread.
    drain(&app).await;
    let announced = app
        .fake
        .calls_to("chat.postMessage")
        .iter()
        .filter(|c| c.body["thread_ts"].is_string() && c.body.to_string().contains("Approved by"))
        .count();
    assert_eq!(announced, 1);

    // Behind the conditional decision, the database itself refuses a second
    // goal from the same proposal, whatever path would try it.
    let second = app
        .ctx
        .store
        .write(move |conn| {
            Box::pin(async move {
                sqlx::query(
                    "INSERT INTO goals (title, pillar_key, team_key, owner, plan_year, kind, status, \
                     proposal_id, created_by, created_at, updated_at) \
                     SELECT title, pillar_key, team_key, owner, plan_year, kind, status, proposal_id, \
                     created_by, created_at, updated_at FROM goals WHERE proposal_id = $1",
                )
                .bind(id)
                .execute(conn)
                .await?;
                Ok(())
            })
        })
        .await;
    assert!(
        second.is_err(),
        "a unique index keeps one goal per proposal"
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM goals").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
pub(crate) async fn an_approval_racing_a_decline_has_exactly_one_outcome() {
    let app = spawn().await;
    for trial in 0..5 {
        let id = propose(&app, &format!("Quiet hours on ward {trial}")).await;
        let approve = approval(LEAD, id, &format!("VRACE{trial}"));
        let refuse = decline(LEAD2, id, &format!("VDECLINE{trial}"));
        let (approved, declined) = tokio::join!(
            app.post_interaction(&approve),
            app.post_interaction(&refuse)
        );
        assert_eq!((approved.status, declined.status), (200, 200));

        let status: String = sqlx::query_scalar("SELECT status FROM proposals WHERE id = $1")
            .bind(id)
            .fetch_one(app.ctx.store.reads())
            .await
            .unwrap();
        let goals = count(
            &app,
            "SELECT COUNT(*) FROM goals WHERE proposal_id = $1",
            id,
        )
        .await;
        let linked = count(
            &app,
            "SELECT COUNT(*) FROM proposals WHERE id = $1 AND goal_id IS NOT NULL",
            id,
        )
        .await;
        let approval_view = approved.json()["view"].to_string();
        match status.as_str() {
            "approved" => {
                assert_eq!((goals, linked), (1, 1), "trial {trial}");
                assert_eq!(
                    approved.json()["response_action"],
                    "clear",
                    "{approval_view}"
                );
                // The decline lost: its form says who approved it first.
                let view = declined.json()["view"].to_string();
                assert!(view.contains("already approved by"), "{view}");
            }
            "declined" => {
                assert_eq!((goals, linked), (0, 0), "trial {trial}: declined, no goal");
                assert!(
                    approval_view.contains("already declined by"),
                    "{approval_view}"
                );
            }
            other => panic!("trial {trial}: the proposal is {other}"),
        }
        assert_eq!(decision_messages(&app, id).await, 1, "trial {trial}");
        drain(&app).await;
    }
}

/// The leader adds a goal to `team` owned by `owner`; returns its id.
async fn goal_of(app: &TestApp, owner: &str, team: &str) -> i64 {
    let reply = app
        .post_command(
            "/goal",
            &format!("add Fewer missed doses pillar:patient-care team:{team} owner:<@{owner}>"),
            ADMIN,
        )
        .await;
    assert!(reply.text().contains("Added goal"), "{}", reply.body);
    app.scalar("SELECT MAX(id) FROM goals").await
}

/// The edit form of `goal` as `editor` submits it, with `team` picked (or
/// the Team field left empty).
fn edit_form(editor: &str, goal: i64, title: &str, team: Option<&str>) -> Value {
    let mut p = submission(
        editor,
        "goal_edit",
        json!({ "goal": goal }),
        &Form::default(),
    );
    let team = match team {
        Some(t) => {
            json!({"type": "static_select", "selected_option": {"text": {"type": "plain_text", "text": "x"}, "value": t}})
        }
        None => json!({"type": "static_select", "selected_option": null}),
    };
    p["view"]["state"]["values"] = json!({
        "goal_title": {"goal_title": {"type": "plain_text_input", "value": title}},
        "goal_pillar": {"goal_pillar": {"type": "static_select", "selected_option": {"text": {"type": "plain_text", "text": "x"}, "value": "patient-care"}}},
        "goal_team": {"goal_team": team},
    });
    p
}

async fn team_and_title(app: &TestApp, goal: i64) -> (Option<String>, String) {
    sqlx::query_as("SELECT team_key, title FROM goals WHERE id = $1")
        .bind(goal)
        .fetch_one(app.ctx.store.reads())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_member_cannot_move_their_goal_to_another_team_through_the_edit_form() {
    let app = spawn().await;
    let goal = goal_of(&app, NURSE, "nursing").await;
    let edits_before = app
        .scalar("SELECT COUNT(*) FROM plan_changes WHERE action = 'edit'")
        .await;

    let reply = app
        .post_interaction(&edit_form(
            NURSE,
            goal,
            "Zero missed doses",
            Some("pharmacy"),
        ))
        .await
        .json();
    let view = reply["view"].to_string();
    assert_eq!(reply["response_action"], "update", "{reply}");
    assert!(view.contains("Not saved"), "{view}");
    assert!(
        view.contains("Pharmacy"),
        "the refusal names the team: {view}"
    );
    assert_eq!(
        team_and_title(&app, goal).await,
        (Some("nursing".to_owned()), "Fewer missed doses".to_owned()),
        "nothing changed"
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM plan_changes WHERE action = 'edit'")
            .await,
        edits_before
    );

    // The same edit keeping the team is the owner's to make.
    let reply = app
        .post_interaction(&edit_form(
            NURSE,
            goal,
            "Zero missed doses",
            Some("nursing"),
        ))
        .await
        .json();
    assert_eq!(reply["response_action"], "clear", "{reply}");
    assert_eq!(
        team_and_title(&app, goal).await,
        (Some("nursing".to_owned()), "Zero missed doses".to_owned())
    );
}

#[tokio::test]
async fn an_empty_team_field_keeps_the_goals_team() {
    let app = spawn().await;
    // A nurse owns a pharmacy goal: their own home team is nursing.
    let goal = goal_of(&app, NURSE, "pharmacy").await;
    let reply = app
        .post_interaction(&edit_form(NURSE, goal, "Zero missed doses", None))
        .await
        .json();
    assert_eq!(reply["response_action"], "clear", "{reply}");
    assert_eq!(
        team_and_title(&app, goal).await,
        (Some("pharmacy".to_owned()), "Zero missed doses".to_owned()),
        "empty means unchanged"
    );

    // An admin (in no team) leaving it empty does not make it the whole
    // organization's either.
    app.post_interaction(&edit_form(ADMIN, goal, "No missed doses", None))
        .await;
    assert_eq!(
        team_and_title(&app, goal).await,
        (Some("pharmacy".to_owned()), "No missed doses".to_owned())
    );
}

#[tokio::test]
async fn whoever_may_add_goals_to_the_new_team_may_move_a_goal_there() {
    let app = spawn().await;
    let goal = goal_of(&app, PHARMACIST, "nursing").await;
    // The pharmacy's own member may not move it home: members propose.
    app.post_interaction(&edit_form(
        PHARMACIST,
        goal,
        "Fewer missed doses",
        Some("pharmacy"),
    ))
    .await;
    assert_eq!(
        team_and_title(&app, goal).await.0.as_deref(),
        Some("nursing")
    );
    // A leader of nursing does not lead pharmacy either.
    app.post_interaction(&edit_form(
        LEAD,
        goal,
        "Fewer missed doses",
        Some("pharmacy"),
    ))
    .await;
    assert_eq!(
        team_and_title(&app, goal).await.0.as_deref(),
        Some("nursing")
    );
    // An admin may.
    let reply = app
        .post_interaction(&edit_form(
            ADMIN,
            goal,
            "Fewer missed doses",
            Some("pharmacy"),
        ))
        .await
        .json();
    assert_eq!(reply["response_action"], "clear", "{reply}");
    assert_eq!(
        team_and_title(&app, goal).await.0.as_deref(),
        Some("pharmacy")
    );
}
