//! Events API bodies → app events.
//!
//! Parsing is two-step on purpose: the envelope (`type`, `event_id`,
//! `challenge`) is read from plain JSON, and only then the event itself
//! through slack-morphism's models. A payload those models cannot read (a new
//! field shape, Enterprise Grid quirks) is still acknowledged and recorded,
//! never answered with an error that would make Slack retry it forever.
//!
//! The envelope also says where an event comes from ([`Origin`]: the app,
//! workspace and Enterprise Grid org), read here from plain JSON because an
//! org-wide install sends `authorizations[].team_id: null`, which
//! slack-morphism's models reject. Whether the origin is ours is decided by
//! [`crate::slack::identity`].

use crate::app::events::{Event, StopReason};
use crate::domain::PersonId;
use serde::Deserialize;
use slack_morphism::prelude::*;

/// The bot events this adapter acts on. The app manifests subscribe to
/// exactly these (a test keeps them equal): an event the code ignores costs
/// a request per occurrence, and one it handles but the manifest lacks never
/// arrives (as `app_uninstalled` once did not, so the purge never ran).
pub const HANDLED_EVENTS: &[&str] = &[
    "app_home_opened",
    "app_uninstalled",
    "message.channels",
    "reaction_added",
    "reaction_removed",
    "tokens_revoked",
    "user_change",
];

/// An Events API request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Envelope {
    /// Slack checking the request URL: echo the challenge.
    UrlVerification { challenge: String },
    /// An event to apply once.
    Callback {
        event_id: String,
        event_type: String,
        event: Event,
        /// Boxed: it is large next to the other variants.
        origin: Box<Origin>,
    },
    /// A body that is not an event we can key (no event id): acknowledged only.
    Other(String),
}

/// Where an event comes from, as the envelope says.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Origin {
    /// The app the event was sent to.
    pub api_app_id: Option<String>,
    /// The workspace the event happened in (in a Slack Connect channel,
    /// possibly not the installing one: see `authorizations`).
    pub team_id: Option<String>,
    pub enterprise_id: Option<String>,
    /// The installations the event is visible to. Slack sends one.
    #[serde(default)]
    pub authorizations: Vec<Authorization>,
}

/// One installation an event is visible to. An Enterprise Grid org-wide
/// install has no workspace (`team_id: null`) but an `enterprise_id`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Authorization {
    pub team_id: Option<String>,
    pub enterprise_id: Option<String>,
    #[serde(default)]
    pub is_enterprise_install: bool,
}

#[derive(Deserialize)]
struct RawEnvelope {
    #[serde(rename = "type")]
    kind: String,
    challenge: Option<String>,
    event_id: Option<String>,
    event: Option<RawEvent>,
    #[serde(flatten)]
    origin: Origin,
}

#[derive(Deserialize)]
struct RawEvent {
    #[serde(rename = "type")]
    kind: Option<String>,
    /// `tokens_revoked` only: which kinds of token were revoked.
    tokens: Option<RawTokens>,
}

/// `tokens_revoked` is not in slack-morphism's event models, so it is read
/// here. Only the bot token matters: alignbot holds no user tokens.
#[derive(Deserialize)]
struct RawTokens {
    #[serde(default)]
    bot: Vec<String>,
}

pub fn parse(body: &[u8]) -> Result<Envelope, serde_json::Error> {
    let raw: RawEnvelope = serde_json::from_slice(body)?;
    match raw.kind.as_str() {
        "url_verification" => Ok(Envelope::UrlVerification {
            challenge: raw.challenge.unwrap_or_default(),
        }),
        "event_callback" => {
            let Some(event_id) = raw.event_id else {
                return Ok(Envelope::Other("event_callback without event_id".into()));
            };
            let origin = Box::new(raw.origin);
            let (event_type, tokens) = raw
                .event
                .map(|e| (e.kind.unwrap_or_default(), e.tokens))
                .unwrap_or_default();
            if event_type == "tokens_revoked" {
                let event = match tokens {
                    Some(t) if !t.bot.is_empty() => Event::Stopped {
                        reason: StopReason::TokensRevoked,
                    },
                    _ => Event::Other,
                };
                return Ok(Envelope::Callback {
                    event_id,
                    event_type,
                    event,
                    origin,
                });
            }
            let event = match read_with_models(body) {
                Ok(SlackPushEvent::EventCallback(cb)) => from_body(cb.event),
                Ok(_) => Event::Other,
                Err(e) => {
                    tracing::warn!(%event_type, error = %e, "event not readable by the Slack models; recorded and ignored");
                    Event::Other
                }
            };
            Ok(Envelope::Callback {
                event_id,
                event_type,
                event,
                origin,
            })
        }
        other => Ok(Envelope::Other(other.to_owned())),
    }
}

/// Reads the body with slack-morphism's models, without `authorizations`:
/// [`Origin`] already holds them, and the models want a `team_id` string
/// where an Enterprise Grid org-wide install sends `null`, which would make
/// the whole event unreadable (its Home tab would never render).
fn read_with_models(body: &[u8]) -> Result<SlackPushEvent, serde_json::Error> {
    let mut value: serde_json::Value = serde_json::from_slice(body)?;
    if let Some(envelope) = value.as_object_mut() {
        envelope.remove("authorizations");
    }
    serde_json::from_value(value)
}

fn from_body(body: SlackEventCallbackBody) -> Event {
    match body {
        SlackEventCallbackBody::AppHomeOpened(e)
            if e.tab.as_deref().unwrap_or("home") == "home" =>
        {
            match PersonId::parse(e.user.as_ref()) {
                Ok(person) => Event::HomeOpened { person },
                Err(_) => Event::Other,
            }
        }
        SlackEventCallbackBody::UserChange(e) => {
            let deleted = e.user.deleted.unwrap_or(false);
            match PersonId::parse(e.user.id.as_ref()) {
                // A deactivated account: forget the person, as
                // `alignbot forget-user` would.
                Ok(person) if deleted => Event::PersonDeleted { person },
                Ok(person) => Event::ProfileChanged {
                    person,
                    profile: crate::slack::client::profile_of(e.user),
                },
                Err(_) => Event::Other,
            }
        }
        SlackEventCallbackBody::AppUninstalled(_) => Event::Stopped {
            reason: StopReason::AppUninstalled,
        },
        SlackEventCallbackBody::Message(m) => thread_reply(m),
        SlackEventCallbackBody::ReactionAdded(e) => reaction(e.user, e.reaction, e.item, true),
        SlackEventCallbackBody::ReactionRemoved(e) => reaction(e.user, e.reaction, e.item, false),
        _ => Event::Other,
    }
}

fn reaction(
    user: SlackUserId,
    name: SlackReactionName,
    item: SlackReactionsItem,
    added: bool,
) -> Event {
    match item {
        SlackReactionsItem::Message(m) => match m.origin.channel {
            Some(channel) => Event::Reaction {
                person: user.to_string(),
                reaction: name.to_string(),
                channel: channel.to_string(),
                ts: m.origin.ts.to_string(),
                added,
            },
            None => Event::Other,
        },
        SlackReactionsItem::File(_) => Event::Other,
    }
}

/// A person's reply in a thread (`message.channels` with a `thread_ts`
/// other than its own `ts`): what a proposal's thread counts as a comment.
/// A bot's message (ours included), an edit, a deletion or any other
/// subtype is not one; a reply also sent to the channel
/// (`thread_broadcast`) is.
fn thread_reply(m: SlackMessageEvent) -> Event {
    // A reply edited or deleted in Slack: its comment follows (a message
    // that was never counted matches no comment and changes nothing).
    match (&m.subtype, m.origin.channel.as_ref()) {
        (Some(SlackMessageEventType::MessageDeleted), Some(channel)) => {
            return match &m.deleted_ts {
                Some(ts) => Event::ThreadReplyDeleted {
                    channel: channel.to_string(),
                    ts: ts.to_string(),
                },
                None => Event::Other,
            };
        }
        (Some(SlackMessageEventType::MessageChanged), Some(channel)) => {
            return match &m.message {
                Some(edited) if edited.sender.bot_id.is_none() => Event::ThreadReplyEdited {
                    channel: channel.to_string(),
                    ts: edited.ts.to_string(),
                    text: edited
                        .content
                        .as_ref()
                        .and_then(|c| c.text.clone())
                        .unwrap_or_default(),
                },
                _ => Event::Other,
            };
        }
        _ => {}
    }
    if m.sender.bot_id.is_some() {
        return Event::Other;
    }
    if !matches!(
        m.subtype,
        None | Some(SlackMessageEventType::ThreadBroadcast)
    ) {
        return Event::Other;
    }
    let (Some(thread), Some(channel), Some(user)) =
        (m.origin.thread_ts, m.origin.channel, m.sender.user)
    else {
        return Event::Other;
    };
    if thread == m.origin.ts {
        return Event::Other;
    }
    Event::ThreadReply {
        person: user.to_string(),
        channel: channel.to_string(),
        thread_ts: thread.to_string(),
        ts: m.origin.ts.to_string(),
        text: m.content.and_then(|c| c.text).unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(format!(
            "{}/tests/fixtures/slack/events/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .expect("fixture exists")
    }

    #[test]
    fn url_verification_yields_its_challenge() {
        let Envelope::UrlVerification { challenge } =
            parse(&fixture("url_verification.json")).unwrap()
        else {
            panic!("expected url_verification");
        };
        assert!(!challenge.is_empty());
    }

    #[test]
    fn a_real_reaction_added_names_the_message() {
        let Envelope::Callback {
            event, event_type, ..
        } = parse(&fixture("reaction_added.json")).unwrap()
        else {
            panic!("expected a callback");
        };
        assert_eq!(event_type, "reaction_added");
        assert!(
            matches!(event, Event::Reaction { added: true, .. }),
            "{event:?}"
        );
    }

    #[test]
    fn a_real_home_tab_opening_names_the_person() {
        let Envelope::Callback { event, .. } =
            parse(&fixture("app_home_opened.home_tab.json")).unwrap()
        else {
            panic!("expected a callback");
        };
        assert!(matches!(event, Event::HomeOpened { .. }), "{event:?}");
    }

    #[test]
    fn every_real_event_fixture_parses_without_error() {
        let dir = format!("{}/tests/fixtures/slack/events", env!("CARGO_MANIFEST_DIR"));
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            if path.is_dir() || name.starts_with("socket_mode") {
                continue;
            }
            let body = std::fs::read(&path).unwrap();
            assert!(parse(&body).is_ok(), "{name} should parse");
        }
    }

    #[test]
    fn uninstalling_and_revoking_the_bot_token_stop_delivery() {
        let Envelope::Callback { event, .. } = parse(&fixture("app_uninstalled.json")).unwrap()
        else {
            panic!("expected a callback");
        };
        assert_eq!(
            event,
            Event::Stopped {
                reason: StopReason::AppUninstalled
            }
        );
        let Envelope::Callback { event, .. } = parse(&fixture("tokens_revoked.json")).unwrap()
        else {
            panic!("expected a callback");
        };
        assert_eq!(
            event,
            Event::Stopped {
                reason: StopReason::TokensRevoked
            }
        );
        // Only user tokens revoked: the bot still works.
        let only_user = br#"{"type":"event_callback","event_id":"Ev9","event":{"type":"tokens_revoked","tokens":{"oauth":["U1"]}}}"#;
        let Envelope::Callback { event, .. } = parse(only_user).unwrap() else {
            panic!("expected a callback");
        };
        assert_eq!(event, Event::Other);
    }

    #[test]
    fn a_deleted_user_is_forgotten_and_a_live_one_keeps_their_profile() {
        let body = |deleted: bool| {
            serde_json::json!({
                "type": "event_callback", "event_id": "Ev1", "team_id": "T1", "api_app_id": "A1",
                "event_time": 1, "token": "x",
                "event": {"type": "user_change", "event_ts": "1.1", "cache_ts": 1,
                    "user": {"id": "U0GONE", "deleted": deleted, "tz": "Europe/Paris"}}
            })
            .to_string()
        };
        let Envelope::Callback { event, .. } = parse(body(true).as_bytes()).unwrap() else {
            panic!("expected a callback");
        };
        assert!(matches!(event, Event::PersonDeleted { .. }), "{event:?}");
        let Envelope::Callback { event, .. } = parse(body(false).as_bytes()).unwrap() else {
            panic!("expected a callback");
        };
        let Event::ProfileChanged { profile, .. } = event else {
            panic!("expected a profile change: {event:?}");
        };
        assert_eq!(profile.time_zone.as_deref(), Some("Europe/Paris"));
    }

    /// A real body of each event type (fixtures; `reaction_removed` and
    /// `user_change` are the real `reaction_added` and a minimal profile).
    fn sample(kind: &str) -> Vec<u8> {
        let mut body: serde_json::Value = match kind {
            "reaction_removed" => serde_json::from_slice(&fixture("reaction_added.json")).unwrap(),
            "user_change" => serde_json::json!({
                "type": "event_callback", "event_id": "Ev1", "team_id": "T1", "api_app_id": "A1",
                "event_time": 1, "event": {"type": "user_change", "event_ts": "1.1", "cache_ts": 1,
                    "user": {"id": "U0TZ", "tz": "Europe/Paris"}}
            }),
            "app_home_opened" => {
                serde_json::from_slice(&fixture("app_home_opened.home_tab.json")).unwrap()
            }
            // The event is `message`; `message.channels` names the
            // subscription (messages in public channels). A reply in a thread.
            "message.channels" => {
                let mut body: serde_json::Value =
                    serde_json::from_slice(&fixture("message.channels.json")).unwrap();
                body["event"]["thread_ts"] = serde_json::json!("1596183000.000100");
                return body.to_string().into_bytes();
            }
            other => serde_json::from_slice(&fixture(&format!("{other}.json"))).unwrap(),
        };
        body["event"]["type"] = serde_json::json!(kind);
        body.to_string().into_bytes()
    }

    #[test]
    fn every_handled_event_type_is_acted_on_and_others_are_not() {
        for kind in HANDLED_EVENTS {
            let Envelope::Callback { event, .. } = parse(&sample(kind)).unwrap() else {
                panic!("{kind}: expected a callback");
            };
            assert_ne!(event, Event::Other, "{kind} is in HANDLED_EVENTS");
        }
        for name in [
            "app_mention.json",
            "member_joined_channel.json",
            "message.channels.json",
            "app_home_opened.messages_tab.enterprise.json",
        ] {
            let Envelope::Callback { event, .. } = parse(&fixture(name)).unwrap() else {
                panic!("{name}: expected a callback");
            };
            assert_eq!(event, Event::Other, "{name} is not acted on");
        }
    }

    #[test]
    fn an_enterprise_grid_org_wide_home_tab_opening_names_the_person_and_the_org() {
        // `authorizations[].team_id` is null: slack-morphism's models alone
        // reject the whole event.
        let body = fixture("app_home_opened.home_tab.enterprise.json");
        assert!(serde_json::from_slice::<SlackPushEvent>(&body).is_err());
        let Envelope::Callback { event, origin, .. } = parse(&body).unwrap() else {
            panic!("expected a callback");
        };
        assert_eq!(
            event,
            Event::HomeOpened {
                person: PersonId::parse("W111").unwrap()
            }
        );
        assert_eq!(origin.enterprise_id.as_deref(), Some("E111"));
        assert_eq!(origin.authorizations[0].team_id, None);
        assert!(origin.authorizations[0].is_enterprise_install);
    }

    #[test]
    fn junk_is_an_error() {
        assert!(parse(b"not json").is_err());
        assert!(parse(b"{}").is_err());
    }
}
