//! What the app knows of people beyond the organization's settings: what
//! they ask of their nudges (a pause while away, muting a kind), and their
//! own time zone, so a nudge reaches them at the job's hour where they are.
//!
//! A time zone is learned from the chat platform once (through
//! [`PlatformPeople`], which the adapter implements) and cached in the store.
//!
//! Names are learned the same way, but in the background ([`learn_names`],
//! from the hourly housekeeping pass): the privacy guard needs them to tell
//! a colleague named in a story from a patient, and a story is scanned on
//! the request path, which must neither wait for the platform nor fail when
//! it is down. Until a person's names are learned, their name in a story is
//! a stranger's, and the story is held for its author to confirm.

use super::{AppContext, AppError};
use crate::domain::privacy::KnownPeople;
use crate::domain::{Directory, DomainError, PersonId};
use crate::store::{StoreError, people};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use futures_util::future::BoxFuture;
use std::collections::BTreeSet;

/// The chat platform's directory of people, as far as the app needs it.
pub trait PlatformPeople: Send + Sync {
    /// The person's IANA time zone as the platform knows it (`None`: not
    /// set there).
    fn time_zone<'a>(
        &'a self,
        person: &'a PersonId,
    ) -> BoxFuture<'a, Result<Option<String>, ZoneLookupError>>;

    /// The person's time zone and names, from one look-up. A platform that
    /// only knows zones says no names.
    fn profile<'a>(
        &'a self,
        person: &'a PersonId,
    ) -> BoxFuture<'a, Result<Profile, ZoneLookupError>> {
        Box::pin(async move {
            Ok(Profile {
                time_zone: self.time_zone(person).await?,
                ..Profile::default()
            })
        })
    }
}

/// What the platform says of a person; every part may be unset there.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Profile {
    /// IANA name, e.g. "America/Los_Angeles".
    pub time_zone: Option<String>,
    /// "Siobhan Murphy".
    pub real_name: Option<String>,
    /// What the person chose to be called ("Siobhan", "shiv").
    pub display_name: Option<String>,
}

impl Profile {
    /// Empty strings are what the platform sends for "not set".
    fn name_parts(&self) -> (Option<&str>, Option<&str>) {
        fn set(name: &Option<String>) -> Option<&str> {
            name.as_deref().map(str::trim).filter(|s| !s.is_empty())
        }
        (set(&self.real_name), set(&self.display_name))
    }
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
        None => match platform.profile(person).await {
            Ok(profile) => {
                let tz = profile.time_zone.clone();
                if let Some(tz) = tz.clone().filter(|t| t.parse::<chrono_tz::Tz>().is_ok()) {
                    let (who, now) = (person.to_string(), ctx.clock.now());
                    ctx.store
                        .write(move |conn| {
                            Box::pin(async move { people::set_tz(conn, &who, &tz, now).await })
                        })
                        .await?;
                }
                // The same answer names them: keep that too, for the guard.
                if remember_names(ctx, person, &profile).await? {
                    refresh_known(ctx).await;
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

/// Keeps what a profile says: a valid time zone, and the names (an event
/// saying a person's profile changed, inside its transaction).
pub async fn remember_profile(
    conn: &mut crate::store::Conn,
    person: &PersonId,
    profile: &Profile,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    if let Some(tz) = profile
        .time_zone
        .as_deref()
        .filter(|t| t.parse::<chrono_tz::Tz>().is_ok())
    {
        people::set_tz(&mut *conn, person.as_str(), tz, now).await?;
    }
    // An event without names says nothing of them: the look-up stays due.
    match profile.name_parts() {
        (None, None) => Ok(()),
        (real, display) => people::set_names(conn, person.as_str(), real, display, now).await,
    }
}

/// Stores the names in `profile` for `person`; true when any was set.
async fn remember_names(
    ctx: &AppContext,
    person: &PersonId,
    profile: &Profile,
) -> Result<bool, StoreError> {
    let (real, display) = profile.name_parts();
    let (real, display) = (real.map(str::to_owned), display.map(str::to_owned));
    let named = real.is_some() || display.is_some();
    let (who, now) = (person.to_string(), ctx.clock.now());
    ctx.store
        .write(move |conn| {
            Box::pin(async move {
                people::set_names(conn, &who, real.as_deref(), display.as_deref(), now).await
            })
        })
        .await?;
    Ok(named)
}

async fn refresh_known(ctx: &AppContext) {
    if let Err(error) = ctx.refresh_known_people().await {
        tracing::warn!(%error, "cannot refresh the colleagues the privacy guard knows");
    }
}

/// The privacy guard's colleagues: every person whose names the bot has
/// cached (the organization's people, looked up by [`learn_names`], and
/// anyone else it looked up), each by real and display name together, so
/// that a given name goes only with the same person's surname.
pub fn known_people(names: &[people::Names]) -> KnownPeople {
    let mut known = KnownPeople::new();
    for person in names {
        let parts: Vec<&str> = [&person.real_name, &person.display_name]
            .into_iter()
            .filter_map(|n| n.as_deref())
            .collect();
        known.add_person(&parts);
    }
    known
}

/// The organization's people, once each: admins, leaders and members.
pub fn everyone(directory: &Directory) -> Vec<PersonId> {
    let mut ids: BTreeSet<&PersonId> = directory.org.admins.iter().collect();
    for team in &directory.teams {
        ids.extend(team.leaders.iter().chain(&team.members));
    }
    ids.into_iter().cloned().collect()
}

/// How a background pass over people's names should go.
#[derive(Debug, Clone, Copy)]
pub struct NamesPass {
    /// Names learned longer ago than this are looked up again (people
    /// change their names; new people join).
    pub max_age: chrono::Duration,
    /// At most this many look-ups per pass; the rest wait for the next.
    pub limit: usize,
    /// Pause between two look-ups (Slack's users.info allows about 100 a
    /// minute); zero in tests.
    pub pace: std::time::Duration,
}

impl Default for NamesPass {
    fn default() -> Self {
        Self {
            max_age: chrono::Duration::days(7),
            limit: 1000,
            pace: std::time::Duration::from_millis(700),
        }
    }
}

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NamesLearned {
    /// People looked up and stored.
    pub learned: usize,
    /// People still due (over the limit, or after a stop).
    pub remaining: usize,
    /// The platform asked us to slow down; the pass stopped there.
    pub rate_limited: bool,
}

/// Looks up the organization's people whose names are unknown or older
/// than `pass.max_age`, one at a time, and caches their names (and time
/// zones); then rebuilds the guard's colleagues. Stops at the first rate
/// limit: the next pass, an hour later, goes on. A person the platform
/// cannot say anything about is asked again at the next pass; one it knows
/// without names is stored so, and asked again once that entry ages.
#[tracing::instrument(skip_all)]
pub async fn learn_names(
    ctx: &AppContext,
    platform: &dyn PlatformPeople,
    pass: NamesPass,
) -> Result<NamesLearned, StoreError> {
    let ids: Vec<String> = everyone(&ctx.directory())
        .iter()
        .map(|p| p.to_string())
        .collect();
    let fresh_after = ctx.clock.now() - pass.max_age;
    let due = {
        let mut conn = ctx.store.reads().acquire().await?;
        people::names_due(&mut conn, &ids, fresh_after).await?
    };
    let mut done = NamesLearned {
        remaining: due.len(),
        ..NamesLearned::default()
    };
    for (n, id) in due.iter().take(pass.limit).enumerate() {
        if n > 0 && !pass.pace.is_zero() {
            tokio::time::sleep(pass.pace).await;
        }
        let Ok(person) = PersonId::parse(id) else {
            continue;
        };
        let profile = match platform.profile(&person).await {
            Ok(profile) => profile,
            Err(ZoneLookupError::RateLimited(after)) => {
                tracing::warn!(
                    ?after,
                    "rate limited while learning names; going on next pass"
                );
                done.rate_limited = true;
                break;
            }
            Err(ZoneLookupError::Failed(error)) => {
                // Not stored: asked again next pass (the platform may have
                // been down, or not serving yet, as the playground at start).
                tracing::warn!(%person, %error, "cannot learn a person's names");
                continue;
            }
        };
        if let Some(tz) = profile
            .time_zone
            .clone()
            .filter(|t| t.parse::<chrono_tz::Tz>().is_ok())
        {
            let (who, now) = (id.clone(), ctx.clock.now());
            ctx.store
                .write(move |conn| {
                    Box::pin(async move { people::set_tz(conn, &who, &tz, now).await })
                })
                .await?;
        }
        remember_names(ctx, &person, &profile).await?;
        done.learned += 1;
        done.remaining -= 1;
    }
    if done.learned > 0 {
        refresh_known(ctx).await;
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knowing_thirty_thousand_people_is_built_once_and_then_free() {
        let mut names: Vec<people::Names> = (0..30_000)
            .map(|i| people::Names {
                person_id: format!("U{i:08}"),
                real_name: Some(format!("Given{i} Family{i}")),
                display_name: Some(format!("Given{i}")),
            })
            .collect();
        names.push(people::Names {
            person_id: "U0SIOBHAN".into(),
            real_name: Some("Siobhan Murphy".into()),
            display_name: None,
        });
        let started = std::time::Instant::now();
        let known = known_people(&names);
        // A rough figure, printed rather than asserted: the build runs once
        // per change of names, never per request.
        eprintln!(
            "KnownPeople for 30,001 people built in {:?}",
            started.elapsed()
        );
        let story = "Siobhan Murphy stayed late for Maria Gonzalez.";
        let found = crate::domain::privacy::scan_with(story, &known);
        let excerpts: Vec<&str> = found.iter().map(|f| f.excerpt.as_str()).collect();
        assert_eq!(excerpts, ["Maria Gonzalez"]);
    }

    #[test]
    fn a_colleague_is_known_by_real_and_display_name_together() {
        let known = known_people(&[people::Names {
            person_id: "U1".into(),
            real_name: Some("Siobhan Murphy".into()),
            display_name: Some("Shiv".into()),
        }]);
        let story = "Siobhan Murphy stayed late, and Shiv Murphy brought coffee.";
        assert!(crate::domain::privacy::scan_with(story, &known).is_empty());
        assert!(!crate::domain::privacy::scan(story).is_empty());
    }
}
