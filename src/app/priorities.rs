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

/// The question for a leader of several teams who did not say which:
/// their teams, and the `team:<key>` to type (`usage` shows where it goes,
/// with `{team}` standing for it).
pub fn which_team(teams: &[&Team], usage: &str) -> String {
    let names: Vec<String> = teams.iter().map(|t| t.name.clone()).collect();
    let keys: Vec<String> = teams.iter().map(|t| format!("`team:{}`", t.key)).collect();
    let first = teams
        .first()
        .map(|t| format!("team:{}", t.key))
        .unwrap_or_default();
    format!(
        "You lead {}: which team is this for? Add {}, like `{}`.",
        or_list(&names, "and"),
        or_list(&keys, "or"),
        usage.replace("{team}", &first)
    )
}

/// [`which_team`] as the error that carries the teams, so that the
/// question can offer a button per team.
pub fn which_team_error(teams: &[&Team], usage: &str) -> AppError {
    AppError::WhichTeam(super::error::WhichTeam {
        question: which_team(teams, usage),
        teams: teams
            .iter()
            .map(|t| (t.key.to_string(), t.name.clone()))
            .collect(),
    })
}

/// The question for a member of several teams.
fn which_team_of(teams: &[&Team], usage: &str) -> String {
    which_team(teams, usage).replacen("You lead", "You are in", 1)
}

/// "a, b and c".
fn or_list(items: &[String], word: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} {word} {last}", rest.join(", ")),
    }
}

/// The team `person` publishes for: the one given, or the one they lead.
pub fn team_for(ctx: &AppContext, person: &PersonId, team: Option<&str>) -> Result<Team, AppError> {
    team_for_in(ctx, person, team, None)
}

/// Like [`team_for`], for a command typed in `channel`: a leader of several
/// teams who names none gets the team whose channel it is, if one of theirs
/// (the form then opens for it), else the question which.
pub fn team_for_in(
    ctx: &AppContext,
    person: &PersonId,
    team: Option<&str>,
    channel: Option<&str>,
) -> Result<Team, AppError> {
    let dir = ctx.directory();
    let actor = Actor::new(&dir, person);
    let team = match team {
        Some(raw) => {
            let key = dir.resolve_team(raw)?;
            dir.team(&key).cloned().expect("resolved above")
        }
        None => {
            let led = actor.led_teams();
            let here = led
                .iter()
                .find(|t| channel.is_some_and(|c| t.channel.as_str() == c));
            match (led.as_slice(), here) {
                ([one], _) => (*one).clone(),
                (_, Some(here)) => (*here).clone(),
                ([], _) => {
                    return Err(AppError::Forbidden(
                        "Only team leaders publish priorities, and you lead no team. Admins add `team:<key>`; \
                         the organization's priorities are `/priorities org publish`."
                            .into(),
                    ));
                }
                (several, None) => {
                    return Err(which_team_error(
                        several,
                        "/priorities publish {team} <item>; <item>",
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

/// The team the publish form opens for, and the teams its select offers.
/// A leader of several teams who names none gets the team whose channel the
/// command came from, else the first they lead, and a select of all they
/// lead; one who names a team gets it, with the same select. Anyone else
/// gets [`team_for_in`]'s team (or its refusal) and no select.
pub fn form_teams(
    ctx: &AppContext,
    person: &PersonId,
    team: Option<&str>,
    channel: Option<&str>,
) -> Result<(Team, Vec<crate::domain::TeamKey>), AppError> {
    let dir = ctx.directory();
    let led: Vec<Team> = Actor::new(&dir, person)
        .led_teams()
        .into_iter()
        .cloned()
        .collect();
    let choices = |chosen: &Team| -> Vec<crate::domain::TeamKey> {
        if led.len() > 1 && led.iter().any(|t| t.key == chosen.key) {
            led.iter().map(|t| t.key.clone()).collect()
        } else {
            Vec::new()
        }
    };
    if team.is_none() && led.len() > 1 {
        let chosen = led
            .iter()
            .find(|t| channel.is_some_and(|c| t.channel.as_str() == c))
            .unwrap_or(&led[0])
            .clone();
        let keys = choices(&chosen);
        return Ok((chosen, keys));
    }
    let chosen = team_for_in(ctx, person, team, channel)?;
    let keys = choices(&chosen);
    Ok((chosen, keys))
}

/// The team `/priorities show` means without a team: the person's own
/// (the one they lead, else the one they belong to), else the team whose
/// channel the command was typed in, else the question which.
pub fn team_to_show(
    ctx: &AppContext,
    person: &PersonId,
    channel: Option<&str>,
) -> Result<Team, AppError> {
    let dir = ctx.directory();
    if let Some(team) = dir.home_team(person) {
        return Ok(team.clone());
    }
    if let Some(team) = dir
        .teams
        .iter()
        .find(|t| channel.is_some_and(|c| t.channel.as_str() == c))
    {
        return Ok(team.clone());
    }
    let actor = Actor::new(&dir, person);
    let led = actor.led_teams();
    if led.len() > 1 {
        return Err(which_team_error(&led, "/priorities show {team}"));
    }
    let mine: Vec<&Team> = dir.teams_of(person).collect();
    if mine.len() > 1 {
        return Err(AppError::NotFound(which_team_of(
            &mine,
            "/priorities show {team}",
        )));
    }
    Err(AppError::NotFound(
        "Which team? `/priorities show team:<key>`; `/align teams` lists the keys.".into(),
    ))
}

/// Publishes (or republishes) `team`'s priorities for this month.
#[tracing::instrument(skip_all, fields(%person))]
pub async fn publish(
    ctx: &AppContext,
    person: PersonId,
    team: Option<&str>,
    items: PriorityList,
) -> Result<(Team, Month), AppError> {
    // `org:<n>` after an item links it to the organization's priority n.
    let (texts, org_links): (Vec<String>, Vec<Option<i64>>) = items
        .items()
        .iter()
        .map(|i| crate::domain::priorities::split_org_link(i))
        .unzip();
    publish_linked(
        ctx,
        person,
        team,
        Publication {
            items: PriorityList::new(texts)?,
            goals: Vec::new(),
            review: Vec::new(),
            org_links,
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
    /// The organization's priority (1-based number in this month's list)
    /// each item serves, by position (missing or `None`: no link).
    pub org_links: Vec<Option<i64>>,
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
    let month = this_month(ctx);
    let org_links = checked_org_links(ctx, month, &publication.org_links).await?;
    let items = publication.items;
    let dir = ctx.directory();
    let (period, key, channel, leaders) = (
        month.key(),
        team.key.to_string(),
        team.channel.clone(),
        dir.org.leadership_channel.clone(),
    );
    // Every leader of the team (and whoever published) has this team's
    // section ticked off in their DMs; their other teams stay open.
    let mut people: Vec<PersonId> = team.leaders.clone();
    if !people.contains(&person) {
        people.push(person.clone());
    }
    let mut nudges = Vec::new();
    for who in &people {
        for job in ["priorities-nudge", "priorities-reminder"] {
            if let Some((id, _, _)) =
                jobs::nudge_for(ctx.store.reads(), job, &period, who.as_str()).await?
            {
                nudges.push((id, who.clone()));
            }
        }
    }
    let leaders_of_team = team.leaders.clone();
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
                if org_links.iter().any(Option::is_some) {
                    priorities::link_org_items(conn, id, &org_links).await?;
                }
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
                for leader in &leaders_of_team {
                    jobs::mark_leader_team(
                        conn,
                        &period,
                        leader.as_str(),
                        &key,
                        jobs::TeamMark::Published,
                        now,
                    )
                    .await?;
                }
                for (nudge, who) in nudges {
                    let update = Outgoing::UpdatePrioritiesNudge {
                        nudge: crate::domain::ids::NudgeId(nudge),
                        person: who,
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

/// The links to the organization's priorities, checked against this
/// month's list: a number it does not have is refused with what there is.
async fn checked_org_links(
    ctx: &AppContext,
    month: Month,
    links: &[Option<i64>],
) -> Result<Vec<Option<i64>>, AppError> {
    let Some(highest) = links.iter().flatten().max() else {
        return Ok(links.to_vec());
    };
    let count = org_show_items(ctx, month).await?.len() as i64;
    if count == 0 {
        return Err(AppError::NotFound(format!(
            "The organization's priorities for {} are not published yet, so `org:{highest}` links to nothing. \
             Publish without `org:` and link later, once `/priorities org show` lists them.",
            month.label()
        )));
    }
    if *highest > count {
        return Err(AppError::NotFound(format!(
            "The organization has {count} {} for {}: use `org:1` to `org:{count}` (`/priorities org show` lists them).",
            if count == 1 { "priority" } else { "priorities" },
            month.label()
        )));
    }
    Ok(links.to_vec())
}

/// The organization's items for `month` (empty: not published).
async fn org_show_items(ctx: &AppContext, month: Month) -> Result<Vec<String>, AppError> {
    let mut conn = ctx.store.read_conn().await?;
    Ok(priorities::org_for_period(&mut conn, &month.key())
        .await?
        .map(|p| p.items)
        .unwrap_or_default())
}

/// Refuses items the privacy guard suspects (a patient's name, a room, a
/// record number…): the organization's priorities go to every member of
/// staff, so nothing is published and the refusal says what to rewrite.
pub fn guard_items(ctx: &AppContext, items: &PriorityList) -> Result<(), AppError> {
    let known = ctx.known_people();
    for (i, item) in items.items().iter().enumerate() {
        let found = crate::domain::privacy::scan_with(item, &known);
        if let Some(f) = found.first() {
            return Err(AppError::NotFound(format!(
                "Item {} looks like it holds {} (“{}”). Nothing was published: these go to all staff, \
                 so rewrite it without personal details and publish again.",
                i + 1,
                f.kind.label(),
                f.excerpt
            )));
        }
    }
    Ok(())
}

/// The month `/priorities org publish` publishes for: this one, or next
/// month once the executives were asked for it (the `org-priorities-nudge`
/// ran this month).
pub async fn org_month(ctx: &AppContext) -> Result<Month, AppError> {
    let month = this_month(ctx);
    if jobs::was_run(ctx.store.reads(), "org-priorities-nudge", &month.key()).await? {
        return Ok(month.next());
    }
    Ok(month)
}

/// Items in the organization's priorities form.
pub const ORG_FORM_ITEMS: usize = 5;

/// What the organization's priorities form starts with: the month it
/// publishes for and that month's items if already published (publishing
/// again replaces them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgForm {
    pub month_label: String,
    pub items: Vec<String>,
}

/// The organization's priorities form for `person` (admins and executives).
pub async fn org_form(ctx: &AppContext, person: &PersonId) -> Result<OrgForm, AppError> {
    let dir = ctx.directory();
    if !Actor::new(&dir, person).may_publish_org_priorities() {
        return Err(AppError::Forbidden(
            "Admins and the organization's executives publish its priorities. \
             Team leaders publish their team's with `/priorities publish`."
                .into(),
        ));
    }
    org_form_prefill(ctx).await
}

/// [`org_form`] without the permission check (composing the form).
pub async fn org_form_prefill(ctx: &AppContext) -> Result<OrgForm, AppError> {
    let month = org_month(ctx).await?;
    Ok(OrgForm {
        month_label: month.label(),
        items: org_show_items(ctx, month).await?,
    })
}

/// The organization's priorities from a form's fields: one problem per
/// field (index, message) so it can be shown under it; empty fields are
/// left out. The guard is asked about each item on its own.
pub fn org_items_from_form(
    ctx: &AppContext,
    fields: &[String],
) -> Result<PriorityList, (usize, String)> {
    let filled: Vec<(usize, &str)> = fields
        .iter()
        .enumerate()
        .map(|(i, t)| (i, t.trim()))
        .filter(|(_, t)| !t.is_empty())
        .collect();
    let first = filled.first().map_or(0, |(i, _)| *i);
    let list = PriorityList::new(filled.iter().map(|(_, t)| (*t).to_owned()))
        .map_err(|e| (first, e.to_string()))?;
    let known = ctx.known_people();
    for (i, text) in &filled {
        if let Some(f) = crate::domain::privacy::scan_with(text, &known).first() {
            return Err((
                *i,
                format!(
                    "This looks like it holds {} (“{}”). These go to all staff: rewrite it without personal details.",
                    f.kind.label(),
                    f.excerpt
                ),
            ));
        }
    }
    Ok(list)
}

/// What publishing the organization's priorities did.
#[derive(Debug, Clone)]
pub struct OrgPublished {
    pub month: Month,
    /// Where the post goes; `None` without `[org] staff_channel`.
    pub channel: Option<crate::domain::ChannelId>,
    /// Published before this month: the post is updated in place.
    pub again: bool,
}

/// Publishes (or republishes) the organization's priorities for this month
/// and posts them to the staff channel; admins and executives only.
#[tracing::instrument(skip_all, fields(%person))]
pub async fn org_publish(
    ctx: &AppContext,
    person: PersonId,
    items: PriorityList,
) -> Result<OrgPublished, AppError> {
    let dir = ctx.directory();
    if !Actor::new(&dir, &person).may_publish_org_priorities() {
        return Err(AppError::Forbidden(
            "Admins and the organization's executives publish its priorities. \
             Team leaders publish their team's with `/priorities publish`."
                .into(),
        ));
    }
    guard_items(ctx, &items)?;
    let month = org_month(ctx).await?;
    let period = month.key();
    let channel = dir.org.staff_channel.clone();
    let texts: Vec<String> = items.items().to_vec();
    let now = ctx.clock.now();
    let posted_to = channel.clone();
    let again = ctx
        .store
        .write(move |conn| {
            Box::pin(async move {
                let (id, again) =
                    priorities::org_publish(conn, &period, person.as_str(), &texts, now).await?;
                if let Some(channel) = posted_to {
                    let message = if again {
                        Outgoing::UpdateOrgPriorities {
                            org_priority: id,
                            channel,
                        }
                    } else {
                        Outgoing::PostOrgPriorities {
                            org_priority: id,
                            channel,
                        }
                    };
                    enqueue(conn, &message, now).await?;
                }
                Ok::<_, StoreError>(again)
            })
        })
        .await?;
    ctx.wake_delivery();
    Ok(OrgPublished {
        month,
        channel,
        again,
    })
}

/// The organization's priorities of this month with their progress, if
/// published.
pub async fn org_show(
    ctx: &AppContext,
) -> Result<Option<crate::app::compose::org_priorities::OrgPrioritiesPost>, AppError> {
    let month = this_month(ctx);
    let id = {
        let mut conn = ctx.store.read_conn().await?;
        priorities::org_for_period(&mut conn, &month.key()).await?
    };
    let Some(p) = id else {
        return Ok(None);
    };
    let body = crate::app::compose::org_priorities::body(ctx, p.id)
        .await
        .map_err(|e| AppError::Store(StoreError::Corrupt(e.to_string())))?;
    Ok(body.map(|(post, _)| post))
}

/// A team's priorities for a month, if published.
pub async fn show(
    ctx: &AppContext,
    team: &Team,
    month: Month,
) -> Result<Option<Published>, AppError> {
    let mut conn = ctx.store.read_conn().await?;
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
    /// The organization's priorities of this month, to link items to.
    pub org_items: Vec<String>,
    /// The organization item each prefilled item serves (this month's
    /// publication only), by position.
    pub org_links: Vec<Option<i64>>,
}

pub async fn prefill(ctx: &AppContext, team: &Team) -> Result<FormPrefill, AppError> {
    let month = this_month(ctx);
    let org_items = org_show_items(ctx, month).await?;
    if let Some(p) = show(ctx, team, month).await? {
        let org_links = priorities::org_links(ctx.store.reads(), p.id).await?;
        return Ok(FormPrefill {
            items: p.items.into_iter().zip(p.goals).collect(),
            last_month: Vec::new(),
            org_items,
            org_links,
        });
    }
    let last = show(ctx, team, month.prev()).await?;
    Ok(match last {
        Some(p) => FormPrefill {
            items: p.items.iter().cloned().zip(p.goals).collect(),
            last_month: p.items,
            org_items,
            org_links: Vec::new(),
        },
        None => FormPrefill {
            org_items,
            ..FormPrefill::default()
        },
    })
}
