//! A signed request sent again within its five-minute window is answered
//! and not acted on again, whichever replica it reaches.

use crate::helpers::*;
use alignbot::slack::verify::sign;

/// A `/moment` exactly as Slack signed it once: the same bytes and headers
/// can be sent any number of times.
struct Captured {
    body: Vec<u8>,
    timestamp: String,
    signature: String,
}

fn capture(app: &TestApp, body: Vec<u8>) -> Captured {
    let timestamp = app.timestamp();
    let signature = sign(SECRET, &timestamp, &body);
    Captured {
        body,
        timestamp,
        signature,
    }
}

async fn send(app: &TestApp, path: &str, request: &Captured) -> Reply {
    app.post_raw(
        path,
        FORM,
        request.body.clone(),
        Some(request.timestamp.clone()),
        Some(request.signature.clone()),
    )
    .await
}

#[tokio::test]
pub(crate) async fn the_same_signed_moment_sent_three_times_makes_one_moment() {
    let app = spawn_app().await;
    let body = command_body("/moment", "Replayed story.", NURSE, &app.fake);
    let request = capture(&app, body);
    let first = send(&app, "/slack/commands", &request).await;
    assert_eq!(first.status, 200);
    assert!(first.text().contains("Thank"), "{}", first.body);
    for _ in 0..2 {
        app.advance(60);
        let again = send(&app, "/slack/commands", &request).await;
        assert_eq!(again.status, 200);
        assert!(
            again.text().contains("handled the first time"),
            "{}",
            again.body
        );
    }
    assert_eq!(app.scalar("SELECT COUNT(*) FROM moments").await, 1);
    assert_eq!(app.settle().await.sent, 1);
    app.sent("chat.postMessage", 1).await;
    // A new request with the same words is a new request.
    let reply = app.post_command("/moment", "Replayed story.", NURSE).await;
    assert!(reply.text().contains("Thank"), "{}", reply.body);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM moments").await, 2);
}

#[tokio::test]
pub(crate) async fn ten_copies_at_once_make_one_moment() {
    let app = spawn_app().await;
    let body = command_body("/moment", "Raced story.", NURSE, &app.fake);
    let request = capture(&app, body);
    let replies =
        futures_util::future::join_all((0..10).map(|_| send(&app, "/slack/commands", &request)))
            .await;
    assert!(replies.iter().all(|r| r.status == 200));
    let thanked = replies
        .iter()
        .filter(|r| r.text().contains("Thank"))
        .count();
    assert_eq!(thanked, 1);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM moments").await, 1);
}

#[tokio::test]
async fn a_replay_sent_to_another_replica_is_refused_too() {
    let app = spawn_app().await;
    let replica = app.twin().await;
    let body = command_body("/moment", "Story for two replicas.", NURSE, &app.fake);
    let request = capture(&app, body);
    assert!(
        send(&app, "/slack/commands", &request)
            .await
            .text()
            .contains("Thank")
    );
    let again = send(&replica, "/slack/commands", &request).await;
    assert_eq!(again.status, 200);
    assert!(
        again.text().contains("handled the first time"),
        "{}",
        again.body
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM moments").await, 1);
}

#[tokio::test]
async fn a_replayed_form_submission_shares_once() {
    let app = spawn_app().await;
    let form = Form {
        story: "Submitted once.",
        ..Form::default()
    };
    let payload = submission(NURSE, "moment_share", serde_json::json!({}), &form);
    let body = serde_urlencoded::to_string([("payload", payload.to_string())])
        .unwrap()
        .into_bytes();
    let request = capture(&app, body);
    assert_eq!(
        send(&app, "/slack/interactions", &request).await.status,
        200
    );
    let again = send(&app, "/slack/interactions", &request).await;
    assert_eq!((again.status, again.body.as_str()), (200, ""));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM moments").await, 1);
}

#[tokio::test]
pub(crate) async fn the_memory_forgets_requests_once_their_window_is_over() {
    let app = spawn_app().await;
    app.post_command("/moment", "Remembered a while.", NURSE)
        .await;
    assert_eq!(app.scalar("SELECT COUNT(*) FROM request_replays").await, 1);
    // Serve's hourly housekeeping pass, run here to its end: within the
    // window the hash is kept, after it pruned.
    let housekeeper =
        alignbot::housekeeping::Housekeeper::new(app.ctx.clone(), app.settings().data, None);
    app.advance(300);
    housekeeper.pass(false).await;
    assert_eq!(app.scalar("SELECT COUNT(*) FROM request_replays").await, 1);
    app.advance(1);
    housekeeper.pass(false).await;
    assert_eq!(app.scalar("SELECT COUNT(*) FROM request_replays").await, 0);
}
