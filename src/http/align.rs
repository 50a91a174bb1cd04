//! `/align …`: help, the alignment report, and the admin commands that
//! change the plan (mission, pillars, teams), plus the goal-setting kick-off.

use super::error::command_failure;
use crate::app::commands::Usage;
use crate::app::commands::align::{AlignCommand, align_help, parse_align};
use crate::app::moments::open_modal;
use crate::app::outgoing::Modal;
use crate::app::{AppContext, AppError, plan, proposals, report};
use crate::domain::PersonId;
use crate::slack::command::SlashCommand;
use crate::slack::render::{self, reply};
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

pub async fn command(ctx: &AppContext, person: PersonId, cmd: &SlashCommand) -> Response {
    let parsed = match parse_align(&cmd.text) {
        Ok(parsed) => parsed,
        Err(Usage(text)) => return Json(reply::ephemeral(&text)).into_response(),
    };
    match run(ctx, person, parsed, cmd.trigger_id.clone()).await {
        Ok(response) => response,
        Err(e) => command_failure(e),
    }
}

fn done(text: String) -> Result<Response, AppError> {
    Ok(Json(reply::ephemeral(&text)).into_response())
}

fn people(raw: &[String]) -> Result<Vec<PersonId>, AppError> {
    raw.iter()
        .map(|p| PersonId::parse(p).map_err(AppError::from))
        .collect()
}

async fn run(
    ctx: &AppContext,
    person: PersonId,
    cmd: AlignCommand,
    trigger: Option<String>,
) -> Result<Response, AppError> {
    use render::escape;
    match cmd {
        AlignCommand::Help => done(format!("{}\n\n{}", reply::overview(), align_help())),
        AlignCommand::Status { year } => {
            let year = match year {
                Some(raw) => Some(crate::app::goals::year_or_current(ctx, Some(&raw))?),
                None => None,
            };
            let report = report::build(ctx, year).await?;
            let share_to = report::share_targets(ctx, &person);
            Ok(Json(render::report::status(&report, &ctx.directory(), &share_to)).into_response())
        }
        AlignCommand::PillarAdd {
            key,
            name,
            emoji,
            description,
        } => {
            let p = plan::add_pillar(
                ctx,
                person,
                &key,
                &name,
                emoji.as_deref(),
                description.as_deref(),
            )
            .await?;
            done(format!(
                ":white_check_mark: Added the pillar *{}* (`{}`).",
                render::pillar_label(&p),
                p.key
            ))
        }
        AlignCommand::PillarEdit {
            key,
            name,
            emoji,
            description,
        } => {
            let p = plan::edit_pillar(
                ctx,
                person,
                &key,
                name.as_deref(),
                emoji.as_deref(),
                description.as_deref(),
            )
            .await?;
            done(format!(
                ":white_check_mark: Updated the pillar *{}*.",
                render::pillar_label(&p)
            ))
        }
        AlignCommand::PillarArchive { key } => {
            let p = plan::archive_pillar(ctx, person, &key).await?;
            done(format!(
                ":file_cabinet: Archived the pillar *{}*. Its goals and history stay; new goals can no longer pick it.",
                render::pillar_label(&p)
            ))
        }
        AlignCommand::MissionSet { mission } => {
            let m = plan::set_mission(ctx, person, &mission).await?;
            done(format!(
                ":white_check_mark: The mission is now: _{}_",
                escape(&m)
            ))
        }
        AlignCommand::TeamAdd { key, name, channel } => {
            let t = plan::add_team(ctx, person, &key, &name, channel.as_deref()).await?;
            done(format!(
                ":white_check_mark: Added the team *{}* (`{}`) in {}. Add people with `/align team leaders {}` and `/align team members {}`.",
                escape(&t.name),
                t.key,
                render::channel_link(t.channel.as_str()),
                t.key,
                t.key
            ))
        }
        AlignCommand::TeamEdit { key, name, channel } => {
            let t = plan::edit_team(ctx, person, &key, name.as_deref(), channel.as_deref()).await?;
            done(format!(
                ":white_check_mark: Updated the team *{}*.",
                escape(&t.name)
            ))
        }
        AlignCommand::TeamPeople {
            key,
            role,
            action,
            people: raw,
        } => {
            let leaders = role == "leaders";
            match action.as_deref() {
                None => {
                    let team = plan::team_for_people_form(ctx, &person, &key)?;
                    let trigger = trigger.ok_or_else(|| {
                        AppError::NotFound("Slack did not send a trigger to open the form.".into())
                    })?;
                    open_modal(
                        ctx,
                        trigger,
                        Modal::TeamPeople {
                            team: team.to_string(),
                            leaders,
                        },
                    )
                    .await?;
                    Ok(StatusCode::OK.into_response())
                }
                Some(action) => {
                    let add = action == "add";
                    let t =
                        plan::team_people(ctx, person, &key, leaders, add, people(&raw)?).await?;
                    let list = if leaders { &t.leaders } else { &t.members };
                    let names: Vec<String> =
                        list.iter().map(|p| render::mention(p.as_str())).collect();
                    done(format!(
                        ":white_check_mark: {} of *{}* now: {}",
                        if leaders { "Leaders" } else { "Members" },
                        escape(&t.name),
                        if names.is_empty() {
                            "nobody".to_owned()
                        } else {
                            names.join(", ")
                        }
                    ))
                }
            }
        }
        AlignCommand::History => {
            let changes = crate::store::goals::history(ctx.store.reads(), 25).await?;
            let tz = ctx.directory().org.timezone;
            let lines: Vec<String> = changes
                .iter()
                .map(|c| {
                    format!(
                        "•  {}  {}  `{}`: {}",
                        crate::store::moments::from_millis(c.at)
                            .with_timezone(&tz)
                            .format("%b %-d, %Y %H:%M"),
                        render::mention(&c.actor),
                        escape(&c.subject),
                        // Who was added to or removed from a team is built
                        // by the bot from validated ids: mentions, not text.
                        if matches!(c.action.as_str(), "add-people" | "remove-people") {
                            render::bot_text(&c.detail)
                        } else {
                            escape(&c.detail)
                        }
                    )
                })
                .collect();
            if lines.is_empty() {
                done("The plan has no recorded changes yet.".to_owned())
            } else {
                done(format!("*The plan's latest changes*\n{}", lines.join("\n")))
            }
        }
        AlignCommand::Away { until } => {
            match crate::app::people::set_away(ctx, person, until.as_deref()).await? {
                Some(date) => done(format!(
                    ":palm_tree: Enjoy! No nudges until you are back on {}. `/align away off` ends the pause early.",
                    date.format("%A, %B %-d, %Y")
                )),
                None => done(":wave: Welcome back! Your nudges are on again.".to_owned()),
            }
        }
        AlignCommand::Mute { kind, on } => {
            crate::app::people::set_mute(ctx, person, &kind, on).await?;
            done(if on {
                format!(
                    ":no_bell: Muted: you will get no more {kind} nudges. `/align unmute {kind}` turns them back on."
                )
            } else {
                format!(":bell: Your {kind} nudges are on again.")
            })
        }
        AlignCommand::Privacy { opt_out } => {
            if let Some(out) = opt_out {
                crate::app::consent::set_opt_out(ctx, person.clone(), out).await?;
            }
            let now_out = crate::app::consent::is_opted_out(ctx, &person).await?;
            Ok(Json(render::privacy::settings(now_out)).into_response())
        }
        AlignCommand::GoalsKickoff { team, year } => {
            let chosen = crate::app::goals::year_or_default(ctx, year.as_deref())?;
            let team = proposals::kickoff(ctx, person, &team, chosen).await?;
            let why = match (year, crate::app::goals::default_year(ctx)) {
                (None, (_, true)) => format!(
                    " Goal-setting for {} is open, so it is for next year (add `year:` to choose another).",
                    ctx.years.label(chosen)
                ),
                _ => String::new(),
            };
            done(format!(
                ":dart: The {} goal-setting kick-off is on its way to {}.{why}",
                ctx.years.label(chosen),
                render::channel_link(team.channel.as_str())
            ))
        }
        AlignCommand::Pillars => Ok(Json(render::lists::pillars(&ctx.directory())).into_response()),
        AlignCommand::Teams => Ok(Json(render::lists::teams(&ctx.directory())).into_response()),
    }
}

/// "Share in the channel" under `/align status`: value `<channel>:<year>`.
pub async fn share_button(
    ctx: &AppContext,
    person: PersonId,
    value: &str,
    reply_to: Option<String>,
) -> Result<(), AppError> {
    let (channel, year) = value
        .split_once(':')
        .ok_or_else(|| AppError::NotFound("That button is out of date.".into()))?;
    let year = crate::app::goals::year_or_current(ctx, Some(year))?;
    let channel = report::share(ctx, person, channel, year).await?;
    if let Some(to) = reply_to {
        crate::app::moments::send(
            ctx,
            crate::app::outgoing::Outgoing::Reply {
                to,
                reply: crate::app::outgoing::Reply {
                    // The bot's own markup: the channel renders as a mention.
                    text: format!(
                        ":white_check_mark: The alignment report of {} is on its way to <#{}>.",
                        ctx.years.label(year),
                        channel.as_str()
                    ),
                    replace_original: false,
                    formatted: true,
                },
            },
        )
        .await?;
    }
    Ok(())
}
