//! Errors of the use cases.
//!
//! Which error goes where: [`crate::domain::DomainError`] for a value that
//! cannot be valid; [`AppError`] for everything a service can answer (a
//! refusal the person should read, or a failure of ours); `StoreError` only
//! inside the store. The HTTP layer maps `AppError` to responses in one
//! place (`http::error`): person-facing variants become their message,
//! `Store` becomes an apology (and a 5xx where Slack retries).

use crate::domain::DomainError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The input cannot be valid; the message says what is accepted.
    #[error(transparent)]
    Invalid(#[from] DomainError),
    /// The person may not do this; the message says who may.
    #[error("{0}")]
    Forbidden(String),
    /// The thing referred to does not exist (any more).
    #[error("{0}")]
    NotFound(String),
    /// A leader of several teams did not say which team: the question, and
    /// the teams to offer as buttons. Nothing was stored.
    #[error("{}", .0.question)]
    WhichTeam(WhichTeam),
    /// Our side failed; nothing the person did wrong. Never shown verbatim.
    #[error("storage failed: {0}")]
    Store(#[from] StoreError),
}

/// The "which team?" question (see [`AppError::WhichTeam`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WhichTeam {
    /// The question, with the `team:<key>` to type.
    pub question: String,
    /// (key, name) of each team to choose from.
    pub teams: Vec<(String, String)>,
}

impl From<crate::domain::goal::GoalError> for AppError {
    fn from(e: crate::domain::goal::GoalError) -> Self {
        AppError::Invalid(DomainError::Goal(e))
    }
}

impl AppError {
    /// True when the person should read the message (a refusal, not a fault).
    pub fn is_for_person(&self) -> bool {
        !matches!(self, AppError::Store(_))
    }
}
