//! `TestApp`: the real application on a random port with a fresh database
//! (SQLite, or PostgreSQL with [`spawn_app_on`]), a fake Slack at `SLACK_API_URL` and a manual clock.
//!
//! The delivery worker's loop does not run: the test is its only driver.
//! [`TestApp::drain`] runs rounds until nothing is due at the clock's time,
//! so "nothing more was sent" is asserted after the work has provably
//! finished, never after a sleep; time that matters (pacing, backoff,
//! `Retry-After`) is moved with [`TestApp::advance`].

use crate::fake_slack::FakeSlack;
use alignbot::app::AppContext;
use alignbot::clock::ManualClock;
use alignbot::config::Settings;
use alignbot::delivery::{Round, Worker};
use alignbot::slack::verify::sign;
use alignbot::startup::Application;
use alignbot::store::StoreError;
use alignbot::store::outbox::{self, OutboxCounts};
use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};
use std::path::Path;
use std::sync::Arc;
use tempfile::TempDir;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub const SECRET: &str = "test-signing-secret-8f742231b10e";
pub const ADMIN: &str = "U0ADMIN";
pub const NURSE: &str = "U0NURSE1";
pub const NURSE2: &str = "U0NURSE2";
pub const MOMENTS: &str = "C0MOMENTS";
pub const LEADERS: &str = "C0LEADERS";

pub const CONFIG: &str = r#"
[org]
name = "Riverside Health"
mission = "Every patient leaves healthier and heard."
timezone = "America/New_York"
moments_channel = "C0MOMENTS"
leadership_channel = "C0LEADERS"
admins = ["U0ADMIN"]
# Tests start on 16 November: goal-setting for next year opens in December
# here, so goals added without `year:` stay in this year (tests/api/plan_years.rs
# covers the October default).
next_year_opens = "December"

[[pillars]]
key = "patient-care"
name = "Patient care"
emoji = ":heart:"
description = "Safe, kind care."

[[pillars]]
key = "our-people"
name = "Our people"

[[teams]]
key = "nursing"
name = "Nursing"
channel = "C0NURSING"
leaders = ["U0LEAD1"]
members = ["U0NURSE1", "U0NURSE2"]

[delivery]
per_channel_interval_ms = 1000
# Generous: a loaded machine must not turn a slow fake answer into a retry
# on the real clock (tests of timeouts script a slower answer).
request_timeout_ms = 2000
"#;

/// The tests' settings with the workspace pace at `per_second`.
pub fn paced(per_second: usize) -> String {
    CONFIG.trim_start().replace(
        "request_timeout_ms = 2000",
        &format!("request_timeout_ms = 2000\nmax_per_second = {per_second}"),
    )
}

/// The tests' settings with the per-channel pace and the hourly limit off
/// (hundreds of posts to one channel would take minutes of clock moves
/// otherwise).
pub fn unpaced() -> String {
    CONFIG.trim_start().replace(
        "per_channel_interval_ms = 1000",
        "per_channel_interval_ms = 0\nmax_per_second = 1000",
    ) + "\n[privacy]\nmoments_per_hour = 0\n"
}

/// Runs the moments nudge now (one DM per person); returns how many.
pub async fn nudge_everyone(app: &TestApp) -> usize {
    use alignbot::clock::Clock as _;
    let month = alignbot::scheduler::schedule::Month::containing(
        app.clock.now(),
        chrono_tz::America::New_York,
    );
    alignbot::app::jobs::run(
        &app.ctx,
        alignbot::app::jobs::Job::MomentsNudge,
        month,
        alignbot::app::jobs::Trigger::Manual,
    )
    .await
    .unwrap()
    .enqueued
}

pub fn start_time() -> DateTime<Utc> {
    "2026-11-16T15:00:00Z".parse().unwrap()
}

pub struct TestApp {
    pub address: String,
    pub clock: ManualClock,
    pub fake: FakeSlack,
    pub ctx: AppContext,
    dir: Arc<TempDir>,
    extra: String,
    /// The app's database (kept across [`TestApp::restart`]).
    database_url: String,
    http: reqwest::Client,
    shutdown: Option<oneshot::Sender<()>>,
    handle: Option<JoinHandle<()>>,
    /// The delivery worker, driven only by the test.
    worker: Arc<Worker>,
    /// Signatures `post_signed` has used: the app refuses a replay, and two
    /// identical requests in one second of the clock are two sends to Slack
    /// (see `post_signed`).
    signed: std::sync::Mutex<std::collections::HashSet<String>>,
}

pub use crate::backend::{Backend, on_backend};
use crate::backend::{current, database_for, sqlite_url};

/// A fresh app with a fresh database and fake Slack.
pub async fn spawn_app() -> TestApp {
    spawn_app_on(current()).await
}

/// A fresh app with a fresh database of `backend` and fake Slack.
pub async fn spawn_app_on(backend: Backend) -> TestApp {
    spawn_app_on_with(backend, "").await
}

/// [`spawn_app_on`] with extra settings appended to the config file.
pub async fn spawn_app_on_with(backend: Backend, extra: &str) -> TestApp {
    alignbot::telemetry::init();
    let fake = FakeSlack::start().await;
    let dir = Arc::new(tempfile::tempdir().unwrap());
    let database_url = database_for(backend, dir.path()).await;
    launch(
        fake,
        dir,
        ManualClock::new(start_time()),
        extra.to_owned(),
        database_url,
    )
    .await
}

/// A fresh app with extra settings appended to the config file, starting
/// at `start`.
pub async fn spawn_app_at(extra: &str, start: DateTime<Utc>) -> TestApp {
    alignbot::telemetry::init();
    let fake = FakeSlack::start().await;
    let dir = Arc::new(tempfile::tempdir().unwrap());
    let database_url = database_for(current(), dir.path()).await;
    launch(
        fake,
        dir,
        ManualClock::new(start),
        extra.to_owned(),
        database_url,
    )
    .await
}

/// The app token the Socket Mode tests configure.
pub const APP_TOKEN: &str = "xapp-1-A0TEST-1-s3cr3t";

/// A fresh app in Socket Mode: `apps.connections.open` on `fake` hands out
/// `socket_url`, and reconnect waits are milliseconds (unless `extra` has its
/// own `[socket_mode]`). `extra` settings are appended; `# no signing secret`
/// in them leaves SLACK_SIGNING_SECRET unset.
pub async fn spawn_socket_app(fake: FakeSlack, socket_url: &str, extra: &str) -> TestApp {
    alignbot::telemetry::init();
    fake.set_socket_url(socket_url);
    let dir = Arc::new(tempfile::tempdir().unwrap());
    let backoff = if extra.contains("[socket_mode]") {
        ""
    } else {
        "[socket_mode]\ninitial_backoff_ms = 20\nmax_backoff_ms = 200\n"
    };
    let extra = format!("[slack]\napp_token = \"{APP_TOKEN}\"\n{backoff}{extra}");
    let database_url = sqlite_url(dir.path());
    launch(
        fake,
        dir,
        ManualClock::new(start_time()),
        extra,
        database_url,
    )
    .await
}

async fn launch(
    fake: FakeSlack,
    dir: Arc<TempDir>,
    clock: ManualClock,
    extra: String,
    database_url: String,
) -> TestApp {
    let settings = settings_for(&fake, dir.path(), &database_url, &extra);
    let mut app = Application::build(&settings, Arc::new(clock.clone()))
        .await
        .expect("the app builds");
    let worker = app
        .take_worker()
        .expect("the tests' settings have a bot token");
    // `fake.wait_for` (kept for work in tasks a test cannot drain) drives
    // delivery before each look.
    let driver = worker.clone();
    let driver_clock = clock.clone();
    fake.set_driver(move || {
        let (worker, clock) = (driver.clone(), driver_clock.clone());
        Box::pin(async move {
            // A failure shows in the test's own drain or assertions.
            let _ = drain_worker(&worker, &clock).await;
        })
    });
    let address = format!("http://{}", app.local_addr());
    let ctx = app.context().clone();
    let (tx, rx) = oneshot::channel::<()>();
    let handle = tokio::spawn(async move {
        app.run_until_stopped(async {
            let _ = rx.await;
        })
        .await
        .expect("the app runs");
    });
    TestApp {
        address,
        clock,
        fake,
        ctx,
        dir,
        extra,
        database_url,
        http: reqwest::Client::new(),
        shutdown: Some(tx),
        handle: Some(handle),
        worker,
        signed: Default::default(),
    }
}

/// Rounds a drain may take before it is declared stuck (each round sends
/// something, so this is far more than any test enqueues).
const MAX_ROUNDS: usize = 10_000;

/// Runs rounds until one does nothing: then nothing is due at the clock's
/// current time (a row deferred, backed off or paced to a later instant is
/// not due). Returns the rounds that did something.
async fn drain_worker(worker: &Worker, clock: &ManualClock) -> Result<Vec<Round>, StoreError> {
    use alignbot::clock::Clock;
    let mut rounds = Vec::new();
    for _ in 0..MAX_ROUNDS {
        let round = worker.step().await?;
        if round.sent + round.retried + round.failed == 0 {
            // The worker's loop sleeps until `next_due`: a round that did
            // nothing must not ask for another at once, or the loop spins.
            assert!(
                round.next_due.is_none_or(|at| at > clock.now()),
                "an idle round asks to run again at once: {round:?}"
            );
            return Ok(rounds);
        }
        rounds.push(round);
    }
    panic!("delivery never finished: {MAX_ROUNDS} rounds");
}

fn settings_for(fake: &FakeSlack, dir: &Path, database_url: &str, extra: &str) -> Settings {
    let scheduler_on = extra.contains("scheduler = true");
    let no_secret = extra.contains("# no signing secret");
    let api_url = fake.api_url();
    let database_url = database_url.to_owned();
    let env = move |name: &str| match name {
        "SLACK_SIGNING_SECRET" if !no_secret => Some(SECRET.to_owned()),
        "SLACK_BOT_TOKEN" => Some("xoxb-test-token".to_owned()),
        "SLACK_API_URL" => Some(api_url.clone()),
        "DATABASE_URL" => Some(database_url.clone()),
        "ALIGNBOT_LISTEN" => Some("127.0.0.1:0".to_owned()),
        // Tests of the scheduler turn it on with `[server] scheduler = true`
        // in their extra settings; everywhere else a catch-up run at start
        // would send nudges nobody asked for.
        "ALIGNBOT_SCHEDULER" if !scheduler_on => Some("off".to_owned()),
        _ => None,
    };
    // A whole config (starting with `[org]`) replaces the default one.
    let text = if extra.trim_start().starts_with("[org]") {
        extra.to_owned()
    } else {
        format!("{CONFIG}\n{extra}")
    };
    Settings::from_toml(&text, &dir.join("alignbot.toml"), &env).expect("test settings are valid")
}

pub struct Reply {
    pub status: u16,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// All text in the reply (text field and blocks), for assertions.
    pub fn text(&self) -> String {
        self.body.clone()
    }
}

impl TestApp {
    /// Stops the app gracefully (in-flight work finishes).
    pub async fn stop(mut self) -> (FakeSlack, Arc<TempDir>, ManualClock, String, String) {
        self.fake.clear_driver();
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(handle) = self.handle.take() {
            handle.await.expect("the app stops cleanly");
        }
        self.ctx.store.close().await;
        (
            self.fake.clone(),
            self.dir.clone(),
            self.clock.clone(),
            self.extra.clone(),
            self.database_url.clone(),
        )
    }

    /// Stops and starts the app again on the same database and fake Slack.
    pub async fn restart(self) -> TestApp {
        let (fake, dir, clock, extra, database_url) = self.stop().await;
        launch(fake, dir, clock, extra, database_url).await
    }

    /// Stops the app and starts it again on the same database, fake Slack
    /// and clock with other settings (`extra`, as for [`spawn_app_at`]).
    #[allow(dead_code)]
    pub async fn restart_with(self, extra: &str) -> TestApp {
        let (fake, dir, clock, _, database_url) = self.stop().await;
        launch(fake, dir, clock, extra.to_owned(), database_url).await
    }

    /// A second instance of the app (a replica) on the same database, fake
    /// Slack and clock; the fake's driver drains the newest one.
    pub async fn twin(&self) -> TestApp {
        launch(
            self.fake.clone(),
            self.dir.clone(),
            self.clock.clone(),
            self.extra.clone(),
            self.database_url.clone(),
        )
        .await
    }

    /// The settings this app was started with.
    pub fn settings(&self) -> Settings {
        settings_for(&self.fake, self.dir.path(), &self.database_url, &self.extra)
    }

    pub fn timestamp(&self) -> String {
        self.clock.now_ts().to_string()
    }

    /// POSTs `body` with the given (possibly missing) signature headers.
    pub async fn post_raw(
        &self,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
        timestamp: Option<String>,
        signature: Option<String>,
    ) -> Reply {
        let mut req = self
            .http
            .post(format!("{}{}", self.address, path))
            .header("content-type", content_type)
            .body(body);
        if let Some(ts) = timestamp {
            req = req.header("x-slack-request-timestamp", ts);
        }
        if let Some(sig) = signature {
            req = req.header("x-slack-signature", sig);
        }
        let response = req.send().await.expect("request reaches the app");
        Reply {
            status: response.status().as_u16(),
            body: response.text().await.unwrap_or_default(),
        }
    }

    /// A plain GET (operator endpoints).
    pub async fn get(&self, path: &str) -> Reply {
        let response = self
            .http
            .get(format!("{}{}", self.address, path))
            .send()
            .await
            .expect("request reaches the app");
        Reply {
            status: response.status().as_u16(),
            body: response.text().await.unwrap_or_default(),
        }
    }

    /// POSTs `body` signed as Slack would, at the clock's current time. The
    /// same body sent again in the same second of the clock is a second
    /// send, which Slack would stamp differently: it goes out stamped a
    /// second earlier (still fresh), so the app does not take it for a
    /// replay. Replays are sent with `post_raw`.
    pub async fn post_signed(&self, path: &str, content_type: &str, body: Vec<u8>) -> Reply {
        let (ts, sig) = {
            let mut signed = self.signed.lock().unwrap();
            let mut ts = self.clock.now_ts();
            loop {
                let sig = sign(SECRET, &ts.to_string(), &body);
                if signed.insert(sig.clone()) {
                    break (ts.to_string(), sig);
                }
                ts -= 1;
            }
        };
        self.post_raw(path, content_type, body, Some(ts), Some(sig))
            .await
    }

    pub async fn post_command(&self, command: &str, text: &str, user: &str) -> Reply {
        self.post_signed(
            "/slack/commands",
            FORM,
            command_body(command, text, user, &self.fake),
        )
        .await
    }

    pub async fn post_interaction(&self, payload: &Value) -> Reply {
        let body = serde_urlencoded::to_string([("payload", payload.to_string())]).unwrap();
        self.post_signed("/slack/interactions", FORM, body.into_bytes())
            .await
    }

    pub async fn post_event(&self, event: &Value) -> Reply {
        self.post_signed(
            "/slack/events",
            "application/json",
            event.to_string().into_bytes(),
        )
        .await
    }

    pub async fn scalar(&self, sql: &'static str) -> i64 {
        sqlx::query_scalar(sql)
            .fetch_one(self.ctx.store.reads())
            .await
            .expect("query runs")
    }

    /// Waits (up to 10 s of real time) until `sql`'s value satisfies `want`,
    /// for work done in a task the test cannot drive (the scheduler,
    /// housekeeping). Only to wait for something to happen, never to prove
    /// that something did not.
    pub async fn eventually(
        &self,
        sql: &'static str,
        want: impl Fn(i64) -> bool,
        what: &str,
    ) -> i64 {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let value = self.scalar(sql).await;
            if want(value) {
                return value;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{what}: still {value} after 10 s ({sql})"
            );
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    }

    pub async fn outbox(&self) -> OutboxCounts {
        outbox::counts(self.ctx.store.reads()).await.unwrap()
    }

    /// The app's own delivery worker (tests that run a second one beside it).
    pub fn worker(&self) -> &Worker {
        &self.worker
    }

    /// One delivery round at the clock's current time: claims what is due,
    /// sends it, records the outcomes.
    pub async fn step(&self) -> Round {
        self.worker.step().await.expect("a delivery round runs")
    }

    /// Delivers everything due at the clock's current time (round after
    /// round, so paced follow-ups and deletes enqueued by a send go too) and
    /// returns the outbox's counts. Afterwards nothing more happens until
    /// the test acts or moves the clock.
    pub async fn drain(&self) -> OutboxCounts {
        drain_worker(&self.worker, &self.clock)
            .await
            .expect("a delivery round runs");
        self.outbox().await
    }

    /// Drains, then requires an empty outbox (nothing pending, not even for
    /// later).
    pub async fn settle(&self) -> OutboxCounts {
        let counts = self.drain().await;
        assert_eq!(counts.pending, 0, "the outbox did not settle: {counts:?}");
        counts
    }

    /// Drains; kept for tests written when the worker ran on its own (it
    /// waited until no send was in flight before the clock was moved).
    #[allow(dead_code)]
    pub async fn idle(&self) {
        self.drain().await;
    }

    /// Drains, then returns the calls to `method`, which must number `n`
    /// exactly: nothing more can arrive until the test acts again.
    pub async fn sent(&self, method: &str, n: usize) -> Vec<crate::fake_slack::Call> {
        self.drain().await;
        let calls = self.fake.calls_to(method);
        assert_eq!(
            calls.len(),
            n,
            "calls to {method}: {:#?}",
            self.fake
                .calls()
                .iter()
                .map(|c| &c.method)
                .collect::<Vec<_>>()
        );
        calls
    }

    /// Another delivery worker on this app's database, as a second process
    /// would run it: its own connections (and writer), its own id, the same
    /// fake Slack and clock. The test drives it with `step`.
    pub async fn second_worker(&self) -> Arc<Worker> {
        let settings = self.settings();
        let store = alignbot::store::Store::connect(&settings.database_url)
            .await
            .expect("a second connection to the database");
        let ctx = AppContext::new(
            store,
            Arc::new(self.clock.clone()),
            (*self.ctx.directory()).clone(),
        );
        let client = alignbot::slack::client::build_client(&self.fake.api_url()).unwrap();
        let token = secrecy::SecretString::from("xoxb-test-token".to_owned());
        let transport = alignbot::slack::client::SlackTransport::new(client, &token);
        Arc::new(Worker::new(ctx, Arc::new(transport), settings.delivery))
    }

    /// Drains, then returns the bodies of the `chat.postMessage` calls into
    /// `channel` (a channel id, or a person's id for their DM with the app).
    #[allow(dead_code)]
    pub async fn posted_to(&self, channel: &str) -> Vec<Value> {
        self.drain().await;
        self.fake
            .calls_to("chat.postMessage")
            .into_iter()
            .filter(|c| c.body["channel"] == channel)
            .map(|c| c.body)
            .collect()
    }

    /// Moves the clock forward (the worker wakes if something became due).
    pub fn advance(&self, seconds: i64) {
        self.clock.advance(Duration::seconds(seconds));
    }
}

/// The clock's time as Slack's `X-Slack-Request-Timestamp`.
pub trait ClockExt {
    fn now_ts(&self) -> i64;
}

impl ClockExt for ManualClock {
    fn now_ts(&self) -> i64 {
        use alignbot::clock::Clock;
        self.now().timestamp()
    }
}

pub const FORM: &str = "application/x-www-form-urlencoded";

/// A slash command body shaped like the real one in the fixtures.
pub fn command_body(command: &str, text: &str, user: &str, fake: &FakeSlack) -> Vec<u8> {
    serde_urlencoded::to_string([
        ("token", "verification_token"),
        ("team_id", "T0TEAM"),
        ("team_domain", "riverside"),
        ("channel_id", "C0GENERAL"),
        ("channel_name", "general"),
        ("user_id", user),
        ("user_name", "someone"),
        ("command", command),
        ("text", text),
        ("response_url", &fake.hook_url("commands/1")),
        (
            "trigger_id",
            "398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c",
        ),
    ])
    .unwrap()
    .into_bytes()
}

fn interaction_fixture(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/slack/interactions/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The real global shortcut payload, for `callback` by `user`.
pub fn shortcut(callback: &str, user: &str) -> Value {
    let mut p = interaction_fixture("shortcut.global.json");
    p["callback_id"] = json!(callback);
    p["user"]["id"] = json!(user);
    p
}

/// The real message shortcut payload, on `(channel, ts)` with `text` by `author`.
pub fn message_shortcut(
    callback: &str,
    user: &str,
    channel: &str,
    ts: &str,
    text: &str,
    author: &str,
    reply_to: &str,
) -> Value {
    let mut p = interaction_fixture("message_action.json");
    p["callback_id"] = json!(callback);
    p["user"]["id"] = json!(user);
    p["channel"]["id"] = json!(channel);
    p["message_ts"] = json!(ts);
    p["message"]["ts"] = json!(ts);
    p["message"]["text"] = json!(text);
    p["message"]["user"] = json!(author);
    p["response_url"] = json!(reply_to);
    p
}

/// Where a button was pressed.
pub enum On<'a> {
    /// An (ephemeral) message with this response URL.
    Message(&'a str),
    /// The Home tab.
    Home,
    /// An open modal.
    Modal(&'a str),
}

/// The real block_actions payload, for a press of `action` with `value`.
pub fn button(user: &str, action: &str, value: &str, on: On<'_>) -> Value {
    let mut p = interaction_fixture("block_actions.json");
    p["user"]["id"] = json!(user);
    p["actions"][0]["action_id"] = json!(action);
    p["actions"][0]["value"] = json!(value);
    match on {
        On::Message(url) => p["response_url"] = json!(url),
        On::Home => {
            p.as_object_mut().unwrap().remove("response_url");
            p["container"] = json!({"type": "view", "view_id": "VHOME"});
            p["view"] = json!({"id": "VHOME", "type": "home", "blocks": []});
        }
        On::Modal(view) => {
            p.as_object_mut().unwrap().remove("response_url");
            p["container"] = json!({"type": "view", "view_id": view});
            p["view"] = json!({"id": view, "type": "modal", "title": {"type": "plain_text", "text": "Edit your moment"}, "blocks": []});
        }
    }
    p
}

/// The moment form's submitted state.
pub struct Form<'a> {
    pub story: &'a str,
    pub pillar: Option<&'a str>,
    pub recognized: &'a [&'a str],
    pub audience: &'a str,
    /// `None`: the privacy question was not on the form.
    pub acknowledged: Option<bool>,
}

impl Default for Form<'_> {
    fn default() -> Self {
        Self {
            story: "",
            pillar: None,
            recognized: &[],
            audience: "channel",
            acknowledged: None,
        }
    }
}

/// The real view_submission payload, carrying `form` for `callback`.
pub fn submission(user: &str, callback: &str, metadata: Value, form: &Form<'_>) -> Value {
    let mut p = interaction_fixture("view_submission.json");
    p["user"]["id"] = json!(user);
    p["view"]["callback_id"] = json!(callback);
    p["view"]["private_metadata"] = json!(metadata.to_string());
    let mut values = json!({
        "story": {"story": {"type": "plain_text_input", "value": form.story}},
        "recognized": {"recognized": {"type": "multi_users_select", "selected_users": form.recognized}},
        "audience": {"audience": {"type": "radio_buttons", "selected_option": {"text": {"type": "plain_text", "text": "x"}, "value": form.audience}}},
    });
    values["pillar"] = match form.pillar {
        Some(p) => {
            json!({"pillar": {"type": "static_select", "selected_option": {"text": {"type": "plain_text", "text": "x"}, "value": p}}})
        }
        None => json!({"pillar": {"type": "static_select", "selected_option": null}}),
    };
    if let Some(ack) = form.acknowledged {
        let selected = if ack {
            json!([{"text": {"type": "plain_text", "text": "x"}, "value": "yes"}])
        } else {
            json!([])
        };
        values["privacy_ack"] =
            json!({"privacy_ack": {"type": "checkboxes", "selected_options": selected}});
    }
    p["view"]["state"]["values"] = values;
    p
}

/// The text of all blocks of a Web API call, joined, for assertions.
pub fn blocks_text(body: &Value) -> String {
    fn walk(v: &Value, out: &mut String) {
        match v {
            Value::Object(map) => {
                if let Some(Value::String(t)) = map.get("text") {
                    out.push_str(t);
                    out.push('\n');
                }
                for (k, v) in map {
                    if k != "text" || !v.is_string() {
                        walk(v, out);
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|i| walk(i, out)),
            _ => {}
        }
    }
    let mut out = String::new();
    walk(&body["blocks"], &mut out);
    walk(&body["view"], &mut out);
    out
}
