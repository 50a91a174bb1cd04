//! One writer task with group commit.
//!
//! SQLite allows one writer at a time, and every statement sqlx runs is a
//! hand-off to the connection's own thread. Instead of every request opening
//! its own transaction, requests send their write to this task. It takes
//! whatever is queued (up to [`MAX_BATCH`]) and runs it in one shared
//! transaction, commits once, and only then answers each caller: a caller's
//! reply always follows the commit of its write, and under load hundreds of
//! writes share one commit.
//!
//! Two kinds of write:
//! - a closure ([`Writer::write`]), for anything; each runs in its own
//!   SAVEPOINT, so one failing write never undoes another;
//! - a [`NewShare`] (a mission moment posted straight to its channel, the
//!   hottest path): all of a batch's shares are inserted with one multi-row
//!   INSERT for the moments and one for their outbox rows, instead of two
//!   statements per share. The request's replay memory (the hash of its
//!   signature) and the author's hourly limit are settled in the same
//!   transaction: a share whose hash is already known creates nothing
//!   ([`Shared::Replay`]), one over the limit neither
//!   ([`Shared::OverLimit`]).
//!
//! Latency: a batch of one commits at once (the writer never waits for a
//! batch to fill). On SQLite the writer keeps its one connection, so a batch
//! is not preceded and followed by the pool's health pings (each a hand-off
//! to the connection's thread), and a batch of shares alone is one query
//! (see `shares_sqlite`).
//!
//! SQLite's WAL: the checkpoint runs in the background (`store`), which
//! never catches up with a writer that does not stop, and SQLite starts the
//! log over only when a write begins with all of it copied back. Without
//! that the log grew by every commit (a gigabyte in a few minutes of
//! load), and every commit paid the file system for extending it. When the
//! background round finds the log past [`WAL_RESTART_FRAMES`] it sets a
//! flag ([`WalRestart`]); the writer, between batches and after answering
//! its callers, copies what is left (a checkpoint on its own connection,
//! which no write can overtake), so its next transaction writes the log
//! from the start again.

use super::outbox::{self, NewOutgoing};
use super::{Backend, Conn};
use super::{StoreError, jobs, moments, replays, shares_sqlite};
use crate::domain::{MomentDraft, MomentId};
use chrono::{DateTime, Utc};
use futures_util::future::BoxFuture;
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyPool, Connection};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tokio::sync::{mpsc, oneshot};

/// Writes in one transaction at most; bounds the latency of the last one.
const MAX_BATCH: usize = 512;

/// Frames (pages) in SQLite's WAL past which the writer starts it over:
/// 16 MB of 4 KB pages, a few hundred lone shares, four times SQLite's own
/// automatic checkpoint. Each start-over costs the writer one checkpoint of
/// what the background round has not copied yet (its two fsyncs).
pub(super) const WAL_RESTART_FRAMES: i64 = 4096;

/// Asks the writer to let SQLite's WAL start over (see the module doc).
#[derive(Clone, Default)]
pub(super) struct WalRestart(Arc<AtomicBool>);

impl WalRestart {
    pub(super) fn request(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    fn take(&self) -> bool {
        self.0.swap(false, Ordering::Relaxed)
    }
}

/// Runs after the batch's commit with its outcome; answers one caller.
type Completion = Box<dyn FnOnce(Result<(), StoreError>) + Send>;

/// A queued closure: runs on the writer's connection, says whether it
/// succeeded, and hands back how to answer its caller.
type WriteOp = Box<dyn for<'c> FnOnce(&'c mut Conn) -> BoxFuture<'c, (bool, Completion)> + Send>;

/// A moment shared straight to a channel, with the outbox row that posts it.
pub struct NewShare {
    pub draft: MomentDraft,
    pub now: DateTime<Utc>,
    /// Builds the outbox row once the moment's id is known.
    pub outgoing: Box<dyn Fn(MomentId) -> NewOutgoing + Send + Sync>,
    /// The signed request's entry in the replay memory (see
    /// `store::replays`), written in the share's transaction.
    pub replay: Option<Remember>,
    /// At most this many shares by the author since this instant (the
    /// author's hourly limit), counted in the share's transaction.
    pub limit: Option<(u32, DateTime<Utc>)>,
    /// Once stored: the outbox row that updates the author's nudge of
    /// this job and period, if they were sent one.
    pub thank: Option<Thank>,
}

/// The row that updates a person's nudge (`job`, `period`) once they did
/// what it asked, built from the nudge's id.
pub struct Thank {
    pub job: &'static str,
    pub period: String,
    pub outgoing: Box<dyn Fn(i64) -> NewOutgoing + Send + Sync>,
}

/// A request to remember: the hash of its signature, until when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remember {
    pub hash: String,
    pub until: DateTime<Utc>,
}

/// What became of a [`NewShare`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shared {
    /// Stored, with its outbox row.
    Posted(MomentId),
    /// The request was seen before: nothing was stored.
    Replay,
    /// The author reached the limit: nothing was stored. The times of
    /// their shares counted against it, oldest first.
    OverLimit(Vec<DateTime<Utc>>),
}

type ShareReply = oneshot::Sender<Result<Shared, StoreError>>;

enum Job {
    Op(WriteOp),
    Share(Box<NewShare>, ShareReply),
}

#[derive(Clone)]
pub(crate) struct Writer {
    tx: mpsc::UnboundedSender<Job>,
    restart: WalRestart,
}

impl Writer {
    pub(crate) fn start(pool: AnyPool, backend: Backend) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        let restart = WalRestart::default();
        tokio::spawn(run(pool, backend, rx, restart.clone()));
        Self { tx, restart }
    }

    /// The flag the background checkpoint sets when SQLite's WAL should
    /// start over.
    pub(super) fn wal_restart(&self) -> WalRestart {
        self.restart.clone()
    }

    pub(crate) async fn write<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut Conn) -> BoxFuture<'c, Result<T, StoreError>> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let op: WriteOp = Box::new(move |conn| {
            Box::pin(async move {
                match f(conn).await {
                    Ok(value) => {
                        let done: Completion = Box::new(move |committed| {
                            let _ = reply.send(committed.map(|()| value));
                        });
                        (true, done)
                    }
                    Err(e) => {
                        let done: Completion = Box::new(move |_| {
                            let _ = reply.send(Err(e));
                        });
                        (false, done)
                    }
                }
            })
        });
        self.tx
            .send(Job::Op(op))
            .map_err(|_| StoreError::NotApplied)?;
        answer.await.map_err(|_| StoreError::NotApplied)?
    }

    pub(crate) async fn share(&self, share: NewShare) -> Result<Shared, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.tx
            .send(Job::Share(Box::new(share), reply))
            .map_err(|_| StoreError::NotApplied)?;
        answer.await.map_err(|_| StoreError::NotApplied)?
    }
}

async fn run(
    pool: AnyPool,
    backend: Backend,
    mut rx: mpsc::UnboundedReceiver<Job>,
    restart: WalRestart,
) {
    let mut ops = Vec::with_capacity(MAX_BATCH);
    let mut shares = Vec::with_capacity(MAX_BATCH);
    // SQLite's is kept between batches: taking a connection from the pool
    // and giving it back would ping it each time. Given back after a failed
    // batch, so a broken connection is replaced by the next batch.
    let mut held: Option<PoolConnection<Any>> = None;
    while let Some(first) = rx.recv().await {
        let mut take = |job| match job {
            Job::Op(op) => ops.push(op),
            Job::Share(share, reply) => shares.push((*share, reply)),
        };
        take(first);
        let mut size = 1;
        while size < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => take(job),
                Err(_) => break,
            }
            size += 1;
        }
        let conn = match held.take() {
            Some(conn) => Ok(conn),
            None => pool.acquire().await,
        };
        let (result, completions) = match conn {
            Ok(mut conn) => {
                let done = run_batch(&mut conn, backend, ops.drain(..), shares.drain(..)).await;
                // PostgreSQL's connection goes back to the pool, whose ping
                // replaces one the server closed (a restart, a failover)
                // before a batch fails on it; a SQLite file does not go away.
                if done.0.is_ok() && backend == Backend::Sqlite {
                    held = Some(conn);
                }
                done
            }
            Err(e) => {
                // Dropping the jobs drops their reply senders: each caller
                // sees `NotApplied` and nothing was written.
                ops.clear();
                shares.clear();
                (Err(StoreError::from(e)), Vec::new())
            }
        };
        if let Err(e) = &result {
            tracing::error!(error = %e, batch = size, "write batch failed");
        }
        for done in completions {
            done(result.clone());
        }
        if let Some(conn) = held.as_mut()
            && restart.take()
        {
            copy_back_the_rest(conn).await;
        }
    }
    tracing::debug!("writer stopped: all store handles dropped");
}

/// Copies into the database what the WAL holds beyond the background
/// checkpoint's last round, so the next write starts the log over. On the
/// writer's connection between batches, so no commit lands in between;
/// PASSIVE, so a reader still using old frames only delays the start-over
/// to a later request (the background round asks again).
async fn copy_back_the_rest(conn: &mut Conn) {
    match sqlx::query_as::<_, (i64, i64, i64)>("PRAGMA wal_checkpoint(PASSIVE)")
        .fetch_one(&mut *conn)
        .await
    {
        Ok((busy, log, copied)) => {
            tracing::debug!(busy, log, copied, "WAL copied back for a start-over");
        }
        Err(e) => tracing::debug!(error = %e, "WAL checkpoint for a start-over failed"),
    }
}

/// Runs a batch in one transaction and returns the commit's outcome with
/// the completions that answer each caller.
async fn run_batch(
    conn: &mut Conn,
    backend: Backend,
    ops: impl ExactSizeIterator<Item = WriteOp>,
    shares: impl ExactSizeIterator<Item = (NewShare, ShareReply)>,
) -> (Result<(), StoreError>, Vec<Completion>) {
    if backend == Backend::Sqlite && ops.len() == 0 {
        let shares: Vec<_> = shares.collect();
        let ready: Option<Vec<_>> = shares
            .iter()
            .map(|(s, _)| shares_sqlite::ready(s))
            .collect();
        return match ready {
            Some(ready) => one_hop(conn, shares, ready).await,
            None => run_batch_slow(conn, backend, ops, shares.into_iter()).await,
        };
    }
    run_batch_slow(conn, backend, ops, shares).await
}

/// A batch of shares alone on SQLite: one query (see `shares_sqlite`).
async fn one_hop(
    conn: &mut Conn,
    shares: Vec<(NewShare, ShareReply)>,
    ready: Vec<shares_sqlite::Ready>,
) -> (Result<(), StoreError>, Vec<Completion>) {
    let (items, replies): (Vec<NewShare>, Vec<ShareReply>) = shares.into_iter().unzip();
    let batch: Vec<(NewShare, shares_sqlite::Ready)> = items.into_iter().zip(ready).collect();
    let mut completions: Vec<Completion> = Vec::with_capacity(replies.len());
    match shares_sqlite::write(conn, &batch).await {
        Ok(all) => {
            for (shared, reply) in all.into_iter().zip(replies) {
                completions.push(Box::new(move |committed| {
                    let _ = reply.send(committed.map(|()| shared));
                }));
            }
            (Ok(()), completions)
        }
        Err(e) => {
            for reply in replies {
                let e = e.clone();
                completions.push(Box::new(move |_| {
                    let _ = reply.send(Err(e));
                }));
            }
            (Err(e), completions)
        }
    }
}

/// Any batch, statement by statement, in one transaction.
async fn run_batch_slow(
    conn: &mut Conn,
    backend: Backend,
    ops: impl ExactSizeIterator<Item = WriteOp>,
    shares: impl ExactSizeIterator<Item = (NewShare, ShareReply)>,
) -> (Result<(), StoreError>, Vec<Completion>) {
    // A lone write needs no savepoint: its failure rolls back the whole
    // (single-write) transaction.
    let isolate = ops.len() + usize::from(shares.len() > 0) > 1;
    let mut completions: Vec<Completion> = Vec::with_capacity(ops.len() + shares.len());
    let mut tx = match conn.begin_with(backend.begin_write()).await {
        Ok(tx) => tx,
        Err(e) => return (Err(StoreError::from(e)), completions),
    };
    let mut any_ok = false;

    if shares.len() > 0 {
        let (items, replies): (Vec<NewShare>, Vec<_>) = shares.unzip();
        if isolate && let Err(e) = sqlx::raw_sql("SAVEPOINT w").execute(&mut *tx).await {
            return (Err(StoreError::from(e)), completions);
        }
        let outcome = insert_shares(&mut tx, items).await;
        if isolate {
            let end = if outcome.is_ok() {
                "RELEASE w"
            } else {
                "ROLLBACK TO w; RELEASE w"
            };
            if let Err(e) = sqlx::raw_sql(end).execute(&mut *tx).await {
                return (Err(StoreError::from(e)), completions);
            }
        }
        match outcome {
            Ok(all) => {
                any_ok = true;
                for (shared, reply) in all.into_iter().zip(replies) {
                    completions.push(Box::new(move |committed| {
                        let _ = reply.send(committed.map(|()| shared));
                    }));
                }
            }
            Err(e) => {
                for reply in replies {
                    let e = e.clone();
                    completions.push(Box::new(move |_| {
                        let _ = reply.send(Err(e));
                    }));
                }
            }
        }
    }

    for op in ops {
        if isolate && let Err(e) = sqlx::raw_sql("SAVEPOINT w").execute(&mut *tx).await {
            return (Err(StoreError::from(e)), completions);
        }
        let (ok, done) = op(&mut tx).await;
        completions.push(done);
        any_ok |= ok;
        if isolate {
            let end = if ok {
                "RELEASE w"
            } else {
                "ROLLBACK TO w; RELEASE w"
            };
            if let Err(e) = sqlx::raw_sql(end).execute(&mut *tx).await {
                return (Err(e.into()), completions);
            }
        }
    }
    let result = if any_ok {
        tx.commit().await.map_err(StoreError::from)
    } else {
        tx.rollback().await.map_err(StoreError::from)
    };
    (result, completions)
}

/// Writes a batch of shares: first each request's replay memory (a hash
/// already known, or twice in this batch, makes that share a replay), then
/// counts the hourly limits (shares earlier in the batch count too), then
/// the moments and their outbox rows with one multi-row INSERT each.
async fn insert_shares(conn: &mut Conn, items: Vec<NewShare>) -> Result<Vec<Shared>, StoreError> {
    let mut outcome: Vec<Option<Shared>> = vec![None; items.len()];

    let mut seen = HashSet::new();
    let mut keyed: Vec<(usize, &Remember)> = Vec::new();
    for (i, share) in items.iter().enumerate() {
        if let Some(replay) = &share.replay {
            if seen.insert(replay.hash.as_str()) {
                keyed.push((i, replay));
            } else {
                outcome[i] = Some(Shared::Replay);
            }
        }
    }
    if !keyed.is_empty() {
        let rows: Vec<&Remember> = keyed.iter().map(|(_, r)| *r).collect();
        let fresh = replays::remember_many(conn, &rows).await?;
        for (i, replay) in &keyed {
            if !fresh.contains(&replay.hash) {
                outcome[*i] = Some(Shared::Replay);
            }
        }
    }

    let limited: Vec<(&str, DateTime<Utc>)> = items
        .iter()
        .zip(&outcome)
        .filter(|(_, o)| o.is_none())
        .filter_map(|(s, _)| s.limit.map(|(_, since)| (s.draft.author.as_str(), since)))
        .collect();
    if !limited.is_empty() {
        let since = limited.iter().map(|(_, t)| *t).min().unwrap_or_default();
        let mut authors: Vec<&str> = limited.iter().map(|(a, _)| *a).collect();
        authors.sort_unstable();
        authors.dedup();
        let mut recent: HashMap<String, Vec<DateTime<Utc>>> =
            moments::shared_since_by(conn, &authors, since).await?;
        for (share, slot) in items.iter().zip(outcome.iter_mut()) {
            let (Some((max, since)), None) = (share.limit, &slot) else {
                continue;
            };
            let times = recent
                .entry(share.draft.author.as_str().to_owned())
                .or_default();
            let counted: Vec<DateTime<Utc>> =
                times.iter().copied().filter(|t| *t >= since).collect();
            if counted.len() >= max as usize {
                *slot = Some(Shared::OverLimit(counted));
            } else {
                times.push(share.now);
            }
        }
    }

    let mut posting = Vec::new();
    let mut drafts: Vec<(&MomentDraft, DateTime<Utc>)> = Vec::new();
    for (i, share) in items.iter().enumerate() {
        if outcome[i].is_none() {
            posting.push(i);
            drafts.push((&share.draft, share.now));
        }
    }
    if !drafts.is_empty() {
        let ids = moments::insert_shared_many(conn, &drafts).await?;
        let now = drafts[0].1;
        for (i, id) in posting.iter().zip(&ids) {
            outcome[*i] = Some(Shared::Posted(*id));
        }
        let mut rows: Vec<NewOutgoing> = Vec::with_capacity(ids.len());
        let mut thanks = Vec::new();
        for (share, o) in items.into_iter().zip(&outcome) {
            if let Some(Shared::Posted(id)) = o {
                rows.push((share.outgoing)(*id));
                if let Some(thank) = share.thank {
                    thanks.push((thank, share.draft.author));
                }
            }
        }
        outbox::enqueue_many(conn, &rows, now).await?;
        for (thank, author) in thanks {
            let nudge =
                jobs::nudge_for(&mut *conn, thank.job, &thank.period, author.as_str()).await?;
            if let Some((id, Some(_), _)) = nudge {
                outbox::enqueue(conn, &(thank.outgoing)(id), now).await?;
            }
        }
    }
    outcome
        .into_iter()
        .map(|o| o.ok_or_else(|| StoreError::Corrupt("a share was left undecided".into())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    /// A writer on a fresh SQLite file, with no background checkpoint:
    /// the log starts over only if the writer makes it.
    async fn writer_on(url: &str) -> Writer {
        sqlx::any::install_default_drivers();
        super::super::create_sqlite(url).await.unwrap();
        let options = sqlx::any::AnyConnectOptions::from_str(url).unwrap();
        let pool = super::super::sqlite_pool(1)
            .connect_with(options)
            .await
            .unwrap();
        let writer = Writer::start(pool, Backend::Sqlite);
        writer
            .write(|conn| {
                Box::pin(async move {
                    sqlx::raw_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
                        .execute(&mut *conn)
                        .await?;
                    Ok(())
                })
            })
            .await
            .unwrap();
        writer
    }

    /// `n` writes of one page each.
    async fn fill(writer: &Writer, n: usize) {
        for _ in 0..n {
            writer
                .write(|conn| {
                    Box::pin(async move {
                        sqlx::query("INSERT INTO t (body) VALUES ($1)")
                            .bind("x".repeat(3000))
                            .execute(&mut *conn)
                            .await?;
                        Ok(())
                    })
                })
                .await
                .unwrap();
        }
    }

    #[tokio::test]
    async fn asked_to_the_writer_lets_the_wal_start_over_instead_of_growing() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("w.db");
        let url = format!("sqlite://{}", db.display());
        let wal = || {
            std::fs::metadata(dir.path().join("w.db-wal"))
                .unwrap()
                .len()
        };
        let writer = writer_on(&url).await;

        // Not asked: every write lengthens the log.
        fill(&writer, 100).await;
        let first = wal();
        fill(&writer, 100).await;
        let grown = wal();
        assert!(grown > first + first / 2, "{first} -> {grown}");

        // Asked: after the next batch the writer copies the log back, and
        // the writes after it overwrite it from the start.
        writer.wal_restart().request();
        fill(&writer, 1).await;
        let asked = wal();
        fill(&writer, 100).await;
        assert_eq!(wal(), asked, "the log grew on");
    }
}
