//! The partitioned run (a registry bigger than `Options::memory`) writes exactly what the in-memory run
//! writes: OUT.csv, the error file, SUMMARY.json and the report, byte for byte (but the seconds), on a
//! synthetic world with every kind of error, plus records born on another day than their number's owner
//! (so graded against an owner copied from another partition), wrong and invalid My Numbers, repeated
//! record ids and numbers, unreadable rows of both files and a registry number given twice.

use std::path::{Path, PathBuf};

use onshi_ids::MyNumber;
use onshi_reconcile::{Options, Summary, errors_path, run};

fn mn(body: u64) -> String {
    MyNumber::from_body(&format!("{body:011}")).expect("11 digits").as_str().to_owned()
}

/// An onshi-sim world with stress error rates, and extra rows that the simulator never writes.
fn world(dir: &Path) {
    let mut cfg = onshi_sim::Config::new(4_000, 7);
    cfg.error_rates = onshi_sim::ErrorRates::stress();
    cfg.visits_per_person_year = 0.0;
    onshi_sim::generate(&cfg, dir).expect("generate the world");

    let registry = std::fs::read_to_string(dir.join("registry.csv")).expect("registry");
    let mut rows = csv::Reader::from_reader(registry.as_bytes());
    let header = rows.headers().expect("header").clone();
    let col = |name: &str| header.iter().position(|h| h == name).expect("column");
    let residents: Vec<csv::StringRecord> = rows.records().take(50).map(|r| r.expect("row")).collect();
    let get = |r: &csv::StringRecord, name: &str| r.get(col(name)).unwrap_or_default().to_owned();

    let mut extra_registry = String::new();
    // A number given twice (the second row is noted, both are residents), and two unreadable rows.
    let first = &residents[0];
    extra_registry
        .push_str(&format!("{},重複 花子,ジュウフク ハナコ,1990-01-01,female,東京都\n", get(first, "my_number")));
    extra_registry.push_str(&format!("{},壊れた 行,,1990-02-30,male,x\n", mn(99_999_001)));
    extra_registry.push_str("123,番号 誤り,,1990-01-01,male,x\n");
    let mut registry = registry;
    registry.push_str(&reorder(&extra_registry, &header));
    std::fs::write(dir.join("registry.csv"), registry).expect("write registry");

    let mut records = std::fs::read_to_string(dir.join("records.csv")).expect("records");
    let rec_header = records.lines().next().expect("header").to_owned();
    let extras = rec_header.split(',').count() - 7;
    let pad = ",".repeat(extras);
    let mut add = |id: &str, number: &str, r: &csv::StringRecord, birth: &str| {
        records.push_str(&format!(
            "{id},{number},{},{},{birth},{},{}{pad}\n",
            get(r, "name"),
            get(r, "name_kana"),
            get(r, "sex"),
            get(r, "address"),
        ));
    };
    for (i, r) in residents.iter().enumerate().skip(1) {
        let birth = get(r, "birth_date");
        // Another birth date: the record's partition is (most likely) not its owner's.
        let other = format!("19{:02}-0{}-1{}", 30 + i, 1 + i % 9, i % 10);
        add(&format!("x-birth-{i}"), &get(r, "my_number"), r, &other);
        if i % 5 == 0 {
            add(&format!("x-wrong-{i}"), &get(&residents[i - 1], "my_number"), r, &birth);
            add(&format!("x-unknown-{i}"), &mn(88_000_000 + i as u64), r, &birth);
            add(&format!("x-invalid-{i}"), "123456789012", r, &birth);
            add(&format!("x-missing-{i}"), "", r, &birth);
            add("x-dup-id", &get(r, "my_number"), r, &birth);
            add(&format!("x-bad-date-{i}"), &get(r, "my_number"), r, "1990-13-01");
            add("", &get(r, "my_number"), r, &birth);
        }
    }
    records.push_str("x-short,123\n");
    std::fs::write(dir.join("records.csv"), records).expect("write records");
}

/// Rows written in `my_number,name,name_kana,birth_date,sex,address` order, put in `header`'s order.
fn reorder(rows: &str, header: &csv::StringRecord) -> String {
    let ours = ["my_number", "name", "name_kana", "birth_date", "sex", "address"];
    let mut out = String::new();
    for line in rows.lines() {
        let fields: Vec<&str> = line.split(',').collect();
        let row: Vec<&str> =
            header.iter().map(|h| ours.iter().position(|o| *o == h).map_or("", |i| fields[i])).collect();
        out.push_str(&row.join(","));
        out.push('\n');
    }
    out
}

struct Outputs {
    out: Vec<u8>,
    errors: Vec<u8>,
    summary: Summary,
    report: String,
    left: Vec<PathBuf>,
}

fn reconcile(dir: &Path, name: &str, memory: Option<u64>) -> Outputs {
    let outdir = dir.join(name);
    std::fs::create_dir(&outdir).expect("out dir");
    let opts = Options {
        progress: false,
        summary: Some(outdir.join("summary.json")),
        report: Some(outdir.join("report.html")),
        memory,
        ..Options::new(dir.join("registry.csv"), dir.join("records.csv"), outdir.join("out.csv"))
    };
    let summary = run(&opts).expect("reconcile");
    let written: Summary =
        serde_json::from_slice(&std::fs::read(outdir.join("summary.json")).expect("summary")).expect("json");
    assert_eq!(written, summary);
    let report = std::fs::read_to_string(outdir.join("report.html")).expect("report");
    let mut left: Vec<PathBuf> =
        std::fs::read_dir(&outdir).expect("dir").map(|e| e.expect("entry").file_name().into()).collect();
    left.sort();
    Outputs {
        out: std::fs::read(&opts.out).expect("out"),
        errors: std::fs::read(errors_path(&opts.out)).expect("errors"),
        summary: Summary { seconds: 0.0, errors_file: None, ..summary },
        report: without_seconds(&report),
        left,
    }
}

/// The report without the run's seconds (the one cell that differs from run to run).
fn without_seconds(report: &str) -> String {
    let at = report.find("seconds</span></th><td colspan=\"2\">").expect("the report states the seconds");
    let end = at + report[at..].find(" 秒</td>").expect("seconds cell");
    format!("{}{}", &report[..at], &report[end..])
}

#[test]
fn partitions_write_what_memory_writes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    world(d);
    let size = std::fs::metadata(d.join("registry.csv")).expect("size").len();
    let whole = reconcile(d, "memory", None);
    assert!(whole.summary.records > 4_000 && whole.summary.unreadable == 19, "{:?}", whole.summary);
    assert!(whole.summary.registry_problems.len() >= 3, "{:?}", whole.summary.registry_problems);
    for (name, memory) in [("few", size * 2), ("many", 1)] {
        let parts = reconcile(d, name, Some(memory));
        assert_eq!(parts.summary, whole.summary, "{name}");
        assert!(parts.out == whole.out, "{name}: OUT.csv differs");
        assert!(parts.errors == whole.errors, "{name}: the error file differs");
        assert_eq!(parts.report, whole.report, "{name}");
        assert_eq!(parts.left, whole.left, "{name}: no temporary file left");
    }
}
