//! Registry events reaching insurers, and several changes appended as one.

use super::*;
use crate::{Decide, RegistryChange};
use onshi_ids::Branch;
use onshi_ledger::LossReason;
use onshi_ledger::{MemberStatic, Sex};

fn d(s: &str) -> Date {
    onshi_law::parse_iso_date(s).expect("test date")
}

fn resident(n: &MyNumber, name: &str, address: &str) -> ResidentWrite {
    ResidentWrite {
        my_number: *n,
        name: name.into(),
        name_kana: "サイトウ ハナコ".into(),
        birth_date: d("1950-04-15"),
        sex: Sex::Female,
        address: address.into(),
    }
}

fn member(number: &str, my_number: Option<MyNumber>, acquired: &str) -> NewMember {
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

#[test]
fn a_name_change_or_move_is_offered_to_each_linked_member_still_covered() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = SqliteStore::open(dir.path()).expect("open");
    let n = MyNumber::from_body("20240401001").expect("mn");
    let other = MyNumber::from_body("20240401002").expect("mn");
    s.put_resident(resident(&n, "斎藤 花子", HOME)).wait().expect("put");
    s.put_resident(resident(&other, "斎藤 花子", HOME)).wait().expect("put");
    let linked = s.enrol(member("1", Some(n), "2020-04-01")).wait().expect("enrol");
    let ended = s.enrol(member("2", Some(n), "2010-04-01")).wait().expect("enrol");
    s.append(ended.id, d("2015-04-01"), Change::Lose { reason: None }).wait().expect("lose");
    s.enrol(member("3", None, "2020-04-01")).wait().expect("enrol");

    // the same basic four again: nothing to review
    s.put_resident(resident(&n, "斎藤 花子", HOME)).wait().expect("put");
    assert!(s.registry_events(None, false).expect("list").is_empty());
    // a move: one event, for the member still covered only; an unlinked resident's move offers nothing
    s.put_resident(resident(&n, "斎藤 花子", "東京都府中市府中町一丁目1番地")).wait().expect("put");
    s.put_resident(resident(&other, "斎藤 花子", "東京都府中市府中町一丁目1番地")).wait().expect("put");
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

#[test]
fn a_death_is_recorded_once_and_applied_only_on_accept() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = SqliteStore::open(dir.path()).expect("open");
    let n = MyNumber::from_body("20240401003").expect("mn");
    let nobody = MyNumber::from_body("20240401004").expect("mn");
    assert!(matches!(s.record_death(nobody, d("2025-01-10")).wait(), Err(StoreError::ResidentNotFound)));
    s.put_resident(resident(&n, "斎藤 花子", HOME)).wait().expect("put");
    let m = s.enrol(member("1", Some(n), "2020-04-01")).wait().expect("enrol");
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

#[test]
fn several_changes_are_appended_all_or_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = SqliteStore::open(dir.path()).expect("open");
    let m = s.enrol(member("1", None, "2020-04-01")).wait().expect("enrol");
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
