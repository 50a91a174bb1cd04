//! The organization's monthly priorities: the post in the staff channel
//! (with the organization's progress per pillar), and the list that leads
//! each leader's priorities nudge.

use super::ComposeError;
use crate::app::AppContext;
use crate::store::{StoreError, priorities};

/// The organization's priorities of `period`, as written; empty when none
/// are published.
pub(super) async fn items_for(ctx: &AppContext, period: &str) -> Result<Vec<String>, ComposeError> {
    let mut conn = ctx
        .store
        .reads()
        .acquire()
        .await
        .map_err(StoreError::from)?;
    Ok(priorities::org_for_period(&mut conn, period)
        .await?
        .map(|p| p.items)
        .unwrap_or_default())
}
