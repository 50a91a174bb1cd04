//! A person's right to be forgotten, and what happens to the data when the
//! app is uninstalled.

use super::outgoing::{Outgoing, enqueue};
use super::{AppContext, AppError};
use crate::domain::{ChannelId, MomentId, PersonId};
use crate::store::data_rights::{self, Forgotten};
use crate::store::{Conn, StoreError};
use chrono::{DateTime, Duration, Utc};

/// Forgets `person` inside the caller's transaction: erases their text,
/// renames them to a tombstone, and enqueues the deletion of their moments'
/// posts from Slack.
pub async fn forget_in(
    conn: &mut Conn,
    person: &PersonId,
    now: DateTime<Utc>,
) -> Result<Forgotten, StoreError> {
    let forgotten = data_rights::forget(conn, person, now).await?;
    for (moment, channel) in &forgotten.posted_moments {
        let Ok(channel) = ChannelId::parse(channel) else {
            continue;
        };
        enqueue(
            conn,
            &Outgoing::DeleteMoment {
                moment: MomentId(*moment),
                channel,
            },
            now,
        )
        .await?;
    }
    Ok(forgotten)
}

/// `alignbot forget-user`: forgets `person` in one transaction.
pub async fn forget(ctx: &AppContext, person: PersonId) -> Result<Forgotten, AppError> {
    let now = ctx.clock.now();
    let forgotten = ctx
        .store
        .write(move |conn| Box::pin(async move { forget_in(conn, &person, now).await }))
        .await?;
    ctx.reload_directory().await?;
    ctx.wake_delivery();
    Ok(forgotten)
}

/// What one housekeeping pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Housekeeping {
    /// Old delivered messages and event ids removed.
    pub pruned: u64,
    /// True when this pass purged everything after an uninstall.
    pub purged: bool,
}

/// Removes what is no longer needed: delivered messages and handled event
/// ids older than `keep_history`, and, once the app has been uninstalled
/// (or its token revoked) for longer than `keep_after_uninstall`, all data.
pub async fn housekeeping(
    ctx: &AppContext,
    keep_history: Duration,
    keep_after_uninstall: Duration,
) -> Result<Housekeeping, AppError> {
    let now = ctx.clock.now();
    let stopped = data_rights::stopped(ctx.store.reads()).await?;
    let purge = stopped.is_some_and(|(at, _)| now - at >= keep_after_uninstall);
    let purged_before = purge && data_rights::purged(ctx.store.reads()).await?;
    let result = ctx
        .store
        .write(move |conn| {
            Box::pin(async move {
                let pruned = data_rights::prune(conn, now - keep_history).await?;
                let purged = purge && !purged_before;
                if purged {
                    data_rights::purge_all(conn, now).await?;
                }
                Ok(Housekeeping { pruned, purged })
            })
        })
        .await?;
    if result.purged {
        tracing::warn!(
            "the app has been uninstalled for longer than the retention period: all data purged"
        );
    }
    Ok(result)
}
