//! # alignbot
//!
//! A Slack bot that keeps an organization aligned on its strategy: annual
//! goals under strategic pillars, monthly progress and priorities, and
//! "mission moments", stories of the mission coming alive at work.
//!
//! ## Layout
//!
//! ```text
//! Slack ──HTTP (signed) / Socket Mode──▶ http/, slack/ ──▶ app/ services ──▶ store/ (sqlx, SQLite)
//!                                                              │                   ▲
//!                                                              ▼                   │
//!                          outbox (table) ──▶ delivery worker ──▶ app::compose ──▶ slack/: render + send
//! ```
//!
//! - [`domain`]: plain types that validate on construction. No Slack, no SQL.
//! - [`app`]: use cases. Each writes the store in one transaction and
//!   enqueues what must be sent in the outbox in that same transaction.
//!   [`app::compose`] decides what each outgoing message says at delivery
//!   time, as platform-neutral view models (a post, an update, a view, a
//!   Home, a reply, or a reason to send nothing yet).
//! - [`store`]: SQL, migrations, and the single group-commit writer.
//! - [`slack`]: the only place that knows Slack: signatures, payload
//!   parsing, Block Kit rendering of composed messages, the Web API client.
//!   It never reads the store.
//! - [`teams`]: the same for Microsoft Teams (Bot Framework JWTs, the
//!   connector token); not mounted yet.
//! - [`http`]: axum routes and the one error-to-response map.
//! - [`delivery`]: the outbox worker: claims a row, composes it (app), hands
//!   it to the adapter to render and send, records the outcome; pacing,
//!   retries, Retry-After.
//! - [`scheduler`]: the monthly jobs' schedules in the organization's time
//!   zone, and the loop that runs each job once per period.
//! - [`cli`]: the operator's subcommands (`jobs list`, `jobs run`, `backup`,
//!   `forget-user`, `export`, `import goals`).
//! - [`metrics`], [`housekeeping`]: what operators watch, and the hourly
//!   pass that prunes history and honours an uninstall.
//! - [`export`]: CSV and JSON writers for `alignbot export`.
//! - [`config`], [`clock`], [`telemetry`], [`startup`]: the process around it.
//! - [`playground`]: `alignbot playground`, the bot with a demo organization
//!   and a simulated Slack workspace in the browser (never part of `serve`).
//!
//! Concurrency in one sentence: requests run concurrently on tokio, all
//! writes funnel through one writer task that commits them in shared
//! batches, and the delivery worker sends concurrently across channels but
//! in order, one at a time, within each channel.
//!
//! ## Dependencies
//!
//! Each layer imports only the ones above it, never one below, so no two
//! modules import each other:
//!
//! 1. [`domain`], [`clock`], [`export`], [`metrics`], [`telemetry`]: import nothing of ours.
//! 2. [`config`]: the domain (it holds the parsed org and schedules).
//! 3. [`store`]: the domain and the export formats.
//! 4. [`app`]: the domain, the store, the clock (never config, the scheduler or an adapter).
//! 5. [`scheduler`], [`delivery`]: run the app's jobs and its outbox.
//! 6. [`slack`]: the chat adapter, on top of the app and delivery.
//! 7. [`http`]: routes to the app through the adapter's parsing.
//! 8. [`housekeeping`], [`startup`], [`cli`], [`playground`]: the process, which wires the rest.

pub mod app;
pub mod cli;
pub mod clock;
pub mod config;
pub mod delivery;
pub mod domain;
pub mod export;
pub mod housekeeping;
pub mod http;
pub mod metrics;
pub mod playground;
pub mod scheduler;
pub mod slack;
pub mod startup;
pub mod store;
pub mod teams;
pub mod telemetry;
