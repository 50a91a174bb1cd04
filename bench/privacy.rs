//! `bench-privacy`: the privacy guard on the frozen corpus of issue 13.
//!
//! What is measured: the guard (`scan_with`, given the corpus's 42-member
//! directory as the people the bot knows) over every story of
//! tests/fixtures/privacy/corpus.jsonl. Quality: recall on the stories
//! labelled `hold` (held = at least one finding) and the share of `clean`
//! stories held, for the `tune` split, the untouched `holdout` split and
//! both. Speed: the guard's own time per story, alone (no request around
//! it), over many passes of the corpus after one warm-up pass that compiles
//! the patterns and loads the lexicon (whose one-time cost is reported
//! separately), as p50, p99 and max.
//!
//! Reproduce: `cargo run --release --bin bench-privacy` (`-- --passes N`).

use std::process::ExitCode;
use std::time::{Duration, Instant};

use alignbot::domain::privacy::scan_with;
use clap::Parser;

#[derive(Debug, Parser)]
#[command(about = "Privacy guard: recall, clean stories held, and time per story on the corpus")]
struct Args {
    /// Timed passes over the whole corpus.
    #[arg(long, default_value_t = 200)]
    passes: usize,
}

#[path = "../tests/common/privacy_corpus.rs"]
mod corpus;

use corpus::Tally;

fn main() -> ExitCode {
    let args = Args::parse();
    let stories = corpus::stories();
    let (known, members) = corpus::known_people();

    // First call: compiles every pattern and loads the lexicon.
    let cold = Instant::now();
    scan_with(&stories[0].text, &known);
    let cold = cold.elapsed();

    let (mut tune, mut holdout) = (Tally::default(), Tally::default());
    for s in &stories {
        let held = !scan_with(&s.text, &known).is_empty();
        let t = if s.split == "tune" {
            &mut tune
        } else {
            &mut holdout
        };
        t.count(s, held);
    }
    let all = tune.add(holdout);

    let mut times: Vec<Duration> = Vec::with_capacity(args.passes * stories.len());
    let mut by_story: Vec<Vec<Duration>> = vec![Vec::with_capacity(args.passes); stories.len()];
    for _ in 0..args.passes {
        for (i, s) in stories.iter().enumerate() {
            let start = Instant::now();
            let findings = scan_with(&s.text, &known);
            let took = start.elapsed();
            times.push(took);
            by_story[i].push(took);
            std::hint::black_box(findings);
        }
    }
    times.sort_unstable();
    // A story's median over the passes is its own cost; the spread above it
    // is the machine (other processes taking the CPU mid-scan).
    let (slowest, slowest_median) = by_story
        .iter_mut()
        .enumerate()
        .map(|(i, t)| {
            t.sort_unstable();
            (i, t[t.len() / 2])
        })
        .max_by_key(|&(_, m)| m)
        .expect("at least one story");
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    let us = |d: Duration| d.as_secs_f64() * 1e6;

    println!(
        "corpus: {} stories, {} directory members",
        stories.len(),
        members
    );
    println!("| split | recall on `hold` | `clean` held |");
    println!("|---|---|---|");
    for (name, t) in [("tune", tune), ("holdout", holdout), ("all", all)] {
        println!(
            "| {name} | {:.1}% ({}/{}) | {:.1}% ({}/{}) |",
            t.recall(),
            t.caught,
            t.hold,
            t.clean_held(),
            t.wrongly_held,
            t.clean
        );
    }
    println!();
    println!(
        "time per story over {} scans ({} passes): p50 {:.1} µs, p99 {:.1} µs, max {:.1} µs; first call (patterns + lexicon) {:.1} ms",
        times.len(),
        args.passes,
        us(at(0.5)),
        us(at(0.99)),
        us(*times.last().expect("at least one scan")),
        cold.as_secs_f64() * 1e3
    );
    println!(
        "slowest story by its median over the passes: {} ({} bytes), {:.1} µs",
        stories[slowest].id,
        stories[slowest].text.len(),
        us(slowest_median)
    );

    let ok =
        all.recall() >= 95.0 && all.clean_held() <= 10.0 && at(0.99) < Duration::from_millis(1);
    if ok {
        ExitCode::SUCCESS
    } else {
        eprintln!(
            "bench-privacy: a target was missed (recall ≥ 95%, clean held ≤ 10%, p99 < 1 ms)"
        );
        ExitCode::FAILURE
    }
}
