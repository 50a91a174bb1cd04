//! Ages of people: "82-year-old", "aged 82", "an 82 y/o", "Maria, 82,",
//! "turned seven", and any age over 89 (HIPAA Safe Harbor lists those on
//! their own, because few people are that old).
//!
//! Buildings, firms and services have ages too ("a 40-year-old building",
//! "our firm is 40 years old"), so "N-year-old" counts only before a
//! person or a clause about one ("a 13-year-old with", "the 86-year-old
//! from"), and "Name, 20 years a nurse" is a colleague's service, not an
//! age.

use std::sync::LazyLock;

use regex::Regex;

use super::{Detector, FindingKind, lexicon, text::fold};

pub(super) fn detectors() -> [Detector; 5] {
    [
        (FindingKind::Age, &YEAR_OLD, accept_year_old),
        (FindingKind::Age, &AGED, accept_age_number),
        (FindingKind::Age, &NAME_COMMA_AGE, accept_name_comma_age),
        (FindingKind::Age, &TURNED, accept_turned),
        (FindingKind::Age, &IS_OVER_89, accept_over_89),
    ]
}

const NUMBER_WORD: &str = r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[\s\-](?:one|two|three|four|five|six|seven|eight|nine))?";

static YEAR_OLD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)(?-u:\b)(?:[0-9]{{1,3}}|{NUMBER_WORD})(?:[\s\-]+(?:years?|yrs?)[\s\-]+old(?-u:\b)|\s?(?:y/o|y\.o\.|yo)(?-u:\b))"
    ))
    .expect("year-old regex is valid")
});

static AGED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)(?-u:\b)(?:aged|age)\s+(?:[0-9]{{1,3}}|{NUMBER_WORD})(?-u:\b)"
    ))
    .expect("aged regex is valid")
});

// "Maria Gonzalez, 82," / "Student Dev, 11" — a capitalized word, a comma
// and a small number; what follows is checked in `accept_name_comma_age`.
static NAME_COMMA_AGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[A-ZÀ-ÖØ-Þ][\w'’\-]*\.?,\s[0-9]{1,3}(?-u:\b)").expect("name-age regex is valid")
});

static TURNED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)(?-u:\b)(?:turned|turns|turning)\s+(?:[0-9]{{1,3}}|{NUMBER_WORD})(?-u:\b)"
    ))
    .expect("turned regex is valid")
});

static IS_OVER_89: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(?:is|was|now|at|reached)\s+(?:9[0-9]|1[01][0-9])(?-u:\b)")
        .expect("over-89 regex is valid")
});

/// What may follow "N-year-old" when N is a person's age.
#[rustfmt::skip]
const PERSON_AFTER_AGE: &[&str] = &[
    "man", "woman", "gentleman", "gent", "lady", "boy", "girl", "patient", "resident", "client",
    "student", "pupil", "child", "kid", "baby", "toddler", "teenager", "teen", "son",
    "daughter", "mother", "father", "mum", "mom", "dad", "grandmother", "grandfather",
    "grandma", "grandad", "granny", "widow", "widower", "veteran", "pensioner", "carer",
    "person", "husband", "wife", "partner", "twin", "twins", "brother", "sister", "nephew",
    "niece", "grandson", "granddaughter", "mother-of", "father-of", "dad-of", "mum-of", "who",
    "with", "from", "in", "on", "at", "whose", "living", "had", "has", "was", "is", "told",
    "said", "asked", "came", "rang", "called", "walked", "arrived", "refugee", "survivor",
    "volunteer", "care",
];

fn next_word(text: &str, end: usize) -> String {
    let rest = text[end..].trim_start_matches([' ', '\t']);
    let word: String = rest
        .chars()
        .take_while(|c| c.is_alphabetic() || *c == '-')
        .collect();
    word.to_lowercase()
}

fn number_value(span: &str) -> Option<u32> {
    let digits: String = span
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

fn accept_year_old(text: &str, start: usize, end: usize) -> Option<(usize, usize)> {
    let n = number_value(&text[start..end]);
    if n.is_some_and(|n| n > 119) {
        return None;
    }
    // Safe Harbor: any age over 89, whatever follows.
    if n.is_some_and(|n| n > 89) {
        return Some((start, end));
    }
    let after = text[end..].trim_start_matches([' ', '\t']);
    let next = next_word(text, end);
    let person = PERSON_AFTER_AGE.contains(&next.as_str())
        || after.starts_with([',', '.', ';', ')', '!', '?'])
        || after.is_empty();
    person.then_some((start, end))
}

fn accept_age_number(text: &str, start: usize, end: usize) -> Option<(usize, usize)> {
    if number_value(&text[start..end]).is_some_and(|n| n > 119) {
        return None;
    }
    let after = text[end..].chars().next();
    (!after.is_some_and(|c| c == '%' || c == '-')).then_some((start, end))
}

/// "Maria Gonzalez, 82," — the number is an age when it stands alone (a
/// comma, a full stop, a bracket or a clause after it), and the word before
/// is not a colleague's name or a common word ("May, 30 people").
fn accept_name_comma_age(text: &str, start: usize, end: usize) -> Option<(usize, usize)> {
    let span = &text[start..end];
    let (word, number) = span.split_once(',')?;
    let folded = fold(word.trim_end_matches('.'));
    if lexicon::is_common_word(&folded) || lexicon::is_institution_word(&folded) {
        return None;
    }
    let n = number_value(number)?;
    if n > 119 {
        return None;
    }
    let after = &text[end..];
    let next = next_word(text, end);
    let stands_alone = after.starts_with([',', '.', ';', ')'])
        && !after.starts_with(",0")
        && !after[1..].starts_with(|c: char| c.is_ascii_digit());
    let clause = matches!(
        next.as_str(),
        "who" | "and" | "from" | "in" | "on" | "at" | "with" | "has" | "had" | "was" | "is"
    ) && after.starts_with(' ');
    if !(stands_alone || clause) {
        return None;
    }
    let number_start = start + word.len() + 1 + number.len() - number.trim_start().len();
    Some((number_start, end))
}

/// "turned seven", "turns 100": a birthday, unless it is a thing's
/// anniversary ("the service turned 10 years old").
fn accept_turned(text: &str, start: usize, end: usize) -> Option<(usize, usize)> {
    let n = number_value(&text[start..end]);
    let after = text[end..].trim_start_matches([' ', '\t']).to_lowercase();
    if after.starts_with('%') || after.starts_with("per") {
        return None;
    }
    if after.starts_with("year") && n.is_none_or(|n| n <= 89) {
        return None;
    }
    Some((start, end))
}

fn accept_over_89(text: &str, start: usize, end: usize) -> Option<(usize, usize)> {
    let after = &text[end..];
    let next = next_word(text, end);
    let alone = after.is_empty()
        || after.starts_with([',', '.', ';', '!', '?', ')'])
        || matches!(
            next.as_str(),
            "and" | "but" | "today" | "this" | "now" | "years"
        );
    let not_quantity = !after.starts_with(['%', '.', ',']) || {
        let mut chars = after.chars();
        chars.next();
        !chars.next().is_some_and(|c| c.is_ascii_digit())
    };
    (alone && not_quantity).then(|| {
        (
            start
                + text[start..end]
                    .find(|c: char| c.is_ascii_digit())
                    .unwrap_or(0),
            end,
        )
    })
}

#[cfg(test)]
mod tests {
    use crate::domain::privacy::{FindingKind, scan};

    fn ages(text: &str) -> Vec<String> {
        scan(text)
            .into_iter()
            .filter(|f| f.kind == FindingKind::Age)
            .map(|f| f.excerpt)
            .collect()
    }

    #[test]
    fn ages_of_people_in_every_form_are_found() {
        assert_eq!(ages("The 94-year-old gentleman sang"), ["94-year-old"]);
        assert_eq!(ages("A 13-year-old with an allergy"), ["13-year-old"]);
        assert_eq!(ages("She is aged 82 and"), ["aged 82"]);
        assert_eq!(ages("an 82 y/o on the ward"), ["82 y/o"]);
        assert_eq!(ages("Maria Gonzalez, 82, on the ward"), ["82"]);
        assert_eq!(ages("Student Dev, 11 asked"), Vec::<String>::new());
        assert_eq!(ages("Student Dev, 11, asked"), ["11"]);
        assert_eq!(ages("she turned seven last week"), ["turned seven"]);
        assert_eq!(ages("Our oldest resident is 104."), ["104"]);
    }

    #[test]
    fn ages_of_things_and_colleagues_years_of_service_are_not() {
        for text in [
            "Our ward is in a 40-year-old building.",
            "Our home is a 120-year-old vicarage.",
            "Our firm is 40 years old this year.",
            "Aisha, 20 years a nurse this month, taught us.",
            "Our stroke service turned 10 years old this month.",
            "Over 90 families came, and 94% said yes.",
            "In May, 30 people came.",
        ] {
            assert_eq!(ages(text), Vec::<String>::new(), "{text:?}");
        }
    }
}
