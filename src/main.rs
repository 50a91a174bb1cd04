//! The `alignbot` command: parse arguments, load settings, run.

use alignbot::clock::{SharedClock, SystemClock};
use alignbot::config::{ConfigError, ProcessEnv, Settings};
use alignbot::startup::{Application, prepare_store, shutdown_signal};
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
    /// Apply database migrations and exit.
    Migrate,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    alignbot::telemetry::init();
    let settings = match Settings::load(cli.config.as_deref(), &ProcessEnv) {
        Ok(s) => s,
        Err(e) => return config_error(&e),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        let clock: SharedClock = Arc::new(SystemClock);
        match cli.command {
            Command::Serve { no_scheduler } => {
                if let Err(e) = settings.require_signing_secret() {
                    return Err(Failure::Config(e));
                }
                let scheduler = settings.scheduler && !no_scheduler;
                tracing::info!(scheduler, "starting");
                let app = Application::build(&settings, clock)
                    .await
                    .map_err(Failure::Other)?;
                app.run_until_stopped(shutdown_signal())
                    .await
                    .map_err(Failure::Other)
            }
            Command::Migrate => {
                prepare_store(&settings, &clock)
                    .await
                    .map_err(Failure::Other)?;
                println!("database is up to date: {}", settings.database_url);
                Ok(())
            }
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Config(e)) => config_error(&e),
        Err(Failure::Other(e)) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

enum Failure {
    Config(ConfigError),
    Other(anyhow::Error),
}

/// Invalid settings: one line naming what to fix, exit code 2.
fn config_error(e: &ConfigError) -> ExitCode {
    eprintln!("error: {e}");
    ExitCode::from(2)
}
