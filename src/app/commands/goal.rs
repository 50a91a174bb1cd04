//! `/goal` text: what a person typed, read into a [`GoalCommand`].
//!
//! Parsing is pure and keeps values as the raw strings typed: numbers, dates,
//! pillar and team keys are validated later by the domain; an owner is kept
//! as the plain person id of its mention. Anything malformed is a [`Usage`]:
//! a short, friendly explanation followed by the usage line(s) of that
//! subcommand, in markdown, for the caller to show privately. The words are
//! split by the rules in [`super::tokenizer`].

use super::Usage;
use super::tokenizer::{
    code, help_text, nothing_more, person, split_first, tokenize, unknown, usage,
};
use crate::domain::goal::GoalOutcome;
use std::sync::LazyLock;

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
    /// `/goal list [mine|team <key>|all] [page:<n>] [year:<yyyy>]`.
    List {
        scope: ListScope,
        page: u32,
        year: Option<String>,
    },
    /// `/goal show <id>`.
    Show { id: String },
    /// `/goal close <id> achieved|dropped|not-met|carried-over [note…]`;
    /// the outcome normalized to one of those words (`met`, `not met`,
    /// `carried over` are read too).
    Close {
        id: String,
        outcome: String,
        note: Option<String>,
    },
    /// `/goal edit <id>`.
    Edit { id: String },
}

pub(super) const GOAL_HELP: &str = "`/goal help`";
pub(super) const GOAL_ADD_FORM: &str = "`/goal add`";
pub(super) const GOAL_ADD: &str = "`/goal add <title> pillar:<key> [target:<n>[unit]] [start:<n>[unit]] [due:<date>] [team:<key>] [owner:@person] [year:<yyyy>]`";
pub(super) const GOAL_PROPOSE_FORM: &str = "`/goal propose`";
pub(super) const GOAL_PROPOSE: &str = "`/goal propose <title> pillar:<key> [target:<n>[unit]] [start:<n>[unit]] [due:<date>] [team:<key>] [owner:@person] [year:<yyyy>]`";
pub(super) const GOAL_UPDATE_FORM: &str = "`/goal update <id>`";
pub(super) const GOAL_UPDATE: &str =
    "`/goal update <id> <value or n%> [on-track|at-risk|off-track] [note…]`";
pub(super) const GOAL_LIST: &str = "`/goal list [mine|team <key>|all] [page:<n>] [year:<yyyy>]`";
pub(super) const GOAL_SHOW: &str = "`/goal show <id>`";
pub(super) const GOAL_EDIT: &str = "`/goal edit <id>`";
pub(super) const GOAL_CLOSE: &str =
    "`/goal close <id> achieved|dropped|not-met|carried-over [note…]`";

pub(super) const GOAL_FORMS: &[(&str, &str)] = &[
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
    (
        GOAL_CLOSE,
        "close a goal: achieved (met), dropped, not met, or carried over into next year",
    ),
];

const GOAL_NOTES: &str = "Goal ids look like `12` or `#12`. Targets: `target:30min`, `target:$1.2M`, `target:100%`. \
Dates: `due:2026-06-30`, `due:2026-06`, `due:Q2` or `due:\"end of year\"`. \
Put values with spaces in quotes, and pick the owner from Slack's list as you type `@`.";

/// The subcommands, for "did you mean …?".
const GOAL_SUBCOMMANDS: &[&str] = &[
    "help", "add", "propose", "update", "list", "show", "edit", "close",
];
const GOAL_KEYS: &[&str] = &["pillar", "target", "start", "due", "team", "owner", "year"];
const CONFIDENCES: [&str; 3] = ["on-track", "at-risk", "off-track"];
const OUTCOME_WORDS: &str = "`achieved`, `dropped`, `not-met` or `carried-over`";
pub(super) const WHICH_GOAL: &str = "Which goal? Give its number, like `12` or `#12`.";

static GOAL_HELP_TEXT: LazyLock<String> =
    LazyLock::new(|| help_text("*`/goal`: goals and check-ins*", GOAL_FORMS, GOAL_NOTES));

/// Usage text for `/goal help` (mrkdwn): every form with a one-line note.
pub fn goal_help() -> &'static str {
    &GOAL_HELP_TEXT
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
        _ => Err(unknown("/goal", sub, goal_help(), GOAL_SUBCOMMANDS)),
    }
}

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
    let mut tokens = tokenize(rest, &["page", "year"]).map_err(fail)?;
    let page = tokens.take("page").map_or(Ok(1), |p| page_number(&p));
    let page = page.map_err(fail)?;
    let year = tokens.take("year");
    let scope = list_scope(&tokens.words).map_err(fail)?;
    Ok(GoalCommand::List { scope, page, year })
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
    let (first, after_first) = split_first(rest);
    if first.is_empty() {
        return Err(fail(format!("Say how the goal ended: {}.", OUTCOME_WORDS)));
    }
    // Two-word forms first: `not met`, `carried over`.
    let (second, after_second) = split_first(after_first);
    let (outcome, rest) = match GoalOutcome::parse(&format!("{first} {second}")) {
        Some(o) if !second.is_empty() => (Some(o), after_second),
        _ => (GoalOutcome::parse(first), after_first),
    };
    match outcome {
        Some(o) if o != GoalOutcome::NotReported => Ok(GoalCommand::Close {
            id: id.to_owned(),
            outcome: o.as_str().to_owned(),
            note: note(rest),
        }),
        _ => Err(fail(format!(
            "{} isn't an outcome I know: say {}.",
            code(first),
            OUTCOME_WORDS
        ))),
    }
}

fn only_goal_id(rest: &str, line: &str) -> Result<String, Usage> {
    let (id, extra) = split_first(rest);
    if id.is_empty() {
        return Err(usage(WHICH_GOAL, &[line]));
    }
    nothing_more(extra, line)?;
    Ok(id.to_owned())
}
