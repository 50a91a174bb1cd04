//! The HTTP surface: Slack's three request URLs, and health, readiness and
//! metrics for operators, optionally on a listener of their own.
//!
//! Every `/slack/*` request passes `signed::SignedBody` (or, for slash
//! commands, `signed::SignedCommand`) first: the raw body
//! is read (bounded by [`MAX_BODY`]) and its signature checked before any
//! parsing, so an unsigned request is answered 401 and touches nothing.
//! Every request gets an id ([`request_id`]) and, on a listener, that
//! listener's per-request limits; [`serve`] runs the connections.

mod align;
mod commands;
pub mod error;
mod events;
mod goals;
mod interactions;
mod ops;
mod priorities;
pub mod request_id;
pub mod serve;
mod signed;
mod team_update;
mod teams;
mod which_team;

use crate::app::AppContext;
use crate::config::ServerSettings;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::middleware;
use axum::routing::{get, post};
use secrecy::SecretString;
use std::sync::Arc;
use tower_http::timeout::{RequestBodyTimeoutLayer, TimeoutLayer};

/// Slack's largest payloads (view submissions with big forms) stay far below this.
pub const MAX_BODY: usize = 256 * 1024;

#[derive(Clone)]
pub struct AppState {
    pub ctx: AppContext,
    /// `None` only in Socket Mode without a secret: HTTP requests are then all refused.
    pub signing_secret: Option<Arc<SecretString>>,
    /// Our Slack ids: events for another app or workspace are ignored.
    pub identity: Arc<crate::slack::identity::Identity>,
    /// Microsoft Teams' inbound side, when Teams is configured.
    pub teams: Option<Arc<crate::teams::inbound::Inbound>>,
}

/// Which of the operator's endpoints a router serves next to Slack's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ops {
    /// `/healthz`, `/readyz` and `/metrics`: one listener for everything.
    All,
    /// Only `/healthz`: readiness and metrics are on the admin listener.
    HealthOnly,
}

/// Slack's routes and all of the operator's: the router Socket Mode sends
/// its envelopes through, and the public listener's when there is no admin
/// listener. It has no listener limits: Socket Mode answers within Slack's
/// own deadline.
pub fn router(state: AppState) -> Router {
    public_router(state, Ops::All, None, None)
}

/// The public listener's routes; `extra` (the playground's) are served
/// next to them, with the same request ids, limits and metrics.
pub fn public_router(
    state: AppState,
    ops: Ops,
    extra: Option<Router>,
    limits: Option<&ServerSettings>,
) -> Router {
    let slack = Router::new()
        .route("/slack/commands", post(commands::handle))
        .route("/slack/events", post(events::handle))
        .route("/slack/interactions", post(interactions::handle))
        .layer(DefaultBodyLimit::max(MAX_BODY));
    let mut router = Router::new().route("/healthz", get(ops::healthz));
    if ops == Ops::All {
        router = router
            .route("/readyz", get(ops::readyz))
            .route("/metrics", get(ops::metrics));
    }
    let mut router = router.merge(slack);
    if state.teams.is_some() {
        router = router.route(
            "/api/messages",
            post(teams::handle).layer(DefaultBodyLimit::max(MAX_BODY)),
        );
    }
    let mut router = router.with_state(state.clone());
    if let Some(extra) = extra {
        router = router.merge(extra);
    }
    layered(router, state, limits)
}

/// The admin listener's routes: liveness, readiness and metrics only.
pub fn admin_router(state: AppState, limits: &ServerSettings) -> Router {
    let router = Router::new()
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .with_state(state.clone());
    layered(router, state, Some(limits))
}

/// From the outside in: the request's id and span, the count and latency
/// of every answer, then the listener's per-request limits. A body that
/// has not arrived within `body_read_timeout` fails to read (the handler
/// answers 400), and a request not answered within `request_timeout` is
/// answered 503: its handler is dropped, though a write it already handed
/// to the store may still commit (Slack has given up after 3 s anyway).
fn layered(mut router: Router, state: AppState, limits: Option<&ServerSettings>) -> Router {
    if let Some(limits) = limits {
        router = router
            .layer(RequestBodyTimeoutLayer::new(limits.body_read_timeout))
            .layer(TimeoutLayer::with_status_code(
                StatusCode::SERVICE_UNAVAILABLE,
                limits.request_timeout,
            ));
    }
    router
        .layer(middleware::from_fn_with_state(state, ops::measure))
        .layer(middleware::from_fn(request_id::layer))
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
