//! Monthly priorities: each team's leaders publish the team's priorities for
//! the month; the bot posts them to the team channel with the team's goal
//! progress, says so in the leadership channel, and ticks off the leader's
//! nudge. Only the team's leaders (and admins) may publish (see
//! [`super::permissions`]).

use super::outgoing::{Outgoing, enqueue};
use super::permissions::Actor;
use super::{AppContext, AppError};
use crate::domain::goal::GoalId;
use crate::domain::period::Month;
use crate::domain::priorities::PriorityList;
use crate::domain::{PersonId, Team};
use crate::store::priorities::{self, Published};
use crate::store::{StoreError, jobs};

/// This month, in the org's time zone.
pub fn this_month(ctx: &AppContext) -> Month {
    Month::containing(ctx.clock.now(), ctx.directory().org.timezone)
}

/// The team `person` publishes for: the one given, or the one they lead.
pub fn team_for(ctx: &AppContext, person: &PersonId, team: Option<&str>) -> Result<Team, AppError> {
    let dir = ctx.directory();
    let actor = Actor::new(&dir, person);
    let team = match team {
        Some(raw) => {
            let key = dir.resolve_team(raw)?;
            dir.team(&key).cloned().expect("resolved above")
        }
        None => {
            let led = actor.led_teams();
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
    if !actor.may_publish_priorities(&team.key) {
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
    publish_linked(
        ctx,
        person,
        team,
        Publication {
            items,
            goals: Vec::new(),
            review: Vec::new(),
        },
    )
    .await
}

/// Priorities with their links to goals and the review of last month's.
pub struct Publication {
    pub items: PriorityList,
    /// The goal each item serves, by position (missing or `None`: no link).
    pub goals: Vec<Option<GoalId>>,
    /// Last month's items and how each ended: "done", "carried-over", "dropped".
    pub review: Vec<(String, String)>,
}

/// Publishes with goal links and last month's review (from the form).
#[tracing::instrument(skip_all, fields(%person))]
pub async fn publish_linked(
    ctx: &AppContext,
    person: PersonId,
    team: Option<&str>,
    publication: Publication,
) -> Result<(Team, Month), AppError> {
    let team = team_for(ctx, &person, team)?;
    super::guard::check(ctx, publication.items.items().iter().map(String::as_str))?;
    for goal in publication.goals.iter().flatten() {
        let found = crate::store::goals::get(ctx.store.reads(), *goal).await?;
        if found.is_none_or(|g| g.team.as_ref() != Some(&team.key)) {
            return Err(AppError::NotFound(format!(
                "Goal {goal} is not one of {}'s goals.",
                team.name
            )));
        }
    }
    if let Some((_, outcome)) = publication
        .review
        .iter()
        .find(|(_, o)| !matches!(o.as_str(), "done" | "carried-over" | "dropped"))
    {
        return Err(AppError::NotFound(format!(
            "`{outcome}` is not done, carried-over or dropped."
        )));
    }
    let items = publication.items;
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
    let items: Vec<(String, Option<i64>)> = items
        .items()
        .iter()
        .enumerate()
        .map(|(i, text)| {
            (
                text.clone(),
                publication.goals.get(i).copied().flatten().map(|g| g.0),
            )
        })
        .collect();
    let review = publication.review;
    ctx.store
        .write(move |conn| {
            Box::pin(async move {
                let (id, again) =
                    priorities::publish(conn, &key, &period, person.as_str(), &items, &review, now)
                        .await?;
                if again {
                    enqueue(
                        conn,
                        &Outgoing::UpdatePriorities {
                            priority: crate::domain::ids::PriorityId(id),
                            channel,
                        },
                        now,
                    )
                    .await?;
                } else {
                    enqueue(
                        conn,
                        &Outgoing::PostPriorities {
                            priority: crate::domain::ids::PriorityId(id),
                            channel,
                        },
                        now,
                    )
                    .await?;
                    enqueue(
                        conn,
                        &Outgoing::PrioritiesSummary {
                            priority: crate::domain::ids::PriorityId(id),
                            channel: leaders,
                        },
                        now,
                    )
                    .await?;
                }
                for nudge in nudges {
                    let update = Outgoing::UpdatePrioritiesNudge {
                        nudge: crate::domain::ids::NudgeId(nudge),
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

/// What the publish form starts with.
#[derive(Debug, Clone, Default)]
pub struct FormPrefill {
    /// This month's items if published, else last month's to carry over.
    pub items: Vec<(String, Option<i64>)>,
    /// Last month's items, to say how each ended (only before this month's
    /// first publication).
    pub last_month: Vec<String>,
}

pub async fn prefill(ctx: &AppContext, team: &Team) -> Result<FormPrefill, AppError> {
    let month = this_month(ctx);
    if let Some(p) = show(ctx, team, month).await? {
        return Ok(FormPrefill {
            items: p.items.into_iter().zip(p.goals).collect(),
            last_month: Vec::new(),
        });
    }
    let last = show(ctx, team, month.prev()).await?;
    Ok(match last {
        Some(p) => FormPrefill {
            items: p.items.iter().cloned().zip(p.goals).collect(),
            last_month: p.items,
        },
        None => FormPrefill::default(),
    })
}
