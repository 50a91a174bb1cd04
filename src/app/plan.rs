//! The strategic plan itself: mission, pillars and teams, changed by admins
//! from Slack. Every change is recorded in the plan's history (who, when,
//! what), and archived pillars keep their goals and history.

use super::outgoing::{Outgoing, enqueue};
use super::permissions::Actor;
use super::{AppContext, AppError};
use crate::domain::{ChannelId, DomainError, PersonId, Pillar, PillarKey, Team, TeamKey};
use crate::store::{goals, org};

fn require_admin(ctx: &AppContext, person: &PersonId) -> Result<(), AppError> {
    if Actor::new(&ctx.directory(), person).may_change_plan() {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "Only admins can change the plan (mission, pillars and teams). Admins are listed under org.admins in the settings file."
                .into(),
        ))
    }
}

fn text(what: &'static str, raw: &str, max: usize) -> Result<String, DomainError> {
    let t = raw.trim();
    if t.is_empty() || t.chars().count() > max || t.chars().any(char::is_control) {
        return Err(DomainError::Invalid {
            what,
            value: t.chars().take(40).collect(),
            rule: "use 1 to the allowed number of characters, on one line",
        });
    }
    Ok(t.to_owned())
}

/// Runs an admin change in one transaction with its history line, then
/// reloads the organization everyone sees.
async fn change<F>(
    ctx: &AppContext,
    actor: PersonId,
    subject: String,
    action: &'static str,
    detail: String,
    f: F,
) -> Result<(), AppError>
where
    F: for<'c> FnOnce(
            &'c mut crate::store::Conn,
        ) -> futures_util::future::BoxFuture<
            'c,
            Result<Result<(), AppError>, crate::store::StoreError>,
        > + Send
        + 'static,
{
    let now = ctx.clock.now();
    ctx.store
        .write(move |conn| {
            Box::pin(async move {
                if let Err(refusal) = f(conn).await? {
                    return Ok(Err(refusal));
                }
                goals::log_change(conn, &actor, &subject, action, &detail, now).await?;
                enqueue(
                    conn,
                    &Outgoing::PublishHome {
                        person: actor.clone(),
                    },
                    now,
                )
                .await?;
                Ok(Ok(()))
            })
        })
        .await??;
    ctx.reload_directory().await?;
    ctx.wake_delivery();
    Ok(())
}

pub async fn add_pillar(
    ctx: &AppContext,
    actor: PersonId,
    key: &str,
    name: &str,
    emoji: Option<&str>,
    description: Option<&str>,
) -> Result<Pillar, AppError> {
    require_admin(ctx, &actor)?;
    let pillar = Pillar {
        key: PillarKey::parse(key)?,
        name: text("pillar name", name, 75)?,
        description: description
            .map(|d| text("description", d, 300))
            .transpose()?
            .unwrap_or_default(),
        emoji: emoji
            .map(|e| text("emoji", e, 40))
            .transpose()?
            .unwrap_or_default(),
        archived: false,
    };
    let stored = pillar.clone();
    let detail = format!("added pillar “{}”", pillar.name);
    change(
        ctx,
        actor,
        format!("pillar:{}", pillar.key),
        "add",
        detail,
        move |conn| {
            Box::pin(async move {
                if org::add_pillar(conn, &stored).await? {
                    Ok(Ok(()))
                } else {
                    Ok(Err(AppError::Forbidden(format!(
                        "A pillar `{}` already exists; use /align pillar edit.",
                        stored.key
                    ))))
                }
            })
        },
    )
    .await?;
    Ok(pillar)
}

pub async fn edit_pillar(
    ctx: &AppContext,
    actor: PersonId,
    key: &str,
    name: Option<&str>,
    emoji: Option<&str>,
    description: Option<&str>,
) -> Result<Pillar, AppError> {
    require_admin(ctx, &actor)?;
    let dir = ctx.directory();
    let key = PillarKey::parse(key)?;
    let mut pillar = dir
        .pillar(&key)
        .cloned()
        .ok_or_else(|| AppError::NotFound(format!("There is no pillar `{key}`.")))?;
    if let Some(n) = name {
        pillar.name = text("pillar name", n, 75)?;
    }
    if let Some(e) = emoji {
        pillar.emoji = text("emoji", e, 40)?;
    }
    if let Some(d) = description {
        pillar.description = text("description", d, 300)?;
    }
    let stored = pillar.clone();
    let detail = format!("edited pillar “{}”", pillar.name);
    change(
        ctx,
        actor,
        format!("pillar:{key}"),
        "edit",
        detail,
        move |conn| {
            Box::pin(async move {
                org::update_pillar(conn, &stored).await?;
                Ok(Ok(()))
            })
        },
    )
    .await?;
    Ok(pillar)
}

/// Archives a pillar: its goals and history stay, new goals cannot pick it.
pub async fn archive_pillar(
    ctx: &AppContext,
    actor: PersonId,
    key: &str,
) -> Result<Pillar, AppError> {
    require_admin(ctx, &actor)?;
    let key = PillarKey::parse(key)?;
    let pillar = ctx
        .directory()
        .pillar(&key)
        .cloned()
        .ok_or_else(|| AppError::NotFound(format!("There is no pillar `{key}`.")))?;
    let now = ctx.clock.now();
    let k = key.clone();
    change(
        ctx,
        actor,
        format!("pillar:{key}"),
        "archive",
        format!("archived pillar “{}”", pillar.name),
        move |conn| {
            Box::pin(async move {
                org::archive_pillar(conn, &k, now).await?;
                Ok(Ok(()))
            })
        },
    )
    .await?;
    Ok(pillar)
}

pub async fn set_mission(
    ctx: &AppContext,
    actor: PersonId,
    mission: &str,
) -> Result<String, AppError> {
    require_admin(ctx, &actor)?;
    let mission = text("mission", mission, 500)?;
    let now = ctx.clock.now();
    let m = mission.clone();
    change(
        ctx,
        actor,
        "mission".into(),
        "edit",
        format!("mission is now “{mission}”"),
        move |conn| {
            Box::pin(async move {
                org::set_mission(conn, &m, now).await?;
                Ok(Ok(()))
            })
        },
    )
    .await?;
    Ok(mission)
}

pub async fn add_team(
    ctx: &AppContext,
    actor: PersonId,
    key: &str,
    name: &str,
    channel: Option<&str>,
) -> Result<Team, AppError> {
    require_admin(ctx, &actor)?;
    let Some(channel) = channel else {
        // The help says the same: a team's priorities and updates need a home.
        let key: String = key.chars().take(40).collect();
        let name: String = name.chars().take(75).collect();
        return Err(AppError::NotFound(format!(
            "A team needs its channel: its priorities and progress updates go there. Type `/align team add {key} {name} channel:#{key}` with the team's channel."
        )));
    };
    let team = Team {
        key: TeamKey::parse(key)?,
        name: text("team name", name, 75)?,
        channel: ChannelId::parse(channel)?,
        leaders: Vec::new(),
        members: Vec::new(),
        holidays: Vec::new(),
    };
    let stored = team.clone();
    change(
        ctx,
        actor,
        format!("team:{}", team.key),
        "add",
        format!("added team “{}”", team.name),
        move |conn| {
            Box::pin(async move {
                if org::add_team(conn, &stored).await? {
                    Ok(Ok(()))
                } else {
                    Ok(Err(AppError::Forbidden(format!(
                        "A team `{}` already exists; use /align team edit.",
                        stored.key
                    ))))
                }
            })
        },
    )
    .await?;
    Ok(team)
}

pub async fn edit_team(
    ctx: &AppContext,
    actor: PersonId,
    key: &str,
    name: Option<&str>,
    channel: Option<&str>,
) -> Result<Team, AppError> {
    require_admin(ctx, &actor)?;
    let dir = ctx.directory();
    let key = dir.resolve_team(key)?;
    let mut team = dir.team(&key).cloned().expect("resolved above");
    if let Some(n) = name {
        team.name = text("team name", n, 75)?;
    }
    if let Some(c) = channel {
        team.channel = ChannelId::parse(c)?;
    }
    let stored = team.clone();
    change(
        ctx,
        actor,
        format!("team:{key}"),
        "edit",
        format!("edited team “{}”", team.name),
        move |conn| {
            Box::pin(async move {
                org::update_team(conn, &stored).await?;
                Ok(Ok(()))
            })
        },
    )
    .await?;
    Ok(team)
}

/// The team whose people `actor` may change in a form, or why not (the form
/// asks this before it opens).
pub fn team_for_people_form(
    ctx: &AppContext,
    actor: &PersonId,
    key: &str,
) -> Result<TeamKey, AppError> {
    let dir = ctx.directory();
    if !Actor::new(&dir, actor).may_change_plan() {
        return Err(AppError::Forbidden(
            "Only admins can change a team's people.".into(),
        ));
    }
    Ok(dir.resolve_team(key)?)
}

/// Leaders or members of a team, added or removed.
pub async fn team_people(
    ctx: &AppContext,
    actor: PersonId,
    key: &str,
    leaders: bool,
    add: bool,
    people: Vec<PersonId>,
) -> Result<Team, AppError> {
    require_admin(ctx, &actor)?;
    let dir = ctx.directory();
    let key = dir.resolve_team(key)?;
    let role = if leaders { "leader" } else { "member" };
    let names: Vec<String> = people.iter().map(|p| format!("<@{p}>")).collect();
    let detail = format!(
        "{} {} {}",
        if add { "added" } else { "removed" },
        role,
        names.join(", ")
    );
    let k = key.clone();
    change(
        ctx,
        actor,
        format!("team:{key}"),
        if add { "add-people" } else { "remove-people" },
        detail,
        move |conn| {
            Box::pin(async move {
                org::set_team_people(conn, &k, role, &people, add).await?;
                Ok(Ok(()))
            })
        },
    )
    .await?;
    Ok(ctx
        .directory()
        .team(&key)
        .cloned()
        .expect("the team exists"))
}

/// One line of the plan's history (who changed what, when).
pub use crate::store::goals::PlanChange;

/// The plan's latest `limit` changes, newest first (`/align history`).
pub async fn history(ctx: &AppContext, limit: i64) -> Result<Vec<PlanChange>, AppError> {
    Ok(goals::history(ctx.store.reads(), limit).await?)
}
