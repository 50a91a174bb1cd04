//! A real playground (the bot, its demo database in a temp directory, the
//! local workspace) on a free port, and a client for its page API.

use alignbot::clock::SystemClock;
use alignbot::playground::{self, Options};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;
use tempfile::TempDir;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub const ADMIN: &str = "U0ANA";
pub const NOA: &str = "U0NOA";
pub const LEE: &str = "U0LEE";
pub const MOMENTS: &str = "C0MOMENTS";
pub const NURSING: &str = "C0NURSING";

pub struct TestPlayground {
    pub address: String,
    pub pg: Arc<playground::Playground>,
    pub http: reqwest::Client,
    pub dir: Arc<TempDir>,
    shutdown: Option<oneshot::Sender<()>>,
    handle: Option<JoinHandle<()>>,
}

/// A fresh playground with a fresh demo database.
pub async fn spawn() -> TestPlayground {
    spawn_in(Arc::new(tempfile::tempdir().unwrap())).await
}

/// A playground on the demo database in `dir` (seeded if new).
pub async fn spawn_in(dir: Arc<TempDir>) -> TestPlayground {
    alignbot::telemetry::init();
    let options = Options {
        listen: "127.0.0.1:0".parse().unwrap(),
        data_dir: dir.path().join("data"),
    };
    let started = playground::start(options, Arc::new(SystemClock))
        .await
        .expect("the playground starts");
    let address = format!("http://{}", started.address);
    let pg = started.playground.clone();
    let (tx, rx) = oneshot::channel::<()>();
    let handle = tokio::spawn(async move {
        started
            .run(async {
                let _ = rx.await;
            })
            .await
            .expect("the playground runs");
    });
    let tp = TestPlayground {
        address,
        pg,
        http: reqwest::Client::new(),
        dir,
        shutdown: Some(tx),
        handle: Some(handle),
    };
    // The seeded moments are posted by the delivery worker.
    tp.settle().await;
    tp
}

pub struct Answer {
    pub status: u16,
    pub body: Value,
}

impl TestPlayground {
    pub async fn stop(mut self) -> Arc<TempDir> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(h) = self.handle.take() {
            h.await.expect("the playground stops cleanly");
        }
        self.pg.ctx.store.close().await;
        self.dir.clone()
    }

    pub async fn get(&self, path: &str) -> Answer {
        answer(self.http.get(format!("{}{path}", self.address))).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Answer {
        answer(
            self.http
                .post(format!("{}{path}", self.address))
                .header("content-type", "application/json")
                .body(body.to_string()),
        )
        .await
    }

    pub async fn command(&self, who: &str, channel: &str, text: &str) -> Answer {
        self.post(
            "/playground/api/command",
            json!({"as": who, "channel": channel, "text": text}),
        )
        .await
    }

    pub async fn messages(&self, channel: &str, who: &str) -> Vec<Value> {
        let a = self
            .get(&format!(
                "/playground/api/messages?channel={channel}&as={who}"
            ))
            .await;
        assert_eq!(a.status, 200, "{}", a.body);
        a.body["messages"].as_array().cloned().unwrap_or_default()
    }

    /// Waits (real time, bounded) until the outbox has nothing pending.
    pub async fn settle(&self) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let counts = alignbot::store::outbox::counts(self.pg.ctx.store.reads())
                .await
                .unwrap();
            if counts.pending == 0 {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "the outbox did not settle: {counts:?}"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Waits until `check` holds for the messages of `channel` seen by `who`.
    pub async fn wait_messages(
        &self,
        channel: &str,
        who: &str,
        what: &str,
        check: impl Fn(&[Value]) -> bool,
    ) -> Vec<Value> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let messages = self.messages(channel, who).await;
            if check(&messages) {
                return messages;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "never saw {what} in {channel}: {messages:#?}"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Waits until `who` has `n` modals open; returns them.
    pub async fn wait_views(&self, who: &str, n: usize) -> Vec<Value> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let a = self.get(&format!("/playground/api/views?as={who}")).await;
            let views = a.body["views"].as_array().cloned().unwrap_or_default();
            if views.len() == n {
                return views;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "expected {n} open modal(s) for {who}, saw {views:#?}"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Waits (up to 10 s) until `sql`'s value satisfies `want`: the
    /// playground delivers in a task of its own, on the wall clock. Only to
    /// wait for something to happen, never to prove that something did not.
    pub async fn eventually(&self, sql: &'static str, want: impl Fn(i64) -> bool, what: &str) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let value = self.scalar(sql).await;
            if want(value) {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{what}: still {value} after 10 s ({sql})"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    pub async fn scalar(&self, sql: &'static str) -> i64 {
        sqlx::query_scalar(sql)
            .fetch_one(self.pg.ctx.store.reads())
            .await
            .expect("query runs")
    }
}

/// All text of a message or view (text fields, recursively), for assertions.
pub fn all_text(v: &Value) -> String {
    fn walk(v: &Value, out: &mut String) {
        match v {
            Value::String(s) => {
                out.push_str(s);
                out.push('\n');
            }
            Value::Array(items) => items.iter().for_each(|i| walk(i, out)),
            Value::Object(map) => map.values().for_each(|i| walk(i, out)),
            _ => {}
        }
    }
    let mut out = String::new();
    walk(v, &mut out);
    out
}

/// The first element with `action_id` in a list of blocks.
pub fn find_action(blocks: &Value, action_id: &str) -> Option<(String, Value)> {
    for block in blocks.as_array()? {
        let block_id = block["block_id"].as_str().unwrap_or_default().to_owned();
        let mut elements: Vec<&Value> = block["elements"]
            .as_array()
            .map(|e| e.iter().collect())
            .unwrap_or_default();
        if block.get("accessory").is_some() {
            elements.push(&block["accessory"]);
        }
        if let Some(e) = elements.into_iter().find(|e| e["action_id"] == action_id) {
            return Some((block_id, e.clone()));
        }
    }
    None
}

/// Sends `request` and reads the answer as JSON (or as text when it is not).
async fn answer(request: reqwest::RequestBuilder) -> Answer {
    let r = request.send().await.expect("the playground answers");
    let status = r.status().as_u16();
    let text = r.text().await.unwrap_or_default();
    Answer {
        status,
        body: serde_json::from_str(&text).unwrap_or(Value::String(text)),
    }
}
