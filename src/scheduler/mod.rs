//! The scheduler: runs the monthly jobs on their schedules, in the org's
//! time zone.
//!
//! Shape (like the delivery worker): work out the next fire of every job,
//! sleep on the injected clock until the earliest (or shutdown), run that job
//! for the month the fire falls in, repeat. Runs are claimed by (job,
//! month) in the database, so a fire seen twice (two instances, a restart,
//! a manual `jobs run`) does its work once. On start, a job whose fire this
//! month already passed while the bot was down is caught up, once.

/// The schedule types moved to the domain; this path stays for callers
/// outside this module's owners (the integration tests, the Slack client
/// and the playground) until they import from [`crate::domain`].
pub mod schedule {
    pub use crate::domain::period::Month;
    pub use crate::domain::schedule::{Schedule, ScheduleError};
}

use crate::app::AppContext;
use crate::app::jobs::{self, Job, JobSummary, Trigger};
use crate::config::Settings;
use crate::domain::period::Month;
use crate::domain::schedule::Schedule;
use crate::store::jobs as job_store;
use chrono::{DateTime, Duration, Utc};
use tokio_util::sync::CancellationToken;

pub struct Scheduler {
    ctx: AppContext,
    jobs: Vec<(Job, Schedule)>,
    /// Local dates that are not working days.
    holidays: Vec<chrono::NaiveDate>,
}

/// Each job with its schedule, from the settings (parsed when they were
/// loaded); the priorities follow-ups are derived from the nudge's.
pub fn schedules(settings: &Settings) -> Vec<(Job, Schedule)> {
    let s = &settings.schedule;
    let after = |days: u32| Schedule::AfterWorkingDays {
        base: Box::new(s.priorities_nudge.clone()),
        days,
    };
    let org = s
        .org_priorities
        .clone()
        .map(|sched| (Job::OrgPrioritiesNudge, sched));
    org.into_iter()
        .chain([
            (Job::PrioritiesNudge, s.priorities_nudge.clone()),
            (Job::ProgressNudge, s.progress_nudge.clone()),
            (Job::MomentsNudge, s.moments_nudge.clone()),
            (Job::MonthlyDigest, s.monthly_digest.clone()),
            (Job::YearTurn, s.year_turn.clone()),
            (Job::PrioritiesReminder, after(s.priorities_reminder_days)),
            (
                Job::PrioritiesMissing,
                after(2 * s.priorities_reminder_days),
            ),
            (Job::TeamUpdate, s.team_update.clone()),
            (
                Job::TeamUpdateReminder,
                Schedule::AfterWorkingDays {
                    base: Box::new(s.team_update.clone()),
                    days: s.priorities_reminder_days,
                },
            ),
        ])
        .collect()
}

impl Scheduler {
    pub fn new(
        ctx: AppContext,
        jobs: Vec<(Job, Schedule)>,
        holidays: Vec<chrono::NaiveDate>,
    ) -> Self {
        Self {
            ctx,
            jobs,
            holidays,
        }
    }

    /// The next fire of each job after `after`.
    pub fn next_fires(&self, after: DateTime<Utc>) -> Vec<(Job, &Schedule, Option<DateTime<Utc>>)> {
        let tz = self.ctx.directory().org.timezone;
        self.jobs
            .iter()
            .map(|(job, sched)| (*job, sched, sched.next_after(tz, after, &self.holidays)))
            .collect()
    }

    /// Runs, once, each job whose fire in the current month has passed
    /// without a run (the bot was down at the time).
    pub async fn catch_up(&self) -> Vec<JobSummary> {
        let now = self.ctx.clock.now();
        let tz = self.ctx.directory().org.timezone;
        let month = Month::containing(now, tz);
        let mut done: Vec<JobSummary> = Vec::new();
        for (job, sched) in self.jobs.iter().filter(|(j, _)| j.available()) {
            // A reminder right behind a nudge caught up just now would only
            // nag: it is marked done instead.
            let follow_up = matches!(job, Job::PrioritiesReminder | Job::PrioritiesMissing);
            let reminder_behind = follow_up
                && done.iter().any(|d| d.job == Job::PrioritiesNudge && d.ran)
                || *job == Job::TeamUpdateReminder
                    && done.iter().any(|d| d.job == Job::TeamUpdate && d.ran);
            if reminder_behind {
                if let Err(e) = self.skip(*job, month).await {
                    tracing::error!(job = %job, error = %e, "cannot mark a follow-up as skipped");
                }
                continue;
            }
            let Some(fire) = sched.next_after(
                tz,
                month.start(tz) - Duration::milliseconds(1),
                &self.holidays,
            ) else {
                continue;
            };
            if fire > now || Month::containing(fire, tz) != month {
                continue;
            }
            match job_store::was_run(self.ctx.store.reads(), job.name(), &month.key()).await {
                Ok(true) => {}
                Ok(false) => match jobs::run(&self.ctx, *job, month, Trigger::CatchUp).await {
                    Ok(summary) => {
                        tracing::info!(%summary, "caught up a missed job run");
                        done.push(summary);
                    }
                    Err(e) => tracing::error!(job = %job, error = %e, "catch-up failed"),
                },
                Err(e) => tracing::error!(job = %job, error = %e, "cannot read job runs"),
            }
        }
        done
    }

    async fn skip(&self, job: Job, month: Month) -> Result<(), crate::store::StoreError> {
        let now = self.ctx.clock.now();
        let key = month.key();
        self.ctx
            .store
            .write(move |conn| {
                Box::pin(async move {
                    if job_store::claim(conn, job.name(), &key, "catch-up", now).await? {
                        job_store::finish(
                            conn,
                            job.name(),
                            &key,
                            "skipped: its nudge was only just caught up",
                            now,
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .await
    }

    /// Runs until `shutdown`.
    pub async fn run(self, shutdown: CancellationToken) {
        tracing::info!(jobs = self.jobs.len(), "scheduler started");
        // Fires after this instant are the loop's; earlier ones, catch-up's.
        // Read before catching up, so a fire that comes due while catch-up
        // is still working is run right after it, not skipped.
        let mut after = self.ctx.clock.now();
        self.catch_up().await;
        let tz = self.ctx.directory().org.timezone;
        loop {
            let fires: Vec<(Job, DateTime<Utc>)> = self
                .next_fires(after)
                .into_iter()
                .filter(|(job, _, _)| job.available())
                .filter_map(|(job, _, at)| at.map(|at| (job, at)))
                .collect();
            let Some(at) = fires.iter().map(|(_, at)| *at).min() else {
                tracing::warn!("no job has a next fire; the scheduler stops");
                break;
            };
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = self.ctx.clock.sleep_until(at) => {}
            }
            // Every job due at this instant runs now, for its month.
            let month = Month::containing(at, tz);
            for (job, _) in fires.iter().filter(|(_, t)| *t == at) {
                let local = at.with_timezone(&tz).naive_local();
                match jobs::run_at(&self.ctx, *job, month, Trigger::Schedule, Some(local)).await {
                    Ok(summary) => tracing::info!(%summary, "job run"),
                    Err(e) => tracing::error!(job = %job, error = %e, "job run failed"),
                }
            }
            after = at;
        }
        tracing::info!("scheduler stopped");
    }
}
