//! Privacy messages, each a DM to one person: "you were named in a moment"
//! (with "Don't name me"), "a moment quoted in a sent digest was taken
//! down" and "someone posted a held story as written" (both to admins).
//!
//! Each reads the current state when it is delivered: a moment taken down
//! before its "you were named" DM went out is not sent at all.

use super::{ComposeError, Composed, Conversation, Message};
use crate::app::AppContext;
use crate::domain::moment::{Moment, MomentStatus};
use crate::domain::period::Month;
use crate::domain::{MomentId, PersonId};
use crate::store::privacy;

/// A DM about privacy, its people as ids (rendered as mentions).
#[derive(Debug, Clone, PartialEq)]
pub enum PrivacyNotice {
    /// To a person a moment names: the story as written and a button.
    Named { moment: Moment },
    /// To an admin: a moment quoted in the digest of `month_label` (posted
    /// to `channel`) was taken down by `removed_by`; that digest message
    /// still shows it and must be deleted by hand.
    TakenDown {
        moment: MomentId,
        author: String,
        removed_by: String,
        month_label: String,
        channel: String,
    },
    /// To an admin: `person` posted a story the guard held as written.
    Override {
        person: String,
        findings: String,
        moment: Option<Moment>,
    },
}

fn dm(person: &PersonId, notice: PrivacyNotice) -> Composed {
    Composed::Post {
        to: Conversation::Person(person.clone()),
        message: Message::Privacy(notice),
        thread: None,
        record: None,
    }
}

pub(super) async fn named(
    ctx: &AppContext,
    id: MomentId,
    person: &PersonId,
) -> Result<Composed, ComposeError> {
    let Some(moment) = super::moments::load(ctx, id).await? else {
        return Ok(Composed::Skip("moment no longer exists"));
    };
    if moment.status != MomentStatus::Shared {
        return Ok(Composed::Skip("moment was taken down"));
    }
    Ok(dm(person, PrivacyNotice::Named { moment }))
}

pub(super) async fn taken_down(
    ctx: &AppContext,
    id: MomentId,
    person: &PersonId,
) -> Result<Composed, ComposeError> {
    let mut conn = ctx.store.read_conn().await?;
    let Some(removal) = privacy::removal(&mut conn, id).await? else {
        return Ok(Composed::Skip("no takedown recorded"));
    };
    let Some(month) = removal.digest_sent.as_deref().and_then(Month::parse) else {
        return Ok(Composed::Skip("no digest quoted the moment"));
    };
    let channel = ctx.directory().org.moments_channel.to_string();
    Ok(dm(
        person,
        PrivacyNotice::TakenDown {
            moment: id,
            author: removal.author,
            removed_by: removal.removed_by,
            month_label: month.label(),
            channel,
        },
    ))
}

pub(super) async fn overridden(
    ctx: &AppContext,
    entry: i64,
    person: &PersonId,
) -> Result<Composed, ComposeError> {
    let mut conn = ctx.store.read_conn().await?;
    let Some(found) = privacy::override_by_id(&mut conn, entry).await? else {
        return Ok(Composed::Skip("no override recorded"));
    };
    drop(conn);
    let moment = match found.moment {
        Some(id) => super::moments::load(ctx, id)
            .await?
            .filter(|m| m.status == MomentStatus::Shared),
        None => None,
    };
    Ok(dm(
        person,
        PrivacyNotice::Override {
            person: found.person,
            findings: found.findings,
            moment,
        },
    ))
}
