//! What the benchmark binaries share: a work directory, a fake Slack Web
//! API, the bot as a child process (spawned, health-checked, measured and
//! stopped), a keep-alive HTTP/1.1 client, and Slack request signing.
//!
//! Included by each bench binary with `#[path = "harness.rs"] mod harness;`.
#![allow(dead_code)] // each binary uses a different part

use std::fs::{self, File};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tokio::sync::Barrier;

use anyhow::{Context, Result, anyhow, bail, ensure};
use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use hmac::{Hmac, KeyInit, Mac};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1::SendRequest;
use hyper::{Request, StatusCode};
use hyper_util::rt::TokioIo;
use sha2::Sha256;
use tokio::net::TcpStream;
use tokio::task::JoinHandle;

pub(crate) const SIGNING_SECRET: &str = "bench-secret";
pub(crate) const BOT_TOKEN: &str = "xoxb-bench";
pub(crate) const HEALTH_POLL_INTERVAL: Duration = Duration::from_millis(50);
pub(crate) const HEALTH_TIMEOUT: Duration = Duration::from_secs(30);
pub(crate) const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(10);
pub(crate) const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
pub(crate) const LOG_TAIL_LINES: usize = 40;

/// Creates a fresh, unique directory under the system temp dir.
pub(crate) fn create_workdir() -> Result<PathBuf> {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    let dir = std::env::temp_dir().join(format!("alignbot-bench-{}-{nanos}", std::process::id()));
    fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir)
}

/// Finds the bot binary: the given path, or (for the default relative path)
/// the `alignbot` next to this benchmark binary.
pub(crate) fn resolve_bot(requested: &Path) -> Result<PathBuf> {
    let sibling = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join("alignbot")));
    let candidates =
        std::iter::once(requested.to_path_buf()).chain(sibling.filter(|_| requested.is_relative()));
    for candidate in candidates {
        if candidate.is_file() {
            let path = candidate.canonicalize().unwrap_or(candidate);
            if path.components().any(|c| c.as_os_str() == "debug") {
                eprintln!("warning: {} looks like a debug build", path.display());
            }
            return Ok(path);
        }
    }
    bail!(
        "bot binary not found at {} (run `cargo build --release` first or pass --bot)",
        requested.display()
    )
}

/// Picks a free loopback port by binding port 0 and dropping the listener.
pub(crate) fn pick_free_addr() -> Result<SocketAddr> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").context("binding 127.0.0.1:0")?;
    listener.local_addr().context("reading local address")
}

pub(crate) fn unix_now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------
// Fake Slack Web API
// ---------------------------------------------------------------------------

#[derive(Default)]
pub(crate) struct FakeCounters {
    /// Calls under `/api/*` (Web API methods).
    pub(crate) api: AtomicU64,
    /// Any other call (e.g. POSTs to the `response_url` under `/hooks/*`).
    pub(crate) other: AtomicU64,
}

pub(crate) struct FakeSlack {
    pub(crate) addr: SocketAddr,
    pub(crate) counters: Arc<FakeCounters>,
    pub(crate) task: JoinHandle<()>,
}

impl FakeSlack {
    pub(crate) async fn start() -> Result<Self> {
        let counters = Arc::new(FakeCounters::default());
        let app = Router::new()
            .route("/api/{*method}", get(fake_api).post(fake_api))
            .fallback(fake_other)
            .with_state(Arc::clone(&counters));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .context("binding fake Slack API")?;
        let addr = listener.local_addr()?;
        let task = tokio::spawn(async move {
            if let Err(err) = axum::serve(listener, app).await {
                eprintln!("fake Slack API stopped: {err}");
            }
        });
        Ok(Self {
            addr,
            counters,
            task,
        })
    }

    pub(crate) fn api_requests(&self) -> u64 {
        self.counters.api.load(Ordering::Relaxed)
    }

    pub(crate) fn other_requests(&self) -> u64 {
        self.counters.other.load(Ordering::Relaxed)
    }

    pub(crate) fn stop(self) {
        self.task.abort();
    }
}

/// Answers a Web API call. The body is read fully so connections stay alive.
pub(crate) async fn fake_api(
    State(counters): State<Arc<FakeCounters>>,
    _body: Bytes,
) -> impl IntoResponse {
    let n = counters.api.fetch_add(1, Ordering::Relaxed);
    ok_json(n)
}

/// Answers anything else (e.g. the `response_url`) the same way.
pub(crate) async fn fake_other(
    State(counters): State<Arc<FakeCounters>>,
    _body: Bytes,
) -> impl IntoResponse {
    let n = counters.other.fetch_add(1, Ordering::Relaxed);
    ok_json(n)
}

/// Like Slack, every posted message gets its own `ts`.
pub(crate) fn ok_json(n: u64) -> impl IntoResponse {
    let ts = format!("1700000000.{:06}", n + 1);
    (
        [(header::CONTENT_TYPE, "application/json")],
        format!(
            r#"{{"ok":true,"channel":"C0MOMENTS","ts":"{ts}","message":{{"type":"message","text":"x","user":"U0BOT","ts":"{ts}"}}}}"#
        ),
    )
}

// ---------------------------------------------------------------------------
// The bot child process
// ---------------------------------------------------------------------------

pub(crate) struct Bot {
    pub(crate) child: Child,
    pub(crate) addr: SocketAddr,
    pub(crate) log_path: PathBuf,
    pub(crate) exited: Option<ExitStatus>,
}

impl Bot {
    pub(crate) fn spawn(
        bot: &Path,
        workdir: &Path,
        config: &Path,
        fake_slack: SocketAddr,
    ) -> Result<Self> {
        let addr = pick_free_addr()?;
        let log_path = workdir.join("bot.log");
        let log =
            File::create(&log_path).with_context(|| format!("creating {}", log_path.display()))?;
        let log_err = log.try_clone().context("cloning log file handle")?;
        let db_url = format!("sqlite://{}", workdir.join("bench.db").display());
        let child = Command::new(bot)
            .arg("--config")
            .arg(config)
            .args(["serve", "--no-scheduler"])
            .env("SLACK_SIGNING_SECRET", SIGNING_SECRET)
            .env("SLACK_BOT_TOKEN", BOT_TOKEN)
            .env("SLACK_API_URL", format!("http://{fake_slack}/api"))
            .env("DATABASE_URL", db_url)
            .env("ALIGNBOT_LISTEN", addr.to_string())
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(log_err))
            .spawn()
            .with_context(|| format!("spawning {}", bot.display()))?;
        Ok(Self {
            child,
            addr,
            log_path,
            exited: None,
        })
    }

    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Returns the exit status if the bot has exited.
    pub(crate) fn poll_exit(&mut self) -> Result<Option<ExitStatus>> {
        if self.exited.is_none() {
            self.exited = self.child.try_wait().context("checking bot process")?;
        }
        Ok(self.exited)
    }

    /// Fails with the exit status and log tail if the bot has exited.
    pub(crate) fn ensure_running(&mut self) -> Result<()> {
        match self.poll_exit()? {
            Some(status) => Err(self.early_exit_error(status)),
            None => Ok(()),
        }
    }

    pub(crate) fn early_exit_error(&self, status: ExitStatus) -> anyhow::Error {
        anyhow!("{}", self.exit_description(status))
    }

    pub(crate) fn exit_description(&self, status: ExitStatus) -> String {
        format!(
            "bot exited early with {status}; last lines of {}:\n{}",
            self.log_path.display(),
            log_tail(&self.log_path, LOG_TAIL_LINES)
        )
    }

    /// Adds the bot's exit status to a load error if the bot died.
    pub(crate) fn annotate_failure(&mut self, err: anyhow::Error) -> anyhow::Error {
        match self.poll_exit() {
            Ok(Some(status)) => anyhow!("{err:#}\n{}", self.exit_description(status)),
            _ => err,
        }
    }

    /// Polls `GET /healthz` until it answers 200.
    pub(crate) async fn wait_healthy(&mut self) -> Result<()> {
        let started = Instant::now();
        loop {
            self.ensure_running()?;
            if let Ok(StatusCode::OK) = get_status(self.addr, "/healthz").await {
                println!("healthy after {:.2} s", started.elapsed().as_secs_f64());
                return Ok(());
            }
            if started.elapsed() > HEALTH_TIMEOUT {
                bail!(
                    "bot did not answer 200 on GET http://{}/healthz within {} s; last lines of {}:\n{}",
                    self.addr,
                    HEALTH_TIMEOUT.as_secs(),
                    self.log_path.display(),
                    log_tail(&self.log_path, LOG_TAIL_LINES)
                );
            }
            tokio::time::sleep(HEALTH_POLL_INTERVAL).await;
        }
    }

    /// Peak resident set size (`VmHWM`) in KiB, if `/proc` has it.
    pub(crate) fn peak_rss_kb(&self) -> Option<u64> {
        let status = fs::read_to_string(format!("/proc/{}/status", self.pid())).ok()?;
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmHWM:"))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|kb| kb.parse().ok())
    }

    /// Sends SIGTERM and waits up to [`SHUTDOWN_TIMEOUT`], then SIGKILLs.
    pub(crate) async fn shutdown(mut self) -> Result<ShutdownOutcome> {
        let started = Instant::now();
        let sent = Command::new("kill")
            .arg("-TERM")
            .arg(self.pid().to_string())
            .status()
            .context("running `kill -TERM`")?;
        ensure!(sent.success(), "`kill -TERM {}` failed: {sent}", self.pid());
        while started.elapsed() < SHUTDOWN_TIMEOUT {
            if let Some(status) = self.poll_exit()? {
                return Ok(ShutdownOutcome::Graceful(status, started.elapsed()));
            }
            tokio::time::sleep(HEALTH_POLL_INTERVAL).await;
        }
        self.child.kill().context("killing bot")?;
        let status = self.child.wait().context("waiting for killed bot")?;
        self.exited = Some(status);
        Ok(ShutdownOutcome::Killed(status))
    }
}

impl Drop for Bot {
    /// Never leave a bot running behind a failed benchmark.
    fn drop(&mut self) {
        if self.exited.is_none() && matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

pub(crate) enum ShutdownOutcome {
    Graceful(ExitStatus, Duration),
    Killed(ExitStatus),
}

impl std::fmt::Display for ShutdownOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Graceful(status, took) => {
                write!(f, "{status} {:.2} s after SIGTERM", took.as_secs_f64())
            }
            Self::Killed(status) => write!(
                f,
                "did not stop within {} s of SIGTERM, killed ({status})",
                SHUTDOWN_TIMEOUT.as_secs()
            ),
        }
    }
}

/// The last `n` lines of a log file (or a note that it is unreadable).
pub(crate) fn log_tail(path: &Path, n: usize) -> String {
    match fs::read_to_string(path) {
        Ok(text) => {
            let lines: Vec<&str> = text.lines().collect();
            let tail = &lines[lines.len().saturating_sub(n)..];
            if tail.is_empty() {
                "  (log is empty)".to_owned()
            } else {
                tail.iter().map(|l| format!("  | {l}\n")).collect()
            }
        }
        Err(err) => format!("  (cannot read log: {err})"),
    }
}

// ---------------------------------------------------------------------------
// HTTP client
// ---------------------------------------------------------------------------

pub(crate) type Sender = SendRequest<Full<Bytes>>;

/// Opens one HTTP/1.1 keep-alive connection and drives it in the background.
pub(crate) async fn connect(addr: SocketAddr) -> Result<Sender> {
    let stream = TcpStream::connect(addr)
        .await
        .with_context(|| format!("connecting to {addr}"))?;
    stream.set_nodelay(true)?;
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .context("HTTP/1.1 handshake")?;
    tokio::spawn(async move {
        // Ends when the sender is dropped or the server closes the connection.
        let _ = conn.await;
    });
    Ok(sender)
}

/// Sends `request` on `sender`, reads the body fully, returns the status.
pub(crate) async fn exchange(
    sender: &mut Sender,
    request: Request<Full<Bytes>>,
) -> Result<StatusCode> {
    sender.ready().await.context("connection not ready")?;
    let response = sender.send_request(request).await?;
    let status = response.status();
    response
        .into_body()
        .collect()
        .await
        .context("reading response body")?;
    Ok(status)
}

/// One-shot `GET` on a fresh connection.
pub(crate) async fn get_status(addr: SocketAddr, path: &str) -> Result<StatusCode> {
    let attempt = async {
        let mut sender = connect(addr).await?;
        let request = Request::get(path)
            .header(header::HOST, addr.to_string())
            .body(Full::new(Bytes::new()))?;
        exchange(&mut sender, request).await
    };
    tokio::time::timeout(Duration::from_secs(1), attempt).await?
}

/// Nearest-rank percentile of sorted microsecond samples, in milliseconds.
pub(crate) fn percentile_ms(sorted_us: &[u32], pct: f64) -> f64 {
    if sorted_us.is_empty() {
        return f64::NAN;
    }
    let rank = (pct / 100.0 * sorted_us.len() as f64).ceil() as usize;
    let index = rank.clamp(1, sorted_us.len()) - 1;
    f64::from(sorted_us[index]) / 1000.0
}

/// CPU model name from `/proc/cpuinfo`, if available.
pub(crate) fn cpu_model() -> String {
    fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .and_then(|rest| rest.split_once(':'))
                .map(|(_, name)| name.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned())
}

/// Slack's `v0=` signature of `body` at `timestamp`, with the bench secret.
pub(crate) fn sign(timestamp: &str, body: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(SIGNING_SECRET.as_bytes()).expect("any key length");
    mac.update(format!("v0:{timestamp}:{body}").as_bytes());
    format!("v0={}", hex::encode(mac.finalize().into_bytes()))
}

/// A synthetic person: team `team`'s leader for `n == 0`, else member `n`.
pub(crate) fn person(team: usize, n: usize) -> String {
    if n == 0 {
        format!("U0T{team:03}L")
    } else {
        format!("U0T{team:03}M{n}")
    }
}

/// The settings file of a synthetic organization: `pillars` pillars and
/// `teams` teams of one leader and nine members.
pub(crate) fn org_config(pillars: usize, teams: usize) -> String {
    use std::fmt::Write as _;
    let mut c = String::from(
        "[org]\nname = \"Bench Health\"\nmission = \"Every patient leaves healthier and heard.\"\n\
         timezone = \"America/New_York\"\nmoments_channel = \"C0MOMENTS\"\nleadership_channel = \"C0LEADERS\"\n\
         admins = [\"U0ADMIN\"]\n",
    );
    for p in 0..pillars {
        let _ = write!(
            c,
            "\n[[pillars]]\nkey = \"pillar-{p:02}\"\nname = \"Pillar {p:02}\"\nemoji = \":star:\"\n"
        );
    }
    for t in 0..teams {
        let members: Vec<String> = (1..10).map(|n| format!("\"{}\"", person(t, n))).collect();
        let _ = write!(
            c,
            "\n[[teams]]\nkey = \"team-{t:03}\"\nname = \"Team {t:03}\"\nchannel = \"C0T{t:03}\"\nleaders = [\"{}\"]\nmembers = [{}]\n",
            person(t, 0),
            members.join(", ")
        );
    }
    c
}

// ---------------------------------------------------------------------------
// Load phase: keep-alive connections sending back to back
// ---------------------------------------------------------------------------

/// What a load run sends (bench-moments: signed slash commands; bench-teams:
/// Bot Framework activities): where, how much, and each request.
pub(crate) trait Load: Send + Sync + 'static {
    fn bot(&self) -> SocketAddr;
    fn concurrency(&self) -> u64;
    fn warmup(&self) -> u64;
    fn requests(&self) -> u64;
    /// Worker `worker`'s request number `seq`.
    fn request(&self, worker: u64, seq: u64) -> Result<Request<Full<Bytes>>>;
}

#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Counts {
    pub(crate) success: u64,
    pub(crate) failure: u64,
    pub(crate) transport_errors: u64,
}

impl Counts {
    fn add(&mut self, other: Counts) {
        self.success += other.success;
        self.failure += other.failure;
        self.transport_errors += other.transport_errors;
    }
}

/// What one worker observed.
#[derive(Default)]
struct WorkerResult {
    warmup: Counts,
    measured: Counts,
    latencies_us: Vec<u32>,
}

/// What all workers observed together.
pub(crate) struct LoadOutcome {
    pub(crate) warmup: Counts,
    pub(crate) measured: Counts,
    pub(crate) elapsed: Duration,
    /// How far the caller's probe moved while the measured requests ran
    /// (bench-moments: the fake Slack's answered calls, the delivery worker's
    /// posts).
    pub(crate) probed: u64,
    /// Sorted ascending.
    pub(crate) latencies_us: Vec<u32>,
}

/// One worker: a keep-alive connection that sends requests back to back.
struct LoadWorker<L> {
    plan: Arc<L>,
    id: u64,
    sender: Sender,
    seq: u64,
}

impl<L: Load> LoadWorker<L> {
    async fn new(plan: Arc<L>, id: u64) -> Result<Self> {
        let sender = connect(plan.bot()).await?;
        Ok(Self {
            plan,
            id,
            sender,
            seq: 0,
        })
    }

    /// Sends `n` requests; records latencies if `latencies` is given.
    async fn send_many(&mut self, n: u64, mut latencies: Option<&mut Vec<u32>>) -> Result<Counts> {
        let mut counts = Counts::default();
        for _ in 0..n {
            let request = self.plan.request(self.id, self.seq)?;
            self.seq += 1;
            let started = Instant::now();
            let result =
                tokio::time::timeout(REQUEST_TIMEOUT, exchange(&mut self.sender, request)).await;
            let micros = u32::try_from(started.elapsed().as_micros()).unwrap_or(u32::MAX);
            match result {
                Ok(Ok(status)) => {
                    if status.is_success() {
                        counts.success += 1;
                    } else {
                        counts.failure += 1;
                    }
                    if let Some(latencies) = latencies.as_deref_mut() {
                        latencies.push(micros);
                    }
                }
                Ok(Err(_)) | Err(_) => {
                    counts.transport_errors += 1;
                    self.sender = connect(self.plan.bot()).await.with_context(|| {
                        format!("worker {} reconnecting after an error", self.id)
                    })?;
                }
            }
        }
        Ok(counts)
    }
}

/// Worker `worker`'s part of `total` requests.
fn share_of(total: u64, concurrency: u64, worker: u64) -> u64 {
    total / concurrency + u64::from(worker < total % concurrency)
}

/// Warm-up, barrier, then the measured requests for one worker.
async fn run_worker<L: Load>(plan: Arc<L>, id: u64, barrier: Arc<Barrier>) -> Result<WorkerResult> {
    let warmup_n = share_of(plan.warmup(), plan.concurrency(), id);
    let measured_n = share_of(plan.requests(), plan.concurrency(), id);
    let warmed = async {
        let mut worker = LoadWorker::new(Arc::clone(&plan), id).await?;
        let counts = worker.send_many(warmup_n, None).await?;
        anyhow::Ok((worker, counts))
    }
    .await;
    // Always reach the barrier so a failing worker cannot deadlock the rest.
    barrier.wait().await;
    let (mut worker, warmup) = warmed?;
    let mut latencies_us = Vec::with_capacity(usize::try_from(measured_n)?);
    let measured = worker
        .send_many(measured_n, Some(&mut latencies_us))
        .await?;
    Ok(WorkerResult {
        warmup,
        measured,
        latencies_us,
    })
}

/// Runs all workers and merges their results; `what` names the requests in
/// the progress line, `probe` is read when the measured requests start and
/// when they end.
pub(crate) async fn run_load<L: Load>(
    plan: &Arc<L>,
    what: &str,
    probe: impl Fn() -> u64,
) -> Result<LoadOutcome> {
    let workers = usize::try_from(plan.concurrency())?;
    let barrier = Arc::new(Barrier::new(workers + 1));
    println!(
        "load:       {} warm-up + {} measured {what} over {} connections",
        plan.warmup(),
        plan.requests(),
        plan.concurrency()
    );
    let handles: Vec<_> = (0..plan.concurrency())
        .map(|id| tokio::spawn(run_worker(Arc::clone(plan), id, Arc::clone(&barrier))))
        .collect();
    barrier.wait().await;
    let started = Instant::now();
    let probed_before = probe();
    let mut merged = WorkerResult::default();
    let mut first_error = None;
    for handle in handles {
        match handle.await.context("worker task panicked")? {
            Ok(result) => {
                merged.warmup.add(result.warmup);
                merged.measured.add(result.measured);
                merged.latencies_us.extend(result.latencies_us);
            }
            Err(err) => {
                first_error.get_or_insert(err);
            }
        }
    }
    let elapsed = started.elapsed();
    let probed = probe() - probed_before;
    if let Some(err) = first_error {
        return Err(err);
    }
    merged.latencies_us.sort_unstable();
    Ok(LoadOutcome {
        warmup: merged.warmup,
        measured: merged.measured,
        elapsed,
        probed,
        latencies_us: merged.latencies_us,
    })
}
