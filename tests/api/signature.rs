use crate::helpers::*;
use alignbot::slack::verify::sign;

const PATHS: [&str; 3] = ["/slack/commands", "/slack/events", "/slack/interactions"];

async fn nothing_happened(app: &TestApp) {
    app.drain().await;
    assert_eq!(app.scalar("SELECT COUNT(*) FROM moments").await, 0);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM outbox").await, 0);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM slack_events").await, 0);
    // At start the app asked Slack who it is (auth.test, bots.info); the
    // requests themselves must cause no call.
    let calls: Vec<String> = app
        .fake
        .calls()
        .into_iter()
        .map(|c| c.method)
        .filter(|m| m != "auth.test" && m != "bots.info")
        .collect();
    assert!(calls.is_empty(), "no Slack call expected: {calls:?}");
}

#[tokio::test]
async fn requests_with_missing_bad_or_stale_signatures_get_401_and_change_nothing() {
    let app = spawn_app().await;
    let body = command_body(
        "/moment",
        "A story that must not be stored",
        NURSE,
        &app.fake,
    );
    let now = app.clock.now_ts();
    let good = |ts: i64| sign(SECRET, &ts.to_string(), &body);
    let cases: Vec<(&str, Option<String>, Option<String>)> = vec![
        ("no headers", None, None),
        ("no signature", Some(now.to_string()), None),
        ("no timestamp", None, Some(good(now))),
        (
            "wrong secret",
            Some(now.to_string()),
            Some(sign("another-secret", &now.to_string(), &body)),
        ),
        (
            "signature of another body",
            Some(now.to_string()),
            Some(sign(SECRET, &now.to_string(), b"other")),
        ),
        (
            "signature for another timestamp",
            Some((now - 1).to_string()),
            Some(good(now)),
        ),
        (
            "stale by 301 s",
            Some((now - 301).to_string()),
            Some(good(now - 301)),
        ),
        (
            "from 301 s in the future",
            Some((now + 301).to_string()),
            Some(good(now + 301)),
        ),
        ("not hex", Some(now.to_string()), Some("v0=not-hex".into())),
        (
            "wrong version",
            Some(now.to_string()),
            Some(good(now).replace("v0=", "v1=")),
        ),
        (
            "timestamp not a number",
            Some("yesterday".into()),
            Some(good(now)),
        ),
    ];
    for path in PATHS {
        for (case, ts, sig) in &cases {
            let reply = app
                .post_raw(path, FORM, body.clone(), ts.clone(), sig.clone())
                .await;
            assert_eq!(reply.status, 401, "{path}: {case}");
        }
    }
    nothing_happened(&app).await;
}

#[tokio::test]
async fn a_signature_just_inside_the_five_minute_window_is_accepted() {
    let app = spawn_app().await;
    let body = command_body("/moment", "help", NURSE, &app.fake);
    let ts = (app.clock.now_ts() - 299).to_string();
    let sig = sign(SECRET, &ts, &body);
    let reply = app
        .post_raw("/slack/commands", FORM, body, Some(ts), Some(sig))
        .await;
    assert_eq!(reply.status, 200);
}

#[tokio::test]
async fn an_oversized_body_is_refused_without_being_stored() {
    let app = spawn_app().await;
    let story = "x".repeat(400 * 1024);
    let reply = app.post_command("/moment", &story, NURSE).await;
    assert_eq!(reply.status, 413);
    nothing_happened(&app).await;
}

#[tokio::test]
async fn the_health_check_answers_without_a_signature() {
    let app = spawn_app().await;
    let response = reqwest::get(format!("{}/healthz", app.address))
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
}
