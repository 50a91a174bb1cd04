//! Modals: share a moment, edit one, and short notices.

use super::*;
use crate::app::outgoing::MomentPrefill;
use crate::domain::moment::Moment;
use crate::domain::privacy::Finding;
use crate::domain::{Audience, Directory, MomentStory, Recognized};
use crate::slack::ids;
use serde::{Deserialize, Serialize};

/// What a modal carries between opening and submission (`private_metadata`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ModalMeta {
    /// The held draft this share replaces.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaces: Option<i64>,
    /// The moment being edited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moment: Option<i64>,
}

/// The values shown in the moment form (fresh, prefilled, or as submitted).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormValues {
    pub story: String,
    pub pillar: Option<String>,
    pub recognized: Vec<String>,
    pub audience: Audience,
}

impl From<&MomentPrefill> for FormValues {
    fn from(p: &MomentPrefill) -> Self {
        Self {
            story: p.story.clone(),
            pillar: p.pillar.as_ref().map(ToString::to_string),
            recognized: p.recognized.iter().map(ToString::to_string).collect(),
            audience: Audience::Channel,
        }
    }
}

fn input(
    block_id: &str,
    label: &str,
    element: impl Into<SlackInputBlockElement>,
) -> SlackInputBlock {
    SlackInputBlock::new(plain_only(label, 2000), element.into()).with_block_id(block_id.into())
}

fn pillar_option(p: &crate::domain::Pillar) -> SlackBlockChoiceItem<SlackBlockPlainTextOnly> {
    let label = if p.emoji.is_empty() {
        p.name.clone()
    } else {
        format!("{} {}", p.emoji, p.name)
    };
    SlackBlockChoiceItem::new(plain_only(&label, 75), p.key.to_string())
}

fn audience_option(a: Audience) -> SlackBlockChoiceItem<SlackBlockText> {
    let label = match a {
        Audience::Channel => "Everyone: post it in the moments channel",
        Audience::Leaders => "Leaders only: post it in the leadership channel",
    };
    SlackBlockChoiceItem::new(
        SlackBlockPlainText::new(label.into()).into(),
        a.as_str().to_owned(),
    )
}

/// The story, pillar and people inputs shared by the share and edit forms.
fn moment_inputs(directory: &Directory, values: &FormValues) -> Vec<SlackBlock> {
    let mut story = SlackBlockPlainTextInputElement::new()
        .with_action_id(ids::STORY.into())
        .with_multiline(true)
        .with_initial_value(values.story.clone())
        .with_placeholder(plain_only("When did you see our mission come alive?", 150));
    // A story typed too long in `/moment` opens here to be shortened: Slack
    // would refuse a form whose text exceeds its own limit, so the limit is
    // then left to the check on submit, which says how much to cut.
    if values.story.chars().count() <= MomentStory::MAX_CHARS {
        story = story.with_max_length(MomentStory::MAX_CHARS as u64);
    }
    let mut blocks: Vec<SlackBlock> = vec![
        input(ids::STORY, "Your story", story)
            .with_hint(plain_only(
                "Please leave out patients' names and anything that could identify them.",
                2000,
            ))
            .into(),
    ];
    let options: Vec<_> = directory
        .active_pillars()
        .take(100)
        .map(pillar_option)
        .collect();
    if !options.is_empty() {
        let mut select = SlackBlockStaticSelectElement::new()
            .with_action_id(ids::PILLAR.into())
            .with_placeholder(plain_only("Which pillar does it bring to life?", 150));
        if let Some(chosen) = values
            .pillar
            .as_deref()
            .and_then(|k| directory.active_pillars().find(|p| p.key.as_str() == k))
        {
            select = select.with_initial_option(pillar_option(chosen));
        }
        blocks.push(
            input(ids::PILLAR, "Pillar", select.with_options(options))
                .with_optional(true)
                .into(),
        );
    }
    let mut people = SlackBlockMultiUsersSelectElement::new()
        .with_action_id(ids::RECOGNIZED.into())
        .with_max_selected_items(Recognized::MAX as u64)
        .with_placeholder(plain_only("Anyone you want to recognize?", 150));
    if !values.recognized.is_empty() {
        people = people.with_initial_users(values.recognized.clone());
    }
    blocks.push(
        input(ids::RECOGNIZED, "People recognized", people)
            .with_optional(true)
            .into(),
    );
    blocks
}

/// The privacy guard's question, added to a form whose story looks personal.
fn review_blocks(findings: &[Finding]) -> Vec<SlackBlock> {
    let mut text = format!(
        ":warning: *Before this is posted: it may identify someone.*\nThe story contains{}",
        findings_list(findings)
    );
    text.push_str("\nEdit the story above, or tick the box to post it as written.");
    let ack = SlackBlockCheckboxesElement::new(vec![SlackBlockChoiceItem::new(
        SlackBlockPlainText::new("I checked: nobody can be identified from it".into()).into(),
        "yes".to_owned(),
    )])
    .with_action_id(ids::PRIVACY_ACK.into());
    vec![
        section(markdown(&text)),
        input(ids::PRIVACY_ACK, "Post as written?", ack)
            .with_optional(true)
            .into(),
    ]
}

/// "Share a mission moment". `review` adds the privacy question.
pub fn share(
    directory: &Directory,
    values: &FormValues,
    meta: &ModalMeta,
    review: Option<&[Finding]>,
) -> SlackView {
    let mut blocks = vec![context(&format!("_{}_", escape(&directory.org.mission)))];
    blocks.extend(moment_inputs(directory, values));
    let audience = SlackBlockRadioButtonsElement::new(vec![
        audience_option(Audience::Channel),
        audience_option(Audience::Leaders),
    ])
    .with_action_id(ids::AUDIENCE.into())
    .with_initial_option(audience_option(values.audience));
    blocks.push(input(ids::AUDIENCE, "Who should see it?", audience).into());
    if let Some(findings) = review {
        blocks.extend(review_blocks(findings));
    }
    modal(ids::SHARE_CALLBACK, "Share a moment", "Share", blocks, meta)
}

/// "Edit mission moment", with a Delete button (asks for confirmation).
pub fn edit(
    directory: &Directory,
    moment: &Moment,
    values: &FormValues,
    review: Option<&[Finding]>,
) -> SlackView {
    let place = match &moment.post {
        Some((channel, _)) => format!("Posted in {}", channel_link(channel)),
        None if moment.status == crate::domain::moment::MomentStatus::Draft => {
            "Held for your review: not posted yet".to_owned()
        }
        None => "Being posted".to_owned(),
    };
    let mut blocks = vec![context(&format!(
        "{place} on {}. Who sees it cannot be changed.",
        moment
            .created_at
            .with_timezone(&directory.org.timezone)
            .format("%B %-d, %Y")
    ))];
    blocks.extend(moment_inputs(directory, values));
    if let Some(findings) = review {
        blocks.extend(review_blocks(findings));
    }
    let delete = button(
        ids::DELETE_IN_MODAL,
        "Delete this moment",
        &moment.id.to_string(),
    )
    .with_style(SlackBlockButtonStyle::Danger)
    .with_confirm(confirm(
        "Delete this moment?",
        "The story and its post will be removed for everyone. This cannot be undone.",
        "Delete",
    ));
    blocks.push(divider());
    blocks.push(actions(vec![delete]));
    let meta = ModalMeta {
        moment: Some(moment.id.0),
        ..Default::default()
    };
    modal(
        ids::EDIT_CALLBACK,
        "Edit your moment",
        "Save",
        blocks,
        &meta,
    )
}

/// A closing message shown in place of a finished form.
pub fn notice(title: &str, text: &str) -> SlackView {
    SlackView::Modal(
        SlackModalView::new(plain_only(title, 24), vec![section(markdown(text))])
            .with_close(plain_only("Done", 24)),
    )
}

fn modal(
    callback: &str,
    title: &str,
    submit: &str,
    blocks: Vec<SlackBlock>,
    meta: &ModalMeta,
) -> SlackView {
    SlackView::Modal(
        SlackModalView::new(plain_only(title, 24), fit(blocks, MAX_VIEW_BLOCKS))
            .with_callback_id(callback.into())
            .with_submit(plain_only(submit, 24))
            .with_close(plain_only("Cancel", 24))
            .with_private_metadata(serde_json::to_string(meta).expect("metadata serializes")),
    )
}
