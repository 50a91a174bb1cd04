//! The monthly digests: the month's moments for everyone, and the month in
//! numbers for leaders (check-ins, risks, moments per pillar, drifting
//! pillars, which teams published their priorities on time).

use super::{ComposeError, Composed, Conversation, Message};
use crate::app::AppContext;
use crate::domain::ChannelId;
use crate::domain::ids::{PostOwner, PostRef};
use crate::domain::period::Month;
use crate::store::{jobs, moments, priorities, report};

/// One moment in the digest, its story as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestMoment {
    pub author: String,
    pub story: String,
    pub pillar: Option<String>,
    pub reactions: i64,
    pub recognized: Vec<String>,
}

/// The month's moments, most reacted first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MomentsDigest {
    pub month_label: String,
    pub moments: Vec<DigestMoment>,
}

/// The month in numbers for leaders.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DigestNumbers {
    pub active_goals: i64,
    pub checked_in: i64,
    /// Goals at risk or off track: (id, title, confidence).
    pub at_risk: Vec<(i64, String, String)>,
    pub moments_per_pillar: Vec<(String, i64)>,
    /// Pillars with no check-in and no moment this month and last month.
    pub drifting: Vec<String>,
    /// Teams that published their priorities this month, and whether on
    /// time (before the reminder went out).
    pub published: Vec<(String, bool)>,
    /// The organization's priorities of the month, each with the teams that
    /// linked one of theirs to it (empty: no team took it up).
    pub org_priorities: Vec<(String, Vec<String>)>,
}

/// The leadership digest of one month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeadershipDigest {
    pub month_label: String,
    pub numbers: DigestNumbers,
}

fn to_channel(channel: &ChannelId, message: Message) -> Composed {
    Composed::Post {
        to: Conversation::Channel(channel.clone()),
        message,
        thread: None,
        record: None,
    }
}

pub(super) async fn moments(
    ctx: &AppContext,
    period: &str,
    channel: &ChannelId,
) -> Result<Composed, ComposeError> {
    let Some(month) = Month::parse(period) else {
        return Ok(Composed::Skip("digest has no readable period"));
    };
    let tz = ctx.directory().org.timezone;
    let (from, to) = (month.start(tz), month.end(tz));
    let pool = ctx.store.reads();
    let found = report::moments_of_month(pool, from, to, 40).await?;
    let recognized = report::recognitions_of(pool, from, to).await?;
    let moments = found
        .into_iter()
        .map(|(id, author, story, pillar, reactions)| DigestMoment {
            author,
            story,
            pillar,
            reactions,
            recognized: recognized
                .iter()
                .filter(|(m, _)| *m == id)
                .map(|(_, p)| p.clone())
                .collect(),
        })
        .collect();
    Ok(Composed::Post {
        to: Conversation::Channel(channel.clone()),
        message: Message::MomentsDigest(MomentsDigest {
            month_label: month.label(),
            moments,
        }),
        thread: None,
        record: Some(PostOwner::MomentsDigest {
            year: month.year,
            month: month.month,
        }),
    })
}

/// Re-renders a month's moments digest in place (after a takedown), when
/// the bot knows where it was posted.
pub(super) async fn update_moments(
    ctx: &AppContext,
    period: &str,
    channel: &ChannelId,
) -> Result<Composed, ComposeError> {
    let mut conn = ctx.store.read_conn().await?;
    let post = crate::store::privacy::digest_post(&mut conn, period).await?;
    drop(conn);
    let Some(at) = PostRef::from_pair(post) else {
        return Ok(Composed::Skip("the digest's post is not known"));
    };
    match moments(ctx, period, channel).await? {
        Composed::Post { message, .. } => Ok(Composed::Update { at, message }),
        other => Ok(other),
    }
}

pub(super) async fn leadership(
    ctx: &AppContext,
    period: &str,
    channel: &ChannelId,
) -> Result<Composed, ComposeError> {
    let Some(month) = Month::parse(period) else {
        return Ok(Composed::Skip("digest has no readable period"));
    };
    let dir = ctx.directory();
    let tz = dir.org.timezone;
    let (from, to) = (month.start(tz), month.end(tz));
    let two_months_ago = month.prev().start(tz);
    let pool = ctx.store.reads();
    let (active_goals, checked_in, at_risk) =
        report::check_in_totals(pool, month.year, from).await?;
    let moments_per_pillar = report::moments_per_pillar(pool, from, to).await?;
    let recent_moments = report::moments_per_pillar(pool, two_months_ago, to).await?;
    let recent_check_ins = report::check_ins_per_pillar(pool, two_months_ago, to).await?;
    // No drift warning in a pillar's first month: one added with `/align
    // pillar add` this month (its `plan_changes` row), or first seen in the
    // settings file this month (`first_seen`, written when the file's
    // pillars are seeded).
    let mut conn = ctx.store.read_conn().await?;
    let added = crate::store::goals::pillars_added(&mut conn).await?;
    let seen = crate::store::org::pillars_first_seen(&mut conn).await?;
    drop(conn);
    let young = |key: &str| {
        let by_command = added.iter().any(|(subject, at)| {
            subject.strip_prefix("pillar:") == Some(key) && moments::from_millis(*at) >= from
        });
        let by_file = seen
            .iter()
            .any(|(k, at)| k == key && moments::from_millis(*at) >= from);
        by_command || by_file
    };
    let drifting = dir
        .active_pillars()
        .filter(|p| {
            let key = p.key.as_str();
            !young(key)
                && !recent_moments.iter().any(|(k, n)| k == key && *n > 0)
                && !recent_check_ins.iter().any(|(k, n)| k == key && *n > 0)
        })
        .map(|p| p.key.to_string())
        .collect();
    let reminded = jobs::run_started(pool, "priorities-reminder", &month.key()).await?;
    let published = priorities::published_teams(pool, &month.key())
        .await?
        .into_iter()
        .map(|(team, at)| {
            let on_time = reminded.is_none_or(|r| moments::from_millis(at) < r);
            (team, on_time)
        })
        .collect();
    let org_items = super::org_priorities::items_for(ctx, &month.key()).await?;
    let picked = super::org_priorities::picked_by(ctx, &month.key(), org_items.len()).await?;
    let org_priorities = org_items.into_iter().zip(picked).collect();
    let numbers = DigestNumbers {
        org_priorities,
        active_goals,
        checked_in,
        at_risk,
        moments_per_pillar,
        drifting,
        published,
    };
    Ok(to_channel(
        channel,
        Message::LeadershipDigest(LeadershipDigest {
            month_label: month.label(),
            numbers,
        }),
    ))
}
