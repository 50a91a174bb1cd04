//! The operator's endpoints: liveness, readiness and metrics.
//!
//! They carry no Slack signature and reveal nothing personal: counts,
//! durations and whether the database answers.

use super::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::time::Instant;

/// `GET /healthz`: the process is up.
pub async fn healthz() -> &'static str {
    "ok"
}

/// `GET /readyz`: the database answers and every migration this build
/// knows is applied, so a load balancer only sends traffic to an instance
/// that can store what it accepts.
pub async fn readyz(State(state): State<AppState>) -> Response {
    match state.ctx.store.readiness().await {
        Ok(()) => (StatusCode::OK, "ready").into_response(),
        Err(why) => {
            tracing::warn!(reason = %why, "not ready");
            (StatusCode::SERVICE_UNAVAILABLE, format!("not ready: {why}")).into_response()
        }
    }
}

/// `GET /metrics`: Prometheus text format. The outbox gauges are read from
/// the database at scrape time, so they are right even on a replica whose
/// own worker sent nothing.
pub async fn metrics(State(state): State<AppState>) -> Response {
    let ctx = &state.ctx;
    let now = ctx.clock.now();
    match crate::store::outbox::depth(ctx.store.reads()).await {
        Ok(depth) => ctx.metrics.outbox(
            depth.pending,
            depth.failed,
            depth.oldest_pending.map(|at| now - at),
        ),
        Err(e) => tracing::warn!(error = %e, "cannot read the outbox for /metrics"),
    }
    ctx.metrics.delivery_stopped(ctx.delivery_stopped());
    let paused = crate::store::pause::state(ctx.store.reads()).await;
    let uninstalled = crate::store::data_rights::stopped(ctx.store.reads()).await;
    match (paused, uninstalled) {
        (Ok(paused), Ok(uninstalled)) => ctx
            .metrics
            .delivery_state(paused.is_some(), uninstalled.map(|(at, _)| at)),
        (Err(e), _) | (_, Err(e)) => {
            tracing::warn!(error = %e, "cannot read the delivery state for /metrics")
        }
    }
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        ctx.metrics.render(),
    )
        .into_response()
}

/// Counts every answered request by route pattern and status, with its
/// latency. Unknown paths are counted as `other`, so a scanner cannot grow
/// the label set.
pub async fn measure(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let endpoint = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "other".to_owned());
    let started = Instant::now();
    let response = next.run(req).await;
    state
        .ctx
        .metrics
        .http_request(&endpoint, response.status().as_u16(), started.elapsed());
    response
}
