//! Commands typed to the bot in Teams (`moment …`, `goal …`, `priorities
//! …`, `align …`, `help`): the same grammar (app::commands) and the same
//! services as Slack's slash commands. The answer is plain text for the
//! person's 1:1 chat: what Slack shows privately never goes to a channel.
//!
//! Forms cannot open from typed text in Teams (a dialog needs a card
//! button), so a command that would open one on Slack answers with how to
//! type it instead, or points at the card buttons.

use crate::app::align::{self, AlignDone};
use crate::app::commands::Usage;
use crate::app::commands::align::{AlignCommand, align_help, parse_align};
use crate::app::commands::goal::{GoalCommand, goal_help, parse_goal};
use crate::app::commands::moment::{MomentCommand, parse_moment};
use crate::app::commands::priorities::{PrioritiesCommand, parse_priorities};
use crate::app::goal_commands::{self, GoalDone, GoalForm, Listed};
use crate::app::moments::{self, MomentInput, ShareOutcome};
use crate::app::{AppContext, AppError, priorities};
use crate::domain::priorities::PriorityList;
use crate::domain::{Audience, Directory, PersonId};
use crate::teams::render::Names;

/// The first answer in a new chat, and `help`.
pub fn welcome(mission: &str) -> String {
    format!(
        "Hi, I'm alignbot. I keep us aligned on our mission: {mission}\n\n\
         Type to me here (or @mention me in a team channel):\n\
         • moment <your story> [pillar:<key>] — share a mission moment (moment remove <id> takes one down)\n\
         • goal add | update | list | show | propose … — goals and check-ins (goal help)\n\
         • priorities publish <item>; <item>; … | priorities show — monthly priorities\n\
         • align status | pillars | teams | help — where we stand\n\
         • align privacy — whether colleagues may name you in mission moments\n\
         • align away until <YYYY-MM-DD> | away off, align mute|unmute moments|progress|priorities — pause your nudges\n\
         • admins: align pillar add|edit|archive, align mission set, align team add|edit|leaders|members, align goals kickoff, align history"
    )
}

/// Runs `text` for `person`, typed in their 1:1 or (by @mention) in the
/// team `channel`; the private answer to show them.
pub async fn run(
    ctx: &AppContext,
    person: PersonId,
    text: &str,
    channel: Option<&str>,
) -> Result<String, AppError> {
    let (word, rest) = text
        .split_once(char::is_whitespace)
        .map_or((text, ""), |(w, r)| (w, r.trim()));
    let dir = ctx.directory();
    match word.to_ascii_lowercase().as_str() {
        "" | "help" | "hi" | "hello" | "home" => Ok(welcome(&dir.org.mission)),
        "moment" | "moments" => moment(ctx, person, rest).await,
        "goal" | "goals" => match parse_goal(rest) {
            Ok(cmd) => goal(ctx, person, cmd).await,
            Err(Usage(text)) => Ok(text),
        },
        "priorities" => priorities_cmd(ctx, person, parse_priorities(rest)).await,
        "align" => match parse_align(rest) {
            Ok(cmd) => align(ctx, person, cmd, channel).await,
            Err(Usage(text)) => Ok(text),
        },
        other => Ok(format!(
            "I don't know \"{other}\". Type help to see what I can do."
        )),
    }
}

async fn moment(ctx: &AppContext, person: PersonId, text: &str) -> Result<String, AppError> {
    let dir = ctx.directory();
    match parse_moment(text) {
        MomentCommand::Help | MomentCommand::OpenForm => {
            let keys: Vec<&str> = dir.active_pillars().map(|p| p.key.as_str()).collect();
            Ok(format!(
                "Share a mission moment: type moment <your story>, optionally with pillar:<key> \
                 ({}). Or use the Share a moment button on my monthly card.",
                keys.join(", ")
            ))
        }
        MomentCommand::Share { story, pillar } => {
            let draft = MomentInput {
                story,
                pillar,
                recognized: Vec::new(),
                audience: Audience::Channel,
            }
            .validate(person, &dir)?;
            Ok(match moments::share_or_hold(ctx, draft).await? {
                ShareOutcome::Posted { moment, .. } => format!(
                    "Thank you! Your moment {moment} is on its way to the moments channel \
                     (moment remove {moment} takes it down)."
                ),
                ShareOutcome::NotNamed { .. } => NOT_NAMED.to_owned(),
                ShareOutcome::Held { findings, .. } | ShareOutcome::NeedsReview { findings } => {
                    let found: Vec<String> = findings
                        .iter()
                        .map(|f| format!("\"{}\" ({})", f.excerpt, f.kind.label()))
                        .collect();
                    format!(
                        "I haven't posted your moment: it may identify someone: {}. \
                         Patients' names and details must never appear in the channel. \
                         Please write it again without them.",
                        found.join(", ")
                    )
                }
            })
        }
        MomentCommand::RemoveUsage(_) => Ok(REMOVE_USAGE.to_owned()),
        MomentCommand::Remove(target) => {
            let id = moments::resolve(ctx, &target).await?;
            let taken = moments::take_down(ctx, person, id).await?;
            Ok(taken_down_text(&taken))
        }
        // Forms of the grammar added after this adapter was written.
        #[allow(unreachable_patterns)]
        _ => Ok(NOT_YET.to_owned()),
    }
}

/// `moment remove` without an id: Teams has no post links to paste, so the
/// id (shown on the post's card and in answers) is the way.
const REMOVE_USAGE: &str = "To take a moment down, type moment remove <its id>, e.g. moment remove 12. Its id is on the moment's card (\"Moment 12 · shared by …\") and in my thanks.";

/// What a takedown did, in plain text for the 1:1 chat.
pub(crate) fn taken_down_text(taken: &moments::TakenDown) -> String {
    let mut text = format!("Moment {} is taken down: its story is erased", taken.moment);
    if taken.had_post {
        text.push_str(", its post is being deleted");
    }
    text.push_str(" and it is leaving the digests not yet sent.");
    match (&taken.digest_sent, taken.digest_updated) {
        (Some(_), true) => {
            text.push_str(" The monthly digest that quoted it is being updated without it.")
        }
        (Some(_), false) => text.push_str(
            " It was already quoted in a sent digest that I cannot edit: the admins have a message saying which one to delete by hand.",
        ),
        (None, _) => {}
    }
    text.push_str(" Backups and exports made before still hold it.");
    text
}

/// A story naming someone who asked not to be named (`/align privacy`).
pub(crate) const NOT_NAMED: &str = "I haven't posted your moment: someone it names asked not to be named in mission moments. Take them out of the story (write \"a colleague\" instead) and share it again.";

/// The answer to a command the grammar reads but Teams does not run yet.
const NOT_YET: &str = "That command is not available in Teams yet. Type help to see what is.";

async fn goal(ctx: &AppContext, person: PersonId, cmd: GoalCommand) -> Result<String, AppError> {
    let dir = ctx.directory();
    Ok(match goal_commands::run(ctx, person, cmd).await? {
        GoalDone::Help => goal_help().to_owned(),
        GoalDone::Form(GoalForm::Add | GoalForm::Propose | GoalForm::Edit { .. }) => {
            "Type it in one line: goal add <title> pillar:<key> [target:<n>[unit]] [due:<YYYY-MM-DD>] \
             (or goal propose … to propose it to your team)."
                .to_owned()
        }
        GoalDone::Form(GoalForm::CheckIn { id }) => format!(
            "Type goal update {id} <value or n%> [on-track|at-risk|off-track] [note], \
             or use the Check in button on my monthly card."
        ),
        GoalDone::Added { goal, .. } => format!("Added goal {}: {}.", goal.id, goal.title),
        GoalDone::CheckedIn { goal, check_in } => format!(
            "Checked in on goal {}: {}, {}.",
            goal.id,
            goal.kind.format_value(check_in.value),
            check_in.confidence.label()
        ),
        GoalDone::Listed { scope, page, .. } => {
            let title = match scope {
                Listed::Mine => "Your goals".to_owned(),
                Listed::Team(_, name) => format!("{name} goals"),
                Listed::All => format!("All goals of {}", dir.org.name),
            };
            let mut text = format!("{title} ({} in all, page {} of {}):", page.total, page.page, page.pages);
            if page.goals.is_empty() {
                text.push_str("\nnone yet.");
            }
            for g in &page.goals {
                text.push_str(&format!("\n{} {} · {:.0}%", g.id, g.title, g.progress * 100.0));
            }
            text
        }
        GoalDone::Shown { goal, history } => {
            let mut text = format!("{} {} · {:.0}%", goal.id, goal.title, goal.progress * 100.0);
            for c in history.iter().take(5) {
                text.push_str(&format!(
                    "\n{}: {}, {}",
                    c.at.with_timezone(&dir.org.timezone).format("%Y-%m-%d"),
                    goal.kind.format_value(c.value),
                    c.confidence.label()
                ));
            }
            text
        }
        GoalDone::Closed { closed, outcome } => match closed.carried_to {
            Some(next) => format!(
                "Goal {} is closed as carried over: it goes on as goal {next} in next year's plan.",
                closed.goal.id
            ),
            None => format!("Goal {} is closed as {}.", closed.goal.id, outcome.label()),
        },
        GoalDone::Proposed { proposal, team, .. } => format!(
            "Thanks! Proposal {proposal} is on its way to {}'s channel for your teammates to support.",
            team.name
        ),
    })
}

async fn priorities_cmd(
    ctx: &AppContext,
    person: PersonId,
    cmd: PrioritiesCommand,
) -> Result<String, AppError> {
    let dir = ctx.directory();
    Ok(match cmd {
        PrioritiesCommand::Publish { team, items } => {
            let list = PriorityList::parse(&items)?;
            let (team, month) = priorities::publish(ctx, person, team.as_deref(), list).await?;
            format!(
                "Published {}'s priorities for {}. They are on their way to the team's channel.",
                team.name,
                month.label()
            )
        }
        PrioritiesCommand::PublishForm { .. } => {
            "Type them in one line: priorities publish [team:<key>] <item>; <item>; …".to_owned()
        }
        PrioritiesCommand::Show { team } => {
            let team = match team {
                None => dir.home_team(&person).cloned().ok_or_else(|| {
                    AppError::NotFound("Which team? Type priorities show <team>.".into())
                })?,
                Some(raw) => dir
                    .team(&dir.resolve_team(&raw)?)
                    .cloned()
                    .expect("resolved"),
            };
            let month = priorities::this_month(ctx);
            match priorities::show(ctx, &team, month).await? {
                None => format!("{} has not published priorities for {} yet.", team.name, month.label()),
                Some(p) => {
                    let mut text = format!("{}'s priorities for {}:", team.name, month.label());
                    for (i, item) in p.items.iter().enumerate() {
                        text.push_str(&format!("\n{}. {item}", i + 1));
                    }
                    text
                }
            }
        }
        PrioritiesCommand::OrgPublish { items } => {
            let list = PriorityList::parse(&items)?;
            let done = priorities::org_publish(ctx, person, list).await?;
            super::org_priorities::published_text(&done)
        }
        PrioritiesCommand::OrgPublishForm => {
            "Type them in one line: priorities org publish <item>; <item>; … (up to 7 items)."
                .to_owned()
        }
        PrioritiesCommand::OrgShow => match priorities::org_show(ctx).await? {
            Some(p) => {
                let mut text = format!("The organization's priorities for {}:", p.month_label);
                for (i, item) in p.items.iter().enumerate() {
                    text.push_str(&format!("\n{}. {item}", i + 1));
                }
                text
            }
            None => format!(
                "The organization's priorities for {} are not published yet.",
                priorities::this_month(ctx).label()
            ),
        },
        // `Help`, `Unknown`, and forms added to the grammar later.
        #[allow(unreachable_patterns)]
        _ => {
            "priorities publish [team:<key>] <item>; <item>; … — publish this month's priorities (leaders)\n\
             priorities show [team] — this month's priorities"
                .to_owned()
        }
    })
}

async fn align(
    ctx: &AppContext,
    person: PersonId,
    cmd: AlignCommand,
    channel: Option<&str>,
) -> Result<String, AppError> {
    let cmd = match super::admin::team_add_here(cmd, channel) {
        Ok(cmd) => cmd,
        Err(answer) => return Ok(answer),
    };
    let done = align::run(ctx, person, cmd).await?;
    Ok(match done {
        AlignDone::Status { report, .. } => crate::teams::render::report_text(&report),
        AlignDone::Help => align_help().to_owned(),
        AlignDone::Pillars => pillars_text(&ctx.directory()),
        AlignDone::Teams => {
            let names = Names(
                crate::app::conversations::names(ctx)
                    .await
                    .unwrap_or_default(),
            );
            teams_text(&ctx.directory(), &names)
        }
        AlignDone::Privacy { opted_out, changed } => privacy_text(opted_out, changed),
        // The admin and personal commands.
        other => super::admin::text(ctx, other).await,
    })
}

/// `align pillars`: the keys people type in `pillar:`, beside their names;
/// archived pillars last, marked.
fn pillars_text(dir: &Directory) -> String {
    if dir.pillars.is_empty() {
        return "No pillars yet. An admin adds them with align pillar add <key> <name> or in the config file.".to_owned();
    }
    let mut ordered: Vec<_> = dir.pillars.iter().collect();
    ordered.sort_by_key(|p| p.archived);
    let mut text = "Pillars (type the key: pillar:<key>):".to_owned();
    for p in ordered {
        text.push_str(&format!("\n• {}: {}", p.key, p.name));
        if !p.description.is_empty() {
            text.push_str(&format!(" ({})", p.description));
        }
        if p.archived {
            text.push_str(" [archived: takes no new goals]");
        }
    }
    text.push_str("\nExample: goal add Cut wait times pillar:patient-care target:30min");
    text
}

/// `align teams`: the keys people type in `team:`, with names and leaders.
fn teams_text(dir: &Directory, names: &Names) -> String {
    if dir.teams.is_empty() {
        return "No teams yet. An admin adds them with align team add <key> <name> (typed in the team's channel) or in the config file."
            .to_owned();
    }
    let mut text = "Teams (type the key: team:<key>):".to_owned();
    for t in &dir.teams {
        let leaders = if t.leaders.is_empty() {
            "no leader yet".to_owned()
        } else {
            let leaders: Vec<String> = t.leaders.iter().map(|p| names.of(p)).collect();
            format!("led by {}", leaders.join(", "))
        };
        text.push_str(&format!("\n• {}: {} · {leaders}", t.key, t.name));
    }
    text.push_str("\nExample: goal list team nursing · priorities show nursing");
    text
}

/// `align privacy`: where the person stands and how to change it.
fn privacy_text(opted_out: bool, changed: bool) -> String {
    let done = if changed { "Done: " } else { "" };
    if opted_out {
        format!(
            "{done}colleagues cannot name you in mission moments: a story that names you is held, \
             and its author is asked to take your name out. Type align privacy name-me to allow it again."
        )
    } else {
        format!(
            "{done}colleagues may name you in mission moments; you get a message each time, with a \
             Don't name me button. Type align privacy dont-name-me to never be named."
        )
    }
}
