//! `/goal …` run: a parsed [`GoalCommand`] dispatched to its use case once,
//! for every chat platform. Slack (`http::goals`) and Teams
//! (`teams::commands`) used to each hold this dispatch and its helpers;
//! now they only word and render the [`GoalDone`] it returns, so the two
//! can differ in wording but never in what a command does. The forms are
//! the exception by nature: Slack opens one (after its own check), Teams
//! says what to type, so a form command runs nothing here.

use super::commands::goal::{GoalCommand, GoalFields, ListScope};
use super::goals::{self, CheckInInput, Closed, GoalFilter, GoalInput, GoalPage};
use super::{AppContext, AppError, proposals};
use crate::domain::goal::{CheckIn, Goal, GoalId, GoalOutcome, PlanYear};
use crate::domain::{DomainError, PersonId, Team, TeamKey};

/// A `/goal` command that opens a form on Slack; nothing is run for it here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GoalForm {
    /// `/goal add` alone.
    Add,
    /// `/goal propose` alone.
    Propose,
    /// `/goal update <id>` alone: the check-in form.
    CheckIn { id: String },
    /// `/goal edit <id>`.
    Edit { id: String },
}

/// Which goals a listing shows, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Listed {
    Mine,
    /// A team, by key and name.
    Team(TeamKey, String),
    All,
}

/// What a `/goal` command did, for the adapter to word.
pub enum GoalDone {
    Help,
    Form(GoalForm),
    /// `named_year` when `year:` was typed; `start_given` when `start:` was.
    Added {
        goal: Goal,
        named_year: bool,
        start_given: bool,
    },
    CheckedIn {
        goal: Goal,
        check_in: CheckIn,
    },
    /// One page of the listing of `year` (`named_year` when it was typed).
    Listed {
        scope: Listed,
        year: PlanYear,
        named_year: bool,
        page: GoalPage,
    },
    /// A goal and its check-ins, newest first.
    Shown {
        goal: Goal,
        history: Vec<CheckIn>,
    },
    Closed {
        closed: Closed,
        outcome: GoalOutcome,
    },
    /// The proposal's id and its team; `named_year` when `year:` was typed.
    Proposed {
        proposal: i64,
        team: Team,
        named_year: bool,
    },
}

/// Runs `cmd` for `person`.
pub async fn run(
    ctx: &AppContext,
    person: PersonId,
    cmd: GoalCommand,
) -> Result<GoalDone, AppError> {
    Ok(match cmd {
        GoalCommand::Help => GoalDone::Help,
        GoalCommand::AddForm => GoalDone::Form(GoalForm::Add),
        GoalCommand::ProposeForm => GoalDone::Form(GoalForm::Propose),
        GoalCommand::UpdateForm { id } => GoalDone::Form(GoalForm::CheckIn { id }),
        GoalCommand::Edit { id } => GoalDone::Form(GoalForm::Edit { id }),
        GoalCommand::Add(fields) => {
            let named_year = fields.year.is_some();
            let input = input_of(fields)?;
            let start_given = input.start.as_deref().is_some_and(|s| !s.trim().is_empty());
            let goal = goals::add(ctx, person, input).await?;
            GoalDone::Added {
                goal,
                named_year,
                start_given,
            }
        }
        GoalCommand::Update {
            id,
            value,
            confidence,
            note,
        } => {
            let input = CheckInInput {
                value,
                confidence,
                note,
            };
            let (goal, check_in) = goals::check_in(ctx, person, goal_id(&id)?, input).await?;
            GoalDone::CheckedIn { goal, check_in }
        }
        GoalCommand::List { scope, page, year } => {
            let dir = ctx.directory();
            let (filter, scope) = match scope {
                ListScope::Mine => (GoalFilter::Owner(person.clone()), Listed::Mine),
                ListScope::Team(raw) => {
                    let key = dir.resolve_team(&raw)?;
                    let name = dir.team(&key).map(|t| t.name.clone()).unwrap_or_default();
                    (GoalFilter::Team(key.clone()), Listed::Team(key, name))
                }
                ListScope::All => (GoalFilter::All, Listed::All),
            };
            let chosen = goals::year_or_current(ctx, year.as_deref())?;
            let page = goals::list(ctx, filter, chosen, page).await?;
            GoalDone::Listed {
                scope,
                year: chosen,
                named_year: year.is_some(),
                page,
            }
        }
        GoalCommand::Show { id } => {
            let (goal, history) = goals::show(ctx, goal_id(&id)?).await?;
            GoalDone::Shown { goal, history }
        }
        GoalCommand::Close { id, outcome, note } => {
            let outcome = GoalOutcome::parse(&outcome).ok_or_else(|| {
                AppError::NotFound(format!("`{outcome}` isn't an outcome I know."))
            })?;
            let closed = goals::close(ctx, person, goal_id(&id)?, outcome, note).await?;
            GoalDone::Closed { closed, outcome }
        }
        GoalCommand::Propose(fields) => {
            let named_year = fields.year.is_some();
            let (proposal, team) = proposals::propose(ctx, person, input_of(fields)?).await?;
            GoalDone::Proposed {
                proposal,
                team,
                named_year,
            }
        }
    })
}

/// A goal id as typed (in a command, or a button's value).
pub fn goal_id(raw: &str) -> Result<GoalId, AppError> {
    Ok(GoalId::parse(raw).map_err(DomainError::from)?)
}

/// A typed goal's fields as the use cases' input (the owner's mention read
/// into a person).
fn input_of(fields: GoalFields) -> Result<GoalInput, AppError> {
    let owner = match fields.owner.as_deref() {
        Some(raw) => Some(PersonId::parse(raw)?),
        None => None,
    };
    Ok(GoalInput {
        title: fields.title,
        pillar: fields.pillar,
        target: fields.target,
        start: fields.start,
        due: fields.due,
        team: fields.team,
        owner,
        year: fields.year,
    })
}
