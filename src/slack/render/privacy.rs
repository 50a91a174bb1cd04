//! Privacy as Block Kit: the DM to a person a moment names (with "Don't
//! name me"), the admins' notices (a takedown a sent digest still shows, an
//! override of the guard), the takedown confirmation, and `/align privacy`.

use super::*;
use crate::app::compose::PrivacyNotice;
use crate::domain::moment::Moment;
use crate::domain::{Directory, PersonId};
use crate::slack::ids;
use crate::slack::render::modal::ModalMeta;

/// How much of a story a DM or a confirmation shows.
const STORY_PREVIEW: usize = 1500;

pub fn notice(notice: &PrivacyNotice, dir: &Directory) -> SlackMessageContent {
    match notice {
        PrivacyNotice::Named { moment } => named(moment),
        PrivacyNotice::TakenDown {
            moment,
            author,
            removed_by,
            month_label,
            channel,
        } => {
            let text = format!(
                ":wastebasket: {} took down moment #{moment} by {}. It was already quoted in the *{}* moments digest in {}, and alignbot cannot edit that message. Please delete that digest message by hand (on it: ⋯ → Delete message), or ask a workspace admin to.",
                mention(removed_by),
                mention(author),
                escape(month_label),
                channel_link(channel),
            );
            SlackMessageContent::new()
                .with_text(format!(
                    "A moment in the {} digest was taken down",
                    escape(month_label)
                ))
                .with_blocks(vec![section(markdown(&text))])
        }
        PrivacyNotice::Override {
            person,
            findings,
            moment,
        } => {
            let place = match moment.as_ref().and_then(|m| m.post.as_ref()) {
                Some((channel, _)) => format!(" in {}", channel_link(channel)),
                None => String::new(),
            };
            let id = moment
                .as_ref()
                .map(|m| format!(" (moment #{})", m.id))
                .unwrap_or_default();
            let text = format!(
                ":warning: {} posted a story{place}{id} as written after the privacy guard held it. It may contain: {}.\nIf it identifies someone, take it down with `/moment remove {}`.",
                mention(person),
                escape(findings),
                moment
                    .as_ref()
                    .map(|m| m.id.to_string())
                    .unwrap_or_else(|| "<id>".into()),
            );
            let _ = dir;
            SlackMessageContent::new()
                .with_text("A story was posted past the privacy guard".into())
                .with_blocks(vec![section(markdown(&text))])
        }
    }
}

fn named(moment: &Moment) -> SlackMessageContent {
    let blocks = vec![
        section(markdown(&format!(
            ":wave: {} named you in a mission moment:",
            mention(moment.author.as_str())
        ))),
        section(plain(&truncate(&moment.story, STORY_PREVIEW))),
        context(
            "If you would rather not be named, alignbot replaces your name with “a colleague” in the story and its post, and the post says it was edited at the request of a person named. To never be named in future moments, type `/align privacy`.",
        ),
        actions(vec![
            button(ids::UNNAME, "Don't name me", &moment.id.to_string()).with_confirm(confirm(
                "Take your name out?",
                "Your name becomes “a colleague” in this story and its post.",
                "Take it out",
            )),
        ]),
    ];
    SlackMessageContent::new()
        .with_text(format!(
            "{} named you in a mission moment",
            mention(moment.author.as_str())
        ))
        .with_blocks(blocks)
}

/// "Take down this moment?", showing the story.
pub fn remove_modal(moment: &Moment, dir: &Directory) -> SlackView {
    let when = moment
        .created_at
        .with_timezone(&dir.org.timezone)
        .format("%B %-d, %Y");
    let blocks = vec![
        context(&format!(
            "Shared by {} on {when}",
            mention(moment.author.as_str())
        )),
        section(plain(&truncate(&moment.story, STORY_PREVIEW))),
        section(markdown(
            "Taking it down deletes its post, erases the story from alignbot (only that it was removed, by whom and when is kept) and removes it from every Home tab and from digests not yet sent. If a digest already quoted it, the admins are told which message to delete by hand. Backups and exports made before keep the story. This cannot be undone.",
        )),
    ];
    let meta = ModalMeta {
        moment: Some(moment.id.0),
        ..Default::default()
    };
    SlackView::Modal(
        SlackModalView::new(plain_only("Take down moment", 24), blocks)
            .with_callback_id(ids::REMOVE_CALLBACK.into())
            .with_submit(plain_only("Take it down", 24))
            .with_close(plain_only("Cancel", 24))
            .with_private_metadata(serde_json::to_string(&meta).expect("metadata serializes")),
    )
}

/// The answer to whoever took a moment down.
pub fn taken_down_text(taken: &crate::app::moments::TakenDown) -> String {
    let mut text = format!(
        ":wastebasket: Moment #{} by {} is taken down: its story is erased",
        taken.moment,
        mention(taken.author.as_str())
    );
    if taken.had_post {
        text.push_str(", its post is being deleted");
    }
    text.push_str(" and it is leaving every Home tab and the digests not yet sent.");
    match (&taken.digest_sent, taken.digest_updated) {
        (Some(_), true) => text.push_str(" The monthly digest that quoted it is being updated without it."),
        (Some(_), false) => text.push_str(" It was already quoted in a sent digest that I cannot edit: the admins have a DM saying which message to delete by hand."),
        (None, _) => {}
    }
    text.push_str(" Backups and exports made before still hold it.");
    text
}

/// A story naming people who asked not to be named.
pub fn not_named_text(people: &[PersonId]) -> String {
    let who: Vec<String> = people.iter().map(|p| mention(p.as_str())).collect();
    format!(
        ":no_entry_sign: I haven't posted your moment. {} asked not to be named in mission moments. Take them out of the story and the people recognized (write “a colleague” instead), then share it again.",
        who.join(", ")
    )
}

/// `/align privacy`: where the person stands, and the button to change it.
pub fn settings(opted_out: bool) -> SlackCommandEventResponse {
    let (text, button_el) = if opted_out {
        (
            ":lock: *You asked not to be named in mission moments.* A story that names you is held, and its author is asked to take your name out.",
            button(ids::PRIVACY_OPT_IN, "You may name me again", "in"),
        )
    } else {
        (
            ":busts_in_silhouette: *Colleagues may name you in mission moments.* When one does, I send you the story with a “Don't name me” button.",
            button(
                ids::PRIVACY_OPT_OUT,
                "Don't name me in future moments",
                "out",
            )
            .with_style(SlackBlockButtonStyle::Primary),
        )
    };
    SlackCommandEventResponse::new(
        SlackMessageContent::new()
            .with_text(text.into())
            .with_blocks(vec![section(markdown(text)), actions(vec![button_el])]),
    )
    .with_response_type(SlackMessageResponseType::Ephemeral)
}
