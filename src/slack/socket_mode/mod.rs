//! Socket Mode: Slack's requests over a WebSocket we open, so `serve`
//! needs no public URL.
//!
//! With an app-level token (`SLACK_APP_TOKEN`, `xapp-…`) we ask
//! `apps.connections.open` (at `SLACK_API_URL`) for a WebSocket URL, connect,
//! and answer each envelope through the same axum router that serves HTTP
//! (`dispatch`), each on its own task so a slow one never holds up
//! another's ack. When Slack asks for a new connection (`disconnect`), the
//! socket closes or breaks, or the connection cannot be opened, we open a
//! new one, waiting with exponential backoff and jitter between failures.
//!
//! The WebSocket is driven here with tokio-tungstenite rather than
//! slack-morphism's listener: that one hands typed events to callbacks (a
//! lossy round trip into our handlers, which read the raw payloads) and
//! does not let tests shorten its reconnect waits.

mod backoff;
mod dispatch;
mod envelope;

use crate::config::SocketModeSettings;
use axum::Router;
use backoff::Backoff;
use envelope::Frame;
use futures_util::{SinkExt, StreamExt};
use secrecy::{ExposeSecret, SecretString};
use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::*;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::task::JoinSet;
use tokio::time::{Instant, timeout};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use tokio_util::sync::CancellationToken;

/// Marks a request as coming from the Socket Mode connection, which the app
/// token authenticated, so [`crate::http`] accepts it without a signature.
/// It is a request extension: set in-process only, never from the network.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SocketModeTrusted;

/// Opening the connection (the Web API call, then the handshake).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);
/// How long a closing connection waits for envelopes in flight, so their
/// acks can still go out (Slack allows three seconds).
const DRAIN_TIMEOUT: Duration = Duration::from_secs(3);
/// Slack's largest payloads are far below this.
const MAX_MESSAGE: usize = 1024 * 1024;

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

#[derive(Debug, thiserror::Error)]
enum ConnectError {
    #[error("apps.connections.open failed: {0}")]
    Open(#[from] SlackClientError),
    #[error("the WebSocket did not open: {0}")]
    Socket(#[from] tokio_tungstenite::tungstenite::Error),
    #[error("no answer within {0:?}")]
    Timeout(Duration),
}

/// Why a connection ended.
enum Ended {
    /// The app is shutting down.
    Stopped,
    /// Slack asked us to reconnect (`warning`, `refresh_requested`).
    Refresh(String),
    /// Socket Mode was turned off for the app in Slack.
    LinkDisabled,
    /// The connection could not be opened, or broke.
    Failed(String),
}

/// The Socket Mode client. [`SocketMode::run`] keeps a connection open
/// until the stop token is cancelled.
pub struct SocketMode {
    client: Arc<SlackHyperClient>,
    token: SlackApiToken,
    settings: SocketModeSettings,
}

impl SocketMode {
    pub fn new(
        client: Arc<SlackHyperClient>,
        app_token: &SecretString,
        settings: SocketModeSettings,
    ) -> Self {
        Self {
            client,
            token: SlackApiToken::new(app_token.expose_secret().into()),
            settings,
        }
    }

    /// Connects and answers envelopes through `router` until `stop`.
    pub async fn run(self, router: Router, stop: CancellationToken) {
        let mut backoff = Backoff::new(self.settings.initial_backoff, self.settings.max_backoff);
        loop {
            let opened = tokio::select! {
                opened = self.open() => opened,
                _ = stop.cancelled() => break,
            };
            let ended = match opened {
                Ok((socket, host)) => {
                    tracing::debug!(host, "Socket Mode: socket open, waiting for hello");
                    self.session(socket, &router, &stop, &mut backoff).await
                }
                Err(e) => Ended::Failed(e.to_string()),
            };
            let delay = match ended {
                Ended::Stopped => break,
                Ended::Refresh(reason) => {
                    tracing::info!(reason, "Socket Mode: Slack asked for a new connection");
                    // Right away after a healthy connection; a connection
                    // that never said hello counts as a failure.
                    if backoff.is_fresh() {
                        Duration::ZERO
                    } else {
                        backoff.next()
                    }
                }
                Ended::LinkDisabled => {
                    backoff.exhaust();
                    let delay = backoff.next();
                    tracing::error!(
                        retry_in_ms = delay.as_millis() as u64,
                        "Socket Mode is turned off for this Slack app (link_disabled): turn it on under Settings → Socket Mode, or unset SLACK_APP_TOKEN"
                    );
                    delay
                }
                Ended::Failed(why) => {
                    let delay = backoff.next();
                    tracing::warn!(
                        error = %why,
                        retry_in_ms = delay.as_millis() as u64,
                        "Socket Mode: connection to Slack lost or refused; reconnecting"
                    );
                    delay
                }
            };
            tokio::select! {
                _ = tokio::time::sleep(delay) => {}
                _ = stop.cancelled() => break,
            }
        }
        tracing::info!("Socket Mode stopped");
    }

    /// Asks Slack for a WebSocket URL and connects to it. Only the host is
    /// ever logged: the URL's query carries a connection ticket.
    async fn open(&self) -> Result<(Socket, String), ConnectError> {
        let session = self.client.open_session(&self.token);
        let opened = timeout(
            CONNECT_TIMEOUT,
            session.apps_connections_open(&SlackApiAppsConnectionOpenRequest::new()),
        )
        .await
        .map_err(|_| ConnectError::Timeout(CONNECT_TIMEOUT))??;
        let url = opened.url.0;
        let host = url.host_str().unwrap_or_default().to_owned();
        let config = WebSocketConfig::default().max_message_size(Some(MAX_MESSAGE));
        let (socket, _) = timeout(
            CONNECT_TIMEOUT,
            tokio_tungstenite::connect_async_with_config(url.as_str(), Some(config), true),
        )
        .await
        .map_err(|_| ConnectError::Timeout(CONNECT_TIMEOUT))??;
        Ok((socket, host))
    }

    /// Serves one connection until it ends, then lets envelopes in flight
    /// finish and sends their acks if the socket still takes them.
    async fn session(
        &self,
        mut socket: Socket,
        router: &Router,
        stop: &CancellationToken,
        backoff: &mut Backoff,
    ) -> Ended {
        let mut in_flight: JoinSet<Option<String>> = JoinSet::new();
        let every = self.settings.ping_interval;
        let mut ping = tokio::time::interval_at(Instant::now() + every, every);
        let mut heard = Instant::now();
        let ended = loop {
            tokio::select! {
                _ = stop.cancelled() => break Ended::Stopped,
                Some(done) = in_flight.join_next() => {
                    if let Some(ack) = finished(done)
                        && let Err(e) = socket.send(Message::text(ack)).await
                    {
                        break Ended::Failed(format!("cannot send an ack: {e}"));
                    }
                }
                _ = ping.tick() => {
                    if heard.elapsed() > 2 * every {
                        break Ended::Failed("nothing heard from Slack, not even a pong".into());
                    }
                    if let Err(e) = socket.send(Message::Ping(Default::default())).await {
                        break Ended::Failed(format!("cannot send a ping: {e}"));
                    }
                }
                frame = socket.next() => {
                    heard = Instant::now();
                    let text = match frame {
                        None => break Ended::Failed("the socket closed".into()),
                        Some(Err(e)) => break Ended::Failed(e.to_string()),
                        Some(Ok(Message::Close(_))) => break Ended::Failed("Slack closed the socket".into()),
                        Some(Ok(Message::Text(text))) => text,
                        // Pings are answered by tungstenite itself.
                        Some(Ok(_)) => continue,
                    };
                    match envelope::parse(&text) {
                        Ok(Frame::Hello) => {
                            backoff.reset();
                            tracing::info!("Socket Mode connected: Slack's requests arrive over the WebSocket");
                        }
                        Ok(Frame::Disconnect { reason }) if reason == "link_disabled" => {
                            break Ended::LinkDisabled;
                        }
                        Ok(Frame::Disconnect { reason }) => break Ended::Refresh(reason),
                        Ok(Frame::Envelope(envelope)) => {
                            tracing::debug!(
                                kind = envelope.kind.as_str(),
                                retry_attempt = envelope.retry_attempt,
                                "envelope received"
                            );
                            in_flight.spawn(dispatch::answer(router.clone(), envelope));
                        }
                        Ok(Frame::Other(kind)) => tracing::debug!(kind, "Socket Mode frame ignored"),
                        Err(e) => tracing::warn!(error = %e, "unreadable Socket Mode frame ignored"),
                    }
                }
            }
        };
        let drain = async {
            while let Some(done) = in_flight.join_next().await {
                if let Some(ack) = finished(done) {
                    let _ = socket.send(Message::text(ack)).await;
                }
            }
        };
        if timeout(DRAIN_TIMEOUT, drain).await.is_err() {
            // Let them finish on their own; dropping the set would abort them.
            in_flight.detach_all();
        }
        let _ = timeout(Duration::from_secs(1), socket.close(None)).await;
        ended
    }
}

/// The ack of a finished envelope task, if it has one.
fn finished(done: Result<Option<String>, tokio::task::JoinError>) -> Option<String> {
    done.unwrap_or_else(|e| {
        tracing::error!(error = %e, "an envelope handler panicked");
        None
    })
}
