//! `/align …`: help, the alignment report, and the admin commands that
//! change the plan (mission, pillars, teams), plus the goal-setting kick-off.

use super::error::command_failure;
use crate::app::align::{self, AlignDone};
use crate::app::commands::Usage;
use crate::app::commands::align::{AlignCommand, align_help, parse_align};
use crate::app::moments::open_modal;
use crate::app::outgoing::Modal;
use crate::app::{AppContext, AppError, report};
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

/// Runs the command through the shared dispatch (`app::align`) and renders
/// what it did: ephemeral Block Kit, or the people form.
async fn run(
    ctx: &AppContext,
    person: PersonId,
    cmd: AlignCommand,
    trigger: Option<String>,
) -> Result<Response, AppError> {
    use render::escape;
    match align::run(ctx, person, cmd).await? {
        AlignDone::Help => done(format!("{}\n\n{}", reply::overview(), align_help())),
        AlignDone::Status { report, share_to } => {
            Ok(Json(render::report::status(&report, &ctx.directory(), &share_to)).into_response())
        }
        AlignDone::PillarAdded(p) => done(format!(
            ":white_check_mark: Added the pillar *{}* (`{}`).",
            render::pillar_label(&p),
            p.key
        )),
        AlignDone::PillarEdited(p) => done(format!(
            ":white_check_mark: Updated the pillar *{}*.",
            render::pillar_label(&p)
        )),
        AlignDone::PillarArchived(p) => done(format!(
            ":file_cabinet: Archived the pillar *{}*. Its goals and history stay; new goals can no longer pick it.",
            render::pillar_label(&p)
        )),
        AlignDone::MissionSet(m) => done(format!(
            ":white_check_mark: The mission is now: _{}_",
            escape(&m)
        )),
        AlignDone::TeamAdded(t) => done(format!(
            ":white_check_mark: Added the team *{}* (`{}`) in {}. Add people with `/align team leaders {}` and `/align team members {}`.",
            escape(&t.name),
            t.key,
            render::channel_link(t.channel.as_str()),
            t.key,
            t.key
        )),
        AlignDone::TeamEdited(t) => done(format!(
            ":white_check_mark: Updated the team *{}*.",
            escape(&t.name)
        )),
        AlignDone::TeamPeopleForm { team, leaders } => {
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
        AlignDone::TeamPeople { team: t, leaders } => {
            let list = if leaders { &t.leaders } else { &t.members };
            let names: Vec<String> = list.iter().map(|p| render::mention(p.as_str())).collect();
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
        AlignDone::History(changes) => {
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
        AlignDone::Away(Some(date)) => done(format!(
            ":palm_tree: Enjoy! No nudges until you are back on {}. `/align away off` ends the pause early.",
            date.format("%A, %B %-d, %Y")
        )),
        AlignDone::Away(None) => done(":wave: Welcome back! Your nudges are on again.".to_owned()),
        AlignDone::Mute { kind, on } => done(if on {
            format!(
                ":no_bell: Muted: you will get no more {kind} nudges. `/align unmute {kind}` turns them back on."
            )
        } else {
            format!(":bell: Your {kind} nudges are on again.")
        }),
        AlignDone::Privacy { opted_out, .. } => {
            Ok(Json(render::privacy::settings(opted_out)).into_response())
        }
        AlignDone::KickedOff {
            team,
            year,
            next_year,
        } => {
            let why = if next_year {
                format!(
                    " Goal-setting for {} is open, so it is for next year (add `year:` to choose another).",
                    ctx.years.label(year)
                )
            } else {
                String::new()
            };
            done(format!(
                ":dart: The {} goal-setting kick-off is on its way to {}.{why}",
                ctx.years.label(year),
                render::channel_link(team.channel.as_str())
            ))
        }
        AlignDone::Pillars => Ok(Json(render::lists::pillars(&ctx.directory())).into_response()),
        AlignDone::Teams => Ok(Json(render::lists::teams(&ctx.directory())).into_response()),
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
    // The bot's own markup: the channel renders as a mention.
    let text = format!(
        ":white_check_mark: The alignment report of {} is on its way to <#{}>.",
        ctx.years.label(year),
        channel.as_str()
    );
    super::interactions::bot_reply(ctx, reply_to, text, false).await
}
