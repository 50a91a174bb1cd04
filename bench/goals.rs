//! `bench-goals`: the goals and alignment report at organization scale.
//!
//! What is measured: with 200 teams, 10 pillars, 5,000 goals and 100,000
//! check-ins (plus 400 proposals with supporters), the server-side latency of
//! signed `/goal list all page:<n>` and `/align status` slash commands against
//! the release build of the real bot on loopback (one keep-alive connection,
//! requests one after another, so each latency is one request alone), and the
//! size and build time of the largest Home tab (the person with the most
//! goals), rendered by the bot's own code in this process.
//!
//! The data generator writes straight into the bot's database after
//! `alignbot migrate`, with the same JSON for goal measures that the bot
//! writes (it serializes `GoalKind` from the library).
//!
//! Reproduce: `cargo build --release --bins && cargo run --release --bin bench-goals`

#[path = "harness.rs"]
mod harness;
use harness::*;

use alignbot::domain::goal::{GoalKind, Unit};
use anyhow::{Context, Result, ensure};
use clap::Parser;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{Method, Request};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection, QueryBuilder, Sqlite};
use std::path::Path;
use std::process::{Command, ExitCode};
use std::time::Instant;

#[derive(Debug, Parser)]
#[command(about = "Goals, /goal list all and /align status at organization scale")]
struct Args {
    #[arg(long, default_value_t = 200)]
    teams: usize,
    #[arg(long, default_value_t = 10)]
    pillars: usize,
    #[arg(long, default_value_t = 5000)]
    goals: usize,
    #[arg(long = "check-ins", default_value_t = 100_000)]
    check_ins: usize,
    /// Requests per measured command.
    #[arg(long, default_value_t = 300)]
    requests: usize,
    #[arg(long, default_value = "target/release/alignbot")]
    bot: std::path::PathBuf,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("bench-goals failed: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Fills the database: goals spread over teams and pillars (a few pillars
/// per team, so the report has gaps to show), check-ins spread over the
/// year, and proposals with supporters.
async fn generate(db: &Path, args: &Args, now_ms: i64) -> Result<()> {
    let mut conn = SqliteConnectOptions::new().filename(db).connect().await?;
    let mut tx = conn.begin().await?;
    let kind = serde_json::to_string(&GoalKind::Numeric {
        start: 0.0,
        target: 100.0,
        unit: Unit::Suffix("pts".into()),
    })?;
    let per_goal = args.check_ins / args.goals.max(1);
    let confidences = ["on-track", "on-track", "at-risk", "off-track"];
    for chunk in (0..args.goals).collect::<Vec<_>>().chunks(500) {
        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT INTO goals (id, title, pillar_key, team_key, owner, plan_year, kind, status, current_value, confidence, \
             progress, checked_in_at, created_by, created_at, updated_at) ",
        );
        q.push_values(chunk, |mut row, &i| {
            let team = i % args.teams;
            let pillar = (i / args.teams + team) % args.pillars / 2 * 2 % args.pillars;
            let value = (i * 7 % 100) as f64;
            row.push_bind(i as i64 + 1)
                .push_bind(format!("Goal {i}: improve something that matters"))
                .push_bind(format!("pillar-{pillar:02}"))
                .push_bind(format!("team-{team:03}"))
                .push_bind(harness::person(team, i % 10))
                .push_bind(2026_i64)
                .push_bind(kind.clone())
                .push_bind("active")
                .push_bind(value)
                .push_bind(confidences[i % 4])
                .push_bind(value / 100.0)
                .push_bind(now_ms - (i as i64 % 60) * 86_400_000)
                .push_bind(harness::person(team, 0))
                .push_bind(now_ms - 300 * 86_400_000)
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
                .push_bind((k * 5) as f64)
                .push_bind(confidences[(goal + k) % 4])
                .push_bind(format!("Check-in {k}"))
                .push_bind(harness::person(goal % args.teams, goal % 10))
                .push_bind(now_ms - ((per_goal - k) as i64) * 14 * 86_400_000);
        });
        q.build().execute(&mut *tx).await?;
    }
    for t in 0..args.teams {
        for p in 0..2 {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO proposals (title, pillar_key, team_key, proposer, plan_year, kind, status, created_at) \
                 VALUES (?, ?, ?, ?, 2026, ?, 'open', ?) RETURNING id",
            )
            .bind(format!("Proposal {p} of team {t}"))
            .bind(format!("pillar-{:02}", p % args.pillars))
            .bind(format!("team-{t:03}"))
            .bind(harness::person(t, 1 + p))
            .bind(&kind)
            .bind(now_ms)
            .fetch_one(&mut *tx)
            .await?;
            for s in 3..6 {
                sqlx::query("INSERT INTO proposal_supports (proposal_id, person_id, created_at) VALUES (?, ?, ?)")
                    .bind(id)
                    .bind(harness::person(t, s))
                    .bind(now_ms)
                    .execute(&mut *tx)
                    .await?;
            }
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Sends `count` signed slash commands produced by `text(i)`, one after
/// another on one connection; returns sorted latencies in microseconds.
async fn measure(
    bot: std::net::SocketAddr,
    command: &str,
    count: usize,
    text: impl Fn(usize) -> String,
) -> Result<Vec<u32>> {
    let mut sender = connect(bot).await?;
    let mut latencies = Vec::with_capacity(count);
    for i in 0..count {
        let body = serde_urlencoded::to_string([
            ("team_id", "T0BENCH"),
            ("channel_id", "C0GENERAL"),
            ("user_id", "U0ADMIN"),
            ("command", command),
            ("text", &text(i)),
            ("trigger_id", "1.2.3"),
        ])?;
        let ts = unix_now_secs().to_string();
        let signature = sign(&ts, &body);
        let request = Request::builder()
            .method(Method::POST)
            .uri("/slack/commands")
            .header("host", bot.to_string())
            .header("content-type", "application/x-www-form-urlencoded")
            .header("x-slack-request-timestamp", ts)
            .header("x-slack-signature", signature)
            .body(Full::new(Bytes::from(body)))?;
        let started = Instant::now();
        sender.ready().await?;
        let response = sender.send_request(request).await?;
        let status = response.status();
        let body = response.into_body().collect().await?.to_bytes();
        latencies.push(started.elapsed().as_micros().min(u128::from(u32::MAX)) as u32);
        ensure!(status.is_success(), "{command} {}: HTTP {status}", text(i));
        let json: serde_json::Value = serde_json::from_slice(&body).context("reply is JSON")?;
        let blocks = json["blocks"].as_array().map_or(0, Vec::len);
        ensure!(blocks > 0 && blocks <= 50, "{command}: {blocks} blocks");
    }
    latencies.sort_unstable();
    Ok(latencies)
}

/// The heaviest Home tab: built and rendered by the bot's code in-process.
async fn home_tab(config: &Path, db: &Path, person: &str) -> Result<(usize, f64)> {
    use alignbot::clock::{SharedClock, SystemClock};
    let database_url = format!("sqlite://{}", db.display());
    let env = move |name: &str| match name {
        "DATABASE_URL" => Some(database_url.clone()),
        _ => None,
    };
    let settings = alignbot::config::Settings::load(Some(config), &env)?;
    let clock: SharedClock = std::sync::Arc::new(SystemClock);
    let (_store, ctx) = alignbot::startup::prepare_store(&settings, &clock).await?;
    let person = alignbot::domain::PersonId::parse(person)?;
    let started = Instant::now();
    let data = alignbot::app::home::load(&ctx, person).await?;
    let view = alignbot::slack::render::home::view(&data);
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    let json = serde_json::to_value(&view)?;
    Ok((json["blocks"].as_array().map_or(0, Vec::len), ms))
}

fn summary(name: &str, us: &[u32]) -> String {
    format!(
        "| {name} | {} | {:.2} | {:.2} | {:.2} |",
        us.len(),
        percentile_ms(us, 50.0),
        percentile_ms(us, 99.0),
        percentile_ms(us, 100.0)
    )
}

async fn run(args: &Args) -> Result<bool> {
    let bot_path = resolve_bot(&args.bot)?;
    let workdir = create_workdir()?;
    let config_path = workdir.join("alignbot.toml");
    std::fs::write(&config_path, harness::org_config(args.pillars, args.teams))?;
    let db = workdir.join("bench.db");
    let migrated = Command::new(&bot_path)
        .arg("--config")
        .arg(&config_path)
        .arg("migrate")
        .env("DATABASE_URL", format!("sqlite://{}", db.display()))
        .env("RUST_LOG", "warn")
        .status()?;
    ensure!(migrated.success(), "alignbot migrate failed");
    let now_ms = (unix_now_secs() as i64) * 1000;
    let started = Instant::now();
    generate(&db, args, now_ms).await?;
    println!(
        "generated:  {} teams, {} pillars, {} goals, {} check-ins, {} proposals in {:.1} s",
        args.teams,
        args.pillars,
        args.goals,
        args.goals * (args.check_ins / args.goals.max(1)),
        args.teams * 2,
        started.elapsed().as_secs_f64()
    );

    let fake = FakeSlack::start().await?;
    let mut bot = Bot::spawn(&bot_path, &workdir, &config_path, fake.addr)?;
    bot.wait_healthy().await?;
    let pages = args.goals.div_ceil(15).max(1);
    let list = measure(bot.addr, "/goal", args.requests, |i| {
        format!("list all page:{}", i % pages + 1)
    })
    .await?;
    let status = measure(bot.addr, "/align", args.requests, |_| "status".to_owned()).await?;
    let rss = bot.peak_rss_kb();
    let exit = bot.shutdown().await?;
    fake.stop();
    let (blocks, home_ms) = home_tab(&config_path, &db, &harness::person(0, 0)).await?;

    let ok =
        percentile_ms(&list, 99.0) < 50.0 && percentile_ms(&status, 99.0) < 50.0 && blocks <= 100;
    println!("bot exit:   {exit}");
    println!(
        "peak RSS:   {}",
        rss.map_or("n/a".to_owned(), |kb| format!(
            "{:.1} MB",
            kb as f64 / 1024.0
        ))
    );
    println!(
        "machine:    nproc {}, {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        cpu_model()
    );
    println!();
    println!("| command | requests | p50 ms | p99 ms | max ms |");
    println!("|---|---|---|---|---|");
    println!(
        "{}",
        summary("`/goal list all page:<n>` (15 per page)", &list)
    );
    println!("{}", summary("`/align status`", &status));
    println!();
    println!(
        "Home tab of {} (most goals): {blocks} blocks (limit 100), loaded and rendered in {home_ms:.1} ms",
        harness::person(0, 0)
    );
    println!(
        "targets met (p99 < 50 ms, Home ≤ 100 blocks): {}",
        if ok { "yes" } else { "no" }
    );
    let _ = std::fs::remove_dir_all(&workdir);
    Ok(ok)
}
