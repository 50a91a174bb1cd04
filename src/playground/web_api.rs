//! The Slack Web API, answered for the bot by the local workspace: the bot's
//! `SLACK_API_URL` points here. Requests are read as Slack reads them (query
//! string for GET, JSON or form body for POST, the bot token as bearer) and
//! answered with Slack's shapes, always as `application/json`, including
//! Slack's `ok:false` errors for unknown channels, used-up triggers or
//! missing messages, so the bot's error paths are the real ones too.

use super::Playground;
use super::workspace::{
    APP_ID, BOT_ID, BOT_NAME, BOT_USER, Message, ResponseTarget, TEAM_DOMAIN, TEAM_ID, Workspace,
    bot_message,
};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use std::sync::Arc;

/// Answers one Web API method.
pub async fn api(
    State(pg): State<Arc<Playground>>,
    Path(method): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let args = arguments(uri.query(), &headers, &body);
    let authorized = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|token| token == pg.bot_token)
        || args.get("token").and_then(Value::as_str) == Some(pg.bot_token.as_str());
    let answer = if authorized {
        call(&pg.workspace, &method, &args)
    } else {
        Err("not_authed")
    };
    json_response(match answer {
        Ok(mut body) => {
            body["ok"] = json!(true);
            body
        }
        Err(code) => json!({"ok": false, "error": code}),
    })
}

/// `POST /playground/slack/response/{id}`: a response URL handed out with
/// a slash command or a button press.
pub async fn response_url(
    State(pg): State<Arc<Playground>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let args = arguments(None, &headers, &body);
    json_response(match respond(&pg.workspace, &id, &args) {
        Ok(()) => json!({"ok": true}),
        Err(code) => json!({"ok": false, "error": code}),
    })
}

fn json_response(body: Value) -> Response {
    let mut r = body.to_string().into_response();
    r.headers_mut().insert(
        "content-type",
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    r
}

/// The call's arguments as one JSON object: query string, then the body
/// (JSON, or a form whose JSON-valued fields such as `blocks` are parsed).
pub fn arguments(query: Option<&str>, headers: &HeaderMap, body: &[u8]) -> Map<String, Value> {
    let mut args = Map::new();
    let mut add_form = |raw: &[u8]| {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(raw).unwrap_or_default();
        for (k, v) in pairs {
            let value = match k.as_str() {
                "blocks" | "view" | "attachments" | "metadata" => {
                    serde_json::from_str(&v).unwrap_or(Value::String(v))
                }
                _ => Value::String(v),
            };
            args.insert(k, value);
        }
    };
    if let Some(q) = query {
        add_form(q.as_bytes());
    }
    let is_form = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if is_form {
        add_form(body);
    } else if let Ok(Value::Object(map)) = serde_json::from_slice(body) {
        args.extend(map);
    }
    args
}

fn text_of(args: &Map<String, Value>, key: &str) -> Option<String> {
    match args.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn flag(args: &Map<String, Value>, key: &str) -> bool {
    text_of(args, key).is_some_and(|v| v == "true" || v == "1")
}

fn blocks_of(args: &Map<String, Value>) -> Option<Value> {
    args.get("blocks").filter(|b| b.is_array()).cloned()
}

/// A message as the Web API returns it.
fn message_json(m: &Message) -> Value {
    let mut v = json!({
        "type": "message",
        "subtype": "bot_message",
        "text": m.text,
        "ts": m.ts,
        "bot_id": BOT_ID,
        "app_id": APP_ID,
        "user": BOT_USER,
        "username": BOT_NAME,
        "team": TEAM_ID,
    });
    if let Some(b) = &m.blocks {
        v["blocks"] = b.clone();
    }
    if let Some(t) = &m.thread_ts {
        v["thread_ts"] = json!(t);
    }
    v
}

/// Applies one Web API call to the workspace.
pub fn call(
    ws: &Workspace,
    method: &str,
    args: &Map<String, Value>,
) -> Result<Value, &'static str> {
    let channel_arg = || {
        let raw = text_of(args, "channel").ok_or("channel_not_found")?;
        ws.resolve_channel(&raw).ok_or("channel_not_found")
    };
    match method {
        "auth.test" => Ok(json!({
            "url": format!("https://{TEAM_DOMAIN}.slack.com/"),
            "team": "alignbot playground",
            "user": BOT_NAME,
            "team_id": TEAM_ID,
            "user_id": BOT_USER,
            "bot_id": BOT_ID,
            "is_enterprise_install": false,
        })),
        "chat.postMessage" => {
            let channel = channel_arg()?;
            let text = text_of(args, "text").unwrap_or_default();
            let blocks = blocks_of(args);
            if text.is_empty() && blocks.is_none() {
                return Err("no_text");
            }
            let mut message = bot_message(channel.clone(), text, blocks);
            if let Some(parent) = text_of(args, "thread_ts") {
                ws.message(&channel, &parent).ok_or("thread_not_found")?;
                message.thread_ts = Some(parent);
            }
            let posted = ws.post(message);
            Ok(json!({"channel": channel, "ts": posted.ts, "message": message_json(&posted)}))
        }
        "chat.update" => {
            let channel = channel_arg()?;
            let ts = text_of(args, "ts").ok_or("message_not_found")?;
            let (text, blocks) = (text_of(args, "text"), blocks_of(args));
            let updated = ws.change(&channel, &ts, |m| {
                if let Some(t) = text {
                    m.text = t;
                }
                if blocks.is_some() {
                    m.blocks = blocks;
                }
                m.edited = true;
            })?;
            Ok(json!({
                "channel": channel,
                "ts": ts,
                "text": updated.text,
                "message": {"text": updated.text, "user": BOT_USER, "blocks": updated.blocks},
            }))
        }
        "chat.delete" => {
            let channel = channel_arg()?;
            let ts = text_of(args, "ts").ok_or("message_not_found")?;
            ws.change(&channel, &ts, |m| m.deleted = true)?;
            Ok(json!({"channel": channel, "ts": ts}))
        }
        "chat.postEphemeral" => {
            let channel = channel_arg()?;
            let user = text_of(args, "user").ok_or("user_not_found")?;
            ws.person(&user).ok_or("user_not_found")?;
            let mut message = bot_message(
                channel,
                text_of(args, "text").unwrap_or_default(),
                blocks_of(args),
            );
            message.ephemeral_for = Some(user);
            let posted = ws.post(message);
            Ok(json!({"message_ts": posted.ts}))
        }
        "conversations.open" => {
            // A comma-separated list, or a JSON array from JSON clients.
            let users = match args.get("users") {
                Some(Value::Array(list)) => list
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(","),
                _ => text_of(args, "users").ok_or("user_not_found")?,
            };
            let user = users.split(',').next().unwrap_or_default().trim();
            ws.person(user).ok_or("user_not_found")?;
            Ok(json!({"channel": {"id": Workspace::dm_of(user)}, "already_open": true}))
        }
        "conversations.info" => {
            let channel = channel_arg()?;
            let (name, is_im) = match ws.channel(&channel) {
                Some(c) => (c.name.clone(), false),
                None => (String::new(), true),
            };
            Ok(
                json!({"channel": {"id": channel, "name": name, "is_channel": !is_im, "is_im": is_im, "is_member": true}}),
            )
        }
        "users.info" => {
            let id = text_of(args, "user").ok_or("user_not_found")?;
            let p = ws.person(&id).ok_or("user_not_found")?;
            let offset =
                p.tz.parse::<chrono_tz::Tz>()
                    .map(|tz| {
                        use chrono::Offset;
                        ws.now().with_timezone(&tz).offset().fix().local_minus_utc()
                    })
                    .unwrap_or(0);
            Ok(json!({"user": {
                "id": p.id,
                "team_id": TEAM_ID,
                "name": p.name,
                "deleted": false,
                "color": p.avatar_color.trim_start_matches('#'),
                "real_name": p.real_name,
                "tz": p.tz,
                "tz_label": p.tz,
                "tz_offset": offset,
                "is_admin": p.role == "admin",
                "is_owner": false,
                "is_primary_owner": false,
                "is_restricted": false,
                "is_ultra_restricted": false,
                "is_bot": false,
                "is_app_user": false,
                "has_2fa": false,
                "updated": 1_764_000_000,
                "profile": {
                    "title": p.title,
                    "real_name": p.real_name,
                    "real_name_normalized": p.real_name,
                    "display_name": p.name,
                    "display_name_normalized": p.name,
                    "team": TEAM_ID,
                },
            }}))
        }
        "views.open" | "views.push" => {
            let trigger = text_of(args, "trigger_id").ok_or("invalid_arguments")?;
            let view = args
                .get("view")
                .filter(|v| v.is_object())
                .ok_or("invalid_arguments")?;
            let user = ws.take_trigger(&trigger).ok_or("invalid_trigger_id")?;
            let on_top = if method == "views.push" {
                let open = ws.open_modals(&user);
                Some(open.last().cloned().ok_or("push_limit_reached")?)
            } else {
                None
            };
            let opened = ws.open_view(&user, view.clone(), on_top.as_ref());
            Ok(json!({"view": opened.stateful(json!({}))}))
        }
        "views.update" => {
            let view = args
                .get("view")
                .filter(|v| v.is_object())
                .ok_or("invalid_arguments")?;
            let id = text_of(args, "view_id").ok_or("not_found")?;
            let updated = ws.update_view(&id, view.clone(), None)?;
            Ok(json!({"view": updated.stateful(json!({}))}))
        }
        "views.publish" => {
            let user = text_of(args, "user_id").ok_or("invalid_arguments")?;
            ws.person(&user).ok_or("user_not_found")?;
            let view = args
                .get("view")
                .filter(|v| v.is_object())
                .ok_or("invalid_arguments")?;
            if view.get("type").and_then(Value::as_str) != Some("home") {
                return Err("invalid_arguments");
            }
            let home = ws.publish_home(&user, view.clone());
            Ok(json!({"view": home.stateful(json!({}))}))
        }
        _ => Err("unknown_method"),
    }
}

/// Applies a post to a response URL: a new ephemeral message for the
/// person, or (with `replace_original`/`delete_original`) a change of the
/// message the command or button came from.
pub fn respond(ws: &Workspace, id: &str, args: &Map<String, Value>) -> Result<(), &'static str> {
    let ResponseTarget { user, channel, ts } = ws.response(id).ok_or("expired_url")?;
    let text = text_of(args, "text").unwrap_or_default();
    let blocks = blocks_of(args);
    let in_channel = text_of(args, "response_type").as_deref() == Some("in_channel");
    if let Some(ts) = &ts {
        if flag(args, "delete_original") {
            ws.change(&channel, ts, |m| m.deleted = true)?;
            return Ok(());
        }
        if flag(args, "replace_original") {
            ws.change(&channel, ts, |m| {
                m.text = text;
                m.blocks = blocks;
                m.edited = true;
            })?;
            return Ok(());
        }
    }
    let mut message = bot_message(channel, text, blocks);
    if !in_channel {
        message.ephemeral_for = Some(user);
    }
    ws.post(message);
    Ok(())
}
