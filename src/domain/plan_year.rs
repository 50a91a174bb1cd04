//! Plan years: the twelve months goals, kick-offs and reports run on.
//!
//! Many organizations plan on their fiscal year rather than the calendar's
//! (hospitals often start in July), so the year's first month is a setting
//! (`[org] plan_year_start`). A plan year is *named by the calendar year it
//! ends in*, as "FY2027" is: `year:2027` then means the same twelve months to
//! everyone, and an organization whose year starts in January simply sees
//! calendar years. A year that straddles two calendar years is shown as
//! "2026/27" (and may be typed that way).
//!
//! Goal-setting for next year happens before it starts: from the opening
//! month (`[org] next_year_opens`, default October) until the year's end,
//! new goals, proposals and kick-offs default to the next plan year.

use super::goal::{GoalError, shown};
use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A plan year, by the calendar year it ends in. 2000..=2100.
///
/// The bounds catch typos ("207", "20277") while leaving room for any real
/// plan; they also keep every date arithmetic on it in range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "i32", into = "i32")]
pub struct PlanYear(i32);

impl PlanYear {
    pub const MIN: i32 = 2000;
    pub const MAX: i32 = 2100;

    pub fn new(year: i32) -> Result<PlanYear, GoalError> {
        if (Self::MIN..=Self::MAX).contains(&year) {
            Ok(PlanYear(year))
        } else {
            Err(GoalError::BadYear {
                raw: year.to_string(),
            })
        }
    }

    /// Four digits (the year the plan year ends in), or the span a
    /// straddling year is shown as: `2026/27`, `2026-27` or `2026/2027`.
    /// "27" could be 2027 or a typo, so it is refused.
    pub fn parse(raw: &str) -> Result<PlanYear, GoalError> {
        let text = raw.trim();
        let bad = || GoalError::BadYear { raw: shown(raw) };
        let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
        let four = |t: &str| -> Result<i32, GoalError> {
            if t.len() != 4 || !digits(t) {
                return Err(bad());
            }
            t.parse().map_err(|_| bad())
        };
        let Some((first, second)) = text.split_once(['/', '-']) else {
            return four(text).and_then(Self::new);
        };
        let first = four(first)?;
        let end = match second.len() {
            2 if digits(second) => {
                let tail: i32 = second.parse().map_err(|_| bad())?;
                (first + 1) / 100 * 100 + tail
            }
            4 => four(second)?,
            _ => return Err(bad()),
        };
        if end != first + 1 {
            return Err(bad());
        }
        Self::new(end)
    }

    pub fn value(self) -> i32 {
        self.0
    }

    /// The year after, saturating at the last supported year.
    pub fn next(self) -> PlanYear {
        PlanYear((self.0 + 1).min(Self::MAX))
    }

    /// The year before, saturating at the first supported year.
    pub fn previous(self) -> PlanYear {
        PlanYear((self.0 - 1).max(Self::MIN))
    }

    fn clamped(year: i32) -> PlanYear {
        PlanYear(year.clamp(Self::MIN, Self::MAX))
    }
}

/// The bare number; [`YearCalendar::label`] is what people read.
impl fmt::Display for PlanYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl TryFrom<i32> for PlanYear {
    type Error = GoalError;
    fn try_from(year: i32) -> Result<Self, Self::Error> {
        Self::new(year)
    }
}

impl From<PlanYear> for i32 {
    fn from(year: PlanYear) -> i32 {
        year.0
    }
}

/// The months of the English calendar, as admins write them in settings.
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A month number (1–12) from `7`, `July` or `jul`, any case.
pub fn parse_month(raw: &str) -> Option<u32> {
    let text = raw.trim().to_lowercase();
    if let Ok(n) = text.parse::<u32>() {
        return (1..=12).contains(&n).then_some(n);
    }
    if text.len() < 3 {
        return None;
    }
    MONTHS
        .iter()
        .position(|m| m.to_lowercase().starts_with(&text))
        .map(|i| i as u32 + 1)
}

/// The English name of month `m` (1–12).
pub fn month_name(m: u32) -> &'static str {
    MONTHS[(m.clamp(1, 12) - 1) as usize]
}

/// Why a plan-year setting was refused, for the admin who wrote it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("`{0}` is not a month: write 1 to 12 or a month's name, like July")]
    Month(String),
    #[error(
        "goal-setting cannot open in the month the year starts ({0}): pick a month before it, like October for a January year"
    )]
    OpensAtStart(&'static str),
}

/// When the organization's plan years start, and when goal-setting for the
/// next one opens. Copy: read on every command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct YearCalendar {
    start: u32,
    opens: u32,
    grace_days: u32,
}

impl Default for YearCalendar {
    /// Calendar years; next year's goal-setting opens in October.
    fn default() -> Self {
        YearCalendar {
            start: 1,
            opens: 10,
            grace_days: 14,
        }
    }
}

impl YearCalendar {
    /// `start` is the first month of every plan year, `opens` the month from
    /// which new goals default to the next one (1–12, not `start`).
    pub fn new(start: u32, opens: u32) -> Result<YearCalendar, CalendarError> {
        for m in [start, opens] {
            if !(1..=12).contains(&m) {
                return Err(CalendarError::Month(m.to_string()));
            }
        }
        if start == opens {
            return Err(CalendarError::OpensAtStart(month_name(start)));
        }
        Ok(YearCalendar {
            start,
            opens,
            grace_days: YearCalendar::default().grace_days,
        })
    }

    /// Days after the year's end that owners have to choose their goals'
    /// outcomes before the rest are closed as "not reported".
    pub fn with_grace_days(self, grace_days: u32) -> YearCalendar {
        YearCalendar { grace_days, ..self }
    }

    pub fn grace_days(self) -> u32 {
        self.grace_days
    }

    /// The first day unclosed goals of `year` are closed as "not reported".
    pub fn closes_on(self, year: PlanYear) -> NaiveDate {
        self.last_day(year) + chrono::Days::new(u64::from(self.grace_days) + 1)
    }

    pub fn start_month(self) -> u32 {
        self.start
    }

    pub fn opening_month(self) -> u32 {
        self.opens
    }

    /// The plan year `date` falls in.
    pub fn year_of(self, date: NaiveDate) -> PlanYear {
        let straddles = self.start != 1 && date.month() >= self.start;
        PlanYear::clamped(date.year() + i32::from(straddles))
    }

    /// The plan year that calendar month `month` of `year` falls in.
    pub fn year_of_month(self, year: i32, month: u32) -> PlanYear {
        match NaiveDate::from_ymd_opt(year, month, 1) {
            Some(first) => self.year_of(first),
            None => PlanYear::clamped(year),
        }
    }

    /// The plan year's first day.
    pub fn first_day(self, year: PlanYear) -> NaiveDate {
        let calendar_year = year.value() - i32::from(self.start != 1);
        NaiveDate::from_ymd_opt(calendar_year, self.start, 1).expect("month 1-12, day 1")
    }

    /// The plan year's last day.
    pub fn last_day(self, year: PlanYear) -> NaiveDate {
        (self.first_day(year) + Months::new(12))
            .pred_opt()
            .expect("within chrono's range")
    }

    /// The day goal-setting for `year` opens: the first of the opening month
    /// before the year starts.
    pub fn opens_on(self, year: PlanYear) -> NaiveDate {
        let back = (self.start + 12 - self.opens) % 12;
        self.first_day(year) - Months::new(back)
    }

    /// The year new goals, proposals and kick-offs are for on `date`, and
    /// whether that is the next year (goal-setting for it is open).
    pub fn default_year(self, date: NaiveDate) -> (PlanYear, bool) {
        let current = self.year_of(date);
        let next = current.next();
        if next != current && date >= self.opens_on(next) {
            (next, true)
        } else {
            (current, false)
        }
    }

    /// Whether goal-setting for the year after the current one is open on `date`.
    pub fn next_is_open(self, date: NaiveDate) -> bool {
        self.default_year(date).1
    }

    /// How people read the year: "2027", or "2026/27" when it straddles two
    /// calendar years.
    pub fn label(self, year: PlanYear) -> String {
        if self.start == 1 {
            year.to_string()
        } else {
            format!("{}/{:02}", year.value() - 1, year.value() % 100)
        }
    }

    /// "January 2027 – December 2027" style span, for help and kick-offs.
    pub fn span(self, year: PlanYear) -> String {
        let (first, last) = (self.first_day(year), self.last_day(year));
        format!(
            "{} {} – {} {}",
            month_name(first.month()),
            first.year(),
            month_name(last.month()),
            last.year()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn year(y: i32) -> PlanYear {
        PlanYear::new(y).unwrap()
    }

    #[test]
    fn a_january_year_is_the_calendar_year() {
        let cal = YearCalendar::default();
        assert_eq!(cal.year_of(date(2026, 1, 1)), year(2026));
        assert_eq!(cal.year_of(date(2026, 12, 31)), year(2026));
        assert_eq!(cal.first_day(year(2027)), date(2027, 1, 1));
        assert_eq!(cal.last_day(year(2027)), date(2027, 12, 31));
        assert_eq!(cal.label(year(2027)), "2027");
        assert_eq!(cal.span(year(2027)), "January 2027 – December 2027");
    }

    #[test]
    fn a_july_year_is_named_by_the_year_it_ends_in() {
        let cal = YearCalendar::new(7, 4).unwrap();
        assert_eq!(cal.year_of(date(2026, 6, 30)), year(2026));
        assert_eq!(cal.year_of(date(2026, 7, 1)), year(2027));
        assert_eq!(cal.first_day(year(2027)), date(2026, 7, 1));
        assert_eq!(cal.last_day(year(2027)), date(2027, 6, 30));
        assert_eq!(cal.label(year(2027)), "2026/27");
        assert_eq!(cal.label(year(2000)), "1999/00");
    }

    #[test]
    fn goal_setting_for_next_year_opens_in_the_opening_month() {
        let cal = YearCalendar::default();
        assert_eq!(cal.opens_on(year(2027)), date(2026, 10, 1));
        assert_eq!(cal.default_year(date(2026, 9, 30)), (year(2026), false));
        assert_eq!(cal.default_year(date(2026, 10, 1)), (year(2027), true));
        assert_eq!(cal.default_year(date(2026, 11, 27)), (year(2027), true));
        assert_eq!(cal.default_year(date(2027, 1, 1)), (year(2027), false));

        let july = YearCalendar::new(7, 4).unwrap();
        assert_eq!(july.opens_on(year(2027)), date(2026, 4, 1));
        assert_eq!(july.default_year(date(2026, 3, 31)), (year(2026), false));
        assert_eq!(july.default_year(date(2026, 4, 1)), (year(2027), true));
        assert_eq!(july.default_year(date(2026, 7, 1)), (year(2027), false));
        // Opening the month right after the start leaves eleven months.
        let early = YearCalendar::new(1, 2).unwrap();
        assert_eq!(early.opens_on(year(2027)), date(2026, 2, 1));
    }

    #[test]
    fn settings_are_months_and_goal_setting_cannot_open_at_the_start() {
        assert_eq!(parse_month("7"), Some(7));
        assert_eq!(parse_month(" July "), Some(7));
        assert_eq!(parse_month("jul"), Some(7));
        assert_eq!(parse_month("ju"), None);
        assert_eq!(parse_month("13"), None);
        assert_eq!(parse_month("0"), None);
        assert!(YearCalendar::new(7, 7).is_err());
        assert!(YearCalendar::new(0, 7).is_err());
        assert!(YearCalendar::new(1, 13).is_err());
    }

    #[test]
    fn years_are_typed_as_four_digits_or_a_span() {
        for (raw, want) in [
            ("2027", 2027),
            (" 2027 ", 2027),
            ("2026/27", 2027),
            ("2026-27", 2027),
            ("2026/2027", 2027),
            ("1999/00", 2000),
        ] {
            assert_eq!(PlanYear::parse(raw), Ok(year(want)), "{raw}");
        }
        for raw in [
            "27", "2026/28", "2026/7", "2026/", "/27", "2027/26", "next", "2101",
        ] {
            assert!(PlanYear::parse(raw).is_err(), "{raw:?}");
        }
    }
}
