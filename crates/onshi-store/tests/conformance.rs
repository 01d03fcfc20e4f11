//! The conformance suite: the engine-independent behaviour of a [`Store`], run on every engine.
//!
//! Each test is a function of a [`Fixture`] (a fresh, empty store that can be opened again, to check that
//! what was acknowledged is durable), run by `conformance!` on SQLite always and on PostgreSQL when
//! `ONSHI_TEST_PG_URL` names a server (`postgres://USER@127.0.0.1:PORT/postgres`: each test gets a database of
//! its own, `onshi_t_…`, dropped afterwards). With `ONSHI_REQUIRE_PG=1` and no URL, the PostgreSQL tests fail
//! instead of passing without running. Engine-specific tests (SQLite's files, WAL, writer thread,
//! migrations of old files) stay beside the engine.

use std::sync::{Arc, Barrier};

use onshi_ids::{Branch, InsuredNumber, InsurerNumber, MyNumber, Symbol};
use onshi_ledger::{Change, LossReason, MemberKey, MemberStatic, RecordedAt, Relationship, Sex};
use onshi_store::{
    AccessEntry, CaseWrite, CertificateRecord, ConsentRecord, Credential, Decide, LinkState, LinkWrite, LinkageRecord,
    MemberRecord, NewMember, PutOutcome, ReaderRecord, RegistryChange, ResidentWrite, Store, StoreError,
};

mod common;
use common::members::{d, mn, new_member};
use common::{Fixture, PgFixture, SqliteFixture};

#[path = "conformance/access_log.rs"]
mod access_log;
use access_log::*;

/// Runs each named test on every engine.
macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[test] fn $name() { super::$name(&super::SqliteFixture::new()); } )*
        }
        mod postgres {
            $( #[test] fn $name() { if let Some(f) = super::PgFixture::new() { super::$name(&f); } } )*
        }
    };
}

conformance!(
    residents_are_replaced_but_their_history_is_kept,
    names_are_stored_exactly_as_given,
    enrolment_refuses_overlapping_duplicates_but_allows_a_later_period,
    an_enrolment_cancelled_on_its_first_day_does_not_block_the_corrected_one,
    a_dependent_needs_an_insured_member,
    a_refused_write_leaves_no_trace_and_does_not_disturb_its_batch,
    entries_get_increasing_sequence_numbers_and_times,
    everything_survives_a_reopen,
    members_are_found_by_the_key_of_their_number,
    many_concurrent_writers_are_all_committed,
    concurrent_enrolments_of_one_member_store_exactly_one,
    concurrent_decisions_on_one_link_or_event_store_exactly_one,
    certificates_revocations_readers_and_consents_are_durable,
    a_persons_certificates_come_in_issue_order,
    a_credential_is_revoked_once_by_its_id_and_stays_revoked_after_a_reopen,
    a_history_read_as_known_at_a_time_never_changes,
    the_access_log_is_read_by_person_or_member_newest_first,
    a_members_read_history_is_only_its_own_lines,
    every_acknowledged_line_is_durable_and_concurrent_loggers_are_all_present,
    lines_across_a_day_boundary_and_far_apart_are_all_read_by_person_and_member,
    a_name_change_or_move_is_offered_to_each_linked_member_still_covered,
    a_death_is_recorded_once_and_applied_only_on_accept,
    several_changes_are_appended_all_or_nothing,
    link_changes_are_checked_recorded_and_close_cases_together,
);

fn resident(n: &MyNumber, name: &str) -> ResidentWrite {
    ResidentWrite {
        my_number: *n,
        name: name.into(),
        name_kana: "ヤマダ タロウ".into(),
        birth_date: d("1980-04-15"),
        sex: Sex::Male,
        address: "東京都千代田区永田町二丁目1番2号".into(),
    }
}

fn credential(hash: [u8; 32], expires_at: Option<i64>) -> Credential {
    Credential {
        token_hash: hash,
        role: "clinic".into(),
        subject: "1311234567".into(),
        created_at: 1_700_000_000_000_000,
        expires_at,
        revoked_at: None,
    }
}

fn residents_are_replaced_but_their_history_is_kept(f: &dyn Fixture) {
    let s = f.open();
    let n = mn("20240401001");
    assert_eq!(s.put_resident(resident(&n, "山田 太郎")).wait().expect("put"), PutOutcome::Created);
    assert_eq!(s.put_resident(resident(&n, "山田 太朗")).wait().expect("put"), PutOutcome::Replaced);
    assert_eq!(s.resident(&n).expect("read").map(|r| r.name), Some("山田 太朗".to_owned()));
    let names: Vec<String> = s.resident_versions(&n).expect("versions").into_iter().map(|r| r.name).collect();
    assert_eq!(names, ["山田 太郎", "山田 太朗"]);
    assert_eq!(s.residents_born_on(d("1980-04-15")).expect("by birth").len(), 1);
    assert!(s.residents_born_on(d("1980-04-16")).expect("by birth").is_empty());
}

fn names_are_stored_exactly_as_given(f: &dyn Fixture) {
    let s = f.open();
    let n = mn("20240401002");
    // A compatibility ideograph (U+FA19) and an ideographic variation sequence must come back unchanged.
    let name = "\u{FA19}田 葛\u{E0100}子";
    s.put_resident(resident(&n, name)).wait().expect("put");
    assert_eq!(s.resident(&n).expect("read").map(|r| r.name), Some(name.to_owned()));
}

fn enrolment_refuses_overlapping_duplicates_but_allows_a_later_period(f: &dyn Fixture) {
    let s = f.open();
    let first = s.enrol(new_member("100", "00", Relationship::Insured, "2020-04-01")).wait().expect("enrol");
    let dup = s.enrol(new_member("100", "00", Relationship::Insured, "2022-04-01")).wait();
    assert!(matches!(dup, Err(StoreError::Duplicate { existing, .. }) if existing == first.id));
    s.append(first.id, d("2023-04-01"), Change::Lose { reason: None }).wait().expect("lose");
    // After the loss, a re-acquisition from the loss date does not overlap.
    let again = s.enrol(new_member("100", "00", Relationship::Insured, "2023-04-01")).wait().expect("re-enrol");
    assert_ne!(again.id, first.id);
    let both = s.members_by_card(
        &InsurerNumber::parse("06139992").expect("insurer"),
        &InsuredNumber::parse("100").expect("number"),
        d("1980-04-15"),
    );
    assert_eq!(both.expect("by card").len(), 2);
}

fn an_enrolment_cancelled_on_its_first_day_does_not_block_the_corrected_one(f: &dyn Fixture) {
    let s = f.open();
    // Enrolled from the wrong date, then lost on that same day: an empty period, no day of coverage.
    let wrong = s.enrol(new_member("110", "00", Relationship::Insured, "2024-04-01")).wait().expect("enrol");
    s.append(wrong.id, d("2024-04-01"), Change::Lose { reason: None }).wait().expect("cancel");
    // The corrected enrolment, from an earlier date, shares no day with it.
    let corrected = s.enrol(new_member("110", "00", Relationship::Insured, "2024-03-01")).wait();
    assert!(corrected.is_ok(), "{corrected:?}");
    // ... and so does one from a later date, and an open period that surrounds it
    let mut other = new_member("111", "00", Relationship::Insured, "2024-04-01");
    let cancelled = s.enrol(other.clone()).wait().expect("enrol");
    s.append(cancelled.id, d("2024-04-01"), Change::Lose { reason: None }).wait().expect("cancel");
    other.acquired_on = d("2020-01-01");
    assert!(s.enrol(other).wait().is_ok());
    // A real period still blocks.
    let dup = s.enrol(new_member("110", "00", Relationship::Insured, "2024-05-01")).wait();
    assert!(matches!(dup, Err(StoreError::Duplicate { .. })), "{dup:?}");
}

fn a_dependent_needs_an_insured_member(f: &dyn Fixture) {
    let s = f.open();
    let orphan = s.enrol(new_member("200", "01", Relationship::Dependent, "2020-04-01")).wait();
    assert!(matches!(orphan, Err(StoreError::InsuredNotFound)));
    s.enrol(new_member("200", "00", Relationship::Insured, "2020-04-01")).wait().expect("insured");
    s.enrol(new_member("200", "01", Relationship::Dependent, "2020-04-01")).wait().expect("dependent");
}

fn a_refused_write_leaves_no_trace_and_does_not_disturb_its_batch(f: &dyn Fixture) {
    let s = f.open();
    let ok = s.enrol(new_member("300", "00", Relationship::Insured, "2020-04-01")).wait().expect("enrol");
    // Queue a refused append (loss before acquisition) between two good writes without waiting, so that
    // they are likely committed in one group.
    let a = s.append(
        ok.id,
        d("2021-01-01"),
        Change::Update {
            name: Some("山田 太朗".into()),
            name_kana: None,
            address: None,
            income_bracket: None,
            copay_override: None,
        },
    );
    let bad = s.append(ok.id, d("2019-01-01"), Change::Lose { reason: None });
    let c = s.enrol(new_member("301", "00", Relationship::Insured, "2020-04-01"));
    assert!(a.wait().is_ok());
    assert!(matches!(bad.wait(), Err(StoreError::Ledger(_))));
    assert!(c.wait().is_ok());
    let rec = s.member(ok.id).expect("read").expect("exists");
    assert_eq!(rec.history.entries.len(), 2, "the refused loss must not be stored");
    assert!(rec.history.entries.iter().all(|e| !matches!(e.change, Change::Lose { .. })));
}

fn entries_get_increasing_sequence_numbers_and_times(f: &dyn Fixture) {
    let s = f.open();
    let m = s.enrol(new_member("400", "00", Relationship::Insured, "2020-04-01")).wait().expect("enrol");
    for i in 0..20 {
        s.append(
            m.id,
            d("2021-01-01"),
            Change::Update {
                name: Some(format!("名前{i}")),
                name_kana: None,
                address: None,
                income_bracket: None,
                copay_override: None,
            },
        )
        .wait()
        .expect("append");
    }
    let rec = s.member(m.id).expect("read").expect("exists");
    let e = &rec.history.entries;
    assert_eq!(e.len(), 21);
    assert!(e.windows(2).all(|w| w[0].seq < w[1].seq && w[0].recorded_at < w[1].recorded_at));
}

fn everything_survives_a_reopen(f: &dyn Fixture) {
    let n = mn("20240401003");
    let id = {
        let s = f.open();
        s.put_resident(resident(&n, "山田 太郎")).wait().expect("put");
        s.put_credential(credential([7; 32], Some(1_900_000_000_000_000))).wait().expect("credential");
        let m = s.enrol(new_member("500", "00", Relationship::Insured, "2020-04-01")).wait().expect("enrol");
        s.log_access(AccessEntry {
            role: "clinic".into(),
            subject: "1311234567".into(),
            endpoint: "POST /clinic/v1/eligibility".into(),
            member_id: Some(m.id),
            my_number: Some(n),
            request_id: "r1".into(),
            outcome: "valid".into(),
        })
        .wait()
        .expect("log");
        m.id
    };
    let s = f.open();
    assert!(s.resident(&n).expect("read").is_some());
    assert_eq!(s.credentials().expect("creds"), vec![credential([7; 32], Some(1_900_000_000_000_000))]);
    assert!(s.member(id).expect("read").is_some());
    let log = s.access_log_of(Some(&n), &[id], 10).expect("log");
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].entry.outcome, "valid");
    // New entries continue after the old ones.
    let m2 = s.enrol(new_member("501", "00", Relationship::Insured, "2020-04-01")).wait().expect("enrol");
    let old = s.member(id).expect("read").expect("exists");
    assert!(m2.history.entries[0].seq > old.history.entries[0].seq);
}

/// Seed 「8桁でオンライン確認を行うと資格なし、9桁で行ってみると資格あり」: the store finds members by the key of
/// their number (leading zeros folded), from an index, and keeps the number as given.
fn members_are_found_by_the_key_of_their_number(f: &dyn Fixture) {
    let s = f.open();
    let insurer = InsurerNumber::parse("06139992").expect("insurer");
    let nine = s.enrol(new_member("012345678", "00", Relationship::Insured, "2020-04-01")).wait().expect("enrol");
    for asked in ["012345678", "12345678", "0012345678", "０１２３４５６７８"] {
        let found = s
            .members_by_card(&insurer, &InsuredNumber::parse(asked).expect("number"), d("1980-04-15"))
            .expect("by card");
        assert_eq!(found.iter().map(|m| m.id).collect::<Vec<_>>(), [nine.id], "{asked}");
        assert_eq!(found[0].history.statik.key.number.as_str(), "012345678", "stored as given");
    }
    for other in ["123456780", "112345678", "A12345678"] {
        let found = s
            .members_by_card(&insurer, &InsuredNumber::parse(other).expect("number"), d("1980-04-15"))
            .expect("by card");
        assert!(found.is_empty(), "{other}");
    }
    // a dependent written with another count of zeros belongs to the same household
    let dep = s.enrol(new_member("12345678", "01", Relationship::Dependent, "2020-04-01")).wait().expect("dependent");
    assert_eq!(dep.history.statik.key.number.as_str(), "12345678");
    let insured = s
        .insured_of(&insurer, Some(&Symbol::parse("1").expect("symbol")), &InsuredNumber::parse("12345678").expect("n"))
        .expect("insured");
    assert_eq!(insured.iter().map(|m| m.id).collect::<Vec<_>>(), [nine.id]);
    // the same number with other zeros, same branch, overlapping dates: a duplicate, which names the spelling
    let dup = s.enrol(new_member("0012345678", "00", Relationship::Insured, "2022-04-01")).wait();
    assert!(
        matches!(&dup, Err(StoreError::Duplicate { existing, number }) if *existing == nine.id && number == "012345678"),
        "{dup:?}"
    );
    // after a loss, the new spelling may follow (the insurer changed its number of digits)
    let lost = s.append(nine.id, d("2024-01-01"), Change::Lose { reason: None }).wait().expect("lose");
    let lose_seq = lost.history.entries.last().map(|e| e.seq).expect("the loss");
    let eight =
        s.enrol(new_member("12345678", "00", Relationship::Insured, "2024-01-01")).wait().expect("new spelling");
    let both = s
        .members_by_card(&insurer, &InsuredNumber::parse("12345678").expect("number"), d("1980-04-15"))
        .expect("by card");
    assert_eq!(both.iter().map(|m| m.id).collect::<Vec<_>>(), [nine.id, dep.id, eight.id]);
    // voiding the old record's loss would make it overlap the new spelling's period: refused too
    let back =
        s.append(nine.id, d("2024-01-01"), Change::Void { target: lose_seq, reason: "誤登録".into(), by: None }).wait();
    assert!(matches!(&back, Err(StoreError::Duplicate { existing, .. }) if *existing == eight.id), "{back:?}");
}

/// Concurrent enrolments of one member (same key, overlapping periods): exactly one is stored, every other is
/// refused as its duplicate — SQLite's single writer serialises them, PostgreSQL's lock on the member key does.
fn concurrent_enrolments_of_one_member_store_exactly_one(f: &dyn Fixture) {
    let s = Arc::new(f.open());
    const N: usize = 8;
    let barrier = Arc::new(Barrier::new(N));
    let threads: Vec<_> = (0..N)
        .map(|i| {
            let (s, barrier) = (s.clone(), barrier.clone());
            std::thread::spawn(move || {
                // the same person, written with other counts of zeros and dates that all overlap
                let number = ["777", "0777", "00777", "777"][i % 4];
                let acquired = ["2020-04-01", "2021-04-01"][i % 2];
                barrier.wait();
                s.enrol(new_member(number, "00", Relationship::Insured, acquired)).wait()
            })
        })
        .collect();
    let results: Vec<_> = threads.into_iter().map(|t| t.join().expect("thread")).collect();
    let stored: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(stored.len(), 1, "{results:?}");
    for r in &results {
        match r {
            Ok(_) => {}
            Err(StoreError::Duplicate { existing, .. }) => assert_eq!(*existing, stored[0].id),
            Err(e) => panic!("refused otherwise: {e}"),
        }
    }
    let insurer = InsurerNumber::parse("06139992").expect("insurer");
    let found = s.members_by_card(&insurer, &InsuredNumber::parse("777").expect("n"), d("1980-04-15")).expect("read");
    assert_eq!(found.len(), 1);
    // and the survivor's history is whole
    assert_eq!(found[0].history.entries.len(), 1);
}

/// Concurrent decisions decided on the same read: one link change, one registry event decision — exactly one
/// is stored, the others are refused (`LinkChanged`, `RegistryEventDecided`) and leave no trace.
fn concurrent_decisions_on_one_link_or_event_store_exactly_one(f: &dyn Fixture) {
    let s = Arc::new(f.open());
    const N: usize = 6;
    let n = mn("20240401011");
    s.put_resident(reg_resident(&n, "斎藤 花子", HOME)).wait().expect("put");
    let m = s.enrol(reg_member("1", Some(n), "2020-04-01")).wait().expect("enrol");
    let barrier = Arc::new(Barrier::new(N));
    let threads: Vec<_> = (0..N)
        .map(|i| {
            let (s, barrier, m) = (s.clone(), barrier.clone(), m.clone());
            std::thread::spawn(move || {
                let w = LinkWrite {
                    member_id: m.id,
                    expected: (m.my_number, m.linkage.clone()),
                    my_number: None,
                    linkage: None,
                    action: "removed".into(),
                    by: format!("insurer:{i}"),
                    note: None,
                    request_id: format!("r{i}"),
                    close_cases: None,
                };
                barrier.wait();
                s.write_link(w).wait()
            })
        })
        .collect();
    let results: Vec<_> = threads.into_iter().map(|t| t.join().expect("thread")).collect();
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1, "{results:?}");
    assert!(results.iter().all(|r| r.is_ok() || matches!(r, Err(StoreError::LinkChanged(_)))), "{results:?}");
    let events = s.link_events(m.id).expect("events");
    assert_eq!(events.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), ["linked_at_enrolment", "removed"]);

    // a death offered to a linked member, decided by several at once
    let n2 = mn("20240401012");
    s.put_resident(reg_resident(&n2, "斎藤 花子", HOME)).wait().expect("put");
    let m2 = s.enrol(reg_member("2", Some(n2), "2020-04-01")).wait().expect("enrol");
    let offered = s.record_death(n2, d("2025-01-10")).wait().expect("death");
    let id = offered[0].id;
    let barrier = Arc::new(Barrier::new(N));
    let threads: Vec<_> = (0..N)
        .map(|i| {
            let (s, barrier) = (s.clone(), barrier.clone());
            std::thread::spawn(move || {
                let decide = Decide {
                    id,
                    accepted: true,
                    by: format!("06139992-{i}"),
                    reason: None,
                    apply: Some((d("2025-01-11"), Change::Lose { reason: Some(LossReason::Death) })),
                };
                barrier.wait();
                s.decide_registry_event(decide).wait()
            })
        })
        .collect();
    let results: Vec<_> = threads.into_iter().map(|t| t.join().expect("thread")).collect();
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1, "{results:?}");
    assert!(
        results.iter().all(|r| r.is_ok() || matches!(r, Err(StoreError::RegistryEventDecided(x)) if *x == id)),
        "{results:?}"
    );
    // the loss was appended once
    assert_eq!(s.member(m2.id).expect("read").expect("member").history.entries.len(), 2);
}

/// The bitemporal read: a history read "as known at T" answers the same after later entries are appended, and
/// recording times only grow.
fn a_history_read_as_known_at_a_time_never_changes(f: &dyn Fixture) {
    let s = f.open();
    let m = s.enrol(new_member("600", "00", Relationship::Insured, "2020-04-01")).wait().expect("enrol");
    let t0 = m.history.entries[0].recorded_at;
    let lost = s.append(m.id, d("2024-04-01"), Change::Lose { reason: None }).wait().expect("lose");
    let t1 = lost.history.entries[1].recorded_at;
    assert!(t1 > t0);
    let loss_seq = lost.history.entries[1].seq;
    s.append(m.id, d("2024-05-01"), Change::Void { target: loss_seq, reason: "誤り".into(), by: None })
        .wait()
        .expect("void");
    let now = s.member(m.id).expect("read").expect("member");
    assert_eq!(now.history.period(Some(t0)), (d("2020-04-01"), None), "as known at enrolment");
    assert_eq!(now.history.period(Some(t1)), (d("2020-04-01"), Some(d("2024-04-01"))), "as known after the loss");
    assert_eq!(now.history.period(None), (d("2020-04-01"), None), "now: the loss is voided");
    // the same after a reopen
    drop(s);
    let s = f.open();
    let again = s.member(m.id).expect("read").expect("member");
    assert_eq!(again.history.entries, now.history.entries);
    let next = s.append(m.id, d("2024-06-01"), Change::Lose { reason: None }).wait().expect("lose");
    assert!(next.history.entries.windows(2).all(|w| w[0].recorded_at < w[1].recorded_at && w[0].seq < w[1].seq));
}

fn many_concurrent_writers_are_all_committed(f: &dyn Fixture) {
    let s = std::sync::Arc::new(f.open());
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let s = s.clone();
            std::thread::spawn(move || {
                let pending: Vec<_> = (0..50)
                    .map(|i| {
                        s.enrol(new_member(
                            &format!("{}", 1000 + t * 100 + i),
                            "00",
                            Relationship::Insured,
                            "2020-04-01",
                        ))
                    })
                    .collect();
                pending.into_iter().map(|p| p.wait().map(|m| m.id)).collect::<Vec<_>>()
            })
        })
        .collect();
    let mut ids = Vec::new();
    for t in threads {
        for r in t.join().expect("thread") {
            ids.push(r.expect("enrol"));
        }
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 400);
    for id in ids {
        assert!(s.member(id).expect("read").is_some());
    }
}

fn certificates_revocations_readers_and_consents_are_durable(f: &dyn Fixture) {
    let serial = "0123456789ABCDEF0123456789ABCDEF".to_owned();
    {
        let s = f.open();
        let rec = CertificateRecord {
            serial: serial.clone(),
            my_number: mn("12345678901"),
            issued_on: d("2026-05-01"),
            expires_on: d("2031-04-15"),
            revocation: None,
        };
        s.put_certificate(rec.clone()).wait().expect("put");
        assert!(matches!(s.put_certificate(rec.clone()).wait(), Err(StoreError::DuplicateCertificate(_))));
        assert_eq!(s.certificate(&serial).expect("read"), Some(rec));
        assert!(matches!(
            s.revoke_certificate("FF".into(), "lost".into()).wait(),
            Err(StoreError::CertificateNotFound(_))
        ));
        let revoked = s.revoke_certificate(serial.clone(), "lost".into()).wait().expect("revoke");
        assert_eq!(revoked.revocation.as_ref().map(|r| r.reason.as_str()), Some("lost"));
        // the first revocation stands
        let again = s.revoke_certificate(serial.clone(), "returned".into()).wait().expect("revoke");
        assert_eq!(again.revocation.map(|r| r.reason), Some("lost".into()));
        s.put_reader(ReaderRecord { reader_id: "r1".into(), institution: "1311234567".into(), public_key: vec![1, 2] })
            .wait()
            .expect("reader");
        for (i, med) in [(1, true), (2, false)] {
            s.record_consent(ConsentRecord {
                my_number: mn("12345678901"),
                institution: "1311234567".into(),
                medication: med,
                checkup: true,
                given_at: i,
                expires_at: i + 10,
                request_id: format!("q{i}"),
            })
            .wait()
            .expect("consent");
        }
    }
    let s = f.open();
    let c = s.certificate(&serial).expect("read").expect("kept");
    assert_eq!(c.revocation.map(|r| r.reason), Some("lost".into()));
    assert_eq!(s.certificates_of(&mn("12345678901")).expect("of").len(), 1);
    assert_eq!(s.reader("r1").expect("reader").map(|r| r.public_key), Some(vec![1, 2]));
    assert_eq!(s.reader("r2").expect("reader"), None);
    let consents = s.consents(&mn("12345678901"), "1311234567", 10).expect("consents");
    assert_eq!(consents.iter().map(|c| c.medication).collect::<Vec<_>>(), vec![false, true], "newest first");
    assert!(s.consents(&mn("12345678901"), "1319999999", 10).expect("other").is_empty());
}

/// Several certificates of one person come back in the order they were issued.
fn a_persons_certificates_come_in_issue_order(f: &dyn Fixture) {
    let s = f.open();
    let serials =
        ["FF000000000000000000000000000000", "01000000000000000000000000000000", "80000000000000000000000000000000"];
    for serial in serials {
        let rec = CertificateRecord {
            serial: serial.to_owned(),
            my_number: mn("12345678901"),
            issued_on: d("2026-05-01"),
            expires_on: d("2031-04-15"),
            revocation: None,
        };
        s.put_certificate(rec).wait().expect("certificate");
    }
    let got: Vec<String> = s.certificates_of(&mn("12345678901")).expect("of").into_iter().map(|c| c.serial).collect();
    assert_eq!(got, serials);
}

fn a_credential_is_revoked_once_by_its_id_and_stays_revoked_after_a_reopen(f: &dyn Fixture) {
    let mut h = [0u8; 32];
    h[0] = 0xAB;
    h[7] = 0x01;
    let c = credential(h, None);
    assert_eq!(c.id(), "CAB00000000000001");
    {
        let s = f.open();
        s.put_credential(c.clone()).wait().expect("put");
        s.put_credential(credential([9; 32], None)).wait().expect("put");
        let r = s.revoke_credential(c.id(), 1_800_000_000_000_000).wait().expect("revoke");
        assert_eq!(r.revoked_at, Some(1_800_000_000_000_000));
        // the first revocation stands
        let again = s.revoke_credential(c.id().to_lowercase(), 1_900_000_000_000_000).wait().expect("revoke again");
        assert_eq!(again.revoked_at, Some(1_800_000_000_000_000));
        assert!(matches!(
            s.revoke_credential("C0000000000000000".into(), 1).wait(),
            Err(StoreError::CredentialNotFound(_))
        ));
        assert!(matches!(s.revoke_credential("nonsense".into(), 1).wait(), Err(StoreError::CredentialNotFound(_))));
    }
    let s = f.open();
    let all = s.credentials().expect("creds");
    assert_eq!(all.len(), 2);
    let r = all.iter().find(|x| x.token_hash == h).expect("revoked one");
    assert_eq!(r.revoked_at, Some(1_800_000_000_000_000));
    assert!(all.iter().any(|x| x.token_hash == [9; 32] && x.revoked_at.is_none()));
}

// ---- registry events ---------------------------------------------------------------------------------------

fn reg_resident(n: &MyNumber, name: &str, address: &str) -> ResidentWrite {
    ResidentWrite {
        my_number: *n,
        name: name.into(),
        name_kana: "サイトウ ハナコ".into(),
        birth_date: d("1950-04-15"),
        sex: Sex::Female,
        address: address.into(),
    }
}

fn reg_member(number: &str, my_number: Option<MyNumber>, acquired: &str) -> NewMember {
    NewMember {
        statik: MemberStatic {
            key: MemberKey {
                insurer_number: InsurerNumber::parse("06139992").expect("insurer"),
                symbol: None,
                number: InsuredNumber::parse(number).expect("number"),
                branch: Branch::parse("00").expect("branch"),
            },
            relationship: Relationship::Insured,
            birth_date: d("1950-04-15"),
            sex: Sex::Female,
        },
        my_number,
        linkage: None,
        acquired_on: d(acquired),
        acquire: Change::Acquire {
            name: "斎藤 花子".into(),
            name_kana: "サイトウ ハナコ".into(),
            address: "東京都府中市宮西町二丁目24番地".into(),
            income_bracket: None,
            copay_override: None,
        },
    }
}

const HOME: &str = "東京都府中市宮西町二丁目24番地";

fn a_name_change_or_move_is_offered_to_each_linked_member_still_covered(f: &dyn Fixture) {
    let s = f.open();
    let n = MyNumber::from_body("20240401001").expect("mn");
    let other = MyNumber::from_body("20240401002").expect("mn");
    s.put_resident(reg_resident(&n, "斎藤 花子", HOME)).wait().expect("put");
    s.put_resident(reg_resident(&other, "斎藤 花子", HOME)).wait().expect("put");
    let linked = s.enrol(reg_member("1", Some(n), "2020-04-01")).wait().expect("enrol");
    let ended = s.enrol(reg_member("2", Some(n), "2010-04-01")).wait().expect("enrol");
    s.append(ended.id, d("2015-04-01"), Change::Lose { reason: None }).wait().expect("lose");
    s.enrol(reg_member("3", None, "2020-04-01")).wait().expect("enrol");

    // the same basic four again: nothing to review
    s.put_resident(reg_resident(&n, "斎藤 花子", HOME)).wait().expect("put");
    assert!(s.registry_events(None, false).expect("list").is_empty());
    // a move: one event, for the member still covered only; an unlinked resident's move offers nothing
    s.put_resident(reg_resident(&n, "斎藤 花子", "東京都府中市府中町一丁目1番地")).wait().expect("put");
    s.put_resident(reg_resident(&other, "斎藤 花子", "東京都府中市府中町一丁目1番地")).wait().expect("put");
    let events = s.registry_events(None, true).expect("list");
    assert_eq!(events.len(), 1, "{events:?}");
    let ev = &events[0];
    assert_eq!((ev.member_id, ev.my_number, ev.decision.clone()), (linked.id, n, None));
    assert_eq!(
        ev.change,
        RegistryChange::Change {
            name: None, name_kana: None, address: Some("東京都府中市府中町一丁目1番地".into())
        }
    );
    // nothing was applied to the member
    let m = s.member(linked.id).expect("read").expect("member");
    assert_eq!(m.history.entries.len(), 1);
    // another insurer's queue is empty
    let elsewhere = InsurerNumber::parse("138016").expect("insurer");
    assert!(s.registry_events(Some(&elsewhere), true).expect("list").is_empty());
    assert_eq!(s.registry_events(Some(&ev.insurer_number), true).expect("list").len(), 1);
}

fn a_death_is_recorded_once_and_applied_only_on_accept(f: &dyn Fixture) {
    let s = f.open();
    let n = MyNumber::from_body("20240401003").expect("mn");
    let nobody = MyNumber::from_body("20240401004").expect("mn");
    assert!(matches!(s.record_death(nobody, d("2025-01-10")).wait(), Err(StoreError::ResidentNotFound)));
    s.put_resident(reg_resident(&n, "斎藤 花子", HOME)).wait().expect("put");
    let m = s.enrol(reg_member("1", Some(n), "2020-04-01")).wait().expect("enrol");
    let offered = s.record_death(n, d("2025-01-10")).wait().expect("death");
    assert_eq!(offered.len(), 1);
    assert_eq!((offered[0].change.clone(), offered[0].effective_on), (RegistryChange::Death, d("2025-01-10")));
    assert_eq!(s.death_of(&n).expect("read"), Some(d("2025-01-10")));
    assert!(
        matches!(s.record_death(n, d("2025-01-11")).wait(), Err(StoreError::DeathRecorded(x)) if x == d("2025-01-10"))
    );
    assert_eq!(s.registry_events(None, false).expect("list").len(), 1, "a refused death offers nothing");

    // an accept the ledger refuses leaves the event open and the member unchanged
    let id = offered[0].id;
    let bad = Decide {
        id,
        accepted: true,
        by: "06139992".into(),
        reason: None,
        apply: Some((d("2019-01-01"), Change::Lose { reason: Some(LossReason::Death) })),
    };
    assert!(matches!(s.decide_registry_event(bad).wait(), Err(StoreError::Ledger(_))));
    assert!(s.registry_event(id).expect("read").expect("event").decision.is_none());
    assert_eq!(s.member(m.id).expect("read").expect("member").history.entries.len(), 1);

    let good = Decide {
        id,
        accepted: true,
        by: "06139992".into(),
        reason: None,
        apply: Some((d("2025-01-11"), Change::Lose { reason: Some(LossReason::Death) })),
    };
    let ev = s.decide_registry_event(good.clone()).wait().expect("accept");
    let decision = ev.decision.expect("decided");
    assert!(decision.accepted);
    let rec = s.member(m.id).expect("read").expect("member");
    assert_eq!(rec.history.period(None), (d("2020-04-01"), Some(d("2025-01-11"))));
    assert_eq!(decision.applied_seq, rec.history.entries.last().map(|e| e.seq));
    assert_eq!(
        rec.history.entries.last().map(|e| e.change.clone()),
        Some(Change::Lose { reason: Some(LossReason::Death) })
    );
    // decided once
    assert!(matches!(s.decide_registry_event(good).wait(), Err(StoreError::RegistryEventDecided(x)) if x == id));
    assert_eq!(s.member(m.id).expect("read").expect("member").history.entries.len(), 2);
    assert!(s.registry_events(None, true).expect("list").is_empty());
    assert_eq!(s.registry_event(id).expect("read").expect("event").decision.map(|d| d.by), Some("06139992".into()));
}

fn several_changes_are_appended_all_or_nothing(f: &dyn Fixture) {
    let s = f.open();
    let m = s.enrol(reg_member("1", None, "2020-04-01")).wait().expect("enrol");
    let acq = m.history.entries[0].seq;
    let void = Change::Void { target: acq, reason: "日付の誤り".into(), by: Some("06139992".into()) };
    // the acquisition again on a date before the birth: refused, and the void with it
    let again = m.history.entries[0].change.clone();
    let bad = s.append_many(m.id, vec![(d("2025-01-01"), void.clone()), (d("1949-01-01"), again.clone())]).wait();
    assert!(matches!(bad, Err(StoreError::Ledger(_))), "{bad:?}");
    assert_eq!(s.member(m.id).expect("read").expect("member").history.entries.len(), 1);
    let rec = s.append_many(m.id, vec![(d("2025-01-01"), void), (d("2020-05-01"), again)]).wait().expect("correct");
    assert_eq!(rec.history.period(None), (d("2020-05-01"), None));
    let stored = s.member(m.id).expect("read").expect("member");
    assert_eq!(stored.history.entries.len(), 3);
    // as known before the correction, the first date stands
    assert_eq!(stored.history.period(Some(m.history.entries[0].recorded_at)), (d("2020-04-01"), None));
}

// ---- links and cases ------------------------------------------------------------------------------------

fn link_enrol(s: &dyn Store, number: &str, my_number: Option<MyNumber>) -> MemberRecord {
    let linkage = my_number.map(|_| LinkageRecord {
        grade: "B".into(),
        reasons: vec!["address_differs".into()],
        graded_at: RecordedAt(1),
        state: LinkState::PendingConfirmation,
        confirmation: None,
    });
    s.enrol(NewMember {
        statik: MemberStatic {
            key: MemberKey {
                insurer_number: InsurerNumber::parse("06139992").expect("insurer"),
                symbol: Some(Symbol::parse("1").expect("symbol")),
                number: InsuredNumber::parse(number).expect("number"),
                branch: Branch::parse("00").expect("branch"),
            },
            relationship: Relationship::Insured,
            birth_date: d("1980-04-15"),
            sex: Sex::Female,
        },
        my_number,
        linkage,
        acquired_on: d("2024-04-01"),
        acquire: Change::Acquire {
            name: "山田 花子".into(),
            name_kana: "ヤマダ ハナコ".into(),
            address: "東京都千代田区永田町二丁目1番2号".into(),
            income_bracket: None,
            copay_override: None,
        },
    })
    .wait()
    .expect("enrol")
}

fn link_write(m: &MemberRecord, expected: Option<MyNumber>, to: Option<MyNumber>, close: Option<&str>) -> LinkWrite {
    LinkWrite {
        member_id: m.id,
        expected: (expected, m.linkage.clone()),
        my_number: to,
        linkage: None,
        action: "removed".into(),
        by: "insurer:06139992".into(),
        note: Some("別人".into()),
        request_id: "r1".into(),
        close_cases: close.map(str::to_owned),
    }
}

/// A link change decided on a stale read stores nothing; a change and the closing of the member's cases
/// are one transaction; the history keeps the enrolment's link and every change.
fn link_changes_are_checked_recorded_and_close_cases_together(f: &dyn Fixture) {
    let s = f.open();
    let n = MyNumber::from_body("20240401001").expect("mn");
    let other = MyNumber::from_body("20240401002").expect("mn");
    let m = link_enrol(&*s, "100", Some(n));
    let case = CaseWrite {
        insurer_number: m.history.statik.key.insurer_number,
        member_id: m.id,
        record_id: m.id.to_string(),
        my_number: Some(n),
        grade: "C".into(),
        reasons: vec!["better_candidate".into()],
        suggested_my_number: Some(other),
        opened_by: "insurer:06139992".into(),
        request_id: "r0".into(),
    };
    let done = s.import_cases(vec![case.clone(), case.clone()]).wait().expect("import");
    assert_eq!((done.opened.len(), done.already_open.len()), (1, 1));
    // decided on a link that is not the stored one: refused, nothing changed
    let stale = s.write_link(link_write(&m, Some(other), None, Some("unlinked"))).wait();
    assert!(matches!(stale, Err(StoreError::LinkChanged(_))), "{stale:?}");
    assert_eq!(s.member(m.id).expect("read").and_then(|r| r.my_number), Some(n));
    assert_eq!(s.cases_of(m.id).expect("cases")[0].status, "open");
    assert_eq!(s.link_events(m.id).expect("events").len(), 1);
    // the removal and the closing of the case
    let rec = s.write_link(link_write(&m, Some(n), None, Some("unlinked"))).wait().expect("remove");
    assert_eq!((rec.my_number, rec.linkage), (None, None));
    let stored = s.member(m.id).expect("read").expect("member");
    assert_eq!((stored.my_number, stored.linkage), (None, None));
    let cases = s.cases_of(m.id).expect("cases");
    assert_eq!((cases[0].status.as_str(), cases[0].closed_by.as_deref()), ("unlinked", Some("insurer:06139992")));
    let events = s.link_events(m.id).expect("events");
    let actions: Vec<(&str, Option<MyNumber>, Option<MyNumber>)> =
        events.iter().map(|e| (e.action.as_str(), e.my_number, e.previous)).collect();
    assert_eq!(actions, [("linked_at_enrolment", Some(n), None), ("removed", None, Some(n))]);
    assert_eq!(events[0].linkage.as_ref().map(|l| l.state), Some(LinkState::PendingConfirmation));
    // an unlinked member has no history
    let u = link_enrol(&*s, "101", None);
    assert!(s.link_events(u.id).expect("events").is_empty());
    assert_eq!(s.cases(&u.history.statik.key.insurer_number, Some("open")).expect("cases").len(), 0);
}
