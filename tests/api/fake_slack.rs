//! A fake Slack Web API on loopback, at `SLACK_API_URL`.
//!
//! It answers like Slack (bodies from the real fixtures, `content-type:
//! application/json`, GET for read methods and POST for writes), records every
//! call, and fails on demand: a scripted queue of responses per method is
//! served first (429 with Retry-After, 5xx, `ok:false` errors, slow answers),
//! then it answers normally. Response URLs (`/hooks/...`) are served too.
//! Given the test's clock ([`FakeSlack::set_clock`]), it records when each
//! call arrived on that clock, and can make a call arrive late on it.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, post};
use futures_util::future::BoxFuture;
use serde_json::{Value, json};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;

/// One recorded call.
#[derive(Debug, Clone)]
pub struct Call {
    /// `chat.postMessage`, …, or `hook` for a response URL.
    pub method: String,
    pub body: Value,
    pub authorization: Option<String>,
    /// When it arrived, on the test's clock (see [`FakeSlack::set_clock`]).
    pub at: Option<chrono::DateTime<chrono::Utc>>,
}

/// A scripted answer.
#[derive(Debug, Clone)]
pub enum Scripted {
    /// HTTP 429 with `Retry-After: secs`.
    RateLimited { retry_after: u64 },
    /// A bare HTTP status (e.g. 500, 503).
    Status(u16),
    /// HTTP 200 with `{"ok":false,"error":code}`.
    ApiError(&'static str),
    /// Answer normally, but only after this long.
    Slow(Duration),
    /// Reach Slack this long after it was sent, on the test's clock (the
    /// fake moves the clock before recording the call), then answer
    /// normally: a call that took its time on the way.
    Late(chrono::Duration),
}

#[derive(Default)]
struct Inner {
    calls: Vec<Call>,
    script: HashMap<String, VecDeque<Scripted>>,
    next_ts: u64,
    /// What `apps.connections.open` hands out (a fake Socket Mode server).
    socket_url: Option<String>,
    /// Who the bot token belongs to (`auth.test`, `bots.info`).
    installation: Installation,
    /// Names `users.info` gives, by user id (see `set_person`).
    people: HashMap<String, (String, String)>,
    /// While set, every Web API call gets this answer (see `refuse`).
    refusal: Option<Scripted>,
    /// The test's clock, for [`Call::at`] and [`Scripted::Late`].
    clock: Option<alignbot::clock::ManualClock>,
}

/// What [`FakeSlack::wait_for`] runs before each look: the app's delivery.
type Driver = Arc<dyn Fn() -> BoxFuture<'static, ()> + Send + Sync>;

#[derive(Clone)]
pub struct FakeSlack {
    inner: Arc<Mutex<Inner>>,
    driver: Arc<Mutex<Option<Driver>>>,
    pub base_url: String,
}

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/slack/web-api/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(&path).expect("fixture exists"))
        .expect("fixture is JSON")
}

impl FakeSlack {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind fake slack");
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let fake = FakeSlack {
            inner: Arc::new(Mutex::new(Inner {
                next_ts: 1_700_000_000_000_100,
                ..Inner::default()
            })),
            driver: Arc::new(Mutex::new(None)),
            base_url,
        };
        let app = Router::new()
            .route("/api/{method}", any(api))
            .route("/hooks/{*rest}", post(hook))
            .with_state(fake.clone());
        tokio::spawn(async move {
            axum::serve(listener, app).await.expect("fake slack serves");
        });
        fake
    }

    /// The URL to hand the bot as `SLACK_API_URL`.
    pub fn api_url(&self) -> String {
        format!("{}/api", self.base_url)
    }

    /// A response URL served by this fake.
    pub fn hook_url(&self, name: &str) -> String {
        format!("{}/hooks/{name}", self.base_url)
    }

    /// Queues scripted answers for `method`, served before normal ones.
    pub fn script(&self, method: &str, answers: impl IntoIterator<Item = Scripted>) {
        let mut inner = self.inner.lock().unwrap();
        inner
            .script
            .entry(method.to_owned())
            .or_default()
            .extend(answers);
    }

    /// Until called again with `None`, answers every Web API call (not the
    /// response URLs, which carry no token) with `answer`: a token Slack
    /// refuses (`ApiError("invalid_auth")`) or a proxy that does
    /// (`Status(401)`), for as long as the test needs.
    pub fn refuse(&self, answer: Option<Scripted>) {
        self.inner.lock().unwrap().refusal = answer;
    }

    /// Records each call's arrival on `clock` from now on ([`Call::at`]).
    pub fn set_clock(&self, clock: alignbot::clock::ManualClock) {
        self.inner.lock().unwrap().clock = Some(clock);
    }

    /// Makes `apps.connections.open` answer with this WebSocket URL.
    pub fn set_socket_url(&self, url: &str) {
        self.inner.lock().unwrap().socket_url = Some(url.to_owned());
    }

    pub fn calls(&self) -> Vec<Call> {
        self.inner.lock().unwrap().calls.clone()
    }

    pub fn calls_to(&self, method: &str) -> Vec<Call> {
        self.calls()
            .into_iter()
            .filter(|c| c.method == method)
            .collect()
    }

    /// The most calls to `method` that arrived within any one second of the
    /// test's clock (a window `[t, t + 1 s)`); needs [`FakeSlack::set_clock`].
    pub fn busiest_second(&self, method: &str) -> usize {
        let mut at: Vec<_> = self
            .calls_to(method)
            .iter()
            .map(|c| c.at.expect("calls timed: set_clock first"))
            .collect();
        at.sort_unstable();
        let (mut start, mut most) = (0, 0);
        for end in 0..at.len() {
            while at[end] - at[start] >= chrono::Duration::seconds(1) {
                start += 1;
            }
            most = most.max(end + 1 - start);
        }
        most
    }

    /// Sets what [`FakeSlack::wait_for`] runs before each look (the test
    /// app drains its delivery worker).
    pub fn set_driver(&self, driver: impl Fn() -> BoxFuture<'static, ()> + Send + Sync + 'static) {
        *self.driver.lock().unwrap() = Some(Arc::new(driver));
    }

    /// Forgets the driver (its app stopped).
    pub fn clear_driver(&self) {
        *self.driver.lock().unwrap() = None;
    }

    /// Drives the app's delivery and waits (up to 10 s of real time) until
    /// `method` was called at least `n` times; returns those calls. Only for
    /// work in a task the test cannot drain (a Socket Mode envelope, the
    /// scheduler, housekeeping); elsewhere `TestApp::sent` drains and counts
    /// without waiting. Never use it to prove that something was not sent.
    pub async fn wait_for(&self, method: &str, n: usize) -> Vec<Call> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let driver = self.driver.lock().unwrap().clone();
            if let Some(drive) = driver {
                drive().await;
            }
            let calls = self.calls_to(method);
            if calls.len() >= n {
                return calls;
            }
            if tokio::time::Instant::now() > deadline {
                panic!(
                    "expected {n} call(s) to {method}, saw {}: {:#?}",
                    calls.len(),
                    self.calls().iter().map(|c| &c.method).collect::<Vec<_>>()
                );
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    fn record(&self, method: &str, body: Value, headers: &HeaderMap) -> Option<Scripted> {
        use alignbot::clock::Clock;
        let mut inner = self.inner.lock().unwrap();
        let answer = match inner.refusal.clone() {
            Some(refusal) if method != "hook" => Some(refusal),
            _ => inner.script.get_mut(method).and_then(VecDeque::pop_front),
        };
        if let (Some(Scripted::Late(by)), Some(clock)) = (&answer, &inner.clock) {
            clock.advance(*by);
        }
        let at = inner.clock.as_ref().map(|clock| clock.now());
        inner.calls.push(Call {
            method: method.to_owned(),
            body,
            authorization: headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            at,
        });
        answer
    }

    fn next_ts(&self) -> String {
        let mut inner = self.inner.lock().unwrap();
        inner.next_ts += 1;
        let ts = inner.next_ts;
        format!("{}.{:06}", ts / 1_000_000, ts % 1_000_000)
    }
}

fn json_response(status: StatusCode, body: Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert(
        "content-type",
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
}

async fn scripted(answer: Scripted) -> Option<Response> {
    match answer {
        Scripted::RateLimited { retry_after } => {
            let mut r = json_response(
                StatusCode::TOO_MANY_REQUESTS,
                fixture("error.ratelimited.json"),
            );
            r.headers_mut().insert(
                "retry-after",
                HeaderValue::from_str(&retry_after.to_string()).unwrap(),
            );
            Some(r)
        }
        Scripted::Status(code) => Some(
            (
                StatusCode::from_u16(code).unwrap(),
                "<html>upstream trouble</html>",
            )
                .into_response(),
        ),
        Scripted::ApiError(code) => Some(json_response(
            StatusCode::OK,
            json!({"ok": false, "error": code}),
        )),
        Scripted::Slow(wait) => {
            tokio::time::sleep(wait).await;
            None
        }
        Scripted::Late(_) => None,
    }
}

fn parse_body(headers: &HeaderMap, body: &Bytes) -> Value {
    let form = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if form {
        let pairs: HashMap<String, String> = serde_urlencoded::from_bytes(body).unwrap_or_default();
        json!(pairs)
    } else {
        serde_json::from_slice(body).unwrap_or(Value::Null)
    }
}

async fn api(
    State(fake): State<FakeSlack>,
    Path(method): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    // Read methods (GET) carry their arguments in the query string.
    let request = match query.filter(|_| body.is_empty()) {
        Some(query) => {
            json!(serde_urlencoded::from_str::<HashMap<String, String>>(&query).unwrap_or_default())
        }
        None => parse_body(&headers, &body),
    };
    if let Some(answer) = fake.record(&method, request.clone(), &headers)
        && let Some(response) = scripted(answer).await
    {
        return response;
    }
    let ok = match method.as_str() {
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
        "chat.delete" => json!({"ok": true, "channel": request["channel"], "ts": request["ts"]}),
        "views.open" => fixture("views.open.ok.json"),
        "views.update" => fixture("views.update.ok.json"),
        "views.publish" => fixture("views.publish.ok.json"),
        "views.push" => fixture("views.push.ok.json"),
        "auth.test" => fake.auth_test(),
        "bots.info" => fake.bots_info(&request),
        // Everyone works in Los Angeles in this fake workspace (the fixture's zone).
        "users.info" => fake.users_info(&request),
        "apps.connections.open" => {
            let mut body = fixture("apps.connections.open.ok.json");
            if let Some(url) = fake.inner.lock().unwrap().socket_url.clone() {
                body["url"] = json!(url);
            }
            body
        }
        _ => json!({"ok": false, "error": "unknown_method"}),
    };
    json_response(StatusCode::OK, ok)
}

async fn hook(State(fake): State<FakeSlack>, headers: HeaderMap, body: Bytes) -> Response {
    let request = parse_body(&headers, &body);
    if let Some(answer) = fake.record("hook", request, &headers)
        && let Some(response) = scripted(answer).await
    {
        return response;
    }
    json_response(StatusCode::OK, json!({"ok": true}))
}

// ---- who the bot is: auth.test and bots.info ------------------------------

/// The test workspace's ids, as `auth.test` and `bots.info` tell the bot.
/// They match the events and commands the tests send.
pub const TEAM: &str = "T0TEAM";
pub const APP: &str = "A0APP";
pub const BOT: &str = "B0BOT";

/// Where the fake says the bot is installed.
#[derive(Debug, Clone)]
pub struct Installation {
    /// The workspace (`T…`); for an org-wide install Slack names the org here.
    pub team_id: String,
    /// Set for an Enterprise Grid org-wide install.
    pub enterprise_id: Option<String>,
    pub app_id: String,
}

impl Default for Installation {
    fn default() -> Self {
        Self {
            team_id: TEAM.to_owned(),
            enterprise_id: None,
            app_id: APP.to_owned(),
        }
    }
}

impl FakeSlack {
    /// Makes `auth.test` and `bots.info` describe another installation.
    pub fn set_installation(&self, installation: Installation) {
        self.inner.lock().unwrap().installation = installation;
    }

    /// The real bot-token answer, for the configured installation.
    fn auth_test(&self) -> Value {
        let at = self.inner.lock().unwrap().installation.clone();
        let mut body = fixture(if at.enterprise_id.is_some() {
            "auth.test.org_install.json"
        } else {
            "auth.test.bot.json"
        });
        body["team_id"] = json!(at.team_id);
        body["bot_id"] = json!(BOT);
        if let Some(org) = at.enterprise_id {
            body["enterprise_id"] = json!(org);
        }
        body
    }

    /// Our bot's app; another bot id is unknown, as on Slack.
    fn bots_info(&self, request: &Value) -> Value {
        if request["bot"] != BOT {
            return json!({"ok": false, "error": "bot_not_found"});
        }
        let mut body = fixture("bots.info.ok.json");
        body["bot"]["id"] = json!(BOT);
        body["bot"]["app_id"] = json!(self.inner.lock().unwrap().installation.app_id);
        body
    }
}

// ---- who people are: users.info -------------------------------------------

impl FakeSlack {
    /// Makes `users.info` name `user`: `real_name` ("Siobhan Murphy") and
    /// `display_name` ("Siobhan"). Others keep the fixture's person.
    pub fn set_person(&self, user: &str, real_name: &str, display_name: &str) {
        self.inner.lock().unwrap().people.insert(
            user.to_owned(),
            (real_name.to_owned(), display_name.to_owned()),
        );
    }

    /// The real answer (everyone works in the fixture's Los Angeles), with
    /// the asked-for id and, when set, that person's names.
    fn users_info(&self, request: &Value) -> Value {
        let mut body = fixture("users.info.ok.json");
        let Some(id) = request["user"].as_str() else {
            return body;
        };
        body["user"]["id"] = json!(id);
        if let Some((real, display)) = self.inner.lock().unwrap().people.get(id) {
            body["user"]["name"] = json!(display.to_lowercase());
            body["user"]["real_name"] = json!(real);
            body["user"]["profile"]["real_name"] = json!(real);
            body["user"]["profile"]["real_name_normalized"] = json!(real);
            body["user"]["profile"]["display_name"] = json!(display);
            body["user"]["profile"]["display_name_normalized"] = json!(display);
        }
        body
    }
}
