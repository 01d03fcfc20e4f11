//! The replay, end to end on a small world: generated, fed in simulated time through the service on two
//! embedded stores, every visit asked of onshi and of the legacy policy. onshi answers truthfully more often,
//! and the legacy policy shows the failures the seeds describe.

use onshi_sim::measure::{Outcome, Why};
use onshi_sim::{Config, ErrorRates, ReplayOptions, generate, replay};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn onshi_answers_truthfully_more_often_than_the_national_system() {
    let dir = tempfile::tempdir().expect("tmp");
    let stores = tempfile::tempdir().expect("tmp");
    // every kind of error, at rates a small world shows (ErrorRates::stress), over four months
    let mut cfg = Config::new(2_000, 4);
    cfg.days = 120;
    cfg.error_rates = ErrorRates::stress();
    let summary = generate(&cfg, dir.path()).expect("a world");
    assert!(summary.visits > 1_000 && summary.events > 50, "{summary:?}");

    let opts = ReplayOptions {
        legacy_factors: vec![1.0],
        store_dir: Some(stores.path().to_path_buf()),
        ..ReplayOptions::default()
    };
    let report = replay(dir.path(), &opts).await.expect("the replay");
    assert_eq!(report.visits, summary.visits);
    assert_eq!(report.events, summary.events);
    let [onshi, legacy] = &report.policies[..] else { panic!("two policies: {:?}", report.policies) };
    assert_eq!(onshi.label, "onshi");
    assert_eq!(legacy.factor, Some(1.0));
    let (o, l) = (&onshi.tally, &legacy.tally);
    let share = |t: &onshi_sim::measure::Tally| t.count(Outcome::Truthful) as f64 / t.questions.max(1) as f64;
    let table: Vec<String> =
        Outcome::ALL.iter().map(|&k| format!("{}: onshi {} legacy {}", k.code(), o.count(k), l.count(k))).collect();

    // the same questions, asked of both
    assert!(o.questions > 1_000 && o.questions == l.questions, "{table:?}");
    eprintln!("truthful: onshi {:.4}, legacy {:.4}\n{table:#?}", share(o), share(l));
    assert!(share(o) > share(l), "truthful: onshi {:.4}, legacy {:.4}\n{table:#?}", share(o), share(l));
    // no answer named a coverage the replay does not know, and the service refused nothing it should answer
    for t in [o, l] {
        assert_eq!(t.count(Outcome::Unmatched), 0, "{table:#?}");
        assert_eq!(t.count(Outcome::Refused), 0, "{table:#?} {:?}", t.refusals);
    }

    // the national system as the seeds describe it:
    // 「資格無効」 for a patient whose new coverage is still in the insurer's registration lag
    assert!(l.count(Outcome::ValidShownInvalid) > 0, "{table:#?}");
    // the copay ratio as the insurer typed it (21,574 wrong ratios found in 2023)
    assert!(l.count(Outcome::WrongCopay) > 0, "{table:#?}");
    // another person's data behind a wrong My Number link
    assert!(l.count(Outcome::WrongPerson) > 0, "{table:#?}");
    // 「●」 for a character outside JIS X 0208 (髙, 﨑, 𠮷)
    assert!(l.count(Outcome::PlaceholderInName) > 0, "{table:#?}");

    // onshi removes each of them, or does better
    assert_eq!(o.count(Outcome::PlaceholderInName), 0, "{table:#?}");
    assert_eq!(o.count(Outcome::WrongCopay), 0, "{table:#?}");
    assert!(o.count(Outcome::WrongPerson) < l.count(Outcome::WrongPerson), "{table:#?}");
    assert!(o.count(Outcome::ValidShownInvalid) < l.count(Outcome::ValidShownInvalid), "{table:#?}");

    // the insurers' follow-ups reached onshi: 未登録者 linked from the registry search, B links confirmed with
    // the person, deaths recorded in the registry and accepted by the insurers holding a link
    let (_, w) = &report.writers[0];
    let applied = |k: &str| w.applied.get(k).copied().unwrap_or(0);
    let corrected = |k: &str| w.corrected.get(k).copied().unwrap_or(0);
    let stats = format!("{w:#?}");
    assert!(applied("link_search") > 0, "{stats}");
    assert!(corrected("link_confirmed") > 0, "{stats}");
    assert!(applied("death") > 0 && applied("registry_event: death accepted") > 0, "{stats}");
    assert!(w.skipped.keys().all(|k| !k.starts_with("resident_remove")), "{stats}");
    // and every wrong answer of onshi is explained
    let whys: u64 = Why::ALL.iter().map(|&y| o.count_why(None, y)).sum();
    assert_eq!(whys, o.wrong(), "{:#?}", o.why);
}
