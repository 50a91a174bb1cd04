//! The signature check, as an extractor every Slack handler takes first.

use super::AppState;
use super::error::HttpError;
use crate::slack::socket_mode::SocketModeTrusted;
use crate::slack::verify;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};

/// The raw body of a request whose Slack signature checked out, or that
/// came in over the Socket Mode connection (marked in-process with
/// [`SocketModeTrusted`], which no HTTP client can set).
pub struct SignedBody(pub Bytes);

impl FromRequest<AppState> for SignedBody {
    type Rejection = HttpError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let trusted = req.extensions().get::<SocketModeTrusted>().is_some();
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
            return Ok(SignedBody(body));
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
        Ok(SignedBody(body))
    }
}

fn header(req: &Request, name: &str) -> Option<String> {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}
