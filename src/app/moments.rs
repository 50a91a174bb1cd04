//! Sharing, confirming, editing and deleting mission moments.

use super::outgoing::{Outgoing, enqueue};
use super::permissions::Actor;
use super::replays::{Once, Replay};
use super::{AppContext, AppError};
use crate::domain::moment::{Moment, MomentStatus};
use crate::domain::period::Month;
use crate::domain::privacy::{self, Finding};
use crate::domain::{
    Audience, ChannelId, Directory, DomainError, MomentDraft, MomentId, MomentStory, PersonId,
    Recognized,
};
use crate::store::privacy::{self as privacy_store, Removal};
use crate::store::{Conn, NewShare, Shared, StoreError, Thank, jobs, moments};
use chrono::{DateTime, Duration, Utc};

/// A moment as a person entered it, before validation.
#[derive(Debug, Clone, Default)]
pub struct MomentInput {
    pub story: String,
    /// A pillar key as typed or picked; `None` or empty for no pillar.
    pub pillar: Option<String>,
    pub recognized: Vec<PersonId>,
    pub audience: Audience,
}

impl MomentInput {
    /// Validates against the organization's current pillars.
    pub fn validate(
        self,
        author: PersonId,
        directory: &Directory,
    ) -> Result<MomentDraft, DomainError> {
        let story = MomentStory::parse(&self.story)?;
        let pillar = match self.pillar.as_deref().map(str::trim) {
            Some(raw) if !raw.is_empty() => Some(directory.resolve_pillar(raw)?),
            _ => None,
        };
        Ok(MomentDraft {
            author,
            story,
            pillar,
            recognized: Recognized::new(self.recognized)?,
            audience: self.audience,
        })
    }
}

/// Whether the privacy guard still has to look at the story.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrivacyCheck {
    Scan,
    /// The author saw the warning and chose to post as written.
    Confirmed,
    /// Demo data seeded by the playground: posted without the guard, the
    /// per-person limit, or DMs to the people it names.
    Seed,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShareOutcome {
    /// Stored and queued for posting to `channel`.
    Posted {
        moment: MomentId,
        channel: ChannelId,
    },
    /// Looks like personal data; nothing was stored or posted.
    NeedsReview { findings: Vec<Finding> },
    /// Looks like personal data; kept as a draft for its author to confirm.
    Held {
        draft: MomentId,
        findings: Vec<Finding>,
    },
    /// Names people who asked not to be named in moments; nothing was
    /// stored or posted.
    NotNamed { people: Vec<PersonId> },
}

/// Where a moment for `audience` is posted.
pub fn channel_for(directory: &Directory, audience: Audience) -> ChannelId {
    match audience {
        Audience::Channel => directory.org.moments_channel.clone(),
        Audience::Leaders => directory.org.leadership_channel.clone(),
    }
}

/// The guard's findings, colleagues' names excepted: those the bot learned
/// in the background (see `people::learn_names`). A name not learned yet is
/// a stranger's, so the story is held rather than posted.
fn findings(ctx: &AppContext, draft: &MomentDraft, check: PrivacyCheck) -> Vec<Finding> {
    match check {
        PrivacyCheck::Scan => scan(ctx, draft.story.as_str()),
        PrivacyCheck::Confirmed | PrivacyCheck::Seed => Vec::new(),
    }
}

fn scan(ctx: &AppContext, story: &str) -> Vec<Finding> {
    privacy::scan_with(story, &ctx.known_people())
}

/// What a "post as written" overrode, for the record: the kinds of the
/// guard's findings, never the text. `None` when the guard finds nothing
/// (nothing was overridden).
fn overridden(ctx: &AppContext, story: &str, check: PrivacyCheck) -> Option<String> {
    if check != PrivacyCheck::Confirmed {
        return None;
    }
    kinds_of(&scan(ctx, story))
}

/// The kinds of `found`, once each, in plain words; `None` for nothing.
fn kinds_of(found: &[Finding]) -> Option<String> {
    let mut kinds: Vec<&str> = Vec::new();
    for f in found {
        if !kinds.contains(&f.kind.label()) {
            kinds.push(f.kind.label());
        }
    }
    (!kinds.is_empty()).then(|| kinds.join("; "))
}

/// Refuses the "leaders only" audience to someone outside the
/// organization's teams (see `Actor::may_post_to_leaders`).
fn check_audience(ctx: &AppContext, draft: &MomentDraft) -> Result<(), AppError> {
    let dir = ctx.directory();
    if draft.audience == Audience::Leaders && !Actor::new(&dir, &draft.author).may_post_to_leaders()
    {
        return Err(AppError::Forbidden(LEADERS_ONLY.into()));
    }
    Ok(())
}

const LEADERS_ONLY: &str = "The \"leaders only\" audience is for members of the organization's teams, and you are not in any team yet. Share it with everyone in the moments channel instead, or ask an admin to add you to your team.";

/// The people a story names on purpose: those recognized, and colleagues
/// mentioned in its text (`<@U…>`), the author excepted.
pub fn named_people(
    draft_story: &str,
    recognized: &[PersonId],
    author: &PersonId,
) -> Vec<PersonId> {
    let mut people: Vec<PersonId> = recognized.to_vec();
    let mut rest = draft_story;
    while let Some(start) = rest.find("<@") {
        let after = &rest[start + 2..];
        let end = after.find(['>', '|']).unwrap_or(after.len());
        if let Ok(p) = PersonId::parse(&after[..end])
            && !people.contains(&p)
        {
            people.push(p);
        }
        rest = &after[end.min(after.len())..];
    }
    people.retain(|p| p != author);
    people
}

/// Refuses a share over the per-person limit, saying when the person can
/// share again. Counted in the write transaction, so concurrent shares by
/// one person cannot all slip under it.
async fn over_limit(
    conn: &mut Conn,
    author: &PersonId,
    limit: u32,
    now: DateTime<Utc>,
    tz: chrono_tz::Tz,
) -> Result<Option<AppError>, StoreError> {
    if limit == 0 {
        return Ok(None);
    }
    let recent = privacy_store::shared_since(conn, author, now - Duration::hours(1)).await?;
    if recent.len() < limit as usize {
        return Ok(None);
    }
    Ok(Some(limit_refusal(&recent, limit, now, tz)))
}

/// The outbox rows that go with a moment now going to its channel: the DMs
/// telling the people it names, and (after a "post as written") the record
/// of the override and the notices to `admins_to_tell` (empty unless the
/// setting asks).
async fn with_post(
    conn: &mut Conn,
    admins_to_tell: &[PersonId],
    moment: MomentId,
    author: &PersonId,
    named: &[PersonId],
    overrode: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    for person in named {
        enqueue(
            conn,
            &Outgoing::NamedInMoment {
                moment,
                person: person.clone(),
            },
            now,
        )
        .await?;
    }
    if let Some(kinds) = overrode {
        record_override(conn, admins_to_tell, moment, author, kinds, now).await?;
    }
    Ok(())
}

/// Records that `author` posted (or saved) `moment` as written past the
/// privacy guard's `kinds` of findings, and tells `admins_to_tell`. Shared by
/// a first post and an edit, so an override is recorded and told alike.
async fn record_override(
    conn: &mut Conn,
    admins_to_tell: &[PersonId],
    moment: MomentId,
    author: &PersonId,
    kinds: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let entry = privacy_store::record_override(conn, author, Some(moment), kinds, now).await?;
    for admin in admins_to_tell {
        enqueue(
            conn,
            &Outgoing::OverrideNotice {
                entry,
                person: admin.clone(),
            },
            now,
        )
        .await?;
    }
    Ok(())
}

/// The admins to tell of an override: all of them when the setting asks.
fn admins_to_tell(directory: &Directory, notify: bool) -> &[PersonId] {
    if notify { &directory.org.admins } else { &[] }
}

/// Refuses a story naming people who asked not to be named.
async fn opted_out(
    ctx: &AppContext,
    story: &str,
    recognized: &[PersonId],
    author: &PersonId,
) -> Result<Vec<PersonId>, AppError> {
    let named = named_people(story, recognized, author);
    if named.is_empty() {
        return Ok(Vec::new());
    }
    let mut conn = ctx.store.read_conn().await?;
    Ok(privacy_store::opted_out_among(&mut conn, &named).await?)
}

/// The privacy gates a story passes before it is posted, a first share
/// from a form and an edit alike: nobody it names asked not to be named,
/// and the guard found nothing (unless the author chose to post it as
/// written). `Err` is the outcome to answer with instead (nothing stored);
/// `Ok` the kinds of findings posted as written, to record as an override.
async fn privacy_gates(
    ctx: &AppContext,
    draft: &MomentDraft,
    check: PrivacyCheck,
) -> Result<Result<Option<String>, ShareOutcome>, AppError> {
    let people = opted_out(
        ctx,
        draft.story.as_str(),
        draft.recognized.people(),
        &draft.author,
    )
    .await?;
    if !people.is_empty() {
        return Ok(Err(ShareOutcome::NotNamed { people }));
    }
    let found = findings(ctx, draft, check);
    if !found.is_empty() {
        return Ok(Err(ShareOutcome::NeedsReview { findings: found }));
    }
    Ok(Ok(overridden(ctx, draft.story.as_str(), check)))
}

/// Shares a moment from a form: if the guard finds something, nothing is
/// stored and the form asks again.
///
/// `replaces` names a held draft this submission supersedes (the "Edit
/// first" path); it is removed in the same transaction.
#[tracing::instrument(skip_all, fields(author = %draft.author))]
pub async fn share(
    ctx: &AppContext,
    draft: MomentDraft,
    check: PrivacyCheck,
    replaces: Option<MomentId>,
) -> Result<ShareOutcome, AppError> {
    check_audience(ctx, &draft)?;
    let overrode = match privacy_gates(ctx, &draft, check).await? {
        Ok(overrode) => overrode,
        Err(refused) => return Ok(refused),
    };
    post_new(ctx, draft, replaces, overrode, check == PrivacyCheck::Seed).await
}

/// Shares a moment from a one-line command: if the guard finds something,
/// the story is kept as a draft for its author to confirm, edit or discard.
#[tracing::instrument(skip_all, fields(author = %draft.author))]
pub async fn share_or_hold(ctx: &AppContext, draft: MomentDraft) -> Result<ShareOutcome, AppError> {
    match share_command(ctx, draft, None).await? {
        Once::Done(outcome) => Ok(outcome),
        // Without a replay entry nothing is a replay.
        Once::Replay => Err(AppError::NotFound(
            "This story was shared already; nothing was done again.".into(),
        )),
    }
}

/// [`share_or_hold`] for a signed request acted on once: `replay` is
/// written in the transaction that stores the story (or holds it), and a
/// request seen before stores nothing.
#[tracing::instrument(skip_all, fields(author = %draft.author))]
pub async fn share_or_hold_once(
    ctx: &AppContext,
    draft: MomentDraft,
    replay: Replay,
) -> Result<Once<ShareOutcome>, AppError> {
    share_command(ctx, draft, Some(replay)).await
}

async fn share_command(
    ctx: &AppContext,
    draft: MomentDraft,
    replay: Option<Replay>,
) -> Result<Once<ShareOutcome>, AppError> {
    check_audience(ctx, &draft)?;
    let people = opted_out(
        ctx,
        draft.story.as_str(),
        draft.recognized.people(),
        &draft.author,
    )
    .await?;
    if !people.is_empty() {
        return Ok(Once::Done(ShareOutcome::NotNamed { people }));
    }
    let found = findings(ctx, &draft, PrivacyCheck::Scan);
    if found.is_empty() {
        return post_once(ctx, draft, None, None, false, replay).await;
    }
    let now = ctx.clock.now();
    let id = ctx
        .store
        .write(move |conn| {
            Box::pin(async move {
                if let Some(replay) = &replay
                    && !replay.remember(conn).await?
                {
                    return Ok(None);
                }
                Ok(Some(
                    moments::insert(conn, &draft, MomentStatus::Draft, now).await?,
                ))
            })
        })
        .await?;
    Ok(match id {
        Some(id) => Once::Done(ShareOutcome::Held {
            draft: id,
            findings: found,
        }),
        None => Once::Replay,
    })
}

async fn post_new(
    ctx: &AppContext,
    draft: MomentDraft,
    replaces: Option<MomentId>,
    overrode: Option<String>,
    seed: bool,
) -> Result<ShareOutcome, AppError> {
    match post_once(ctx, draft, replaces, overrode, seed, None).await? {
        Once::Done(outcome) => Ok(outcome),
        Once::Replay => Err(AppError::NotFound(
            "This story was shared already; nothing was done again.".into(),
        )),
    }
}

/// The refusal of a share over the per-person limit, saying when the person
/// can share again; `recent` are the times of their shares in the window.
fn limit_refusal(
    recent: &[DateTime<Utc>],
    limit: u32,
    now: DateTime<Utc>,
    tz: chrono_tz::Tz,
) -> AppError {
    let window = Duration::hours(1);
    // The share that frees a slot is the one `limit` places from the end.
    let frees = recent[recent.len().saturating_sub(limit as usize)] + window;
    let minutes = (frees - now).num_minutes().max(0) + 1;
    AppError::Forbidden(format!(
        "You have shared {limit} moments in the last hour, the most one person can share in an hour. You can share again at {} (in about {minutes} minutes). Nothing was posted; keep your story and send it then.",
        frees.with_timezone(&tz).format("%H:%M"),
    ))
}

/// What the store writes for a moment shared straight to `channel` at
/// `now`: the moment, its post, `replay`'s entry, the author's hourly
/// `limit` (0: none) and the thank-you to their moments nudge of `month`,
/// in one transaction. Public for `bench-sqlite-hop`, which times it.
pub fn new_share(
    draft: MomentDraft,
    channel: ChannelId,
    now: DateTime<Utc>,
    replay: Option<crate::store::Remember>,
    limit: u32,
    month: String,
) -> NewShare {
    let thanked = draft.author.clone();
    NewShare {
        draft,
        now,
        outgoing: Box::new(move |moment| {
            Outgoing::PostMoment {
                moment,
                channel: channel.clone(),
            }
            .to_row(now)
        }),
        replay,
        limit: (limit > 0).then(|| (limit, now - Duration::hours(1))),
        thank: Some(Thank {
            job: super::jobs::MOMENTS_NUDGE,
            period: month,
            outgoing: Box::new(move |nudge| {
                Outgoing::UpdateMomentsNudge {
                    nudge: crate::domain::ids::NudgeId(nudge),
                    person: thanked.clone(),
                }
                .to_row(now)
            }),
        }),
    }
}

async fn post_once(
    ctx: &AppContext,
    draft: MomentDraft,
    replaces: Option<MomentId>,
    overrode: Option<String>,
    seed: bool,
    replay: Option<Replay>,
) -> Result<Once<ShareOutcome>, AppError> {
    let directory = ctx.directory();
    let channel = channel_for(&directory, draft.audience);
    let now = ctx.clock.now();
    let to = channel.clone();
    // Their moments invitation of this month says thank you (see
    // `jobs::moment_shared`), in the share's transaction.
    let month = Month::containing(now, directory.org.timezone).key();
    let named = if seed {
        Vec::new()
    } else {
        named_people(
            draft.story.as_str(),
            draft.recognized.people(),
            &draft.author,
        )
    };
    let limit = if seed {
        0
    } else {
        ctx.privacy.moments_per_hour
    };
    let notify_admins = ctx.privacy.notify_admins_on_override;
    let moment = if replaces.is_none() && named.is_empty() && overrode.is_none() {
        // The common case: one new moment and its post, written together
        // with other concurrent shares (see `store::NewShare`), its replay
        // entry and its limit settled in the same transaction.
        let shared = ctx
            .store
            .share(new_share(
                draft,
                to,
                now,
                replay.map(Replay::into_store),
                limit,
                month,
            ))
            .await?;
        match shared {
            Shared::Posted(moment) => moment,
            Shared::Replay => return Ok(Once::Replay),
            Shared::OverLimit(recent) => {
                return Err(limit_refusal(&recent, limit, now, directory.org.timezone));
            }
        }
    } else {
        let result = ctx
            .store
            .write(move |conn| {
                Box::pin(async move {
                    if let Some(replay) = &replay
                        && !replay.remember(conn).await?
                    {
                        return Ok(Ok(None));
                    }
                    let tz = directory.org.timezone;
                    if let Some(refusal) = over_limit(conn, &draft.author, limit, now, tz).await? {
                        return Ok(Err(refusal));
                    }
                    if let Some(old) = replaces {
                        let mine = moments::get(conn, old).await?;
                        if mine.is_some_and(|m| {
                            m.author == draft.author && m.status == MomentStatus::Draft
                        }) {
                            moments::delete_draft(conn, old).await?;
                        }
                    }
                    let moment = moments::insert(conn, &draft, MomentStatus::Shared, now).await?;
                    enqueue(
                        conn,
                        &Outgoing::PostMoment {
                            moment,
                            channel: to,
                        },
                        now,
                    )
                    .await?;
                    with_post(
                        conn,
                        admins_to_tell(&directory, notify_admins),
                        moment,
                        &draft.author,
                        &named,
                        overrode.as_deref(),
                        now,
                    )
                    .await?;
                    super::jobs::thank_for_moment(conn, &month, &draft.author, now).await?;
                    Ok::<_, StoreError>(Ok(Some(moment)))
                })
            })
            .await?;
        match result? {
            Some(moment) => moment,
            None => return Ok(Once::Replay),
        }
    };
    ctx.wake_delivery();
    Ok(Once::Done(ShareOutcome::Posted { moment, channel }))
}

/// What a person may do to a moment; checked inside the transaction.
fn own_draft(found: Option<Moment>, person: &PersonId) -> Result<Moment, AppError> {
    let moment = found
        .filter(|m| m.status == MomentStatus::Draft)
        .ok_or_else(|| AppError::NotFound("That draft was already posted or discarded.".into()))?;
    if &moment.author != person {
        return Err(AppError::Forbidden(
            "Only the person who wrote this story can post or discard it.".into(),
        ));
    }
    Ok(moment)
}

/// Posts a held draft as written, after its author confirmed.
#[tracing::instrument(skip_all, fields(%person, %draft))]
pub async fn confirm_draft(
    ctx: &AppContext,
    person: PersonId,
    draft: MomentId,
) -> Result<ShareOutcome, AppError> {
    let directory = ctx.directory();
    let now = ctx.clock.now();
    let me = person.clone();
    let known = ctx.known_people();
    let limit = ctx.privacy.moments_per_hour;
    let notify_admins = ctx.privacy.notify_admins_on_override;
    let outcome = ctx
        .store
        .write(move |conn| {
            Box::pin(async move {
                let moment = match own_draft(moments::get(conn, draft).await?, &person) {
                    Ok(m) => m,
                    Err(refusal) => return Ok(Err(refusal)),
                };
                if moment.audience == Audience::Leaders
                    && !Actor::new(&directory, &person).may_post_to_leaders()
                {
                    return Ok(Err(AppError::Forbidden(LEADERS_ONLY.into())));
                }
                let tz = directory.org.timezone;
                if let Some(refusal) = over_limit(conn, &person, limit, now, tz).await? {
                    return Ok(Err(refusal));
                }
                let named = named_people(&moment.story, &moment.recognized, &person);
                if !privacy_store::opted_out_among(conn, &named).await?.is_empty() {
                    return Ok(Err(AppError::Forbidden(
                        "Someone named in this story asked not to be named in moments. Choose Edit first and take their name out (write \"a colleague\" instead), or discard it.".into(),
                    )));
                }
                let overrode = kinds_of(&privacy::scan_with(&moment.story, &known));
                let channel = channel_for(&directory, moment.audience);
                moments::set_status(conn, draft, MomentStatus::Shared, now).await?;
                with_post(
                    conn,
                    admins_to_tell(&directory, notify_admins),
                    draft,
                    &person,
                    &named,
                    overrode.as_deref(),
                    now,
                )
                .await?;
                enqueue(
                    conn,
                    &Outgoing::PostMoment {
                        moment: draft,
                        channel: channel.clone(),
                    },
                    now,
                )
                .await?;
                enqueue(conn, &Outgoing::PublishHome { person }, now).await?;
                Ok::<_, StoreError>(Ok(ShareOutcome::Posted {
                    moment: draft,
                    channel,
                }))
            })
        })
        .await??;
    ctx.wake_delivery();
    super::jobs::moment_shared(ctx, &me).await?;
    Ok(outcome)
}

/// Throws away a held draft; it was never posted.
#[tracing::instrument(skip_all, fields(%person, %draft))]
pub async fn discard_draft(
    ctx: &AppContext,
    person: PersonId,
    draft: MomentId,
) -> Result<(), AppError> {
    let now = ctx.clock.now();
    ctx.store
        .write(move |conn| {
            Box::pin(async move {
                if let Err(refusal) = own_draft(moments::get(conn, draft).await?, &person) {
                    return Ok(Err(refusal));
                }
                moments::delete_draft(conn, draft).await?;
                enqueue(conn, &Outgoing::PublishHome { person }, now).await?;
                Ok::<_, StoreError>(Ok(()))
            })
        })
        .await??;
    ctx.wake_delivery();
    Ok(())
}

/// A moment that still exists and that `allowed` (asked with its author)
/// lets the person act on; `gone` and `refused` say why not.
fn permitted(
    found: Option<Moment>,
    allowed: impl FnOnce(&PersonId) -> bool,
    gone: &str,
    refused: &str,
) -> Result<Moment, AppError> {
    let moment = found
        .filter(|m| m.status != MomentStatus::Deleted)
        .ok_or_else(|| AppError::NotFound(gone.into()))?;
    if !allowed(&moment.author) {
        return Err(AppError::Forbidden(refused.into()));
    }
    Ok(moment)
}

/// A moment its author (or, for deletion, an admin) may change.
fn changeable(
    found: Option<Moment>,
    may_change: impl FnOnce(&PersonId) -> bool,
) -> Result<Moment, AppError> {
    permitted(
        found,
        may_change,
        "That moment no longer exists.",
        "Only the person who shared this moment can change it.",
    )
}

/// Loads a moment for its author to edit.
pub async fn for_edit(
    ctx: &AppContext,
    person: &PersonId,
    id: MomentId,
) -> Result<Moment, AppError> {
    let mut conn = ctx.store.read_conn().await?;
    let dir = ctx.directory();
    changeable(moments::get(&mut conn, id).await?, |author| {
        Actor::new(&dir, person).may_edit_moment(author)
    })
}

/// Replaces a moment's story, pillar and recognitions; its post follows.
#[tracing::instrument(skip_all, fields(%person, %id))]
pub async fn edit(
    ctx: &AppContext,
    person: PersonId,
    id: MomentId,
    input: MomentInput,
    check: PrivacyCheck,
) -> Result<ShareOutcome, AppError> {
    let directory = ctx.directory();
    let draft = input.validate(person.clone(), &directory)?;
    let overrode = match privacy_gates(ctx, &draft, check).await? {
        Ok(overrode) => overrode,
        Err(refused) => return Ok(refused),
    };
    let notify_admins = ctx.privacy.notify_admins_on_override;
    let now = ctx.clock.now();
    let outcome = ctx
        .store
        .write(move |conn| {
            Box::pin(async move {
                let may_edit =
                    |author: &PersonId| Actor::new(&directory, &person).may_edit_moment(author);
                let moment = match changeable(moments::get(conn, id).await?, may_edit) {
                    Ok(m) => m,
                    Err(refusal) => return Ok(Err(refusal)),
                };
                moments::update_content(conn, id, &draft, now).await?;
                if let Some(kinds) = &overrode {
                    // An edit saved as written past the guard is an override too.
                    let admins = admins_to_tell(&directory, notify_admins);
                    record_override(conn, admins, id, &person, kinds, now).await?;
                }
                let channel = channel_for(&directory, moment.audience);
                if moment.status == MomentStatus::Shared {
                    enqueue(
                        conn,
                        &Outgoing::UpdateMoment {
                            moment: id,
                            channel: channel.clone(),
                        },
                        now,
                    )
                    .await?;
                }
                enqueue(conn, &Outgoing::PublishHome { person }, now).await?;
                Ok::<_, StoreError>(Ok(ShareOutcome::Posted {
                    moment: id,
                    channel,
                }))
            })
        })
        .await??;
    ctx.wake_delivery();
    Ok(outcome)
}

/// A moment taken down, for the answer to whoever took it down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TakenDown {
    pub moment: MomentId,
    pub author: PersonId,
    /// Its post is being deleted (it had one, or one on the way).
    pub had_post: bool,
    /// The month (`2026-11`) of an already-sent digest that quoted it.
    pub digest_sent: Option<String>,
    /// That digest is being updated in place; otherwise (its post is not
    /// known, e.g. sent before this version) the admins were told to delete
    /// it by hand.
    pub digest_updated: bool,
}

/// Deletes a moment; see [`take_down`].
pub async fn delete(ctx: &AppContext, person: PersonId, id: MomentId) -> Result<(), AppError> {
    take_down(ctx, person, id).await.map(|_| ())
}

/// Whether the monthly digest that would quote `moment` already went out:
/// the digest job ran for its month after it was shared. Returns that month.
async fn digest_sent(
    conn: &mut Conn,
    moment: &Moment,
    tz: chrono_tz::Tz,
) -> Result<Option<String>, StoreError> {
    if moment.status != MomentStatus::Shared || moment.audience != Audience::Channel {
        return Ok(None);
    }
    let month = Month::containing(moment.created_at, tz);
    let ran = jobs::run_started(&mut *conn, "monthly-digest", &month.key()).await?;
    Ok(ran
        .filter(|at| moment.created_at < *at)
        .map(|_| month.key()))
}

/// Takes a moment down (its author, or an admin moderating), all in one
/// transaction: its story is erased and its people forgotten, a history row
/// keeps only who removed it and when, its post is deleted, every Home that
/// could show it is published again, and digests not yet sent no longer
/// find it. A digest already sent that quoted it cannot be edited (its
/// message is not recorded), so the admins get a DM saying which one to
/// delete by hand.
#[tracing::instrument(skip_all, fields(%person, %id))]
pub async fn take_down(
    ctx: &AppContext,
    person: PersonId,
    id: MomentId,
) -> Result<TakenDown, AppError> {
    let directory = ctx.directory();
    let now = ctx.clock.now();
    let taken = ctx
        .store
        .write(move |conn| {
            Box::pin(async move {
                let may_remove =
                    |author: &PersonId| Actor::new(&directory, &person).may_remove_moment(author);
                let moment = match removable(moments::get(conn, id).await?, may_remove) {
                    Ok(m) => m,
                    Err(refusal) => return Ok(Err(refusal)),
                };
                let digest_sent = digest_sent(conn, &moment, directory.org.timezone).await?;
                moments::mark_deleted(conn, id, now).await?;
                privacy_store::record_removal(
                    conn,
                    &Removal {
                        moment: id,
                        author: moment.author.to_string(),
                        removed_by: person.to_string(),
                        removed_at: now,
                        digest_sent: digest_sent.clone(),
                    },
                )
                .await?;
                let had_post = moment.status == MomentStatus::Shared;
                if had_post {
                    let channel = channel_for(&directory, moment.audience);
                    enqueue(
                        conn,
                        &Outgoing::DeleteMoment {
                            moment: id,
                            channel,
                        },
                        now,
                    )
                    .await?;
                }
                // Everyone's Home lists the latest moments shared with the
                // channel; anything else shows only on its author's.
                let mut homes = vec![moment.author.clone(), person.clone()];
                if had_post && moment.audience == Audience::Channel {
                    homes.extend(super::people::everyone(&directory));
                }
                homes.sort();
                homes.dedup();
                for home in homes {
                    enqueue(conn, &Outgoing::PublishHome { person: home }, now).await?;
                }
                let digest_post = match &digest_sent {
                    Some(month) => privacy_store::digest_post(conn, month).await?,
                    None => None,
                };
                let digest_updated = digest_post.is_some();
                if let (Some(period), Some((channel, _))) = (&digest_sent, digest_post) {
                    let channel = ChannelId::parse(&channel)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                    enqueue(
                        conn,
                        &Outgoing::UpdateMomentsDigest {
                            period: period.clone(),
                            channel,
                        },
                        now,
                    )
                    .await?;
                } else if digest_sent.is_some() {
                    for admin in &directory.org.admins {
                        enqueue(
                            conn,
                            &Outgoing::TakedownNotice {
                                moment: id,
                                person: admin.clone(),
                            },
                            now,
                        )
                        .await?;
                    }
                }
                Ok::<_, StoreError>(Ok(TakenDown {
                    moment: id,
                    author: moment.author,
                    had_post,
                    digest_sent,
                    digest_updated,
                }))
            })
        })
        .await??;
    ctx.wake_delivery();
    Ok(taken)
}

/// A moment `person` may take down.
fn removable(
    found: Option<Moment>,
    may_remove: impl FnOnce(&PersonId) -> bool,
) -> Result<Moment, AppError> {
    permitted(
        found,
        may_remove,
        "That moment was already taken down, or never existed. Check the id with the link of its post.",
        "Only the person who shared this moment, or an admin, can take it down.",
    )
}

/// Loads a moment for `person` to confirm taking it down (refusing early
/// whoever may not).
pub async fn for_removal(
    ctx: &AppContext,
    person: &PersonId,
    id: MomentId,
) -> Result<Moment, AppError> {
    let mut conn = ctx.store.read_conn().await?;
    let dir = ctx.directory();
    removable(moments::get(&mut conn, id).await?, |author| {
        Actor::new(&dir, person).may_remove_moment(author)
    })
}

/// Finds the moment `/moment remove` names: its id, or its post's link.
pub async fn resolve(
    ctx: &AppContext,
    target: &crate::app::commands::moment::MomentTarget,
) -> Result<MomentId, AppError> {
    use crate::app::commands::moment::MomentTarget;
    match target {
        MomentTarget::Id(id) => Ok(MomentId(*id)),
        MomentTarget::Post { channel, ts } => by_post(ctx, channel, ts).await?.ok_or_else(|| {
            AppError::NotFound(
                "That link is not a mission moment posted by alignbot. Copy the link of the moment's post (⋯ → Copy link), or use its id: `/moment remove 12`.".into(),
            )
        }),
    }
}

/// Opens a modal for a person; the platform's trigger expires within
/// seconds, so the outbox row expires with it.
pub async fn open_modal(
    ctx: &AppContext,
    trigger: String,
    modal: super::outgoing::Modal,
) -> Result<(), AppError> {
    let now = ctx.clock.now();
    ctx.store
        .write(move |conn| {
            Box::pin(
                async move { enqueue(conn, &Outgoing::OpenModal { trigger, modal }, now).await },
            )
        })
        .await?;
    ctx.wake_delivery();
    Ok(())
}

/// Sends a short answer through a reply handle (or replaces a modal).
pub async fn send(ctx: &AppContext, message: Outgoing) -> Result<(), AppError> {
    let now = ctx.clock.now();
    ctx.store
        .write(move |conn| Box::pin(async move { enqueue(conn, &message, now).await }))
        .await?;
    ctx.wake_delivery();
    Ok(())
}

/// Loads a held draft for its author to edit in the form.
pub async fn draft_for_edit(
    ctx: &AppContext,
    person: &PersonId,
    id: MomentId,
) -> Result<Moment, AppError> {
    let mut conn = ctx.store.read_conn().await?;
    own_draft(moments::get(&mut conn, id).await?, person)
}

/// The moment whose post is the message `(channel, ts)`.
pub async fn by_post(
    ctx: &AppContext,
    channel: &str,
    ts: &str,
) -> Result<Option<MomentId>, AppError> {
    Ok(moments::by_post(ctx.store.reads(), channel, ts).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(raw: &str) -> PersonId {
        PersonId::parse(raw).unwrap()
    }

    #[test]
    fn the_people_a_story_names_are_those_recognized_and_mentioned_but_not_its_author() {
        let named = named_people(
            "Thanks <@U0NURSE2|kim> and <@U0LEAD1>, and me <@U0NURSE1>; not <#C0MOMENTS> or <!here>.",
            &[id("U0ADMIN"), id("U0NURSE2")],
            &id("U0NURSE1"),
        );
        assert_eq!(named, [id("U0ADMIN"), id("U0NURSE2"), id("U0LEAD1")]);
        assert!(named_people("<@", &[], &id("U0NURSE1")).is_empty());
    }

    #[test]
    fn an_override_records_each_kind_of_finding_once_and_never_the_text() {
        let found = privacy::scan("Call Mr. Garcia at 555-123-4567 or 555-987-6543.");
        let kinds = kinds_of(&found).unwrap();
        assert_eq!(kinds.matches("a phone number").count(), 1, "{kinds}");
        assert!(!kinds.contains("555"), "{kinds}");
        assert_eq!(kinds_of(&[]), None);
    }
}
