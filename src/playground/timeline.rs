//! The page's time control: where "Jump to" can go, and what happens on
//! the way. The scheduled jobs that would have fired between the old and
//! the new time fire, in order, each at its own moment and for its own
//! month, through the same code the scheduler runs (`jobs::run_at` with the
//! schedules of `serve`), so what people receive is what `serve` would
//! have sent them over those days, and a (job, month) already run is never
//! run twice.

use super::clock::PlaygroundClock;
use crate::app::AppContext;
use crate::app::jobs::{self, JobSummary, Trigger};
use crate::clock::Clock;
use crate::config::Settings;
use crate::domain::period::Month;
use crate::domain::schedule::add_working_days;
use crate::scheduler::{Scheduler, schedules};
use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde_json::{Value, json};

/// A jump lands at this local time, after the working day's jobs (the
/// nudges at 9 or 10, the digest at 16) have fired everywhere the demo has
/// people.
const LANDING: NaiveTime = NaiveTime::from_hms_opt(17, 0, 0).expect("a valid time");

/// How far one jump may go: every job of every month on the way runs, so
/// a jump of decades would keep the playground busy for minutes.
pub const MAX_DAYS_AHEAD: i64 = 400;

/// Where the time control can go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Jump {
    NextWorkingDay,
    NextMonth,
    The25th,
    YearEnd,
    /// A date of the person's choosing (after today).
    Date(NaiveDate),
}

impl Jump {
    const NAMED: [(Jump, &'static str, &'static str); 4] = [
        (Jump::NextWorkingDay, "next-working-day", "Next working day"),
        (Jump::NextMonth, "next-month", "Next month's 1st"),
        (Jump::The25th, "25th", "The 25th"),
        (Jump::YearEnd, "year-end", "Year end"),
    ];

    /// `next-working-day`, `next-month`, `25th`, `year-end`, or a date
    /// `YYYY-MM-DD`.
    pub fn parse(raw: &str) -> Result<Jump, String> {
        let raw = raw.trim();
        if let Some((jump, _, _)) = Self::NAMED.iter().find(|(_, id, _)| *id == raw) {
            return Ok(*jump);
        }
        NaiveDate::parse_from_str(raw, "%Y-%m-%d")
            .map(Jump::Date)
            .map_err(|_| {
                format!(
                    "{:?} is not a place in time: jump to {}, or a date written YYYY-MM-DD",
                    raw.chars().take(40).collect::<String>(),
                    Self::NAMED.map(|(_, id, _)| id).join(", ")
                )
            })
    }

    /// The local date this jump lands on, seen from `today`.
    pub fn date(self, today: NaiveDate, holidays: &[NaiveDate]) -> NaiveDate {
        let first_of_next = month_of(today).next();
        let day = |m: Month, d: u32| NaiveDate::from_ymd_opt(m.year, m.month, d);
        match self {
            Jump::NextWorkingDay => add_working_days(today, 1, holidays),
            Jump::NextMonth => day(first_of_next, 1).unwrap_or(today),
            Jump::The25th => {
                let this = day(month_of(today), 25).unwrap_or(today);
                if this > today {
                    this
                } else {
                    day(first_of_next, 25).unwrap_or(today)
                }
            }
            Jump::YearEnd => {
                let this = NaiveDate::from_ymd_opt(today.year(), 12, 31).unwrap_or(today);
                if this > today {
                    this
                } else {
                    NaiveDate::from_ymd_opt(today.year() + 1, 12, 31).unwrap_or(today)
                }
            }
            Jump::Date(d) => d,
        }
    }

    /// The instant this jump lands at: its date at [`LANDING`], org time.
    pub fn target(self, now: DateTime<Utc>, tz: Tz, holidays: &[NaiveDate]) -> DateTime<Utc> {
        let today = now.with_timezone(&tz).date_naive();
        local_instant(tz, self.date(today, holidays).and_time(LANDING))
    }
}

fn month_of(date: NaiveDate) -> Month {
    Month {
        year: date.year(),
        month: date.month(),
    }
}

fn local_instant(tz: Tz, local: chrono::NaiveDateTime) -> DateTime<Utc> {
    tz.from_local_datetime(&local)
        .earliest()
        // A landing inside a DST gap: an hour later exists.
        .or_else(|| {
            tz.from_local_datetime(&(local + chrono::Duration::hours(1)))
                .earliest()
        })
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| local.and_utc())
}

/// The playground's time for the page: the instant, and how the org reads it.
pub fn now_json(now: DateTime<Utc>, tz: Tz) -> Value {
    let local = now.with_timezone(&tz);
    json!({
        "utc": now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "date": local.format("%Y-%m-%d").to_string(),
        "label": local.format("%a %-d %b %Y, %H:%M").to_string(),
        "timezone": tz.name(),
    })
}

/// The named jumps with the dates they would land on now, for the menu.
pub fn choices(now: DateTime<Utc>, tz: Tz, holidays: &[NaiveDate]) -> Value {
    let today = now.with_timezone(&tz).date_naive();
    Value::Array(
        Jump::NAMED
            .iter()
            .map(|(jump, id, label)| {
                let date = jump.date(today, holidays);
                json!({
                    "id": id,
                    "label": label,
                    "date": date.format("%Y-%m-%d").to_string(),
                    "date_label": date.format("%a %-d %b").to_string(),
                })
            })
            .collect(),
    )
}

/// Moves the playground's time to `to`, running on the way every scheduled
/// job whose fire falls after the current time and not after `to`: each at
/// its fire's instant (the clock is stepped there first), for the month of
/// that fire, in order. Returns what each run did.
pub async fn travel(
    ctx: &AppContext,
    settings: &Settings,
    clock: &PlaygroundClock,
    to: DateTime<Utc>,
) -> anyhow::Result<Vec<JobSummary>> {
    let from = clock.now();
    if to <= from {
        clock.jump_to(to)?;
    }
    let scheduler = Scheduler::new(
        ctx.clone(),
        schedules(settings),
        settings.schedule.holidays.clone(),
    );
    let tz = ctx.directory().org.timezone;
    let mut ran = Vec::new();
    let mut after = from;
    loop {
        let fires: Vec<_> = scheduler
            .next_fires(after)
            .into_iter()
            .filter(|(job, _, _)| job.available())
            .filter_map(|(job, _, at)| at.map(|at| (job, at)))
            .collect();
        let Some(at) = fires.iter().map(|(_, at)| *at).min() else {
            break;
        };
        if at > to {
            break;
        }
        if at > clock.now() {
            clock.jump_to(at)?;
        }
        let month = Month::containing(at, tz);
        let local = at.with_timezone(&tz).naive_local();
        for (job, _) in fires.iter().filter(|(_, t)| *t == at) {
            ran.push(jobs::run_at(ctx, *job, month, Trigger::Schedule, Some(local)).await?);
        }
        after = at;
    }
    if to > clock.now() {
        clock.jump_to(to)?;
    }
    Ok(ran)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn each_jump_lands_on_the_day_people_expect() {
        let fri = d("2026-11-27");
        assert_eq!(Jump::NextWorkingDay.date(fri, &[]), d("2026-11-30"));
        assert_eq!(
            Jump::NextWorkingDay.date(fri, &[d("2026-11-30")]),
            d("2026-12-01")
        );
        assert_eq!(Jump::NextMonth.date(fri, &[]), d("2026-12-01"));
        assert_eq!(Jump::NextMonth.date(d("2026-12-15"), &[]), d("2027-01-01"));
        assert_eq!(Jump::The25th.date(d("2026-11-24"), &[]), d("2026-11-25"));
        assert_eq!(Jump::The25th.date(d("2026-11-25"), &[]), d("2026-12-25"));
        assert_eq!(Jump::YearEnd.date(fri, &[]), d("2026-12-31"));
        assert_eq!(Jump::YearEnd.date(d("2026-12-31"), &[]), d("2027-12-31"));
    }

    #[test]
    fn a_jump_lands_at_five_in_the_afternoon_org_time() {
        let tz: Tz = "America/New_York".parse().unwrap();
        let now: DateTime<Utc> = "2026-11-27T15:00:00Z".parse().unwrap();
        assert_eq!(
            Jump::NextMonth.target(now, tz, &[]),
            "2026-12-01T22:00:00Z".parse::<DateTime<Utc>>().unwrap()
        );
        assert_eq!(now_json(now, tz)["label"], "Fri 27 Nov 2026, 10:00");
    }

    #[test]
    fn a_jump_is_named_or_a_date_and_anything_else_says_what_is_accepted() {
        assert_eq!(Jump::parse("25th"), Ok(Jump::The25th));
        assert_eq!(Jump::parse("2027-01-02"), Ok(Jump::Date(d("2027-01-02"))));
        let err = Jump::parse("tomorrow").unwrap_err();
        assert!(err.contains("next-working-day"), "{err}");
    }
}
