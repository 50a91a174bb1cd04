//! The fake Slack Web API the replica tests share: every `serve` and `jobs
//! run` process they start talks to it through `SLACK_API_URL`.
//!
//! It answers like Slack (the real fixtures, `content-type:
//! application/json`), and records each call with the wall-clock instant it
//! arrived (the tests check the pace across processes with it) and the bot
//! token it came with (each replica gets its own token, so a call says which
//! process made it). Everyone works in UTC here, so a scheduled nudge is due
//! at once in the person's zone. On demand it holds the next post to a
//! channel unanswered, so a test can kill the process that sent it while the
//! send is provably in flight.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};
use tokio::net::TcpListener;
use tokio::sync::watch;

/// One recorded Web API call.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: String,
    pub body: Value,
    /// The bot token it carried (`xoxb-replica-N`).
    pub token: String,
    /// When it arrived, in Unix milliseconds (the bot's clock is the same
    /// wall clock).
    pub at_ms: i64,
}

impl Call {
    pub fn channel(&self) -> &str {
        self.body["channel"].as_str().unwrap_or_default()
    }
}

#[derive(Default)]
struct Inner {
    calls: Vec<Call>,
    next_ts: u64,
    /// Hold the next `chat.postMessage` to this channel unanswered.
    hold_next_to: Option<String>,
    /// The call being held, once one is.
    held: Option<Call>,
}

#[derive(Clone)]
pub struct FakeSlack {
    inner: Arc<Mutex<Inner>>,
    release: Arc<watch::Sender<bool>>,
    pub api_url: String,
}

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/slack/web-api/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(&path).expect("fixture exists"))
        .expect("fixture is JSON")
}

pub fn now_ms() -> i64 {
    let since = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    i64::try_from(since.as_millis()).unwrap()
}

impl FakeSlack {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let api_url = format!("http://{}/api", listener.local_addr().unwrap());
        let fake = FakeSlack {
            inner: Arc::new(Mutex::new(Inner {
                next_ts: 1_700_000_000_000_100,
                ..Inner::default()
            })),
            release: Arc::new(watch::Sender::new(false)),
            api_url,
        };
        let app = Router::new()
            .route("/api/{method}", any(api))
            .with_state(fake.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        fake
    }

    pub fn calls_to(&self, method: &str) -> Vec<Call> {
        let inner = self.inner.lock().unwrap();
        inner
            .calls
            .iter()
            .filter(|c| c.method == method)
            .cloned()
            .collect()
    }

    /// The posts to `channel`, in the order they arrived.
    pub fn posts_to(&self, channel: &str) -> Vec<Call> {
        self.calls_to("chat.postMessage")
            .into_iter()
            .filter(|c| c.channel() == channel)
            .collect()
    }

    /// From now on, the next post to `channel` gets no answer until
    /// [`FakeSlack::release`].
    pub fn hold_next_post_to(&self, channel: &str) {
        self.inner.lock().unwrap().hold_next_to = Some(channel.to_owned());
    }

    /// The post being held, once one is.
    pub fn held(&self) -> Option<Call> {
        self.inner.lock().unwrap().held.clone()
    }

    /// Answers the held post (its sender may be gone by then).
    pub fn release(&self) {
        self.release.send_replace(true);
    }

    /// Records `call`; true if it is the one to hold.
    fn record(&self, call: Call) -> bool {
        let mut inner = self.inner.lock().unwrap();
        let hold = call.method == "chat.postMessage"
            && inner.held.is_none()
            && inner.hold_next_to.as_deref() == Some(call.channel());
        if hold {
            inner.held = Some(call.clone());
        }
        inner.calls.push(call);
        hold
    }

    fn next_ts(&self) -> String {
        let mut inner = self.inner.lock().unwrap();
        inner.next_ts += 1;
        let ts = inner.next_ts;
        format!("{}.{:06}", ts / 1_000_000, ts % 1_000_000)
    }
}

async fn api(
    State(fake): State<FakeSlack>,
    Path(method): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let at_ms = now_ms();
    // Read methods (GET) carry their arguments in the query string; writes
    // are JSON, or a form.
    let request: Value = match query.filter(|_| body.is_empty()) {
        Some(query) => {
            json!(serde_urlencoded::from_str::<HashMap<String, String>>(&query).unwrap_or_default())
        }
        None => serde_json::from_slice(&body).unwrap_or_else(|_| {
            json!(
                serde_urlencoded::from_bytes::<HashMap<String, String>>(&body).unwrap_or_default()
            )
        }),
    };
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .trim_start_matches("Bearer ")
        .to_owned();
    let hold = fake.record(Call {
        method: method.clone(),
        body: request.clone(),
        token,
        at_ms,
    });
    if hold {
        let mut released = fake.release.subscribe();
        let _ = released.wait_for(|r| *r).await;
    }
    let answer = match method.as_str() {
        "chat.postMessage" => {
            let mut body = fixture("chat.postMessage.ok.json");
            let ts = fake.next_ts();
            body["channel"] = request["channel"].clone();
            body["ts"] = json!(ts);
            body["message"]["ts"] = json!(ts);
            body
        }
        "chat.update" => {
            let mut body = fixture("chat.update.ok.json");
            body["channel"] = request["channel"].clone();
            body["ts"] = request["ts"].clone();
            body
        }
        "views.publish" => fixture("views.publish.ok.json"),
        "auth.test" => fixture("auth.test.bot.json"),
        "bots.info" => fixture("bots.info.ok.json"),
        "users.info" => {
            let mut body = fixture("users.info.ok.json");
            if let Some(id) = request["user"].as_str() {
                body["user"]["id"] = json!(id);
            }
            body["user"]["tz"] = json!("UTC");
            body["user"]["tz_label"] = json!("Coordinated Universal Time");
            body["user"]["tz_offset"] = json!(0);
            body
        }
        _ => json!({"ok": true}),
    };
    let mut response = (StatusCode::OK, answer.to_string()).into_response();
    response.headers_mut().insert(
        "content-type",
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
}
