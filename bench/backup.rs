//! `bench-backup`: `alignbot backup` of a 1 GB database, quiet and under
//! write load.
//!
//! What is measured: a database of about `--size-mb` MB (moments with
//! 1 KB stories, each with its outbox row, as the app writes them) is built
//! with the real migrations; then the release `alignbot backup` binary is
//! run as a child process twice: once on the quiet database and once while
//! this process keeps committing shares (a moment and its outbox row per
//! transaction). For each run: wall time, MB/s, the child's peak RSS
//! (`VmHWM`, sampled every 5 ms until it exits), and a consistency check
//! of the copy (as many moments as outbox rows, `quick_check` ok).
//!
//! Reproduce: `cargo build --release && cargo run --release --bin bench-backup`
//! (`--size-mb`, `--bot`).

#[path = "harness.rs"]
mod harness;

use anyhow::{Context, Result, ensure};
use clap::Parser;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, SqlitePool};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

#[derive(Debug, Parser)]
#[command(about = "alignbot backup of a large database, quiet and under write load")]
struct Args {
    /// Size of the database to back up, in MB.
    #[arg(long, default_value_t = 1024)]
    size_mb: u64,
    /// The release binary to run.
    #[arg(long, default_value = "target/release/alignbot")]
    bot: PathBuf,
}

const STORY: usize = 1_000;

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let bot = harness::resolve_bot(&args.bot)?;
    let dir = harness::create_workdir()?;
    let db = dir.join("live.db");
    let url = format!("sqlite://{}", db.display());

    let started = Instant::now();
    let status = Command::new(&bot)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("DATABASE_URL", &url)
        .env("RUST_LOG", "warn")
        .arg("migrate")
        .status()?;
    ensure!(status.success(), "migrate failed");
    let rows = seed(&url, args.size_mb).await?;
    let size = std::fs::metadata(&db)?.len();
    println!(
        "seeded {rows} moments + outbox rows, {:.0} MB, in {:.1} s",
        size as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );

    let pool = open(&url, 4).await?;
    let quiet = run_backup(&bot, &url, &dir.join("quiet.db")).await?;
    report("quiet", size, &quiet);

    let stop = Arc::new(AtomicBool::new(false));
    let written = Arc::new(AtomicU64::new(0));
    let writer = {
        let (pool, stop, written) = (pool.clone(), stop.clone(), written.clone());
        tokio::spawn(async move {
            let mut n = 0u64;
            while !stop.load(Ordering::Relaxed) {
                share(&pool, n).await?;
                n += 1;
                written.store(n, Ordering::Relaxed);
            }
            anyhow::Ok(n)
        })
    };
    let loaded = run_backup(&bot, &url, &dir.join("loaded.db")).await?;
    stop.store(true, Ordering::Relaxed);
    let shares = writer.await??;
    report("under write load", size, &loaded);
    println!(
        "  the writer committed {shares} shares during the backup ({:.0}/s)",
        shares as f64 / loaded.seconds
    );
    let copy = open(&format!("sqlite://{}", dir.join("loaded.db").display()), 1).await?;
    let (moments, outbox): (i64, i64) =
        sqlx::query_as("SELECT (SELECT COUNT(*) FROM moments), (SELECT COUNT(*) FROM outbox)")
            .fetch_one(&copy)
            .await?;
    ensure!(
        moments == outbox,
        "inconsistent copy: {moments} vs {outbox}"
    );
    println!("  copy consistent: {moments} moments, {outbox} outbox rows");
    copy.close().await;
    pool.close().await;
    std::fs::remove_dir_all(&dir).ok();
    Ok(())
}

struct Run {
    seconds: f64,
    peak_rss_kb: u64,
    stdout: String,
}

fn report(label: &str, size: u64, run: &Run) {
    println!(
        "backup {label}: {:.1} s, {:.0} MB/s, peak RSS {:.1} MB — {}",
        run.seconds,
        size as f64 / 1e6 / run.seconds,
        run.peak_rss_kb as f64 / 1024.0,
        run.stdout.trim()
    );
}

async fn run_backup(bot: &Path, url: &str, target: &Path) -> Result<Run> {
    let started = Instant::now();
    let mut child = Command::new(bot)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("DATABASE_URL", url)
        .env("RUST_LOG", "warn")
        .arg("backup")
        .arg(target)
        .stdout(std::process::Stdio::piped())
        .spawn()?;
    let pid = child.id();
    let mut peak = 0;
    let status = loop {
        if let Some(kb) = vm_hwm(pid) {
            peak = peak.max(kb);
        }
        if let Some(status) = child.try_wait()? {
            break status;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    let seconds = started.elapsed().as_secs_f64();
    let mut stdout = String::new();
    if let Some(mut out) = child.stdout.take() {
        use std::io::Read;
        out.read_to_string(&mut stdout)?;
    }
    ensure!(status.success(), "backup failed: {status}");
    Ok(Run {
        seconds,
        peak_rss_kb: peak,
        stdout,
    })
}

fn vm_hwm(pid: u32) -> Option<u64> {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|r| r.split_whitespace().next())
        .and_then(|kb| kb.parse().ok())
}

async fn open(url: &str, connections: u32) -> Result<SqlitePool> {
    let options = SqliteConnectOptions::from_str(url)?
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(30))
        .disable_statement_logging();
    Ok(SqlitePoolOptions::new()
        .max_connections(connections)
        .connect_with(options)
        .await?)
}

/// Fills the database to about `size_mb` with 10,000-row transactions.
async fn seed(url: &str, size_mb: u64) -> Result<u64> {
    let pool = open(url, 1).await?;
    let story: String = "a mission moment story ".repeat(STORY / 23 + 1)[..STORY].to_owned();
    let target_rows = size_mb * 1_000_000 / (STORY as u64 + 200);
    let mut done = 0u64;
    while done < target_rows {
        let mut tx = pool.begin().await?;
        for _ in 0..10_000 {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO moments (author, story, audience, status, channel, ts, created_at, updated_at) \
                 VALUES ('U0NURSE1', ?, 'channel', 'shared', 'C0MOMENTS', ?, ?, ?) RETURNING id",
            )
            .bind(&story)
            .bind(format!("{done}.000100"))
            .bind(done as i64)
            .bind(done as i64)
            .fetch_one(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO outbox (lane, payload, status, next_attempt_at, created_at, finished_at) \
                 VALUES ('C0MOMENTS', ?, 'sent', 0, 0, 0)",
            )
            .bind(format!("{{\"PostMoment\":{{\"moment\":{id}}}}}"))
            .execute(&mut *tx)
            .await?;
            done += 1;
        }
        tx.commit().await.context("seeding")?;
    }
    pool.close().await;
    Ok(done)
}

/// One share as the app writes it: a moment and its outbox row together.
async fn share(pool: &SqlitePool, n: u64) -> Result<()> {
    let mut tx = pool.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO moments (author, story, audience, status, created_at, updated_at) \
         VALUES ('U0NURSE2', ?, 'channel', 'shared', ?, ?) RETURNING id",
    )
    .bind(format!("written during the backup {n}"))
    .bind(n as i64)
    .bind(n as i64)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO outbox (lane, payload, status, next_attempt_at, created_at) VALUES ('C0MOMENTS', ?, 'pending', 0, 0)",
    )
    .bind(format!("{{\"PostMoment\":{{\"moment\":{id}}}}}"))
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}
