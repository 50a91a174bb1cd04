//! The page API as the page itself calls it: every change carries the
//! per-run token the page is served with (`X-Playground-Token`), which the
//! playground requires of anything that is not its own page.

use crate::support::{Answer, TestPlayground};
use alignbot::playground::guard::TOKEN_HEADER;
use serde_json::{Value, json};

pub trait PageApi {
    /// POSTs `body` to `path` with the page's token.
    async fn page_post(&self, path: &str, body: Value) -> Answer;
    /// A slash command typed in the composer, sent with the page's token.
    async fn page_command(&self, who: &str, channel: &str, text: &str) -> Answer;
    /// "Jump to" on the time control.
    async fn jump(&self, to: &str) -> Answer;
}

impl PageApi for TestPlayground {
    async fn page_post(&self, path: &str, body: Value) -> Answer {
        let r = self
            .http
            .post(format!("{}{path}", self.address))
            .header("content-type", "application/json")
            .header(TOKEN_HEADER, self.pg.page_token())
            .body(body.to_string())
            .send()
            .await
            .expect("the playground answers");
        read(r).await
    }

    async fn page_command(&self, who: &str, channel: &str, text: &str) -> Answer {
        self.page_post(
            "/playground/api/command",
            json!({"as": who, "channel": channel, "text": text}),
        )
        .await
    }

    async fn jump(&self, to: &str) -> Answer {
        self.page_post("/playground/api/time", json!({ "jump": to }))
            .await
    }
}

/// The answer as JSON (or as text when it is not).
pub async fn read(r: reqwest::Response) -> Answer {
    let status = r.status().as_u16();
    let text = r.text().await.unwrap_or_default();
    Answer {
        status,
        body: serde_json::from_str(&text).unwrap_or(Value::String(text)),
    }
}
