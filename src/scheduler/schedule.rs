//! When monthly jobs fire, in the organization's time zone.
//!
//! Schedules are evaluated on local wall-clock time and only then mapped to
//! instants, so daylight-saving changes neither skip nor double a run: a
//! local time that does not exist (spring forward) fires at the first
//! instant after the gap, and one that happens twice (fall back) fires once,
//! at the earlier instant.

use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc,
    Weekday,
};
use chrono_tz::Tz;
use std::fmt;
use std::str::FromStr;

/// A job's schedule as written in settings.
#[derive(Debug, Clone)]
pub enum Schedule {
    /// A cron expression (6 or 7 fields, seconds first), in local time.
    Cron(Box<cron::Schedule>),
    /// The first Monday–Friday of the month that is not a holiday.
    FirstWorkingDay { time: NaiveTime },
    /// The last Monday–Friday of the month that is not a holiday.
    LastWorkingDay { time: NaiveTime },
    /// That day of every month (short months use their last day).
    DayOfMonth { day: u32, time: NaiveTime },
    /// A number of working days after another schedule's fire in the same
    /// month, at the same time (follow-ups such as reminders).
    AfterWorkingDays { base: Box<Schedule>, days: u32 },
}

const FORMS: &str = "a cron expression with seconds first (e.g. `0 0 9 25 * *`), \
`first working day 09:00`, `last working day 16:00` or `day 25 09:00`";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    #[error("`{raw}` is not a schedule ({why}). Write {FORMS}.")]
    Invalid { raw: String, why: String },
}

fn invalid(raw: &str, why: impl Into<String>) -> ScheduleError {
    ScheduleError::Invalid {
        raw: raw.chars().take(60).collect(),
        why: why.into(),
    }
}

fn parse_time(raw: &str, text: &str) -> Result<NaiveTime, ScheduleError> {
    NaiveTime::parse_from_str(text, "%H:%M")
        .map_err(|_| invalid(raw, format!("`{text}` is not a 24-hour time like 09:00")))
}

impl Schedule {
    pub fn parse(raw: &str) -> Result<Schedule, ScheduleError> {
        let text = raw.trim();
        let lower = text.to_lowercase();
        let words: Vec<&str> = lower.split_whitespace().collect();
        match words.as_slice() {
            ["first", "working", "day", time] => Ok(Schedule::FirstWorkingDay {
                time: parse_time(raw, time)?,
            }),
            ["last", "working", "day", time] => Ok(Schedule::LastWorkingDay {
                time: parse_time(raw, time)?,
            }),
            ["day", day, time] => {
                let day: u32 = day
                    .parse()
                    .map_err(|_| invalid(raw, format!("`{day}` is not a day of the month")))?;
                if !(1..=31).contains(&day) {
                    return Err(invalid(raw, "the day must be 1 to 31"));
                }
                Ok(Schedule::DayOfMonth {
                    day,
                    time: parse_time(raw, time)?,
                })
            }
            _ if words.len() == 6 || words.len() == 7 => cron::Schedule::from_str(text)
                .map(|c| Schedule::Cron(Box::new(c)))
                .map_err(|e| invalid(raw, format!("cron says: {e}"))),
            _ => Err(invalid(raw, "cron needs 6 or 7 fields, seconds first")),
        }
    }

    /// The written form, for `jobs list`.
    pub fn describe(&self) -> String {
        match self {
            Schedule::Cron(c) => c.source().to_owned(),
            Schedule::FirstWorkingDay { time } => {
                format!("first working day {}", time.format("%H:%M"))
            }
            Schedule::LastWorkingDay { time } => {
                format!("last working day {}", time.format("%H:%M"))
            }
            Schedule::DayOfMonth { day, time } => format!("day {day} {}", time.format("%H:%M")),
            Schedule::AfterWorkingDays { base, days } => {
                format!("{days} working days after {}", base.describe())
            }
        }
    }

    /// The next fire strictly after `after`; `None` if nothing fires within
    /// five years.
    pub fn next_after(
        &self,
        tz: Tz,
        after: DateTime<Utc>,
        holidays: &[NaiveDate],
    ) -> Option<DateTime<Utc>> {
        // Work on naive local wall-clock time from the local minute of
        // `after`, and return the first candidate whose instant is later.
        let mut cursor = after.with_timezone(&tz).naive_local();
        let limit = cursor + Duration::days(5 * 366);
        while cursor < limit {
            let candidate = self.next_local(cursor, holidays)?;
            let instant = to_instant(tz, candidate);
            if instant > after {
                return Some(instant);
            }
            cursor = candidate;
        }
        None
    }

    /// The next local wall-clock time strictly after `cursor`.
    fn next_local(&self, cursor: NaiveDateTime, holidays: &[NaiveDate]) -> Option<NaiveDateTime> {
        match self {
            Schedule::Cron(c) => c
                .after(&Utc.from_utc_datetime(&cursor))
                .next()
                .map(|t| t.naive_utc()),
            Schedule::AfterWorkingDays { base, days } => {
                let mut month = Month {
                    year: cursor.year(),
                    month: cursor.month(),
                };
                for _ in 0..(5 * 12 + 2) {
                    let start = month.first_day()?.and_time(NaiveTime::MIN) - Duration::seconds(1);
                    let fire = base.next_local(start, holidays)?;
                    let date = add_working_days(fire.date(), *days, holidays);
                    let at = date.and_time(fire.time());
                    if at > cursor {
                        return Some(at);
                    }
                    month = month.next();
                }
                None
            }
            _ => {
                let mut month = Month {
                    year: cursor.year(),
                    month: cursor.month(),
                };
                for _ in 0..(5 * 12 + 2) {
                    if let Some(day) = self.day_in(month, holidays) {
                        let at = day.and_time(self.time());
                        if at > cursor {
                            return Some(at);
                        }
                    }
                    month = month.next();
                }
                None
            }
        }
    }

    fn time(&self) -> NaiveTime {
        match self {
            Schedule::FirstWorkingDay { time }
            | Schedule::LastWorkingDay { time }
            | Schedule::DayOfMonth { time, .. } => *time,
            Schedule::Cron(_) | Schedule::AfterWorkingDays { .. } => NaiveTime::MIN,
        }
    }

    fn day_in(&self, month: Month, holidays: &[NaiveDate]) -> Option<NaiveDate> {
        let first = NaiveDate::from_ymd_opt(month.year, month.month, 1)?;
        let last = month.next().first_day()?.pred_opt()?;
        let working = |d: &NaiveDate| is_working(*d, holidays);
        match self {
            Schedule::FirstWorkingDay { .. } => {
                first.iter_days().take_while(|d| *d <= last).find(working)
            }
            Schedule::LastWorkingDay { .. } => {
                let mut d = last;
                while d >= first {
                    if working(&d) {
                        return Some(d);
                    }
                    d = d.pred_opt()?;
                }
                None
            }
            Schedule::DayOfMonth { day, .. } => {
                Some(NaiveDate::from_ymd_opt(month.year, month.month, *day).unwrap_or(last))
            }
            Schedule::Cron(_) | Schedule::AfterWorkingDays { .. } => None,
        }
    }
}

fn is_working(d: NaiveDate, holidays: &[NaiveDate]) -> bool {
    !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !holidays.contains(&d)
}

/// The date `n` working days after `from`.
pub fn add_working_days(from: NaiveDate, n: u32, holidays: &[NaiveDate]) -> NaiveDate {
    let mut d = from;
    let mut left = n;
    while left > 0 {
        d = d.succ_opt().unwrap_or(d);
        if is_working(d, holidays) {
            left -= 1;
        }
    }
    d
}

/// The instant of a local wall-clock time: the earlier one when it happens
/// twice, the first valid one after the gap when it does not exist.
fn to_instant(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    let mut probe = local;
    for _ in 0..(3 * 60) {
        match tz.from_local_datetime(&probe) {
            LocalResult::Single(t) => return t.with_timezone(&Utc),
            LocalResult::Ambiguous(early, _) => return early.with_timezone(&Utc),
            LocalResult::None => probe += Duration::minutes(1),
        }
    }
    Utc.from_utc_datetime(&local)
}

/// A calendar month in the org's time zone: the period of a monthly run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    pub year: i32,
    pub month: u32,
}

impl Month {
    pub fn containing(instant: DateTime<Utc>, tz: Tz) -> Month {
        let local = instant.with_timezone(&tz);
        Month {
            year: local.year(),
            month: local.month(),
        }
    }

    /// The job-claim key, "2026-11".
    pub fn key(&self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }

    pub fn parse(key: &str) -> Option<Month> {
        let (y, m) = key.split_once('-')?;
        let (year, month) = (y.parse().ok()?, m.parse().ok()?);
        (y.len() == 4 && (1..=12).contains(&month)).then_some(Month { year, month })
    }

    /// "November 2026".
    pub fn label(&self) -> String {
        self.first_day()
            .map(|d| d.format("%B %Y").to_string())
            .unwrap_or_else(|| self.key())
    }

    fn first_day(&self) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(self.year, self.month, 1)
    }

    /// Local midnight on the 1st, as an instant.
    pub fn start(&self, tz: Tz) -> DateTime<Utc> {
        let midnight = self
            .first_day()
            .unwrap_or_default()
            .and_time(NaiveTime::MIN);
        to_instant(tz, midnight)
    }

    /// The start of the next month.
    pub fn end(&self, tz: Tz) -> DateTime<Utc> {
        self.next().start(tz)
    }

    pub fn next(&self) -> Month {
        if self.month == 12 {
            Month {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Month {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    pub fn prev(&self) -> Month {
        if self.month == 1 {
            Month {
                year: self.year - 1,
                month: 12,
            }
        } else {
            Month {
                year: self.year,
                month: self.month - 1,
            }
        }
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.key())
    }
}

/// Working days (Mon–Fri, not holidays) after `from` up to and including `to`.
pub fn working_days_between(from: NaiveDate, to: NaiveDate, holidays: &[NaiveDate]) -> u32 {
    from.iter_days()
        .skip(1)
        .take_while(|d| *d <= to)
        .filter(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !holidays.contains(d))
        .count() as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::America::New_York;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn local(t: DateTime<Utc>) -> String {
        t.with_timezone(&New_York)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    }

    fn fires(s: &Schedule, from: &str, n: usize) -> Vec<String> {
        let mut at = utc(from);
        (0..n)
            .map(|_| {
                at = s.next_after(New_York, at, &[]).unwrap();
                local(at)
            })
            .collect()
    }

    #[test]
    fn a_year_of_the_default_schedules_fires_once_a_month_at_the_local_hour() {
        for (cron, day, hour) in [
            ("0 0 9 1 * *", 1, 9),
            ("0 0 9 25 * *", 25, 9),
            ("0 0 10 15 * *", 15, 10),
            ("0 0 16 28 * *", 28, 16),
        ] {
            let s = Schedule::parse(cron).unwrap();
            let year = fires(&s, "2026-01-01T05:00:00Z", 12);
            for (i, f) in year.iter().enumerate() {
                assert_eq!(
                    f,
                    &format!("2026-{:02}-{day:02} {hour:02}:00", i + 1),
                    "{cron}"
                );
            }
        }
    }

    #[test]
    fn a_local_time_skipped_by_spring_forward_fires_right_after_the_gap() {
        let s = Schedule::parse("0 30 2 8 3 *").unwrap();
        assert_eq!(
            fires(&s, "2026-03-01T00:00:00Z", 1),
            vec!["2026-03-08 03:00"]
        );
    }

    #[test]
    fn a_local_time_repeated_by_fall_back_fires_once() {
        let s = Schedule::parse("0 30 1 * * *").unwrap();
        let days = fires(&s, "2026-10-31T12:00:00Z", 3);
        assert_eq!(
            days,
            vec!["2026-11-01 01:30", "2026-11-02 01:30", "2026-11-03 01:30"]
        );
        let first = s
            .next_after(New_York, utc("2026-10-31T12:00:00Z"), &[])
            .unwrap();
        assert_eq!(
            first,
            utc("2026-11-01T05:30:00Z"),
            "the earlier of the two 01:30s"
        );
    }

    #[test]
    fn working_day_forms_skip_weekends_and_holidays() {
        let first = Schedule::parse("first working day 09:00").unwrap();
        let holiday = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let at = first
            .next_after(New_York, utc("2025-12-31T12:00:00Z"), &[holiday])
            .unwrap();
        assert_eq!(local(at), "2026-01-02 09:00");
        assert_eq!(
            fires(&first, "2026-07-31T12:00:00Z", 1),
            vec!["2026-08-03 09:00"],
            "August starts on a Saturday"
        );
        let last = Schedule::parse("last working day 16:00").unwrap();
        assert_eq!(
            fires(&last, "2026-01-01T12:00:00Z", 1),
            vec!["2026-01-30 16:00"]
        );
        let day31 = Schedule::parse("day 31 09:00").unwrap();
        assert_eq!(
            fires(&day31, "2026-02-01T12:00:00Z", 1),
            vec!["2026-02-28 09:00"]
        );
    }

    #[test]
    fn schedules_parse_strictly_and_describe_themselves() {
        for ok in [
            "0 0 9 1 * *",
            "0 0 9 1 * Mon",
            "first working day 09:00",
            "Last Working Day 16:00",
            "day 25 09:00",
        ] {
            let s = Schedule::parse(ok).unwrap();
            assert!(Schedule::parse(&s.describe()).is_ok(), "{ok}");
        }
        for bad in [
            "0 9 15 * *",
            "day 0 09:00",
            "day 32 09:00",
            "first working day 9am",
            "day 5 25:00",
            "whenever",
        ] {
            let e = Schedule::parse(bad).unwrap_err().to_string();
            assert!(e.contains("first working day 09:00"), "{bad}: {e}");
        }
    }

    #[test]
    fn months_follow_the_local_calendar() {
        let m = Month::containing(utc("2026-12-01T03:00:00Z"), New_York);
        assert_eq!(m.key(), "2026-11");
        assert_eq!(m.label(), "November 2026");
        assert_eq!(Month::parse("2026-11"), Some(m));
        assert_eq!(m.start(New_York), utc("2026-11-01T04:00:00Z"));
        assert_eq!(m.end(New_York), utc("2026-12-01T05:00:00Z"));
        assert_eq!(
            Month {
                year: 2026,
                month: 12
            }
            .next()
            .key(),
            "2027-01"
        );
        assert_eq!(
            Month {
                year: 2027,
                month: 1
            }
            .prev()
            .key(),
            "2026-12"
        );
    }

    #[test]
    fn a_follow_up_fires_working_days_after_its_base_in_the_same_month() {
        let base = Schedule::parse("0 0 9 1 * *").unwrap();
        let after = Schedule::AfterWorkingDays {
            base: Box::new(base),
            days: 3,
        };
        // Nov 1 2026 is a Sunday: Mon 2, Tue 3, Wed 4.
        assert_eq!(
            fires(&after, "2026-10-20T12:00:00Z", 2),
            vec!["2026-11-04 09:00", "2026-12-04 09:00"]
        );
        assert!(
            after
                .describe()
                .starts_with("3 working days after 0 0 9 1 * *")
        );
    }

    #[test]
    fn working_days_are_counted_without_weekends_and_holidays() {
        let mon = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let next_mon = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let thanksgiving = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        assert_eq!(working_days_between(mon, next_mon, &[thanksgiving]), 4);
    }
}
