//! Events API bodies → app events.
//!
//! Parsing is two-step on purpose: the envelope (`type`, `event_id`,
//! `challenge`) is read from plain JSON, and only then the event itself
//! through slack-morphism's models. A payload those models cannot read (a new
//! field shape, Enterprise Grid quirks) is still acknowledged and recorded,
//! never answered with an error that would make Slack retry it forever.

use crate::app::events::{Event, StopReason};
use crate::domain::PersonId;
use serde::Deserialize;
use slack_morphism::prelude::*;

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
    },
    /// A body that is not an event we can key (no event id): acknowledged only.
    Other(String),
}

#[derive(Deserialize)]
struct RawEnvelope {
    #[serde(rename = "type")]
    kind: String,
    challenge: Option<String>,
    event_id: Option<String>,
    event: Option<RawEvent>,
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
                });
            }
            let event = match serde_json::from_slice::<SlackPushEvent>(body) {
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
            })
        }
        other => Ok(Envelope::Other(other.to_owned())),
    }
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
            match (
                PersonId::parse(e.user.id.as_ref()),
                e.user.deleted.unwrap_or(false),
                e.user.tz,
            ) {
                // A deactivated account: forget the person, as
                // `alignbot forget-user` would.
                (Ok(person), true, _) => Event::PersonDeleted { person },
                (Ok(person), false, Some(tz)) => Event::TimeZone { person, tz },
                _ => Event::Other,
            }
        }
        SlackEventCallbackBody::AppUninstalled(_) => Event::Stopped {
            reason: StopReason::AppUninstalled,
        },
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
    fn a_deleted_user_is_forgotten_and_a_live_one_keeps_their_time_zone() {
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
        assert!(matches!(event, Event::TimeZone { .. }), "{event:?}");
    }

    #[test]
    fn junk_is_an_error() {
        assert!(parse(b"not json").is_err());
        assert!(parse(b"{}").is_err());
    }
}
