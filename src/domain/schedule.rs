//! When the monthly jobs fire, in the organization's time zone.
//!
//! Admins think in local wall-clock time ("9:00 on the 25th"), and cron 0.17
//! evaluated directly in a zone fires twice on a fall-back night and skips
//! spring-forward times. So every schedule is first evaluated on naive local
//! time and only then mapped to an instant: a local time that does not exist
//! fires at the first instant after the gap, and one that happens twice fires
//! once, at the earlier instant. Because each local time maps to exactly one
//! instant, a run can never repeat for the same wall-clock time.

use super::period::{Month, is_digits, to_instant};
use chrono::{
    DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc, Weekday,
};
use chrono_tz::Tz;
use std::str::FromStr;

/// How far `next_after` looks before it gives up, with room for leap years.
const HORIZON_DAYS: i64 = 5 * 366;
/// Months the monthly forms search: five years, plus slack for the months
/// either end of the window.
const MONTHS_AHEAD: u32 = 5 * 12 + 2;
/// The phrase forms, quoted in every error so the admin sees what works.
const PHRASES: &str = "`first working day 09:00`, `last working day 16:00` or `day 25 09:00`";
/// The cron example used when the written text gives nothing better.
const CRON_EXAMPLE: &str = "0 0 9 25 * *";

/// A job's schedule as written in settings.
// The cron variant is ~250 bytes, but there are only a handful of
// schedules, and an unboxed `cron::Schedule` keeps the type as specified.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Schedule {
    /// A cron expression (6 or 7 fields, seconds first), in local time.
    Cron(cron::Schedule),
    /// "first working day 09:00": the first Monday–Friday of the month that is not a holiday.
    FirstWorkingDay { time: NaiveTime },
    /// "last working day 16:00".
    LastWorkingDay { time: NaiveTime },
    /// "day 25 09:00": that day of every month (months too short use their last day).
    DayOfMonth { day: u32, time: NaiveTime },
    /// A follow-up (a reminder, say) `days` working days after the first fire
    /// of `base` in each month, at the same local time. Not written in
    /// settings: the scheduler derives it from another job's schedule.
    AfterWorkingDays { base: Box<Schedule>, days: u32 },
}

/// Why a written schedule was refused, phrased for the admin who wrote it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    #[error(
        "the schedule is empty: write a cron expression with seconds first (e.g. `{CRON_EXAMPLE}`), or {PHRASES}."
    )]
    Empty,
    #[error(
        "`{raw}` is not a schedule: cron needs 6 fields with seconds first (e.g. `{example}`), or write {PHRASES}."
    )]
    FieldCount { raw: String, example: String },
    #[error(
        "`{raw}` is not a valid cron expression ({reason}). Cron fields are second, minute, hour, \
         day of month, month, day of week (1 = Sunday to 7 = Saturday, or Sun–Sat) and an optional \
         year, e.g. `{CRON_EXAMPLE}`; or write {PHRASES}."
    )]
    Cron { raw: String, reason: String },
    #[error(
        "`{raw}` is not a schedule: `{time}` is not a 24-hour time; write HH:MM from 00:00 to 23:59, as in {PHRASES}."
    )]
    Time { raw: String, time: String },
    #[error(
        "`{raw}` is not a schedule: `{day}` is not a day of the month; write 1 to 31 (months too short use their last day), as in {PHRASES}."
    )]
    Day { raw: String, day: String },
    #[error(
        "`{raw}` is not a schedule: write {PHRASES}, or a cron expression with seconds first (e.g. `{CRON_EXAMPLE}`)."
    )]
    Phrase { raw: String },
}

impl Schedule {
    /// Reads a schedule from settings: one of the phrases (any case, times
    /// HH:MM on a 24-hour clock) or a cron expression with seconds first.
    pub fn parse(raw: &str) -> Result<Schedule, ScheduleError> {
        let text = raw.trim();
        let lower = text.to_lowercase();
        let words: Vec<&str> = lower.split_whitespace().collect();
        match words.first() {
            None => Err(ScheduleError::Empty),
            Some(&("first" | "last" | "day")) => parse_phrase(text, &words),
            Some(_) => parse_cron(text, words.len()),
        }
    }

    /// The written form, for `jobs list` (the cron text as given, or the normalized phrase).
    pub fn describe(&self) -> String {
        match self {
            Schedule::Cron(cron) => cron.source().to_owned(),
            Schedule::FirstWorkingDay { time } => format!("first working day {}", hh_mm(*time)),
            Schedule::LastWorkingDay { time } => format!("last working day {}", hh_mm(*time)),
            Schedule::DayOfMonth { day, time } => format!("day {day} {}", hh_mm(*time)),
            Schedule::AfterWorkingDays { base, days } => {
                format!("{days} working days after {}", base.describe())
            }
        }
    }

    /// The next fire time strictly after `after`, evaluated in local wall-clock time of `tz`:
    /// - local times that do not exist (spring-forward gap) fire at the first instant after the gap;
    /// - local times that happen twice (fall-back) fire once, at the earlier instant;
    /// - `holidays` are local dates that are not working days (only affects the working-day forms).
    ///
    /// Returns None only if nothing fires within 5 years.
    pub fn next_after(
        &self,
        tz: Tz,
        after: DateTime<Utc>,
        holidays: &[NaiveDate],
    ) -> Option<DateTime<Utc>> {
        let horizon = after + Duration::days(HORIZON_DAYS);
        // Local times up to `after`'s own map to instants no later than
        // `after` (the mapping never goes backwards), so the search starts
        // there. Later local times can still map to earlier instants: inside
        // a repeated hour, whose first pass has already gone by.
        let mut cursor = after.with_timezone(&tz).naive_local();
        loop {
            let local = self.next_local(cursor, holidays)?;
            let instant = to_instant(tz, local);
            if instant > horizon {
                return None;
            }
            if instant > after {
                return Some(instant);
            }
            cursor = local;
        }
    }

    /// The next local wall-clock time strictly after `cursor`.
    fn next_local(&self, cursor: NaiveDateTime, holidays: &[NaiveDate]) -> Option<NaiveDateTime> {
        match self {
            Schedule::Cron(cron) => next_cron(cron, cursor),
            Schedule::FirstWorkingDay { time } => {
                next_monthly(cursor, *time, |m| first_working_day(m, holidays))
            }
            Schedule::LastWorkingDay { time } => {
                next_monthly(cursor, *time, |m| last_working_day(m, holidays))
            }
            Schedule::DayOfMonth { day, time } => {
                next_monthly(cursor, *time, |m| Some(m.day_or_last(*day)))
            }
            Schedule::AfterWorkingDays { base, days } => {
                next_follow_up(base, *days, cursor, holidays)
            }
        }
    }
}

fn parse_phrase(raw: &str, words: &[&str]) -> Result<Schedule, ScheduleError> {
    match words {
        ["first", "working", "day", time] => Ok(Schedule::FirstWorkingDay {
            time: parse_time(raw, time)?,
        }),
        ["last", "working", "day", time] => Ok(Schedule::LastWorkingDay {
            time: parse_time(raw, time)?,
        }),
        ["day", day, time] => Ok(Schedule::DayOfMonth {
            day: parse_day(raw, day)?,
            time: parse_time(raw, time)?,
        }),
        _ => Err(ScheduleError::Phrase { raw: quoted(raw) }),
    }
}

/// Checks the field count first: cron's own error for a classic 5-field
/// line does not tell the admin that seconds come first.
fn parse_cron(raw: &str, fields: usize) -> Result<Schedule, ScheduleError> {
    if fields != 6 && fields != 7 {
        let example = if fields == 5 {
            format!("0 {raw}")
        } else {
            CRON_EXAMPLE.to_owned()
        };
        return Err(ScheduleError::FieldCount {
            raw: quoted(raw),
            example: quoted(&example),
        });
    }
    cron::Schedule::from_str(raw)
        .map(Schedule::Cron)
        .map_err(|e| ScheduleError::Cron {
            raw: quoted(raw),
            reason: first_line(&e.to_string()),
        })
}

/// Accepts `9:05` as well as `09:05`; minutes always take two digits so
/// `9:5` is not read as a guess.
fn parse_time(raw: &str, text: &str) -> Result<NaiveTime, ScheduleError> {
    let refuse = || ScheduleError::Time {
        raw: quoted(raw),
        time: quoted(text),
    };
    let (hour, minute) = text.split_once(':').ok_or_else(refuse)?;
    if !is_digits(hour, 1..=2) || !is_digits(minute, 2..=2) {
        return Err(refuse());
    }
    let (hour, minute) = (
        hour.parse().map_err(|_| refuse())?,
        minute.parse().map_err(|_| refuse())?,
    );
    NaiveTime::from_hms_opt(hour, minute, 0).ok_or_else(refuse)
}

fn parse_day(raw: &str, text: &str) -> Result<u32, ScheduleError> {
    let day = text.parse::<u32>().ok().filter(|d| (1..=31).contains(d));
    day.filter(|_| is_digits(text, 1..=2))
        .ok_or_else(|| ScheduleError::Day {
            raw: quoted(raw),
            day: quoted(text),
        })
}

/// Settings text echoed back in an error, cut short so a pasted blob does
/// not drown the message.
fn quoted(text: &str) -> String {
    const MAX: usize = 80;
    if text.chars().count() <= MAX {
        text.to_owned()
    } else {
        let cut: String = text.chars().take(MAX).collect();
        format!("{cut}…")
    }
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or_default().trim().to_owned()
}

fn hh_mm(time: NaiveTime) -> String {
    time.format("%H:%M").to_string()
}

/// Cron is run on naive local time dressed as UTC, which has no gaps or
/// repeats, so it sees the calendar the admin sees.
fn next_cron(cron: &cron::Schedule, cursor: NaiveDateTime) -> Option<NaiveDateTime> {
    cron.after(&Utc.from_utc_datetime(&cursor))
        .next()
        .map(|t| t.naive_utc())
}

/// The first of the monthly candidates (one day per month, if any) after `cursor`.
fn next_monthly(
    cursor: NaiveDateTime,
    time: NaiveTime,
    day_in: impl Fn(Month) -> Option<NaiveDate>,
) -> Option<NaiveDateTime> {
    let mut month = Month::of_date(cursor.date());
    for _ in 0..MONTHS_AHEAD {
        if let Some(at) = day_in(month).map(|d| d.and_time(time))
            && at > cursor
        {
            return Some(at);
        }
        month = month.next();
    }
    None
}

/// Starts a few months back: a base fire late in one month can put its
/// follow-up in the next.
fn next_follow_up(
    base: &Schedule,
    days: u32,
    cursor: NaiveDateTime,
    holidays: &[NaiveDate],
) -> Option<NaiveDateTime> {
    let lookback = Duration::days(i64::from(days).saturating_mul(2).saturating_add(31));
    let mut month = Month::of_date((cursor - lookback).date());
    let last = Month::of_date(cursor.date()).plus(MONTHS_AHEAD);
    while month <= last {
        let before_month = month.first_day().and_time(NaiveTime::MIN) - Duration::seconds(1);
        if let Some(fire) = base.next_local(before_month, holidays)
            && Month::of_date(fire.date()) == month
        {
            let at = add_working_days(fire.date(), days, holidays).and_time(fire.time());
            if at > cursor {
                return Some(at);
            }
        }
        month = month.next();
    }
    None
}

fn first_working_day(month: Month, holidays: &[NaiveDate]) -> Option<NaiveDate> {
    month.days().find(|d| is_working_day(*d, holidays))
}

fn last_working_day(month: Month, holidays: &[NaiveDate]) -> Option<NaiveDate> {
    month.days().rev().find(|d| is_working_day(*d, holidays))
}

fn is_working_day(date: NaiveDate, holidays: &[NaiveDate]) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && !holidays.contains(&date)
}

/// The date `n` working days after `from` (`from` itself when `n` is 0).
pub fn add_working_days(from: NaiveDate, n: u32, holidays: &[NaiveDate]) -> NaiveDate {
    from.iter_days()
        .skip(1)
        .filter(|d| is_working_day(*d, holidays))
        .take(n as usize)
        .last()
        .unwrap_or(from)
}

/// Working days (Mon–Fri, not in `holidays`) from `from` (exclusive) up to and including `to`, local dates.
pub fn working_days_between(from: NaiveDate, to: NaiveDate, holidays: &[NaiveDate]) -> u32 {
    let count = from
        .iter_days()
        .skip(1)
        .take_while(|d| *d <= to)
        .filter(|d| is_working_day(*d, holidays))
        .count();
    u32::try_from(count).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Timelike;
    use chrono_tz::America::New_York;
    use chrono_tz::Europe::Berlin;

    fn utc(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn month(year: i32, month: u32) -> Month {
        Month { year, month }
    }

    /// "2026-11-01 01:30 EDT": the zone abbreviation shows which of two
    /// repeated instants was picked.
    fn wall(tz: Tz, t: DateTime<Utc>) -> String {
        t.with_timezone(&tz).format("%Y-%m-%d %H:%M %Z").to_string()
    }

    fn schedule(text: &str) -> Schedule {
        Schedule::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    /// Fires chained the way the scheduler chains them: each from the last.
    fn fires(s: &Schedule, tz: Tz, from: DateTime<Utc>, n: usize) -> Vec<DateTime<Utc>> {
        fires_with(s, tz, from, n, &[])
    }

    fn fires_with(
        s: &Schedule,
        tz: Tz,
        from: DateTime<Utc>,
        n: usize,
        holidays: &[NaiveDate],
    ) -> Vec<DateTime<Utc>> {
        let mut at = from;
        (0..n)
            .map_while(|_| {
                at = s.next_after(tz, at, holidays)?;
                Some(at)
            })
            .collect()
    }

    /// The fire a schedule makes in `m`, searching from the month's start.
    fn fire_in(s: &Schedule, tz: Tz, m: Month, holidays: &[NaiveDate]) -> String {
        let at = s
            .next_after(tz, m.start(tz) - Duration::seconds(1), holidays)
            .unwrap();
        wall(tz, at)
    }

    #[test]
    fn each_default_job_fires_twelve_times_a_year_at_its_local_hour() {
        let cases = [
            ("0 0 9 1 * *", 1, 9),
            ("0 0 9 25 * *", 25, 9),
            ("0 0 10 15 * *", 15, 10),
            ("0 0 16 28 * *", 28, 16),
        ];
        for tz in [New_York, Berlin] {
            for (cron, day, hour) in cases {
                let s = schedule(cron);
                let from = month(2026, 1).start(tz) - Duration::seconds(1);
                let year = fires(&s, tz, from, 13);
                let (in_2026, next_year) = year.split_at(12);
                let mut months: Vec<u32> = Vec::new();
                for at in in_2026 {
                    let local = at.with_timezone(&tz);
                    assert_eq!(
                        (local.year(), local.day(), local.hour(), local.minute()),
                        (2026, day, hour, 0),
                        "{cron} in {tz}: {}",
                        wall(tz, *at)
                    );
                    months.push(local.month());
                }
                months.dedup();
                assert_eq!(months, (1..=12).collect::<Vec<_>>(), "{cron} in {tz}");
                assert_eq!(
                    next_year[0].with_timezone(&tz).year(),
                    2027,
                    "{cron} in {tz}"
                );
            }
        }
    }

    #[test]
    fn a_time_skipped_by_spring_forward_fires_once_right_after_the_gap() {
        let cases = [
            (
                New_York,
                "2026-03-07T12:00:00Z",
                "2026-03-08 03:00 EDT",
                "2026-03-09 02:30 EDT",
            ),
            (
                Berlin,
                "2026-03-28T12:00:00Z",
                "2026-03-29 03:00 CEST",
                "2026-03-30 02:30 CEST",
            ),
        ];
        let daily = schedule("0 30 2 * * *");
        for (tz, from, gap_day, day_after) in cases {
            let got: Vec<String> = fires(&daily, tz, utc(from), 2)
                .into_iter()
                .map(|t| wall(tz, t))
                .collect();
            assert_eq!(got, [gap_day, day_after], "{tz}");
        }
    }

    #[test]
    fn a_time_repeated_by_fall_back_fires_once_at_the_earlier_instant() {
        let cases = [
            (
                New_York,
                "0 30 1 * * *",
                "2026-10-31T12:00:00Z",
                "2026-11-01T05:30:00Z",
                "2026-11-02 01:30 EST",
            ),
            (
                Berlin,
                "0 30 2 * * *",
                "2026-10-24T12:00:00Z",
                "2026-10-25T00:30:00Z",
                "2026-10-26 02:30 CET",
            ),
        ];
        for (tz, cron, from, earlier, day_after) in cases {
            let got = fires(&schedule(cron), tz, utc(from), 2);
            assert_eq!(got[0], utc(earlier), "{tz}: the earlier of the two");
            assert_eq!(
                wall(tz, got[1]),
                day_after,
                "{tz}: no second fire that night"
            );
        }
    }

    #[test]
    fn a_search_from_inside_the_repeated_hour_skips_the_second_pass() {
        // 06:10Z is 01:10 EST, the second 01:10 of the night; 01:30 already
        // fired at 05:30Z, during the first pass.
        let at = schedule("0 30 1 * * *").next_after(New_York, utc("2026-11-01T06:10:00Z"), &[]);
        assert_eq!(wall(New_York, at.unwrap()), "2026-11-02 01:30 EST");
    }

    #[test]
    fn chained_fires_never_repeat_a_wall_clock_time_across_dst() {
        let quarter_hours = schedule("0 */15 * * * *");
        let cases = [
            // Fall back: the 01:00–02:00 hour runs twice and fires once.
            (
                "2026-11-01T05:40:00Z",
                vec!["01:45 EDT", "02:00 EST", "02:15 EST"],
            ),
            // Spring forward: 02:00–02:45 don't exist and fold into one 03:00.
            (
                "2026-03-08T06:40:00Z",
                vec!["01:45 EST", "03:00 EDT", "03:15 EDT"],
            ),
        ];
        for (from, expected) in cases {
            let got: Vec<String> = fires(&quarter_hours, New_York, utc(from), 3)
                .into_iter()
                .map(|t| wall(New_York, t)[11..].to_owned())
                .collect();
            assert_eq!(got, expected, "from {from}");
        }
    }

    #[test]
    fn a_fire_is_never_returned_again_from_itself() {
        let gap_fire = utc("2026-03-08T07:00:00Z"); // 02:30 moved to 03:00 EDT
        let repeat_fire = utc("2026-11-01T05:30:00Z"); // the first 01:30
        let cases = [
            ("0 30 2 * * *", gap_fire, "2026-03-09 02:30 EDT"),
            ("0 0 3 * * *", gap_fire, "2026-03-09 03:00 EDT"),
            ("0 30 1 * * *", repeat_fire, "2026-11-02 01:30 EST"),
        ];
        for (cron, fire, expected) in cases {
            let next = schedule(cron).next_after(New_York, fire, &[]).unwrap();
            assert_eq!(wall(New_York, next), expected, "{cron}");
        }
    }

    #[test]
    fn the_first_working_day_skips_weekends_and_holidays() {
        let s = schedule("first working day 09:00");
        let new_year = [date(2026, 1, 1)];
        let cases: [(Month, &[NaiveDate], &str); 5] = [
            (month(2026, 1), &[], "2026-01-01 09:00 EST"),
            (month(2026, 1), &new_year, "2026-01-02 09:00 EST"),
            (month(2026, 2), &[], "2026-02-02 09:00 EST"),
            (month(2026, 8), &[], "2026-08-03 09:00 EDT"),
            (month(2026, 11), &[], "2026-11-02 09:00 EST"),
        ];
        for (m, holidays, expected) in cases {
            assert_eq!(
                fire_in(&s, New_York, m, holidays),
                expected,
                "{m} {holidays:?}"
            );
        }
    }

    #[test]
    fn the_last_working_day_skips_weekends_and_holidays() {
        let s = schedule("last working day 16:00");
        let jan_30 = [date(2026, 1, 30)];
        let cases: [(Month, &[NaiveDate], &str); 3] = [
            (month(2026, 1), &[], "2026-01-30 16:00 EST"),
            (month(2026, 1), &jan_30, "2026-01-29 16:00 EST"),
            (month(2026, 5), &[], "2026-05-29 16:00 EDT"),
        ];
        for (m, holidays, expected) in cases {
            assert_eq!(
                fire_in(&s, New_York, m, holidays),
                expected,
                "{m} {holidays:?}"
            );
        }
    }

    #[test]
    fn a_month_that_is_all_holidays_fires_in_the_next_one() {
        let s = schedule("first working day 09:00");
        let march: Vec<NaiveDate> = month(2026, 3).days().collect();
        assert_eq!(
            fire_in(&s, New_York, month(2026, 3), &march),
            "2026-04-01 09:00 EDT"
        );
    }

    #[test]
    fn a_day_past_the_end_of_a_short_month_fires_on_its_last_day() {
        let s = schedule("day 31 09:00");
        let cases = [
            (month(2026, 2), "2026-02-28 09:00 EST"),
            (month(2028, 2), "2028-02-29 09:00 EST"),
            (month(2026, 3), "2026-03-31 09:00 EDT"),
            (month(2026, 4), "2026-04-30 09:00 EDT"),
        ];
        for (m, expected) in cases {
            assert_eq!(fire_in(&s, New_York, m, &[]), expected, "{m}");
        }
        let year = fires(&s, New_York, utc("2026-01-01T00:00:00Z"), 12);
        let months: Vec<Month> = year
            .iter()
            .map(|t| Month::containing(*t, New_York))
            .collect();
        assert_eq!(months.first(), Some(&month(2026, 1)));
        assert_eq!(months.last(), Some(&month(2026, 12)));
        assert!(months.windows(2).all(|w| w[1] == w[0].next()), "{months:?}");
    }

    #[test]
    fn a_follow_up_fires_working_days_after_its_base_even_into_the_next_month() {
        let base = |text: &str| Box::new(schedule(text));
        let three_after = |text| Schedule::AfterWorkingDays {
            base: base(text),
            days: 3,
        };
        let cases = [
            // Sun Nov 1 → Mon 2, Tue 3, Wed 4.
            (
                three_after("0 0 9 1 * *"),
                month(2026, 11),
                "2026-11-04 09:00 EST",
            ),
            // Wed Jan 28 → Thu 29, Fri 30, Mon Feb 2: February's first fire
            // belongs to January's base.
            (
                three_after("day 28 16:00"),
                month(2026, 2),
                "2026-02-02 16:00 EST",
            ),
        ];
        for (s, m, expected) in cases {
            assert_eq!(fire_in(&s, New_York, m, &[]), expected, "{}", s.describe());
        }
        assert_eq!(
            three_after("0 0 9 1 * *").describe(),
            "3 working days after 0 0 9 1 * *"
        );
    }

    #[test]
    fn day_of_week_one_is_sunday_as_cron_counts() {
        let s = schedule("0 0 9 * * 1");
        let at = s.next_after(New_York, utc("2026-11-02T12:00:00Z"), &[]);
        assert_eq!(wall(New_York, at.unwrap()), "2026-11-08 09:00 EST");
    }

    #[test]
    fn nothing_within_five_years_is_none() {
        let from = utc("2026-11-27T00:00:00Z");
        let cases = [
            ("0 0 9 1 1 * 2020", false),
            ("0 0 9 1 1 * 2030", true),
            ("0 0 9 1 1 * 2035", false),
        ];
        for (cron, fires) in cases {
            let next = schedule(cron).next_after(New_York, from, &[]);
            assert_eq!(next.is_some(), fires, "{cron}");
        }
    }

    #[test]
    fn parse_accepts_the_written_forms_and_describe_round_trips() {
        let cases = [
            ("0 0 9 1 * *", "0 0 9 1 * *"),
            ("0 0 9 1 * Mon", "0 0 9 1 * Mon"),
            ("  0 0 16 28 * * 2027 ", "0 0 16 28 * * 2027"),
            ("first working day 09:00", "first working day 09:00"),
            ("First  Working Day 9:30", "first working day 09:30"),
            ("LAST WORKING DAY 16:00", "last working day 16:00"),
            ("day 25 09:00", "day 25 09:00"),
            ("Day 31 23:59", "day 31 23:59"),
        ];
        for (written, described) in cases {
            let s = schedule(written);
            assert_eq!(s.describe(), described, "{written}");
            assert_eq!(schedule(&s.describe()).describe(), described, "{written}");
        }
    }

    #[test]
    fn parse_refuses_anything_else_and_names_the_accepted_forms() {
        let field_count = |raw: &str, example: &str| ScheduleError::FieldCount {
            raw: raw.into(),
            example: example.into(),
        };
        let time = |raw: &str, time: &str| ScheduleError::Time {
            raw: raw.into(),
            time: time.into(),
        };
        let day = |raw: &str, day: &str| ScheduleError::Day {
            raw: raw.into(),
            day: day.into(),
        };
        let cases = [
            ("0 9 15 * *", field_count("0 9 15 * *", "0 0 9 15 * *")),
            ("whenever", field_count("whenever", CRON_EXAMPLE)),
            ("day 0 09:00", day("day 0 09:00", "0")),
            ("day 32 09:00", day("day 32 09:00", "32")),
            ("day first 09:00", day("day first 09:00", "first")),
            (
                "first working day 9am",
                time("first working day 9am", "9am"),
            ),
            ("day 5 25:00", time("day 5 25:00", "25:00")),
            (
                "last working day 16:60",
                time("last working day 16:60", "16:60"),
            ),
            (
                "last working day 16:5",
                time("last working day 16:5", "16:5"),
            ),
            (
                "first working day",
                ScheduleError::Phrase {
                    raw: "first working day".into(),
                },
            ),
            (
                "day 25",
                ScheduleError::Phrase {
                    raw: "day 25".into(),
                },
            ),
            ("   ", ScheduleError::Empty),
        ];
        for (raw, expected) in cases {
            let err = Schedule::parse(raw).unwrap_err();
            assert_eq!(err, expected, "{raw:?}");
            let message = err.to_string();
            for form in [
                "first working day 09:00",
                "last working day 16:00",
                "day 25 09:00",
            ] {
                assert!(message.contains(form), "{raw:?}: {message}");
            }
        }
        assert_eq!(
            Schedule::parse("0 9 15 * *").unwrap_err().to_string(),
            "`0 9 15 * *` is not a schedule: cron needs 6 fields with seconds first \
             (e.g. `0 0 9 15 * *`), or write `first working day 09:00`, \
             `last working day 16:00` or `day 25 09:00`."
        );
    }

    #[test]
    fn a_cron_the_crate_rejects_is_explained_with_the_field_order() {
        for raw in ["0 0 9 1 * 0", "0 0 25 1 * *", "a b c d e f"] {
            let err = Schedule::parse(raw).unwrap_err();
            assert!(matches!(err, ScheduleError::Cron { .. }), "{raw}: {err:?}");
            let message = err.to_string();
            assert!(message.contains("1 = Sunday"), "{message}");
            assert!(message.contains("first working day 09:00"), "{message}");
        }
    }

    #[test]
    fn working_days_between_counts_weekdays_that_are_not_holidays() {
        let thanksgiving = [date(2026, 11, 26)];
        let cases: [(NaiveDate, NaiveDate, &[NaiveDate], u32); 6] = [
            (date(2026, 11, 23), date(2026, 11, 30), &thanksgiving, 4),
            (date(2026, 11, 23), date(2026, 11, 30), &[], 5),
            (date(2026, 11, 27), date(2026, 11, 30), &[], 1),
            (date(2026, 11, 28), date(2026, 11, 29), &[], 0),
            (date(2026, 11, 23), date(2026, 11, 23), &[], 0),
            (date(2026, 11, 30), date(2026, 11, 23), &[], 0),
        ];
        for (from, to, holidays, expected) in cases {
            assert_eq!(
                working_days_between(from, to, holidays),
                expected,
                "{from} → {to}"
            );
        }
    }

    #[test]
    fn adding_working_days_skips_weekends_and_holidays() {
        let thanksgiving = [date(2026, 11, 26)];
        assert_eq!(
            add_working_days(date(2026, 11, 25), 2, &thanksgiving),
            date(2026, 11, 30)
        );
        assert_eq!(
            add_working_days(date(2026, 11, 28), 0, &[]),
            date(2026, 11, 28)
        );
    }
}
