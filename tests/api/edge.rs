//! The edge of the process: no client can hold a connection, a request or
//! the shutdown forever; every answer carries a request id; the operator's
//! endpoints can move to a listener of their own.
//!
//! Limits are set to a few hundred milliseconds so the tests are quick.
//! They wait on sockets with a generous deadline (5 s) and assert what
//! happened (closed, answered); nothing is asserted after a bare sleep.

use crate::helpers::*;
use alignbot::clock::ManualClock;
use alignbot::config::Settings;
use alignbot::slack::verify::sign;
use alignbot::startup::Application;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const PATIENCE: Duration = Duration::from_secs(5);

fn host(app: &TestApp) -> String {
    app.address.trim_start_matches("http://").to_owned()
}

/// Everything the server sends until it closes the connection; panics if
/// it is still open after [`PATIENCE`].
async fn read_until_closed(stream: &mut TcpStream) -> String {
    let mut received = Vec::new();
    let read = tokio::time::timeout(PATIENCE, async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => received.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    assert!(
        read.is_ok(),
        "the server kept the connection open; it sent {:?}",
        String::from_utf8_lossy(&received)
    );
    String::from_utf8_lossy(&received).into_owned()
}

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_disconnected() {
    let app = spawn_app_at("[server]\nheader_read_timeout_ms = 200\n", start_time()).await;
    let mut partial = TcpStream::connect(host(&app)).await.unwrap();
    partial
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .await
        .unwrap();
    let mut silent = TcpStream::connect(host(&app)).await.unwrap();
    read_until_closed(&mut partial).await;
    read_until_closed(&mut silent).await;
    // Others are served meanwhile and after.
    assert_eq!(app.get("/healthz").await.status, 200);
}

#[tokio::test]
async fn a_body_that_never_arrives_is_refused_and_nothing_is_stored() {
    let app = spawn_app_at(
        "[server]\nbody_read_timeout_ms = 200\nrequest_timeout_ms = 60000\n",
        start_time(),
    )
    .await;
    let body = command_body("/moment", "A story that never arrives.", NURSE, &app.fake);
    let ts = app.timestamp();
    let signature = sign(SECRET, &ts, &body);
    let mut stream = TcpStream::connect(host(&app)).await.unwrap();
    let head = format!(
        "POST /slack/commands HTTP/1.1\r\nHost: x\r\ncontent-type: {FORM}\r\ncontent-length: {}\r\nx-slack-request-timestamp: {ts}\r\nx-slack-signature: {signature}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&body[..10]).await.unwrap();
    let answer = read_until_closed(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("x-request-id: "), "{answer}");
    // The handler has answered: whatever it was going to store, it has.
    assert_eq!(app.scalar("SELECT COUNT(*) FROM moments").await, 0);
    assert_eq!(app.outbox().await.pending, 0);
}

#[tokio::test]
async fn a_request_that_takes_too_long_is_answered_503_with_its_request_id() {
    let app = spawn_app_at("[server]\nrequest_timeout_ms = 300\n", start_time()).await;
    // Hold the store's writer, as a stuck disk or lock would.
    let (release, held) = tokio::sync::oneshot::channel::<()>();
    let store = app.ctx.store.clone();
    let holder = tokio::spawn(async move {
        store
            .write(move |_conn| {
                Box::pin(async move {
                    let _ = held.await;
                    Ok(())
                })
            })
            .await
    });
    let body = command_body(
        "/moment",
        "A story stuck behind the writer.",
        NURSE,
        &app.fake,
    );
    let ts = app.timestamp();
    let answer = tokio::time::timeout(
        PATIENCE,
        reqwest::Client::new()
            .post(format!("{}/slack/commands", app.address))
            .header("content-type", FORM)
            .header("x-slack-request-timestamp", &ts)
            .header("x-slack-signature", sign(SECRET, &ts, &body))
            .header("x-request-id", "slow-request-1")
            .body(body)
            .send(),
    )
    .await
    .expect("answered before the test's patience ran out")
    .unwrap();
    assert_eq!(answer.status(), 503);
    assert_eq!(answer.headers()["x-request-id"], "slow-request-1");
    let _ = release.send(());
    holder.await.unwrap().unwrap();
    assert_eq!(app.get("/healthz").await.status, 200);
}

#[tokio::test]
async fn beyond_max_connections_a_new_connection_is_answered_503_at_once() {
    let app = spawn_app_at(
        "[server]\nmax_connections = 3\nheader_read_timeout_ms = 60000\n",
        start_time(),
    )
    .await;
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(TcpStream::connect(host(&app)).await.unwrap());
    }
    let mut fourth = TcpStream::connect(host(&app)).await.unwrap();
    let answer = read_until_closed(&mut fourth).await;
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(answer.contains("retry-after: 1"), "{answer}");

    // Once a held connection goes, a slot is free again.
    drop(held.pop());
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let mut probe = TcpStream::connect(host(&app)).await.unwrap();
        probe
            .write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .await
            .unwrap();
        let answer = read_until_closed(&mut probe).await;
        if answer.starts_with("HTTP/1.1 200") {
            assert!(
                answer.contains(r#"alignbot_http_connections_refused_total{listener="public"}"#),
                "{answer}"
            );
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no slot came free: {answer}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_stuck_client_delays_shutdown_only_until_the_deadline() {
    let app = spawn_app_at(
        "[server]\nheader_read_timeout_ms = 60000\nshutdown_timeout_ms = 300\n",
        start_time(),
    )
    .await;
    let mut partial = TcpStream::connect(host(&app)).await.unwrap();
    partial
        .write_all(b"POST /slack/commands HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    // The connection is open and served (a request on another one answers).
    assert_eq!(app.get("/healthz").await.status, 200);
    tokio::time::timeout(PATIENCE, app.stop())
        .await
        .expect("the app stopped within its shutdown deadline");
    read_until_closed(&mut partial).await;
}

#[tokio::test]
async fn every_answer_carries_a_request_id_taken_from_the_proxy_when_sane() {
    let app = spawn_app().await;
    let http = reqwest::Client::new();
    let id_of = |response: &reqwest::Response| {
        response.headers()["x-request-id"]
            .to_str()
            .unwrap()
            .to_owned()
    };
    let url = format!("{}/healthz", app.address);
    let kept = http
        .get(&url)
        .header("x-request-id", "3f2a9c1e-7b4d-4e8a-9f1c-2d3e4f5a6b7c")
        .send()
        .await
        .unwrap();
    assert_eq!(id_of(&kept), "3f2a9c1e-7b4d-4e8a-9f1c-2d3e4f5a6b7c");

    let mut generated = Vec::new();
    for proxy_id in [
        None,
        Some("two words".to_owned()),
        Some(r#"x","level":"ERROR"#.to_owned()),
        Some("a".repeat(129)),
    ] {
        let mut request = http.get(&url);
        if let Some(id) = &proxy_id {
            request = request.header("x-request-id", id);
        }
        let id = id_of(&request.send().await.unwrap());
        assert_eq!(id.len(), 32, "{proxy_id:?} gave {id}");
        assert!(id.bytes().all(|b| b.is_ascii_hexdigit()), "{id}");
        generated.push(id);
    }
    generated.sort();
    generated.dedup();
    assert_eq!(generated.len(), 4, "each request has its own id");

    // Refusals and unknown paths too.
    let unsigned = http
        .post(format!("{}/slack/commands", app.address))
        .header("x-request-id", "unsigned-1")
        .body("command=%2Fmoment")
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status(), 401);
    assert_eq!(id_of(&unsigned), "unsigned-1");
    let missing = http
        .get(format!("{}/nope", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    assert_eq!(id_of(&missing).len(), 32);
}

/// The real app with `[server] admin_listen` on a free port, and its two
/// addresses. (`spawn_app` knows only one listener.)
async fn spawn_with_admin_listener() -> (String, String, tokio::sync::oneshot::Sender<()>) {
    alignbot::telemetry::init();
    let dir = tempfile::tempdir().unwrap();
    let database_url = format!("sqlite://{}", dir.path().join("admin.db").display());
    let env = move |name: &str| match name {
        "SLACK_SIGNING_SECRET" => Some(SECRET.to_owned()),
        "DATABASE_URL" => Some(database_url.clone()),
        "ALIGNBOT_LISTEN" => Some("127.0.0.1:0".to_owned()),
        "ALIGNBOT_ADMIN_LISTEN" => Some("127.0.0.1:0".to_owned()),
        "ALIGNBOT_SCHEDULER" => Some("off".to_owned()),
        _ => None,
    };
    let settings = Settings::from_toml(CONFIG, &dir.path().join("alignbot.toml"), &env).unwrap();
    let app = Application::build(&settings, Arc::new(ManualClock::new(start_time())))
        .await
        .unwrap();
    let public = format!("http://{}", app.local_addr());
    let admin = format!("http://{}", app.admin_addr().expect("an admin listener"));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let _dir = dir;
        app.run_until_stopped(async {
            let _ = stopped.await;
        })
        .await
        .unwrap();
    });
    (public, admin, stop)
}

#[tokio::test]
async fn with_an_admin_listener_metrics_and_readiness_leave_the_public_one() {
    let (public, admin, _stop) = spawn_with_admin_listener().await;
    let http = reqwest::Client::new();
    let status = |url: String| {
        let http = http.clone();
        async move { http.get(url).send().await.unwrap().status().as_u16() }
    };
    assert_eq!(status(format!("{public}/healthz")).await, 200);
    assert_eq!(status(format!("{public}/metrics")).await, 404);
    assert_eq!(status(format!("{public}/readyz")).await, 404);
    let unsigned = http
        .post(format!("{public}/slack/commands"))
        .body("command=%2Fmoment")
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status(), 401, "Slack's routes stay public");

    assert_eq!(status(format!("{admin}/healthz")).await, 200);
    assert_eq!(status(format!("{admin}/readyz")).await, 200);
    assert_eq!(status(format!("{admin}/slack/commands")).await, 404);
    let metrics = http
        .get(format!("{admin}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // The public listener's traffic is counted in the same registry.
    assert!(
        metrics
            .contains(r#"alignbot_http_requests_total{endpoint="/slack/commands",status="401"} 1"#),
        "{metrics}"
    );
    assert!(
        metrics.contains(&format!(
            r#"alignbot_build_info{{version="{}""#,
            env!("CARGO_PKG_VERSION")
        )),
        "{metrics}"
    );
    for series in [
        "process_resident_memory_bytes",
        "process_open_fds",
        "process_max_fds",
        "process_cpu_seconds_total",
        "process_start_time_seconds",
    ] {
        assert!(
            metrics.contains(&format!("\n{series} ")),
            "{series} in {metrics}"
        );
    }
}
