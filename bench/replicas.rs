//! `bench-replicas`: signed `/moment` on SQLite, on PostgreSQL with one
//! replica, and on PostgreSQL with two replicas, side by side in one run.
//!
//! What is measured: requests per second and latency percentiles of
//! correctly signed `POST /slack/commands` `/moment` requests against the
//! release build of `alignbot serve`, over `--concurrency` keep-alive
//! connections. With two replicas, connection `i` goes to replica `i % 2`
//! (a load balancer's round robin). Each configuration starts from an empty
//! database (a fresh SQLite file, or a fresh PostgreSQL database on the
//! server `--postgres-url` names) and its own fake Slack Web API; the bot
//! delivers each moment to the fake as in production (one post per second to
//! the moments channel), so the delivery worker runs beside the requests.
//! After each configuration the `moments` table must hold exactly one row
//! per 2xx answer (warm-up included), or the run fails.
//!
//! PostgreSQL runs twice over: with `synchronous_commit = on` (the
//! default: a commit waits for its WAL flush, so the disk's flush time
//! bounds it) and `off` (set on the benchmark's database; what SQLite's
//! `synchronous = NORMAL` in WAL mode, alignbot's setting, also gives up: a
//! crash of the machine may lose the last commits, never corrupt).
//!
//! The configurations run `--runs` times interleaved (sqlite, pg ×1,
//! pg ×2, …, sqlite, …), so a machine that gets busier hits all of them;
//! the table gives each configuration's median and the spread (min–max).
//!
//! Reproduce (bench/replicas.sh starts a throwaway PostgreSQL for it):
//!
//! ```text
//! cargo build --release --bins
//! bench/replicas.sh            # or, against a server of your own:
//! target/release/bench-replicas --postgres-url postgres://postgres@127.0.0.1:5432/postgres
//! ```

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[path = "harness.rs"]
mod harness;
use harness::*;

use anyhow::{Context, Result, bail, ensure};
use axum::http::header;
use clap::Parser;
use http_body_util::Full;
use hyper::body::Bytes;
use hyper::{Method, Request};
use sqlx::{Connection, Executor};
use tokio::sync::Barrier;

const CONFIG_TOML: &str = r#"[org]
name = "Bench Org"
mission = "Every patient leaves healthier and heard."
timezone = "America/New_York"
moments_channel = "C0MOMENTS"
leadership_channel = "C0LEADERS"
admins = ["U0ADMIN"]

[[pillars]]
key = "patient-care"
name = "Patient care"

[[teams]]
key = "nursing"
name = "Nursing"
channel = "C0NURSING"
leaders = ["U0LEAD1"]
members = ["U0NURSE1"]
"#;

#[derive(Debug, Parser)]
#[command(
    name = "bench-replicas",
    about = "Signed /moment on SQLite, PostgreSQL ×1 and PostgreSQL ×2 replicas"
)]
struct Args {
    /// A PostgreSQL superuser URL; each configuration gets a fresh database
    /// on that server (dropped afterwards).
    #[arg(long)]
    postgres_url: String,
    /// Measured requests per configuration and run.
    #[arg(long, default_value_t = 20_000)]
    requests: u64,
    /// Unmeasured warm-up requests before each measurement.
    #[arg(long, default_value_t = 1_000)]
    warmup: u64,
    /// Keep-alive connections (spread over the replicas).
    #[arg(long, default_value_t = 32)]
    concurrency: u64,
    /// Times each configuration runs (interleaved).
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// The bot binary (the release build).
    #[arg(long, default_value = "target/release/alignbot")]
    bot: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Setup {
    Sqlite,
    /// This many replicas; `flush`: each commit waits for its WAL flush
    /// (`synchronous_commit = on`, the default), else not (`off`, set on
    /// the database: SQLite's `synchronous = NORMAL` is alike, a crash of
    /// the machine may lose the last commits, never corrupt).
    Postgres {
        replicas: usize,
        flush: bool,
    },
}

impl std::fmt::Display for Setup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Sqlite => f.write_str("SQLite (WAL, synchronous=NORMAL), 1 process"),
            Self::Postgres { replicas, flush } => write!(
                f,
                "PostgreSQL (synchronous_commit={}), {replicas} replica{}",
                if *flush { "on" } else { "off" },
                if *replicas == 1 { "" } else { "s" }
            ),
        }
    }
}

const SETUPS: [Setup; 5] = [
    Setup::Sqlite,
    Setup::Postgres {
        replicas: 1,
        flush: true,
    },
    Setup::Postgres {
        replicas: 2,
        flush: true,
    },
    Setup::Postgres {
        replicas: 1,
        flush: false,
    },
    Setup::Postgres {
        replicas: 2,
        flush: false,
    },
];

/// One configuration's measurement.
struct Measured {
    per_second: f64,
    p50: f64,
    p99: f64,
    ok: u64,
    not_ok: u64,
    rows: i64,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("a configuration stored a different number of moments than it answered 2xx");
            ExitCode::FAILURE
        }
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: &Args) -> Result<bool> {
    ensure!(args.runs > 0 && args.concurrency > 0 && args.requests > 0);
    sqlx::any::install_default_drivers();
    let bot = resolve_bot(&args.bot)?;
    let workdir = create_workdir()?;
    let config = workdir.join("alignbot.toml");
    std::fs::write(&config, CONFIG_TOML)?;
    let server_version: String = {
        let mut conn = sqlx::AnyConnection::connect(&args.postgres_url)
            .await
            .context("connecting to --postgres-url")?;
        sqlx::query_scalar("SHOW server_version")
            .fetch_one(&mut conn)
            .await?
    };
    println!("bot:        {}", bot.display());
    println!("PostgreSQL: {server_version}");
    println!(
        "load:       {} warm-up + {} measured signed /moment requests over {} connections, {} run(s) of each configuration",
        args.warmup, args.requests, args.concurrency, args.runs
    );

    let mut results: Vec<(Setup, Vec<Measured>)> = SETUPS.iter().map(|s| (*s, vec![])).collect();
    for run in 0..args.runs {
        for (i, setup) in SETUPS.iter().enumerate() {
            let m = measure(args, &bot, &workdir, &config, *setup, run).await?;
            println!(
                "run {} · {setup}: {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms, 2xx {}, non-2xx {}, rows {}",
                run + 1,
                m.per_second,
                m.p50,
                m.p99,
                m.ok,
                m.not_ok,
                m.rows
            );
            results[i].1.push(m);
        }
    }

    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!();
    println!(
        "machine: nproc {cpus}, {}; {}",
        cpu_model(),
        chrono::Utc::now().format("%Y-%m-%d %H:%M UTC")
    );
    println!();
    println!(
        "| configuration | req/s (median, min–max) | p50 ms | p99 ms (median, min–max) | non-2xx | rows == 2xx |"
    );
    println!("|---|---|---|---|---|---|");
    let mut all_match = true;
    for (setup, runs) in &results {
        let rate: Vec<f64> = runs.iter().map(|m| m.per_second).collect();
        let p50: Vec<f64> = runs.iter().map(|m| m.p50).collect();
        let p99: Vec<f64> = runs.iter().map(|m| m.p99).collect();
        let matched = runs
            .iter()
            .all(|m| u64::try_from(m.rows).is_ok_and(|r| r == m.ok));
        all_match &= matched;
        println!(
            "| {setup} | {:.0} ({:.0}–{:.0}) | {:.2} | {:.2} ({:.2}–{:.2}) | {} | {} |",
            median(&rate),
            min(&rate),
            max(&rate),
            median(&p50),
            median(&p99),
            min(&p99),
            max(&p99),
            runs.iter().map(|m| m.not_ok).sum::<u64>(),
            if matched { "yes" } else { "NO" }
        );
    }
    let _ = std::fs::remove_dir_all(&workdir);
    Ok(all_match)
}

fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    s[s.len() / 2]
}

fn min(v: &[f64]) -> f64 {
    v.iter().copied().fold(f64::INFINITY, f64::min)
}

fn max(v: &[f64]) -> f64 {
    v.iter().copied().fold(f64::NEG_INFINITY, f64::max)
}

/// One configuration, once: fresh database, replicas up, load, checks.
async fn measure(
    args: &Args,
    bot: &Path,
    workdir: &Path,
    config: &Path,
    setup: Setup,
    run: usize,
) -> Result<Measured> {
    let (database_url, replicas) = match setup {
        Setup::Sqlite => (
            format!(
                "sqlite://{}",
                workdir.join(format!("run{run}.db")).display()
            ),
            1,
        ),
        Setup::Postgres { replicas, flush } => (
            fresh_database(
                &args.postgres_url,
                &format!("bench_replicas_{run}_{replicas}_{}", u8::from(flush)),
                flush,
            )
            .await?,
            replicas,
        ),
    };
    let fake = FakeSlack::start().await?;
    // Started one after the other: the first migrates the empty database.
    let mut bots = Vec::new();
    for n in 0..replicas {
        let mut bot = spawn(bot, workdir, config, &database_url, fake.addr, run, n)?;
        bot.wait_healthy().await?;
        bots.push(bot);
    }
    let addrs: Vec<SocketAddr> = bots.iter().map(|b| b.addr).collect();
    let outcome = load(args, &addrs, fake.addr).await;
    for bot in &mut bots {
        bot.ensure_running()?;
    }
    let outcome = outcome?;
    for bot in bots {
        bot.shutdown().await?;
    }
    fake.stop();
    let rows = count_rows(&database_url).await?;
    if let Setup::Postgres { .. } = setup {
        drop_database(&args.postgres_url, &database_url).await?;
    }
    let mut latencies = outcome.latencies_us;
    latencies.sort_unstable();
    Ok(Measured {
        per_second: args.requests as f64 / outcome.elapsed.as_secs_f64(),
        p50: percentile_ms(&latencies, 50.0),
        p99: percentile_ms(&latencies, 99.0),
        ok: outcome.ok,
        not_ok: outcome.not_ok,
        rows,
    })
}

/// `alignbot serve --no-scheduler` on `database_url`, logging to the
/// workdir; like harness's `Bot::spawn`, for any database.
fn spawn(
    bot: &Path,
    workdir: &Path,
    config: &Path,
    database_url: &str,
    fake_slack: SocketAddr,
    run: usize,
    n: usize,
) -> Result<Bot> {
    let addr = pick_free_addr()?;
    let log_path = workdir.join(format!("bot-{run}-{n}.log"));
    let log = std::fs::File::create(&log_path)?;
    let child = Command::new(bot)
        .arg("--config")
        .arg(config)
        .args(["serve", "--no-scheduler"])
        .env("SLACK_SIGNING_SECRET", SIGNING_SECRET)
        .env("SLACK_BOT_TOKEN", BOT_TOKEN)
        .env("SLACK_API_URL", format!("http://{fake_slack}/api"))
        .env("DATABASE_URL", database_url)
        .env("ALIGNBOT_LISTEN", addr.to_string())
        // Each connection shares as its own person, many times an hour.
        .env("ALIGNBOT_PRIVACY_MOMENTS_PER_HOUR", "0")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::from(log.try_clone()?))
        .stderr(Stdio::from(log))
        .spawn()
        .with_context(|| format!("spawning {}", bot.display()))?;
    Ok(Bot {
        child,
        addr,
        log_path,
        exited: None,
    })
}

/// Creates database `name` on the server (dropping a leftover first),
/// with `synchronous_commit` on or off; returns its URL.
async fn fresh_database(admin: &str, name: &str, flush: bool) -> Result<String> {
    let mut conn = sqlx::AnyConnection::connect(admin).await?;
    conn.execute(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
    )))
    .await?;
    conn.execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .await?;
    let commit = if flush { "on" } else { "off" };
    conn.execute(sqlx::AssertSqlSafe(format!(
        "ALTER DATABASE {name} SET synchronous_commit = {commit}"
    )))
    .await?;
    conn.close().await?;
    let mut url = url::Url::parse(admin).context("--postgres-url is not a URL")?;
    url.set_path(&format!("/{name}"));
    Ok(url.to_string())
}

async fn drop_database(admin: &str, database_url: &str) -> Result<()> {
    let name = url::Url::parse(database_url)?
        .path()
        .trim_start_matches('/')
        .to_owned();
    let mut conn = sqlx::AnyConnection::connect(admin).await?;
    conn.execute(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
    )))
    .await?;
    conn.close().await?;
    Ok(())
}

async fn count_rows(database_url: &str) -> Result<i64> {
    let mut conn = sqlx::AnyConnection::connect(database_url).await?;
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM moments")
        .fetch_one(&mut conn)
        .await
        .context("counting moments")?;
    conn.close().await?;
    Ok(rows)
}

struct Outcome {
    elapsed: Duration,
    latencies_us: Vec<u32>,
    /// 2xx answers, warm-up included (each must be a stored row).
    ok: u64,
    not_ok: u64,
}

/// `concurrency` connections, connection `i` to `addrs[i % len]`: warm-up,
/// then (after a barrier) the measured requests.
async fn load(args: &Args, addrs: &[SocketAddr], fake: SocketAddr) -> Result<Outcome> {
    let workers = usize::try_from(args.concurrency)?;
    let barrier = Arc::new(Barrier::new(workers + 1));
    let share =
        |total: u64, i: u64| total / args.concurrency + u64::from(i < total % args.concurrency);
    let response_url = Arc::new(format!("http://{fake}/hooks/x"));
    let mut tasks = Vec::new();
    for i in 0..args.concurrency {
        let addr = addrs[usize::try_from(i)? % addrs.len()];
        let (warmup, measured) = (share(args.warmup, i), share(args.requests, i));
        let barrier = Arc::clone(&barrier);
        let response_url = Arc::clone(&response_url);
        tasks.push(tokio::spawn(async move {
            let mut sender = connect(addr).await;
            let mut seq = 0;
            let mut latencies = Vec::with_capacity(usize::try_from(measured).unwrap_or(0));
            let (mut ok, mut not_ok) = (0u64, 0u64);
            let mut send = async |seq: u64, latencies: Option<&mut Vec<u32>>| -> Result<()> {
                let Ok(conn) = sender.as_mut() else {
                    bail!("cannot connect to {addr}");
                };
                let request = moment(addr, i, seq, &response_url)?;
                let started = Instant::now();
                match tokio::time::timeout(REQUEST_TIMEOUT, exchange(conn, request)).await {
                    Ok(Ok(status)) if status.is_success() => ok += 1,
                    Ok(Ok(_)) => not_ok += 1,
                    _ => {
                        not_ok += 1;
                        sender = connect(addr).await;
                    }
                }
                if let Some(l) = latencies {
                    l.push(u32::try_from(started.elapsed().as_micros()).unwrap_or(u32::MAX));
                }
                Ok(())
            };
            let mut warmed = Ok(());
            for _ in 0..warmup {
                warmed = warmed.and(send(seq, None).await);
                seq += 1;
            }
            barrier.wait().await;
            warmed?;
            for _ in 0..measured {
                send(seq, Some(&mut latencies)).await?;
                seq += 1;
            }
            anyhow::Ok((latencies, ok, not_ok))
        }));
    }
    barrier.wait().await;
    let started = Instant::now();
    let mut outcome = Outcome {
        elapsed: Duration::ZERO,
        latencies_us: Vec::new(),
        ok: 0,
        not_ok: 0,
    };
    for task in tasks {
        let (latencies, ok, not_ok) = task.await??;
        outcome.latencies_us.extend(latencies);
        outcome.ok += ok;
        outcome.not_ok += not_ok;
    }
    outcome.elapsed = started.elapsed();
    Ok(outcome)
}

/// A freshly signed `/moment` from connection `worker`'s person.
fn moment(
    addr: SocketAddr,
    worker: u64,
    seq: u64,
    response_url: &str,
) -> Result<Request<Full<Bytes>>> {
    let user = format!("U0BENCH{worker}");
    let text = format!(
        "Bench story {worker}-{seq}: a patient's family thanked the night shift for staying late."
    );
    let body = serde_urlencoded::to_string([
        ("token", "x"),
        ("team_id", "T0BENCH"),
        ("channel_id", "C0RANDOM"),
        ("user_id", user.as_str()),
        ("command", "/moment"),
        ("text", text.as_str()),
        ("response_url", response_url),
        ("trigger_id", "1.2.3"),
    ])?;
    let ts = unix_now_secs().to_string();
    let signature = sign(&ts, &body);
    Ok(Request::builder()
        .method(Method::POST)
        .uri("/slack/commands")
        .header(header::HOST, addr.to_string())
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("x-slack-request-timestamp", ts)
        .header("x-slack-signature", signature)
        .body(Full::from(body))?)
}
