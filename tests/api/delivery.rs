use crate::fake_slack::Scripted;
use crate::helpers::*;
use std::time::Duration;

async fn next_attempt_in(app: &TestApp) -> i64 {
    let at: i64 = app
        .scalar("SELECT next_attempt_at FROM outbox WHERE status = 'pending' ORDER BY id LIMIT 1")
        .await;
    (at - app.clock.now_ts() * 1000) / 1000
}

async fn sent_posts(app: &TestApp) -> i64 {
    app.scalar("SELECT COUNT(*) FROM moments WHERE ts IS NOT NULL")
        .await
}

#[tokio::test]
pub(crate) async fn a_429_is_retried_only_after_its_retry_after() {
    let app = spawn_app().await;
    app.fake.script(
        "chat.postMessage",
        [Scripted::RateLimited { retry_after: 7 }],
    );
    app.post_command("/moment", "Rate limited story.", NURSE)
        .await;
    app.sent("chat.postMessage", 1).await;
    // The outcome is recorded: the row is rescheduled 7 s out.
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM outbox WHERE last_error IS NOT NULL")
            .await,
        1,
        "the 429 is recorded"
    );
    assert_eq!(next_attempt_in(&app).await, 7);
    app.advance(6);
    // Not before Retry-After.
    app.sent("chat.postMessage", 1).await;
    app.advance(1);
    app.sent("chat.postMessage", 2).await;
    let counts = app.settle().await;
    assert_eq!((counts.sent, counts.failed), (1, 0));
    assert_eq!(sent_posts(&app).await, 1);
}

#[tokio::test]
async fn server_errors_are_retried_with_backoff_until_slack_recovers_and_posted_once() {
    let app = spawn_app().await;
    app.fake.script(
        "chat.postMessage",
        [
            Scripted::Status(500),
            Scripted::Status(503),
            Scripted::Status(502),
        ],
    );
    app.post_command("/moment", "Outage story.", NURSE).await;
    for attempt in 1..=3 {
        app.sent("chat.postMessage", attempt).await;
        // Backoff doubles: about 1 s, 2 s, 4 s (±25 %).
        app.advance(1 << attempt);
    }
    app.sent("chat.postMessage", 4).await;
    let counts = app.settle().await;
    assert_eq!((counts.sent, counts.failed), (1, 0));
    assert_eq!(sent_posts(&app).await, 1);
    assert_eq!(app.fake.calls_to("chat.postMessage").len(), 4);
}

#[tokio::test]
async fn a_timeout_is_retried() {
    let app = spawn_app().await;
    app.fake
        .script("chat.postMessage", [Scripted::Slow(Duration::from_secs(3))]);
    app.post_command("/moment", "Slow story.", NURSE).await;
    app.sent("chat.postMessage", 1).await;
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM outbox WHERE last_error LIKE 'no answer within%'")
            .await,
        1,
        "the timeout is recorded"
    );
    app.advance(2);
    app.sent("chat.postMessage", 2).await;
    assert_eq!(app.settle().await.sent, 1);
}

#[tokio::test]
async fn a_permanent_error_stops_the_message_with_its_reason() {
    let app = spawn_app().await;
    app.fake.script(
        "chat.postMessage",
        [Scripted::ApiError("channel_not_found")],
    );
    app.post_command("/moment", "Nowhere to go.", NURSE).await;
    app.sent("chat.postMessage", 1).await;
    let counts = app.settle().await;
    assert_eq!((counts.sent, counts.failed), (0, 1));
    let reason: String =
        sqlx::query_scalar("SELECT last_error FROM outbox WHERE status = 'failed'")
            .fetch_one(app.ctx.store.reads())
            .await
            .unwrap();
    assert_eq!(reason, "channel_not_found");
    app.advance(3600);
    assert_eq!(app.drain().await.pending, 0, "never retried");
    assert_eq!(app.fake.calls_to("chat.postMessage").len(), 1);
}

#[tokio::test]
pub(crate) async fn pending_messages_survive_a_restart_and_are_posted_exactly_once() {
    let app = spawn_app().await;
    app.fake.script(
        "chat.postMessage",
        [Scripted::Status(500), Scripted::Status(500)],
    );
    app.post_command("/moment", "Story one survives.", NURSE)
        .await;
    app.sent("chat.postMessage", 1).await;
    let app = app.restart().await;
    assert_eq!(
        app.outbox().await.pending,
        1,
        "still pending after the restart"
    );
    app.advance(2);
    app.sent("chat.postMessage", 2).await;
    app.advance(4);
    let posts = app.sent("chat.postMessage", 3).await;
    let counts = app.settle().await;
    assert_eq!((counts.sent, counts.failed), (1, 0));
    assert_eq!(sent_posts(&app).await, 1);
    assert_eq!(posts.len(), 3, "two failures, one success, no duplicate");
}

#[tokio::test]
pub(crate) async fn one_channel_gets_at_most_one_message_per_second_in_order() {
    let app = spawn_app().await;
    for i in 1..=3 {
        app.post_command("/moment", &format!("Story number {i}."), NURSE)
            .await;
    }
    // One round sends the channel's oldest; the next waits for the pace.
    let round = app.step().await;
    assert_eq!((round.sent, round.retried, round.failed), (1, 0, 0));
    app.sent("chat.postMessage", 1).await;
    for n in 2..=3 {
        // Not a moment before the second is over.
        app.clock.advance(chrono::Duration::milliseconds(999));
        app.sent("chat.postMessage", n - 1).await;
        app.clock.advance(chrono::Duration::milliseconds(1));
        app.sent("chat.postMessage", n).await;
    }
    let posts = app.fake.calls_to("chat.postMessage");
    for (i, post) in posts.iter().enumerate() {
        assert!(
            blocks_text(&post.body).contains(&format!("Story number {}.", i + 1)),
            "in order"
        );
    }
}

#[tokio::test]
async fn messages_to_different_channels_do_not_wait_for_each_other() {
    let app = spawn_app().await;
    app.post_command("/moment", "For everyone.", NURSE).await;
    let form = Form {
        story: "For leaders.",
        audience: "leaders",
        ..Form::default()
    };
    app.post_interaction(&submission(
        NURSE,
        "moment_share",
        serde_json::json!({}),
        &form,
    ))
    .await;
    let posts = app.sent("chat.postMessage", 2).await;
    let channels: Vec<_> = posts
        .iter()
        .map(|p| p.body["channel"].as_str().unwrap().to_owned())
        .collect();
    assert!(channels.contains(&MOMENTS.to_owned()) && channels.contains(&LEADERS.to_owned()));
}

#[tokio::test]
async fn a_modal_whose_trigger_expired_during_an_outage_is_dropped_not_retried() {
    let app = spawn_app().await;
    app.fake.script("views.open", [Scripted::Status(503)]);
    app.post_command("/moment", "", NURSE).await;
    app.sent("views.open", 1).await;
    app.advance(5);
    let counts = app.settle().await;
    assert_eq!((counts.sent, counts.failed), (0, 1));
    let reason: String =
        sqlx::query_scalar("SELECT last_error FROM outbox WHERE status = 'failed'")
            .fetch_one(app.ctx.store.reads())
            .await
            .unwrap();
    assert!(reason.contains("expired"), "{reason}");
    assert_eq!(app.fake.calls_to("views.open").len(), 1);
}

#[tokio::test]
async fn a_fan_out_keeps_to_the_workspace_pace() {
    let config = CONFIG.trim_start().replace(
        "request_timeout_ms = 400",
        "request_timeout_ms = 400\nmax_per_second = 2",
    );
    let app = spawn_app_at(&config, start_time()).await;
    let m = alignbot::scheduler::schedule::Month::containing(
        start_time(),
        chrono_tz::America::New_York,
    );
    let summary = alignbot::app::jobs::run(
        &app.ctx,
        alignbot::app::jobs::Job::MomentsNudge,
        m,
        alignbot::app::jobs::Trigger::Manual,
    )
    .await
    .unwrap();
    assert_eq!(summary.enqueued, 3);
    // Two per second.
    app.sent("chat.postMessage", 2).await;
    app.advance(1);
    app.sent("chat.postMessage", 3).await;
}
