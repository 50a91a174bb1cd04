//! SQL for what the app knows of people beyond the organization's settings:
//! what they asked of their nudges (away, muted kinds), and their time zone
//! and names as the chat platform last told them.

use super::Conn;
use super::StoreError;
use super::moments::millis;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::AnyExecutor;

/// One person's wishes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Prefs {
    pub person_id: String,
    pub away_until: Option<String>,
    pub mute_moments: bool,
    pub mute_progress: bool,
    pub mute_priorities: bool,
}

impl Prefs {
    /// Whether a nudge of `kind` ("moments", "progress", "priorities") may
    /// reach this person on local date `today`.
    pub fn accepts(&self, kind: &str, today: NaiveDate) -> bool {
        let away = self
            .away_until
            .as_deref()
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .is_some_and(|until| today <= until);
        let muted = match kind {
            "moments" => self.mute_moments,
            "progress" => self.mute_progress,
            "priorities" => self.mute_priorities,
            _ => false,
        };
        !away && !muted
    }
}

pub async fn all(exec: impl AnyExecutor<'_>) -> Result<Vec<Prefs>, StoreError> {
    // The mute flags are INTEGER 0/1 on both databases (read as i64).
    let rows: Vec<(String, Option<String>, i64, i64, i64)> = sqlx::query_as(
        "SELECT person_id, away_until, mute_moments, mute_progress, mute_priorities FROM person_prefs",
    )
    .fetch_all(exec)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(person_id, away_until, moments, progress, priorities)| Prefs {
                person_id,
                away_until,
                mute_moments: moments == 1,
                mute_progress: progress == 1,
                mute_priorities: priorities == 1,
            },
        )
        .collect())
}

pub async fn set_away(
    conn: &mut Conn,
    person: &str,
    until: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO person_prefs (person_id, away_until, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (person_id) DO UPDATE SET away_until = excluded.away_until, updated_at = excluded.updated_at",
    )
    .bind(person)
    .bind(until.map(|d| d.format("%Y-%m-%d").to_string()))
    .bind(millis(now))
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn set_mute(
    conn: &mut Conn,
    person: &str,
    kind: &str,
    on: bool,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    // `kind` picks one of three fixed statements; nothing typed reaches the SQL text.
    let sql = match kind {
        "moments" => {
            "INSERT INTO person_prefs (person_id, mute_moments, updated_at) VALUES ($1, $2, $3) \
                      ON CONFLICT (person_id) DO UPDATE SET mute_moments = excluded.mute_moments, updated_at = excluded.updated_at"
        }
        "progress" => {
            "INSERT INTO person_prefs (person_id, mute_progress, updated_at) VALUES ($1, $2, $3) \
                       ON CONFLICT (person_id) DO UPDATE SET mute_progress = excluded.mute_progress, updated_at = excluded.updated_at"
        }
        _ => {
            "INSERT INTO person_prefs (person_id, mute_priorities, updated_at) VALUES ($1, $2, $3) \
              ON CONFLICT (person_id) DO UPDATE SET mute_priorities = excluded.mute_priorities, updated_at = excluded.updated_at"
        }
    };
    sqlx::query(sql)
        .bind(person)
        .bind(i64::from(on))
        .bind(millis(now))
        .execute(conn)
        .await?;
    Ok(())
}

/// A person's cached time zone (IANA name), if known.
pub async fn tz_of(exec: impl AnyExecutor<'_>, person: &str) -> Result<Option<String>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT tz FROM person_tz WHERE person_id = $1")
            .bind(person)
            .fetch_optional(exec)
            .await?,
    )
}

pub async fn set_tz(
    conn: &mut Conn,
    person: &str,
    tz: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO person_tz (person_id, tz, fetched_at) VALUES ($1, $2, $3) \
         ON CONFLICT (person_id) DO UPDATE SET tz = excluded.tz, fetched_at = excluded.fetched_at",
    )
    .bind(person)
    .bind(tz)
    .bind(millis(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// A person's names as the platform last told them.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Names {
    pub person_id: String,
    pub real_name: Option<String>,
    pub display_name: Option<String>,
}

/// Everyone's cached names, for the privacy guard's list of colleagues.
pub async fn all_names(exec: impl AnyExecutor<'_>) -> Result<Vec<Names>, StoreError> {
    Ok(
        sqlx::query_as("SELECT person_id, real_name, display_name FROM person_names")
            .fetch_all(exec)
            .await?,
    )
}

/// Of `people`, those whose names were never learned or were learned
/// before `fresh_after`: the ones to look up again.
pub async fn names_due(
    conn: &mut Conn,
    people: &[String],
    fresh_after: DateTime<Utc>,
) -> Result<Vec<String>, StoreError> {
    let fresh: std::collections::HashSet<String> =
        sqlx::query_scalar("SELECT person_id FROM person_names WHERE fetched_at >= $1")
            .bind(millis(fresh_after))
            .fetch_all(conn)
            .await?
            .into_iter()
            .collect();
    Ok(people
        .iter()
        .filter(|p| !fresh.contains(*p))
        .cloned()
        .collect())
}

pub async fn set_names(
    conn: &mut Conn,
    person: &str,
    real_name: Option<&str>,
    display_name: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO person_names (person_id, real_name, display_name, fetched_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (person_id) DO UPDATE SET real_name = excluded.real_name, \
         display_name = excluded.display_name, fetched_at = excluded.fetched_at",
    )
    .bind(person)
    .bind(real_name)
    .bind(display_name)
    .bind(millis(now))
    .execute(conn)
    .await?;
    Ok(())
}
