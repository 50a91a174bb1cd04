//! The signature check, as an extractor every Slack handler takes first.

use super::AppState;
use super::error::HttpError;
use crate::slack::verify;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};

/// The raw body of a request whose Slack signature checked out.
pub struct SignedBody(pub Bytes);

impl FromRequest<AppState> for SignedBody {
    type Rejection = HttpError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let timestamp = header(&req, "x-slack-request-timestamp");
        let signature = header(&req, "x-slack-signature");
        let body = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                HttpError::TooLarge
            } else {
                HttpError::BadRequest(e.body_text())
            }
        })?;
        verify::verify(
            &state.signing_secret,
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
