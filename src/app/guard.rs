//! The privacy guard for every free text the bot posts on someone's behalf
//! to a channel, beyond moments (which have their own hold-and-confirm
//! flow in `moments`): proposal comments, priorities items. A text that
//! looks personal is refused, saying in plain words what was found and
//! what to change; nothing is stored or posted.

use super::{AppContext, AppError};
use crate::domain::privacy;

/// Refuses `texts` if the guard finds anything that may identify someone
/// (colleagues' names excepted).
pub fn check<'a>(
    ctx: &AppContext,
    texts: impl IntoIterator<Item = &'a str>,
) -> Result<(), AppError> {
    let known = ctx.known_people();
    let mut found = Vec::new();
    for text in texts {
        for f in privacy::scan_with(text, &known) {
            let line = format!("{} (“{}”)", f.kind.label(), f.excerpt);
            if !found.contains(&line) {
                found.push(line);
            }
        }
    }
    if found.is_empty() {
        return Ok(());
    }
    Err(AppError::Forbidden(format!(
        "Nothing was posted: this may identify someone: {}. Patients' names and details must never appear in a channel. Take these details out (write \"a patient\" or \"a colleague\") and send it again.",
        found.join("; ")
    )))
}
