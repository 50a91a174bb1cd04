//! The privacy guard measured on the frozen, labelled corpus of issue 13
//! (tests/fixtures/privacy/): the share of stories with identifiers that it
//! holds (recall, target ≥ 95%) and the share of clean stories it holds for
//! nothing (target ≤ 10%), given the corpus's directory as the people the
//! bot knows.
//!
//! Both splits are printed; the targets are asserted on the whole corpus.
//! The holdout third was never looked at while tuning, so its figure is the
//! honest estimate of how the guard does on stories nobody tuned it for.
//! Failing stories are listed only for the `tune` split, for the same
//! reason. Run with `cargo test --test privacy_corpus -- --nocapture`.

use alignbot::domain::privacy::{KnownPeople, scan_with};
use serde::Deserialize;

#[derive(Deserialize)]
struct Story {
    id: String,
    split: String,
    label: String,
    text: String,
}

#[derive(Deserialize)]
struct Member {
    real_name: String,
    display_name: String,
}

fn known() -> KnownPeople {
    let members: Vec<Member> =
        serde_json::from_str(include_str!("fixtures/privacy/directory.json")).unwrap();
    let mut known = KnownPeople::new();
    for m in &members {
        known.add_person(&[&m.real_name, &m.display_name]);
    }
    known
}

fn corpus() -> Vec<Story> {
    include_str!("fixtures/privacy/corpus.jsonl")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Held stories among `hold` ones, and among `clean` ones, as counts.
#[derive(Default)]
struct Tally {
    hold: usize,
    caught: usize,
    clean: usize,
    wrongly_held: usize,
}

impl Tally {
    fn recall(&self) -> f64 {
        100.0 * self.caught as f64 / self.hold.max(1) as f64
    }
    fn clean_held(&self) -> f64 {
        100.0 * self.wrongly_held as f64 / self.clean.max(1) as f64
    }
}

#[test]
fn the_guard_holds_at_least_95_percent_of_personal_stories_and_at_most_10_percent_of_clean_ones() {
    let known = known();
    let stories = corpus();
    assert_eq!(stories.len(), 360, "the frozen corpus v1");
    let (mut tune, mut holdout) = (Tally::default(), Tally::default());
    let mut misses = Vec::new();
    for story in &stories {
        let findings = scan_with(&story.text, &known);
        let held = !findings.is_empty();
        let tally = if story.split == "tune" {
            &mut tune
        } else {
            &mut holdout
        };
        if story.label == "hold" {
            tally.hold += 1;
            tally.caught += usize::from(held);
        } else {
            tally.clean += 1;
            tally.wrongly_held += usize::from(held);
        }
        if story.split == "tune" && held != (story.label == "hold") {
            let why: Vec<String> = findings
                .iter()
                .map(|f| format!("{:?} {:?}", f.kind, f.excerpt))
                .collect();
            misses.push(format!("{} {}: {}", story.id, story.label, why.join("; ")));
        }
    }
    let all = Tally {
        hold: tune.hold + holdout.hold,
        caught: tune.caught + holdout.caught,
        clean: tune.clean + holdout.clean,
        wrongly_held: tune.wrongly_held + holdout.wrongly_held,
    };
    for (name, t) in [("tune", &tune), ("holdout", &holdout), ("all", &all)] {
        println!(
            "{name:8} recall {:5.1}% ({}/{})  clean held {:4.1}% ({}/{})",
            t.recall(),
            t.caught,
            t.hold,
            t.clean_held(),
            t.wrongly_held,
            t.clean
        );
    }
    for m in &misses {
        println!("tune miss: {m}");
    }
    assert!(all.recall() >= 95.0, "recall {:.1}%", all.recall());
    assert!(
        all.clean_held() <= 10.0,
        "clean held {:.1}%",
        all.clean_held()
    );
}
