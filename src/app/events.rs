//! Things that happened in the workspace (Events API), applied once.

use super::outgoing::{Outgoing, enqueue};
use super::{AppContext, AppError};
use crate::domain::PersonId;
use crate::store::{events, moments};

/// An event, reduced to what the app acts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Someone opened the bot's Home tab.
    HomeOpened { person: PersonId },
    /// A reaction was added to or removed from a message.
    Reaction {
        person: String,
        reaction: String,
        channel: String,
        ts: String,
        added: bool,
    },
    /// A person's profile changed: keep their time zone for nudges and
    /// their names for the privacy guard.
    ProfileChanged {
        person: PersonId,
        profile: super::people::Profile,
    },
    /// A person replied in a thread (`channel`, the parent's `thread_ts`):
    /// a reply in a proposal's thread counts as a comment on it.
    ThreadReply {
        person: String,
        channel: String,
        thread_ts: String,
        /// The reply's own ts (to follow its edits and deletion).
        ts: String,
        text: String,
    },
    /// A message at (`channel`, `ts`) was edited: a counted reply's stored
    /// text follows.
    ThreadReplyEdited {
        channel: String,
        ts: String,
        text: String,
    },
    /// A message at (`channel`, `ts`) was deleted: a counted reply is
    /// uncounted.
    ThreadReplyDeleted { channel: String, ts: String },
    /// A person's account was deactivated: forget them.
    PersonDeleted { person: PersonId },
    /// The app was uninstalled or its bot token revoked: stop sending.
    Stopped { reason: StopReason },
    /// Anything else: recorded as seen, otherwise ignored.
    Other,
}

/// Why delivery stopped; stored, and shown by `alignbot status`-like logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    AppUninstalled,
    TokensRevoked,
}

impl StopReason {
    pub fn as_str(self) -> &'static str {
        match self {
            StopReason::AppUninstalled => "app_uninstalled",
            StopReason::TokensRevoked => "tokens_revoked",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventOutcome {
    Handled,
    /// Already handled earlier (a retry by Slack): nothing was done.
    Duplicate,
}

/// Applies `event` unless `event_id` was handled before. The id is recorded
/// in the same transaction as the effects: if this fails, nothing is recorded
/// and Slack's retry will be handled.
#[tracing::instrument(skip_all, fields(event_id, event_type))]
pub async fn handle(
    ctx: &AppContext,
    event_id: String,
    event_type: String,
    event: Event,
) -> Result<EventOutcome, AppError> {
    let now = ctx.clock.now();
    let stops = matches!(event, Event::Stopped { .. });
    let forgets = matches!(event, Event::PersonDeleted { .. });
    let renames = matches!(event, Event::ProfileChanged { .. });
    let outcome = ctx
        .store
        .write(move |conn| {
            Box::pin(async move {
                if !events::record(conn, &event_id, &event_type, now).await? {
                    return Ok(EventOutcome::Duplicate);
                }
                match event {
                    Event::HomeOpened { person } => {
                        enqueue(conn, &Outgoing::PublishHome { person }, now).await?;
                    }
                    Event::Reaction {
                        person,
                        reaction,
                        channel,
                        ts,
                        added,
                    } => {
                        if let Some(moment) = moments::by_post(&mut *conn, &channel, &ts).await? {
                            if added {
                                moments::add_reaction(conn, moment, &person, &reaction, now)
                                    .await?;
                            } else {
                                moments::remove_reaction(conn, moment, &person, &reaction).await?;
                            }
                        }
                    }
                    Event::ThreadReply {
                        person,
                        channel,
                        thread_ts,
                        ts,
                        text,
                    } => {
                        let at = (channel.as_str(), thread_ts.as_str(), ts.as_str());
                        super::proposals::count_thread_reply(conn, &person, at, &text, now).await?;
                    }
                    Event::ThreadReplyEdited { channel, ts, text } => {
                        super::proposals::edit_thread_reply(conn, &channel, &ts, &text).await?;
                    }
                    Event::ThreadReplyDeleted { channel, ts } => {
                        super::proposals::uncount_thread_reply(conn, &channel, &ts, now).await?;
                    }
                    Event::ProfileChanged { person, profile } => {
                        super::people::remember_profile(conn, &person, &profile, now).await?;
                    }
                    Event::PersonDeleted { person } => {
                        let report = super::data_rights::forget_in(conn, &person, now).await?;
                        tracing::info!(tombstone = %report.tombstone, "forgot a deactivated person");
                    }
                    Event::Stopped { reason } => {
                        crate::store::data_rights::stop_delivery(conn, reason.as_str(), now)
                            .await?;
                        tracing::warn!(
                            reason = reason.as_str(),
                            uninstalled_at = %now,
                            "Slack says the app was uninstalled or lost its token: delivery stopped, and the retention clock for the purge started (data.retention_after_uninstall_days; a reinstall with a working token stops it)"
                        );
                    }
                    Event::Other => {}
                }
                Ok(EventOutcome::Handled)
            })
        })
        .await?;
    if outcome == EventOutcome::Handled {
        if stops {
            ctx.set_delivery_stopped(true);
        }
        if forgets {
            ctx.reload_directory().await?;
        } else if renames {
            ctx.refresh_known_people().await?;
        }
        ctx.wake_delivery();
    }
    Ok(outcome)
}
