//! The year's turn with the ManualClock: in December each owner of an open
//! goal is asked how it ended (met / not met / carried over, with buttons);
//! a carried-over goal starts again next year linked to its history; after
//! the grace period the rest are closed as "not reported", never as met.

use crate::helpers::*;
use alignbot::app::jobs::{self, Job, Trigger};
use alignbot::scheduler::schedule::Month;
use serde_json::Value;

const LEAD: &str = "U0LEAD1";

fn december() -> chrono::DateTime<chrono::Utc> {
    "2026-12-01T15:00:00Z".parse().unwrap()
}

async fn goal_state(app: &TestApp, id: i64) -> (String, Option<String>) {
    sqlx::query_as("SELECT status, outcome FROM goals WHERE id = $1")
        .bind(id)
        .fetch_one(app.ctx.store.reads())
        .await
        .unwrap()
}

async fn run(app: &TestApp, year: i32, month: u32) -> jobs::JobSummary {
    jobs::run(
        &app.ctx,
        Job::YearTurn,
        Month { year, month },
        Trigger::Manual,
    )
    .await
    .unwrap()
}

/// A press on the DM; each answers through its own response URL.
fn press(action: &str, value: &str, user: &str, app: &TestApp) -> Value {
    let hook = format!("{action}-{value}-{user}");
    button(user, action, value, On::Message(&app.fake.hook_url(&hook)))
}

#[tokio::test]
async fn owners_choose_met_not_met_or_carried_over_and_the_rest_is_not_reported() {
    let app = spawn_app_at("", december()).await;
    for title in ["Met goal", "Missed goal", "Carried goal", "Forgotten goal"] {
        let reply = app
            .post_command(
                "/goal",
                &format!("add {title} pillar:patient-care target:100 year:2026 owner:<@{NURSE}|n>"),
                LEAD,
            )
            .await;
        assert!(reply.text().contains("Added goal"), "{}", reply.body);
    }
    let check_in = app
        .post_command("/goal", "update 3 40 at-risk Staffing came late", NURSE)
        .await;
    assert!(check_in.text().contains("Checked in"), "{}", check_in.body);
    app.settle().await;
    let before = app.fake.calls_to("chat.postMessage").len();

    // December: the year's last month. The owner is asked once.
    let summary = run(&app, 2026, 12).await;
    assert!(summary.ran && summary.enqueued == 1, "{summary}");
    assert!(summary.detail.contains("2026"), "{summary}");
    let dm = app.sent("chat.postMessage", before + 1).await[before].clone();
    assert_eq!(dm.body["channel"], NURSE);
    let text = dm.body.to_string();
    for expected in [
        "2026 is ending",
        "Forgotten goal",
        "goal_outcome_met",
        "goal_outcome_not_met",
        "goal_outcome_carried",
        "not reported",
        "January 15, 2027",
    ] {
        assert!(text.contains(expected), "{expected:?} in {text}");
    }
    assert!(!run(&app, 2026, 12).await.ran, "never asked twice");
    let nudge: i64 = app
        .scalar("SELECT id FROM nudges WHERE job = 'year-turn'")
        .await;

    for (action, goal) in [
        ("goal_outcome_met", 1),
        ("goal_outcome_not_met", 2),
        ("goal_outcome_carried", 3),
    ] {
        let reply = app
            .post_interaction(&press(action, &format!("{goal}:{nudge}"), NURSE, &app))
            .await;
        assert_eq!(reply.status, 200);
    }
    assert_eq!(
        goal_state(&app, 1).await,
        ("achieved".into(), Some("achieved".into()))
    );
    assert_eq!(
        goal_state(&app, 2).await,
        ("dropped".into(), Some("not-met".into()))
    );
    assert_eq!(
        goal_state(&app, 3).await,
        ("dropped".into(), Some("carried-over".into()))
    );
    assert_eq!(goal_state(&app, 4).await, ("active".into(), None));

    // The carried-over goal starts again in 2027, linked, with its last value.
    let (title, year, owner, from, current): (String, i64, String, i64, Option<f64>) =
        sqlx::query_as(
            "SELECT title, plan_year, owner, carried_from, current_value FROM goals WHERE carried_from IS NOT NULL",
        )
        .fetch_one(app.ctx.store.reads())
        .await
        .unwrap();
    assert_eq!(
        (title.as_str(), year, owner.as_str(), from, current),
        ("Carried goal", 2027, NURSE, 3, Some(40.0))
    );
    let successor: i64 = app
        .scalar("SELECT id FROM goals WHERE carried_from = 3")
        .await;
    let show = app
        .post_command("/goal", &format!("show {successor}"), NURSE)
        .await;
    assert!(
        show.text().contains("Carried over from goal #3")
            && show.text().contains("Staffing came late"),
        "the history is linked: {}",
        show.body
    );

    // The DM was re-rendered after each choice: the outcomes replace the buttons.
    // (Pending updates of one DM are merged; the DM's lane paces one send a second.)
    app.advance(2);
    let updates = app.sent("chat.update", 1).await;
    let last = updates.last().unwrap().body.to_string();
    assert!(
        last.contains("closed: met")
            && last.contains("closed: not met")
            && last.contains("closed: carried over"),
        "{last}"
    );
    assert_eq!(
        last.matches("goal_outcome_met").count(),
        1,
        "only the open goal keeps buttons: {last}"
    );

    // A second press, or someone else's, changes nothing and says why.
    let hooks = app.fake.calls_to("hook").len();
    app.post_interaction(&press(
        "goal_outcome_not_met",
        &format!("1:{nudge}"),
        NURSE,
        &app,
    ))
    .await;
    app.post_interaction(&press(
        "goal_outcome_met",
        &format!("4:{nudge}"),
        NURSE2,
        &app,
    ))
    .await;
    let told = app.sent("hook", hooks + 2).await;
    assert!(
        told[hooks]
            .body
            .to_string()
            .contains("already closed (met)"),
        "{:?}",
        told[hooks].body
    );
    assert!(
        told[hooks + 1]
            .body
            .to_string()
            .contains("Only the goal's owner"),
        "{:?}",
        told[hooks + 1].body
    );
    assert_eq!(
        goal_state(&app, 1).await,
        ("achieved".into(), Some("achieved".into()))
    );
    assert_eq!(goal_state(&app, 4).await, ("active".into(), None));

    // 10 January: within the 14 days' grace; the run finishes and closes nothing.
    app.advance(40 * 24 * 3600);
    let january = run(&app, 2027, 1).await;
    assert!(january.ran && january.enqueued == 0, "{january}");
    assert_eq!(goal_state(&app, 4).await, ("active".into(), None));

    // The next month's run is past the grace: the forgotten goal is not reported.
    app.advance(36 * 24 * 3600);
    let february = run(&app, 2027, 2).await;
    assert!(
        february
            .detail
            .contains("closed 1 goal of 2026 as not reported"),
        "{february}"
    );
    assert_eq!(
        goal_state(&app, 4).await,
        ("dropped".into(), Some("not-reported".into()))
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM goals WHERE status = 'achieved'")
            .await,
        1,
        "only the goal chosen as met counts as met"
    );
    assert_eq!(
        goal_state(&app, successor).await,
        ("active".into(), None),
        "next year's goal stays open"
    );
}

#[tokio::test]
async fn goal_close_takes_the_year_end_words() {
    let app = spawn_app_at("", december()).await;
    app.post_command("/goal", "add Cut waits pillar:patient-care year:2026", LEAD)
        .await;
    let carried = app
        .post_command("/goal", "close 1 carried over wing opens in March", LEAD)
        .await;
    assert!(
        carried.text().contains("carried over") && carried.text().contains("goal #2"),
        "{}",
        carried.body
    );
    assert_eq!(
        goal_state(&app, 1).await,
        ("dropped".into(), Some("carried-over".into()))
    );
    let next_year: i64 = app.scalar("SELECT plan_year FROM goals WHERE id = 2").await;
    assert_eq!(next_year, 2027);
    let again = app.post_command("/goal", "close 1 achieved", LEAD).await;
    assert!(
        again.text().contains("already closed (carried over)"),
        "{}",
        again.body
    );
    let bad = app
        .post_command("/goal", "close 2 not-reported", LEAD)
        .await;
    assert!(bad.text().contains("`carried-over`"), "{}", bad.body);
    assert_eq!(goal_state(&app, 2).await, ("active".into(), None));
}

#[tokio::test]
async fn the_year_turn_is_listed_and_runs_by_name() {
    assert_eq!(Job::parse("year-turn"), Some(Job::YearTurn));
    let app = spawn_app_at("", december()).await;
    // November is not the year's last month: nobody is asked.
    app.post_command("/goal", "add Cut waits pillar:patient-care year:2026", LEAD)
        .await;
    let november = run(&app, 2026, 11).await;
    assert!(november.ran && november.enqueued == 0, "{november}");
    assert!(november.detail.contains("nobody asked"), "{november}");
}
