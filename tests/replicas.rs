//! Several replicas on one PostgreSQL database, as separate processes: the
//! real `alignbot` binary run as `serve` (and `jobs run`) on random ports
//! against one throwaway cluster and a fake Slack (`replicas/fake.rs`).
//!
//! What in-process tests (tests/api/leases.rs) cannot show: that claims,
//! pace and job runs hold between processes that share nothing but the
//! database, including one killed with SIGKILL in the middle of a send;
//! that nudges waiting for a person's own hour outlive the process that
//! fired them (`replicas/local_hours.rs`); and that Socket Mode works with
//! a connection per replica (`replicas/socket_mode.rs`, with tests/api's
//! fake Socket Mode server).
//! Being other processes, they can only be watched: each wait polls the
//! database or the fake's calls with a deadline, and an absence (no
//! duplicate, no second run) is asserted only once the work has provably
//! finished (no pending outbox row, every process exited or idle).
//!
//! Ignored by default: they need PostgreSQL's server binaries (see
//! tests/common/postgres.rs); CI runs them with `--include-ignored`.

mod common;
#[path = "replicas/fake.rs"]
mod fake;
#[allow(dead_code)] // drop_database is for tests/api
#[path = "common/postgres.rs"]
mod pg_server;
// What Slack's end of Socket Mode does, shared with tests/api; the
// reconnect helpers are for those tests.
#[allow(dead_code)]
#[path = "api/fake_socket.rs"]
mod fake_socket;
#[path = "replicas/local_hours.rs"]
mod local_hours;
#[path = "replicas/socket_mode.rs"]
mod socket_mode;

use fake::{Call, FakeSlack, now_ms};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use sqlx::PgPool;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const SECRET: &str = "replica-test-signing-secret";
/// The workspace and app of the fake's `auth.test` / `bots.info`.
const TEAM: &str = "T12345678";
const APP: &str = "A12345678";
const MOMENTS: &str = "C0MOMENTS";

/// Everyone in the test organization's teams: whom its nudges reach.
const PEOPLE: [&str; 7] = [
    "U0LEAD1", "U0NURSE1", "U0NURSE2", "U0NURSE3", "U0LEAD2", "U0PHARM1", "U0PHARM2",
];

/// The test organization, in UTC (so a fire time is easy to write), with
/// `schedule` lines added to `[schedule]`.
fn config(schedule: &str) -> String {
    format!(
        r#"[org]
name = "Replica Health"
mission = "Every patient leaves healthier and heard."
timezone = "UTC"
moments_channel = "{MOMENTS}"
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
members = ["U0NURSE1", "U0NURSE2", "U0NURSE3"]

[[teams]]
key = "pharmacy"
name = "Pharmacy"
channel = "C0PHARMACY"
leaders = ["U0LEAD2"]
members = ["U0PHARM1", "U0PHARM2"]

[schedule]
{schedule}
"#
    )
}

/// One database, one fake Slack, one settings file: what the processes of
/// a test share.
struct Cluster {
    dir: tempfile::TempDir,
    database_url: String,
    config: PathBuf,
    fake: FakeSlack,
    db: PgPool,
}

impl Cluster {
    async fn new(schedule: &str) -> Self {
        let database_url = pg_server::fresh_database().await;
        let dir = tempfile::tempdir().unwrap();
        let config_path = dir.path().join("alignbot.toml");
        std::fs::write(&config_path, config(schedule)).unwrap();
        let db = PgPool::connect(&database_url).await.unwrap();
        Self {
            dir,
            database_url,
            config: config_path,
            fake: FakeSlack::start().await,
            db,
        }
    }

    /// The binary with this cluster's settings; replica `n` has its own bot
    /// token, so the fake can tell who called.
    fn alignbot(&self, n: usize, env: &[(&str, &str)]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_alignbot"));
        cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("ALIGNBOT_CONFIG", &self.config)
            .env("DATABASE_URL", &self.database_url)
            .env("SLACK_SIGNING_SECRET", SECRET)
            .env("SLACK_BOT_TOKEN", token(n))
            .env("SLACK_API_URL", &self.fake.api_url)
            .env("RUST_LOG", "info")
            // Many moments by few people.
            .env("ALIGNBOT_PRIVACY_MOMENTS_PER_HOUR", "0")
            // The workspace meter is not what these tests are about.
            .env("ALIGNBOT_DELIVERY_MAX_PER_SECOND", "1000");
        for (name, value) in env {
            cmd.env(name, value);
        }
        cmd
    }

    /// Starts `count` `serve` processes at once (they race to migrate and
    /// seed the empty database) and returns when each answers HTTP.
    fn serve(&self, count: usize, scheduler: bool, env: &[(&str, &str)]) -> Vec<Replica> {
        let mut replicas: Vec<Replica> =
            (0..count).map(|n| self.spawn(n, scheduler, env)).collect();
        tokio::task::block_in_place(|| {
            for replica in &mut replicas {
                common::wait_until_listening(&mut replica.child, replica.port);
            }
        });
        replicas
    }

    /// Starts replica `n` alone (its own token, port and log) and returns
    /// when it answers HTTP.
    fn serve_one(&self, n: usize, scheduler: bool, env: &[(&str, &str)]) -> Replica {
        let mut replica = self.spawn(n, scheduler, env);
        tokio::task::block_in_place(|| {
            common::wait_until_listening(&mut replica.child, replica.port);
        });
        replica
    }

    fn spawn(&self, n: usize, scheduler: bool, env: &[(&str, &str)]) -> Replica {
        let port = common::free_port();
        let log = self.dir.path().join(format!("replica-{n}.log"));
        let mut cmd = self.alignbot(n, env);
        cmd.env("ALIGNBOT_LISTEN", format!("127.0.0.1:{port}"))
            .arg("serve")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap());
        if !scheduler {
            cmd.arg("--no-scheduler");
        }
        Replica {
            child: cmd.spawn().unwrap(),
            port,
            log,
        }
    }

    async fn count(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
            .fetch_one(&self.db)
            .await
            .unwrap()
    }

    async fn pending(&self) -> i64 {
        self.count("SELECT COUNT(*) FROM outbox WHERE status = 'pending'")
            .await
    }
}

fn token(n: usize) -> String {
    format!("xoxb-replica-{n}")
}

/// Which replica made a call.
fn sender(call: &Call) -> usize {
    call.token
        .strip_prefix("xoxb-replica-")
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("a call with an unknown token: {call:?}"))
}

struct Replica {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Replica {
    fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Polls `check` every 50 ms until it gives `Some`, for at most `limit`.
async fn wait_for<T, F, Fut>(limit: Duration, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + limit;
    loop {
        if let Some(found) = check().await {
            return found;
        }
        assert!(Instant::now() < deadline, "waited {limit:?} for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn story(n: usize) -> String {
    format!("Story {n:04}: the night team rebuilt the rota together so everyone got a weekend off.")
}

/// The story number a post to the moments channel carries.
fn story_of(post: &Call) -> usize {
    let text = post.body.to_string();
    let at = text
        .find("Story ")
        .unwrap_or_else(|| panic!("not a moment: {text}"));
    text[at + 6..at + 10].parse().unwrap()
}

/// Sends `/moment <story n>` for each `n`, signed, `parallel` at a time,
/// spread round-robin over `ports`; returns how many were answered 2xx.
async fn share(ports: &[u16], stories: std::ops::Range<usize>, parallel: usize) -> usize {
    use futures_util::StreamExt;
    futures_util::stream::iter(stories)
        .map(|n| share_as(ports[n % ports.len()], PEOPLE[n % PEOPLE.len()], n))
        .buffer_unordered(parallel)
        .filter(|ok| std::future::ready(*ok))
        .count()
        .await
}

/// `/moment <story n>` by `user`, signed, to the replica on `port`; true if
/// answered 2xx.
async fn share_as(port: u16, user: &str, n: usize) -> bool {
    alignbot::teams::http_client::install_tls_provider();
    let body = serde_urlencoded::to_string([
        ("token", "unused"),
        ("team_id", TEAM),
        ("api_app_id", APP),
        ("channel_id", "C0GENERAL"),
        ("user_id", user),
        ("command", "/moment"),
        ("text", &story(n)),
        ("response_url", "http://127.0.0.1:9/hooks/unused"),
        (
            "trigger_id",
            "398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c",
        ),
    ])
    .unwrap();
    let ts = (now_ms() / 1000).to_string();
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(format!("v0:{ts}:{body}").as_bytes());
    let signature = format!("v0={}", hex::encode(mac.finalize().into_bytes()));
    let reply = client()
        .post(format!("http://127.0.0.1:{port}/slack/commands"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-slack-request-timestamp", ts)
        .header("x-slack-signature", signature)
        .body(body)
        .send()
        .await;
    reply.is_ok_and(|r| r.status().is_success())
}

/// One HTTP client for every request of the test process.
fn client() -> &'static reqwest::Client {
    static CLIENT: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    CLIENT.get_or_init(reqwest::Client::new)
}

/// The smallest gap between two posts to one channel, in milliseconds.
fn smallest_gap(posts: &[Call]) -> i64 {
    posts
        .windows(2)
        .map(|w| w[1].at_ms - w[0].at_ms)
        .min()
        .unwrap_or(i64::MAX)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL server binaries (initdb, pg_ctl); .ci/run installs them"]
async fn a_replica_killed_mid_send_loses_nothing_and_duplicates_only_its_row_in_flight() {
    let cluster = Cluster::new("").await;
    // A short pace keeps 500 posts to one channel under way for seconds.
    let pace = 10;
    let mut replicas = cluster.serve(
        2,
        false,
        &[(
            "ALIGNBOT_DELIVERY_PER_CHANNEL_INTERVAL_MS",
            &pace.to_string(),
        )],
    );
    let ports: Vec<u16> = replicas.iter().map(|r| r.port).collect();

    let answered = share(&ports, 0..500, 16).await;

    assert_eq!(answered, 500);
    assert_eq!(cluster.count("SELECT COUNT(*) FROM moments").await, 500);
    let before = cluster.fake.posts_to(MOMENTS).len();
    assert!(
        before < 450,
        "delivery must still be under way to kill a replica in the middle of it ({before} of 500 posted)"
    );

    // The next post gets no answer: its sender is provably mid-send.
    cluster.fake.hold_next_post_to(MOMENTS);
    let held = wait_for(Duration::from_secs(10), "a post to hold", || async {
        cluster.fake.held()
    })
    .await;
    let victim = sender(&held);
    let pid = replicas[victim].child.id();
    let in_flight: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT id, lease_until FROM outbox WHERE status = 'pending' AND claimed_by LIKE $1",
    )
    .bind(format!("%:{pid}:%"))
    .fetch_all(&cluster.db)
    .await
    .unwrap();
    replicas[victim].kill();
    let killed_at = now_ms();
    cluster.fake.release();
    assert!(
        !in_flight.is_empty(),
        "the killed replica held the claim of the post it was sending"
    );
    let lease_until = in_flight.iter().map(|(_, l)| *l).max().unwrap();

    // The survivor takes the dead replica's claim when its lease runs out
    // and sends the rest; finished means nothing is pending any more.
    wait_for(
        Duration::from_secs(60),
        "the survivor to send everything",
        || async { (cluster.pending().await == 0).then_some(()) },
    )
    .await;

    let posts = cluster.fake.posts_to(MOMENTS);
    let mut times: BTreeMap<usize, Vec<i64>> = BTreeMap::new();
    for post in &posts {
        times.entry(story_of(post)).or_default().push(post.at_ms);
    }
    assert_eq!(times.len(), 500, "every moment posted at least once");
    let duplicates: Vec<(usize, usize)> = times
        .iter()
        .filter(|(_, at)| at.len() > 1)
        .map(|(story, at)| (*story, at.len()))
        .collect();
    assert!(
        duplicates.len() <= in_flight.len(),
        "duplicates {duplicates:?} beyond the {} row(s) in flight at the kill",
        in_flight.len()
    );
    // The one that was in flight went twice: Slack had it, the dead
    // replica never heard so, and its claim ran out.
    let held_story = story_of(&held);
    assert_eq!(duplicates, vec![(held_story, 2)]);
    let resent_at = times[&held_story][1];
    assert!(
        resent_at >= lease_until,
        "resent at {resent_at}, before the lease ran out at {lease_until}"
    );
    assert!(
        resent_at - killed_at <= 15_000 + 3_000,
        "the survivor took {} ms after the kill to resend the dead replica's row",
        resent_at - killed_at
    );
    let survivor = 1 - victim;
    assert!(
        posts
            .iter()
            .filter(|p| p.at_ms > killed_at)
            .all(|p| sender(p) == survivor)
    );
    assert!(
        smallest_gap(&posts) >= pace - 1,
        "posts to one channel {} ms apart (pace {pace} ms)",
        smallest_gap(&posts)
    );
    eprintln!(
        "kill test: {before} posted before the hold, {} row(s) in flight at the kill, resent {} ms after the kill",
        in_flight.len(),
        resent_at - killed_at
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL server binaries (initdb, pg_ctl); .ci/run installs them"]
async fn one_channel_keeps_its_pace_across_two_replicas() {
    let cluster = Cluster::new("").await;
    let pace: i64 = 150;
    let replicas = cluster.serve(
        2,
        false,
        &[(
            "ALIGNBOT_DELIVERY_PER_CHANNEL_INTERVAL_MS",
            &pace.to_string(),
        )],
    );
    let ports: Vec<u16> = replicas.iter().map(|r| r.port).collect();

    // Shared one at a time while the channel's queue drains, so both
    // replicas keep waking to send (each wakes on its own shares).
    let mut answered = 0;
    for n in 0..24 {
        answered += share(&ports, n..n + 1, 1).await;
        tokio::time::sleep(Duration::from_millis(pace as u64 / 2)).await;
    }
    assert_eq!(answered, 24);
    wait_for(Duration::from_secs(60), "every post", || async {
        (cluster.pending().await == 0).then_some(())
    })
    .await;

    let posts = cluster.fake.posts_to(MOMENTS);
    let mut stories: Vec<usize> = posts.iter().map(story_of).collect();
    stories.sort_unstable();
    assert_eq!(stories, (0..24).collect::<Vec<_>>(), "each once");
    let by: HashMap<usize, usize> = posts.iter().fold(HashMap::new(), |mut by, p| {
        *by.entry(sender(p)).or_default() += 1;
        by
    });
    assert_eq!(by.len(), 2, "both replicas sent to the channel: {by:?}");
    // The lane is held until `pace` after a send finished, and a send
    // arrives after it was claimed: gaps are never shorter (bar the
    // millisecond the database rounds to).
    assert!(
        smallest_gap(&posts) >= pace - 1,
        "posts {} ms apart (pace {pace} ms), senders {by:?}",
        smallest_gap(&posts)
    );
    eprintln!(
        "pace test: senders {by:?}, smallest gap {} ms",
        smallest_gap(&posts)
    );
    drop(replicas);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL server binaries (initdb, pg_ctl); .ci/run installs them"]
async fn the_same_job_run_from_three_processes_at_once_runs_once() {
    let cluster = Cluster::new("").await;
    let runs: Vec<Child> = (0..3)
        .map(|n| {
            cluster
                .alignbot(n, &[])
                .args(["jobs", "run", "moments-nudge"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let outputs: Vec<String> = tokio::task::block_in_place(|| {
        runs.into_iter()
            .map(|run| {
                let out = run.wait_with_output().unwrap();
                let text = format!(
                    "{}{}",
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr)
                );
                assert!(out.status.success(), "{text}");
                text
            })
            .collect()
    });

    // Two of the three found the database migrated: sqlx's notice about
    // its own table is not logged (issue 15), errors would be.
    assert!(
        outputs.iter().all(|o| !o.contains("_sqlx_migrations")),
        "{outputs:#?}"
    );
    // Every process has exited: whatever was enqueued went out (or waits).
    assert_eq!(cluster.pending().await, 0, "{outputs:#?}");
    let already = outputs
        .iter()
        .filter(|o| o.contains("already ran for this period"))
        .count();
    assert_eq!(already, 2, "{outputs:#?}");
    assert_eq!(
        cluster
            .count("SELECT COUNT(*) FROM job_runs WHERE job = 'moments-nudge'")
            .await,
        1
    );
    assert_each_person_nudged_once(&cluster.fake.calls_to("chat.postMessage"));
}

/// A moments nudge ("Do you have a mission moment?"), not a moment's post
/// or a digest (which the schedulers' catch-up sends late in a month).
fn is_moments_nudge(post: &Call) -> bool {
    post.body
        .to_string()
        .contains("Do you have a mission moment?")
}

/// The month's moments digests posted to the moments channel.
fn digests(cluster: &Cluster) -> usize {
    cluster
        .fake
        .posts_to(MOMENTS)
        .iter()
        .filter(|p| p.body.to_string().contains("Mission moments of"))
        .count()
}

/// Every person got exactly one moments nudge.
fn assert_each_person_nudged_once(posts: &[Call]) {
    let mut nudges: BTreeMap<String, usize> = BTreeMap::new();
    for post in posts.iter().filter(|p| is_moments_nudge(p)) {
        *nudges.entry(post.channel().to_owned()).or_default() += 1;
    }
    let mut expected: Vec<&str> = PEOPLE.to_vec();
    expected.sort_unstable();
    assert_eq!(
        nudges.keys().map(String::as_str).collect::<Vec<_>>(),
        expected,
        "{nudges:?}"
    );
    assert!(nudges.values().all(|n| *n == 1), "{nudges:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL server binaries (initdb, pg_ctl); .ci/run installs them"]
async fn two_schedulers_firing_at_once_send_each_nudge_once() {
    // The moments nudge fires a few seconds from now (UTC, the org's
    // zone), after both replicas are up.
    let fire = chrono::Utc::now() + chrono::Duration::seconds(8);
    let cron = fire.format("%S %M %H %d %m *").to_string();
    // The month's digest is due from the 1st, so both catch it up at start
    // whatever the date: it too must go out once.
    let cluster = Cluster::new(&format!(
        "moments_nudge = \"{cron}\"\nmonthly_digest = \"0 0 0 1 * *\""
    ))
    .await;
    let replicas = cluster.serve(2, true, &[]);
    assert!(
        chrono::Utc::now() < fire,
        "both replicas must be up before the fire time"
    );

    // Both schedulers fire; one claims the run. Finished means: the run is
    // recorded as done, both replicas logged their fire, nothing pending.
    let month = fire.format("%Y-%m").to_string();
    wait_for(Duration::from_secs(40), "both schedulers to fire", || async {
        let logged = replicas
            .iter()
            .filter(|r| r.log().contains("job run summary=moments-nudge"))
            .count();
        let done = cluster
            .count("SELECT COUNT(*) FROM job_runs WHERE job = 'moments-nudge' AND finished_at IS NOT NULL")
            .await;
        (logged == 2 && done == 1 && cluster.pending().await == 0).then_some(())
    })
    .await;

    // Each scheduler logged its fire of the job ("job run"): one ran it,
    // the other found it claimed.
    let logs: Vec<String> = replicas.iter().map(Replica::log).collect();
    let fires: Vec<&str> = logs
        .iter()
        .flat_map(|l| l.lines())
        .filter(|l| l.contains(&format!("job run summary=moments-nudge {month}:")))
        .collect();
    assert_eq!(fires.len(), 2, "{logs:#?}");
    assert_eq!(
        fires
            .iter()
            .filter(|l| l.contains("already ran for this period"))
            .count(),
        1,
        "{fires:#?}"
    );
    let posts = cluster.fake.calls_to("chat.postMessage");
    eprintln!("scheduler test: {} posts", posts.len());
    assert_each_person_nudged_once(&posts);
    // Whatever else the schedulers caught up on at start (this month's
    // earlier jobs: a priorities nudge and its reminder are two messages to
    // one leader), no message went out twice: same person, same text and
    // same blocks.
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    for post in &posts {
        let message = format!("{} {}", post.body["text"], post.body["blocks"]);
        *seen
            .entry((post.channel().to_owned(), message))
            .or_default() += 1;
    }
    let twice: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "sent twice: {twice:#?}");
    assert_eq!(digests(&cluster), 1, "the digest caught up at start");
}
