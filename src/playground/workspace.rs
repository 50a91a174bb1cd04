//! The local workspace the playground serves to the bot and the page: its
//! people and channels, every message posted in it, the open views, and the
//! one-time trigger ids and response URLs it handed out.
//!
//! Everything lives behind one mutex (a demo workspace is small), and every
//! change is broadcast as a [`PageEvent`] for the page's event stream.
//! Messages and Home tabs are saved to a JSON file next to the demo database
//! so that a restarted playground still shows the posts the database knows.

use crate::clock::SharedClock;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use tokio::sync::{Notify, broadcast};

/// The bot's own user, as the page shows it.
pub const BOT_USER: &str = "U0ALIGNBOT";
pub const BOT_ID: &str = "B0ALIGNBOT";
pub const BOT_NAME: &str = "alignbot";
pub const TEAM_ID: &str = "T0PLAYGROUND";
pub const TEAM_DOMAIN: &str = "playground";
pub const APP_ID: &str = "A0ALIGNBOT";

/// Someone in the demo organization.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Person {
    pub id: String,
    pub name: String,
    pub real_name: String,
    pub title: String,
    /// "admin", "leader" or "member".
    pub role: String,
    pub tz: String,
    pub avatar_color: String,
}

/// A channel or a DM with the bot.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Channel {
    pub id: String,
    pub name: String,
    /// "channel" or "dm".
    pub kind: String,
    pub topic: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Reaction {
    pub name: String,
    pub users: Vec<String>,
}

/// One message as the page shows it; `blocks` exactly as the bot sent them.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Message {
    pub channel: String,
    pub ts: String,
    pub thread_ts: Option<String>,
    pub user: Option<String>,
    pub bot: bool,
    pub username: Option<String>,
    pub text: String,
    pub blocks: Option<Value>,
    /// Visible only to this person ("Only visible to you").
    pub ephemeral_for: Option<String>,
    pub edited: bool,
    pub deleted: bool,
    pub reactions: Vec<Reaction>,
    pub reply_count: u32,
}

/// A modal or a Home tab, with the view object as the bot sent it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct View {
    pub id: String,
    pub user: String,
    /// "modal" or "home".
    pub kind: String,
    pub view: Value,
    /// 0 for a modal opened on its own; n for the n-th pushed on top.
    pub stack: u32,
    /// The first modal of this stack (itself when `stack` is 0).
    pub root: String,
    pub errors: Option<Value>,
    pub hash: String,
}

impl View {
    /// The view object as Slack hands it back (`views.*` answers and
    /// interaction payloads): the bot's view plus the ids Slack adds.
    pub fn stateful(&self, values: Value) -> Value {
        let mut v = self.view.clone();
        if let Value::Object(map) = &mut v {
            map.insert("id".into(), json!(self.id));
            map.insert("team_id".into(), json!(TEAM_ID));
            map.insert("app_id".into(), json!(APP_ID));
            map.insert("bot_id".into(), json!(BOT_ID));
            map.insert("hash".into(), json!(self.hash));
            map.insert("state".into(), json!({ "values": values }));
            map.insert("root_view_id".into(), json!(self.root));
            map.insert("previous_view_id".into(), Value::Null);
            map.insert("app_installed_team_id".into(), json!(TEAM_ID));
            for (key, default) in [
                ("private_metadata", json!("")),
                ("callback_id", json!("")),
                ("external_id", json!("")),
                ("clear_on_close", json!(false)),
                ("notify_on_close", json!(false)),
                ("close", Value::Null),
                ("submit", Value::Null),
            ] {
                map.entry(key).or_insert(default);
            }
        }
        v
    }
}

/// Where a response URL answers: the message a command or a button came
/// from, for `replace_original`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseTarget {
    pub user: String,
    pub channel: String,
    /// The message the action was on, if any.
    pub ts: Option<String>,
}

/// Who a page event is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    Everyone,
    Person(String),
}

/// One server-sent event for the page.
#[derive(Debug, Clone)]
pub struct PageEvent {
    pub to: Audience,
    /// `message`, `view_open`, `view_update`, `view_close`, `home`, `notice`,
    /// `clock`, `resync`.
    pub name: &'static str,
    pub data: Value,
}

/// Why a Web API call could not be applied, as Slack's `error` code.
pub type ApiError = &'static str;

#[derive(Default, Serialize, Deserialize)]
struct Saved {
    messages: Vec<Message>,
    homes: Vec<View>,
    counter: u64,
}

#[derive(Default)]
struct State {
    messages: Vec<Message>,
    views: HashMap<String, View>,
    triggers: HashMap<String, String>,
    responses: HashMap<String, ResponseTarget>,
    counter: u64,
    last_ts: (u64, u64),
}

/// The workspace; cheap to clone.
#[derive(Clone)]
pub struct Workspace {
    /// The playground's clock: messages are stamped with its time.
    clock: SharedClock,
    people: Arc<Vec<Person>>,
    channels: Arc<Vec<Channel>>,
    state: Arc<Mutex<State>>,
    events: broadcast::Sender<PageEvent>,
    save_to: Option<PathBuf>,
    dirty: Arc<Notify>,
}

impl Workspace {
    /// A workspace of `people` and `channels`; with `save_to`, what was
    /// saved there is loaded (if `load`) and changes are saved back.
    pub fn new(
        people: Vec<Person>,
        channels: Vec<Channel>,
        save_to: Option<PathBuf>,
        load: bool,
        clock: SharedClock,
    ) -> Self {
        let mut state = State::default();
        if let (Some(path), true) = (&save_to, load)
            && let Ok(text) = std::fs::read_to_string(path)
        {
            match serde_json::from_str::<Saved>(&text) {
                Ok(saved) => {
                    state.messages = saved.messages;
                    state.counter = saved.counter;
                    for home in saved.homes {
                        state.views.insert(home.id.clone(), home);
                    }
                    if let Some(last) = state.messages.iter().filter_map(|m| parse_ts(&m.ts)).max()
                    {
                        state.last_ts = last;
                    }
                }
                Err(e) => {
                    tracing::warn!(path = %path.display(), error = %e, "the playground's saved messages are unreadable; starting with none")
                }
            }
        }
        let (events, _) = broadcast::channel(1024);
        let ws = Self {
            clock,
            people: Arc::new(people),
            channels: Arc::new(channels),
            state: Arc::new(Mutex::new(state)),
            events,
            save_to,
            dirty: Arc::new(Notify::new()),
        };
        if ws.save_to.is_some() {
            let saver = ws.clone();
            tokio::spawn(async move { saver.save_loop().await });
        }
        ws
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Saves at most every 200 ms while changes keep coming.
    async fn save_loop(self) {
        loop {
            self.dirty.notified().await;
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            if let Err(e) = self.save() {
                tracing::warn!(error = %e, "cannot save the playground's messages");
            }
        }
    }

    /// Writes messages and Home tabs to the save file (atomically).
    pub fn save(&self) -> std::io::Result<()> {
        let Some(path) = &self.save_to else {
            return Ok(());
        };
        let saved = {
            let state = self.lock();
            Saved {
                messages: state.messages.clone(),
                homes: state
                    .views
                    .values()
                    .filter(|v| v.kind == "home")
                    .cloned()
                    .collect(),
                counter: state.counter,
            }
        };
        let tmp = path.with_extension("tmp");
        std::fs::write(
            &tmp,
            serde_json::to_vec(&saved).map_err(std::io::Error::other)?,
        )?;
        std::fs::rename(tmp, path)
    }

    fn changed(&self, event: PageEvent) {
        self.dirty.notify_one();
        // No page listening is fine.
        let _ = self.events.send(event);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<PageEvent> {
        self.events.subscribe()
    }

    /// Forgets every message and view (the demo was reset); every page
    /// reloads on the `resync` event.
    pub fn clear(&self) {
        {
            let mut state = self.lock();
            state.messages.clear();
            state.views.clear();
            state.triggers.clear();
            state.responses.clear();
        }
        self.changed(PageEvent {
            to: Audience::Everyone,
            name: "resync",
            data: json!({}),
        });
    }

    /// Tells every page the playground's time moved (`clock` event).
    pub fn clock_moved(&self, data: Value) {
        let _ = self.events.send(PageEvent {
            to: Audience::Everyone,
            name: "clock",
            data,
        });
    }

    /// Sends a notice to every page.
    pub fn notice(&self, text: String) {
        let _ = self.events.send(PageEvent {
            to: Audience::Everyone,
            name: "notice",
            data: json!({ "text": text }),
        });
    }

    pub fn people(&self) -> &[Person] {
        &self.people
    }

    pub fn person(&self, id: &str) -> Option<&Person> {
        self.people.iter().find(|p| p.id == id)
    }

    pub fn channels(&self) -> &[Channel] {
        &self.channels
    }

    pub fn channel(&self, id: &str) -> Option<&Channel> {
        self.channels.iter().find(|c| c.id == id)
    }

    /// The DM between `person` and the bot.
    pub fn dm_of(person: &str) -> String {
        format!("D{person}")
    }

    /// The conversation a Web API `channel` argument names: a channel id, a
    /// DM id, or a user id (Slack posts those to the DM with the app).
    pub fn resolve_channel(&self, raw: &str) -> Option<String> {
        if self.channel(raw).is_some() {
            return Some(raw.to_owned());
        }
        let person = raw.strip_prefix('D').unwrap_or(raw);
        self.person(person).map(|p| Self::dm_of(&p.id))
    }

    /// The person a DM is with.
    pub fn dm_person(channel: &str) -> Option<&str> {
        channel.strip_prefix('D')
    }

    /// Who may see messages of `channel`.
    fn audience_of(message: &Message) -> Audience {
        if let Some(p) = &message.ephemeral_for {
            return Audience::Person(p.clone());
        }
        match Self::dm_person(&message.channel) {
            Some(p) => Audience::Person(p.to_owned()),
            None => Audience::Everyone,
        }
    }

    fn next_id(state: &mut State, prefix: char) -> String {
        state.counter += 1;
        format!("{prefix}{:08X}", state.counter)
    }

    /// The playground's time now.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// A fresh message timestamp: now, strictly after the last one.
    fn next_ts(&self, state: &mut State) -> String {
        let secs = u64::try_from(self.clock.now().timestamp()).unwrap_or(0);
        let next = if secs > state.last_ts.0 {
            (secs, 100)
        } else {
            (state.last_ts.0, state.last_ts.1 + 100)
        };
        state.last_ts = next;
        format!("{}.{:06}", next.0, next.1)
    }

    /// Stores a new message (its `ts` is assigned here) and streams it.
    pub fn post(&self, mut message: Message) -> Message {
        {
            let mut state = self.lock();
            message.ts = self.next_ts(&mut state);
            if let Some(parent) = &message.thread_ts {
                let channel = message.channel.clone();
                if let Some(p) = state
                    .messages
                    .iter_mut()
                    .find(|m| m.channel == channel && &m.ts == parent)
                {
                    p.reply_count += 1;
                    let parent = p.clone();
                    let to = Self::audience_of(&parent);
                    let _ = self.events.send(PageEvent {
                        to,
                        name: "message",
                        data: json!(parent),
                    });
                }
            }
            state.messages.push(message.clone());
        }
        self.changed(PageEvent {
            to: Self::audience_of(&message),
            name: "message",
            data: json!(message),
        });
        message
    }

    /// Applies `change` to the message at (channel, ts) and streams it.
    pub fn change(
        &self,
        channel: &str,
        ts: &str,
        change: impl FnOnce(&mut Message),
    ) -> Result<Message, ApiError> {
        let message = {
            let mut state = self.lock();
            let m = state
                .messages
                .iter_mut()
                .find(|m| m.channel == channel && m.ts == ts && !m.deleted)
                .ok_or("message_not_found")?;
            change(m);
            m.clone()
        };
        self.changed(PageEvent {
            to: Self::audience_of(&message),
            name: "message",
            data: json!(message),
        });
        Ok(message)
    }

    pub fn message(&self, channel: &str, ts: &str) -> Option<Message> {
        self.lock()
            .messages
            .iter()
            .find(|m| m.channel == channel && m.ts == ts && !m.deleted)
            .cloned()
    }

    /// A channel's messages as `viewer` sees them, oldest first: top-level
    /// ones, or the replies of `thread`.
    pub fn messages(&self, channel: &str, viewer: &str, thread: Option<&str>) -> Vec<Message> {
        self.lock()
            .messages
            .iter()
            .filter(|m| m.channel == channel && !m.deleted)
            .filter(|m| m.ephemeral_for.as_deref().is_none_or(|p| p == viewer))
            .filter(|m| match thread {
                Some(t) => m.thread_ts.as_deref() == Some(t),
                None => m.thread_ts.is_none(),
            })
            .cloned()
            .collect()
    }

    /// Every message, for tests and the page's search of a post.
    pub fn all_messages(&self) -> Vec<Message> {
        self.lock().messages.clone()
    }

    /// A one-time trigger id for `person`'s next interaction.
    pub fn new_trigger(&self, person: &str) -> String {
        let mut state = self.lock();
        state.counter += 1;
        // Shaped like Slack's: two numbers and 32 hex digits.
        let id = format!(
            "{}.{}.{}",
            state.counter,
            fastrand::u32(1_000_000..u32::MAX),
            hex_token(16)
        );
        state.triggers.insert(id.clone(), person.to_owned());
        id
    }

    /// Uses up a trigger id: whose it was.
    pub fn take_trigger(&self, id: &str) -> Option<String> {
        self.lock().triggers.remove(id)
    }

    /// A response URL id for answering `target`.
    pub fn new_response(&self, target: ResponseTarget) -> String {
        let mut state = self.lock();
        let id = Self::next_id(&mut state, 'R') + &hex_token(8);
        state.responses.insert(id.clone(), target);
        id
    }

    /// Ties a command's response URL to the answer shown for it, so a
    /// later `replace_original` replaces that answer.
    pub fn set_response_message(&self, id: &str, ts: &str) {
        if let Some(t) = self.lock().responses.get_mut(id) {
            t.ts = Some(ts.to_owned());
        }
    }

    pub fn response(&self, id: &str) -> Option<ResponseTarget> {
        self.lock().responses.get(id).cloned()
    }

    /// Opens a modal for `user` (pushed on `on_top_of`'s stack if given).
    pub fn open_view(&self, user: &str, view: Value, on_top_of: Option<&View>) -> View {
        let opened = {
            let mut state = self.lock();
            let id = Self::next_id(&mut state, 'V');
            let hash = format!("{}.{}", state.counter, hex_token(4));
            let (stack, root) = match on_top_of {
                Some(parent) => (parent.stack + 1, parent.root.clone()),
                None => (0, id.clone()),
            };
            let v = View {
                id: id.clone(),
                user: user.to_owned(),
                kind: "modal".into(),
                view,
                stack,
                root,
                errors: None,
                hash,
            };
            state.views.insert(id, v.clone());
            v
        };
        self.changed(PageEvent {
            to: Audience::Person(opened.user.clone()),
            name: "view_open",
            data: json!(opened),
        });
        opened
    }

    /// Replaces the content of view `id` (a modal, or a Home tab).
    pub fn update_view(
        &self,
        id: &str,
        view: Value,
        errors: Option<Value>,
    ) -> Result<View, ApiError> {
        let updated = {
            let mut state = self.lock();
            let counter = state.counter + 1;
            state.counter = counter;
            let v = state.views.get_mut(id).ok_or("not_found")?;
            v.view = view;
            v.errors = errors;
            v.hash = format!("{counter}.{}", hex_token(4));
            v.clone()
        };
        let name = if updated.kind == "home" {
            "home"
        } else {
            "view_update"
        };
        self.changed(PageEvent {
            to: Audience::Person(updated.user.clone()),
            name,
            data: json!(updated),
        });
        Ok(updated)
    }

    /// Shows validation errors under a modal's inputs (the view stays).
    pub fn set_errors(&self, id: &str, errors: Value) -> Option<View> {
        let v = {
            let mut state = self.lock();
            let v = state.views.get_mut(id)?;
            v.errors = Some(errors);
            v.clone()
        };
        self.changed(PageEvent {
            to: Audience::Person(v.user.clone()),
            name: "view_update",
            data: json!(v),
        });
        Some(v)
    }

    /// Publishes `user`'s Home tab.
    pub fn publish_home(&self, user: &str, view: Value) -> View {
        let existing = self
            .lock()
            .views
            .values()
            .find(|v| v.kind == "home" && v.user == user)
            .map(|v| v.id.clone());
        if let Some(id) = existing
            && let Ok(v) = self.update_view(&id, view.clone(), None)
        {
            return v;
        }
        let home = {
            let mut state = self.lock();
            let id = Self::next_id(&mut state, 'V');
            let v = View {
                id: id.clone(),
                user: user.to_owned(),
                kind: "home".into(),
                view,
                stack: 0,
                root: id.clone(),
                errors: None,
                hash: format!("{}.{}", state.counter, hex_token(4)),
            };
            state.views.insert(id, v.clone());
            v
        };
        self.changed(PageEvent {
            to: Audience::Person(user.to_owned()),
            name: "home",
            data: json!(home),
        });
        home
    }

    pub fn view(&self, id: &str) -> Option<View> {
        self.lock().views.get(id).cloned()
    }

    pub fn home(&self, user: &str) -> Option<View> {
        self.lock()
            .views
            .values()
            .find(|v| v.kind == "home" && v.user == user)
            .cloned()
    }

    /// The modals open for `user`, bottom of the stack first.
    pub fn open_modals(&self, user: &str) -> Vec<View> {
        let mut open: Vec<View> = self
            .lock()
            .views
            .values()
            .filter(|v| v.kind == "modal" && v.user == user)
            .cloned()
            .collect();
        open.sort_by(|a, b| a.id.cmp(&b.id));
        open
    }

    /// Closes modal `id`, or (with `whole_stack`) every modal of its stack.
    pub fn close_view(&self, id: &str, whole_stack: bool) {
        let closed: Vec<View> = {
            let mut state = self.lock();
            let Some(v) = state.views.get(id).cloned() else {
                return;
            };
            let ids: Vec<String> = state
                .views
                .values()
                .filter(|o| {
                    o.kind == "modal"
                        && (o.id == v.id
                            || (whole_stack && o.root == v.root)
                            || (o.root == v.root && o.stack > v.stack))
                })
                .map(|o| o.id.clone())
                .collect();
            ids.iter().filter_map(|i| state.views.remove(i)).collect()
        };
        for v in closed {
            self.changed(PageEvent {
                to: Audience::Person(v.user.clone()),
                name: "view_close",
                data: json!({ "id": v.id }),
            });
        }
    }

    /// Adds or removes `user`'s reaction `name` on a message.
    pub fn react(
        &self,
        channel: &str,
        ts: &str,
        user: &str,
        name: &str,
        add: bool,
    ) -> Result<Message, ApiError> {
        self.change(channel, ts, |m| {
            let pos = m.reactions.iter().position(|r| r.name == name);
            match (pos, add) {
                (Some(i), true) => {
                    if !m.reactions[i].users.iter().any(|u| u == user) {
                        m.reactions[i].users.push(user.to_owned());
                    }
                }
                (None, true) => m.reactions.push(Reaction {
                    name: name.to_owned(),
                    users: vec![user.to_owned()],
                }),
                (Some(i), false) => {
                    m.reactions[i].users.retain(|u| u != user);
                    if m.reactions[i].users.is_empty() {
                        m.reactions.remove(i);
                    }
                }
                (None, false) => {}
            }
        })
    }
}

fn parse_ts(ts: &str) -> Option<(u64, u64)> {
    let (a, b) = ts.split_once('.')?;
    Some((a.parse().ok()?, b.parse().ok()?))
}

/// `bytes` random bytes as lowercase hex, from the operating system's cryptographic
/// source: these become the run's signing secret, tokens, trigger ids and
/// response URLs, which must not be guessable.
pub fn hex_token(bytes: usize) -> String {
    use ring::rand::SecureRandom;
    let mut buf = vec![0u8; bytes];
    ring::rand::SystemRandom::new()
        .fill(&mut buf)
        .expect("the operating system's random source works");
    hex::encode(buf)
}

/// A message the bot posted (the Web API's `chat.postMessage`).
pub fn bot_message(channel: String, text: String, blocks: Option<Value>) -> Message {
    Message {
        channel,
        ts: String::new(),
        thread_ts: None,
        user: Some(BOT_USER.to_owned()),
        bot: true,
        username: Some(BOT_NAME.to_owned()),
        text,
        blocks,
        ephemeral_for: None,
        edited: false,
        deleted: false,
        reactions: Vec::new(),
        reply_count: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ws() -> Workspace {
        let person = |id: &str| Person {
            id: id.into(),
            name: id.to_lowercase(),
            real_name: id.into(),
            title: String::new(),
            role: "member".into(),
            tz: "UTC".into(),
            avatar_color: "#000".into(),
        };
        Workspace::new(
            vec![person("U0ANA"), person("U0BEN")],
            vec![Channel {
                id: "C0MOMENTS".into(),
                name: "moments".into(),
                kind: "channel".into(),
                topic: String::new(),
            }],
            None,
            false,
            std::sync::Arc::new(crate::clock::SystemClock),
        )
    }

    #[tokio::test]
    async fn user_ids_and_dm_ids_land_in_the_dm_and_unknown_channels_nowhere() {
        let ws = ws();
        assert_eq!(ws.resolve_channel("U0ANA").as_deref(), Some("DU0ANA"));
        assert_eq!(ws.resolve_channel("DU0ANA").as_deref(), Some("DU0ANA"));
        assert_eq!(
            ws.resolve_channel("C0MOMENTS").as_deref(),
            Some("C0MOMENTS")
        );
        assert_eq!(ws.resolve_channel("C0NOPE"), None);
        assert_eq!(ws.resolve_channel("U0NOBODY"), None);
    }

    #[tokio::test]
    async fn timestamps_increase_and_ephemerals_show_only_to_their_person() {
        let ws = ws();
        let a = ws.post(bot_message("C0MOMENTS".into(), "a".into(), None));
        let mut secret = bot_message("C0MOMENTS".into(), "b".into(), None);
        secret.ephemeral_for = Some("U0ANA".into());
        let b = ws.post(secret);
        assert!(parse_ts(&b.ts) > parse_ts(&a.ts), "{} then {}", a.ts, b.ts);
        assert_eq!(ws.messages("C0MOMENTS", "U0ANA", None).len(), 2);
        assert_eq!(ws.messages("C0MOMENTS", "U0BEN", None).len(), 1);
    }

    #[tokio::test]
    async fn reactions_are_counted_once_per_person_and_removed() {
        let ws = ws();
        let m = ws.post(bot_message("C0MOMENTS".into(), "a".into(), None));
        ws.react("C0MOMENTS", &m.ts, "U0ANA", "tada", true).unwrap();
        let twice = ws.react("C0MOMENTS", &m.ts, "U0ANA", "tada", true).unwrap();
        assert_eq!(twice.reactions[0].users, vec!["U0ANA".to_owned()]);
        let gone = ws
            .react("C0MOMENTS", &m.ts, "U0ANA", "tada", false)
            .unwrap();
        assert!(gone.reactions.is_empty());
        assert_eq!(
            ws.react("C0MOMENTS", "1.000001", "U0ANA", "tada", true),
            Err("message_not_found")
        );
    }

    #[tokio::test]
    async fn a_trigger_opens_one_view_only() {
        let ws = ws();
        let t = ws.new_trigger("U0ANA");
        assert_eq!(ws.take_trigger(&t).as_deref(), Some("U0ANA"));
        assert_eq!(ws.take_trigger(&t), None);
    }

    #[tokio::test]
    async fn closing_a_pushed_view_keeps_the_one_below_and_clear_closes_all() {
        let ws = ws();
        let root = ws.open_view("U0ANA", json!({"type": "modal"}), None);
        let pushed = ws.open_view("U0ANA", json!({"type": "modal"}), Some(&root));
        assert_eq!(pushed.stack, 1);
        ws.close_view(&pushed.id, false);
        assert_eq!(ws.open_modals("U0ANA").len(), 1);
        let again = ws.open_view("U0ANA", json!({"type": "modal"}), Some(&root));
        ws.close_view(&again.id, true);
        assert!(ws.open_modals("U0ANA").is_empty());
    }
}
