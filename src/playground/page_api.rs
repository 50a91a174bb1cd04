//! The page's API (`/playground/api/*`), its event stream, the static files,
//! and the mounting of the local Web API. See `/work/notes/playground-api.md`
//! for the contract with the page.
//!
//! Each page action becomes the request Slack would send (see
//! [`super::payloads`]) and the bot's HTTP answer is applied the way Slack
//! applies it: an ephemeral reply shown to the person, a modal's errors
//! shown under its inputs, a modal updated, pushed or closed.

use super::Playground;
use super::payloads::{self, ActionSource, BotAnswer};
use super::timeline::{self, Jump};
use super::web_api;
use super::workspace::{
    Audience, Message, PageEvent, Person, ResponseTarget, Workspace, bot_message,
};
use crate::app::jobs::{self, Job, Trigger};
use crate::clock::Clock;
use crate::domain::period::Month;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::{Json, Router};
use futures_util::Stream;
use serde::Deserialize;
use serde_json::{Value, json};
use std::convert::Infallible;
use std::sync::Arc;

/// The page's files, embedded by build.rs from `src/playground/static/`.
const STATIC_FILES: &[(&str, &[u8])] = include!(concat!(env!("OUT_DIR"), "/playground_static.rs"));

/// The slash commands and shortcuts of the Slack app, from its manifest.
const MANIFEST: &str = include_str!("../../deploy/slack/manifest.yaml");

pub fn router(pg: Arc<Playground>) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/playground/static/{file}", get(static_file))
        .route("/playground/api/state", get(state))
        .route("/playground/api/messages", get(messages))
        .route("/playground/api/home", get(home).post(open_home))
        .route("/playground/api/views", get(views))
        .route("/playground/api/stream", get(stream))
        .route("/playground/api/command", post(command))
        .route("/playground/api/message", post(message))
        .route("/playground/api/action", post(action))
        .route("/playground/api/submit", post(submit))
        .route("/playground/api/close", post(close))
        .route("/playground/api/shortcut", post(shortcut))
        .route("/playground/api/reaction", post(reaction))
        .route("/playground/api/job", post(job))
        .route("/playground/api/reset", post(reset))
        .route("/playground/api/time", post(time))
        .route("/playground/slack/api/{method}", any(web_api::api))
        .route(
            "/playground/slack/response/{id}",
            post(web_api::response_url),
        )
        .layer(axum::middleware::from_fn_with_state(
            pg.guard.clone(),
            super::guard::check,
        ))
        .with_state(pg)
}

/// A page request that could not be done; answered as
/// `{"ok":false,"error":…}` with a fitting status.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Bot(String),
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let status = match self {
            PageError::BadRequest(_) => StatusCode::BAD_REQUEST,
            PageError::NotFound(_) => StatusCode::NOT_FOUND,
            PageError::Bot(_) => StatusCode::BAD_GATEWAY,
        };
        (
            status,
            Json(json!({"ok": false, "error": self.to_string()})),
        )
            .into_response()
    }
}

impl From<payloads::LinkError> for PageError {
    fn from(e: payloads::LinkError) -> Self {
        PageError::Bot(e.to_string())
    }
}

type PageResult = Result<Json<Value>, PageError>;

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        _ => "application/octet-stream",
    }
}

fn serve_file(name: &str) -> Response {
    match STATIC_FILES.iter().find(|(n, _)| *n == name) {
        Some((_, bytes)) => {
            let mut r = bytes.to_vec().into_response();
            let headers = r.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(content_type(name)),
            );
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            r
        }
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

/// The page, with this run's token for its requests that change things.
/// Nobody else can read it: the guard answers only the playground's own
/// `Host`, and another site cannot read a cross-origin answer.
async fn index(State(pg): State<Arc<Playground>>) -> Response {
    let Some((_, bytes)) = STATIC_FILES.iter().find(|(n, _)| *n == "index.html") else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    let html = String::from_utf8_lossy(bytes).replace("{{PLAYGROUND_TOKEN}}", pg.page_token());
    let mut r = html.into_response();
    let headers = r.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type("index.html")),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // No other site may frame the page and click on it.
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("frame-ancestors 'none'"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    r
}

async fn static_file(axum::extract::Path(file): axum::extract::Path<String>) -> Response {
    serve_file(&file)
}

fn person(pg: &Playground, id: &str) -> Result<Person, PageError> {
    pg.workspace.person(id).cloned().ok_or_else(|| {
        PageError::NotFound(format!("there is no person {id} in the demo workspace"))
    })
}

/// The channel's id and name as Slack sends them (a DM is `directmessage`).
fn channel_of(pg: &Playground, id: &str, who: &Person) -> Result<(String, String), PageError> {
    if let Some(c) = pg.workspace.channel(id) {
        return Ok((c.id.clone(), c.name.clone()));
    }
    if id == Workspace::dm_of(&who.id) {
        return Ok((id.to_owned(), "directmessage".to_owned()));
    }
    Err(PageError::NotFound(format!("there is no channel {id}")))
}

/// `(command, description, usage_hint)` of each slash command, and
/// `(name, callback_id, type)` of each shortcut, read from the manifest.
fn manifest() -> (Vec<Value>, Vec<Value>) {
    let mut commands = Vec::new();
    let mut shortcuts = Vec::new();
    let mut current: Option<(bool, serde_json::Map<String, Value>)> = None;
    let mut section = "";
    let flush = |cur: &mut Option<(bool, serde_json::Map<String, Value>)>,
                 commands: &mut Vec<Value>,
                 shortcuts: &mut Vec<Value>| {
        if let Some((is_command, map)) = cur.take() {
            if is_command {
                commands.push(Value::Object(map));
            } else {
                shortcuts.push(Value::Object(map));
            }
        }
    };
    for line in MANIFEST.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('#') || trimmed.is_empty() {
            continue;
        }
        if !line.starts_with("    ") && trimmed.ends_with(':') {
            flush(&mut current, &mut commands, &mut shortcuts);
            section = match trimmed {
                "slash_commands:" => "commands",
                "shortcuts:" => "shortcuts",
                _ => "",
            };
            continue;
        }
        if section.is_empty() {
            continue;
        }
        let item = trimmed.strip_prefix("- ");
        let field = item.unwrap_or(trimmed);
        if item.is_some() {
            flush(&mut current, &mut commands, &mut shortcuts);
            current = Some((section == "commands", serde_json::Map::new()));
        }
        if let (Some((_, map)), Some((k, v))) = (current.as_mut(), field.split_once(':')) {
            let key = if k.trim() == "command" {
                "command"
            } else {
                k.trim()
            };
            if [
                "command",
                "description",
                "usage_hint",
                "name",
                "callback_id",
                "type",
                "should_escape",
            ]
            .contains(&key)
            {
                let v = v.trim().trim_matches('"');
                let v = match v {
                    "true" => json!(true),
                    "false" => json!(false),
                    _ => json!(v),
                };
                map.insert(key.to_owned(), v);
            }
        }
    }
    flush(&mut current, &mut commands, &mut shortcuts);
    (commands, shortcuts)
}

async fn state(State(pg): State<Arc<Playground>>) -> Json<Value> {
    let dir = pg.ctx.directory();
    let (commands, shortcuts) = manifest();
    let default = dir
        .org
        .admins
        .first()
        .map(ToString::to_string)
        .or_else(|| pg.workspace.people().first().map(|p| p.id.clone()));
    Json(json!({
        "org": {"name": dir.org.name, "mission": dir.org.mission},
        "people": pg.workspace.people(),
        "channels": pg.workspace.channels(),
        "bot": {"id": super::workspace::BOT_USER, "name": super::workspace::BOT_NAME},
        "jobs": Job::ALL.iter().map(|j| j.name()).collect::<Vec<_>>(),
        "default_person": default,
        "slash_commands": commands,
        "shortcuts": shortcuts,
        "now": timeline::now_json(pg.clock.now(), dir.org.timezone),
        "jumps": timeline::choices(pg.clock.now(), dir.org.timezone, &pg.settings.schedule.holidays),
    }))
}

#[derive(Deserialize)]
struct MessagesQuery {
    channel: String,
    #[serde(rename = "as")]
    viewer: String,
    thread_ts: Option<String>,
}

async fn messages(State(pg): State<Arc<Playground>>, Query(q): Query<MessagesQuery>) -> PageResult {
    let who = person(&pg, &q.viewer)?;
    let (channel, _) = channel_of(&pg, &q.channel, &who)?;
    if Workspace::dm_person(&channel).is_some_and(|p| p != who.id) {
        return Err(PageError::NotFound(format!(
            "{} cannot see {channel}",
            who.id
        )));
    }
    Ok(Json(json!({
        "messages": pg.workspace.messages(&channel, &who.id, q.thread_ts.as_deref()),
    })))
}

#[derive(Deserialize)]
struct AsQuery {
    #[serde(rename = "as")]
    viewer: String,
}

async fn home(State(pg): State<Arc<Playground>>, Query(q): Query<AsQuery>) -> PageResult {
    person(&pg, &q.viewer)?;
    Ok(Json(json!({"view": pg.workspace.home(&q.viewer)})))
}

/// The modals open for a person (bottom of the stack first), for a page
/// that reloads while one is open.
async fn views(State(pg): State<Arc<Playground>>, Query(q): Query<AsQuery>) -> PageResult {
    person(&pg, &q.viewer)?;
    Ok(Json(json!({"views": pg.workspace.open_modals(&q.viewer)})))
}

#[derive(Deserialize)]
struct AsBody {
    #[serde(rename = "as")]
    viewer: String,
}

/// The person opened the Home tab: Slack sends `app_home_opened`.
async fn open_home(State(pg): State<Arc<Playground>>, Json(b): Json<AsBody>) -> PageResult {
    let who = person(&pg, &b.viewer)?;
    let current = pg.workspace.home(&who.id).map(|v| v.stateful(json!({})));
    let event = payloads::event_callback(
        payloads::app_home_opened(&who.id, &Workspace::dm_of(&who.id), current),
        &pg.event_id(),
    );
    let answer = pg.link.event(&event).await?;
    ok_if_accepted(&answer)?;
    Ok(Json(json!({"ok": true})))
}

fn ok_if_accepted(answer: &BotAnswer) -> Result<(), PageError> {
    if answer.status == 200 {
        Ok(())
    } else {
        Err(PageError::Bot(format!(
            "the bot answered HTTP {}: {}",
            answer.status,
            String::from_utf8_lossy(&answer.body)
        )))
    }
}

/// Server-sent events for one person: everything visible to them.
async fn stream(
    State(pg): State<Arc<Playground>>,
    Query(q): Query<AsQuery>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, PageError> {
    let who = person(&pg, &q.viewer)?.id;
    let receiver = pg.workspace.subscribe();
    let closing = pg.closing.clone();
    let events = futures_util::stream::unfold((receiver, who), move |(mut rx, who)| {
        let closing = closing.clone();
        async move {
            loop {
                let received = tokio::select! {
                    _ = closing.cancelled() => return None,
                    r = rx.recv() => r,
                };
                match received {
                    Ok(PageEvent { to, name, data }) => {
                        let visible = match &to {
                            Audience::Everyone => true,
                            Audience::Person(p) => *p == who,
                        };
                        if visible {
                            let event = Event::default().event(name).data(data.to_string());
                            return Some((Ok(event), (rx, who)));
                        }
                    }
                    // A slow page missed some events: it reloads on `resync`.
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                        let event = Event::default().event("resync").data("{}");
                        return Some((Ok(event), (rx, who)));
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
                }
            }
        }
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
}

#[derive(Deserialize)]
struct CommandBody {
    #[serde(rename = "as")]
    viewer: String,
    channel: String,
    text: String,
}

/// A slash command typed in the composer.
async fn command(State(pg): State<Arc<Playground>>, Json(b): Json<CommandBody>) -> PageResult {
    let who = person(&pg, &b.viewer)?;
    let (channel, channel_name) = channel_of(&pg, &b.channel, &who)?;
    let typed = b.text.trim_start();
    let (name, text) = match typed.split_once(char::is_whitespace) {
        Some((n, rest)) => (n, rest.trim_start()),
        None => (typed, ""),
    };
    let (commands, _) = manifest();
    if !commands.iter().any(|c| c["command"] == name) {
        return Ok(Json(json!({
            "ok": false,
            "error": format!("{name} is not a valid command. In the playground, try /moment, /goal, /priorities or /align."),
        })));
    }
    let response_id = pg.workspace.new_response(ResponseTarget {
        user: who.id.clone(),
        channel: channel.clone(),
        ts: None,
    });
    let trigger = pg.workspace.new_trigger(&who.id);
    let form = payloads::slash_command(
        &who,
        (&channel, &channel_name),
        name,
        text,
        &response_url(&pg, &response_id),
        &trigger,
    );
    let answer = pg.link.command(form).await?;
    if answer.status != 200 {
        // What Slack shows when an app fails a command.
        return Ok(Json(json!({
            "ok": false,
            "error": format!("{name} failed with the error \"http_error_{}\"", answer.status),
        })));
    }
    let response = answer.json();
    if let Some(r) = &response
        && let Some(shown) = show_reply(&pg.workspace, r, &who.id, &channel)
    {
        pg.workspace.set_response_message(&response_id, &shown.ts);
    }
    Ok(Json(json!({"ok": true, "response": response})))
}

fn response_url(pg: &Playground, id: &str) -> String {
    format!("{}/playground/slack/response/{id}", pg.link_base())
}

impl Playground {
    fn link_base(&self) -> String {
        self.link_base.clone()
    }
}

/// Shows a command's immediate answer as Slack does: ephemeral unless it
/// says `in_channel`.
fn show_reply(ws: &Workspace, reply: &Value, user: &str, channel: &str) -> Option<Message> {
    let text = reply
        .get("text")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let blocks = reply.get("blocks").filter(|b| b.is_array()).cloned();
    if text.is_empty() && blocks.is_none() {
        return None;
    }
    let mut m = bot_message(channel.to_owned(), text.to_owned(), blocks);
    if reply.get("response_type").and_then(Value::as_str) != Some("in_channel") {
        m.ephemeral_for = Some(user.to_owned());
    }
    Some(ws.post(m))
}

#[derive(Deserialize)]
struct MessageBody {
    #[serde(rename = "as")]
    viewer: String,
    channel: String,
    text: String,
    thread_ts: Option<String>,
}

/// A plain message typed by the person (the bot does not read messages;
/// they are there for realism and for message shortcuts).
async fn message(State(pg): State<Arc<Playground>>, Json(b): Json<MessageBody>) -> PageResult {
    let who = person(&pg, &b.viewer)?;
    let (channel, _) = channel_of(&pg, &b.channel, &who)?;
    if b.text.trim().is_empty() {
        return Err(PageError::BadRequest("the message is empty".into()));
    }
    if let Some(parent) = &b.thread_ts
        && pg.workspace.message(&channel, parent).is_none()
    {
        return Err(PageError::NotFound("that thread no longer exists".into()));
    }
    let posted = pg.workspace.post(Message {
        channel,
        ts: String::new(),
        thread_ts: b.thread_ts,
        user: Some(who.id.clone()),
        bot: false,
        username: Some(who.name.clone()),
        text: b.text,
        blocks: None,
        ephemeral_for: None,
        edited: false,
        deleted: false,
        reactions: Vec::new(),
        reply_count: 0,
    });
    Ok(Json(json!({"ok": true, "message": posted})))
}

#[derive(Deserialize)]
struct ActionBody {
    #[serde(rename = "as")]
    viewer: String,
    container: Value,
    action: Value,
    state: Option<Value>,
}

/// A button pressed or an option picked, in a message, a modal or the Home tab.
async fn action(State(pg): State<Arc<Playground>>, Json(b): Json<ActionBody>) -> PageResult {
    let who = person(&pg, &b.viewer)?;
    if b.action.get("action_id").and_then(Value::as_str).is_none() {
        return Err(PageError::BadRequest("the action has no action_id".into()));
    }
    let trigger = pg.workspace.new_trigger(&who.id);
    let payload = match b.container.get("type").and_then(Value::as_str) {
        Some("message") => {
            let channel = str_field(&b.container, "channel")?;
            let ts = str_field(&b.container, "ts")?;
            let (channel, channel_name) = channel_of(&pg, &channel, &who)?;
            let m = pg
                .workspace
                .message(&channel, &ts)
                .ok_or_else(|| PageError::NotFound("that message no longer exists".into()))?;
            let response_id = pg.workspace.new_response(ResponseTarget {
                user: who.id.clone(),
                channel: channel.clone(),
                ts: Some(ts),
            });
            let url = response_url(&pg, &response_id);
            payloads::block_actions(
                &who,
                ActionSource::Message {
                    message: &m,
                    channel_name: &channel_name,
                    response_url: &url,
                },
                b.action,
                &trigger,
            )
        }
        Some("view") => {
            let id = str_field(&b.container, "view_id")?;
            let view = pg
                .workspace
                .view(&id)
                .filter(|v| v.user == who.id)
                .ok_or_else(|| PageError::NotFound("that view is closed".into()))?;
            let values = b
                .state
                .as_ref()
                .and_then(|s| s.get("values"))
                .cloned()
                .unwrap_or_else(|| json!({}));
            payloads::block_actions(
                &who,
                ActionSource::View {
                    view: view.stateful(values),
                },
                b.action,
                &trigger,
            )
        }
        _ => {
            return Err(PageError::BadRequest(
                "container.type is message or view".into(),
            ));
        }
    };
    let answer = pg.link.interaction(&payload).await?;
    ok_if_accepted(&answer)?;
    Ok(Json(json!({"ok": true, "response": answer.json()})))
}

fn str_field(v: &Value, key: &str) -> Result<String, PageError> {
    v.get(key)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| PageError::BadRequest(format!("{key} is missing")))
}

#[derive(Deserialize)]
struct SubmitBody {
    #[serde(rename = "as")]
    viewer: String,
    view_id: String,
    values: Value,
}

/// A modal submitted: `view_submission`, and the bot's `response_action`
/// applied as Slack applies it.
async fn submit(State(pg): State<Arc<Playground>>, Json(b): Json<SubmitBody>) -> PageResult {
    let who = person(&pg, &b.viewer)?;
    let view = pg
        .workspace
        .view(&b.view_id)
        .filter(|v| v.user == who.id && v.kind == "modal")
        .ok_or_else(|| PageError::NotFound("that modal is closed".into()))?;
    if !b.values.is_object() {
        return Err(PageError::BadRequest(
            "values is view.state.values: an object by block id".into(),
        ));
    }
    let trigger = pg.workspace.new_trigger(&who.id);
    let payload = payloads::view_submission(&who, view.stateful(b.values), &trigger);
    let answer = pg.link.interaction(&payload).await?;
    ok_if_accepted(&answer)?;
    let response = answer.json().unwrap_or(Value::Null);
    let action = response
        .get("response_action")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let mut errors = Value::Null;
    match action.as_deref() {
        Some("errors") => {
            errors = response.get("errors").cloned().unwrap_or_else(|| json!({}));
            pg.workspace.set_errors(&view.id, errors.clone());
        }
        Some("update") => {
            let new_view = response
                .get("view")
                .cloned()
                .ok_or_else(|| PageError::Bot("response_action update without a view".into()))?;
            pg.workspace
                .update_view(&view.id, new_view, None)
                .map_err(|e| PageError::Bot(e.to_owned()))?;
        }
        Some("push") => {
            let new_view = response
                .get("view")
                .cloned()
                .ok_or_else(|| PageError::Bot("response_action push without a view".into()))?;
            pg.workspace.open_view(&who.id, new_view, Some(&view));
        }
        Some("clear") => pg.workspace.close_view(&view.id, true),
        _ => pg.workspace.close_view(&view.id, false),
    }
    Ok(Json(json!({
        "ok": true,
        "response_action": action,
        "errors": errors,
    })))
}

#[derive(Deserialize)]
struct CloseBody {
    #[serde(rename = "as")]
    viewer: String,
    view_id: String,
}

/// The person closed a modal (Cancel, ×, Escape).
async fn close(State(pg): State<Arc<Playground>>, Json(b): Json<CloseBody>) -> PageResult {
    let who = person(&pg, &b.viewer)?;
    let Some(view) = pg.workspace.view(&b.view_id).filter(|v| v.user == who.id) else {
        return Ok(Json(json!({"ok": true})));
    };
    if view.view.get("notify_on_close") == Some(&Value::Bool(true)) {
        let payload = payloads::view_closed(&who, view.stateful(json!({})));
        let answer = pg.link.interaction(&payload).await?;
        ok_if_accepted(&answer)?;
    }
    pg.workspace.close_view(&view.id, false);
    Ok(Json(json!({"ok": true})))
}

#[derive(Deserialize)]
struct ShortcutBody {
    #[serde(rename = "as")]
    viewer: String,
    callback_id: String,
    channel: Option<String>,
    ts: Option<String>,
}

/// A global shortcut, or a message shortcut on a message.
async fn shortcut(State(pg): State<Arc<Playground>>, Json(b): Json<ShortcutBody>) -> PageResult {
    let who = person(&pg, &b.viewer)?;
    let trigger = pg.workspace.new_trigger(&who.id);
    let payload = match (b.channel, b.ts) {
        (Some(channel), Some(ts)) => {
            let (channel, channel_name) = channel_of(&pg, &channel, &who)?;
            let m = pg
                .workspace
                .message(&channel, &ts)
                .ok_or_else(|| PageError::NotFound("that message no longer exists".into()))?;
            let response_id = pg.workspace.new_response(ResponseTarget {
                user: who.id.clone(),
                channel: channel.clone(),
                ts: None,
            });
            payloads::message_action(
                &who,
                &b.callback_id,
                &trigger,
                &channel_name,
                &m,
                &response_url(&pg, &response_id),
            )
        }
        _ => payloads::shortcut(&who, &b.callback_id, &trigger),
    };
    let answer = pg.link.interaction(&payload).await?;
    ok_if_accepted(&answer)?;
    Ok(Json(json!({"ok": true, "response": answer.json()})))
}

#[derive(Deserialize)]
struct ReactionBody {
    #[serde(rename = "as")]
    viewer: String,
    channel: String,
    ts: String,
    name: String,
    add: bool,
}

/// A reaction added or removed: stored, streamed, and sent as an event.
async fn reaction(State(pg): State<Arc<Playground>>, Json(b): Json<ReactionBody>) -> PageResult {
    let who = person(&pg, &b.viewer)?;
    let (channel, _) = channel_of(&pg, &b.channel, &who)?;
    let name = b.name.trim().trim_matches(':').to_owned();
    let valid = !name.is_empty()
        && name.len() <= 100
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_+'".contains(c));
    if !valid {
        return Err(PageError::BadRequest(format!(
            "`{name}` is not an emoji name"
        )));
    }
    let before = pg
        .workspace
        .message(&channel, &b.ts)
        .ok_or_else(|| PageError::NotFound("that message no longer exists".into()))?;
    let had = before
        .reactions
        .iter()
        .any(|r| r.name == name && r.users.contains(&who.id));
    let after = pg
        .workspace
        .react(&channel, &b.ts, &who.id, &name, b.add)
        .map_err(|e| PageError::NotFound(e.to_owned()))?;
    // Slack sends an event only when something changed.
    if had != b.add {
        let event = payloads::event_callback(
            payloads::reaction(&who.id, &name, &after, b.add),
            &pg.event_id(),
        );
        let answer = pg.link.event(&event).await?;
        ok_if_accepted(&answer)?;
    }
    Ok(Json(json!({"ok": true, "message": after})))
}

#[derive(Deserialize)]
struct JobBody {
    job: String,
}

/// "Run job now": the job for this month, as `alignbot jobs run` would,
/// then what it queued is delivered at once.
async fn job(State(pg): State<Arc<Playground>>, Json(b): Json<JobBody>) -> PageResult {
    let job = Job::parse(&b.job).ok_or_else(|| {
        PageError::NotFound(format!(
            "there is no job {}; the jobs are {}",
            b.job,
            Job::ALL.map(|j| j.name()).join(", ")
        ))
    })?;
    let ctx = &pg.ctx;
    let month = Month::containing(ctx.clock.now(), ctx.directory().org.timezone);
    let internal = |e: crate::app::AppError| PageError::Bot(e.to_string());
    let mut summary = jobs::run(ctx, job, month, Trigger::Manual)
        .await
        .map_err(internal)?;
    if !summary.ran {
        // The playground runs jobs as often as asked: forget this month's
        // run (playground database only) and run it again.
        let (name, period) = (job.name(), month.key());
        ctx.store
            .write(move |conn| {
                Box::pin(async move { crate::store::jobs::forget_run(conn, name, &period).await })
            })
            .await
            .map_err(|e| PageError::Bot(e.to_string()))?;
        summary = jobs::run(ctx, job, month, Trigger::Manual)
            .await
            .map_err(internal)?;
    }
    let delivered = settle(&pg).await;
    let text = format!("Ran {}: {}", job.name(), summary.detail);
    pg.workspace.notice(text.clone());
    Ok(Json(json!({
        "ok": true,
        "summary": text,
        "enqueued": summary.enqueued,
        "delivered": delivered,
    })))
}

/// Waits (up to 10 s) until the outbox has nothing pending.
async fn settle(pg: &Playground) -> bool {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while tokio::time::Instant::now() < deadline {
        match crate::store::outbox::depth(pg.ctx.store.reads()).await {
            Ok(c) if c.pending == 0 => return true,
            Ok(_) => {}
            Err(_) => return false,
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    false
}

/// "Reset demo": the database emptied and seeded again, every page told
/// to reload.
async fn reset(State(pg): State<Arc<Playground>>) -> PageResult {
    let _one = pg.busy.lock().await;
    // The playground's date stays: time never moves back while it runs.
    let failed = |e: anyhow::Error| PageError::Bot(format!("{e:#}"));
    super::demo::wipe(&pg.ctx, &pg.settings)
        .await
        .map_err(failed)?;
    pg.workspace.clear();
    super::demo::seed(&pg.ctx, &pg.demo).await.map_err(failed)?;
    settle(&pg).await;
    pg.workspace.notice("The demo was reset.".into());
    Ok(Json(json!({"ok": true})))
}

/// How many messages each person (in the workspace's order) has in their
/// DM with the bot.
fn dm_counts(ws: &Workspace) -> Vec<usize> {
    ws.people()
        .iter()
        .map(|p| ws.messages(&Workspace::dm_of(&p.id), &p.id, None).len())
        .collect()
}

#[derive(Deserialize)]
struct TimeBody {
    /// `next-working-day`, `next-month`, `25th`, `year-end` or `YYYY-MM-DD`.
    jump: String,
}

/// "Jump to": moves the playground's time forward, runs the scheduled jobs
/// that fire on the way (as `serve` would have), delivers what they sent,
/// tells every page the new time, and says who received what in their DM.
async fn time(State(pg): State<Arc<Playground>>, Json(b): Json<TimeBody>) -> PageResult {
    let jump = Jump::parse(&b.jump).map_err(PageError::BadRequest)?;
    let _one = pg.busy.lock().await;
    let tz = pg.ctx.directory().org.timezone;
    let now = pg.clock.now();
    let to = jump.target(now, tz, &pg.settings.schedule.holidays);
    if to <= now {
        return Err(PageError::BadRequest(format!(
            "time only moves forward in the playground: it is already {}",
            timeline::now_json(now, tz)["label"]
                .as_str()
                .unwrap_or_default()
        )));
    }
    if to - now > chrono::Duration::days(timeline::MAX_DAYS_AHEAD) {
        return Err(PageError::BadRequest(format!(
            "the playground moves at most {} days at a time (a year and its turn); jump in steps",
            timeline::MAX_DAYS_AHEAD
        )));
    }
    let before = dm_counts(&pg.workspace);
    let ran = timeline::travel(&pg.ctx, &pg.settings, &pg.clock, to)
        .await
        .map_err(|e| PageError::Bot(format!("{e:#}")))?;
    let delivered = settle(&pg).await;
    // Who found something new in their DM with the bot.
    let received: Vec<(&Person, usize)> = pg
        .workspace
        .people()
        .iter()
        .zip(dm_counts(&pg.workspace).into_iter().zip(before))
        .filter(|(_, (after, before))| after > before)
        .map(|(p, (after, before))| (p, after - before))
        .collect();
    let now = timeline::now_json(pg.clock.now(), tz);
    let fired: Vec<Value> = ran
        .iter()
        .map(|s| {
            json!({
                "job": s.job.name(),
                "period": s.period.key(),
                "ran": s.ran,
                "enqueued": s.enqueued,
                "summary": s.to_string(),
            })
        })
        .collect();
    let label = now["label"].as_str().unwrap_or_default().to_owned();
    let mut notice = match ran.iter().filter(|s| s.ran).count() {
        0 => format!("It is now {label}. No scheduled job fired on the way."),
        n => format!(
            "It is now {label}. {n} scheduled job run{} on the way: {}.",
            if n == 1 { "" } else { "s" },
            ran.iter()
                .filter(|s| s.ran)
                .map(|s| format!("{} ({})", s.job.name(), s.period.label()))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    if !received.is_empty() {
        notice.push_str(&format!(
            " New in their DMs: {}.",
            received
                .iter()
                .map(|(p, n)| format!("{} {n}", p.real_name))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    pg.workspace.clock_moved(
        json!({"now": now, "jumps": timeline::choices(pg.clock.now(), tz, &pg.settings.schedule.holidays)}),
    );
    pg.workspace.notice(notice.clone());
    Ok(Json(json!({
        "ok": true,
        "now": now,
        "fired": fired,
        "received": received
            .iter()
            .map(|(p, n)| json!({"person": p.id, "name": p.real_name, "messages": n}))
            .collect::<Vec<_>>(),
        "summary": notice,
        "delivered": delivered,
    })))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// The shortcodes the page turns into emoji (`EMOJI` in mrkdwn.js).
    fn page_emoji() -> BTreeSet<String> {
        let js = STATIC_FILES
            .iter()
            .find(|(n, _)| *n == "mrkdwn.js")
            .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
            .expect("mrkdwn.js is served");
        let table = &js[js.find("export const EMOJI").expect("the EMOJI table")..];
        let table = &table[..table.find("};").expect("its end")];
        let key = regex::Regex::new(r#"(?:"([^"]+)"|([a-z0-9_]+))\s*:\s*""#).unwrap();
        key.captures_iter(table)
            .filter_map(|c| c.get(1).or(c.get(2)).map(|m| m.as_str().to_owned()))
            .collect()
    }

    /// Every `:shortcode:` inside a string literal of the bot's Rust code
    /// and of the demo's settings. Raw strings are read first and char
    /// literals dropped, so a `'"'` cannot make code look like a string.
    fn bot_emoji() -> BTreeSet<String> {
        let raw = regex::Regex::new(r###"(?s)r##".*?"##|r#".*?"#"###).unwrap();
        let chars = regex::Regex::new(r#"(?s)'(?:\\.|[^\\'])'"#).unwrap();
        let literal = regex::Regex::new(r#"(?s)"(?:[^"\\]|\\.)*""#).unwrap();
        let code = regex::Regex::new(r":([a-z0-9_+\-]+):").unwrap();
        let mut found = BTreeSet::new();
        let mut dirs = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                    continue;
                }
                let ext = path.extension().and_then(|e| e.to_str());
                if !matches!(ext, Some("rs" | "toml")) {
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                let mut literals: Vec<String> = raw
                    .find_iter(&text)
                    .map(|m| m.as_str().to_owned())
                    .collect();
                let rest = chars
                    .replace_all(&raw.replace_all(&text, ""), "''")
                    .into_owned();
                literals.extend(literal.find_iter(&rest).map(|m| m.as_str().to_owned()));
                for lit in &literals {
                    for c in code.captures_iter(lit) {
                        let name = &c[1];
                        // "09:00:00" is a time, not an emoji.
                        if !name.chars().all(|ch| ch.is_ascii_digit()) {
                            found.insert(name.to_owned());
                        }
                    }
                }
            }
        }
        found
    }

    #[test]
    fn the_page_renders_every_emoji_the_bot_uses() {
        let page = page_emoji();
        assert!(page.contains("tada") && page.contains("+1"), "{page:?}");
        let bot = bot_emoji();
        assert!(bot.contains("white_check_mark"), "{bot:?}");
        let missing: Vec<&String> = bot.difference(&page).collect();
        assert!(
            missing.is_empty(),
            "add these to EMOJI in src/playground/static/mrkdwn.js: {missing:?}"
        );
    }
}
