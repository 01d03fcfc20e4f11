//! 総点検 (reconciliation): grades every My Number link in an insurer's or municipality's records against
//! the resident registry, in bulk, and says which records are someone else's.
//!
//! [`run`] reads REGISTRY.csv and RECORDS.csv (files.md), grades each record A/B/C with
//! [onshi_linkage]'s `grade_by_id` (the same grading as the service's linkage check), and writes OUT.csv,
//! an error file, and optionally SUMMARY.json and an HTML report. `onshi reconcile` is a thin wrapper.
//!
//! # Command-line help (for `onshi reconcile`)
//!
//! ```text
//! onshi reconcile — check My Number links against the resident registry (総点検)
//!
//! Usage: onshi reconcile --registry REGISTRY.csv --records RECORDS.csv --out OUT.csv
//!                        [--summary SUMMARY.json] [--report REPORT.html]
//!                        [--encoding utf-8|cp932] [--threads N] [--memory SIZE] [--no-progress]
//!
//! Grades every record (a person's name, reading, birth date, sex and address, with the My Number it is
//! linked to) against the registry's resident with that number:
//!   A  agrees up to notation (width, spacing, 髙/高 excluded, 「東京都」 omitted, 「2-1-2」)  → keep the link
//!   B  probably the same person: a kanji variant, a likely typo, a stale address     → confirm, then keep
//!   C  not this resident: birth date/sex/name differ, another resident (a twin, a
//!      family member, a same-name stranger) fits better, or the number is unknown
//!      or fails its check digit                                                    → do not link; fix it
//! For a C, suggested_my_number names the resident who fits the record better, when there is one.
//!
//! Options:
//!   --registry FILE   residents: my_number,name,name_kana,birth_date,sex,address (header row, any order)
//!   --records FILE    links to check: record_id,my_number,name,name_kana,birth_date,sex,address
//!                     (other columns are copied to the output)
//!   --out FILE        one row per record, in input order (UTF-8 with BOM, opens in Excel):
//!                     record_id,my_number,grade,name,name_kana,birth_date,sex,address,reasons,
//!                     suggested_my_number, then the records' other columns
//!                     Rows that cannot be read go to OUT.errors.csv next to it, with line and reason.
//!   --summary FILE    counts as JSON: {"records":N,"A":n,"B":n,"C":n,"unreadable":n,"reasons":{…},"seconds":s}
//!   --report FILE     a page to open in a browser: grade counts, reasons, the C list, then the B list
//!   --encoding ENC    utf-8 or cp932 (Shift_JIS); default: detected per file
//!   --threads N       worker threads (default: one per core)
//!   --memory SIZE     memory to stay within: 8G, 512M or bytes (default: half the machine's memory,
//!                     at most 8 GiB); a bigger registry is graded in partitions by birth date through
//!                     temporary files next to OUT.csv (about the size of both inputs), same outputs
//!   --no-progress     no progress bar (there is none anyway when stderr is not a terminal)
//!
//! Dates may be ISO (1980-04-15) or 和暦 (昭和55年4月15日, S55.4.15); sex male/female, 男/女 or 1/2.
//! A bad row never stops the run: it is listed in OUT.errors.csv and counted as "unreadable".
//! Exit status: 0 done (whatever the grades), 2 bad input or options, 1 could not write.
//! ```
//!
//! # Files
//!
//! **Inputs** (files.md): a header row names the columns, in any order; column names are matched after
//! trimming and ignoring ASCII case; every column listed above is required (values may be empty, except
//! `record_id` and `birth_date`). The encoding is detected per file from its first [`DETECT_BYTES`]
//! (UTF-8 with or without BOM if valid UTF-8, else CP932) or forced with [`Options::encoding`]. Dates go
//! through [`onshi_law::parse_date`]; sex accepts `male`/`female`, `男`/`女`, `1`/`2` (also
//! `男性`/`女性`, `M`/`F`; empty, `0` or `9` = unknown). Rows may carry trailing empty fields.
//!
//! **OUT.csv**: UTF-8 with BOM, CRLF line ends, one row per *readable* record in input order, columns
//! [`OUT_COLUMNS`] then the extra columns of RECORDS.csv (one named like an output column is renamed
//! `input_<name>`). `record_id` and `my_number` are copied as written (trimmed). The five field columns
//! hold the [`onshi_linkage::Verdict`] against the number's owner (empty when the number is unknown or
//! invalid); `reasons` are `;`-separated codes: onshi-linkage's [`onshi_linkage::Reason`]s, then
//! [`RECONCILE_REASONS`]; `suggested_my_number` is the better-fitting resident (12 digits) or empty.
//!
//! **The error file** ([`errors_path`]: `OUT.csv` → `OUT.errors.csv`), always written: UTF-8 with BOM,
//! columns [`ERROR_COLUMNS`]. One row per unreadable row of either input (reasons `wrong_field_count`,
//! `invalid_encoding`, `missing_record_id`, `missing_birth_date`, `invalid_birth_date`, `invalid_sex`, and
//! for the registry `invalid_my_number`), plus one per registry row that repeats an earlier row's My
//! Number (`registry_duplicate_my_number`; that resident is still a candidate). Records come after
//! registry rows; each file's rows in line order.
//!
//! **SUMMARY.json** ([`Summary`]): exactly files.md's keys, plus `unreadable_reasons`, `registry_rows`,
//! `registry_residents`, `registry_problems`, `registry_encoding`, `records_encoding`, `errors_file`.
//! `records` counts every data row of RECORDS.csv: `records = A + B + C + unreadable`.
//!
//! **The report**: one HTML page, no script and no external asset, Japanese labels with the English codes:
//! grade distribution, reasons with counts, the C list (with suggested numbers), the B list, unreadable
//! rows — each list the first [`REPORT_ROWS`] in input order.
//!
//! # The candidate rule: why twins, family members and same-name strangers are always found
//!
//! Grading a record against the owner of its number alone would pass a twin's record as B ("one
//! character off"). So each record is also compared with the residents that share one of its
//! [blocking keys](onshi_linkage::Prepared::blocking_keys): the record's **birth date** together with the
//! first or last two characters of its name, its surname, its given name or its whole name (onshi-text
//! variant keys, so 髙/高 and spacing do not matter). onshi-linkage guarantees (and property-tests) that
//! a resident the record fits as A or B shares a key with it, so this gives exactly the grade that
//! grading against every resident born that day would give. The person a record really describes has
//! the record's birth date and name, so they are among the candidates whatever number the record carries:
//! - a twin swap: the other twin has the same birth date and surname;
//! - a family swap (a parent's record with the child's number): the owner has another birth date, but
//!   the parent — the true person — has the record's birth date and name;
//! - a same-name stranger: same name, and the record's birth date is the stranger's.
//!
//! `grade_by_id` then grades C with `better_candidate` (and `suggested_my_number`) when a candidate fits
//! strictly better, and at most B with `indistinguishable_resident` when one fits exactly as well. Each
//! key brings at most `MAX_PER_KEY` (256) residents; real buckets hold a handful, so each record is
//! compared with a handful of residents, not thousands. A record whose bucket was cut (placeholder dates
//! and names) gets `too_many_candidates` and at most B.
//!
//! # Streaming, memory, speed
//!
//! The registry is loaded once into memory: each resident's [`onshi_linkage::Prepared`] (all comparison
//! keys computed once, one allocation; ≈ 350 bytes with typical names and addresses), its number, and two
//! sorted multimaps (My Number → resident, candidate key → resident; 16 bytes an entry). Records are
//! then read in chunks of 65,536 rows on a reader thread, graded in parallel with rayon, and written in
//! input order. Memory does not grow with the number of records beyond two bits a row: the first pass
//! that finds duplicated record ids and My Numbers (overlapped with loading the registry) keeps up to
//! 2 Mi (key, row) pairs in memory and beyond that spreads them over hash partitions in temporary files
//! next to the output (24 bytes a row on disk, removed at the end); what it leaves for grading is one
//! bit a row per kind. Measurements: docs/benchmarks.md (`bench/reconcile/run.sh`).
//!
//! **A registry bigger than the memory budget** ([`Options::memory`], `--memory`; ≈ 4 bytes of memory per
//! byte of REGISTRY.csv in memory) is graded in partitions by birth date, one at a time (`partitioned`):
//! all blocking keys include the birth date, so a record's candidates are all in its birth date's
//! partition, and the owner of its number, when born on another day, is copied there first. What stays in
//! memory throughout is the My Number index of the whole registry (≈ 18 bytes a resident, while the records
//! are split) and one partition's residents; the temporary files (next to the output, about the size of
//! both inputs, each partition's removed once graded) hold the residents and records split by partition
//! and 23 bytes of outcome a record. RECORDS.csv is then read once more, in order, and the outputs are
//! written by the same code as in memory: byte for byte the same files.
//!
//! ```no_run
//! use onshi_reconcile::{Options, run};
//! let summary = run(&Options {
//!     summary: Some("summary.json".into()),
//!     report: Some("report.html".into()),
//!     ..Options::new("registry.csv", "records.csv", "out.csv")
//! })?;
//! println!("{} records: A {} / B {} / C {}", summary.records, summary.a, summary.b, summary.c);
//! # Ok::<(), onshi_reconcile::ReconcileError>(())
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod accuracy;
mod chunks;
mod dups;
mod engine;
mod error;
mod index;
mod input;
mod output;
mod partitioned;
mod progress;
mod registry;
mod report;
mod spill;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

pub use accuracy::{Accuracy, Ratio};
pub use engine::RECONCILE_REASONS;
pub use error::ReconcileError;
pub use input::{DETECT_BYTES, Encoding, ParseEncodingError};
pub use output::{ERROR_COLUMNS, OUT_COLUMNS, errors_path};
pub use report::{REPORT_ROWS, html_escape, reason_label};

use chunks::{CHUNK_ROWS, for_each_chunk};
use engine::{Counts, Ctx, Grader, N_CODES, code_str};
use input::Kind;
use output::{BOM, ErrorSink, record_bytes};
use partitioned::Partitioned;
use registry::Registry;

/// What to reconcile and where to write (the options of `onshi reconcile`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// REGISTRY.csv: `my_number,name,name_kana,birth_date,sex,address`.
    pub registry: PathBuf,
    /// RECORDS.csv: `record_id,my_number,name,name_kana,birth_date,sex,address` (+ extra columns).
    pub records: PathBuf,
    /// OUT.csv. The error file goes next to it ([`errors_path`]).
    pub out: PathBuf,
    /// SUMMARY.json, if wanted.
    pub summary: Option<PathBuf>,
    /// REPORT.html, if wanted.
    pub report: Option<PathBuf>,
    /// Forces the encoding of both inputs; `None` detects it per file.
    pub encoding: Option<Encoding>,
    /// Draws a progress bar on stderr (only when stderr is a terminal).
    pub progress: bool,
    /// Worker threads; `None` = one per core.
    pub threads: Option<usize>,
    /// Memory to stay within, in bytes; `None` = [`default_memory`]. A registry whose index would not fit
    /// (≈ 4 bytes of memory per byte of REGISTRY.csv) is split by birth date into partitions graded one
    /// at a time, through temporary files next to the output; the outputs are the same.
    pub memory: Option<u64>,
}

impl Options {
    /// The three required paths; no summary, no report, encoding detected, progress bar on, all cores.
    pub fn new(registry: impl Into<PathBuf>, records: impl Into<PathBuf>, out: impl Into<PathBuf>) -> Options {
        Options {
            registry: registry.into(),
            records: records.into(),
            out: out.into(),
            summary: None,
            report: None,
            encoding: None,
            progress: true,
            threads: None,
            memory: None,
        }
    }
}

/// The counts of a run: SUMMARY.json (files.md), extended.
///
/// `records = a + b + c + unreadable`. Serialises with files.md's keys `records`, `A`, `B`, `C`,
/// `unreadable`, `reasons`, `seconds` plus the extension fields below.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Data rows in RECORDS.csv.
    pub records: u64,
    /// Graded A.
    #[serde(rename = "A")]
    pub a: u64,
    /// Graded B.
    #[serde(rename = "B")]
    pub b: u64,
    /// Graded C.
    #[serde(rename = "C")]
    pub c: u64,
    /// Rows of RECORDS.csv that could not be read (in the error file).
    pub unreadable: u64,
    /// How many graded records carry each reason code (codes that occur only).
    pub reasons: BTreeMap<String, u64>,
    /// Wall-clock seconds for the whole run.
    pub seconds: f64,
    /// How many unreadable record rows had each reason.
    #[serde(default)]
    pub unreadable_reasons: BTreeMap<String, u64>,
    /// Data rows in REGISTRY.csv.
    #[serde(default)]
    pub registry_rows: u64,
    /// Registry rows loaded as residents.
    #[serde(default)]
    pub registry_residents: u64,
    /// Registry problems by code (unreadable rows, `registry_duplicate_my_number`).
    #[serde(default)]
    pub registry_problems: BTreeMap<String, u64>,
    /// The registry's encoding, as detected or forced.
    #[serde(default)]
    pub registry_encoding: Option<Encoding>,
    /// The records' encoding, as detected or forced.
    #[serde(default)]
    pub records_encoding: Option<Encoding>,
    /// Where the error file was written.
    #[serde(default)]
    pub errors_file: Option<PathBuf>,
}

impl Summary {
    /// The summary as SUMMARY.json's text (pretty-printed, ends with a newline).
    pub fn to_json(&self) -> Result<String, ReconcileError> {
        let mut s = serde_json::to_string_pretty(self)?;
        s.push('\n');
        Ok(s)
    }
}

const GIB: u64 = 1 << 30;

/// The memory budget when none is given: half the machine's memory (`MemTotal` of `/proc/meminfo`), at
/// most 8 GiB and at least 1 GiB; 8 GiB where the machine's memory cannot be read.
pub fn default_memory() -> u64 {
    let total = std::fs::read_to_string("/proc/meminfo").ok().and_then(|s| {
        s.lines()
            .find_map(|l| l.strip_prefix("MemTotal:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .map(|kb| kb * 1024)
    });
    total.map_or(8 * GIB, |t| (t / 2).clamp(GIB, 8 * GIB))
}

/// Reads a memory size: bytes, or a number with `K`, `M`, `G` or `T` (powers of 1024, optionally followed
/// by `iB` or `B`): `8G`, `512MiB`, `1.5G`.
///
/// ```
/// use onshi_reconcile::parse_memory;
/// assert_eq!(parse_memory("8G"), Ok(8 << 30));
/// assert_eq!(parse_memory("512MiB"), Ok(512 << 20));
/// assert_eq!(parse_memory("1.5g"), Ok(3 << 29));
/// assert_eq!(parse_memory("4096"), Ok(4096));
/// assert!(parse_memory("lots").is_err());
/// ```
///
/// # Errors
/// A message naming the accepted forms.
pub fn parse_memory(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let lower = t.to_ascii_lowercase();
    let body = lower.trim_end_matches("ib").trim_end_matches('b');
    let (num, unit) = match body.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => (&body[..i], c),
        _ => (body, ' '),
    };
    let mult: u64 = match unit {
        ' ' => 1,
        'k' => 1 << 10,
        'm' => 1 << 20,
        'g' => 1 << 30,
        't' => 1 << 40,
        _ => 0,
    };
    match num.trim().parse::<f64>() {
        Ok(n) if mult > 0 && n.is_finite() && n > 0.0 => Ok((n * mult as f64) as u64),
        _ => Err(format!("{s:?} is not a memory size: write bytes or a number with K, M, G or T (8G, 512M)")),
    }
}

/// Rows per parallel task inside a chunk.
pub(crate) const PART_ROWS: usize = 1024;

fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

fn check_paths(opts: &Options) -> Result<(), ReconcileError> {
    let errors = errors_path(&opts.out);
    let outputs = [Some(&opts.out), Some(&errors), opts.summary.as_ref(), opts.report.as_ref()];
    for out in outputs.into_iter().flatten() {
        for input in [&opts.registry, &opts.records] {
            if same_file(out, input) {
                return Err(ReconcileError::OutputIsInput { path: out.clone() });
            }
        }
    }
    Ok(())
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), ReconcileError> {
    std::fs::write(path, bytes).map_err(|source| ReconcileError::Write { path: path.to_owned(), source })
}

/// Runs a reconciliation: reads the registry and the records, writes OUT.csv and the error file (and
/// the summary and report when asked), and returns the counts.
///
/// Bad rows never stop the run (see the crate docs); what does is an input that cannot be opened or has
/// no usable header row, or an output that cannot be written.
///
/// # Errors
/// [`ReconcileError`]; nothing has been graded when an input's header is wrong (it is checked before the
/// outputs are created).
pub fn run(opts: &Options) -> Result<Summary, ReconcileError> {
    let started = Instant::now();
    check_paths(opts)?;
    let threads = opts.threads.unwrap_or(0);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("reconcile-{i}"))
        .build()
        .map_err(|source| ReconcileError::Threads { threads, source })?;
    pool.install(|| run_in_pool(opts, started))
}

fn run_in_pool(opts: &Options, started: Instant) -> Result<Summary, ReconcileError> {
    // Open both inputs and check their headers before creating any output.
    let registry_in = input::open(&opts.registry, Kind::Registry, opts.encoding)?;
    input::Columns::from_header(Kind::Registry, &opts.registry, &registry_in.header)?;
    let records_in = input::open(&opts.records, Kind::Records, opts.encoding)?;
    let cols = input::Columns::from_header(Kind::Records, &opts.records, &records_in.header)?;
    let scan_in = input::open(&opts.records, Kind::Records, Some(records_in.encoding))?;
    let (registry_encoding, records_encoding) = (registry_in.encoding, records_in.encoding);

    let errors_file = errors_path(&opts.out);
    let mut sink = ErrorSink::create(&errors_file)?;
    let mut out = output::create(&opts.out)?;
    let write_err = |source| ReconcileError::Write { path: opts.out.clone(), source };
    out.write_all(BOM)
        .and_then(|()| out.write_all(&record_bytes(output::out_header(&cols.extra_names))))
        .map_err(write_err)?;

    // Registry, and (on another thread) the duplicates pass over the records.
    let tmp_dir = match opts.out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    let memory = opts.memory.unwrap_or_else(default_memory);
    let parts = partitioned::partitions(registry_in.size, memory);
    let bar = progress::bar(opts.progress, "registry");
    let (mut source, dups) = std::thread::scope(|s| {
        let scan = s.spawn(|| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(1)
                .build()
                .map_err(|source| ReconcileError::Threads { threads: 1, source })?
                .install(|| dups::scan(scan_in, &cols, &opts.records, &tmp_dir, dups::BUDGET))
        });
        let source = match parts {
            None => Registry::load(registry_in, &opts.registry, &bar, &mut sink).map(Source::Memory),
            Some(parts) => Partitioned::split_registry(registry_in, &opts.registry, &tmp_dir, parts, &bar, &mut sink)
                .map(Source::Partitions),
        };
        let dups = scan.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        Ok::<_, ReconcileError>((source?, dups?))
    })?;
    bar.finish_and_clear();
    let mut merge = None;
    if let Source::Partitions(p) = &mut source {
        let bar = progress::bar(opts.progress, "split");
        p.split_records(
            input::open(&opts.records, Kind::Records, Some(records_encoding))?,
            &opts.records,
            &cols,
            &bar,
        )?;
        p.copy_owners()?;
        bar.finish_and_clear();
        let bar = progress::bar(opts.progress, "grade");
        p.grade(&bar)?;
        bar.finish_and_clear();
        merge = Some(p.outcomes()?);
    }

    // Records, in input order: graded here, or their outcomes from the partitions.
    let bar = progress::bar(opts.progress, "records");
    let size = records_in.size;
    let mut counts = Counts::default();
    let mut lists = report::Lists::default();
    let mut rows = 0u64;
    let mut unreadable = 0u64;
    for_each_chunk(records_in.reader, &opts.records, CHUNK_ROWS, |chunk| {
        let given = match &mut merge {
            Some(m) => Some(m.next(chunk.rows(), &cols, records_encoding)?),
            None => None,
        };
        let grader = match (&source, &given) {
            (_, Some(given)) => Grader::Given(given),
            (Source::Memory(registry), None) => Grader::Registry(registry),
            (Source::Partitions(_), None) => Grader::Given(&[]),
        };
        let ctx = Ctx {
            grader,
            cols: &cols,
            enc: records_encoding,
            dups: &dups,
            want_b: lists.b.len() < REPORT_ROWS,
            want_c: lists.c.len() < REPORT_ROWS,
        };
        let parts: Vec<engine::Part> = chunk
            .rows()
            .par_chunks(PART_ROWS)
            .enumerate()
            .map(|(i, part)| {
                let first = i * PART_ROWS;
                let ctx = match ctx.grader {
                    Grader::Given(g) => Ctx {
                        grader: Grader::Given(g.get(first..first + part.len()).unwrap_or_default()),
                        ..ctx.clone()
                    },
                    Grader::Registry(_) => ctx.clone(),
                };
                engine::process(part, rows + first as u64, &ctx)
            })
            .collect();
        for part in parts {
            out.write_all(&part.out).map_err(write_err)?;
            counts.merge(&part.counts);
            for u in part.unreadable {
                unreadable += 1;
                sink.note(Kind::Records, u.line, &u.record_id, &u.error, &u.row)?;
                if lists.unreadable.len() < REPORT_ROWS {
                    lists.unreadable.push(u);
                }
            }
            for (list, new) in [(&mut lists.b, part.report_b), (&mut lists.c, part.report_c)] {
                let room = REPORT_ROWS.saturating_sub(list.len());
                list.extend(new.into_iter().take(room));
            }
        }
        rows += chunk.len as u64;
        progress::advance(&bar, chunk, size, rows);
        Ok(())
    })?;
    out.flush().map_err(write_err)?;
    drop(out);
    bar.finish_and_clear();

    let reasons = (0..N_CODES)
        .filter_map(|i| {
            let n = counts.reasons.get(i).copied().unwrap_or(0);
            (n > 0).then(|| (code_str(i).to_owned(), n))
        })
        .collect();
    let (registry_rows, registry_residents) = match source {
        Source::Memory(registry) => (registry.rows, registry.people.len() as u64),
        Source::Partitions(p) => {
            let counts = (p.rows, p.residents);
            p.close()?;
            counts
        }
    };
    let summary = Summary {
        records: rows,
        a: counts.a,
        b: counts.b,
        c: counts.c,
        unreadable,
        reasons,
        seconds: 0.0,
        unreadable_reasons: sink.records.clone(),
        registry_rows,
        registry_residents,
        registry_problems: sink.registry.clone(),
        registry_encoding: Some(registry_encoding),
        records_encoding: Some(records_encoding),
        errors_file: Some(errors_file),
    };
    sink.finish()?;
    let mut summary = summary;
    if let Some(path) = &opts.report {
        summary.seconds = round_ms(started.elapsed().as_secs_f64());
        let html =
            report::render(&summary, &lists, &opts.registry.display().to_string(), &opts.records.display().to_string());
        write_file(path, html.as_bytes())?;
    }
    summary.seconds = round_ms(started.elapsed().as_secs_f64());
    if let Some(path) = &opts.summary {
        write_file(path, summary.to_json()?.as_bytes())?;
    }
    Ok(summary)
}

/// Where the residents are: all in memory, or in partition files.
enum Source {
    Memory(Registry),
    Partitions(Partitioned),
}

fn round_ms(s: f64) -> f64 {
    (s * 1000.0).round() / 1000.0
}
