//! Benchmarks of the comparison keys on realistic inputs.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

const NAMES: [&str; 6] = ["髙橋 一郎", "佐藤　翔太", "渡邊 美和子", "齋藤 健", "ﾀｶﾊｼ ｲﾁﾛｳ", "SMITH JOHN"];
const ADDRESSES: [&str; 4] = [
    "東京都千代田区永田町二丁目1番2号",
    "大阪市北区梅田3-1-1",
    "山口県柳井市南町三丁目１２番地の４　コーポ柳井１０１号",
    "〒100-8968 東京都千代田区霞が関1-2-2",
];

fn keys(c: &mut Criterion) {
    // Parse the tables before measuring.
    black_box(onshi_text::variant_key("髙"));
    c.bench_function("variant_key/name (6 names)", |b| {
        b.iter(|| {
            for n in NAMES {
                black_box(onshi_text::variant_key(black_box(n)));
            }
        })
    });
    c.bench_function("notation_key/name (6 names)", |b| {
        b.iter(|| {
            for n in NAMES {
                black_box(onshi_text::notation_key(black_box(n)));
            }
        })
    });
    c.bench_function("address_key (4 addresses)", |b| {
        b.iter(|| {
            for a in ADDRESSES {
                black_box(onshi_text::address_key(black_box(a)));
            }
        })
    });
    c.bench_function("claim_ready/name (6 names)", |b| {
        b.iter(|| {
            for n in NAMES {
                black_box(onshi_text::claim_ready(black_box(n)));
            }
        })
    });
}

criterion_group!(benches, keys);
criterion_main!(benches);
