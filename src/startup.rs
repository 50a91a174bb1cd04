//! Building and running the application from its parts.
//!
//! [`Application::build`] opens and migrates the database, seeds the
//! organization from the settings, and binds the listener (port 0 picks a
//! free port, which tests use); [`Application::run_until_stopped`] serves
//! HTTP and runs the delivery worker (and, with an app token, the Socket
//! Mode connection) until the shutdown future resolves, then lets in-flight
//! requests and sends finish.

use crate::app::AppContext;
use crate::clock::SharedClock;
use crate::config::Settings;
use crate::delivery::Worker;
use crate::housekeeping::Housekeeper;
use crate::http::{self, AppState};
use crate::scheduler::{Scheduler, schedules};
use crate::slack::client::{SlackTransport, build_client};
use crate::slack::socket_mode::SocketMode;
use crate::store::{self, Store};
use anyhow::Context;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

pub struct Application {
    listener: TcpListener,
    state: AppState,
    /// Routes served next to the bot's own (the playground's); `serve` has none.
    extra_routes: Option<axum::Router>,
    worker: Option<Arc<Worker>>,
    scheduler: Option<Scheduler>,
    housekeeper: Housekeeper,
    socket_mode: Option<SocketMode>,
}

/// Opens the database, applies migrations and seeds the organization.
pub async fn prepare_store(
    settings: &Settings,
    clock: &SharedClock,
) -> anyhow::Result<(Store, AppContext)> {
    let store = Store::connect(&settings.database_url)
        .await
        .with_context(|| format!("cannot open the database at {}", settings.database_url))?;
    store
        .migrate()
        .await
        .context("cannot apply database migrations")?;
    let (org, pillars, teams, now) = (
        settings.org.clone(),
        settings.pillars.clone(),
        settings.teams.clone(),
        clock.now(),
    );
    store
        .write(move |conn| {
            Box::pin(async move { store::org::seed(conn, &org, &pillars, &teams, now).await })
        })
        .await
        .context("cannot seed the organization from the config file")?;
    let mut conn = store
        .reads()
        .acquire()
        .await
        .context("cannot read the database")?;
    let directory = store::org::load(&mut conn)
        .await?
        .context("the organization is missing after seeding")?;
    drop(conn);
    let ctx = AppContext::new(store.clone(), clock.clone(), directory);
    if let Some((at, reason)) = store::data_rights::stopped(store.reads()).await? {
        tracing::warn!(%at, %reason, "delivery is stopped: Slack said the app lost its token");
        ctx.set_delivery_stopped(true);
    }
    Ok((store, ctx))
}

impl Application {
    pub async fn build(settings: &Settings, clock: SharedClock) -> anyhow::Result<Self> {
        Self::build_with(settings, clock, None).await
    }

    /// Like [`Application::build`], on a listener bound beforehand (the
    /// playground binds first so that its Web API URL, on the same port,
    /// can be put in the settings).
    pub async fn build_with(
        settings: &Settings,
        clock: SharedClock,
        listener: Option<TcpListener>,
    ) -> anyhow::Result<Self> {
        let secret = settings.serve_signing_secret()?.cloned();
        if secret.is_none() {
            tracing::info!(
                "SLACK_SIGNING_SECRET is not set: Socket Mode only, /slack/* over HTTP refuses every request"
            );
        }
        let (_store, ctx) = prepare_store(settings, &clock).await?;
        // One Web API client serves delivery, the token check and Socket Mode.
        let client = if settings.slack.bot_token.is_some() || settings.slack.app_token.is_some() {
            Some(build_client(&settings.slack.api_url).context("cannot set up the Slack client")?)
        } else {
            None
        };
        let transport = match (&settings.slack.bot_token, &client) {
            (Some(token), Some(client)) => Some(Arc::new(SlackTransport::new(
                client.clone(),
                token,
                ctx.clone(),
            ))),
            _ => {
                tracing::warn!(
                    "SLACK_BOT_TOKEN is not set: requests are answered and stored, but nothing is sent to Slack until it is"
                );
                None
            }
        };
        let worker = transport.clone().map(|transport| {
            Arc::new(Worker::new(
                ctx.clone(),
                transport,
                settings.delivery.clone(),
            ))
        });
        let housekeeper = Housekeeper::new(ctx.clone(), settings.data.clone(), transport);
        let scheduler = if settings.scheduler {
            Some(Scheduler::new(
                ctx.clone(),
                schedules(settings)?,
                settings.schedule.holidays.clone(),
            ))
        } else {
            tracing::info!("the scheduler is off: no monthly nudges or digests from this instance");
            None
        };
        let socket_mode =
            settings
                .slack
                .app_token
                .as_ref()
                .zip(client)
                .map(|(app_token, client)| {
                    SocketMode::new(client, app_token, settings.socket_mode.clone())
                });
        let listener = match listener {
            Some(listener) => listener,
            None => TcpListener::bind(settings.listen)
                .await
                .with_context(|| format!("cannot listen on {}", settings.listen))?,
        };
        Ok(Self {
            listener,
            state: AppState {
                ctx,
                signing_secret: secret.map(Arc::new),
            },
            worker,
            scheduler,
            housekeeper,
            socket_mode,
            extra_routes: None,
        })
    }

    /// Serves `routes` on the same listener as the bot's own routes.
    pub fn with_routes(mut self, routes: axum::Router) -> Self {
        self.extra_routes = Some(routes);
        self
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    pub fn context(&self) -> &AppContext {
        &self.state.ctx
    }

    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let stop = CancellationToken::new();
        tracing::info!(address = %self.local_addr(), "alignbot is listening");
        let worker = self.worker.map(|w| tokio::spawn(w.run(stop.clone())));
        let scheduler = self.scheduler.map(|s| tokio::spawn(s.run(stop.clone())));
        let housekeeper = tokio::spawn(self.housekeeper.run(stop.clone()));
        // Socket Mode stops taking envelopes as soon as shutdown begins,
        // like the HTTP listener.
        let stop_socket = CancellationToken::new();
        let socket_mode = match self.socket_mode {
            Some(socket_mode) => {
                tracing::info!(
                    "Socket Mode: Slack's requests arrive over a WebSocket (SLACK_APP_TOKEN is set); /slack/* over HTTP still requires a signature"
                );
                let router = http::router(self.state.clone());
                Some(tokio::spawn(socket_mode.run(router, stop_socket.clone())))
            }
            None => {
                tracing::info!("HTTP mode: Slack's requests arrive at /slack/* on this listener");
                None
            }
        };
        let stop_serving = stop.clone();
        let stop_socket_now = stop_socket.clone();
        let mut router = http::router(self.state);
        if let Some(extra) = self.extra_routes {
            router = router.merge(extra);
        }
        axum::serve(self.listener, router)
            .with_graceful_shutdown(async move {
                tokio::select! {
                    _ = shutdown => {}
                    _ = stop_serving.cancelled() => {}
                }
                stop_socket_now.cancel();
                tracing::info!("shutting down: finishing requests in flight");
            })
            .await
            .context("the HTTP server failed")?;
        stop_socket.cancel();
        if let Some(socket_mode) = socket_mode {
            let _ = socket_mode.await;
        }
        stop.cancel();
        if let Some(worker) = worker {
            let _ = worker.await;
        }
        if let Some(scheduler) = scheduler {
            let _ = scheduler.await;
        }
        let _ = housekeeper.await;
        tracing::info!("stopped");
        Ok(())
    }

    /// Takes the delivery worker out, so that [`Application::run_until_stopped`]
    /// does not run its loop and the caller drives it alone with
    /// [`Worker::step`] (tests do, to prove what was and was not sent).
    /// `None` without a bot token.
    pub fn take_worker(&mut self) -> Option<Arc<Worker>> {
        self.worker.take()
    }
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}
