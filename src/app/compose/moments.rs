//! Mission moments in their channel: post, re-render, take down.
//!
//! Each reads the moment as it is now, so an edit made before the first
//! post goes out edited, and a moment deleted before it was posted is not
//! posted at all.

use super::{ComposeError, Composed, Conversation, Message};
use crate::app::AppContext;
use crate::domain::ids::{PostOwner, PostRef};
use crate::domain::moment::{Moment, MomentStatus};
use crate::domain::{ChannelId, MomentId};
use crate::store::{StoreError, moments};

/// A moment's post: the story as written, its author, pillar, the people
/// recognized and the reactions, all read from the moment itself.
#[derive(Debug, Clone, PartialEq)]
pub struct MomentPost {
    pub moment: Moment,
    /// Someone it named asked not to be: the post says it was edited at
    /// their request.
    pub edited_for_privacy: bool,
}

async fn edited_for_privacy(ctx: &AppContext, id: MomentId) -> Result<bool, ComposeError> {
    let mut conn = ctx.store.read_conn().await?;
    Ok(crate::store::privacy::was_unnamed(&mut conn, id).await?)
}

pub(super) async fn load(ctx: &AppContext, id: MomentId) -> Result<Option<Moment>, ComposeError> {
    let mut conn = ctx.store.read_conn().await?;
    Ok(moments::get(&mut conn, id).await?)
}

pub(super) async fn post(
    ctx: &AppContext,
    id: MomentId,
    channel: &ChannelId,
) -> Result<Composed, ComposeError> {
    let Some(moment) = load(ctx, id).await? else {
        return Ok(Composed::Skip("moment no longer exists"));
    };
    if moment.status != MomentStatus::Shared {
        return Ok(Composed::Skip("moment was deleted before it was posted"));
    }
    if moment.post.is_some() {
        return Ok(Composed::Skip("moment was already posted"));
    }
    Ok(Composed::Post {
        to: Conversation::Channel(channel.clone()),
        message: Message::Moment(MomentPost {
            moment,
            edited_for_privacy: edited_for_privacy(ctx, id).await?,
        }),
        thread: None,
        record: Some(PostOwner::Moment(id)),
    })
}

pub(super) async fn update(ctx: &AppContext, id: MomentId) -> Result<Composed, ComposeError> {
    let Some(moment) = load(ctx, id).await? else {
        return Ok(Composed::Skip("moment no longer exists"));
    };
    let (Some(at), MomentStatus::Shared) = (PostRef::from_pair(moment.post.clone()), moment.status)
    else {
        return Ok(Composed::Skip("moment has no live post to update"));
    };
    let edited_for_privacy = edited_for_privacy(ctx, id).await?;
    Ok(Composed::Update {
        at,
        message: Message::Moment(MomentPost {
            moment,
            edited_for_privacy,
        }),
    })
}

pub(super) async fn delete(ctx: &AppContext, id: MomentId) -> Result<Composed, ComposeError> {
    let Some(moment) = load(ctx, id).await? else {
        return Ok(Composed::Skip("moment no longer exists"));
    };
    match PostRef::from_pair(moment.post) {
        Some(at) => Ok(Composed::Delete { at }),
        None => Ok(Composed::Skip("moment was never posted")),
    }
}

/// After a moment's post landed: a moment deleted while its post was on the
/// way gets its post removed too. Runs in the transaction that records the
/// post.
pub(super) async fn after_post(
    conn: &mut crate::store::Conn,
    id: MomentId,
    at: &PostRef,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), StoreError> {
    if let Some(m) = moments::get(conn, id).await?
        && m.status == MomentStatus::Deleted
    {
        let channel =
            ChannelId::parse(&at.channel).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        crate::app::outgoing::enqueue(
            conn,
            &crate::app::outgoing::Outgoing::DeleteMoment {
                moment: id,
                channel,
            },
            now,
        )
        .await?;
    }
    Ok(())
}
