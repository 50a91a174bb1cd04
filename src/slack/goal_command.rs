//! `/goal` and `/align` text: what a person typed, read into commands.
//!
//! Parsing is pure and keeps values as the raw strings typed: numbers, dates,
//! pillar and team keys are validated later by the domain. Anything malformed
//! is a [`Usage`]: a short, friendly explanation followed by the usage
//! line(s) of that subcommand, in Slack mrkdwn, for the caller to show
//! ephemerally.
//!
//! # Tokenizer rules
//!
//! - The first word names the subcommand (`/goal add`), and for `/align` the
//!   second word too (`/align pillar add`); names are case-insensitive. An
//!   unknown subcommand gets the full help.
//! - The rest is split into whitespace-separated words. Slack markup `<…>`
//!   (mentions `<@U123|name>`, channels `<#C123|name>`, links) is one word
//!   even when it contains spaces.
//! - An option is `key:value` where `key` is one of the option names that
//!   subcommand knows (the key is case-insensitive). Any other `word:thing`
//!   is an ordinary word, so a title like "Ratio 3:1" survives.
//! - An option's value may be double-quoted to include spaces:
//!   `due:"end of year"`, `name:"Patient care"`; the curly quotes “ ” that
//!   Slack clients produce work too. Quotes count only right after `key:`;
//!   elsewhere they are ordinary characters. A quoted value is trimmed and
//!   must be followed by a space or the end of the text.
//! - Usage errors: an unclosed quote; a known option given twice; a known
//!   option with nothing after the colon (`pillar: care`).
//! - The words that are not options make the title (or name): in order,
//!   joined by single spaces.
//! - Free text at the end (check-in and closing notes, the mission) is kept
//!   as typed, spacing and newlines included; quotes and `key:` in it are
//!   just text.
//! - People must be Slack mentions (`<@U123>` or `<@U123|name>`) and
//!   channels Slack channel links (`<#C123>` or `<#C123|name>`); only the id
//!   is kept. A bare `@name` or `#name` (one Slack did not turn into a link)
//!   is a usage error asking to pick it from Slack's list.
//! - Goal ids are kept raw: `12` and `#12` both pass through unchanged.
//! - Slack's HTML escaping (`&amp;`, `&lt;`, `&gt;`) is left as sent.

use std::fmt::{self, Write as _};
use std::sync::LazyLock;

/// Malformed command text: the mrkdwn message to show the person.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Usage(pub String);

/// The options and free-text title of `/goal add` and `/goal propose`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GoalFields {
    /// The words that are not options, in order, joined by single spaces.
    pub title: String,
    /// `pillar:<key>`.
    pub pillar: Option<String>,
    /// `target:<n>[unit]`, e.g. `30min`, `$1.2M`, `100%`.
    pub target: Option<String>,
    /// `start:<n>[unit]`.
    pub start: Option<String>,
    /// `due:<YYYY-MM-DD | YYYY-MM | Q2 | "end of year">`.
    pub due: Option<String>,
    /// `team:<key>`.
    pub team: Option<String>,
    /// `owner:<@U123>`: the user id only.
    pub owner: Option<String>,
    /// `year:2027`.
    pub year: Option<String>,
}

/// Whose goals `/goal list` shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListScope {
    Mine,
    Team(String),
    All,
}

/// What `/goal …` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GoalCommand {
    /// `/goal` or `/goal help`.
    Help,
    /// `/goal add` alone: open the form.
    AddForm,
    /// `/goal add <title> pillar:<key> […]`.
    Add(GoalFields),
    /// `/goal propose` alone: open the form.
    ProposeForm,
    /// `/goal propose <title> pillar:<key> […]`.
    Propose(GoalFields),
    /// `/goal update <id>` alone: open the check-in form.
    UpdateForm { id: String },
    /// `/goal update <id> <value> [confidence] [note…]`; the confidence is
    /// normalized to `on-track`, `at-risk` or `off-track`.
    Update {
        id: String,
        value: String,
        confidence: Option<String>,
        note: Option<String>,
    },
    /// `/goal list [mine|team <key>|all] [page:<n>]`.
    List { scope: ListScope, page: u32 },
    /// `/goal show <id>`.
    Show { id: String },
    /// `/goal close <id> achieved|dropped [note…]`; outcome lowercased.
    Close {
        id: String,
        outcome: String,
        note: Option<String>,
    },
    /// `/goal edit <id>`.
    Edit { id: String },
}

/// What `/align …` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AlignCommand {
    /// `/align` or `/align help`.
    Help,
    /// `/align status`.
    Status,
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
    /// `/align goals kickoff team:<key>`.
    GoalsKickoff { team: String },
    /// `/align history`.
    History,
    /// `/align away until <date>` (`until` set) or `/align away off`.
    Away { until: Option<String> },
    /// `/align mute|unmute moments|progress|priorities`.
    Mute { kind: String, on: bool },
}

const GOAL_HELP: &str = "`/goal help`";
const GOAL_ADD_FORM: &str = "`/goal add`";
const GOAL_ADD: &str = "`/goal add <title> pillar:<key> [target:<n>[unit]] [start:<n>[unit]] [due:<date>] [team:<key>] [owner:@person] [year:<yyyy>]`";
const GOAL_PROPOSE_FORM: &str = "`/goal propose`";
const GOAL_PROPOSE: &str = "`/goal propose <title> pillar:<key> [target:<n>[unit]] [start:<n>[unit]] [due:<date>] [team:<key>] [owner:@person] [year:<yyyy>]`";
const GOAL_UPDATE_FORM: &str = "`/goal update <id>`";
const GOAL_UPDATE: &str = "`/goal update <id> <value or n%> [on-track|at-risk|off-track] [note…]`";
const GOAL_LIST: &str = "`/goal list [mine|team <key>|all] [page:<n>]`";
const GOAL_SHOW: &str = "`/goal show <id>`";
const GOAL_EDIT: &str = "`/goal edit <id>`";
const GOAL_CLOSE: &str = "`/goal close <id> achieved|dropped [note…]`";

const GOAL_FORMS: &[(&str, &str)] = &[
    (GOAL_HELP, "this help"),
    (
        GOAL_ADD_FORM,
        "open the form to create a goal (leaders and admins)",
    ),
    (
        GOAL_ADD,
        "create a goal under a pillar (leaders and admins)",
    ),
    (
        GOAL_PROPOSE_FORM,
        "open the form to propose a goal for your team",
    ),
    (
        GOAL_PROPOSE,
        "propose a goal: teammates vote, a leader approves",
    ),
    (GOAL_UPDATE_FORM, "open the check-in form for a goal"),
    (
        GOAL_UPDATE,
        "record a check-in: a value or percent (or `done` / `not done`), your confidence and a note",
    ),
    (GOAL_LIST, "list your goals, a team's goals or everyone's"),
    (GOAL_SHOW, "one goal and its check-ins"),
    (GOAL_EDIT, "open the form to change a goal"),
    (GOAL_CLOSE, "close a goal as achieved or dropped"),
];

const GOAL_NOTES: &str = "Goal ids look like `12` or `#12`. Targets: `target:30min`, `target:$1.2M`, `target:100%`. \
Dates: `due:2026-06-30`, `due:2026-06`, `due:Q2` or `due:\"end of year\"`. \
Put values with spaces in quotes, and pick the owner from Slack's list as you type `@`.";

const ALIGN_HELP: &str = "`/align help`";
const ALIGN_STATUS: &str = "`/align status`";
const ALIGN_HISTORY: &str = "`/align history`";
const ALIGN_AWAY: &str = "`/align away until <YYYY-MM-DD>` · `/align away off`";
const ALIGN_MUTE: &str = "`/align mute|unmute moments|progress|priorities`";
const ALIGN_PILLAR_ADD: &str =
    "`/align pillar add <key> <name…> [emoji::heart:] [description:\"…\"]`";
const ALIGN_PILLAR_EDIT: &str =
    "`/align pillar edit <key> [name:\"…\"] [emoji::heart:] [description:\"…\"]`";
const ALIGN_PILLAR_ARCHIVE: &str = "`/align pillar archive <key>`";
const ALIGN_MISSION: &str = "`/align mission set <text…>`";
const ALIGN_TEAM_ADD: &str = "`/align team add <key> <name…> [channel:#channel]`";
const ALIGN_TEAM_EDIT: &str = "`/align team edit <key> [name:\"…\"] [channel:#channel]`";
const ALIGN_TEAM_PEOPLE_FORM: &str = "`/align team leaders|members <key>`";
const ALIGN_TEAM_PEOPLE: &str = "`/align team leaders|members <key> add|remove @person…`";
const ALIGN_KICKOFF: &str = "`/align goals kickoff team:<key>`";

const PILLAR_LINES: &[&str] = &[ALIGN_PILLAR_ADD, ALIGN_PILLAR_EDIT, ALIGN_PILLAR_ARCHIVE];
const TEAM_LINES: &[&str] = &[
    ALIGN_TEAM_ADD,
    ALIGN_TEAM_EDIT,
    ALIGN_TEAM_PEOPLE_FORM,
    ALIGN_TEAM_PEOPLE,
];

const ALIGN_FORMS: &[(&str, &str)] = &[
    (ALIGN_HELP, "this help"),
    (
        ALIGN_STATUS,
        "the alignment report: goals, progress and goal-setting per pillar and team",
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
    (ALIGN_TEAM_ADD, "add a team and its channel"),
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
        "start goal-setting for a team: members are invited to propose goals",
    ),
];

const ALIGN_NOTES: &str = "Keys are short ids like `patient-care`. Put values with spaces in quotes: `name:\"Patient care\"`. \
Pick people and channels from Slack's list as you type `@` or `#`.";

const GOAL_KEYS: &[&str] = &["pillar", "target", "start", "due", "team", "owner", "year"];
const PILLAR_KEYS: &[&str] = &["name", "emoji", "description"];
const TEAM_KEYS: &[&str] = &["name", "channel"];
const CONFIDENCES: [&str; 3] = ["on-track", "at-risk", "off-track"];
const OUTCOMES: [&str; 2] = ["achieved", "dropped"];
const QUOTES: [char; 3] = ['"', '“', '”'];
const WHICH_GOAL: &str = "Which goal? Give its number, like `12` or `#12`.";

static GOAL_HELP_TEXT: LazyLock<String> =
    LazyLock::new(|| help_text("*`/goal`: goals and check-ins*", GOAL_FORMS, GOAL_NOTES));
static ALIGN_HELP_TEXT: LazyLock<String> = LazyLock::new(|| {
    help_text(
        "*`/align`: strategy, pillars and teams*",
        ALIGN_FORMS,
        ALIGN_NOTES,
    )
});

/// Usage text for `/goal help` (mrkdwn): every form with a one-line note.
pub fn goal_help() -> &'static str {
    &GOAL_HELP_TEXT
}

/// Usage text for `/align help` (mrkdwn): every form with a one-line note.
pub fn align_help() -> &'static str {
    &ALIGN_HELP_TEXT
}

fn help_text(title: &str, forms: &[(&str, &str)], notes: &str) -> String {
    let mut text = format!("{title}\n");
    for (line, what) in forms {
        let _ = writeln!(text, "• {line} — {what}");
    }
    text.push_str(notes);
    text
}

/// Reads the text of `/goal …`.
pub fn parse_goal(text: &str) -> Result<GoalCommand, Usage> {
    let (sub, rest) = split_first(text);
    match sub.to_lowercase().as_str() {
        "" | "help" => Ok(GoalCommand::Help),
        "add" => goal_fields(rest, &[GOAL_ADD_FORM, GOAL_ADD])
            .map(|f| f.map_or(GoalCommand::AddForm, GoalCommand::Add)),
        "propose" => goal_fields(rest, &[GOAL_PROPOSE_FORM, GOAL_PROPOSE])
            .map(|f| f.map_or(GoalCommand::ProposeForm, GoalCommand::Propose)),
        "update" => goal_update(rest),
        "list" => goal_list(rest),
        "show" => only_goal_id(rest, GOAL_SHOW).map(|id| GoalCommand::Show { id }),
        "edit" => only_goal_id(rest, GOAL_EDIT).map(|id| GoalCommand::Edit { id }),
        "close" => goal_close(rest),
        _ => Err(unknown("/goal", sub, goal_help())),
    }
}

/// Reads the text of `/align …`.
pub fn parse_align(text: &str) -> Result<AlignCommand, Usage> {
    let (sub, rest) = split_first(text);
    match sub.to_lowercase().as_str() {
        "" | "help" => Ok(AlignCommand::Help),
        "status" => nothing_more(rest, ALIGN_STATUS).map(|()| AlignCommand::Status),
        "history" => nothing_more(rest, ALIGN_HISTORY).map(|()| AlignCommand::History),
        "pillar" => align_pillar(rest),
        "mission" => align_mission(rest),
        "team" => align_team(rest),
        "goals" => align_goals(rest),
        "away" => align_away(rest),
        "mute" | "unmute" => align_mute(rest, sub.eq_ignore_ascii_case("mute")),
        _ => Err(unknown("/align", sub, align_help())),
    }
}

// ---- /goal -------------------------------------------------------------

/// `None` when nothing follows the subcommand (open the form).
fn goal_fields(rest: &str, lines: &[&str]) -> Result<Option<GoalFields>, Usage> {
    if rest.trim().is_empty() {
        return Ok(None);
    }
    let fail = |why: String| usage(why, lines);
    let mut tokens = tokenize(rest, GOAL_KEYS).map_err(fail)?;
    let owner = tokens.take("owner").map(|o| person(&o)).transpose();
    let fields = GoalFields {
        title: tokens.words.join(" "),
        pillar: tokens.take("pillar"),
        target: tokens.take("target"),
        start: tokens.take("start"),
        due: tokens.take("due"),
        team: tokens.take("team"),
        owner: owner.map_err(fail)?,
        year: tokens.take("year"),
    };
    if fields.title.is_empty() {
        return Err(fail(
            "Give the goal a title: the words that are not options.".into(),
        ));
    }
    if fields.pillar.is_none() {
        return Err(fail(
            "Say which pillar the goal serves with `pillar:<key>`.".into(),
        ));
    }
    Ok(Some(fields))
}

fn goal_update(rest: &str) -> Result<GoalCommand, Usage> {
    let lines = &[GOAL_UPDATE_FORM, GOAL_UPDATE];
    let (id, rest) = split_first(rest);
    if id.is_empty() {
        return Err(usage(WHICH_GOAL, lines));
    }
    let id = id.to_owned();
    if rest.trim().is_empty() {
        return Ok(GoalCommand::UpdateForm { id });
    }
    if confidence(rest).0.is_some() {
        return Err(usage(
            "Give the value first (a number, a percent, `done` or `not done`), then how confident you are.",
            lines,
        ));
    }
    let (value, rest) = split_first(rest);
    let (value, rest) = not_done(value, rest);
    let (confidence, rest) = confidence(rest);
    Ok(GoalCommand::Update {
        id,
        value,
        confidence,
        note: note(rest),
    })
}

/// Joins `not done` into one value; any other value is one word.
fn not_done<'a>(value: &str, rest: &'a str) -> (String, &'a str) {
    let (next, after) = split_first(rest);
    if value.eq_ignore_ascii_case("not") && next.eq_ignore_ascii_case("done") {
        (format!("{value} {next}"), after)
    } else {
        (value.to_owned(), rest)
    }
}

/// A leading `on-track`/`at-risk`/`off-track` (or `on track` …), normalized.
fn confidence(rest: &str) -> (Option<String>, &str) {
    let (first, after_first) = split_first(rest);
    let first = first.to_lowercase();
    if CONFIDENCES.contains(&first.as_str()) {
        return (Some(first), after_first);
    }
    let (second, after_second) = split_first(after_first);
    let joined = format!("{first}-{}", second.to_lowercase());
    if CONFIDENCES.contains(&joined.as_str()) {
        return (Some(joined), after_second);
    }
    (None, rest)
}

fn note(rest: &str) -> Option<String> {
    let note = rest.trim();
    (!note.is_empty()).then(|| note.to_owned())
}

fn goal_list(rest: &str) -> Result<GoalCommand, Usage> {
    let fail = |why: String| usage(why, &[GOAL_LIST]);
    let mut tokens = tokenize(rest, &["page"]).map_err(fail)?;
    let page = tokens.take("page").map_or(Ok(1), |p| page_number(&p));
    let page = page.map_err(fail)?;
    let scope = list_scope(&tokens.words).map_err(fail)?;
    Ok(GoalCommand::List { scope, page })
}

fn page_number(raw: &str) -> Result<u32, String> {
    match raw.parse::<u32>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!(
            "{} isn't a page: use a whole number from 1, like `page:2`.",
            code(&format!("page:{raw}"))
        )),
    }
}

fn list_scope(words: &[&str]) -> Result<ListScope, String> {
    let first = words.first().map(|w| w.to_lowercase());
    let more = words.get(1..).unwrap_or_default();
    match (first.as_deref(), more) {
        (None, _) | (Some("mine"), []) => Ok(ListScope::Mine),
        (Some("all"), []) => Ok(ListScope::All),
        (Some("team"), [key]) => Ok(ListScope::Team((*key).to_owned())),
        (Some("team"), []) => Err("Which team? Give its key, like `team nursing`.".into()),
        _ => Err(format!(
            "I didn't understand {}: say `mine`, `team <key>` or `all`, and `page:<n>` for more.",
            code(&words.join(" "))
        )),
    }
}

fn goal_close(rest: &str) -> Result<GoalCommand, Usage> {
    let fail = |why: String| usage(why, &[GOAL_CLOSE]);
    let (id, rest) = split_first(rest);
    if id.is_empty() {
        return Err(fail(WHICH_GOAL.into()));
    }
    let (outcome, rest) = split_first(rest);
    let outcome = outcome.to_lowercase();
    if outcome.is_empty() {
        return Err(fail(
            "Say how the goal ended: `achieved` or `dropped`.".into(),
        ));
    }
    if !OUTCOMES.contains(&outcome.as_str()) {
        return Err(fail(format!(
            "{} isn't an outcome I know: say `achieved` or `dropped`.",
            code(&outcome)
        )));
    }
    Ok(GoalCommand::Close {
        id: id.to_owned(),
        outcome,
        note: note(rest),
    })
}

fn only_goal_id(rest: &str, line: &str) -> Result<String, Usage> {
    let (id, extra) = split_first(rest);
    if id.is_empty() {
        return Err(usage(WHICH_GOAL, &[line]));
    }
    nothing_more(extra, line)?;
    Ok(id.to_owned())
}

// ---- /align ------------------------------------------------------------

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
    let mut tokens = tokenize(rest, &["team"]).map_err(fail)?;
    if let [word, ..] = tokens.words.as_slice() {
        return Err(fail(format!(
            "Name the team with `team:<key>`, like {}.",
            code(&format!("team:{word}"))
        )));
    }
    match tokens.take("team") {
        Some(team) => Ok(AlignCommand::GoalsKickoff { team }),
        None => Err(fail("Say which team with `team:<key>`.".into())),
    }
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

fn nothing_more(rest: &str, line: &str) -> Result<(), Usage> {
    let extra = rest.trim();
    if extra.is_empty() {
        return Ok(());
    }
    Err(usage(
        format!("I don't know what to do with {}.", code(extra)),
        &[line],
    ))
}

// ---- mentions ----------------------------------------------------------

/// The id in Slack's `<@U123|name>` / `<#C123>` markup.
fn slack_id(raw: &str, sigil: char) -> Option<String> {
    let inner = raw
        .strip_prefix('<')?
        .strip_suffix('>')?
        .strip_prefix(sigil)?;
    let id = inner.split_once('|').map_or(inner, |(id, _)| id);
    let valid = !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric());
    valid.then(|| id.to_owned())
}

fn person(raw: &str) -> Result<String, String> {
    slack_id(raw, '@').ok_or_else(|| {
        format!(
            "{} isn't a mention I can read: type `@` and pick the person from Slack's list, so Slack makes it a mention.",
            code(raw)
        )
    })
}

fn channel(raw: &str) -> Result<String, String> {
    slack_id(raw, '#').ok_or_else(|| {
        format!(
            "{} isn't a channel link I can read: type `#` and pick the channel from Slack's list, so Slack links it.",
            code(raw)
        )
    })
}

// ---- tokenizer ---------------------------------------------------------

/// Words and known options of a command's text.
#[derive(Debug, Default)]
struct Tokens<'a> {
    words: Vec<&'a str>,
    options: Vec<(&'static str, String)>,
}

impl Tokens<'_> {
    fn take(&mut self, key: &str) -> Option<String> {
        let at = self.options.iter().position(|(k, _)| *k == key)?;
        Some(self.options.swap_remove(at).1)
    }

    fn add_option(&mut self, key: &'static str, value: String) -> Result<(), String> {
        if self.options.iter().any(|(k, _)| *k == key) {
            return Err(format!("You gave `{key}:` twice; keep just one."));
        }
        self.options.push((key, value));
        Ok(())
    }
}

/// Splits `text` by the rules in the module doc; `keys` are the option
/// names (lowercase) this command knows.
fn tokenize<'a>(text: &'a str, keys: &[&'static str]) -> Result<Tokens<'a>, String> {
    let mut tokens = Tokens::default();
    let mut at = skip_space(text, 0);
    while at < text.len() {
        let end = match option_key(&text[at..], keys) {
            Some((key, value_at)) => {
                let (value, end) = option_value(text, at + value_at, key)?;
                tokens.add_option(key, value.to_owned())?;
                end
            }
            None => {
                let end = word_end(text, at);
                tokens.words.push(&text[at..end]);
                end
            }
        };
        at = skip_space(text, end);
    }
    Ok(tokens)
}

/// Whitespace-separated words, Slack `<…>` markup kept whole.
fn words(text: &str) -> Vec<&str> {
    let mut words = Vec::new();
    let mut rest = text;
    loop {
        let (word, after) = split_first(rest);
        if word.is_empty() {
            return words;
        }
        words.push(word);
        rest = after;
    }
}

/// The known key `word` starts with, and where its value begins.
fn option_key(word: &str, keys: &[&'static str]) -> Option<(&'static str, usize)> {
    let colon = word.find(':')?;
    let name = &word[..colon];
    let key = keys.iter().find(|k| k.eq_ignore_ascii_case(name))?;
    Some((key, colon + 1))
}

/// The value starting at `at` (quoted or one word) and where it ends.
fn option_value<'a>(text: &'a str, at: usize, key: &str) -> Result<(&'a str, usize), String> {
    let (value, end) = match text[at..].chars().next() {
        Some(quote) if QUOTES.contains(&quote) => quoted(text, at + quote.len_utf8(), key)?,
        _ => {
            let end = word_end(text, at);
            (&text[at..end], end)
        }
    };
    if value.is_empty() {
        return Err(format!(
            "`{key}:` needs a value right after the colon, with no space; put values with spaces in quotes: `{key}:\"…\"`."
        ));
    }
    Ok((value, end))
}

/// The trimmed text from `at` to the next quote, and the end of that quote.
fn quoted<'a>(text: &'a str, at: usize, key: &str) -> Result<(&'a str, usize), String> {
    let close = text[at..]
        .find(QUOTES)
        .map(|i| at + i)
        .ok_or_else(|| format!("The quote after `{key}:` is never closed."))?;
    let end = close + text[close..].chars().next().map_or(1, char::len_utf8);
    if text[end..].starts_with(|c: char| !c.is_whitespace()) {
        return Err(format!(
            "Leave a space after the closing quote of `{key}:`."
        ));
    }
    Ok((text[at..close].trim(), end))
}

/// The first word of `text` and everything after it, as typed.
fn split_first(text: &str) -> (&str, &str) {
    let text = text.trim_start();
    let end = word_end(text, 0);
    (&text[..end], &text[end..])
}

fn skip_space(text: &str, at: usize) -> usize {
    text.len() - text[at..].trim_start().len()
}

/// The end of the word starting at `at`; Slack markup `<…>` is kept whole.
fn word_end(text: &str, mut at: usize) -> usize {
    while let Some(c) = text[at..].chars().next() {
        if c.is_whitespace() {
            break;
        }
        at += match c {
            '<' => text[at..].find('>').map_or(1, |close| close + 1),
            _ => c.len_utf8(),
        };
    }
    at
}

// ---- messages ----------------------------------------------------------

fn usage(why: impl fmt::Display, lines: &[&str]) -> Usage {
    let mut text = format!("{why}\n*Usage:*");
    for line in lines {
        text.push('\n');
        text.push_str(line);
    }
    Usage(text)
}

fn unknown(command: &str, sub: &str, help: &str) -> Usage {
    Usage(format!(
        "I don't know {}. Here is what I can do:\n{help}",
        code(&format!("{command} {sub}"))
    ))
}

/// `text` as a mrkdwn code span (backticks in it would end the span), with
/// Slack's control characters escaped: inside a code span `<@U…>` or
/// `<!channel>` would still mention or notify.
fn code(text: &str) -> String {
    let text = text
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('`', "'");
    format!("`{text}`")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> Option<String> {
        Some(text.to_owned())
    }

    fn fields(title: &str, pillar: &str) -> GoalFields {
        GoalFields {
            title: title.into(),
            pillar: s(pillar),
            ..GoalFields::default()
        }
    }

    fn goal(text: &str) -> GoalCommand {
        parse_goal(text).unwrap_or_else(|e| panic!("{text:?} was refused: {e}"))
    }

    fn align(text: &str) -> AlignCommand {
        parse_align(text).unwrap_or_else(|e| panic!("{text:?} was refused: {e}"))
    }

    fn goal_usage(text: &str) -> String {
        match parse_goal(text) {
            Err(Usage(message)) => message,
            Ok(command) => panic!("{text:?} was accepted as {command:?}"),
        }
    }

    fn align_usage(text: &str) -> String {
        match parse_align(text) {
            Err(Usage(message)) => message,
            Ok(command) => panic!("{text:?} was accepted as {command:?}"),
        }
    }

    fn update(id: &str, value: &str, confidence: Option<&str>, note: Option<&str>) -> GoalCommand {
        GoalCommand::Update {
            id: id.into(),
            value: value.into(),
            confidence: confidence.map(Into::into),
            note: note.map(Into::into),
        }
    }

    fn people(key: &str, role: &str, action: Option<&str>, ids: &[&str]) -> AlignCommand {
        AlignCommand::TeamPeople {
            key: key.into(),
            role: role.into(),
            action: action.map(Into::into),
            people: ids.iter().map(|id| (*id).to_owned()).collect(),
        }
    }

    #[test]
    fn empty_text_and_help_show_the_help() {
        for text in ["", "   ", "help", "HELP", "Help me please"] {
            assert_eq!(goal(text), GoalCommand::Help, "goal {text:?}");
            assert_eq!(align(text), AlignCommand::Help, "align {text:?}");
        }
    }

    #[test]
    fn add_and_propose_alone_open_their_forms() {
        let cases = [
            ("add", GoalCommand::AddForm),
            ("  ADD  ", GoalCommand::AddForm),
            ("propose", GoalCommand::ProposeForm),
            ("Propose \n ", GoalCommand::ProposeForm),
        ];
        for (text, expected) in cases {
            assert_eq!(goal(text), expected, "text {text:?}");
        }
    }

    #[test]
    fn add_reads_the_title_and_every_option() {
        let all = GoalFields {
            title: "Cut ER wait times".into(),
            pillar: s("patient-care"),
            target: s("30min"),
            start: s("45min"),
            due: s("2026-06-30"),
            team: s("nursing"),
            owner: s("U123"),
            year: s("2027"),
        };
        let cases = [
            (
                "add Cut wait times pillar:patient-care",
                fields("Cut wait times", "patient-care"),
            ),
            (
                "add Cut ER wait times pillar:patient-care target:30min start:45min due:2026-06-30 team:nursing owner:<@U123|jane> year:2027",
                all.clone(),
            ),
            (
                "add year:2027 owner:<@U123> team:nursing due:2026-06-30 start:45min target:30min pillar:patient-care Cut ER wait times",
                all,
            ),
            (
                "add Raise pillar:growth $1.2M in gifts target:$1.2M",
                GoalFields {
                    target: s("$1.2M"),
                    ..fields("Raise $1.2M in gifts", "growth")
                },
            ),
            (
                "add  Lots   of\n spaces\tin it  pillar:x ",
                fields("Lots of spaces in it", "x"),
            ),
            (
                "add Full coverage pillar:care target:100% due:Q2",
                GoalFields {
                    target: s("100%"),
                    due: s("Q2"),
                    ..fields("Full coverage", "care")
                },
            ),
            (
                "add Monthly report pillar:care due:2026-06",
                GoalFields {
                    due: s("2026-06"),
                    ..fields("Monthly report", "care")
                },
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(goal(text), GoalCommand::Add(expected), "text {text:?}");
        }
    }

    #[test]
    fn propose_reads_the_same_fields_as_add() {
        let cases = [
            (
                "propose Weekly huddles pillar:culture",
                fields("Weekly huddles", "culture"),
            ),
            (
                "propose Weekly huddles pillar:culture team:nursing target:52 owner:<@U9|ann>",
                GoalFields {
                    team: s("nursing"),
                    target: s("52"),
                    owner: s("U9"),
                    ..fields("Weekly huddles", "culture")
                },
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(goal(text), GoalCommand::Propose(expected), "text {text:?}");
        }
    }

    #[test]
    fn quoted_values_keep_their_spaces_with_straight_or_curly_quotes() {
        let cases = [
            (
                "add Finish audit pillar:quality due:\"end of year\"",
                "end of year",
            ),
            (
                "add Finish audit pillar:quality due:“end of year”",
                "end of year",
            ),
            (
                "add Finish audit pillar:quality due:”end of year”",
                "end of year",
            ),
            (
                "add Finish audit pillar:quality due:\" end of year \"",
                "end of year",
            ),
            (
                "add Finish audit due:\"end of\n year\" pillar:quality",
                "end of\n year",
            ),
        ];
        for (text, due) in cases {
            let expected = GoalFields {
                due: s(due),
                ..fields("Finish audit", "quality")
            };
            assert_eq!(goal(text), GoalCommand::Add(expected), "text {text:?}");
        }
        assert_eq!(
            goal("add Care pillar:\"patient care\""),
            GoalCommand::Add(fields("Care", "patient care"))
        );
    }

    #[test]
    fn quotes_outside_option_values_stay_in_the_title() {
        let cases = [
            ("add Launch \"Project X\" pillar:p", "Launch \"Project X\""),
            ("add Launch “Project X pillar:p", "Launch “Project X"),
            ("add Say \"hi pillar:p", "Say \"hi"),
        ];
        for (text, title) in cases {
            assert_eq!(
                goal(text),
                GoalCommand::Add(fields(title, "p")),
                "text {text:?}"
            );
        }
    }

    #[test]
    fn unknown_word_colon_things_stay_in_the_title() {
        let cases = [
            ("add Ratio 3:1 nurses pillar:care", "Ratio 3:1 nurses"),
            ("add Note:this pillar:care", "Note:this"),
            (
                "add Read https://example.com/plan pillar:care",
                "Read https://example.com/plan",
            ),
            ("add Keep foo:\"a b\" pillar:care", "Keep foo:\"a b\""),
            (
                "add See <https://x.org|the plan> pillar:care",
                "See <https://x.org|the plan>",
            ),
            (
                "add Thank <@U1|Jane Doe> team pillar:care",
                "Thank <@U1|Jane Doe> team",
            ),
            ("add Done at 9:30 pillar:care", "Done at 9:30"),
        ];
        for (text, title) in cases {
            assert_eq!(
                goal(text),
                GoalCommand::Add(fields(title, "care")),
                "text {text:?}"
            );
        }
    }

    #[test]
    fn option_keys_and_subcommands_are_case_insensitive() {
        let expected = GoalFields {
            due: s("Q2"),
            ..fields("Title", "Care")
        };
        assert_eq!(
            goal("ADD Title PILLAR:Care Due:Q2"),
            GoalCommand::Add(expected)
        );
        let cases = [
            (
                "LIST ALL",
                GoalCommand::List {
                    scope: ListScope::All,
                    page: 1,
                },
            ),
            (
                "List Mine PAGE:2",
                GoalCommand::List {
                    scope: ListScope::Mine,
                    page: 2,
                },
            ),
            ("Show #3", GoalCommand::Show { id: "#3".into() }),
            ("EDIT 3", GoalCommand::Edit { id: "3".into() }),
            ("UpDate 3", GoalCommand::UpdateForm { id: "3".into() }),
            (
                "CLOSE 3 ACHIEVED",
                GoalCommand::Close {
                    id: "3".into(),
                    outcome: "achieved".into(),
                    note: None,
                },
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(goal(text), expected, "text {text:?}");
        }
        assert_eq!(align("STATUS"), AlignCommand::Status);
        assert_eq!(
            align("PILLAR ARCHIVE Care"),
            AlignCommand::PillarArchive { key: "Care".into() }
        );
        assert_eq!(
            align("Team Members nursing ADD <@U1>"),
            people("nursing", "members", Some("add"), &["U1"])
        );
        assert_eq!(
            align("Goals Kickoff TEAM:nursing"),
            AlignCommand::GoalsKickoff {
                team: "nursing".into()
            }
        );
    }

    #[test]
    fn a_known_option_given_twice_is_refused_by_name() {
        let cases = [
            ("add T pillar:a pillar:b", "`pillar:`", GOAL_ADD),
            ("add T pillar:a due:Q1 DUE:Q2", "`due:`", GOAL_ADD),
            ("propose T pillar:a team:x team:x", "`team:`", GOAL_PROPOSE),
            ("list all page:1 page:2", "`page:`", GOAL_LIST),
        ];
        for (text, option, line) in cases {
            let message = goal_usage(text);
            assert!(
                message.contains(option) && message.contains("twice"),
                "{text:?}: {message}"
            );
            assert!(message.contains(line), "{text:?}: {message}");
        }
        let message = align_usage("pillar edit care emoji::a: EMOJI::b:");
        assert!(
            message.contains("`emoji:`") && message.contains(ALIGN_PILLAR_EDIT),
            "{message}"
        );
        let message = align_usage("team add n N channel:<#C1> channel:<#C2>");
        assert!(
            message.contains("`channel:`") && message.contains(ALIGN_TEAM_ADD),
            "{message}"
        );
    }

    #[test]
    fn an_unclosed_quote_is_refused() {
        let message = goal_usage("add T pillar:a due:\"end of year");
        assert!(
            message.contains("never closed") && message.contains("`due:`"),
            "{message}"
        );
        assert!(message.contains(GOAL_ADD), "{message}");
        let message = align_usage("pillar edit care name:“Patient care");
        assert!(
            message.contains("never closed") && message.contains(ALIGN_PILLAR_EDIT),
            "{message}"
        );
    }

    #[test]
    fn text_glued_to_a_closing_quote_is_refused() {
        let message = goal_usage("add T pillar:a due:\"Q2\"x");
        assert!(
            message.contains("closing quote") && message.contains(GOAL_ADD),
            "{message}"
        );
    }

    #[test]
    fn an_option_without_a_value_is_refused() {
        for text in [
            "add T pillar: care",
            "add T pillar:",
            "add T pillar:\"\" x",
            "add T pillar:\" \"",
        ] {
            let message = goal_usage(text);
            assert!(
                message.contains("`pillar:` needs a value"),
                "{text:?}: {message}"
            );
            assert!(message.contains(GOAL_ADD), "{text:?}: {message}");
        }
    }

    #[test]
    fn owner_mentions_with_or_without_a_name_give_the_user_id() {
        let cases = [
            ("add T pillar:p owner:<@U123>", "U123"),
            ("add T pillar:p owner:<@U123|jane>", "U123"),
            ("add T pillar:p owner:<@W0ABC|Jane Doe>", "W0ABC"),
            ("add T pillar:p OWNER:\"<@U7|x>\"", "U7"),
        ];
        for (text, id) in cases {
            let expected = GoalFields {
                owner: s(id),
                ..fields("T", "p")
            };
            assert_eq!(goal(text), GoalCommand::Add(expected), "text {text:?}");
        }
    }

    #[test]
    fn an_owner_that_is_not_a_mention_asks_to_pick_the_person() {
        for (text, shown) in [
            ("add T pillar:p owner:@jane", "`@jane`"),
            ("add T pillar:p owner:jane", "`jane`"),
            // Echoed escaped: raw, `<#C1>` would be a channel link.
            ("add T pillar:p owner:<#C1>", "`&lt;#C1&gt;`"),
            ("add T pillar:p owner:<@>", "`&lt;@&gt;`"),
            ("propose T pillar:p owner:@jane", "`@jane`"),
        ] {
            let message = goal_usage(text);
            assert!(message.contains(shown), "{text:?}: {message}");
            assert!(message.contains("pick the person"), "{text:?}: {message}");
        }
    }

    #[test]
    fn update_reads_the_value_confidence_and_note() {
        let cases = [
            ("update 12", GoalCommand::UpdateForm { id: "12".into() }),
            (
                "update #12   ",
                GoalCommand::UpdateForm { id: "#12".into() },
            ),
            ("update #12 50%", update("#12", "50%", None, None)),
            (
                "update 12 40 on-track",
                update("12", "40", Some("on-track"), None),
            ),
            (
                "update 12 40 ON-TRACK",
                update("12", "40", Some("on-track"), None),
            ),
            (
                "update 12 40 At-Risk",
                update("12", "40", Some("at-risk"), None),
            ),
            (
                "update 12 40 off-track Vendor late",
                update("12", "40", Some("off-track"), Some("Vendor late")),
            ),
            (
                "update 12 40 on track",
                update("12", "40", Some("on-track"), None),
            ),
            (
                "update 12 40 At Risk short staffed",
                update("12", "40", Some("at-risk"), Some("short staffed")),
            ),
            (
                "update 12 40 off  track",
                update("12", "40", Some("off-track"), None),
            ),
            (
                "update 12 40 on time and happy",
                update("12", "40", None, Some("on time and happy")),
            ),
            (
                "update 12 40 Good month",
                update("12", "40", None, Some("Good month")),
            ),
            ("update 12 done", update("12", "done", None, None)),
            ("update 12 not done", update("12", "not done", None, None)),
            (
                "update 12 Not Done at-risk waiting",
                update("12", "Not Done", Some("at-risk"), Some("waiting")),
            ),
            (
                "update 12 not on-track",
                update("12", "not", Some("on-track"), None),
            ),
            (
                "update 12 $1.2M on-track",
                update("12", "$1.2M", Some("on-track"), None),
            ),
            (
                "update 12 60% on-track  First line\n\n  second  line  ",
                update(
                    "12",
                    "60%",
                    Some("on-track"),
                    Some("First line\n\n  second  line"),
                ),
            ),
            (
                "update 12 60% pillar:x \"quoted\" due:Q2",
                update("12", "60%", None, Some("pillar:x \"quoted\" due:Q2")),
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(goal(text), expected, "text {text:?}");
        }
    }

    #[test]
    fn update_with_a_confidence_but_no_value_is_refused() {
        for text in ["update 12 on-track", "update 12 at risk all good"] {
            let message = goal_usage(text);
            assert!(message.contains("value first"), "{text:?}: {message}");
            assert!(message.contains(GOAL_UPDATE), "{text:?}: {message}");
        }
    }

    #[test]
    fn list_reads_the_scope_and_page() {
        let list = |scope, page| GoalCommand::List { scope, page };
        let cases = [
            ("list", list(ListScope::Mine, 1)),
            ("list mine", list(ListScope::Mine, 1)),
            ("list all", list(ListScope::All, 1)),
            (
                "list team nursing",
                list(ListScope::Team("nursing".into()), 1),
            ),
            (
                "list team Nursing page:3",
                list(ListScope::Team("Nursing".into()), 3),
            ),
            ("list all page:2", list(ListScope::All, 2)),
            ("list page:4", list(ListScope::Mine, 4)),
            ("list page:2 all", list(ListScope::All, 2)),
        ];
        for (text, expected) in cases {
            assert_eq!(goal(text), expected, "text {text:?}");
        }
    }

    #[test]
    fn show_edit_and_close_read_the_raw_goal_id() {
        let close = |id: &str, outcome: &str, note: Option<&str>| GoalCommand::Close {
            id: id.into(),
            outcome: outcome.into(),
            note: note.map(Into::into),
        };
        let cases = [
            ("show 12", GoalCommand::Show { id: "12".into() }),
            ("show #12", GoalCommand::Show { id: "#12".into() }),
            ("show abc", GoalCommand::Show { id: "abc".into() }),
            ("edit #7", GoalCommand::Edit { id: "#7".into() }),
            ("close 12 achieved", close("12", "achieved", None)),
            ("close #12 Dropped", close("#12", "dropped", None)),
            (
                "close 12 dropped  Merged into #14.\nThanks all ",
                close("12", "dropped", Some("Merged into #14.\nThanks all")),
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(goal(text), expected, "text {text:?}");
        }
    }

    #[test]
    fn missing_or_wrong_goal_arguments_give_the_right_usage_line() {
        let cases = [
            ("add Title only", "pillar:<key>", GOAL_ADD),
            ("add pillar:care", "title", GOAL_ADD),
            ("add pillar:care due:Q2", "title", GOAL_ADD),
            ("propose Title only", "pillar:<key>", GOAL_PROPOSE),
            ("propose pillar:care", "title", GOAL_PROPOSE),
            ("update", "Which goal?", GOAL_UPDATE),
            ("list team", "Which team?", GOAL_LIST),
            ("list everything", "`everything`", GOAL_LIST),
            ("list all 2", "`all 2`", GOAL_LIST),
            ("list mine team x", "`mine team x`", GOAL_LIST),
            ("list team a b", "`team a b`", GOAL_LIST),
            ("list page:0", "`page:0`", GOAL_LIST),
            ("list page:two", "`page:two`", GOAL_LIST),
            ("list page:-1", "`page:-1`", GOAL_LIST),
            ("show", "Which goal?", GOAL_SHOW),
            ("show 1 2", "`2`", GOAL_SHOW),
            ("edit", "Which goal?", GOAL_EDIT),
            ("edit 1 title", "`title`", GOAL_EDIT),
            ("close", "Which goal?", GOAL_CLOSE),
            ("close 12", "`achieved` or `dropped`", GOAL_CLOSE),
            ("close 12 finished", "`finished`", GOAL_CLOSE),
        ];
        for (text, explanation, line) in cases {
            let message = goal_usage(text);
            assert!(message.contains(explanation), "{text:?}: {message}");
            assert!(message.contains("*Usage:*\n"), "{text:?}: {message}");
            assert!(message.contains(line), "{text:?}: {message}");
        }
    }

    #[test]
    fn usage_for_a_form_subcommand_also_shows_the_form_line() {
        let message = goal_usage("update");
        assert!(message.contains(GOAL_UPDATE_FORM) && message.contains(GOAL_UPDATE));
        let message = goal_usage("add Title");
        assert!(message.contains(GOAL_ADD_FORM) && message.contains(GOAL_ADD));
        assert!(!message.contains(GOAL_PROPOSE));
    }

    #[test]
    fn an_unknown_subcommand_gets_the_full_help() {
        let message = goal_usage("frobnicate 12");
        assert!(message.contains("`/goal frobnicate`"), "{message}");
        assert!(message.ends_with(goal_help()), "{message}");
        let message = align_usage("dance");
        assert!(message.contains("`/align dance`"), "{message}");
        assert!(message.ends_with(align_help()), "{message}");
    }

    #[test]
    fn non_ascii_titles_notes_and_names_survive_unchanged() {
        assert_eq!(
            goal("add Réduire l’attente aux urgences 🚑 pillar:soins due:“fin d’année”"),
            GoalCommand::Add(GoalFields {
                due: s("fin d’année"),
                ..fields("Réduire l’attente aux urgences 🚑", "soins")
            })
        );
        assert_eq!(
            goal("update 3 80% on-track Très bien — 患者さん 😊\nligne deux"),
            update(
                "3",
                "80%",
                Some("on-track"),
                Some("Très bien — 患者さん 😊\nligne deux")
            )
        );
        assert_eq!(
            goal("close 3 achieved Fertig ✅"),
            GoalCommand::Close {
                id: "3".into(),
                outcome: "achieved".into(),
                note: s("Fertig ✅"),
            }
        );
        assert_eq!(
            align("pillar add soins Soins aux patients ❤️ emoji:❤️"),
            AlignCommand::PillarAdd {
                key: "soins".into(),
                name: "Soins aux patients ❤️".into(),
                emoji: s("❤️"),
                description: None,
            }
        );
        assert_eq!(
            align("mission set Chaque patient repart en meilleure santé, et écouté. 🌱"),
            AlignCommand::MissionSet {
                mission: "Chaque patient repart en meilleure santé, et écouté. 🌱".into()
            }
        );
    }

    #[test]
    fn align_status_is_read() {
        assert_eq!(align("status"), AlignCommand::Status);
        assert_eq!(align("  status \n"), AlignCommand::Status);
    }

    #[test]
    fn pillar_commands_are_read() {
        let add = |key: &str, name: &str, emoji: Option<&str>, description: Option<&str>| {
            AlignCommand::PillarAdd {
                key: key.into(),
                name: name.into(),
                emoji: emoji.map(Into::into),
                description: description.map(Into::into),
            }
        };
        let edit = |name: Option<&str>, emoji: Option<&str>, description: Option<&str>| {
            AlignCommand::PillarEdit {
                key: "care".into(),
                name: name.map(Into::into),
                emoji: emoji.map(Into::into),
                description: description.map(Into::into),
            }
        };
        let cases = [
            (
                "pillar add care Patient care",
                add("care", "Patient care", None, None),
            ),
            (
                "pillar add care Patient care emoji::heart: description:\"Every patient, every time\"",
                add(
                    "care",
                    "Patient care",
                    Some(":heart:"),
                    Some("Every patient, every time"),
                ),
            ),
            (
                "pillar add care emoji::heart: Patient   care",
                add("care", "Patient care", Some(":heart:"), None),
            ),
            (
                "pillar add care name:“Patient care” description:“Heard, healthier”",
                add("care", "Patient care", None, Some("Heard, healthier")),
            ),
            (
                "pillar add care Ratio 3:1",
                add("care", "Ratio 3:1", None, None),
            ),
            (
                "pillar edit care name:\"Patient care\"",
                edit(Some("Patient care"), None, None),
            ),
            (
                "pillar edit care emoji::hospital:",
                edit(None, Some(":hospital:"), None),
            ),
            (
                "pillar edit care DESCRIPTION:\"New words\"",
                edit(None, None, Some("New words")),
            ),
            (
                "pillar edit care name:Care emoji::x: description:Short",
                edit(Some("Care"), Some(":x:"), Some("Short")),
            ),
            (
                "pillar archive care",
                AlignCommand::PillarArchive { key: "care".into() },
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(align(text), expected, "text {text:?}");
        }
    }

    #[test]
    fn mission_set_keeps_the_text_as_typed() {
        let cases = [
            (
                "mission set Every patient leaves healthier and heard.",
                "Every patient leaves healthier and heard.",
            ),
            (
                "mission SET  Every  patient\nleaves heard.  ",
                "Every  patient\nleaves heard.",
            ),
            (
                "mission set \"Every patient leaves heard.\"",
                "Every patient leaves heard.",
            ),
            (
                "mission set “Every patient leaves heard.”",
                "Every patient leaves heard.",
            ),
            (
                "mission set \"Heard\" is our \"word\"",
                "\"Heard\" is our \"word\"",
            ),
            ("mission set name:x is fine", "name:x is fine"),
        ];
        for (text, mission) in cases {
            assert_eq!(
                align(text),
                AlignCommand::MissionSet {
                    mission: mission.into()
                },
                "text {text:?}"
            );
        }
    }

    #[test]
    fn team_add_and_edit_read_names_and_channel_ids() {
        let add = |name: &str, channel: Option<&str>| AlignCommand::TeamAdd {
            key: "nursing".into(),
            name: name.into(),
            channel: channel.map(Into::into),
        };
        let edit = |name: Option<&str>, channel: Option<&str>| AlignCommand::TeamEdit {
            key: "nursing".into(),
            name: name.map(Into::into),
            channel: channel.map(Into::into),
        };
        let cases = [
            ("team add nursing Nursing", add("Nursing", None)),
            (
                "team add nursing Night nursing channel:<#C123|nursing>",
                add("Night nursing", Some("C123")),
            ),
            (
                "team add nursing channel:<#C123> Nursing",
                add("Nursing", Some("C123")),
            ),
            (
                "team add nursing name:\"Night nursing\"",
                add("Night nursing", None),
            ),
            (
                "team edit nursing name:\"Night nursing\"",
                edit(Some("Night nursing"), None),
            ),
            (
                "team edit nursing channel:<#C0NURSING>",
                edit(None, Some("C0NURSING")),
            ),
            (
                "team edit nursing Channel:<#C1|x> NAME:Nurses",
                edit(Some("Nurses"), Some("C1")),
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(align(text), expected, "text {text:?}");
        }
    }

    #[test]
    fn a_channel_that_is_not_a_link_asks_to_pick_the_channel() {
        for (text, line) in [
            ("team add nursing Nursing channel:#nursing", ALIGN_TEAM_ADD),
            ("team add nursing Nursing channel:C123", ALIGN_TEAM_ADD),
            ("team edit nursing channel:<@U1>", ALIGN_TEAM_EDIT),
        ] {
            let message = align_usage(text);
            assert!(message.contains("pick the channel"), "{text:?}: {message}");
            assert!(message.contains(line), "{text:?}: {message}");
        }
    }

    #[test]
    fn team_leaders_and_members_read_the_action_and_people() {
        let cases = [
            (
                "team leaders nursing",
                people("nursing", "leaders", None, &[]),
            ),
            (
                "team MEMBERS nursing",
                people("nursing", "members", None, &[]),
            ),
            (
                "team members nursing add <@U1> <@U2|x>",
                people("nursing", "members", Some("add"), &["U1", "U2"]),
            ),
            (
                "team leaders nursing remove <@U3>",
                people("nursing", "leaders", Some("remove"), &["U3"]),
            ),
            (
                "team members nursing add <@U1|Jane Doe>, <@U2>,<@U1>",
                people("nursing", "members", Some("add"), &["U1", "U2"]),
            ),
            (
                "team members nursing add <@U1|Doe, Jane>,<@U2|x>,",
                people("nursing", "members", Some("add"), &["U1", "U2"]),
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(align(text), expected, "text {text:?}");
        }
    }

    #[test]
    fn team_people_problems_give_the_people_usage() {
        let cases = [
            ("team leaders", "Which team?"),
            ("team members nursing add", "Say who to add"),
            ("team leaders nursing remove ,", "Say who to remove"),
            ("team members nursing invite <@U1>", "`invite`"),
            ("team members nursing add @jane", "`@jane`"),
            ("team members nursing add <@U1> bob", "`bob`"),
            ("team members nursing add <@U1>x", "`x`"),
        ];
        for (text, explanation) in cases {
            let message = align_usage(text);
            assert!(message.contains(explanation), "{text:?}: {message}");
            assert!(
                message.contains(ALIGN_TEAM_PEOPLE) && message.contains(ALIGN_TEAM_PEOPLE_FORM),
                "{text:?}: {message}"
            );
        }
    }

    #[test]
    fn goals_kickoff_needs_a_team_option() {
        assert_eq!(
            align("goals kickoff team:nursing"),
            AlignCommand::GoalsKickoff {
                team: "nursing".into()
            }
        );
        let cases = [
            ("goals", "Say what to do"),
            ("goals start team:x", "`goals start`"),
            ("goals kickoff", "`team:<key>`"),
            ("goals kickoff nursing", "`team:nursing`"),
        ];
        for (text, explanation) in cases {
            let message = align_usage(text);
            assert!(message.contains(explanation), "{text:?}: {message}");
            assert!(message.contains(ALIGN_KICKOFF), "{text:?}: {message}");
        }
    }

    #[test]
    fn missing_or_wrong_align_arguments_give_the_right_usage_lines() {
        let cases: &[(&str, &str, &[&str])] = &[
            ("status now", "`now`", &[ALIGN_STATUS]),
            ("pillar", "Say what to do", PILLAR_LINES),
            ("pillar rename care", "`pillar rename`", PILLAR_LINES),
            ("pillar add", "key and a name", &[ALIGN_PILLAR_ADD]),
            ("pillar add care", "name after its key", &[ALIGN_PILLAR_ADD]),
            (
                "pillar add care emoji::x:",
                "name after its key",
                &[ALIGN_PILLAR_ADD],
            ),
            (
                "pillar add care Care name:Other",
                "not both",
                &[ALIGN_PILLAR_ADD],
            ),
            ("pillar edit", "Which pillar?", &[ALIGN_PILLAR_EDIT]),
            ("pillar edit care", "what to change", &[ALIGN_PILLAR_EDIT]),
            (
                "pillar edit care Patient care",
                "`Patient care`",
                &[ALIGN_PILLAR_EDIT],
            ),
            ("pillar archive", "Which pillar?", &[ALIGN_PILLAR_ARCHIVE]),
            ("pillar archive care now", "`now`", &[ALIGN_PILLAR_ARCHIVE]),
            ("mission", "Say what to do", &[ALIGN_MISSION]),
            ("mission show", "`mission show`", &[ALIGN_MISSION]),
            ("mission set", "Write the mission", &[ALIGN_MISSION]),
            ("mission set \"\"", "Write the mission", &[ALIGN_MISSION]),
            ("team", "Say what to do", TEAM_LINES),
            ("team delete nursing", "`team delete`", TEAM_LINES),
            ("team add", "key and a name", &[ALIGN_TEAM_ADD]),
            ("team add nursing", "name after its key", &[ALIGN_TEAM_ADD]),
            ("team edit", "Which team?", &[ALIGN_TEAM_EDIT]),
            ("team edit nursing", "what to change", &[ALIGN_TEAM_EDIT]),
            (
                "team edit nursing Night nurses",
                "`Night nurses`",
                &[ALIGN_TEAM_EDIT],
            ),
        ];
        for (text, explanation, lines) in cases {
            let message = align_usage(text);
            assert!(message.contains(explanation), "{text:?}: {message}");
            for line in *lines {
                assert!(message.contains(line), "{text:?} lacks {line}: {message}");
            }
        }
    }

    #[test]
    fn help_lists_every_form_as_code() {
        for (forms, help) in [(GOAL_FORMS, goal_help()), (ALIGN_FORMS, align_help())] {
            for (line, what) in forms {
                assert!(line.starts_with('`') && line.ends_with('`'), "{line}");
                assert!(
                    help.contains(&format!("• {line} — {what}")),
                    "{line} missing:\n{help}"
                );
            }
        }
        let goal_lines = [
            GOAL_ADD_FORM,
            GOAL_ADD,
            GOAL_PROPOSE_FORM,
            GOAL_PROPOSE,
            GOAL_UPDATE_FORM,
            GOAL_UPDATE,
            GOAL_LIST,
            GOAL_SHOW,
            GOAL_EDIT,
            GOAL_CLOSE,
        ];
        assert!(goal_lines.iter().all(|line| goal_help().contains(line)));
        assert!(
            PILLAR_LINES
                .iter()
                .chain(TEAM_LINES)
                .all(|line| align_help().contains(line))
        );
        assert!(align_help().contains(ALIGN_MISSION) && align_help().contains(ALIGN_KICKOFF));
    }

    #[test]
    fn usage_is_an_error_that_displays_its_message() {
        let error: Box<dyn std::error::Error> = Box::new(Usage("Try `/goal help`.".into()));
        assert_eq!(error.to_string(), "Try `/goal help`.");
        let message = goal_usage("show");
        assert!(message.starts_with(WHICH_GOAL), "{message}");
        assert!(
            message.ends_with(&format!("*Usage:*\n{GOAL_SHOW}")),
            "{message}"
        );
    }

    #[test]
    fn backticks_typed_by_a_person_do_not_break_the_code_span() {
        let message = goal_usage("close 1 `oops`");
        assert!(message.contains("`'oops'`"), "{message}");
    }
}
