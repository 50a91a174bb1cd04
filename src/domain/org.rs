//! The organization: its mission, strategic pillars and teams.

use super::{ChannelId, DomainError, PersonId, PillarKey, TeamKey};
use chrono_tz::Tz;

/// The plan everything hangs from.
#[derive(Debug, Clone, PartialEq)]
pub struct Org {
    pub name: String,
    pub mission: String,
    pub timezone: Tz,
    /// Where shared mission moments are posted.
    pub moments_channel: ChannelId,
    /// Where leaders-only moments and leadership summaries go.
    pub leadership_channel: ChannelId,
    pub admins: Vec<PersonId>,
    /// Where the organization's monthly priorities go (all staff); without
    /// it they are only shown with `/priorities org show`.
    pub staff_channel: Option<ChannelId>,
    /// Who publishes the organization's priorities, besides admins.
    pub executives: Vec<PersonId>,
}

/// A strategic pillar. Archived pillars keep their history but take no new work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pillar {
    pub key: PillarKey,
    pub name: String,
    pub description: String,
    /// A Slack-style emoji short name such as `:heart:`, shown beside the name.
    pub emoji: String,
    pub archived: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Team {
    pub key: TeamKey,
    pub name: String,
    pub channel: ChannelId,
    pub leaders: Vec<PersonId>,
    pub members: Vec<PersonId>,
    /// Local dates the team does not work; its nudges wait for the next
    /// working day.
    pub holidays: Vec<chrono::NaiveDate>,
}

impl Org {
    pub fn is_admin(&self, person: &PersonId) -> bool {
        self.admins.contains(person)
    }

    /// Named in `[org] executives`.
    pub fn is_executive(&self, person: &PersonId) -> bool {
        self.executives.contains(person)
    }
}

/// A snapshot of the organization, kept in memory for the request path.
#[derive(Debug, Clone)]
pub struct Directory {
    pub org: Org,
    pub pillars: Vec<Pillar>,
    pub teams: Vec<Team>,
}

impl Directory {
    pub fn pillar(&self, key: &PillarKey) -> Option<&Pillar> {
        self.pillars.iter().find(|p| &p.key == key)
    }

    /// Pillars that new work may pick.
    pub fn active_pillars(&self) -> impl Iterator<Item = &Pillar> {
        self.pillars.iter().filter(|p| !p.archived)
    }

    /// Checks a pillar key typed or picked by a person: it must exist and
    /// not be archived. The error lists the keys that would work.
    pub fn resolve_pillar(&self, raw: &str) -> Result<PillarKey, DomainError> {
        let wanted = raw.trim().to_lowercase();
        match self.pillars.iter().find(|p| p.key.as_str() == wanted) {
            Some(p) if p.archived => Err(DomainError::ArchivedPillar(p.key.to_string())),
            Some(p) => Ok(p.key.clone()),
            None => Err(DomainError::UnknownPillar {
                key: raw.trim().chars().take(40).collect(),
                available: suggest(
                    raw,
                    self.active_pillars().map(|p| p.key.as_str()),
                    self.available_pillars(),
                    "`/align pillars` lists them with their names",
                ),
            }),
        }
    }

    fn available_pillars(&self) -> String {
        let keys: Vec<&str> = self.active_pillars().map(|p| p.key.as_str()).collect();
        if keys.is_empty() {
            "(no pillars are configured yet)".to_owned()
        } else {
            keys.join(", ")
        }
    }

    pub fn is_admin(&self, person: &PersonId) -> bool {
        self.org.is_admin(person)
    }

    pub fn team(&self, key: &TeamKey) -> Option<&Team> {
        self.teams.iter().find(|t| &t.key == key)
    }

    /// Checks a team key typed or picked by a person.
    pub fn resolve_team(&self, raw: &str) -> Result<TeamKey, DomainError> {
        let wanted = raw.trim().to_lowercase();
        self.teams
            .iter()
            .find(|t| t.key.as_str() == wanted)
            .map(|t| t.key.clone())
            .ok_or_else(|| DomainError::UnknownTeam {
                key: raw.trim().chars().take(40).collect(),
                available: suggest(
                    raw,
                    self.teams.iter().map(|t| t.key.as_str()),
                    if self.teams.is_empty() {
                        "(no teams are configured yet)".to_owned()
                    } else {
                        self.teams
                            .iter()
                            .map(|t| t.key.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    },
                    "`/align teams` lists them with names, leaders and channels",
                ),
            })
    }

    pub fn leads(&self, person: &PersonId, team: &TeamKey) -> bool {
        self.team(team).is_some_and(|t| t.leaders.contains(person))
    }

    /// The team a person's work belongs to when they do not say: the one
    /// team they lead, else the one team they are a member of.
    pub fn home_team(&self, person: &PersonId) -> Option<&Team> {
        let led: Vec<&Team> = self
            .teams
            .iter()
            .filter(|t| t.leaders.contains(person))
            .collect();
        if led.len() == 1 {
            return Some(led[0]);
        }
        if !led.is_empty() {
            return None;
        }
        let member: Vec<&Team> = self
            .teams
            .iter()
            .filter(|t| t.members.contains(person))
            .collect();
        (member.len() == 1).then(|| member[0])
    }

    /// Teams the person belongs to, as leader or member.
    pub fn teams_of<'a>(&'a self, person: &'a PersonId) -> impl Iterator<Item = &'a Team> + 'a {
        self.teams
            .iter()
            .filter(move |t| t.leaders.contains(person) || t.members.contains(person))
    }
}

/// The keys to pick from, led by the closest one to what was typed and
/// followed by the command that lists them all.
fn suggest<'a>(
    typed: &str,
    keys: impl Iterator<Item = &'a str>,
    available: String,
    listed_by: &str,
) -> String {
    match super::similar::closest(typed, keys) {
        Some(key) => format!("{available} (did you mean `{key}`?); {listed_by}"),
        None => format!("{available}; {listed_by}"),
    }
}
