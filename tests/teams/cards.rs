//! Every Adaptive Card the bot sends is checked here: version 1.5, no
//! `msteams` property (the 1.5 schema forbids unknown card properties, and it
//! would carry mentions), and no people's text in a markdown `TextBlock`.

use crate::fake_identity::ConnectorCall;
use serde_json::Value;

/// The cards of every delivered call.
pub fn assert_valid_cards(calls: &[ConnectorCall]) {
    let cards: Vec<Value> = calls.iter().flat_map(ConnectorCall::cards).collect();
    assert!(!cards.is_empty(), "some cards were sent");
    assert_valid(&cards);
}

pub fn assert_valid(cards: &[Value]) {
    for card in cards {
        assert_eq!(card["type"], "AdaptiveCard", "{card}");
        assert_eq!(card["version"], "1.5", "{card}");
        assert!(card.get("msteams").is_none(), "no msteams property: {card}");
        let text = card.to_string();
        assert!(
            !text.contains("\"TextBlock\""),
            "text only in TextRuns: {card}"
        );
    }
}
