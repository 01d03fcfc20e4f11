//! `reconcile-bench`: times `onshi_reconcile::run` on a synthetic world and checks its accuracy.
//!
//! ```text
//! cargo run --release -p onshi-reconcile --bin reconcile-bench -- \
//!     [--persons 1000000] [--seed 1] [--dir /tmp/onshi-reconcile-bench] [--threads N] \
//!     [--world DIR] [--report] [--keep]
//! ```
//!
//! Without `--world`, generates `registry.csv`, `records.csv` and `truth.csv` for `--persons` residents
//! (one record each) into `--dir/<persons>-<seed>/` unless they are already there, then runs the
//! reconciliation into that folder and prints wall time, peak memory (VmHWM, Linux), the summary and the
//! accuracy against truth.csv. `--world DIR` uses the files of an existing world instead (for example
//! `onshi sim generate`'s). The time is of the run alone, not of the generation.

mod synth;

use std::path::PathBuf;
use std::time::Instant;

use onshi_reconcile::{Options, run};

fn peak_rss_mib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024)
}

fn pct(r: (u64, u64)) -> String {
    format!("{:.3}% ({}/{})", synth::Accuracy::ratio(r) * 100.0, r.0, r.1)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut persons = 1_000_000u64;
    let mut seed = 1u64;
    let mut dir = PathBuf::from("/tmp/onshi-reconcile-bench");
    let mut threads = None;
    let mut world_dir: Option<PathBuf> = None;
    let mut report = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{a} needs a value"));
        match a.as_str() {
            "--persons" => persons = value()?.replace('_', "").parse()?,
            "--seed" => seed = value()?.parse()?,
            "--dir" => dir = value()?.into(),
            "--threads" => threads = Some(value()?.parse()?),
            "--world" => world_dir = Some(value()?.into()),
            "--report" => report = true,
            "--help" | "-h" => {
                println!("reconcile-bench [--persons N] [--seed S] [--dir DIR] [--threads N] [--world DIR] [--report]");
                return Ok(());
            }
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let world = match world_dir {
        Some(w) => w,
        None => {
            let w = dir.join(format!("{persons}-{seed}"));
            if !w.join("truth.csv").exists() {
                let t = Instant::now();
                eprintln!("generating {persons} persons into {} …", w.display());
                let made = synth::generate(&w, persons, seed)?;
                eprintln!(
                    "generated {} residents / {} records in {:.1} s; injected {:?}",
                    made.persons,
                    made.records,
                    t.elapsed().as_secs_f64(),
                    made.errors
                );
            }
            w
        }
    };
    let out = world.join("out.csv");
    let opts = Options {
        summary: Some(world.join("summary.json")),
        report: report.then(|| world.join("report.html")),
        threads,
        ..Options::new(world.join("registry.csv"), world.join("records.csv"), &out)
    };
    let rss_before = peak_rss_mib();
    let t = Instant::now();
    let summary = run(&opts)?;
    let secs = t.elapsed().as_secs_f64();
    println!(
        "reconcile: {} records against {} residents in {:.2} s ({:.0} records/s), peak RSS {} MiB (before run {} MiB), threads {}",
        summary.records,
        summary.registry_residents,
        secs,
        summary.records as f64 / secs,
        peak_rss_mib().map_or("n/a".into(), |m| m.to_string()),
        rss_before.map_or("n/a".into(), |m| m.to_string()),
        threads.map_or_else(|| rayon::current_num_threads().to_string(), |t| t.to_string()),
    );
    println!("grades: A {} / B {} / C {} / unreadable {}", summary.a, summary.b, summary.c, summary.unreadable);
    let truth = world.join("truth.csv");
    if truth.exists() {
        let acc = synth::evaluate(&out, &truth)?;
        println!("wrong-person records graded C (recall): {}", pct(acc.wrong_person_c));
        println!("C grades that are real errors (precision): {}", pct(acc.c_real));
        println!("correct records graded A or B: {}", pct(acc.correct_ab));
        println!("suggested number = true person: {}", pct(acc.suggestion_right));
        println!("by injected error (A / B / C):");
        for (kind, [a, b, c]) in &acc.by_kind {
            let kind = if kind.is_empty() { "(correct)" } else { kind.as_str() };
            println!("  {kind:20} {a:>9} {b:>9} {c:>9}");
        }
    }
    Ok(())
}
