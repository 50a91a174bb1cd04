//! `TeamsApp`: the real application on a random port with a fresh SQLite
//! database (or PostgreSQL, with [`on_backend`]), configured for Microsoft Teams only, against the fake identity
//! platform and Bot Connector ([`FakeIdentity`]) on a manual clock. The
//! delivery worker is driven only by the test ([`TeamsApp::drain`]).

use crate::fake_identity::{ConnectorCall, FakeIdentity};
use crate::support::{APP_ID, KEY_1, PASSWORD, TENANT_ID, bearer, start_time};
use alignbot::app::AppContext;
use alignbot::clock::{Clock, ManualClock};
use alignbot::config::Settings;
use alignbot::delivery::Worker;
use alignbot::startup::Application;
use alignbot::store::outbox::{self, OutboxCounts};
use chrono::Duration;
use serde_json::{Value, json};
use std::sync::Arc;
use tempfile::TempDir;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub const ADMIN: &str = "0a0a0a0a-0000-4000-8000-00000000ad01";
pub const LEAD: &str = "1e1e1e1e-0000-4000-8000-00000000ea01";
pub const NURSE: &str = "2b2b2b2b-0000-4000-8000-000000000001";
pub const NURSE2: &str = "2b2b2b2b-0000-4000-8000-000000000002";
pub const MOMENTS: &str = "19:moments@thread.tacv2";
pub const NURSING: &str = "19:nursing@thread.tacv2";
pub const BOT: &str = "28:8f0d3c1e-2b6a-4e57-9c1d-0a1b2c3d4e5f";

pub const CONFIG: &str = r#"
[org]
name = "Riverside Health"
mission = "Every patient leaves healthier and heard."
timezone = "America/New_York"
moments_channel = "19:moments@thread.tacv2"
leadership_channel = "19:leaders@thread.tacv2"
admins = ["0a0a0a0a-0000-4000-8000-00000000ad01"]
# The tests start in November: keep new goals in this year's plan.
next_year_opens = "December"

[[pillars]]
key = "patient-care"
name = "Patient care"

[[teams]]
key = "nursing"
name = "Nursing"
channel = "19:nursing@thread.tacv2"
leaders = ["1e1e1e1e-0000-4000-8000-00000000ea01"]
members = ["2b2b2b2b-0000-4000-8000-000000000001", "2b2b2b2b-0000-4000-8000-000000000002"]

[delivery]
per_channel_interval_ms = 1000
request_timeout_ms = 2000
"#;

pub struct TeamsApp {
    pub address: String,
    pub clock: ManualClock,
    pub fake: FakeIdentity,
    pub ctx: AppContext,
    pub service_url: String,
    dir: Arc<TempDir>,
    database_url: String,
    http: reqwest::Client,
    shutdown: Option<oneshot::Sender<()>>,
    handle: Option<JoinHandle<()>>,
    worker: Arc<Worker>,
}

/// Everything an activity post returned.
pub struct Answer {
    pub status: u16,
    pub body: Value,
}

pub use crate::backend::{Backend, on_backend};

pub async fn spawn() -> TeamsApp {
    crate::support::capture();
    let fake = FakeIdentity::start().await;
    fake.set_keys(vec![KEY_1.jwk(&["msteams"])]);
    let dir = Arc::new(tempfile::tempdir().unwrap());
    let db = crate::backend::database_for(crate::backend::current(), dir.path()).await;
    launch(fake, dir, db, ManualClock::new(start_time()), false).await
}

/// The app with `ALIGNBOT_TEAMS_NO_AUTH=1` (local tools), on loopback.
pub async fn spawn_without_auth() -> TeamsApp {
    crate::support::capture();
    let fake = FakeIdentity::start().await;
    let dir = Arc::new(tempfile::tempdir().unwrap());
    let db = crate::backend::database_for(crate::backend::current(), dir.path()).await;
    launch(fake, dir, db, ManualClock::new(start_time()), true).await
}

async fn launch(
    fake: FakeIdentity,
    dir: Arc<TempDir>,
    db: String,
    clock: ManualClock,
    no_auth: bool,
) -> TeamsApp {
    let database_url = db.clone();
    let openid = format!("{}/openid", fake.base());
    let token_url = format!("{}/token", fake.base());
    let env = move |name: &str| -> Option<String> {
        if no_auth {
            return Some(match name {
                "ALIGNBOT_TEAMS_NO_AUTH" => "1".to_owned(),
                "DATABASE_URL" => db.clone(),
                "ALIGNBOT_LISTEN" => "127.0.0.1:0".to_owned(),
                "ALIGNBOT_SCHEDULER" => "off".to_owned(),
                _ => return None,
            });
        }
        Some(match name {
            "MICROSOFT_APP_ID" => APP_ID.to_owned(),
            "MICROSOFT_APP_PASSWORD" => PASSWORD.to_owned(),
            "MICROSOFT_APP_TENANT_ID" => TENANT_ID.to_owned(),
            "BOTFRAMEWORK_OPENID_METADATA_URL" => openid.clone(),
            "BOTFRAMEWORK_TOKEN_URL" => token_url.clone(),
            "BOTFRAMEWORK_ALLOWED_SERVICE_HOSTS" => "127.0.0.1".to_owned(),
            "DATABASE_URL" => db.clone(),
            "ALIGNBOT_LISTEN" => "127.0.0.1:0".to_owned(),
            "ALIGNBOT_SCHEDULER" => "off".to_owned(),
            _ => return None,
        })
    };
    let settings = Settings::from_toml(CONFIG, &dir.path().join("alignbot.toml"), &env)
        .expect("Teams-only settings are valid");
    assert!(settings.slack.signing_secret.is_none(), "no Slack at all");
    let mut app = Application::build(&settings, Arc::new(clock.clone()))
        .await
        .expect("a Teams-only app builds");
    let worker = app
        .take_worker()
        .expect("Teams delivers through the worker");
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
    let service_url = format!("{}/connector/", fake.base());
    TeamsApp {
        address,
        clock,
        fake,
        ctx,
        service_url,
        dir,
        database_url,
        http: reqwest::Client::new(),
        shutdown: Some(tx),
        handle: Some(handle),
        worker,
    }
}

impl TeamsApp {
    /// Stops and starts the app again on the same database and fakes.
    pub async fn restart(mut self) -> TeamsApp {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(handle) = self.handle.take() {
            handle.await.expect("the app stops cleanly");
        }
        self.ctx.store.close().await;
        launch(
            self.fake.clone(),
            self.dir.clone(),
            self.database_url.clone(),
            self.clock.clone(),
            false,
        )
        .await
    }

    /// A token the Bot Framework would send now for `service_url`.
    pub fn token(&self) -> String {
        KEY_1.token(&self.claims(json!({})))
    }

    /// Valid claims with `changes` merged in (`null` removes one).
    pub fn claims(&self, changes: Value) -> Value {
        let now = self.clock.now().timestamp();
        let mut claims = json!({
            "iss": "https://api.botframework.com",
            "aud": APP_ID,
            "iat": now - 10,
            "nbf": now - 10,
            "exp": now + 3600,
            "serviceurl": self.service_url,
        });
        for (k, v) in changes.as_object().unwrap() {
            if v.is_null() {
                claims.as_object_mut().unwrap().remove(k);
            } else {
                claims[k] = v.clone();
            }
        }
        claims
    }

    /// POSTs `activity` with this `Authorization` header (or none).
    pub async fn post_raw(&self, activity: &Value, authorization: Option<String>) -> Answer {
        let mut request = self
            .http
            .post(format!("{}/api/messages", self.address))
            .json(activity);
        if let Some(value) = authorization {
            request = request.header("authorization", value);
        }
        let response = request.send().await.expect("the request reaches the app");
        let status = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        Answer {
            status,
            body: serde_json::from_str(&text).unwrap_or(Value::Null),
        }
    }

    /// POSTs `activity` as the Bot Framework would, and requires a 200.
    pub async fn post(&self, activity: &Value) -> Answer {
        let answer = self.post_raw(activity, Some(bearer(&self.token()))).await;
        assert_eq!(
            answer.status, 200,
            "the activity is accepted: {}",
            answer.body
        );
        answer
    }

    /// Runs delivery rounds until one does nothing, moving the clock a
    /// second at a time (up to five) past the per-conversation pace while
    /// rows are pending; the outbox's counts.
    pub async fn drain(&self) -> OutboxCounts {
        for paced in 0..=5 {
            if paced > 0 {
                self.advance(1);
            }
            self.rounds().await;
            let counts = self.outbox().await;
            if counts.pending == 0 {
                return counts;
            }
        }
        self.outbox().await
    }

    /// Delivery rounds at the clock's current time, until one does nothing.
    pub async fn rounds(&self) {
        for _ in 0..1000 {
            let round = self.worker.step().await.expect("a delivery round runs");
            if round.sent + round.retried + round.failed == 0 {
                return;
            }
        }
        panic!("delivery never finished");
    }

    pub async fn outbox(&self) -> OutboxCounts {
        outbox::counts(self.ctx.store.reads()).await.unwrap()
    }

    pub fn advance(&self, seconds: i64) {
        self.clock.advance(Duration::seconds(seconds));
    }

    /// Rows in a table (to prove a refused request stored nothing).
    pub async fn count(&self, table: &str) -> i64 {
        let sql = match table {
            "teams_conversations" => "SELECT COUNT(*) FROM teams_conversations",
            "teams_seen_activities" => "SELECT COUNT(*) FROM teams_seen_activities",
            "moments" => "SELECT COUNT(*) FROM moments",
            "outbox" => "SELECT COUNT(*) FROM outbox",
            other => panic!("no count for {other}"),
        };
        let (n,): (i64,) = sqlx::query_as(sql)
            .fetch_one(self.ctx.store.reads())
            .await
            .unwrap();
        n
    }

    /// Successful connector calls whose path ends with `suffix`.
    pub fn sent_to(&self, suffix: &str) -> Vec<ConnectorCall> {
        self.fake
            .delivered()
            .into_iter()
            .filter(|c| c.path.ends_with(suffix))
            .collect()
    }

    // ---- activities, shaped like the Bot Framework's -----------------------

    fn base(&self, kind: &str, person: &str, conversation: Value) -> Value {
        let id = format!("act-{}", fastrand::u64(..));
        json!({
            "type": kind,
            "id": id,
            "serviceUrl": self.service_url,
            "channelId": "msteams",
            "from": {"id": format!("29:{person}"), "name": name_of(person), "aadObjectId": person},
            "recipient": {"id": BOT, "name": "alignbot"},
            "conversation": conversation,
            "channelData": {"tenant": {"id": TENANT_ID}},
            "locale": "en-US",
        })
    }

    fn personal(person: &str) -> Value {
        json!({"id": format!("a:personal-{person}"), "conversationType": "personal", "tenantId": TENANT_ID})
    }

    /// The app installed in `person`'s personal scope.
    pub fn install(&self, person: &str) -> Value {
        let mut a = self.base("installationUpdate", person, Self::personal(person));
        a["action"] = json!("add");
        a
    }

    /// `text` typed to the bot in `person`'s 1:1 chat.
    pub fn typed(&self, person: &str, text: &str) -> Value {
        let mut a = self.base("message", person, Self::personal(person));
        a["text"] = json!(text);
        a["textFormat"] = json!("plain");
        a
    }

    /// `text` after an @mention of the bot in a team channel.
    pub fn in_channel(&self, person: &str, channel: &str, text: &str) -> Value {
        let conversation = json!({
            "id": format!("{channel};messageid=9"), "conversationType": "channel",
            "tenantId": TENANT_ID, "isGroup": true,
        });
        let mut a = self.base("message", person, conversation);
        a["text"] = json!(format!("<at>alignbot</at> {text}"));
        a["entities"] = json!([{"type": "mention", "text": "<at>alignbot</at>",
                                "mentioned": {"id": BOT, "name": "alignbot"}}]);
        a["channelData"]["channel"] = json!({"id": channel});
        a["channelData"]["team"] = json!({"id": channel});
        a
    }

    /// The bot added to a team: people reachable by their user id only.
    pub fn team_install(&self, by: &str, channel: &str, members: &[&str]) -> Value {
        let conversation =
            json!({"id": channel, "conversationType": "channel", "tenantId": TENANT_ID});
        let mut a = self.base("conversationUpdate", by, conversation);
        let mut added = vec![json!({"id": BOT})];
        added.extend(
            members
                .iter()
                .map(|m| json!({"id": format!("29:{m}"), "aadObjectId": m, "name": name_of(m)})),
        );
        a["membersAdded"] = json!(added);
        a["channelData"]["channel"] = json!({"id": channel});
        a["channelData"]["team"] = json!({"id": channel});
        a["channelData"]["eventType"] = json!("teamMemberAdded");
        a
    }

    /// An invoke (`task/fetch`, `task/submit`, `adaptiveCard/action`).
    pub fn invoke(&self, person: &str, name: &str, value: Value) -> Value {
        let mut a = self.base("invoke", person, Self::personal(person));
        a["name"] = json!(name);
        a["value"] = value;
        a
    }
}

pub fn name_of(person: &str) -> &'static str {
    match person {
        ADMIN => "Ada Admin",
        LEAD => "Lee Lead",
        NURSE => "Nora Nurse",
        NURSE2 => "Ned Nurse",
        _ => "Someone",
    }
}
