//! People's names: after a title ("Mrs. Diallo"), as a capitalized given
//! name and surname ("Maria Gonzalez"), and as a lone first name after a
//! cue that says who the person is ("patient Giuseppe", "her son Tevita").
//!
//! Colleagues are named on purpose, so a name that belongs to one of the
//! [`KnownPeople`] is never a finding: "Sam Osei", "Mrs. Whitfield" and a
//! lone "Connor" after "our student teacher" are all thanks. A pair of
//! capitalized words is only a suspected name when the lexicon knows its
//! first word as a given name or its last as a surname (or a particle such
//! as "de" joins them), and never when it is the name of a place, team or
//! event ("Florence Ward", "Burns Night").

use std::sync::LazyLock;

use regex::Regex;

use super::known::KnownPeople;
use super::text::{Word, fold};
use super::{FindingKind, lexicon};

// Person names: the title must be capitalised and is matched case-sensitively
// so lowercase prose ("mr. fixit") is left alone. "Dr." is absent on purpose:
// clinicians are staff, and thanking them by name is the point of a story.
static NAMED_PERSON: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?-u:\b)(?:Mr|Mrs|Ms|Miss|Mx)(?:\.\s*|\s+)[A-ZÀ-ÖØ-Þ][\w'’\-]*(?:[ \t]+[A-ZÀ-ÖØ-Þ][\w'’\-]*)?",
    )
    .expect("name regex is valid")
});

// A doctor who is not a colleague is named only when the sentence says
// they are a patient ("Dr. Weber, a retired surgeon and our patient").
static DOCTOR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)Dr\.?\s+([A-ZÀ-ÖØ-Þ][\w'’\-]*)").expect("doctor regex is valid")
});

static PATIENT_WORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(?:patient|resident|client)(?-u:\b)").expect("patient regex is valid")
});

/// How far after a doctor's name "patient" may come.
const PATIENT_REACH: usize = 60;

/// Words after which a lone capitalized word is a person who is not staff.
#[rustfmt::skip]
const CUES: &[&str] = &[
    "patient", "resident", "student", "pupil", "client", "son", "daughter", "grandson",
    "granddaughter", "husband", "wife", "nephew", "niece", "boy", "girl", "baby", "toddler",
    "child",
];

/// Verbs that make the capitalized pair before them someone doing
/// something ("Eero Virtanen fell behind"), for names no lexicon knows.
#[rustfmt::skip]
const PERSON_VERBS: &[&str] = &[
    "has", "had", "is", "was", "fell", "asked", "told", "said", "lives", "lived", "wrote",
    "sent", "came", "went", "died", "passed", "needed", "wanted", "turned", "got", "loves",
    "loved", "hadn't", "couldn't", "didn't", "can't", "isn't", "wasn't", "smiled", "cried",
    "laughed", "walked", "gave", "brought", "rang", "thanked", "hugged", "sang",
];

/// Lower-case words that join a given name to a surname.
#[rustfmt::skip]
const PARTICLES: &[&str] = &[
    "de", "del", "della", "der", "den", "van", "von", "da", "das", "dos", "du", "di", "la",
    "le", "bin", "ibn", "ter", "ten", "al", "el",
];

pub(super) fn find(
    text: &str,
    words: &[Word<'_>],
    known: &KnownPeople,
    mut push: impl FnMut(FindingKind, usize, usize),
) {
    titled(text, known, &mut push);
    pairs(text, words, known, &mut push);
    cued(text, words, known, &mut push);
}

fn titled(text: &str, known: &KnownPeople, push: &mut impl FnMut(FindingKind, usize, usize)) {
    for m in NAMED_PERSON.find_iter(text) {
        let span = trim_possessive(m.as_str());
        let colleague = span
            .split(|c: char| c.is_whitespace() || c == '.')
            .skip(1)
            .filter(|w| !w.is_empty())
            .any(|w| known.has_surname(&fold(w)));
        if !colleague {
            push(FindingKind::NamedPerson, m.start(), m.start() + span.len());
        }
    }
    if known.is_empty() {
        return;
    }
    for c in DOCTOR.captures_iter(text) {
        let (Some(all), Some(surname)) = (c.get(0), c.get(1)) else {
            continue;
        };
        let Some(patient) = PATIENT_WORD.find_at(text, surname.end()) else {
            continue;
        };
        let gap = &text[surname.end()..patient.start()];
        if gap.len() > PATIENT_REACH || gap.contains(['.', '!', '?', '\n']) {
            continue;
        }
        if !known.has_surname(&fold(surname.as_str())) {
            let end = surname.start() + trim_possessive(surname.as_str()).len();
            push(FindingKind::NamedPerson, all.start(), end);
        }
    }
}

/// "Mr. Smith's daughter" should point at the name, not the possessive.
fn trim_possessive(span: &str) -> &str {
    for suffix in ["'s", "’s", "'", "’", "-"] {
        if let Some(stripped) = span.strip_suffix(suffix) {
            return stripped;
        }
    }
    span
}

/// Runs of capitalized words separated by single spaces (a particle may
/// sit inside), cut at common words; each piece of two or three names is a
/// candidate.
fn pairs(
    text: &str,
    words: &[Word<'_>],
    known: &KnownPeople,
    push: &mut impl FnMut(FindingKind, usize, usize),
) {
    let mut i = 0;
    while i < words.len() {
        if !words[i].is_capitalized() {
            i += 1;
            continue;
        }
        let mut run = vec![i];
        let mut j = i;
        while !words[j].is_possessive() && j + 1 < words.len() {
            let next = &words[j + 1];
            if &text[words[j].end..next.start] != " " {
                break;
            }
            if next.is_capitalized() {
                run.push(j + 1);
                j += 1;
            } else if PARTICLES.contains(&next.text)
                && j + 2 < words.len()
                && &text[next.end..words[j + 2].start] == " "
                && words[j + 2].is_capitalized()
            {
                run.extend([j + 1, j + 2]);
                j += 2;
            } else {
                break;
            }
        }
        i = j + 1;
        let verb_after = !words[j].is_possessive()
            && words.get(j + 1).is_some_and(|w| {
                &text[words[j].end..w.start] == " " && PERSON_VERBS.contains(&w.text)
            });

        let folded: Vec<String> = run.iter().map(|&k| fold(words[k].text)).collect();
        if folded.iter().any(|w| lexicon::is_institution_word(w)) {
            continue;
        }
        for piece in run
            .iter()
            .zip(&folded)
            .collect::<Vec<_>>()
            .split(|(_, f)| lexicon::is_common_word(f))
        {
            let names = piece
                .iter()
                .filter(|(k, _)| words[**k].is_capitalized())
                .count();
            if !(2..=3).contains(&names) {
                continue;
            }
            let (first, last) = (piece[0], piece[piece.len() - 1]);
            let particle = piece.len() > names;
            let colleague = piece.iter().any(|(_, given)| known.is_pair(given, last.1));
            let ends_run = *last.0 == j;
            let name_like = lexicon::is_given_name(first.1)
                || lexicon::is_surname(last.1)
                || particle
                || (ends_run && verb_after);
            if name_like && !colleague {
                let last_word = &words[*last.0];
                push(
                    FindingKind::PersonName,
                    words[*first.0].start,
                    last_word.start + last_word.stem().len(),
                );
            }
        }
    }
}

/// "Patient Giuseppe", "her son Tevita", "A patient, Hiroshi,".
fn cued(
    text: &str,
    words: &[Word<'_>],
    known: &KnownPeople,
    push: &mut impl FnMut(FindingKind, usize, usize),
) {
    for pair in words.windows(2) {
        let (cue, name) = (&pair[0], &pair[1]);
        if !CUES.contains(&fold(cue.text).as_str()) || !name.is_capitalized() {
            continue;
        }
        if !matches!(&text[cue.end..name.start], " " | ", ") {
            continue;
        }
        let folded = fold(name.text);
        if lexicon::is_common_word(&folded)
            || lexicon::is_institution_word(&folded)
            || known.has_word(&folded)
        {
            continue;
        }
        push(
            FindingKind::PersonName,
            name.start,
            name.start + name.stem().len(),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::domain::privacy::{FindingKind, KnownPeople, scan_with};

    fn staff() -> KnownPeople {
        KnownPeople::new()
            .with_person(&["Samuel Osei", "Sam"])
            .with_person(&["Sarah Whitfield", "Sarah"])
            .with_person(&["Connor Walsh", "Connor"])
            .with_person(&["Priya Natarajan", "Priya"])
    }

    fn names(text: &str) -> Vec<String> {
        scan_with(text, &staff())
            .into_iter()
            .filter(|f| matches!(f.kind, FindingKind::PersonName | FindingKind::NamedPerson))
            .map(|f| f.excerpt)
            .collect()
    }

    #[test]
    fn a_strangers_name_without_a_title_is_found() {
        assert_eq!(names("Maria Gonzalez smiled at Priya."), ["Maria Gonzalez"]);
        assert_eq!(names("When Yuki Sato's family came"), ["Yuki Sato"]);
        assert_eq!(names("Anneke de Vries was widowed"), ["Anneke de Vries"]);
        assert_eq!(names("Kwame Boateng walked"), ["Kwame Boateng"]);
    }

    #[test]
    fn a_lone_first_name_after_a_cue_is_found() {
        assert_eq!(names("Patient Giuseppe said grazie"), ["Giuseppe"]);
        assert_eq!(names("Her son Tevita came"), ["Tevita"]);
        assert_eq!(names("A patient, Hiroshi, was lost"), ["Hiroshi"]);
    }

    #[test]
    fn colleagues_places_and_events_are_not_names() {
        for text in [
            "Sam Osei ran our first Schwartz Round.",
            "Mrs. Whitfield stands at the gate.",
            "Our student teacher Connor ran three sessions.",
            "Florence Ward hit 100 days, said the Mary Seacole Unit.",
            "Burns Night at Heather Court was loud.",
            "The Patient Advice and Liaison Service answered.",
            "Grace under pressure, and Hope is part of the plan.",
        ] {
            assert_eq!(names(text), Vec::<String>::new(), "{text:?}");
        }
    }

    #[test]
    fn a_doctor_who_is_a_patient_is_found_and_a_colleague_doctor_is_not() {
        assert_eq!(
            names("Dr. Weber, a retired surgeon and our patient, smiled."),
            ["Dr. Weber"]
        );
        assert_eq!(names("Dr. Osei saw our patient."), Vec::<String>::new());
    }
}
