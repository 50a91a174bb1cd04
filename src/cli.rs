//! The operator commands that are not `serve`: `migrate`, `jobs list`,
//! `jobs run`, `forget-user`, `backup`, `copy-db`, `export` and
//! `import goals`.

use crate::app::data_rights;
use crate::app::export::{self, ExportError, ExportRequest};
use crate::app::import::{self, ImportError};
use crate::app::jobs::{self, Job, Trigger};
use crate::clock::SharedClock;
use crate::config::Settings;
use crate::delivery::Worker;
use crate::domain::PersonId;
use crate::domain::goal::PlanYear;
use crate::domain::period::Month;
use crate::export::Format;
use crate::scheduler::schedules;
use crate::slack::client::{SlackTransport, build_client};
use crate::startup::{prepare_store, prepare_store_counting};
use crate::store::{Backend, Store, jobs as job_store, outbox};
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

/// `alignbot migrate`: applies this build's migrations, seeds the
/// organization from the settings, and says how many migrations it applied.
pub async fn migrate(settings: &Settings, clock: SharedClock) -> anyhow::Result<()> {
    let (store, ctx, applied) = prepare_store_counting(settings, &clock).await?;
    let backend = store.backend();
    drop(ctx);
    store.close().await;
    let total = backend.migrations().iter().count();
    let what = match applied {
        0 => "no migrations to apply".to_owned(),
        1 => "applied 1 migration".to_owned(),
        n => format!("applied {n} migrations"),
    };
    println!(
        "{what}; the {} database is up to date ({total} migrations): {}",
        backend.name(),
        settings.database_shown()
    );
    Ok(())
}

/// `alignbot copy-db --from <url> --to <url>`: every table of one database
/// into another, empty one (e.g. SQLite into PostgreSQL), in one
/// transaction on the target, with each table's row count checked.
pub async fn copy_db(from: &str, to: &str) -> Result<(), CliError> {
    use crate::store::copy::{self, CopyError};
    let shown = |url: &str| crate::config::redact_url(url);
    for (flag, url) in [("--from", from), ("--to", to)] {
        Backend::of_url(url).map_err(|_| {
            CliError::Usage(format!(
                "{flag} {} is not a database URL; give sqlite://FILE or postgres://USER@HOST/DATABASE",
                shown(url)
            ))
        })?;
    }
    if from == to {
        return Err(CliError::Usage(
            "--from and --to are the same database".to_owned(),
        ));
    }
    if matches!(Backend::of_url(from), Ok(Backend::Sqlite)) {
        let path = from
            .trim_start_matches("sqlite://")
            .trim_start_matches("sqlite:");
        let path = path.split('?').next().unwrap_or_default();
        if !Path::new(path).exists() {
            return Err(CliError::Usage(format!(
                "--from {}: there is no such file",
                shown(from)
            )));
        }
    }
    let open = |url: &str| {
        let url = url.to_owned();
        async move {
            let store = Store::connect(&url).await.with_context(|| {
                format!(
                    "cannot open the database at {}",
                    crate::config::redact_url(&url)
                )
            })?;
            store
                .migrate()
                .await
                .with_context(|| format!("cannot migrate {}", crate::config::redact_url(&url)))?;
            anyhow::Ok(store)
        }
    };
    let source = open(from).await?;
    let target = open(to).await?;
    let started = std::time::Instant::now();
    let copied = copy::copy(source.reads(), target.reads())
        .await
        .map_err(|e| match e {
            CopyError::Store(e) => {
                CliError::Other(anyhow::Error::new(e).context("copy failed; nothing was written"))
            }
            usage => CliError::Usage(usage.to_string()),
        })?;
    source.close().await;
    target.close().await;
    let rows: i64 = copied.iter().map(|(_, n)| n).sum();
    for (table, n) in &copied {
        println!("{n:>9} rows  {table}");
    }
    println!(
        "copied {rows} rows in {} tables from {} to {} in {:.1} s; every table's count matches",
        copied.len(),
        shown(from),
        shown(to),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// `alignbot jobs list`.
pub async fn jobs_list(settings: &Settings, clock: SharedClock) -> anyhow::Result<()> {
    let (store, ctx) = prepare_store(settings, &clock).await?;
    let tz = settings.org.timezone;
    let scheduled = schedules(settings);
    let now = clock.now();
    println!(
        "{:<22} {:<24} {:<34} NEXT RUN",
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
            "{:<22} {:<24} {:<34} {}",
            job.name(),
            sched.describe(),
            last,
            next
        );
    }
    // A job without a schedule (`[schedule] org_priorities` unset) is still
    // listed, so the operator learns it exists and how to turn it on; `jobs
    // run` runs it all the same.
    for job in Job::ALL {
        if scheduled.iter().any(|(j, _)| *j == job) {
            continue;
        }
        let last = job_store::last_run(store.reads(), job.name())
            .await?
            .map(|(period, at, _)| {
                format!(
                    "{period} at {}",
                    at.with_timezone(&tz).format("%Y-%m-%d %H:%M %Z")
                )
            })
            .unwrap_or_else(|| "never".to_owned());
        println!(
            "{:<22} {:<24} {:<34} none (schedule off: set [schedule] org_priorities)",
            job.name(),
            "off",
            last,
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
    deliver_now(settings, &clock, &store, &ctx).await?;
    Ok(())
}

/// Delivers what the command enqueued through the real worker, when a bot
/// token is set; otherwise it waits in the outbox for `serve`.
async fn deliver_now(
    settings: &Settings,
    clock: &SharedClock,
    store: &crate::store::Store,
    ctx: &crate::app::AppContext,
) -> Result<(), CliError> {
    let Some(token) = &settings.slack.bot_token else {
        println!(
            "SLACK_BOT_TOKEN is not set: the messages wait in the outbox until `serve` runs with a token."
        );
        return Ok(());
    };
    if ctx.delivery_stopped() {
        println!(
            "delivery is stopped (the app was uninstalled or its token revoked): the messages wait in the outbox."
        );
        return Ok(());
    }
    let client = build_client(&settings.slack.api_url).context("cannot set up the Slack client")?;
    let worker = Worker::new(
        ctx.clone(),
        Arc::new(SlackTransport::new(client, token)),
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
            // Rows another process is sending (a `serve` replica, another
            // `jobs run`) are due here only when its lease runs out (15 s);
            // look again each second, so this ends once that process is done.
            clock
                .sleep_until(next.min(clock.now() + chrono::Duration::seconds(1)))
                .await;
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

/// `alignbot forget-user <U…>`.
pub async fn forget_user(
    settings: &Settings,
    clock: SharedClock,
    person: &str,
) -> Result<(), CliError> {
    let person = PersonId::parse(person).map_err(|_| {
        CliError::Usage(format!(
            "{person:?} is not a Slack user id; give the id (like U012ABCDEF) from the person's Slack profile → ⋮ → Copy member ID"
        ))
    })?;
    if person.is_tombstone() {
        return Err(CliError::Usage(format!("{person} is already forgotten")));
    }
    let (store, ctx) = prepare_store(settings, &clock).await?;
    let done = data_rights::forget(&ctx, person.clone())
        .await
        .map_err(|e| CliError::Other(anyhow::anyhow!("cannot forget {person}: {e}")))?;
    println!(
        "forgot {person}: now {}; {} moment(s) erased ({} to delete from Slack), {} check-in note(s) erased, {} comment(s) erased, {} other row(s) renamed",
        done.tombstone,
        done.moments,
        done.posted_moments.len(),
        done.check_in_notes,
        done.comments,
        done.rows_renamed
    );
    println!(
        "also remove {person} from the config file (org.admins, teams) so it is not seeded again"
    );
    deliver_now(settings, &clock, &store, &ctx).await
}

/// `alignbot backup <file>`: a consistent copy of the live database, taken
/// with `VACUUM INTO` from one read transaction, so `serve` keeps running
/// and writing meanwhile. The copy is written beside the target and renamed
/// into place only once complete and checked.
pub async fn backup(settings: &Settings, target: &Path) -> Result<(), CliError> {
    if matches!(
        Backend::of_url(&settings.database_url),
        Ok(Backend::Postgres)
    ) {
        // The URL is not repeated: it may hold a password.
        return Err(CliError::Usage(format!(
            "alignbot backup copies a SQLite database; this one is PostgreSQL. Back it up with PostgreSQL's own tools, \
             e.g. pg_dump --format=custom --file={} \"$DATABASE_URL\" (restore with pg_restore), \
             or your provider's snapshots",
            target.display()
        )));
    }
    if target.exists() {
        return Err(CliError::Usage(format!(
            "{} exists; choose a new file name (a backup never overwrites)",
            target.display()
        )));
    }
    let started = std::time::Instant::now();
    let report = crate::store::backup::backup(&settings.database_url, target)
        .await
        .map_err(|e| match e {
            crate::store::backup::BackupError::Usage(m) => CliError::Usage(m),
            other => CliError::Other(anyhow::Error::new(other)),
        })?;
    println!(
        "backup written to {} ({:.1} MB, {} tables, integrity ok) in {:.1} s",
        target.display(),
        report.bytes as f64 / 1_048_576.0,
        report.tables,
        started.elapsed().as_secs_f64()
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
