//! Slash commands: the form Slack posts, and what each command's text means.

use serde::Deserialize;

/// The fields of a slash command alignbot uses. Slack sends more; they are
/// ignored, so new fields never break parsing.
#[derive(Debug, Clone, Deserialize)]
pub struct SlashCommand {
    pub command: String,
    #[serde(default)]
    pub text: String,
    pub user_id: String,
    #[serde(default)]
    pub channel_id: Option<String>,
    #[serde(default)]
    pub team_id: Option<String>,
    #[serde(default)]
    pub response_url: Option<String>,
    #[serde(default)]
    pub trigger_id: Option<String>,
}

impl SlashCommand {
    /// Parses the form body. Invalid UTF-8 in a value is kept as U+FFFD so
    /// the story validator can refuse it with a clear message.
    pub fn parse(body: &[u8]) -> Result<Self, serde_urlencoded::de::Error> {
        serde_urlencoded::from_bytes(body)
    }
}

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

    #[test]
    fn the_real_slash_command_bodies_parse() {
        for body in [
            include_str!("../../tests/fixtures/slack/commands/slash_command.bolt-python.txt"),
            include_str!(
                "../../tests/fixtures/slack/commands/slash_command.signed-docs-vector.txt"
            ),
        ] {
            let cmd = SlashCommand::parse(body.trim_end_matches('\n').as_bytes())
                .expect("fixture parses");
            assert!(cmd.command.starts_with('/'));
            assert!(!cmd.user_id.is_empty());
            assert!(cmd.trigger_id.is_some());
        }
    }

    #[test]
    fn a_body_without_a_user_is_refused() {
        assert!(SlashCommand::parse(b"command=%2Fmoment&text=hi").is_err());
        assert!(SlashCommand::parse(b"\xff\xfe").is_err());
    }
}
