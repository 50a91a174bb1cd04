//! The monthly jobs: who they nudge and what they post. Each run is claimed
//! by `(job, period)` in the same transaction as everything it enqueues, so
//! a restart, a second instance or a manual run can never send the same
//! nudge twice; nobody is nudged for something they already did this month.

use super::goals::current_year;
use super::outgoing::{Outgoing, enqueue};
use super::{AppContext, AppError};
use crate::domain::PersonId;
use crate::domain::period::Month;
use crate::store::{Conn, StoreError, jobs};
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
    /// Each leader's draft of the team's monthly progress update.
    TeamUpdate,
    /// Leaders whose team has not posted it some working days later.
    TeamUpdateReminder,
    /// The plan year's turn: owners choose their goals' outcomes in the
    /// year's last month; after the grace period the rest are closed as
    /// "not reported".
    YearTurn,
    /// The executives (else the admins) are asked for next month's
    /// organization priorities (`[schedule] org_priorities`), before the
    /// teams' nudges on the 1st.
    OrgPrioritiesNudge,
}

impl Job {
    /// Every job `jobs list` shows, so `jobs run` accepts each of them.
    pub const ALL: [Job; 10] = [
        Job::OrgPrioritiesNudge,
        Job::PrioritiesNudge,
        Job::ProgressNudge,
        Job::MomentsNudge,
        Job::MonthlyDigest,
        Job::PrioritiesReminder,
        Job::PrioritiesMissing,
        Job::TeamUpdate,
        Job::TeamUpdateReminder,
        Job::YearTurn,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Job::PrioritiesNudge => "priorities-nudge",
            Job::ProgressNudge => "progress-nudge",
            Job::MomentsNudge => "moments-nudge",
            Job::MonthlyDigest => "monthly-digest",
            Job::PrioritiesReminder => "priorities-reminder",
            Job::PrioritiesMissing => "priorities-missing",
            Job::TeamUpdate => "team-update",
            Job::TeamUpdateReminder => "team-update-reminder",
            Job::YearTurn => "year-turn",
            Job::OrgPrioritiesNudge => "org-priorities-nudge",
        }
    }

    pub fn parse(name: &str) -> Option<Job> {
        Job::ALL.into_iter().find(|j| j.name() == name)
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

/// The moments invitation's job name, as its nudges are stored.
pub(crate) const MOMENTS_NUDGE: &str = "moments-nudge";

/// Once `person` has shared a moment, their moments invitation of this
/// month (if it was sent) says thank you instead of asking, like the other
/// nudges tick themselves off.
pub async fn moment_shared(ctx: &AppContext, person: &PersonId) -> Result<(), AppError> {
    let month = super::priorities::this_month(ctx);
    let Some((id, Some(_), _)) = jobs::nudge_for(
        ctx.store.reads(),
        MOMENTS_NUDGE,
        &month.key(),
        person.as_str(),
    )
    .await?
    else {
        return Ok(());
    };
    super::moments::send(
        ctx,
        Outgoing::UpdateMomentsNudge {
            nudge: crate::domain::ids::NudgeId(id),
            person: person.clone(),
        },
    )
    .await
}

/// [`moment_shared`] in the caller's transaction (the share's own): `month`
/// is the key of the month the moment was shared in.
pub(crate) async fn thank_for_moment(
    conn: &mut Conn,
    month: &str,
    person: &PersonId,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), StoreError> {
    let Some((id, Some(_), _)) =
        jobs::nudge_for(&mut *conn, MOMENTS_NUDGE, month, person.as_str()).await?
    else {
        return Ok(());
    };
    enqueue(
        conn,
        &Outgoing::UpdateMomentsNudge {
            nudge: crate::domain::ids::NudgeId(id),
            person: person.clone(),
        },
        now,
    )
    .await
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
pub(crate) fn local_for(
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
    let result = match job {
        Job::TeamUpdate | Job::TeamUpdateReminder => {
            team_update(ctx, job, period, trigger, local).await
        }
        _ => plan_and_claim(ctx, job, period, trigger, local).await,
    };
    let outcome = match &result {
        Ok(summary) if summary.ran => "ran",
        Ok(_) => "already_ran",
        Err(_) => "error",
    };
    ctx.metrics.job_run(job.name(), trigger.as_str(), outcome);
    result
}

/// The team progress update's draft and reminder (see [`super::team_update`]).
async fn team_update(
    ctx: &AppContext,
    job: Job,
    period: Month,
    trigger: Trigger,
    local: Option<chrono::NaiveDateTime>,
) -> Result<JobSummary, AppError> {
    let reminder = job == Job::TeamUpdateReminder;
    let count =
        super::team_update::run(ctx, job.name(), reminder, period, trigger.as_str(), local).await?;
    let (what, n) = if reminder {
        ("reminded", count.enqueued)
    } else {
        ("sent", count.enqueued)
    };
    let detail = format!(
        "{what} {} of their team's progress update ({} already posted; {} away or muted)",
        plural(n, "leader a draft", "leaders a draft"),
        plural(count.posted, "team", "teams"),
        plural(count.away, "leader", "leaders"),
    );
    Ok(JobSummary {
        job,
        period,
        ran: count.ran,
        enqueued: count.enqueued,
        skipped: count.posted + count.away,
        detail,
    })
}

/// "1 team", "2 teams".
pub(crate) fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
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
    // Those who already did it this month (people who shared, teams that
    // published), counted apart from those away or muted.
    let mut already = 0;
    match job {
        Job::YearTurn => return year_turn(ctx, period, trigger).await,
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
            already = skipped;
            people = staff
                .into_iter()
                .filter(|p| !shared.contains(p.as_str()))
                .collect();
            plan = Vec::new();
        }
        // Planned in `team_update`; nothing to do here.
        Job::TeamUpdate | Job::TeamUpdateReminder => {
            skipped = 0;
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
            already = skipped;
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
        Job::MonthlyDigest
        | Job::PrioritiesMissing
        | Job::TeamUpdate
        | Job::TeamUpdateReminder
        | Job::YearTurn
        | Job::OrgPrioritiesNudge => "",
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
            "invited {} to share a moment ({} already shared this month; {} away or muted)",
            plural(enqueued, "person", "people"),
            already,
            skipped - already,
        ),
        Job::PrioritiesNudge => format!(
            "asked {} to publish their priorities ({} already did)",
            plural(enqueued, "leader", "leaders"),
            plural(already, "team", "teams"),
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

/// The year's turn, run monthly (`[schedule] year_turn`): in the plan
/// year's last month, each owner of an open goal is asked (once) to choose
/// its outcome; once the grace period after a year's end is over
/// (`[org] year_end_grace_days`), goals of that year still open are closed
/// with their last value as "not reported", never as met. Claimed by
/// `(job, month)` in the same transaction, like every job.
async fn year_turn(
    ctx: &AppContext,
    period: Month,
    trigger: Trigger,
) -> Result<JobSummary, AppError> {
    use chrono::Datelike;
    let job = Job::YearTurn;
    let years = ctx.years;
    let year = years.year_of_month(period.year, period.month);
    let last_month = years.last_day(year).month() == period.month;
    let ended = year.previous();
    let today = super::goals::local_today(ctx);
    let close_ended = ended != year && today >= years.closes_on(ended);
    let owners = if last_month {
        crate::store::goals::owners_with_open_goals(ctx.store.reads(), year).await?
    } else {
        Vec::new()
    };
    let (key, name, now) = (period.key(), job.name(), ctx.clock.now());
    let (ran, enqueued, closed) = ctx
        .store
        .write(move |conn| {
            Box::pin(async move {
                if !jobs::claim(conn, name, &key, trigger.as_str(), now).await? {
                    return Ok((false, 0, 0));
                }
                let mut enqueued = 0;
                for person in &owners {
                    let Some(nudge) =
                        jobs::record_nudge(conn, name, &key, person.as_str(), now).await?
                    else {
                        continue;
                    };
                    let message = Outgoing::YearEndNudge {
                        nudge: crate::domain::ids::NudgeId(nudge),
                        person: person.clone(),
                        year: year.value(),
                    };
                    enqueue(conn, &message, now).await?;
                    enqueued += 1;
                }
                let closed = if close_ended {
                    crate::store::goals::close_unreported(conn, ended, now).await?
                } else {
                    0
                };
                let summary = format!("{enqueued} owners asked, {closed} goals not reported");
                jobs::finish(conn, name, &key, &summary, now).await?;
                Ok((true, enqueued, closed))
            })
        })
        .await?;
    ctx.wake_delivery();
    let mut detail = if last_month {
        format!(
            "asked {enqueued} goal owners how their {} goals ended",
            years.label(year)
        )
    } else {
        format!("not the last month of {}: nobody asked", years.label(year))
    };
    if close_ended {
        let goals = if closed == 1 { "goal" } else { "goals" };
        detail.push_str(&format!(
            "; closed {closed} {goals} of {} as not reported",
            years.label(ended)
        ));
    }
    Ok(JobSummary {
        job,
        period,
        ran,
        enqueued,
        skipped: 0,
        detail,
    })
}
