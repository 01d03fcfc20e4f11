//! Bitemporal history: every rule of resolve, the validation of appends, selection, properties.

use onshi_ids::{Branch, InsuredNumber, InsurerNumber, Symbol};
use onshi_law::{Copay, CopayBasis, CopayRatio, Date, IncomeBracket};
use onshi_ledger::*;
use proptest::prelude::*;

fn d(y: i32, m: u32, day: u32) -> Date {
    Date::from_ymd_opt(y, m, day).unwrap()
}

fn statik(insurer: &str, branch: &str, birth: Date) -> MemberStatic {
    MemberStatic {
        key: MemberKey {
            insurer_number: InsurerNumber::parse(insurer).unwrap(),
            symbol: Some(Symbol::parse("1").unwrap()),
            number: InsuredNumber::parse("500").unwrap(),
            branch: Branch::parse(branch).unwrap(),
        },
        relationship: Relationship::Insured,
        birth_date: birth,
        sex: Sex::Male,
    }
}

fn acquire(seq: u64, at: i64, on: Date, name: &str) -> Entry {
    Entry {
        seq: Seq(seq),
        recorded_at: RecordedAt(at),
        effective_on: on,
        change: Change::Acquire {
            name: name.into(),
            name_kana: format!("{name}カナ"),
            address: "東京都千代田区永田町二丁目1番2号".into(),
            income_bracket: None,
            copay_override: None,
        },
    }
}

fn lose(seq: u64, at: i64, on: Date) -> Entry {
    Entry { seq: Seq(seq), recorded_at: RecordedAt(at), effective_on: on, change: Change::Lose { reason: None } }
}

fn update(seq: u64, at: i64, on: Date) -> UpdateBuilder {
    UpdateBuilder { seq, at, on, name: None, address: None, bracket: None, ov: None }
}

struct UpdateBuilder {
    seq: u64,
    at: i64,
    on: Date,
    name: Option<&'static str>,
    address: Option<&'static str>,
    bracket: Option<IncomeBracket>,
    ov: Option<u8>,
}

impl UpdateBuilder {
    fn name(mut self, n: &'static str) -> Self {
        self.name = Some(n);
        self
    }
    fn address(mut self, a: &'static str) -> Self {
        self.address = Some(a);
        self
    }
    fn bracket(mut self, b: IncomeBracket) -> Self {
        self.bracket = Some(b);
        self
    }
    fn ratio(mut self, p: u8) -> Self {
        self.ov = Some(p);
        self
    }
    fn build(self) -> Entry {
        Entry {
            seq: Seq(self.seq),
            recorded_at: RecordedAt(self.at),
            effective_on: self.on,
            change: Change::Update {
                name: self.name.map(Into::into),
                name_kana: None,
                address: self.address.map(Into::into),
                income_bracket: self.bracket,
                copay_override: self.ov.map(|p| CopayOverride {
                    ratio: CopayRatio::from_percent(p).unwrap(),
                    reason: "基準収入額適用".into(),
                }),
            },
        }
    }
}

fn void(seq: u64, at: i64, target: u64) -> Entry {
    Entry {
        seq: Seq(seq),
        recorded_at: RecordedAt(at),
        effective_on: d(2024, 1, 1),
        change: Change::Void { target: Seq(target), reason: "誤登録".into(), by: None },
    }
}

/// 伊藤 正, born 1953-11-15, 健保組合, acquired 2010-04-01 (seq 1 at t=100).
fn ito() -> MemberHistory {
    MemberHistory::new(statik("06139992", "00", d(1953, 11, 15)), acquire(1, 100, d(2010, 4, 1), "伊藤 正")).unwrap()
}

fn status(h: &MemberHistory, on: Date, at: Option<i64>) -> Option<Status> {
    resolve(h, on, at.map(RecordedAt)).map(|r| r.status)
}

fn ratio(h: &MemberHistory, on: Date, at: Option<i64>) -> Option<u8> {
    resolve(h, on, at.map(RecordedAt)).and_then(|r| r.copay_ratio).map(|r| r.percent())
}

// ------------------------------------------------------------------ status and law

#[test]
fn status_boundaries() {
    let mut h = ito();
    assert_eq!(status(&h, d(2010, 3, 31), None), Some(Status::NotYetCovered));
    assert_eq!(status(&h, d(2010, 4, 1), None), Some(Status::Covered));
    h.append(lose(2, 200, d(2020, 4, 1))).unwrap();
    assert_eq!(status(&h, d(2020, 3, 31), None), Some(Status::Covered));
    assert_eq!(status(&h, d(2020, 4, 1), None), Some(Status::Lost), "lost_on is the first day without coverage");
    let r = resolve(&h, d(2020, 4, 1), None).unwrap();
    assert_eq!((r.acquired_on, r.lost_on, r.copay_ratio), (d(2010, 4, 1), Some(d(2020, 4, 1)), None));
    // the law is still answered for a day without coverage
    assert_eq!(r.law, Copay::Covered { ratio: CopayRatio::THIRTY, basis: CopayBasis::Working });
    assert_eq!(resolve(&h, d(2010, 3, 31), None).unwrap().copay_ratio, None);
}

#[test]
fn scenario_05_copay_follows_the_law() {
    let h = ito();
    assert_eq!(ratio(&h, d(2023, 11, 20), None), Some(30));
    assert_eq!(ratio(&h, d(2023, 12, 1), None), Some(20));
    let r = resolve(&h, d(2023, 12, 1), None).unwrap();
    assert_eq!(r.law, Copay::Covered { ratio: CopayRatio::TWENTY, basis: CopayBasis::Elderly70 });
    assert_eq!(r.name, "伊藤 正");
    assert_eq!(r.as_of, RecordedAt(100));
}

#[test]
fn aged_out_from_the_75th_birthday() {
    let h = ito();
    let r = resolve(&h, d(2028, 11, 14), None).unwrap();
    assert_eq!((r.status, r.aged_out_on), (Status::Covered, Some(d(2028, 11, 15))));
    let r = resolve(&h, d(2028, 11, 15), None).unwrap();
    assert_eq!(r.status, Status::AgedOut);
    assert_eq!(r.law, Copay::AgedOut { since: d(2028, 11, 15) });
    assert_eq!(r.copay_ratio, None);
    // a loss recorded before the 75th birthday wins and there is no aged_out_on
    let mut h2 = ito();
    h2.append(lose(2, 200, d(2025, 4, 1))).unwrap();
    let r = resolve(&h2, d(2029, 1, 1), None).unwrap();
    assert_eq!((r.status, r.aged_out_on), (Status::Lost, None));
    // a loss recorded after the 75th birthday (late paperwork): aged out in between
    let mut h3 = ito();
    h3.append(lose(2, 200, d(2029, 1, 1))).unwrap();
    assert_eq!(status(&h3, d(2028, 12, 1), None), Some(Status::AgedOut));
    assert_eq!(status(&h3, d(2029, 1, 1), None), Some(Status::Lost));
}

#[test]
fn late_stage_elderly_never_ages_out() {
    let h = MemberHistory::new(statik("39131008", "00", d(1945, 5, 5)), acquire(1, 100, d(2020, 5, 5), "高橋 花子"))
        .unwrap();
    let r = resolve(&h, d(2030, 1, 1), None).unwrap();
    assert_eq!((r.status, r.aged_out_on), (Status::Covered, None));
    assert_eq!(r.copay_ratio, Some(CopayRatio::TEN));
    let mut h = h;
    h.append(update(2, 200, d(2024, 8, 1)).bracket(IncomeBracket::General2).build()).unwrap();
    assert_eq!(ratio(&h, d(2024, 7, 31), None), Some(10));
    assert_eq!(ratio(&h, d(2024, 8, 1), None), Some(20));
}

#[test]
fn national_health_insurance_is_a_scheme_too() {
    let h =
        MemberHistory::new(statik("138016", "00", d(1950, 2, 10)), acquire(1, 100, d(2023, 4, 1), "小林 進")).unwrap();
    assert_eq!(ratio(&h, d(2023, 5, 1), None), Some(20));
    assert_eq!(status(&h, d(2025, 2, 10), None), Some(Status::AgedOut));
}

// ------------------------------------------------------------------ updates

#[test]
fn updates_apply_by_effective_date_then_seq() {
    let mut h = ito();
    h.append(update(2, 200, d(2015, 1, 1)).address("大阪府大阪市北区1-1").build()).unwrap();
    h.append(update(3, 300, d(2018, 6, 1)).name("伊藤 正志").build()).unwrap();
    // recorded later but effective earlier than the address change: applied before it
    h.append(update(4, 400, d(2012, 1, 1)).address("京都府京都市1-1").name("伊藤 正二").build()).unwrap();
    // same effective date as seq 3: the later seq wins
    h.append(update(5, 500, d(2018, 6, 1)).name("伊藤 正三").build()).unwrap();

    let at = |on| {
        let r = resolve(&h, on, None).unwrap();
        (r.name.to_owned(), r.address.to_owned())
    };
    assert_eq!(at(d(2011, 1, 1)), ("伊藤 正".into(), "東京都千代田区永田町二丁目1番2号".into()));
    assert_eq!(at(d(2012, 1, 1)), ("伊藤 正二".into(), "京都府京都市1-1".into()));
    assert_eq!(at(d(2016, 1, 1)), ("伊藤 正二".into(), "大阪府大阪市北区1-1".into()));
    assert_eq!(at(d(2018, 6, 1)), ("伊藤 正三".into(), "大阪府大阪市北区1-1".into()));
    // as known before seq 4 and 5 were recorded
    let r = resolve(&h, d(2018, 6, 1), Some(RecordedAt(300))).unwrap();
    assert_eq!((r.name, r.address), ("伊藤 正志", "大阪府大阪市北区1-1"));
    let r = resolve(&h, d(2012, 6, 1), Some(RecordedAt(300))).unwrap();
    assert_eq!(r.address, "東京都千代田区永田町二丁目1番2号");
    assert_eq!(r.as_of, RecordedAt(300));
    assert_eq!(resolve(&h, d(2012, 6, 1), None).unwrap().as_of, RecordedAt(500));
}

#[test]
fn before_acquisition_fields_are_those_in_force_at_acquisition() {
    let mut h = ito();
    h.append(update(2, 200, d(2010, 4, 1)).name("伊藤 正（訂正）").build()).unwrap();
    h.append(update(3, 300, d(2011, 1, 1)).name("later").build()).unwrap();
    let r = resolve(&h, d(2009, 1, 1), None).unwrap();
    assert_eq!((r.status, r.name), (Status::NotYetCovered, "伊藤 正（訂正）"));
}

#[test]
fn income_bracket_and_override() {
    let mut h = ito();
    // 現役並み from 1 August 2024 (the yearly re-determination)
    h.append(update(2, 200, d(2024, 8, 1)).bracket(IncomeBracket::ActiveEquivalent).build()).unwrap();
    assert_eq!(ratio(&h, d(2024, 7, 31), None), Some(20));
    assert_eq!(ratio(&h, d(2024, 8, 1), None), Some(30));
    let r = resolve(&h, d(2024, 8, 1), None).unwrap();
    assert_eq!(r.income_bracket, Some(IncomeBracket::ActiveEquivalent));
    assert_eq!(r.law, Copay::Covered { ratio: CopayRatio::THIRTY, basis: CopayBasis::Elderly70Active });
    // the insurer overrides it back to 2割 from September (基準収入額適用)
    h.append(update(3, 300, d(2024, 9, 1)).ratio(20).build()).unwrap();
    let r = resolve(&h, d(2024, 9, 1), None).unwrap();
    assert_eq!(r.copay_ratio, Some(CopayRatio::TWENTY));
    assert_eq!(r.law.ratio(), Some(CopayRatio::THIRTY), "the law's answer is kept beside the override");
    assert_eq!(r.copay_override.map(|o| o.reason.as_str()), Some("基準収入額適用"));
    assert_eq!(ratio(&h, d(2024, 8, 31), None), Some(30));
    // an override from the acquisition itself
    let mut first = acquire(1, 100, d(2020, 4, 1), "x");
    if let Change::Acquire { copay_override, .. } = &mut first.change {
        *copay_override = Some(CopayOverride { ratio: CopayRatio::TEN, reason: "exception".into() });
    }
    let h = MemberHistory::new(statik("01130012", "00", d(1980, 1, 1)), first).unwrap();
    assert_eq!(ratio(&h, d(2021, 1, 1), None), Some(10));
    assert_eq!(resolve(&h, d(2021, 1, 1), None).unwrap().law.ratio(), Some(CopayRatio::THIRTY));
}

// ------------------------------------------------------------------ bitemporal questions

#[test]
fn late_recorded_loss() {
    let mut h = ito();
    // recorded at t=500 that coverage ended on 2024-04-01
    h.append(lose(2, 500, d(2024, 4, 1))).unwrap();
    assert_eq!(status(&h, d(2024, 4, 10), Some(499)), Some(Status::Covered), "what a clinic saw on the 10th");
    assert_eq!(status(&h, d(2024, 4, 10), Some(500)), Some(Status::Lost));
    assert_eq!(status(&h, d(2024, 4, 10), None), Some(Status::Lost));
    assert_eq!(resolve(&h, d(2024, 4, 10), Some(RecordedAt(499))).unwrap().lost_on, None);
    // nothing was known before the first entry
    assert!(resolve(&h, d(2024, 4, 10), Some(RecordedAt(99))).is_none());
    // a later Lose replaces the earlier one
    h.append(lose(3, 600, d(2024, 5, 1))).unwrap();
    assert_eq!(status(&h, d(2024, 4, 10), None), Some(Status::Covered));
    assert_eq!(status(&h, d(2024, 4, 10), Some(550)), Some(Status::Lost));
}

#[test]
fn void_is_ignored_from_its_recording_on() {
    let mut h = ito();
    h.append(lose(2, 200, d(2024, 4, 1))).unwrap();
    h.append(void(3, 300, 2)).unwrap();
    assert_eq!(status(&h, d(2024, 5, 1), Some(250)), Some(Status::Lost));
    assert_eq!(status(&h, d(2024, 5, 1), Some(300)), Some(Status::Covered));
    assert_eq!(status(&h, d(2024, 5, 1), None), Some(Status::Covered));
    assert_eq!(resolve(&h, d(2024, 5, 1), None).unwrap().as_of, RecordedAt(300));
    // voiding an Update
    h.append(update(4, 400, d(2020, 1, 1)).name("誤記").build()).unwrap();
    h.append(void(5, 500, 4)).unwrap();
    assert_eq!(resolve(&h, d(2021, 1, 1), Some(RecordedAt(450))).unwrap().name, "誤記");
    assert_eq!(resolve(&h, d(2021, 1, 1), None).unwrap().name, "伊藤 正");
    // voiding the acquisition: nothing known any more, as of now
    h.append(void(6, 600, 1)).unwrap();
    assert!(resolve(&h, d(2021, 1, 1), None).is_none());
    assert!(resolve(&h, d(2021, 1, 1), Some(RecordedAt(599))).is_some());
    assert_eq!(h.period_opt(None), None);
    assert_eq!(h.period(None), (d(2010, 4, 1), Some(d(2010, 4, 1))), "empty period");
    assert_eq!(h.period(Some(RecordedAt(599))), (d(2010, 4, 1), None));
}

#[test]
fn correction_of_acquired_on() {
    let mut h = ito();
    h.append(update(2, 200, d(2012, 1, 1)).address("新住所").build()).unwrap();
    // the insurer corrects the acquisition to 2011-04-01 with a corrected name
    h.append(acquire(3, 300, d(2011, 4, 1), "伊藤 正（訂正）")).unwrap();
    assert_eq!(status(&h, d(2010, 6, 1), Some(299)), Some(Status::Covered));
    assert_eq!(status(&h, d(2010, 6, 1), None), Some(Status::NotYetCovered));
    let r = resolve(&h, d(2013, 1, 1), None).unwrap();
    assert_eq!((r.acquired_on, r.name, r.address), (d(2011, 4, 1), "伊藤 正（訂正）", "新住所"));
    assert_eq!(h.period(Some(RecordedAt(299))), (d(2010, 4, 1), None));
    assert_eq!(h.period(None), (d(2011, 4, 1), None));
    // voiding the correction brings the original back
    h.append(void(4, 400, 3)).unwrap();
    assert_eq!(h.period(None), (d(2010, 4, 1), None));
    assert_eq!(resolve(&h, d(2013, 1, 1), None).unwrap().name, "伊藤 正");
}

// ------------------------------------------------------------------ validation

#[test]
fn new_validates_the_first_entry() {
    let e = MemberHistory::new(statik("06139992", "00", d(1953, 11, 15)), lose(1, 1, d(2020, 1, 1))).unwrap_err();
    assert_eq!((e.code(), e.reason()), ("invalid_value", "first_not_acquire"));
    let e =
        MemberHistory::new(statik("06139992", "00", d(1953, 11, 15)), acquire(1, 1, d(1953, 11, 14), "x")).unwrap_err();
    assert_eq!(e.reason(), "acquired_before_birth");
    assert_eq!(e.field(), Some("acquired_on"));
    assert!(MemberHistory::new(statik("06139992", "00", d(1953, 11, 15)), acquire(1, 1, d(1953, 11, 15), "x")).is_ok());
}

#[test]
fn append_validation_reasons() {
    let reason = |h: &MemberHistory, e: Entry| h.check_append(&e).unwrap_err().reason();
    let h = ito();
    assert_eq!(reason(&h, lose(2, 200, d(2010, 3, 31))), "lost_before_acquired");
    assert!(h.check_append(&lose(2, 200, d(2010, 4, 1))).is_ok(), "an empty period is allowed (遡及取消)");
    assert_eq!(reason(&h, update(2, 200, d(2010, 3, 31)).name("x").build()), "change_before_acquired");
    assert_eq!(reason(&h, update(2, 200, d(2011, 1, 1)).build()), "empty_change");
    assert_eq!(reason(&h, acquire(2, 200, d(1950, 1, 1), "x")), "acquired_before_birth");
    assert_eq!(reason(&h, void(2, 200, 99)), "void_unknown_entry");
    assert_eq!(reason(&h, lose(1, 200, d(2020, 1, 1))), "seq_not_increasing");
    assert_eq!(reason(&h, lose(2, 99, d(2020, 1, 1))), "recorded_before_previous");
    assert!(h.check_append(&lose(2, 100, d(2020, 1, 1))).is_ok(), "same recorded_at is fine");

    let mut h = ito();
    h.append(lose(2, 200, d(2020, 4, 1))).unwrap();
    // a correction of the acquisition after the loss
    assert_eq!(reason(&h, acquire(3, 300, d(2020, 5, 1), "x")), "lost_before_acquired");
    assert!(h.check_append(&acquire(3, 300, d(2020, 4, 1), "x")).is_ok());
    h.append(void(3, 300, 2)).unwrap();
    assert_eq!(reason(&h, void(4, 400, 3)), "void_of_void");
    assert_eq!(reason(&h, void(4, 400, 2)), "already_voided");
    h.append(void(4, 400, 1)).unwrap();
    assert_eq!(reason(&h, lose(5, 500, d(2021, 1, 1))), "not_acquired");
    assert_eq!(reason(&h, update(5, 500, d(2021, 1, 1)).name("x").build()), "not_acquired");
    // re-acquire after a voided acquisition
    h.append(acquire(5, 500, d(2015, 4, 1), "y")).unwrap();
    assert_eq!(h.period(None), (d(2015, 4, 1), None));

    // a void that would bring back an acquisition later than the loss
    let mut h = ito();
    h.append(acquire(2, 200, d(2009, 4, 1), "earlier")).unwrap();
    let mut h2 =
        MemberHistory::new(statik("06139992", "00", d(1953, 11, 15)), acquire(1, 100, d(2015, 4, 1), "a")).unwrap();
    h2.append(acquire(2, 200, d(2010, 4, 1), "corrected")).unwrap();
    h2.append(lose(3, 300, d(2012, 4, 1))).unwrap();
    let e = h2.check_append(&void(4, 400, 2)).unwrap_err();
    assert_eq!(e.reason(), "lost_before_acquired");
    assert_eq!(e.field(), Some("lost_on"));
    assert!(h.check_append(&void(3, 300, 2)).is_ok());

    // the history is unchanged after a refused append
    let before = h.clone();
    assert!(h.append(lose(3, 300, d(2000, 1, 1))).is_err());
    assert_eq!(h, before);

    // storage bugs are told apart
    assert!(LedgerError::SeqNotIncreasing { last: Seq(2), got: Seq(1) }.is_storage_bug());
    assert!(!LedgerError::EmptyChange.is_storage_bug());
    assert!(LedgerError::EmptyChange.to_string().contains("at least one"));
}

// ------------------------------------------------------------------ period helpers

#[test]
fn periods() {
    let mut h = ito();
    assert!(h.covers(d(2010, 4, 1), None));
    assert!(!h.covers(d(2010, 3, 31), None));
    h.append(lose(2, 200, d(2020, 4, 1))).unwrap();
    assert!(!h.covers(d(2020, 4, 1), None));
    assert!(h.covers(d(2020, 4, 1), Some(RecordedAt(150))));
    let p = |a, b: Option<Date>| (a, b);
    assert!(MemberHistory::periods_overlap(p(d(2010, 1, 1), None), p(d(2020, 1, 1), None)));
    assert!(!MemberHistory::periods_overlap(p(d(2010, 1, 1), Some(d(2020, 1, 1))), p(d(2020, 1, 1), None)));
    assert!(MemberHistory::periods_overlap(p(d(2010, 1, 1), Some(d(2020, 1, 2))), p(d(2020, 1, 1), None)));
    assert!(!MemberHistory::periods_overlap(p(d(2010, 1, 1), Some(d(2010, 1, 1))), p(d(2000, 1, 1), None)), "empty");
    assert_eq!(h.last_recorded_at(), Some(RecordedAt(200)));
}

// ------------------------------------------------------------------ selection

#[test]
fn selection_twins_and_reacquisitions() {
    let twin1 =
        MemberHistory::new(statik("06139992", "01", d(2015, 6, 1)), acquire(1, 100, d(2015, 6, 1), "佐藤 一郎"))
            .unwrap();
    let twin2 =
        MemberHistory::new(statik("06139992", "02", d(2015, 6, 1)), acquire(2, 100, d(2015, 6, 1), "佐藤 二郎"))
            .unwrap();
    let on = d(2024, 4, 1);
    assert_eq!(select(&[&twin1, &twin2], None, on), Selection::BranchRequired);
    assert_eq!(select(&[&twin1, &twin2], Some(&Branch::parse("02").unwrap()), on), Selection::One(&twin2));
    assert_eq!(select(&[&twin1, &twin2], Some(&Branch::parse("03").unwrap()), on), Selection::None);
    assert_eq!(select(&[&twin1], None, on), Selection::One(&twin1));
    assert_eq!(select(&[], None, on), Selection::None);
    // never guess even when one twin's record is lost
    let mut lost = twin2.clone();
    lost.append(lose(3, 200, d(2020, 1, 1))).unwrap();
    assert_eq!(select(&[&twin1, &lost], None, on), Selection::BranchRequired);
    // a voided record is not a candidate
    let mut voided = twin2.clone();
    voided.append(void(3, 200, 2)).unwrap();
    assert_eq!(select(&[&twin1, &voided], None, on), Selection::One(&twin1));

    // one person, three periods: 2010–2015, 2016–2020, 2022–
    let rec = |seq: u64, from, to: Option<Date>| {
        let mut h =
            MemberHistory::new(statik("06139992", "00", d(1980, 1, 1)), acquire(seq * 10, 100, from, "x")).unwrap();
        if let Some(to) = to {
            h.append(lose(seq * 10 + 1, 200, to)).unwrap();
        }
        h
    };
    let a = rec(1, d(2010, 4, 1), Some(d(2015, 4, 1)));
    let b = rec(2, d(2016, 4, 1), Some(d(2020, 4, 1)));
    let c = rec(3, d(2022, 4, 1), None);
    let all = [&c, &a, &b];
    assert_eq!(select(&all, None, d(2012, 1, 1)), Selection::One(&a), "covering");
    assert_eq!(select(&all, None, d(2017, 1, 1)), Selection::One(&b));
    assert_eq!(select(&all, None, d(2023, 1, 1)), Selection::One(&c));
    assert_eq!(select(&all, None, d(2015, 10, 1)), Selection::One(&a), "gap: the latest acquired before");
    assert_eq!(select(&all, None, d(2021, 1, 1)), Selection::One(&b));
    assert_eq!(select(&all, None, d(2000, 1, 1)), Selection::One(&a), "before all: the earliest");
}

/// A record of number `number`, branch `branch`, acquired on `from` and lost on `to`.
fn numbered(seq: u64, number: &str, branch: &str, from: Date, to: Option<Date>) -> MemberHistory {
    let mut st = statik("06139992", branch, d(1950, 3, 3));
    st.key.number = InsuredNumber::parse(number).unwrap();
    let mut h = MemberHistory::new(st, acquire(seq * 10, 100, from, number)).unwrap();
    if let Some(to) = to {
        h.append(lose(seq * 10 + 1, 200, to)).unwrap();
    }
    h
}

/// Seed 「8桁でオンライン確認を行うと資格なし、9桁で行ってみると資格あり」: numbers that differ only by
/// leading zeros find the member; two spellings are never chosen between silently.
#[test]
fn selection_by_number_folds_leading_zeros_but_never_guesses_between_spellings() {
    let n = |s: &str| InsuredNumber::parse(s).unwrap();
    let on = d(2024, 4, 1);
    let nine = numbered(1, "012345678", "00", d(2010, 4, 1), None);
    // one spelling stored: every spelling of the same number finds it
    for asked in ["012345678", "12345678", "0012345678", "０１２３４５６７８"] {
        assert_eq!(select_by_number(&[&nine], None, &n(asked), None, on), Selection::One(&nine), "{asked}");
    }
    // another number is not the same card, even if the store handed it over
    assert_eq!(select_by_number(&[&nine], None, &n("123456780"), None, on), Selection::None);
    assert_eq!(select_by_number(&[&nine], None, &n("A12345678"), None, on), Selection::None);

    // the number changed from 9 to 8 digits: the old record is lost, the new one covers
    let eight = numbered(2, "12345678", "00", d(2024, 1, 1), None);
    let old = numbered(3, "012345678", "00", d(2010, 4, 1), Some(d(2024, 1, 1)));
    let both = [&old, &eight];
    // the card's own spelling decides …
    assert_eq!(select_by_number(&both, None, &n("12345678"), None, on), Selection::One(&eight));
    assert_eq!(select_by_number(&both, None, &n("012345678"), None, on), Selection::One(&old));
    assert_eq!(select_by_number(&both, None, &n("012345678"), None, d(2020, 1, 1)), Selection::One(&old));
    // … and a third spelling names neither: ask for the exact number, never guess
    assert_eq!(select_by_number(&both, None, &n("0012345678"), None, on), Selection::ExactNumberRequired);
    assert_eq!(select_by_number(&[&eight, &old], None, &n("0012345678"), None, on), Selection::ExactNumberRequired);
    // full-width digits are the same spelling once parsed
    assert_eq!(select_by_number(&both, None, &n("１２３４５６７８"), None, on), Selection::One(&eight));

    // the branch filter comes first: one spelling left is no ambiguity
    let twin_a = numbered(4, "01234567", "01", d(2015, 6, 1), None);
    let twin_b = numbered(5, "001234567", "02", d(2015, 6, 1), None);
    let twins = [&twin_a, &twin_b];
    assert_eq!(select_by_number(&twins, None, &n("1234567"), None, on), Selection::ExactNumberRequired);
    assert_eq!(
        select_by_number(&twins, None, &n("1234567"), Some(&Branch::parse("02").unwrap()), on),
        Selection::One(&twin_b)
    );
    assert_eq!(select_by_number(&twins, None, &n("01234567"), None, on), Selection::One(&twin_a));
    // same spelling, two branches: the branch decides, as in `select`
    let twin_c = numbered(6, "01234567", "02", d(2015, 6, 1), None);
    assert_eq!(select_by_number(&[&twin_a, &twin_c], None, &n("1234567"), None, on), Selection::BranchRequired);
    assert_eq!(select_by_number(&[&twin_a, &twin_c], None, &n("01234567"), None, on), Selection::BranchRequired);

    // a voided record is no candidate, and its spelling makes no ambiguity
    let mut voided = numbered(7, "001234567", "01", d(2015, 6, 1), None);
    voided.append(void(71, 300, 70)).unwrap();
    assert_eq!(select_by_number(&[&twin_a, &voided], None, &n("1234567"), None, on), Selection::One(&twin_a));
    assert_eq!(select_by_number(&[&voided], None, &n("001234567"), None, on), Selection::None);

    // with one spelling, select_by_number is select
    let rec = |seq, from, to| numbered(seq, "500", "00", from, to);
    let a = rec(8, d(2010, 4, 1), Some(d(2015, 4, 1)));
    let b = rec(9, d(2016, 4, 1), None);
    for day in [d(2000, 1, 1), d(2012, 1, 1), d(2015, 10, 1), d(2017, 1, 1)] {
        assert_eq!(select_by_number(&[&b, &a], None, &n("0500"), None, day), select(&[&b, &a], None, day));
    }
}

/// A record under `symbol` (None: the card has no 記号), number 700, branch `branch`, born
/// 1980-01-01, acquired on `from` and lost on `to`.
fn carded(seq: u64, symbol: Option<&str>, branch: &str, from: Date, to: Option<Date>) -> MemberHistory {
    let mut st = statik("06139992", branch, d(1980, 1, 1));
    st.key.symbol = symbol.map(|s| Symbol::parse(s).unwrap());
    st.key.number = InsuredNumber::parse("700").unwrap();
    let mut h = MemberHistory::new(st, acquire(seq * 10, 100, from, "x")).unwrap();
    if let Some(to) = to {
        h.append(lose(seq * 10 + 1, 200, to)).unwrap();
    }
    h
}

/// Issue 10, defect 1: two insured persons under one insurer with different 記号, the same 番号 and
/// birth date, both 枝番 00. A query that leaves the symbol out matches both: refused, never picked.
#[test]
fn a_query_without_the_symbol_never_chooses_between_two_people() {
    let n = InsuredNumber::parse("700").unwrap();
    let sym = |s: &str| Symbol::parse(s).unwrap();
    let (s1, s2, s3) = (sym("1"), sym("2"), sym("3"));
    let b = |s: &str| Branch::parse(s).unwrap();
    let on = d(2024, 4, 1);
    let one = carded(1, Some("1"), "00", d(2010, 4, 1), None);
    let two = carded(2, Some("2"), "00", d(2015, 4, 1), None);
    let both = [&one, &two];
    assert_eq!(select_by_number(&both, None, &n, None, on), Selection::SymbolRequired);
    assert_eq!(
        select_by_number(&both, None, &n, Some(&b("00")), on),
        Selection::SymbolRequired,
        "the branch does not decide"
    );
    assert_eq!(select_by_number(&both, Some(&s1), &n, None, on), Selection::One(&one));
    assert_eq!(select_by_number(&both, Some(&s2), &n, None, on), Selection::One(&two));
    assert_eq!(select_by_number(&both, Some(&s3), &n, None, on), Selection::None);
    assert_eq!(select(&both, None, on), Selection::SymbolRequired);
    // never guessed either when one of them is lost, or not yet covered on the service date
    let two_lost = carded(2, Some("2"), "00", d(2015, 4, 1), Some(d(2020, 4, 1)));
    assert_eq!(select_by_number(&[&one, &two_lost], None, &n, None, on), Selection::SymbolRequired);
    let two_later = carded(2, Some("2"), "00", d(2030, 4, 1), None);
    assert_eq!(select_by_number(&[&one, &two_later], None, &n, None, on), Selection::SymbolRequired);
    // a card with no 記号 beside one with a 記号: leaving it out matches both
    let bare = carded(3, None, "00", d(2012, 4, 1), None);
    assert_eq!(select_by_number(&[&bare, &one], None, &n, None, on), Selection::SymbolRequired);
    assert_eq!(select_by_number(&[&bare, &one], Some(&s1), &n, None, on), Selection::One(&one));
    // alone, a record is found with or without its symbol
    assert_eq!(select_by_number(&[&one], None, &n, None, on), Selection::One(&one));
    assert_eq!(select_by_number(&[&bare], None, &n, None, on), Selection::One(&bare));
    // a voided record under another symbol is no candidate, so no ambiguity
    let mut voided = carded(4, Some("2"), "00", d(2015, 4, 1), None);
    voided.append(void(41, 300, 40)).unwrap();
    assert_eq!(select_by_number(&[&one, &voided], None, &n, None, on), Selection::One(&one));
    // re-acquisitions under one symbol and branch are one person, as before
    let one_again = carded(5, Some("1"), "00", d(2000, 4, 1), Some(d(2005, 4, 1)));
    assert_eq!(select_by_number(&[&one_again, &one], None, &n, None, on), Selection::One(&one));
    assert_eq!(select_by_number(&[&one_again, &one], None, &n, None, d(2003, 1, 1)), Selection::One(&one_again));

    // symbols and branches both differ: the symbol is asked for first; either field, sent, decides
    let two_01 = carded(6, Some("2"), "01", d(2015, 4, 1), None);
    let mixed = [&one, &two_01];
    assert_eq!(select_by_number(&mixed, None, &n, None, on), Selection::SymbolRequired);
    assert_eq!(select_by_number(&mixed, None, &n, Some(&b("01")), on), Selection::One(&two_01));
    assert_eq!(select_by_number(&mixed, Some(&s1), &n, None, on), Selection::One(&one));
    // twins under symbol 1 and a stranger under symbol 2: the symbol, then the branch
    let twin = carded(7, Some("1"), "02", d(2010, 4, 1), None);
    let three = [&one, &twin, &two];
    assert_eq!(select_by_number(&three, None, &n, None, on), Selection::SymbolRequired);
    assert_eq!(select_by_number(&three, Some(&s1), &n, None, on), Selection::BranchRequired);
    assert_eq!(select_by_number(&three, Some(&s1), &n, Some(&b("02")), on), Selection::One(&twin));
    assert_eq!(select_by_number(&three, None, &n, Some(&b("00")), on), Selection::SymbolRequired);
    assert_eq!(select_by_number(&three, None, &n, Some(&b("02")), on), Selection::One(&twin));
    assert_eq!(select_by_number(&three, Some(&s2), &n, None, on), Selection::One(&two));
}

/// A small random candidate set: (symbol 0 = none, 1, 2; branch 0–1; acquired year; lost after
/// how many years, if; voided).
fn arb_cards() -> impl Strategy<Value = Vec<(u8, u8, i32, Option<i32>, bool)>> {
    prop::collection::vec((0u8..3, 0u8..2, 2000i32..2030, prop::option::of(0i32..12), any::<bool>()), 0..6)
}

fn build_cards(spec: &[(u8, u8, i32, Option<i32>, bool)]) -> Vec<MemberHistory> {
    spec.iter()
        .enumerate()
        .map(|(i, &(sym, br, from, years, voided))| {
            let symbol = ["", "1", "2"][usize::from(sym)];
            let from_d = d(from, 4, 1);
            let mut h = carded(
                i as u64 + 1,
                (!symbol.is_empty()).then_some(symbol),
                ["00", "01"][usize::from(br)],
                from_d,
                years.map(|y| d(from + y, 4, 1)),
            );
            if voided {
                h.append(void((i as u64 + 1) * 10 + 5, 300, (i as u64 + 1) * 10)).unwrap();
            }
            h
        })
        .collect()
}

proptest! {
    /// Whatever the candidates: a record is answered only when every candidate in play is of its
    /// symbol and branch (one person); otherwise the refusal names the field that differs; and the
    /// order of the candidates never matters.
    #[test]
    fn selection_by_number_answers_only_for_one_person(
        spec in arb_cards(),
        sym in 0u8..4,
        br in prop::option::of(0u8..2),
        year in 1995i32..2045,
    ) {
        let hs = build_cards(&spec);
        let refs: Vec<&MemberHistory> = hs.iter().collect();
        let n = InsuredNumber::parse("700").unwrap();
        let symbol = match sym { 1 => Some(Symbol::parse("1").unwrap()), 2 => Some(Symbol::parse("2").unwrap()), _ => None };
        let branch = br.map(|b| Branch::parse(["00", "01"][usize::from(b)]).unwrap());
        let on = d(year, 6, 1);
        let got = select_by_number(&refs, symbol.as_ref(), &n, branch.as_ref(), on);
        let in_play: Vec<&MemberHistory> = hs
            .iter()
            .filter(|h| h.period_opt(None).is_some())
            .filter(|h| symbol.is_none() || h.statik.key.symbol == symbol)
            .filter(|h| branch.as_ref().is_none_or(|b| *b == h.statik.key.branch))
            .collect();
        let mut symbols: Vec<_> = in_play.iter().map(|h| h.statik.key.symbol.clone()).collect();
        symbols.sort();
        symbols.dedup();
        let mut branches: Vec<_> = in_play.iter().map(|h| h.statik.key.branch).collect();
        branches.sort();
        branches.dedup();
        match got {
            Selection::One(h) => {
                prop_assert!(in_play.iter().any(|c| std::ptr::eq(*c, h)));
                prop_assert_eq!(symbols.len(), 1);
                prop_assert_eq!(branches.len(), 1);
            }
            Selection::None => prop_assert!(in_play.is_empty()),
            Selection::SymbolRequired => prop_assert!(symbols.len() > 1),
            Selection::BranchRequired => prop_assert!(symbols.len() == 1 && branches.len() > 1),
            Selection::ExactNumberRequired => prop_assert!(false, "one spelling only"),
        }
        let mut reversed = refs.clone();
        reversed.reverse();
        prop_assert_eq!(select_by_number(&reversed, symbol.as_ref(), &n, branch.as_ref(), on), got);
    }

    /// The rule of a check by person, whatever the coverages: `Valid` shows the newest valid
    /// coverage and lists exactly the other valid ones; `Invalid` only when none is valid, showing
    /// the newest acquisition; `None` only with no acquisition in force; never order-dependent.
    #[test]
    fn selection_for_person_shows_the_newest_valid_and_lists_the_rest(spec in arb_cards(), year in 1995i32..2045) {
        let hs = build_cards(&spec);
        let refs: Vec<&MemberHistory> = hs.iter().collect();
        let on = d(year, 6, 1);
        let covered = |h: &MemberHistory| resolve(h, on, None).is_some_and(|r| r.status == Status::Covered);
        let acquired = |h: &MemberHistory| h.period_opt(None).map(|p| p.0);
        let got = select_for_person(&refs, on);
        match &got {
            PersonSelection::Valid { shown, also_valid } => {
                prop_assert!(covered(shown));
                prop_assert_eq!(also_valid.len() + 1, hs.iter().filter(|h| covered(h)).count());
                prop_assert!(also_valid.iter().all(|h| covered(h) && !std::ptr::eq(*h, *shown)));
                prop_assert!(also_valid.iter().all(|h| acquired(h) <= acquired(shown)));
                prop_assert!(also_valid.windows(2).all(|w| acquired(w[0]) >= acquired(w[1])));
            }
            PersonSelection::Invalid { shown } => {
                prop_assert!(!hs.iter().any(covered));
                prop_assert!(hs.iter().all(|h| acquired(h) <= acquired(shown)));
                prop_assert!(acquired(shown).is_some());
            }
            PersonSelection::None => prop_assert!(hs.iter().all(|h| h.period_opt(None).is_none())),
        }
        let mut reversed = refs.clone();
        reversed.reverse();
        prop_assert_eq!(select_for_person(&reversed, on), got);
    }
}

/// Issue 10, defect 2: one rule for every check by person, written once.
#[test]
fn selection_for_person() {
    let on = d(2024, 6, 1);
    assert_eq!(select_for_person(&[], on), PersonSelection::None);
    // coverages of one person under several insurers
    let rec = |seq: u64, insurer: &str, from: Date, to: Option<Date>| {
        let mut h =
            MemberHistory::new(statik(insurer, "00", d(1980, 1, 1)), acquire(seq * 10, 100, from, "x")).unwrap();
        if let Some(to) = to {
            h.append(lose(seq * 10 + 1, 200, to)).unwrap();
        }
        h
    };
    let old_job = rec(1, "06139992", d(2010, 4, 1), None); // its loss not recorded yet
    let new_job = rec(2, "01130012", d(2024, 4, 1), None);
    let kokuho = rec(3, "131052", d(2020, 4, 1), Some(d(2024, 4, 1)));
    assert_eq!(select_for_person(&[&old_job], on), PersonSelection::Valid { shown: &old_job, also_valid: vec![] });
    // overlapping coverage: the newest acquisition is shown, the others are listed, newest first
    let overlap = PersonSelection::Valid { shown: &new_job, also_valid: vec![&old_job] };
    assert_eq!(select_for_person(&[&old_job, &new_job], on), overlap);
    assert_eq!(select_for_person(&[&new_job, &old_job], on), overlap, "order of the candidates");
    assert_eq!(select_for_person(&[&kokuho, &old_job, &new_job], on), overlap, "a lost coverage is not listed");
    let older_still = rec(4, "06131338", d(2000, 4, 1), None);
    assert_eq!(
        select_for_person(&[&older_still, &old_job, &new_job], on),
        PersonSelection::Valid { shown: &new_job, also_valid: vec![&old_job, &older_still] }
    );
    // a valid coverage beats a newer one that is not valid yet, or lost
    let future = rec(5, "01450014", d(2025, 4, 1), None);
    assert_eq!(
        select_for_person(&[&future, &old_job], on),
        PersonSelection::Valid { shown: &old_job, also_valid: vec![] }
    );
    // none valid: the newest acquisition, answered as not valid
    assert_eq!(select_for_person(&[&kokuho], on), PersonSelection::Invalid { shown: &kokuho });
    assert_eq!(select_for_person(&[&kokuho, &future], on), PersonSelection::Invalid { shown: &future });
    assert_eq!(
        select_for_person(&[&kokuho], d(2024, 3, 31)),
        PersonSelection::Valid { shown: &kokuho, also_valid: vec![] }
    );
    // from the 75th birthday an employee coverage is not valid
    let aged = rec(6, "06139992", d(2010, 4, 1), None);
    assert_eq!(select_for_person(&[&aged], d(2055, 1, 1)), PersonSelection::Invalid { shown: &aged });
    // a voided acquisition is no candidate
    let mut voided = rec(7, "06401020", d(2024, 5, 1), None);
    voided.append(void(75, 300, 70)).unwrap();
    assert_eq!(select_for_person(&[&voided], on), PersonSelection::None);
    assert_eq!(
        select_for_person(&[&voided, &old_job], on),
        PersonSelection::Valid { shown: &old_job, also_valid: vec![] }
    );
    // equal dates: by the card key, never by the order given
    let same_day = rec(8, "34139014", d(2024, 4, 1), None);
    let tie = select_for_person(&[&new_job, &same_day], on);
    assert_eq!(tie, PersonSelection::Valid { shown: &same_day, also_valid: vec![&new_job] });
    assert_eq!(select_for_person(&[&same_day, &new_job], on), tie);
}

// ------------------------------------------------------------------ serde

#[test]
fn serde_shapes() {
    let mut h = ito();
    h.append(update(2, 200, d(2015, 1, 1)).address("x").ratio(20).build()).unwrap();
    h.append(void(3, 300, 2)).unwrap();
    let json = serde_json::to_value(&h).unwrap();
    assert_eq!(json["entries"][0]["change"]["kind"], "acquire");
    assert_eq!(json["entries"][1]["change"]["copay_override"]["ratio"], 20);
    assert_eq!(json["entries"][1]["change"].get("name"), None);
    assert_eq!(json["entries"][2]["change"]["target"], 2);
    assert_eq!(json["entries"][0]["effective_on"], "2010-04-01");
    assert_eq!(json["entries"][0]["recorded_at"], 100);
    assert_eq!(json["statik"]["key"]["insurer_number"], "06139992");
    assert_eq!(json["statik"]["relationship"], "insured");
    assert_eq!(json["statik"]["sex"], "male");
    let back: MemberHistory = serde_json::from_value(json).unwrap();
    assert_eq!(back, h);
    let r = serde_json::to_value(resolve(&h, d(2016, 1, 1), None).unwrap()).unwrap();
    assert_eq!(r["status"], "covered");
    assert_eq!(r["copay_ratio"], 30);
    assert_eq!(Relationship::parse("dependent"), Some(Relationship::Dependent));
    assert_eq!(Sex::parse(Sex::Female.as_str()), Some(Sex::Female));
    let t = chrono::DateTime::parse_from_rfc3339("2024-04-01T00:00:00.123456Z").unwrap().to_utc();
    assert_eq!(RecordedAt::from_datetime(t).to_datetime(), Some(t));
}

// ------------------------------------------------------------------ properties

#[derive(Clone, Debug)]
enum Op {
    Acquire(i64),
    Lose(i64),
    Update(i64, u8, Option<u8>),
    Void(usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0i64..8000).prop_map(Op::Acquire),
        (0i64..8000).prop_map(Op::Lose),
        (0i64..8000, 0u8..4, proptest::option::of(0u8..3)).prop_map(|(a, b, c)| Op::Update(a, b, c)),
        (0usize..20).prop_map(Op::Void),
    ]
}

fn day(offset: i64) -> Date {
    d(2000, 1, 1) + chrono::Days::new(offset as u64)
}

fn entry_of(op: &Op, seq: u64, at: i64) -> Entry {
    match *op {
        Op::Acquire(o) => acquire(seq, at, day(o), &format!("name{seq}")),
        Op::Lose(o) => lose(seq, at, day(o)),
        Op::Update(o, field, ov) => {
            let b = update(seq, at, day(o));
            let b = match field {
                0 => b.name("updated"),
                1 => b.address("moved"),
                2 => b.bracket(IncomeBracket::ActiveEquivalent),
                _ => b,
            };
            match ov {
                Some(i) => b.ratio([10, 20, 30][i as usize]),
                None if field == 3 => b.bracket(IncomeBracket::General2),
                None => b,
            }
            .build()
        }
        Op::Void(t) => void(seq, at, t as u64 + 1),
    }
}

/// A history grown through `append`, every refused entry skipped.
fn grown(birth_offset: i64, insurer: &str, ops: &[(Op, i64)]) -> MemberHistory {
    let birth = d(1940, 1, 1) + chrono::Days::new(birth_offset as u64);
    let mut h =
        MemberHistory::new(statik(insurer, "00", birth), acquire(1, 0, d(2000, 1, 1).max(birth), "first")).unwrap();
    let mut at = 0;
    for (i, (op, dt)) in ops.iter().enumerate() {
        at += dt;
        let _ = h.append(entry_of(op, i as u64 + 2, at));
    }
    h
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn answers_as_of_t_never_change(
        birth in 0i64..30_000,
        insurer in proptest::sample::select(vec!["06139992", "39131008", "138016"]),
        ops in proptest::collection::vec((op(), 0i64..3), 0..20),
        t_frac in 0.0f64..1.0,
        services in proptest::collection::vec(-400i64..9000, 1..6),
    ) {
        let h = grown(birth, insurer, &ops);
        let last = h.last_recorded_at().unwrap().0;
        let t = RecordedAt((last as f64 * t_frac) as i64);
        // what was known at t, as a history of its own
        let then = MemberHistory {
            statik: h.statik.clone(),
            entries: h.entries.iter().filter(|e| e.recorded_at <= t).cloned().collect(),
        };
        for s in services {
            let on = d(2000, 1, 1) + chrono::Duration::days(s);
            let asked_then = resolve(&then, on, None);
            prop_assert_eq!(&resolve(&h, on, Some(t)), &asked_then);
            prop_assert_eq!(&resolve(&then, on, Some(t)), &asked_then);
            if let Some(r) = &asked_then {
                prop_assert!(r.as_of <= t);
            }
            // the appended history keeps its invariants: a resolution exists unless the
            // acquisition was voided, and the statuses agree with the period
            if let Some(r) = resolve(&h, on, None) {
                let (a, l) = h.period(None);
                prop_assert_eq!((r.acquired_on, r.lost_on), (a, l));
                prop_assert!(l.is_none_or(|l| l >= a));
                prop_assert_eq!(r.copay_ratio.is_some(), r.status == Status::Covered);
                prop_assert_eq!(r.status == Status::NotYetCovered, on < a);
            }
        }
    }

    #[test]
    fn resolve_never_panics_on_any_history(
        birth in -1000i64..30_000,
        raw in proptest::collection::vec((op(), 0u64..30, -5i64..5), 0..15),
        services in proptest::collection::vec(-2000i64..12_000, 1..4),
        known in proptest::option::of(-10i64..40),
    ) {
        // entries in any order, duplicate seqs, voids of voids, recorded_at going back
        let birth = d(1940, 1, 1) + chrono::Duration::days(birth);
        let h = MemberHistory {
            statik: statik("01130012", "00", birth),
            entries: raw.iter().map(|(op, seq, at)| entry_of(op, *seq, *at)).collect(),
        };
        for s in services {
            let on = d(2000, 1, 1) + chrono::Duration::days(s);
            if let Some(r) = resolve(&h, on, known.map(RecordedAt)) {
                prop_assert_eq!(r.copay_ratio.is_some(), r.status == Status::Covered && (r.copay_override.is_some() || r.law.ratio().is_some()));
            }
            let _ = h.period(known.map(RecordedAt));
            let _ = select(&[&h, &h], None, on);
        }
    }
}
