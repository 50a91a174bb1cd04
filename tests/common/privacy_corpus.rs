//! The frozen privacy corpus of issue 13 (tests/fixtures/privacy/), read
//! and scored in one place for the two that use it: the corpus test
//! (`tests/privacy_corpus.rs`, which asserts the targets) and `bench-privacy`
//! (`bench/privacy.rs`, which also times the guard). Both include this file
//! with `#[path]`, so they score a story the same way.

use alignbot::domain::privacy::KnownPeople;
use serde::Deserialize;

/// One labelled story (`corpus.jsonl`); `kinds` and `voice` are not scored.
#[derive(Deserialize)]
pub struct Story {
    pub id: String,
    /// `tune` or `holdout`.
    pub split: String,
    /// `hold` or `clean`.
    pub label: String,
    pub text: String,
}

#[derive(Deserialize)]
struct Member {
    real_name: String,
    display_name: String,
}

/// Every story, in file order.
pub fn stories() -> Vec<Story> {
    include_str!("../fixtures/privacy/corpus.jsonl")
        .lines()
        .map(|l| serde_json::from_str(l).expect("a corpus line parses"))
        .collect()
}

/// The corpus's directory as the people the bot knows, and how many.
pub fn known_people() -> (KnownPeople, usize) {
    let members: Vec<Member> =
        serde_json::from_str(include_str!("../fixtures/privacy/directory.json"))
            .expect("the directory parses");
    let mut known = KnownPeople::new();
    for m in &members {
        known.add_person(&[&m.real_name, &m.display_name]);
    }
    (known, members.len())
}

/// Held stories among `hold` ones, and among `clean` ones, as counts.
#[derive(Default, Clone, Copy)]
pub struct Tally {
    pub hold: usize,
    pub caught: usize,
    pub clean: usize,
    pub wrongly_held: usize,
}

impl Tally {
    /// Counts `story`, which the guard `held` or not.
    pub fn count(&mut self, story: &Story, held: bool) {
        if story.label == "hold" {
            self.hold += 1;
            self.caught += usize::from(held);
        } else {
            self.clean += 1;
            self.wrongly_held += usize::from(held);
        }
    }

    pub fn add(self, o: Tally) -> Tally {
        Tally {
            hold: self.hold + o.hold,
            caught: self.caught + o.caught,
            clean: self.clean + o.clean,
            wrongly_held: self.wrongly_held + o.wrongly_held,
        }
    }

    /// Stories with identifiers held, in percent (target ≥ 95).
    pub fn recall(&self) -> f64 {
        100.0 * self.caught as f64 / self.hold.max(1) as f64
    }

    /// Clean stories held for nothing, in percent (target ≤ 10).
    pub fn clean_held(&self) -> f64 {
        100.0 * self.wrongly_held as f64 / self.clean.max(1) as f64
    }
}
