//! Socket Mode end to end: the real app connects to a fake Socket Mode
//! server (URL from the fake Slack's `apps.connections.open`), answers
//! envelopes through the same handlers as HTTP, acks them, and reconnects.

use crate::fake_slack::{FakeSlack, Scripted};
use crate::fake_socket::{Connection, FakeSocketMode, envelope};
use crate::helpers::*;
use serde_json::{Value, json};

fn fixture(path: &str) -> Value {
    let path = format!("{}/tests/fixtures/slack/{path}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// An app in Socket Mode, connected, past hello.
async fn connected(fake: FakeSlack, extra: &str) -> (TestApp, FakeSocketMode, Connection) {
    let socket = FakeSocketMode::start().await;
    let app = spawn_socket_app(fake, &socket.url, extra).await;
    let mut conn = socket.next_connection().await;
    conn.hello().await;
    (app, socket, conn)
}

/// The real Socket Mode slash-command envelope, carrying `/moment <story>`.
fn moment_command(id: &str, story: &str, fake: &FakeSlack) -> Value {
    let mut e = fixture("commands/socket_mode.slash_commands.json");
    e["envelope_id"] = json!(id);
    e["payload"]["command"] = json!("/moment");
    e["payload"]["text"] = json!(story);
    e["payload"]["user_id"] = json!(NURSE);
    e["payload"]["response_url"] = json!(fake.hook_url("commands/1"));
    e
}

/// The real Socket Mode events_api envelope around an `app_home_opened`.
fn home_opened(id: &str, retry_attempt: u32) -> Value {
    let mut event = fixture("events/app_home_opened.home_tab.json");
    event["event_id"] = json!("Ev0SOCKET1");
    event["event"]["user"] = json!(NURSE);
    // Sent to our app in the test workspace (others are ignored).
    event["team_id"] = json!(crate::fake_slack::TEAM);
    event["api_app_id"] = json!(crate::fake_slack::APP);
    let mut e = fixture("events/socket_mode.events_api.app_mention.json");
    e["envelope_id"] = json!(id);
    e["payload"] = event;
    e["retry_attempt"] = json!(retry_attempt);
    e
}

/// Stops the app while reading what the bot still sends until it closes.
async fn stop_and_collect(app: TestApp, conn: Connection) -> Vec<Value> {
    let (frames, _) = tokio::join!(conn.closed_by_the_bot(), app.stop());
    frames
}

const STORY: &str = "The night shift stayed an hour late so a family could say goodbye together.";

#[tokio::test]
async fn a_slash_command_is_answered_in_its_ack_and_the_moment_is_stored_and_posted() {
    let (app, _socket, mut conn) = connected(FakeSlack::start().await, "").await;

    let ack = conn
        .exchange(&moment_command("env-cmd-1", STORY, &app.fake))
        .await;

    assert_eq!(ack["envelope_id"], "env-cmd-1");
    assert_eq!(ack["payload"]["response_type"], "ephemeral", "{ack}");
    assert!(ack["payload"].to_string().contains("Thank you"), "{ack}");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM moments WHERE status = 'shared'")
            .await,
        1
    );
    // The ack comes after the handler's transaction: the post is queued.
    let post = &app.sent("chat.postMessage", 1).await[0];
    assert_eq!(post.body["channel"], MOMENTS);
    assert!(blocks_text(&post.body).contains(STORY));
    // The app token only opens the socket; messages go out with the bot token.
    assert_eq!(
        post.authorization.as_deref(),
        Some("Bearer xoxb-test-token")
    );
    let open = &app.fake.calls_to("apps.connections.open")[0];
    assert_eq!(
        open.authorization.as_deref(),
        Some(format!("Bearer {APP_TOKEN}").as_str())
    );
    app.stop().await;
}

#[tokio::test]
async fn a_shortcut_opens_the_form_and_a_bad_submission_is_refused_in_the_ack() {
    let (app, _socket, mut conn) = connected(FakeSlack::start().await, "").await;

    let mut shortcut = fixture("interactions/socket_mode.interactive.shortcut.json");
    shortcut["payload"]["callback_id"] = json!("share_moment");
    shortcut["payload"]["user"]["id"] = json!(NURSE);
    let ack = conn.exchange(&shortcut).await;
    assert_eq!(ack, json!({"envelope_id": shortcut["envelope_id"]}));
    let opened = &app.sent("views.open", 1).await[0];
    assert_eq!(opened.body["trigger_id"], "111.222.xxx");

    let form = Form {
        story: "   ",
        ..Form::default()
    };
    let submitted = envelope(
        "env-submit-1",
        "interactive",
        submission(NURSE, "moment_share", json!({}), &form),
        true,
    );
    let ack = conn.exchange(&submitted).await;
    assert_eq!(ack["payload"]["response_action"], "errors", "{ack}");
    assert!(ack["payload"]["errors"]["story"].is_string(), "{ack}");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM moments").await, 0);
    app.stop().await;
}

#[tokio::test]
async fn an_event_delivered_twice_is_acked_twice_and_handled_once() {
    let (app, _socket, mut conn) = connected(FakeSlack::start().await, "").await;

    let first = conn.exchange(&home_opened("env-ev-1", 0)).await;
    let again = conn.exchange(&home_opened("env-ev-2", 1)).await;

    assert_eq!(first, json!({"envelope_id": "env-ev-1"}));
    assert_eq!(again, json!({"envelope_id": "env-ev-2"}));
    // Each ack follows its handler: both were handled, one Home was queued.
    app.sent("views.publish", 1).await;
    assert_eq!(app.settle().await.sent, 1);
    app.stop().await;
}

#[tokio::test]
async fn envelopes_sent_back_to_back_are_each_acknowledged() {
    let (app, _socket, mut conn) = connected(FakeSlack::start().await, "").await;

    // Several in flight before any ack is read; acks may come in any order.
    let ids: Vec<String> = (0..5).map(|i| format!("env-many-{i}")).collect();
    for (i, id) in ids.iter().enumerate() {
        conn.send(&moment_command(id, &format!("{STORY} ({i})"), &app.fake))
            .await;
    }
    for id in &ids {
        assert_eq!(
            conn.ack_for(id).await["payload"]["response_type"],
            "ephemeral"
        );
    }
    assert_eq!(app.scalar("SELECT COUNT(*) FROM moments").await, 5);
    app.stop().await;
}

#[tokio::test]
async fn a_refresh_request_leads_to_a_new_connection_that_works() {
    let (app, socket, mut conn) = connected(FakeSlack::start().await, "").await;

    conn.disconnect("refresh_requested").await;
    conn.closed_by_the_bot().await;
    let mut second = socket.next_connection().await;
    second.hello().await;

    assert_eq!(app.fake.calls_to("apps.connections.open").len(), 2);
    let ack = second
        .exchange(&moment_command("env-after-refresh", STORY, &app.fake))
        .await;
    assert_eq!(ack["payload"]["response_type"], "ephemeral", "{ack}");
    app.sent("chat.postMessage", 1).await;
    app.stop().await;
}

#[tokio::test]
async fn a_dropped_socket_is_reconnected() {
    let (app, socket, conn) = connected(FakeSlack::start().await, "").await;

    conn.drop_abruptly();
    let mut second = socket.next_connection().await;
    second.hello().await;

    assert_eq!(socket.connections(), 2);
    let ack = second
        .exchange(&moment_command("env-after-drop", STORY, &app.fake))
        .await;
    assert_eq!(ack["payload"]["response_type"], "ephemeral", "{ack}");
    app.stop().await;
}

#[tokio::test]
async fn a_socket_that_falls_silent_is_replaced() {
    let extra =
        "[socket_mode]\ninitial_backoff_ms = 20\nmax_backoff_ms = 200\nping_interval_ms = 50\n";
    // The first connection is never read from again, so the bot's pings get
    // no pong: a half-open connection, as after a silent network failure.
    let (app, socket, _silent) = connected(FakeSlack::start().await, extra).await;

    let mut second = socket.next_connection().await;
    second.hello().await;

    assert_eq!(app.fake.calls_to("apps.connections.open").len(), 2);
    let ack = second
        .exchange(&moment_command("env-after-silence", STORY, &app.fake))
        .await;
    assert_eq!(ack["envelope_id"], "env-after-silence");
    app.stop().await;
}

#[tokio::test]
async fn a_socket_closed_without_hello_and_link_disabled_are_retried() {
    let (app, socket, mut conn) = connected(FakeSlack::start().await, "").await;

    // Socket Mode turned off in Slack: keep trying (slowly) until it is back.
    conn.disconnect("link_disabled").await;
    conn.closed_by_the_bot().await;
    // A connection that ends before hello is a failure too.
    socket.next_connection().await.drop_abruptly();
    let mut third = socket.next_connection().await;
    third.hello().await;

    assert_eq!(app.fake.calls_to("apps.connections.open").len(), 3);
    let ack = third
        .exchange(&moment_command("env-third", STORY, &app.fake))
        .await;
    assert_eq!(ack["envelope_id"], "env-third");
    app.stop().await;
}

#[tokio::test]
async fn apps_connections_open_failing_is_retried_until_it_succeeds() {
    let fake = FakeSlack::start().await;
    fake.script(
        "apps.connections.open",
        [Scripted::ApiError("invalid_auth"), Scripted::Status(500)],
    );

    let (app, socket, mut conn) = connected(fake, "").await;

    assert_eq!(app.fake.calls_to("apps.connections.open").len(), 3);
    assert_eq!(socket.connections(), 1);
    let ack = conn
        .exchange(&moment_command("env-after-failures", STORY, &app.fake))
        .await;
    assert_eq!(ack["envelope_id"], "env-after-failures");
    app.stop().await;
}

#[tokio::test]
async fn unreadable_frames_do_not_end_the_connection() {
    let (app, socket, mut conn) = connected(FakeSlack::start().await, "").await;

    conn.send_text("this is not JSON").await;
    conn.send_text(r#"{"envelope_id": "no-type"}"#).await;
    conn.send(&json!({"type": "events_api"})).await;
    conn.send(&envelope(
        "env-bad-event",
        "events_api",
        json!("not an event"),
        false,
    ))
    .await;
    let unknown = conn
        .exchange(&envelope("env-future", "future_kind", json!({}), false))
        .await;
    assert_eq!(unknown, json!({"envelope_id": "env-future"}));

    let ack = conn
        .exchange(&moment_command("env-still-fine", STORY, &app.fake))
        .await;
    assert_eq!(ack["payload"]["response_type"], "ephemeral", "{ack}");
    assert_eq!(app.fake.calls_to("apps.connections.open").len(), 1);
    assert_eq!(socket.connections(), 1);
    // The malformed event was refused (400), so it was not acknowledged.
    let rest = stop_and_collect(app, conn).await;
    assert!(
        !rest.iter().any(|f| f["envelope_id"] == "env-bad-event"),
        "{rest:?}"
    );
}

#[tokio::test]
async fn over_http_the_slack_routes_stay_strict() {
    let socket = FakeSocketMode::start().await;
    let app = spawn_socket_app(FakeSlack::start().await, &socket.url, "").await;
    let body = command_body("/moment", STORY, NURSE, &app.fake);
    let unsigned = app
        .post_raw("/slack/commands", FORM, body.clone(), None, None)
        .await;
    assert_eq!(unsigned.status, 401);
    // With the signing secret set, signed HTTP requests still work.
    assert_eq!(app.post_command("/moment", STORY, NURSE).await.status, 200);
    app.stop().await;

    // Without a signing secret, Socket Mode runs and HTTP refuses everything.
    let socket = FakeSocketMode::start().await;
    let app = spawn_socket_app(
        FakeSlack::start().await,
        &socket.url,
        "# no signing secret\n",
    )
    .await;
    let signed = app.post_command("/moment", STORY, NURSE).await;
    assert_eq!(signed.status, 401);
    let unsigned = app
        .post_raw("/slack/commands", FORM, body, None, None)
        .await;
    assert_eq!(unsigned.status, 401);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM moments").await, 0);
    let mut conn = socket.next_connection().await;
    conn.hello().await;
    let ack = conn
        .exchange(&moment_command("env-no-secret", STORY, &app.fake))
        .await;
    assert_eq!(ack["payload"]["response_type"], "ephemeral", "{ack}");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM moments").await, 1);
    app.stop().await;
}

#[tokio::test]
async fn stopping_the_app_closes_the_socket() {
    let (app, socket, conn) = connected(FakeSlack::start().await, "").await;
    let rest = stop_and_collect(app, conn).await;
    assert!(rest.is_empty(), "{rest:?}");
    assert_eq!(socket.connections(), 1, "no reconnect after a stop");
}

#[test]
fn the_socket_mode_manifest_is_the_http_one_without_request_urls() {
    let manifest = |name: &str| {
        let text = std::fs::read_to_string(format!(
            "{}/deploy/slack/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        // The comments above differ; the manifest itself starts here.
        text[text.find("_metadata:").unwrap()..].to_owned()
    };
    let from_http: Vec<String> = manifest("manifest.yaml")
        .lines()
        .filter(|l| {
            let l = l.trim_start();
            !l.starts_with("url: ") && !l.starts_with("request_url: ")
        })
        .map(|l| l.replace("socket_mode_enabled: false", "socket_mode_enabled: true"))
        .collect();
    let socket: Vec<String> = manifest("manifest.socket-mode.yaml")
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(socket, from_http);
    assert!(
        socket
            .iter()
            .any(|l| l.contains("socket_mode_enabled: true"))
    );
}

#[tokio::test]
async fn a_slow_envelope_does_not_hold_up_the_ack_of_another() {
    use alignbot::config::SocketModeSettings;
    use alignbot::slack::client::build_client;
    use alignbot::slack::socket_mode::SocketMode;
    use axum::routing::post;
    use std::sync::Arc;
    use std::time::Duration;
    use tokio::sync::Notify;

    // The client alone, in front of a router whose handler for "slow" waits
    // until the test lets it go: the real handlers are all fast.
    let fake = FakeSlack::start().await;
    let socket = FakeSocketMode::start().await;
    fake.set_socket_url(&socket.url);
    let gate = Arc::new(Notify::new());
    let held = gate.clone();
    let router = axum::Router::new().route(
        "/slack/commands",
        post(move |body: String| {
            let held = held.clone();
            async move {
                if body.contains("slow") {
                    held.notified().await;
                }
                axum::Json(json!({"text": body}))
            }
        }),
    );
    let settings = SocketModeSettings {
        initial_backoff: Duration::from_millis(20),
        max_backoff: Duration::from_millis(200),
        ..SocketModeSettings::default()
    };
    let client = build_client(&fake.api_url()).unwrap();
    let stop = tokio_util::sync::CancellationToken::new();
    let running = tokio::spawn(
        SocketMode::new(client, &APP_TOKEN.to_owned().into(), settings).run(router, stop.clone()),
    );
    let mut conn = socket.next_connection().await;
    conn.hello().await;

    let command = |id: &str, text: &str| {
        envelope(
            id,
            "slash_commands",
            json!({"command": "/x", "text": text}),
            true,
        )
    };
    conn.send(&command("env-slow", "slow")).await;
    let fast = conn.exchange(&command("env-fast", "fast")).await;
    assert!(fast["payload"]["text"].as_str().unwrap().contains("fast"));

    gate.notify_one();
    let slow = conn.ack_for("env-slow").await;
    assert!(slow["payload"]["text"].as_str().unwrap().contains("slow"));
    stop.cancel();
    running.await.unwrap();
}
