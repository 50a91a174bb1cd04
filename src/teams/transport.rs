//! Delivery to Teams: a composed message → one Adaptive Card → one Bot
//! Connector call (two when a person's 1:1 must be created first), and the
//! [`Routing`] transport that hands each outbox row to the adapter owning
//! its destination, so Slack and Teams can run in one process.
//!
//! Where to send is the conversation reference stored when the app was
//! installed (app::conversations); a person or channel without one cannot be
//! reached yet, and the row fails with a reason that says so.

use super::activity::base_conversation;
use super::connector::Connector;
use super::render::{self, Names};
use crate::app::compose::{Composed, Conversation, Message};
use crate::app::conversations::{self, ConversationRef, TEAMS_REPLY_PREFIX};
use crate::app::people::{PlatformPeople, ZoneLookupError};
use crate::app::{AppContext, AppError};
use crate::delivery::{SendError, Sent, Transport};
use crate::domain::ids::PostRef;
use crate::domain::{Directory, PersonId};
use futures_util::future::BoxFuture;
use serde_json::{Value, json};
use std::sync::Arc;

/// Whether a platform id is Teams-shaped (domain::ids: a Slack id is
/// uppercase letters and digits only; Teams ids always hold a lowercase
/// letter, `-` or `:`).
pub fn is_teams_id(id: &str) -> bool {
    id.starts_with(TEAMS_REPLY_PREFIX)
        || (!id.starts_with("http")
            && id
                .chars()
                .any(|c| c.is_ascii_lowercase() || c == '-' || c == ':'))
}

/// Sends composed messages to Teams.
pub struct TeamsTransport {
    ctx: AppContext,
    connector: Connector,
}

/// The app's lookups fail only on our side (the database): retry later.
fn store_failure(e: AppError) -> SendError {
    SendError::Transient(e.to_string())
}

impl TeamsTransport {
    pub fn new(ctx: AppContext, connector: Connector) -> Self {
        Self { ctx, connector }
    }

    async fn names(&self) -> Result<Names, SendError> {
        Ok(Names(
            conversations::names(&self.ctx)
                .await
                .map_err(store_failure)?,
        ))
    }

    /// The reference of a conversation we posted in before.
    async fn reference_of(&self, conversation: &str) -> Result<ConversationRef, SendError> {
        let base = base_conversation(conversation);
        let found = match conversations::find(&self.ctx, &conversations::channel_target(base))
            .await
            .map_err(store_failure)?
        {
            Some(found) => Some(found),
            None => match conversations::find_by_conversation(&self.ctx, base)
                .await
                .map_err(store_failure)?
            {
                Some(found) => Some(found),
                // A channel post made through the tenant's newest reference.
                None if base.starts_with("19:") => conversations::newest(&self.ctx)
                    .await
                    .map_err(store_failure)?,
                None => None,
            },
        };
        found.ok_or_else(|| {
            SendError::Permanent(format!(
                "no Teams conversation reference for {conversation}: the app was removed there"
            ))
        })
    }

    /// A person's 1:1 with the bot, created through the connector if Teams
    /// told us the person (an install event) but not yet a 1:1.
    async fn personal(&self, person: &PersonId) -> Result<(ConversationRef, String), SendError> {
        let target = conversations::person_target(person);
        let Some(reference) = conversations::find(&self.ctx, &target)
            .await
            .map_err(store_failure)?
        else {
            return Err(SendError::Permanent(format!(
                "{person} has not installed alignbot in Teams yet (an admin can pre-install it for everyone)"
            )));
        };
        if let Some(id) = reference.conversation_id.clone() {
            return Ok((reference, id));
        }
        let Some(user) = reference.user_id.clone() else {
            return Err(SendError::Permanent(format!(
                "no Teams user id is known for {person}"
            )));
        };
        let created = self
            .connector
            .create_conversation(
                &reference.service_url,
                &json!({
                    "isGroup": false,
                    "bot": {"id": reference.bot_id},
                    "members": [{"id": user}],
                    "tenantId": reference.tenant_id,
                }),
            )
            .await?;
        conversations::set_conversation(&self.ctx, target, created.id.clone())
            .await
            .map_err(store_failure)?;
        Ok((reference, created.id))
    }

    async fn post(
        &self,
        to: &Conversation,
        thread: Option<&PostRef>,
        card: Value,
    ) -> Result<Sent, SendError> {
        let activity = render::activity(card);
        if let Some(thread) = thread {
            let reference = self.reference_of(&thread.channel).await?;
            let id = self
                .connector
                .send(&reference.service_url, &thread.channel, &activity)
                .await?;
            return Ok(Sent::Posted(PostRef::new(thread.channel.clone(), id)));
        }
        match to {
            Conversation::Person(person) => {
                let (reference, conversation) = self.personal(person).await?;
                let id = self
                    .connector
                    .send(&reference.service_url, &conversation, &activity)
                    .await?;
                Ok(Sent::Posted(PostRef::new(conversation, id)))
            }
            Conversation::Channel(channel) => {
                let target = conversations::channel_target(channel.as_str());
                let found = match conversations::find(&self.ctx, &target)
                    .await
                    .map_err(store_failure)?
                {
                    Some(found) => Some(found),
                    None => conversations::newest(&self.ctx)
                        .await
                        .map_err(store_failure)?,
                };
                let reference = found.ok_or_else(|| {
                        SendError::Permanent(format!(
                            "alignbot has not heard from Teams yet, so channel {channel} cannot be reached: install the app in that channel's team"
                        ))
                    })?;
                // A new post in a channel is a new conversation (thread).
                let created = self
                    .connector
                    .create_conversation(
                        &reference.service_url,
                        &json!({
                            "isGroup": true,
                            "channelData": {"channel": {"id": channel.as_str()}},
                            "activity": activity,
                            "tenantId": reference.tenant_id,
                        }),
                    )
                    .await?;
                let ts = created.activity_id.unwrap_or_default();
                Ok(Sent::Posted(PostRef::new(created.id, ts)))
            }
            Conversation::Existing(conversation) => {
                let reference = self.reference_of(conversation).await?;
                let id = self
                    .connector
                    .send(&reference.service_url, conversation, &activity)
                    .await?;
                Ok(Sent::Posted(PostRef::new(conversation.clone(), id)))
            }
        }
    }

    async fn deliver(&self, composed: &Composed, dir: &Directory) -> Result<Sent, SendError> {
        match composed {
            Composed::Post {
                to,
                message,
                thread,
                ..
            } => {
                let card = self.card(message, dir).await?;
                self.post(to, thread.as_ref(), card).await
            }
            Composed::Update { at, message } => {
                let reference = self.reference_of(&at.channel).await?;
                let mut activity = render::activity(self.card(message, dir).await?);
                activity["id"] = json!(at.ts);
                self.connector
                    .update(&reference.service_url, &at.channel, &at.ts, &activity)
                    .await?;
                Ok(Sent::Done)
            }
            Composed::Delete { at } => {
                let reference = self.reference_of(&at.channel).await?;
                self.connector
                    .delete(&reference.service_url, &at.channel, &at.ts)
                    .await?;
                Ok(Sent::Done)
            }
            Composed::Respond { to, reply } => {
                let person = to.strip_prefix(TEAMS_REPLY_PREFIX).unwrap_or(to);
                let person = PersonId::parse(person)
                    .map_err(|e| SendError::Permanent(format!("reply to {to}: {e}")))?;
                self.post(
                    &Conversation::Person(person),
                    None,
                    render::reply(&reply.text),
                )
                .await
            }
            // Dialogs open inside the invoke's HTTP answer; Teams has no Home
            // tab (the welcome card and `help` stand in for it).
            Composed::OpenView { .. } | Composed::UpdateView { .. } => {
                Ok(Sent::Skipped("Teams dialogs open in the invoke answer"))
            }
            Composed::PublishHome { .. } => Ok(Sent::Skipped("Teams has no Home tab")),
            Composed::Skip(why) => Ok(Sent::Skipped(why)),
            Composed::Defer(at, why) => Err(SendError::Defer(*at, why)),
        }
    }

    async fn card(&self, message: &Message, dir: &Directory) -> Result<Value, SendError> {
        Ok(render::message(message, dir, &self.names().await?))
    }
}

impl Transport for TeamsTransport {
    fn send<'a>(
        &'a self,
        message: &'a Composed,
        directory: &'a Directory,
    ) -> BoxFuture<'a, Result<Sent, SendError>> {
        Box::pin(self.deliver(message, directory))
    }
}

impl PlatformPeople for TeamsTransport {
    /// Teams tells a person's zone only in the messages they send; nudges
    /// go out at the organization's time.
    fn time_zone<'a>(
        &'a self,
        _person: &'a PersonId,
    ) -> BoxFuture<'a, Result<Option<String>, ZoneLookupError>> {
        Box::pin(async { Ok(None) })
    }
}

/// Hands each message to the adapter that owns its destination.
pub struct Routing {
    pub slack: Option<Arc<dyn Transport>>,
    pub teams: Option<Arc<TeamsTransport>>,
}

/// The id that decides which platform a composed message is for.
fn destination(composed: &Composed) -> Option<&str> {
    match composed {
        Composed::Post {
            thread: Some(thread),
            ..
        } => Some(thread.channel.as_str()),
        Composed::Post { to, .. } => Some(to.as_str()),
        Composed::Update { at, .. } | Composed::Delete { at } => Some(at.channel.as_str()),
        Composed::Respond { to, .. } => Some(to.as_str()),
        Composed::PublishHome { person, .. } => Some(person.as_str()),
        // Only Slack opens views through the outbox.
        Composed::OpenView { .. } | Composed::UpdateView { .. } => None,
        Composed::Skip(_) | Composed::Defer(..) => None,
    }
}

impl Routing {
    fn slack(&self) -> Result<&Arc<dyn Transport>, SendError> {
        self.slack.as_ref().ok_or_else(|| {
            SendError::Permanent(
                "a Slack destination, but Slack is not configured (SLACK_BOT_TOKEN)".into(),
            )
        })
    }
}

impl Transport for Routing {
    fn send<'a>(
        &'a self,
        message: &'a Composed,
        directory: &'a Directory,
    ) -> BoxFuture<'a, Result<Sent, SendError>> {
        Box::pin(async move {
            if destination(message).is_some_and(is_teams_id) {
                let teams = self.teams.as_ref().ok_or_else(|| {
                    SendError::Permanent(
                        "a Teams destination, but Teams is not configured (MICROSOFT_APP_ID)"
                            .into(),
                    )
                })?;
                return teams.send(message, directory).await;
            }
            if let Composed::Skip(why) = message {
                return Ok(Sent::Skipped(why));
            }
            self.slack()?.send(message, directory).await
        })
    }
}

impl PlatformPeople for Routing {
    fn time_zone<'a>(
        &'a self,
        person: &'a PersonId,
    ) -> BoxFuture<'a, Result<Option<String>, ZoneLookupError>> {
        Box::pin(async move {
            match (&self.slack, is_teams_id(person.as_str())) {
                (Some(slack), false) => slack.time_zone(person).await,
                _ => Ok(None),
            }
        })
    }

    fn profile<'a>(
        &'a self,
        person: &'a PersonId,
    ) -> BoxFuture<'a, Result<crate::app::people::Profile, ZoneLookupError>> {
        Box::pin(async move {
            match (&self.slack, is_teams_id(person.as_str())) {
                (Some(slack), false) => slack.profile(person).await,
                _ => Ok(crate::app::people::Profile::default()),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::is_teams_id;

    #[test]
    fn slack_and_teams_ids_are_told_apart_by_shape() {
        for slack in [
            "U0NURSE1",
            "C0MOMENTS",
            "D012AB",
            "https://hooks.slack.com/x-y:z",
        ] {
            assert!(!is_teams_id(slack), "{slack}");
        }
        for teams in [
            "8f0d3c1e-2b6a-4e57-9c1d-0a1b2c3d4e5f",
            "19:abc@thread.tacv2",
            "a:1xyz",
            "teams:8f0d",
        ] {
            assert!(is_teams_id(teams), "{teams}");
        }
    }
}
