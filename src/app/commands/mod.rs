//! What people type after a command (`/goal`, `/align`, `/priorities`,
//! `/moment`), read into commands the app runs.
//!
//! The grammar is platform-neutral, so every chat adapter shares it: Slack
//! hands over a slash command's text, Teams a message's. Parsing is pure (no
//! directory, no store); values stay as typed for the use cases to validate,
//! and people and channels are kept as the plain ids of their mentions (see
//! [`tokenizer`] for the one mention markup the grammar reads). Anything
//! malformed is a [`Usage`] to show the person privately.

pub mod align;
pub mod goal;
pub mod moment;
pub mod priorities;
mod tokenizer;

#[cfg(test)]
mod tests;

/// Malformed command text: the markdown message to show the person.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Usage(pub String);
