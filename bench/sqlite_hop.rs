//! bench-sqlite-hop: what the database part of one `/moment` costs on
//! SQLite, step by step, one at a time (issue 14).
//!
//! Every statement sqlx runs on SQLite is handed to the connection's own
//! thread and its results handed back, so a write's latency has a floor
//! that no SQL can go under. This measures, each on a fresh database in a
//! temporary folder and one after the other (so each number is a latency, not a
//! throughput):
//!
//! - `select1`: `SELECT 1` on a plain connection, the hand-off alone;
//! - `lean`: the lean reference's transaction (`../shared/bench`: BEGIN, a
//!   story and its outbox row in two tables without indexes, COMMIT), in one
//!   hand-off as it runs it;
//! - `moment`: BEGIN, one row into alignbot's `moments` (its two indexes
//!   and AUTOINCREMENT), COMMIT, in one hand-off;
//! - `share`: [`Store::share`], exactly what `serve` does for a `/moment`:
//!   the writer task, the replay entry, the hourly limit's count, the
//!   moment, its outbox row and the thank-you, in one transaction.
//!
//! The WAL is checkpointed (TRUNCATE) every 2,000 writes, off the clock, so
//! every step writes a log of the same length.
//!
//! ```sh
//! cargo run --release --bin bench-sqlite-hop             # 20,000 of each
//! cargo run --release --bin bench-sqlite-hop -- 5000      # fewer
//! ```

use alignbot::app::moments::new_share;
use alignbot::domain::{Audience, ChannelId, MomentDraft, MomentStory, PersonId, Recognized};
use alignbot::store::{NewShare, Remember, Shared, Store};
use anyhow::{Context, Result, ensure};
use chrono::{DateTime, Duration, Utc};
use sqlx::{Connection, Executor, SqliteConnection};
use std::path::Path;
use std::time::Instant;

/// Writes before the measured ones, to warm the caches and grow the tables.
const WARMUP: usize = 2_000;

/// The lean reference's schema and transaction (`../shared/bench/limit`).
const LEAN_SCHEMA: &str = "CREATE TABLE lean_moments (id INTEGER PRIMARY KEY, team_id TEXT NOT NULL, \
     channel_id TEXT NOT NULL, user_id TEXT NOT NULL, user_name TEXT NOT NULL, text TEXT NOT NULL, \
     created_at INTEGER NOT NULL); CREATE TABLE lean_outbox (id INTEGER PRIMARY KEY, moment_id INTEGER \
     NOT NULL REFERENCES lean_moments(id), method TEXT NOT NULL, payload TEXT NOT NULL, created_at \
     INTEGER NOT NULL, sent_at INTEGER);";
const LEAN_TX: &str = "BEGIN IMMEDIATE; INSERT INTO lean_moments (team_id, channel_id, user_id, \
     user_name, text, created_at) VALUES (?, ?, ?, ?, ?, ?); INSERT INTO lean_outbox (moment_id, method, \
     payload, created_at) VALUES (last_insert_rowid(), 'chat.postMessage', ?, ?); COMMIT;";
const MOMENT_TX: &str = "BEGIN IMMEDIATE; INSERT INTO moments (author, story, pillar_key, \
     audience, status, created_at, updated_at) VALUES ($1, $2, NULL, 'channel', 'shared', $3, $3); \
     COMMIT;";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Step {
    Select1,
    Lean,
    Moment,
    Share,
}

impl Step {
    const ALL: [Step; 4] = [Step::Select1, Step::Lean, Step::Moment, Step::Share];

    fn name(self) -> &'static str {
        match self {
            Step::Select1 => "select1",
            Step::Lean => "lean",
            Step::Moment => "moment",
            Step::Share => "share",
        }
    }
}

/// One of the run's writes: its author, story and instant.
struct Write {
    author: String,
    story: String,
    now: DateTime<Utc>,
}

impl Write {
    fn nth(i: usize) -> Self {
        let start = DateTime::from_timestamp(1_800_000_000, 0).expect("a valid instant");
        Self {
            // 5,000 people, so the hourly limit counts a few shares each.
            author: format!("U0BENCH{:05}", i % 5_000),
            story: format!(
                "{i:06} {}",
                "The night team turned a frightened arrival into a calm one. ".repeat(4)
            )
            .chars()
            .take(200)
            .collect(),
            now: start + Duration::milliseconds(i as i64),
        }
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 1)]
async fn main() -> Result<()> {
    let n: usize = match std::env::args().nth(1) {
        Some(arg) => arg.parse().context("usage: bench-sqlite-hop [WRITES]")?,
        None => 20_000,
    };
    let dir = std::env::temp_dir().join(format!("alignbot-sqlite-hop-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    println!("| step | writes | p50 µs | p90 µs | p99 µs |");
    println!("|---|---|---|---|---|");
    for step in Step::ALL {
        let mut took = run(step, n, &dir).await?;
        took.sort_unstable();
        let at = |q: usize| took[(took.len() * q / 100).min(took.len() - 1)];
        println!(
            "| {} | {n} | {} | {} | {} |",
            step.name(),
            at(50),
            at(90),
            at(99)
        );
    }
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}

/// The step's measured latencies in µs, on a database of its own.
async fn run(step: Step, n: usize, dir: &Path) -> Result<Vec<u32>> {
    let url = format!(
        "sqlite://{}",
        dir.join(format!("{}.db", step.name())).display()
    );
    let store = Store::connect(&url).await?;
    store.migrate().await?;
    // A plain connection as the lean reference opens it (WAL, NORMAL).
    let options: sqlx::sqlite::SqliteConnectOptions = url.parse()?;
    let mut conn = SqliteConnection::connect_with(
        &options
            .synchronous(sqlx::sqlite::SqliteSynchronous::Normal)
            .pragma("wal_autocheckpoint", "0"),
    )
    .await?;
    if step == Step::Lean {
        sqlx::raw_sql(LEAN_SCHEMA).execute(&mut conn).await?;
    }
    let mut took = Vec::with_capacity(n);
    for i in 0..WARMUP + n {
        let w = Write::nth(i);
        let started = Instant::now();
        match step {
            Step::Select1 => {
                sqlx::query("SELECT 1").fetch_all(&mut conn).await?;
            }
            Step::Lean => {
                sqlx::query(LEAN_TX)
                    .bind("T0BENCH")
                    .bind("C0MOMENTS")
                    .bind(&w.author)
                    .bind("a name")
                    .bind(&w.story)
                    .bind(w.now.timestamp_millis())
                    .bind(format!(r#"{{"channel":"C0MOMENTS","text":{:?}}}"#, w.story))
                    .bind(w.now.timestamp_millis())
                    .fetch_all(&mut conn)
                    .await?;
            }
            Step::Moment => {
                sqlx::query(MOMENT_TX)
                    .bind(&w.author)
                    .bind(&w.story)
                    .bind(w.now.timestamp_millis())
                    .fetch_all(&mut conn)
                    .await?;
            }
            Step::Share => {
                let shared = store.share(share(&w, i)?).await?;
                ensure!(
                    matches!(shared, Shared::Posted(_)),
                    "share {i} was not stored"
                );
            }
        }
        if i >= WARMUP {
            took.push(u32::try_from(started.elapsed().as_micros()).unwrap_or(u32::MAX));
        }
        if i % 2_000 == 1_999 {
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").await?;
        }
    }
    conn.close().await?;
    store.close().await;
    Ok(took)
}

/// What `serve` hands the store for a `/moment` (`app::moments::new_share`).
fn share(w: &Write, i: usize) -> Result<NewShare> {
    let draft = MomentDraft {
        author: PersonId::parse(&w.author)?,
        story: MomentStory::parse(&w.story)?,
        pillar: None,
        recognized: Recognized::default(),
        audience: Audience::Channel,
    };
    let replay = Remember {
        hash: format!("{i:064x}"),
        until: w.now + Duration::minutes(5),
    };
    Ok(new_share(
        draft,
        ChannelId::parse("C0MOMENTS")?,
        w.now,
        Some(replay),
        10,
        "2027-01".to_owned(),
    ))
}
