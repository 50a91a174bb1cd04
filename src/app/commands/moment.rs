//! `/moment` text: open the form, show the help, share the story typed, or
//! take a moment down (`/moment remove <id or link>`).
//!
//! A story is kept exactly as typed (only trimmed at its ends), markup and
//! all: it is the person's words, and escaping it is the renderer's job.

use super::Usage;

/// What `/moment …` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MomentCommand {
    /// `/moment` alone: open the form.
    OpenForm,
    /// `/moment help`.
    Help,
    /// `/moment <story> [pillar:<key>]`.
    Share {
        story: String,
        pillar: Option<String>,
    },
    /// `/moment remove <id or link>`: take a moment down.
    Remove(MomentTarget),
    /// `/moment remove` with nothing (or nothing readable) after it.
    RemoveUsage(Usage),
}

/// Which moment `/moment remove` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MomentTarget {
    /// Its id (`12` or `#12`), as the Home tab and replies show it.
    Id(i64),
    /// Its post, from the post's link (`…/archives/C0MOMENTS/p1700000000123456`).
    Post { channel: String, ts: String },
}

const REMOVE_USAGE: &str = "To take a moment down, type `/moment remove` and the link of its post (on the post: ⋯ → Copy link) or its id, e.g. `/moment remove 12`. You can also use the post's ⋯ menu → Take down this moment.";

/// Reads what follows `/moment remove`: an id, or a post's link as Slack
/// sends it (bare or in `<…>`, maybe with `|label` or `?thread_ts=`).
fn parse_target(raw: &str) -> Result<MomentTarget, Usage> {
    let usage = |what: &str| Usage(format!("{what} {REMOVE_USAGE}"));
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(usage("Which moment?"));
    }
    let id = raw.strip_prefix('#').unwrap_or(raw);
    if let Ok(id) = id.parse::<i64>() {
        return if id > 0 {
            Ok(MomentTarget::Id(id))
        } else {
            Err(usage(&format!("`{raw}` is not a moment's id.")))
        };
    }
    let link = raw.trim_start_matches('<').trim_end_matches('>');
    let link = link.split('|').next().unwrap_or(link);
    let path = link.split(['?', '#']).next().unwrap_or(link);
    let mut parts = path.rsplit('/');
    let (Some(p), Some(channel), Some("archives")) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(usage(&format!(
            "`{}` is neither a moment's id nor the link of its post.",
            link
        )));
    };
    let digits = p.strip_prefix('p').unwrap_or("");
    let channel_ok = !channel.is_empty() && channel.chars().all(|c| c.is_ascii_alphanumeric());
    if digits.len() <= 6 || !digits.chars().all(|c| c.is_ascii_digit()) || !channel_ok {
        return Err(usage(&format!("`{}` is not the link of a message.", link)));
    }
    let (secs, micros) = digits.split_at(digits.len() - 6);
    Ok(MomentTarget::Post {
        channel: channel.to_owned(),
        ts: format!("{secs}.{micros}"),
    })
}

const PILLAR_PREFIX: &str = "pillar:";

/// Reads `/moment` text. A `pillar:<key>` token is taken only as the first
/// or last word, so a story that merely mentions "pillar:" mid-sentence is
/// kept whole; everything else is the story exactly as typed.
pub fn parse_moment(text: &str) -> MomentCommand {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return MomentCommand::OpenForm;
    }
    if trimmed.eq_ignore_ascii_case("help") {
        return MomentCommand::Help;
    }
    // `remove` and one word (an id or a link) takes a moment down; a story
    // that merely starts with "remove" has more words and is shared.
    let mut words = trimmed.split_whitespace();
    if words
        .next()
        .is_some_and(|w| w.eq_ignore_ascii_case("remove"))
    {
        let rest: Vec<&str> = words.collect();
        if rest.len() <= 1 {
            return match parse_target(rest.first().copied().unwrap_or("")) {
                Ok(target) => MomentCommand::Remove(target),
                Err(usage) => MomentCommand::RemoveUsage(usage),
            };
        }
    }
    let first_end = trimmed.find(char::is_whitespace).unwrap_or(trimmed.len());
    let first = &trimmed[..first_end];
    if first.len() > PILLAR_PREFIX.len() && first.to_ascii_lowercase().starts_with(PILLAR_PREFIX) {
        return MomentCommand::Share {
            story: trimmed[first_end..].trim().to_owned(),
            pillar: Some(first[PILLAR_PREFIX.len()..].to_owned()),
        };
    }
    let last_start = trimmed
        .rfind(char::is_whitespace)
        .map(|i| i + 1)
        .unwrap_or(0);
    let last = &trimmed[last_start..];
    if last_start > 0
        && last.len() > PILLAR_PREFIX.len()
        && last.to_ascii_lowercase().starts_with(PILLAR_PREFIX)
    {
        return MomentCommand::Share {
            story: trimmed[..last_start].trim().to_owned(),
            pillar: Some(last[PILLAR_PREFIX.len()..].to_owned()),
        };
    }
    MomentCommand::Share {
        story: trimmed.to_owned(),
        pillar: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remove_takes_an_id_or_a_posts_link() {
        let post = |c: &str, ts: &str| {
            MomentCommand::Remove(MomentTarget::Post {
                channel: c.into(),
                ts: ts.into(),
            })
        };
        let cases = [
            ("remove 12", MomentCommand::Remove(MomentTarget::Id(12))),
            ("REMOVE #7", MomentCommand::Remove(MomentTarget::Id(7))),
            (
                "remove https://riverside.slack.com/archives/C0MOMENTS/p1700000000123456",
                post("C0MOMENTS", "1700000000.123456"),
            ),
            (
                "remove <https://riverside.slack.com/archives/C0MOMENTS/p1700000000123456?thread_ts=1.2&cid=C0MOMENTS>",
                post("C0MOMENTS", "1700000000.123456"),
            ),
            (
                "remove the barriers so families can visit",
                share("remove the barriers so families can visit", None),
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_moment(text), expected, "text {text:?}");
        }
        for bad in [
            "remove",
            "remove 0",
            "remove twelve",
            "remove https://x.test/a/b",
            "remove https://riverside.slack.com/archives/C0MOMENTS/pabc",
        ] {
            let MomentCommand::RemoveUsage(Usage(text)) = parse_moment(bad) else {
                panic!("{bad:?} should be a usage message");
            };
            assert!(text.contains("/moment remove"), "{bad:?}: {text}");
        }
    }

    fn share(story: &str, pillar: Option<&str>) -> MomentCommand {
        MomentCommand::Share {
            story: story.into(),
            pillar: pillar.map(Into::into),
        }
    }

    #[test]
    fn moment_text_is_read_as_form_help_or_story() {
        let cases = [
            ("", MomentCommand::OpenForm),
            ("   ", MomentCommand::OpenForm),
            ("help", MomentCommand::Help),
            ("HELP", MomentCommand::Help),
            ("help me say thanks", share("help me say thanks", None)),
            ("A story", share("A story", None)),
            (
                "pillar:patient-care A story",
                share("A story", Some("patient-care")),
            ),
            (
                "A story pillar:patient-care",
                share("A story", Some("patient-care")),
            ),
            (
                "A story about pillar:x in the middle ok",
                share("A story about pillar:x in the middle ok", None),
            ),
            ("pillar: spaced", share("pillar: spaced", None)),
            ("pillar:only", share("", Some("only"))),
            (
                "  *bold* <@U1> <!channel>  ",
                share("*bold* <@U1> <!channel>", None),
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_moment(text), expected, "text {text:?}");
        }
    }
}
