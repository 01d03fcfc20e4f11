//! The access log's conformance tests (issue 11): run on every engine by `conformance!` in
//! `../conformance.rs`.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use onshi_ids::MyNumber;
use onshi_store::{AccessEntry, MemberId, RecordClock};

use super::common::Fixture;
use super::common::members::mn;

fn line(my_number: Option<MyNumber>, member: Option<i64>, outcome: &str) -> AccessEntry {
    AccessEntry {
        role: "clinic".into(),
        subject: "1311234567".into(),
        endpoint: "POST /clinic/v1/eligibility".into(),
        member_id: member.map(MemberId),
        my_number,
        request_id: format!("req-{outcome}"),
        outcome: outcome.into(),
    }
}

fn outcomes(lines: Vec<onshi_store::AccessRecord>) -> Vec<String> {
    lines.into_iter().map(|l| l.entry.outcome).collect()
}

/// The access log: a line is durable once acknowledged, read by My Number or member ids, newest first, at
/// most `limit`; the lines recorded without a My Number are read by their own query.
pub fn the_access_log_is_read_by_person_or_member_newest_first(f: &dyn Fixture) {
    let s = f.open();
    let n = mn("20240401021");
    let other = mn("20240401022");
    for (mnum, member, outcome) in [
        (Some(n), Some(1), "valid"),
        (None, Some(1), "invalid"),
        (Some(other), Some(2), "valid2"),
        (None, Some(3), "x"),
    ] {
        s.log_access(line(mnum, member, outcome)).wait().expect("log");
    }
    let by_person: Vec<String> =
        s.access_log_of(Some(&n), &[], 10).expect("log").into_iter().map(|l| l.entry.outcome).collect();
    assert_eq!(by_person, ["valid"]);
    let by_member: Vec<String> = s
        .access_log_of(Some(&n), &[onshi_store::MemberId(1)], 10)
        .expect("log")
        .into_iter()
        .map(|l| l.entry.outcome)
        .collect();
    assert_eq!(by_member, ["invalid", "valid"], "newest first");
    let limited = s.access_log_of(Some(&other), &[onshi_store::MemberId(1)], 2).expect("log");
    assert_eq!(limited.iter().map(|l| l.entry.outcome.as_str()).collect::<Vec<_>>(), ["valid2", "invalid"]);
    let without: Vec<String> =
        s.access_log_without_my_number(10).expect("log").into_iter().map(|l| l.entry.outcome).collect();
    assert_eq!(without, ["x", "invalid"]);
    let all = s.access_log_of(Some(&n), &[1, 2, 3].map(onshi_store::MemberId), 10).expect("log");
    assert_eq!(all.len(), 4);
    assert!(all.windows(2).all(|w| w[0].at > w[1].at), "times grow with the lines");
    drop(s);
    let s = f.open();
    assert_eq!(s.access_log_of(Some(&n), &[], 10).expect("log")[0].entry.request_id, "req-valid");
}

/// The known flaw of issue 11: a member's read history (by its member id, no My Number) was every line
/// recorded without a My Number too — other patients' refused checks. Now it is the member's own lines only.
pub fn a_members_read_history_is_only_its_own_lines(f: &dyn Fixture) {
    let s = f.open();
    let n = mn("20240401031");
    for (mnum, member, outcome) in [
        (None, None, "card:unreadable"),
        (None, Some(7), "mine-unlinked"),
        (Some(n), Some(7), "mine-linked"),
        (None, Some(8), "someone-else"),
        (None, None, "exact_number_required"),
    ] {
        s.log_access(line(mnum, member, outcome)).wait().expect("log");
    }
    assert_eq!(outcomes(s.access_log_of(None, &[MemberId(7)], 100).expect("log")), ["mine-linked", "mine-unlinked"]);
    assert_eq!(outcomes(s.access_log_of(None, &[], 100).expect("log")), Vec::<String>::new(), "nobody's history");
    assert_eq!(outcomes(s.access_log_of(Some(&n), &[], 100).expect("log")), ["mine-linked"]);
    // the anonymous lines, where they are really wanted: their own query
    assert_eq!(
        outcomes(s.access_log_without_my_number(100).expect("log")),
        ["exact_number_required", "someone-else", "mine-unlinked", "card:unreadable"]
    );
}

/// Every line acknowledged is durable (read again after a reopen), and lines logged concurrently by many
/// threads — taken together into shared batches or transactions — are all there, each once.
pub fn every_acknowledged_line_is_durable_and_concurrent_loggers_are_all_present(f: &dyn Fixture) {
    let s = Arc::new(f.open());
    let threads: Vec<_> = (0..8i64)
        .map(|t| {
            let s = s.clone();
            std::thread::spawn(move || {
                let pending: Vec<_> =
                    (0..50i64).map(|i| s.log_access(line(None, Some(100 + t), &format!("t{t}-{i}")))).collect();
                pending.into_iter().map(|p| p.wait()).collect::<Vec<_>>()
            })
        })
        .collect();
    for t in threads {
        for r in t.join().expect("thread") {
            r.expect("every line is acknowledged");
        }
    }
    drop(s);
    let s = f.open();
    let ids: Vec<MemberId> = (100..108).map(MemberId).collect();
    let mut got = outcomes(s.access_log_of(None, &ids, 10_000).expect("log"));
    assert_eq!(got.len(), 400, "each line once");
    got.sort();
    let mut want: Vec<String> = (0..8).flat_map(|t| (0..50).map(move |i| format!("t{t}-{i}"))).collect();
    want.sort();
    assert_eq!(got, want);
    // each thread's lines, newest first, are in the order that thread logged them
    let one = outcomes(s.access_log_of(None, &[MemberId(103)], 10_000).expect("log"));
    assert_eq!(one, (0..50).rev().map(|i| format!("t3-{i}")).collect::<Vec<_>>());
}

/// A clock the test moves.
struct TestClock(AtomicI64);

impl RecordClock for TestClock {
    fn now_micros(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// Lines recorded either side of midnight in Japan (the PostgreSQL engine's partition boundary) and on a day
/// far ahead (for which no partition was made in advance) are all durable and read by person and by member,
/// newest first, across the days.
pub fn lines_across_a_day_boundary_and_far_apart_are_all_read_by_person_and_member(f: &dyn Fixture) {
    // 2026-12-04 23:59:59.999999 JST = 14:59:59.999999 UTC
    let before_midnight_jst: i64 = 1_796_396_399_999_999;
    let clock = Arc::new(TestClock(AtomicI64::new(before_midnight_jst)));
    let n = mn("20240401041");
    {
        let s = f.open_with_clock(clock.clone());
        s.log_access(line(Some(n), Some(9), "before-midnight")).wait().expect("log");
        clock.0.store(before_midnight_jst + 1, Ordering::SeqCst); // 2026-12-05 00:00:00 JST
        s.log_access(line(None, Some(9), "after-midnight")).wait().expect("log");
        clock.0.store(before_midnight_jst + 400 * 86_400_000_000, Ordering::SeqCst); // 400 days later
        s.log_access(line(Some(n), None, "far-ahead")).wait().expect("log");
    }
    let s = f.open_with_clock(clock);
    let all = s.access_log_of(Some(&n), &[MemberId(9)], 10).expect("log");
    assert_eq!(
        all.iter().map(|l| (l.at.0, l.entry.outcome.as_str())).collect::<Vec<_>>(),
        [
            (before_midnight_jst + 400 * 86_400_000_000, "far-ahead"),
            (before_midnight_jst + 1, "after-midnight"),
            (before_midnight_jst, "before-midnight"),
        ]
    );
    assert_eq!(
        outcomes(s.access_log_of(None, &[MemberId(9)], 10).expect("log")),
        ["after-midnight", "before-midnight"]
    );
    assert_eq!(outcomes(s.access_log_of(Some(&n), &[], 10).expect("log")), ["far-ahead", "before-midnight"]);
    assert_eq!(outcomes(s.access_log_of(Some(&n), &[MemberId(9)], 2).expect("log")), ["far-ahead", "after-midnight"]);
}
