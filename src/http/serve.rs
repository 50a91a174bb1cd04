//! The connection loop: accepting, limits and a shutdown with a deadline.
//!
//! `axum::serve` has no header-read timeout and waits for every open
//! connection on shutdown, so one client that sends half a request (or
//! nothing) holds a connection, and a SIGTERM, forever. Here each
//! connection is served by hyper's HTTP/1 builder with a header-read timer,
//! the number of open connections is capped (beyond it a new connection is
//! answered 503 at once and closed, so a flood cannot queue behind the
//! cap), and shutdown waits for requests in flight only until a deadline.
//! Per-request limits (body read, answer time) are tower layers on the
//! router (see `super::layered`).

use crate::config::ServerSettings;
use crate::metrics::Metrics;
use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

/// What a connection beyond the cap gets before it is closed: a complete
/// answer, so a load balancer sees "busy, try elsewhere" rather than a reset.
const BUSY: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain\r\ncontent-length: 5\r\nretry-after: 1\r\nconnection: close\r\n\r\nbusy\n";

/// Descriptors kept free for everything but client connections: the
/// database's files, calls to Slack, the listeners, the runtime.
const RESERVED_FDS: u64 = 128;

/// The connection cap per listener that fits under the open-file limit:
/// past the limit `accept` fails and new connections wait unanswered in
/// the kernel's queue, which is worse than a quick 503. `None` when
/// `wanted` already fits (or the limit is unknown).
pub fn fitting_cap(wanted: usize, listeners: usize, open_file_limit: Option<u64>) -> Option<usize> {
    let limit = open_file_limit?;
    let usable = limit.saturating_sub(RESERVED_FDS).max(limit / 2);
    let per_listener = usize::try_from(usable / listeners.max(1) as u64).unwrap_or(usize::MAX);
    (per_listener < wanted).then_some(per_listener.max(1))
}

/// Serves `router` on `listener` until `stop` is cancelled, then lets the
/// requests in flight finish for at most `limits.shutdown_timeout` before
/// closing what is still open. `name` tells the listeners apart in logs
/// and metrics (`public`, `admin`).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ServerSettings,
    metrics: Metrics,
    name: &'static str,
    stop: CancellationToken,
) {
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    // Warn once when the cap is reached, not once per refused connection.
    let mut saturated = false;
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    let mut connections = JoinSet::new();
    loop {
        let stream = tokio::select! {
            _ = stop.cancelled() => break,
            // Reap finished connections so the set stays the size of what is open.
            Some(_) = connections.join_next() => continue,
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => stream,
                Err(e) => {
                    // Out of file descriptors, usually: wait a moment for
                    // connections to close instead of spinning on accept.
                    tracing::warn!(listener = name, error = %e, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        let Ok(permit) = permits.clone().try_acquire_owned() else {
            metrics.connection_refused(name);
            if !std::mem::replace(&mut saturated, true) {
                tracing::warn!(
                    listener = name,
                    max_connections = limits.max_connections,
                    "connection limit reached: new connections are answered 503 until some close"
                );
            }
            // Never waits: a client that does not read gets a reset instead.
            let _ = stream.try_write(BUSY);
            continue;
        };
        saturated = false;
        let service = TowerToHyperService::new(router.clone());
        let connection = builder.serve_connection(TokioIo::new(stream), service);
        let stop = stop.clone();
        connections.spawn(async move {
            let _permit = permit;
            let mut connection = pin!(connection);
            tokio::select! {
                result = connection.as_mut() => {
                    if let Err(e) = result {
                        tracing::debug!(error = %e, "connection ended with an error");
                    }
                }
                _ = stop.cancelled() => {
                    // Answer what is in flight, then close; an idle
                    // connection closes at once.
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.await;
                }
            }
        });
    }
    drop(listener);
    let drained = tokio::time::timeout(limits.shutdown_timeout, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::warn!(
            listener = name,
            open = connections.len(),
            "shutdown deadline passed: closing connections still open"
        );
        connections.shutdown().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_fits_under_the_open_file_limit() {
        assert_eq!(fitting_cap(1024, 1, Some(65536)), None);
        assert_eq!(fitting_cap(1024, 1, None), None);
        assert_eq!(fitting_cap(1024, 1, Some(1024)), Some(896));
        assert_eq!(fitting_cap(1024, 2, Some(1024)), Some(448));
        // A tiny limit still leaves half for the rest.
        assert_eq!(fitting_cap(1024, 1, Some(200)), Some(100));
        assert_eq!(fitting_cap(1024, 1, Some(1)), Some(1));
    }
}
