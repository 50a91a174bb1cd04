//! The plan year's messages: the year's-turn direct message (each goal of
//! the ending plan year its owner still has to close, with the outcomes to
//! choose from, and what happens to those nobody closes), and the year's
//! alignment report shared in a channel.
//!
//! The DM remembers where it landed (its row in `nudges`), so after each
//! choice it is re-rendered in place: the chosen outcome replaces the
//! buttons, and nothing is left to press twice.

use super::{ComposeError, Composed, Conversation, Message, update_post};
use crate::app::AppContext;
use crate::domain::PersonId;
use crate::domain::goal::{Goal, GoalStatus, PlanYear};
use crate::domain::ids::{NudgeId, PostOwner};
use crate::store::{goals, jobs};
use chrono::NaiveDate;

/// The alignment report as shared in a channel, and who shared it. The
/// numbers are read when it is delivered; it holds no one's free text (names
/// of teams and pillars are the plan's own).
#[derive(Debug, Clone, PartialEq)]
pub struct SharedReport {
    pub report: crate::app::report::Report,
    pub by: PersonId,
}

pub(super) async fn shared_report(
    ctx: &AppContext,
    year: i32,
    channel: &crate::domain::ChannelId,
    by: &PersonId,
) -> Result<Composed, ComposeError> {
    let year = PlanYear::new(year).map_err(|e| ComposeError::Impossible(e.to_string()))?;
    let report = crate::app::report::build(ctx, Some(year))
        .await
        .map_err(|e| ComposeError::Unavailable(e.to_string()))?;
    Ok(Composed::Post {
        to: Conversation::Channel(channel.clone()),
        message: Message::Report(SharedReport {
            report,
            by: by.clone(),
        }),
        thread: None,
        record: None,
    })
}

/// A goal owner's year-end DM.
#[derive(Debug, Clone, PartialEq)]
pub struct YearEndNudge {
    pub nudge: NudgeId,
    /// "2026" or "2025/26".
    pub year_label: String,
    /// The owner's goals of the year, open ones first; closed ones show
    /// their outcome.
    pub goals: Vec<Goal>,
    /// The day goals still open are closed as "not reported".
    pub closes_on: NaiveDate,
}

pub(super) async fn year_end(
    ctx: &AppContext,
    id: NudgeId,
    person: &PersonId,
    year: i32,
    update: bool,
) -> Result<Composed, ComposeError> {
    let Some(n) = jobs::nudge(ctx.store.reads(), id).await? else {
        return Ok(Composed::Skip("nudge no longer exists"));
    };
    let year = PlanYear::new(year).map_err(|e| ComposeError::Impossible(e.to_string()))?;
    let mut owned = goals::for_owner_year(ctx.store.reads(), person, year, 40).await?;
    if !update && owned.iter().all(|g| g.status != GoalStatus::Active) {
        return Ok(Composed::Skip("every goal of the year is already closed"));
    }
    owned.sort_by_key(|g| (g.status != GoalStatus::Active, g.id.0));
    let message = Message::YearEndNudge(YearEndNudge {
        nudge: id,
        year_label: ctx.years.label(year),
        goals: owned,
        closes_on: ctx.years.closes_on(year),
    });
    if update {
        return Ok(update_post(n.post, message));
    }
    if n.post.is_some() {
        return Ok(Composed::Skip("nudge was already posted"));
    }
    Ok(Composed::Post {
        to: Conversation::Person(person.clone()),
        message,
        thread: None,
        record: Some(PostOwner::Nudge(id)),
    })
}
