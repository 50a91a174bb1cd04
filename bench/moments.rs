//! `bench-moments`: load test for signed `/moment` slash commands.
//!
//! What is measured: end-to-end latency and throughput of
//! `POST /slack/commands` carrying a correctly signed `/moment` command,
//! served by the **release build** of the real `alignbot` binary over
//! loopback HTTP/1.1 keep-alive connections. Each request goes through the
//! whole production path: Slack signature verification, form parsing, command
//! dispatch, the SQLite insert and any Slack Web API calls the bot makes
//! (answered by a fake Slack API running inside this process).
//!
//! How it works:
//! 1. a fresh temp directory gets a bench config (`alignbot.toml`) and the
//!    SQLite database (`bench.db`); the bot's output goes to `bot.log` there;
//! 2. a fake Slack Web API (axum on `127.0.0.1:0`) answers every `/api/*`
//!    call with `{"ok":true,...}` and counts them;
//! 3. the bot is spawned as `alignbot --config <tmp>/alignbot.toml serve
//!    --no-scheduler` and polled on `GET /healthz` until it answers 200;
//! 4. for each level of `--concurrency` (default `1,32`: one request at a
//!    time, then thirty-two), that many workers each open one keep-alive
//!    connection and send requests sequentially: `--warmup` unmeasured
//!    requests in total, then `--requests` measured ones in total; each
//!    level gets a fresh bot and database;
//! 5. it prints throughput, latency percentiles, the bot's peak RSS (`VmHWM`),
//!    how many messages the delivery worker sent to the fake Slack per second
//!    while the measured requests ran (the worker is never switched off; with
//!    the default pace every moment goes to one channel, one post a second),
//!    stops the bot with SIGTERM and checks that the `moments` table holds
//!    exactly one row per 2xx answer (exit code 1 otherwise).
//!
//! The privacy guard and the hourly per-person limit stay on (the bot's
//! defaults): each simulated person shares [`SHARES_PER_PERSON`] stories,
//! under the limit, so every share is counted against it and none is refused.
//!
//! With `--url` (and `--secret`, `--db`) it drives a server that is already
//! running instead, such as a peer of `../shared/bench` (Bolt for
//! JavaScript, the lean reference), with the same requests, each signed
//! afresh: `bench/side-by-side.sh` does that for all three.
//!
//! Reproduce:
//!
//! ```text
//! cargo build --release && cargo run --release --bin bench-moments
//! cargo run --release --bin bench-moments -- --requests 20000 --concurrency 1,8,32
//! ```
//!
//! The load generator shares the machine with the bot, so the numbers are a
//! lower bound on what the bot can do on dedicated hardware.

use std::fs;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

#[path = "harness.rs"]
mod harness;
use harness::*;

use anyhow::{Context, Result, ensure};
use axum::http::header;
use clap::Parser;
use hmac::{Hmac, KeyInit, Mac};
use http_body_util::Full;
use hyper::body::Bytes;
use hyper::{Method, Request};
use sha2::Sha256;
use sqlx::ConnectOptions;
use sqlx::sqlite::SqliteConnectOptions;

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

/// Load test for signed `/moment` slash commands against the release bot.
#[derive(Debug, Parser)]
#[command(name = "bench-moments")]
struct Args {
    /// Number of measured requests per level (in total, across all connections).
    #[arg(long, default_value_t = 20_000)]
    requests: u64,
    /// Concurrent keep-alive connections (one worker each); a comma-separated
    /// list runs each level in turn, each against a fresh bot.
    #[arg(long, value_delimiter = ',', default_value = "1,32")]
    concurrency: Vec<u64>,
    /// Number of unmeasured warm-up requests sent before measuring.
    #[arg(long, default_value_t = 1_000)]
    warmup: u64,
    /// Path to the bot binary (use the release build).
    #[arg(long, default_value = "target/release/alignbot")]
    bot: PathBuf,
    /// Drive a server that is already running instead of spawning the bot,
    /// e.g. a peer of ../shared/bench: `http://127.0.0.1:3301/slack/events`.
    /// Same signed workload, a fresh signature per request.
    #[arg(long, value_name = "URL")]
    url: Option<String>,
    /// The signing secret of the server at `--url`.
    #[arg(long, default_value = SIGNING_SECRET)]
    secret: String,
    /// With `--url`: its SQLite database, to check rows stored == 2xx answers
    /// (`moments` rows added during the run).
    #[arg(long, value_name = "FILE")]
    db: Option<PathBuf>,
}

/// Stories each simulated person shares: under the bot's default hourly
/// limit (10), so the limit is checked on every share and refuses none.
const SHARES_PER_PERSON: u64 = 5;

/// The length of every story, as in ../shared/bench's workload.
const STORY_LEN: usize = 200;

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    if let Err(err) = check_args(&args) {
        eprintln!("error: {err:#}");
        return ExitCode::FAILURE;
    }
    let mut reports = Vec::new();
    let mut ok = true;
    for &concurrency in &args.concurrency {
        let workdir = match create_workdir() {
            Ok(dir) => dir,
            Err(err) => {
                eprintln!("error: {err:#}");
                return ExitCode::FAILURE;
            }
        };
        let ran = match &args.url {
            Some(url) => run_external(&args, concurrency, url).await,
            None => run(&args, concurrency, &workdir).await,
        };
        match ran {
            Ok(report) => {
                if report.rows_match() {
                    // Best effort: a leftover temp dir is harmless.
                    let _ = fs::remove_dir_all(&workdir);
                } else {
                    ok = false;
                    eprintln!(
                        "benchmark check failed; artifacts kept in {}",
                        workdir.display()
                    );
                }
                reports.push(report);
            }
            Err(err) => {
                eprintln!("error: {err:#}");
                eprintln!("artifacts kept in {}", workdir.display());
                return ExitCode::FAILURE;
            }
        }
    }
    Report::print_table(&reports);
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Runs one level of concurrency against a fresh bot and prints its report.
async fn run(args: &Args, concurrency: u64, workdir: &Path) -> Result<Report> {
    let bot_path = resolve_bot(&args.bot)?;
    let config_path = workdir.join("alignbot.toml");
    fs::write(&config_path, CONFIG_TOML)
        .with_context(|| format!("writing {}", config_path.display()))?;

    let fake = FakeSlack::start().await?;
    let mut bot = Bot::spawn(&bot_path, workdir, &config_path, fake.addr)?;
    println!();
    println!("bot:        {} (pid {})", bot_path.display(), bot.pid());
    println!("listening:  http://{}", bot.addr);
    println!("fake slack: http://{}/api", fake.addr);
    println!("workdir:    {}", workdir.display());

    bot.wait_healthy().await?;
    let load = Arc::new(LoadPlan::from_args(
        args,
        concurrency,
        bot.addr,
        "/slack/commands",
        fake.addr,
    ));
    let outcome = match run_load(&load, "requests", || fake.api_requests()).await {
        Ok(outcome) => outcome,
        Err(err) => return Err(bot.annotate_failure(err)),
    };
    bot.ensure_running()?;

    let peak_rss_kb = bot.peak_rss_kb();
    let exit = bot.shutdown().await?;
    let rows = count_moments(&workdir.join("bench.db")).await?;
    let report = Report::new(args, concurrency, &outcome, peak_rss_kb, rows, Some(&fake));
    fake.stop();

    report.print(&exit.to_string());
    Ok(report)
}

/// Runs one level of concurrency against the server at `url`.
async fn run_external(args: &Args, concurrency: u64, url: &str) -> Result<Report> {
    let rest = url
        .strip_prefix("http://")
        .context("--url must start with http://")?;
    let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let addr: SocketAddr = host
        .parse()
        .with_context(|| format!("--url needs an IP:port, not {host}"))?;
    let path = if path.is_empty() { "/" } else { path };
    println!();
    println!("target:     {url}");
    let before = match &args.db {
        Some(db) => count_moments(db).await?,
        None => 0,
    };
    let load = Arc::new(LoadPlan::from_args(args, concurrency, addr, path, addr));
    let outcome = run_load(&load, "requests", || 0).await?;
    let rows = match &args.db {
        Some(db) => count_moments(db).await? - before,
        // Nothing to check against: take the answers' word.
        None => i64::try_from(outcome.warmup.success + outcome.measured.success)?,
    };
    let report = Report::new(args, concurrency, &outcome, None, rows, None);
    report.print("(not ours to stop)");
    Ok(report)
}

// ---------------------------------------------------------------------------
// Environment setup
// ---------------------------------------------------------------------------

/// Rejects arguments that cannot produce a meaningful run.
fn check_args(args: &Args) -> Result<()> {
    ensure!(args.requests > 0, "--requests must be at least 1");
    ensure!(
        !args.concurrency.is_empty() && args.concurrency.iter().all(|&c| c > 0),
        "--concurrency must be at least 1 (e.g. --concurrency 1,32)"
    );
    if args.url.is_some() {
        return Ok(());
    }
    resolve_bot(&args.bot).map(drop)
}

// ---------------------------------------------------------------------------
// Request generation
// ---------------------------------------------------------------------------

/// Everything a worker needs to build signed `/moment` requests.
struct LoadPlan {
    bot: SocketAddr,
    host: String,
    path: String,
    response_url: String,
    mac: Hmac<Sha256>,
    concurrency: u64,
    warmup: u64,
    requests: u64,
}

impl LoadPlan {
    fn from_args(
        args: &Args,
        concurrency: u64,
        bot: SocketAddr,
        path: &str,
        fake_slack: SocketAddr,
    ) -> Self {
        Self {
            bot,
            host: bot.to_string(),
            path: path.to_owned(),
            response_url: format!("http://{fake_slack}/hooks/x"),
            mac: Hmac::<Sha256>::new_from_slice(args.secret.as_bytes())
                .expect("HMAC accepts keys of any length"),
            concurrency,
            warmup: args.warmup,
            requests: args.requests,
        }
    }

    /// Form-encoded slash-command body for request `seq` of `worker`.
    fn body(&self, worker: u64, seq: u64) -> String {
        // A new person every few stories: each share is counted against
        // the hourly limit, and none reaches it.
        let user_id = format!("U0B{worker}N{}", seq / SHARES_PER_PERSON);
        // 200 characters, as in ../shared/bench's workload.
        let mut text = format!(
            "Bench story {worker}-{seq}: a patient's family thanked the night shift for staying late. "
        );
        while text.len() < STORY_LEN {
            text.push_str("Small acts like this are why we do the work! ");
        }
        text.truncate(STORY_LEN);
        let fields: [(&str, &str); 11] = [
            ("token", "x"),
            ("team_id", "T0BENCH"),
            ("team_domain", "bench"),
            ("channel_id", "C0RANDOM"),
            ("channel_name", "general"),
            ("user_id", &user_id),
            ("user_name", "bench"),
            ("command", "/moment"),
            ("text", &text),
            ("response_url", &self.response_url),
            ("trigger_id", "1.2.3"),
        ];
        serde_urlencoded::to_string(fields).expect("string pairs always encode")
    }

    /// `v0=<hex HMAC-SHA256(secret, "v0:{ts}:{body}")>`.
    fn signature(&self, ts: &str, body: &str) -> String {
        let mut mac = self.mac.clone();
        mac.update(b"v0:");
        mac.update(ts.as_bytes());
        mac.update(b":");
        mac.update(body.as_bytes());
        format!("v0={}", hex::encode(mac.finalize().into_bytes()))
    }

    /// A freshly signed `POST /slack/commands` request.
    fn request(&self, worker: u64, seq: u64) -> Result<Request<Full<Bytes>>> {
        let body = self.body(worker, seq);
        let ts = unix_now_secs().to_string();
        let signature = self.signature(&ts, &body);
        Ok(Request::builder()
            .method(Method::POST)
            .uri(self.path.as_str())
            .header(header::HOST, &self.host)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("x-slack-request-timestamp", ts)
            .header("x-slack-signature", signature)
            .body(Full::from(body))?)
    }
}

// ---------------------------------------------------------------------------
// Load phase
// ---------------------------------------------------------------------------

impl Load for LoadPlan {
    fn bot(&self) -> SocketAddr {
        self.bot
    }
    fn concurrency(&self) -> u64 {
        self.concurrency
    }
    fn warmup(&self) -> u64 {
        self.warmup
    }
    fn requests(&self) -> u64 {
        self.requests
    }
    fn request(&self, worker: u64, seq: u64) -> Result<Request<Full<Bytes>>> {
        LoadPlan::request(self, worker, seq)
    }
}

// ---------------------------------------------------------------------------
// Verification and report
// ---------------------------------------------------------------------------

/// `SELECT COUNT(*) FROM moments` on the bot's database.
async fn count_moments(db: &Path) -> Result<i64> {
    let mut conn = SqliteConnectOptions::new()
        .filename(db)
        .create_if_missing(false)
        .connect()
        .await
        .with_context(|| format!("opening {}", db.display()))?;
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM moments")
        .fetch_one(&mut conn)
        .await
        .context("counting moments")?;
    Ok(rows)
}

struct Report {
    requests: u64,
    concurrency: u64,
    warmup: Counts,
    measured: Counts,
    elapsed: Duration,
    p50: f64,
    p90: f64,
    p99: f64,
    max: f64,
    peak_rss_mb: Option<f64>,
    rows: i64,
    fake_api: u64,
    fake_other: u64,
    delivered: u64,
}

impl Report {
    fn new(
        args: &Args,
        concurrency: u64,
        load: &LoadOutcome,
        peak_rss_kb: Option<u64>,
        rows: i64,
        fake: Option<&FakeSlack>,
    ) -> Self {
        let lat = &load.latencies_us;
        Self {
            requests: args.requests,
            concurrency,
            warmup: load.warmup,
            measured: load.measured,
            elapsed: load.elapsed,
            p50: percentile_ms(lat, 50.0),
            p90: percentile_ms(lat, 90.0),
            p99: percentile_ms(lat, 99.0),
            max: percentile_ms(lat, 100.0),
            peak_rss_mb: peak_rss_kb.map(|kb| kb as f64 / 1024.0),
            rows,
            fake_api: fake.map_or(0, FakeSlack::api_requests),
            fake_other: fake.map_or(0, FakeSlack::other_requests),
            delivered: load.probed,
        }
    }

    /// Messages delivered per second while the measured requests ran.
    fn delivery_rate(&self) -> f64 {
        self.delivered as f64 / self.elapsed.as_secs_f64()
    }

    fn throughput(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }

    fn rss_text(&self) -> String {
        self.peak_rss_mb
            .map_or_else(|| "n/a".to_owned(), |mb| format!("{mb:.1}"))
    }

    fn expected_rows(&self) -> u64 {
        self.warmup.success + self.measured.success
    }

    fn rows_match(&self) -> bool {
        u64::try_from(self.rows).is_ok_and(|rows| rows == self.expected_rows())
    }

    fn print(&self, exit: &str) {
        let m = &self.measured;
        println!();
        println!("measured requests:   {}", self.requests);
        println!("elapsed:             {:.3} s", self.elapsed.as_secs_f64());
        println!("throughput:          {:.0} req/s", self.throughput());
        println!(
            "latency (ms):        p50 {:.2}  p90 {:.2}  p99 {:.2}  max {:.2}",
            self.p50, self.p90, self.p99, self.max
        );
        println!(
            "responses:           2xx {}  non-2xx {}  transport errors {}",
            m.success, m.failure, m.transport_errors
        );
        println!(
            "warm-up responses:   2xx {}  non-2xx {}  transport errors {}",
            self.warmup.success, self.warmup.failure, self.warmup.transport_errors
        );
        println!("bot peak RSS:        {} MB (VmHWM)", self.rss_text());
        println!(
            "delivered meanwhile: {} messages to the fake Slack ({:.1}/s)",
            self.delivered,
            self.delivery_rate()
        );
        println!("bot exit:            {exit}");
        println!(
            "fake Slack requests: {} /api/*, {} other",
            self.fake_api, self.fake_other
        );
        println!(
            "moments rows:        {} (expected {})",
            self.rows,
            self.expected_rows()
        );
        println!(
            "rows stored == 2xx answers: {}",
            if self.rows_match() { "yes" } else { "no" }
        );
        self.print_machine();
    }

    fn print_machine(&self) {
        let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
        println!();
        println!("machine:             nproc {cpus}, {}", cpu_model());
        println!(
            "date:                {}",
            chrono::Utc::now().format("%Y-%m-%d %H:%M UTC")
        );
    }

    /// One markdown table with a row per level of concurrency.
    fn print_table(reports: &[Report]) {
        let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
        let date = chrono::Utc::now().format("%Y-%m-%d");
        println!();
        println!(
            "| date | nproc | requests | concurrency | req/s | p50 ms | p90 ms | p99 ms | max ms | peak RSS MB | 2xx | non-2xx | delivered/s | rows == 2xx |"
        );
        println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        for r in reports {
            println!(
                "| {date} | {cpus} | {} | {} | {:.0} | {:.2} | {:.2} | {:.2} | {:.2} | {} | {} | {} | {:.1} | {} |",
                r.requests,
                r.concurrency,
                r.throughput(),
                r.p50,
                r.p90,
                r.p99,
                r.max,
                r.rss_text(),
                r.measured.success,
                r.measured.failure + r.measured.transport_errors,
                r.delivery_rate(),
                if r.rows_match() { "yes" } else { "no" },
            );
        }
    }
}
