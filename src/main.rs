//! The `alignbot` command: parse arguments, load settings, run.

use alignbot::clock::{SharedClock, SystemClock};
use alignbot::config::{ConfigError, ProcessEnv, Settings};
use alignbot::startup::{Application, shutdown_signal};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Parser)]
#[command(
    name = "alignbot",
    version,
    about = "Keeps an organization aligned on its strategy, from Slack."
)]
struct Cli {
    /// Settings file (default: $ALIGNBOT_CONFIG, else config/alignbot.toml).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve Slack's requests, deliver outgoing messages and run the scheduler.
    Serve {
        /// Leave the scheduler out (also ALIGNBOT_SCHEDULER=off).
        #[arg(long)]
        no_scheduler: bool,
    },
    /// Try alignbot without Slack, in the browser.
    ///
    /// Runs the real bot with a demo organization (data/playground.db,
    /// seeded when new) and serves a simulated workspace to open in a
    /// browser. Reads no config file (--config is ignored) and no SLACK_* or
    /// DATABASE_URL variables: it never contacts Slack. Delete
    /// data/playground.db to start over.
    Playground {
        /// Address to serve the page and the bot on.
        #[arg(long, value_name = "HOST:PORT", default_value = alignbot::playground::DEFAULT_LISTEN)]
        listen: std::net::SocketAddr,
    },
    /// Apply database migrations, seed the organization, and exit.
    Migrate,
    /// Copy every table of one database into another, empty one (e.g. a
    /// SQLite file into PostgreSQL), in one transaction, checking each
    /// table's row count. Stop `serve` first.
    CopyDb {
        /// The database to copy, e.g. sqlite://data/alignbot.db.
        #[arg(long, value_name = "URL")]
        from: String,
        /// An empty database, e.g. postgres://alignbot@db/alignbot.
        #[arg(long, value_name = "URL")]
        to: String,
    },
    /// The monthly jobs: list them, or run one now.
    Jobs {
        #[command(subcommand)]
        command: JobsCommand,
    },
    /// Write a consistent copy of the live database to FILE (the bot keeps
    /// running). Restore by stopping the bot and putting the copy in place.
    Backup {
        /// A new file; an existing one is never overwritten.
        file: PathBuf,
    },
    /// Forget a person: erase what they wrote (moments, check-in notes,
    /// comments), delete their moments from Slack, and replace their id
    /// everywhere with a tombstone so counts stay right.
    ForgetUser {
        /// Their Slack member id, e.g. U012ABCDEF.
        user: String,
    },
    /// Write pillars, teams, goals, check-ins, priorities and moments to
    /// one file each (see docs/operations.md for the columns).
    Export {
        /// csv or json.
        #[arg(long)]
        format: String,
        /// Directory for the files (created if missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Only this plan year (pillars and teams are always complete).
        #[arg(long)]
        year: Option<String>,
        /// Replace the files of an earlier export.
        #[arg(long)]
        force: bool,
    },
    /// Create records in bulk from a file, all or nothing.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Goals from a CSV file; every row is checked first.
    Goals {
        file: PathBuf,
        /// Who adds the goals (an admin, or a leader for their team's),
        /// e.g. U012ABCDEF: recorded in the plan history.
        #[arg(long = "as", value_name = "PERSON")]
        actor: String,
    },
}

#[derive(Subcommand)]
enum JobsCommand {
    /// Each job's schedule, last run and next run (org time zone).
    List,
    /// Run one job for the month containing --at (default: now), deliver
    /// what it enqueued, print a summary.
    Run {
        /// priorities-nudge, progress-nudge, moments-nudge or monthly-digest.
        job: String,
        /// An RFC 3339 instant, e.g. 2026-11-25T14:00:00Z.
        #[arg(long)]
        at: Option<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    alignbot::telemetry::init();
    if let Command::Playground { listen } = cli.command {
        return playground(listen);
    }
    // Needs no settings: both databases are named on the command line.
    if let Command::CopyDb { from, to } = &cli.command {
        let runtime = match runtime() {
            Ok(rt) => rt,
            Err(code) => return code,
        };
        return match runtime.block_on(alignbot::cli::copy_db(from, to)) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => report(Failure::from(e)),
        };
    }
    let settings = match Settings::load(cli.config.as_deref(), &ProcessEnv) {
        Ok(s) => s,
        Err(e) => return config_error(&e),
    };
    let runtime = match runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    let result = runtime.block_on(async move {
        let clock: SharedClock = Arc::new(SystemClock);
        match cli.command {
            Command::Serve { no_scheduler } => {
                if let Err(e) = settings.serve_signing_secret() {
                    return Err(Failure::Config(e));
                }
                let mut settings = settings;
                settings.scheduler = settings.scheduler && !no_scheduler;
                tracing::info!(scheduler = settings.scheduler, "starting");
                // Before the port is bound: see `shutdown_signal`.
                let stop = shutdown_signal();
                let app = Application::build(&settings, clock)
                    .await
                    .map_err(Failure::Other)?;
                app.run_until_stopped(stop).await.map_err(Failure::Other)
            }
            Command::Backup { file } => alignbot::cli::backup(&settings, &file)
                .await
                .map_err(Failure::from),
            Command::ForgetUser { user } => alignbot::cli::forget_user(&settings, clock, &user)
                .await
                .map_err(Failure::from),
            Command::Playground { .. } => unreachable!("handled before settings are loaded"),
            Command::Migrate => alignbot::cli::migrate(&settings, clock)
                .await
                .map_err(Failure::Other),
            Command::CopyDb { .. } => unreachable!("handled before settings are loaded"),
            Command::Jobs {
                command: JobsCommand::List,
            } => alignbot::cli::jobs_list(&settings, clock)
                .await
                .map_err(Failure::Other),
            Command::Jobs {
                command: JobsCommand::Run { job, at },
            } => alignbot::cli::jobs_run(&settings, clock, &job, at.as_deref())
                .await
                .map_err(Failure::from),
            Command::Export {
                format,
                out,
                year,
                force,
            } => alignbot::cli::export(&settings, clock, &format, &out, year.as_deref(), force)
                .await
                .map_err(Failure::from),
            Command::Import {
                command: ImportCommand::Goals { file, actor },
            } => alignbot::cli::import_goals(&settings, clock, &file, &actor)
                .await
                .map_err(Failure::from),
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => report(failure),
    }
}

/// Prints a failure; exit code 2 for what the operator should change.
fn report(failure: Failure) -> ExitCode {
    match failure {
        Failure::Config(e) => config_error(&e),
        Failure::Usage(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
        Failure::Other(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// One worker thread unless `TOKIO_WORKER_THREADS` says otherwise (tokio
/// reads it only when no count is set here). The database work runs on
/// SQLite's own threads (or is network I/O for PostgreSQL), so a worker
/// mostly waits; with two, each database answer woke whichever worker was
/// parked and they woke each other. On the two-core reference machine one
/// worker answered a lone `/moment` 12 % more often per second, with a
/// lower p50 and p99, and was no slower at 32 connections (BENCHMARKS.md,
/// issue 14). Nothing `serve` runs is long enough to hold a worker up: the
/// export and the backup are commands of their own.
fn runtime() -> Result<tokio::runtime::Runtime, ExitCode> {
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    if std::env::var_os("TOKIO_WORKER_THREADS").is_none() {
        builder.worker_threads(1);
    }
    builder.enable_all().build().map_err(|e| {
        eprintln!("error: cannot start the async runtime: {e}");
        ExitCode::FAILURE
    })
}

/// `alignbot playground`: its own settings, so no config file is needed.
fn playground(listen: std::net::SocketAddr) -> ExitCode {
    let runtime = match runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    let result = runtime.block_on(async move {
        let options = alignbot::playground::Options {
            listen,
            ..Default::default()
        };
        let stop = shutdown_signal();
        let started = alignbot::playground::start(options, Arc::new(SystemClock)).await?;
        println!(
            "alignbot playground: open {} (demo database {})",
            started.url(),
            started.database.display()
        );
        started.run(stop).await
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

enum Failure {
    Config(ConfigError),
    Usage(String),
    Other(anyhow::Error),
}

impl From<alignbot::cli::CliError> for Failure {
    fn from(e: alignbot::cli::CliError) -> Self {
        match e {
            alignbot::cli::CliError::Usage(message) => Failure::Usage(message),
            alignbot::cli::CliError::Other(e) => Failure::Other(e),
        }
    }
}

/// Invalid settings: one line naming what to fix, exit code 2.
fn config_error(e: &ConfigError) -> ExitCode {
    eprintln!("error: {e}");
    ExitCode::from(2)
}
