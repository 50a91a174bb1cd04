//! Privacy guard for staff stories.
//!
//! Stories are written by people in a hurry — often clinicians at the end of
//! a shift — and are posted to channels that many colleagues can read. A
//! nurse proudly describing how the team helped "Mr. Garcia in bed 7" has,
//! without meaning to, published a patient's name and location. Once a Slack
//! message has been read it cannot be un-read, so the cheapest place to catch
//! that mistake is before the story is posted.
//!
//! The guard is deliberately a heuristic, not a classifier: it looks for
//! shapes that *often* carry personal data (dates with a year, phone numbers,
//! e-mail addresses, room/bed numbers, record numbers, names after a title)
//! and reports them so the author can take a second look. It must never be
//! used to block a post on its own — false positives are expected, and the
//! author always gets the final say after confirming. Equally, an empty
//! result is not a guarantee that a story is free of personal data.
//!
//! The patterns lean towards recall for the shapes that matter most in a
//! hospital (dates of birth, record numbers, names) while staying quiet on
//! the numbers that ordinary staff stories are full of: ward names, head
//! counts, durations, money, percentages and bare years. Links and Slack
//! mention tokens are ignored because their embedded IDs are not personal
//! data and would otherwise drown the author in noise.

use std::cmp::Reverse;
use std::sync::LazyLock;

use regex::Regex;

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
        }
    }

    /// Breaks ties between detectors that claim exactly the same span, so
    /// that e.g. a bare ten-digit run is reported as a phone number rather
    /// than as a generic record number.
    fn priority(self) -> u8 {
        self as u8
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

/// Findings in order of position, overlapping matches removed (keep the
/// earlier/longer one); at most 10.
///
/// Each span is reported once, under the most specific reading, because the
/// author is asked to confirm every finding and repeated prompts for the same
/// text would teach them to click through without reading.
pub fn scan(text: &str) -> Vec<Finding> {
    let ignored = ignored_spans(text);
    let mut candidates: Vec<(FindingKind, usize, usize)> = Vec::new();

    for (kind, regex, accept) in detectors() {
        for_each_accepted(regex, text, accept, |start, end| {
            if !ignored.iter().any(|&(s, e)| start < e && s < end) {
                candidates.push((kind, start, end));
            }
        });
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

/// Decides whether a raw regex match is a real finding and, if so, which
/// span to report. Post-filtering in code keeps the regexes readable and
/// expresses checks (calendar sanity, neighbouring characters) that the
/// `regex` crate cannot, since it has no look-around.
type Accept = fn(&str, usize, usize) -> Option<(usize, usize)>;

fn detectors() -> [(FindingKind, &'static Regex, Accept); 11] {
    [
        (FindingKind::DateOfBirth, &DOB_PHRASE, accept_as_is),
        (FindingKind::DateOfBirth, &BORN_ON, accept_as_is),
        (
            FindingKind::DateOfBirth,
            &NUMERIC_DATE_DAY_FIRST,
            accept_day_first_date,
        ),
        (
            FindingKind::DateOfBirth,
            &NUMERIC_DATE_YEAR_FIRST,
            accept_year_first_date,
        ),
        (FindingKind::DateOfBirth, &MONTH_NAME_DATE, accept_as_is),
        (FindingKind::PhoneNumber, &PHONE, accept_phone),
        (FindingKind::Email, &EMAIL, accept_as_is),
        (FindingKind::RoomOrBed, &ROOM_OR_BED, accept_as_is),
        (FindingKind::RecordNumber, &RECORD_KEYWORD, accept_as_is),
        (
            FindingKind::RecordNumber,
            &LONG_DIGIT_RUN,
            accept_isolated_number,
        ),
        (FindingKind::NamedPerson, &NAMED_PERSON, accept_named_person),
    ]
}

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

// Month names are shared by several patterns; a dot after an abbreviation
// ("Sept.") is allowed by the patterns that use this.
const MONTH: &str = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)";
const ORDINAL: &str = r"(?:st|nd|rd|th)?";
const YEAR: &str = r"(?:\d{4}|'\d{2})";

/// A looser date used only right after a birth-date phrase, where even a
/// date without a year is clearly personal.
fn date_after_phrase() -> String {
    format!(
        r"(?:\d{{1,4}}[/.\-]\d{{1,2}}(?:[/.\-]\d{{2,4}})?\b|{MONTH}\.?\s+\d{{1,2}}{ORDINAL}\b(?:,?\s+{YEAR}\b)?|(?:the\s+)?\d{{1,2}}{ORDINAL}\s+(?:of\s+)?{MONTH}\b\.?(?:,?\s+{YEAR}\b)?)"
    )
}

static DOB_PHRASE: LazyLock<Regex> = LazyLock::new(|| {
    let date = date_after_phrase();
    Regex::new(&format!(
        r"(?i)\b(?:dob\b|d\.o\.b\b\.?|date\s+of\s+birth\b)(?:\s*(?:[:\-]|is\b|was\b)?\s*{date})?"
    ))
    .expect("DOB phrase regex is valid")
});

// "born on" alone is too common ("born on the ward", "an idea born on a
// night shift") so a date must follow.
static BORN_ON: LazyLock<Regex> = LazyLock::new(|| {
    let date = date_after_phrase();
    Regex::new(&format!(r"(?i)\bborn\s+on\s+{date}")).expect("born-on regex is valid")
});

static NUMERIC_DATE_DAY_FIRST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})\b").expect("date regex is valid")
});

static NUMERIC_DATE_YEAR_FIRST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b\d{4}[/.\-]\d{1,2}[/.\-]\d{1,2}\b").expect("date regex is valid")
});

static MONTH_NAME_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)\b(?:{MONTH}\.?\s+\d{{1,2}}{ORDINAL},?\s+{YEAR}|\d{{1,2}}{ORDINAL}\s+(?:of\s+)?{MONTH}\b\.?,?\s+{YEAR})\b"
    ))
    .expect("month-name date regex is valid")
});

// Either a grouped number (optional country code, optional area code in
// parentheses, separators of space/dot/hyphen) or one long run of digits.
// Neighbouring characters are checked in `accept_phone`, because `\b` cannot
// express "not in the middle of a bigger number" before a `(` or `+`.
static PHONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:\+\d{1,3}[\s.\-]?)?(?:\(\d{2,5}\)[\s.\-]?|\d{2,5}[\s.\-])\d{3,4}[\s.\-]\d{3,4}\b|\+?\d{10,15}\b",
    )
    .expect("phone regex is valid")
});

static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b[a-z0-9][\w.+\-]*@[a-z0-9][a-z0-9\-]*(?:\.[a-z0-9\-]+)*\.[a-z]{2,}\b")
        .expect("e-mail regex is valid")
});

// Only the place words that pin down a single patient. "Ward 12" or "4 West"
// name a unit the whole team works on, so they are intentionally absent.
static ROOM_OR_BED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:room|rm\.?|bed|bay|cubicle)(?:\s*(?:#|nos?\.|number|:))*\s*(?:\d{1,5}[a-z]?|[a-z]\d{1,4})\b",
    )
    .expect("room regex is valid")
});

// Identifier keywords that are unambiguous may be followed directly by the
// number; everyday words ("record", "case", "patient") only count when an
// explicit "number"/"no."/"#"/"ID" marker follows, so "a record 3 years
// running" stays quiet. At least three digits are required so "ID 2" in a
// casual sentence is not flagged.
static RECORD_KEYWORD: LazyLock<Regex> = LazyLock::new(|| {
    let marker = r"(?:numbers?|nos?\.|nr\.?|id|#|:)";
    Regex::new(&format!(
        r"(?i)\b(?:(?:mrn|ssn|nhs|medical\s+record|social\s+security|id)(?:\s*{marker})*|(?:record|patient|case|file|account|member|insurance|policy|medicare|medicaid)(?:\s*{marker})+)\s*\d{{3,}}(?:-\d+|\s\d{{3,4}}\b)*"
    ))
    .expect("record regex is valid")
});

static LONG_DIGIT_RUN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\d{6,}").expect("digit-run regex is valid"));

// Links and Slack tokens (`<@U…>`, `<#C…|name>`, `<!subteam^S…>`) carry
// long IDs that would otherwise look like record or phone numbers.
static IGNORED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:https?|ftp)://[^\s<>|]+|<[@#!][^>\s]*>").expect("ignore regex is valid")
});

// Person names: the title must be capitalised and is matched case-sensitively
// so lowercase prose ("mr. fixit") is left alone. "Dr." is absent on purpose:
// clinicians are staff, and thanking them by name is the point of a story.
static NAMED_PERSON: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b(?:Mr|Mrs|Ms|Miss|Mx)(?:\.\s*|\s+)[A-ZÀ-ÖØ-Þ][\w'’\-]*(?:[ \t]+[A-ZÀ-ÖØ-Þ][\w'’\-]*)?",
    )
    .expect("name regex is valid")
});

fn ignored_spans(text: &str) -> Vec<(usize, usize)> {
    IGNORED
        .find_iter(text)
        .map(|m| (m.start(), m.end()))
        .collect()
}

fn accept_as_is(_text: &str, start: usize, end: usize) -> Option<(usize, usize)> {
    Some((start, end))
}

/// "Mr. Smith's daughter" should point at the name, not the possessive.
fn accept_named_person(text: &str, start: usize, end: usize) -> Option<(usize, usize)> {
    let mut span = &text[start..end];
    for suffix in ["'s", "’s", "'", "’", "-"] {
        if let Some(stripped) = span.strip_suffix(suffix) {
            span = stripped;
            break;
        }
    }
    Some((start, start + span.len()))
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

/// Short grouped numbers ("20 123 45") are more often counts or codes than
/// phone numbers; real numbers carry at least nine digits. Without a `+` or
/// an area code in parentheses, grouping alone is weak evidence ("2024 2025
/// 2026", "120 000 000"), so only the North American 3-3-4 shape or a
/// leading trunk `0` ("020 7946 0958") is trusted.
fn accept_phone(text: &str, start: usize, end: usize) -> Option<(usize, usize)> {
    let span = &text[start..end];
    let digits = span.bytes().filter(u8::is_ascii_digit).count();
    if !(9..=15).contains(&digits) {
        return None;
    }
    let grouped = span.contains(|c: char| !c.is_ascii_digit());
    if grouped && !span.starts_with(['+', '(']) {
        let groups: Vec<&str> = span
            .split(|c: char| !c.is_ascii_digit())
            .filter(|g| !g.is_empty())
            .collect();
        let lengths: Vec<usize> = groups.iter().map(|g| g.len()).collect();
        if lengths != [3, 3, 4] && !groups[0].starts_with('0') {
            return None;
        }
    }
    accept_isolated_number(text, start, end)
}

/// Splits a numeric date into its three parts, insisting on one separator
/// style: mixed separators ("3-14/62") are rarely dates.
fn date_parts(span: &str) -> Option<([&str; 3], char)> {
    let sep = span.chars().find(|c| !c.is_ascii_digit())?;
    let mut parts = span.split(sep);
    let parts = [parts.next()?, parts.next()?, parts.next()?];
    if parts
        .iter()
        .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    Some((parts, sep))
}

/// Day-first or month-first (both are common), so either order must form a
/// plausible calendar date. Dotted dates need a four-digit year because
/// "1.2.10" is far more likely a version number than a birthday.
fn accept_day_first_date(text: &str, start: usize, end: usize) -> Option<(usize, usize)> {
    let ([a, b, year], sep) = date_parts(&text[start..end])?;
    let (a, b): (u32, u32) = (a.parse().ok()?, b.parse().ok()?);
    let plausible = a >= 1 && b >= 1 && ((a <= 12 && b <= 31) || (a <= 31 && b <= 12));
    if !plausible || (sep == '.' && year.len() != 4) {
        return None;
    }
    accept_isolated_number(text, start, end)
}

fn accept_year_first_date(text: &str, start: usize, end: usize) -> Option<(usize, usize)> {
    let ([_, month, day], _) = date_parts(&text[start..end])?;
    let (month, day): (u32, u32) = (month.parse().ok()?, day.parse().ok()?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    accept_isolated_number(text, start, end)
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
}
