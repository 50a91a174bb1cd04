//! Dates that may belong to a person: dates with a year (often a date of
//! birth), a birth phrase ("DOB", "born on") with any date, and dates tied
//! to a person by an event (admitted, discharged, died, went home) even
//! without a year: "admitted on March 3rd" dates a patient's stay.
//!
//! A date on its own ("On March 3 we opened the new unit") is not personal,
//! so a date without a year needs one of those events in front of it.

use std::sync::LazyLock;

use regex::Regex;

use super::{Detector, FindingKind, accept_as_is, accept_isolated_number};

pub(super) fn detectors() -> [Detector; 6] {
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
        (FindingKind::PersonDate, &EVENT, accept_event_date),
    ]
}

// Month names are shared by several patterns; a dot after an abbreviation
// ("Sept.") is allowed by the patterns that use this.
const MONTH: &str = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)";
const ORDINAL: &str = r"(?:st|nd|rd|th)?";
const YEAR: &str = r"(?:[0-9]{4}|'[0-9]{2})";

/// A looser date used only right after a birth-date phrase, where even a
/// date without a year is clearly personal.
fn date_after_phrase() -> String {
    format!(
        r"(?:[0-9]{{1,4}}[/.\-][0-9]{{1,2}}(?:[/.\-][0-9]{{2,4}})?(?-u:\b)|{MONTH}\.?\s+[0-9]{{1,2}}{ORDINAL}(?-u:\b)(?:,?\s+{YEAR}(?-u:\b))?|(?:the\s+)?[0-9]{{1,2}}{ORDINAL}\s+(?:of\s+)?{MONTH}(?-u:\b)\.?(?:,?\s+{YEAR}(?-u:\b))?)"
    )
}

static DOB_PHRASE: LazyLock<Regex> = LazyLock::new(|| {
    let date = date_after_phrase();
    Regex::new(&format!(
        r"(?i)(?-u:\b)(?:dob(?-u:\b)|d\.o\.b(?-u:\b)\.?|date\s+of\s+birth(?-u:\b))(?:\s*(?:[:\-]|is(?-u:\b)|was(?-u:\b))?\s*{date})?"
    ))
    .expect("DOB phrase regex is valid")
});

// "born on" alone is too common ("born on the ward", "an idea born on a
// night shift") so a date must follow.
static BORN_ON: LazyLock<Regex> = LazyLock::new(|| {
    let date = date_after_phrase();
    Regex::new(&format!(r"(?i)(?-u:\b)born\s+on\s+{date}")).expect("born-on regex is valid")
});

static NUMERIC_DATE_DAY_FIRST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)[0-9]{1,2}[/.\-][0-9]{1,2}[/.\-](?:[0-9]{4}|[0-9]{2})(?-u:\b)")
        .expect("date regex is valid")
});

static NUMERIC_DATE_YEAR_FIRST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)[0-9]{4}[/.\-][0-9]{1,2}[/.\-][0-9]{1,2}(?-u:\b)")
        .expect("date regex is valid")
});

static MONTH_NAME_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)(?-u:\b)(?:{MONTH}\.?\s+[0-9]{{1,2}}{ORDINAL},?\s+{YEAR}|[0-9]{{1,2}}{ORDINAL}\s+(?:of\s+)?{MONTH}(?-u:\b)\.?,?\s+{YEAR})(?-u:\b)"
    ))
    .expect("month-name date regex is valid")
});

// An event of a person's life or stay, then (within the same sentence) "on"
// a day: "admitted to HDU on 14 January", "went home on New Year's Eve",
// "birthday is 4 June". Starting a job or a system going live is not on the
// list: those dates are about colleagues and projects. The day is looked for
// in code (`accept_event_date`) rather than with a bounded gap in the
// pattern, which would make the regex engine fall back to a slow path.
static EVENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?-u:\b)(?:admitted|admission|readmitted|discharged|discharge|born|birthday|died|death|passed\s+away|went\s+home|sent\s+home|came\s+(?:in|to\s+us|home)|placed|adopted|widowed|fostered|funeral|buried)(?-u:\b)",
    )
    .expect("event regex is valid")
});

static EVENT_DAY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)(?-u:\b)(?:on|is|was)\s+(?:the\s+)?(?:[0-9]{{1,2}}{ORDINAL}\s+(?:of\s+)?{MONTH}(?-u:\b)|{MONTH}\.?\s+[0-9]{{1,2}}{ORDINAL}(?-u:\b)|boxing\s+day|christmas\s+(?:eve|day)|new\s+year['’]?s\s+(?:eve|day)|easter\s+(?:sunday|monday)|good\s+friday|valentine['’]?s\s+day|thanksgiving|halloween)"
    ))
    .expect("event day regex is valid")
});

/// How far after the event word its day may start.
const EVENT_REACH: usize = 40;

fn accept_event_date(text: &str, start: usize, end: usize) -> Option<(usize, usize)> {
    let day = EVENT_DAY.find_at(text, end)?;
    let gap = &text[end..day.start()];
    if gap.len() > EVENT_REACH || gap.contains(['.', '!', '?', '\n']) {
        return None;
    }
    Some((start, day.end()))
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
    use crate::domain::privacy::{FindingKind, scan};

    #[test]
    fn an_event_of_a_persons_stay_dates_them_even_without_a_year() {
        for (text, excerpt) in [
            (
                "He was admitted on March 3rd and sang",
                "admitted on March 3rd",
            ),
            (
                "discharged on 12 April after 61 days",
                "discharged on 12 April",
            ),
            (
                "came in on Boxing Day and went home",
                "came in on Boxing Day",
            ),
            ("Her birthday is 4 June.", "birthday is 4 June"),
        ] {
            let found = scan(text);
            assert!(
                found
                    .iter()
                    .any(|f| f.kind == FindingKind::PersonDate && f.excerpt == excerpt),
                "{text:?}: {found:?}"
            );
        }
    }

    #[test]
    fn a_date_of_a_project_or_a_colleague_is_not_tied_to_a_person() {
        for text in [
            "On 14 January we opened the new unit.",
            "Since 1 March our clients can book online.",
            "The phone system went live on 1 October.",
        ] {
            assert_eq!(scan(text), vec![], "{text:?}");
        }
    }
}
