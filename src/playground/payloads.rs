//! The requests Slack would send the bot, built from what the person did on
//! the page, and the loopback link that signs and sends them to the bot's
//! own `/slack/*` endpoints.
//!
//! The shapes follow the real payloads in `tests/fixtures/slack/` (the unit
//! tests below compare them key by key), so the bot parses them with the
//! same code it uses for Slack's.

use super::workspace::{APP_ID, BOT_USER, Message, Person, TEAM_DOMAIN, TEAM_ID};
use crate::clock::SharedClock;
use crate::slack::verify::sign;
use axum::body::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::{Value, json};

/// The verification token Slack still sends (unused by alignbot).
const TOKEN: &str = "playground_verification_token";

fn user_json(p: &Person) -> Value {
    json!({"id": p.id, "username": p.name, "name": p.name, "team_id": TEAM_ID})
}

fn team_json() -> Value {
    json!({"id": TEAM_ID, "domain": TEAM_DOMAIN})
}

/// Slack's `action_ts`/`event_ts`: now, as seconds with microseconds.
pub fn now_ts() -> String {
    let now = chrono::Utc::now();
    format!("{}.{:06}", now.timestamp(), now.timestamp_subsec_micros())
}

/// A slash command's form body, fields in Slack's order.
pub fn slash_command(
    user: &Person,
    channel: (&str, &str),
    command: &str,
    text: &str,
    response_url: &str,
    trigger_id: &str,
) -> Vec<u8> {
    serde_urlencoded::to_string([
        ("token", TOKEN),
        ("team_id", TEAM_ID),
        ("team_domain", TEAM_DOMAIN),
        ("channel_id", channel.0),
        ("channel_name", channel.1),
        ("user_id", &user.id),
        ("user_name", &user.name),
        ("command", command),
        ("text", text),
        ("api_app_id", APP_ID),
        ("is_enterprise_install", "false"),
        ("response_url", response_url),
        ("trigger_id", trigger_id),
    ])
    .expect("strings always encode")
    .into_bytes()
}

/// Where a pressed element was.
pub enum ActionSource<'a> {
    /// In a message; `response_url` answers there.
    Message {
        message: &'a Message,
        channel_name: &'a str,
        response_url: &'a str,
    },
    /// In a modal or the Home tab; `view` is the stateful view object.
    View { view: Value },
}

/// A `block_actions` payload for one pressed or picked element.
pub fn block_actions(
    user: &Person,
    source: ActionSource<'_>,
    mut action: Value,
    trigger_id: &str,
) -> Value {
    action["action_ts"] = json!(now_ts());
    let mut p = json!({
        "type": "block_actions",
        "user": user_json(user),
        "api_app_id": APP_ID,
        "token": TOKEN,
        "trigger_id": trigger_id,
        "team": team_json(),
        "enterprise": null,
        "is_enterprise_install": false,
        "actions": [action],
    });
    match source {
        ActionSource::Message {
            message,
            channel_name,
            response_url,
        } => {
            let ephemeral = message.ephemeral_for.is_some();
            p["container"] = json!({
                "type": "message",
                "message_ts": message.ts,
                "channel_id": message.channel,
                "is_ephemeral": ephemeral,
            });
            p["channel"] = json!({"id": message.channel, "name": channel_name});
            p["response_url"] = json!(response_url);
            // Slack leaves the message out for ephemeral ones.
            if !ephemeral {
                p["message"] = message_json(message);
            }
            p["state"] = json!({"values": {}});
        }
        ActionSource::View { view } => {
            p["container"] = json!({"type": "view", "view_id": view["id"]});
            p["state"] = json!({"values": view["state"]["values"].clone()});
            p["view"] = view;
        }
    }
    p
}

/// A `view_submission` payload for the stateful view object `view`.
pub fn view_submission(user: &Person, view: Value, trigger_id: &str) -> Value {
    json!({
        "type": "view_submission",
        "team": team_json(),
        "user": user_json(user),
        "api_app_id": APP_ID,
        "token": TOKEN,
        "trigger_id": trigger_id,
        "view": view,
        "response_urls": [],
        "is_enterprise_install": false,
        "enterprise": null,
    })
}

/// A `view_closed` payload (sent only for views with `notify_on_close`).
pub fn view_closed(user: &Person, view: Value) -> Value {
    json!({
        "type": "view_closed",
        "team": team_json(),
        "user": user_json(user),
        "api_app_id": APP_ID,
        "token": TOKEN,
        "view": view,
        "is_cleared": false,
        "is_enterprise_install": false,
    })
}

/// A global shortcut.
pub fn shortcut(user: &Person, callback_id: &str, trigger_id: &str) -> Value {
    json!({
        "type": "shortcut",
        "token": TOKEN,
        "action_ts": now_ts(),
        "team": team_json(),
        "user": {"id": user.id, "username": user.name, "team_id": TEAM_ID},
        "is_enterprise_install": false,
        "enterprise": null,
        "callback_id": callback_id,
        "trigger_id": trigger_id,
    })
}

/// A message shortcut on `message`.
pub fn message_action(
    user: &Person,
    callback_id: &str,
    trigger_id: &str,
    channel_name: &str,
    message: &Message,
    response_url: &str,
) -> Value {
    let m = message_json(message);
    json!({
        "type": "message_action",
        "token": TOKEN,
        "action_ts": now_ts(),
        "team": team_json(),
        "user": {"id": user.id, "name": user.name},
        "channel": {"id": message.channel, "name": channel_name},
        "is_enterprise_install": false,
        "enterprise": null,
        "callback_id": callback_id,
        "trigger_id": trigger_id,
        "message_ts": message.ts,
        "message": m,
        "response_url": response_url,
    })
}

/// The Events API envelope around `event`.
pub fn event_callback(event: Value, event_id: &str) -> Value {
    json!({
        "token": TOKEN,
        "team_id": TEAM_ID,
        "api_app_id": APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": event_id,
        "event_time": chrono::Utc::now().timestamp(),
        "authed_users": [BOT_USER],
        "is_ext_shared_channel": false,
    })
}

/// `reaction_added` / `reaction_removed` on a message.
pub fn reaction(user: &str, name: &str, message: &Message, added: bool) -> Value {
    json!({
        "type": if added { "reaction_added" } else { "reaction_removed" },
        "user": user,
        "item": {"type": "message", "channel": message.channel, "ts": message.ts},
        "reaction": name,
        "item_user": message.user.clone().unwrap_or_else(|| BOT_USER.to_owned()),
        "event_ts": now_ts(),
    })
}

/// `app_home_opened` for the Home tab; `view` is the current Home view, if any.
pub fn app_home_opened(user: &str, channel: &str, view: Option<Value>) -> Value {
    let mut e = json!({
        "type": "app_home_opened",
        "user": user,
        "channel": channel,
        "tab": "home",
        "event_ts": now_ts(),
    });
    if let Some(v) = view {
        e["view"] = v;
    }
    e
}

/// An interaction payload as Slack posts it: a `payload=` form field.
pub fn interaction_form(payload: &Value) -> Vec<u8> {
    serde_urlencoded::to_string([("payload", payload.to_string())])
        .expect("strings always encode")
        .into_bytes()
}

/// The bot's answer to one request.
#[derive(Debug, Clone)]
pub struct BotAnswer {
    pub status: u16,
    pub body: Bytes,
}

impl BotAnswer {
    /// The body as JSON; `None` for Slack's empty acknowledgement.
    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }
}

/// Why the bot could not be reached over loopback.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error("the bot's address is not a valid URL: {0}")]
    Address(String),
    #[error("the bot did not answer: {0}")]
    Unreachable(String),
}

/// Signs requests with the playground's secret and sends them to the bot.
#[derive(Clone)]
pub struct BotLink {
    client: Client<HttpConnector, Full<Bytes>>,
    base: String,
    secret: String,
    /// The bot's clock: the bot checks the request's timestamp against it,
    /// so a moved playground clock moves the timestamps too.
    clock: SharedClock,
}

impl BotLink {
    /// `base` is the bot's address, e.g. `http://127.0.0.1:3000`.
    pub fn new(base: String, secret: String, clock: SharedClock) -> Self {
        Self {
            client: Client::builder(TokioExecutor::new()).build_http(),
            base,
            secret,
            clock,
        }
    }

    /// POSTs `body` to `path` (`/slack/commands`, …), signed as Slack signs.
    pub async fn post(
        &self,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> Result<BotAnswer, LinkError> {
        let timestamp = self.clock.now().timestamp().to_string();
        let signature = sign(&self.secret, &timestamp, &body);
        let uri: axum::http::Uri = format!("{}{path}", self.base)
            .parse()
            .map_err(|e: axum::http::uri::InvalidUri| LinkError::Address(e.to_string()))?;
        let request = axum::http::Request::post(uri)
            .header("content-type", content_type)
            .header("x-slack-request-timestamp", timestamp)
            .header("x-slack-signature", signature)
            .header("user-agent", "Slackbot 1.0 (+https://api.slack.com/robots)")
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| LinkError::Address(e.to_string()))?;
        let response = self
            .client
            .request(request)
            .await
            .map_err(|e| LinkError::Unreachable(e.to_string()))?;
        let status = response.status().as_u16();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|e| LinkError::Unreachable(e.to_string()))?
            .to_bytes();
        Ok(BotAnswer { status, body })
    }

    pub async fn command(&self, form: Vec<u8>) -> Result<BotAnswer, LinkError> {
        self.post("/slack/commands", "application/x-www-form-urlencoded", form)
            .await
    }

    pub async fn interaction(&self, payload: &Value) -> Result<BotAnswer, LinkError> {
        self.post(
            "/slack/interactions",
            "application/x-www-form-urlencoded",
            interaction_form(payload),
        )
        .await
    }

    pub async fn event(&self, envelope: &Value) -> Result<BotAnswer, LinkError> {
        self.post(
            "/slack/events",
            "application/json",
            envelope.to_string().into_bytes(),
        )
        .await
    }
}

/// A stored message as Slack puts it inside `block_actions` and
/// `message_action` payloads.
fn message_json(message: &Message) -> Value {
    let mut m = json!({
        "type": "message",
        "text": message.text,
        "ts": message.ts,
        "team": TEAM_ID,
    });
    if message.bot {
        m["user"] = json!(BOT_USER);
        m["bot_id"] = json!(super::workspace::BOT_ID);
    } else if let Some(u) = &message.user {
        m["user"] = json!(u);
    }
    if let Some(b) = &message.blocks {
        m["blocks"] = b.clone();
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn fixture(path: &str) -> Value {
        let text = std::fs::read_to_string(format!(
            "{}/tests/fixtures/slack/{path}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .expect("fixture exists");
        serde_json::from_str(&text).expect("fixture is JSON")
    }

    fn keys(v: &Value) -> BTreeSet<String> {
        v.as_object()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// Every key of Slack's payload is in ours (we may send a few more
    /// that newer payloads carry), but for Enterprise Grid's: the
    /// playground is a plain workspace.
    fn assert_covers(ours: &Value, slack: &Value, what: &str) {
        let missing: Vec<_> = keys(slack)
            .difference(&keys(ours))
            .filter(|k| !k.starts_with("enterprise_"))
            .cloned()
            .collect();
        assert!(missing.is_empty(), "{what} lacks {missing:?}");
    }

    fn ana() -> Person {
        Person {
            id: "U0ANA".into(),
            name: "ana".into(),
            real_name: "Ana".into(),
            title: String::new(),
            role: "admin".into(),
            tz: "UTC".into(),
            avatar_color: "#000".into(),
        }
    }

    fn posted() -> Message {
        let mut m =
            super::super::workspace::bot_message("C0MOMENTS".into(), "hi".into(), Some(json!([])));
        m.ts = "1764000000.000100".into();
        m
    }

    #[test]
    fn a_slash_command_has_the_fields_of_a_real_one_and_parses() {
        let body = slash_command(
            &ana(),
            ("C0MOMENTS", "moments"),
            "/moment",
            "We did it & more",
            "http://x/r/1",
            "1.2.abc",
        );
        let real = std::fs::read_to_string(format!(
            "{}/tests/fixtures/slack/commands/slash_command.bolt-python.txt",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        let fields = |raw: &[u8]| -> BTreeSet<String> {
            serde_urlencoded::from_bytes::<Vec<(String, String)>>(raw)
                .unwrap()
                .into_iter()
                .map(|(k, _)| k)
                .collect()
        };
        let slack = fields(real.trim().as_bytes());
        let ours = fields(&body);
        let missing: Vec<_> = slack
            .iter()
            .filter(|k| !k.starts_with("enterprise"))
            .filter(|k| !ours.contains(*k))
            .collect();
        assert!(missing.is_empty(), "missing {missing:?}");
        let cmd = crate::slack::command::SlashCommand::parse(&body).unwrap();
        assert_eq!(cmd.text, "We did it & more");
        assert_eq!(cmd.trigger_id.as_deref(), Some("1.2.abc"));
    }

    #[test]
    fn a_button_press_in_a_message_looks_like_slacks_and_parses_as_one() {
        let m = posted();
        let p = block_actions(
            &ana(),
            ActionSource::Message {
                message: &m,
                channel_name: "moments",
                response_url: "http://x/r/2",
            },
            json!({"type": "button", "action_id": "home_share", "block_id": "b", "value": "v", "text": {"type": "plain_text", "text": "Share"}}),
            "1.2.abc",
        );
        let real = fixture("interactions/block_actions.json");
        assert_covers(&p, &real, "block_actions");
        assert_covers(&p["container"], &real["container"], "container");
        assert_covers(&p["actions"][0], &real["actions"][0], "action");
        let got = crate::slack::interaction::parse_payload(&p.to_string()).unwrap();
        assert_eq!(
            got,
            crate::slack::interaction::Interaction::Button {
                person: "U0ANA".into(),
                action: "home_share".into(),
                value: "v".into(),
                trigger: "1.2.abc".into(),
                reply_to: Some("http://x/r/2".into()),
                view: None,
            }
        );
    }

    #[test]
    fn a_submission_looks_like_slacks_and_carries_the_state() {
        let view = super::super::workspace::View {
            id: "V1".into(),
            user: "U0ANA".into(),
            kind: "modal".into(),
            view: json!({"type": "modal", "callback_id": "moment_share", "title": {"type": "plain_text", "text": "Share"}, "blocks": []}),
            stack: 0,
            root: "V1".into(),
            errors: None,
            hash: "1.a".into(),
        };
        let values = json!({"story": {"story": {"type": "plain_text_input", "value": "Ours"}}});
        let p = view_submission(&ana(), view.stateful(values), "1.2.abc");
        let real = fixture("interactions/view_submission.json");
        assert_covers(&p, &real, "view_submission");
        assert_covers(&p["view"], &real["view"], "view");
        let got = crate::slack::interaction::parse_payload(&p.to_string()).unwrap();
        let crate::slack::interaction::Interaction::Submit {
            callback,
            view,
            state,
            ..
        } = got
        else {
            panic!("not a submission: {got:?}");
        };
        assert_eq!((callback.as_str(), view.as_str()), ("moment_share", "V1"));
        assert_eq!(state.text("story").as_deref(), Some("Ours"));
    }

    #[test]
    fn shortcuts_and_events_look_like_slacks() {
        assert_covers(
            &shortcut(&ana(), "share_moment", "1.2.abc"),
            &fixture("interactions/shortcut.global.json"),
            "shortcut",
        );
        let m = posted();
        let action = message_action(
            &ana(),
            "manage_moment",
            "1.2.abc",
            "moments",
            &m,
            "http://x",
        );
        let real = fixture("interactions/message_action.json");
        assert_covers(&action, &real, "message_action");
        let real = fixture("events/reaction_added.json");
        let ours = event_callback(reaction("U0ANA", "tada", &m, true), "Ev1");
        assert_covers(&ours, &real, "event_callback");
        assert_covers(&ours["event"], &real["event"], "reaction_added");
        let parsed = crate::slack::event::parse(ours.to_string().as_bytes()).unwrap();
        assert!(
            matches!(parsed, crate::slack::event::Envelope::Callback { ref event_type, .. } if event_type == "reaction_added"),
            "{parsed:?}"
        );
        let home = event_callback(app_home_opened("U0ANA", "DU0ANA", None), "Ev2");
        let real = fixture("events/app_home_opened.home_tab.json");
        let mut expected = keys(&real["event"]);
        expected.remove("view");
        assert!(expected.is_subset(&keys(&home["event"])));
    }

    #[test]
    fn an_interaction_is_posted_as_a_payload_form_field() {
        let body = interaction_form(&json!({"type": "shortcut", "text": "a&b=c"}));
        let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap();
        assert_eq!(fields[0].0, "payload");
        assert_eq!(fields[0].1, r#"{"text":"a&b=c","type":"shortcut"}"#);
    }
}
