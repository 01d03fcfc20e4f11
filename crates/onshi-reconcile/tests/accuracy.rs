//! Accuracy on the synthetic world (issue 5): a seeded world of onshi-sim with every kind of error
//! injected, reconciled, and compared with its truth.csv.
//!
//! - every injected `twin_swap`, `family_swap` and `same_name_stranger` is graded C (recall 100%);
//! - at least 95% of C grades are real errors;
//! - at least 95% of the records that are right for linking are graded A or B.

use std::path::Path;

use onshi_reconcile::{Accuracy, Options, run};

/// The world of the issue: `persons` residents, stress error rates (every kind occurs).
fn stress_world(persons: u64, seed: u64, dir: &Path) -> onshi_sim::Summary {
    let mut cfg = onshi_sim::Config::new(persons, seed);
    cfg.error_rates = onshi_sim::ErrorRates::stress();
    onshi_sim::generate(&cfg, dir).expect("generate the world")
}

fn reconcile_and_measure(persons: u64, seed: u64) -> (onshi_sim::Summary, onshi_reconcile::Summary, Accuracy) {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    let world = stress_world(persons, seed, d);
    let opts =
        Options { progress: false, ..Options::new(d.join("registry.csv"), d.join("records.csv"), d.join("out.csv")) };
    let summary = run(&opts).expect("reconcile");
    let acc = Accuracy::measure(&d.join("out.csv"), &d.join("truth.csv")).expect("measure");
    eprintln!("world of {persons} persons, seed {seed}: {summary:?}\n{}", acc.table());
    (world, summary, acc)
}

fn check(persons: u64, seed: u64) {
    let (world, summary, acc) = reconcile_and_measure(persons, seed);
    assert_eq!(summary.unreadable, 0, "the simulator writes only readable rows");
    assert_eq!(acc.graded, world.records, "every record graded and found in truth.csv");
    assert_eq!(acc.unknown, 0);
    for kind in ["twin_swap", "family_swap", "same_name_stranger"] {
        let [a, b, c] = acc.by_kind.get(kind).copied().unwrap_or_default();
        assert!(c > 0, "the world has {kind} records");
        assert_eq!((a, b), (0, 0), "every {kind} is graded C");
    }
    assert_eq!(acc.wrong_person_c.hits, acc.wrong_person_c.of);
    assert!(acc.c_real.value() >= 0.95, "C precision {}", acc.c_real);
    assert!(acc.right_ab.value() >= 0.95, "right records A or B: {}", acc.right_ab);
    // A suggestion invites a relink: it must name the true person.
    assert_eq!(acc.suggestion_right.hits, acc.suggestion_right.of, "wrong-person suggestions");
    assert!(acc.suggestions_true.value() >= 0.99, "suggestions {}", acc.suggestions_true);
    // The stress world injects every kind the simulator knows; each shows up among the records.
    for kind in [
        "kana_typo",
        "kanji_typo",
        "variant",
        "address_notation",
        "name_notation",
        "moved",
        "stale_name",
        "birth_date_typo",
        "missing_my_number",
    ] {
        assert!(acc.by_kind.contains_key(kind), "no {kind} among the records");
    }
}

#[test]
fn a_ten_thousand_person_world_is_graded_right() {
    check(10_000, 1);
}

#[test]
fn another_seed_and_size() {
    check(12_000, 20_250_401);
}
