//! The parts of a Bot Framework activity alignbot reads, as serde types.
//!
//! Only what we use is declared; unknown fields are ignored, so new fields
//! Teams adds never break parsing. Parsed only after the request's token was
//! verified (src/http/teams.rs).

use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Activity {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub id: Option<String>,
    pub service_url: String,
    pub channel_id: String,
    #[serde(default)]
    pub from: Option<Account>,
    #[serde(default)]
    pub recipient: Option<Account>,
    pub conversation: ConversationAccount,
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub value: Option<Value>,
    /// For invokes: `adaptiveCard/action`, `task/fetch`, `task/submit`.
    #[serde(default)]
    pub name: Option<String>,
    /// For `installationUpdate`: `add`, `remove`, `add-upgrade`, `remove-upgrade`.
    #[serde(default)]
    pub action: Option<String>,
    #[serde(default)]
    pub members_added: Vec<Account>,
    #[serde(default)]
    pub members_removed: Vec<Account>,
    #[serde(default)]
    pub channel_data: Option<ChannelData>,
    #[serde(default)]
    pub entities: Vec<Value>,
    /// The activity a card action came from, or a reaction is on.
    #[serde(default)]
    pub reply_to_id: Option<String>,
    /// `messageReaction`: reactions added to / removed from `reply_to_id`.
    #[serde(default)]
    pub reactions_added: Vec<Reaction>,
    #[serde(default)]
    pub reactions_removed: Vec<Reaction>,
}

/// A reaction (`like`, `heart`, …) on a message the bot sent.
#[derive(Debug, Clone, Deserialize)]
pub struct Reaction {
    #[serde(rename = "type")]
    pub kind: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub aad_object_id: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConversationAccount {
    pub id: String,
    #[serde(default)]
    pub conversation_type: Option<String>,
    #[serde(default)]
    pub tenant_id: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChannelData {
    #[serde(default)]
    pub tenant: Option<Id>,
    #[serde(default)]
    pub team: Option<Id>,
    #[serde(default)]
    pub channel: Option<Id>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Id {
    pub id: String,
}

impl Activity {
    /// The tenant, wherever Teams put it.
    pub fn tenant(&self) -> Option<&str> {
        self.conversation.tenant_id.as_deref().or_else(|| {
            self.channel_data
                .as_ref()
                .and_then(|c| c.tenant.as_ref())
                .map(|t| t.id.as_str())
        })
    }

    /// A personal (1:1) chat with the bot.
    pub fn is_personal(&self) -> bool {
        self.conversation.conversation_type.as_deref() == Some("personal")
    }

    /// The team channel's id for a channel conversation (`19:…`), without a
    /// thread's `;messageid=…`.
    pub fn channel(&self) -> Option<&str> {
        if self.conversation.conversation_type.as_deref() != Some("channel") {
            return None;
        }
        let from_data = self
            .channel_data
            .as_ref()
            .and_then(|c| c.channel.as_ref())
            .map(|c| c.id.as_str());
        Some(from_data.unwrap_or_else(|| base_conversation(&self.conversation.id)))
    }

    /// The sender's Entra object id, lowercased: the person id on Teams.
    pub fn sender_object_id(&self) -> Option<String> {
        self.from
            .as_ref()?
            .aad_object_id
            .as_deref()
            .map(str::to_ascii_lowercase)
    }

    /// The command text with the bot's own `<at>…</at>` mention removed.
    pub fn command_text(&self) -> String {
        let text = self.text.as_deref().unwrap_or_default();
        strip_bot_mention(text, &self.bot_mention_texts())
    }

    /// How the bot's mention appears in `text` (`<at>alignbot</at>`), from
    /// the mention entities naming the recipient.
    fn bot_mention_texts(&self) -> Vec<String> {
        let bot = self.recipient.as_ref().map(|r| r.id.as_str());
        self.entities
            .iter()
            .filter(|e| e.get("type").and_then(Value::as_str) == Some("mention"))
            .filter(|e| e.pointer("/mentioned/id").and_then(Value::as_str) == bot && bot.is_some())
            .filter_map(|e| e.get("text").and_then(Value::as_str).map(str::to_owned))
            .collect()
    }

    /// Mentions of people (not the bot): how each appears in the text
    /// (`<at>Nora</at>`) and the Teams user id it names (`29:…`).
    pub fn people_mentions(&self) -> Vec<(String, String)> {
        let bot = self.recipient.as_ref().map(|r| r.id.as_str());
        self.entities
            .iter()
            .filter(|e| e.get("type").and_then(Value::as_str) == Some("mention"))
            .filter_map(|e| {
                let id = e.pointer("/mentioned/id").and_then(Value::as_str)?;
                let text = e.get("text").and_then(Value::as_str)?;
                (Some(id) != bot).then(|| (text.to_owned(), id.to_owned()))
            })
            .collect()
    }

    /// The IANA time zone the client reported (`clientInfo` entity).
    pub fn client_time_zone(&self) -> Option<&str> {
        self.entities
            .iter()
            .find(|e| e.get("type").and_then(Value::as_str) == Some("clientInfo"))
            .and_then(|e| e.get("timezone"))
            .and_then(Value::as_str)
    }
}

/// A channel thread's conversation id is `19:…;messageid=…`: the channel.
pub fn base_conversation(id: &str) -> &str {
    id.split_once(";messageid=").map_or(id, |(base, _)| base)
}

/// Removes the bot's mentions (each as it appears in the text) and an
/// optional leading `/`, and trims; what is left is the command.
pub fn strip_bot_mention(text: &str, mentions: &[String]) -> String {
    let mut text = text.to_owned();
    for mention in mentions {
        text = text.replacen(mention.as_str(), "", 1);
    }
    let text = text.trim();
    text.strip_prefix('/').unwrap_or(text).trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_channel_mention_of_the_bot_is_removed_from_the_command() {
        let activity: Activity = serde_json::from_value(json!({
            "type": "message", "serviceUrl": "https://smba.trafficmanager.net/amer/",
            "channelId": "msteams",
            "conversation": {"id": "19:abc@thread.tacv2;messageid=1", "conversationType": "channel"},
            "recipient": {"id": "28:bot"},
            "text": "<at>alignbot</at> goal list mine",
            "entities": [{"type": "mention", "text": "<at>alignbot</at>", "mentioned": {"id": "28:bot"}}]
        }))
        .unwrap();
        assert_eq!(activity.command_text(), "goal list mine");
        assert_eq!(activity.channel(), Some("19:abc@thread.tacv2"));
    }

    #[test]
    fn a_leading_slash_is_optional() {
        assert_eq!(strip_bot_mention("  /moment  hi ", &[]), "moment  hi");
    }
}
