//! A synthetic Japan for onshi: people, households, insurers, a year of life events, the
//! data-entry errors the real system makes, and the ground truth beside them.
//!
//! Nothing here is a real person's data. The distributions follow public figures (census,
//! vital statistics, the 2023 総点検, the Board of Audit); every figure and its source is listed
//! in `docs/sim-format.md`.
//!
//! # Use
//!
//! * [`generate`] writes a world to a directory, streaming chunk by chunk (10,000,000 persons
//!   work in bounded memory).
//! * [`world`] builds it in memory (tests, in-process replay of small worlds).
//! * [`stream`] yields it chunk by chunk as [`World`]s (each chunk's people, records and events;
//!   chunks share nothing but the insurers).
//!
//! The same [`Config`] gives the same bytes: every random draw comes from ChaCha8 seeded with
//! the seed and the chunk's index, chunks are generated in parallel but written in order, and no
//! output depends on hash-map order.
//!
//! ```
//! use onshi_sim::{Config, world};
//! let w = world(&Config::new(2_000, 7)).unwrap();
//! assert!(w.registry_start.len() == 2_000);
//! assert!(w.truth.len() >= w.records.len());
//! ```
//!
//! # Files written by [`generate`]
//!
//! All UTF-8 without BOM, `\n` line ends, dates ISO `YYYY-MM-DD`, CSV with a header row and
//! fields quoted only when they hold a comma, quote or line break. Rows are in chunk order, then
//! creation order. Every column, event kind, figure and source is in `docs/sim-format.md`.
//!
//! | file | columns / content |
//! |---|---|
//! | `registry.csv` | `my_number,name,name_kana,birth_date,sex,address`: every resident alive at the end of the period, current basic four |
//! | `registry_start.csv` | the same columns: every resident at the start (load it before replaying) |
//! | `records.csv` | `record_id,my_number,name,name_kana,birth_date,sex,address`: every record insurers hold at the end (covering a living person on the last day, acquisition reported), as they hold it, errors included; `my_number` empty when missing |
//! | `truth.csv` | `record_id,true_my_number,error`: one row per record ever created (a superset of `records.csv`); `error` empty or one [`ErrorKind`] code |
//! | `insurers.csv` | `insurer_number,kind,name,prefecture,municipality_code` (`kind`: [`kind_code`]; `municipality_code` for 市町村国保) |
//! | `members.csv` | `record_id,insurer_number,symbol,number,branch,relationship,insured_record_id,my_number,name,name_kana,birth_date,sex,address,acquired_on,income_bracket,copay_ratio,reported_on`: the member records existing at the start, as the insurer enrolled them; `copay_ratio` is the ratio the insurer typed (10/20/30) |
//! | `events.jsonl` | one JSON object per line, in the order the replay must feed them (below) |
//! | `visits.csv` | `service_date,my_number,institution_code,presents,card_record_id,covered_record_id,copay_ratio,income_bracket`: every clinic visit of the period by service date, with its truth (below) |
//! | `summary.json` | counts: persons, households, records, events by kind and cause, visits by what is presented, errors by kind |
//!
//! # `events.jsonl`
//!
//! Each line is one *action* reaching one system (the registry or an insurer; visits are in
//! `visits.csv`). Lines are ordered by `at` (the day the action reaches the system: the report
//! day); within a day by chunk, and within a chunk registry actions, then insurer actions. Every
//! line has
//!
//! `{"at", "kind", "cause", "event_id", "effective_on", "reported_on", …}`
//!
//! where `effective_on` is the legal date (資格取得日, 資格喪失日 — the first day without
//! coverage —, the day of a move or marriage), `reported_on` the day the registry or insurer
//! registered it (= `at`; effective + a lag drawn per insurer kind, see [`Lags`]; may precede
//! `effective_on` for changes known ahead), `cause` one of [`Cause`] and `event_id` the life
//! event the action belongs to (a job change = a `lose` and an `acquire` with the same id).
//! Actions whose report falls after the period are left out. The rest of the line by `kind`:
//!
//! * `resident_add` (birth), `resident_update` (marriage, move): `my_number, name, name_kana,
//!   birth_date, sex, address` — the resident's new basic four (`PUT /registry/v1/residents`).
//! * `resident_remove` (death): `my_number`.
//! * `acquire`: `record_id, insurer_number, symbol?, number, branch, relationship,
//!   insured_record_id?, my_number?, name, name_kana, birth_date, sex, address, acquired_on,
//!   income_bracket?, copay_ratio` — an enrolment as the insurer typed it.
//! * `lose`: `record_id, lost_on, reason` ([`LossReason`]).
//! * `change`: `record_id, name?, name_kana?, address?, income_bracket?, copay_ratio?` from
//!   `effective_on`.
//! * `link_search` (cause `unlinked`): `record_id` — a record held without a My Number (未登録者)
//!   searched in the registry with the basic four its insurer holds, a unique match linked.
//!
//! # `visits.csv`
//!
//! One row per clinic visit, by `service_date` (the day the eligibility question is asked):
//! `my_number` is the patient's true number (what a My Number card holds), `presents` what the
//! patient shows (`my_number_card` or `card`, see [`Presents`]), `card_record_id` the latest
//! record the patient's insurer had recorded by that day (its numbers are the card's; empty when
//! none), and the truth: `covered_record_id` (the record covering the patient that day, empty
//! when not covered), `copay_ratio` (the law's, [`onshi_law::copay`]) and `income_bracket`.
//!
//! # Identifiers
//!
//! My Numbers are a bijection of the person's serial (valid check digits, unique); insurer
//! numbers are built with [`onshi_ids::InsurerNumber::check_digit`] (協会けんぽ `01`+pref+`001`,
//! 健保組合 `06`, 共済 `31`–`34` including 防衛省共済組合, 国保 6 digits per municipality,
//! 国保組合 pref+`3xx`, 後期 `39`+pref+`100`); record ids are `R` + 12 digits.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod chunk;
mod config;
mod data;
pub mod files;
mod http;
mod insurers;
mod legacy;
pub mod measure;
mod model;
mod output;
pub mod replay;
pub mod report;
mod rng;
mod text;

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

pub use config::{Config, ErrorRates, KYOKAI_STANDARD_DAYS, LagModel, Lags, MAX_PERSONS, SOCIETY_STANDARD_DAYS};
pub use legacy::{Legacy, cut_to_jis};
pub use model::{
    Action, Cause, ErrorKind, Event, Expect, Insurer, LossReason, Member, MemberChange, PersonInfo, Presents, Record,
    RecordId, Resident, Truth, Visit,
};
pub use output::kind_code;

/// The public figures the world is drawn from, for tests and reports (their sources are in
/// `docs/sim-format.md`): the 2020 census's population by prefecture and by 5-year age band, the share of
/// men per band, the death rates, the share of twin deliveries by birth year, the registered kanji
/// variants, and the Board of Audit's standard days the reporting lags are calibrated to.
pub mod figures {
    pub use crate::config::{KYOKAI_STANDARD_DAYS, SOCIETY_STANDARD_DAYS};
    pub use crate::data::{
        AGE_BANDS, DEATH_RATE, JIS_VARIANTS, MALE_SHARE, NON_JIS_VARIANTS, PREFECTURES, twin_delivery_share,
    };
}
pub use replay::{PolicyResult, Questions, ReplayOptions, ReplayReport, Target, WriteStats, replay};

use chunk::{ChunkOut, Ctx};
use insurers::Insurers;

/// Why a world could not be made.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// The config is out of range.
    #[error("invalid simulation config: {0}")]
    InvalidConfig(String),
    /// Writing the output failed.
    #[error("cannot write {path}: {source}; check that the directory is writable and the disk has space")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A file of a world cannot be read.
    #[error(
        "cannot read {path} (line {line}): {reason}; the replay reads a directory written by `onshi sim generate`: generate it again"
    )]
    Read {
        /// The file.
        path: PathBuf,
        /// The line (1-based; 0 when unknown).
        line: u64,
        /// What is wrong.
        reason: String,
    },
    /// The server of an HTTP replay cannot be used.
    #[error("cannot replay against {addr}: {reason}")]
    Server {
        /// The address given.
        addr: String,
        /// What is wrong, and what to do.
        reason: String,
    },
    /// The service failed in a way the replay cannot go on from (a storage failure, not a refusal: refusals
    /// are counted in the report).
    #[error("the replay stopped: {0}; nothing of the world is lost, run it again (the store is a fresh directory)")]
    Replay(String),
    /// A bug: built-in data produced an invalid identifier.
    #[error("internal error in the simulation: {0}")]
    Internal(String),
}

impl SimError {
    /// A stable snake_case code: `invalid_config`, `io_error`, `unreadable_world`, `server_unusable`,
    /// `replay_failed`, `internal_error`.
    pub fn code(&self) -> &'static str {
        match self {
            SimError::InvalidConfig(_) => "invalid_config",
            SimError::Io { .. } => "io_error",
            SimError::Read { .. } => "unreadable_world",
            SimError::Server { .. } => "server_unusable",
            SimError::Replay(_) => "replay_failed",
            SimError::Internal(_) => "internal_error",
        }
    }
}

/// Counts describing a generated world (also written as `summary.json`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// The seed.
    pub seed: u64,
    /// The first day of the period.
    pub start: Option<onshi_law::Date>,
    /// The last day of the period.
    pub end: Option<onshi_law::Date>,
    /// Residents at the start.
    pub persons: u64,
    /// Households at the start.
    pub households: u64,
    /// Residents at the end.
    pub residents_at_end: u64,
    /// Member records at the start (`members.csv`).
    pub members_at_start: u64,
    /// Records held at the end (`records.csv`).
    pub records: u64,
    /// Records ever created (`truth.csv`).
    pub truth: u64,
    /// Insurers.
    pub insurers: u64,
    /// Lines of `events.jsonl`.
    pub events: u64,
    /// Lines by `kind`.
    pub events_by_kind: BTreeMap<&'static str, u64>,
    /// Lines by `cause`.
    pub events_by_cause: BTreeMap<&'static str, u64>,
    /// Rows of `visits.csv`.
    pub visits: u64,
    /// Visits by what the patient presents.
    pub visits_by_presents: BTreeMap<&'static str, u64>,
    /// Truth rows by error kind.
    pub errors: BTreeMap<&'static str, u64>,
}

impl Summary {
    fn of(cfg: &Config, insurers: usize) -> Summary {
        Summary {
            seed: cfg.seed,
            start: Some(cfg.start),
            end: Some(cfg.end()),
            insurers: insurers as u64,
            ..Summary::default()
        }
    }

    fn add(&mut self, c: &ChunkOut) {
        self.persons += c.registry_start.len() as u64;
        self.households += c.households;
        self.residents_at_end += c.registry.len() as u64;
        self.members_at_start += c.members.len() as u64;
        self.records += c.records.len() as u64;
        self.truth += c.truth.len() as u64;
        self.events += c.events.len() as u64;
        for e in &c.events {
            *self.events_by_kind.entry(e.action.kind()).or_default() += 1;
            *self.events_by_cause.entry(e.cause.as_str()).or_default() += 1;
        }
        for t in &c.truth {
            if let Some(k) = t.error {
                *self.errors.entry(k.as_str()).or_default() += 1;
            }
        }
        self.visits += c.visits.len() as u64;
        for v in &c.visits {
            *self.visits_by_presents.entry(v.presents.as_str()).or_default() += 1;
        }
    }

    /// The summary as JSON (keys in a fixed order).
    pub fn to_json(&self) -> String {
        let map = |m: &BTreeMap<&'static str, u64>| {
            let inner: Vec<String> = m.iter().map(|(k, v)| format!("\"{k}\": {v}")).collect();
            format!("{{{}}}", inner.join(", "))
        };
        format!(
            "{{\n  \"seed\": {},\n  \"start\": \"{}\",\n  \"end\": \"{}\",\n  \"persons\": {},\n  \"households\": {},\n  \"residents_at_end\": {},\n  \"members_at_start\": {},\n  \"records\": {},\n  \"truth\": {},\n  \"insurers\": {},\n  \"events\": {},\n  \"events_by_kind\": {},\n  \"events_by_cause\": {},\n  \"visits\": {},\n  \"visits_by_presents\": {},\n  \"errors\": {}\n}}\n",
            self.seed,
            self.start.map(|d| d.to_string()).unwrap_or_default(),
            self.end.map(|d| d.to_string()).unwrap_or_default(),
            self.persons,
            self.households,
            self.residents_at_end,
            self.members_at_start,
            self.records,
            self.truth,
            self.insurers,
            self.events,
            map(&self.events_by_kind),
            map(&self.events_by_cause),
            self.visits,
            map(&self.visits_by_presents),
            map(&self.errors)
        )
    }
}

/// A world (or one chunk of it) in memory.
#[derive(Clone, Debug, Default)]
pub struct World {
    /// Every insurer.
    pub insurers: Vec<Insurer>,
    /// Residents at the start.
    pub registry_start: Vec<Resident>,
    /// Residents at the end.
    pub registry: Vec<Resident>,
    /// Member records at the start, as enrolled.
    pub members: Vec<Member>,
    /// Records held at the end.
    pub records: Vec<Record>,
    /// The truth of every record ever created.
    pub truth: Vec<Truth>,
    /// The actions of the period, in replay order.
    pub events: Vec<Event>,
    /// The clinic visits of the period, by service date.
    pub visits: Vec<Visit>,
    /// What the generator knows about every person (start residents and births).
    pub persons: Vec<PersonInfo>,
    /// Counts.
    pub summary: Summary,
}

fn chunk_sizes(cfg: &Config) -> Vec<u32> {
    let c = u64::from(cfg.chunk_persons);
    let n = cfg.persons.div_ceil(c);
    (0..n).map(|i| (cfg.persons - i * c).min(c) as u32).collect()
}

/// Builds the whole world in memory. Use [`generate`] or [`stream`] beyond a million persons.
///
/// # Errors
/// [`SimError::InvalidConfig`] for a config out of range; [`SimError::Internal`] on a bug.
pub fn world(cfg: &Config) -> Result<World, SimError> {
    cfg.validate()?;
    let ins = Insurers::build(cfg.seed)?;
    let ctx = Ctx { cfg, ins: &ins };
    let sizes = chunk_sizes(cfg);
    let chunks: Vec<ChunkOut> =
        sizes.par_iter().enumerate().map(|(i, &n)| chunk::generate(&ctx, i as u64, n, true)).collect();
    let mut w = World { insurers: ins.list.clone(), ..World::default() };
    w.summary = Summary::of(cfg, ins.list.len());
    for c in chunks {
        w.summary.add(&c);
        w.registry_start.extend(c.registry_start);
        w.registry.extend(c.registry);
        w.members.extend(c.members);
        w.records.extend(c.records);
        w.truth.extend(c.truth);
        w.events.extend(c.events);
        w.visits.extend(c.visits);
        w.persons.extend(c.persons);
    }
    // the file order: by day, then chunk (a stable sort keeps chunk and in-chunk order)
    w.events.sort_by_key(|e| e.at);
    w.visits.sort_by_key(|v| v.service_date);
    Ok(w)
}

/// The world chunk by chunk, in order: each item holds one chunk's residents, records and
/// events (sorted within the chunk) and the insurer table; chunks are independent populations.
///
/// # Errors
/// As [`world`].
pub fn stream(cfg: &Config) -> Result<impl Iterator<Item = World>, SimError> {
    cfg.validate()?;
    let ins = Insurers::build(cfg.seed)?;
    let cfg = cfg.clone();
    let sizes = chunk_sizes(&cfg);
    Ok(sizes.into_iter().enumerate().map(move |(i, n)| {
        let ctx = Ctx { cfg: &cfg, ins: &ins };
        let c = chunk::generate(&ctx, i as u64, n, true);
        let mut w = World { insurers: ins.list.clone(), ..World::default() };
        w.summary = Summary::of(&cfg, ins.list.len());
        w.summary.add(&c);
        w.registry_start = c.registry_start;
        w.registry = c.registry;
        w.members = c.members;
        w.records = c.records;
        w.truth = c.truth;
        w.events = c.events;
        w.visits = c.visits;
        w.persons = c.persons;
        w
    }))
}

/// One chunk rendered to bytes.
struct Rendered {
    registry_start: Vec<u8>,
    registry: Vec<u8>,
    members: Vec<u8>,
    records: Vec<u8>,
    truth: Vec<u8>,
    /// (day index, lines)
    events: Vec<(u32, Vec<u8>)>,
    /// (day index, rows)
    visits: Vec<(u32, Vec<u8>)>,
}

/// Groups consecutive items of the same day into one buffer per day (items come sorted by day).
fn by_day<T>(
    items: &[T],
    start: onshi_law::Date,
    day: impl Fn(&T) -> onshi_law::Date,
    line: impl Fn(&mut Vec<u8>, &T),
) -> Vec<(u32, Vec<u8>)> {
    let mut out: Vec<(u32, Vec<u8>)> = Vec::new();
    for x in items {
        let d = rng::days_between(start, day(x)).max(0) as u32;
        match out.last_mut() {
            Some((last, buf)) if *last == d => line(buf, x),
            _ => {
                let mut buf = Vec::with_capacity(1 << 14);
                line(&mut buf, x);
                out.push((d, buf));
            }
        }
    }
    out
}

fn render(c: &ChunkOut, start: onshi_law::Date) -> Rendered {
    let mut r = Rendered {
        registry_start: Vec::with_capacity(c.registry_start.len() * 120),
        registry: Vec::with_capacity(c.registry.len() * 120),
        members: Vec::with_capacity(c.members.len() * 200),
        records: Vec::with_capacity(c.records.len() * 130),
        truth: Vec::with_capacity(c.truth.len() * 40),
        events: Vec::new(),
        visits: Vec::new(),
    };
    for x in &c.registry_start {
        output::resident_row(&mut r.registry_start, x);
    }
    for x in &c.registry {
        output::resident_row(&mut r.registry, x);
    }
    for x in &c.members {
        output::member_row(&mut r.members, x);
    }
    for x in &c.records {
        output::record_row(&mut r.records, x);
    }
    for x in &c.truth {
        output::truth_row(&mut r.truth, x);
    }
    r.events = by_day(&c.events, start, |e| e.at, output::event_line);
    r.visits = by_day(&c.visits, start, |v| v.service_date, output::visit_row);
    r
}

struct Out {
    path: PathBuf,
    w: BufWriter<File>,
}

impl Out {
    fn create(dir: &Path, name: &str, header: &str) -> Result<Self, SimError> {
        let path = dir.join(name);
        let f = File::create(&path).map_err(|source| SimError::Io { path: path.clone(), source })?;
        let mut o = Out { path, w: BufWriter::with_capacity(1 << 20, f) };
        o.write(header.as_bytes())?;
        Ok(o)
    }

    fn write(&mut self, b: &[u8]) -> Result<(), SimError> {
        self.w.write_all(b).map_err(|source| SimError::Io { path: self.path.clone(), source })
    }

    fn finish(mut self) -> Result<(), SimError> {
        self.w.flush().map_err(|source| SimError::Io { path: self.path.clone(), source })
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> SimError + '_ {
    move |source| SimError::Io { path: path.to_owned(), source }
}

/// Lines spooled per day into one temporary file each, then concatenated in day order: chunks are
/// generated and written in batches, but each output file must be ordered by day over all chunks.
struct DaySpool {
    dir: PathBuf,
    ext: &'static str,
    used: std::collections::BTreeSet<u32>,
}

impl DaySpool {
    fn path(&self, day: u32) -> PathBuf {
        self.dir.join(format!("{day:05}.{}", self.ext))
    }

    /// Appends, for each day, the parts in the order given.
    fn append(&mut self, by_day: BTreeMap<u32, Vec<&[u8]>>) -> Result<(), SimError> {
        for (d, parts) in by_day {
            let p = self.path(d);
            let f = fs::OpenOptions::new().create(true).append(true).open(&p).map_err(io(&p))?;
            let mut w = BufWriter::with_capacity(1 << 20, f);
            for part in parts {
                w.write_all(part).map_err(io(&p))?;
            }
            w.flush().map_err(io(&p))?;
            self.used.insert(d);
        }
        Ok(())
    }

    /// Writes `header` and every day's lines, in day order, to `out`.
    fn finish(&self, out: &Path, header: &str) -> Result<(), SimError> {
        let mut f = BufWriter::with_capacity(1 << 20, File::create(out).map_err(io(out))?);
        f.write_all(header.as_bytes()).map_err(io(out))?;
        for &d in &self.used {
            let p = self.path(d);
            let mut src = File::open(&p).map_err(io(&p))?;
            std::io::copy(&mut src, &mut f).map_err(io(out))?;
        }
        f.flush().map_err(io(out))
    }
}

/// Generates the world of `cfg` and writes it to `out` (created if missing; existing files of the same
/// names are replaced). Chunks are generated in parallel (rayon) and written in order; events and visits
/// go through one temporary file per day under `out/.spool`, removed at the end.
///
/// # Errors
/// [`SimError::InvalidConfig`], [`SimError::Io`] (the path is named), [`SimError::Internal`].
pub fn generate(cfg: &Config, out: &Path) -> Result<Summary, SimError> {
    cfg.validate()?;
    fs::create_dir_all(out).map_err(io(out))?;
    let ins = Insurers::build(cfg.seed)?;
    let ctx = Ctx { cfg, ins: &ins };
    let mut summary = Summary::of(cfg, ins.list.len());

    let mut insurers = Out::create(out, "insurers.csv", output::INSURERS_HEADER)?;
    let mut buf = Vec::new();
    for i in &ins.list {
        output::insurer_row(&mut buf, i);
    }
    insurers.write(&buf)?;
    insurers.finish()?;

    let mut reg_start = Out::create(out, "registry_start.csv", output::REGISTRY_HEADER)?;
    let mut reg = Out::create(out, "registry.csv", output::REGISTRY_HEADER)?;
    let mut members = Out::create(out, "members.csv", output::MEMBERS_HEADER)?;
    let mut records = Out::create(out, "records.csv", output::RECORDS_HEADER)?;
    let mut truth = Out::create(out, "truth.csv", output::TRUTH_HEADER)?;
    let tmp = out.join(".spool");
    if tmp.exists() {
        fs::remove_dir_all(&tmp).map_err(io(&tmp))?;
    }
    fs::create_dir_all(&tmp).map_err(io(&tmp))?;
    let mut events = DaySpool { dir: tmp.clone(), ext: "jsonl", used: Default::default() };
    let mut visits = DaySpool { dir: tmp.clone(), ext: "csv", used: Default::default() };

    let sizes = chunk_sizes(cfg);
    let batch = (rayon::current_num_threads() * 2).max(2);
    let mut index = 0usize;
    while index < sizes.len() {
        let hi = (index + batch).min(sizes.len());
        let rendered: Vec<(Rendered, Summary)> = (index..hi)
            .into_par_iter()
            .map(|i| {
                let c = chunk::generate(&ctx, i as u64, sizes[i], false);
                let mut s = Summary::default();
                s.add(&c);
                (render(&c, cfg.start), s)
            })
            .collect();
        // per day, the batch's lines in chunk order
        let mut ev_days: BTreeMap<u32, Vec<&[u8]>> = BTreeMap::new();
        let mut visit_days: BTreeMap<u32, Vec<&[u8]>> = BTreeMap::new();
        for (r, s) in &rendered {
            reg_start.write(&r.registry_start)?;
            reg.write(&r.registry)?;
            members.write(&r.members)?;
            records.write(&r.records)?;
            truth.write(&r.truth)?;
            merge(&mut summary, s);
            for (d, lines) in &r.events {
                ev_days.entry(*d).or_default().push(lines);
            }
            for (d, rows) in &r.visits {
                visit_days.entry(*d).or_default().push(rows);
            }
        }
        events.append(ev_days)?;
        visits.append(visit_days)?;
        index = hi;
    }
    reg_start.finish()?;
    reg.finish()?;
    members.finish()?;
    records.finish()?;
    truth.finish()?;
    events.finish(&out.join("events.jsonl"), "")?;
    visits.finish(&out.join("visits.csv"), output::VISITS_HEADER)?;
    fs::remove_dir_all(&tmp).map_err(io(&tmp))?;

    let sp = out.join("summary.json");
    fs::write(&sp, summary.to_json()).map_err(io(&sp))?;
    Ok(summary)
}

fn merge(into: &mut Summary, s: &Summary) {
    into.persons += s.persons;
    into.households += s.households;
    into.residents_at_end += s.residents_at_end;
    into.members_at_start += s.members_at_start;
    into.records += s.records;
    into.truth += s.truth;
    into.events += s.events;
    for (k, v) in &s.events_by_kind {
        *into.events_by_kind.entry(k).or_default() += v;
    }
    for (k, v) in &s.events_by_cause {
        *into.events_by_cause.entry(k).or_default() += v;
    }
    for (k, v) in &s.errors {
        *into.errors.entry(k).or_default() += v;
    }
    into.visits += s.visits;
    for (k, v) in &s.visits_by_presents {
        *into.visits_by_presents.entry(k).or_default() += v;
    }
}
