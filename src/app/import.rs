//! `alignbot import goals <file.csv> --as <person>`: many goals at once,
//! all or nothing.
//!
//! Every row is validated first, with the same rules as `/goal add`
//! (title, pillar exists and is active, team exists, owner is a user id,
//! numbers, units and due dates parse, and the `--as` person may add a goal
//! for that team), and every problem is reported with the file's line
//! number. Only when no row has a problem are the goals created, in one
//! transaction, each with its `add` entry in the plan history naming the
//! `--as` person, the same way `/goal add` records it. Nothing is posted in
//! Slack; the owners' App Home tabs are refreshed (through the outbox) the
//! next time `serve` delivers.
//!
//! The columns are the export's `goals.csv` columns that define a goal; the
//! ones that describe its state (id, progress, status, …) are accepted and
//! ignored, so an export's `goals.csv` imports as new, active goals.

use super::goals::{GoalInput, current_year};
use super::outgoing::{Outgoing, enqueue};
use super::permissions::Actor;
use super::{AppContext, AppError};
use crate::domain::goal::{GoalId, GoalKind, NewGoal, PlanYear, Quantity, Unit};
use crate::domain::{Directory, PersonId};
use crate::export::formula::unguard;
use crate::store::{StoreError, goals};
use std::collections::{BTreeSet, HashMap};
use std::fmt;

/// Columns a goal is created from.
pub const COLUMNS: [&str; 10] = [
    "title", "pillar", "team", "owner", "kind", "start", "target", "unit", "due", "year",
];
/// Columns every file must have.
pub const REQUIRED: [&str; 2] = ["title", "pillar"];
/// Columns of an export's `goals.csv` that describe a goal's state, not its
/// definition: accepted and ignored.
pub const IGNORED: [&str; 9] = [
    "id",
    "current",
    "progress_percent",
    "confidence",
    "status",
    "created_by",
    "created_at",
    "closed_at",
    "closed_note",
];

/// One problem, at a line of the file (the header is line 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub line: u64,
    pub message: String,
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file has problems; `errors` lists every one, in file order.
    #[error("{} problem(s) in the file; nothing was imported", errors.len())]
    Invalid { errors: Vec<LineError> },
    #[error("{0} can add no goals: only admins and team leaders can (`--as` names who adds them)")]
    NotAllowed(PersonId),
    #[error(transparent)]
    App(#[from] AppError),
}

impl From<StoreError> for ImportError {
    fn from(e: StoreError) -> Self {
        ImportError::App(e.into())
    }
}

/// Goals created, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportSummary {
    pub ids: Vec<GoalId>,
}

/// A value with the `unit` column applied when the value has no unit of
/// its own: `45` + `min` → `45 min`, `30` + `%` → `30%`, `5` + `$` → `5$`.
fn with_unit(value: &str, unit: Option<&str>, column: &str) -> Result<String, String> {
    let Some(unit) = unit else {
        return Ok(value.to_owned());
    };
    let joined = |v: &str| {
        if unit == "%" || unit.chars().count() == 1 && !unit.chars().all(char::is_alphabetic) {
            format!("{v}{unit}")
        } else {
            format!("{v} {unit}")
        }
    };
    let wanted = Quantity::parse(&joined("0"))
        .map_err(|_| {
            format!("unit `{unit}` can't be read: use %, $, €, £ or one word like min or days")
        })?
        .unit;
    let own = Quantity::parse(value)
        .map_err(|e| format!("{column}: {e}"))?
        .unit;
    let same = |a: &Unit, b: &Unit| match (a, b) {
        (Unit::Suffix(a), Unit::Suffix(b)) => a.to_lowercase() == b.to_lowercase(),
        _ => a == b,
    };
    match own {
        Unit::None => Ok(joined(value)),
        own if same(&own, &wanted) => Ok(value.to_owned()),
        _ => Err(format!(
            "{column} `{value}` has its own unit, which is not the unit column's `{unit}`"
        )),
    }
}

fn kind_name(kind: &GoalKind) -> &'static str {
    match kind {
        GoalKind::Numeric { .. } => "numeric",
        GoalKind::Percent => "percent",
        GoalKind::Milestone => "milestone",
    }
}

/// The columns of the header, or every problem with it.
fn columns(header: &csv::StringRecord) -> Result<HashMap<String, usize>, Vec<LineError>> {
    let at_header = |message: String| LineError { line: 1, message };
    let names: Vec<String> = header
        .iter()
        .enumerate()
        .map(|(i, h)| {
            // A spreadsheet's "CSV UTF-8" starts with a byte order mark.
            let h = if i == 0 {
                h.trim_start_matches('\u{feff}')
            } else {
                h
            };
            h.trim().to_lowercase()
        })
        .collect();
    if names.iter().all(String::is_empty) {
        return Err(vec![at_header(format!(
            "the file is empty; its first line must name the columns, at least {}",
            REQUIRED.join(",")
        ))]);
    }
    let mut errors = Vec::new();
    let mut index = HashMap::new();
    let mut unknown = Vec::new();
    for (i, name) in names.iter().enumerate() {
        if !COLUMNS.contains(&name.as_str()) && !IGNORED.contains(&name.as_str()) {
            unknown.push(format!("\"{name}\""));
        } else if index.insert(name.clone(), i).is_some() {
            errors.push(at_header(format!("the column \"{name}\" appears twice")));
        }
    }
    if !unknown.is_empty() {
        errors.push(at_header(format!(
            "unknown column(s) {}; the columns are {} (and an export's {}, which are ignored)",
            unknown.join(", "),
            COLUMNS.join(","),
            IGNORED.join(",")
        )));
    }
    let missing: Vec<&str> = REQUIRED
        .into_iter()
        .filter(|c| !index.contains_key(*c))
        .collect();
    if !missing.is_empty() {
        errors.push(at_header(format!(
            "the required column(s) {} are missing",
            missing.join(",")
        )));
    }
    if errors.is_empty() {
        Ok(index)
    } else {
        Err(errors)
    }
}

/// Reads and validates every row of a goals CSV; nothing is written.
/// Returns each goal with its line, or every problem found.
pub fn parse_goals(
    source: impl std::io::Read,
    actor: &PersonId,
    dir: &Directory,
    this_year: PlanYear,
) -> Result<Vec<(u64, NewGoal)>, ImportError> {
    let invalid = |errors| ImportError::Invalid { errors };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(source);
    let header = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            return Err(invalid(vec![LineError {
                line: 1,
                message: read_problem(&e),
            }]));
        }
    };
    let index = columns(&header).map_err(invalid)?;
    let mut goals = Vec::new();
    let mut errors = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                let fatal = matches!(e.kind(), csv::ErrorKind::Io(_));
                errors.push(LineError {
                    line,
                    message: read_problem(&e),
                });
                if fatal {
                    break;
                }
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        // A row of empty cells (a spreadsheet's trailing rows) is no goal.
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if record.len() != header.len() {
            errors.push(LineError {
                line,
                message: format!(
                    "{} fields, but the header names {} columns",
                    record.len(),
                    header.len()
                ),
            });
            continue;
        }
        match parse_row(&record, &index, actor, dir, this_year) {
            Ok(goal) => goals.push((line, goal)),
            Err(messages) => errors.extend(
                messages
                    .into_iter()
                    .map(|message| LineError { line, message }),
            ),
        }
    }
    if !errors.is_empty() {
        return Err(invalid(errors));
    }
    if goals.is_empty() {
        return Err(invalid(vec![LineError {
            line: 2,
            message: "the file has a header but no goals".to_owned(),
        }]));
    }
    Ok(goals)
}

fn read_problem(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Utf8 { .. } => {
            "is not UTF-8 text; save the file as \"CSV UTF-8\"".to_owned()
        }
        csv::ErrorKind::Io(e) => format!("cannot be read: {e}"),
        _ => format!("cannot be read as CSV: {e}"),
    }
}

/// One row as a goal, or every independent problem with it.
fn parse_row(
    record: &csv::StringRecord,
    index: &HashMap<String, usize>,
    actor: &PersonId,
    dir: &Directory,
    this_year: PlanYear,
) -> Result<NewGoal, Vec<String>> {
    let cell = |name: &str| {
        index
            .get(name)
            .and_then(|&i| record.get(i))
            .map(unguard)
            .map(str::trim)
            .filter(|s| !s.is_empty())
    };
    let mut problems = Vec::new();
    let owner = match cell("owner").map(PersonId::parse) {
        Some(Ok(owner)) => Some(owner),
        Some(Err(e)) => {
            problems.push(format!("owner: {e}"));
            None
        }
        None => None,
    };
    let unit = cell("unit");
    let mut measure_ok = true;
    let mut measured = |column: &str| {
        cell(column).and_then(|value| match with_unit(value, unit, column) {
            Ok(v) => Some(v),
            Err(message) => {
                problems.push(message);
                measure_ok = false;
                None
            }
        })
    };
    let (start, target) = (measured("start"), measured("target"));
    let mut input = GoalInput {
        title: cell("title").unwrap_or_default().to_owned(),
        pillar: cell("pillar").map(str::to_owned),
        target,
        start,
        due: cell("due").map(str::to_owned),
        team: cell("team").map(str::to_owned),
        owner,
        year: cell("year").map(str::to_owned),
    };
    if !problems.is_empty() {
        // The owner or the measure is already wrong; still report the rest
        // (without the measure when that is what failed).
        if !measure_ok {
            (input.start, input.target) = (None, None);
        }
        if let Err(e) = input.validate(actor, dir, this_year) {
            problems.push(e.to_string());
        }
        return Err(problems);
    }
    let goal = input
        .validate(actor, dir, this_year)
        .map_err(|e| vec![e.to_string()])?;
    if let Some(kind) = cell("kind").map(str::to_lowercase)
        && kind != kind_name(&goal.kind)
    {
        problems.push(format!(
            "kind is \"{kind}\", but start/target/unit make a {} goal",
            kind_name(&goal.kind)
        ));
    }
    if !Actor::new(dir, actor).may_add_goal(goal.team.as_ref()) {
        problems.push(match &goal.team {
            Some(team) => format!(
                "{actor} may not add goals for the team {team}: admins and that team's leaders can"
            ),
            None => format!("{actor} may not add goals without a team: admins can"),
        });
    }
    if problems.is_empty() {
        Ok(goal)
    } else {
        Err(problems)
    }
}

/// Validates the whole file, then creates every goal in one transaction.
/// `name` is how the file is named in the plan history.
#[tracing::instrument(skip_all, fields(%actor, %name))]
pub async fn import_goals(
    ctx: &AppContext,
    actor: PersonId,
    name: &str,
    source: impl std::io::Read,
) -> Result<ImportSummary, ImportError> {
    let dir = ctx.directory();
    if !Actor::new(&dir, &actor).may_import_goals() {
        return Err(ImportError::NotAllowed(actor));
    }
    let goals = parse_goals(source, &actor, &dir, current_year(ctx))?;
    let now = ctx.clock.now();
    let name = name.to_owned();
    let ids = ctx
        .store
        .write(move |conn| {
            Box::pin(async move {
                let mut ids = Vec::with_capacity(goals.len());
                let mut owners = BTreeSet::new();
                for (line, goal) in &goals {
                    let id = goals::insert(conn, goal, &actor, None, now).await?;
                    let detail = format!(
                        "imported “{}” under {} ({name} line {line})",
                        goal.title.as_str(),
                        goal.pillar
                    );
                    goals::log_change(conn, &actor, &format!("goal:{}", id.0), "add", &detail, now)
                        .await?;
                    owners.insert(goal.owner.clone());
                    ids.push(id);
                }
                for person in owners {
                    enqueue(conn, &Outgoing::PublishHome { person }, now).await?;
                }
                Ok(ids)
            })
        })
        .await?;
    ctx.wake_delivery();
    Ok(ImportSummary { ids })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_unit_column_applies_to_bare_numbers_only() {
        assert_eq!(with_unit("45", Some("min"), "start").unwrap(), "45 min");
        assert_eq!(with_unit("30", Some("%"), "target").unwrap(), "30%");
        assert_eq!(
            with_unit("1200000", Some("$"), "target").unwrap(),
            "1200000$"
        );
        assert_eq!(with_unit("-5", Some("€"), "target").unwrap(), "-5€");
        assert_eq!(with_unit("30min", Some("MIN"), "target").unwrap(), "30min");
        assert_eq!(with_unit("30min", None, "target").unwrap(), "30min");
        assert!(with_unit("30min", Some("days"), "target").is_err());
        assert!(with_unit("30", Some("two words"), "target").is_err());
    }

    #[test]
    fn exported_measures_make_the_same_kind_again() {
        for (start, target, unit, kind) in [
            ("45", "30", "min", "numeric"),
            ("0", "100", "%", "percent"),
            ("0", "1200000", "$", "numeric"),
            ("2.5", "-1.25", "", "numeric"),
        ] {
            let unit = Some(unit).filter(|u| !u.is_empty());
            let made = GoalKind::from_input(
                Some(&with_unit(start, unit, "start").unwrap()),
                Some(&with_unit(target, unit, "target").unwrap()),
            )
            .unwrap();
            assert_eq!(kind_name(&made), kind, "{start} {target} {unit:?}");
        }
    }
}
