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
    // The two posts, and the form's confirmation in the author's DM.
    let posts = app.sent("chat.postMessage", 3).await;
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
pub(crate) async fn a_fan_out_keeps_to_the_workspace_pace() {
    let app = spawn_app_at(&paced(2), start_time()).await;
    assert_eq!(nudge_everyone(&app).await, 3);
    // At most two calls in any one second: two at once, then nothing until
    // a second after them.
    app.sent("chat.postMessage", 2).await;
    app.clock.advance(chrono::Duration::milliseconds(999));
    app.sent("chat.postMessage", 2).await;
    app.clock.advance(chrono::Duration::milliseconds(1));
    app.sent("chat.postMessage", 3).await;
}

#[tokio::test]
async fn a_call_that_reaches_slack_late_frees_its_slot_a_second_after_it_arrived() {
    let app = spawn_app_at(&paced(1), start_time()).await;
    app.fake.set_clock(app.clock.clone());
    // The first call is on its way for 600 ms: it reaches Slack (and is
    // answered) at +600 ms.
    app.fake.script(
        "chat.postMessage",
        [Scripted::Late(chrono::Duration::milliseconds(600))],
    );
    assert_eq!(nudge_everyone(&app).await, 3);
    let first = app.sent("chat.postMessage", 1).await;
    let arrived = first[0].at.unwrap();
    assert_eq!(arrived, start_time() + chrono::Duration::milliseconds(600));
    // A second after the call was made is not enough: it reached Slack later.
    app.clock
        .set(start_time() + chrono::Duration::milliseconds(1_000));
    app.sent("chat.postMessage", 1).await;
    app.clock.set(arrived + chrono::Duration::milliseconds(999));
    app.sent("chat.postMessage", 1).await;
    app.clock.set(arrived + chrono::Duration::seconds(1));
    app.sent("chat.postMessage", 2).await;
    assert_eq!(app.fake.busiest_second("chat.postMessage"), 1);
}

#[tokio::test]
async fn a_slot_whose_call_was_never_made_is_given_back() {
    let app = spawn_app_at(&paced(1), start_time()).await;
    assert_eq!(nudge_everyone(&app).await, 3);
    // One of the three is forgotten before delivery: their nudge is
    // skipped, and its slot must not cost anyone else a second.
    let person = alignbot::domain::PersonId::parse(NURSE).unwrap();
    alignbot::app::data_rights::forget(&app.ctx, person)
        .await
        .unwrap();
    let now = app.drain().await;
    let then = {
        app.advance(1);
        app.drain().await
    };
    // One call a second: the two left are posted at +0 s and +1 s, and the
    // skipped one cost no slot (held, it would keep the meter full for the
    // claim's lease).
    assert_eq!(app.fake.calls_to("chat.postMessage").len(), 2, "{now:?}");
    assert_eq!((then.pending, then.sent), (0, 3));
    assert!(
        app.fake
            .calls_to("chat.postMessage")
            .iter()
            .all(|c| c.body["channel"] != NURSE)
    );
}

#[tokio::test]
async fn a_pace_lowered_between_restarts_is_honoured() {
    let app = spawn_app_at(&with_people(&paced(3), 3), start_time()).await;
    assert_eq!(nudge_everyone(&app).await, 7);
    app.sent("chat.postMessage", 3).await;
    // Restarted with one call a second: slots 1 and 2, free again at +1 s
    // like slot 0, are no longer the pace's.
    let app = app.restart_with(&with_people(&paced(1), 3)).await;
    app.advance(1);
    app.sent("chat.postMessage", 4).await;
    app.clock.advance(chrono::Duration::milliseconds(999));
    app.sent("chat.postMessage", 4).await;
    app.clock.advance(chrono::Duration::milliseconds(1));
    app.sent("chat.postMessage", 5).await;
}

/// `config` with a team of `members` more people (and its leader), each
/// nudged in their own DM.
fn with_people(config: &str, members: usize) -> String {
    let people: Vec<String> = (0..members).map(|n| format!("\"U0FAN{n:03}\"")).collect();
    format!(
        "{config}\n[[teams]]\nkey = \"fan-out\"\nname = \"Fan-out\"\nchannel = \"C0FANOUT\"\n\
         leaders = [\"U0FANLEAD\"]\nmembers = [{}]\n",
        people.join(", ")
    )
}
