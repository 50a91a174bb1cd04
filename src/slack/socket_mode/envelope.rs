//! Socket Mode frames as Slack sends them, and the acknowledgement we send
//! back. Pure data: no socket, no handler.
//!
//! Slack wraps each request in an envelope
//! `{envelope_id, type, payload, accepts_response_payload, retry_attempt}`
//! and expects `{"envelope_id": …}` back within three seconds, optionally
//! with `"payload"`: what an HTTP handler would have answered in its body.

use serde::Deserialize;
use serde_json::{Value, json};

/// One text frame from Slack.
#[derive(Debug, Clone, PartialEq)]
pub enum Frame {
    /// The connection is ready; envelopes follow.
    Hello,
    /// Slack will close this connection; `reason` is `warning`,
    /// `refresh_requested` or `link_disabled`.
    Disconnect { reason: String },
    /// A request to answer and acknowledge.
    Envelope(Envelope),
    /// A frame type we do not know and cannot acknowledge (no envelope id).
    Other(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Envelope {
    pub id: String,
    pub kind: Kind,
    pub payload: Value,
    /// Whether Slack reads a `payload` in the ack (slash commands and view
    /// submissions): the command's reply or the modal's `response_action`.
    pub accepts_response_payload: bool,
    /// Above 0 when Slack redelivers an envelope it saw no ack for.
    pub retry_attempt: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    EventsApi,
    SlashCommands,
    Interactive,
    /// An envelope type added after this build; acknowledged and ignored.
    Other(String),
}

impl Kind {
    pub fn as_str(&self) -> &str {
        match self {
            Kind::EventsApi => "events_api",
            Kind::SlashCommands => "slash_commands",
            Kind::Interactive => "interactive",
            Kind::Other(kind) => kind,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    #[error("not a Socket Mode frame: {0}")]
    Json(#[from] serde_json::Error),
}

#[derive(Deserialize)]
struct RawFrame {
    #[serde(rename = "type")]
    kind: String,
    envelope_id: Option<String>,
    #[serde(default)]
    payload: Value,
    #[serde(default)]
    accepts_response_payload: bool,
    retry_attempt: Option<u32>,
    reason: Option<String>,
}

/// Reads one text frame.
pub fn parse(text: &str) -> Result<Frame, FrameError> {
    let raw: RawFrame = serde_json::from_str(text)?;
    Ok(match (raw.kind.as_str(), raw.envelope_id) {
        ("hello", _) => Frame::Hello,
        ("disconnect", _) => Frame::Disconnect {
            reason: raw.reason.unwrap_or_default(),
        },
        (kind, Some(id)) => Frame::Envelope(Envelope {
            id,
            kind: match kind {
                "events_api" => Kind::EventsApi,
                "slash_commands" => Kind::SlashCommands,
                "interactive" => Kind::Interactive,
                other => Kind::Other(other.to_owned()),
            },
            payload: raw.payload,
            accepts_response_payload: raw.accepts_response_payload,
            retry_attempt: raw.retry_attempt.unwrap_or(0),
        }),
        (kind, None) => Frame::Other(kind.to_owned()),
    })
}

/// The acknowledgement of `envelope_id`, carrying `payload` if there is one.
pub fn ack(envelope_id: &str, payload: Option<Value>) -> String {
    match payload {
        Some(payload) => json!({ "envelope_id": envelope_id, "payload": payload }),
        None => json!({ "envelope_id": envelope_id }),
    }
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(path: &str) -> String {
        std::fs::read_to_string(format!(
            "{}/tests/fixtures/slack/{path}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    }

    #[test]
    fn the_real_envelopes_parse_with_their_kind_and_payload() {
        let Frame::Envelope(e) =
            parse(&fixture("commands/socket_mode.slash_commands.json")).unwrap()
        else {
            panic!("an envelope")
        };
        assert_eq!(e.id, "1d3c79ab-0ffb-41f3-a080-d19e85f53649");
        assert_eq!(e.kind, Kind::SlashCommands);
        assert!(e.accepts_response_payload);
        assert_eq!(e.payload["command"], "/hello-socket-mode");

        let Frame::Envelope(e) = parse(&fixture(
            "interactions/socket_mode.interactive.shortcut.json",
        ))
        .unwrap() else {
            panic!("an envelope")
        };
        assert_eq!(e.kind, Kind::Interactive);
        assert!(!e.accepts_response_payload);
        assert_eq!(e.payload["callback_id"], "do-something");

        for name in [
            "events/socket_mode.events_api.app_mention.json",
            "events/socket_mode.events_api.message.json",
        ] {
            let Frame::Envelope(e) = parse(&fixture(name)).unwrap() else {
                panic!("an envelope: {name}")
            };
            assert_eq!(e.kind, Kind::EventsApi);
            assert_eq!(e.retry_attempt, 0);
            assert_eq!(e.payload["event_id"], "Ev111");
        }
    }

    #[test]
    fn hello_and_disconnect_are_told_apart_from_envelopes() {
        let hello = r#"{"type":"hello","num_connections":1,"debug_info":{"host":"applink-1"},"connection_info":{"app_id":"A111"}}"#;
        assert_eq!(parse(hello).unwrap(), Frame::Hello);
        let bye = r#"{"type":"disconnect","reason":"refresh_requested","debug_info":{"host":"applink-1"}}"#;
        assert_eq!(
            parse(bye).unwrap(),
            Frame::Disconnect {
                reason: "refresh_requested".into()
            }
        );
        assert_eq!(
            parse(r#"{"type":"surprise"}"#).unwrap(),
            Frame::Other("surprise".into())
        );
        let Frame::Envelope(e) =
            parse(r#"{"type":"future_kind","envelope_id":"e1","retry_attempt":2}"#).unwrap()
        else {
            panic!("an envelope")
        };
        assert_eq!(e.kind, Kind::Other("future_kind".into()));
        assert_eq!(e.retry_attempt, 2);
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(parse("not json").is_err());
        assert!(parse(r#"{"envelope_id":"e1"}"#).is_err(), "no type");
        assert!(parse("[]").is_err());
    }

    #[test]
    fn an_ack_names_the_envelope_and_carries_the_payload_only_when_given() {
        let plain: Value = serde_json::from_str(&ack("e1", None)).unwrap();
        assert_eq!(plain, json!({"envelope_id": "e1"}));
        let with: Value = serde_json::from_str(&ack(
            "e2",
            Some(json!({"response_action": "errors", "errors": {"story": "Tell us more"}})),
        ))
        .unwrap();
        assert_eq!(with["envelope_id"], "e2");
        assert_eq!(with["payload"]["response_action"], "errors");
    }
}
