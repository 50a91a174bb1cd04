//! Views opened over a conversation (Slack modals): forms prefilled from
//! the current state, and short notices.

use super::ComposeError;
use super::proposals::{self, ProposalCard};
use crate::app::AppContext;
use crate::app::outgoing::{Modal, MomentPrefill};
use crate::app::priorities::FormPrefill;
use crate::domain::goal::Goal;
use crate::domain::ids::ProposalId;
use crate::domain::moment::{Moment, MomentStatus};
use crate::domain::{PersonId, Team};
use crate::store::goals;

/// Why a view is not opened: what it was about is gone.
pub(super) const GONE: &str = "what the view was about no longer exists";

/// A view (modal) and what it starts with.
#[derive(Debug, Clone)]
pub enum View {
    /// "Share a mission moment", optionally prefilled.
    ShareMoment(MomentPrefill),
    /// Edit (or delete) one's own moment, prefilled from it.
    EditMoment(Moment),
    /// A closing message in place of a finished form.
    Notice { title: String, text: String },
    /// Check in on a goal.
    CheckIn(Goal),
    /// The blank goal form, to add (or, `propose`, to propose) a goal.
    NewGoal {
        propose: bool,
        owner: Option<PersonId>,
        team: Option<crate::domain::TeamKey>,
        /// The plan years a new goal may be for, as (value to submit,
        /// label): the current year and, once its goal-setting is open, next.
        years: Vec<(String, String)>,
        /// The value of the year the form starts on (the commands' default).
        year: String,
    },
    /// A goal's definition, to edit.
    EditGoal(Goal),
    /// Comment on a proposal.
    CommentProposal(ProposalCard),
    /// Approve a proposal, picking its owner.
    ApproveProposal(ProposalCard),
    /// Decline a proposal, with the reason the team will read.
    DeclineProposal(ProposalCard),
    /// Pick a team's leaders (`leaders`) or members.
    TeamPeople { team: Team, leaders: bool },
    /// Publish a team's priorities.
    PublishPriorities(PrioritiesForm),
    /// Add a sentence to a team's progress update and post it.
    TeamUpdate(super::TeamUpdateForm),
    /// Publish the organization's priorities.
    OrgPriorities(crate::app::priorities::OrgForm),
    /// Confirm taking a moment down, showing it.
    RemoveMoment(Moment),
}

/// The publish form: this month's (or last month's) items, and the team's
/// goals to link them to.
#[derive(Debug, Clone)]
pub struct PrioritiesForm {
    pub team: Team,
    pub month_label: String,
    pub prefill: FormPrefill,
    pub goals: Vec<Goal>,
    /// The teams the form can switch to (a leader of several); empty: none.
    pub choices: Vec<Team>,
}

/// The view for `modal`; `None` when what it is about no longer exists.
pub(super) async fn compose(ctx: &AppContext, modal: &Modal) -> Result<Option<View>, ComposeError> {
    let directory = ctx.directory();
    Ok(Some(match modal {
        Modal::ShareMoment(prefill) => View::ShareMoment(prefill.clone()),
        Modal::EditMoment { moment } => match super::moments::load(ctx, *moment).await? {
            Some(m) if m.status != MomentStatus::Deleted => View::EditMoment(m),
            _ => return Ok(None),
        },
        Modal::Notice { title, text } => View::Notice {
            title: title.clone(),
            text: text.clone(),
        },
        Modal::CheckIn { goal } => match goals::get(ctx.store.reads(), *goal).await? {
            Some(goal) => View::CheckIn(goal),
            None => return Ok(None),
        },
        Modal::NewGoal {
            propose,
            owner,
            team,
        } => {
            let (years, year) = crate::app::goals::form_years(ctx);
            View::NewGoal {
                propose: *propose,
                owner: owner.clone(),
                team: team.clone(),
                years,
                year,
            }
        }
        Modal::CommentProposal { proposal } => match card(ctx, *proposal).await? {
            Some(p) => View::CommentProposal(p),
            None => return Ok(None),
        },
        Modal::ApproveProposal { proposal } => match card(ctx, *proposal).await? {
            Some(p) => View::ApproveProposal(p),
            None => return Ok(None),
        },
        Modal::DeclineProposal { proposal } => match card(ctx, *proposal).await? {
            Some(p) => View::DeclineProposal(p),
            None => return Ok(None),
        },
        Modal::TeamPeople { team, leaders } => {
            match directory.teams.iter().find(|t| t.key.as_str() == team) {
                Some(team) => View::TeamPeople {
                    team: team.clone(),
                    leaders: *leaders,
                },
                None => return Ok(None),
            }
        }
        Modal::PublishPriorities { team, choices } => {
            let Some(team) = directory.team(team).cloned() else {
                return Ok(None);
            };
            let choices = choices
                .iter()
                .filter_map(|k| directory.team(k).cloned())
                .collect();
            let prefill = crate::app::priorities::prefill(ctx, &team).await?;
            let month = crate::app::priorities::this_month(ctx);
            let goals = super::nudges::team_goals(ctx, &team, month).await?;
            View::PublishPriorities(PrioritiesForm {
                team,
                month_label: month.label(),
                prefill,
                goals,
                choices,
            })
        }
        Modal::TeamUpdate { team } => {
            let Some(team) = directory.team(team).cloned() else {
                return Ok(None);
            };
            let month = crate::app::priorities::this_month(ctx);
            View::TeamUpdate(super::TeamUpdateForm {
                update: super::team_update::load(ctx, team, month).await?,
            })
        }
        Modal::OrgPriorities => View::OrgPriorities(
            crate::app::priorities::org_form_prefill(ctx)
                .await
                .map_err(|e| ComposeError::Unavailable(e.to_string()))?,
        ),
        Modal::RemoveMoment { moment } => match super::moments::load(ctx, *moment).await? {
            Some(m) if m.status != MomentStatus::Deleted => View::RemoveMoment(m),
            _ => return Ok(None),
        },
        Modal::EditGoal { goal } => match goals::get(ctx.store.reads(), *goal).await? {
            Some(goal) => View::EditGoal(goal),
            None => return Ok(None),
        },
    }))
}

async fn card(ctx: &AppContext, id: ProposalId) -> Result<Option<ProposalCard>, ComposeError> {
    Ok(proposals::load(ctx, id).await?.map(|(card, _)| card))
}
