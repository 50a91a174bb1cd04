//! The one place where errors become HTTP responses.
//!
//! - A request that fails the signature check: 401, empty body, nothing done.
//! - A signed command or interaction sent again (a replay): 200 and nothing
//!   done; a command's says so.
//! - A body that is not what Slack sends: 400 with a short reason.
//! - A refusal the person should read (`AppError` other than `Store`): HTTP
//!   200 with the message, because Slack only shows the body of a 200.
//! - A failure of ours: logged with its cause; the person gets an apology
//!   that says nothing was saved. On the Events API it is a 500 instead, so
//!   Slack retries (the event id dedupe makes that safe).

use crate::app::AppError;
use crate::slack::render::reply;
use crate::slack::verify::VerifyError;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

pub const APOLOGY: &str =
    "Sorry, something went wrong on our side and nothing was saved. Please try again in a minute.";

#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error("request signature rejected: {0}")]
    Unauthorized(#[from] VerifyError),
    #[error("request body is too large")]
    TooLarge,
    #[error("malformed request: {0}")]
    BadRequest(String),
    #[error(transparent)]
    App(#[from] AppError),
    /// A `POST /api/messages` that is not a verified Teams activity.
    #[error(transparent)]
    Teams(#[from] crate::teams::inbound::Refused),
    #[error("a signed request was sent again")]
    Replay(Replayable),
}

/// Which kind of request was replayed (each is answered as Slack expects).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replayable {
    Command,
    Interaction,
}

/// What a replayed command shows (the first copy was answered already).
pub const REPLAYED: &str = "This request reached alignbot twice; it was handled the first time and nothing was done again.";

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        match self {
            HttpError::Unauthorized(why) => {
                tracing::warn!(reason = %why, "rejected an unsigned or badly signed request");
                StatusCode::UNAUTHORIZED.into_response()
            }
            HttpError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE.into_response(),
            HttpError::Teams(crate::teams::inbound::Refused::Auth(why)) if why.is_unavailable() => {
                tracing::error!(reason = %why, "cannot check a Teams activity's token now");
                StatusCode::SERVICE_UNAVAILABLE.into_response()
            }
            HttpError::Teams(crate::teams::inbound::Refused::Auth(why)) => {
                tracing::warn!(reason = %why, "rejected a Teams activity");
                StatusCode::UNAUTHORIZED.into_response()
            }
            HttpError::Teams(why) => {
                tracing::warn!(reason = %why, "malformed Teams activity");
                StatusCode::BAD_REQUEST.into_response()
            }
            HttpError::Replay(kind) => {
                tracing::warn!(kind = ?kind, "a signed request was replayed; not acted on again");
                match kind {
                    Replayable::Command => {
                        (StatusCode::OK, Json(reply::ephemeral(REPLAYED))).into_response()
                    }
                    // An empty 200 closes a modal and changes nothing.
                    Replayable::Interaction => StatusCode::OK.into_response(),
                }
            }
            HttpError::BadRequest(why) => {
                tracing::warn!(reason = %why, "malformed request");
                (StatusCode::BAD_REQUEST, why).into_response()
            }
            HttpError::App(e) if e.is_for_person() => {
                (StatusCode::OK, Json(reply::problem(&e.to_string()))).into_response()
            }
            HttpError::App(e) => {
                tracing::error!(error = %e, "request failed");
                (StatusCode::INTERNAL_SERVER_ERROR, APOLOGY).into_response()
            }
        }
    }
}

/// A slash command's failure, as the ephemeral reply Slack shows.
pub fn command_failure(e: AppError) -> Response {
    let text = person_message(&e);
    (StatusCode::OK, Json(reply::problem(&text))).into_response()
}

/// What to tell a person about `e` (logging internal failures).
pub fn person_message(e: &AppError) -> String {
    if e.is_for_person() {
        e.to_string()
    } else {
        tracing::error!(error = %e, "request failed");
        APOLOGY.to_owned()
    }
}
