//! `resolve` on a realistic history: acquire + 3 updates + loss.
//!
//! Run: `cargo bench -p onshi-ledger --bench resolve -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use onshi_ids::{Branch, InsuredNumber, InsurerNumber, Symbol};
use onshi_law::{CopayRatio, Date, IncomeBracket};
use onshi_ledger::*;

fn d(y: i32, m: u32, day: u32) -> Date {
    Date::from_ymd_opt(y, m, day).expect("valid date")
}

fn history() -> MemberHistory {
    let statik = MemberStatic {
        key: MemberKey {
            insurer_number: InsurerNumber::parse("06139992").expect("valid"),
            symbol: Some(Symbol::parse("1234").expect("valid")),
            number: InsuredNumber::parse("567").expect("valid"),
            branch: Branch::parse("00").expect("valid"),
        },
        relationship: Relationship::Insured,
        birth_date: d(1953, 11, 15),
        sex: Sex::Male,
    };
    let mut h = MemberHistory::new(
        statik,
        Entry {
            seq: Seq(1),
            recorded_at: RecordedAt(1_000),
            effective_on: d(2010, 4, 1),
            change: Change::Acquire {
                name: "伊藤 正".into(),
                name_kana: "イトウ タダシ".into(),
                address: "東京都千代田区永田町二丁目1番2号".into(),
                income_bracket: None,
                copay_override: None,
            },
        },
    )
    .expect("valid");
    let upd = |seq, at, on, change| Entry { seq: Seq(seq), recorded_at: RecordedAt(at), effective_on: on, change };
    let none =
        || Change::Update { name: None, name_kana: None, address: None, income_bracket: None, copay_override: None };
    let mut c = none();
    if let Change::Update { address, .. } = &mut c {
        *address = Some("大阪府大阪市北区梅田一丁目1番1号".into());
    }
    h.append(upd(2, 2_000, d(2015, 6, 1), c)).expect("valid");
    let mut c = none();
    if let Change::Update { income_bracket, .. } = &mut c {
        *income_bracket = Some(IncomeBracket::ActiveEquivalent);
    }
    h.append(upd(3, 3_000, d(2023, 12, 1), c)).expect("valid");
    let mut c = none();
    if let Change::Update { copay_override, .. } = &mut c {
        *copay_override = Some(CopayOverride { ratio: CopayRatio::TWENTY, reason: "基準収入額適用".into() });
    }
    h.append(upd(4, 4_000, d(2024, 8, 1), c)).expect("valid");
    h.append(upd(5, 5_000, d(2025, 4, 1), Change::Lose { reason: None })).expect("valid");
    h
}

fn bench(c: &mut Criterion) {
    let h = history();
    let on = d(2024, 9, 10);
    assert_eq!(resolve(&h, on, None).and_then(|r| r.copay_ratio), Some(CopayRatio::TWENTY));
    c.bench_function("resolve/now", |b| {
        b.iter(|| resolve(black_box(&h), black_box(on), black_box(None)).map(|r| r.copay_ratio))
    });
    c.bench_function("resolve/as_of", |b| {
        b.iter(|| resolve(black_box(&h), black_box(on), black_box(Some(RecordedAt(3_500)))).map(|r| r.copay_ratio))
    });
    let mut voided = h.clone();
    voided
        .append(Entry {
            seq: Seq(6),
            recorded_at: RecordedAt(6_000),
            effective_on: d(2025, 5, 1),
            change: Change::Void { target: Seq(5), reason: "誤登録".into(), by: None },
        })
        .expect("valid");
    c.bench_function("resolve/with_void", |b| {
        b.iter(|| resolve(black_box(&voided), black_box(on), black_box(None)).map(|r| r.copay_ratio))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
