//! One writer task with group commit.
//!
//! SQLite allows one writer at a time, and each commit costs a sync. Instead
//! of every request opening its own transaction, requests send their write as
//! a closure to this task. It takes whatever is queued (up to [`MAX_BATCH`]),
//! runs each closure inside one shared transaction, each in its own
//! SAVEPOINT so one failing write never undoes another, commits once, and only
//! then answers each caller. So a caller's reply always follows its durable
//! commit, and under load hundreds of writes share a single commit.

use super::StoreError;
use futures_util::future::BoxFuture;
use sqlx::{Connection, SqliteConnection, SqlitePool};
use tokio::sync::{mpsc, oneshot};

/// Writes in one transaction at most; bounds the latency of the last one.
const MAX_BATCH: usize = 512;

/// Runs after the batch's commit with its outcome; answers one caller.
type Completion = Box<dyn FnOnce(Result<(), StoreError>) + Send>;

/// A queued write: runs on the writer's connection, says whether it
/// succeeded, and hands back how to answer its caller.
type WriteOp =
    Box<dyn for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, (bool, Completion)> + Send>;

#[derive(Clone)]
pub(crate) struct Writer {
    tx: mpsc::UnboundedSender<WriteOp>,
}

impl Writer {
    pub(crate) fn start(pool: SqlitePool) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(run(pool, rx));
        Self { tx }
    }

    pub(crate) async fn write<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, Result<T, StoreError>>
            + Send
            + 'static,
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
        self.tx.send(op).map_err(|_| StoreError::NotApplied)?;
        answer.await.map_err(|_| StoreError::NotApplied)?
    }
}

async fn run(pool: SqlitePool, mut rx: mpsc::UnboundedReceiver<WriteOp>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = rx.recv().await {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(op) => batch.push(op),
                Err(_) => break,
            }
        }
        let size = batch.len();
        let (result, completions) = match pool.acquire().await {
            Ok(mut conn) => run_batch(&mut conn, batch.drain(..)).await,
            Err(e) => {
                // Dropping the ops drops their reply senders: each caller
                // sees `NotApplied` and nothing was written.
                batch.clear();
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

/// Runs a batch in one transaction. A batch of one needs no savepoint: its
/// failure rolls back the whole (single-write) transaction.
async fn run_batch(
    conn: &mut SqliteConnection,
    ops: impl ExactSizeIterator<Item = WriteOp>,
) -> (Result<(), StoreError>, Vec<Completion>) {
    let single = ops.len() == 1;
    let mut completions = Vec::with_capacity(ops.len());
    let mut tx = match conn.begin_with("BEGIN IMMEDIATE").await {
        Ok(tx) => tx,
        Err(e) => {
            return (Err(StoreError::from(e)), completions);
        }
    };
    let mut any_ok = false;
    for op in ops {
        if !single && let Err(e) = sqlx::raw_sql("SAVEPOINT w").execute(&mut *tx).await {
            return (Err(StoreError::from(e)), completions);
        }
        let (ok, done) = op(&mut tx).await;
        completions.push(done);
        any_ok |= ok;
        if !single {
            let undo = if ok {
                "RELEASE w"
            } else {
                "ROLLBACK TO w; RELEASE w"
            };
            if let Err(e) = sqlx::raw_sql(undo).execute(&mut *tx).await {
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
