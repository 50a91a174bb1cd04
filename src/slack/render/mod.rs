//! Block Kit rendering: every message, modal and Home tab alignbot sends.
//!
//! Rules kept here for all renderers:
//! - Text a person wrote is shown in `plain_text` objects, which Slack never
//!   parses for mentions, links or formatting: it appears exactly as written.
//!   Where it must sit inside `mrkdwn`, it goes through [`escape`] first.
//! - Block Kit's limits (header 150, section 3000, button 75 characters,
//!   50 blocks per message, 100 per view) are enforced by truncating here,
//!   since slack-morphism does not validate them and Slack would reject the
//!   whole message.

pub mod digest;
pub mod goal;
pub mod home;
pub mod lists;
pub mod message;
pub mod modal;
pub mod moment;
pub mod priorities;
pub mod privacy;
pub mod proposal;
pub mod reply;
pub mod report;
pub mod team_update;
pub mod year;

use slack_morphism::prelude::*;

pub const MAX_SECTION: usize = 3000;
pub const MAX_HEADER: usize = 150;
pub const MAX_BUTTON: usize = 75;
pub const MAX_MESSAGE_BLOCKS: usize = 50;
pub const MAX_VIEW_BLOCKS: usize = 100;

/// Escapes text for `mrkdwn` and message `text` fields, per Slack's rules:
/// only `&`, `<` and `>` are control characters. With them escaped, no
/// `<@U…>`, `<!channel>` or `<http://…|…>` in user text can become a
/// mention, broadcast or disguised link.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// Cuts `text` to at most `max` characters, marking the cut with "…".
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// A mention we render ourselves from a validated id.
pub fn mention(person: &str) -> String {
    if person.starts_with(crate::domain::PersonId::TOMBSTONE_PREFIX) {
        // Slack would show an unknown id as a broken mention.
        return "_a former colleague_".to_owned();
    }
    format!("<@{person}>")
}

/// Escapes text the bot built itself from validated ids (a history line's
/// "added leader <@U1>, <@U2>"), keeping those ids' mentions and channel
/// links as such; anything else in angle brackets is escaped. Never for
/// text a person typed: theirs goes through [`escape`].
pub fn bot_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        out.push_str(&escape(&rest[..open]));
        let after = &rest[open..];
        let token = after.find('>').map(|close| &after[1..close]);
        let kept = token.and_then(|t| {
            if let Some(id) = t.strip_prefix('@') {
                crate::domain::PersonId::parse(id)
                    .ok()
                    .map(|p| mention(p.as_str()))
            } else if let Some(id) = t.strip_prefix('#') {
                crate::domain::ChannelId::parse(id)
                    .ok()
                    .map(|c| channel_link(c.as_str()))
            } else {
                None
            }
        });
        match (kept, token) {
            (Some(markup), Some(t)) => {
                out.push_str(&markup);
                rest = &after[t.len() + 2..];
            }
            _ => {
                out.push_str("&lt;");
                rest = &after[1..];
            }
        }
    }
    out.push_str(&escape(rest));
    out
}

pub fn channel_link(channel: &str) -> String {
    format!("<#{channel}>")
}

pub fn plain(text: &str) -> SlackBlockText {
    SlackBlockPlainText::new(truncate(text, MAX_SECTION))
        .with_emoji(true)
        .into()
}

pub fn plain_only(text: &str, max: usize) -> SlackBlockPlainTextOnly {
    SlackBlockPlainText::new(truncate(text, max))
        .with_emoji(true)
        .into()
}

pub fn markdown(text: &str) -> SlackBlockText {
    SlackBlockMarkDownText::new(truncate(text, MAX_SECTION)).into()
}

pub fn header(text: &str) -> SlackBlock {
    SlackHeaderBlock::new(plain_only(text, MAX_HEADER)).into()
}

pub fn section(text: SlackBlockText) -> SlackBlock {
    SlackSectionBlock::new().with_text(text).into()
}

pub fn context(mrkdwn: &str) -> SlackBlock {
    SlackContextBlock::new(vec![
        SlackBlockMarkDownText::new(truncate(mrkdwn, MAX_SECTION)).into(),
    ])
    .into()
}

pub fn divider() -> SlackBlock {
    SlackDividerBlock::new().into()
}

pub fn button(action_id: &str, text: &str, value: &str) -> SlackBlockButtonElement {
    SlackBlockButtonElement::new(plain_only(text, MAX_BUTTON))
        .with_action_id(action_id.into())
        .with_value(value.to_owned())
}

pub fn actions(elements: Vec<SlackBlockButtonElement>) -> SlackBlock {
    SlackActionsBlock::new(elements.into_iter().map(Into::into).collect()).into()
}

/// A native "are you sure?" dialog for destructive buttons.
pub fn confirm(title: &str, text: &str, yes: &str) -> SlackBlockConfirmItem {
    SlackBlockConfirmItem::new(
        plain_only(title, 100),
        SlackBlockPlainText::new(truncate(text, 300)).into(),
        plain_only(yes, 30),
        plain_only("Cancel", 30),
    )
}

/// Keeps a block list within `max`, replacing the overflow with a note.
pub fn fit(mut blocks: Vec<SlackBlock>, max: usize) -> Vec<SlackBlock> {
    if blocks.len() > max {
        blocks.truncate(max - 1);
        blocks.push(context("_More items are not shown here._"));
    }
    blocks
}

/// The privacy guard's findings as a bulleted list; the excerpts are the
/// person's own text, so they are escaped.
pub fn findings_list(findings: &[crate::domain::privacy::Finding]) -> String {
    findings
        .iter()
        .map(|f| format!("\n•  {}: “{}”", f.kind.label(), escape(&f.excerpt)))
        .collect()
}

/// Edit / Post as written / Discard, for a draft the privacy guard held back
/// (in the ephemeral reply and on the Home tab).
pub fn draft_buttons(draft: &str, edit_label: &str) -> Vec<SlackBlockButtonElement> {
    use crate::slack::ids;
    vec![
        button(ids::DRAFT_EDIT, edit_label, draft).with_style(SlackBlockButtonStyle::Primary),
        button(ids::DRAFT_POST, "Post as written", draft).with_confirm(confirm(
            "Post as written?",
            "Only post it if nobody can be identified from the story.",
            "Post it",
        )),
        button(ids::DRAFT_DISCARD, "Discard", draft).with_style(SlackBlockButtonStyle::Danger),
    ]
}

/// The label of a pillar as shown in messages: emoji and name, escaped.
pub fn pillar_label(pillar: &crate::domain::Pillar) -> String {
    if pillar.emoji.is_empty() {
        escape(&pillar.name)
    } else {
        format!("{} {}", escape(&pillar.emoji), escape(&pillar.name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_neutralizes_mentions_broadcasts_and_links() {
        let hostile = "<!channel> hi <@U123> see <http://evil.example|bank> & <#C1>";
        let escaped = escape(hostile);
        assert_eq!(
            escaped,
            "&lt;!channel&gt; hi &lt;@U123&gt; see &lt;http://evil.example|bank&gt; &amp; &lt;#C1&gt;"
        );
        assert!(!escaped.contains('<') && !escaped.contains('>'));
    }

    #[test]
    fn the_bots_own_mentions_stay_mentions_and_everything_else_is_escaped() {
        assert_eq!(
            bot_text("added leader <@U0LEE>, <@U0ANN> to <#C0ICU> & <!channel> <b>"),
            "added leader <@U0LEE>, <@U0ANN> to <#C0ICU> &amp; &lt;!channel&gt; &lt;b&gt;"
        );
        assert_eq!(bot_text("a < b <@"), "a &lt; b &lt;@");
    }

    #[test]
    fn escaping_an_already_escaped_entity_shows_it_as_typed() {
        assert_eq!(escape("&lt;"), "&amp;lt;");
    }

    #[test]
    fn truncation_counts_characters_not_bytes() {
        assert_eq!(truncate("ééé", 3), "ééé");
        assert_eq!(truncate("éééé", 3), "éé…");
        assert_eq!(
            truncate(&"x".repeat(5000), MAX_SECTION).chars().count(),
            MAX_SECTION
        );
    }

    #[test]
    fn fitting_keeps_block_lists_within_the_limit() {
        let blocks: Vec<SlackBlock> = (0..120).map(|_| divider()).collect();
        assert_eq!(fit(blocks, MAX_VIEW_BLOCKS).len(), MAX_VIEW_BLOCKS);
    }
}
