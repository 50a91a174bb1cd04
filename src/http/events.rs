//! `POST /slack/events`: the Events API.
//!
//! An event whose origin is not ours (another app, another workspace) is
//! answered 200 so Slack does not retry it, and otherwise ignored: nothing
//! is stored and nothing is sent.

use super::error::HttpError;
use super::signed::SignedBody;
use super::{AppState, record_request};
use crate::app::events::{self, EventOutcome};
use crate::slack::event::{self as slack_event, Envelope};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

pub async fn handle(
    State(state): State<AppState>,
    SignedBody(body): SignedBody,
) -> Result<Response, HttpError> {
    let envelope = slack_event::parse(&body)
        .map_err(|e| HttpError::BadRequest(format!("not an Events API body: {e}")))?;
    match envelope {
        Envelope::UrlVerification { challenge } => {
            record_request(None, None, "url_verification");
            Ok(Json(serde_json::json!({ "challenge": challenge })).into_response())
        }
        Envelope::Callback {
            event_id,
            event_type,
            event,
            origin,
        } => {
            record_request(origin.team_id.as_deref(), None, &event_type);
            let identity = &state.identity;
            identity.learn_later_if_due(state.ctx.delivery_stopped());
            if identity.admits(&origin).is_err() {
                return Ok(StatusCode::OK.into_response());
            }
            // A store failure becomes a 500 so Slack retries; the event id is
            // only recorded together with the effects, so the retry is handled.
            let outcome = events::handle(&state.ctx, event_id, event_type, event).await?;
            if outcome == EventOutcome::Duplicate {
                tracing::debug!("duplicate event delivery ignored");
            }
            Ok(StatusCode::OK.into_response())
        }
        Envelope::Other(kind) => {
            record_request(None, None, &kind);
            Ok(StatusCode::OK.into_response())
        }
    }
}
