//! Record and identity numbers: medical record, NHS and hospital numbers,
//! pupil and student ids, case and tax references, social security numbers.
//!
//! Identifier keywords that are unambiguous may be followed directly by the
//! number; everyday words ("record", "case", "patient", "student") only
//! count when an explicit "number"/"no."/"#"/"ID" marker follows, so "a
//! record 3 years running" stays quiet. At least three digits are required
//! so "ID 2" in a casual sentence is not flagged.

use std::sync::LazyLock;

use regex::Regex;

use super::{Detector, FindingKind, accept_as_is, accept_isolated_number};

pub(super) fn detectors() -> [Detector; 3] {
    [
        (FindingKind::RecordNumber, &RECORD_KEYWORD, accept_as_is),
        (FindingKind::RecordNumber, &REFERENCE, accept_reference),
        (
            FindingKind::RecordNumber,
            &LONG_DIGIT_RUN,
            accept_isolated_number,
        ),
    ]
}

static RECORD_KEYWORD: LazyLock<Regex> = LazyLock::new(|| {
    let marker = r"(?:numbers?|nos?\.|nr\.?|id|#|:)";
    Regex::new(&format!(
        r"(?i)(?-u:\b)(?:(?:mrn|ssn|nhs|medical\s+record|social\s+security|id)(?:\s*{marker})*|(?:record|patient|case|file|account|member|insurance|policy|medicare|medicaid)(?:\s*{marker})+)\s*[0-9]{{3,}}(?:-[0-9]+|\s[0-9]{{3,4}}(?-u:\b))*"
    ))
    .expect("record regex is valid")
});

// Identifiers with letters in them ("K4471923", "CH-0417", "842/ZX91273")
// after a keyword that names a person's record. `accept_reference` insists
// on three digits, and on four (or a separator) after a bare "case".
static REFERENCE: LazyLock<Regex> = LazyLock::new(|| {
    let marker = r"(?:numbers?|nos?\.|nr\.?|id|#|:|,)";
    let strong = r"(?:mrn|ssn|nhs|upn|uln|utr|ni|nino|national\s+insurance|care\s+record|case|reference|ref|tax\s+reference|passport)";
    let weak = r"(?:hospital|pupil|student|candidate|resident|client|patient|chart|case|claim|file|unique\s+pupil)";
    Regex::new(&format!(
        r"(?i)(?-u:\b)(?:{strong}(?-u:\b)(?:\s*{marker})*|{weak}(?-u:\b)(?:\s*{marker})+)\s*(?:[a-z]{{1,3}}[\s\-]?)?[0-9][[0-9]a-z]*(?:[\-/][[0-9]a-z]+)*"
    ))
    .expect("reference regex is valid")
});

static LONG_DIGIT_RUN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[0-9]{6,}").expect("digit-run regex is valid"));

fn accept_reference(text: &str, start: usize, end: usize) -> Option<(usize, usize)> {
    let span = &text[start..end];
    let first_digit = span.find(|c: char| c.is_ascii_digit())?;
    let digits = span.bytes().filter(u8::is_ascii_digit).count();
    let separated = span[first_digit..].contains(['-', '/']);
    // "case 12 more": a bare "case" needs a longer or separated number.
    let bare_case = span
        .get(..4)
        .is_some_and(|s| s.eq_ignore_ascii_case("case"))
        && !span[4..]
            .trim_start()
            .starts_with(|c: char| c.is_alphabetic() || matches!(c, '#' | ':' | ','));
    if digits < 3 || (bare_case && digits < 4 && !separated) {
        return None;
    }
    if text[end..].starts_with(|c: char| c == '%' || c.is_alphanumeric()) {
        return None;
    }
    Some((start, end))
}

#[cfg(test)]
mod tests {
    use crate::domain::privacy::{FindingKind, scan};

    #[test]
    fn identifiers_with_letters_after_a_record_keyword_are_found() {
        for (text, excerpt) in [
            (
                "quoted hospital number K4471923 so",
                "hospital number K4471923",
            ),
            ("for resident ID CH-0417 were", "resident ID CH-0417"),
            ("care record CR-55812 now", "care record CR-55812"),
            ("traced reference 842/ZX91273 back", "reference 842/ZX91273"),
            ("Case 2024-0193 closed", "Case 2024-0193"),
            ("an SSN, 536-22-8741, typed", "SSN, 536-22-8741"),
            ("UPN H801200211009 had", "UPN H801200211009"),
            ("candidate number 4471 for", "candidate number 4471"),
        ] {
            let found = scan(text);
            assert_eq!(found.len(), 1, "{text:?}: {found:?}");
            assert_eq!(found[0].kind, FindingKind::RecordNumber, "{text:?}");
            assert_eq!(found[0].excerpt, excerpt, "{text:?}");
        }
    }

    #[test]
    fn counts_next_to_record_words_are_not_identifiers() {
        for text in [
            "Our team closed 48 cases safely.",
            "14 residents joined the garden party.",
            "Year 11 students did well, in case 12 more join.",
            "The client ID box was empty.",
        ] {
            assert_eq!(scan(text), vec![], "{text:?}");
        }
    }
}
