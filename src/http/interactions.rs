//! `POST /slack/interactions`: shortcuts, button presses and modal
//! submissions. Modal submissions are answered in the response
//! (`response_action`); everything else is acknowledged at once and answered
//! through the outbox (a modal, a replaced message, a refreshed Home tab).

use super::error::{HttpError, person_message};
use super::goals;
use super::signed::SignedBody;
use super::{AppState, record_request};
use crate::app::moments::{self, MomentInput, PrivacyCheck, ShareOutcome};
use crate::app::outgoing::{Modal, MomentPrefill, Outgoing, Reply};
use crate::app::{AppContext, AppError};
use crate::domain::{DomainError, MomentId, PersonId};
use crate::slack::ids;
use crate::slack::interaction::{self, Interaction, SubmittedForm};
use crate::slack::render;
use crate::slack::render::modal::ModalMeta;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use slack_morphism::prelude::*;
use std::collections::HashMap;

pub async fn handle(
    State(state): State<AppState>,
    SignedBody(body): SignedBody,
) -> Result<Response, HttpError> {
    let interaction = match interaction::parse_form(&body) {
        Ok(i) => i,
        Err(e) => {
            // Acknowledge what we cannot read: an error would only make the
            // person's click fail with a generic message.
            tracing::warn!(error = %e, "unreadable interaction payload acknowledged");
            record_request(None, None, "unreadable");
            return Ok(StatusCode::OK.into_response());
        }
    };
    let ctx = &state.ctx;
    match interaction {
        Interaction::Shortcut {
            person,
            callback,
            trigger,
        } => {
            record_request(None, Some(&person), &callback);
            if callback == ids::SHORTCUT_SHARE {
                moments::open_modal(ctx, trigger, Modal::ShareMoment(MomentPrefill::default()))
                    .await?;
            }
            Ok(StatusCode::OK.into_response())
        }
        Interaction::MessageShortcut {
            person,
            callback,
            trigger,
            reply_to,
            channel,
            ts,
            text,
            author,
        } => {
            record_request(None, Some(&person), &callback);
            let person = parse_person(&person)?;
            if callback == ids::SHORTCUT_SHARE_MESSAGE {
                let recognized = author
                    .and_then(|a| PersonId::parse(&a).ok())
                    .filter(|a| a != &person)
                    .into_iter()
                    .collect();
                let prefill = MomentPrefill {
                    story: text,
                    recognized,
                    ..Default::default()
                };
                moments::open_modal(ctx, trigger, Modal::ShareMoment(prefill)).await?;
            } else if callback == ids::SHORTCUT_MANAGE {
                let post = (channel, ts);
                moment_shortcut(ctx, person, trigger, reply_to, post, PostShortcut::Manage).await?;
            } else if callback == ids::SHORTCUT_REMOVE {
                let post = (channel, ts);
                moment_shortcut(ctx, person, trigger, reply_to, post, PostShortcut::Remove).await?;
            }
            Ok(StatusCode::OK.into_response())
        }
        Interaction::Button {
            person,
            action,
            value,
            trigger,
            reply_to,
            view,
        } => {
            record_request(None, Some(&person), &action);
            let person = parse_person(&person)?;
            if let Err(e) = button(
                ctx,
                person.clone(),
                &action,
                &value,
                trigger,
                reply_to.clone(),
                view.clone(),
            )
            .await
            {
                tell(ctx, person, &e, reply_to, view).await?;
            }
            Ok(StatusCode::OK.into_response())
        }
        Interaction::Submit {
            person,
            callback,
            view,
            metadata,
            state,
        } => {
            record_request(None, Some(&person), &callback);
            let person = parse_person(&person)?;
            let response = match callback.as_str() {
                ids::SHARE_CALLBACK => {
                    let meta: ModalMeta = interaction::metadata(&metadata);
                    submit_share(
                        ctx,
                        person,
                        meta.replaces.map(MomentId),
                        SubmittedForm::from_state(&state),
                    )
                    .await?
                }
                ids::EDIT_CALLBACK => {
                    let meta: ModalMeta = interaction::metadata(&metadata);
                    let Some(moment) = meta.moment else {
                        return Err(HttpError::BadRequest("edit form without a moment".into()));
                    };
                    submit_edit(
                        ctx,
                        person,
                        MomentId(moment),
                        SubmittedForm::from_state(&state),
                    )
                    .await?
                }
                ids::TEAM_UPDATE_CALLBACK => {
                    super::team_update::submit(ctx, person, &metadata, &state).await?
                }
                ids::REMOVE_CALLBACK => {
                    let meta: ModalMeta = interaction::metadata(&metadata);
                    let Some(moment) = meta.moment else {
                        return Err(HttpError::BadRequest(
                            "removal form without a moment".into(),
                        ));
                    };
                    submit_remove(ctx, person, MomentId(moment)).await?
                }
                crate::slack::render::priorities::ORG_CALLBACK => {
                    super::priorities::org_submit(ctx, person, &state).await?
                }
                ids::PRIORITIES_CALLBACK => {
                    super::priorities::submit(ctx, person, &callback, &metadata, &state)
                        .await?
                        .expect("the priorities form")
                }
                _ => match goals::submit(ctx, person, &callback, &metadata, &state).await? {
                    Some(response) => response,
                    None => {
                        tracing::warn!(%callback, %view, "submission of an unknown form acknowledged");
                        return Ok(StatusCode::OK.into_response());
                    }
                },
            };
            Ok(Json(response).into_response())
        }
        Interaction::Ignored(kind) => {
            record_request(None, None, kind);
            Ok(StatusCode::OK.into_response())
        }
    }
}

fn parse_person(raw: &str) -> Result<PersonId, HttpError> {
    PersonId::parse(raw).map_err(|e| HttpError::BadRequest(e.to_string()))
}

fn parse_moment_id(value: &str) -> Result<MomentId, AppError> {
    value
        .parse()
        .map(MomentId)
        .map_err(|_| AppError::NotFound("That moment no longer exists.".into()))
}

/// Tells the person why their click did nothing: in the modal it came from,
/// below the message it came from, or (from the Home tab, which was stale)
/// by refreshing their Home tab.
async fn tell(
    ctx: &AppContext,
    person: PersonId,
    e: &AppError,
    reply_to: Option<String>,
    view: Option<String>,
) -> Result<(), HttpError> {
    let text = person_message(e);
    let message = match (view, reply_to) {
        (Some(view), _) => Outgoing::UpdateModal {
            view,
            modal: Modal::Notice {
                title: "Mission moment".into(),
                text: format!(":warning: {}", render::escape(&text)),
            },
        },
        (None, Some(to)) => Outgoing::Reply {
            to,
            reply: Reply {
                text,
                replace_original: false,
                formatted: false,
            },
        },
        (None, None) => Outgoing::PublishHome { person },
    };
    moments::send(ctx, message).await?;
    Ok(())
}

/// Which of the moment shortcuts on a post was used.
#[derive(Clone, Copy)]
enum PostShortcut {
    /// "Edit or delete": the author's edit form.
    Manage,
    /// "Take down this moment": a confirmation showing the moment.
    Remove,
}

/// A message shortcut on a moment's post: its form, or (for anyone who may
/// not, or on another message) why not, below the post.
async fn moment_shortcut(
    ctx: &AppContext,
    person: PersonId,
    trigger: String,
    reply_to: String,
    (channel, ts): (Option<String>, String),
    shortcut: PostShortcut,
) -> Result<(), AppError> {
    let found = match channel {
        Some(channel) => moments::by_post(ctx, &channel, &ts).await?,
        None => None,
    };
    let result = match (found, shortcut) {
        (Some(id), PostShortcut::Manage) => moments::for_edit(ctx, &person, id)
            .await
            .map(|m| Modal::EditMoment { moment: m.id }),
        (Some(id), PostShortcut::Remove) => moments::for_removal(ctx, &person, id)
            .await
            .map(|m| Modal::RemoveMoment { moment: m.id }),
        (None, PostShortcut::Manage) => Err(AppError::NotFound(
            "This shortcut works on mission moments posted by alignbot. Use it on one of your moment posts.".into(),
        )),
        (None, PostShortcut::Remove) => Err(AppError::NotFound(
            "This shortcut works on mission moments posted by alignbot. Use it on a moment's post."
                .into(),
        )),
    };
    match result {
        Ok(modal) => moments::open_modal(ctx, trigger, modal).await,
        Err(refusal) if refusal.is_for_person() => {
            moments::send(
                ctx,
                Outgoing::Reply {
                    to: reply_to,
                    reply: Reply {
                        text: refusal.to_string(),
                        replace_original: false,
                        formatted: false,
                    },
                },
            )
            .await
        }
        Err(e) => Err(e),
    }
}

async fn submit_remove(
    ctx: &AppContext,
    person: PersonId,
    id: MomentId,
) -> Result<SlackViewSubmissionResponse, AppError> {
    Ok(match moments::take_down(ctx, person, id).await {
        Ok(taken) => update(render::modal::notice(
            "Taken down",
            &render::privacy::taken_down_text(&taken),
        )),
        Err(e) if e.is_for_person() => update(render::modal::notice(
            "Can't take it down",
            &format!(":warning: {}", render::escape(&e.to_string())),
        )),
        Err(e) => return Err(e),
    })
}

async fn button(
    ctx: &AppContext,
    person: PersonId,
    action: &str,
    value: &str,
    trigger: String,
    reply_to: Option<String>,
    view: Option<String>,
) -> Result<(), AppError> {
    match action {
        ids::HOME_SHARE => {
            moments::open_modal(ctx, trigger, Modal::ShareMoment(MomentPrefill::default())).await
        }
        ids::DRAFT_POST => {
            let ShareOutcome::Posted { channel, .. } =
                moments::confirm_draft(ctx, person, parse_moment_id(value)?).await?
            else {
                return Ok(());
            };
            replace_reply(
                ctx,
                reply_to,
                format!(
                    "Posted as written. It is on its way to {}.",
                    render::channel_link(channel.as_str())
                ),
            )
            .await
        }
        ids::DRAFT_DISCARD => {
            moments::discard_draft(ctx, person, parse_moment_id(value)?).await?;
            replace_reply(ctx, reply_to, "Discarded. Nothing was posted.".into()).await
        }
        ids::DRAFT_EDIT => {
            let draft = moments::draft_for_edit(ctx, &person, parse_moment_id(value)?).await?;
            let prefill = MomentPrefill {
                story: draft.story,
                pillar: draft.pillar,
                recognized: draft.recognized,
                draft: Some(draft.id),
            };
            moments::open_modal(ctx, trigger, Modal::ShareMoment(prefill)).await
        }
        ids::HOME_EDIT => {
            let moment = moments::for_edit(ctx, &person, parse_moment_id(value)?).await?;
            moments::open_modal(ctx, trigger, Modal::EditMoment { moment: moment.id }).await
        }
        ids::HOME_DELETE | ids::HOME_REMOVE => {
            moments::delete(ctx, person, parse_moment_id(value)?).await
        }
        ids::UNNAME => {
            let text = if crate::app::consent::unname(ctx, person, parse_moment_id(value)?).await? {
                "Done: your name is out of that story and its post (it now says “a colleague”). To never be named in future moments, type /align privacy."
            } else {
                "That story does not name you (any more): nothing to change. To never be named in future moments, type /align privacy."
            };
            replace_reply(ctx, reply_to, text.into()).await
        }
        ids::PRIVACY_OPT_OUT | ids::PRIVACY_OPT_IN => {
            let out = action == ids::PRIVACY_OPT_OUT;
            crate::app::consent::set_opt_out(ctx, person, out).await?;
            let text = if out {
                "Done: colleagues can no longer name you in mission moments. A story that names you is held, and its author is asked to take your name out. Type /align privacy to change this."
            } else {
                "Done: colleagues may name you in mission moments again. Type /align privacy to change this."
            };
            replace_reply(ctx, reply_to, text.into()).await
        }
        // Under a proposal post: tell the presser where their support stands
        // and who else supports it (the shared post cannot say "you").
        ids::PROPOSAL_SUPPORT if reply_to.is_some() => {
            let id = goals::proposal_id(value)?;
            let s = crate::app::proposals::toggle_support(ctx, person, id).await?;
            let others = render::proposal::supported_by(&s.supporters);
            let text = if s.mine {
                format!(
                    ":raised_hands: You support “{}”. {others}. Press *Support / take back* again to take it back.",
                    render::escape(&s.title)
                )
            } else if s.supporters.is_empty() {
                format!(
                    "You took back your support for “{}”. Nobody supports it now.",
                    render::escape(&s.title)
                )
            } else {
                format!(
                    "You took back your support for “{}”. {others}.",
                    render::escape(&s.title)
                )
            };
            bot_reply(ctx, reply_to, text, false).await
        }
        ids::REPORT_SHARE => super::align::share_button(ctx, person, value, reply_to).await,
        super::which_team::ACTION => {
            super::which_team::pressed(ctx, person, value, trigger, reply_to).await
        }
        ids::DELETE_IN_MODAL => {
            moments::delete(ctx, person, parse_moment_id(value)?).await?;
            match view {
                Some(view) => {
                    moments::send(
                        ctx,
                        Outgoing::UpdateModal {
                            view,
                            modal: Modal::Notice {
                                title: "Moment deleted".into(),
                                text: "Your moment and its post have been deleted.".into(),
                            },
                        },
                    )
                    .await
                }
                None => Ok(()),
            }
        }
        other => {
            if !goals::button(ctx, person.clone(), other, value, trigger.clone()).await?
                && !super::team_update::button(ctx, person.clone(), other, value, trigger.clone())
                    .await?
                && !super::priorities::button(ctx, person, other, value, trigger, view).await?
            {
                tracing::debug!(action = other, "button without a handler acknowledged");
            }
            Ok(())
        }
    }
}

/// Replaces the ephemeral message a button was on, when there is one.
/// `text` is the bot's own markup (a channel link renders as a link).
async fn replace_reply(
    ctx: &AppContext,
    reply_to: Option<String>,
    text: String,
) -> Result<(), AppError> {
    bot_reply(ctx, reply_to, text, true).await
}

/// Answers through an interaction's response URL (`reply_to`), when there
/// is one, through the outbox: a new ephemeral message, or
/// (`replace_original`) one in place of the message the button was on.
/// `text` is the bot's own markup (a channel link renders as a link). The
/// one way a button, a "which team?" choice or a share answers later.
pub(super) async fn bot_reply(
    ctx: &AppContext,
    reply_to: Option<String>,
    text: String,
    replace_original: bool,
) -> Result<(), AppError> {
    let Some(to) = reply_to else { return Ok(()) };
    moments::send(
        ctx,
        Outgoing::Reply {
            to,
            reply: Reply {
                text,
                replace_original,
                formatted: true,
            },
        },
    )
    .await
}

fn input_of(form: &SubmittedForm) -> MomentInput {
    MomentInput {
        story: form.values.story.clone(),
        pillar: form.values.pillar.clone(),
        recognized: form
            .values
            .recognized
            .iter()
            .filter_map(|p| PersonId::parse(p).ok())
            .collect(),
        audience: form.values.audience,
    }
}

/// Which form field a validation error belongs to.
fn field_of(e: &DomainError) -> &'static str {
    match e {
        DomainError::UnknownPillar { .. } | DomainError::ArchivedPillar(_) => ids::PILLAR,
        DomainError::TooManyRecognized { .. } => ids::RECOGNIZED,
        _ => ids::STORY,
    }
}

fn errors(field: &str, message: String) -> SlackViewSubmissionResponse {
    SlackViewSubmissionResponse::Errors(SlackViewSubmissionErrorsResponse::new(HashMap::from([(
        field.to_owned(),
        message,
    )])))
}

/// Closes a form that did its work (`response_action: clear`: no extra
/// "Done" window to dismiss) and confirms in the person's DM with the app.
/// `text` is the bot's own markup, any person's words in it escaped.
pub(super) async fn closed(
    ctx: &AppContext,
    person: PersonId,
    text: String,
) -> Result<SlackViewSubmissionResponse, AppError> {
    moments::send(ctx, Outgoing::Confirm { person, text }).await?;
    Ok(SlackViewSubmissionResponse::Clear(
        SlackViewSubmissionClearResponse::new(),
    ))
}

fn update(view: SlackView) -> SlackViewSubmissionResponse {
    SlackViewSubmissionResponse::Update(SlackViewSubmissionUpdateResponse::new(view))
}

const ACK_NEEDED: &str =
    "Edit the story to remove these details, or tick this box to post it as written.";

/// A form's field error is plain text: people are named by how many, and
/// the message says what to do.
fn not_named(people: &[PersonId]) -> String {
    let who = if people.len() == 1 {
        "Someone this story names (mentioned or recognized) asked".to_owned()
    } else {
        format!("{} people this story names asked", people.len())
    };
    format!(
        "{who} not to be named in mission moments. Take them out of the story and the people recognized (write \"a colleague\" instead), then share it."
    )
}

fn check_of(form: &SubmittedForm) -> PrivacyCheck {
    if form.acknowledged {
        PrivacyCheck::Confirmed
    } else {
        PrivacyCheck::Scan
    }
}

async fn submit_share(
    ctx: &AppContext,
    person: PersonId,
    replaces: Option<MomentId>,
    form: SubmittedForm,
) -> Result<SlackViewSubmissionResponse, AppError> {
    let directory = ctx.directory();
    let draft = match input_of(&form).validate(person.clone(), &directory) {
        Ok(d) => d,
        Err(e) => return Ok(errors(field_of(&e), e.to_string())),
    };
    let audience = draft.audience;
    let shared = match moments::share(ctx, draft, check_of(&form), replaces).await {
        Err(AppError::Forbidden(why)) => {
            let field = if why.contains("leaders only") {
                ids::AUDIENCE
            } else {
                ids::STORY
            };
            return Ok(errors(field, why));
        }
        other => other?,
    };
    Ok(match shared {
        ShareOutcome::Posted { channel, .. } => {
            closed(ctx, person, render::reply::thanks(&channel, audience)).await?
        }
        ShareOutcome::NotNamed { people } => errors(ids::STORY, not_named(&people)),
        ShareOutcome::NeedsReview { .. } if form.review_shown => {
            errors(ids::PRIVACY_ACK, ACK_NEEDED.into())
        }
        ShareOutcome::NeedsReview { findings } | ShareOutcome::Held { findings, .. } => {
            let meta = render::modal::ModalMeta {
                replaces: replaces.map(|r| r.0),
                ..Default::default()
            };
            update(render::modal::share(
                &directory,
                &form.values,
                &meta,
                Some(&findings),
            ))
        }
    })
}

async fn submit_edit(
    ctx: &AppContext,
    person: PersonId,
    id: MomentId,
    form: SubmittedForm,
) -> Result<SlackViewSubmissionResponse, AppError> {
    let result = moments::edit(ctx, person.clone(), id, input_of(&form), check_of(&form)).await;
    Ok(match result {
        Ok(ShareOutcome::Posted { .. }) => {
            closed(
                ctx,
                person,
                ":white_check_mark: Your moment is updated, and so is its post.".into(),
            )
            .await?
        }
        Ok(ShareOutcome::NeedsReview { .. }) if form.review_shown => {
            errors(ids::PRIVACY_ACK, ACK_NEEDED.into())
        }
        Ok(ShareOutcome::NeedsReview { findings } | ShareOutcome::Held { findings, .. }) => {
            let moment = moments::for_edit(ctx, &person, id).await?;
            update(render::modal::edit(
                &ctx.directory(),
                &moment,
                &form.values,
                Some(&findings),
            ))
        }
        Ok(ShareOutcome::NotNamed { people }) => errors(ids::STORY, not_named(&people)),
        Err(AppError::Invalid(e)) => errors(field_of(&e), e.to_string()),
        Err(e) if e.is_for_person() => update(render::modal::notice(
            "Can't save",
            &format!(":warning: {}", render::escape(&e.to_string())),
        )),
        Err(e) => return Err(e),
    })
}
