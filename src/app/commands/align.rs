//! `/align` text: what a person typed, read into an [`AlignCommand`].
//!
//! Like [`super::goal`]: pure, values kept as typed for the app to validate,
//! people and channels kept as the plain ids of their mentions, anything
//! malformed a [`Usage`] with the subcommand's usage lines.

use super::Usage;
use super::tokenizer::{
    QUOTES, Tokens, channel, code, help_text, nothing_more, person, split_first, tokenize, unknown,
    usage, words,
};
use std::sync::LazyLock;

/// What `/align …` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AlignCommand {
    /// `/align` or `/align help`.
    Help,
    /// `/align status [year:<yyyy>]`.
    Status { year: Option<String> },
    /// `/align pillars`: the pillar keys people type, with names.
    Pillars,
    /// `/align teams`: the team keys, names, leaders and channels.
    Teams,
    /// `/align pillar add <key> <name…> [emoji:…] [description:"…"]`; the
    /// name may also be given as `name:"…"`.
    PillarAdd {
        key: String,
        name: String,
        emoji: Option<String>,
        description: Option<String>,
    },
    /// `/align pillar edit <key> [name:"…"] [emoji:…] [description:"…"]`.
    PillarEdit {
        key: String,
        name: Option<String>,
        emoji: Option<String>,
        description: Option<String>,
    },
    /// `/align pillar archive <key>`.
    PillarArchive { key: String },
    /// `/align mission set <text…>`.
    MissionSet { mission: String },
    /// `/align team add <key> <name…> [channel:<#C123>]`; the name may also
    /// be given as `name:"…"`.
    TeamAdd {
        key: String,
        name: String,
        channel: Option<String>,
    },
    /// `/align team edit <key> [name:"…"] [channel:<#C123>]`.
    TeamEdit {
        key: String,
        name: Option<String>,
        channel: Option<String>,
    },
    /// `/align team leaders|members <key> [add|remove <@U…>…]`; without an
    /// action, open the form.
    TeamPeople {
        key: String,
        role: String,
        action: Option<String>,
        people: Vec<String>,
    },
    /// `/align goals kickoff team:<key> [year:<yyyy>]`.
    GoalsKickoff { team: String, year: Option<String> },
    /// `/align history`.
    History,
    /// `/align away until <date>` (`until` set) or `/align away off`.
    Away { until: Option<String> },
    /// `/align mute|unmute moments|progress|priorities`.
    Mute { kind: String, on: bool },
    /// `/align privacy`: whether colleagues may name me in moments, with a
    /// button to change it; `/align privacy dont-name-me|name-me` sets it.
    Privacy { opt_out: Option<bool> },
}

pub(super) const ALIGN_HELP: &str = "`/align help`";
pub(super) const ALIGN_STATUS: &str = "`/align status [year:<yyyy>]`";
pub(super) const ALIGN_PILLARS: &str = "`/align pillars`";
pub(super) const ALIGN_TEAMS: &str = "`/align teams`";
pub(super) const ALIGN_HISTORY: &str = "`/align history`";
pub(super) const ALIGN_AWAY: &str = "`/align away until <YYYY-MM-DD>` · `/align away off`";
pub(super) const ALIGN_MUTE: &str = "`/align mute|unmute moments|progress|priorities`";
pub(super) const ALIGN_PRIVACY: &str = "`/align privacy [dont-name-me|name-me]`";
pub(super) const ALIGN_PILLAR_ADD: &str =
    "`/align pillar add <key> <name…> [emoji::heart:] [description:\"…\"]`";
pub(super) const ALIGN_PILLAR_EDIT: &str =
    "`/align pillar edit <key> [name:\"…\"] [emoji::heart:] [description:\"…\"]`";
pub(super) const ALIGN_PILLAR_ARCHIVE: &str = "`/align pillar archive <key>`";
pub(super) const ALIGN_MISSION: &str = "`/align mission set <text…>`";
pub(super) const ALIGN_TEAM_ADD: &str = "`/align team add <key> <name…> channel:#channel`";
pub(super) const ALIGN_TEAM_EDIT: &str = "`/align team edit <key> [name:\"…\"] [channel:#channel]`";
pub(super) const ALIGN_TEAM_PEOPLE_FORM: &str = "`/align team leaders|members <key>`";
pub(super) const ALIGN_TEAM_PEOPLE: &str =
    "`/align team leaders|members <key> add|remove @person…`";
pub(super) const ALIGN_KICKOFF: &str = "`/align goals kickoff team:<key> [year:<yyyy>]`";

pub(super) const PILLAR_LINES: &[&str] =
    &[ALIGN_PILLAR_ADD, ALIGN_PILLAR_EDIT, ALIGN_PILLAR_ARCHIVE];
pub(super) const TEAM_LINES: &[&str] = &[
    ALIGN_TEAM_ADD,
    ALIGN_TEAM_EDIT,
    ALIGN_TEAM_PEOPLE_FORM,
    ALIGN_TEAM_PEOPLE,
];

pub(super) const ALIGN_FORMS: &[(&str, &str)] = &[
    (ALIGN_HELP, "this help"),
    (
        ALIGN_STATUS,
        "the alignment report: goals, progress and goal-setting per pillar and team",
    ),
    (
        ALIGN_PILLARS,
        "the pillar keys to type (`pillar:<key>`), with their names",
    ),
    (
        ALIGN_TEAMS,
        "the team keys to type (`team:<key>`), with names, leaders and channels",
    ),
    (
        ALIGN_HISTORY,
        "the plan's latest changes: who changed what, and when",
    ),
    (ALIGN_PILLAR_ADD, "add a strategic pillar"),
    (
        ALIGN_PILLAR_EDIT,
        "change a pillar's name, emoji or description",
    ),
    (ALIGN_PILLAR_ARCHIVE, "archive a pillar"),
    (ALIGN_MISSION, "set the mission"),
    (
        ALIGN_TEAM_ADD,
        "add a team with its channel (required: its priorities and updates go there)",
    ),
    (ALIGN_TEAM_EDIT, "change a team's name or channel"),
    (
        ALIGN_TEAM_PEOPLE_FORM,
        "open the form to choose a team's leaders or members",
    ),
    (
        ALIGN_TEAM_PEOPLE,
        "add or remove a team's leaders or members",
    ),
    (
        ALIGN_KICKOFF,
        "start goal-setting for a team: members are invited to propose goals (from the opening month, for next year)",
    ),
    (
        ALIGN_PRIVACY,
        "whether colleagues may name you in mission moments (with a button to change it)",
    ),
];

const ALIGN_NOTES: &str = "Keys are short ids like `patient-care`. Put values with spaces in quotes: `name:\"Patient care\"`. \
Pick people and channels from Slack's list as you type `@` or `#`.";

/// The subcommands, for "did you mean …?".
const ALIGN_SUBCOMMANDS: &[&str] = &[
    "help", "status", "pillars", "teams", "history", "pillar", "mission", "team", "goals", "away",
    "mute", "unmute",
];
const PILLAR_KEYS: &[&str] = &["name", "emoji", "description"];
const TEAM_KEYS: &[&str] = &["name", "channel"];

static ALIGN_HELP_TEXT: LazyLock<String> = LazyLock::new(|| {
    help_text(
        "*`/align`: strategy, pillars and teams*",
        ALIGN_FORMS,
        ALIGN_NOTES,
    )
});

/// Usage text for `/align help` (mrkdwn): every form with a one-line note.
pub fn align_help() -> &'static str {
    &ALIGN_HELP_TEXT
}

/// Reads the text of `/align …`.
pub fn parse_align(text: &str) -> Result<AlignCommand, Usage> {
    let (sub, rest) = split_first(text);
    match sub.to_lowercase().as_str() {
        "" | "help" => Ok(AlignCommand::Help),
        "status" => align_status(rest),
        "pillars" => nothing_more(rest, ALIGN_PILLARS).map(|()| AlignCommand::Pillars),
        "teams" => nothing_more(rest, ALIGN_TEAMS).map(|()| AlignCommand::Teams),
        "history" => nothing_more(rest, ALIGN_HISTORY).map(|()| AlignCommand::History),
        "pillar" => align_pillar(rest),
        "mission" => align_mission(rest),
        "team" => align_team(rest),
        "goals" => align_goals(rest),
        "away" => align_away(rest),
        "mute" | "unmute" => align_mute(rest, sub.eq_ignore_ascii_case("mute")),
        "privacy" => align_privacy(rest),
        _ => Err(unknown("/align", sub, align_help(), ALIGN_SUBCOMMANDS)),
    }
}

fn align_pillar(rest: &str) -> Result<AlignCommand, Usage> {
    let (action, rest) = split_first(rest);
    match action.to_lowercase().as_str() {
        "add" => pillar_add(rest),
        "edit" => pillar_edit(rest),
        "archive" => pillar_archive(rest),
        _ => Err(usage(what_to_do("pillar", action), PILLAR_LINES)),
    }
}

fn pillar_add(rest: &str) -> Result<AlignCommand, Usage> {
    let fail = |why: String| usage(why, &[ALIGN_PILLAR_ADD]);
    let mut tokens = tokenize(rest, PILLAR_KEYS).map_err(fail)?;
    let (key, name) = key_and_name(&mut tokens, "pillar").map_err(fail)?;
    Ok(AlignCommand::PillarAdd {
        key,
        name,
        emoji: tokens.take("emoji"),
        description: tokens.take("description"),
    })
}

fn pillar_edit(rest: &str) -> Result<AlignCommand, Usage> {
    let fail = |why: String| usage(why, &[ALIGN_PILLAR_EDIT]);
    let mut tokens = tokenize(rest, PILLAR_KEYS).map_err(fail)?;
    let key = only_key(&tokens.words, "pillar").map_err(fail)?;
    let name = tokens.take("name");
    let emoji = tokens.take("emoji");
    let description = tokens.take("description");
    if name.is_none() && emoji.is_none() && description.is_none() {
        return Err(fail(nothing_to_change()));
    }
    Ok(AlignCommand::PillarEdit {
        key,
        name,
        emoji,
        description,
    })
}

fn pillar_archive(rest: &str) -> Result<AlignCommand, Usage> {
    let key =
        only_key(&words(rest), "pillar").map_err(|why| usage(why, &[ALIGN_PILLAR_ARCHIVE]))?;
    Ok(AlignCommand::PillarArchive { key })
}

fn align_mission(rest: &str) -> Result<AlignCommand, Usage> {
    let (action, text) = split_first(rest);
    if !action.eq_ignore_ascii_case("set") {
        return Err(usage(what_to_do("mission", action), &[ALIGN_MISSION]));
    }
    let mission = unquote(text.trim());
    if mission.is_empty() {
        return Err(usage("Write the mission after `set`.", &[ALIGN_MISSION]));
    }
    Ok(AlignCommand::MissionSet {
        mission: mission.to_owned(),
    })
}

/// Drops one pair of quotes around the whole text, if it has no others.
fn unquote(text: &str) -> &str {
    let mut chars = text.chars();
    match (chars.next(), chars.next_back()) {
        (Some(open), Some(close))
            if QUOTES.contains(&open)
                && QUOTES.contains(&close)
                && !chars.as_str().contains(QUOTES) =>
        {
            chars.as_str().trim()
        }
        _ => text,
    }
}

fn align_team(rest: &str) -> Result<AlignCommand, Usage> {
    let (action, rest) = split_first(rest);
    let action_lower = action.to_lowercase();
    match action_lower.as_str() {
        "add" => team_add(rest),
        "edit" => team_edit(rest),
        "leaders" | "members" => team_people(&action_lower, rest),
        _ => Err(usage(what_to_do("team", action), TEAM_LINES)),
    }
}

fn team_add(rest: &str) -> Result<AlignCommand, Usage> {
    let fail = |why: String| usage(why, &[ALIGN_TEAM_ADD]);
    let mut tokens = tokenize(rest, TEAM_KEYS).map_err(fail)?;
    let channel = tokens.take("channel").map(|c| channel(&c)).transpose();
    let channel = channel.map_err(fail)?;
    let (key, name) = key_and_name(&mut tokens, "team").map_err(fail)?;
    Ok(AlignCommand::TeamAdd { key, name, channel })
}

fn team_edit(rest: &str) -> Result<AlignCommand, Usage> {
    let fail = |why: String| usage(why, &[ALIGN_TEAM_EDIT]);
    let mut tokens = tokenize(rest, TEAM_KEYS).map_err(fail)?;
    let key = only_key(&tokens.words, "team").map_err(fail)?;
    let channel = tokens.take("channel").map(|c| channel(&c)).transpose();
    let channel = channel.map_err(fail)?;
    let name = tokens.take("name");
    if name.is_none() && channel.is_none() {
        return Err(fail(nothing_to_change()));
    }
    Ok(AlignCommand::TeamEdit { key, name, channel })
}

fn team_people(role: &str, rest: &str) -> Result<AlignCommand, Usage> {
    let fail = |why: String| usage(why, &[ALIGN_TEAM_PEOPLE_FORM, ALIGN_TEAM_PEOPLE]);
    let words = words(rest);
    let Some((key, more)) = words.split_first() else {
        return Err(fail("Which team? Give its key.".into()));
    };
    let (action, people) = match more.split_first() {
        None => (None, Vec::new()),
        Some((action, people)) => {
            let action = people_action(action).map_err(fail)?;
            (Some(action), people_ids(people).map_err(fail)?)
        }
    };
    if let Some(action) = action.as_deref().filter(|_| people.is_empty()) {
        return Err(fail(format!(
            "Say who to {action}: type `@` and pick each person."
        )));
    }
    Ok(AlignCommand::TeamPeople {
        key: (*key).to_owned(),
        role: role.to_owned(),
        action,
        people,
    })
}

fn people_action(word: &str) -> Result<String, String> {
    let action = word.to_lowercase();
    match action.as_str() {
        "add" | "remove" => Ok(action),
        _ => Err(format!(
            "{} isn't something I can do here: say `add` or `remove`.",
            code(word)
        )),
    }
}

/// User ids of the mentions, in order, without repeats; commas between
/// mentions are allowed.
fn people_ids(words: &[&str]) -> Result<Vec<String>, String> {
    let mut ids = Vec::new();
    for piece in words.iter().flat_map(|word| comma_pieces(word)) {
        let id = person(piece)?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    Ok(ids)
}

/// `<@U1>,<@U2|Doe, Jane>,` → `<@U1>`, `<@U2|Doe, Jane>`: commas inside
/// Slack markup are kept.
fn comma_pieces(word: &str) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut rest = word.trim_start_matches(',');
    while !rest.is_empty() {
        let end = match rest.strip_prefix('<') {
            Some(inner) => inner.find('>').map_or(rest.len(), |close| close + 2),
            None => rest.find(',').unwrap_or(rest.len()),
        };
        pieces.push(&rest[..end]);
        rest = rest[end..].trim_start_matches(',');
    }
    pieces
}

fn align_goals(rest: &str) -> Result<AlignCommand, Usage> {
    let fail = |why: String| usage(why, &[ALIGN_KICKOFF]);
    let (action, rest) = split_first(rest);
    if !action.eq_ignore_ascii_case("kickoff") {
        return Err(fail(what_to_do("goals", action)));
    }
    let mut tokens = tokenize(rest, &["team", "year"]).map_err(fail)?;
    if let [word, ..] = tokens.words.as_slice() {
        return Err(fail(format!(
            "Name the team with `team:<key>`, like {}.",
            code(&format!("team:{word}"))
        )));
    }
    let year = tokens.take("year");
    match tokens.take("team") {
        Some(team) => Ok(AlignCommand::GoalsKickoff { team, year }),
        None => Err(fail("Say which team with `team:<key>`.".into())),
    }
}

fn align_status(rest: &str) -> Result<AlignCommand, Usage> {
    let fail = |why: String| usage(why, &[ALIGN_STATUS]);
    let mut tokens = tokenize(rest, &["year"]).map_err(fail)?;
    if !tokens.words.is_empty() {
        return Err(fail(format!(
            "I don't know what to do with {}: the report takes only `year:<yyyy>`.",
            code(&tokens.words.join(" "))
        )));
    }
    Ok(AlignCommand::Status {
        year: tokens.take("year"),
    })
}

/// `<key> <name…>` or `<key> name:"…"`.
fn key_and_name(tokens: &mut Tokens, noun: &str) -> Result<(String, String), String> {
    let named = tokens.take("name");
    let Some((key, words)) = tokens.words.split_first() else {
        return Err(format!("Give the {noun} a short key and a name."));
    };
    let name = match (words.is_empty(), named) {
        (false, None) => words.join(" "),
        (true, Some(name)) => name,
        (true, None) => return Err(format!("Give the {noun} a name after its key.")),
        (false, Some(_)) => {
            return Err(
                "Give the name either as words after the key or as `name:\"…\"`, not both.".into(),
            );
        }
    };
    Ok(((*key).to_owned(), name))
}

/// Exactly one word: the key.
fn only_key(words: &[&str], noun: &str) -> Result<String, String> {
    match words {
        [] => Err(format!("Which {noun}? Give its key.")),
        [key] => Ok((*key).to_owned()),
        [_, extra @ ..] => Err(format!(
            "I only need the {noun}'s key and options here, not {}; put values with spaces in quotes.",
            code(&extra.join(" "))
        )),
    }
}

fn nothing_to_change() -> String {
    "Say what to change with one of the options below.".into()
}

fn what_to_do(noun: &str, action: &str) -> String {
    if action.is_empty() {
        format!("Say what to do with the {noun}.")
    } else {
        format!("I don't know {}.", code(&format!("{noun} {action}")))
    }
}

fn align_away(rest: &str) -> Result<AlignCommand, Usage> {
    let words: Vec<&str> = rest.split_whitespace().collect();
    match words.as_slice() {
        [until, date] if until.eq_ignore_ascii_case("until") => Ok(AlignCommand::Away {
            until: Some((*date).to_owned()),
        }),
        [off] if off.eq_ignore_ascii_case("off") || off.eq_ignore_ascii_case("back") => {
            Ok(AlignCommand::Away { until: None })
        }
        _ => Err(usage(
            "Say until when you are away, or `off` when you are back.",
            &[ALIGN_AWAY],
        )),
    }
}

fn align_privacy(rest: &str) -> Result<AlignCommand, Usage> {
    let choice = rest.trim().to_lowercase().replace(['\'', '’'], "");
    match choice.as_str() {
        "" => Ok(AlignCommand::Privacy { opt_out: None }),
        "dont-name-me" | "dontnameme" | "opt-out" | "optout" => Ok(AlignCommand::Privacy {
            opt_out: Some(true),
        }),
        "name-me" | "nameme" | "opt-in" | "optin" => Ok(AlignCommand::Privacy {
            opt_out: Some(false),
        }),
        _ => Err(usage(
            "Type `/align privacy` to see and change whether colleagues may name you in mission moments, or `/align privacy dont-name-me` / `/align privacy name-me`.",
            &[ALIGN_PRIVACY],
        )),
    }
}

fn align_mute(rest: &str, on: bool) -> Result<AlignCommand, Usage> {
    let kind = rest.trim().to_lowercase();
    match kind.as_str() {
        "moments" | "progress" | "priorities" => Ok(AlignCommand::Mute { kind, on }),
        _ => Err(usage(
            "Name the nudges: moments, progress or priorities.",
            &[ALIGN_MUTE],
        )),
    }
}
