//! The people the bot knows: a story may name them.
//!
//! Recognition is the point of a mission moment, so a colleague's name must
//! never hold a story, while the same shape ("Maria Gonzalez") from outside
//! the organization must. The guard is given the names the bot has for its
//! people (the org's admins, leaders and members; the display and real
//! names cached from the platform) and treats a first name with a surname
//! of the *same* person as a colleague: "Sam Osei" is one, "Grace Murphy"
//! (a first name of one colleague and the surname of another) is not.

use std::collections::HashSet;

use super::text::{fold, words};

/// Names of the people the bot knows, folded for look-up.
#[derive(Debug, Clone, Default)]
pub struct KnownPeople {
    /// "given surname" of one person, folded.
    pairs: HashSet<(String, String)>,
    /// Every word of every known name: a lone "Priya" after a cue is a
    /// colleague.
    words: HashSet<String>,
    /// Surnames alone: "Mrs. Whitfield" is the teacher Sarah Whitfield.
    surnames: HashSet<String>,
}

impl KnownPeople {
    /// Nobody known: every name is a stranger's.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one person by all the names the bot has for them (real name,
    /// display name, …). Empty names are ignored.
    pub fn add_person<S: AsRef<str>>(&mut self, names: &[S]) {
        let mut given = Vec::new();
        let mut family = Vec::new();
        for name in names {
            let parts: Vec<String> = words(name.as_ref()).iter().map(|w| fold(w.text)).collect();
            let Some((first, rest)) = parts.split_first() else {
                continue;
            };
            given.push(first.clone());
            family.extend(rest.iter().cloned());
            self.words.extend(parts.iter().cloned());
        }
        for g in &given {
            for f in &family {
                self.pairs.insert((g.clone(), f.clone()));
            }
        }
        self.surnames.extend(family);
    }

    /// Builder form of [`KnownPeople::add_person`].
    pub fn with_person<S: AsRef<str>>(mut self, names: &[S]) -> Self {
        self.add_person(names);
        self
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// `given` and `family` (folded) are one known person's names.
    pub(super) fn is_pair(&self, given: &str, family: &str) -> bool {
        self.pairs.contains(&(given.to_owned(), family.to_owned()))
    }

    /// `word` (folded) is part of some known person's name.
    pub(super) fn has_word(&self, word: &str) -> bool {
        self.words.contains(word)
    }

    /// `word` (folded) is some known person's surname.
    pub(super) fn has_surname(&self, word: &str) -> bool {
        self.surnames.contains(word)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_first_name_goes_with_the_same_persons_surname_only() {
        let known = KnownPeople::new()
            .with_person(&["Samuel Osei", "Sam"])
            .with_person(&["Grace O'Connor", "Grace"])
            .with_person(&["Siobhan Murphy"]);
        assert!(known.is_pair("sam", "osei"));
        assert!(known.is_pair("samuel", "osei"));
        assert!(known.is_pair("grace", "oconnor"));
        assert!(!known.is_pair("grace", "murphy"));
        assert!(known.has_word("siobhan") && known.has_surname("murphy"));
        assert!(!known.has_surname("grace"));
    }
}
