//! The organization's priorities dialog in Teams (admins and executives):
//! opened from the executives' nudge card, up to five items, a problem shown
//! under the item it is about with everything typed kept. The counterpart
//! of Slack's form in `http::priorities`.

use super::render::dialog;
use crate::app::priorities::{self, ORG_FORM_ITEMS, OrgForm};
use crate::app::{AppContext, AppError};
use crate::domain::PersonId;
use serde_json::Value;

/// What publishing the organization's priorities says, typed or through the
/// dialog alike.
pub(crate) fn published_text(done: &priorities::OrgPublished) -> String {
    format!(
        "{} the organization's priorities for {}.{}",
        if done.again { "Updated" } else { "Published" },
        done.month.label(),
        if done.channel.is_some() {
            " They are on their way to the staff channel."
        } else {
            ""
        }
    )
}

fn typed(data: &Value) -> Vec<String> {
    (1..=ORG_FORM_ITEMS)
        .map(|i| {
            data.get(format!("item{i}"))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}

fn shown(form: &OrgForm, items: &[String], problem: Option<(usize, &str)>) -> Value {
    dialog::show(
        "Organization priorities",
        dialog::org_priorities(&form.month_label, items, problem),
    )
}

/// `task/fetch`: the form, prefilled with the month's items if published.
pub async fn open(ctx: &AppContext, person: PersonId) -> Value {
    match priorities::org_form(ctx, &person).await {
        Ok(form) => {
            let items = form.items.clone();
            shown(&form, &items, None)
        }
        Err(e) => dialog::close(&super::invoke::person_message(&e)),
    }
}

/// `task/submit`: publishes and closes, or the form again with the problem.
pub async fn submit(ctx: &AppContext, person: PersonId, data: &Value) -> Value {
    let items = typed(data);
    let form = match priorities::org_form(ctx, &person).await {
        Ok(form) => form,
        Err(e) => return dialog::close(&super::invoke::person_message(&e)),
    };
    let list = match priorities::org_items_from_form(ctx, &items) {
        Ok(list) => list,
        Err((i, text)) => return shown(&form, &items, Some((i, &text))),
    };
    match priorities::org_publish(ctx, person, list).await {
        Ok(done) => dialog::close(&published_text(&done)),
        Err(e @ (AppError::Invalid(_) | AppError::NotFound(_))) => {
            shown(&form, &items, Some((0, &e.to_string())))
        }
        Err(e) => dialog::close(&super::invoke::person_message(&e)),
    }
}
