//! Privacy guard for staff stories.
//!
//! Stories are written by people in a hurry — often clinicians at the end of
//! a shift — and are posted to channels that many colleagues can read. A
//! nurse proudly describing how the team helped "Maria Gonzalez, 82, on 4
//! West" has, without meaning to, published a patient's name, age and
//! location. Once a message has been read it cannot be un-read, so the
//! cheapest place to catch that mistake is before the story is posted.
//!
//! The guard is deliberately a heuristic, not a classifier: it looks for
//! shapes that *often* carry personal data — the HIPAA Safe Harbor
//! identifiers (names, ages, places smaller than a state, dates tied to a
//! person, phone numbers, e-mail and IP addresses, record numbers, links)
//! and health conditions next to them — and reports them so the author can
//! take a second look. It must never be used to block a post on its own:
//! false positives are expected, and the author always gets the final say
//! after confirming. Equally, an empty result is not a guarantee that a
//! story is free of personal data.
//!
//! Stories name colleagues on purpose, so the guard is given the people the
//! bot knows ([`KnownPeople`]) and never reports their names. It stays quiet
//! on what ordinary staff stories are full of: wards and teams, head counts,
//! durations, money, percentages, bare years, the ages of buildings. Links
//! and Slack mention tokens are ignored (unless a link points at a person's
//! page) because their embedded ids are not personal data and would
//! otherwise drown the author in noise.
//!
//! One module per kind of detector; this one runs them, keeps the
//! context-dependent findings (a unit, a condition) only in sentences that
//! already identify someone, and merges overlaps. Patterns are compiled once
//! and the lexicon is looked up in hash sets, so a story takes microseconds
//! (see BENCHMARKS.md).

mod ages;
mod conditions;
mod contact;
mod dates;
mod known;
mod lexicon;
mod names;
mod places;
mod records;
mod text;

use std::cmp::Reverse;
use std::sync::LazyLock;

use regex::{Regex, RegexSet};

pub use known::KnownPeople;

/// More than this and the author stops reading; the first few are enough to
/// prompt a careful re-read of the whole story.
const MAX_FINDINGS: usize = 10;

/// What kind of personal data a span looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FindingKind {
    DateOfBirth,
    PhoneNumber,
    Email,
    RoomOrBed,
    RecordNumber,
    NamedPerson,
    /// A name without a title that is not a colleague's.
    PersonName,
    Age,
    /// A street address, ZIP code or postcode, or a unit next to a person.
    Place,
    /// A diagnosis, procedure or medication in a sentence that identifies
    /// someone.
    Condition,
    /// Admission, discharge, birth or death, with or without a year.
    PersonDate,
    IpAddress,
    PersonalLink,
}

impl FindingKind {
    /// Phrased to slot into a sentence shown to the author ("This looks like
    /// …"), so it stays tentative: the guard only ever suspects.
    pub fn label(self) -> &'static str {
        match self {
            FindingKind::DateOfBirth => "a date (maybe a date of birth)",
            FindingKind::PhoneNumber => "a phone number",
            FindingKind::Email => "an e-mail address",
            FindingKind::RoomOrBed => "a room or bed number",
            FindingKind::RecordNumber => "a record or ID number",
            FindingKind::NamedPerson => "a person's name after a title (Mr., Mrs., …)",
            FindingKind::PersonName => "a person's name",
            FindingKind::Age => "an age",
            FindingKind::Place => "a place (ward, unit, address)",
            FindingKind::Condition => "a health condition next to a person",
            FindingKind::PersonDate => "a date tied to a person",
            FindingKind::IpAddress => "an IP address",
            FindingKind::PersonalLink => "a link to a person's page",
        }
    }

    /// Breaks ties between detectors that claim exactly the same span, so
    /// that e.g. a bare ten-digit run is reported as a phone number rather
    /// than as a generic record number.
    fn priority(self) -> u8 {
        self as u8
    }

    /// Findings that identify someone on their own, which make a unit or a
    /// condition in the same sentence personal too.
    fn identifies(self) -> bool {
        !matches!(self, FindingKind::Condition)
    }
}

/// One suspicious span. The excerpt is kept verbatim so the author can find
/// it in their own text; the byte offsets let a caller highlight or redact
/// it without searching again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub kind: FindingKind,
    pub excerpt: String,
    pub start: usize,
    pub end: usize,
}

/// [`scan_with`] knowing nobody: every name is reported, colleagues' too.
pub fn scan(text: &str) -> Vec<Finding> {
    scan_with(text, &KnownPeople::default())
}

/// Findings in order of position, overlapping matches removed (keep the
/// earlier/longer one); at most 10. Names of `known` people are not
/// findings.
///
/// Each span is reported once, under the most specific reading, because the
/// author is asked to confirm every finding and repeated prompts for the same
/// text would teach them to click through without reading.
pub fn scan_with(text: &str, known: &KnownPeople) -> Vec<Finding> {
    let ignored = contact::ignored_spans(text);
    let mut candidates: Vec<(FindingKind, usize, usize)> = Vec::new();
    let mut push = |kind, start: usize, end: usize| {
        if start < end && !ignored.iter().any(|&(s, e)| start < e && s < end) {
            candidates.push((kind, start, end));
        }
    };

    // One pass over the story says which patterns match at all; only
    // those are searched (and their matches judged) one by one.
    let matched = ANY_DETECTOR.matches(text);
    for (i, (kind, regex, accept)) in regex_detectors().enumerate() {
        if matched.matched(i) {
            for_each_accepted(regex, text, accept, |start, end| push(kind, start, end));
        }
    }
    let words = text::words(text);
    names::find(text, &words, known, &mut push);
    contact::personal_links(text, |start, end| {
        candidates.push((FindingKind::PersonalLink, start, end))
    });

    // A unit or a condition is personal only next to an identifier.
    let sentences = text::sentences(text);
    let identified: Vec<usize> = candidates
        .iter()
        .filter(|(kind, _, _)| kind.identifies())
        .map(|&(_, start, _)| text::sentence_of(&sentences, start))
        .collect();
    if !identified.is_empty() {
        let in_identified =
            |start: usize| identified.contains(&text::sentence_of(&sentences, start));
        let context: Vec<(FindingKind, usize, usize)> = places::unit_spans(text)
            .map(|(s, e)| (FindingKind::Place, s, e))
            .chain(conditions::spans(text).map(|(s, e)| (FindingKind::Condition, s, e)))
            .filter(|&(_, s, e)| {
                in_identified(s) && !ignored.iter().any(|&(is, ie)| s < ie && is < e)
            })
            .collect();
        candidates.extend(context);
    }

    candidates.sort_by_key(|&(kind, start, end)| (start, Reverse(end), kind.priority()));

    let mut findings = Vec::new();
    let mut covered_until = 0;
    for (kind, start, end) in candidates {
        if start < covered_until {
            continue;
        }
        covered_until = end;
        findings.push(Finding {
            kind,
            excerpt: text[start..end].to_owned(),
            start,
            end,
        });
        if findings.len() == MAX_FINDINGS {
            break;
        }
    }
    findings
}

/// Every pattern-based detector, in one fixed order.
fn regex_detectors() -> impl Iterator<Item = Detector> {
    dates::detectors()
        .into_iter()
        .chain(contact::detectors())
        .chain(places::detectors())
        .chain(records::detectors())
        .chain(ages::detectors())
}

/// The detectors' patterns as one automaton, in [`regex_detectors`]'s
/// order: a clean story (most of them) is read once instead of once per
/// pattern. Exact as a filter: a pattern that matches nowhere in the story
/// cannot match from any later position either.
static ANY_DETECTOR: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSet::new(regex_detectors().map(|(_, regex, _)| regex.as_str()))
        .expect("the detectors' patterns compile as a set")
});

/// Decides whether a raw regex match is a real finding and, if so, which
/// span to report. Post-filtering in code keeps the regexes readable and
/// expresses checks (calendar sanity, neighbouring characters) that the
/// `regex` crate cannot, since it has no look-around.
type Accept = fn(&str, usize, usize) -> Option<(usize, usize)>;

/// One pattern-based detector: what it finds, its compiled pattern, and its
/// post-filter.
type Detector = (FindingKind, &'static Regex, Accept);

/// A rejected match may hide a valid one that starts inside it, so instead of
/// `find_iter` (which resumes after the rejected match) the search resumes one
/// character after the rejected match's start.
fn for_each_accepted(
    regex: &Regex,
    text: &str,
    accept: Accept,
    mut on_accept: impl FnMut(usize, usize),
) {
    let mut at = 0;
    while at <= text.len() {
        let Some(m) = regex.find_at(text, at) else {
            break;
        };
        match accept(text, m.start(), m.end()) {
            Some((start, end)) if start < end => {
                on_accept(start, end);
                at = m.end().max(m.start() + 1);
            }
            _ => at = m.start() + 1,
        }
        while at < text.len() && !text.is_char_boundary(at) {
            at += 1;
        }
    }
}

fn accept_as_is(_text: &str, start: usize, end: usize) -> Option<(usize, usize)> {
    Some((start, end))
}

/// Rejects numbers that are only a fragment of a larger figure such as
/// "$1200000", "1.2345678", "12345678%" or an identifier like "AB1234567".
fn accept_isolated_number(text: &str, start: usize, end: usize) -> Option<(usize, usize)> {
    let before = text[..start].chars().next_back();
    if before.is_some_and(|c| c.is_alphanumeric() || "_$£€¥.,/-+".contains(c)) {
        return None;
    }
    let mut after = text[end..].chars();
    match (after.next(), after.next()) {
        (Some(c), _) if c.is_alphanumeric() || c == '_' || c == '%' => None,
        (Some(c), Some(d)) if ".,/-:".contains(c) && d.is_ascii_digit() => None,
        _ => Some((start, end)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds_and_excerpts(text: &str) -> Vec<(FindingKind, String)> {
        scan(text)
            .into_iter()
            .map(|f| (f.kind, f.excerpt))
            .collect()
    }

    fn assert_single(text: &str, kind: FindingKind, excerpt: &str) {
        assert_eq!(
            kinds_and_excerpts(text),
            vec![(kind, excerpt.to_owned())],
            "input: {text:?}"
        );
    }

    #[test]
    fn every_kind_of_personal_data_in_the_table_is_found_with_its_exact_excerpt() {
        use FindingKind::*;
        let cases: &[(&str, FindingKind, &str)] = &[
            ("Her birthday is 03/14/1962.", DateOfBirth, "03/14/1962"),
            ("She was 14.03.1962 on the form", DateOfBirth, "14.03.1962"),
            (
                "Admitted with 1962-03-14 on the wristband",
                DateOfBirth,
                "1962-03-14",
            ),
            (
                "The card said 3-14-62, nothing else",
                DateOfBirth,
                "3-14-62",
            ),
            (
                "On March 14, 1962 she arrived",
                DateOfBirth,
                "March 14, 1962",
            ),
            (
                "Listed as 14 Mar 1962 in the notes",
                DateOfBirth,
                "14 Mar 1962",
            ),
            (
                "the 5th of May, 1962 was mentioned",
                DateOfBirth,
                "5th of May, 1962",
            ),
            ("DOB: 03/14/1962", DateOfBirth, "DOB: 03/14/1962"),
            ("I checked his d.o.b. twice", DateOfBirth, "d.o.b."),
            (
                "We asked for her Date of Birth again",
                DateOfBirth,
                "Date of Birth",
            ),
            (
                "She was born on May 2 and loved it",
                DateOfBirth,
                "born on May 2",
            ),
            (
                "Call (555) 123-4567 after six",
                PhoneNumber,
                "(555) 123-4567",
            ),
            (
                "Her son's number is 555-123-4567.",
                PhoneNumber,
                "555-123-4567",
            ),
            ("Try 555.123.4567 instead", PhoneNumber, "555.123.4567"),
            (
                "Reach him on +1 555 123 4567 today",
                PhoneNumber,
                "+1 555 123 4567",
            ),
            (
                "The daughter in London: +44 20 7946 0958",
                PhoneNumber,
                "+44 20 7946 0958",
            ),
            ("Left a message at 5551234567", PhoneNumber, "5551234567"),
            (
                "Her landline is 020 7946 0958",
                PhoneNumber,
                "020 7946 0958",
            ),
            (
                "Mail jane.doe+ward@example.org today",
                Email,
                "jane.doe+ward@example.org",
            ),
            ("We moved him to room 12 overnight", RoomOrBed, "room 12"),
            ("Room 4B had the best view", RoomOrBed, "Room 4B"),
            ("Everyone crowded into rm. 301", RoomOrBed, "rm. 301"),
            ("The lady in bed 7 sang for us", RoomOrBed, "bed 7"),
            ("Bay 3 was quiet all night", RoomOrBed, "Bay 3"),
            ("Check bed #12 first", RoomOrBed, "bed #12"),
            (
                "Pulled MRN 123456 for the audit",
                RecordNumber,
                "MRN 123456",
            ),
            ("MRN: 00123 was missing", RecordNumber, "MRN: 00123"),
            (
                "Found record #4521 in the cupboard",
                RecordNumber,
                "record #4521",
            ),
            ("Looked up patient ID 8812", RecordNumber, "patient ID 8812"),
            (
                "NHS number 943 476 5919 was wrong",
                RecordNumber,
                "NHS number 943 476 5919",
            ),
            (
                "SSN 123-45-6789 was on the form",
                RecordNumber,
                "SSN 123-45-6789",
            ),
            (
                "Pulled chart 00412345 from storage",
                RecordNumber,
                "00412345",
            ),
            ("Mr. Smith thanked us all", NamedPerson, "Mr. Smith"),
            (
                "We sat with Mrs Garcia for an hour",
                NamedPerson,
                "Mrs Garcia",
            ),
            ("Ms. O'Neil finally smiled", NamedPerson, "Ms. O'Neil"),
            ("Miss Lee went home today", NamedPerson, "Miss Lee"),
            ("Mx Jordan taught us a card game", NamedPerson, "Mx Jordan"),
            ("Mr. John Smith walked again", NamedPerson, "Mr. John Smith"),
        ];
        for &(text, kind, excerpt) in cases {
            assert_single(text, kind, excerpt);
        }
    }

    #[test]
    fn ordinary_staff_stories_yield_no_findings() {
        let cases = [
            "Today the whole team on 4 West stayed late so a family could say goodbye.",
            "We cut wait times from 45 to 30 min in Q2 2024",
            "Thanks @maria and the night shift!",
            "We admitted 2 patients to ward 12 in 2024.",
            "Handover at 10:30 went smoothly.",
            "On March 3 we opened the new unit.",
            "In May 2024 we hit our target.",
            "We raised $1,200,000 for the new wing.",
            "The grant was $1200000 in total.",
            "Satisfaction rose to 95% and then 98.5% this year.",
            "Dr. Patel stayed late to help with the transfer.",
            "mr. fixit repaired the infusion pump again.",
            "There was room for 2 more chairs at the vigil.",
            "Bed rest helped, and the bay area team visited.",
            "We set a record 3 years running.",
            "We charted 300 sets of vitals in one shift.",
            "Version 2.1.4 rolled out and the quiz went 3-1.",
            "The 2023-2024 budget covered 12 new beds.",
            "Three years running: 2024 2025 2026, and 120 000 000 reasons.",
            "Read more at https://example.com/stories/12345678?id=555-123-4567",
            "Shout-out to <@U0123456789> and <#C0123456789|nursing>!",
            "We cut falls by 1.2345678 percent, said nobody.",
            "The born-on-the-ward idea came from a night shift born on a whim.",
        ];
        for text in cases {
            assert_eq!(scan(text), vec![], "input: {text:?}");
        }
    }

    #[test]
    fn a_phone_number_with_area_code_in_parentheses_is_found() {
        assert_single(
            "ring (555) 123-4567",
            FindingKind::PhoneNumber,
            "(555) 123-4567",
        );
    }

    #[test]
    fn a_bare_year_is_not_a_date_of_birth() {
        assert!(scan("Back in 2024 we started huddles").is_empty());
    }

    #[test]
    fn a_date_without_a_year_is_not_a_finding_unless_a_birth_phrase_precedes_it() {
        assert!(scan("on March 3 we celebrated").is_empty());
        assert_single("DOB March 3", FindingKind::DateOfBirth, "DOB March 3");
    }

    #[test]
    fn impossible_numeric_dates_are_ignored() {
        assert!(scan("code 13/13/1999 failed").is_empty());
        assert!(scan("ip 10.0.0.1 failed").is_empty());
    }

    #[test]
    fn a_birth_phrase_and_its_date_are_reported_once() {
        let findings = scan("DOB 03/14/1962 confirmed");
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].kind, FindingKind::DateOfBirth);
        assert_eq!(findings[0].excerpt, "DOB 03/14/1962");
    }

    #[test]
    fn overlapping_findings_keep_the_earlier_and_longer_span() {
        // The keyword match starts earlier than the phone-shaped digits.
        assert_single(
            "MRN 5551234567",
            FindingKind::RecordNumber,
            "MRN 5551234567",
        );
        // Same span claimed by phone and digit run: the phone wins the tie.
        assert_single("number 5551234567", FindingKind::PhoneNumber, "5551234567");
        // Born-on phrase swallows the month-name date inside it.
        assert_single(
            "born on March 14, 1962 in Ohio",
            FindingKind::DateOfBirth,
            "born on March 14, 1962",
        );
    }

    #[test]
    fn findings_are_returned_in_order_of_position() {
        let text = "Mrs Garcia in bed 7, DOB 1/2/1950, call 555-123-4567 or a@b.co";
        let findings = scan(text);
        let kinds: Vec<_> = findings.iter().map(|f| f.kind).collect();
        assert_eq!(
            kinds,
            vec![
                FindingKind::NamedPerson,
                FindingKind::RoomOrBed,
                FindingKind::DateOfBirth,
                FindingKind::PhoneNumber,
                FindingKind::Email,
            ]
        );
        assert!(findings.windows(2).all(|w| w[0].end <= w[1].start));
    }

    #[test]
    fn at_most_ten_findings_are_returned_and_they_are_the_first_ten() {
        let text: String = (0..15).map(|i| format!("p{i}@example.com ")).collect();
        let findings = scan(&text);
        assert_eq!(findings.len(), MAX_FINDINGS);
        assert_eq!(findings[0].excerpt, "p0@example.com");
        assert_eq!(findings[9].excerpt, "p9@example.com");
    }

    #[test]
    fn offsets_slice_back_to_the_excerpt() {
        let text = "Mr. Smith (bed 4B) — DOB 3/14/62 — call +44 20 7946 0958, \
                    mail x.y@nhs.uk, MRN: 00123, ref 00412345.";
        let findings = scan(text);
        assert_eq!(findings.len(), 7);
        for f in &findings {
            assert_eq!(&text[f.start..f.end], f.excerpt);
        }
    }

    #[test]
    fn a_possessive_after_a_name_is_not_part_of_the_excerpt() {
        assert_single(
            "Mr. Smith's daughter brought cake",
            FindingKind::NamedPerson,
            "Mr. Smith",
        );
    }

    #[test]
    fn a_name_with_an_accented_capital_is_found() {
        assert_single(
            "Mme… no, Mrs Émile Zoë",
            FindingKind::NamedPerson,
            "Mrs Émile Zoë",
        );
    }

    #[test]
    fn a_title_without_a_capitalised_name_is_not_a_finding() {
        assert!(scan("Ms. and Mr. are titles; mrs garcia is lowercase").is_empty());
    }

    #[test]
    fn non_ascii_text_never_panics_and_offsets_stay_on_char_boundaries() {
        let text = "Zoë 🎉 年 room 5 🙂 called 555-123-4567 ✨ Mr. Zoë Ünal 年年 DOB 1/2/1950 🎉";
        let boundaries: Vec<usize> = text
            .char_indices()
            .map(|(i, _)| i)
            .chain([text.len()])
            .collect();
        for &from in &boundaries {
            for &to in boundaries.iter().filter(|&&to| to >= from) {
                let slice = &text[from..to];
                for f in scan(slice) {
                    assert!(slice.is_char_boundary(f.start) && slice.is_char_boundary(f.end));
                    assert_eq!(&slice[f.start..f.end], f.excerpt);
                }
            }
        }
        let kinds: Vec<_> = scan(text).iter().map(|f| f.kind).collect();
        assert_eq!(
            kinds,
            vec![
                FindingKind::RoomOrBed,
                FindingKind::PhoneNumber,
                FindingKind::NamedPerson,
                FindingKind::DateOfBirth,
            ]
        );
    }

    #[test]
    fn empty_and_whitespace_only_text_yield_no_findings() {
        assert!(scan("").is_empty());
        assert!(scan(" \n\t ").is_empty());
    }

    #[test]
    fn every_kind_has_a_distinct_human_label() {
        use FindingKind::*;
        let kinds = [
            DateOfBirth,
            PhoneNumber,
            Email,
            RoomOrBed,
            RecordNumber,
            NamedPerson,
        ];
        let labels: std::collections::HashSet<_> = kinds.iter().map(|k| k.label()).collect();
        assert_eq!(labels.len(), kinds.len());
        assert!(labels.iter().all(|l| !l.is_empty()));
        assert_eq!(PhoneNumber.label(), "a phone number");
    }

    #[test]
    fn an_email_inside_a_slack_mailto_link_is_still_found() {
        let findings = scan("write to <mailto:nurse@example.com|nurse@example.com>");
        assert_eq!(findings.len(), 2);
        assert!(findings.iter().all(|f| f.kind == FindingKind::Email));
    }

    fn staff() -> KnownPeople {
        KnownPeople::new()
            .with_person(&["Priya Natarajan", "Priya"])
            .with_person(&["Kenji Watanabe", "Kenji"])
            .with_person(&["Siobhan Murphy", "Siobhan"])
    }

    #[test]
    fn the_story_from_issue_13_is_held_for_the_name_the_age_the_unit_and_the_condition() {
        let text = "Maria Gonzalez, 82, on 4 West smiled for the first time since her stroke \
                    when Priya brought her granddaughter's drawing.";
        let found: Vec<(FindingKind, &str)> = scan_with(text, &staff())
            .iter()
            .map(|f| (f.kind, &text[f.start..f.end]))
            .collect();
        assert_eq!(
            found,
            [
                (FindingKind::PersonName, "Maria Gonzalez"),
                (FindingKind::Age, "82"),
                (FindingKind::Place, "4 West"),
                (FindingKind::Condition, "stroke"),
            ]
        );
        let labels: Vec<&str> = found.iter().map(|(k, _)| k.label()).collect();
        assert_eq!(
            labels,
            [
                "a person's name",
                "an age",
                "a place (ward, unit, address)",
                "a health condition next to a person",
            ]
        );
    }

    #[test]
    fn a_story_naming_two_colleagues_is_not_held_when_the_guard_knows_them() {
        let text = "Siobhan Murphy and Kenji Watanabe stayed late on 4 West so a family could \
                    say goodbye; Priya brought tea.";
        assert_eq!(scan_with(text, &staff()), vec![]);
        // Knowing nobody, the same names are strangers' names, and the unit
        // beside them becomes personal too.
        let kinds: Vec<_> = scan(text).iter().map(|f| f.kind).collect();
        assert_eq!(
            kinds,
            [
                FindingKind::PersonName,
                FindingKind::PersonName,
                FindingKind::Place
            ]
        );
    }
}
