//! `bench-teams`: load test for Microsoft Teams activities at
//! `POST /api/messages`, with JWT validation on.
//!
//! What is measured: end-to-end latency and throughput of signed Bot
//! Framework `message` activities carrying `moment <story>` typed in a
//! person's 1:1 chat, served by the **release build** of the real `alignbot`
//! binary (Teams only, no Slack) over loopback HTTP/1.1 keep-alive
//! connections. Each request goes through the whole production path: the
//! `Authorization: Bearer` JWT checked (RS256 signature against the key set
//! from the OpenID metadata, issuer, audience, expiry, the `serviceurl` claim
//! against the activity's), the activity parsed, its id remembered (replays),
//! the sender's conversation reference and profile refreshed, the command run
//! through the shared grammar and the privacy guard, the moment stored and
//! its card and the private thanks queued in the outbox. The delivery worker
//! runs as in production and sends them to the fake Bot Connector, paced per
//! conversation (one call a second to each by default).
//!
//! How it works:
//! 1. a fresh temp directory gets a bench config and the SQLite database;
//! 2. a fake Microsoft identity platform and Bot Connector (axum on
//!    `127.0.0.1:0`, inside this process) serves the OpenID metadata, a key
//!    set with the test-only key of `tests/fixtures/teams/`, the
//!    client-credentials token endpoint, and counts every connector call;
//! 3. the bot is spawned as `alignbot --config <tmp>/alignbot.toml serve
//!    --no-scheduler` with `MICROSOFT_APP_ID`, `BOTFRAMEWORK_*` pointing at
//!    the fake, and polled on `GET /healthz`;
//! 4. one token is signed before the timed run (valid for an hour, for this
//!    `serviceUrl`) and sent with every request: the bot keeps no cache of
//!    verified tokens, so it checks the RS256 signature and every claim on
//!    each request either way. Every activity has a fresh id;
//! 5. `--concurrency` workers (one person each) send requests back to back:
//!    `--warmup` unmeasured ones in total, then `--requests` measured ones;
//! 6. it prints throughput, latency percentiles, the bot's peak RSS, what
//!    the fake connector received, stops the bot with SIGTERM and checks that
//!    the `moments` table holds one row per 2xx answer (exit code 1
//!    otherwise).
//!
//! Reproduce (BENCHMARKS.md, "Microsoft Teams activities (issue 16)"):
//!
//! ```text
//! cargo build --release --bins
//! target/release/bench-teams --concurrency 32
//! target/release/bench-teams --concurrency 1 --requests 3000 --warmup 300
//! ```

use std::fs;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[path = "harness.rs"]
mod harness;
use harness::*;

use anyhow::{Context, Result, ensure};
use axum::Router;
use axum::extract::State;
use axum::http::{Method, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use clap::Parser;
use http_body_util::Full;
use hyper::body::Bytes;
use hyper::{Request, StatusCode};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use ring::signature::{RsaKeyPair, RsaPublicKeyComponents};
use serde_json::{Value, json};
use sqlx::ConnectOptions;
use sqlx::sqlite::SqliteConnectOptions;
use tokio::task::JoinHandle;

/// The tests' test-only signing key (tests/fixtures/teams/README.md).
const TEST_KEY_DER: &[u8] = include_bytes!("../tests/fixtures/teams/test-only-rsa-key-1.pk8.der");
const KEY_ID: &str = "bench-key";
const APP_ID: &str = "8f0d3c1e-2b6a-4e57-9c1d-0a1b2c3d4e5f";
const APP_PASSWORD: &str = "bench-client-secret";
const TENANT_ID: &str = "11111111-2222-4333-8444-555555555555";
const ISSUER: &str = "https://api.botframework.com";
const BOT_ACCOUNT: &str = "28:8f0d3c1e-2b6a-4e57-9c1d-0a1b2c3d4e5f";

const CONFIG_TOML: &str = r#"[org]
name = "Bench Org"
mission = "Every patient leaves healthier and heard."
timezone = "America/New_York"
moments_channel = "19:moments@thread.tacv2"
leadership_channel = "19:leaders@thread.tacv2"
admins = ["0a0a0a0a-0000-4000-8000-00000000ad01"]

[[pillars]]
key = "patient-care"
name = "Patient care"

[[teams]]
key = "nursing"
name = "Nursing"
channel = "19:nursing@thread.tacv2"
leaders = ["1e1e1e1e-0000-4000-8000-00000000ea01"]
members = ["2b2b2b2b-0000-4000-8000-000000000001"]
"#;

/// Load test for signed Teams `moment` activities against the release bot.
#[derive(Debug, Parser)]
#[command(name = "bench-teams")]
struct Args {
    /// Number of measured requests (in total, across all connections).
    #[arg(long, default_value_t = 20_000)]
    requests: u64,
    /// Number of concurrent keep-alive connections (one worker and one
    /// person each).
    #[arg(long, default_value_t = 32)]
    concurrency: u64,
    /// Number of unmeasured warm-up requests sent before measuring.
    #[arg(long, default_value_t = 1_000)]
    warmup: u64,
    /// Path to the bot binary (use the release build).
    #[arg(long, default_value = "target/release/alignbot")]
    bot: PathBuf,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let workdir = match check_args(&args).and_then(|()| create_workdir()) {
        Ok(dir) => dir,
        Err(err) => {
            eprintln!("error: {err:#}");
            return ExitCode::FAILURE;
        }
    };
    match run(&args, &workdir).await {
        Ok(true) => {
            let _ = fs::remove_dir_all(&workdir);
            ExitCode::SUCCESS
        }
        Ok(false) => {
            eprintln!(
                "benchmark check failed; artifacts kept in {}",
                workdir.display()
            );
            ExitCode::FAILURE
        }
        Err(err) => {
            eprintln!("error: {err:#}");
            eprintln!("artifacts kept in {}", workdir.display());
            ExitCode::FAILURE
        }
    }
}

fn check_args(args: &Args) -> Result<()> {
    ensure!(args.requests > 0, "--requests must be at least 1");
    ensure!(args.concurrency > 0, "--concurrency must be at least 1");
    resolve_bot(&args.bot).map(drop)
}

async fn run(args: &Args, workdir: &Path) -> Result<bool> {
    let bot_path = resolve_bot(&args.bot)?;
    let config_path = workdir.join("alignbot.toml");
    fs::write(&config_path, CONFIG_TOML)
        .with_context(|| format!("writing {}", config_path.display()))?;

    let fake = FakeMicrosoft::start().await?;
    let mut bot = spawn_bot(&bot_path, workdir, &config_path, fake.addr)?;
    println!("bot:        {} (pid {})", bot_path.display(), bot.pid());
    println!("listening:  http://{}/api/messages", bot.addr);
    println!(
        "fake Microsoft identity platform + Bot Connector: http://{}",
        fake.addr
    );
    println!("workdir:    {}", workdir.display());
    bot.wait_healthy().await?;

    let plan = Arc::new(LoadPlan::new(args, bot.addr, fake.addr)?);
    let outcome = match run_load(&plan, "activities", || 0).await {
        Ok(outcome) => outcome,
        Err(err) => return Err(bot.annotate_failure(err)),
    };
    bot.ensure_running()?;
    let connector_at_end = fake.counts();
    let peak_rss_kb = bot.peak_rss_kb();
    let exit = bot.shutdown().await?;
    let (rows, outbox, failures) = count_moments(&workdir.join("bench.db")).await?;
    let report = Report {
        outbox,
        failures,
        requests: args.requests,
        concurrency: args.concurrency,
        warmup: outcome.warmup,
        measured: outcome.measured,
        elapsed: outcome.elapsed,
        latencies_us: outcome.latencies_us,
        peak_rss_mb: peak_rss_kb.map(|kb| kb as f64 / 1024.0),
        rows,
        connector: connector_at_end,
    };
    fake.stop();
    report.print(&exit);
    Ok(report.rows_match())
}

/// The bot, Teams only, against the fake identity platform.
fn spawn_bot(bot: &Path, workdir: &Path, config: &Path, fake: SocketAddr) -> Result<Bot> {
    let addr = pick_free_addr()?;
    let log_path = workdir.join("bot.log");
    let log =
        fs::File::create(&log_path).with_context(|| format!("creating {}", log_path.display()))?;
    let log_err = log.try_clone().context("cloning log file handle")?;
    let db_url = format!("sqlite://{}", workdir.join("bench.db").display());
    let child = Command::new(bot)
        .arg("--config")
        .arg(config)
        .args(["serve", "--no-scheduler"])
        .env_remove("SLACK_SIGNING_SECRET")
        .env_remove("SLACK_BOT_TOKEN")
        .env("MICROSOFT_APP_ID", APP_ID)
        .env("MICROSOFT_APP_PASSWORD", APP_PASSWORD)
        .env("MICROSOFT_APP_TENANT_ID", TENANT_ID)
        .env("MICROSOFT_APP_TYPE", "SingleTenant")
        .env(
            "BOTFRAMEWORK_OPENID_METADATA_URL",
            format!("http://{fake}/openid"),
        )
        .env("BOTFRAMEWORK_TOKEN_URL", format!("http://{fake}/token"))
        .env("BOTFRAMEWORK_ALLOWED_SERVICE_HOSTS", "127.0.0.1")
        // Every worker shares many stories as one person: the hourly limit
        // would hold them (as for bench-moments, BENCHMARKS.md).
        .env("ALIGNBOT_PRIVACY_MOMENTS_PER_HOUR", "0")
        .env("DATABASE_URL", db_url)
        .env("ALIGNBOT_LISTEN", addr.to_string())
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::from(log))
        .stderr(Stdio::from(log_err))
        .spawn()
        .with_context(|| format!("spawning {}", bot.display()))?;
    Ok(Bot {
        child,
        addr,
        log_path,
        exited: None,
    })
}

// ---------------------------------------------------------------------------
// The fake Microsoft identity platform and Bot Connector
// ---------------------------------------------------------------------------

#[derive(Default)]
struct Counters {
    metadata: AtomicU64,
    key_set: AtomicU64,
    tokens: AtomicU64,
    /// Activities posted to a person's 1:1 (`a:…`): the private thanks.
    replies: AtomicU64,
    /// Posts to a channel (`19:…`, a new thread or in one): the moments'
    /// cards.
    channel_posts: AtomicU64,
    /// 1:1 conversations created.
    created: AtomicU64,
    other: AtomicU64,
}

#[derive(Debug, Clone, Copy, Default)]
struct ConnectorCounts {
    metadata: u64,
    key_set: u64,
    tokens: u64,
    replies: u64,
    channel_posts: u64,
    created: u64,
    other: u64,
}

struct FakeState {
    base: String,
    jwk: Value,
    counters: Counters,
}

struct FakeMicrosoft {
    addr: SocketAddr,
    state: Arc<FakeState>,
    task: JoinHandle<()>,
}

impl FakeMicrosoft {
    async fn start() -> Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .context("binding the fake identity platform")?;
        let addr = listener.local_addr()?;
        let state = Arc::new(FakeState {
            base: format!("http://{addr}"),
            jwk: test_jwk()?,
            counters: Counters::default(),
        });
        let app = Router::new()
            .route("/openid", get(metadata))
            .route("/keys", get(key_set))
            .route("/token", post(token))
            .fallback(connector)
            .with_state(Arc::clone(&state));
        let task = tokio::spawn(async move {
            if let Err(err) = axum::serve(listener, app).await {
                eprintln!("fake identity platform stopped: {err}");
            }
        });
        Ok(Self { addr, state, task })
    }

    fn counts(&self) -> ConnectorCounts {
        let c = &self.state.counters;
        ConnectorCounts {
            metadata: c.metadata.load(Ordering::Relaxed),
            key_set: c.key_set.load(Ordering::Relaxed),
            tokens: c.tokens.load(Ordering::Relaxed),
            replies: c.replies.load(Ordering::Relaxed),
            channel_posts: c.channel_posts.load(Ordering::Relaxed),
            created: c.created.load(Ordering::Relaxed),
            other: c.other.load(Ordering::Relaxed),
        }
    }

    fn stop(self) {
        self.task.abort();
    }
}

/// The test key's public half, as the Bot Framework publishes keys.
fn test_jwk() -> Result<Value> {
    let pair =
        RsaKeyPair::from_pkcs8(TEST_KEY_DER).map_err(|e| anyhow::anyhow!("the test key: {e}"))?;
    let public = RsaPublicKeyComponents::<Vec<u8>>::from(pair.public());
    Ok(json!({
        "kty": "RSA",
        "use": "sig",
        "kid": KEY_ID,
        "x5t": KEY_ID,
        "n": URL_SAFE_NO_PAD.encode(&public.n),
        "e": URL_SAFE_NO_PAD.encode(&public.e),
        "endorsements": ["msteams"],
    }))
}

async fn metadata(State(s): State<Arc<FakeState>>) -> Response {
    s.counters.metadata.fetch_add(1, Ordering::Relaxed);
    axum::Json(json!({
        "issuer": ISSUER,
        "authorization_endpoint": "https://invalid.botframework.com",
        "jwks_uri": format!("{}/keys", s.base),
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
    }))
    .into_response()
}

async fn key_set(State(s): State<Arc<FakeState>>) -> Response {
    s.counters.key_set.fetch_add(1, Ordering::Relaxed);
    axum::Json(json!({ "keys": [s.jwk] })).into_response()
}

async fn token(State(s): State<Arc<FakeState>>, _body: Bytes) -> Response {
    let n = s.counters.tokens.fetch_add(1, Ordering::Relaxed);
    axum::Json(json!({
        "token_type": "Bearer",
        "expires_in": 3600,
        "ext_expires_in": 3600,
        "access_token": format!("bench-connector-token-{n}"),
    }))
    .into_response()
}

/// `{serviceUrl}/v3/conversations/…`: answers as the Bot Connector does. A
/// post to a channel is a new conversation (`isGroup`: a thread in the
/// channel); a 1:1 is created the same way, without `isGroup`.
async fn connector(
    State(s): State<Arc<FakeState>>,
    method: Method,
    uri: Uri,
    body: Bytes,
) -> Response {
    let path = percent_encoding::percent_decode_str(uri.path())
        .decode_utf8_lossy()
        .trim_start_matches("/connector")
        .to_owned();
    let c = &s.counters;
    if method == Method::POST && path == "/v3/conversations" {
        let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        let id = if request["isGroup"] == json!(true) {
            let n = c.channel_posts.fetch_add(1, Ordering::Relaxed);
            let channel = request["channelData"]["channel"]["id"]
                .as_str()
                .unwrap_or("19:x");
            format!("{channel};messageid={}", n + 1)
        } else {
            let n = c.created.fetch_add(1, Ordering::Relaxed);
            format!("a:bench-created-{n}")
        };
        return (
            StatusCode::CREATED,
            axum::Json(json!({"id": id, "activityId": "1"})),
        )
            .into_response();
    }
    let n = if let Some(rest) = path.strip_prefix("/v3/conversations/") {
        if rest.starts_with("19:") {
            c.channel_posts.fetch_add(1, Ordering::Relaxed)
        } else {
            c.replies.fetch_add(1, Ordering::Relaxed)
        }
    } else {
        c.other.fetch_add(1, Ordering::Relaxed)
    };
    (
        [(header::CONTENT_TYPE, "application/json")],
        format!(r#"{{"id":"{}"}}"#, n + 1),
    )
        .into_response()
}

// ---------------------------------------------------------------------------
// Request generation
// ---------------------------------------------------------------------------

struct LoadPlan {
    bot: SocketAddr,
    host: String,
    service_url: String,
    /// `Bearer <token>`, signed once before the timed run.
    authorization: String,
    concurrency: u64,
    warmup: u64,
    requests: u64,
}

impl LoadPlan {
    fn new(args: &Args, bot: SocketAddr, fake: SocketAddr) -> Result<Self> {
        let service_url = format!("http://{fake}/connector/");
        alignbot::teams::jwt_crypto::install();
        let now = i64::try_from(unix_now_secs())?;
        let claims = json!({
            "iss": ISSUER,
            "aud": APP_ID,
            "iat": now - 10,
            "nbf": now - 10,
            "exp": now + 3600,
            "serviceurl": service_url,
        });
        let mut jwt_header = Header::new(Algorithm::RS256);
        jwt_header.kid = Some(KEY_ID.to_owned());
        let token = jsonwebtoken::encode(
            &jwt_header,
            &claims,
            &EncodingKey::from_rsa_der(TEST_KEY_DER),
        )
        .context("signing the bench token")?;
        Ok(Self {
            bot,
            host: bot.to_string(),
            service_url,
            authorization: format!("Bearer {token}"),
            concurrency: args.concurrency,
            warmup: args.warmup,
            requests: args.requests,
        })
    }

    /// Worker `worker`'s person: an Entra object id.
    fn person(worker: u64) -> String {
        format!("b0b0b0b0-0000-4000-8000-{worker:012}")
    }

    /// `moment <story>` typed in the worker's 1:1, with a fresh activity id.
    fn body(&self, worker: u64, seq: u64) -> Vec<u8> {
        let person = Self::person(worker);
        let activity = json!({
            "type": "message",
            "id": format!("bench-{worker}-{seq}"),
            "timestamp": "2026-11-27T18:00:00.000Z",
            "serviceUrl": self.service_url,
            "channelId": "msteams",
            "from": {"id": format!("29:bench-{worker}"), "name": format!("Bench Person {worker}"),
                     "aadObjectId": person},
            "recipient": {"id": BOT_ACCOUNT, "name": "alignbot"},
            "conversation": {"id": format!("a:bench-personal-{worker}"),
                             "conversationType": "personal", "tenantId": TENANT_ID},
            "channelData": {"tenant": {"id": TENANT_ID}},
            "locale": "en-US",
            "textFormat": "plain",
            "text": format!(
                "moment Bench story {worker}-{seq}: a patient's family thanked the night shift for staying late."
            ),
        });
        serde_json::to_vec(&activity).expect("JSON always encodes")
    }

    fn request(&self, worker: u64, seq: u64) -> Result<Request<Full<Bytes>>> {
        Ok(Request::builder()
            .method(Method::POST)
            .uri("/api/messages")
            .header(header::HOST, &self.host)
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::AUTHORIZATION, &self.authorization)
            .body(Full::from(self.body(worker, seq)))?)
    }
}

// ---------------------------------------------------------------------------
// Load phase (as bench-moments)
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

/// The moments stored, and the outbox by status (with the first failures'
/// reasons): what delivery did with the cards and the thanks.
async fn count_moments(db: &Path) -> Result<(i64, Vec<(String, i64)>, Vec<String>)> {
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
    let outbox: Vec<(String, i64)> =
        sqlx::query_as("SELECT status, COUNT(*) FROM outbox GROUP BY status ORDER BY status")
            .fetch_all(&mut conn)
            .await
            .context("counting the outbox")?;
    let failures: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT last_error FROM outbox WHERE last_error IS NOT NULL LIMIT 3",
    )
    .fetch_all(&mut conn)
    .await
    .context("reading the outbox's failures")?;
    Ok((rows, outbox, failures))
}

struct Report {
    requests: u64,
    concurrency: u64,
    warmup: Counts,
    measured: Counts,
    elapsed: Duration,
    latencies_us: Vec<u32>,
    peak_rss_mb: Option<f64>,
    rows: i64,
    connector: ConnectorCounts,
    /// Outbox rows by status after the bot stopped.
    outbox: Vec<(String, i64)>,
    failures: Vec<String>,
}

impl Report {
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

    fn print(&self, exit: &ShutdownOutcome) {
        let m = &self.measured;
        let lat = &self.latencies_us;
        let (p50, p90, p99, max) = (
            percentile_ms(lat, 50.0),
            percentile_ms(lat, 90.0),
            percentile_ms(lat, 99.0),
            percentile_ms(lat, 100.0),
        );
        let c = &self.connector;
        println!();
        println!("measured activities: {}", self.requests);
        println!("elapsed:             {:.3} s", self.elapsed.as_secs_f64());
        println!("throughput:          {:.0} activities/s", self.throughput());
        println!("latency (ms):        p50 {p50:.2}  p90 {p90:.2}  p99 {p99:.2}  max {max:.2}");
        println!(
            "responses:           2xx {}  non-2xx {}  transport errors {}",
            m.success, m.failure, m.transport_errors
        );
        println!(
            "warm-up responses:   2xx {}  non-2xx {}  transport errors {}",
            self.warmup.success, self.warmup.failure, self.warmup.transport_errors
        );
        println!("bot peak RSS:        {} MB (VmHWM)", self.rss_text());
        println!("bot exit:            {exit}");
        println!(
            "identity platform:   {} metadata GETs, {} key set GETs, {} connector tokens",
            c.metadata, c.key_set, c.tokens
        );
        println!(
            "fake Bot Connector:  {} replies to 1:1s, {} channel posts, {} 1:1s created, {} other (paced per conversation; the rest stay queued in the outbox)",
            c.replies, c.channel_posts, c.created, c.other
        );
        let outbox: Vec<String> = self
            .outbox
            .iter()
            .map(|(status, n)| format!("{n} {status}"))
            .collect();
        println!("outbox at the end:   {}", outbox.join(", "));
        for failure in &self.failures {
            println!("  a delivery error:  {failure}");
        }
        println!(
            "moments rows:        {} (expected {})",
            self.rows,
            self.expected_rows()
        );
        println!(
            "rows stored == 2xx answers: {}",
            if self.rows_match() { "yes" } else { "no" }
        );
        let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
        println!();
        println!("machine:             nproc {cpus}, {}", cpu_model());
        println!(
            "date:                {}",
            chrono::Utc::now().format("%Y-%m-%d %H:%M UTC")
        );
        println!();
        println!(
            "| date | nproc | activities | concurrency | activities/s | p50 ms | p90 ms | p99 ms | max ms | peak RSS MB | 2xx | non-2xx | replies received |"
        );
        println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        println!(
            "| {} | {cpus} | {} | {} | {:.0} | {p50:.2} | {p90:.2} | {p99:.2} | {max:.2} | {} | {} | {} | {} |",
            chrono::Utc::now().format("%Y-%m-%d"),
            self.requests,
            self.concurrency,
            self.throughput(),
            self.rss_text(),
            m.success,
            m.failure + m.transport_errors,
            c.replies + c.channel_posts,
        );
    }
}
