//! `align …` typed to the bot in Teams beyond the report and the lists: the
//! admin commands that change the plan (mission, pillars, teams and their
//! people, the goal-setting kick-off, the history) and the personal ones
//! (`align away`, `align mute|unmute`). The grammar is the shared one
//! (app::commands::align); the use cases and their permission checks are
//! the same as Slack's (app::plan, app::people, app::proposals). Answers are
//! plain text for the person's 1:1 chat.
//!
//! Teams differs from Slack in two places: a channel cannot be linked in
//! typed text, so `align team add` takes the team channel it is typed in
//! (by @mentioning the bot there); and there is no people picker, so
//! `align team leaders|members <key>` without people answers with what to
//! type (`@mention` people after `add` or `remove`).

use crate::app::commands::align::AlignCommand;
use crate::app::{AppContext, AppError, goals, people, plan, proposals};
use crate::domain::PersonId;
use crate::teams::render::Names;

fn people_of(raw: &[String]) -> Result<Vec<PersonId>, AppError> {
    raw.iter()
        .map(|p| PersonId::parse(p).map_err(AppError::from))
        .collect()
}

/// A history line's detail with the bot's own `<@id>` mentions (people
/// added to or removed from a team) shown by name.
fn named(detail: &str, names: &Names) -> String {
    let mut out = String::new();
    let mut rest = detail;
    while let Some(at) = rest.find("<@") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        match after.find('>') {
            Some(end) => {
                let id = after[..end].split('|').next().unwrap_or_default();
                match PersonId::parse(id) {
                    Ok(person) => out.push_str(&names.of(&person)),
                    Err(_) => out.push_str(&rest[at..at + 2 + end + 1]),
                }
                rest = &after[end + 1..];
            }
            None => {
                out.push_str(&rest[at..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// What a person may type in Teams when the command has no Teams answer.
pub const ALIGN_IN_TEAMS: &str = "In Teams: align status | pillars | teams | privacy | help, \
     align away until <YYYY-MM-DD> | away off, align mute|unmute moments|progress|priorities, \
     and for admins align pillar add|edit|archive, align mission set, align team add|edit|leaders|members, \
     align goals kickoff, align history.";

/// Runs an admin or personal `align` command for `person`; `channel` is the
/// team channel it was typed in (by @mention), if any.
pub async fn run(
    ctx: &AppContext,
    person: PersonId,
    cmd: AlignCommand,
    channel: Option<&str>,
) -> Result<String, AppError> {
    Ok(match cmd {
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
            format!(
                "Added the pillar {} ({}). Goals name it with pillar:{}.",
                p.name, p.key, p.key
            )
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
            format!("Updated the pillar {} ({}).", p.name, p.key)
        }
        AlignCommand::PillarArchive { key } => {
            let p = plan::archive_pillar(ctx, person, &key).await?;
            format!(
                "Archived the pillar {}. Its goals and history stay; new goals can no longer pick it.",
                p.name
            )
        }
        AlignCommand::MissionSet { mission } => {
            let m = plan::set_mission(ctx, person, &mission).await?;
            format!("The mission is now: {m}")
        }
        AlignCommand::TeamAdd {
            key,
            name,
            channel: typed,
        } => {
            // A typed channel link is Slack's; in Teams the channel is where
            // the command was typed.
            let Some(here) = typed.as_deref().or(channel) else {
                return Ok(format!(
                    "A team needs its channel: its priorities and progress updates go there. \
                     Go to the team's channel and type @alignbot align team add {key} {name} there: \
                     that channel becomes the team's."
                ));
            };
            let t = plan::add_team(ctx, person, &key, &name, Some(here)).await?;
            format!(
                "Added the team {} ({}) with this channel as its home. Add people with \
                 align team leaders {} add @someone and align team members {} add @someone.",
                t.name, t.key, t.key, t.key
            )
        }
        AlignCommand::TeamEdit {
            key,
            name,
            channel: typed,
        } => {
            let t = plan::edit_team(ctx, person, &key, name.as_deref(), typed.as_deref()).await?;
            format!("Updated the team {} ({}).", t.name, t.key)
        }
        AlignCommand::TeamPeople {
            key,
            role,
            action,
            people: raw,
        } => {
            let leaders = role == "leaders";
            let Some(action) = action else {
                // Slack opens a people picker here; Teams has none for bots.
                let team = plan::team_for_people_form(ctx, &person, &key)?;
                let dir = ctx.directory();
                let names = Names(
                    crate::app::conversations::names(ctx)
                        .await
                        .unwrap_or_default(),
                );
                let now = dir
                    .team(&team)
                    .map(|t| if leaders { &t.leaders } else { &t.members })
                    .map(|list| list.iter().map(|p| names.of(p)).collect::<Vec<_>>())
                    .unwrap_or_default();
                return Ok(format!(
                    "{} of {team} now: {}. To change them, type align team {role} {team} add @someone \
                     or align team {role} {team} remove @someone (@mention each person).",
                    if leaders { "Leaders" } else { "Members" },
                    if now.is_empty() {
                        "nobody".to_owned()
                    } else {
                        now.join(", ")
                    }
                ));
            };
            let add = action == "add";
            let t = plan::team_people(ctx, person, &key, leaders, add, people_of(&raw)?).await?;
            let names = Names(
                crate::app::conversations::names(ctx)
                    .await
                    .unwrap_or_default(),
            );
            let list = if leaders { &t.leaders } else { &t.members };
            let shown: Vec<String> = list.iter().map(|p| names.of(p)).collect();
            format!(
                "{} of {} now: {}.",
                if leaders { "Leaders" } else { "Members" },
                t.name,
                if shown.is_empty() {
                    "nobody".to_owned()
                } else {
                    shown.join(", ")
                }
            )
        }
        AlignCommand::GoalsKickoff { team, year } => {
            let chosen = goals::year_or_default(ctx, year.as_deref())?;
            let team = proposals::kickoff(ctx, person, &team, chosen).await?;
            let why = match (year, goals::default_year(ctx)) {
                (None, (_, true)) => format!(
                    " Goal-setting for {} is open, so it is for next year (add year: to choose another).",
                    ctx.years.label(chosen)
                ),
                _ => String::new(),
            };
            format!(
                "The {} goal-setting kick-off is on its way to {}'s channel.{why}",
                ctx.years.label(chosen),
                team.name
            )
        }
        AlignCommand::History => {
            let changes = plan::history(ctx, 25).await?;
            if changes.is_empty() {
                return Ok("The plan has no recorded changes yet.".to_owned());
            }
            let tz = ctx.directory().org.timezone;
            let names = Names(
                crate::app::conversations::names(ctx)
                    .await
                    .unwrap_or_default(),
            );
            let mut text = "The plan's latest changes:".to_owned();
            for c in changes {
                let at = chrono::DateTime::from_timestamp_millis(c.at)
                    .unwrap_or_default()
                    .with_timezone(&tz)
                    .format("%b %-d, %Y %H:%M");
                let who =
                    PersonId::parse(&c.actor).map_or_else(|_| c.actor.clone(), |p| names.of(&p));
                let detail = named(&c.detail, &names);
                text.push_str(&format!("\n• {at} {who} {}: {detail}", c.subject));
            }
            text
        }
        AlignCommand::Away { until } => {
            match people::set_away(ctx, person, until.as_deref()).await? {
                Some(date) => format!(
                    "Enjoy! No nudges until you are back on {}. Type align away off to end the pause early.",
                    date.format("%A, %B %-d, %Y")
                ),
                None => "Welcome back! Your nudges are on again.".to_owned(),
            }
        }
        AlignCommand::Mute { kind, on } => {
            people::set_mute(ctx, person, &kind, on).await?;
            if on {
                format!(
                    "Muted: you will get no more {kind} nudges. Type align unmute {kind} to turn them back on."
                )
            } else {
                format!("Your {kind} nudges are on again.")
            }
        }
        // Status, help, the lists and privacy are answered in commands.rs.
        _ => ALIGN_IN_TEAMS.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_mentions_show_as_names() {
        let names = Names(
            [(
                "2b2b2b2b-0000-4000-8000-000000000001".to_owned(),
                "Nora Nurse".to_owned(),
            )]
            .into_iter()
            .collect(),
        );
        assert_eq!(
            named(
                "added <@2b2b2b2b-0000-4000-8000-000000000001> as leader",
                &names
            ),
            "added Nora Nurse as leader"
        );
        assert_eq!(named("kept <@ as is", &names), "kept <@ as is");
        assert_eq!(named("no mentions", &names), "no mentions");
    }
}
