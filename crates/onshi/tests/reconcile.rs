//! `onshi reconcile` as a clerk runs it: the real binary, real files, exit statuses and messages.

use std::path::Path;
use std::process::{Command, Output};

fn onshi(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_onshi")).args(args).current_dir(dir).output().expect("run onshi")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

const REGISTRY: &str = "my_number,name,name_kana,birth_date,sex,address\n\
    123456789018,山田 太郎,ヤマダ タロウ,1980-04-15,male,東京都千代田区永田町二丁目1番2号\n";

#[test]
fn a_run_writes_the_files_and_says_what_to_do_next() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("registry.csv"), REGISTRY).expect("write");
    std::fs::write(
        dir.path().join("records.csv"),
        "record_id,my_number,name,name_kana,birth_date,sex,address\n\
         1,123456789018,山田 太郎,ヤマダ タロウ,昭和55年4月15日,男,千代田区永田町2-1-2\n\
         2,983205673214,山田 太郎,ヤマダ タロウ,1980-04-15,male,x\n\
         3,,山田 太郎,ヤマダ タロウ,not-a-date,male,x\n",
    )
    .expect("write");
    let args = [
        "reconcile",
        "--registry",
        "registry.csv",
        "--records",
        "records.csv",
        "--out",
        "out.csv",
        "--summary",
        "summary.json",
        "--report",
        "report.html",
    ];
    let o = onshi(&args, dir.path());
    assert!(o.status.success(), "{o:?}");
    assert_eq!(text(&o.stderr), "", "no progress bar when stderr is not a terminal");
    let out = text(&o.stdout);
    assert!(out.starts_with("3 records in "), "{out}");
    assert!(out.contains("A 1 (50.0%), B 0 (0.0%), C 1 (50.0%), unreadable 1"), "{out}");
    assert!(out.contains("out.errors.csv") && out.contains("report.html"), "{out}");
    assert!(out.contains("next: do not use the links graded C"), "{out}");
    let csv = std::fs::read(dir.path().join("out.csv")).expect("out.csv");
    assert!(csv.starts_with(b"\xEF\xBB\xBFrecord_id,my_number,grade,"));
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("summary.json")).expect("summary")).expect("JSON");
    assert_eq!((summary["records"].as_u64(), summary["C"].as_u64()), (Some(3), Some(1)));

    let mut quiet = args.to_vec();
    quiet.push("--quiet");
    let o = onshi(&quiet, dir.path());
    assert!(o.status.success());
    assert_eq!((text(&o.stdout), text(&o.stderr)), (String::new(), String::new()));
}

#[test]
fn bad_input_is_exit_status_2_with_a_code_and_a_next_step() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("registry.csv"), REGISTRY).expect("write");
    std::fs::write(dir.path().join("records.csv"), "id,my_number\n1,2\n").expect("write");
    let o =
        onshi(&["reconcile", "--registry", "registry.csv", "--records", "records.csv", "--out", "o.csv"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(err.starts_with("error[missing_column]: "), "{err}");
    assert!(err.contains("record_id") && err.contains("Rename the columns"), "{err}");
    assert!(!dir.path().join("o.csv").exists(), "nothing written");

    let o = onshi(&["reconcile", "--registry", "nope.csv", "--records", "records.csv", "--out", "o.csv"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).starts_with("error[cannot_read_input]: "), "{}", text(&o.stderr));

    let o = onshi(
        &[
            "reconcile",
            "--registry",
            "registry.csv",
            "--records",
            "records.csv",
            "--out",
            "o.csv",
            "--encoding",
            "latin1",
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("use utf-8 or cp932"), "{}", text(&o.stderr));
}

#[test]
fn an_unwritable_output_is_exit_status_1() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("registry.csv"), REGISTRY).expect("write");
    std::fs::write(dir.path().join("records.csv"), "record_id,my_number,name,name_kana,birth_date,sex,address\n")
        .expect("write");
    let o = onshi(
        &["reconcile", "--registry", "registry.csv", "--records", "records.csv", "--out", "no/such/dir/o.csv"],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).starts_with("error[cannot_write_output]: "), "{}", text(&o.stderr));
}

#[test]
fn help_explains_grades_files_and_gives_an_example() {
    let o = onshi(&["reconcile", "--help"], Path::new("."));
    assert!(o.status.success());
    let help = text(&o.stdout);
    for want in [
        "総点検",
        "A  the same person",
        "C  not this resident",
        "suggested_my_number",
        "OUT.errors.csv",
        "onshi reconcile --registry registry.csv --records records.csv --out out.csv",
        "Exit status",
        "--encoding",
    ] {
        assert!(help.contains(want), "--help lacks {want:?}:\n{help}");
    }
    let top = text(&onshi(&["--help"], Path::new(".")).stdout);
    assert!(top.contains("reconcile"), "{top}");
}
