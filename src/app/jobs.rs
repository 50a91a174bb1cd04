//! The monthly jobs: who they nudge and what they post. Each run is claimed
//! by `(job, period)` in the same transaction as everything it enqueues, so
//! a restart, a second instance or a manual run can never send the same
//! nudge twice; nobody is nudged for something they already did this month.

use super::goals::current_year;
use super::outgoing::{Outgoing, enqueue};
use super::{AppContext, AppError};
use crate::domain::PersonId;
use crate::domain::period::Month;
use crate::store::jobs;
use std::collections::BTreeSet;
use std::fmt;

/// The contract's jobs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Job {
    PrioritiesNudge,
    ProgressNudge,
    MomentsNudge,
    MonthlyDigest,
    /// Leaders who have not published some working days after the nudge.
    PrioritiesReminder,
    /// Then admins get the list of teams still missing.
    PrioritiesMissing,
    /// The executives (else the admins) are asked for next month's
    /// organization priorities (`[schedule] org_priorities`), before the
    /// teams' nudges on the 1st.
    OrgPrioritiesNudge,
}

impl Job {
    pub const ALL: [Job; 4] = [
        Job::PrioritiesNudge,
        Job::ProgressNudge,
        Job::MomentsNudge,
        Job::MonthlyDigest,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Job::PrioritiesNudge => "priorities-nudge",
            Job::ProgressNudge => "progress-nudge",
            Job::MomentsNudge => "moments-nudge",
            Job::MonthlyDigest => "monthly-digest",
            Job::PrioritiesReminder => "priorities-reminder",
            Job::PrioritiesMissing => "priorities-missing",
            Job::OrgPrioritiesNudge => "org-priorities-nudge",
        }
    }

    pub fn parse(name: &str) -> Option<Job> {
        Job::ALL
            .into_iter()
            .chain([Job::OrgPrioritiesNudge])
            .find(|j| j.name() == name)
    }

    /// Whether this build can run the job (all of them now; kept so a job
    /// can be listed before it is built).
    pub fn available(self) -> bool {
        true
    }
}

impl fmt::Display for Job {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How a run was started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    Schedule,
    CatchUp,
    Manual,
}

impl Trigger {
    fn as_str(self) -> &'static str {
        match self {
            Trigger::Schedule => "schedule",
            Trigger::CatchUp => "catch-up",
            Trigger::Manual => "manual",
        }
    }
}

/// What a run did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobSummary {
    pub job: Job,
    pub period: Month,
    /// False when the run had already been claimed: nothing was done.
    pub ran: bool,
    /// Messages enqueued (nudges, digests).
    pub enqueued: usize,
    /// People left out because they already did it this month.
    pub skipped: usize,
    pub detail: String,
}

impl fmt::Display for JobSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ran {
            write!(f, "{} {}: {}", self.job, self.period, self.detail)
        } else {
            write!(
                f,
                "{} {}: already ran for this period; nothing sent",
                self.job, self.period
            )
        }
    }
}

/// The local time a scheduled nudge waits for: the job's time, or, when
/// that day is a holiday of one of the person's teams, the same time on the
/// next working day.
fn local_for(
    dir: &crate::domain::Directory,
    person: &PersonId,
    local: Option<chrono::NaiveDateTime>,
) -> Option<String> {
    use chrono::Datelike;
    let at = local?;
    let holidays: Vec<chrono::NaiveDate> = dir
        .teams_of(person)
        .flat_map(|t| t.holidays.iter().copied())
        .collect();
    let mut day = at.date();
    if holidays.contains(&day) {
        loop {
            day = day.succ_opt()?;
            let weekend = matches!(day.weekday(), chrono::Weekday::Sat | chrono::Weekday::Sun);
            if !weekend && !holidays.contains(&day) {
                break;
            }
        }
    }
    Some(day.and_time(at.time()).format("%Y-%m-%dT%H:%M").to_string())
}

/// Runs `job` for `period` unless that run was already claimed; nudges go
/// out at once.
pub async fn run(
    ctx: &AppContext,
    job: Job,
    period: Month,
    trigger: Trigger,
) -> Result<JobSummary, AppError> {
    run_at(ctx, job, period, trigger, None).await
}

/// Like [`run`], for a scheduled fire at local wall-clock time `local`:
/// each nudge waits for that time in its recipient's own time zone.
#[tracing::instrument(skip_all, fields(job = %job, period = %period))]
pub async fn run_at(
    ctx: &AppContext,
    job: Job,
    period: Month,
    trigger: Trigger,
    local: Option<chrono::NaiveDateTime>,
) -> Result<JobSummary, AppError> {
    let result = plan_and_claim(ctx, job, period, trigger, local).await;
    let outcome = match &result {
        Ok(summary) if summary.ran => "ran",
        Ok(_) => "already_ran",
        Err(_) => "error",
    };
    ctx.metrics.job_run(job.name(), trigger.as_str(), outcome);
    result
}

async fn plan_and_claim(
    ctx: &AppContext,
    job: Job,
    period: Month,
    trigger: Trigger,
    local: Option<chrono::NaiveDateTime>,
) -> Result<JobSummary, AppError> {
    // Another process (`alignbot forget-user`, an admin's `/align team` on
    // another replica) may have changed who is in which team: plan from the
    // database, not from this process's snapshot.
    ctx.reload_directory().await?;
    let dir = ctx.directory();
    let tz = dir.org.timezone;
    let (from, to) = (period.start(tz), period.end(tz));
    let now = ctx.clock.now();
    let pool = ctx.store.reads();

    // Who gets what, decided before the transaction (reads only).
    let plan: Vec<Outgoing>;
    let mut people: Vec<PersonId> = Vec::new();
    let mut leaders: Vec<(PersonId, Vec<crate::domain::TeamKey>)> = Vec::new();
    // Job::PrioritiesMissing: the (leader, team) pairs escalated to admins.
    let mut escalated: Vec<(PersonId, crate::domain::TeamKey)> = Vec::new();
    let skipped;
    match job {
        Job::ProgressNudge => {
            let due = jobs::goals_due_for_check_in(pool, current_year(ctx).value(), from).await?;
            let owners: BTreeSet<String> = due.iter().map(|(o, _)| o.clone()).collect();
            people = owners
                .iter()
                .filter_map(|o| PersonId::parse(o).ok())
                .collect();
            skipped = 0;
            plan = Vec::new();
        }
        Job::MomentsNudge => {
            let shared: BTreeSet<String> = jobs::moment_authors(pool, from, to)
                .await?
                .into_iter()
                .collect();
            let staff: BTreeSet<PersonId> = dir
                .teams
                .iter()
                .flat_map(|t| t.leaders.iter().chain(&t.members))
                .cloned()
                .collect();
            skipped = staff.iter().filter(|p| shared.contains(p.as_str())).count();
            people = staff
                .into_iter()
                .filter(|p| !shared.contains(p.as_str()))
                .collect();
            plan = Vec::new();
        }
        Job::MonthlyDigest => {
            skipped = 0;
            plan = vec![
                Outgoing::MomentsDigest {
                    period: period.key(),
                    channel: dir.org.moments_channel.clone(),
                },
                Outgoing::LeadershipDigest {
                    period: period.key(),
                    channel: dir.org.leadership_channel.clone(),
                },
            ];
        }
        Job::OrgPrioritiesNudge => {
            // About next month: nobody is asked once it is published.
            let next = period.next().key();
            let mut conn = pool
                .acquire()
                .await
                .map_err(crate::store::StoreError::from)?;
            let done = crate::store::priorities::org_for_period(&mut conn, &next)
                .await?
                .is_some();
            skipped = 0;
            plan = if done {
                Vec::new()
            } else {
                let who = if dir.org.executives.is_empty() {
                    &dir.org.admins
                } else {
                    &dir.org.executives
                };
                who.iter()
                    .map(|person| Outgoing::OrgPrioritiesNudge {
                        period: next.clone(),
                        person: person.clone(),
                    })
                    .collect()
            };
        }
        Job::PrioritiesMissing => {
            let published: BTreeSet<String> =
                crate::store::priorities::published_teams(pool, &period.key())
                    .await?
                    .into_iter()
                    .map(|(team, _)| team)
                    .collect();
            let missing = dir
                .teams
                .iter()
                .filter(|t| !published.contains(t.key.as_str()))
                .count();
            escalated = dir
                .teams
                .iter()
                .filter(|t| !published.contains(t.key.as_str()))
                .flat_map(|t| t.leaders.iter().map(|l| (l.clone(), t.key.clone())))
                .collect();
            skipped = 0;
            // Private to each admin, and only when some team is missing.
            plan = if missing == 0 {
                Vec::new()
            } else {
                dir.org
                    .admins
                    .iter()
                    .map(|admin| Outgoing::MissingPriorities {
                        period: period.key(),
                        person: admin.clone(),
                    })
                    .collect()
            };
        }
        Job::PrioritiesNudge | Job::PrioritiesReminder => {
            let published: BTreeSet<String> =
                crate::store::priorities::published_teams(pool, &period.key())
                    .await?
                    .into_iter()
                    .map(|(team, _)| team)
                    .collect();
            skipped = dir
                .teams
                .iter()
                .filter(|t| published.contains(t.key.as_str()))
                .count();
            // One DM per leader, with a section for each of their teams
            // still to publish (the first team names the DM in the outbox).
            let mut nudges: Vec<(PersonId, Vec<crate::domain::TeamKey>)> = Vec::new();
            for team in dir
                .teams
                .iter()
                .filter(|t| !published.contains(t.key.as_str()))
            {
                for leader in &team.leaders {
                    match nudges.iter_mut().find(|(p, _)| p == leader) {
                        Some((_, teams)) => teams.push(team.key.clone()),
                        None => nudges.push((leader.clone(), vec![team.key.clone()])),
                    }
                }
            }
            leaders = nudges;
            plan = Vec::new();
        }
    }

    // People who are away or muted this kind are left out (and counted).
    let kind = match job {
        Job::ProgressNudge => "progress",
        Job::MomentsNudge => "moments",
        Job::PrioritiesNudge | Job::PrioritiesReminder => "priorities",
        Job::MonthlyDigest | Job::PrioritiesMissing | Job::OrgPrioritiesNudge => "",
    };
    let today = now.with_timezone(&tz).date_naive();
    let prefs = crate::store::people::all(pool).await?;
    let accepts = |p: &PersonId| {
        prefs
            .iter()
            .find(|x| x.person_id == p.as_str())
            .is_none_or(|x| x.accepts(kind, today))
    };
    let before = people.len() + leaders.len();
    people.retain(|p| accepts(p));
    leaders.retain(|(p, _)| accepts(p));
    let skipped = skipped + before - people.len() - leaders.len();

    let key = period.key();
    let name = job.name();
    let (ran, enqueued) = ctx
        .store
        .write(move |conn| {
            Box::pin(async move {
                if !jobs::claim(conn, name, &key, trigger.as_str(), now).await? {
                    return Ok((false, 0));
                }
                let mut enqueued = 0;
                for person in &people {
                    let Some(nudge) =
                        jobs::record_nudge(conn, name, &key, person.as_str(), now).await?
                    else {
                        continue;
                    };
                    let message = match job {
                        Job::ProgressNudge => Outgoing::ProgressNudge {
                            nudge: crate::domain::ids::NudgeId(nudge),
                            person: person.clone(),
                            local_at: local_for(&dir, person, local),
                        },
                        _ => Outgoing::MomentsNudge {
                            nudge: crate::domain::ids::NudgeId(nudge),
                            person: person.clone(),
                            local_at: local_for(&dir, person, local),
                        },
                    };
                    enqueue(conn, &message, now).await?;
                    enqueued += 1;
                }
                let mark = if job == Job::PrioritiesReminder {
                    jobs::TeamMark::Reminded
                } else {
                    jobs::TeamMark::Nudged
                };
                for (leader, team) in &escalated {
                    jobs::mark_leader_team(
                        conn,
                        &key,
                        leader.as_str(),
                        team.as_str(),
                        jobs::TeamMark::Escalated,
                        now,
                    )
                    .await?;
                }
                for (leader, teams) in &leaders {
                    let Some(nudge) =
                        jobs::record_nudge(conn, name, &key, leader.as_str(), now).await?
                    else {
                        continue;
                    };
                    for team in teams {
                        jobs::mark_leader_team(
                            conn,
                            &key,
                            leader.as_str(),
                            team.as_str(),
                            mark,
                            now,
                        )
                        .await?;
                    }
                    let team = teams[0].clone();
                    enqueue(
                        conn,
                        &Outgoing::PrioritiesNudge {
                            nudge: crate::domain::ids::NudgeId(nudge),
                            person: leader.clone(),
                            team,
                            reminder: job == Job::PrioritiesReminder,
                            local_at: local_for(&dir, leader, local),
                        },
                        now,
                    )
                    .await?;
                    enqueued += 1;
                }
                for message in &plan {
                    enqueue(conn, message, now).await?;
                    enqueued += 1;
                }
                let summary = format!("{enqueued} messages enqueued");
                jobs::finish(conn, name, &key, &summary, now).await?;
                Ok((true, enqueued))
            })
        })
        .await?;
    ctx.wake_delivery();
    let detail = match job {
        Job::ProgressNudge => format!("nudged {enqueued} goal owners to check in"),
        Job::MomentsNudge => format!(
            "invited {enqueued} people to share a moment ({skipped} already shared this month)"
        ),
        Job::PrioritiesNudge => format!(
            "asked {enqueued} leaders to publish their priorities ({skipped} teams already did)"
        ),
        Job::OrgPrioritiesNudge => {
            format!("asked {enqueued} executives for next month's organization priorities")
        }
        _ => format!("posted {enqueued} digests"),
    };
    Ok(JobSummary {
        job,
        period,
        ran,
        enqueued,
        skipped,
        detail,
    })
}
