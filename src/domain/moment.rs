//! Mission moments: short stories of the mission coming alive at work.

use super::{DomainError, PersonId, PillarKey};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A story as its author wrote it: trimmed at the ends, otherwise untouched.
///
/// Why a limit of 3,000 characters: it is the most a single Block Kit text
/// object can show, so a story is never cut when it is posted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MomentStory(String);

impl MomentStory {
    pub const MAX_CHARS: usize = 3000;
    /// Why a floor of 10: "a" or "🙏🙏🙏" tells nobody what happened, and a
    /// moment goes to the whole channel and the monthly digest. Only text
    /// counts (letters, digits, spaces, punctuation), not emoji or symbols.
    pub const MIN_CHARS: usize = 10;

    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        // Carriage returns come from some clients' line endings; they are not
        // part of what anyone meant to write.
        let text = raw.replace("\r\n", "\n").replace('\r', "\n");
        let text = text.trim();
        if text.is_empty() {
            return Err(DomainError::EmptyStory);
        }
        if text.contains('\u{FFFD}')
            || text
                .chars()
                .any(|c| c.is_control() && c != '\n' && c != '\t')
        {
            return Err(DomainError::UnreadableText);
        }
        let said = text
            .chars()
            .filter(|c| c.is_alphanumeric() || c.is_whitespace() || c.is_ascii_punctuation())
            .count();
        if said < Self::MIN_CHARS {
            return Err(DomainError::StoryTooShort {
                min: Self::MIN_CHARS,
            });
        }
        let len = text.chars().count();
        if len > Self::MAX_CHARS {
            return Err(DomainError::StoryTooLong {
                len,
                max: Self::MAX_CHARS,
            });
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for MomentStory {
    type Error = DomainError;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

impl From<MomentStory> for String {
    fn from(story: MomentStory) -> String {
        story.0
    }
}

/// Who sees the moment: the whole moments channel, or only the leadership channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    #[default]
    Channel,
    Leaders,
}

impl Audience {
    pub fn as_str(self) -> &'static str {
        match self {
            Audience::Channel => "channel",
            Audience::Leaders => "leaders",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "channel" => Some(Audience::Channel),
            "leaders" => Some(Audience::Leaders),
            _ => None,
        }
    }
}

/// People the author wants to recognize; unique, at most [`Recognized::MAX`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Recognized(Vec<PersonId>);

impl Recognized {
    /// Why 20: beyond that a post stops being a story about someone.
    pub const MAX: usize = 20;

    pub fn new(people: impl IntoIterator<Item = PersonId>) -> Result<Self, DomainError> {
        let mut unique: Vec<PersonId> = Vec::new();
        for person in people {
            if !unique.contains(&person) {
                unique.push(person);
            }
        }
        if unique.len() > Self::MAX {
            return Err(DomainError::TooManyRecognized { max: Self::MAX });
        }
        Ok(Self(unique))
    }

    pub fn people(&self) -> &[PersonId] {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Everything needed to share a moment, already validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MomentDraft {
    pub author: PersonId,
    pub story: MomentStory,
    pub pillar: Option<PillarKey>,
    pub recognized: Recognized,
    pub audience: Audience,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct MomentId(pub i64);

impl fmt::Display for MomentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Where a moment is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MomentStatus {
    /// Held back by the privacy guard until its author confirms.
    Draft,
    Shared,
    Deleted,
}

impl MomentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MomentStatus::Draft => "draft",
            MomentStatus::Shared => "shared",
            MomentStatus::Deleted => "deleted",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "draft" => Some(Self::Draft),
            "shared" => Some(Self::Shared),
            "deleted" => Some(Self::Deleted),
            _ => None,
        }
    }
}

/// A stored moment as the app sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moment {
    pub id: MomentId,
    pub author: PersonId,
    /// Empty once deleted: a deleted story is not kept.
    pub story: String,
    pub pillar: Option<PillarKey>,
    pub audience: Audience,
    pub status: MomentStatus,
    pub recognized: Vec<PersonId>,
    /// Where its post landed, once delivered: (channel id, message ts).
    pub post: Option<(String, String)>,
    pub reactions: i64,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_story_is_trimmed_but_otherwise_kept_exactly_as_written() {
        let story = MomentStory::parse("  <@U123> *made* my day &amp; more \n").unwrap();
        assert_eq!(story.as_str(), "<@U123> *made* my day &amp; more");
    }

    #[test]
    fn a_story_too_short_to_tell_anything_is_refused() {
        for short in ["a", "🙏🙏🙏", "🙏🙏🙏🙏🙏🙏🙏🙏🙏🙏🙏🙏", "Thanks!"]
        {
            assert_eq!(
                MomentStory::parse(short),
                Err(DomainError::StoryTooShort { min: 10 }),
                "{short}"
            );
        }
        assert!(MomentStory::parse("Sam helped 🙏").is_ok());
    }

    #[test]
    fn an_empty_or_blank_story_is_refused() {
        assert_eq!(MomentStory::parse(" \n\t "), Err(DomainError::EmptyStory));
    }

    #[test]
    fn a_story_over_the_limit_is_refused_with_its_length() {
        let long = "é".repeat(MomentStory::MAX_CHARS + 1);
        assert_eq!(
            MomentStory::parse(&long),
            Err(DomainError::StoryTooLong {
                len: 3001,
                max: 3000
            })
        );
        assert!(MomentStory::parse(&"é".repeat(MomentStory::MAX_CHARS)).is_ok());
    }

    #[test]
    fn text_that_was_not_valid_utf8_is_refused() {
        let lossy = String::from_utf8_lossy(b"caf\xff story").into_owned();
        assert_eq!(MomentStory::parse(&lossy), Err(DomainError::UnreadableText));
        assert_eq!(
            MomentStory::parse("bell \u{7} story"),
            Err(DomainError::UnreadableText)
        );
    }

    #[test]
    fn windows_line_endings_become_plain_newlines() {
        assert_eq!(
            MomentStory::parse("a story\r\nof two lines")
                .unwrap()
                .as_str(),
            "a story\nof two lines"
        );
    }

    #[test]
    fn recognized_people_are_deduplicated_and_bounded() {
        let p = PersonId::parse("U0AAA").unwrap();
        let r = Recognized::new([p.clone(), p.clone()]).unwrap();
        assert_eq!(r.people(), &[p]);
        let many = (0..21).map(|i| PersonId::parse(&format!("U0{i:03}")).unwrap());
        assert!(Recognized::new(many).is_err());
    }
}
