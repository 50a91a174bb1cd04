//! `align …` typed to the bot in Teams beyond the report and the lists: the
//! admin commands that change the plan (mission, pillars, teams and their
//! people, the goal-setting kick-off, the history) and the personal ones
//! (`align away`, `align mute|unmute`), worded. The grammar is the shared
//! one (app::commands::align) and so is the dispatch to the use cases and
//! their permission checks (app::align, as for Slack); this module only
//! words what it did, as plain text for the person's 1:1 chat.
//!
//! Teams differs from Slack in two places: a channel cannot be linked in
//! typed text, so `align team add` takes the team channel it is typed in
//! (by @mentioning the bot there); and there is no people picker, so
//! `align team leaders|members <key>` without people answers with what to
//! type (`@mention` people after `add` or `remove`).

use crate::app::AppContext;
use crate::app::align::AlignDone;
use crate::app::commands::align::AlignCommand;
use crate::domain::PersonId;
use crate::teams::render::Names;

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

/// `align team add` in Teams: a typed channel link is Slack's, so the
/// team's channel is the one the command was typed in (`channel`, by
/// @mention). Without one, the answer saying where to type it instead.
pub fn team_add_here(cmd: AlignCommand, channel: Option<&str>) -> Result<AlignCommand, String> {
    match cmd {
        AlignCommand::TeamAdd {
            key,
            name,
            channel: typed,
        } => {
            let Some(here) = typed.or_else(|| channel.map(str::to_owned)) else {
                return Err(format!(
                    "A team needs its channel: its priorities and progress updates go there. \
                     Go to the team's channel and type @alignbot align team add {key} {name} there: \
                     that channel becomes the team's."
                ));
            };
            Ok(AlignCommand::TeamAdd {
                key,
                name,
                channel: Some(here),
            })
        }
        other => Ok(other),
    }
}

/// What a person may type in Teams when the command has no Teams answer.
pub const ALIGN_IN_TEAMS: &str = "In Teams: align status | pillars | teams | privacy | help, \
     align away until <YYYY-MM-DD> | away off, align mute|unmute moments|progress|priorities, \
     and for admins align pillar add|edit|archive, align mission set, align team add|edit|leaders|members, \
     align goals kickoff, align history.";

/// The answer to an admin or personal `align` command that ran (the shared
/// dispatch, `app::align`).
pub async fn text(ctx: &AppContext, done: AlignDone) -> String {
    match done {
        AlignDone::PillarAdded(p) => format!(
            "Added the pillar {} ({}). Goals name it with pillar:{}.",
            p.name, p.key, p.key
        ),
        AlignDone::PillarEdited(p) => format!("Updated the pillar {} ({}).", p.name, p.key),
        AlignDone::PillarArchived(p) => format!(
            "Archived the pillar {}. Its goals and history stay; new goals can no longer pick it.",
            p.name
        ),
        AlignDone::MissionSet(m) => format!("The mission is now: {m}"),
        AlignDone::TeamAdded(t) => format!(
            "Added the team {} ({}) with this channel as its home. Add people with \
             align team leaders {} add @someone and align team members {} add @someone.",
            t.name, t.key, t.key, t.key
        ),
        AlignDone::TeamEdited(t) => format!("Updated the team {} ({}).", t.name, t.key),
        AlignDone::TeamPeopleForm { team, leaders } => {
            // Slack opens a people picker here; Teams has none for bots.
            let role = if leaders { "leaders" } else { "members" };
            let dir = ctx.directory();
            let names = names(ctx).await;
            let now = dir
                .team(&team)
                .map(|t| if leaders { &t.leaders } else { &t.members })
                .map(|list| list.iter().map(|p| names.of(p)).collect::<Vec<_>>())
                .unwrap_or_default();
            format!(
                "{} of {team} now: {}. To change them, type align team {role} {team} add @someone \
                 or align team {role} {team} remove @someone (@mention each person).",
                if leaders { "Leaders" } else { "Members" },
                if now.is_empty() {
                    "nobody".to_owned()
                } else {
                    now.join(", ")
                }
            )
        }
        AlignDone::TeamPeople { team: t, leaders } => {
            let names = names(ctx).await;
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
        AlignDone::KickedOff {
            team,
            year,
            next_year,
        } => {
            let why = if next_year {
                format!(
                    " Goal-setting for {} is open, so it is for next year (add year: to choose another).",
                    ctx.years.label(year)
                )
            } else {
                String::new()
            };
            format!(
                "The {} goal-setting kick-off is on its way to {}'s channel.{why}",
                ctx.years.label(year),
                team.name
            )
        }
        AlignDone::History(changes) => {
            if changes.is_empty() {
                return "The plan has no recorded changes yet.".to_owned();
            }
            let tz = ctx.directory().org.timezone;
            let names = names(ctx).await;
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
        AlignDone::Away(Some(date)) => format!(
            "Enjoy! No nudges until you are back on {}. Type align away off to end the pause early.",
            date.format("%A, %B %-d, %Y")
        ),
        AlignDone::Away(None) => "Welcome back! Your nudges are on again.".to_owned(),
        AlignDone::Mute { kind, on } => {
            if on {
                format!(
                    "Muted: you will get no more {kind} nudges. Type align unmute {kind} to turn them back on."
                )
            } else {
                format!("Your {kind} nudges are on again.")
            }
        }
        // Status, help, the lists and privacy are answered in commands.rs.
        AlignDone::Help
        | AlignDone::Status { .. }
        | AlignDone::Pillars
        | AlignDone::Teams
        | AlignDone::Privacy { .. } => ALIGN_IN_TEAMS.to_owned(),
    }
}

/// People's names as Teams knows them (none if they cannot be read).
async fn names(ctx: &AppContext) -> Names {
    Names(
        crate::app::conversations::names(ctx)
            .await
            .unwrap_or_default(),
    )
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
