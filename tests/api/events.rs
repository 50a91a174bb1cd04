use crate::edit_delete::shared;
use crate::fake_slack::{APP, TEAM};
use crate::helpers::*;
use serde_json::{Value, json};

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/slack/events/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A real event, as Slack sends it to our app in the test workspace (the
/// fake's `auth.test` and `bots.info`): others are ignored.
fn ours(name: &str) -> Value {
    let mut e = fixture(name);
    e["team_id"] = json!(TEAM);
    e["api_app_id"] = json!(APP);
    e
}

fn home_opened(event_id: &str, user: &str) -> Value {
    let mut e = ours("app_home_opened.home_tab.json");
    e["event_id"] = json!(event_id);
    e["event"]["user"] = json!(user);
    e
}

fn reaction(event_id: &str, kind: &str, user: &str, channel: &str, ts: &str) -> Value {
    let mut e = ours("reaction_added.json");
    e["event_id"] = json!(event_id);
    e["event"]["type"] = json!(kind);
    e["event"]["user"] = json!(user);
    e["event"]["item"]["channel"] = json!(channel);
    e["event"]["item"]["ts"] = json!(ts);
    e
}

#[tokio::test]
async fn url_verification_echoes_the_challenge() {
    let app = spawn_app().await;
    let body = fixture("url_verification.json");
    let reply = app.post_event(&body).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["challenge"], body["challenge"]);
}

#[tokio::test]
async fn opening_the_home_tab_publishes_mission_pillars_and_own_moments() {
    let app = spawn_app().await;
    shared(&app, NURSE, "My own story for the Home tab.").await;
    assert_eq!(
        app.post_event(&home_opened("Ev0HOME1", NURSE)).await.status,
        200
    );
    let publish = &app.sent("views.publish", 1).await[0];
    assert_eq!(publish.body["user_id"], NURSE);
    assert_eq!(publish.body["view"]["type"], "home");
    let text = blocks_text(&publish.body);
    for expected in [
        "Riverside Health",
        "Every patient leaves healthier and heard.",
        "Patient care",
        "My own story for the Home tab.",
        "Share a mission moment",
    ] {
        assert!(text.contains(expected), "{expected:?} in {text}");
    }
    let view = publish.body["view"].to_string();
    assert!(view.contains("home_edit") && view.contains("home_delete"));
    assert!(publish.body["view"]["blocks"].as_array().unwrap().len() <= 100);
}

#[tokio::test]
async fn a_held_draft_shows_on_the_home_tab_awaiting_review() {
    let app = spawn_app().await;
    app.post_command("/moment", "Call me at 555-123-4567", NURSE)
        .await;
    app.post_event(&home_opened("Ev0HOME2", NURSE)).await;
    let publish = &app.sent("views.publish", 1).await[0];
    let text = blocks_text(&publish.body);
    assert!(text.contains("Not posted yet"), "{text}");
    assert!(publish.body["view"].to_string().contains("draft_post"));
}

#[tokio::test]
pub(crate) async fn a_repeated_event_id_is_answered_and_processed_once() {
    let app = spawn_app().await;
    for _ in 0..3 {
        assert_eq!(
            app.post_event(&home_opened("Ev0DUP", NURSE)).await.status,
            200
        );
    }
    app.sent("views.publish", 1).await;
    app.settle().await;
    assert_eq!(app.fake.calls_to("views.publish").len(), 1);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM slack_events").await, 1);
}

#[tokio::test]
async fn an_event_that_failed_is_handled_when_slack_retries_it() {
    let app = spawn_app().await;
    // Break the store under the event's effects for one delivery.
    sqlx::query("ALTER TABLE outbox RENAME TO outbox_away")
        .execute(app.ctx.store.reads())
        .await
        .unwrap();
    let failed = app.post_event(&home_opened("Ev0RETRY", NURSE)).await;
    assert_eq!(failed.status, 500, "a 500 makes Slack retry");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM slack_events").await,
        0,
        "not recorded as handled"
    );
    sqlx::query("ALTER TABLE outbox_away RENAME TO outbox")
        .execute(app.ctx.store.reads())
        .await
        .unwrap();

    assert_eq!(
        app.post_event(&home_opened("Ev0RETRY", NURSE)).await.status,
        200
    );
    app.sent("views.publish", 1).await;
    assert_eq!(app.scalar("SELECT COUNT(*) FROM slack_events").await, 1);
}

#[tokio::test]
async fn reactions_on_a_moment_are_counted_and_uncounted() {
    let app = spawn_app().await;
    let (id, ts) = shared(&app, NURSE, "Reacted story.").await;
    app.post_event(&reaction("Ev0R1", "reaction_added", NURSE2, MOMENTS, &ts))
        .await;
    app.post_event(&reaction("Ev0R2", "reaction_added", ADMIN, MOMENTS, &ts))
        .await;
    app.post_event(&reaction("Ev0R3", "reaction_added", ADMIN, MOMENTS, &ts))
        .await; // same person, same emoji
    app.post_event(&reaction("Ev0R4", "reaction_added", ADMIN, "C0OTHER", &ts))
        .await; // another message
    let count = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM moment_reactions WHERE moment_id = $1")
            .bind(id)
            .fetch_one(app.ctx.store.reads())
            .await
            .unwrap()
    };
    assert_eq!(count().await, 2);
    app.post_event(&reaction("Ev0R5", "reaction_removed", ADMIN, MOMENTS, &ts))
        .await;
    assert_eq!(count().await, 1);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM moment_reactions").await, 1);
}

#[tokio::test]
async fn every_real_event_payload_is_acknowledged() {
    let app = spawn_app().await;
    let dir = format!("{}/tests/fixtures/slack/events", env!("CARGO_MANIFEST_DIR"));
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if path.is_dir() || name.starts_with("socket_mode") {
            continue;
        }
        let body = std::fs::read(&path).unwrap();
        let reply = app
            .post_signed("/slack/events", "application/json", body)
            .await;
        assert_eq!(reply.status, 200, "{name}: {}", reply.body);
    }
}

#[tokio::test]
async fn a_profile_change_keeps_the_persons_time_zone_for_nudges() {
    let app = spawn_app().await;
    let event = json!({
        "token": "verification_token", "team_id": "T0TEAM", "api_app_id": "A0APP", "type": "event_callback",
        "event_id": "Ev0TZ", "event_time": 1,
        "event": {"type": "user_change", "event_ts": "1.2", "cache_ts": 1,
                  "user": {"id": NURSE, "team_id": "T0TEAM", "name": "nurse", "tz": "Europe/Berlin", "tz_offset": 3600}}
    });
    assert_eq!(app.post_event(&event).await.status, 200);
    let tz: String = sqlx::query_scalar("SELECT tz FROM person_tz WHERE person_id = $1")
        .bind(NURSE)
        .fetch_one(app.ctx.store.reads())
        .await
        .unwrap();
    assert_eq!(tz, "Europe/Berlin");
}
