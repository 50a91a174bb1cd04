//! Periods: the calendar month a monthly job, a nudge or a publication
//! belongs to, on the organization's wall calendar.
//!
//! A month is read in the org's time zone, not UTC: a check-in at 22:00 on
//! the 31st in New York belongs to that month even though it is already
//! the 1st in UTC. Local times that a daylight-saving change skips or
//! repeats are mapped to one instant here, so every month starts and ends
//! at one well-defined instant and months tile time without gaps.

use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset,
    TimeZone, Timelike, Utc,
};
use chrono_tz::Tz;
use std::fmt;

/// The longest daylight-saving gap a local time is moved across. Real gaps
/// are an hour, rarely two; anything longer is bad zone data.
const MAX_GAP_MINUTES: u32 = 3 * 60;

/// A calendar month in the org's time zone: the period a monthly job run belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    pub year: i32,
    pub month: u32,
}

impl Month {
    /// The month on the org's wall calendar at `instant`, which near
    /// midnight on the 1st is not the month in UTC.
    pub fn containing(instant: DateTime<Utc>, tz: Tz) -> Month {
        Month::of_date(instant.with_timezone(&tz).date_naive())
    }

    /// The job-claim key, "2026-11".
    pub fn key(&self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }

    /// Reads a key written by [`Month::key`]; anything else is `None`.
    pub fn parse(key: &str) -> Option<Month> {
        let (year, month) = key.split_once('-')?;
        if !is_digits(year, 4..=4) || !is_digits(month, 2..=2) {
            return None;
        }
        let month: u32 = month.parse().ok()?;
        (1..=12).contains(&month).then_some(Month {
            year: year.parse().ok()?,
            month,
        })
    }

    /// "November 2026", for messages people read.
    pub fn label(&self) -> String {
        self.first_day().format("%B %Y").to_string()
    }

    /// Local midnight on the 1st (the first valid instant if midnight doesn't exist).
    pub fn start(&self, tz: Tz) -> DateTime<Utc> {
        to_instant(tz, self.first_day().and_time(NaiveTime::MIN))
    }

    /// The start of the next month, so months tile time without gaps.
    pub fn end(&self, tz: Tz) -> DateTime<Utc> {
        self.next().start(tz)
    }

    pub fn next(&self) -> Month {
        match self.month {
            12.. => Month {
                year: self.year + 1,
                month: 1,
            },
            m => Month {
                year: self.year,
                month: m + 1,
            },
        }
    }

    pub fn prev(&self) -> Month {
        match self.month {
            ..=1 => Month {
                year: self.year - 1,
                month: 12,
            },
            m => Month {
                year: self.year,
                month: m - 1,
            },
        }
    }

    pub(super) fn of_date(date: NaiveDate) -> Month {
        Month {
            year: date.year(),
            month: date.month(),
        }
    }

    pub(super) fn plus(self, months: u32) -> Month {
        (0..months).fold(self, |m, _| m.next())
    }

    /// The fields are public, so an out-of-range month is clamped rather
    /// than allowed to panic a scheduler.
    pub(super) fn first_day(&self) -> NaiveDate {
        let month = self.month.clamp(1, 12);
        NaiveDate::from_ymd_opt(self.year, month, 1).unwrap_or(if self.year < 0 {
            NaiveDate::MIN
        } else {
            NaiveDate::MAX
        })
    }

    pub(super) fn days(&self) -> impl DoubleEndedIterator<Item = NaiveDate> {
        let (year, month) = (self.first_day().year(), self.first_day().month());
        (1..=31).filter_map(move |d| NaiveDate::from_ymd_opt(year, month, d))
    }

    pub(super) fn day_or_last(&self, day: u32) -> NaiveDate {
        self.days()
            .take_while(|d| d.day() <= day)
            .last()
            .unwrap_or_else(|| self.first_day())
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.key())
    }
}

/// The instant of a local wall-clock time: the earlier one when it happens
/// twice, the first one after the gap when it does not exist.
pub(super) fn to_instant(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    earliest(tz, local).unwrap_or_else(|| after_gap(tz, local))
}

fn earliest(tz: Tz, local: NaiveDateTime) -> Option<DateTime<Utc>> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => Some(t.with_timezone(&Utc)),
        LocalResult::None => None,
    }
}

/// Gaps open and close on whole minutes, so the first valid minute is the
/// moment the clocks jumped.
fn after_gap(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    let minute = local.with_second(0).and_then(|t| t.with_nanosecond(0));
    let start = minute.unwrap_or(local);
    (1..=MAX_GAP_MINUTES)
        .find_map(|m| earliest(tz, start + Duration::minutes(i64::from(m))))
        .unwrap_or_else(|| {
            // Only bad zone data gets here: read the time with the offset
            // in force at that reading, rather than fail a whole schedule.
            let offset = tz.offset_from_utc_datetime(&local).fix();
            Utc.from_utc_datetime(&(local - offset))
        })
}

pub(super) fn is_digits(text: &str, len: std::ops::RangeInclusive<usize>) -> bool {
    len.contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::America::{Asuncion, New_York};
    use chrono_tz::Europe::Berlin;

    fn utc(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    fn month(year: i32, month: u32) -> Month {
        Month { year, month }
    }

    #[test]
    fn a_month_is_the_one_on_the_local_calendar() {
        let cases = [
            ("2026-12-01T03:00:00Z", New_York, month(2026, 11)),
            ("2026-12-01T05:00:00Z", New_York, month(2026, 12)),
            ("2026-11-30T23:30:00Z", Berlin, month(2026, 12)),
        ];
        for (instant, tz, expected) in cases {
            assert_eq!(
                Month::containing(utc(instant), tz),
                expected,
                "{instant} {tz}"
            );
        }
    }

    #[test]
    fn a_month_runs_from_local_midnight_to_local_midnight_across_dst() {
        let cases = [
            (
                New_York,
                month(2026, 3),
                "2026-03-01T05:00:00Z",
                "2026-04-01T04:00:00Z",
            ),
            (
                New_York,
                month(2026, 11),
                "2026-11-01T04:00:00Z",
                "2026-12-01T05:00:00Z",
            ),
            (
                Berlin,
                month(2026, 10),
                "2026-09-30T22:00:00Z",
                "2026-10-31T23:00:00Z",
            ),
            // Paraguay sprang forward at midnight on Sun 1 Oct 2023: the
            // month starts at 01:00 local, the first instant that exists.
            (
                Asuncion,
                month(2023, 10),
                "2023-10-01T04:00:00Z",
                "2023-11-01T03:00:00Z",
            ),
        ];
        for (tz, m, start, end) in cases {
            assert_eq!((m.start(tz), m.end(tz)), (utc(start), utc(end)), "{m} {tz}");
            assert_eq!(Month::containing(m.start(tz), tz), m, "{m} {tz}");
            assert_eq!(Month::containing(m.end(tz) - Duration::seconds(1), tz), m);
        }
    }

    #[test]
    fn a_month_key_parses_back_and_its_label_reads_as_words() {
        let m = month(2026, 11);
        assert_eq!(m.key(), "2026-11");
        assert_eq!(m.to_string(), "2026-11");
        assert_eq!(m.label(), "November 2026");
        assert_eq!(month(2027, 1).key(), "2027-01");
        assert_eq!(Month::parse(&m.key()), Some(m));
        for bad in [
            "2026-13",
            "2026-00",
            "2026-1",
            "26-11",
            "2026/11",
            "2026-11-01",
            "",
            "november",
        ] {
            assert_eq!(Month::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn months_step_across_the_year_boundary_and_sort_in_time() {
        assert_eq!(month(2026, 12).next(), month(2027, 1));
        assert_eq!(month(2027, 1).prev(), month(2026, 12));
        assert_eq!(month(2026, 5).next().prev(), month(2026, 5));
        assert!(month(2026, 12) < month(2027, 1));
        assert!(month(2026, 2) < month(2026, 10));
    }
}
