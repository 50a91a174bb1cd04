//! What people ask of their nudges: a pause while away, and muting a kind.

use super::{AppContext, AppError};
use crate::domain::{DomainError, PersonId};
use crate::store::people;
use chrono::NaiveDate;

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
