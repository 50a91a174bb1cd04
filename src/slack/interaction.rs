//! Interactivity payloads (shortcuts, buttons, modal submissions) → what
//! the person asked for.

use super::ids;
use super::render::modal::FormValues;
use crate::domain::Audience;
use slack_morphism::prelude::*;
use std::collections::HashMap;

/// One interaction, reduced to what the app needs. Ids are still raw
/// strings here; the handler validates them.
#[derive(Debug, Clone, PartialEq)]
pub enum Interaction {
    /// A global shortcut.
    Shortcut {
        person: String,
        callback: String,
        trigger: String,
    },
    /// A message shortcut on `message`.
    MessageShortcut {
        person: String,
        callback: String,
        trigger: String,
        reply_to: String,
        channel: Option<String>,
        ts: String,
        text: String,
        author: Option<String>,
    },
    /// A button press (in a message, the Home tab or a modal).
    Button {
        person: String,
        action: String,
        value: String,
        trigger: String,
        reply_to: Option<String>,
        view: Option<String>,
    },
    /// A modal was submitted.
    Submit {
        person: String,
        callback: String,
        view: String,
        /// The modal's `private_metadata`, as rendered.
        metadata: String,
        state: FormState,
    },
    /// Something alignbot does not act on (view_closed, selects, …).
    Ignored(&'static str),
}

/// A submitted form's values, by block id (each of our inputs uses the same
/// id for its block and its element).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FormState(HashMap<String, FieldValue>);

/// One input's value, whatever its element type.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FieldValue {
    pub text: Option<String>,
    pub selected: Option<String>,
    pub selected_many: Vec<String>,
    pub user: Option<String>,
    pub users: Vec<String>,
    pub date: Option<String>,
}

impl FormState {
    fn from_slack(state: Option<&SlackViewState>) -> Self {
        let Some(state) = state else {
            return Self::default();
        };
        let mut fields = HashMap::new();
        for (block, actions) in &state.values {
            let Some(v) = actions.get(&SlackActionId::new(block.to_string())) else {
                continue;
            };
            fields.insert(
                block.to_string(),
                FieldValue {
                    text: v.value.clone(),
                    selected: v.selected_option.as_ref().map(|o| o.value.clone()),
                    selected_many: v
                        .selected_options
                        .as_ref()
                        .map(|opts| opts.iter().map(|o| o.value.clone()).collect())
                        .unwrap_or_default(),
                    user: v.selected_user.as_ref().map(ToString::to_string),
                    users: v
                        .selected_users
                        .as_ref()
                        .map(|users| users.iter().map(ToString::to_string).collect())
                        .unwrap_or_default(),
                    date: v.selected_date.clone(),
                },
            );
        }
        Self(fields)
    }

    pub fn has(&self, block: &str) -> bool {
        self.0.contains_key(block)
    }

    pub fn text(&self, block: &str) -> Option<String> {
        self.0.get(block).and_then(|v| v.text.clone())
    }

    pub fn selected(&self, block: &str) -> Option<String> {
        self.0.get(block).and_then(|v| v.selected.clone())
    }

    pub fn selected_many(&self, block: &str) -> Vec<String> {
        self.0
            .get(block)
            .map(|v| v.selected_many.clone())
            .unwrap_or_default()
    }

    pub fn user(&self, block: &str) -> Option<String> {
        self.0.get(block).and_then(|v| v.user.clone())
    }

    pub fn users(&self, block: &str) -> Vec<String> {
        self.0
            .get(block)
            .map(|v| v.users.clone())
            .unwrap_or_default()
    }

    pub fn date(&self, block: &str) -> Option<String> {
        self.0.get(block).and_then(|v| v.date.clone())
    }
}

/// The moment form's values as submitted.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SubmittedForm {
    pub values: FormValues,
    /// The privacy question was on the form.
    pub review_shown: bool,
    /// … and the person ticked "post as written".
    pub acknowledged: bool,
}

/// Why a payload could not be read.
#[derive(Debug, thiserror::Error)]
pub enum PayloadError {
    #[error("the body has no payload field")]
    NoPayload,
    #[error("the payload is not a known interaction: {0}")]
    Unreadable(#[from] serde_json::Error),
}

/// Reads the `payload=` form field Slack posts.
pub fn parse_form(body: &[u8]) -> Result<Interaction, PayloadError> {
    let fields: HashMap<String, String> =
        serde_urlencoded::from_bytes(body).map_err(|_| PayloadError::NoPayload)?;
    let payload = fields.get("payload").ok_or(PayloadError::NoPayload)?;
    parse_payload(payload)
}

pub fn parse_payload(json: &str) -> Result<Interaction, PayloadError> {
    let event: SlackInteractionEvent = serde_json::from_str(json)?;
    Ok(from_event(event))
}

fn from_event(event: SlackInteractionEvent) -> Interaction {
    match event {
        SlackInteractionEvent::Shortcut(e) => Interaction::Shortcut {
            person: e.user.id.to_string(),
            callback: e.callback_id.to_string(),
            trigger: e.trigger_id.to_string(),
        },
        SlackInteractionEvent::MessageAction(e) => {
            let message = e.message.as_ref();
            Interaction::MessageShortcut {
                person: e.user.id.to_string(),
                callback: e.callback_id.to_string(),
                trigger: e.trigger_id.to_string(),
                reply_to: e.response_url.0.to_string(),
                channel: e.channel.as_ref().map(|c| c.id.to_string()).or_else(|| {
                    message
                        .and_then(|m| m.origin.channel.as_ref())
                        .map(ToString::to_string)
                }),
                ts: message.map(|m| m.origin.ts.to_string()).unwrap_or_default(),
                text: message
                    .and_then(|m| m.content.text.clone())
                    .unwrap_or_default(),
                author: message
                    .and_then(|m| m.sender.user.as_ref())
                    .map(ToString::to_string),
            }
        }
        SlackInteractionEvent::BlockActions(e) => {
            let Some(person) = e.user.as_ref().map(|u| u.id.to_string()) else {
                return Interaction::Ignored("block action without a user");
            };
            let Some(action) = e.actions.as_ref().and_then(|a| a.first()) else {
                return Interaction::Ignored("block action without actions");
            };
            // A press in the Home tab also comes from a "view" container;
            // only a modal is a view we can answer in.
            let view = match (&e.container, &e.view) {
                (_, Some(SlackView::Home(_))) => None,
                (SlackInteractionActionContainer::View(v), _) => Some(v.view_id.to_string()),
                _ => None,
            };
            Interaction::Button {
                person,
                action: action.action_id.to_string(),
                // A button's value, or the option a select was set to.
                value: action
                    .value
                    .clone()
                    .or_else(|| action.selected_option.as_ref().map(|o| o.value.clone()))
                    .unwrap_or_default(),
                trigger: e.trigger_id.to_string(),
                reply_to: e.response_url.as_ref().map(|u| u.0.to_string()),
                view,
            }
        }
        SlackInteractionEvent::ViewSubmission(e) => {
            let (callback, metadata) = match &e.view.view {
                SlackView::Modal(m) => (
                    m.callback_id
                        .as_ref()
                        .map(ToString::to_string)
                        .unwrap_or_default(),
                    m.private_metadata.clone().unwrap_or_default(),
                ),
                SlackView::Home(_) => (String::new(), String::new()),
            };
            Interaction::Submit {
                person: e.user.id.to_string(),
                callback,
                view: e.view.state_params.id.to_string(),
                metadata,
                state: FormState::from_slack(e.view.state_params.state.as_ref()),
            }
        }
        SlackInteractionEvent::ViewClosed(_) => Interaction::Ignored("view_closed"),
        SlackInteractionEvent::BlockSuggestion(_) => Interaction::Ignored("block_suggestion"),
        SlackInteractionEvent::DialogSubmission(_) => Interaction::Ignored("dialog_submission"),
    }
}

impl SubmittedForm {
    /// Reads the moment form.
    pub fn from_state(state: &FormState) -> Self {
        Self {
            values: FormValues {
                story: state.text(ids::STORY).unwrap_or_default(),
                pillar: state.selected(ids::PILLAR),
                recognized: state.users(ids::RECOGNIZED),
                audience: state
                    .selected(ids::AUDIENCE)
                    .and_then(|a| Audience::parse(&a))
                    .unwrap_or_default(),
            },
            review_shown: state.has(ids::PRIVACY_ACK),
            acknowledged: state
                .selected_many(ids::PRIVACY_ACK)
                .iter()
                .any(|o| o == "yes"),
        }
    }
}

/// Reads a modal's `private_metadata` as `T` (its default when absent or unreadable).
pub fn metadata<T: serde::de::DeserializeOwned + Default>(raw: &str) -> T {
    serde_json::from_str(raw).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> String {
        std::fs::read_to_string(format!(
            "{}/tests/fixtures/slack/interactions/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .expect("fixture exists")
    }

    #[test]
    fn a_real_block_action_reads_as_a_button_press() {
        let got = parse_payload(&fixture("block_actions.json")).unwrap();
        assert_eq!(
            got,
            Interaction::Button {
                person: "W111".into(),
                action: "a".into(),
                value: "click_me_123".into(),
                trigger: "111.222.valid".into(),
                reply_to: Some("https://hooks.slack.com/actions/T111/111/random-value".into()),
                view: None,
            }
        );
    }

    #[test]
    fn the_form_encoded_block_action_reads_the_same() {
        let body = fixture("block_actions.form.txt");
        let got = parse_form(body.trim_end().as_bytes()).unwrap();
        assert!(matches!(got, Interaction::Button { .. }), "{got:?}");
    }

    #[test]
    fn real_shortcuts_and_message_actions_parse() {
        assert!(matches!(
            parse_payload(&fixture("shortcut.global.json")).unwrap(),
            Interaction::Shortcut { .. }
        ));
        let got = parse_payload(&fixture("message_action.json")).unwrap();
        let Interaction::MessageShortcut { ts, reply_to, .. } = got else {
            panic!("expected a message shortcut, got {got:?}");
        };
        assert!(!ts.is_empty());
        assert!(reply_to.starts_with("https://"));
    }

    #[test]
    fn a_real_view_submission_parses_and_closed_views_are_ignored() {
        assert!(matches!(
            parse_payload(&fixture("view_submission.json")).unwrap(),
            Interaction::Submit { .. }
        ));
        assert_eq!(
            parse_payload(&fixture("view_closed.json")).unwrap(),
            Interaction::Ignored("view_closed")
        );
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for body in [
            "",
            "payload=",
            "payload=%7B",
            "payload=%7B%22type%22%3A%22nope%22%7D",
            "x=1",
        ] {
            assert!(parse_form(body.as_bytes()).is_err(), "{body:?}");
        }
    }
}
