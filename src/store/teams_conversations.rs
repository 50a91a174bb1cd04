//! SQL for where the bot reaches people and channels on Microsoft Teams
//! (`teams_conversations`), and which Teams activities were already handled
//! (`teams_seen_activities`). Teams has no "message this user id" call: a
//! proactive message needs the conversation reference Teams gave us when the
//! app was installed, so it is kept here.

use super::moments::millis;
use super::{Conn, StoreError};
use chrono::{DateTime, Utc};

/// One stored conversation reference.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ConversationRow {
    /// `person:<entra object id>` or `channel:<conversation id>`.
    pub target: String,
    pub tenant_id: String,
    pub service_url: String,
    /// `None` for a person until a 1:1 with the bot exists.
    pub conversation_id: Option<String>,
    /// The person's Teams user id (`29:…`), needed to create a 1:1.
    pub user_id: Option<String>,
    /// The person's display name as Teams last sent it.
    pub name: Option<String>,
    pub bot_id: String,
}

/// Inserts or refreshes a reference; a known conversation id is kept when
/// the new one is unknown (a channel message names the person, not their 1:1).
pub async fn remember(
    conn: &mut Conn,
    row: &ConversationRow,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO teams_conversations \
         (target, tenant_id, service_url, conversation_id, user_id, name, bot_id, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (target) DO UPDATE SET tenant_id = excluded.tenant_id, \
         service_url = excluded.service_url, \
         conversation_id = COALESCE(excluded.conversation_id, teams_conversations.conversation_id), \
         user_id = COALESCE(excluded.user_id, teams_conversations.user_id), \
         name = COALESCE(excluded.name, teams_conversations.name), \
         bot_id = excluded.bot_id, updated_at = excluded.updated_at",
    )
    .bind(&row.target)
    .bind(&row.tenant_id)
    .bind(&row.service_url)
    .bind(row.conversation_id.as_deref())
    .bind(row.user_id.as_deref())
    .bind(row.name.as_deref())
    .bind(&row.bot_id)
    .bind(millis(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// Forgets a reference (the app was uninstalled there).
pub async fn forget(conn: &mut Conn, target: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM teams_conversations WHERE target = $1")
        .bind(target)
        .execute(conn)
        .await?;
    Ok(())
}

/// Records the 1:1 created for a person.
pub async fn set_conversation(
    conn: &mut Conn,
    target: &str,
    conversation_id: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE teams_conversations SET conversation_id = $1, updated_at = $2 WHERE target = $3",
    )
    .bind(conversation_id)
    .bind(millis(now))
    .bind(target)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn find(conn: &mut Conn, target: &str) -> Result<Option<ConversationRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT target, tenant_id, service_url, conversation_id, user_id, name, bot_id \
         FROM teams_conversations WHERE target = $1",
    )
    .bind(target)
    .fetch_optional(conn)
    .await?)
}

/// The reference a conversation id belongs to (for updates of a post).
pub async fn find_by_conversation(
    conn: &mut Conn,
    conversation_id: &str,
) -> Result<Option<ConversationRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT target, tenant_id, service_url, conversation_id, user_id, name, bot_id \
         FROM teams_conversations WHERE conversation_id = $1 LIMIT 1",
    )
    .bind(conversation_id)
    .fetch_optional(conn)
    .await?)
}

/// The person a Teams user id (`29:…`) belongs to, if we have seen them.
pub async fn person_of_user(conn: &mut Conn, user_id: &str) -> Result<Option<String>, StoreError> {
    let target: Option<(String,)> = sqlx::query_as(
        "SELECT target FROM teams_conversations WHERE user_id = $1 AND target LIKE 'person:%' LIMIT 1",
    )
    .bind(user_id)
    .fetch_optional(conn)
    .await?;
    Ok(target.and_then(|(t,)| t.strip_prefix("person:").map(str::to_owned)))
}

/// Remembers an activity as handled; false if it already was (and has not
/// expired). One statement on the primary key: an expired key is taken over
/// in place, so the request's path never scans the table (it held every
/// activity of the last hour, and a `DELETE … WHERE expires_at < now` on
/// each request walked all of them); [`prune`] forgets the rest hourly.
pub async fn first_sight(
    conn: &mut Conn,
    key: &str,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "INSERT INTO teams_seen_activities (activity_key, expires_at) VALUES ($1, $2) \
         ON CONFLICT (activity_key) DO UPDATE SET expires_at = excluded.expires_at \
         WHERE teams_seen_activities.expires_at < $3",
    )
    .bind(key)
    .bind(millis(expires_at))
    .bind(millis(now))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Forgets the activities whose retries can no longer arrive (housekeeping).
pub async fn prune(conn: &mut Conn, now: DateTime<Utc>) -> Result<u64, StoreError> {
    let done = sqlx::query("DELETE FROM teams_seen_activities WHERE expires_at < $1")
        .bind(millis(now))
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}

/// Every person's display name Teams told us, by person id.
pub async fn names(conn: &mut Conn) -> Result<Vec<(String, String)>, StoreError> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT target, name FROM teams_conversations WHERE name IS NOT NULL AND target LIKE 'person:%'",
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(t, n)| Some((t.strip_prefix("person:")?.to_owned(), n)))
        .collect())
}

/// The newest reference of any kind: every conversation of a tenant is
/// reached through the same `serviceUrl`, so a channel the bot has not heard
/// from yet is posted to through it (Teams refuses, permanently, if the app
/// is not in that channel's team).
pub async fn newest(conn: &mut Conn) -> Result<Option<ConversationRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT target, tenant_id, service_url, conversation_id, user_id, name, bot_id \
         FROM teams_conversations ORDER BY updated_at DESC LIMIT 1",
    )
    .fetch_optional(conn)
    .await?)
}
