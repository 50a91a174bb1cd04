//! "Take down" on a moment's card in Teams: the counterpart of Slack's
//! "Take down" shortcut and the Remove button on an admin's Home. The
//! button opens a dialog that asks for confirmation, showing the story;
//! "Take down" erases the moment through the same use case as
//! `moment remove` (app::moments::take_down), whose outbox rows delete the
//! channel's card. Whoever may not take it down (only its author and admins
//! may: app::permissions) is refused when the dialog would open, and again
//! on submit, so a forged submit changes nothing either.

use super::render::{self, card, dialog, heading, note, para};
use crate::app::{AppContext, AppError, moments};
use crate::domain::{MomentId, PersonId};
use serde_json::{Value, json};

/// The dialog's name in the button's and the form's data.
pub const DIALOG: &str = "take_down";

/// The button on a moment's card (every viewer sees it; the dialog refuses
/// those who may not).
pub fn button(moment: MomentId) -> Value {
    render::open_dialog("Take down", DIALOG, json!({"moment": moment.0}))
}

fn moment_of(data: &Value) -> Option<MomentId> {
    match data.get("moment") {
        Some(Value::Number(n)) => n.as_i64().map(MomentId),
        Some(Value::String(s)) => s.trim().parse().ok().map(MomentId),
        _ => None,
    }
}

const UNKNOWN: &str =
    "This button is out of date. To take a moment down, type moment remove <its id>.";

/// What to tell a person about a refusal (ours is an apology, logged).
fn person_message(e: &AppError) -> String {
    if e.is_for_person() {
        e.to_string()
    } else {
        tracing::error!(error = %e, "a Teams takedown failed");
        "Sorry, something went wrong on our side. Please try again in a minute.".to_owned()
    }
}

/// The confirmation: the story, what taking it down does, and two buttons.
fn confirmation(id: MomentId, story: &str) -> Value {
    card(
        vec![
            heading(&format!("Take down moment {id}?")),
            para(story),
            note(
                "Its story is erased, its post is deleted from the channel, and it leaves the \
                 digests not yet sent. This cannot be undone. Backups and exports made before \
                 still hold it.",
            ),
        ],
        vec![
            json!({"type": "Action.Submit", "title": "Take down", "style": "destructive",
                   "data": {"dialog": DIALOG, "moment": id.0}}),
            json!({"type": "Action.Submit", "title": "Keep it",
                   "data": {"dialog": DIALOG, "moment": id.0, "keep": true}}),
        ],
    )
}

/// `task/fetch`: the confirmation, or why not.
pub async fn open(ctx: &AppContext, person: PersonId, data: &Value) -> Value {
    let Some(id) = moment_of(data) else {
        return dialog::close(UNKNOWN);
    };
    match moments::for_removal(ctx, &person, id).await {
        Ok(moment) => dialog::show("Take down a moment", confirmation(id, &moment.story)),
        Err(e) => dialog::close(&person_message(&e)),
    }
}

/// `task/submit`: "Keep it" changes nothing; "Take down" takes it down.
pub async fn submit(ctx: &AppContext, person: PersonId, data: &Value) -> Value {
    let Some(id) = moment_of(data) else {
        return dialog::close(UNKNOWN);
    };
    if data.get("keep").and_then(Value::as_bool) == Some(true) {
        return dialog::close(&format!("Nothing changed: moment {id} stays."));
    }
    match moments::take_down(ctx, person, id).await {
        Ok(taken) => dialog::close(&super::commands::taken_down_text(&taken)),
        Err(e) => dialog::close(&person_message(&e)),
    }
}
