//! What an operator watches: /metrics, /readyz.

use crate::fake_slack::Scripted;
use crate::helpers::*;
use alignbot::app::jobs::{self, Job, Trigger};
use alignbot::clock::Clock;
use alignbot::scheduler::schedule::Month;

/// The value of one sample line, e.g. `name{labels} 3`.
fn sample(metrics: &str, series: &str) -> Option<f64> {
    metrics
        .lines()
        .find(|l| l.starts_with(series) && l[series.len()..].starts_with(' '))
        .and_then(|l| l[series.len()..].trim().parse().ok())
}

#[tokio::test]
async fn metrics_count_known_traffic_deliveries_and_job_runs() {
    let app = spawn_app().await;
    app.fake.script(
        "chat.postMessage",
        [Scripted::RateLimited { retry_after: 2 }],
    );
    for story in [
        "First story for the metrics.",
        "Second story for the metrics.",
    ] {
        assert_eq!(app.post_command("/moment", story, NURSE).await.status, 200);
    }
    // One forged request.
    let forged = app
        .post_raw(
            "/slack/commands",
            FORM,
            b"command=%2Fmoment".to_vec(),
            Some(app.timestamp()),
            Some("v0=00".into()),
        )
        .await;
    assert_eq!(forged.status, 401);
    // The first send meets a 429; after its Retry-After both go out.
    app.sent("chat.postMessage", 1).await;
    let during = app.get("/metrics").await;
    assert_eq!(during.status, 200);
    assert_eq!(sample(&during.body, "alignbot_outbox_pending"), Some(2.0));
    app.advance(3);
    app.sent("chat.postMessage", 2).await;
    app.advance(2);
    app.settle().await;

    let month = Month::containing(app.clock.now(), chrono_tz::America::New_York);
    jobs::run(&app.ctx, Job::MonthlyDigest, month, Trigger::Manual)
        .await
        .unwrap();
    jobs::run(&app.ctx, Job::MonthlyDigest, month, Trigger::Manual)
        .await
        .unwrap();

    // The digests go out too (the moments channel's after its pace);
    // every delivered row is counted once.
    app.drain().await;
    app.advance(2);
    let sent = app.settle().await.sent;
    assert!(sent >= 3, "two moments and the digests: {sent}");
    let m = app.get("/metrics").await.body;
    let get = |series: &str| sample(&m, series).unwrap_or_else(|| panic!("{series} in\n{m}"));
    assert_eq!(
        get(r#"alignbot_http_requests_total{endpoint="/slack/commands",status="200"}"#),
        2.0
    );
    assert_eq!(
        get(r#"alignbot_http_requests_total{endpoint="/slack/commands",status="401"}"#),
        1.0
    );
    assert_eq!(
        get(r#"alignbot_http_request_duration_seconds_count{endpoint="/slack/commands"}"#),
        3.0
    );
    assert_eq!(
        get(r#"alignbot_deliveries_total{result="rate_limited"}"#),
        1.0
    );
    assert_eq!(
        get(r#"alignbot_deliveries_total{result="sent"}"#),
        sent as f64
    );
    assert_eq!(get("alignbot_outbox_pending"), 0.0);
    assert_eq!(
        get(r#"alignbot_job_runs_total{job="monthly-digest",trigger="manual",outcome="ran"}"#),
        1.0
    );
    assert_eq!(
        get(
            r#"alignbot_job_runs_total{job="monthly-digest",trigger="manual",outcome="already_ran"}"#
        ),
        1.0
    );
    assert!(m.contains("# TYPE alignbot_http_request_duration_seconds histogram"));
    assert_eq!(get("alignbot_delivery_stopped"), 0.0);
}

#[tokio::test]
async fn the_oldest_pending_message_ages_with_the_clock() {
    let app = spawn_app().await;
    app.fake.script("chat.postMessage", [Scripted::Status(503)]);
    app.post_command("/moment", "A story that waits for Slack.", NURSE)
        .await;
    app.sent("chat.postMessage", 1).await;
    app.clock.advance(chrono::Duration::milliseconds(700));
    let m = app.get("/metrics").await.body;
    assert_eq!(sample(&m, "alignbot_outbox_pending"), Some(1.0));
    assert_eq!(
        sample(&m, "alignbot_outbox_oldest_pending_age_seconds"),
        Some(0.7)
    );
    assert_eq!(
        sample(&m, r#"alignbot_deliveries_total{result="retried"}"#),
        Some(1.0)
    );
}

#[tokio::test]
async fn unknown_paths_are_counted_as_other_so_scanners_cannot_grow_the_labels() {
    let app = spawn_app().await;
    for path in ["/wp-admin", "/.env", "/a/b/c"] {
        assert_eq!(app.get(path).await.status, 404);
    }
    let m = app.get("/metrics").await.body;
    assert_eq!(
        sample(
            &m,
            r#"alignbot_http_requests_total{endpoint="other",status="404"}"#
        ),
        Some(3.0)
    );
    assert!(!m.contains("wp-admin"));
}

#[tokio::test]
pub(crate) async fn readyz_says_ready_only_when_every_migration_is_applied() {
    let app = spawn_app().await;
    let ready = app.get("/readyz").await;
    assert_eq!((ready.status, ready.body.as_str()), (200, "ready"));
    assert_eq!(app.get("/healthz").await.status, 200);
    sqlx::query(
        "DELETE FROM _sqlx_migrations WHERE version = (SELECT MAX(version) FROM _sqlx_migrations)",
    )
    .execute(app.ctx.store.reads())
    .await
    .unwrap();
    let not_ready = app.get("/readyz").await;
    assert_eq!(not_ready.status, 503);
    assert!(
        not_ready.body.contains("is not applied"),
        "{}",
        not_ready.body
    );
    // Liveness is unaffected: the process is up.
    assert_eq!(app.get("/healthz").await.status, 200);
}
