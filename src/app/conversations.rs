//! Where the bot reaches people and channels on platforms that need a
//! stored address (Microsoft Teams: a conversation reference per person and
//! channel, learned when the app is installed). The Teams adapter reads and
//! writes them through here, never through the store, and private answers
//! to a person (Slack's ephemeral replies) are queued here for their 1:1.

use super::outgoing::{self, Outgoing, Reply};
use super::{AppContext, AppError};
use crate::domain::PersonId;
use crate::store::teams_conversations as refs;
pub use crate::store::teams_conversations::ConversationRow as ConversationRef;
use chrono::Duration;

/// The reply handle of a private answer to a Teams person: `Reply { to }`
/// with this prefix goes to the person's 1:1 chat with the bot.
pub const TEAMS_REPLY_PREFIX: &str = "teams:";

/// The stored key of a person's reference.
pub fn person_target(person: &PersonId) -> String {
    format!("person:{person}")
}

/// The stored key of a channel's reference.
pub fn channel_target(channel: &str) -> String {
    format!("channel:{channel}")
}

pub async fn remember(ctx: &AppContext, row: ConversationRef) -> Result<(), AppError> {
    let now = ctx.clock.now();
    ctx.store
        .write(move |conn| Box::pin(async move { refs::remember(conn, &row, now).await }))
        .await?;
    Ok(())
}

pub async fn forget(ctx: &AppContext, target: String) -> Result<(), AppError> {
    ctx.store
        .write(move |conn| Box::pin(async move { refs::forget(conn, &target).await }))
        .await?;
    Ok(())
}

pub async fn set_conversation(
    ctx: &AppContext,
    target: String,
    conversation: String,
) -> Result<(), AppError> {
    let now = ctx.clock.now();
    Ok(ctx
        .store
        .write(move |conn| {
            Box::pin(async move { refs::set_conversation(conn, &target, &conversation, now).await })
        })
        .await?)
}

pub async fn find(ctx: &AppContext, target: &str) -> Result<Option<ConversationRef>, AppError> {
    let mut conn = ctx.store.read_conn().await?;
    Ok(refs::find(&mut conn, target).await?)
}

pub async fn find_by_conversation(
    ctx: &AppContext,
    conversation: &str,
) -> Result<Option<ConversationRef>, AppError> {
    let mut conn = ctx.store.read_conn().await?;
    Ok(refs::find_by_conversation(&mut conn, conversation).await?)
}

/// The person behind a Teams user id (`29:…`), if they were seen.
pub async fn person_of_user(ctx: &AppContext, user_id: &str) -> Result<Option<PersonId>, AppError> {
    let mut conn = ctx.store.read_conn().await?;
    Ok(refs::person_of_user(&mut conn, user_id)
        .await?
        .and_then(|p| PersonId::parse(&p).ok()))
}

/// True the first time an activity `key` is seen within `keep`; a retry of
/// the same activity (Teams retries slow invokes) gets false.
pub async fn first_sight(ctx: &AppContext, key: String, keep: Duration) -> Result<bool, AppError> {
    let now = ctx.clock.now();
    let expires = now + keep;
    Ok(ctx
        .store
        .write(move |conn| {
            Box::pin(async move { refs::first_sight(conn, &key, expires, now).await })
        })
        .await?)
}

/// Queues a private answer (shown as written) for `person`'s 1:1 chat.
pub async fn reply_privately(
    ctx: &AppContext,
    person: &PersonId,
    text: String,
) -> Result<(), AppError> {
    let message = Outgoing::Reply {
        to: format!("{TEAMS_REPLY_PREFIX}{person}"),
        reply: Reply {
            text,
            replace_original: false,
            formatted: false,
        },
    };
    let now = ctx.clock.now();
    ctx.store
        .write(move |conn| Box::pin(async move { outgoing::enqueue(conn, &message, now).await }))
        .await?;
    ctx.wake_delivery();
    Ok(())
}

/// Display names of the Teams people seen so far (cards show names).
pub async fn names(
    ctx: &AppContext,
) -> Result<std::collections::HashMap<String, String>, AppError> {
    let mut conn = ctx.store.read_conn().await?;
    Ok(refs::names(&mut conn).await?.into_iter().collect())
}

/// The newest reference of any kind (for a channel not heard from yet).
pub async fn newest(ctx: &AppContext) -> Result<Option<ConversationRef>, AppError> {
    let mut conn = ctx.store.read_conn().await?;
    Ok(refs::newest(&mut conn).await?)
}

/// An activity arriving: remembers its `key` (within `keep`) and, the first
/// time only, refreshes the conversation references and profiles it tells,
/// all in one transaction (one commit on the request's path instead of one
/// per row). False for a repeated activity: nothing else is written.
pub async fn arrive(
    ctx: &AppContext,
    key: Option<String>,
    keep: Duration,
    rows: Vec<ConversationRef>,
    profiles: Vec<(PersonId, super::people::Profile)>,
) -> Result<bool, AppError> {
    let now = ctx.clock.now();
    let expires = now + keep;
    Ok(ctx
        .store
        .write(move |conn| {
            Box::pin(async move {
                if let Some(key) = &key
                    && !refs::first_sight(&mut *conn, key, expires, now).await?
                {
                    return Ok(false);
                }
                for row in &rows {
                    refs::remember(&mut *conn, row, now).await?;
                }
                for (person, profile) in &profiles {
                    super::people::remember_profile(&mut *conn, person, profile, now).await?;
                }
                Ok(true)
            })
        })
        .await?)
}
