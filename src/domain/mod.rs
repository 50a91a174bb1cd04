//! The organization's strategy in plain Rust: pillars, teams, people and
//! mission moments, and the months and schedules its rhythm runs on. Rules
//! for this folder: no Slack, no SQL, no tokio. Every type validates on
//! construction, so the rest of the app never holds an invalid value; errors
//! carry the message a person should read.

pub mod goal;
pub mod ids;
pub mod moment;
pub mod org;
pub mod period;
pub mod plan_year;
pub mod priorities;
pub mod privacy;
pub mod schedule;
pub mod similar;

pub use ids::{ChannelId, PersonId, PillarKey, TeamKey};
pub use moment::{Audience, MomentDraft, MomentId, MomentStory, Recognized};
pub use org::{Directory, Org, Pillar, Team};

/// Why a value from outside was refused. The `Display` text is written for
/// the person who typed it: it says what was wrong and what is accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    #[error("Your story is empty. Write a sentence or two about when the mission came alive.")]
    EmptyStory,
    #[error("Your story is {len} characters long; the limit is {max}. Please shorten it a little.")]
    StoryTooLong { len: usize, max: usize },
    #[error(
        "Your story is too short to tell what happened. Write at least {min} characters (emoji alone don't count): who did what, and how it served the mission."
    )]
    StoryTooShort { min: usize },
    #[error(
        "Your story contains characters that could not be read (invalid text encoding). Please retype it."
    )]
    UnreadableText,
    #[error("There is no pillar `{key}`. Pick one of: {available}.")]
    UnknownPillar { key: String, available: String },
    #[error("There is no team `{key}`. Pick one of: {available}.")]
    UnknownTeam { key: String, available: String },
    #[error("The pillar `{0}` is archived; pick a current one.")]
    ArchivedPillar(String),
    #[error("You can recognize at most {max} people in one moment.")]
    TooManyRecognized { max: usize },
    #[error(transparent)]
    Goal(#[from] goal::GoalError),
    /// A rule broken, worded in full (it says what to type instead), where
    /// "`value` is not a valid what" would read badly.
    #[error("{0}")]
    Rule(String),
    #[error("`{value}` is not a valid {what}: {rule}")]
    Invalid {
        what: &'static str,
        value: String,
        rule: &'static str,
    },
}
