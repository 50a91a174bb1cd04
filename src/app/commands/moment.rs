//! `/moment` text: open the form, show the help, or share the story typed.
//!
//! A story is kept exactly as typed (only trimmed at its ends), markup and
//! all: it is the person's words, and escaping it is the renderer's job.

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
}
