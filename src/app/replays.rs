//! The replay memory's use case: has this signed request been acted on?
//!
//! Kept in the database (`store::replays`) so a copy of a request sent to
//! another replica, or after a restart, is recognised too.

use super::{AppContext, AppError};
use crate::store::replays;
use chrono::{DateTime, Utc};

/// Records `key` (see `slack::verify::replay_key`) until `until`; true the
/// first time, false for a replay. One INSERT decides, so two copies racing
/// each other cannot both be first.
pub async fn first_time(
    ctx: &AppContext,
    key: String,
    until: DateTime<Utc>,
) -> Result<bool, AppError> {
    Ok(ctx
        .store
        .write(move |conn| Box::pin(async move { replays::remember(conn, &key, until).await }))
        .await?)
}
