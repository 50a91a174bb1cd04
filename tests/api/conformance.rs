//! Slack conformance: the manifests ask for what the code uses, events for
//! another app or workspace are ignored, an Enterprise Grid org-wide install
//! is understood, and private replies never turn user text into markup.

use crate::fake_slack::{APP, BOT, Installation, Scripted, TEAM};
use crate::helpers::*;
use alignbot::slack::event::HANDLED_EVENTS;
use serde_json::{Value, json};
use std::collections::BTreeSet;

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/slack/events/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn read(path: &str) -> String {
    std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// The items of the YAML block list under `key:` (at any depth), without
/// their comments. Our manifests use plain block lists only.
fn block_list(manifest: &str, key: &str) -> BTreeSet<String> {
    let mut lines = manifest
        .lines()
        .skip_while(|l| l.trim() != format!("{key}:"));
    let header = lines.next().unwrap_or_else(|| panic!("no `{key}:`"));
    let indent = header.len() - header.trim_start().len();
    lines
        .take_while(|l| l.trim().is_empty() || l.len() - l.trim_start().len() > indent)
        .filter_map(|l| l.trim().strip_prefix("- "))
        .map(|item| item.split('#').next().unwrap().trim().to_owned())
        .collect()
}

const MANIFESTS: [&str; 2] = [
    "deploy/slack/manifest.yaml",
    "deploy/slack/manifest.socket-mode.yaml",
];

/// Every bot scope the code needs (see docs/slack-setup.md for each reason).
const SCOPES: [&str; 7] = [
    "channels:history",
    "chat:write",
    "chat:write.public",
    "commands",
    "im:write",
    "reactions:read",
    "users:read",
];

#[test]
fn each_manifest_subscribes_to_exactly_the_events_the_code_handles() {
    let handled: BTreeSet<String> = HANDLED_EVENTS.iter().map(|e| e.to_string()).collect();
    for path in MANIFESTS {
        let manifest = read(path);
        assert_eq!(block_list(&manifest, "bot_events"), handled, "{path}");
        let scopes: BTreeSet<String> = SCOPES.iter().map(|s| s.to_string()).collect();
        assert_eq!(block_list(&manifest, "bot"), scopes, "{path}");
        assert!(
            !manifest.contains("user_events") && !manifest.contains("\n    user:"),
            "{path}: no user scopes or events"
        );
    }
    // The setup page gives every scope and event its reason.
    let setup = read("docs/slack-setup.md");
    for name in SCOPES.iter().chain(HANDLED_EVENTS) {
        assert!(
            setup
                .lines()
                .any(|l| l.starts_with('|') && l.contains(&format!("`{name}`"))),
            "docs/slack-setup.md explains {name}"
        );
    }
    assert!(setup.contains("Export before you uninstall"));
}

/// A real event of `name`, sent to `app` in `team`.
fn event_from(name: &str, id: &str, app: &str, team: &str) -> Value {
    let mut e = fixture(name);
    e["event_id"] = json!(id);
    e["api_app_id"] = json!(app);
    e["team_id"] = json!(team);
    e
}

fn home_from(id: &str, app: &str, team: &str) -> Value {
    let mut e = event_from("app_home_opened.home_tab.json", id, app, team);
    e["event"]["user"] = json!(NURSE);
    e
}

#[tokio::test]
async fn events_for_another_app_or_workspace_are_acknowledged_and_ignored() {
    let app = spawn_app().await;
    // At start the app asked Slack who it is.
    assert_eq!(app.fake.calls_to("auth.test").len(), 1);
    assert_eq!(app.fake.calls_to("bots.info")[0].body["bot"], BOT);

    for event in [
        home_from("Ev0FOREIGN1", "A0OTHERAPP", TEAM),
        home_from("Ev0FOREIGN2", APP, "T0OTHERTEAM"),
        // A foreign uninstall must not stop our delivery.
        event_from("app_uninstalled.json", "Ev0FOREIGN3", APP, "T0OTHERTEAM"),
        event_from("tokens_revoked.json", "Ev0FOREIGN4", "A0OTHERAPP", TEAM),
    ] {
        let reply = app.post_event(&event).await;
        assert_eq!(reply.status, 200, "{event}");
    }
    // Events are handled within their request: nothing was recorded or queued.
    assert_eq!(app.scalar("SELECT COUNT(*) FROM slack_events").await, 0);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM outbox").await, 0);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM install_state WHERE stopped_at IS NOT NULL")
            .await,
        0
    );
    assert!(!app.ctx.delivery_stopped());

    // The same event sent to us is handled.
    app.post_event(&home_from("Ev0OURS", APP, TEAM)).await;
    let publish = app.sent("views.publish", 1).await;
    assert_eq!(publish[0].body["user_id"], NURSE);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM slack_events").await, 1);
}

#[tokio::test]
async fn a_slack_connect_event_is_ours_when_its_authorizations_name_our_workspace() {
    let app = spawn_app().await;
    // The real shared-channel event: the envelope names the other side.
    let mut event = home_from("Ev0SHARED", APP, "T0THEIRS");
    event["authorizations"] = fixture("app_mention.shared_channel.json")["authorizations"].clone();
    event["authorizations"][0]["team_id"] = json!(TEAM);
    app.post_event(&event).await;
    app.sent("views.publish", 1).await;

    event["event_id"] = json!("Ev0SHARED2");
    event["authorizations"][0]["team_id"] = json!("T0THEIRS");
    assert_eq!(app.post_event(&event).await.status, 200);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM slack_events").await, 1);
}

#[tokio::test]
async fn an_enterprise_grid_org_wide_install_renders_home_for_its_workspaces_only() {
    let app = spawn_app().await;
    app.fake.set_installation(Installation {
        team_id: "E0ORG".into(),
        enterprise_id: Some("E0ORG".into()),
        app_id: APP.into(),
    });
    let app = app.restart().await;

    // The real org-wide event: `authorizations[].team_id` is null.
    let org_event = |id: &str, org: &str| {
        let mut e = fixture("app_home_opened.home_tab.enterprise.json");
        assert!(e["authorizations"][0]["team_id"].is_null());
        e["event_id"] = json!(id);
        e["api_app_id"] = json!(APP);
        e["enterprise_id"] = json!(org);
        e["authorizations"][0]["enterprise_id"] = json!(org);
        e["event"]["user"] = json!(NURSE);
        e
    };
    assert_eq!(
        app.post_event(&org_event("Ev0ORG1", "E0OTHERORG"))
            .await
            .status,
        200
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM slack_events").await, 0);

    assert_eq!(
        app.post_event(&org_event("Ev0ORG2", "E0ORG")).await.status,
        200
    );
    let publish = app.sent("views.publish", 1).await;
    assert_eq!(publish[0].body["user_id"], NURSE);
    assert_eq!(publish[0].body["view"]["type"], "home");
}

#[tokio::test]
async fn while_slack_cannot_say_who_we_are_events_are_not_filtered() {
    let app = spawn_app().await;
    app.fake.script("auth.test", [Scripted::Status(503)]);
    let app = app.restart().await;
    app.post_event(&home_from("Ev0UNKNOWN", "A0OTHERAPP", "T0OTHERTEAM"))
        .await;
    app.sent("views.publish", 1).await;
}

#[tokio::test]
async fn a_look_up_that_failed_is_tried_again_by_an_event_an_hour_later() {
    let app = spawn_app().await;
    app.fake.script("auth.test", [Scripted::Status(503)]);
    let app = app.restart().await;
    assert_eq!(
        app.fake.calls_to("auth.test").len(),
        2,
        "asked at each start"
    );
    app.advance(3600);
    // This event finds the ids unknown (it is handled) and starts a look-up.
    app.post_event(&home_from("Ev0LATER", "A0OTHERAPP", TEAM))
        .await;
    app.fake.wait_for("bots.info", 2).await;
    // The look-up runs beside the requests: poll until a foreign event is
    // ignored (each one handled meanwhile adds a row).
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    for n in 0.. {
        let before = app.scalar("SELECT COUNT(*) FROM slack_events").await;
        app.post_event(&home_from(&format!("Ev0POLL{n}"), "A0OTHERAPP", TEAM))
            .await;
        if app.scalar("SELECT COUNT(*) FROM slack_events").await == before {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "never learned");
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn ids_in_the_settings_win_over_what_slack_says() {
    let app = spawn_app_at("[slack]\napp_id = \"A0SETTINGS\"\n", start_time()).await;
    app.post_event(&home_from("Ev0SET1", APP, TEAM)).await;
    assert_eq!(app.scalar("SELECT COUNT(*) FROM slack_events").await, 0);
    app.post_event(&home_from("Ev0SET2", "A0SETTINGS", TEAM))
        .await;
    app.sent("views.publish", 1).await;
    // The team still came from Slack.
    app.post_event(&home_from("Ev0SET3", "A0SETTINGS", "T0OTHERTEAM"))
        .await;
    assert_eq!(app.scalar("SELECT COUNT(*) FROM slack_events").await, 1);
}

/// The reply's top-level `text` (what notifications and screen readers
/// show) and every block.
fn reply_texts(reply: &Reply) -> Vec<String> {
    let body = reply.json();
    let mut texts = vec![body["text"].as_str().unwrap_or_default().to_owned()];
    texts.push(body["blocks"].to_string());
    texts
}

#[tokio::test]
async fn private_replies_escape_the_goal_title_and_an_unknown_subcommand() {
    let app = spawn_app().await;
    const LEAD: &str = "U0LEAD1";
    let added = app
        .post_command(
            "/goal",
            "add <!channel> meet <@U0ADMIN> & <https://evil.example|our wiki> pillar:patient-care",
            LEAD,
        )
        .await;
    assert!(added.text().contains("#1"), "{}", added.body);

    let show = app.post_command("/goal", "show 1", NURSE).await;
    let top = show.json()["text"].as_str().unwrap().to_owned();
    assert!(
        top.contains(
            "&lt;!channel&gt; meet &lt;@U0ADMIN&gt; &amp; &lt;https://evil.example|our wiki&gt;"
        ),
        "the title as written, escaped: {top}"
    );

    for (command, text) in [("/goal", "<!here> <@U0ADMIN>"), ("/align", "<!channel>")] {
        let reply = app.post_command(command, text, NURSE).await;
        assert_eq!(reply.status, 200);
        for shown in reply_texts(&reply) {
            for markup in ["<!here>", "<!channel>", "<@U0ADMIN>"] {
                assert!(!shown.contains(markup), "{command} {text}: {shown}");
            }
        }
        assert!(
            reply.json()["text"].as_str().unwrap().contains("&lt;!"),
            "{}",
            reply.body
        );
    }
}
