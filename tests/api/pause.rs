//! A refused token pauses delivery and keeps every row; only a verified
//! uninstall starts the clock for the purge. Both show in `/metrics`.

use crate::fake_slack::{APP, Scripted, TEAM};
use crate::helpers::*;
use serde_json::{Value, json};

async fn metric(app: &TestApp, name: &str) -> f64 {
    let text = app.get("/metrics").await.body;
    text.lines()
        .find_map(|line| line.strip_prefix(&format!("{name} ")))
        .unwrap_or_else(|| panic!("{name} in {text}"))
        .parse()
        .unwrap()
}

#[tokio::test]
async fn an_hour_of_invalid_auth_keeps_500_messages_that_all_go_out_once_the_token_works() {
    let app = spawn_app_at(&unpaced(), start_time()).await;
    app.fake.refuse(Some(Scripted::ApiError("invalid_auth")));
    for i in 0..500 {
        let reply = app
            .post_command("/moment", &format!("Story {i} kept."), NURSE)
            .await;
        assert_eq!(reply.status, 200);
    }
    // One call learns that the token is refused; nothing else is tried.
    app.sent("chat.postMessage", 1).await;
    let counts = app.outbox().await;
    assert_eq!((counts.pending, counts.sent, counts.failed), (500, 0, 0));
    assert_eq!(
        app.scalar("SELECT CAST(COALESCE(SUM(attempts), 0) AS BIGINT) FROM outbox")
            .await,
        0,
        "a refused token is not the message's failed attempt"
    );
    assert_eq!(metric(&app, "alignbot_delivery_paused").await, 1.0);
    // Not an uninstall: no purge clock.
    assert_eq!(metric(&app, "alignbot_uninstalled_at_seconds").await, 0.0);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM install_state WHERE stopped_at IS NOT NULL")
            .await,
        0
    );

    // An hour of it: auth.test is asked with backoff, and nothing is sent.
    for _ in 0..12 {
        app.advance(5 * 60);
        app.drain().await;
    }
    let checks = app.fake.calls_to("auth.test").len();
    assert!(
        (6..=15).contains(&checks),
        "auth.test asked with backoff: {checks} (incl. the start)"
    );
    assert_eq!(app.fake.calls_to("chat.postMessage").len(), 1);
    assert_eq!(app.outbox().await.pending, 500);

    // The token works again: at the next check everything goes, once.
    app.fake.refuse(None);
    app.advance(5 * 60);
    let counts = app.drain().await;
    assert_eq!((counts.pending, counts.sent, counts.failed), (0, 500, 0));
    let posts = app.fake.calls_to("chat.postMessage");
    assert_eq!(posts.len(), 501);
    let mut stories: Vec<String> = posts[1..].iter().map(|p| blocks_text(&p.body)).collect();
    stories.sort();
    stories.dedup();
    assert_eq!(stories.len(), 500, "each story once");
    assert_eq!(metric(&app, "alignbot_delivery_paused").await, 0.0);
}

#[tokio::test]
async fn revoked_tokens_and_a_proxy_refusing_us_pause_too_and_resume_when_auth_test_works() {
    for refusal in [
        Scripted::ApiError("token_revoked"),
        Scripted::ApiError("account_inactive"),
        Scripted::Status(401),
        Scripted::Status(403),
        Scripted::Status(404),
    ] {
        let app = spawn_app().await;
        app.fake.script("chat.postMessage", [refusal.clone()]);
        app.post_command("/moment", "Kept through it.", NURSE).await;
        app.sent("chat.postMessage", 1).await;
        let counts = app.outbox().await;
        assert_eq!((counts.pending, counts.failed), (1, 0), "{refusal:?}");
        assert_eq!(metric(&app, "alignbot_delivery_paused").await, 1.0);
        // The first check comes 15 s later; auth.test answers ok.
        app.advance(14);
        app.sent("chat.postMessage", 1).await;
        app.advance(1);
        app.sent("chat.postMessage", 2).await;
        assert_eq!(app.outbox().await.sent, 1, "{refusal:?}");
        assert_eq!(metric(&app, "alignbot_delivery_paused").await, 0.0);
    }
}

#[tokio::test]
pub(crate) async fn a_refused_token_seen_by_one_worker_pauses_the_other() {
    let app = spawn_app().await;
    let other = app.second_worker().await;
    app.fake.refuse(Some(Scripted::ApiError("invalid_auth")));
    app.post_command("/moment", "Story one.", NURSE).await;
    app.sent("chat.postMessage", 1).await;
    app.post_command("/moment", "Story two.", NURSE2).await;
    let round = other.step().await.unwrap();
    assert_eq!((round.sent, round.retried), (0, 0));
    assert_eq!(app.fake.calls_to("chat.postMessage").len(), 1);
    assert_eq!(app.outbox().await.pending, 2);
}

/// A real event, addressed to `team` and our app.
fn event(name: &str, id: &str, team: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/slack/events/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut e: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    e["team_id"] = json!(team);
    e["api_app_id"] = json!(APP);
    e["event_id"] = json!(id);
    e
}

#[tokio::test]
pub(crate) async fn only_a_verified_uninstall_of_our_app_starts_the_purge_clock() {
    let app = spawn_app().await;
    let body = event("app_uninstalled.json", "Ev0UNSIGNED", TEAM).to_string();
    let unsigned = app
        .post_raw(
            "/slack/events",
            "application/json",
            body.into_bytes(),
            Some(app.timestamp()),
            Some("v0=00".to_owned()),
        )
        .await;
    assert_eq!(unsigned.status, 401);
    let foreign = app
        .post_event(&event("app_uninstalled.json", "Ev0FOREIGN", "T0OTHERTEAM"))
        .await;
    assert_eq!(foreign.status, 200);
    assert_eq!(metric(&app, "alignbot_uninstalled_at_seconds").await, 0.0);
    assert_eq!(metric(&app, "alignbot_delivery_stopped").await, 0.0);
    app.post_command("/moment", "Still delivered.", NURSE).await;
    app.sent("chat.postMessage", 1).await;

    // Ours, signed: the clock starts now.
    app.advance(60);
    let ours = app
        .post_event(&event("app_uninstalled.json", "Ev0OURS", TEAM))
        .await;
    assert_eq!(ours.status, 200);
    assert_eq!(
        metric(&app, "alignbot_uninstalled_at_seconds").await,
        app.clock.now_ts() as f64
    );
    assert_eq!(metric(&app, "alignbot_delivery_stopped").await, 1.0);

    // Installed again (auth.test works at the next start): cleared.
    let app = app.restart().await;
    app.eventually(
        "SELECT COUNT(*) FROM install_state WHERE stopped_at IS NOT NULL",
        |n| n == 0,
        "resumed after the reinstall",
    )
    .await;
    assert_eq!(metric(&app, "alignbot_uninstalled_at_seconds").await, 0.0);
}

#[tokio::test]
async fn an_expired_response_url_fails_that_reply_and_pauses_nothing() {
    let app = spawn_app().await;
    let reply = app
        .post_command(
            "/moment",
            "Mr. Garcia in room 12 called us at 555-123-4567 to say thanks.",
            NURSE,
        )
        .await;
    assert!(reply.text().contains("haven't posted"), "{}", reply.body);
    let draft = app
        .scalar("SELECT id FROM moments WHERE status = 'draft'")
        .await;
    // The response URL carries no token: its 404 is about the hook.
    app.fake.script("hook", [Scripted::Status(404)]);
    app.post_interaction(&button(
        NURSE,
        "draft_post",
        &draft.to_string(),
        On::Message(&app.fake.hook_url("actions/1")),
    ))
    .await;
    app.sent("chat.postMessage", 1).await;
    app.sent("hook", 1).await;
    let counts = app.drain().await;
    assert_eq!((counts.pending, counts.failed), (0, 1), "{counts:?}");
    let reason: String =
        sqlx::query_scalar("SELECT last_error FROM outbox WHERE status = 'failed'")
            .fetch_one(app.ctx.store.reads())
            .await
            .unwrap();
    assert!(reason.contains("404"), "{reason}");
    assert_eq!(metric(&app, "alignbot_delivery_paused").await, 0.0);
}
