//! What the app wants sent, as stored in the outbox.
//!
//! These are platform-neutral descriptions ("post moment 12 to its
//! channel"), serialized as JSON into `outbox.payload`. At delivery time
//! [`super::compose`] reads the current state and decides what each says,
//! so a moment edited before its first post goes out goes out edited, and a
//! moment deleted before it goes out is not posted at all; a chat adapter
//! then renders and sends it.
//!
//! Rows already queued in a deployed database must keep reading: serde tags
//! and field names never change, and the id newtypes serialize as the bare
//! numbers they replaced.

use crate::domain::goal::GoalId;
use crate::domain::ids::{NudgeId, PriorityId, ProposalId};
use crate::domain::{ChannelId, MomentId, PersonId, PillarKey};
use crate::store::{Conn, StoreError, outbox};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Outgoing {
    /// Post a shared moment to `channel` and remember where it landed.
    PostMoment {
        moment: MomentId,
        channel: ChannelId,
    },
    /// Re-render a moment's post after an edit or a change of its reactions.
    UpdateMoment {
        moment: MomentId,
        channel: ChannelId,
    },
    /// Remove a deleted moment's post.
    DeleteMoment {
        moment: MomentId,
        channel: ChannelId,
    },
    /// Refresh a person's Home tab.
    PublishHome { person: PersonId },
    /// Open a modal; `trigger` is the platform's short-lived handle.
    OpenModal { trigger: String, modal: Modal },
    /// Replace an open modal (`view` is the platform's id of it).
    UpdateModal { view: String, modal: Modal },
    /// Answer through a reply handle (Slack's response_url).
    Reply { to: String, reply: Reply },
    /// Post a goal proposal to its team's channel and remember where.
    PostProposal {
        proposal: ProposalId,
        channel: ChannelId,
    },
    /// Re-render a proposal's post (support count, comments, decision).
    UpdateProposal {
        proposal: ProposalId,
        channel: ChannelId,
    },
    /// Post a comment in the proposal's thread.
    ProposalComment {
        proposal: ProposalId,
        comment: i64,
        channel: ChannelId,
    },
    /// Say in the proposal's thread how it was decided.
    ProposalDecided {
        proposal: ProposalId,
        channel: ChannelId,
    },
    /// The goal-setting kick-off for a team, in its channel.
    Kickoff {
        team: crate::domain::TeamKey,
        year: i32,
        channel: ChannelId,
    },
    /// A goal owner's monthly check-in DM (`nudge` is its row in `nudges`).
    ProgressNudge {
        nudge: NudgeId,
        person: PersonId,
        /// The job's local wall-clock time ("2026-11-25T09:00"): the DM waits
        /// for that time in the person's own zone. `None`: send at once.
        #[serde(default)]
        local_at: Option<String>,
    },
    /// Re-render a progress nudge after a check-in.
    UpdateProgressNudge { nudge: NudgeId, person: PersonId },
    /// The year's turn: a goal owner chooses how each open goal of `year`
    /// ended (met, not met, carried over).
    YearEndNudge {
        nudge: NudgeId,
        person: PersonId,
        year: i32,
    },
    /// Re-render a year-end nudge after one of its goals was closed.
    UpdateYearEndNudge {
        nudge: NudgeId,
        person: PersonId,
        year: i32,
    },
    /// "Do you have a mission moment?" DM.
    MomentsNudge {
        nudge: NudgeId,
        person: PersonId,
        /// The job's local wall-clock time ("2026-11-25T09:00"): the DM waits
        /// for that time in the person's own zone. `None`: send at once.
        #[serde(default)]
        local_at: Option<String>,
    },
    /// Re-render a moments invitation as thanked after the person shared.
    UpdateMomentsNudge { nudge: NudgeId, person: PersonId },
    /// The month's moments, to the moments channel.
    MomentsDigest { period: String, channel: ChannelId },
    /// Re-render a month's moments digest in place (after a takedown).
    UpdateMomentsDigest { period: String, channel: ChannelId },
    /// The month in numbers, to the leadership channel.
    LeadershipDigest { period: String, channel: ChannelId },
    /// The alignment report of plan year `year`, shared in `channel` by `by`.
    ShareReport {
        year: i32,
        channel: ChannelId,
        by: PersonId,
    },
    /// A team's priorities, to its channel (and remember where).
    PostPriorities {
        priority: PriorityId,
        channel: ChannelId,
    },
    /// Re-render a team's priorities after they were published again.
    UpdatePriorities {
        priority: PriorityId,
        channel: ChannelId,
    },
    /// One line in the leadership channel: a team published.
    PrioritiesSummary {
        priority: PriorityId,
        channel: ChannelId,
    },
    /// A leader's monthly "publish your priorities" DM.
    PrioritiesNudge {
        nudge: NudgeId,
        person: PersonId,
        team: crate::domain::TeamKey,
        /// A reminder some working days after the first nudge.
        #[serde(default)]
        reminder: bool,
        /// As for the other nudges.
        #[serde(default)]
        local_at: Option<String>,
    },
    /// To an admin: the teams still without priorities this month.
    MissingPriorities { period: String, person: PersonId },
    /// Mark a leader's priorities DM as done.
    UpdatePrioritiesNudge { nudge: NudgeId, person: PersonId },
    /// A leader's draft of the team's monthly progress update (or, with
    /// `reminder`, a private reminder of it); see [`super::team_update`].
    TeamUpdateDraft {
        nudge: NudgeId,
        person: PersonId,
        team: crate::domain::TeamKey,
        #[serde(default)]
        reminder: bool,
        #[serde(default)]
        local_at: Option<String>,
    },
    /// Mark a leader's draft as posted.
    UpdateTeamUpdateDraft { nudge: NudgeId, person: PersonId },
    /// A team's progress update (row `update` of `team_updates`), to its channel.
    PostTeamUpdate { update: i64, channel: ChannelId },
    /// To a person in Teams who typed a command that opens a form on Slack
    /// (`priorities publish` or `priorities org publish` without items): a
    /// card whose button opens that form (Teams opens dialogs only from a
    /// card).
    FormPrompt {
        person: PersonId,
        form: PromptedForm,
    },
    /// To a person in Teams who leads several teams and named none: the
    /// "which team?" question with a button per team, each sending the
    /// command they typed again with `team:<key>` (`choices`: team name,
    /// command text).
    WhichTeam {
        person: PersonId,
        question: String,
        choices: Vec<(String, String)>,
    },
    /// A short confirmation DM once a form has closed ("Added goal 4"):
    /// the bot's own markup, any person's words in it already escaped.
    Confirm { person: PersonId, text: String },
    /// To an executive: publish the organization's priorities of `period`.
    OrgPrioritiesNudge { period: String, person: PersonId },
    /// The organization's priorities of a month, to the staff channel.
    PostOrgPriorities {
        org_priority: i64,
        channel: ChannelId,
    },
    /// Re-render the organization's priorities after they were published again.
    UpdateOrgPriorities {
        org_priority: i64,
        channel: ChannelId,
    },
    /// To a person recognized in a moment: the story, and a "Don't name
    /// me" button.
    NamedInMoment { moment: MomentId, person: PersonId },
    /// To an admin: a moment quoted in a digest already sent was taken
    /// down; which digest message to delete by hand.
    TakedownNotice { moment: MomentId, person: PersonId },
    /// To an admin: someone posted a held story as written (`entry` is the
    /// override's row in `privacy_overrides`).
    OverrideNotice { entry: i64, person: PersonId },
}

/// The form a [`Outgoing::FormPrompt`] opens.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "form", rename_all = "snake_case")]
pub enum PromptedForm {
    /// A team's priorities (its form has a team select for a leader of
    /// several teams).
    TeamPriorities { team: crate::domain::TeamKey },
    /// The organization's priorities.
    OrgPriorities,
}

/// Modals the app opens.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "modal", rename_all = "snake_case")]
pub enum Modal {
    /// "Share a mission moment", optionally prefilled.
    ShareMoment(MomentPrefill),
    /// Edit (or delete) one's own moment.
    EditMoment { moment: MomentId },
    /// A closing message in place of a finished modal.
    Notice { title: String, text: String },
    /// Check in on a goal.
    CheckIn { goal: GoalId },
    /// The blank goal form, to add (or, `propose`, to propose) a goal.
    NewGoal {
        propose: bool,
        owner: Option<PersonId>,
        /// The team the form's team select starts on (the team whose
        /// channel the command came from, else the person's own).
        #[serde(default)]
        team: Option<crate::domain::TeamKey>,
    },
    /// Edit a goal's definition.
    EditGoal { goal: GoalId },
    /// Comment on a proposal.
    CommentProposal { proposal: ProposalId },
    /// Approve a proposal, picking its owner.
    ApproveProposal { proposal: ProposalId },
    /// Decline a proposal, saying why.
    DeclineProposal { proposal: ProposalId },
    /// Pick a team's leaders or members.
    TeamPeople { team: String, leaders: bool },
    /// Publish a team's priorities (prefilled).
    PublishPriorities {
        team: crate::domain::TeamKey,
        /// The teams a leader of several may switch the form to (a select
        /// at its top); empty: no select.
        #[serde(default)]
        choices: Vec<crate::domain::TeamKey>,
    },
    /// Add a sentence to a team's progress update and post it.
    TeamUpdate { team: crate::domain::TeamKey },
    /// Publish the organization's priorities (admins and executives).
    OrgPriorities,
    /// Confirm taking a moment down.
    RemoveMoment { moment: MomentId },
}

/// Initial values of the share modal.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MomentPrefill {
    pub story: String,
    pub pillar: Option<PillarKey>,
    pub recognized: Vec<PersonId>,
    /// The held-back draft this modal edits, if any; replaced on submit.
    pub draft: Option<MomentId>,
}

/// A short answer to an earlier interaction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reply {
    /// Shown as written (escaped when rendered).
    pub text: String,
    /// Replace the message the interaction came from instead of adding one.
    pub replace_original: bool,
    /// `text` is the bot's own markup (mentions and channel links it built,
    /// any person's words already escaped): rendered as is. Without it the
    /// text is escaped, and a mention the bot built would show as a literal
    /// `<#C…>`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub formatted: bool,
}

/// Keeps `formatted: false` out of stored payloads (they read as before).
fn is_false(b: &bool) -> bool {
    !*b
}

/// How long a modal trigger lives on Slack's side.
const TRIGGER_LIFETIME: Duration = Duration::seconds(3);

impl Outgoing {
    /// Calls on one lane are delivered in order and paced; a channel is a lane.
    fn lane(&self) -> Option<String> {
        match self {
            Outgoing::PostMoment { channel, .. }
            | Outgoing::UpdateMoment { channel, .. }
            | Outgoing::DeleteMoment { channel, .. }
            | Outgoing::PostProposal { channel, .. }
            | Outgoing::UpdateProposal { channel, .. }
            | Outgoing::ProposalComment { channel, .. }
            | Outgoing::ProposalDecided { channel, .. }
            | Outgoing::Kickoff { channel, .. }
            | Outgoing::MomentsDigest { channel, .. }
            | Outgoing::ShareReport { channel, .. }
            | Outgoing::UpdateMomentsDigest { channel, .. }
            | Outgoing::LeadershipDigest { channel, .. }
            | Outgoing::PostPriorities { channel, .. }
            | Outgoing::UpdatePriorities { channel, .. }
            | Outgoing::PrioritiesSummary { channel, .. }
            | Outgoing::PostTeamUpdate { channel, .. }
            | Outgoing::PostOrgPriorities { channel, .. }
            | Outgoing::UpdateOrgPriorities { channel, .. } => Some(channel.to_string()),
            Outgoing::WhichTeam { person, .. }
            | Outgoing::FormPrompt { person, .. }
            | Outgoing::ProgressNudge { person, .. }
            | Outgoing::UpdateProgressNudge { person, .. }
            | Outgoing::YearEndNudge { person, .. }
            | Outgoing::UpdateYearEndNudge { person, .. }
            | Outgoing::MomentsNudge { person, .. }
            | Outgoing::PrioritiesNudge { person, .. }
            | Outgoing::UpdatePrioritiesNudge { person, .. }
            | Outgoing::TeamUpdateDraft { person, .. }
            | Outgoing::UpdateTeamUpdateDraft { person, .. }
            | Outgoing::Confirm { person, .. }
            | Outgoing::UpdateMomentsNudge { person, .. }
            | Outgoing::MissingPriorities { person, .. }
            | Outgoing::OrgPrioritiesNudge { person, .. }
            | Outgoing::NamedInMoment { person, .. }
            | Outgoing::TakedownNotice { person, .. }
            | Outgoing::OverrideNotice { person, .. } => Some(format!("dm:{person}")),
            Outgoing::UpdateModal { view, .. } => Some(format!("view:{view}")),
            Outgoing::Reply { to, .. } => Some(format!("reply:{to}")),
            Outgoing::PublishHome { .. } | Outgoing::OpenModal { .. } => None,
        }
    }

    /// A nudge's person and the job's local wall-clock time it waits for
    /// in that person's own zone.
    pub fn local_time(&self) -> Option<(&PersonId, &str)> {
        match self {
            Outgoing::ProgressNudge {
                person,
                local_at: Some(at),
                ..
            }
            | Outgoing::MomentsNudge {
                person,
                local_at: Some(at),
                ..
            }
            | Outgoing::PrioritiesNudge {
                person,
                local_at: Some(at),
                ..
            }
            | Outgoing::TeamUpdateDraft {
                person,
                local_at: Some(at),
                ..
            } => Some((person, at)),
            _ => None,
        }
    }

    /// The one person this message is for, when it is addressed to a person.
    pub fn recipient(&self) -> Option<&PersonId> {
        match self {
            Outgoing::WhichTeam { person, .. }
            | Outgoing::FormPrompt { person, .. }
            | Outgoing::ProgressNudge { person, .. }
            | Outgoing::UpdateProgressNudge { person, .. }
            | Outgoing::YearEndNudge { person, .. }
            | Outgoing::UpdateYearEndNudge { person, .. }
            | Outgoing::MomentsNudge { person, .. }
            | Outgoing::PrioritiesNudge { person, .. }
            | Outgoing::UpdatePrioritiesNudge { person, .. }
            | Outgoing::TeamUpdateDraft { person, .. }
            | Outgoing::UpdateTeamUpdateDraft { person, .. }
            | Outgoing::Confirm { person, .. }
            | Outgoing::UpdateMomentsNudge { person, .. }
            | Outgoing::MissingPriorities { person, .. }
            | Outgoing::OrgPrioritiesNudge { person, .. }
            | Outgoing::NamedInMoment { person, .. }
            | Outgoing::TakedownNotice { person, .. }
            | Outgoing::OverrideNotice { person, .. }
            | Outgoing::PublishHome { person } => Some(person),
            _ => None,
        }
    }

    /// A pending Home refresh already covers any later one for that person.
    fn dedupe_key(&self) -> Option<String> {
        match self {
            Outgoing::PublishHome { person } => Some(format!("home:{person}")),
            Outgoing::UpdateMoment { moment, .. } => Some(format!("update:{moment}")),
            Outgoing::UpdateProposal { proposal, .. } => Some(format!("proposal:{proposal}")),
            Outgoing::UpdateProgressNudge { nudge, .. }
            | Outgoing::UpdatePrioritiesNudge { nudge, .. }
            | Outgoing::UpdateTeamUpdateDraft { nudge, .. }
            | Outgoing::UpdateYearEndNudge { nudge, .. }
            | Outgoing::UpdateMomentsNudge { nudge, .. } => Some(format!("nudge:{nudge}")),
            Outgoing::UpdatePriorities { priority, .. } => Some(format!("priorities:{priority}")),
            Outgoing::UpdateOrgPriorities { org_priority, .. } => {
                Some(format!("org-priorities:{org_priority}"))
            }
            _ => None,
        }
    }

    fn expires_at(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self {
            Outgoing::OpenModal { .. } => Some(now + TRIGGER_LIFETIME),
            _ => None,
        }
    }

    /// The stored form. Serializing these plain enums cannot fail.
    pub fn to_payload(&self) -> String {
        serde_json::to_string(self).expect("outgoing messages serialize")
    }

    pub fn from_payload(payload: &str) -> Result<Self, StoreError> {
        serde_json::from_str(payload)
            .map_err(|e| StoreError::Corrupt(format!("outbox payload: {e}")))
    }
}

impl Outgoing {
    /// The outbox row for this message.
    pub fn to_row(&self, now: DateTime<Utc>) -> outbox::NewOutgoing {
        outbox::NewOutgoing {
            lane: self.lane(),
            dedupe_key: self.dedupe_key(),
            payload: self.to_payload(),
            expires_at: self.expires_at(now),
        }
    }
}

/// Writes `message` into the outbox on `conn` (the caller's transaction).
pub async fn enqueue(
    conn: &mut Conn,
    message: &Outgoing,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    outbox::enqueue(conn, &message.to_row(now), now).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outgoing_messages_survive_the_round_trip_through_the_outbox() {
        let messages = [
            Outgoing::PostMoment {
                moment: MomentId(7),
                channel: ChannelId::parse("C0MOMENTS").unwrap(),
            },
            Outgoing::OpenModal {
                trigger: "1.2.3".into(),
                modal: Modal::ShareMoment(MomentPrefill {
                    story: "<!channel> hi".into(),
                    ..Default::default()
                }),
            },
            Outgoing::Reply {
                to: "http://x/hook".into(),
                reply: Reply {
                    text: "done".into(),
                    replace_original: true,
                    formatted: false,
                },
            },
        ];
        for m in messages {
            assert_eq!(Outgoing::from_payload(&m.to_payload()).unwrap(), m);
        }
    }

    #[test]
    fn rows_queued_before_the_id_newtypes_still_read() {
        let old = [
            (
                r#"{"kind":"post_proposal","proposal":4,"channel":"C0NURSING"}"#,
                Outgoing::PostProposal {
                    proposal: ProposalId(4),
                    channel: ChannelId::parse("C0NURSING").unwrap(),
                },
            ),
            (
                r#"{"kind":"update_progress_nudge","nudge":9,"person":"U0NURSE1"}"#,
                Outgoing::UpdateProgressNudge {
                    nudge: NudgeId(9),
                    person: PersonId::parse("U0NURSE1").unwrap(),
                },
            ),
            (
                r#"{"kind":"post_priorities","priority":2,"channel":"C0NURSING"}"#,
                Outgoing::PostPriorities {
                    priority: PriorityId(2),
                    channel: ChannelId::parse("C0NURSING").unwrap(),
                },
            ),
            (
                r#"{"kind":"open_modal","trigger":"1.2","modal":{"modal":"approve_proposal","proposal":5}}"#,
                Outgoing::OpenModal {
                    trigger: "1.2".into(),
                    modal: Modal::ApproveProposal {
                        proposal: ProposalId(5),
                    },
                },
            ),
        ];
        for (payload, message) in old {
            assert_eq!(Outgoing::from_payload(payload).unwrap(), message);
            assert_eq!(message.to_payload(), payload);
        }
    }
}
