//! Slash commands: the form Slack posts. What each command's text means is
//! platform-neutral and lives in [`crate::app::commands`].

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

#[cfg(test)]
mod tests {
    use super::*;

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
