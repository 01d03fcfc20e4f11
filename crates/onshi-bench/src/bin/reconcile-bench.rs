//! `reconcile-bench`: the synthetic worlds of the `onshi reconcile` benchmark, and the accuracy of a run.
//!
//! The timed run is the real command, `onshi reconcile`, under `/usr/bin/time -v`
//! (`bench/reconcile/run.sh` does it three times and prints the medians; see docs/benchmarks.md):
//!
//! ```text
//! reconcile-bench world --persons 10200000 --seed 1 --dir /tmp/onshi-10m     # registry.csv, records.csv, truth.csv
//! onshi reconcile --registry /tmp/onshi-10m/registry.csv --records /tmp/onshi-10m/records.csv --out /tmp/onshi-10m/out.csv
//! reconcile-bench accuracy --world /tmp/onshi-10m                             # out.csv against truth.csv
//! reconcile-bench synth --persons 40000000 --dir /tmp/onshi-40m               # just registry.csv, records.csv
//! ```

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};

/// Worlds and accuracy for the `onshi reconcile` benchmark.
#[derive(Parser)]
#[command(version, about, verbatim_doc_comment)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Generate a world with onshi-sim into DIR (registry.csv, records.csv, truth.csv and the rest),
    /// unless DIR already holds the world of the same persons, seed and rates.
    ///
    /// Clinic visits are left out (they make events.jsonl 5 KB a person and play no part in a
    /// reconciliation); everything else is `onshi sim generate`'s world.
    World {
        /// Residents at the start of the simulated year (records ≈ 0.98 × persons).
        #[arg(long)]
        persons: u64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long)]
        dir: PathBuf,
        /// onshi-sim's stress error rates (every kind of error at 0.5–2%) instead of the realistic defaults.
        #[arg(long)]
        stress: bool,
    },
    /// Write just DIR/registry.csv and DIR/records.csv for PERSONS persons, streaming, with onshi-sim's
    /// names, towns and error rates (onshi_bench::synth: 40 M persons ≈ 10.5 GB): for measuring
    /// `onshi reconcile` at national scale, where a full onshi-sim world would not fit the disk.
    Synth {
        #[arg(long)]
        persons: u64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long)]
        dir: PathBuf,
    },
    /// Write the world's registry and records as Splink's inputs (WORLD/splink/registry.csv and
    /// records.csv): one `uid` column and the fields standardised with onshi-text's keys (variant-folded
    /// surname, given name and whole name, loose reading, address key), so that Splink compares what
    /// onshi compares (bench/splink).
    SplinkInput {
        #[arg(long)]
        world: PathBuf,
    },
    /// Compare a world's OUT.csv (default WORLD/out.csv) with its truth.csv and print the ratios.
    Accuracy {
        #[arg(long)]
        world: PathBuf,
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

fn world(persons: u64, seed: u64, dir: &Path, stress: bool) -> anyhow::Result<()> {
    let stamp = dir.join("reconcile-bench.world");
    let want = format!("persons={persons} seed={seed} stress={stress} visits=0\n");
    if std::fs::read_to_string(&stamp).is_ok_and(|s| s == want) && dir.join("truth.csv").exists() {
        eprintln!("{} already holds this world", dir.display());
        return Ok(());
    }
    let mut cfg = onshi_sim::Config::new(persons, seed);
    if stress {
        cfg.error_rates = onshi_sim::ErrorRates::stress();
    }
    cfg.visits_per_person_year = 0.0;
    let t = Instant::now();
    let summary = onshi_sim::generate(&cfg, dir).map_err(|e| anyhow::anyhow!("error[{}]: {e}", e.code()))?;
    std::fs::write(&stamp, want).with_context(|| format!("writing {}", stamp.display()))?;
    eprintln!("generated in {:.1} s", t.elapsed().as_secs_f64());
    print!("{}", summary.to_json());
    Ok(())
}

/// One row of REGISTRY.csv or RECORDS.csv as Splink's standardised input.
fn standardise(input: &Path, output: &Path, records: bool) -> anyhow::Result<u64> {
    let mut r = csv::Reader::from_path(input).with_context(|| format!("reading {}", input.display()))?;
    let headers = r.headers()?.clone();
    let col = |name: &str| {
        headers.iter().position(|h| h == name).with_context(|| format!("{} has no {name}", input.display()))
    };
    let (id, number, name, kana, birth, sex, address) = (
        if records { col("record_id")? } else { col("my_number")? },
        col("my_number")?,
        col("name")?,
        col("name_kana")?,
        col("birth_date")?,
        col("sex")?,
        col("address")?,
    );
    let mut w = csv::Writer::from_path(output).with_context(|| format!("writing {}", output.display()))?;
    w.write_record(["uid", "my_number", "surname", "given", "name", "kana", "birth_date", "sex", "address"])?;
    let mut n = 0u64;
    let mut skipped = 0u64;
    for row in r.records() {
        let row = row?;
        let f = |i: usize| row.get(i).unwrap_or("").trim();
        // ISO or 和暦, as onshi reads them. A row Splink could not be given is counted, never hidden.
        let Ok(birth_date) = onshi_law::parse_date(f(birth)) else {
            skipped += 1;
            continue;
        };
        let p = onshi_linkage::Prepared::new(&onshi_linkage::Basic4 {
            name: f(name),
            name_kana: Some(f(kana)).filter(|k| !k.is_empty()),
            birth_date,
            sex: None,
            address: Some(f(address)).filter(|a| !a.is_empty()),
        });
        let (surname, given) = p.name_parts_variant_keys().unwrap_or((p.name_variant_key(), ""));
        let uid = if records { format!("r{}", f(id)) } else { format!("p{}", f(id)) };
        let sex = match f(sex) {
            "male" | "Male" | "M" | "m" | "男" | "男性" | "1" => "m",
            "female" | "Female" | "F" | "f" | "女" | "女性" | "2" => "f",
            _ => "",
        };
        w.write_record([
            uid.as_str(),
            f(number),
            surname,
            given,
            p.name_variant_key(),
            p.kana_loose_key(),
            &birth_date.to_string(),
            sex,
            p.address_key().unwrap_or(""),
        ])?;
        n += 1;
    }
    w.flush()?;
    if skipped > 0 {
        eprintln!("{}: {skipped} rows without a readable birth date left out", input.display());
    }
    Ok(n)
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().cmd {
        Cmd::SplinkInput { world } => {
            let dir = world.join("splink");
            std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
            let t = Instant::now();
            let residents = standardise(&world.join("registry.csv"), &dir.join("registry.csv"), false)?;
            let records = standardise(&world.join("records.csv"), &dir.join("records.csv"), true)?;
            eprintln!("{residents} residents, {records} records in {:.1} s", t.elapsed().as_secs_f64());
            Ok(())
        }
        Cmd::World { persons, seed, dir, stress } => world(persons, seed, &dir, stress),
        Cmd::Synth { persons, seed, dir } => {
            let t = Instant::now();
            let (residents, bytes) = onshi_bench::synth::generate(persons, seed, &dir)?;
            eprintln!("{residents} residents, records.csv {bytes} bytes, in {:.1} s", t.elapsed().as_secs_f64());
            Ok(())
        }
        Cmd::Accuracy { world, out } => {
            let out = out.unwrap_or_else(|| world.join("out.csv"));
            let truth = world.join("truth.csv");
            if !truth.exists() {
                bail!("{} has no truth.csv: generate the world with `reconcile-bench world` first", world.display());
            }
            let acc = onshi_reconcile::Accuracy::measure(&out, &truth).map_err(|e| anyhow::anyhow!("{e}"))?;
            print!("{}", acc.table());
            Ok(())
        }
    }
}
