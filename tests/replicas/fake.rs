//! The fake Slack Web API the replica tests share: every `serve` and `jobs
//! run` process they start talks to it through `SLACK_API_URL`.
//!
//! It answers like Slack (the real fixtures, `content-type:
//! application/json`), and records each call with the wall-clock instant it
//! arrived (the tests check the pace across processes with it) and the bot
//! token it came with (each replica gets its own token, so a call says which
//! process made it). Everyone works in UTC here unless a test gives a person
//! another zone ([`FakeSlack::set_time_zone`]), so a scheduled nudge is due
//! at once in most people's zones. On demand it holds the next post to a
//! channel unanswered, so a test can kill the process that sent it while the
//! send is provably in flight. `apps.connections.open` hands out a fake
//! Socket Mode server's URL when a test sets one.

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
    /// `users.info`'s `tz` by user id; UTC for anyone else.
    time_zones: HashMap<String, String>,
    /// What `apps.connections.open` answers with (a fake Socket Mode server).
    socket_url: Option<String>,
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

    /// From now on `users.info` says `user` works in `tz` (an IANA name).
    pub fn set_time_zone(&self, user: &str, tz: &str) {
        self.inner
            .lock()
            .unwrap()
            .time_zones
            .insert(user.to_owned(), tz.to_owned());
    }

    /// Makes `apps.connections.open` answer with this WebSocket URL.
    pub fn set_socket_url(&self, url: &str) {
        self.inner.lock().unwrap().socket_url = Some(url.to_owned());
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
            let id = request["user"].as_str().unwrap_or_default();
            body["user"]["id"] = json!(id);
            let zone = fake.inner.lock().unwrap().time_zones.get(id).cloned();
            match zone {
                Some(tz) => {
                    let offset = offset_seconds(&tz);
                    body["user"]["tz_label"] = json!(tz);
                    body["user"]["tz"] = json!(tz);
                    body["user"]["tz_offset"] = json!(offset);
                }
                None => {
                    body["user"]["tz"] = json!("UTC");
                    body["user"]["tz_label"] = json!("Coordinated Universal Time");
                    body["user"]["tz_offset"] = json!(0);
                }
            }
            body
        }
        "apps.connections.open" => {
            let mut body = fixture("apps.connections.open.ok.json");
            if let Some(url) = fake.inner.lock().unwrap().socket_url.clone() {
                body["url"] = json!(url);
            }
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

/// The zone's offset from UTC now, in seconds, as Slack's `tz_offset` gives it.
fn offset_seconds(tz: &str) -> i32 {
    use chrono::{Offset, TimeZone};
    let zone: chrono_tz::Tz = tz.parse().expect("an IANA time zone");
    zone.offset_from_utc_datetime(&chrono::Utc::now().naive_utc())
        .fix()
        .local_minus_utc()
}
