//! SQL for the organization: its settings, pillars and teams.
//!
//! On start the config file seeds the organization: pillars, teams and
//! their people that are missing are added, but what admins changed in Slack
//! (`/align pillar …`, `/align team …`, `/align mission set`) is kept. The
//! org's name, time zone and channels, and the admin list, always follow the
//! file: they are the operator's, not something to change from chat.

use super::Conn;
use super::StoreError;
use super::moments::millis;
use crate::domain::{ChannelId, Directory, Org, PersonId, Pillar, PillarKey, Team, TeamKey};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sqlx::FromRow;
use std::str::FromStr;

pub async fn seed(
    conn: &mut Conn,
    org: &Org,
    pillars: &[Pillar],
    teams: &[Team],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO org (id, name, mission, timezone, moments_channel, leadership_channel, updated_at) \
         VALUES (1, $1, $2, $3, $4, $5, $6) \
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, timezone = excluded.timezone, \
         moments_channel = excluded.moments_channel, leadership_channel = excluded.leadership_channel, updated_at = excluded.updated_at",
    )
    .bind(&org.name)
    .bind(&org.mission)
    .bind(org.timezone.name())
    .bind(org.moments_channel.as_str())
    .bind(org.leadership_channel.as_str())
    .bind(millis(now))
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM org_admins")
        .execute(&mut *conn)
        .await?;
    for admin in &org.admins {
        sqlx::query("INSERT INTO org_admins (person_id) VALUES ($1) ON CONFLICT DO NOTHING")
            .bind(admin.as_str())
            .execute(&mut *conn)
            .await?;
    }
    seed_org_priorities_people(conn, org).await?;
    for (position, p) in pillars.iter().enumerate() {
        sqlx::query(
            "INSERT INTO pillars (key, name, description, emoji, position, first_seen) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (key) DO NOTHING",
        )
        .bind(p.key.as_str())
        .bind(&p.name)
        .bind(&p.description)
        .bind(&p.emoji)
        .bind(position as i64)
        .bind(millis(now))
        .execute(&mut *conn)
        .await?;
    }
    for t in teams {
        sqlx::query(
            "INSERT INTO teams (key, name, channel, holidays) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (key) DO UPDATE SET holidays = excluded.holidays",
        )
        .bind(t.key.as_str())
        .bind(&t.name)
        .bind(t.channel.as_str())
        .bind(
            t.holidays
                .iter()
                .map(|d| d.format("%Y-%m-%d").to_string())
                .collect::<Vec<_>>()
                .join(","),
        )
        .execute(&mut *conn)
        .await?;
        let people = t
            .leaders
            .iter()
            .map(|p| (p, "leader"))
            .chain(t.members.iter().map(|p| (p, "member")));
        for (person, role) in people {
            sqlx::query("INSERT INTO team_people (team_key, person_id, role) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                .bind(t.key.as_str())
                .bind(person.as_str())
                .bind(role)
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(())
}

/// The staff channel and the executives follow the file, like the admins.
async fn seed_org_priorities_people(conn: &mut super::Conn, org: &Org) -> Result<(), StoreError> {
    sqlx::query("UPDATE org SET staff_channel = $1 WHERE id = 1")
        .bind(org.staff_channel.as_ref().map(|c| c.as_str()))
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM org_executives")
        .execute(&mut *conn)
        .await?;
    for person in &org.executives {
        sqlx::query("INSERT INTO org_executives (person_id) VALUES ($1) ON CONFLICT DO NOTHING")
            .bind(person.as_str())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The staff channel and the executives as stored.
async fn load_org_priorities_people(
    conn: &mut super::Conn,
) -> Result<(Option<ChannelId>, Vec<PersonId>), StoreError> {
    let channel: Option<String> = sqlx::query_scalar("SELECT staff_channel FROM org WHERE id = 1")
        .fetch_optional(&mut *conn)
        .await?
        .flatten();
    let executives: Vec<String> =
        sqlx::query_scalar("SELECT person_id FROM org_executives ORDER BY person_id")
            .fetch_all(&mut *conn)
            .await?;
    let channel = match channel {
        Some(raw) => Some(ChannelId::parse(&raw).map_err(|_| corrupt("staff channel", &raw))?),
        None => None,
    };
    let executives = executives
        .iter()
        .map(|p| PersonId::parse(p).map_err(|_| corrupt("executive", p)))
        .collect::<Result<_, _>>()?;
    Ok((channel, executives))
}

#[derive(FromRow)]
struct OrgRow {
    name: String,
    mission: String,
    timezone: String,
    moments_channel: String,
    leadership_channel: String,
}

#[derive(FromRow)]
struct PillarRow {
    key: String,
    name: String,
    description: String,
    emoji: String,
    archived_at: Option<i64>,
}

#[derive(FromRow)]
struct TeamRow {
    key: String,
    name: String,
    channel: String,
    holidays: String,
}

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{what} {value:?}"))
}

/// The organization as stored; `None` before the first seed.
pub async fn load(conn: &mut Conn) -> Result<Option<Directory>, StoreError> {
    let Some(row): Option<OrgRow> = sqlx::query_as(
        "SELECT name, mission, timezone, moments_channel, leadership_channel FROM org WHERE id = 1",
    )
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let admins: Vec<String> =
        sqlx::query_scalar("SELECT person_id FROM org_admins ORDER BY person_id")
            .fetch_all(&mut *conn)
            .await?;
    let (staff_channel, executives) = load_org_priorities_people(conn).await?;
    let org = Org {
        staff_channel,
        executives,
        timezone: Tz::from_str(&row.timezone)
            .map_err(|_| corrupt("org timezone", &row.timezone))?,
        moments_channel: ChannelId::parse(&row.moments_channel)
            .map_err(|_| corrupt("moments channel", &row.moments_channel))?,
        leadership_channel: ChannelId::parse(&row.leadership_channel)
            .map_err(|_| corrupt("leadership channel", &row.leadership_channel))?,
        admins: admins
            .iter()
            .map(|a| PersonId::parse(a).map_err(|_| corrupt("admin", a)))
            .collect::<Result<_, _>>()?,
        name: row.name,
        mission: row.mission,
    };
    let pillar_rows: Vec<PillarRow> = sqlx::query_as(
        "SELECT key, name, description, emoji, archived_at FROM pillars ORDER BY position, key",
    )
    .fetch_all(&mut *conn)
    .await?;
    let pillars = pillar_rows
        .into_iter()
        .map(|p| {
            Ok(Pillar {
                key: PillarKey::parse(&p.key).map_err(|_| corrupt("pillar key", &p.key))?,
                name: p.name,
                description: p.description,
                emoji: p.emoji,
                archived: p.archived_at.is_some(),
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    let team_rows: Vec<TeamRow> =
        sqlx::query_as("SELECT key, name, channel, holidays FROM teams ORDER BY key")
            .fetch_all(&mut *conn)
            .await?;
    let mut teams = Vec::with_capacity(team_rows.len());
    for t in team_rows {
        let people: Vec<(String, String)> = sqlx::query_as(
            "SELECT person_id, role FROM team_people WHERE team_key = $1 ORDER BY rowid",
        )
        .bind(&t.key)
        .fetch_all(&mut *conn)
        .await?;
        let pick = |role: &str| {
            people
                .iter()
                .filter(|(_, r)| r == role)
                .map(|(p, _)| PersonId::parse(p).map_err(|_| corrupt("team person", p)))
                .collect::<Result<Vec<_>, _>>()
        };
        teams.push(Team {
            key: TeamKey::parse(&t.key).map_err(|_| corrupt("team key", &t.key))?,
            channel: ChannelId::parse(&t.channel)
                .map_err(|_| corrupt("team channel", &t.channel))?,
            leaders: pick("leader")?,
            members: pick("member")?,
            holidays: t
                .holidays
                .split(',')
                .filter(|d| !d.is_empty())
                .filter_map(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
                .collect(),
            name: t.name,
        });
    }
    Ok(Some(Directory {
        org,
        pillars,
        teams,
    }))
}

/// When the bot first saw each pillar that has a date (see migration 0018:
/// pillars seeded before it have none and are older than any digest looks
/// at), as (key, milliseconds).
pub async fn pillars_first_seen(conn: &mut Conn) -> Result<Vec<(String, i64)>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT key, first_seen FROM pillars WHERE first_seen IS NOT NULL ORDER BY key",
    )
    .fetch_all(conn)
    .await?)
}

/// Adds a pillar at the end of the list.
pub async fn add_pillar(conn: &mut Conn, p: &Pillar) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "INSERT INTO pillars (key, name, description, emoji, position) \
         VALUES ($1, $2, $3, $4, (SELECT COALESCE(MAX(position), -1) + 1 FROM pillars)) ON CONFLICT (key) DO NOTHING",
    )
    .bind(p.key.as_str())
    .bind(&p.name)
    .bind(&p.description)
    .bind(&p.emoji)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn update_pillar(conn: &mut Conn, p: &Pillar) -> Result<(), StoreError> {
    sqlx::query("UPDATE pillars SET name = $1, description = $2, emoji = $3 WHERE key = $4")
        .bind(&p.name)
        .bind(&p.description)
        .bind(&p.emoji)
        .bind(p.key.as_str())
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn archive_pillar(
    conn: &mut Conn,
    key: &PillarKey,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE pillars SET archived_at = $1 WHERE key = $2 AND archived_at IS NULL")
        .bind(millis(now))
        .bind(key.as_str())
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn set_mission(
    conn: &mut Conn,
    mission: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE org SET mission = $1, updated_at = $2 WHERE id = 1")
        .bind(mission)
        .bind(millis(now))
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn add_team(conn: &mut Conn, t: &Team) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "INSERT INTO teams (key, name, channel) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING",
    )
    .bind(t.key.as_str())
    .bind(&t.name)
    .bind(t.channel.as_str())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn update_team(conn: &mut Conn, t: &Team) -> Result<(), StoreError> {
    sqlx::query("UPDATE teams SET name = $1, channel = $2 WHERE key = $3")
        .bind(&t.name)
        .bind(t.channel.as_str())
        .bind(t.key.as_str())
        .execute(conn)
        .await?;
    Ok(())
}

/// Adds (`add` true) or removes people in a role of a team.
pub async fn set_team_people(
    conn: &mut Conn,
    team: &TeamKey,
    role: &str,
    people: &[PersonId],
    add: bool,
) -> Result<(), StoreError> {
    for person in people {
        let query = if add {
            "INSERT INTO team_people (team_key, person_id, role) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING"
        } else {
            "DELETE FROM team_people WHERE team_key = $1 AND person_id = $2 AND role = $3"
        };
        sqlx::query(query)
            .bind(team.as_str())
            .bind(person.as_str())
            .bind(role)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}
