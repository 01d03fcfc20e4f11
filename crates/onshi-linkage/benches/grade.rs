//! Benchmarks of linkage grading (target: ≥ 1,000,000 gradings per second per core).

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use onshi_linkage::{Basic4, Prepared, Sex, grade};
use std::hint::black_box;

fn basic4<'a>(name: &'a str, kana: &'a str, address: &'a str) -> Basic4<'a> {
    Basic4 {
        name,
        name_kana: Some(kana),
        birth_date: NaiveDate::from_ymd_opt(1965, 3, 3).unwrap_or_default(),
        sex: Some(Sex::Male),
        address: Some(address),
    }
}

fn grading(c: &mut Criterion) {
    let resident = Prepared::new(&basic4("髙橋 一郎", "タカハシ イチロウ", "東京都千代田区永田町二丁目1番2号"));
    let twin = Prepared::new(&basic4("髙橋 二郎", "タカハシ ジロウ", "東京都千代田区永田町二丁目1番2号"));
    let exact = basic4("髙橋 一郎", "タカハシ イチロウ", "東京都千代田区永田町二丁目1番2号");
    let variant = basic4("高橋　一郎", "ﾀｶﾊｼ ｲﾁﾛｳ", "千代田区永田町２－１－２");
    let prepared_exact = Prepared::new(&exact);
    let prepared_variant = Prepared::new(&variant);

    c.bench_function("grade/prepared A (identical)", |b| {
        b.iter(|| black_box(grade::<u32>(black_box(&prepared_exact), black_box(&resident), [])))
    });
    c.bench_function("grade/prepared B (variant, notation)", |b| {
        b.iter(|| black_box(grade::<u32>(black_box(&prepared_variant), black_box(&resident), [])))
    });
    c.bench_function("grade/prepared twin check (C, one other)", |b| {
        b.iter(|| black_box(grade(black_box(&prepared_exact), black_box(&twin), [(&1u32, &resident)])))
    });
    c.bench_function("grade/including Prepared::new of the record", |b| {
        b.iter(|| {
            let record = Prepared::new(black_box(&variant));
            black_box(grade::<u32>(&record, black_box(&resident), []))
        })
    });
}

criterion_group!(benches, grading);
criterion_main!(benches);
