//! `bench-nudges`: a moments nudge to 10,000 people.
//!
//! What is measured: with 100 teams of 100 people, the time to plan and
//! enqueue `moments-nudge` (one claimed run, 10,000 outbox rows in one
//! transaction), then the delivery of every DM through the real worker and
//! Slack client to a fake Slack that enforces Slack's limits: one message per
//! second per channel, and a workspace-wide cap on `chat.postMessage` per
//! second (both answered with 429 + Retry-After when exceeded). It counts
//! the people reached, duplicates (a DM channel receiving the nudge twice)
//! and 429 answers, and reads this process's peak RSS (bot code and fake
//! Slack together; the fake is small).
//!
//! With `--replicas N` the delivery is not this process's: the rows are
//! enqueued here, then N `alignbot serve --no-scheduler` processes (the
//! release build, `--bot`) deliver them, sharing the pace through the
//! database; with `--database-url postgres://…` (an empty database) that is
//! several replicas on one PostgreSQL. The fake reports the most posts it
//! accepted in any one second (across the replicas): the bot's pace is a
//! strict sliding window, so with the pace under the fake's limit that is at
//! most the pace and no call is answered 429.
//!
//! Reproduce: `cargo run --release --bin bench-nudges` (about two minutes at
//! the default pace of 80 messages per second); two replicas on PostgreSQL:
//! `bench/replicas.sh` (or `target/release/bench-nudges --replicas 2
//! --database-url postgres://…/empty_db`); the three side by side, repeated:
//! `bench/pace.sh`.

use alignbot::app::jobs::{self, Job, Trigger};
use alignbot::clock::{SharedClock, SystemClock};
use alignbot::config::Settings;
use alignbot::delivery::Worker;
use alignbot::domain::period::Month;
use alignbot::slack::client::{SlackTransport, build_client};
use alignbot::startup::prepare_store;
use alignbot::store::outbox;
use anyhow::{Context, Result, ensure};
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use clap::Parser;
use std::collections::{HashMap, VecDeque};
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use std::time::Instant;

#[derive(Debug, Parser)]
#[command(about = "A moments nudge to 10,000 people against a rate-limited fake Slack")]
struct Args {
    #[arg(long, default_value_t = 100)]
    teams: usize,
    #[arg(long, default_value_t = 100)]
    team_size: usize,
    /// The bot's workspace pace (delivery.max_per_second).
    #[arg(long, default_value_t = 80)]
    pace: usize,
    /// The fake Slack's workspace limit for chat.postMessage per second.
    #[arg(long, default_value_t = 100)]
    slack_limit: usize,
    /// The database (empty, or a fresh SQLite file by default).
    #[arg(long)]
    database_url: Option<String>,
    /// 0: this process delivers; N: N `serve` processes of `--bot` do.
    #[arg(long, default_value_t = 0)]
    replicas: usize,
    /// The bot binary the replicas run (the release build).
    #[arg(long, default_value = "target/release/alignbot")]
    bot: std::path::PathBuf,
}

#[derive(Default)]
struct Limits {
    window: VecDeque<Instant>,
    last_by_channel: HashMap<String, Instant>,
    delivered: HashMap<String, usize>,
    /// When each accepted post arrived.
    accepted: Vec<Instant>,
    rate_limited: usize,
    next_ts: u64,
}

#[derive(Clone)]
struct Fake {
    limits: Arc<Mutex<Limits>>,
    per_second: usize,
}

fn json(status: StatusCode, body: String) -> Response {
    let mut r = (status, body).into_response();
    r.headers_mut()
        .insert("content-type", HeaderValue::from_static("application/json"));
    r
}

async fn post_message(State(fake): State<Fake>, body: Bytes) -> Response {
    let request: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    let channel = request["channel"].as_str().unwrap_or("").to_owned();
    let now = Instant::now();
    let mut l = fake.limits.lock().expect("lock");
    while l
        .window
        .front()
        .is_some_and(|t| now.duration_since(*t).as_secs_f64() >= 1.0)
    {
        l.window.pop_front();
    }
    let channel_busy = l
        .last_by_channel
        .get(&channel)
        .is_some_and(|t| now.duration_since(*t).as_secs_f64() < 1.0);
    if l.window.len() >= fake.per_second || channel_busy {
        l.rate_limited += 1;
        let mut r = json(
            StatusCode::TOO_MANY_REQUESTS,
            r#"{"ok":false,"error":"ratelimited"}"#.into(),
        );
        r.headers_mut()
            .insert("retry-after", HeaderValue::from_static("1"));
        return r;
    }
    l.window.push_back(now);
    l.accepted.push(now);
    l.last_by_channel.insert(channel.clone(), now);
    *l.delivered.entry(channel.clone()).or_default() += 1;
    l.next_ts += 1;
    let ts = format!("1700000000.{:06}", l.next_ts);
    json(
        StatusCode::OK,
        format!(
            r#"{{"ok":true,"channel":"{channel}","ts":"{ts}","message":{{"type":"message","text":"x","ts":"{ts}"}}}}"#
        ),
    )
}

fn config(args: &Args) -> String {
    let mut c = String::from(
        "[org]\nname = \"Bench\"\nmission = \"Every patient leaves healthier and heard.\"\ntimezone = \"America/New_York\"\n\
         moments_channel = \"C0MOMENTS\"\nleadership_channel = \"C0LEADERS\"\nadmins = [\"U0ADMIN\"]\n\n\
         [[pillars]]\nkey = \"patient-care\"\nname = \"Patient care\"\n",
    );
    let _ = write!(
        c,
        "\n[delivery]\nmax_per_second = {}\nmax_in_flight = 16\n",
        args.pace
    );
    for t in 0..args.teams {
        let people: Vec<String> = (1..args.team_size)
            .map(|n| format!("\"U0T{t:03}P{n:03}\""))
            .collect();
        let _ = write!(
            c,
            "\n[[teams]]\nkey = \"team-{t:03}\"\nname = \"Team {t:03}\"\nchannel = \"C0T{t:03}\"\nleaders = [\"U0T{t:03}L\"]\nmembers = [{}]\n",
            people.join(", ")
        );
    }
    c
}

/// The most timestamps within any window of one second.
fn busiest_second(times: &[Instant]) -> usize {
    let mut sorted = times.to_vec();
    sorted.sort_unstable();
    let mut start = 0;
    let mut most = 0;
    for end in 0..sorted.len() {
        while sorted[end].duration_since(sorted[start]).as_secs_f64() >= 1.0 {
            start += 1;
        }
        most = most.max(end + 1 - start);
    }
    most
}

fn peak_rss_mb() -> f64 {
    rss_of("/proc/self/status")
}

fn process_peak_rss_mb(pid: u32) -> f64 {
    rss_of(&format!("/proc/{pid}/status"))
}

fn rss_of(status: &str) -> f64 {
    std::fs::read_to_string(status)
        .ok()
        .and_then(|s| {
            s.lines().find_map(|l| {
                l.strip_prefix("VmHWM:")
                    .map(|v| v.trim().trim_end_matches(" kB").trim().to_owned())
            })
        })
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let fake_addr = listener.local_addr()?;
    let fake = Fake {
        limits: Arc::new(Mutex::new(Limits::default())),
        per_second: args.slack_limit,
    };
    // Replicas ask who they are at start (auth.test, bots.info).
    let app = Router::new()
        .route("/api/chat.postMessage", post(post_message))
        .route(
            "/api/auth.test",
            axum::routing::any(|| async {
                json(
                    StatusCode::OK,
                    r#"{"ok":true,"url":"https://bench.slack.com/","team":"Bench","user":"alignbot","team_id":"T0BENCH","user_id":"U0BOT","bot_id":"B0BOT"}"#.into(),
                )
            }),
        )
        .route(
            "/api/bots.info",
            axum::routing::any(|| async {
                json(
                    StatusCode::OK,
                    r#"{"ok":true,"bot":{"id":"B0BOT","deleted":false,"name":"alignbot","updated":1606810927,"app_id":"A0BENCH","user_id":"U0BOT","icons":{}}}"#.into(),
                )
            }),
        )
        .with_state(fake.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });

    let dir = std::env::temp_dir().join(format!("alignbot-bench-nudges-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let db = args
        .database_url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}/bench.db", dir.display()));
    let db_url = db.clone();
    let api = format!("http://{fake_addr}/api");
    let env = move |name: &str| match name {
        "DATABASE_URL" => Some(db.clone()),
        "SLACK_API_URL" => Some(api.clone()),
        "SLACK_BOT_TOKEN" => Some("xoxb-bench".to_owned()),
        _ => None,
    };
    let settings = Settings::from_toml(&config(&args), &dir.join("alignbot.toml"), &env)?;
    let clock: SharedClock = Arc::new(SystemClock);
    let (store, ctx) = prepare_store(&settings, &clock).await?;
    let people = args.teams * args.team_size;

    let started = Instant::now();
    let month = Month::containing(clock.now(), settings.org.timezone);
    let summary = jobs::run(&ctx, Job::MomentsNudge, month, Trigger::Manual).await?;
    let planned = started.elapsed();
    ensure!(
        summary.enqueued == people,
        "enqueued {} of {people}",
        summary.enqueued
    );
    println!("{summary}");
    println!(
        "plan + enqueue: {:.2} s for {people} people",
        planned.as_secs_f64()
    );

    let delivering = Instant::now();
    let mut replica_rss_mb = Vec::new();
    if args.replicas == 0 {
        let token = settings.slack.bot_token.clone().context("token")?;
        let client = build_client(&settings.slack.api_url)?;
        let worker = Worker::new(
            ctx.clone(),
            Arc::new(SlackTransport::new(client, &token)),
            settings.delivery.clone(),
        );
        loop {
            let round = worker.step().await?;
            if outbox::counts(store.reads()).await?.pending == 0 {
                break;
            }
            if let Some(next) = round.next_due {
                clock.sleep_until(next).await;
            }
            ensure!(
                delivering.elapsed().as_secs() < 1800,
                "delivery took over 30 minutes"
            );
        }
    } else {
        let config_path = dir.join("alignbot.toml");
        std::fs::write(&config_path, config(&args))?;
        let mut children = Vec::new();
        for n in 0..args.replicas {
            let listen = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?;
            let log = std::fs::File::create(dir.join(format!("replica-{n}.log")))?;
            let child = std::process::Command::new(&args.bot)
                .arg("--config")
                .arg(&config_path)
                .args(["serve", "--no-scheduler"])
                .env("DATABASE_URL", &db_url)
                .env("SLACK_API_URL", format!("http://{fake_addr}/api"))
                .env("SLACK_BOT_TOKEN", "xoxb-bench")
                .env("SLACK_SIGNING_SECRET", "bench-secret")
                .env("ALIGNBOT_LISTEN", listen.to_string())
                .env("RUST_LOG", "warn")
                .stdout(std::process::Stdio::from(log.try_clone()?))
                .stderr(std::process::Stdio::from(log))
                .spawn()
                .with_context(|| format!("starting {}", args.bot.display()))?;
            children.push(child);
        }
        // Each replica finds the rows pending at start; done is when none is.
        loop {
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            for child in &mut children {
                ensure!(
                    child.try_wait()?.is_none(),
                    "a replica exited; see {}",
                    dir.display()
                );
            }
            if outbox::counts(store.reads()).await?.pending == 0 {
                break;
            }
            ensure!(
                delivering.elapsed().as_secs() < 1800,
                "delivery took over 30 minutes"
            );
        }
        for mut child in children {
            replica_rss_mb.push(process_peak_rss_mb(child.id()));
            let _ = std::process::Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
            child.wait()?;
        }
    }
    let delivered_in = delivering.elapsed();
    let counts = outbox::counts(store.reads()).await?;
    let l = fake.limits.lock().expect("lock");
    let reached = l.delivered.len();
    let duplicates = l.delivered.values().filter(|n| **n > 1).count();
    println!(
        "delivery: {:.1} s ({:.0} messages/s) · sent {} · failed {} · people reached {reached} · duplicates {duplicates} · 429 answers {}",
        delivered_in.as_secs_f64(),
        counts.sent as f64 / delivered_in.as_secs_f64(),
        counts.sent,
        counts.failed,
        l.rate_limited
    );
    let busiest_second = busiest_second(&l.accepted);
    println!(
        "most posts accepted in any one second: {busiest_second} (the bot's pace {}, the fake's limit {})",
        args.pace, args.slack_limit
    );
    println!(
        "peak RSS (this process: bot code + fake Slack): {:.1} MB",
        peak_rss_mb()
    );
    if !replica_rss_mb.is_empty() {
        let each: Vec<String> = replica_rss_mb.iter().map(|mb| format!("{mb:.1}")).collect();
        println!(
            "delivered by {} replica(s) on {}; their peak RSS: {} MB",
            args.replicas,
            db_url.split(':').next().unwrap_or_default(),
            each.join(", ")
        );
    }
    println!();
    println!(
        "| people | plan + enqueue s | delivery s | msgs/s | reached | duplicates | 429s | most in 1 s | peak RSS MB |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    println!(
        "| {people} | {:.2} | {:.1} | {:.0} | {reached} | {duplicates} | {} | {busiest_second} | {:.1} |",
        planned.as_secs_f64(),
        delivered_in.as_secs_f64(),
        counts.sent as f64 / delivered_in.as_secs_f64(),
        l.rate_limited,
        peak_rss_mb()
    );
    let _ = std::fs::remove_dir_all(&dir);
    ensure!(
        reached == people && duplicates == 0,
        "not everyone exactly once"
    );
    Ok(())
}
