//! Socket Mode with several replicas: each `serve` holds its own WebSocket
//! connection (from its own `apps.connections.open`), and Slack spreads
//! envelopes across them, delivering an event's retry to whichever
//! connection it likes. What must hold between processes: each envelope is
//! acked by the replica that got it; a retried event is acted on once
//! whichever replicas get it (the event id is recorded in the database, in
//! the transaction of its effects); and a replica killed while handling an
//! envelope never acks it, so Slack's redelivery to a survivor loses
//! nothing and doubles nothing.
//!
//! The fake Socket Mode server is tests/api's; the test plays Slack on each
//! connection, with the real envelope shapes (tests/fixtures/slack).

use super::*;
use crate::fake_socket::{Connection, FakeSocketMode};
use serde_json::{Value, json};

fn fixture(path: &str) -> Value {
    let path = format!("{}/tests/fixtures/slack/{path}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The real Socket Mode slash-command envelope, carrying `/moment <story n>`.
fn moment_command(id: &str, n: usize) -> Value {
    let mut e = fixture("commands/socket_mode.slash_commands.json");
    e["envelope_id"] = json!(id);
    let p = &mut e["payload"];
    p["team_id"] = json!(TEAM);
    p["api_app_id"] = json!(APP);
    p["command"] = json!("/moment");
    p["text"] = json!(story(n));
    p["user_id"] = json!(PEOPLE[n % PEOPLE.len()]);
    p["response_url"] = json!("http://127.0.0.1:9/hooks/unused");
    e
}

/// The real Socket Mode events_api envelope around an `app_home_opened` by
/// `user`, with Slack's event id `event_id` (the same on every retry).
fn home_opened(id: &str, event_id: &str, user: &str, retry_attempt: u32) -> Value {
    let mut event = fixture("events/app_home_opened.home_tab.json");
    event["event_id"] = json!(event_id);
    event["event"]["user"] = json!(user);
    event["team_id"] = json!(TEAM);
    event["api_app_id"] = json!(APP);
    let mut e = fixture("events/socket_mode.events_api.app_mention.json");
    e["envelope_id"] = json!(id);
    e["payload"] = event;
    e["retry_attempt"] = json!(retry_attempt);
    if retry_attempt > 0 {
        e["retry_reason"] = json!("timeout");
    }
    e
}

/// Replica `n` in Socket Mode, with its own app token, and its connection
/// (past hello).
async fn connect(cluster: &Cluster, socket: &FakeSocketMode, n: usize) -> (Replica, Connection) {
    let app_token = format!("xapp-1-A12345678-replica-{n}");
    let replica = cluster.serve_one(
        n,
        false,
        &[
            ("SLACK_APP_TOKEN", app_token.as_str()),
            // "Duplicate event delivery ignored" is a debug line.
            ("RUST_LOG", "info,alignbot::http::events=debug"),
            // The test reads each connection only when it expects a frame;
            // no ping may find it silent meanwhile.
            ("ALIGNBOT_SOCKET_MODE_PING_INTERVAL_MS", "120000"),
        ],
    );
    let mut conn = socket.next_connection().await;
    conn.hello().await;
    (replica, conn)
}

async fn home_rows(cluster: &Cluster, user: &str) -> i64 {
    cluster
        .count(&format!(
            "SELECT COUNT(*) FROM outbox WHERE dedupe_key = 'home:{user}'"
        ))
        .await
}

fn homes_published(cluster: &Cluster, user: &str) -> usize {
    cluster
        .fake
        .calls_to("views.publish")
        .iter()
        .filter(|c| c.body["user_id"] == user)
        .count()
}

async fn all_sent(cluster: &Cluster) {
    wait_for(Duration::from_secs(20), "every row sent", || async {
        (cluster.pending().await == 0).then_some(())
    })
    .await;
}

fn duplicates_logged(replica: &Replica) -> usize {
    replica
        .log()
        .matches("duplicate event delivery ignored")
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL server binaries (initdb, pg_ctl); .ci/run installs them"]
async fn socket_mode_replicas_each_ack_their_envelopes_and_act_on_an_event_once() {
    let cluster = Cluster::new("").await;
    let socket = FakeSocketMode::start().await;
    cluster.fake.set_socket_url(&socket.url);
    // One at a time, so the test knows which connection is whose.
    let (mut first, mut conn0) = connect(&cluster, &socket, 0).await;
    let (second, mut conn1) = connect(&cluster, &socket, 1).await;

    // Two replicas, two connections, each opened with its own app token.
    assert_eq!(socket.connections(), 2);
    let opened: Vec<String> = cluster
        .fake
        .calls_to("apps.connections.open")
        .into_iter()
        .map(|c| c.token)
        .collect();
    assert_eq!(
        opened,
        ["xapp-1-A12345678-replica-0", "xapp-1-A12345678-replica-1"]
    );

    // A slash command to each: acked on its own connection with the
    // thank-you; each story stored and posted once.
    for (n, conn) in [(0, &mut conn0), (1, &mut conn1)] {
        let id = format!("env-cmd-{n}");
        let ack = conn.exchange(&moment_command(&id, n)).await;
        assert_eq!(ack["envelope_id"], id.as_str());
        assert_eq!(ack["payload"]["response_type"], "ephemeral", "{ack}");
        assert!(ack["payload"].to_string().contains("Thank you"), "{ack}");
    }
    assert_eq!(cluster.count("SELECT COUNT(*) FROM moments").await, 2);

    // An event, then Slack's retry of it (same event id) to the other
    // replica after the first was handled and its Home sent: the retry is
    // acked and does nothing.
    let ack = conn0
        .exchange(&home_opened("env-ev-1", "Ev0REPLICA1", "U0NURSE1", 0))
        .await;
    assert_eq!(ack, json!({"envelope_id": "env-ev-1"}));
    all_sent(&cluster).await;
    assert_eq!(homes_published(&cluster, "U0NURSE1"), 1);
    let ack = conn1
        .exchange(&home_opened("env-ev-1r", "Ev0REPLICA1", "U0NURSE1", 1))
        .await;
    assert_eq!(ack, json!({"envelope_id": "env-ev-1r"}));
    // The ack follows the handler: it has finished, and queued nothing.
    assert_eq!(home_rows(&cluster, "U0NURSE1").await, 1);
    assert_eq!(duplicates_logged(&second), 1);

    // The same event to both at the same time: one acts, the other finds
    // the id taken (the database decides).
    conn0
        .send(&home_opened("env-ev-2a", "Ev0REPLICA2", "U0NURSE2", 0))
        .await;
    conn1
        .send(&home_opened("env-ev-2b", "Ev0REPLICA2", "U0NURSE2", 1))
        .await;
    assert_eq!(conn0.ack_for("env-ev-2a").await["envelope_id"], "env-ev-2a");
    assert_eq!(conn1.ack_for("env-ev-2b").await["envelope_id"], "env-ev-2b");
    assert_eq!(
        duplicates_logged(&first) + duplicates_logged(&second),
        2,
        "one of the two deliveries was a duplicate"
    );
    assert_eq!(home_rows(&cluster, "U0NURSE2").await, 1);
    all_sent(&cluster).await;
    assert_eq!(homes_published(&cluster, "U0NURSE2"), 1);

    // An event reaches the first replica, which is killed while handling
    // it: the test holds the table of handled event ids locked, so its
    // handler provably waits in the database when the kill comes.
    let mut lock = cluster.db.begin().await.unwrap();
    sqlx::query("LOCK TABLE slack_events IN SHARE MODE")
        .execute(&mut *lock)
        .await
        .unwrap();
    conn0
        .send(&home_opened("env-ev-3", "Ev0REPLICA3", "U0NURSE3", 0))
        .await;
    wait_for(
        Duration::from_secs(10),
        "the first replica's handler to wait on the lock",
        || async {
            let waiting: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM pg_stat_activity \
                 WHERE datname = current_database() AND wait_event_type = 'Lock' \
                 AND query LIKE 'INSERT INTO slack_events%'",
            )
            .fetch_one(&cluster.db)
            .await
            .unwrap();
            (waiting == 1).then_some(())
        },
    )
    .await;
    first.kill();
    lock.rollback().await.unwrap();

    // Slack never got an ack for it from the dead replica, so it sends the
    // event again, to the survivor: handled there, once.
    let unanswered = conn0.closed_by_the_bot().await;
    assert!(
        !unanswered.iter().any(|f| f["envelope_id"] == "env-ev-3"),
        "{unanswered:?}"
    );
    let ack = conn1
        .exchange(&home_opened("env-ev-3r", "Ev0REPLICA3", "U0NURSE3", 1))
        .await;
    assert_eq!(ack, json!({"envelope_id": "env-ev-3r"}));
    // A slash command to the survivor still works.
    let ack = conn1.exchange(&moment_command("env-cmd-2", 2)).await;
    assert_eq!(ack["payload"]["response_type"], "ephemeral", "{ack}");
    all_sent(&cluster).await;

    assert_eq!(home_rows(&cluster, "U0NURSE3").await, 1);
    assert_eq!(homes_published(&cluster, "U0NURSE3"), 1);
    assert_eq!(
        cluster
            .count("SELECT COUNT(*) FROM slack_events WHERE event_id LIKE 'Ev0REPLICA%'")
            .await,
        3
    );
    // Nothing lost, nothing twice: each story stored and posted once.
    assert_eq!(cluster.count("SELECT COUNT(*) FROM moments").await, 3);
    let mut stories: Vec<usize> = cluster
        .fake
        .posts_to(MOMENTS)
        .iter()
        .map(story_of)
        .collect();
    stories.sort_unstable();
    assert_eq!(stories, [0, 1, 2]);
    assert_eq!(socket.connections(), 2, "the survivor kept its connection");
    eprintln!(
        "socket mode test: 2 connections, 3 commands, 3 events (one retried after, one raced, one redelivered after a kill), each acted on once"
    );
    drop(second);
}
