//! The replay memory's use case: has this signed request been acted on?
//!
//! Kept in the database (`store::replays`) so a copy of a request sent to
//! another replica, or after a restart, is recognised too. A request's
//! [`Replay`] is written in the transaction of what it does where the
//! command has one write (`/moment <story>`: see `moments::share_or_hold_once`),
//! so the check costs no commit of its own; everything else claims it with
//! [`Replay::claim`], in its own transaction just before acting.

use super::{AppContext, AppError};
use crate::store::{Conn, Remember, StoreError, replays};
use chrono::{DateTime, Utc};

/// A verified request's entry in the replay memory, not written yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replay(Remember);

/// What became of a request that is acted on once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Once<T> {
    /// The first copy: acted on.
    Done(T),
    /// A copy of a request acted on before: nothing was done.
    Replay,
}

impl Replay {
    /// Remembers `key` (see `slack::verify::replay_key`) until `until`.
    pub fn new(key: String, until: DateTime<Utc>) -> Self {
        Self(Remember { hash: key, until })
    }

    /// Records the request now, in a transaction of its own; true the first
    /// time, false for a replay. One INSERT decides, so two copies racing
    /// each other cannot both be first.
    pub async fn claim(self, ctx: &AppContext) -> Result<bool, AppError> {
        Ok(ctx
            .store
            .write(move |conn| Box::pin(async move { self.remember(conn).await }))
            .await?)
    }

    /// Records the request in the caller's transaction; false for a replay
    /// (the caller then changes nothing).
    pub async fn remember(&self, conn: &mut Conn) -> Result<bool, StoreError> {
        replays::remember(conn, &self.0.hash, self.0.until).await
    }

    /// The store's form, for a write that records it itself.
    pub(crate) fn into_store(self) -> Remember {
        self.0
    }
}

/// Records `key` until `until` in a transaction of its own; true the first
/// time, false for a replay (see [`Replay::claim`]).
pub async fn first_time(
    ctx: &AppContext,
    key: String,
    until: DateTime<Utc>,
) -> Result<bool, AppError> {
    Replay::new(key, until).claim(ctx).await
}
