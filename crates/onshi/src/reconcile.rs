//! `onshi reconcile`: the 総点検 command, a thin shell around [`onshi_reconcile::run`].

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::Args;
use onshi_reconcile::{Encoding, Options, Summary};

/// Check every My Number link in a file of records against the resident registry (総点検).
///
/// Each record (name, reading, birth date, sex, address and the My Number it is linked to) is graded
/// against the resident who owns that number, and against every resident it could also be — a twin, a
/// family member, a same-name stranger born the same day:
///   A  the same person, up to notation (width, spacing, 「東京都」 omitted, 「二丁目1番2号」 = 「2-1-2」)
///      → keep the link
///   B  probably the same person: a kanji variant (髙/高), a likely typo, a marriage, a stale address, or
///      a problem worth a look (the same My Number on two records, a repeated record_id)
///      → confirm with the person, then keep
///   C  not this resident: birth date, sex or name differ, another resident fits better (then
///      suggested_my_number names them), or the number is missing, unknown or fails its check digit
///      → do not use the link; find the right number
///
/// Files (a header row names the columns, in any order; UTF-8 or Shift_JIS/CP932, detected;
/// birth dates ISO 1980-04-15 or 和暦 昭和55年4月15日 / S55.4.15; sex male/female, 男/女 or 1/2):
///   REGISTRY.csv  my_number,name,name_kana,birth_date,sex,address
///   RECORDS.csv   record_id,my_number,name,name_kana,birth_date,sex,address (other columns are copied)
///   OUT.csv       one row per record, in input order, UTF-8 with BOM (opens in Excel):
///                 record_id,my_number,grade,name,name_kana,birth_date,sex,address,reasons,
///                 suggested_my_number, then the other columns of RECORDS.csv; each field column holds
///                 match, notation, variant, reading, typo, differs or missing
///   OUT.errors.csv  next to OUT.csv: every row of either input that could not be read, with its line
///                 number and the reason (a bad row never stops the run and is never dropped)
///
/// Example:
///   onshi reconcile --registry registry.csv --records records.csv --out out.csv \
///       --summary summary.json --report report.html
///   then open report.html in a browser: the C list comes first.
///
/// Exit status: 0 when every record was graded (whatever the grades), 2 when an input or an option
/// is wrong (nothing written), 1 when an output could not be written.
#[derive(Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct ReconcileArgs {
    /// The resident registry: my_number,name,name_kana,birth_date,sex,address.
    #[arg(long, value_name = "REGISTRY.csv")]
    registry: PathBuf,
    /// The records to check: record_id,my_number,name,name_kana,birth_date,sex,address.
    #[arg(long, value_name = "RECORDS.csv")]
    records: PathBuf,
    /// Where to write the graded records (replaced if it exists).
    #[arg(long, value_name = "OUT.csv")]
    out: PathBuf,
    /// Also write the counts as JSON: {"records","A","B","C","unreadable","reasons","seconds",…}.
    #[arg(long, value_name = "SUMMARY.json")]
    summary: Option<PathBuf>,
    /// Also write a report to open in a browser: grades, reasons, the C list, the B list.
    #[arg(long, value_name = "REPORT.html")]
    report: Option<PathBuf>,
    /// Read both inputs in this encoding instead of detecting it: utf-8 or cp932 (Shift_JIS).
    #[arg(long, value_name = "ENCODING")]
    encoding: Option<Encoding>,
    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    threads: Option<u16>,
    /// Memory to stay within (8G, 512M, bytes; default: half the machine's memory, at most 8 GiB). A
    /// registry too big for it (≈ 4 bytes of memory per byte of REGISTRY.csv) is split by birth date
    /// into partitions graded one at a time, through temporary files next to OUT.csv (about the size of
    /// both inputs, removed at the end); the outputs are the same, byte for byte.
    #[arg(long, value_name = "SIZE", value_parser = onshi_reconcile::parse_memory)]
    memory: Option<u64>,
    /// Draw no progress bar (none is drawn anyway when stderr is not a terminal).
    #[arg(long)]
    no_progress: bool,
    /// Print nothing when done (errors are still printed).
    #[arg(long, short)]
    quiet: bool,
}

/// Runs the command and prints the outcome. On an error, prints it with its stable code and what to do,
/// and exits with status 2 (input or option) or 1 (output).
pub fn run(args: ReconcileArgs) -> anyhow::Result<()> {
    let opts = Options {
        summary: args.summary.clone(),
        report: args.report.clone(),
        encoding: args.encoding,
        progress: !args.no_progress && std::io::stderr().is_terminal(),
        threads: args.threads.map(usize::from),
        memory: args.memory,
        ..Options::new(&args.registry, &args.records, &args.out)
    };
    match onshi_reconcile::run(&opts) {
        Ok(summary) => {
            if !args.quiet {
                print!("{}", outcome(&summary, &opts));
            }
            Ok(())
        }
        Err(e) => {
            eprintln!("error[{}]: {e}", e.code());
            std::process::exit(i32::from(e.exit_status()))
        }
    }
}

fn pct(n: u64, of: u64) -> f64 {
    if of == 0 { 0.0 } else { n as f64 * 100.0 / of as f64 }
}

/// What the clerk reads when the run is done.
fn outcome(s: &Summary, opts: &Options) -> String {
    let graded = s.a + s.b + s.c;
    let mut out = format!(
        "{} records in {:.1} s: A {} ({:.1}%), B {} ({:.1}%), C {} ({:.1}%), unreadable {}\n",
        s.records,
        s.seconds,
        s.a,
        pct(s.a, graded),
        s.b,
        pct(s.b, graded),
        s.c,
        pct(s.c, graded),
        s.unreadable
    );
    out.push_str(&format!("graded records: {}\n", opts.out.display()));
    if let Some(errors) = &s.errors_file {
        let problems = s.unreadable + s.registry_problems.values().sum::<u64>();
        out.push_str(&format!("rows that could not be read ({problems}): {}\n", errors.display()));
    }
    if let Some(p) = &opts.summary {
        out.push_str(&format!("summary: {}\n", p.display()));
    }
    if let Some(p) = &opts.report {
        out.push_str(&format!("report (open in a browser): {}\n", p.display()));
    }
    if s.c > 0 {
        out.push_str("next: do not use the links graded C; look each one up (the report lists them first).\n");
    }
    out
}
