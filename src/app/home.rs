//! What a person's Home tab shows.

use super::{AppContext, AppError};
use crate::domain::moment::Moment;
use crate::domain::{Directory, PersonId};
use crate::store::{StoreError, moments};
use std::sync::Arc;

/// How many moments each Home list shows; keeps the tab well inside Block
/// Kit's 100-block limit (each moment takes at most three blocks).
pub const HOME_LIST_LIMIT: i64 = 10;

pub struct HomeData {
    pub person: PersonId,
    pub directory: Arc<Directory>,
    /// The person's own moments (drafts and shared), newest first.
    pub mine: Vec<Moment>,
    /// The latest moments shared with the whole channel, newest first.
    pub latest: Vec<Moment>,
}

pub async fn load(ctx: &AppContext, person: PersonId) -> Result<HomeData, AppError> {
    let mut conn = ctx
        .store
        .reads()
        .acquire()
        .await
        .map_err(StoreError::from)?;
    let mine = moments::list(&mut conn, Some(&person), HOME_LIST_LIMIT).await?;
    let latest = moments::list(&mut conn, None, HOME_LIST_LIMIT).await?;
    Ok(HomeData {
        person,
        directory: ctx.directory(),
        mine,
        latest,
    })
}
