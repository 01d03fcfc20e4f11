//! The insurers' follow-ups in the generated world: every record held without a My Number (未登録者) is
//! searched in the registry once, after its insurer recorded it, and only such records are.

use std::collections::{BTreeMap, BTreeSet};

use onshi_sim::{Action, Cause, Config, ErrorKind, ErrorRates, RecordId, world};

#[test]
fn unlinked_records_are_searched_in_the_registry_once_after_they_are_recorded() {
    let mut cfg = Config::new(3_000, 5);
    cfg.error_rates = ErrorRates::stress();
    let w = world(&cfg).expect("a world");
    let start = cfg.start;

    // the day each record reached its insurer, and whether it came with a My Number
    let mut recorded: BTreeMap<RecordId, (onshi_law::Date, bool)> = BTreeMap::new();
    for m in &w.members {
        recorded.insert(m.record_id, (m.reported_on, m.my_number.is_some()));
    }
    for e in &w.events {
        if let Action::Acquire(m) = &e.action {
            recorded.insert(m.record_id, (e.at, m.my_number.is_some()));
        }
    }
    let missing: BTreeSet<RecordId> =
        w.truth.iter().filter(|t| t.error == Some(ErrorKind::MissingMyNumber)).map(|t| t.record_id).collect();

    let mut searched = BTreeSet::new();
    for e in &w.events {
        let Action::LinkSearch { record_id } = &e.action else { continue };
        assert_eq!(e.cause, Cause::Unlinked);
        assert_eq!(e.effective_on, e.at);
        assert!(searched.insert(*record_id), "{record_id} searched twice");
        assert!(missing.contains(record_id), "{record_id} has a My Number and was searched");
        let (on, with_number) = recorded[record_id];
        assert!(!with_number, "{record_id} was enrolled with a My Number");
        assert!(e.at >= on && e.at >= start, "{record_id} searched on {} before it was recorded ({on})", e.at);
    }
    // most of them within the year (the backlog's median is a month, a new record's five days)
    assert!(missing.len() > 20, "{} records without a My Number", missing.len());
    assert!(searched.len() * 10 >= missing.len() * 7, "{} of {} searched", searched.len(), missing.len());
    assert_eq!(w.summary.events, w.events.len() as u64);
}
