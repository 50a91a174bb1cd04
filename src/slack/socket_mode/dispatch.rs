//! An envelope through the very same axum handlers as an HTTP request.
//!
//! Each envelope becomes the request Slack would have POSTed to our request
//! URL (a form for commands, `payload=<json>` for interactions, the JSON for
//! events), marked [`SocketModeTrusted`] in place of a signature, and is
//! answered by the router in-process. The handler's response decides the
//! ack: a 2xx is acknowledged (with its JSON body as the ack's payload when
//! Slack accepts one); anything else is left unacknowledged, just as a
//! non-2xx over HTTP, so Slack retries what it retries (events).

use super::SocketModeTrusted;
use super::envelope::{self, Envelope, Kind};
use axum::Router;
use axum::body::Body;
use axum::http::{Request, Response, header};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

const FORM: &str = "application/x-www-form-urlencoded";

/// Answers one envelope; returns the ack frame to send, if any.
pub async fn answer(router: Router, envelope: Envelope) -> Option<String> {
    let Some(request) = request(&envelope) else {
        tracing::debug!(
            kind = envelope.kind.as_str(),
            "unknown envelope acknowledged"
        );
        return Some(envelope::ack(&envelope.id, None));
    };
    let response = match router.oneshot(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    };
    let status = response.status();
    if !status.is_success() {
        tracing::warn!(
            kind = envelope.kind.as_str(),
            status = status.as_u16(),
            retry_attempt = envelope.retry_attempt,
            "envelope not acknowledged, so Slack may retry it"
        );
        return None;
    }
    let payload = if envelope.accepts_response_payload {
        json_body(response).await
    } else {
        None
    };
    Some(envelope::ack(&envelope.id, payload))
}

/// The HTTP request Slack would have sent for this envelope.
fn request(envelope: &Envelope) -> Option<Request<Body>> {
    let (path, content_type, body) = match envelope.kind {
        Kind::SlashCommands => ("/slack/commands", FORM, command_form(&envelope.payload)),
        Kind::Interactive => (
            "/slack/interactions",
            FORM,
            serde_urlencoded::to_string([("payload", envelope.payload.to_string())])
                .unwrap_or_default(),
        ),
        Kind::EventsApi => (
            "/slack/events",
            "application/json",
            envelope.payload.to_string(),
        ),
        Kind::Other(_) => return None,
    };
    let mut request = Request::post(path)
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(body))
        .expect("a static path and header make a valid request");
    request.extensions_mut().insert(SocketModeTrusted);
    Some(request)
}

/// A slash command arrives as a JSON object of the form fields Slack would
/// have POSTed; strings are sent as they are, anything else as its JSON.
fn command_form(payload: &Value) -> String {
    let fields: Vec<(&str, String)> = payload
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| {
            let value = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            (k.as_str(), value)
        })
        .collect();
    serde_urlencoded::to_string(fields).unwrap_or_default()
}

/// The response body when it is JSON (a command's reply, a view
/// submission's `response_action`); `None` for an empty 200.
async fn json_body(response: Response<Body>) -> Option<Value> {
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !is_json {
        return None;
    }
    let bytes = response.into_body().collect().await.ok()?.to_bytes();
    serde_json::from_slice(&bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn envelope(kind: Kind, payload: Value) -> Envelope {
        Envelope {
            id: "e1".into(),
            kind,
            payload,
            accepts_response_payload: true,
            retry_attempt: 0,
        }
    }

    async fn body_text(request: Request<Body>) -> String {
        let bytes = request.into_body().collect().await.unwrap().to_bytes();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    #[tokio::test]
    async fn a_slash_command_becomes_the_form_slack_would_post() {
        let req = request(&envelope(
            Kind::SlashCommands,
            json!({"command": "/moment", "text": "a & b = <c>", "user_id": "U1", "is_enterprise_install": false, "enterprise_id": null}),
        ))
        .unwrap();
        assert_eq!(req.uri(), "/slack/commands");
        assert_eq!(req.headers()[header::CONTENT_TYPE], FORM);
        assert!(req.extensions().get::<SocketModeTrusted>().is_some());
        let form: Vec<(String, String)> =
            serde_urlencoded::from_str(&body_text(req).await).unwrap();
        assert!(
            form.contains(&("text".into(), "a & b = <c>".into())),
            "{form:?}"
        );
        assert!(form.contains(&("command".into(), "/moment".into())));
        assert!(form.contains(&("is_enterprise_install".into(), "false".into())));
        assert!(
            !form.iter().any(|(k, _)| k == "enterprise_id"),
            "nulls left out"
        );
    }

    #[tokio::test]
    async fn an_interaction_becomes_a_payload_form_and_an_event_its_json() {
        let payload = json!({"type": "shortcut", "callback_id": "share_moment"});
        let req = request(&envelope(Kind::Interactive, payload.clone())).unwrap();
        assert_eq!(req.uri(), "/slack/interactions");
        let form: Vec<(String, String)> =
            serde_urlencoded::from_str(&body_text(req).await).unwrap();
        assert_eq!(form.len(), 1);
        assert_eq!(form[0].0, "payload");
        assert_eq!(serde_json::from_str::<Value>(&form[0].1).unwrap(), payload);

        let event = json!({"type": "event_callback", "event_id": "Ev1"});
        let req = request(&envelope(Kind::EventsApi, event.clone())).unwrap();
        assert_eq!(req.uri(), "/slack/events");
        assert_eq!(req.headers()[header::CONTENT_TYPE], "application/json");
        let body: Value = serde_json::from_str(&body_text(req).await).unwrap();
        assert_eq!(body, event);

        assert!(request(&envelope(Kind::Other("x".into()), json!({}))).is_none());
    }
}
