//! Every Adaptive Card the bot sends validates against the official
//! Adaptive Cards 1.5 JSON schema (vendored: tests/fixtures/teams/SOURCES.md),
//! has no `msteams` property (it would carry mentions; the schema forbids it
//! anyway) and no markdown `TextBlock` (people's words go in `TextRun`s). The
//! app package's manifest validates against the Teams manifest schema 1.30.

use crate::fake_identity::ConnectorCall;
use serde_json::Value;
use std::sync::OnceLock;

fn card_schema() -> &'static jsonschema::Validator {
    static SCHEMA: OnceLock<jsonschema::Validator> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let schema: Value = serde_json::from_str(include_str!(
            "../fixtures/teams/adaptive-card-1.5.schema.json"
        ))
        .expect("the vendored schema is JSON");
        jsonschema::draft6::options()
            .should_validate_formats(true)
            .build(&schema)
            .expect("the vendored schema compiles")
    })
}

/// The cards of every delivered call.
pub fn assert_valid_cards(calls: &[ConnectorCall]) {
    let cards: Vec<Value> = calls.iter().flat_map(ConnectorCall::cards).collect();
    assert!(!cards.is_empty(), "some cards were sent");
    assert_valid(&cards);
}

pub fn assert_valid(cards: &[Value]) {
    for card in cards {
        let errors: Vec<String> = card_schema()
            .iter_errors(card)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "not a valid Adaptive Card 1.5: {errors:#?}\n{card}"
        );
        assert_eq!(card["version"], "1.5", "{card}");
        assert!(card.get("msteams").is_none(), "no msteams property: {card}");
        assert!(
            !card.to_string().contains("\"TextBlock\""),
            "text only in TextRuns: {card}"
        );
    }
}

#[test]
fn the_schema_catches_what_teams_would_refuse() {
    // A test that cannot fail proves nothing: the validator does refuse.
    let bad = serde_json::json!({
        "type": "AdaptiveCard", "version": "1.5",
        "body": [{"type": "RichTextBlock", "inlines": [{"type": "TextRun"}]}],
        "msteams": {"width": "Full"}
    });
    assert!(!card_schema().is_valid(&bad));
}

#[test]
fn the_manifest_is_valid_and_the_icons_have_the_sizes_teams_requires() {
    let manifest = include_str!("../../deploy/teams/manifest.json")
        .replace("${MICROSOFT_APP_ID}", crate::support::APP_ID);
    let manifest: Value = serde_json::from_str(&manifest).expect("manifest.json is JSON");
    let schema: Value = serde_json::from_str(include_str!(
        "../fixtures/teams/teams-manifest-1.30.schema.json"
    ))
    .unwrap();
    let validator = jsonschema::draft4::new(&schema).expect("the manifest schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&manifest)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(manifest["bots"][0]["botId"], crate::support::APP_ID);

    // PNG: width and height are the big-endian u32s at bytes 16..24.
    let size = |png: &[u8]| {
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let n = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
        (n(16), n(20), png[25])
    };
    assert_eq!(
        size(include_bytes!("../../deploy/teams/color.png")),
        (192, 192, 6)
    );
    // Colour type 6: RGBA, so the outline can be transparent.
    assert_eq!(
        size(include_bytes!("../../deploy/teams/outline.png")),
        (32, 32, 6)
    );
}
