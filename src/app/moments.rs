//! Sharing, confirming, editing and deleting mission moments.

use super::outgoing::{Outgoing, enqueue};
use super::permissions::Actor;
use super::{AppContext, AppError};
use crate::domain::moment::{Moment, MomentStatus};
use crate::domain::privacy::{self, Finding};
use crate::domain::{
    Audience, ChannelId, Directory, DomainError, MomentDraft, MomentId, MomentStory, PersonId,
    Recognized,
};
use crate::store::{NewShare, StoreError, moments};

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
        PrivacyCheck::Scan => privacy::scan_with(draft.story.as_str(), &ctx.known_people()),
        PrivacyCheck::Confirmed => Vec::new(),
    }
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
    let found = findings(ctx, &draft, check);
    if !found.is_empty() {
        return Ok(ShareOutcome::NeedsReview { findings: found });
    }
    post_new(ctx, draft, replaces).await
}

/// Shares a moment from a one-line command: if the guard finds something,
/// the story is kept as a draft for its author to confirm, edit or discard.
#[tracing::instrument(skip_all, fields(author = %draft.author))]
pub async fn share_or_hold(ctx: &AppContext, draft: MomentDraft) -> Result<ShareOutcome, AppError> {
    let found = findings(ctx, &draft, PrivacyCheck::Scan);
    if found.is_empty() {
        return post_new(ctx, draft, None).await;
    }
    let now = ctx.clock.now();
    let id = ctx
        .store
        .write(move |conn| {
            Box::pin(async move { moments::insert(conn, &draft, MomentStatus::Draft, now).await })
        })
        .await?;
    Ok(ShareOutcome::Held {
        draft: id,
        findings: found,
    })
}

async fn post_new(
    ctx: &AppContext,
    draft: MomentDraft,
    replaces: Option<MomentId>,
) -> Result<ShareOutcome, AppError> {
    let channel = channel_for(&ctx.directory(), draft.audience);
    let now = ctx.clock.now();
    let to = channel.clone();
    let author = draft.author.clone();
    let moment = match replaces {
        // The common case: one new moment and its post, written together
        // with other concurrent shares (see `store::NewShare`).
        None => {
            ctx.store
                .share(NewShare {
                    draft,
                    now,
                    outgoing: Box::new(move |moment| {
                        Outgoing::PostMoment {
                            moment,
                            channel: to,
                        }
                        .to_row(now)
                    }),
                })
                .await?
        }
        Some(old) => {
            ctx.store
                .write(move |conn| {
                    Box::pin(async move {
                        let mine = moments::get(conn, old).await?;
                        if mine.is_some_and(|m| {
                            m.author == draft.author && m.status == MomentStatus::Draft
                        }) {
                            moments::delete_draft(conn, old).await?;
                        }
                        let moment =
                            moments::insert(conn, &draft, MomentStatus::Shared, now).await?;
                        enqueue(
                            conn,
                            &Outgoing::PostMoment {
                                moment,
                                channel: to,
                            },
                            now,
                        )
                        .await?;
                        Ok(moment)
                    })
                })
                .await?
        }
    };
    ctx.wake_delivery();
    super::jobs::moment_shared(ctx, &author).await?;
    Ok(ShareOutcome::Posted { moment, channel })
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
    let outcome = ctx
        .store
        .write(move |conn| {
            Box::pin(async move {
                let moment = match own_draft(moments::get(conn, draft).await?, &person) {
                    Ok(m) => m,
                    Err(refusal) => return Ok(Err(refusal)),
                };
                let channel = channel_for(&directory, moment.audience);
                moments::set_status(conn, draft, MomentStatus::Shared, now).await?;
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

/// A moment its author (or, for deletion, an admin) may change.
fn changeable(
    found: Option<Moment>,
    may_change: impl FnOnce(&PersonId) -> bool,
) -> Result<Moment, AppError> {
    let moment = found
        .filter(|m| m.status != MomentStatus::Deleted)
        .ok_or_else(|| AppError::NotFound("That moment no longer exists.".into()))?;
    if !may_change(&moment.author) {
        return Err(AppError::Forbidden(
            "Only the person who shared this moment can change it.".into(),
        ));
    }
    Ok(moment)
}

/// Loads a moment for its author to edit.
pub async fn for_edit(
    ctx: &AppContext,
    person: &PersonId,
    id: MomentId,
) -> Result<Moment, AppError> {
    let mut conn = ctx
        .store
        .reads()
        .acquire()
        .await
        .map_err(StoreError::from)?;
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
    let found = findings(ctx, &draft, check);
    if !found.is_empty() {
        return Ok(ShareOutcome::NeedsReview { findings: found });
    }
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

/// Deletes a moment: its story is forgotten and its post removed. The
/// author may delete their own; admins may remove any (moderation).
#[tracing::instrument(skip_all, fields(%person, %id))]
pub async fn delete(ctx: &AppContext, person: PersonId, id: MomentId) -> Result<(), AppError> {
    let directory = ctx.directory();
    let now = ctx.clock.now();
    ctx.store
        .write(move |conn| {
            Box::pin(async move {
                let may_remove =
                    |author: &PersonId| Actor::new(&directory, &person).may_remove_moment(author);
                let moment = match changeable(moments::get(conn, id).await?, may_remove) {
                    Ok(m) => m,
                    Err(refusal) => return Ok(Err(refusal)),
                };
                moments::mark_deleted(conn, id, now).await?;
                if moment.status == MomentStatus::Shared {
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
                enqueue(
                    conn,
                    &Outgoing::PublishHome {
                        person: moment.author.clone(),
                    },
                    now,
                )
                .await?;
                if moment.author != person {
                    enqueue(conn, &Outgoing::PublishHome { person }, now).await?;
                }
                Ok::<_, StoreError>(Ok(()))
            })
        })
        .await??;
    ctx.wake_delivery();
    Ok(())
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
    let mut conn = ctx
        .store
        .reads()
        .acquire()
        .await
        .map_err(StoreError::from)?;
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
