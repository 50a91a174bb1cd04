//! Forgetting a person, and what uninstalling the app does.

use crate::edit_delete::shared;
use crate::fake_slack::{APP, Scripted, TEAM};
use crate::helpers::*;
use serde_json::{Value, json};

const LEAD: &str = "U0LEAD1";

fn user_change(event_id: &str, user: &str, deleted: bool) -> Value {
    json!({
        "token": "verification_token", "team_id": "T0TEAM", "api_app_id": "A0APP",
        "type": "event_callback", "event_id": event_id, "event_time": 1_763_300_000,
        "event": {"type": "user_change", "event_ts": "1763300000.000100", "cache_ts": 1_763_300_000,
            "user": {"id": user, "team_id": "T0TEAM", "name": "nurse", "deleted": deleted,
                     "tz": "America/Chicago"}}
    })
}

/// A real event, sent to our app in the test workspace (others are ignored).
fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/slack/events/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut e: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    e["team_id"] = json!(TEAM);
    e["api_app_id"] = json!(APP);
    e
}

/// Every text cell of every table, to look for a trace.
async fn everything(app: &TestApp) -> String {
    let postgres = app.ctx.store.backend() == alignbot::store::Backend::Postgres;
    let tables: Vec<String> = sqlx::query_scalar(if postgres {
        "SELECT CAST(table_name AS TEXT) FROM information_schema.tables \
         WHERE table_schema = current_schema() AND table_name <> '_sqlx_migrations'"
    } else {
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations'"
    })
    .fetch_all(app.ctx.store.reads())
    .await
    .unwrap();
    let mut all = String::new();
    for table in tables {
        let columns: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(if postgres {
            format!(
                "SELECT CAST(column_name AS TEXT) FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = '{table}'"
            )
        } else {
            format!("SELECT name FROM pragma_table_info('{table}')")
        }))
        .fetch_all(app.ctx.store.reads())
        .await
        .unwrap();
        for column in columns {
            let cells: Vec<Option<String>> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT CAST({column} AS TEXT) FROM {table}"
            )))
            .fetch_all(app.ctx.store.reads())
            .await
            .unwrap();
            for cell in cells.into_iter().flatten() {
                all.push_str(&format!("{table}.{column}={cell}\n"));
            }
        }
    }
    all
}

async fn moments_on_pillars(app: &TestApp) -> i64 {
    app.scalar(
        "SELECT COUNT(*) FROM moments WHERE (status = 'shared' OR forgotten = 1) AND pillar_key IS NOT NULL",
    )
    .await
}

#[tokio::test]
async fn a_deactivated_person_is_forgotten_and_no_trace_of_their_text_remains() {
    let app = spawn_app().await;
    // Their moment (posted), another's moment recognizing and reacted to by them,
    // a goal they own with a check-in note, and a time zone.
    let (_, their_ts) = shared(&app, NURSE, "Secret garden story pillar:patient-care").await;
    app.post_command(
        "/moment",
        "Thanks for the night shift pillar:patient-care",
        NURSE2,
    )
    .await;
    app.settle().await;
    app.advance(1);
    let reply = app
        .post_command(
            "/goal",
            &format!(
                "add Shorter handovers pillar:patient-care target:10min owner:<@{NURSE}|nurse>"
            ),
            LEAD,
        )
        .await;
    assert!(reply.text().contains("Added goal #1"), "{}", reply.body);
    let note = app
        .post_command(
            "/goal",
            "update 1 12min at-risk Private handover worries",
            NURSE,
        )
        .await;
    assert!(note.text().contains("Checked in"), "{}", note.body);
    app.post_event(&user_change("Ev0TZ", NURSE, false)).await;
    app.settle().await;
    let before = everything(&app).await;
    assert!(before.contains("Secret garden story") && before.contains("Private handover worries"));
    let totals_before = moments_on_pillars(&app).await;
    let check_ins_before = app.scalar("SELECT COUNT(*) FROM check_ins").await;

    assert_eq!(
        app.post_event(&user_change("Ev0GONE", NURSE, true))
            .await
            .status,
        200
    );
    // The moment's post is deleted from the channel.
    let deleted = app.sent("chat.delete", 1).await;
    assert_eq!(deleted[0].body["ts"], their_ts.as_str());
    app.settle().await;

    let after = everything(&app).await;
    for trace in ["Secret garden story", "Private handover worries", NURSE] {
        assert!(!after.contains(trace), "{trace:?} remains:\n{after}");
    }
    assert!(after.contains("UFORGOTTEN1"));
    // Counts stay right.
    assert_eq!(moments_on_pillars(&app).await, totals_before);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM check_ins").await,
        check_ins_before
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM goals WHERE owner = 'UFORGOTTEN1'")
            .await,
        1
    );
    // Lists show a former colleague, never a broken mention.
    let show = app.post_command("/goal", "show 1", ADMIN).await;
    assert!(show.text().contains("a former colleague"), "{}", show.body);
    assert!(!show.text().contains("UFORGOTTEN"), "{}", show.body);
    // A retried event changes nothing more.
    app.post_event(&user_change("Ev0GONE", NURSE, true)).await;
    assert_eq!(app.scalar("SELECT COUNT(*) FROM forgotten_people").await, 1);
}

#[tokio::test]
pub(crate) async fn a_nudge_waiting_for_a_forgotten_person_is_never_sent() {
    let app = spawn_app().await;
    app.fake.script("chat.postMessage", [Scripted::Status(503)]);
    app.post_command("/moment", "Waiting post pillar:patient-care", NURSE2)
        .await;
    app.sent("chat.postMessage", 1).await;
    // A Home refresh addressed to the person is pending when they are forgotten.
    app.post_event(&{
        let mut e = fixture("app_home_opened.home_tab.json");
        e["event_id"] = json!("Ev0HOME");
        e["event"]["user"] = json!(NURSE);
        e
    })
    .await;
    app.post_event(&user_change("Ev0GONE2", NURSE, true)).await;
    app.advance(60);
    app.settle().await;
    assert!(
        app.fake
            .calls_to("views.publish")
            .iter()
            .all(|c| c.body["user_id"] != NURSE),
        "nothing may reach the forgotten person"
    );
    // Others' messages still go out.
    assert_eq!(app.fake.calls_to("chat.postMessage").len(), 2);
}

#[tokio::test]
pub(crate) async fn uninstalling_stops_delivery_at_once_and_the_data_is_purged_after_the_retention()
{
    let app = spawn_app_at(
        "[data]\nretention_after_uninstall_days = 30\nhistory_days = 30\n",
        start_time(),
    )
    .await;
    shared(&app, NURSE, "Before the uninstall pillar:patient-care").await;
    assert_eq!(
        app.post_event(&fixture("app_uninstalled.json"))
            .await
            .status,
        200
    );
    // Still accepted and stored, never sent.
    let reply = app
        .post_command("/moment", "After the uninstall", NURSE2)
        .await;
    assert_eq!(reply.status, 200);
    app.advance(5);
    assert_eq!(app.drain().await.pending, 1);
    assert_eq!(app.fake.calls_to("chat.postMessage").len(), 1);
    let m = app.get("/metrics").await.body;
    assert!(m.contains("alignbot_delivery_stopped 1"), "{m}");

    // A restart with the (revoked) token keeps it stopped.
    app.fake
        .script("auth.test", [Scripted::ApiError("token_revoked")]);
    let app = app.restart().await;
    // Housekeeping checks the token at start, in its own task.
    app.fake.wait_for("auth.test", 1).await;
    app.advance(5);
    app.sent("chat.postMessage", 1).await;

    // 29 days on: still kept. 31 days on: purged.
    app.fake.script(
        "auth.test",
        (0..40).map(|_| Scripted::ApiError("token_revoked")),
    );
    app.advance(29 * 24 * 3600);
    // The pass serve's housekeeping runs, with these settings, run here to
    // its end: at 29 days it keeps everything.
    let (history, retention) = (chrono::Duration::days(30), chrono::Duration::days(30));
    alignbot::app::data_rights::housekeeping(&app.ctx, history, retention)
        .await
        .unwrap();
    assert_eq!(app.scalar("SELECT COUNT(*) FROM moments").await, 2);
    app.advance(2 * 24 * 3600);
    // Serve's own hourly pass (a task of its own) purges.
    app.eventually("SELECT COUNT(*) FROM moments", |n| n == 0, "never purged")
        .await;
    assert_eq!(app.scalar("SELECT COUNT(*) FROM outbox").await, 0);
    // The plan (from the config file) stays.
    assert!(app.scalar("SELECT COUNT(*) FROM pillars").await > 0);
}

#[tokio::test]
async fn a_reinstall_with_a_working_token_resumes_delivery() {
    let app = spawn_app().await;
    app.post_event(&fixture("tokens_revoked.json")).await;
    app.post_command("/moment", "Written while revoked", NURSE)
        .await;
    app.advance(5);
    app.sent("chat.postMessage", 0).await;
    // Restarted with a token that works (auth.test answers ok): the
    // housekeeping task checks it at start and resumes delivery.
    let app = app.restart().await;
    let posted = app.fake.wait_for("chat.postMessage", 1).await;
    assert_eq!(posted.len(), 1);
    assert_eq!(posted[0].body["channel"], MOMENTS);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM install_state WHERE stopped_at IS NOT NULL")
            .await,
        0
    );
}
