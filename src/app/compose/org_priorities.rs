//! The organization's monthly priorities: the post in the staff channel
//! (with the organization's progress per pillar and the teams that took each
//! up), and the list that leads each leader's priorities nudge.

use super::{ComposeError, Composed, Conversation, Message, update_post};
use crate::app::AppContext;
use crate::domain::ChannelId;
use crate::domain::ids::PostOwner;
use crate::domain::period::Month;
use crate::store::{priorities, report};

/// The organization's progress on one pillar this month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PillarProgress {
    pub name: String,
    pub emoji: String,
    pub on_track: i64,
    /// At risk or off track.
    pub at_risk: i64,
    /// Check-ins recorded this month on the pillar's goals.
    pub check_ins: i64,
    /// Moments shared this month under the pillar.
    pub moments: i64,
}

/// The organization's priorities of a month, as the executives wrote them,
/// with the progress per pillar and, per item, the teams that linked one of
/// their priorities to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgPrioritiesPost {
    pub month_label: String,
    pub author: String,
    pub items: Vec<String>,
    /// Team names per item (same order as `items`); empty: nobody yet.
    pub picked_by: Vec<Vec<String>>,
    pub pillars: Vec<PillarProgress>,
}

/// The organization's priorities of `period`, as written; empty when none
/// are published.
pub(super) async fn items_for(ctx: &AppContext, period: &str) -> Result<Vec<String>, ComposeError> {
    let mut conn = ctx.store.read_conn().await?;
    Ok(priorities::org_for_period(&mut conn, period)
        .await?
        .map(|p| p.items)
        .unwrap_or_default())
}

/// Team names per organization item of `period` (`count` items).
pub(super) async fn picked_by(
    ctx: &AppContext,
    period: &str,
    count: usize,
) -> Result<Vec<Vec<String>>, ComposeError> {
    let picked = priorities::org_items_picked(ctx.store.reads(), period).await?;
    let dir = ctx.directory();
    Ok((1..=count as i64)
        .map(|n| {
            picked
                .iter()
                .filter(|(item, _)| *item == n)
                .filter_map(|(_, team)| dir.teams.iter().find(|t| t.key.as_str() == team))
                .map(|t| t.name.clone())
                .collect()
        })
        .collect())
}

/// The post's body for publication `id`, and where it was posted.
pub async fn body(
    ctx: &AppContext,
    id: i64,
) -> Result<Option<(OrgPrioritiesPost, Option<(String, String)>)>, ComposeError> {
    let published = {
        let mut conn = ctx.store.read_conn().await?;
        priorities::org_get(&mut conn, id).await?
    };
    let Some(p) = published else {
        return Ok(None);
    };
    let Some(month) = Month::parse(&p.period) else {
        return Ok(None);
    };
    let dir = ctx.directory();
    let tz = dir.org.timezone;
    let (from, to) = (month.start(tz), month.end(tz));
    let pool = ctx.store.reads();
    let confidence = priorities::goal_confidence_per_pillar(pool, month.year).await?;
    let check_ins = report::check_ins_per_pillar(pool, from, to).await?;
    let moments = report::moments_per_pillar(pool, from, to).await?;
    let count = |rows: &[(String, i64)], key: &str| {
        rows.iter().find(|(k, _)| k == key).map_or(0, |(_, n)| *n)
    };
    let pillars = dir
        .active_pillars()
        .map(|pillar| {
            let key = pillar.key.as_str();
            let (on_track, at_risk) = confidence
                .iter()
                .find(|(k, ..)| k == key)
                .map_or((0, 0), |(_, on, risk, _)| (*on, *risk));
            PillarProgress {
                name: pillar.name.clone(),
                emoji: pillar.emoji.clone(),
                on_track,
                at_risk,
                check_ins: count(&check_ins, key),
                moments: count(&moments, key),
            }
        })
        .collect();
    let picked_by = picked_by(ctx, &p.period, p.items.len()).await?;
    Ok(Some((
        OrgPrioritiesPost {
            month_label: month.label(),
            author: p.author,
            items: p.items,
            picked_by,
            pillars,
        },
        p.post,
    )))
}

pub(super) async fn post(
    ctx: &AppContext,
    id: i64,
    channel: &ChannelId,
) -> Result<Composed, ComposeError> {
    let Some((message, post)) = body(ctx, id).await? else {
        return Ok(Composed::Skip(
            "the organization's priorities no longer exist",
        ));
    };
    if post.is_some() {
        return Ok(Composed::Skip(
            "the organization's priorities were already posted",
        ));
    }
    Ok(Composed::Post {
        to: Conversation::Channel(channel.clone()),
        message: Message::OrgPriorities(message),
        thread: None,
        record: Some(PostOwner::OrgPriorities(id)),
    })
}

pub(super) async fn update(ctx: &AppContext, id: i64) -> Result<Composed, ComposeError> {
    let Some((message, post)) = body(ctx, id).await? else {
        return Ok(Composed::Skip(
            "the organization's priorities no longer exist",
        ));
    };
    Ok(update_post(post, Message::OrgPriorities(message)))
}

/// To an executive: next month's organization priorities are due, before
/// the teams' leaders are nudged for theirs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgPrioritiesNudge {
    pub month_label: String,
    /// This month's items, to carry over or change.
    pub current: Vec<String>,
}

pub(super) async fn nudge(
    ctx: &AppContext,
    period: &str,
    person: &crate::domain::PersonId,
) -> Result<Composed, ComposeError> {
    let Some(month) = Month::parse(period) else {
        return Ok(Composed::Skip("no readable period"));
    };
    if !items_for(ctx, period).await?.is_empty() {
        return Ok(Composed::Skip("already published meanwhile"));
    }
    let current = items_for(ctx, &month.prev().key()).await?;
    Ok(Composed::Post {
        to: Conversation::Person(person.clone()),
        message: Message::OrgPrioritiesNudge(OrgPrioritiesNudge {
            month_label: month.label(),
            current,
        }),
        thread: None,
        record: None,
    })
}
