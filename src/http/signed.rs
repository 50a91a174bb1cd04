//! The signature check, as an extractor every Slack handler takes first.

use super::AppState;
use super::error::{HttpError, Replayable};
use crate::app::replays::Replay;
use crate::slack::socket_mode::SocketModeTrusted;
use crate::slack::verify;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};

/// The raw body of a request whose Slack signature checked out, or that
/// came in over the Socket Mode connection (marked in-process with
/// [`SocketModeTrusted`], which no HTTP client can set).
///
/// A signed interaction is acted on once: its signature's hash is recorded
/// in the database (one INSERT, shared by every replica) before the handler
/// runs, and a copy sent again within the five-minute window is answered
/// without acting (`HttpError::Replay`). Events are not: their `event_id` is
/// recorded in the same transaction as their effects, so Slack's retry of a
/// failed event still gets handled. Slash commands take [`SignedCommand`].
pub struct SignedBody(pub Bytes);

impl FromRequest<AppState> for SignedBody {
    type Rejection = HttpError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (body, replay) = verified(req, state).await?;
        if let Some((kind, replay)) = replay
            && !replay.claim(&state.ctx).await.map_err(HttpError::App)?
        {
            return Err(HttpError::Replay(kind));
        }
        Ok(SignedBody(body))
    }
}

/// A slash command's verified body with its replay entry, not written yet:
/// the handler writes it in the transaction of what the command does (a
/// shared moment's), or claims it before acting (see `commands::handle`).
/// `None` for a command that came over Socket Mode (not replayable).
pub struct SignedCommand(pub Bytes, pub Option<Replay>);

impl FromRequest<AppState> for SignedCommand {
    type Rejection = HttpError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (body, replay) = verified(req, state).await?;
        Ok(SignedCommand(body, replay.map(|(_, replay)| replay)))
    }
}

/// The raw body once its signature checked out, with what the replay memory
/// must keep of it (for commands and interactions).
async fn verified(
    req: Request,
    state: &AppState,
) -> Result<(Bytes, Option<(Replayable, Replay)>), HttpError> {
    let trusted = req.extensions().get::<SocketModeTrusted>().is_some();
    let kind = match req.uri().path() {
        "/slack/commands" => Some(Replayable::Command),
        "/slack/interactions" => Some(Replayable::Interaction),
        _ => None,
    };
    let timestamp = header(&req, "x-slack-request-timestamp");
    let signature = header(&req, "x-slack-signature");
    let body = Bytes::from_request(req, state).await.map_err(|e| {
        if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            HttpError::TooLarge
        } else {
            HttpError::BadRequest(e.body_text())
        }
    })?;
    if trusted {
        return Ok((body, None));
    }
    verify::verify(
        state
            .signing_secret
            .as_deref()
            .ok_or(verify::VerifyError::NoSecret)?,
        timestamp.as_deref(),
        signature.as_deref(),
        &body,
        state.ctx.clock.now(),
    )?;
    if let (Some(kind), Some(signature), Some(timestamp)) = (kind, signature, timestamp) {
        let key = verify::replay_key(&signature);
        let until = verify::replay_expiry(&timestamp).ok_or(verify::VerifyError::Malformed)?;
        return Ok((body, Some((kind, Replay::new(key, until)))));
    }
    Ok((body, None))
}

fn header(req: &Request, name: &str) -> Option<String> {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}
