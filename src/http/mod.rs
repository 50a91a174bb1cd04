//! The HTTP surface: Slack's three request URLs, and health, readiness and
//! metrics for operators.
//!
//! Every `/slack/*` request passes `signed::SignedBody` first: the raw body
//! is read (bounded by [`MAX_BODY`]) and its signature checked before any
//! parsing, so an unsigned request is answered 401 and touches nothing.

mod align;
mod commands;
pub mod error;
mod events;
mod goals;
mod interactions;
mod ops;
mod priorities;
mod signed;

use crate::app::AppContext;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use secrecy::SecretString;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tracing::Instrument;

/// Slack's largest payloads (view submissions with big forms) stay far below this.
pub const MAX_BODY: usize = 256 * 1024;

#[derive(Clone)]
pub struct AppState {
    pub ctx: AppContext,
    /// `None` only in Socket Mode without a secret: HTTP requests are then all refused.
    pub signing_secret: Option<Arc<SecretString>>,
    /// Our Slack ids: events for another app or workspace are ignored.
    pub identity: Arc<crate::slack::identity::Identity>,
}

pub fn router(state: AppState) -> Router {
    let slack = Router::new()
        .route("/slack/commands", post(commands::handle))
        .route("/slack/events", post(events::handle))
        .route("/slack/interactions", post(interactions::handle))
        .layer(middleware::from_fn(trace_request))
        .layer(DefaultBodyLimit::max(MAX_BODY));
    Router::new()
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .merge(slack)
        .layer(middleware::from_fn_with_state(state.clone(), ops::measure))
        .with_state(state)
}

static NEXT_REQUEST: AtomicU64 = AtomicU64::new(1);

/// One span per Slack request. Handlers fill in team, user and kind once
/// the body is verified and parsed.
async fn trace_request(req: Request, next: Next) -> Response {
    let id = NEXT_REQUEST.fetch_add(1, Ordering::Relaxed);
    let span = tracing::info_span!(
        "slack_request",
        request_id = id,
        path = %req.uri().path(),
        team = tracing::field::Empty,
        user = tracing::field::Empty,
        kind = tracing::field::Empty,
        status = tracing::field::Empty,
    );
    async move {
        let response = next.run(req).await;
        tracing::Span::current().record("status", response.status().as_u16());
        tracing::debug!("answered");
        response
    }
    .instrument(span)
    .await
}

/// Records who and what a request is about on the current request span.
pub(crate) fn record_request(team: Option<&str>, user: Option<&str>, kind: &str) {
    let span = tracing::Span::current();
    if let Some(team) = team {
        span.record("team", team);
    }
    if let Some(user) = user {
        span.record("user", user);
    }
    span.record("kind", kind);
}
