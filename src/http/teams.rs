//! `POST /api/messages`: Microsoft Teams' Bot Framework activities.
//!
//! The body is read (bounded) and the `Authorization` JWT verified before
//! anything is parsed or stored (teams::inbound); a refused request is
//! answered 401 and touches nothing. Then, in one transaction: drop a
//! repeated activity (Teams retries slow invokes) and remember where the
//! sender and the channel can be reached (proactive messages need it); and
//! dispatch: typed commands,
//! installs and removals, card buttons and dialogs. Anything the bot says
//! besides an invoke's answer goes through the outbox.

use super::error::HttpError;
use super::{AppState, record_request};
use crate::app::conversations::{self, ConversationRef};
use crate::app::events::{self, Event};
use crate::app::people::Profile;
use crate::app::{AppContext, AppError};
use crate::domain::PersonId;
use crate::teams::activity::Activity;
use crate::teams::{commands, invoke};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Duration;

/// How long an activity id is remembered: longer than Teams' retries.
const REMEMBER_ACTIVITY: Duration = Duration::hours(1);

pub async fn handle(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, HttpError> {
    let Some(inbound) = state.teams.as_ref() else {
        return Ok(StatusCode::NOT_FOUND.into_response());
    };
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let activity = inbound.verify(authorization, &body).await?;
    let ctx = &state.ctx;
    record_request(
        activity.tenant(),
        activity.sender_object_id().as_deref(),
        &activity.kind,
    );
    // The activity id (a retry of a slow invoke is dropped) and what it
    // tells of where people and channels are reached: one transaction.
    let key = activity
        .id
        .as_ref()
        .map(|id| format!("{}|{id}", activity.conversation.id));
    let (rows, profiles) = learned(&activity);
    let named = profiles.iter().any(|(_, p)| p.real_name.is_some());
    if !conversations::arrive(ctx, key, REMEMBER_ACTIVITY, rows, profiles).await? {
        tracing::info!(activity = ?activity.id, "a repeated Teams activity: already handled");
        return Ok(StatusCode::OK.into_response());
    }
    // A new colleague's name joins the guard's list (installs bring them).
    if named && activity.kind != "message" && activity.kind != "invoke" {
        ctx.refresh_known_people().await?;
    }
    Ok(match activity.kind.as_str() {
        "message" => message(ctx, &activity).await?,
        "installationUpdate" => installation(ctx, &activity).await?,
        "conversationUpdate" => members(ctx, &activity).await?,
        "invoke" => invoked(ctx, &activity).await,
        "messageReaction" => reacted(ctx, &activity).await?,
        _ => StatusCode::OK.into_response(),
    })
}

/// The sender as a person, if Teams named their Entra object id.
fn sender(activity: &Activity) -> Option<PersonId> {
    activity
        .sender_object_id()
        .and_then(|id| PersonId::parse(&id).ok())
}

fn bot_id(activity: &Activity) -> String {
    activity
        .recipient
        .as_ref()
        .map(|r| r.id.clone())
        .unwrap_or_default()
}

/// What an activity tells of where its sender and channel are reached (a
/// conversation's `serviceUrl` can change) and of the sender and the people
/// added: the references and profiles to refresh.
fn learned(activity: &Activity) -> (Vec<ConversationRef>, Vec<(PersonId, Profile)>) {
    let mut rows = Vec::new();
    let mut profiles: Vec<(PersonId, Profile)> = Vec::new();
    let Some(tenant) = activity.tenant().map(str::to_owned) else {
        return (rows, profiles);
    };
    let base = |target: String| ConversationRef {
        target,
        tenant_id: tenant.clone(),
        service_url: activity.service_url.clone(),
        conversation_id: None,
        user_id: None,
        name: None,
        bot_id: bot_id(activity),
    };
    if let (Some(person), Some(from)) = (sender(activity), activity.from.as_ref()) {
        rows.push(ConversationRef {
            conversation_id: activity
                .is_personal()
                .then(|| activity.conversation.id.clone()),
            user_id: Some(from.id.clone()),
            name: from.name.clone(),
            ..base(conversations::person_target(&person))
        });
        // What Teams says of the sender: the zone for local-time nudges, the
        // name for the privacy guard's colleagues (as Slack's profiles do).
        profiles.push((
            person,
            Profile {
                time_zone: activity.client_time_zone().map(str::to_owned),
                real_name: from.name.clone(),
                display_name: None,
            },
        ));
    }
    if let Some(channel) = activity.channel() {
        rows.push(ConversationRef {
            conversation_id: Some(channel.to_owned()),
            ..base(conversations::channel_target(channel))
        });
    }
    // People added to a team or chat with the bot: reachable through a 1:1
    // created when the first nudge goes out.
    for member in &activity.members_added {
        let Some(person) = member
            .aad_object_id
            .as_deref()
            .and_then(|id| PersonId::parse(&id.to_ascii_lowercase()).ok())
        else {
            continue;
        };
        rows.push(ConversationRef {
            conversation_id: activity
                .is_personal()
                .then(|| activity.conversation.id.clone()),
            user_id: Some(member.id.clone()),
            name: member.name.clone(),
            ..base(conversations::person_target(&person))
        });
        profiles.push((
            person,
            Profile {
                real_name: member.name.clone(),
                ..Profile::default()
            },
        ));
    }
    (rows, profiles)
}

/// A command typed to the bot; the answer goes to the sender's 1:1.
async fn message(ctx: &AppContext, activity: &Activity) -> Result<Response, AppError> {
    let Some(person) = sender(activity) else {
        tracing::warn!("a Teams message without the sender's object id: ignored");
        return Ok(StatusCode::OK.into_response());
    };
    let mut text = activity.command_text();
    // People mentioned in the command become the grammar's plain person ids.
    for (shown, user) in activity.people_mentions() {
        if let Some(person) = conversations::person_of_user(ctx, &user).await? {
            text = text.replacen(&shown, &format!("<@{person}>"), 1);
        }
    }
    if let Some(prompt) = crate::teams::prompts::form_prompt(ctx, &person, &text) {
        match prompt.await {
            Ok(message) => crate::app::moments::send(ctx, message).await?,
            Err(e) if e.is_for_person() => {
                conversations::reply_privately(ctx, &person, e.to_string()).await?
            }
            Err(e) => return Err(e),
        }
        return Ok(StatusCode::OK.into_response());
    }
    let answer = match commands::run(ctx, person.clone(), &text, activity.channel()).await {
        Ok(answer) => answer,
        Err(AppError::WhichTeam(q)) => {
            // A button per team, each sending the typed command again for it.
            let (word, rest) = text
                .trim()
                .split_once(char::is_whitespace)
                .unwrap_or((text.trim(), ""));
            let choices = q
                .teams
                .iter()
                .map(|(key, name)| {
                    let again = format!("{word} {}", super::which_team::with_team(rest, key));
                    (name.clone(), again)
                })
                .collect();
            let message = crate::app::outgoing::Outgoing::WhichTeam {
                person,
                question: q.question,
                choices,
            };
            crate::app::moments::send(ctx, message).await?;
            return Ok(StatusCode::OK.into_response());
        }
        Err(e) if e.is_for_person() => e.to_string(),
        Err(e) => return Err(e),
    };
    conversations::reply_privately(ctx, &person, answer).await?;
    Ok(StatusCode::OK.into_response())
}

/// The app added for a person (the welcome card) or removed.
async fn installation(ctx: &AppContext, activity: &Activity) -> Result<Response, AppError> {
    let action = activity.action.as_deref().unwrap_or_default();
    if action.starts_with("remove") {
        forget(ctx, activity).await?;
    } else if action == "add"
        && activity.is_personal()
        && let Some(person) = sender(activity)
    {
        let welcome = commands::welcome(&ctx.directory().org.mission);
        conversations::reply_privately(ctx, &person, welcome).await?;
    }
    Ok(StatusCode::OK.into_response())
}

/// Members added (learned above) or the bot removed from a conversation.
async fn members(ctx: &AppContext, activity: &Activity) -> Result<Response, AppError> {
    let bot = bot_id(activity);
    if activity.members_removed.iter().any(|m| m.id == bot) {
        forget(ctx, activity).await?;
    }
    Ok(StatusCode::OK.into_response())
}

async fn forget(ctx: &AppContext, activity: &Activity) -> Result<(), AppError> {
    if let Some(channel) = activity.channel() {
        conversations::forget(ctx, conversations::channel_target(channel)).await?;
    } else if let Some(person) = sender(activity) {
        conversations::forget(ctx, conversations::person_target(&person)).await?;
    }
    Ok(())
}

/// Card buttons and dialogs: answered in the HTTP response, within Teams'
/// five seconds.
async fn invoked(ctx: &AppContext, activity: &Activity) -> Response {
    let Some(person) = sender(activity) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let value = activity.value.clone().unwrap_or_default();
    let answer = match activity.name.as_deref() {
        Some("adaptiveCard/action") => invoke::card_action(ctx, person, &value).await,
        Some("task/fetch") => invoke::open(ctx, person, &value).await,
        Some("task/submit") => invoke::submit(ctx, person, &value).await,
        _ => return StatusCode::NOT_IMPLEMENTED.into_response(),
    };
    Json(answer).into_response()
}

/// Reactions on a message the bot sent: on a moment's post they count, as
/// Slack's do (the same app event).
async fn reacted(ctx: &AppContext, activity: &Activity) -> Result<Response, AppError> {
    let (Some(person), Some(on), Some(id)) =
        (sender(activity), &activity.reply_to_id, &activity.id)
    else {
        return Ok(StatusCode::OK.into_response());
    };
    let changes = activity
        .reactions_added
        .iter()
        .map(|r| (r, true))
        .chain(activity.reactions_removed.iter().map(|r| (r, false)));
    for (n, (reaction, added)) in changes.enumerate() {
        let event = Event::Reaction {
            person: person.to_string(),
            reaction: reaction.kind.clone(),
            channel: activity.conversation.id.clone(),
            ts: on.clone(),
            added,
        };
        events::handle(
            ctx,
            format!("teams:{id}:{n}"),
            "messageReaction".into(),
            event,
        )
        .await?;
    }
    Ok(StatusCode::OK.into_response())
}
