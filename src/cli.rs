//! The operator commands that are not `serve`: `jobs list`, `jobs run`,
//! `export` and `import goals`.

use crate::app::export::{self, ExportError, ExportRequest};
use crate::app::import::{self, ImportError};
use crate::app::jobs::{self, Job, Trigger};
use crate::clock::SharedClock;
use crate::config::Settings;
use crate::delivery::Worker;
use crate::domain::PersonId;
use crate::domain::goal::PlanYear;
use crate::export::Format;
use crate::scheduler::schedule::Month;
use crate::scheduler::schedules;
use crate::slack::client::{SlackTransport, build_client};
use crate::startup::prepare_store;
use crate::store::{jobs as job_store, outbox};
use anyhow::Context;
use chrono::{DateTime, Utc};
use std::path::Path;
use std::sync::Arc;

/// A mistake in the command line (exit code 2), or a failure.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// `alignbot jobs list`.
pub async fn jobs_list(settings: &Settings, clock: SharedClock) -> anyhow::Result<()> {
    let (store, ctx) = prepare_store(settings, &clock).await?;
    let tz = settings.org.timezone;
    let scheduled = schedules(settings)?;
    let now = clock.now();
    println!(
        "{:<18} {:<24} {:<34} NEXT RUN",
        "JOB", "SCHEDULE", "LAST RUN"
    );
    for (job, sched) in &scheduled {
        let last = job_store::last_run(store.reads(), job.name())
            .await?
            .map(|(period, at, _)| {
                format!(
                    "{period} at {}",
                    at.with_timezone(&tz).format("%Y-%m-%d %H:%M %Z")
                )
            })
            .unwrap_or_else(|| "never".to_owned());
        let next = if job.available() {
            sched
                .next_after(tz, now, &settings.schedule.holidays)
                .map(|at| {
                    at.with_timezone(&tz)
                        .format("%Y-%m-%d %H:%M %Z")
                        .to_string()
                })
                .unwrap_or_else(|| "none".to_owned())
        } else {
            "not available in this build".to_owned()
        };
        println!(
            "{:<18} {:<24} {:<34} {}",
            job.name(),
            sched.describe(),
            last,
            next
        );
    }
    drop(ctx);
    Ok(())
}

/// `alignbot jobs run <job> [--at <RFC3339>]`.
pub async fn jobs_run(
    settings: &Settings,
    clock: SharedClock,
    name: &str,
    at: Option<&str>,
) -> Result<(), CliError> {
    let job = Job::parse(name).ok_or_else(|| {
        let names: Vec<&str> = Job::ALL.iter().map(|j| j.name()).collect();
        CliError::Usage(format!(
            "there is no job `{name}`; the jobs are {}",
            names.join(", ")
        ))
    })?;
    let at: DateTime<Utc> = match at {
        Some(raw) => DateTime::parse_from_rfc3339(raw)
            .map_err(|_| {
                CliError::Usage(format!(
                    "--at {raw:?} is not an RFC 3339 time, e.g. 2026-11-25T14:00:00Z"
                ))
            })?
            .with_timezone(&Utc),
        None => clock.now(),
    };
    let (store, ctx) = prepare_store(settings, &clock).await?;
    let month = Month::containing(at, settings.org.timezone);
    let summary = jobs::run(&ctx, job, month, Trigger::Manual)
        .await
        .map_err(|e| CliError::Usage(e.to_string()))?;
    println!("{summary}");
    let Some(token) = &settings.slack.bot_token else {
        println!(
            "SLACK_BOT_TOKEN is not set: the messages wait in the outbox until `serve` runs with a token."
        );
        return Ok(());
    };
    let client = build_client(&settings.slack.api_url).context("cannot set up the Slack client")?;
    let worker = Worker::new(
        ctx.clone(),
        Arc::new(SlackTransport::new(client, token, ctx.clone())),
        settings.delivery.clone(),
    );
    // Deliver until nothing is pending (bounded: the rest waits for `serve`).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(600);
    loop {
        let round = worker.step().await.context("delivery failed")?;
        let pending = outbox::counts(store.reads())
            .await
            .context("cannot read the outbox")?
            .pending;
        if pending == 0 || std::time::Instant::now() > deadline {
            break;
        }
        if let Some(next) = round.next_due {
            clock.sleep_until(next).await;
        }
    }
    let counts = outbox::counts(store.reads())
        .await
        .context("cannot read the outbox")?;
    println!(
        "outbox now: {} sent, {} failed, {} pending (pending messages go out when `serve` runs)",
        counts.sent, counts.failed, counts.pending
    );
    Ok(())
}

/// `alignbot export --format csv|json --out <dir> [--year <y>] [--force]`.
pub async fn export(
    settings: &Settings,
    clock: SharedClock,
    format: &str,
    out: &Path,
    year: Option<&str>,
    force: bool,
) -> Result<(), CliError> {
    let format = Format::parse(format)
        .ok_or_else(|| CliError::Usage(format!("--format {format:?} is not csv or json")))?;
    let year = year
        .map(|raw| {
            PlanYear::parse(raw)
                .map(PlanYear::value)
                .map_err(|e| CliError::Usage(format!("--year: {e}")))
        })
        .transpose()?;
    let (_store, ctx) = prepare_store(settings, &clock).await?;
    let request = ExportRequest {
        format,
        out: out.to_owned(),
        year,
        force,
    };
    let summary = export::export(&ctx, &request).await.map_err(|e| match e {
        ExportError::Exists { .. } => CliError::Usage(e.to_string()),
        other => CliError::Other(other.into()),
    })?;
    for (path, rows) in &summary.files {
        println!("{rows:>9} rows  {}", path.display());
    }
    Ok(())
}

/// `alignbot import goals <file.csv> --as <person>`: every problem is
/// printed, one line each, before the usage error (exit code 2).
pub async fn import_goals(
    settings: &Settings,
    clock: SharedClock,
    file: &Path,
    actor: &str,
) -> Result<(), CliError> {
    let actor = PersonId::parse(actor.trim()).map_err(|e| CliError::Usage(format!("--as: {e}")))?;
    let source = std::fs::File::open(file)
        .map_err(|e| CliError::Usage(format!("cannot open {}: {e}", file.display())))?;
    let name = file.file_name().map_or_else(
        || file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let (_store, ctx) = prepare_store(settings, &clock).await?;
    match import::import_goals(&ctx, actor, &name, std::io::BufReader::new(source)).await {
        Ok(summary) => {
            match (summary.ids.first(), summary.ids.last()) {
                (Some(first), Some(last)) if first != last => {
                    println!("created {} goals ({first}–{last})", summary.ids.len())
                }
                (Some(only), _) => println!("created 1 goal ({only})"),
                _ => println!("created no goals"),
            }
            Ok(())
        }
        Err(ImportError::Invalid { errors }) => {
            for error in &errors {
                eprintln!("{}: {error}", name);
            }
            Err(CliError::Usage(format!(
                "{} problem(s) in {name}; nothing was imported",
                errors.len()
            )))
        }
        Err(e @ ImportError::NotAllowed(_)) => Err(CliError::Usage(e.to_string())),
        Err(ImportError::App(e)) => Err(CliError::Other(e.into())),
    }
}
