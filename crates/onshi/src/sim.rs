//! `onshi sim`: the synthetic world. `generate` writes one; `replay` feeds it, in simulated time, into the
//! service and measures how often the answer at the counter is the truth. Wiring only: the work is in
//! `onshi_sim`.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use onshi_sim::measure::Outcome;
use onshi_sim::{Config, ErrorRates, Questions, ReplayOptions, Target};

/// The synthetic world: a realistic population, its insurers, a year of life events, the data-entry errors
/// the real system makes, the ground truth beside them, and the replay that measures the answers.
///
/// Examples:
///   onshi sim generate --persons 100000 --seed 1 --out ./world
///   onshi sim replay --world ./world --report docs/sim-report.md --svg docs/sim-report.svg
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct SimArgs {
    #[command(subcommand)]
    command: SimCommand,
}

#[derive(Subcommand)]
enum SimCommand {
    Generate(GenerateArgs),
    Replay(ReplayArgs),
}

/// Write a synthetic world: registry.csv, records.csv, truth.csv (the files.md contract), and members.csv,
/// insurers.csv, registry_start.csv, events.jsonl, visits.csv, summary.json (docs/sim-format.md).
///
/// The same seed gives byte-identical files. Generation is parallel and streams chunk by chunk: 1,000,000
/// persons take about 20 s on two cores; 10,000,000 about 4½ minutes in 0.25 GB of memory (14 GB of files,
/// twice that on disk while the day files are joined; docs/benchmarks.md).
///
/// Examples:
///   onshi sim generate --persons 100000 --seed 1 --out ./world
///   onshi sim generate --persons 10000 --seed 7 --out ./stress --stress
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct GenerateArgs {
    /// Residents at the start of the period (births come on top).
    #[arg(long, value_name = "N")]
    persons: u64,
    /// The seed of every random choice.
    #[arg(long, value_name = "S", default_value_t = 1)]
    seed: u64,
    /// The directory to write (created if missing; files of the same names are replaced).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// The first day of the period, YYYY-MM-DD (default 2025-04-01, a fiscal year).
    #[arg(long, value_name = "DATE")]
    start: Option<String>,
    /// The length of the period in days.
    #[arg(long, value_name = "DAYS", default_value_t = 365)]
    days: u32,
    /// Error rates high enough that every kind appears in a small world (tests, demonstrations; not realism).
    #[arg(long)]
    stress: bool,
}

/// Replay a world in simulated time and measure every answer at the counter against the truth.
///
/// In-process (the default), the world is fed through onshi_service::Service on two fresh embedded SQLite
/// stores: one by onshi's rules, one by the national system's (legacy: data visible only after the insurer's
/// registration lag, copay ratios as typed, links not graded, names cut to JIS X 0208 with 「●」). Every
/// visit's question is asked of onshi and of the legacy policy at each --lag-factors value.
///
/// With --http, the world is fed into a running `onshi serve` on this machine (onshi's rules; every question
/// by the card's numbers, as the contract has no check by My Number). Its clock is the wall clock: replay a
/// world that lies in the past. The administrator token is read from ONSHI_ADMIN_TOKEN.
///
/// Examples:
///   onshi sim replay --world ./world
///   onshi sim replay --world ./world --lag-factors 0,0.5,1,2,4 --report docs/sim-report.md --svg docs/sim-report.svg
///   ONSHI_ADMIN_TOKEN=... onshi sim replay --world ./world --http 127.0.0.1:8080
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct ReplayArgs {
    /// A directory written by `onshi sim generate`.
    #[arg(long, value_name = "DIR")]
    world: PathBuf,
    /// Replay against a running `onshi serve` at this loopback address instead of in-process.
    #[arg(long, value_name = "HOST:PORT")]
    http: Option<SocketAddr>,
    /// The legacy policy's registration-lag factors (1 = the Board of Audit's standard days); in-process only.
    #[arg(long, value_name = "F,F,…", value_delimiter = ',', default_value = "1")]
    lag_factors: Vec<f64>,
    /// Only onshi (no legacy policy).
    #[arg(long)]
    onshi_only: bool,
    /// Ask every question by the card's numbers, even when the patient shows a My Number card.
    #[arg(long)]
    card_only: bool,
    /// Requests in flight at once (default 64 in-process, 16 over HTTP).
    #[arg(long, value_name = "N")]
    concurrency: Option<usize>,
    /// Keep the in-process stores in this directory (default: a temporary one, removed at the end).
    #[arg(long, value_name = "DIR")]
    store: Option<PathBuf>,
    /// Write the report (Markdown) here.
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
    /// Write the chart (SVG) here; linked from the report by file name.
    #[arg(long, value_name = "FILE")]
    svg: Option<PathBuf>,
    /// Write the counts as JSON here.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// A line about the machine for the report (e.g. "2 cores, quiet").
    #[arg(long, value_name = "TEXT", default_value = "")]
    machine: String,
}

pub fn run(args: SimArgs) -> anyhow::Result<()> {
    match args.command {
        SimCommand::Generate(a) => generate(a),
        SimCommand::Replay(a) => replay(a),
    }
}

fn generate(a: GenerateArgs) -> anyhow::Result<()> {
    let mut cfg = Config::new(a.persons, a.seed);
    cfg.days = a.days;
    if let Some(s) = &a.start {
        cfg.start = onshi_law::parse_iso_date(s).map_err(|e| anyhow::anyhow!("--start {s:?}: {e} (use YYYY-MM-DD)"))?;
    }
    if a.stress {
        cfg.error_rates = ErrorRates::stress();
    }
    let t = std::time::Instant::now();
    let summary = onshi_sim::generate(&cfg, &a.out).map_err(|e| anyhow::anyhow!("[{}] {e}", e.code()))?;
    eprintln!(
        "wrote {} persons, {} records, {} events and {} visits to {} in {:.1} s",
        summary.persons,
        summary.truth,
        summary.events,
        summary.visits,
        a.out.display(),
        t.elapsed().as_secs_f64()
    );
    print!("{}", summary.to_json());
    Ok(())
}

fn replay(a: ReplayArgs) -> anyhow::Result<()> {
    let target = match a.http {
        Some(addr) => {
            let token = std::env::var("ONSHI_ADMIN_TOKEN").ok().filter(|t| !t.trim().is_empty());
            let Some(admin_token) = token else {
                bail!("--http needs the server's administrator token in ONSHI_ADMIN_TOKEN");
            };
            Target::Http { addr, admin_token }
        }
        None => Target::InProcess,
    };
    if a.lag_factors.iter().any(|f| !f.is_finite() || *f < 0.0) {
        bail!("--lag-factors are non-negative numbers, e.g. 0,0.5,1,2");
    }
    let http = matches!(target, Target::Http { .. });
    let opts = ReplayOptions {
        legacy_factors: if a.onshi_only || http { Vec::new() } else { a.lag_factors.clone() },
        questions: if a.card_only { Questions::CardOnly } else { Questions::AsPresented },
        concurrency: a.concurrency.unwrap_or(if http { 16 } else { 64 }),
        store_dir: a.store.clone(),
        progress: true,
        target,
        ..ReplayOptions::default()
    };
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting the runtime")?;
    let report = rt.block_on(onshi_sim::replay(&a.world, &opts)).map_err(|e| anyhow::anyhow!("[{}] {e}", e.code()))?;

    for p in &report.policies {
        let t = &p.tally;
        println!(
            "{:<28} {:>9} questions  truthful {:>7.3}%  wrong {:>7.3}%",
            p.label,
            t.questions,
            100.0 * t.count(Outcome::Truthful) as f64 / t.questions.max(1) as f64,
            100.0 * t.wrong_rate()
        );
        for o in Outcome::ALL {
            let n = t.count(o);
            if n > 0 && o != Outcome::Truthful {
                println!("    {:<22} {:>9}  {}", o.code(), n, o.label());
            }
        }
        for (path, m) in &t.why {
            for ((o, why), n) in m {
                println!("    why {path:<15} {:<20} {:<17} {n:>7}", o.code(), why.code());
            }
        }
    }
    println!(
        "replayed {} events and {} visits: load {:.1} s, period {:.1} s ({:.0} questions/s)",
        report.events,
        report.visits,
        report.load_seconds,
        report.period_seconds,
        report.checks as f64 / report.period_seconds.max(1e-9)
    );

    let svg_name =
        a.svg.as_ref().and_then(|p| p.file_name()).map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    if let Some(path) = &a.svg {
        std::fs::write(path, onshi_sim::report::svg(&report)).with_context(|| format!("writing {}", path.display()))?;
    }
    if let Some(path) = &a.report {
        let world = a.world.display();
        let factors: Vec<String> = a.lag_factors.iter().map(|f| f.to_string()).collect();
        let mut cmd = format!("onshi sim replay --world {world} --lag-factors {}", factors.join(","));
        if let Some(r) = &a.report {
            cmd.push_str(&format!(" --report {}", r.display()));
        }
        if let Some(s) = &a.svg {
            cmd.push_str(&format!(" --svg {}", s.display()));
        }
        let cx = onshi_sim::report::Context {
            commands: vec![
                format!(
                    "onshi sim generate --persons {} --seed {} --out {world}",
                    report.period.persons, report.period.seed
                ),
                cmd,
            ],
            machine: a.machine.clone(),
            svg_name,
        };
        std::fs::write(path, onshi_sim::report::markdown(&report, &cx))
            .with_context(|| format!("writing {}", path.display()))?;
    }
    if let Some(path) = &a.json {
        std::fs::write(path, onshi_sim::report::json(&report))
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}
