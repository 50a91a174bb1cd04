//! Invokes: card buttons (`adaptiveCard/action`, answered with the card
//! refreshed in place) and dialogs (`task/fetch` opens a form, `task/submit`
//! answers with the form again and an inline error, or closes it). Each goes
//! to the same app services as Slack's buttons and modals; the JSON answer
//! is what Teams shows at once (docs/dev/teams-notes.md §6).

use super::render::{self, Names, dialog};
use crate::app::compose::ProposalCard;
use crate::app::goal_commands::goal_id;
use crate::app::goals::{self, CheckInInput};
use crate::app::moments::{self, MomentInput, ShareOutcome};
use crate::app::proposals;
use crate::app::{AppContext, AppError, consent, conversations, priorities};
use crate::domain::priorities::PriorityList;
use crate::domain::{Audience, MomentId, PersonId};
use serde_json::{Value, json};

fn text_of(data: &Value, key: &str) -> String {
    match data.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

/// What to tell a person about a refusal (ours is an apology, logged).
pub(super) fn person_message(e: &AppError) -> String {
    if e.is_for_person() {
        e.to_string()
    } else {
        tracing::error!(error = %e, "a Teams action failed");
        "Sorry, something went wrong on our side. Please try again in a minute.".to_owned()
    }
}

/// `adaptiveCard/action` answers.
fn message_answer(text: &str) -> Value {
    json!({"statusCode": 200, "type": "application/vnd.microsoft.activity.message", "value": text})
}

fn card_answer(card: Value) -> Value {
    json!({"statusCode": 200, "type": render::CARD_CONTENT_TYPE, "value": card})
}

/// A card button (`Action.Execute`): the app call, then the card as it is now.
pub async fn card_action(ctx: &AppContext, person: PersonId, value: &Value) -> Value {
    let verb = value
        .pointer("/action/verb")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let data = value
        .pointer("/action/data")
        .cloned()
        .unwrap_or(Value::Null);
    if verb == render::team_update::POST {
        return match super::team_update::post(ctx, person, &data).await {
            Ok(card) => card_answer(card),
            Err(told) => message_answer(&told),
        };
    }
    if verb == render::UNNAME {
        let Some(id) = data.get("moment").and_then(Value::as_i64) else {
            return message_answer(
                "This button is not one I know. Type help to see what I can do.",
            );
        };
        return match consent::unname(ctx, person, MomentId(id)).await {
            Ok(done) => card_answer(render::unnamed(done)),
            Err(e) => message_answer(&person_message(&e)),
        };
    }
    if verb == super::year_end::VERB {
        return super::year_end::choose(ctx, person, &data).await;
    }
    let Some(id) = data.get("proposal").and_then(Value::as_i64) else {
        return message_answer("This button is not one I know. Type help to see what I can do.");
    };
    let done = match verb {
        "proposal_support" => proposals::toggle_support(ctx, person.clone(), id)
            .await
            .map(drop),
        // Cards posted before Approve opened a dialog: approve as proposed.
        "proposal_approve" => proposals::approve(ctx, person.clone(), id, None)
            .await
            .map(drop),
        "proposal_decline" => {
            let reason = data.get("reason").and_then(Value::as_str).unwrap_or("");
            proposals::decline(ctx, person.clone(), id, reason)
                .await
                .map(drop)
        }
        _ => {
            return message_answer(
                "This button is not one I know. Type help to see what I can do.",
            );
        }
    };
    if let Err(e) = done {
        return message_answer(&person_message(&e));
    }
    match proposals::get(ctx, id).await {
        Ok(p) => {
            let names = Names(conversations::names(ctx).await.unwrap_or_default());
            card_answer(render::proposal(
                &ProposalCard::from(p),
                &ctx.directory(),
                &names,
            ))
        }
        Err(e) => message_answer(&person_message(&e)),
    }
}

/// (key, name) of each team a publish dialog's select offers.
fn team_choices(
    dir: &crate::domain::Directory,
    keys: &[crate::domain::TeamKey],
) -> Vec<(String, String)> {
    keys.iter()
        .filter_map(|k| dir.team(k))
        .map(|t| (t.key.to_string(), t.name.clone()))
        .collect()
}

// A decision someone else made first (`Decided::Already`) is no error for
// the card: it is refreshed below to show how the proposal was decided.

/// `task/fetch`: the form a button asked for.
pub async fn open(ctx: &AppContext, person: PersonId, value: &Value) -> Value {
    let data = value.get("data").cloned().unwrap_or(Value::Null);
    let dir = ctx.directory();
    match text_of(&data, "dialog").as_str() {
        render::team_update::DIALOG => super::team_update::open(ctx, person, &data).await,
        dialog::ORG_PRIORITIES => super::org_priorities::open(ctx, person).await,
        dialog::SHARE_MOMENT => dialog::show(
            "Share a mission moment",
            dialog::share_moment(&dir, &dialog::Typed::default(), None),
        ),
        dialog::CHECK_IN => {
            let raw = text_of(&data, "goal");
            match async { goals::for_change(ctx, &person, goal_id(&raw)?).await }.await {
                Ok(goal) => dialog::show(
                    "Check in",
                    dialog::check_in(
                        &goal.id.to_string(),
                        &goal.title,
                        &dialog::Typed::default(),
                        None,
                    ),
                ),
                Err(e) => dialog::close(&person_message(&e)),
            }
        }
        dialog::PUBLISH_PRIORITIES => {
            let team = text_of(&data, "team");
            let prefilled = async {
                let asked = Some(team.as_str()).filter(|t| !t.is_empty());
                let (team, choices) = priorities::form_teams(ctx, &person, asked, None)?;
                let prefill = priorities::prefill(ctx, &team).await?;
                Ok::<_, AppError>((team, choices, prefill))
            }
            .await;
            match prefilled {
                Ok((team, choices, prefill)) => {
                    let typed = dialog::Typed {
                        items: prefill.items.into_iter().map(|(item, _)| item).collect(),
                        ..dialog::Typed::default()
                    };
                    let month = priorities::this_month(ctx).label();
                    dialog::show(
                        "Publish priorities",
                        dialog::publish_priorities_for(
                            team.key.as_str(),
                            &team.name,
                            &month,
                            &typed,
                            None,
                            &team_choices(&dir, &choices),
                        ),
                    )
                }
                Err(e) => dialog::close(&person_message(&e)),
            }
        }
        super::takedown::DIALOG => super::takedown::open(ctx, person, &data).await,
        super::approve::DIALOG => super::approve::open(ctx, person, &data).await,
        _ => dialog::close("This form is not one I know. Type help to see what I can do."),
    }
}

/// `task/submit`: the form again with an inline error, or closed.
pub async fn submit(ctx: &AppContext, person: PersonId, value: &Value) -> Value {
    let data = value.get("data").cloned().unwrap_or(Value::Null);
    let dir = ctx.directory();
    let typed = dialog::Typed {
        story: text_of(&data, "story"),
        pillar: text_of(&data, "pillar"),
        value: text_of(&data, "value"),
        confidence: text_of(&data, "confidence"),
        note: text_of(&data, "note"),
        items: Vec::new(),
    };
    match text_of(&data, "dialog").as_str() {
        render::team_update::DIALOG => super::team_update::submit(ctx, person, &data).await,
        dialog::ORG_PRIORITIES => super::org_priorities::submit(ctx, person, &data).await,
        dialog::SHARE_MOMENT => {
            let input = MomentInput {
                story: typed.story.clone(),
                pillar: Some(typed.pillar.clone()).filter(|p| !p.is_empty()),
                recognized: Vec::new(),
                audience: Audience::Channel,
            };
            let again = |problem: &str| {
                dialog::show(
                    "Share a mission moment",
                    dialog::share_moment(&dir, &typed, Some(problem)),
                )
            };
            let draft = match input.validate(person, &dir) {
                Ok(draft) => draft,
                Err(e) => return again(&e.to_string()),
            };
            match moments::share_or_hold(ctx, draft).await {
                Ok(ShareOutcome::Posted { .. }) => {
                    dialog::close("Thank you! Your moment is on its way to the moments channel.")
                }
                Ok(ShareOutcome::NotNamed { .. }) => again(crate::teams::commands::NOT_NAMED),
                Ok(
                    ShareOutcome::Held { findings, .. } | ShareOutcome::NeedsReview { findings },
                ) => {
                    let found: Vec<String> = findings
                        .iter()
                        .map(|f| format!("\"{}\" ({})", f.excerpt, f.kind.label()))
                        .collect();
                    again(&format!(
                        "This may identify someone: {}. Patients' names and details must never appear in the channel: please rewrite it without them.",
                        found.join(", ")
                    ))
                }
                Err(e) => again(&person_message(&e)),
            }
        }
        dialog::CHECK_IN => {
            let raw = text_of(&data, "goal");
            let id = match goal_id(&raw) {
                Ok(id) => id,
                Err(e) => return dialog::close(&person_message(&e)),
            };
            let input = CheckInInput {
                value: typed.value.clone(),
                confidence: Some(typed.confidence.clone()).filter(|c| !c.is_empty()),
                note: Some(typed.note.clone()).filter(|n| !n.trim().is_empty()),
            };
            match goals::check_in(ctx, person, id, input).await {
                Ok((goal, check_in)) => dialog::close(&format!(
                    "Checked in on goal {}: {}, {}.",
                    goal.id,
                    goal.kind.format_value(check_in.value),
                    check_in.confidence.label()
                )),
                Err(e @ AppError::Invalid(_)) => {
                    let title = goals::show(ctx, id)
                        .await
                        .map(|(g, _)| g.title)
                        .unwrap_or_default();
                    dialog::show(
                        "Check in",
                        dialog::check_in(&raw, &title, &typed, Some(&e.to_string())),
                    )
                }
                Err(e) => dialog::close(&person_message(&e)),
            }
        }
        dialog::PUBLISH_PRIORITIES => {
            // The dialog's team select, if it had one, else its team.
            let team = Some(text_of(&data, dialog::TEAM_CHOICE))
                .filter(|t| !t.is_empty())
                .unwrap_or_else(|| text_of(&data, "team"));
            let choices = priorities::form_teams(ctx, &person, Some(&team), None)
                .map(|(_, keys)| team_choices(&dir, &keys))
                .unwrap_or_default();
            let items: Vec<String> = (1..=dialog::PRIORITY_FIELDS)
                .map(|i| text_of(&data, &format!("item{i}")))
                .collect();
            let typed = dialog::Typed {
                items: items.clone(),
                ..typed
            };
            let again = |problem: &str| {
                let month = priorities::this_month(ctx).label();
                let name = dir
                    .resolve_team(&team)
                    .ok()
                    .and_then(|k| dir.team(&k).map(|t| t.name.clone()))
                    .unwrap_or_else(|| team.clone());
                dialog::show(
                    "Publish priorities",
                    dialog::publish_priorities_for(
                        &team,
                        &name,
                        &month,
                        &typed,
                        Some(problem),
                        &choices,
                    ),
                )
            };
            let joined = items
                .iter()
                .map(|i| i.trim())
                .filter(|i| !i.is_empty())
                .collect::<Vec<_>>()
                .join("; ");
            let list = match PriorityList::parse(&joined) {
                Ok(list) => list,
                Err(e) => return again(&e.to_string()),
            };
            match priorities::publish(ctx, person, Some(&team), list).await {
                Ok((team, month)) => dialog::close(&format!(
                    "Published {}'s priorities for {}. They are on their way to the team's channel.",
                    team.name,
                    month.label()
                )),
                Err(e @ AppError::Invalid(_)) => again(&e.to_string()),
                Err(e) => dialog::close(&person_message(&e)),
            }
        }
        super::takedown::DIALOG => super::takedown::submit(ctx, person, &data).await,
        super::approve::DIALOG => super::approve::submit(ctx, person, &data).await,
        _ => dialog::close("This form is not one I know. Type help to see what I can do."),
    }
}
