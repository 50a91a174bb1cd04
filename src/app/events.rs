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
    /// A person's profile changed: keep their time zone for nudges.
    TimeZone { person: PersonId, tz: String },
    /// Anything else: recorded as seen, otherwise ignored.
    Other,
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
                    Event::TimeZone { person, tz } => {
                        if tz.parse::<chrono_tz::Tz>().is_ok() {
                            crate::store::people::set_tz(conn, person.as_str(), &tz, now).await?;
                        }
                    }
                    Event::Other => {}
                }
                Ok(EventOutcome::Handled)
            })
        })
        .await?;
    if outcome == EventOutcome::Handled {
        ctx.wake_delivery();
    }
    Ok(outcome)
}
