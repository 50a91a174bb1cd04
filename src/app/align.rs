//! `/align …` run: a parsed [`AlignCommand`] dispatched to its use case
//! once, for every chat platform. Slack (`http::align`) and Teams
//! (`teams::commands`, `teams::admin`) used to each hold this dispatch;
//! now they only word and render the [`AlignDone`] it returns (Slack:
//! ephemeral Block Kit or a form; Teams: text for the person's 1:1), so
//! the two can differ in wording but never in what a command does. Who may
//! do what is decided by the use cases through `app::permissions`.

use super::commands::align::AlignCommand;
use super::plan::PlanChange;
use super::report::Report;
use super::{AppContext, AppError, consent, goals, people, plan, proposals, report};
use crate::domain::goal::PlanYear;
use crate::domain::{ChannelId, PersonId, Pillar, Team, TeamKey};
use chrono::NaiveDate;

/// What an `/align` command did, for the adapter to word.
#[derive(Debug, Clone, PartialEq)]
pub enum AlignDone {
    /// `help`: nothing run.
    Help,
    /// `status`: the report, and where `person` may share it (none unless
    /// they may).
    Status {
        report: Report,
        share_to: Vec<ChannelId>,
    },
    /// `pillars`: nothing run; the adapter lists the directory's pillars.
    Pillars,
    /// `teams`: nothing run; the adapter lists the directory's teams.
    Teams,
    PillarAdded(Pillar),
    PillarEdited(Pillar),
    PillarArchived(Pillar),
    /// The mission as stored.
    MissionSet(String),
    TeamAdded(Team),
    TeamEdited(Team),
    /// `team leaders|members <key>` without people: `person` may change
    /// them (checked); Slack opens the form, Teams says what to type.
    TeamPeopleForm {
        team: TeamKey,
        leaders: bool,
    },
    /// The team's leaders (`leaders`) or members after the change.
    TeamPeople {
        team: Team,
        leaders: bool,
    },
    /// The kick-off is enqueued for `team` and `year`; `next_year` when no
    /// year was typed and next year's goal-setting is open, so it went to
    /// next year.
    KickedOff {
        team: Team,
        year: PlanYear,
        next_year: bool,
    },
    /// The plan's latest changes, newest first.
    History(Vec<PlanChange>),
    /// Nudges paused until that day, or (`None`) on again.
    Away(Option<NaiveDate>),
    /// One kind of nudge muted (`on`) or unmuted.
    Mute {
        kind: String,
        on: bool,
    },
    /// Whether `person` is now opted out of being named, and whether the
    /// command changed it (rather than only asked).
    Privacy {
        opted_out: bool,
        changed: bool,
    },
}

/// How many plan changes `history` shows.
const HISTORY_LINES: i64 = 25;

/// Runs `cmd` for `person`. A channel typed with `team add|edit` is taken as
/// given: Teams fills in the channel the command was typed in before it
/// calls this.
pub async fn run(
    ctx: &AppContext,
    person: PersonId,
    cmd: AlignCommand,
) -> Result<AlignDone, AppError> {
    Ok(match cmd {
        AlignCommand::Help => AlignDone::Help,
        AlignCommand::Status { year } => {
            let year = goals::year_or_current(ctx, year.as_deref())?;
            let report = report::build(ctx, Some(year)).await?;
            let share_to = report::share_targets(ctx, &person);
            AlignDone::Status { report, share_to }
        }
        AlignCommand::Pillars => AlignDone::Pillars,
        AlignCommand::Teams => AlignDone::Teams,
        AlignCommand::PillarAdd {
            key,
            name,
            emoji,
            description,
        } => AlignDone::PillarAdded(
            plan::add_pillar(
                ctx,
                person,
                &key,
                &name,
                emoji.as_deref(),
                description.as_deref(),
            )
            .await?,
        ),
        AlignCommand::PillarEdit {
            key,
            name,
            emoji,
            description,
        } => AlignDone::PillarEdited(
            plan::edit_pillar(
                ctx,
                person,
                &key,
                name.as_deref(),
                emoji.as_deref(),
                description.as_deref(),
            )
            .await?,
        ),
        AlignCommand::PillarArchive { key } => {
            AlignDone::PillarArchived(plan::archive_pillar(ctx, person, &key).await?)
        }
        AlignCommand::MissionSet { mission } => {
            AlignDone::MissionSet(plan::set_mission(ctx, person, &mission).await?)
        }
        AlignCommand::TeamAdd { key, name, channel } => AlignDone::TeamAdded(
            plan::add_team(ctx, person, &key, &name, channel.as_deref()).await?,
        ),
        AlignCommand::TeamEdit { key, name, channel } => AlignDone::TeamEdited(
            plan::edit_team(ctx, person, &key, name.as_deref(), channel.as_deref()).await?,
        ),
        AlignCommand::TeamPeople {
            key,
            role,
            action,
            people: raw,
        } => {
            let leaders = role == "leaders";
            match action {
                None => AlignDone::TeamPeopleForm {
                    team: plan::team_for_people_form(ctx, &person, &key)?,
                    leaders,
                },
                Some(action) => {
                    let add = action == "add";
                    let chosen = people_of(&raw)?;
                    let team = plan::team_people(ctx, person, &key, leaders, add, chosen).await?;
                    AlignDone::TeamPeople { team, leaders }
                }
            }
        }
        AlignCommand::GoalsKickoff { team, year } => {
            let chosen = goals::year_or_default(ctx, year.as_deref())?;
            let team = proposals::kickoff(ctx, person, &team, chosen).await?;
            AlignDone::KickedOff {
                team,
                year: chosen,
                next_year: year.is_none() && goals::default_year(ctx).1,
            }
        }
        AlignCommand::History => AlignDone::History(plan::history(ctx, HISTORY_LINES).await?),
        AlignCommand::Away { until } => {
            AlignDone::Away(people::set_away(ctx, person, until.as_deref()).await?)
        }
        AlignCommand::Mute { kind, on } => {
            people::set_mute(ctx, person, &kind, on).await?;
            AlignDone::Mute { kind, on }
        }
        AlignCommand::Privacy { opt_out } => {
            if let Some(out) = opt_out {
                consent::set_opt_out(ctx, person.clone(), out).await?;
            }
            AlignDone::Privacy {
                opted_out: consent::is_opted_out(ctx, &person).await?,
                changed: opt_out.is_some(),
            }
        }
    })
}

/// The people named in a `team leaders|members … add|remove` command.
fn people_of(raw: &[String]) -> Result<Vec<PersonId>, AppError> {
    raw.iter()
        .map(|p| PersonId::parse(p).map_err(AppError::from))
        .collect()
}
