//! Building and running the application from its parts.
//!
//! [`Application::build`] opens and migrates the database, seeds the
//! organization from the settings, and binds the listeners (port 0 picks a
//! free port, which tests use); [`Application::run_until_stopped`] serves
//! HTTP and runs the delivery worker (and, with an app token, the Socket
//! Mode connection) until the shutdown future resolves, then lets in-flight
//! requests and sends finish, for at most `server.shutdown_timeout`: what
//! is still running then is dropped, and unsent messages stay in the
//! outbox for the next start.

use crate::app::AppContext;
use crate::clock::SharedClock;
use crate::config::{ServerSettings, Settings};
use crate::delivery::Worker;
use crate::housekeeping::Housekeeper;
use crate::http::{self, AppState};
use crate::scheduler::{Scheduler, schedules};
use crate::slack::client::{SlackTransport, build_client};
use crate::slack::identity::Identity;
use crate::slack::socket_mode::SocketMode;
use crate::store::{self, Store};
use anyhow::Context;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub struct Application {
    listener: TcpListener,
    /// `/healthz`, `/readyz` and `/metrics` apart from the public listener.
    admin_listener: Option<TcpListener>,
    server: ServerSettings,
    state: AppState,
    /// Routes served next to the bot's own (the playground's); `serve` has none.
    extra_routes: Option<axum::Router>,
    worker: Option<Arc<Worker>>,
    scheduler: Option<Scheduler>,
    housekeeper: Housekeeper,
    socket_mode: Option<SocketMode>,
}

/// Opens the database (SQLite or PostgreSQL, by `DATABASE_URL`), applies
/// migrations and seeds the organization.
pub async fn prepare_store(
    settings: &Settings,
    clock: &SharedClock,
) -> anyhow::Result<(Store, AppContext)> {
    let (store, ctx, _) = prepare_store_counting(settings, clock).await?;
    Ok((store, ctx))
}

/// [`prepare_store`], also saying how many migrations it applied (for
/// `alignbot migrate`).
pub async fn prepare_store_counting(
    settings: &Settings,
    clock: &SharedClock,
) -> anyhow::Result<(Store, AppContext, usize)> {
    let store = Store::connect(&settings.database_url)
        .await
        .with_context(|| format!("cannot open the database at {}", settings.database_shown()))?;
    let applied = store
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
    let ctx = AppContext::new(store.clone(), clock.clone(), directory)
        .with_years(settings.years)
        .with_privacy(settings.privacy.clone());
    // Colleagues' names learned by earlier runs, before the first story.
    ctx.refresh_known_people()
        .await
        .context("cannot read people's names")?;
    if let Some((at, reason)) = store::data_rights::stopped(store.reads()).await? {
        tracing::warn!(%at, %reason, "delivery is stopped: Slack said the app lost its token");
        ctx.set_delivery_stopped(true);
    }
    Ok((store, ctx, applied))
}

/// Teams' inbound checks and outbound transport, from its settings.
fn teams_parts(
    teams: &crate::teams::settings::TeamsSettings,
    ctx: &AppContext,
    clock: &SharedClock,
) -> anyhow::Result<(
    Arc<crate::teams::inbound::Inbound>,
    Arc<crate::teams::transport::TeamsTransport>,
)> {
    use crate::teams::settings::TeamsAuth;
    let http = crate::teams::http_client::build().context("cannot set up the Teams client")?;
    let hosts = teams.allowed_service_hosts.clone();
    let tokens = match &teams.auth {
        TeamsAuth::Credentials(credentials) => Some(crate::teams::token::ConnectorTokens::new(
            http.clone(),
            credentials,
            hosts.clone(),
            clock.clone(),
        )),
        TeamsAuth::NoAuth => {
            tracing::warn!(
                "ALIGNBOT_TEAMS_NO_AUTH=1: Teams activities are NOT authenticated (local tools only); only loopback serviceUrls are answered"
            );
            None
        }
    };
    tracing::info!("Microsoft Teams: answering Bot Framework activities at POST /api/messages");
    let inbound = crate::teams::inbound::Inbound::new(teams, http.clone(), clock.clone());
    let connector = crate::teams::connector::Connector::new(http, tokens, hosts);
    Ok((
        Arc::new(inbound),
        Arc::new(crate::teams::transport::TeamsTransport::new(
            ctx.clone(),
            connector,
        )),
    ))
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
            (Some(token), Some(client)) => {
                Some(Arc::new(SlackTransport::new(client.clone(), token)))
            }
            _ if settings.microsoft_teams.is_some() && settings.slack.signing_secret.is_none() => {
                None
            }
            _ => {
                tracing::warn!(
                    "SLACK_BOT_TOKEN is not set: requests are answered and stored, but nothing is sent to Slack until it is"
                );
                None
            }
        };
        // Events for another app or workspace are ignored. On a listener
        // bound beforehand (the playground) the Web API is this very process,
        // which cannot answer before it serves: the first event asks then.
        let identity =
            Identity::start(&settings.slack, client.clone(), &ctx, listener.is_none()).await;
        let teams = match &settings.microsoft_teams {
            Some(teams) if listener.is_none() => {
                teams.check_listener(settings.listen)?;
                Some(teams_parts(teams, &ctx, &clock)?)
            }
            Some(teams) => Some(teams_parts(teams, &ctx, &clock)?),
            None => None,
        };
        // Each outbox row goes to the platform its destination is on.
        let routed: Option<Arc<dyn crate::delivery::Transport>> =
            match (transport.clone(), teams.as_ref()) {
                (slack, Some((_, teams_out))) => Some(Arc::new(crate::teams::transport::Routing {
                    slack: slack.map(|s| s as Arc<dyn crate::delivery::Transport>),
                    teams: Some(teams_out.clone()),
                })),
                (Some(slack), None) => Some(slack),
                (None, None) => None,
            };
        let worker = routed.map(|transport| {
            Arc::new(Worker::new(
                ctx.clone(),
                transport,
                settings.delivery.clone(),
            ))
        });
        let housekeeper = Housekeeper::new(ctx.clone(), settings.data.clone(), transport)
            .learning_names(settings.scheduler);
        let scheduler = if settings.scheduler {
            Some(Scheduler::new(
                ctx.clone(),
                schedules(settings),
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
        let admin_listener =
            match settings.server.admin_listen {
                Some(address) => Some(TcpListener::bind(address).await.with_context(|| {
                    format!("cannot listen on {address} (ALIGNBOT_ADMIN_LISTEN)")
                })?),
                None => None,
            };
        let mut server = settings.server.clone();
        let listeners = 1 + usize::from(admin_listener.is_some());
        if let Some(cap) = http::serve::fitting_cap(
            server.max_connections,
            listeners,
            crate::metrics::open_file_limit(),
        ) {
            tracing::warn!(
                max_connections = server.max_connections,
                lowered_to = cap,
                open_file_limit = ?crate::metrics::open_file_limit(),
                "max_connections does not fit the open-file limit: lowered (raise the limit, e.g. LimitNOFILE=65536)"
            );
            server.max_connections = cap;
        }
        Ok(Self {
            listener,
            admin_listener,
            server,
            state: AppState {
                ctx,
                signing_secret: secret.map(Arc::new),
                identity,
                teams: teams.map(|(inbound, _)| inbound),
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

    /// The admin listener's address, when `ALIGNBOT_ADMIN_LISTEN` is set.
    pub fn admin_addr(&self) -> Option<SocketAddr> {
        self.admin_listener
            .as_ref()
            .map(|l| l.local_addr().expect("a bound listener has an address"))
    }

    pub fn context(&self) -> &AppContext {
        &self.state.ctx
    }

    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let stop = CancellationToken::new();
        let admin_addr = self.admin_addr();
        tracing::info!(address = %self.local_addr(), admin = ?admin_addr, "alignbot is listening");
        let mut tasks: Vec<(&str, JoinHandle<()>)> = Vec::new();
        if let Some(worker) = self.worker {
            tasks.push(("delivery", tokio::spawn(worker.run(stop.clone()))));
        }
        if let Some(scheduler) = self.scheduler {
            tasks.push(("scheduler", tokio::spawn(scheduler.run(stop.clone()))));
        }
        tasks.push((
            "housekeeping",
            tokio::spawn(self.housekeeper.run(stop.clone())),
        ));
        match self.socket_mode {
            Some(socket_mode) => {
                tracing::info!(
                    "Socket Mode: Slack's requests arrive over a WebSocket (SLACK_APP_TOKEN is set); /slack/* over HTTP still requires a signature"
                );
                let router = http::router(self.state.clone());
                tasks.push((
                    "socket mode",
                    tokio::spawn(socket_mode.run(router, stop.clone())),
                ));
            }
            None if self.state.signing_secret.is_none() && self.state.teams.is_some() => {}
            None => {
                tracing::info!("HTTP mode: Slack's requests arrive at /slack/* on this listener");
            }
        }
        let metrics = self.state.ctx.metrics.clone();
        let ops = match self.admin_listener {
            Some(_) => http::Ops::HealthOnly,
            None => http::Ops::All,
        };
        let public = http::public_router(
            self.state.clone(),
            ops,
            self.extra_routes,
            Some(&self.server),
        );
        tasks.push((
            "public listener",
            tokio::spawn(http::serve::serve(
                self.listener,
                public,
                self.server.clone(),
                metrics.clone(),
                "public",
                stop.clone(),
            )),
        ));
        if let Some(listener) = self.admin_listener {
            let admin = http::admin_router(self.state, &self.server);
            tasks.push((
                "admin listener",
                tokio::spawn(http::serve::serve(
                    listener,
                    admin,
                    self.server.clone(),
                    metrics,
                    "admin",
                    stop.clone(),
                )),
            ));
        }

        shutdown.await;
        tracing::info!(
            deadline_ms = self.server.shutdown_timeout.as_millis() as u64,
            "shutting down: finishing requests and sends in flight"
        );
        stop.cancel();
        // The listeners keep their own deadline; this one bounds the rest
        // (a send in flight, a job) the same way.
        let deadline = tokio::time::Instant::now() + self.server.shutdown_timeout;
        for (name, mut task) in tasks {
            if tokio::time::timeout_at(deadline, &mut task).await.is_err() {
                tracing::warn!(
                    task = name,
                    "still running at the shutdown deadline: stopped (unsent messages stay in the outbox)"
                );
                task.abort();
            }
        }
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
///
/// The handlers are registered when this is *called*, not when the future is
/// first polled: callers call it before binding the listener, so a SIGTERM
/// that arrives as soon as the port accepts connections still means a
/// graceful stop rather than the default action (the process dying on the
/// spot). Must be called inside the tokio runtime.
pub fn shutdown_signal() -> impl Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    let term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    let ctrl_c = tokio::signal::ctrl_c();
    async move {
        #[cfg(unix)]
        let term = async move {
            match term {
                Some(mut s) => {
                    s.recv().await;
                }
                None => std::future::pending::<()>().await,
            }
        };
        #[cfg(not(unix))]
        let term = std::future::pending::<()>();
        tokio::select! {
            _ = ctrl_c => {}
            _ = term => {}
        }
    }
}
