//! Places smaller than a state: rooms and beds, street addresses, ZIP codes
//! and postcodes, and hospital units or wards.
//!
//! A room or bed number, an address or a postcode points at one person on
//! its own. A unit or ward ("on 4 West", "Cedar Ward", "ICU") is where a
//! whole team works, so it is reported only in a sentence that already
//! identifies someone (see [`unit_spans`]): "the night team on 4 West" is a
//! thank-you, "Maria Gonzalez, 82, on 4 West" is a patient.

use std::sync::LazyLock;

use regex::Regex;

use super::{Detector, FindingKind, accept_as_is};

pub(super) fn detectors() -> [Detector; 5] {
    [
        (FindingKind::RoomOrBed, &ROOM_OR_BED, accept_room),
        (FindingKind::Place, &STREET_ADDRESS, accept_as_is),
        (FindingKind::Place, &LIVES_ON, accept_as_is),
        (FindingKind::Place, &ZIP, accept_as_is),
        (FindingKind::Place, &POSTCODE, accept_as_is),
    ]
}

// Only the place words that pin down a single patient. "Ward 12" or "4 West"
// name a unit the whole team works on, so they are in UNIT instead.
static ROOM_OR_BED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?-u:\b)(?:room|rm\.?|bed|bay|cubicle)(?:\s*(?:#|nos?\.|number|:))*\s*(?:[0-9]{1,5}[a-z]?|[a-z][0-9]{1,4})(?-u:\b)",
    )
    .expect("room regex is valid")
});

const STREET: &str = r"(?:Road|Rd|Street|St|Lane|Ln|Avenue|Ave|Drive|Dr|Close|Row|Mews|Terrace|Way|Court|Ct|Place|Pl|Crescent|Gardens|Grove|View|Boulevard|Blvd|Square|Walk|Rise|Parade|Hill|Park)";
const CAPITALIZED: &str = r"[A-ZÀ-ÖØ-Þ][\w'’\-]*";

// "22 Lister Road", "41 Harbour View", "61 Mesa Drive"
static STREET_ADDRESS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?-u:\b)[0-9]{{1,5}}[A-Za-z]?,?\s+(?:{CAPITALIZED}\s+){{1,3}}{STREET}(?-u:\b)\.?"
    ))
    .expect("street regex is valid")
});

// "lives on Kauri Street": a street without a number, tied to someone by
// the verb.
static LIVES_ON: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?-u:\b)(?:lives|living|lived|live|moved|stays|staying|home)\s+(?:on|in|at|to)\s+(?:{CAPITALIZED}\s+){{1,3}}{STREET}(?-u:\b)"
    ))
    .expect("lives-on regex is valid")
});

static ZIP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?-u:\b)(?:(?i:zip)(?:\s*code)?\s*:?\s*|(?:AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY),?\s+)[0-9]{5}(?:-[0-9]{4})?(?-u:\b)",
    )
    .expect("ZIP regex is valid")
});

// British postcodes: "LS6 2QT", "SW1A 1AA".
static POSTCODE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)[A-Z]{1,2}[0-9][A-Z[0-9]]?\s?[0-9][ABD-HJLNP-UW-Z]{2}(?-u:\b)")
        .expect("postcode regex is valid")
});

// A hospital unit or ward: "4 West", "Ward 12", "Cedar Ward", "ICU".
static UNIT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?-u:\b)(?:[0-9]{{1,2}}\s+(?:North|South|East|West)(?-u:\b)|(?i:ward|unit)\s+[0-9]{{1,3}}[A-Z]?(?-u:\b)|{CAPITALIZED}\s+(?:Ward|Unit)(?-u:\b)|(?:ICU|HDU|ITU|NICU|PICU|SCBU|CCU|A&E|ED)(?-u:\b))"
    ))
    .expect("unit regex is valid")
});

// The room or bed itself is the subject: refurbished, given something new,
// turned into something else.
static ROOM_AS_A_THING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?-u:\b)(?:is\s+now|are\s+now|got\s+(?:a\s+)?new|ha(?:s|ve)\s+(?:a\s+)?new|reopened|re-opened|refurbished|renovated|repainted|redecorated|converted|turned\s+into|new\s+(?:curtains|lights|mattress(?:es)?|flooring|windows|furniture)|mattress)(?-u:\b)",
    )
    .expect("room-as-a-thing regex is valid")
});

// Someone is in the sentence: a pronoun or a word for a person.
static SOMEONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?-u:\b)(?:he|she|him|her|his|hers|they|them|their|patient|man|woman|lady|gentleman|gent|resident|client|pupil|student|boy|girl|child|baby|mum|dad|son|daughter|husband|wife|family|relatives?)(?-u:\b)",
    )
    .expect("someone regex is valid")
});

/// A room or bed number points at whoever is in it, unless the sentence is
/// about the room as a thing and nobody is in it ("Room 5 is now a memory
/// room", "ICU bed 3 has a new mattress").
fn accept_room(text: &str, start: usize, end: usize) -> Option<(usize, usize)> {
    let from = text[..start]
        .rfind(['.', '!', '?', '\n'])
        .map_or(0, |i| i + 1);
    let to = text[end..]
        .find(['.', '!', '?', '\n'])
        .map_or(text.len(), |i| end + i);
    let sentence = &text[from..to];
    if ROOM_AS_A_THING.is_match(sentence) && !SOMEONE.is_match(sentence) {
        return None;
    }
    Some((start, end))
}

/// Units and wards in `text`, for the caller to keep those in a sentence
/// that identifies someone.
pub(super) fn unit_spans(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    UNIT.find_iter(text).map(|m| (m.start(), m.end()))
}

#[cfg(test)]
mod tests {
    use crate::domain::privacy::{FindingKind, scan};

    fn places(text: &str) -> Vec<String> {
        scan(text)
            .into_iter()
            .filter(|f| f.kind == FindingKind::Place)
            .map(|f| f.excerpt)
            .collect()
    }

    #[test]
    fn addresses_zip_codes_and_postcodes_are_places() {
        assert_eq!(
            places("Arjun Reddy of 22 Lister Road was home"),
            ["22 Lister Road"]
        );
        assert_eq!(
            places("Wiremu lives on Kauri Street, far"),
            ["lives on Kauri Street"]
        );
        assert_eq!(places("a client in ZIP 70117 lost"), ["ZIP 70117"]);
        assert_eq!(places("Atlanta, GA 30310 now"), ["GA 30310"]);
        assert_eq!(places("moved to LS6 2QT last year"), ["LS6 2QT"]);
    }

    #[test]
    fn a_room_as_a_thing_is_not_a_finding_but_a_room_with_someone_in_it_is() {
        for text in [
            "Room 5 is now a memory room full of things from the 1950s.",
            "ICU bed 3 has a new mattress.",
            "Bay 4 got new curtains, new lights and a clock.",
            "We reopened room 12 as a quiet room.",
        ] {
            assert_eq!(scan(text), vec![], "{text:?}");
        }
        for text in [
            "The patient in room 12 is now smiling.",
            "Room 4B had the best view.",
            "She moved to bed 3, which has a new mattress.",
        ] {
            assert_eq!(scan(text).len(), 1, "{text:?}");
        }
    }

    #[test]
    fn a_unit_is_a_place_only_in_a_sentence_that_identifies_someone() {
        assert_eq!(
            places("The night team on 4 West stayed late."),
            Vec::<String>::new()
        );
        assert_eq!(places("Cedar Ward hit 100 days."), Vec::<String>::new());
        let found = places("Mr. Halvorsen, 91, on 4 West smiled. The team on 5 East cheered.");
        assert_eq!(found, ["4 West"]);
    }
}
