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

use alignbot::domain::privacy::scan_with;

#[path = "common/privacy_corpus.rs"]
mod corpus;

use corpus::Tally;

#[test]
fn the_guard_holds_at_least_95_percent_of_personal_stories_and_at_most_10_percent_of_clean_ones() {
    let (known, _) = corpus::known_people();
    let stories = corpus::stories();
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
        tally.count(story, held);
        if story.split == "tune" && held != (story.label == "hold") {
            let why: Vec<String> = findings
                .iter()
                .map(|f| format!("{:?} {:?}", f.kind, f.excerpt))
                .collect();
            misses.push(format!("{} {}: {}", story.id, story.label, why.join("; ")));
        }
    }
    let all = tune.add(holdout);
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
