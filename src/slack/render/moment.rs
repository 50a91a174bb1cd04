//! A mission moment as posted to its channel.

use super::*;
use crate::domain::moment::Moment;
use crate::domain::{Audience, Directory};

/// The post: a header, the story exactly as written, who shared it, its
/// pillar, the people recognized, and an invitation to react.
pub fn post(
    moment: &Moment,
    directory: &Directory,
    edited_for_privacy: bool,
) -> SlackMessageContent {
    let title = match moment.audience {
        Audience::Channel => ":sparkles: Mission moment",
        Audience::Leaders => ":lock: Mission moment (for leaders)",
    };
    let mut byline = format!("Shared by {}", mention(moment.author.as_str()));
    if let Some(pillar) = moment.pillar.as_ref().and_then(|key| directory.pillar(key)) {
        byline.push_str(&format!("  ·  Pillar: *{}*", pillar_label(pillar)));
    }
    let mut blocks = vec![
        header(title),
        section(plain(&moment.story)),
        context(&byline),
    ];
    if !moment.recognized.is_empty() {
        let people: Vec<String> = moment
            .recognized
            .iter()
            .map(|p| mention(p.as_str()))
            .collect();
        blocks.push(context(&format!(
            ":clap: Recognizing {}",
            people.join(", ")
        )));
    }
    if edited_for_privacy {
        blocks.push(context(
            ":memo: _Edited at the request of a person named in it._",
        ));
    }
    blocks.push(context(
        "React with an emoji to celebrate this moment. It will be part of this month's digest.",
    ));
    SlackMessageContent::new()
        // The notification text names the author only: the story itself is
        // in a plain_text block, where nothing in it can be interpreted.
        .with_text(format!(
            "A mission moment from {}",
            mention(moment.author.as_str())
        ))
        .with_blocks(fit(blocks, MAX_MESSAGE_BLOCKS))
}
