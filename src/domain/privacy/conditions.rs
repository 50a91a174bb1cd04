//! Health conditions: diagnoses, procedures and medication.
//!
//! A condition alone identifies nobody ("our Diabetes Awareness Week
//! stall"); next to a name, an age or a place it is what turns a story into
//! a medical record. So the guard reports a condition only in a sentence
//! that already identifies someone, and the author is told which words made
//! the story personal.

use std::sync::LazyLock;

use regex::Regex;

static CONDITION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)(?-u:\b)(?:strokes?|dementia|alzheimer['’]?s|parkinson['’]?s|huntington['’]?s|cancer|tumou?rs?|",
        r"leuka?emia|lymphoma|chemo(?:therapy)?|radiotherapy|dialysis|diabet(?:es|ic)|insulin(?:\s+pump|\s+pens?)?|",
        r"epilep(?:sy|tic)|seizures?|asthma|copd|emphysema|heart\s+(?:failure|attack|valve(?:\s+problem)?|condition|surgery)|",
        r"cardiac\s+arrest|pacemaker|tracheostomy|amputat[a-z]*|biops(?:y|ies)|meningitis|sepsis|pneumonia|covid(?:-19)?|",
        r"hiv|hepatitis|tuberculosis|schizophreni[a-z]*|bipolar|depression|psychosis|ptsd|adhd|autis[a-z]*|dyslexi[a-z]*|",
        r"dyspraxia|cerebral\s+palsy|cystic\s+fibrosis|multiple\s+sclerosis|motor\s+neuron[e]?\s+disease|",
        r"down['’]?s?\s+syndrome|spina\s+bifida|(?:hip|knee|joint)\s+replacement|(?:[a-z]+\s+)?surgery|operation|transplant|",
        r"kidney|liver|fractured?|broken\s+(?:arm|leg|hip|wrist|ankle|neck|back|collarbone)|feeding\s+tube|",
        r"peg\s+tube|stoma|catheter|ventilator|methadone|morphine|opioids?|heroin|addiction|overdose|",
        r"alcohol(?:ism|\s+recovery|\s+dependency)?|rehab|self[\s\-]harm[a-z]*|suicid[a-z]*|eating\s+disorder|anorexia|",
        r"bulimia|pregnan[a-z]*|miscarriage|stillbirth|remission|terminally\s+ill|palliative|end\s+of\s+life|",
        r"allerg[a-z]*|epipen|anaphyla[a-z]*|hearing\s+aid|delirium|infection|diagnos[a-z]*|",
        r"[a-z]+(?:itis|ectomy|otomy|ostomy|oscopy|oplasty))(?-u:\b)",
        r"|(?-u:\b)MS(?-u:\b)"
    ))
    .expect("condition regex is valid")
});

/// Every condition word in `text`; the caller keeps those in a sentence
/// that identifies someone.
pub(super) fn spans(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    CONDITION.find_iter(text).map(|m| (m.start(), m.end()))
}

#[cfg(test)]
mod tests {
    use crate::domain::privacy::{FindingKind, scan};

    fn conditions(text: &str) -> Vec<String> {
        scan(text)
            .into_iter()
            .filter(|f| f.kind == FindingKind::Condition)
            .map(|f| f.excerpt)
            .collect()
    }

    #[test]
    fn a_condition_next_to_an_identifier_is_found() {
        assert_eq!(
            conditions("Mr. Okonkwo's heart valve problem was found. He smiled."),
            ["heart valve problem"]
        );
        assert_eq!(
            conditions("A 96-year-old with heart failure said no."),
            ["heart failure"]
        );
        assert_eq!(
            conditions("The man in bed 2 had a new pacemaker."),
            ["pacemaker"]
        );
    }

    #[test]
    fn a_condition_alone_is_not_a_finding() {
        assert_eq!(
            conditions(
                "Fourteen patients had their feet checked at our Diabetes Awareness Week stall."
            ),
            Vec::<String>::new()
        );
        assert_eq!(
            conditions("Our stroke service is ten, and Nadia has been there since day one."),
            Vec::<String>::new()
        );
    }
}
