//! The monthly progress update to each team (practice 2 of the design):
//! the team's goals, with value, change over the last month, confidence
//! and the owner's latest note headline, posted to the team channel by its
//! leader.
//!
//! The flow, kept apart from the priorities flow so that each can be done
//! on its own day:
//! 1. The `team-update` job (default: the 2nd of the month, 09:00) sends each
//!    leader *one* draft DM with a section per team they lead that has
//!    goals: each the update as it would be posted, with its own "Add a
//!    sentence and post" (a form) and "Post as is".
//! 2. A leader posts one section: that team's update goes to the team
//!    channel with their sentence, and that section of every draft and
//!    reminder about it (the co-leaders' too) turns into "Posted"; the
//!    other sections keep their buttons.
//! 3. `team-update-reminder` (some working days later) reminds, privately,
//!    each leader once, listing only their teams that have not posted.
//!    Nobody else is told: the team never sees a missing update called out.
//!
//! Which teams a DM covers is kept with its nudge (`nudge_teams`), so the
//! state is per (leader, team) while the leader gets one DM per job.
//!
//! The draft is not stored: it is composed from the goals when it is sent,
//! so it shows the latest check-ins. Only the posting is stored
//! (`team_updates`, one row per team and month), which makes two leaders'
//! "Post" at once post once. The update posted in month M reports on month
//! M-1 (the change is measured over it), so the reminder always falls in the
//! same month as the draft.

use super::outgoing::{Outgoing, enqueue};
use super::permissions::Actor;
use super::{AppContext, AppError};
use crate::domain::ids::NudgeId;
use crate::domain::period::Month;
use crate::domain::{DomainError, PersonId, Team, TeamKey};
use crate::store::{StoreError, jobs, team_updates};
use std::collections::BTreeSet;

/// The longest sentence a leader can add (it sits above the goal lines).
pub const MAX_SENTENCE: usize = 500;

/// The nudge job of a draft (or reminder): one nudge per leader and month,
/// its teams in `nudge_teams`.
pub fn draft_job(reminder: bool) -> &'static str {
    if reminder {
        "team-update-reminder"
    } else {
        "team-update"
    }
}

/// The job name of a team's draft (or reminder) as recorded before a
/// draft covered several teams (one nudge per team). Still read, so that a
/// draft sent by an earlier version turns into "Posted" too.
pub fn nudge_job(team: &TeamKey, reminder: bool) -> String {
    if reminder {
        format!("team-update-reminder:{team}")
    } else {
        format!("team-update:{team}")
    }
}

/// The month an update posted in `period` reports on.
pub fn reported_month(period: Month) -> Month {
    period.prev()
}

/// What a run of the draft or reminder job did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunCount {
    /// False when the run was already claimed.
    pub ran: bool,
    /// Drafts (or reminders) enqueued: one per leader.
    pub enqueued: usize,
    /// Teams that already posted.
    pub posted: usize,
    /// Leaders left out because they are away or muted priorities nudges.
    pub away: usize,
}

/// Sends each leader of a team with goals one draft with a section per such
/// team (`reminder`: only the teams that have not posted yet), once per
/// period.
pub async fn run(
    ctx: &AppContext,
    job_name: &'static str,
    reminder: bool,
    period: Month,
    trigger: &'static str,
    local: Option<chrono::NaiveDateTime>,
) -> Result<RunCount, AppError> {
    ctx.reload_directory().await?;
    let dir = ctx.directory();
    let tz = dir.org.timezone;
    let now = ctx.clock.now();
    let key = period.key();
    let pool = ctx.store.reads();
    let mut conn = pool.acquire().await.map_err(StoreError::from)?;
    let posted: BTreeSet<String> = team_updates::posted_teams(&mut conn, &key)
        .await?
        .into_iter()
        .collect();
    drop(conn);
    let year = crate::domain::goal::PlanYear::new(reported_month(period).year)?;
    // One draft per leader, a section per team (in the directory's order).
    let mut drafts: Vec<(PersonId, Vec<TeamKey>)> = Vec::new();
    let mut already = 0;
    for team in &dir.teams {
        if posted.contains(team.key.as_str()) {
            already += 1;
            continue;
        }
        let goals = crate::store::goals::count(
            pool,
            &crate::store::goals::GoalFilter::Team(team.key.clone()),
            year,
        )
        .await?;
        if goals == 0 {
            continue;
        }
        for leader in &team.leaders {
            match drafts.iter_mut().find(|(p, _)| p == leader) {
                Some((_, teams)) => teams.push(team.key.clone()),
                None => drafts.push((leader.clone(), vec![team.key.clone()])),
            }
        }
    }
    let today = now.with_timezone(&tz).date_naive();
    let prefs = crate::store::people::all(pool).await?;
    let before = drafts.len();
    drafts.retain(|(p, _)| {
        prefs
            .iter()
            .find(|x| x.person_id == p.as_str())
            .is_none_or(|x| x.accepts("priorities", today))
    });
    let away = before - drafts.len();
    let (ran, enqueued) = ctx
        .store
        .write(move |conn| {
            Box::pin(async move {
                if !jobs::claim(conn, job_name, &key, trigger, now).await? {
                    return Ok((false, 0));
                }
                let mut enqueued = 0;
                for (leader, teams) in &drafts {
                    let job = draft_job(reminder);
                    let Some(nudge) =
                        jobs::record_nudge(conn, job, &key, leader.as_str(), now).await?
                    else {
                        continue;
                    };
                    let keys: Vec<&str> = teams.iter().map(TeamKey::as_str).collect();
                    team_updates::add_nudge_teams(conn, nudge, &keys).await?;
                    let message = Outgoing::TeamUpdateDraft {
                        nudge: NudgeId(nudge),
                        person: leader.clone(),
                        // The first section names the DM in the outbox.
                        team: teams[0].clone(),
                        reminder,
                        local_at: super::jobs::local_for(&dir, leader, local),
                    };
                    enqueue(conn, &message, now).await?;
                    enqueued += 1;
                }
                let summary = format!("{enqueued} messages enqueued");
                jobs::finish(conn, job_name, &key, &summary, now).await?;
                Ok::<_, StoreError>((true, enqueued))
            })
        })
        .await?;
    ctx.wake_delivery();
    Ok(RunCount {
        ran,
        enqueued,
        posted: already,
        away,
    })
}

/// The team and month a draft's buttons name: `"<team>/<YYYY-MM>"`.
pub fn button_value(team: &TeamKey, period: Month) -> String {
    format!("{team}/{}", period.key())
}

/// Reads a button's value back; the month must be this one (a draft left
/// from an earlier month is not posted late).
pub fn parse_button_value(ctx: &AppContext, value: &str) -> Result<(String, Month), AppError> {
    let (team, period) = value.split_once('/').unwrap_or((value, ""));
    let month = super::priorities::this_month(ctx);
    match Month::parse(period) {
        Some(m) if m == month => Ok((team.to_owned(), m)),
        _ => Err(AppError::NotFound(format!(
            "This draft was for an earlier month. This month's draft comes with the `team-update` nudge; until then `/goal list team {team}` shows the goals."
        ))),
    }
}

/// Checks that `person` may post `team`'s update (its leaders and admins).
pub fn team_for(ctx: &AppContext, person: &PersonId, team: &str) -> Result<Team, AppError> {
    let dir = ctx.directory();
    let key = dir.resolve_team(team)?;
    let team = dir.team(&key).cloned().expect("resolved above");
    if !Actor::new(&dir, person).may_publish_priorities(&team.key) {
        return Err(AppError::Forbidden(format!(
            "Only the leaders of {} post its progress update.",
            team.name
        )));
    }
    Ok(team)
}

/// The leader's sentence, trimmed; blank means none. Too long, or naming
/// someone the privacy guard recognizes, is refused with what to do.
pub fn sentence(ctx: &AppContext, raw: Option<&str>) -> Result<Option<String>, AppError> {
    let Some(text) = raw.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let len = text.chars().count();
    if len > MAX_SENTENCE {
        return Err(AppError::Invalid(DomainError::Invalid {
            what: "sentence",
            value: format!("{len} characters"),
            rule: "keep it under 500 characters; the goal lines follow it",
        }));
    }
    let findings = crate::domain::privacy::scan_with(text, &ctx.known_people());
    if !findings.is_empty() {
        let kinds: BTreeSet<&str> = findings.iter().map(|f| f.kind.label()).collect();
        return Err(AppError::Forbidden(format!(
            "Your sentence may identify someone ({}). It goes to the whole team: say it without names or personal details.",
            kinds.into_iter().collect::<Vec<_>>().join(", ")
        )));
    }
    Ok(Some(text.to_owned()))
}

/// Posts `team`'s update for this month with the leader's `sentence`, and
/// marks that team's section of every draft and reminder as posted.
#[tracing::instrument(skip_all, fields(%person))]
pub async fn post(
    ctx: &AppContext,
    person: PersonId,
    team: &str,
    sentence: Option<String>,
) -> Result<(Team, Month), AppError> {
    let team = team_for(ctx, &person, team)?;
    let month = super::priorities::this_month(ctx);
    let now = ctx.clock.now();
    let (key, period, channel) = (team.key.to_string(), month.key(), team.channel.clone());
    let legacy = [nudge_job(&team.key, false), nudge_job(&team.key, true)];
    let posted = ctx
        .store
        .write(move |conn| {
            Box::pin(async move {
                let Some(id) = team_updates::insert(
                    conn,
                    &key,
                    &period,
                    person.as_str(),
                    sentence.as_deref(),
                    now,
                )
                .await?
                else {
                    return Ok(false);
                };
                enqueue(
                    conn,
                    &Outgoing::PostTeamUpdate {
                        update: id,
                        channel,
                    },
                    now,
                )
                .await?;
                // This team's section of every draft and reminder, the
                // co-leaders' included; their other sections stay open.
                let names = [draft_job(false), draft_job(true)];
                let old = [legacy[0].as_str(), legacy[1].as_str()];
                for nudge in team_updates::nudges(conn, &key, &names, &old, &period).await? {
                    let Some(n) = jobs::nudge(&mut *conn, NudgeId(nudge)).await? else {
                        continue;
                    };
                    let Ok(leader) = PersonId::parse(&n.person) else {
                        continue;
                    };
                    let update = Outgoing::UpdateTeamUpdateDraft {
                        nudge: NudgeId(nudge),
                        person: leader,
                    };
                    enqueue(conn, &update, now).await?;
                }
                Ok::<_, StoreError>(true)
            })
        })
        .await?;
    if !posted {
        return Err(AppError::NotFound(format!(
            "{}'s progress update for {} was already posted; it is in the team channel.",
            team.name,
            month.label()
        )));
    }
    ctx.wake_delivery();
    Ok((team, month))
}
