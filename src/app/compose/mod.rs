//! What each outgoing message says, decided in the app and platform-neutral.
//!
//! The outbox holds *what happened* ([`Outgoing`]: "post moment 12"); at
//! delivery time [`compose`] reads the current state and turns it into a
//! [`Composed`] message: a post, an update, a deletion, a view to open, a
//! Home to publish, a reply, or a reason to send nothing (yet). Its bodies
//! are view models owned here ([`MomentPost`], [`ProposalCard`],
//! [`DigestNumbers`], [`HomeData`], …) holding plain data: ids, names,
//! numbers and people's text exactly as written. A chat adapter renders them
//! (Block Kit, Adaptive Cards) and sends them with one call; it never reads
//! the store, so every rule about *whether* and *what* to send lives here,
//! once, for every platform.
//!
//! Adding a message: one [`Outgoing`] variant, one arm in [`compose`] (in the
//! family module that owns it), one render function in each adapter.

mod digests;
mod moments;
mod nudges;
pub mod org_priorities;
mod priorities;
mod privacy;
mod proposals;
mod team_update;
mod views;
mod year;

pub use digests::{DigestMoment, DigestNumbers, LeadershipDigest, MomentsDigest};
pub use moments::MomentPost;
pub use nudges::{MomentsNudge, PrioritiesNudge, PrioritiesSection, ProgressNudge};
pub use priorities::{MissingPriorities, PrioritiesPost, PrioritiesSummary, PublishedPriorities};
pub use privacy::PrivacyNotice;
pub use proposals::{Kickoff, ProposalCard, ProposalComment, ProposalDecision};
pub use team_update::{
    GoalProgress, TeamUpdate, TeamUpdateDraft, TeamUpdateForm, TeamUpdateSection, current_draft,
};
pub use views::{PrioritiesForm, View};
pub use year::{SharedReport, YearEndNudge};

use super::home::HomeData;
use super::outgoing::{Outgoing, Reply};
use super::people::{PlatformPeople, ZoneError};
use super::{AppContext, AppError};
use crate::domain::ids::{PostOwner, PostRef};
use crate::domain::{ChannelId, PersonId};
use crate::store::StoreError;
use chrono::{DateTime, Utc};

/// Where a new post goes: a channel, or a person's direct messages with the
/// app (on Slack a user id as channel reaches the app's Messages tab).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Conversation {
    Channel(ChannelId),
    Person(PersonId),
    /// The conversation of an earlier post, as the platform named it (for
    /// an answer in that post's thread).
    Existing(String),
}

impl Conversation {
    /// The platform's id of the conversation.
    pub fn as_str(&self) -> &str {
        match self {
            Conversation::Channel(c) => c.as_str(),
            Conversation::Person(p) => p.as_str(),
            Conversation::Existing(c) => c,
        }
    }
}

/// A message body: what a post (or an update of one) shows.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    Moment(MomentPost),
    Proposal(ProposalCard),
    ProposalComment(ProposalComment),
    ProposalDecision(ProposalDecision),
    Kickoff(Kickoff),
    ProgressNudge(ProgressNudge),
    MomentsNudge(MomentsNudge),
    MomentsDigest(MomentsDigest),
    LeadershipDigest(LeadershipDigest),
    Priorities(PrioritiesPost),
    PrioritiesSummary(PrioritiesSummary),
    PrioritiesNudge(PrioritiesNudge),
    MissingPriorities(MissingPriorities),
    TeamUpdateDraft(TeamUpdateDraft),
    TeamUpdate(TeamUpdate),
    /// A form's confirmation, once it closed (the bot's own markup).
    Confirmation(String),
    /// The "which team?" question with a button per team (Teams; see
    /// [`Outgoing::WhichTeam`]): (question, [(team name, command text)]).
    WhichTeam(String, Vec<(String, String)>),
    /// A card whose button opens a form (Teams; see [`Outgoing::FormPrompt`]).
    FormPrompt(FormPrompt),
    YearEndNudge(YearEndNudge),
    Report(SharedReport),
    OrgPriorities(org_priorities::OrgPrioritiesPost),
    OrgPrioritiesNudge(org_priorities::OrgPrioritiesNudge),
    Privacy(PrivacyNotice),
}

/// One platform call's worth of intent, or a reason for none.
#[derive(Debug)]
pub enum Composed {
    /// Post a new message; `thread` answers in a post's thread; `record`
    /// names the row that remembers where it landed.
    Post {
        to: Conversation,
        message: Message,
        thread: Option<PostRef>,
        record: Option<PostOwner>,
    },
    /// Re-render a posted message in place.
    Update { at: PostRef, message: Message },
    /// Remove a posted message (already gone counts as done).
    Delete { at: PostRef },
    /// Open a view (modal) with the platform's short-lived trigger.
    OpenView { trigger: String, view: View },
    /// Replace an open view (`view_id` is the platform's id of it).
    UpdateView { view_id: String, view: View },
    /// Publish a person's Home.
    PublishHome {
        person: PersonId,
        home: Box<HomeData>,
    },
    /// Answer through a reply handle (Slack's response_url).
    Respond { to: String, reply: Reply },
    /// Nothing needs sending any more, and why.
    Skip(&'static str),
    /// Not yet: send at this instant, and why.
    Defer(DateTime<Utc>, &'static str),
}

/// Why a message could not be composed now.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ComposeError {
    /// Reading what to say failed; try again later.
    #[error("{0}")]
    Unavailable(String),
    /// It can never be composed (e.g. a year out of range).
    #[error("{0}")]
    Impossible(String),
    /// The platform asked us to slow down while we looked something up.
    #[error("rate limited while looking something up")]
    RateLimited(Option<std::time::Duration>),
}

impl From<StoreError> for ComposeError {
    fn from(e: StoreError) -> Self {
        ComposeError::Unavailable(e.to_string())
    }
}

impl From<AppError> for ComposeError {
    fn from(e: AppError) -> Self {
        ComposeError::Unavailable(e.to_string())
    }
}

impl From<ZoneError> for ComposeError {
    fn from(e: ZoneError) -> Self {
        match e {
            ZoneError::Store(e) => e.into(),
            ZoneError::RateLimited(after) => ComposeError::RateLimited(after),
        }
    }
}

/// Decides what `message` says now, reading the current state. `people`
/// is the platform's directory of people (for their time zones).
pub async fn compose(
    ctx: &AppContext,
    people: &dyn PlatformPeople,
    message: &Outgoing,
) -> Result<Composed, ComposeError> {
    if let Some((person, local_at)) = message.local_time()
        && let Some(due) = super::people::due_in_own_zone(ctx, people, person, local_at).await?
    {
        return Ok(Composed::Defer(
            due,
            "waiting for the job's hour in the person's time zone",
        ));
    }
    match message {
        Outgoing::PostMoment { moment, channel } => moments::post(ctx, *moment, channel).await,
        Outgoing::UpdateMoment { moment, .. } => moments::update(ctx, *moment).await,
        Outgoing::DeleteMoment { moment, .. } => moments::delete(ctx, *moment).await,
        Outgoing::PublishHome { person } => {
            let home = super::home::load(ctx, person.clone()).await?;
            Ok(Composed::PublishHome {
                person: person.clone(),
                home: Box::new(home),
            })
        }
        Outgoing::OpenModal { trigger, modal } => Ok(match views::compose(ctx, modal).await? {
            Some(view) => Composed::OpenView {
                trigger: trigger.clone(),
                view,
            },
            None => Composed::Skip(views::GONE),
        }),
        Outgoing::UpdateModal { view, modal } => Ok(match views::compose(ctx, modal).await? {
            Some(rendered) => Composed::UpdateView {
                view_id: view.clone(),
                view: rendered,
            },
            None => Composed::Skip(views::GONE),
        }),
        Outgoing::Reply { to, reply } => Ok(Composed::Respond {
            to: to.clone(),
            reply: reply.clone(),
        }),
        Outgoing::PostProposal { proposal, channel } => {
            proposals::post(ctx, *proposal, channel).await
        }
        Outgoing::UpdateProposal { proposal, .. } => proposals::update(ctx, *proposal).await,
        Outgoing::ProposalComment {
            proposal, comment, ..
        } => proposals::comment(ctx, *proposal, *comment).await,
        Outgoing::ProposalDecided { proposal, .. } => proposals::decided(ctx, *proposal).await,
        Outgoing::Kickoff {
            team,
            year,
            channel,
        } => proposals::kickoff(ctx, team, *year, channel).await,
        Outgoing::ProgressNudge { nudge, person, .. } => {
            nudges::progress(ctx, *nudge, person, false).await
        }
        Outgoing::UpdateProgressNudge { nudge, person } => {
            nudges::progress(ctx, *nudge, person, true).await
        }
        Outgoing::MomentsNudge { nudge, person, .. } => nudges::moments(ctx, *nudge, person).await,
        Outgoing::UpdateMomentsNudge { nudge, .. } => nudges::moments_done(ctx, *nudge).await,
        Outgoing::ShareReport { year, channel, by } => {
            year::shared_report(ctx, *year, channel, by).await
        }
        Outgoing::YearEndNudge {
            nudge,
            person,
            year,
        } => year::year_end(ctx, *nudge, person, *year, false).await,
        Outgoing::UpdateYearEndNudge {
            nudge,
            person,
            year,
        } => year::year_end(ctx, *nudge, person, *year, true).await,
        Outgoing::PrioritiesNudge {
            nudge,
            person,
            team,
            reminder,
            ..
        } => nudges::priorities(ctx, *nudge, person, team, *reminder).await,
        Outgoing::UpdatePrioritiesNudge { nudge, .. } => nudges::priorities_done(ctx, *nudge).await,
        Outgoing::MomentsDigest { period, channel } => digests::moments(ctx, period, channel).await,
        Outgoing::UpdateMomentsDigest { period, channel } => {
            digests::update_moments(ctx, period, channel).await
        }
        Outgoing::LeadershipDigest { period, channel } => {
            digests::leadership(ctx, period, channel).await
        }
        Outgoing::PostOrgPriorities {
            org_priority,
            channel,
        } => org_priorities::post(ctx, *org_priority, channel).await,
        Outgoing::OrgPrioritiesNudge { period, person } => {
            org_priorities::nudge(ctx, period, person).await
        }
        Outgoing::UpdateOrgPriorities { org_priority, .. } => {
            org_priorities::update(ctx, *org_priority).await
        }
        Outgoing::PostPriorities { priority, channel } => {
            priorities::post(ctx, *priority, channel).await
        }
        Outgoing::UpdatePriorities { priority, .. } => priorities::update(ctx, *priority).await,
        Outgoing::PrioritiesSummary { priority, channel } => {
            priorities::summary(ctx, *priority, channel).await
        }
        Outgoing::MissingPriorities { period, person } => {
            priorities::missing(ctx, period, person).await
        }
        Outgoing::TeamUpdateDraft {
            nudge,
            person,
            team,
            ..
        } => team_update::draft(ctx, *nudge, person, team).await,
        Outgoing::UpdateTeamUpdateDraft { nudge, .. } => {
            team_update::draft_posted(ctx, *nudge).await
        }
        Outgoing::PostTeamUpdate { update, channel } => {
            team_update::post(ctx, *update, channel).await
        }
        Outgoing::WhichTeam {
            person,
            question,
            choices,
        } => Ok(Composed::Post {
            to: Conversation::Person(person.clone()),
            message: Message::WhichTeam(question.clone(), choices.clone()),
            thread: None,
            record: None,
        }),
        Outgoing::FormPrompt { person, form } => {
            let month = crate::app::priorities::this_month(ctx).label();
            let prompt = match form {
                super::outgoing::PromptedForm::TeamPriorities { team } => {
                    match ctx.directory().team(team) {
                        Some(t) => FormPrompt::TeamPriorities {
                            team: t.clone(),
                            month_label: month,
                        },
                        None => return Ok(Composed::Skip("the team no longer exists")),
                    }
                }
                super::outgoing::PromptedForm::OrgPriorities => FormPrompt::OrgPriorities {
                    month_label: crate::app::priorities::org_month(ctx)
                        .await
                        .map_err(|e| ComposeError::Unavailable(e.to_string()))?
                        .label(),
                },
            };
            Ok(Composed::Post {
                to: Conversation::Person(person.clone()),
                message: Message::FormPrompt(prompt),
                thread: None,
                record: None,
            })
        }
        Outgoing::Confirm { person, text } => Ok(Composed::Post {
            to: Conversation::Person(person.clone()),
            message: Message::Confirmation(text.clone()),
            thread: None,
            record: None,
        }),
        Outgoing::NamedInMoment { moment, person } => privacy::named(ctx, *moment, person).await,
        Outgoing::TakedownNotice { moment, person } => {
            privacy::taken_down(ctx, *moment, person).await
        }
        Outgoing::OverrideNotice { entry, person } => {
            privacy::overridden(ctx, *entry, person).await
        }
    }
}

/// The view (modal, dialog) for `modal` as things are now; `None` when what
/// it is about no longer exists. For platforms whose dialogs open inside an
/// HTTP answer rather than through the outbox.
pub async fn view(
    ctx: &AppContext,
    modal: &super::outgoing::Modal,
) -> Result<Option<View>, ComposeError> {
    views::compose(ctx, modal).await
}

/// What a [`Message::FormPrompt`] card offers.
#[derive(Debug, Clone, PartialEq)]
pub enum FormPrompt {
    TeamPriorities {
        team: crate::domain::Team,
        month_label: String,
    },
    OrgPriorities {
        month_label: String,
    },
}

/// Re-renders a message in place, if it was posted.
fn update_post(post: Option<(String, String)>, message: Message) -> Composed {
    match PostRef::from_pair(post) {
        Some(at) => Composed::Update { at, message },
        None => Composed::Skip("the message was not posted yet"),
    }
}

/// Records where a post landed on the row it belongs to, with what that
/// calls for (a moment deleted meanwhile loses its post too). The one place
/// every delivered post is recorded; runs in the caller's transaction.
pub async fn record_post(
    conn: &mut crate::store::Conn,
    owner: PostOwner,
    at: &PostRef,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    crate::store::outbox::record_post(conn, owner, &at.channel, &at.ts).await?;
    if let PostOwner::Moment(id) = owner {
        moments::after_post(conn, id, at, now).await?;
    }
    Ok(())
}
