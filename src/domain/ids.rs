//! Identifiers that arrive from outside, checked once at the edge.
//!
//! People and channels are identified by the chat platform's opaque ids; the
//! domain only promises they are well formed, not what platform made them.

use super::DomainError;
use serde::{Deserialize, Serialize};
use std::fmt;

fn is_platform_id(s: &str, first: &[char]) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if first.contains(&c))
        && s.len() >= 3
        && s.len() <= 32
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// A Microsoft Teams id: a person's Entra (AAD) object id, lowercase
/// (`8f0d3c1e-…`), or a conversation id (`19:…@thread.tacv2`). Always holds
/// a character a Slack id cannot (lowercase, `-` or `:`), so the two shapes
/// never overlap and the adapter that owns an id is known by its shape.
fn is_teams_id(s: &str, marker: char) -> bool {
    s.len() >= 3
        && s.len() <= 200
        && s.contains(marker)
        && s.chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, ':' | '@' | '.' | '_' | ';' | '=' | '-')
        })
}

/// An Entra object id as Teams sends it (`aadObjectId`), lowercased: hex
/// digits in dash-separated groups. Not strictly a GUID, since local tools
/// (the Agents Playground) send ids with a group one digit too long.
fn is_object_id(s: &str) -> bool {
    (8..=64).contains(&s.len())
        && s.contains('-')
        && s.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f' | '-'))
}

fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 40
        && s.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident, $what:literal, $rule:literal, $check:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn parse(raw: &str) -> Result<Self, DomainError> {
                let check: fn(&str) -> bool = $check;
                if check(raw) {
                    Ok(Self(raw.to_owned()))
                } else {
                    Err(DomainError::Invalid { what: $what, value: raw.chars().take(60).collect(), rule: $rule })
                }
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = DomainError;
            fn try_from(raw: String) -> Result<Self, Self::Error> {
                Self::parse(&raw)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

string_id!(
    /// A person, e.g. `U0NURSE1` (Slack user ids start with U or W), or on
    /// Teams their Entra object id in lowercase.
    PersonId, "person id", "expected a Slack id like U012ABCDEF or a Teams user's object id like 8f0d3c1e-2b6a-4e57-9c1d-0a1b2c3d4e5f",
    |s| is_platform_id(s, &['U', 'W']) || is_object_id(s)
);
impl PersonId {
    /// Forgotten people are renamed to this prefix plus a number, so
    /// counts stay right while nothing says who they were.
    pub const TOMBSTONE_PREFIX: &'static str = "UFORGOTTEN";

    pub fn tombstone(n: i64) -> Self {
        Self(format!("{}{n}", Self::TOMBSTONE_PREFIX))
    }

    pub fn is_tombstone(&self) -> bool {
        self.0.starts_with(Self::TOMBSTONE_PREFIX)
    }
}

string_id!(
    /// A conversation the bot posts to, e.g. `C0MOMENTS`, or on Teams a
    /// channel's conversation id (`19:…@thread.tacv2`).
    ChannelId, "channel id", "expected a Slack id like C012ABCDEF or a Teams channel id like 19:abc@thread.tacv2",
    |s| is_platform_id(s, &['C', 'G', 'D']) || is_teams_id(s, ':')
);
string_id!(
    /// A strategic pillar's short key, e.g. `patient-care`.
    PillarKey, "pillar key", "use lowercase letters, digits and dashes (up to 40)", is_slug
);
string_id!(
    /// A team's short key, e.g. `nursing`.
    TeamKey, "team key", "use lowercase letters, digits and dashes (up to 40)", is_slug
);

macro_rules! row_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        ///
        /// Serialized as the bare number, so outbox rows written before the
        /// newtype existed still read.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

row_id!(
    /// A goal proposal, so it is never mixed up with the goal it may become.
    ProposalId
);
row_id!(
    /// One person's nudge of one job run (a row of `nudges`).
    NudgeId
);
row_id!(
    /// One publication of a team's monthly priorities.
    PriorityId
);

/// What a post in a conversation belongs to: where it landed is recorded on
/// that row, so later updates and deletions find it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PostOwner {
    Moment(super::MomentId),
    /// The moments digest of a month, so a takedown can update it.
    MomentsDigest {
        year: i32,
        month: u32,
    },
    Proposal(ProposalId),
    Priorities(PriorityId),
    Nudge(NudgeId),
    /// The organization's priorities of a month (`org_priorities.id`).
    OrgPriorities(i64),
}

/// Where a message landed on the platform: its conversation and its
/// platform timestamp (Slack's `ts`), which together name it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PostRef {
    pub channel: String,
    pub ts: String,
}

impl PostRef {
    pub fn new(channel: impl Into<String>, ts: impl Into<String>) -> Self {
        Self {
            channel: channel.into(),
            ts: ts.into(),
        }
    }

    /// From the `(channel, ts)` pair the store keeps.
    pub fn from_pair(pair: Option<(String, String)>) -> Option<Self> {
        pair.map(|(channel, ts)| Self { channel, ts })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn person_ids_must_look_like_platform_user_ids() {
        assert!(PersonId::parse("U0NURSE1").is_ok());
        assert!(PersonId::parse("W012AB").is_ok());
        for bad in ["", "u0abc", "C0CHANNEL", "U0 BAD", "<@U123>", "U1"] {
            assert!(PersonId::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn teams_ids_are_accepted_and_never_look_like_slack_ids() {
        assert!(PersonId::parse("8f0d3c1e-2b6a-4e57-9c1d-0a1b2c3d4e5f").is_ok());
        assert!(ChannelId::parse("19:3f1c9a@thread.tacv2").is_ok());
        for bad in [
            "8F0D3C1E-2B6A-4E57-9C1D-0A1B2C3D4E5F",
            "not-an-id",
            "bob",
            "19:x y@thread",
        ] {
            assert!(PersonId::parse(bad).is_err(), "{bad:?} should be refused");
        }
        assert!(ChannelId::parse("19:a b").is_err());
    }

    #[test]
    fn pillar_keys_are_slugs() {
        assert!(PillarKey::parse("patient-care").is_ok());
        for bad in ["", "Patient", "-x", "a b", "x".repeat(41).as_str()] {
            assert!(PillarKey::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn row_ids_serialize_as_bare_numbers_as_before_the_newtypes() {
        assert_eq!(serde_json::to_string(&ProposalId(7)).unwrap(), "7");
        assert_eq!(serde_json::from_str::<NudgeId>("12").unwrap(), NudgeId(12));
        assert_eq!(
            serde_json::from_str::<PriorityId>("3").unwrap(),
            PriorityId(3)
        );
    }

    #[test]
    fn ids_round_trip_through_serde_and_refuse_bad_values() {
        let id: ChannelId = serde_json::from_str("\"C0MOMENTS\"").unwrap();
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"C0MOMENTS\"");
        assert!(serde_json::from_str::<ChannelId>("\"nope\"").is_err());
    }
}
