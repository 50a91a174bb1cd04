//! Monthly priorities: each team's leaders publish the team's priorities for
//! the month; the bot posts them to the team channel with the team's goal
//! progress, says so in the leadership channel, and ticks off the leader's
//! nudge. Only the team's leaders (and admins) may publish.

use super::outgoing::{Outgoing, enqueue};
use super::{AppContext, AppError};
use crate::domain::priorities::PriorityList;
use crate::domain::{PersonId, Team};
use crate::scheduler::schedule::Month;
use crate::store::priorities::{self, Published};
use crate::store::{StoreError, jobs};

/// This month, in the org's time zone.
pub fn this_month(ctx: &AppContext) -> Month {
    Month::containing(ctx.clock.now(), ctx.directory().org.timezone)
}

/// The team `person` publishes for: the one given, or the one they lead.
pub fn team_for(ctx: &AppContext, person: &PersonId, team: Option<&str>) -> Result<Team, AppError> {
    let dir = ctx.directory();
    let team = match team {
        Some(raw) => {
            let key = dir.resolve_team(raw)?;
            dir.team(&key).cloned().expect("resolved above")
        }
        None => {
            let led: Vec<&Team> = dir
                .teams
                .iter()
                .filter(|t| t.leaders.contains(person))
                .collect();
            match led.as_slice() {
                [one] => (*one).clone(),
                [] => {
                    return Err(AppError::Forbidden(
                        "Only team leaders publish priorities, and you lead no team. Admins add `team:<key>`.".into(),
                    ));
                }
                _ => {
                    return Err(AppError::Forbidden(
                        "You lead several teams: say which with `team:<key>`.".into(),
                    ));
                }
            }
        }
    };
    if !(team.leaders.contains(person) || dir.is_admin(person)) {
        return Err(AppError::Forbidden(format!(
            "Only the leaders of {} publish its priorities.",
            team.name
        )));
    }
    Ok(team)
}

/// Publishes (or republishes) `team`'s priorities for this month.
#[tracing::instrument(skip_all, fields(%person))]
pub async fn publish(
    ctx: &AppContext,
    person: PersonId,
    team: Option<&str>,
    items: PriorityList,
) -> Result<(Team, Month), AppError> {
    let team = team_for(ctx, &person, team)?;
    let month = this_month(ctx);
    let dir = ctx.directory();
    let (period, key, channel, leaders) = (
        month.key(),
        team.key.to_string(),
        team.channel.clone(),
        dir.org.leadership_channel.clone(),
    );
    let mut nudges = Vec::new();
    for job in ["priorities-nudge", "priorities-reminder"] {
        if let Some((id, _, _)) =
            jobs::nudge_for(ctx.store.reads(), job, &period, person.as_str()).await?
        {
            nudges.push(id);
        }
    }
    let now = ctx.clock.now();
    let items = items.items().to_vec();
    ctx.store
        .write(move |conn| {
            Box::pin(async move {
                let (id, again) =
                    priorities::publish(conn, &key, &period, person.as_str(), &items, now).await?;
                if again {
                    enqueue(
                        conn,
                        &Outgoing::UpdatePriorities {
                            priority: id,
                            channel,
                        },
                        now,
                    )
                    .await?;
                } else {
                    enqueue(
                        conn,
                        &Outgoing::PostPriorities {
                            priority: id,
                            channel,
                        },
                        now,
                    )
                    .await?;
                    enqueue(
                        conn,
                        &Outgoing::PrioritiesSummary {
                            priority: id,
                            channel: leaders,
                        },
                        now,
                    )
                    .await?;
                }
                for nudge in nudges {
                    let update = Outgoing::UpdatePrioritiesNudge {
                        nudge,
                        person: person.clone(),
                    };
                    enqueue(conn, &update, now).await?;
                }
                Ok::<_, StoreError>(())
            })
        })
        .await?;
    ctx.wake_delivery();
    Ok((team, month))
}

/// A team's priorities for a month, if published.
pub async fn show(
    ctx: &AppContext,
    team: &Team,
    month: Month,
) -> Result<Option<Published>, AppError> {
    let mut conn = ctx
        .store
        .reads()
        .acquire()
        .await
        .map_err(StoreError::from)?;
    Ok(priorities::for_team(&mut conn, team.key.as_str(), &month.key()).await?)
}

/// What the publish form starts with: this month's items if published,
/// else last month's (to carry over, edit or drop).
pub async fn prefill(ctx: &AppContext, team: &Team) -> Result<Vec<String>, AppError> {
    let month = this_month(ctx);
    if let Some(p) = show(ctx, team, month).await? {
        return Ok(p.items);
    }
    Ok(show(ctx, team, month.prev())
        .await?
        .map(|p| p.items)
        .unwrap_or_default())
}
