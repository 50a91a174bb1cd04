//! Building and running the application from its parts.
//!
//! [`Application::build`] opens and migrates the database, seeds the
//! organization from the settings, and binds the listener (port 0 picks a
//! free port, which tests use); [`Application::run_until_stopped`] serves
//! HTTP and runs the delivery worker until the shutdown future resolves,
//! then lets in-flight requests and sends finish.

use crate::app::AppContext;
use crate::clock::SharedClock;
use crate::config::Settings;
use crate::delivery::Worker;
use crate::http::{self, AppState};
use crate::scheduler::{Scheduler, schedules};
use crate::slack::client::{SlackTransport, build_client};
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
        let secret = settings.require_signing_secret()?.clone();
        let (_store, ctx) = prepare_store(settings, &clock).await?;
        let worker = match &settings.slack.bot_token {
            Some(token) => {
                let client = build_client(&settings.slack.api_url)
                    .context("cannot set up the Slack client")?;
                let transport = SlackTransport::new(client, token, ctx.clone());
                Some(Arc::new(Worker::new(
                    ctx.clone(),
                    Arc::new(transport),
                    settings.delivery.clone(),
                )))
            }
            None => {
                tracing::warn!(
                    "SLACK_BOT_TOKEN is not set: requests are answered and stored, but nothing is sent to Slack until it is"
                );
                None
            }
        };
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
                signing_secret: Arc::new(secret),
            },
            worker,
            scheduler,
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
        let stop_serving = stop.clone();
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
                tracing::info!("shutting down: finishing requests in flight");
            })
            .await
            .context("the HTTP server failed")?;
        stop.cancel();
        if let Some(worker) = worker {
            let _ = worker.await;
        }
        if let Some(scheduler) = scheduler {
            let _ = scheduler.await;
        }
        tracing::info!("stopped");
        Ok(())
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
