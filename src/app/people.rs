//! What the app knows of people beyond the organization's settings: what
//! they ask of their nudges (a pause while away, muting a kind), and their
//! own time zone, so a nudge reaches them at the job's hour where they are.
//!
//! A time zone is learned from the chat platform once (through
//! [`PlatformPeople`], which the adapter implements) and cached in the store.

use super::{AppContext, AppError};
use crate::domain::{DomainError, PersonId};
use crate::store::{StoreError, people};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use futures_util::future::BoxFuture;

/// The chat platform's directory of people, as far as the app needs it.
pub trait PlatformPeople: Send + Sync {
    /// The person's IANA time zone as the platform knows it (`None`: not
    /// set there).
    fn time_zone<'a>(
        &'a self,
        person: &'a PersonId,
    ) -> BoxFuture<'a, Result<Option<String>, ZoneLookupError>>;
}

/// Why the platform could not say a person's time zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ZoneLookupError {
    /// Slow down (for this long, if the platform said).
    RateLimited(Option<std::time::Duration>),
    /// Anything else; the nudge goes out at the organization's time.
    Failed(String),
}

/// Why a nudge's local time could not be worked out now.
#[derive(Debug)]
pub enum ZoneError {
    Store(StoreError),
    RateLimited(Option<std::time::Duration>),
}

impl From<StoreError> for ZoneError {
    fn from(e: StoreError) -> Self {
        ZoneError::Store(e)
    }
}

/// A nudge is due at the job's local wall-clock time `local_at`
/// ("2026-11-25T09:00") in the person's own zone (cached, else asked of the
/// platform and remembered). Returns that instant while it is still ahead
/// (more than 30 s); `None` means send now. A zone that cannot be learned
/// never holds a nudge back.
pub async fn due_in_own_zone(
    ctx: &AppContext,
    platform: &dyn PlatformPeople,
    person: &PersonId,
    local_at: &str,
) -> Result<Option<DateTime<Utc>>, ZoneError> {
    let Ok(local) = chrono::NaiveDateTime::parse_from_str(local_at, "%Y-%m-%dT%H:%M") else {
        return Ok(None);
    };
    let cached = people::tz_of(ctx.store.reads(), person.as_str()).await?;
    let tz_name = match cached {
        Some(tz) => Some(tz),
        None => match platform.time_zone(person).await {
            Ok(tz) => {
                if let Some(tz) = tz.clone().filter(|t| t.parse::<chrono_tz::Tz>().is_ok()) {
                    let (who, now) = (person.to_string(), ctx.clock.now());
                    ctx.store
                        .write(move |conn| {
                            Box::pin(async move { people::set_tz(conn, &who, &tz, now).await })
                        })
                        .await?;
                }
                tz
            }
            Err(ZoneLookupError::RateLimited(after)) => {
                return Err(ZoneError::RateLimited(after));
            }
            Err(ZoneLookupError::Failed(error)) => {
                tracing::warn!(%person, %error, "no time zone for a person; nudging at the org's time");
                None
            }
        },
    };
    let Some(tz) = tz_name.and_then(|t| t.parse::<chrono_tz::Tz>().ok()) else {
        return Ok(None);
    };
    let due = match tz.from_local_datetime(&local) {
        chrono::LocalResult::Single(t) | chrono::LocalResult::Ambiguous(t, _) => {
            t.with_timezone(&Utc)
        }
        chrono::LocalResult::None => return Ok(None),
    };
    Ok((due > ctx.clock.now() + chrono::Duration::seconds(30)).then_some(due))
}

/// Pauses all nudges for `person` until `until` (inclusive), or ends the
/// pause (`None`). Returns the date.
pub async fn set_away(
    ctx: &AppContext,
    person: PersonId,
    until: Option<&str>,
) -> Result<Option<NaiveDate>, AppError> {
    let tz = ctx.directory().org.timezone;
    let today = ctx.clock.now().with_timezone(&tz).date_naive();
    let until = match until {
        Some(raw) => {
            let date = NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").map_err(|_| {
                DomainError::Invalid {
                    what: "date",
                    value: raw.chars().take(20).collect(),
                    rule: "write it as YYYY-MM-DD, e.g. 2027-01-10",
                }
            })?;
            if date < today {
                return Err(AppError::Invalid(DomainError::Invalid {
                    what: "date",
                    value: raw.to_owned(),
                    rule: "that day has passed; give the day you are back",
                }));
            }
            Some(date)
        }
        None => None,
    };
    let now = ctx.clock.now();
    ctx.store
        .write(move |conn| {
            Box::pin(async move { people::set_away(conn, person.as_str(), until, now).await })
        })
        .await?;
    Ok(until)
}

/// Mutes (or unmutes) one kind of nudge: "moments", "progress" or "priorities".
pub async fn set_mute(
    ctx: &AppContext,
    person: PersonId,
    kind: &str,
    on: bool,
) -> Result<(), AppError> {
    let kind = kind.to_owned();
    let now = ctx.clock.now();
    ctx.store
        .write(move |conn| {
            Box::pin(async move { people::set_mute(conn, person.as_str(), &kind, on, now).await })
        })
        .await?;
    Ok(())
}
