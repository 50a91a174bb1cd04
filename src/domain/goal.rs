//! Annual goals: what teams commit to under a strategic pillar, and how they
//! report progress on it.
//!
//! Every goal hangs under a pillar (the pillar itself lives in `org`); this
//! module holds what a goal is made of: its title, how it is measured, when
//! it is due and the check-ins its owner posts each month.
//!
//! Progress is always computed along the line from `start` to `target`, never
//! as `current / target`. That single rule makes "lower is better" goals
//! ("cut wait times from 45 to 30 min") work without a special case, and it
//! gives credit only for movement from where the team began.
//!
//! Numbers are parsed strictly because they are typed into a chat box and
//! then drive every report: a lenient parser that reads `12,34` as 1234 or
//! `1e5` as 100000 would quietly put a wrong number on a leader's dashboard.
//! Refusing with a message that shows the accepted forms costs one retype.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Why goal input was refused. Each message is read by the person who typed
/// the value, so it names what was wrong and shows the forms that work.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GoalError {
    #[error("`{raw}` is not a goal number. Use the number shown on the goal, like #12 or 12.")]
    BadGoalId { raw: String },
    #[error("The goal title is empty. Write a short title, like \"Cut ER wait times to 30 min\".")]
    EmptyTitle,
    #[error(
        "The goal title is {len} characters long; the limit is {max}. Shorten it: the details can go in the notes of its check-ins."
    )]
    TitleTooLong { len: usize, max: usize },
    #[error(
        "The goal title must be one line of plain text, without line breaks, tabs or unreadable characters. Retype it on a single line."
    )]
    TitleNotPlainText,
    #[error("The note is empty. Write a sentence or two, or leave the note out.")]
    EmptyNote,
    #[error("The note is {len} characters long; the limit is {max}. Please shorten it.")]
    NoteTooLong { len: usize, max: usize },
    #[error(
        "The note contains tabs, control or unreadable characters. Use plain text; line breaks are fine."
    )]
    NoteNotPlainText,
    #[error("A number is missing. Use forms like 30, 30min, 45.5%, $1.2M.")]
    MissingNumber,
    #[error("`{raw}` is not a number. Use forms like 30, 30min, 45.5%, $1.2M.")]
    BadNumber { raw: String },
    #[error(
        "`{raw}` has a unit that can't be read. A unit is one word of up to 12 letters after the number, like 30 min or 12 days; or use %, $, € or £."
    )]
    BadUnit { raw: String },
    #[error(
        "`{raw}` has more than 15 significant digits. Round it, or use forms like 30, 1.2M or $800k."
    )]
    TooPrecise { raw: String },
    #[error(
        "`{raw}` is too large: numbers up to 1,000,000,000,000,000 in size are accepted. Use forms like 30, 1.2M or $5B."
    )]
    TooLarge { raw: String },
    #[error(
        "A start needs a target. Add a target like target:30min, or leave both out for a done/not-done milestone."
    )]
    StartWithoutTarget,
    #[error(
        "The start is in {start} but the target is in {target}. Use the same unit for both, like start:45min target:30min, or leave the unit off the start."
    )]
    UnitMismatch { start: String, target: String },
    #[error(
        "The start and the target are the same ({value}). Give a target different from where you start, like start:45min target:30min."
    )]
    SameStartAndTarget { value: String },
    #[error("`{raw}` doesn't fit this goal. It takes {accepts}.")]
    WrongValue { raw: String, accepts: String },
    #[error(
        "`{raw}` is outside 0–100%. This goal takes a percentage from 0 to 100, like 45 or 45%."
    )]
    PercentOutOfRange { raw: String },
    #[error(
        "`{raw}` is not a plan year. Use a year from 2000 to 2100, like 2027 (or 2026/27 for a year that runs from July 2026 to June 2027)."
    )]
    BadYear { raw: String },
    #[error(
        "The due date is missing. Use forms like 2027-03-15, 2027-03 (end of March), Q2, Q2 2027 or end of year."
    )]
    MissingDue,
    #[error(
        "`{raw}` is not a due date. Use forms like 2027-03-15, 2027-03 (end of March), Q2, Q2 2027 or end of year."
    )]
    BadDue { raw: String },
    #[error(
        "`{raw}` is not a real calendar date. Check the month and day, or use forms like 2027-03-15, 2027-03 (end of March), Q2 or end of year."
    )]
    ImpossibleDate { raw: String },
    #[error(
        "`{raw}` is outside the years goals can be planned for (2000 to 2100). Use forms like 2027-03-15, 2027-03, Q2 2027 or end of year."
    )]
    DueOutOfRange { raw: String },
}

/// Input echoed back in a message: trimmed, shortened, and without backticks
/// so it cannot break out of the code span it is shown in.
pub(super) fn shown(raw: &str) -> String {
    const MAX: usize = 40;
    let text = raw.trim().replace('`', "'");
    if text.chars().count() <= MAX {
        return text;
    }
    let mut cut: String = text.chars().take(MAX).collect();
    cut.push('…');
    cut
}

/// Lowercased, with runs of whitespace collapsed to one space, so that
/// keywords match however they were typed.
fn normalize_words(raw: &str) -> String {
    raw.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// A goal's number as people quote it in chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct GoalId(pub i64);

impl GoalId {
    /// Accepts the `#12` that [`GoalId`]'s `Display` shows as well as a bare `12`,
    /// because people copy whichever they see.
    pub fn parse(raw: &str) -> Result<GoalId, GoalError> {
        let text = raw.trim();
        let digits = text.strip_prefix('#').unwrap_or(text);
        let bad = || GoalError::BadGoalId { raw: shown(raw) };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        match digits.parse::<i64>() {
            Ok(n) if n > 0 => Ok(GoalId(n)),
            _ => Err(bad()),
        }
    }
}

impl fmt::Display for GoalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// A goal's title: one line, short enough to read in a list.
///
/// Why 150 characters: a title is shown in lists, the home tab and reports,
/// where longer text wraps badly; the details belong in a note.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct GoalTitle(String);

impl GoalTitle {
    pub const MAX_CHARS: usize = 150;

    pub fn parse(raw: &str) -> Result<GoalTitle, GoalError> {
        let text = raw.trim();
        if text.is_empty() {
            return Err(GoalError::EmptyTitle);
        }
        if text.chars().any(|c| c.is_control() || c == '\u{FFFD}') {
            return Err(GoalError::TitleNotPlainText);
        }
        let len = text.chars().count();
        if len > Self::MAX_CHARS {
            return Err(GoalError::TitleTooLong {
                len,
                max: Self::MAX_CHARS,
            });
        }
        Ok(GoalTitle(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for GoalTitle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for GoalTitle {
    type Error = GoalError;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

impl From<GoalTitle> for String {
    fn from(title: GoalTitle) -> String {
        title.0
    }
}

/// Free text beside a check-in, a closing or a decision.
///
/// Never empty: "no note" is `Option<Note>`, so a stored empty string can
/// never be mistaken for something someone wrote. Why 2,000 characters: a
/// note should fit in one Slack message next to the goal it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Note(String);

impl Note {
    pub const MAX_CHARS: usize = 2000;

    pub fn parse(raw: &str) -> Result<Note, GoalError> {
        // Carriage returns come from some clients' line endings, not from the writer.
        let text = raw.replace("\r\n", "\n").replace('\r', "\n");
        let text = text.trim();
        if text.is_empty() {
            return Err(GoalError::EmptyNote);
        }
        if text
            .chars()
            .any(|c| (c.is_control() && c != '\n') || c == '\u{FFFD}')
        {
            return Err(GoalError::NoteNotPlainText);
        }
        let len = text.chars().count();
        if len > Self::MAX_CHARS {
            return Err(GoalError::NoteTooLong {
                len,
                max: Self::MAX_CHARS,
            });
        }
        Ok(Note(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Note {
    type Error = GoalError;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

impl From<Note> for String {
    fn from(note: Note) -> String {
        note.0
    }
}

/// What a number counts, kept as the person wrote it so it can be shown back
/// the same way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    None,
    Percent,
    /// One of `$`, `€`, `£`.
    Currency(String),
    /// One word of letters, at most 12: `min`, `days`, `pts`.
    Suffix(String),
}

const CURRENCIES: [char; 3] = ['$', '€', '£'];
const MAX_SUFFIX_CHARS: usize = 12;

impl Unit {
    /// Whether a value in `other` may be compared with this unit. Words are
    /// compared without case because `30 Min` and `30 min` mean the same.
    fn agrees_with(&self, other: &Unit) -> bool {
        match (self, other) {
            (Unit::Suffix(a), Unit::Suffix(b)) => a.to_lowercase() == b.to_lowercase(),
            _ => self == other,
        }
    }

    /// The unit's name inside a sentence.
    fn describe(&self) -> String {
        match self {
            Unit::None => "plain numbers".to_owned(),
            Unit::Percent => "%".to_owned(),
            Unit::Currency(c) | Unit::Suffix(c) => c.clone(),
        }
    }
}

/// A number as people write it, with its unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quantity {
    pub value: f64,
    pub unit: Unit,
}

/// Why 15: an `f64` holds 15 significant decimal digits exactly, so every
/// accepted number is stored as it was typed.
const MAX_SIGNIFICANT_DIGITS: usize = 15;
const MAX_ABS_VALUE: f64 = 1e15;

impl Quantity {
    /// Reads `[-][currency]number[multiplier][unit]`, where number is digits,
    /// optionally grouped by commas in threes, optionally with a decimal part;
    /// the multiplier (`k`/`K`, `M`, `B`/`bn`) must touch the number; the unit
    /// is `%`, a trailing currency symbol or one word. Anything else is refused.
    pub fn parse(raw: &str) -> Result<Quantity, GoalError> {
        let text = raw.trim();
        if text.is_empty() {
            return Err(GoalError::MissingNumber);
        }
        let (negative, rest) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (currency, rest) = split_currency(rest);
        let (mantissa, rest) =
            split_number(rest).ok_or_else(|| GoalError::BadNumber { raw: shown(text) })?;
        let (power, rest) = split_multiplier(rest);
        let unit = parse_unit(rest, currency, text)?;
        let value = to_value(&mantissa, power, negative, text)?;
        Ok(Quantity { value, unit })
    }
}

fn split_currency(s: &str) -> (Option<char>, &str) {
    match s.chars().next() {
        Some(c) if CURRENCIES.contains(&c) => (Some(c), &s[c.len_utf8()..]),
        _ => (None, s),
    }
}

fn leading_digits(s: &str) -> usize {
    s.bytes().take_while(u8::is_ascii_digit).count()
}

/// The number at the start of `s` with grouping commas removed, and the rest.
/// `None` when there is no number or its commas are not in groups of three.
fn split_number(s: &str) -> Option<(String, &str)> {
    let int_len = leading_digits(s);
    if int_len == 0 {
        return None;
    }
    let mut number = s[..int_len].to_owned();
    let mut rest = &s[int_len..];
    if rest.starts_with(',') && int_len > 3 {
        return None;
    }
    while let Some(after) = rest.strip_prefix(',') {
        if leading_digits(after) != 3 {
            return None;
        }
        number.push_str(&after[..3]);
        rest = &after[3..];
    }
    if let Some(after) = rest.strip_prefix('.') {
        let frac_len = leading_digits(after);
        if frac_len == 0 {
            return None;
        }
        number.push('.');
        number.push_str(&after[..frac_len]);
        rest = &after[frac_len..];
    }
    Some((number, rest))
}

/// A multiplier counts only when it is the whole word touching the number,
/// so `30min` stays thirty minutes and `30m` stays thirty of a unit `m`.
fn split_multiplier(s: &str) -> (i32, &str) {
    let word_len: usize = s
        .chars()
        .take_while(|c| c.is_alphabetic())
        .map(char::len_utf8)
        .sum();
    let power = match &s[..word_len] {
        "k" | "K" => 3,
        "M" => 6,
        "B" | "bn" => 9,
        _ => return (0, s),
    };
    (power, &s[word_len..])
}

fn is_unit_word(s: &str) -> bool {
    let len = s.chars().count();
    (1..=MAX_SUFFIX_CHARS).contains(&len) && s.chars().all(char::is_alphabetic)
}

fn parse_unit(rest: &str, currency: Option<char>, text: &str) -> Result<Unit, GoalError> {
    let tail = rest.trim_start();
    if tail.is_empty() {
        return Ok(currency.map_or(Unit::None, |c| Unit::Currency(c.to_string())));
    }
    if currency.is_none() {
        let mut chars = tail.chars();
        match (chars.next(), chars.next()) {
            (Some('%'), None) => return Ok(Unit::Percent),
            (Some(c), None) if CURRENCIES.contains(&c) => return Ok(Unit::Currency(c.to_string())),
            _ if is_unit_word(tail) => return Ok(Unit::Suffix(tail.to_owned())),
            _ => {}
        }
    }
    if tail.chars().all(|c| c.is_alphabetic() || c.is_whitespace()) {
        Err(GoalError::BadUnit { raw: shown(text) })
    } else {
        Err(GoalError::BadNumber { raw: shown(text) })
    }
}

fn to_value(mantissa: &str, power: i32, negative: bool, text: &str) -> Result<f64, GoalError> {
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    if digits.trim_start_matches('0').len() > MAX_SIGNIFICANT_DIGITS {
        return Err(GoalError::TooPrecise { raw: shown(text) });
    }
    // Scaling through the decimal exponent keeps `1.2M` exactly 1200000,
    // where multiplying 1.2 by 1e6 could round.
    let value: f64 = format!("{mantissa}e{power}")
        .parse()
        .map_err(|_| GoalError::BadNumber { raw: shown(text) })?;
    if value > MAX_ABS_VALUE {
        return Err(GoalError::TooLarge { raw: shown(text) });
    }
    // Adding zero turns -0 into 0, so "-0" is never shown.
    Ok(if negative { -value } else { value } + 0.0)
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn group_thousands(int: &str) -> String {
    let mut out = String::with_capacity(int.len() + int.len() / 3);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// At most two decimals, none when they are zero, thousands grouped.
fn plain_number(abs: f64) -> String {
    let fixed = format!("{abs:.2}");
    let trimmed = fixed.trim_end_matches('0').trim_end_matches('.');
    match trimmed.split_once('.') {
        Some((int, frac)) => format!("{}.{frac}", group_thousands(int)),
        None => group_thousands(trimmed),
    }
}

const COMPACT_TIERS: [(f64, &str); 3] = [(1e9, "B"), (1e6, "M"), (1e3, "k")];

/// Large numbers as people say them ("$1.2M"). When rounding would show
/// 1000 of a tier (999,999 → "1000k"), the next tier up is used instead.
fn compact_number(abs: f64, tiers: &[(f64, &str)]) -> String {
    for (i, &(size, letter)) in tiers.iter().enumerate() {
        if abs >= size {
            let (size, letter) = if i > 0 && round2(abs / size) >= 1000.0 {
                tiers[i - 1]
            } else {
                (size, letter)
            };
            return format!("{}{letter}", plain_number(abs / size));
        }
    }
    plain_number(abs)
}

impl fmt::Display for Quantity {
    /// Money is compacted from a thousand up ("$800k"), other counts only
    /// from a million ("1.2M visits"), so everyday figures stay exact.
    /// Everything shown parses back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let abs = self.value.abs();
        let number = match &self.unit {
            Unit::Currency(_) => compact_number(abs, &COMPACT_TIERS),
            Unit::Percent => plain_number(abs),
            Unit::None | Unit::Suffix(_) => compact_number(abs, &COMPACT_TIERS[..2]),
        };
        let sign = if self.value < 0.0 && number != "0" {
            "-"
        } else {
            ""
        };
        match &self.unit {
            Unit::None => write!(f, "{sign}{number}"),
            Unit::Percent => write!(f, "{sign}{number}%"),
            Unit::Currency(c) => write!(f, "{sign}{c}{number}"),
            Unit::Suffix(s) => write!(f, "{sign}{number} {s}"),
        }
    }
}

/// What kind of goal, which decides how progress is computed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GoalKind {
    /// From `start` to `target`; lower-is-better when target < start ("cut wait times from 45 to 30 min").
    Numeric { start: f64, target: f64, unit: Unit },
    /// 0–100 %.
    Percent,
    /// Done or not done.
    Milestone,
}

impl GoalKind {
    /// Builds the kind from optional user input. Blank input counts as absent.
    ///
    /// - no start, no target → `Milestone`;
    /// - a start without a target → refused (there is nothing to measure towards);
    /// - a target of `100%` or a bare `%`, with no start or a start of 0 → `Percent`;
    /// - any other target → `Numeric`, starting from the given start or 0. A bare
    ///   `%` target counts as 100%.
    ///
    /// Either side may leave the unit off and takes the other's; when both give
    /// one they must agree. A start equal to the target is refused because
    /// progress would have nowhere to go.
    pub fn from_input(start: Option<&str>, target: Option<&str>) -> Result<GoalKind, GoalError> {
        let start = start.map(str::trim).filter(|s| !s.is_empty());
        let target = target.map(str::trim).filter(|s| !s.is_empty());
        let Some(target) = target else {
            return match start {
                Some(_) => Err(GoalError::StartWithoutTarget),
                None => Ok(GoalKind::Milestone),
            };
        };
        let target = if target == "%" {
            Quantity {
                value: 100.0,
                unit: Unit::Percent,
            }
        } else {
            Quantity::parse(target)?
        };
        let start = start.map(Quantity::parse).transpose()?;
        Self::measured(start, target)
    }

    fn measured(start: Option<Quantity>, target: Quantity) -> Result<GoalKind, GoalError> {
        let unit = common_unit(start.as_ref().map(|s| &s.unit), target.unit)?;
        let start = start.map_or(0.0, |s| s.value);
        if unit == Unit::Percent && target.value == 100.0 && start == 0.0 {
            return Ok(GoalKind::Percent);
        }
        if start == target.value {
            let value = Quantity { value: start, unit };
            return Err(GoalError::SameStartAndTarget {
                value: value.to_string(),
            });
        }
        Ok(GoalKind::Numeric {
            start,
            target: target.value,
            unit,
        })
    }

    pub fn lower_is_better(&self) -> bool {
        matches!(self, GoalKind::Numeric { start, target, .. } if target < start)
    }

    /// Parses a check-in value for this kind: Numeric → a Quantity whose unit
    /// matches (or no unit); Percent → "45", "45%" in 0..=100; Milestone →
    /// "done" / "yes" / "100%" = 1.0, "not done" / "no" / "0%" = 0.0. Error
    /// messages show what this goal accepts.
    pub fn parse_value(&self, raw: &str) -> Result<f64, GoalError> {
        match self {
            GoalKind::Numeric { unit, .. } => self.parse_in_unit(raw, unit),
            GoalKind::Percent => {
                let value = self.parse_in_unit(raw, &Unit::Percent)?;
                if (0.0..=100.0).contains(&value) {
                    Ok(value)
                } else {
                    Err(GoalError::PercentOutOfRange { raw: shown(raw) })
                }
            }
            GoalKind::Milestone => match normalize_words(raw).as_str() {
                "done" | "yes" | "100%" => Ok(1.0),
                "not done" | "not-done" | "no" | "0%" => Ok(0.0),
                _ => Err(self.wrong_value(raw)),
            },
        }
    }

    /// A number in `unit` or a bare number. Unreadable numbers are reported
    /// with what this goal takes rather than the generic forms.
    fn parse_in_unit(&self, raw: &str, unit: &Unit) -> Result<f64, GoalError> {
        let quantity = Quantity::parse(raw).map_err(|e| match e {
            GoalError::MissingNumber | GoalError::BadNumber { .. } | GoalError::BadUnit { .. } => {
                self.wrong_value(raw)
            }
            other => other,
        })?;
        if quantity.unit == Unit::None || quantity.unit.agrees_with(unit) {
            Ok(quantity.value)
        } else {
            Err(self.wrong_value(raw))
        }
    }

    fn wrong_value(&self, raw: &str) -> GoalError {
        GoalError::WrongValue {
            raw: shown(raw),
            accepts: self.accepts(),
        }
    }

    /// What a check-in for this goal may say, for error messages; the
    /// examples use the goal's own target so they look familiar.
    fn accepts(&self) -> String {
        match self {
            GoalKind::Numeric { target, unit, .. } => {
                let example = Quantity {
                    value: *target,
                    unit: unit.clone(),
                };
                let bare = Quantity {
                    value: *target,
                    unit: Unit::None,
                };
                match unit {
                    Unit::None => format!("a plain number, like {bare}"),
                    Unit::Percent => format!("a percentage, like {bare} or {example}"),
                    Unit::Currency(c) => format!("an amount in {c}, like {example} or {bare}"),
                    Unit::Suffix(s) => format!("a number in {s}, like {bare} or {example}"),
                }
            }
            GoalKind::Percent => "a percentage from 0 to 100, like 45 or 45%".to_owned(),
            GoalKind::Milestone => {
                "done, yes or 100% once it is done; not done, no or 0% until then".to_owned()
            }
        }
    }

    /// Progress in 0.0..=1.0 for a current value (None → 0.0, or for Numeric
    /// the start → 0.0). Clamped. Correct for lower-is-better, because the
    /// fraction is measured along start → target whichever way it points.
    pub fn progress(&self, current: Option<f64>) -> f64 {
        let Some(current) = current else {
            return 0.0;
        };
        let fraction = match self {
            GoalKind::Numeric { start, target, .. } => (current - start) / (target - start),
            GoalKind::Percent => current / 100.0,
            GoalKind::Milestone => {
                if current >= 1.0 {
                    1.0
                } else {
                    0.0
                }
            }
        };
        clamp_fraction(fraction)
    }

    /// Whether a goal of this kind, added without a start, waits for its
    /// first check-in to know where it starts: a measured target alone
    /// ("30 min") does not say whether the goal counts up or down to it.
    pub fn starts_at_first_check_in(&self, start_given: bool) -> bool {
        !start_given && matches!(self, GoalKind::Numeric { .. })
    }

    /// The same measure starting from `value` (a first check-in); `None` when
    /// that value already is the target (there would be nowhere to go).
    pub fn starting_at(&self, value: f64) -> Option<GoalKind> {
        match self {
            GoalKind::Numeric { target, unit, .. } if value != *target => Some(GoalKind::Numeric {
                start: value,
                target: *target,
                unit: unit.clone(),
            }),
            _ => None,
        }
    }

    /// A value as shown to people with the goal's unit ("38 min", "45%", "done").
    pub fn format_value(&self, value: f64) -> String {
        match self {
            GoalKind::Numeric { unit, .. } => Quantity {
                value,
                unit: unit.clone(),
            }
            .to_string(),
            GoalKind::Percent => Quantity {
                value,
                unit: Unit::Percent,
            }
            .to_string(),
            GoalKind::Milestone if value >= 1.0 => "done".to_owned(),
            GoalKind::Milestone => "not done".to_owned(),
        }
    }
}

fn common_unit(start: Option<&Unit>, target: Unit) -> Result<Unit, GoalError> {
    match start {
        None | Some(Unit::None) => Ok(target),
        Some(start) if target == Unit::None => Ok(start.clone()),
        Some(start) if start.agrees_with(&target) => Ok(target),
        Some(start) => Err(GoalError::UnitMismatch {
            start: start.describe(),
            target: target.describe(),
        }),
    }
}

/// NaN (from a degenerate goal) counts as no progress rather than poisoning averages.
fn clamp_fraction(fraction: f64) -> f64 {
    if fraction.is_nan() {
        0.0
    } else {
        fraction.clamp(0.0, 1.0)
    }
}

/// How the owner feels about reaching the goal, asked at every check-in
/// because numbers alone lag behind what the team already knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Confidence {
    OnTrack,
    AtRisk,
    OffTrack,
}

impl Confidence {
    /// Accepts the stored form and the ways people type it: any case, with
    /// a dash, underscore, space or nothing between the words.
    pub fn parse(raw: &str) -> Option<Confidence> {
        let words = normalize_words(&raw.replace(['-', '_'], " "));
        match words.as_str() {
            "on track" | "ontrack" => Some(Confidence::OnTrack),
            "at risk" | "atrisk" => Some(Confidence::AtRisk),
            "off track" | "offtrack" => Some(Confidence::OffTrack),
            _ => None,
        }
    }

    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::OnTrack => "on-track",
            Confidence::AtRisk => "at-risk",
            Confidence::OffTrack => "off-track",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Confidence::OnTrack => "On track",
            Confidence::AtRisk => "At risk",
            Confidence::OffTrack => "Off track",
        }
    }

    pub fn emoji(self) -> &'static str {
        match self {
            Confidence::OnTrack => ":large_green_circle:",
            Confidence::AtRisk => ":large_yellow_circle:",
            Confidence::OffTrack => ":red_circle:",
        }
    }

    /// Higher is better; only used to compare two check-ins.
    fn rank(self) -> u8 {
        match self {
            Confidence::OffTrack => 0,
            Confidence::AtRisk => 1,
            Confidence::OnTrack => 2,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trend {
    Improving,
    Steady,
    Worsening,
    New,
}

/// The confidence trend over check-ins, oldest first: compares the latest
/// with the one before (New when fewer than 2). Only the last step counts,
/// because a monthly reader wants to know what changed since last time.
pub fn trend(history: &[Confidence]) -> Trend {
    let [.., before, latest] = history else {
        return Trend::New;
    };
    match latest.rank().cmp(&before.rank()) {
        std::cmp::Ordering::Greater => Trend::Improving,
        std::cmp::Ordering::Equal => Trend::Steady,
        std::cmp::Ordering::Less => Trend::Worsening,
    }
}

/// Where a goal is in its life. Closed goals keep their history but take no check-ins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GoalStatus {
    Active,
    Achieved,
    Dropped,
}

impl GoalStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            GoalStatus::Active => "active",
            GoalStatus::Achieved => "achieved",
            GoalStatus::Dropped => "dropped",
        }
    }

    pub fn parse(raw: &str) -> Option<GoalStatus> {
        match raw {
            "active" => Some(GoalStatus::Active),
            "achieved" => Some(GoalStatus::Achieved),
            "dropped" => Some(GoalStatus::Dropped),
            _ => None,
        }
    }
}

/// How a closed goal ended, in the words `/goal close` takes. The stored
/// status stays `achieved` or `dropped` (only `Achieved` is ever met); the
/// outcome says which kind of "not achieved" it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GoalOutcome {
    /// Met: the goal was achieved.
    Achieved,
    /// Given up during the year.
    Dropped,
    /// The year ended without the goal being met.
    NotMet,
    /// Not met this year, and it goes on next year as a new goal linked to this one.
    CarriedOver,
    /// Nobody chose an outcome before the year's grace period ended: closed
    /// by the year's turn with its last value. Never counted as met.
    NotReported,
}

impl GoalOutcome {
    /// The words people type after `/goal close <id>` (not `not-reported`,
    /// which only the year's turn records).
    pub const TYPED: [&'static str; 4] = ["achieved", "dropped", "not-met", "carried-over"];

    pub fn as_str(self) -> &'static str {
        match self {
            GoalOutcome::Achieved => "achieved",
            GoalOutcome::Dropped => "dropped",
            GoalOutcome::NotMet => "not-met",
            GoalOutcome::CarriedOver => "carried-over",
            GoalOutcome::NotReported => "not-reported",
        }
    }

    /// A stored outcome, or one typed: `achieved`/`met`, `dropped`,
    /// `not-met`/`not met`/`missed`, `carried-over`/`carried over`/`carry-over`.
    pub fn parse(raw: &str) -> Option<GoalOutcome> {
        let words = raw.trim().to_lowercase().replace([' ', '_'], "-");
        match words.as_str() {
            "achieved" | "met" => Some(GoalOutcome::Achieved),
            "dropped" => Some(GoalOutcome::Dropped),
            "not-met" | "missed" => Some(GoalOutcome::NotMet),
            "carried-over" | "carry-over" | "carried" => Some(GoalOutcome::CarriedOver),
            "not-reported" => Some(GoalOutcome::NotReported),
            _ => None,
        }
    }

    /// The status stored beside the outcome: only a met goal is `achieved`.
    pub fn status(self) -> GoalStatus {
        match self {
            GoalOutcome::Achieved => GoalStatus::Achieved,
            _ => GoalStatus::Dropped,
        }
    }

    /// How people read it: "met", "carried over", …
    pub fn label(self) -> &'static str {
        match self {
            GoalOutcome::Achieved => "met",
            GoalOutcome::Dropped => "dropped",
            GoalOutcome::NotMet => "not met",
            GoalOutcome::CarriedOver => "carried over",
            GoalOutcome::NotReported => "not reported",
        }
    }
}

/// Where a proposed goal is: waiting for a team leader, or decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProposalStatus {
    Open,
    Approved,
    Declined,
}

impl ProposalStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ProposalStatus::Open => "open",
            ProposalStatus::Approved => "approved",
            ProposalStatus::Declined => "declined",
        }
    }

    pub fn parse(raw: &str) -> Option<ProposalStatus> {
        match raw {
            "open" => Some(ProposalStatus::Open),
            "approved" => Some(ProposalStatus::Approved),
            "declined" => Some(ProposalStatus::Declined),
            _ => None,
        }
    }
}

pub use super::plan_year::PlanYear;

/// Due dates as people write them, resolved against the plan year.
///
/// Accepted, in any case: `2027-03-15`; `2027-03` (the last day of that
/// month); `Q1`–`Q4` (the last day of that quarter of `year`), also `Q2 2027`
/// and `2027-Q2`; `end of year`, `end-of-year` or `eoy` (December 31 of
/// `year`). Periods resolve to their last day because "by Q2" means "before
/// Q2 is over". Explicit years must lie within the plan-year range.
pub fn parse_due(raw: &str, year: PlanYear) -> Result<NaiveDate, GoalError> {
    let text = normalize_words(raw);
    if text.is_empty() {
        return Err(GoalError::MissingDue);
    }
    if matches!(text.as_str(), "end of year" | "end-of-year" | "eoy") {
        return month_end(year.value(), 12, raw);
    }
    if let Some((quarter, explicit_year)) = quarter_parts(&text) {
        let year = match explicit_year {
            Some(y) => due_year(y, raw)?,
            None => year.value(),
        };
        return month_end(year, quarter * 3, raw);
    }
    calendar_date(&text, raw)
}

/// `q2`, `q2 2027` or `2027-q2` (either order, space or dash) as (quarter, year text).
fn quarter_parts(text: &str) -> Option<(u32, Option<&str>)> {
    if let Some(q) = quarter(text) {
        return Some((q, None));
    }
    let (a, b) = text.split_once([' ', '-'])?;
    match (quarter(a), quarter(b)) {
        (Some(q), None) => Some((q, Some(b))),
        (None, Some(q)) => Some((q, Some(a))),
        _ => None,
    }
}

fn quarter(s: &str) -> Option<u32> {
    match s {
        "q1" => Some(1),
        "q2" => Some(2),
        "q3" => Some(3),
        "q4" => Some(4),
        _ => None,
    }
}

fn all_digits(s: &str, lengths: std::ops::RangeInclusive<usize>) -> bool {
    lengths.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
}

fn due_year(text: &str, raw: &str) -> Result<i32, GoalError> {
    if !all_digits(text, 4..=4) {
        return Err(GoalError::BadDue { raw: shown(raw) });
    }
    let year: i32 = text
        .parse()
        .map_err(|_| GoalError::BadDue { raw: shown(raw) })?;
    PlanYear::new(year)
        .map(PlanYear::value)
        .map_err(|_| GoalError::DueOutOfRange { raw: shown(raw) })
}

/// `yyyy-mm-dd` or `yyyy-mm`; month and day may drop their leading zero.
fn calendar_date(text: &str, raw: &str) -> Result<NaiveDate, GoalError> {
    let bad = || GoalError::BadDue { raw: shown(raw) };
    let parts: Vec<&str> = text.split('-').collect();
    let (year, month, day) = match parts.as_slice() {
        [y, m] => (*y, *m, None),
        [y, m, d] if all_digits(d, 1..=2) => (*y, *m, Some(*d)),
        _ => return Err(bad()),
    };
    if !all_digits(month, 1..=2) {
        return Err(bad());
    }
    let year = due_year(year, raw)?;
    let month: u32 = month.parse().map_err(|_| bad())?;
    match day {
        None => month_end(year, month, raw),
        Some(day) => {
            let day: u32 = day.parse().map_err(|_| bad())?;
            NaiveDate::from_ymd_opt(year, month, day)
                .ok_or_else(|| GoalError::ImpossibleDate { raw: shown(raw) })
        }
    }
}

fn month_end(year: i32, month: u32, raw: &str) -> Result<NaiveDate, GoalError> {
    (28..=31)
        .rev()
        .find_map(|day| NaiveDate::from_ymd_opt(year, month, day))
        .ok_or_else(|| GoalError::ImpossibleDate { raw: shown(raw) })
}

/// A text progress bar, platform-neutral: 10 cells, e.g. "▓▓▓▓░░░░░░ 40%".
/// Fractions are clamped; the percent is rounded to the nearest integer.
/// The cells follow the rounded percent, so the bar and the number never
/// disagree, and a full bar always reads 100%.
pub fn progress_bar(fraction: f64) -> String {
    const CELLS: usize = 10;
    let percent = (clamp_fraction(fraction) * 100.0).round() as usize;
    let filled = percent * CELLS / 100;
    format!(
        "{}{} {percent}%",
        "▓".repeat(filled),
        "░".repeat(CELLS - filled)
    )
}

/// A goal as stored: its definition and its latest check-in.
#[derive(Debug, Clone, PartialEq)]
pub struct Goal {
    pub id: GoalId,
    pub title: String,
    pub pillar: super::PillarKey,
    pub team: Option<super::TeamKey>,
    pub owner: super::PersonId,
    pub year: PlanYear,
    pub kind: GoalKind,
    pub due: Option<chrono::NaiveDate>,
    pub status: GoalStatus,
    pub current: Option<f64>,
    pub confidence: Option<Confidence>,
    /// 0.0..=1.0, from the latest check-in.
    pub progress: f64,
    pub checked_in_at: Option<chrono::DateTime<chrono::Utc>>,
    pub closed_note: Option<String>,
    /// How it ended, once closed (goals closed before plan years had
    /// outcomes have none: their status says it).
    pub outcome: Option<GoalOutcome>,
    /// The goal of last year this one carries over.
    pub carried_from: Option<GoalId>,
    pub created_by: super::PersonId,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// A goal to create, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct NewGoal {
    pub title: GoalTitle,
    pub pillar: super::PillarKey,
    pub team: Option<super::TeamKey>,
    pub owner: super::PersonId,
    pub year: PlanYear,
    pub kind: GoalKind,
    pub due: Option<chrono::NaiveDate>,
}

/// A goal as a person typed or picked it (in a command, a form or an import
/// file), before validation.
#[derive(Debug, Clone, Default)]
pub struct GoalInput {
    pub title: String,
    pub pillar: Option<String>,
    pub target: Option<String>,
    pub start: Option<String>,
    pub due: Option<String>,
    pub team: Option<String>,
    pub owner: Option<super::PersonId>,
    pub year: Option<String>,
}

/// The part of a [`GoalInput`] a problem is about, so a form can show the
/// problem next to its field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GoalField {
    Title,
    Pillar,
    Year,
    /// Start and target together: they make the goal's kind and unit.
    Measure,
    Due,
    Team,
}

/// Blank input counts as absent.
fn given(raw: &Option<String>) -> Option<&str> {
    raw.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl GoalInput {
    /// Validates against the organization; `actor` is who asks (their home
    /// team is the goal's team when none is given). The error is the first
    /// problem, in the order of [`GoalInput::check`].
    pub fn validate(
        &self,
        actor: &super::PersonId,
        dir: &super::Directory,
        this_year: PlanYear,
    ) -> Result<NewGoal, super::DomainError> {
        self.check(actor, dir, this_year)
            .map_err(|mut problems| problems.swap_remove(0).1)
    }

    /// Validates every field, and on failure returns each problem with its
    /// field (title, pillar, year, measure, due date, team, in that order;
    /// never empty), so a form shows them all at once.
    pub fn check(
        &self,
        actor: &super::PersonId,
        dir: &super::Directory,
        this_year: PlanYear,
    ) -> Result<NewGoal, Vec<(GoalField, super::DomainError)>> {
        let mut problems = Vec::new();
        let mut note = |field: GoalField, e: super::DomainError| problems.push((field, e));
        let title = GoalTitle::parse(&self.title)
            .map_err(|e| note(GoalField::Title, e.into()))
            .ok();
        let pillar = match given(&self.pillar) {
            Some(raw) => dir
                .resolve_pillar(raw)
                .map_err(|e| note(GoalField::Pillar, e))
                .ok(),
            None => {
                note(
                    GoalField::Pillar,
                    super::DomainError::Invalid {
                        what: "goal",
                        value: self.title.chars().take(40).collect(),
                        rule: "every goal hangs under a pillar: add pillar:<key>",
                    },
                );
                None
            }
        };
        let year = match given(&self.year) {
            Some(raw) => PlanYear::parse(raw)
                .map_err(|e| note(GoalField::Year, e.into()))
                .ok(),
            None => Some(this_year),
        };
        let kind = GoalKind::from_input(given(&self.start), given(&self.target))
            .map_err(|e| note(GoalField::Measure, e.into()))
            .ok();
        // A due date is read within the goal's year; with a year that is
        // itself wrong, there is nothing to read it against.
        let due = match (given(&self.due), year) {
            (Some(raw), Some(year)) => parse_due(raw, year)
                .map(Some)
                .map_err(|e| note(GoalField::Due, e.into()))
                .unwrap_or(None),
            _ => None,
        };
        let team = match given(&self.team) {
            Some(raw) => dir
                .resolve_team(raw)
                .map(Some)
                .map_err(|e| note(GoalField::Team, e))
                .unwrap_or(None),
            None => dir.home_team(actor).map(|t| t.key.clone()),
        };
        match (title, pillar, year, kind) {
            (Some(title), Some(pillar), Some(year), Some(kind)) if problems.is_empty() => {
                Ok(NewGoal {
                    title,
                    pillar,
                    team,
                    owner: self.owner.clone().unwrap_or_else(|| actor.clone()),
                    year,
                    kind,
                    due,
                })
            }
            _ => Err(problems),
        }
    }
}

/// One check-in; a goal keeps all of them.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckIn {
    pub goal: GoalId,
    pub value: f64,
    pub confidence: Confidence,
    pub note: Option<String>,
    pub author: super::PersonId,
    pub at: chrono::DateTime<chrono::Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn suffix(s: &str) -> Unit {
        Unit::Suffix(s.to_owned())
    }

    fn currency(s: &str) -> Unit {
        Unit::Currency(s.to_owned())
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn year(y: i32) -> PlanYear {
        PlanYear::new(y).unwrap()
    }

    fn wait_times() -> GoalKind {
        GoalKind::Numeric {
            start: 45.0,
            target: 30.0,
            unit: suffix("min"),
        }
    }

    /// One pillar (`care`), one team (`nursing`, led by `U0LEAD`).
    fn directory() -> super::super::Directory {
        use super::super::{ChannelId, Directory, Org, Pillar, PillarKey, Team, TeamKey};
        let person = |raw: &str| super::super::PersonId::parse(raw).unwrap();
        Directory {
            org: Org {
                name: "Riverside".into(),
                mission: "Heal".into(),
                timezone: chrono_tz::America::New_York,
                moments_channel: ChannelId::parse("C0MOMENTS").unwrap(),
                leadership_channel: ChannelId::parse("C0LEADERS").unwrap(),
                admins: vec![person("U0ADMIN")],
                staff_channel: None,
                executives: Vec::new(),
            },
            pillars: vec![Pillar {
                key: PillarKey::parse("care").unwrap(),
                name: "Care".into(),
                description: String::new(),
                emoji: String::new(),
                archived: false,
            }],
            teams: vec![Team {
                key: TeamKey::parse("nursing").unwrap(),
                name: "Nursing".into(),
                channel: ChannelId::parse("C0NURSING").unwrap(),
                leaders: vec![person("U0LEAD")],
                members: Vec::new(),
                holidays: Vec::new(),
            }],
        }
    }

    #[test]
    fn goal_input_is_checked_field_by_field_and_validate_reports_the_first_problem() {
        let dir = directory();
        let lead = super::super::PersonId::parse("U0LEAD").unwrap();
        let good = GoalInput {
            title: "  Faster discharge ".into(),
            pillar: Some("Care".into()),
            target: Some("30min".into()),
            start: Some("45min".into()),
            due: Some("Q2".into()),
            ..GoalInput::default()
        };
        let goal = good.check(&lead, &dir, year(2026)).unwrap();
        assert_eq!(goal.title.as_str(), "Faster discharge");
        assert_eq!(goal.team.as_ref().map(|t| t.as_str()), Some("nursing"));
        assert_eq!(goal.owner, lead);
        assert_eq!(goal.kind, wait_times());
        assert_eq!(good.validate(&lead, &dir, year(2026)), Ok(goal));

        let bad = GoalInput {
            title: String::new(),
            pillar: None,
            target: Some("lots".into()),
            due: Some("someday".into()),
            team: Some("radiology".into()),
            ..GoalInput::default()
        };
        let problems = bad.check(&lead, &dir, year(2026)).unwrap_err();
        let fields: Vec<GoalField> = problems.iter().map(|(f, _)| *f).collect();
        assert_eq!(
            fields,
            [
                GoalField::Title,
                GoalField::Pillar,
                GoalField::Measure,
                GoalField::Due,
                GoalField::Team
            ]
        );
        assert_eq!(
            bad.validate(&lead, &dir, year(2026)).unwrap_err(),
            problems[0].1
        );
        let wrong_year = GoalInput {
            year: Some("next".into()),
            due: Some("Q2".into()),
            ..good
        };
        let problems = wrong_year.check(&lead, &dir, year(2026)).unwrap_err();
        let fields: Vec<GoalField> = problems.iter().map(|(f, _)| *f).collect();
        assert_eq!(
            fields,
            [GoalField::Year],
            "no due date is read without a year"
        );
    }

    #[test]
    fn every_accepted_quantity_form_is_read_with_its_unit() {
        let cases: Vec<(&str, f64, Unit)> = vec![
            ("30", 30.0, Unit::None),
            ("-5", -5.0, Unit::None),
            ("1,200", 1200.0, Unit::None),
            ("1,234,567.5", 1_234_567.5, Unit::None),
            ("30min", 30.0, suffix("min")),
            ("30 min", 30.0, suffix("min")),
            ("  30 min  ", 30.0, suffix("min")),
            ("45.5%", 45.5, Unit::Percent),
            ("45 %", 45.0, Unit::Percent),
            ("$1.2M", 1_200_000.0, currency("$")),
            ("$800k", 800_000.0, currency("$")),
            ("€15", 15.0, currency("€")),
            ("£2,500", 2500.0, currency("£")),
            ("15€", 15.0, currency("€")),
            ("-$5", -5.0, currency("$")),
            ("2.5h", 2.5, suffix("h")),
            ("1.2M", 1_200_000.0, Unit::None),
            ("3K", 3000.0, Unit::None),
            ("2B", 2e9, Unit::None),
            ("1.5bn", 1.5e9, Unit::None),
            ("30m", 30.0, suffix("m")),
            ("1.2k visits", 1200.0, suffix("visits")),
            ("12 días", 12.0, suffix("días")),
            ("0", 0.0, Unit::None),
            ("-0", 0.0, Unit::None),
            ("123456789012345", 123_456_789_012_345.0, Unit::None),
            ("0.000000000000000000001", 1e-21, Unit::None),
            ("1,000,000B", 1e15, Unit::None),
        ];
        for (raw, value, unit) in cases {
            let q = Quantity::parse(raw).unwrap_or_else(|e| panic!("{raw:?} was refused: {e}"));
            assert_eq!(q, Quantity { value, unit }, "{raw:?}");
        }
    }

    #[test]
    fn minus_zero_is_stored_as_zero() {
        assert!(Quantity::parse("-0").unwrap().value.is_sign_positive());
    }

    #[test]
    fn every_rejected_quantity_form_is_refused_with_the_right_reason() {
        let bad_number = |raw: &str| GoalError::BadNumber {
            raw: raw.to_owned(),
        };
        let bad_unit = |raw: &str| GoalError::BadUnit {
            raw: raw.to_owned(),
        };
        let cases: Vec<(&str, GoalError)> = vec![
            ("", GoalError::MissingNumber),
            ("   ", GoalError::MissingNumber),
            ("abc", bad_number("abc")),
            ("1.2.3", bad_number("1.2.3")),
            ("$", bad_number("$")),
            ("%", bad_number("%")),
            ("1e5", bad_number("1e5")),
            ("30%%", bad_number("30%%")),
            ("12,34", bad_number("12,34")),
            ("1,2000", bad_number("1,2000")),
            ("1234,567", bad_number("1234,567")),
            ("NaN", bad_number("NaN")),
            ("inf", bad_number("inf")),
            ("-inf", bad_number("-inf")),
            ("--5", bad_number("--5")),
            ("+5", bad_number("+5")),
            (".5", bad_number(".5")),
            ("5.", bad_number("5.")),
            ("$5%", bad_number("$5%")),
            ("$$5", bad_number("$$5")),
            ("$5€", bad_number("$5€")),
            ("5 - 6", bad_number("5 - 6")),
            ("30 min extra", bad_unit("30 min extra")),
            ("30 kilometressss", bad_unit("30 kilometressss")),
            ("30 a1", bad_number("30 a1")),
            ("$30 min", bad_unit("$30 min")),
            (
                "1234567890123456",
                GoalError::TooPrecise {
                    raw: "1234567890123456".to_owned(),
                },
            ),
            (
                "1.234567890123456",
                GoalError::TooPrecise {
                    raw: "1.234567890123456".to_owned(),
                },
            ),
            (
                "2,000,000B",
                GoalError::TooLarge {
                    raw: "2,000,000B".to_owned(),
                },
            ),
            (
                "-1,000,001B",
                GoalError::TooLarge {
                    raw: "-1,000,001B".to_owned(),
                },
            ),
        ];
        for (raw, expected) in cases {
            assert_eq!(Quantity::parse(raw), Err(expected), "{raw:?}");
        }
    }

    #[test]
    fn number_errors_show_the_accepted_forms() {
        let message = Quantity::parse("abc").unwrap_err().to_string();
        assert_eq!(
            message,
            "`abc` is not a number. Use forms like 30, 30min, 45.5%, $1.2M."
        );
        for raw in ["", "30 min extra", "1234567890123456", "2,000,000B"] {
            let message = Quantity::parse(raw).unwrap_err().to_string();
            assert!(message.contains("like"), "{raw:?}: {message}");
        }
    }

    #[test]
    fn echoed_input_is_shortened_and_cannot_break_its_code_span() {
        let message = Quantity::parse(&format!("`{}", "x".repeat(100)))
            .unwrap_err()
            .to_string();
        assert!(message.starts_with("`'xxx"), "{message}");
        assert!(message.contains("…`"), "{message}");
    }

    #[test]
    fn quantities_display_compactly_and_parse_back() {
        let cases: Vec<(f64, Unit, &str)> = vec![
            (30.0, suffix("min"), "30 min"),
            (45.5, Unit::Percent, "45.5%"),
            (1_200_000.0, currency("$"), "$1.2M"),
            (800_000.0, currency("$"), "$800k"),
            (1500.0, currency("$"), "$1.5k"),
            (999.0, currency("$"), "$999"),
            (999_999.0, currency("$"), "$1M"),
            (2.5e9, currency("€"), "€2.5B"),
            (-5.0, currency("$"), "-$5"),
            (1200.0, Unit::None, "1,200"),
            (1_234_567.0, suffix("visits"), "1.23M visits"),
            (30.0, Unit::None, "30"),
            (1.0 / 3.0, Unit::None, "0.33"),
            (2.999, suffix("h"), "3 h"),
            (-0.001, Unit::None, "0"),
            (1e15, Unit::None, "1,000,000B"),
        ];
        for (value, unit, shown) in cases {
            let q = Quantity { value, unit };
            assert_eq!(q.to_string(), shown, "{q:?}");
            let back = Quantity::parse(shown).unwrap_or_else(|e| panic!("{shown:?}: {e}"));
            assert_eq!(back.unit, q.unit, "{shown:?}");
        }
    }

    #[test]
    fn no_target_is_a_milestone_and_a_lone_start_is_refused() {
        assert_eq!(GoalKind::from_input(None, None), Ok(GoalKind::Milestone));
        assert_eq!(
            GoalKind::from_input(Some(" "), Some("")),
            Ok(GoalKind::Milestone)
        );
        assert_eq!(
            GoalKind::from_input(Some("45"), None),
            Err(GoalError::StartWithoutTarget)
        );
    }

    #[test]
    fn a_hundred_percent_target_from_zero_is_a_percent_goal() {
        for (start, target) in [
            (None, "100%"),
            (None, "%"),
            (Some("0"), "100%"),
            (Some("0%"), "%"),
        ] {
            assert_eq!(
                GoalKind::from_input(start, Some(target)),
                Ok(GoalKind::Percent),
                "{start:?} → {target:?}"
            );
        }
    }

    #[test]
    fn other_targets_are_numeric_and_share_one_unit() {
        let cases: Vec<(Option<&str>, &str, f64, f64, Unit)> = vec![
            (Some("45 min"), "30 min", 45.0, 30.0, suffix("min")),
            (Some("45"), "30min", 45.0, 30.0, suffix("min")),
            (Some("45min"), "30", 45.0, 30.0, suffix("min")),
            (Some("45 MIN"), "30 min", 45.0, 30.0, suffix("min")),
            (None, "$1.2M", 0.0, 1_200_000.0, currency("$")),
            (None, "80%", 0.0, 80.0, Unit::Percent),
            (Some("60%"), "85%", 60.0, 85.0, Unit::Percent),
            (Some("20%"), "%", 20.0, 100.0, Unit::Percent),
            (None, "100", 0.0, 100.0, Unit::None),
            (Some("12"), "0", 12.0, 0.0, Unit::None),
        ];
        for (start_raw, target_raw, start, target, unit) in cases {
            assert_eq!(
                GoalKind::from_input(start_raw, Some(target_raw)),
                Ok(GoalKind::Numeric {
                    start,
                    target,
                    unit
                }),
                "{start_raw:?} → {target_raw:?}"
            );
        }
    }

    #[test]
    fn mismatched_units_and_equal_ends_are_refused() {
        assert_eq!(
            GoalKind::from_input(Some("45 km"), Some("30 min")),
            Err(GoalError::UnitMismatch {
                start: "km".into(),
                target: "min".into()
            })
        );
        assert!(GoalKind::from_input(Some("$5"), Some("€6")).is_err());
        let same = GoalKind::from_input(Some("30"), Some("30 min")).unwrap_err();
        assert_eq!(
            same,
            GoalError::SameStartAndTarget {
                value: "30 min".into()
            }
        );
        assert!(same.to_string().contains("the same"), "{same}");
        assert!(GoalKind::from_input(None, Some("0")).is_err());
        assert!(matches!(
            GoalKind::from_input(None, Some("lots")),
            Err(GoalError::BadNumber { .. })
        ));
    }

    #[test]
    fn only_numeric_goals_with_a_lower_target_are_lower_is_better() {
        assert!(wait_times().lower_is_better());
        assert!(
            !GoalKind::from_input(None, Some("30"))
                .unwrap()
                .lower_is_better()
        );
        assert!(!GoalKind::Percent.lower_is_better());
        assert!(!GoalKind::Milestone.lower_is_better());
    }

    #[test]
    fn lower_is_better_progress_runs_from_start_to_target() {
        let kind = wait_times();
        for (current, expected) in [
            (45.0, 0.0),
            (37.5, 0.5),
            (30.0, 1.0),
            (20.0, 1.0),
            (50.0, 0.0),
        ] {
            assert_eq!(kind.progress(Some(current)), expected, "current {current}");
        }
        assert_eq!(kind.progress(None), 0.0);
    }

    #[test]
    fn higher_is_better_progress_counts_from_the_start() {
        let kind = GoalKind::from_input(Some("60%"), Some("85%")).unwrap();
        for (current, expected) in [
            (60.0, 0.0),
            (72.5, 0.5),
            (85.0, 1.0),
            (90.0, 1.0),
            (10.0, 0.0),
        ] {
            assert_eq!(kind.progress(Some(current)), expected, "current {current}");
        }
    }

    #[test]
    fn percent_and_milestone_progress() {
        for (current, expected) in [
            (None, 0.0),
            (Some(0.0), 0.0),
            (Some(45.0), 0.45),
            (Some(100.0), 1.0),
        ] {
            assert_eq!(GoalKind::Percent.progress(current), expected, "{current:?}");
        }
        for (current, expected) in [(None, 0.0), (Some(0.0), 0.0), (Some(1.0), 1.0)] {
            assert_eq!(
                GoalKind::Milestone.progress(current),
                expected,
                "{current:?}"
            );
        }
    }

    #[test]
    fn a_degenerate_numeric_goal_never_reports_nan() {
        let kind = GoalKind::Numeric {
            start: 5.0,
            target: 5.0,
            unit: Unit::None,
        };
        assert_eq!(kind.progress(Some(5.0)), 0.0);
    }

    #[test]
    fn numeric_check_ins_take_the_goals_unit_or_none() {
        let kind = wait_times();
        for (raw, value) in [
            ("38", 38.0),
            ("38 min", 38.0),
            ("38min", 38.0),
            ("37.5 Min", 37.5),
        ] {
            assert_eq!(kind.parse_value(raw), Ok(value), "{raw:?}");
        }
        for raw in ["30 km", "30%", "$30", "soon", ""] {
            let message = kind.parse_value(raw).unwrap_err().to_string();
            assert!(message.contains("min"), "{raw:?}: {message}");
        }
        assert_eq!(
            kind.parse_value("30 km").unwrap_err().to_string(),
            "`30 km` doesn't fit this goal. It takes a number in min, like 30 or 30 min."
        );
    }

    #[test]
    fn money_check_ins_show_money_examples() {
        let kind = GoalKind::from_input(None, Some("$1.2M")).unwrap();
        assert_eq!(kind.parse_value("$800k"), Ok(800_000.0));
        assert_eq!(kind.parse_value("900,000"), Ok(900_000.0));
        let message = kind.parse_value("€5").unwrap_err().to_string();
        assert!(message.contains("$1.2M"), "{message}");
    }

    #[test]
    fn percent_check_ins_stay_between_zero_and_a_hundred() {
        let kind = GoalKind::Percent;
        for (raw, value) in [("45", 45.0), ("45%", 45.0), ("0", 0.0), ("100 %", 100.0)] {
            assert_eq!(kind.parse_value(raw), Ok(value), "{raw:?}");
        }
        assert_eq!(
            kind.parse_value("120%"),
            Err(GoalError::PercentOutOfRange { raw: "120%".into() })
        );
        assert!(kind.parse_value("-1").is_err());
        let message = kind.parse_value("45 min").unwrap_err().to_string();
        assert!(message.contains("0 to 100"), "{message}");
    }

    #[test]
    fn milestone_check_ins_are_done_or_not_done() {
        let kind = GoalKind::Milestone;
        for raw in ["done", "Yes", "100%", " DONE "] {
            assert_eq!(kind.parse_value(raw), Ok(1.0), "{raw:?}");
        }
        for raw in ["not done", "Not  Done", "no", "0%"] {
            assert_eq!(kind.parse_value(raw), Ok(0.0), "{raw:?}");
        }
        let message = kind.parse_value("almost").unwrap_err().to_string();
        assert!(
            message.contains("done") && message.contains("0%"),
            "{message}"
        );
    }

    #[test]
    fn values_are_shown_with_the_goals_unit() {
        assert_eq!(wait_times().format_value(38.0), "38 min");
        assert_eq!(GoalKind::Percent.format_value(45.0), "45%");
        assert_eq!(GoalKind::Milestone.format_value(1.0), "done");
        assert_eq!(GoalKind::Milestone.format_value(0.0), "not done");
    }

    #[test]
    fn due_dates_resolve_to_the_last_day_of_the_period() {
        let y = year(2027);
        let cases = [
            ("2027-03-15", date(2027, 3, 15)),
            ("2027-3-5", date(2027, 3, 5)),
            ("2027-03", date(2027, 3, 31)),
            ("2027-02", date(2027, 2, 28)),
            ("2028-02", date(2028, 2, 29)),
            ("2027-12", date(2027, 12, 31)),
            ("Q1", date(2027, 3, 31)),
            ("q2", date(2027, 6, 30)),
            ("Q3", date(2027, 9, 30)),
            ("Q4", date(2027, 12, 31)),
            ("Q2 2028", date(2028, 6, 30)),
            ("2028-Q2", date(2028, 6, 30)),
            ("end of year", date(2027, 12, 31)),
            ("End  Of Year", date(2027, 12, 31)),
            ("end-of-year", date(2027, 12, 31)),
            ("EOY", date(2027, 12, 31)),
        ];
        for (raw, expected) in cases {
            assert_eq!(parse_due(raw, y), Ok(expected), "{raw:?}");
        }
    }

    #[test]
    fn impossible_or_unreadable_due_dates_are_refused() {
        let y = year(2027);
        let impossible = ["2027-02-30", "2027-13", "2027-00-10", "2027-04-31"];
        for raw in impossible {
            assert_eq!(
                parse_due(raw, y),
                Err(GoalError::ImpossibleDate { raw: raw.into() }),
                "{raw:?}"
            );
        }
        let unreadable = [
            "next week",
            "Q5",
            "Q0",
            "27-03-15",
            "2027/03/15",
            "2027-03-15-1",
            "Q2 27",
        ];
        for raw in unreadable {
            assert_eq!(
                parse_due(raw, y),
                Err(GoalError::BadDue { raw: raw.into() }),
                "{raw:?}"
            );
        }
        assert_eq!(parse_due(" ", y), Err(GoalError::MissingDue));
        assert_eq!(
            parse_due("2150-01-01", y),
            Err(GoalError::DueOutOfRange {
                raw: "2150-01-01".into()
            })
        );
        let message = parse_due("2027-02-30", y).unwrap_err().to_string();
        assert!(message.contains("not a real calendar date"), "{message}");
    }

    #[test]
    fn outcomes_are_read_in_the_words_people_type_and_only_met_is_achieved() {
        for (raw, want) in [
            ("achieved", GoalOutcome::Achieved),
            ("MET", GoalOutcome::Achieved),
            ("dropped", GoalOutcome::Dropped),
            ("not met", GoalOutcome::NotMet),
            ("not-met", GoalOutcome::NotMet),
            ("carried over", GoalOutcome::CarriedOver),
            ("carried-over", GoalOutcome::CarriedOver),
            ("not-reported", GoalOutcome::NotReported),
        ] {
            assert_eq!(GoalOutcome::parse(raw), Some(want), "{raw}");
            assert_eq!(GoalOutcome::parse(want.as_str()), Some(want));
        }
        assert_eq!(GoalOutcome::parse("done"), None);
        for outcome in [
            GoalOutcome::Dropped,
            GoalOutcome::NotMet,
            GoalOutcome::CarriedOver,
            GoalOutcome::NotReported,
        ] {
            assert_eq!(
                outcome.status(),
                GoalStatus::Dropped,
                "{outcome:?} is never met"
            );
        }
        assert_eq!(GoalOutcome::Achieved.status(), GoalStatus::Achieved);
    }

    #[test]
    fn plan_years_are_four_digits_between_2000_and_2100() {
        assert_eq!(PlanYear::parse(" 2027 ").map(PlanYear::value), Ok(2027));
        for raw in ["27", "1999", "2101", "20277", "year", "+2027"] {
            assert!(PlanYear::parse(raw).is_err(), "{raw:?}");
        }
        assert!(PlanYear::new(2000).is_ok() && PlanYear::new(2100).is_ok());
        assert!(PlanYear::new(1999).is_err());
        assert_eq!(serde_json::to_string(&year(2027)).unwrap(), "2027");
        assert!(serde_json::from_str::<PlanYear>("1999").is_err());
    }

    #[test]
    fn titles_allow_150_characters_counted_as_characters() {
        let exact = "é".repeat(GoalTitle::MAX_CHARS);
        assert_eq!(GoalTitle::parse(&exact).unwrap().as_str(), exact);
        assert_eq!(
            GoalTitle::parse(&"é".repeat(151)),
            Err(GoalError::TitleTooLong { len: 151, max: 150 })
        );
        assert_eq!(
            GoalTitle::parse("  Cut wait times  ").unwrap().as_str(),
            "Cut wait times"
        );
    }

    #[test]
    fn titles_are_one_line_of_plain_text() {
        assert_eq!(GoalTitle::parse(" \n "), Err(GoalError::EmptyTitle));
        for raw in ["two\nlines", "tab\there", "bell\u{7}", "bad \u{FFFD} byte"] {
            assert_eq!(
                GoalTitle::parse(raw),
                Err(GoalError::TitleNotPlainText),
                "{raw:?}"
            );
        }
    }

    #[test]
    fn notes_keep_line_breaks_and_respect_their_limit() {
        assert_eq!(Note::parse(" a\r\nb \n").unwrap().as_str(), "a\nb");
        assert_eq!(Note::parse(""), Err(GoalError::EmptyNote));
        assert_eq!(Note::parse(" \n "), Err(GoalError::EmptyNote));
        assert!(Note::parse(&"ü".repeat(Note::MAX_CHARS)).is_ok());
        assert_eq!(
            Note::parse(&"ü".repeat(2001)),
            Err(GoalError::NoteTooLong {
                len: 2001,
                max: 2000
            })
        );
        assert_eq!(Note::parse("tab\there"), Err(GoalError::NoteNotPlainText));
    }

    #[test]
    fn titles_and_notes_are_checked_when_deserialized() {
        assert!(serde_json::from_str::<GoalTitle>("\"\"").is_err());
        assert!(serde_json::from_str::<Note>("\"ok\"").is_ok());
    }

    #[test]
    fn confidence_is_read_however_people_type_it() {
        let cases = [
            ("on-track", Confidence::OnTrack),
            ("on track", Confidence::OnTrack),
            ("OnTrack", Confidence::OnTrack),
            ("ON_TRACK", Confidence::OnTrack),
            ("at-risk", Confidence::AtRisk),
            ("At Risk", Confidence::AtRisk),
            ("off-track", Confidence::OffTrack),
            (" off track ", Confidence::OffTrack),
        ];
        for (raw, expected) in cases {
            assert_eq!(Confidence::parse(raw), Some(expected), "{raw:?}");
        }
        for raw in ["", "fine", "on", "track"] {
            assert_eq!(Confidence::parse(raw), None, "{raw:?}");
        }
    }

    #[test]
    fn confidence_round_trips_through_its_stored_form() {
        for c in [
            Confidence::OnTrack,
            Confidence::AtRisk,
            Confidence::OffTrack,
        ] {
            assert_eq!(Confidence::parse(c.as_str()), Some(c));
            assert_eq!(
                serde_json::to_string(&c).unwrap(),
                format!("\"{}\"", c.as_str())
            );
        }
        assert_eq!(Confidence::AtRisk.label(), "At risk");
        assert_eq!(Confidence::OffTrack.emoji(), ":red_circle:");
    }

    #[test]
    fn trend_compares_the_latest_check_in_with_the_one_before() {
        use Confidence::*;
        let cases: Vec<(Vec<Confidence>, Trend)> = vec![
            (vec![], Trend::New),
            (vec![OnTrack], Trend::New),
            (vec![AtRisk, OnTrack], Trend::Improving),
            (vec![OffTrack, AtRisk], Trend::Improving),
            (vec![AtRisk, AtRisk], Trend::Steady),
            (vec![OnTrack, OffTrack], Trend::Worsening),
            (vec![OffTrack, OnTrack, AtRisk], Trend::Worsening),
        ];
        for (history, expected) in cases {
            assert_eq!(trend(&history), expected, "{history:?}");
        }
    }

    #[test]
    fn statuses_round_trip_through_their_stored_form() {
        for s in [
            GoalStatus::Active,
            GoalStatus::Achieved,
            GoalStatus::Dropped,
        ] {
            assert_eq!(GoalStatus::parse(s.as_str()), Some(s));
        }
        for s in [
            ProposalStatus::Open,
            ProposalStatus::Approved,
            ProposalStatus::Declined,
        ] {
            assert_eq!(ProposalStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(GoalStatus::parse("done"), None);
        assert_eq!(ProposalStatus::parse("Open"), None);
    }

    #[test]
    fn progress_bars_have_ten_cells_and_a_rounded_percent() {
        let cases = [
            (0.0, "░░░░░░░░░░ 0%"),
            (0.4, "▓▓▓▓░░░░░░ 40%"),
            (1.0, "▓▓▓▓▓▓▓▓▓▓ 100%"),
            (1.7, "▓▓▓▓▓▓▓▓▓▓ 100%"),
            (-1.0, "░░░░░░░░░░ 0%"),
            (0.456, "▓▓▓▓░░░░░░ 46%"),
            (0.999, "▓▓▓▓▓▓▓▓▓▓ 100%"),
            (f64::NAN, "░░░░░░░░░░ 0%"),
        ];
        for (fraction, expected) in cases {
            assert_eq!(progress_bar(fraction), expected, "{fraction}");
        }
    }

    #[test]
    fn goal_ids_accept_hash_or_bare_positive_numbers() {
        assert_eq!(GoalId::parse("#12"), Ok(GoalId(12)));
        assert_eq!(GoalId::parse(" 12 "), Ok(GoalId(12)));
        for raw in [
            "x",
            "-3",
            "0",
            "#",
            "",
            "# 12",
            "#-3",
            "1.5",
            "99999999999999999999",
        ] {
            assert!(
                matches!(GoalId::parse(raw), Err(GoalError::BadGoalId { .. })),
                "{raw:?}"
            );
        }
        assert_eq!(GoalId(12).to_string(), "#12");
        assert!(GoalId::parse("x").unwrap_err().to_string().contains("#12"));
    }

    #[test]
    fn goal_kinds_round_trip_through_json() {
        for kind in [wait_times(), GoalKind::Percent, GoalKind::Milestone] {
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(
                serde_json::from_str::<GoalKind>(&json).unwrap(),
                kind,
                "{json}"
            );
        }
    }
}
