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
//!   statements per share.

use super::outbox::{self, NewOutgoing};
use super::{Backend, Conn};
use super::{StoreError, moments};
use crate::domain::{MomentDraft, MomentId};
use chrono::{DateTime, Utc};
use futures_util::future::BoxFuture;
use sqlx::{AnyPool, Connection};
use tokio::sync::{mpsc, oneshot};

/// Writes in one transaction at most; bounds the latency of the last one.
const MAX_BATCH: usize = 512;

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
    pub outgoing: Box<dyn FnOnce(MomentId) -> NewOutgoing + Send>,
}

enum Job {
    Op(WriteOp),
    Share(NewShare, oneshot::Sender<Result<MomentId, StoreError>>),
}

#[derive(Clone)]
pub(crate) struct Writer {
    tx: mpsc::UnboundedSender<Job>,
}

impl Writer {
    pub(crate) fn start(pool: AnyPool, backend: Backend) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(run(pool, backend, rx));
        Self { tx }
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

    pub(crate) async fn share(&self, share: NewShare) -> Result<MomentId, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.tx
            .send(Job::Share(share, reply))
            .map_err(|_| StoreError::NotApplied)?;
        answer.await.map_err(|_| StoreError::NotApplied)?
    }
}

async fn run(pool: AnyPool, backend: Backend, mut rx: mpsc::UnboundedReceiver<Job>) {
    let mut ops = Vec::with_capacity(MAX_BATCH);
    let mut shares = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = rx.recv().await {
        let mut take = |job| match job {
            Job::Op(op) => ops.push(op),
            Job::Share(share, reply) => shares.push((share, reply)),
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
        let (result, completions) = match pool.acquire().await {
            Ok(mut conn) => run_batch(&mut conn, backend, ops.drain(..), shares.drain(..)).await,
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
    }
    tracing::debug!("writer stopped: all store handles dropped");
}

/// Runs a batch in one transaction and returns the commit's outcome with
/// the completions that answer each caller.
async fn run_batch(
    conn: &mut Conn,
    backend: Backend,
    ops: impl ExactSizeIterator<Item = WriteOp>,
    shares: impl ExactSizeIterator<Item = (NewShare, oneshot::Sender<Result<MomentId, StoreError>>)>,
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
            Ok(ids) => {
                any_ok = true;
                for (id, reply) in ids.into_iter().zip(replies) {
                    completions.push(Box::new(move |committed| {
                        let _ = reply.send(committed.map(|()| id));
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

async fn insert_shares(conn: &mut Conn, items: Vec<NewShare>) -> Result<Vec<MomentId>, StoreError> {
    let drafts: Vec<(&MomentDraft, DateTime<Utc>)> =
        items.iter().map(|s| (&s.draft, s.now)).collect();
    let ids = moments::insert_shared_many(conn, &drafts).await?;
    let now = items.first().map(|s| s.now).unwrap_or_else(Utc::now);
    let rows: Vec<NewOutgoing> = items
        .into_iter()
        .zip(&ids)
        .map(|(share, id)| (share.outgoing)(*id))
        .collect();
    outbox::enqueue_many(conn, &rows, now).await?;
    Ok(ids)
}
