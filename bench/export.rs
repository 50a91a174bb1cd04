//! `bench-export`: `alignbot export` of 100,000 check-ins.
//!
//! What is measured: with 200 teams, 10 pillars, 5,000 goals, 100,000
//! check-ins (notes with commas and quotes, so CSV quoting is exercised),
//! 12 months of priorities for every team and 5,000 moments with reactions
//! and recognitions, the wall time of the export in CSV and in JSON, rows
//! per second, the size of each file, and the peak resident set size
//! (`VmHWM`) of the process that ran it.
//!
//! Each export runs in a fresh child process (this binary, re-executed with
//! `--child`) that does nothing but call `alignbot::cli::export`, the same
//! function `alignbot export` runs, so its `VmHWM` is the export's own peak
//! and not the data generator's.
//!
//! Reproduce: `cargo run --release --bin bench-export`

#[path = "harness.rs"]
mod harness;
use harness::*;

use alignbot::clock::{SharedClock, SystemClock};
use alignbot::domain::goal::{GoalKind, Unit};
use anyhow::{Context, Result, bail, ensure};
use clap::Parser;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection, QueryBuilder, Sqlite};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::sync::Arc;
use std::time::Instant;

#[derive(Debug, Parser)]
#[command(about = "alignbot export of 100,000 check-ins: time, rows/s, file sizes, peak RSS")]
struct Args {
    #[arg(long, default_value_t = 200)]
    teams: usize,
    #[arg(long, default_value_t = 10)]
    pillars: usize,
    #[arg(long, default_value_t = 5000)]
    goals: usize,
    #[arg(long = "check-ins", default_value_t = 100_000)]
    check_ins: usize,
    #[arg(long, default_value_t = 5000)]
    moments: usize,
    /// Internal: run one export in this process and report on stdout.
    #[arg(long, hide = true, num_args = 4, value_names = ["FORMAT", "CONFIG", "DB", "OUT"])]
    child: Option<Vec<String>>,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let result = match &args.child {
        Some(child) => run_child(child).await.map(|()| true),
        None => run(&args).await,
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("bench-export failed: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn settings(config: &Path, db: &Path) -> Result<alignbot::config::Settings> {
    let database_url = format!("sqlite://{}", db.display());
    let env = move |name: &str| match name {
        "DATABASE_URL" => Some(database_url.clone()),
        _ => None,
    };
    Ok(alignbot::config::Settings::load(Some(config), &env)?)
}

/// Fills the database with multi-row INSERTs in one transaction.
async fn generate(db: &Path, args: &Args, now_ms: i64) -> Result<()> {
    const DAY: i64 = 86_400_000;
    let mut conn = SqliteConnectOptions::new().filename(db).connect().await?;
    let mut tx = conn.begin().await?;
    let kind = serde_json::to_string(&GoalKind::Numeric {
        start: 45.0,
        target: 30.0,
        unit: Unit::Suffix("min".into()),
    })?;
    let per_goal = args.check_ins / args.goals.max(1);
    let confidences = ["on-track", "on-track", "at-risk", "off-track"];
    for chunk in (0..args.goals).collect::<Vec<_>>().chunks(500) {
        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT INTO goals (id, title, pillar_key, team_key, owner, plan_year, kind, due_date, status, \
             current_value, confidence, progress, checked_in_at, created_by, created_at, updated_at) ",
        );
        q.push_values(chunk, |mut row, &i| {
            let team = i % args.teams;
            row.push_bind(i as i64 + 1)
                .push_bind(format!("Goal {i}: cut \"wait\" times, then keep them down"))
                .push_bind(format!("pillar-{:02}", i % args.pillars))
                .push_bind(format!("team-{team:03}"))
                .push_bind(harness::person(team, i % 10))
                .push_bind(2026_i64)
                .push_bind(kind.clone())
                .push_bind("2026-06-30")
                .push_bind("active")
                .push_bind(38.5)
                .push_bind(confidences[i % 4])
                .push_bind(0.433)
                .push_bind(now_ms - DAY)
                .push_bind(harness::person(team, 0))
                .push_bind(now_ms - 300 * DAY)
                .push_bind(now_ms);
        });
        q.build().execute(&mut *tx).await?;
    }
    let rows: Vec<usize> = (0..args.goals * per_goal).collect();
    for chunk in rows.chunks(2000) {
        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT INTO check_ins (goal_id, value, confidence, note, author, created_at) ",
        );
        q.push_values(chunk, |mut row, &n| {
            let goal = n / per_goal;
            let k = n % per_goal;
            row.push_bind(goal as i64 + 1)
                .push_bind(45.0 - k as f64 * 0.5)
                .push_bind(confidences[(goal + k) % 4])
                .push_bind(format!(
                    "Week {k}: triage nurse back, \"fast track\" open; -{k} min"
                ))
                .push_bind(harness::person(goal % args.teams, goal % 10))
                .push_bind(now_ms - ((per_goal - k) as i64) * 3 * DAY);
        });
        q.build().execute(&mut *tx).await?;
    }
    for t in 0..args.teams {
        for m in 1..=12 {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO priorities (team_key, period, author, published_at) VALUES (?, ?, ?, ?) RETURNING id",
            )
            .bind(format!("team-{t:03}"))
            .bind(format!("2026-{m:02}"))
            .bind(harness::person(t, 0))
            .bind(now_ms)
            .fetch_one(&mut *tx)
            .await?;
            let mut q = QueryBuilder::<Sqlite>::new(
                "INSERT INTO priority_items (priority_id, position, text, goal_id) ",
            );
            q.push_values(0..3, |mut row, p| {
                row.push_bind(id)
                    .push_bind(p)
                    .push_bind(format!("Priority {p} of month {m}, team {t}"))
                    .push_bind((p == 0).then_some(t as i64 + 1));
            });
            q.build().execute(&mut *tx).await?;
        }
    }
    for chunk in (0..args.moments).collect::<Vec<_>>().chunks(500) {
        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT INTO moments (id, author, story, pillar_key, audience, status, channel, ts, created_at, updated_at) ",
        );
        q.push_values(chunk, |mut row, &i| {
            row.push_bind(i as i64 + 1)
                .push_bind(harness::person(i % args.teams, 1 + i % 9))
                .push_bind(format!(
                    "A patient said \"thank you\" to team {}, twice.\nWe framed it.",
                    i % args.teams
                ))
                .push_bind(format!("pillar-{:02}", i % args.pillars))
                .push_bind("channel")
                .push_bind("shared")
                .push_bind("C0MOMENTS")
                .push_bind(format!("1700000000.{i:06}"))
                .push_bind(now_ms - (i as i64 % 300) * DAY)
                .push_bind(now_ms);
        });
        q.build().execute(&mut *tx).await?;
        let mut q =
            QueryBuilder::<Sqlite>::new("INSERT INTO moment_recognitions (moment_id, person_id) ");
        q.push_values(chunk, |mut row, &i| {
            row.push_bind(i as i64 + 1)
                .push_bind(harness::person(i % args.teams, 0));
        });
        q.build().execute(&mut *tx).await?;
        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT INTO moment_reactions (moment_id, person_id, reaction, created_at) ",
        );
        let reactions: Vec<(usize, usize)> = chunk
            .iter()
            .flat_map(|&i| (0..3).map(move |r| (i, r)))
            .collect();
        q.push_values(reactions, |mut row, (i, r)| {
            row.push_bind(i as i64 + 1)
                .push_bind(harness::person(i % args.teams, 1 + r))
                .push_bind("heart")
                .push_bind(now_ms);
        });
        q.build().execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

fn peak_rss_kb() -> Option<u64> {
    std::fs::read_to_string("/proc/self/status")
        .ok()?
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|kb| kb.parse().ok())
}

/// The child: one export, then `elapsed_ms peak_kb` on the last line.
async fn run_child(child: &[String]) -> Result<()> {
    let [format, config, db, out] = child else {
        bail!("--child takes FORMAT CONFIG DB OUT");
    };
    let settings = settings(Path::new(config), Path::new(db))?;
    let clock: SharedClock = Arc::new(SystemClock);
    let started = Instant::now();
    alignbot::cli::export(&settings, clock, format, Path::new(out), None, true)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let elapsed = started.elapsed().as_secs_f64() * 1000.0;
    println!("{elapsed:.1} {}", peak_rss_kb().unwrap_or(0));
    Ok(())
}

struct Measured {
    elapsed_ms: f64,
    peak_kb: u64,
    files: Vec<(String, u64, u64)>,
}

fn measure(format: &str, config: &Path, db: &Path, out: &Path) -> Result<Measured> {
    let exe = std::env::current_exe()?;
    let output = Command::new(exe)
        .arg("--child")
        .args([format])
        .arg(config)
        .arg(db)
        .arg(out)
        .env("RUST_LOG", "warn")
        .output()
        .context("running the export child")?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    ensure!(
        output.status.success(),
        "export child failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut files = Vec::new();
    let mut last = None;
    for line in stdout.lines() {
        // "   100000 rows  /path/check_ins.csv" or the final "ms kb".
        if let Some((rows, path)) = line.trim().split_once(" rows  ") {
            let size = std::fs::metadata(path)?.len();
            let name = Path::new(path)
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
            files.push((name, rows.trim().parse()?, size));
        } else {
            last = Some(line.to_owned());
        }
    }
    let last = last.context("no measurement line")?;
    let (ms, kb) = last.split_once(' ').context("bad measurement line")?;
    Ok(Measured {
        elapsed_ms: ms.parse()?,
        peak_kb: kb.parse()?,
        files,
    })
}

async fn run(args: &Args) -> Result<bool> {
    let workdir = create_workdir()?;
    let config_path = workdir.join("alignbot.toml");
    std::fs::write(&config_path, harness::org_config(args.pillars, args.teams))?;
    let db = workdir.join("bench.db");
    {
        let settings = settings(&config_path, &db)?;
        let clock: SharedClock = Arc::new(SystemClock);
        let (store, _ctx) = alignbot::startup::prepare_store(&settings, &clock).await?;
        store.close().await;
    }
    let now_ms = (unix_now_secs() as i64) * 1000;
    let started = Instant::now();
    generate(&db, args, now_ms).await?;
    let check_ins = args.goals * (args.check_ins / args.goals.max(1));
    println!(
        "generated:  {} teams, {} pillars, {} goals, {check_ins} check-ins, {} priority items, {} moments in {:.1} s",
        args.teams,
        args.pillars,
        args.goals,
        args.teams * 12 * 3,
        args.moments,
        started.elapsed().as_secs_f64()
    );
    println!(
        "database:   {:.1} MB",
        std::fs::metadata(&db)?.len() as f64 / 1e6
    );
    println!(
        "machine:    nproc {}, {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        cpu_model()
    );
    println!();
    println!(
        "| format | rows | total s | rows/s | check_ins file MB | all files MB | peak RSS MB |"
    );
    println!("|---|---|---|---|---|---|---|");
    let mut ok = true;
    let mut details = String::new();
    for format in ["csv", "json"] {
        let out: PathBuf = workdir.join(format!("out-{format}"));
        let m = measure(format, &config_path, &db, &out)?;
        let rows: u64 = m.files.iter().map(|(_, r, _)| r).sum();
        let bytes: u64 = m.files.iter().map(|(_, _, b)| b).sum();
        let check_in_file = m
            .files
            .iter()
            .find(|(n, _, _)| n.starts_with("check_ins"))
            .context("no check-ins file")?;
        ok &= check_in_file.1 == check_ins as u64;
        println!(
            "| {format} | {rows} | {:.2} | {:.0} | {:.1} | {:.1} | {:.1} |",
            m.elapsed_ms / 1000.0,
            rows as f64 / (m.elapsed_ms / 1000.0),
            check_in_file.2 as f64 / 1e6,
            bytes as f64 / 1e6,
            m.peak_kb as f64 / 1024.0
        );
        for (name, rows, size) in &m.files {
            let _ = writeln!(
                details,
                "  {name:<16} {rows:>7} rows {:>8.2} MB",
                *size as f64 / 1e6
            );
        }
    }
    println!();
    print!("{details}");
    println!(
        "every check-in exported in both formats: {}",
        if ok { "yes" } else { "no" }
    );
    let _ = std::fs::remove_dir_all(&workdir);
    Ok(ok)
}
