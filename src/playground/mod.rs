//! `alignbot playground`: the real bot with a demo database, and a local
//! workspace in the browser to try it without Slack.
//!
//! One listener serves three things: the bot's own routes (unchanged,
//! signatures checked), the Web API the bot calls (its `SLACK_API_URL`
//! points back at this listener, see `web_api`), and the page with its
//! API (`page_api`). What a person does on the page becomes the request
//! Slack would send ([`payloads`]), signed with a per-run secret and posted
//! to the bot over loopback, so nothing inside the bot is faked.
//!
//! `serve` never mounts any of this: the routes are only added by
//! [`start`], which only the `playground` subcommand calls. Every one of
//! them answers only to the playground's own address, and the page's
//! changes need its per-run token (see [`guard`]).
//!
//! The bot runs on the playground's own clock ([`clock`]), which the page's
//! time control moves forward, firing the scheduled jobs on the way
//! ([`timeline`]).

pub mod clock;
pub mod demo;
pub mod guard;
mod page_api;
pub mod payloads;
pub mod timeline;
mod web_api;
pub mod workspace;

use crate::app::AppContext;
use crate::clock::SharedClock;
use crate::startup::Application;
use anyhow::Context;
use clock::PlaygroundClock;
use guard::Guard;
use payloads::BotLink;
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::net::TcpListener;
use workspace::Workspace;

pub const DEFAULT_LISTEN: &str = "127.0.0.1:3000";

/// Where the playground listens and keeps its demo database.
#[derive(Debug, Clone)]
pub struct Options {
    pub listen: SocketAddr,
    /// The directory of `playground.db` (created if missing).
    pub data_dir: PathBuf,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            listen: DEFAULT_LISTEN.parse().expect("a valid address"),
            data_dir: PathBuf::from("data"),
        }
    }
}

/// The running playground's state, shared by its routes.
pub struct Playground {
    pub workspace: Workspace,
    pub ctx: AppContext,
    /// The per-run token the bot presents to the local Web API.
    bot_token: String,
    link: BotLink,
    /// `http://127.0.0.1:<port>`: the bot, the Web API and response URLs.
    link_base: String,
    /// The demo, kept for "Reset demo".
    demo: demo::DemoWorkspace,
    settings: crate::config::Settings,
    /// The bot's clock, which the page's time control moves.
    pub clock: PlaygroundClock,
    /// Which requests are answered, and the page's token.
    guard: Arc<Guard>,
    /// One reset or time jump at a time.
    busy: tokio::sync::Mutex<()>,
    next_event: std::sync::atomic::AtomicU64,
    /// Cancelled on shutdown: ends the pages' event streams, which would
    /// otherwise keep the graceful shutdown waiting forever.
    closing: tokio_util::sync::CancellationToken,
}

impl Playground {
    /// The token the bot presents to the local Web API. It is made for
    /// this run and is only valid here; tests use it to call the Web API
    /// as the bot does.
    pub fn bot_token(&self) -> &str {
        &self.bot_token
    }

    /// The per-run token the page sends with every change
    /// (`X-Playground-Token`); tests use it to drive the page API.
    pub fn page_token(&self) -> &str {
        self.guard.token()
    }

    /// The local Web API's base URL, the bot's `SLACK_API_URL`.
    pub fn api_url(&self) -> String {
        format!("{}/playground/slack/api", self.link_base)
    }

    /// The Events API id of the next event.
    fn event_id(&self) -> String {
        let n = self
            .next_event
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        format!("Ev{n:08X}{}", workspace::hex_token(3).to_uppercase())
    }
}

/// A playground ready to run.
pub struct Started {
    app: Application,
    pub playground: Arc<Playground>,
    pub address: SocketAddr,
    pub database: PathBuf,
}

impl Started {
    /// The page's address, e.g. `http://127.0.0.1:3000/`.
    pub fn url(&self) -> String {
        format!("http://{}/", self.address)
    }

    /// Serves until `shutdown` resolves, then saves the workspace.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let workspace = self.playground.workspace.clone();
        let closing = self.playground.closing.clone();
        let result = self
            .app
            .run_until_stopped(async move {
                shutdown.await;
                closing.cancel();
            })
            .await;
        if let Err(e) = workspace.save() {
            tracing::warn!(error = %e, "cannot save the playground's messages");
        }
        result
    }
}

/// Binds, builds the bot on the demo database (seeding it when new) and
/// mounts the playground's routes. Call [`Started::run`] to serve.
pub async fn start(options: Options, clock: SharedClock) -> anyhow::Result<Started> {
    std::fs::create_dir_all(&options.data_dir)
        .with_context(|| format!("cannot create {}", options.data_dir.display()))?;
    let database = options.data_dir.join("playground.db");
    let saved_messages = options.data_dir.join("playground.db.messages.json");
    let fresh = !database.exists();
    if fresh {
        // Leftovers of a deleted database must not be replayed into a new one.
        for suffix in ["-wal", "-shm", ".clock"] {
            let _ = std::fs::remove_file(options.data_dir.join(format!("playground.db{suffix}")));
        }
    }
    // Bind first: the bot's Web API URL is this listener's real port.
    let listener = TcpListener::bind(options.listen)
        .await
        .with_context(|| format!("cannot listen on {}", options.listen))?;
    let address = listener
        .local_addr()
        .context("the listener has no address")?;
    if let Some(warning) = guard::exposure_warning(address) {
        // Printed, not logged: it must show whatever RUST_LOG says.
        eprintln!("{warning}");
    }
    // Secrets of this run, from the operating system's cryptographic source.
    let signing_secret = workspace::hex_token(32);
    let bot_token = format!("xoxb-playground-{}", workspace::hex_token(24));
    let guard = Arc::new(Guard::new(address, workspace::hex_token(32)));
    let clock = PlaygroundClock::new(
        clock,
        Some(options.data_dir.join("playground.db.clock")),
        !fresh,
    );
    let api_url = format!("http://{address}/playground/slack/api");
    let database_url = format!("sqlite://{}", database.display());
    let settings = demo::settings(&demo::DemoSettings {
        listen: address,
        database_url: &database_url,
        signing_secret: &signing_secret,
        bot_token: &bot_token,
        api_url: &api_url,
    })?;
    let app = Application::build_with(&settings, Arc::new(clock.clone()), Some(listener)).await?;
    let ctx = app.context().clone();
    let demo = demo::DemoWorkspace::load();
    let workspace = Workspace::new(
        demo.people.clone(),
        demo.channels(),
        Some(saved_messages),
        !fresh,
        Arc::new(clock.clone()),
    );
    if fresh {
        demo::seed(&ctx, &demo)
            .await
            .context("cannot seed the demo organization")?;
    }
    let playground = Arc::new(Playground {
        workspace,
        ctx,
        bot_token,
        link: BotLink::new(
            format!("http://{address}"),
            signing_secret,
            Arc::new(clock.clone()),
        ),
        link_base: format!("http://{address}"),
        demo,
        settings,
        clock,
        guard,
        busy: tokio::sync::Mutex::new(()),
        next_event: std::sync::atomic::AtomicU64::new(1),
        closing: tokio_util::sync::CancellationToken::new(),
    });
    let app = app.with_routes(page_api::router(playground.clone()));
    Ok(Started {
        app,
        playground,
        address,
        database,
    })
}
