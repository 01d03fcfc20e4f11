//! The replay: a generated world fed, in simulated time, into the service, and every visit's question
//! answered and compared with the truth.
//!
//! # Flow
//!
//! 1. **Before the period**, day by day over its last 365 days (older records all on the first of them):
//!    the residents of `registry_start.csv` born by that day, then the member records of `members.csv`
//!    the insurers recorded that day (insured before dependents). So a record reported a week before the
//!    period still waits for its registration under the legacy policy. A child born on the period's first
//!    day is registered, and its record recorded, on that day, before the day's actions.
//! 2. **Each day of the period**: at 09:00 (Japan) the day's registry actions (`events.jsonl`), then the
//!    day's insurer actions; at 12:00 the day's visits (`visits.csv`), each asked of every policy and
//!    classified ([`crate::measure`]).
//!
//! Within a phase, actions run concurrently but in file order per person (registry) or per card
//! household (insurer: insurer, symbol and number, so a dependent follows its insured person). The
//! service's clock and the store's recording clock are the simulated clock, so an answer is what the
//! system would have said that day.
//!
//! # Targets and policies
//!
//! * **In-process** ([`Target::InProcess`]): two embedded SQLite stores (fresh directories), one written by
//!   onshi's rules, one by the national system's (links not graded, copay ratios as typed). Each visit is
//!   asked of onshi and of the legacy policy at every registration-lag factor requested, all through
//!   [`onshi_service::Service`], the code the HTTP front calls. A patient presenting a My Number card is
//!   asked through `Service::check_person`: the card's cryptography is skipped, not the selection — it
//!   chooses among the person's coverages by the same rule as the check by card
//!   (`onshi_ledger::select_for_person`).
//! * **HTTP** ([`Target::Http`]): a running `onshi serve` on a loopback address (onshi's policy only, its
//!   clock is the wall clock: replay a world that lies in the past). The contract has no check by My
//!   Number, so a patient with a My Number card is asked by the numbers of their card there.
//!
//! # The insurers' behaviour
//!
//! Under onshi, an insurer migrating its members does not type copay ratios (the law decides); for a new
//! acquisition it sends the ratio it typed, and when onshi refuses it (`copay_ratio_mismatch`) it sends the
//! enrolment again without. When onshi refuses a My Number link (`linkage_rejected`), the insurer searches
//! the registry with the record's basic four (住基ネット照会): a unique match is linked; otherwise the insurer
//! checks what it typed against the copy of the person's My Number card it collected (the refusal's next step)
//! and sends the enrolment again with the card's basic four and number, once. A `link_search` line links a member held without a My Number (未登録者)
//! from the registry's search. A link graded B waits for the insurer's confirmation: the insurer asks the
//! person after [`Lags::confirm_link`] and confirms the right number or removes another person's and searches
//! again. A death recorded in the registry is offered to the insurers holding a link; each accepts it after
//! [`Lags::accept_registry_event`] and ends the dependents' coverage with it. Under the legacy policy
//! everything is taken as typed, and deaths reach insurers only as their own losses. Every refusal and
//! correction is counted in [`WriteStats`]; nothing is dropped silently.
//!
//! A check by My Number card refused with a next step to ask by the card's numbers (a link pending
//! confirmation or suspended, a record held without a My Number that only nearly matches the holder) is asked
//! again so, as a receptionist would; the case the last one opens is worked by its insurer after
//! [`Lags::confirm_link`].
//!
//! # Where things are
//!
//! `front` (in-process or HTTP), `rows` (the world's rows as request bodies), `writes` (the registry's and the
//! insurers' actions and follow-ups), `questions` (a visit's question, asked and classified), `flow` (the start
//! state, then the period); this file holds the options, the shared state and the report.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use chrono::{DateTime, Utc};
use onshi_ids::{InsurerNumber, MyNumber};
use onshi_law::Date;
use onshi_service::api::{
    ChangeBody, EligibilityAnswer, EligibilityBody, EnrolAnswer, EnrolBody, IncomeBracketValue, LossBody,
    RelationshipValue, ResidentBody, ResidentView, SearchAnswer, SearchBody, SexValue,
};
use onshi_service::corrections_api::{DeathAnswer, DeathBody, DecisionBody, RegistryEventView};
use onshi_service::link_api::{CasesAnswer, ConfirmBody, LinkBody, LinkSearchBody, LinkView, ReasonBody};
use onshi_service::{Actor, Ctx, Policy, Role, Service, ServiceError};
use onshi_store::SqliteStore;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::SimError;
use crate::config::Lags;
use crate::files::{self, EventLine, MemberRow, Period, ResidentRow, TruthRow, VisitRow};
use crate::http::Http;
use crate::legacy::{Legacy, PLACEHOLDER};
use crate::measure::{Known, Shown, Tally, Truth, Verdict, classify, explain};
use crate::model::{Presents, RecordId};
use crate::rng::add_days;

mod flow;
mod front;
mod questions;
mod rows;
mod writes;

use flow::{load_start, run_period};
use front::*;
use rows::*;

/// Where the replay sends the world.
#[derive(Clone, Debug)]
pub enum Target {
    /// Embedded stores in this process, onshi and the legacy policy side by side.
    InProcess,
    /// A running `onshi serve` (loopback only), onshi's policy.
    Http {
        /// The server's address.
        addr: SocketAddr,
        /// Its administrator token (`ONSHI_ADMIN_TOKEN`).
        admin_token: String,
    },
}

/// How a visit's question is asked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Questions {
    /// As the visit says: by My Number card or by the card's numbers (in-process only; over HTTP every
    /// question is asked by card).
    AsPresented,
    /// Always by the card's numbers (a patient with no card yet is not asked).
    CardOnly,
}

/// What to replay and how.
#[derive(Clone, Debug)]
pub struct ReplayOptions {
    /// Where.
    pub target: Target,
    /// The legacy policy's registration-lag factors (in-process; empty: onshi only). 1 = the Board of
    /// Audit's standard days.
    pub legacy_factors: Vec<f64>,
    /// The registration lags the legacy policy scales.
    pub lags: Lags,
    /// How questions are asked.
    pub questions: Questions,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Where the in-process stores go (a fresh temporary directory when `None`; removed at the end).
    pub store_dir: Option<PathBuf>,
    /// Show a progress bar on a terminal.
    pub progress: bool,
}

impl Default for ReplayOptions {
    fn default() -> Self {
        ReplayOptions {
            target: Target::InProcess,
            legacy_factors: vec![1.0],
            lags: Lags::default(),
            questions: Questions::AsPresented,
            concurrency: 64,
            store_dir: None,
            progress: false,
        }
    }
}

/// What one writer (one store) was told and what it did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WriteStats {
    /// Requests that took effect, by kind (`resident`, `enrol`, `lose`, `change`).
    pub applied: BTreeMap<&'static str, u64>,
    /// Refusals, by `request: code` (a refused link counts here and then as a correction).
    pub refused: BTreeMap<String, u64>,
    /// What the insurers did about refusals: `link_from_registry_search`, `link_withheld`,
    /// `copay_from_law`.
    pub corrected: BTreeMap<&'static str, u64>,
    /// Actions not sent, by why.
    pub skipped: BTreeMap<&'static str, u64>,
    /// A few refusals of each kind with the service's message (at most three each).
    pub examples: BTreeMap<String, Vec<String>>,
}

impl WriteStats {
    /// How many examples of each refusal are kept.
    pub const EXAMPLES: usize = 3;

    /// Counts a refusal of `what` and keeps its message as an example.
    fn refuse(&mut self, what: &str, subject: &str, r: &Refusal) {
        let key = format!("{what}: {}", r.code);
        let ex = self.examples.entry(key.clone()).or_default();
        if ex.len() < Self::EXAMPLES {
            ex.push(format!("{subject}: {}", r.message));
        }
        *self.refused.entry(key).or_default() += 1;
    }
}

/// The answers of one policy.
#[derive(Clone, Debug)]
pub struct PolicyResult {
    /// `onshi`, or `legacy ×F`.
    pub label: String,
    /// The legacy registration-lag factor (`None` for onshi).
    pub factor: Option<f64>,
    /// The outcomes.
    pub tally: Tally,
    /// Visits that could not be asked (no card, and no My Number question here).
    pub not_asked: u64,
    /// Visits of a newborn before its birth was registered (出生届): no My Number yet, so no My Number card,
    /// and no card either: no question can be asked (the counter uses 被保険者資格申立書 or refunds later).
    pub not_asked_unregistered: u64,
}

/// The result of a replay.
#[derive(Clone, Debug)]
pub struct ReplayReport {
    /// The world's period.
    pub period: Period,
    /// Every policy's answers (onshi first).
    pub policies: Vec<PolicyResult>,
    /// Each store's writes: `onshi`, `legacy`.
    pub writers: Vec<(String, WriteStats)>,
    /// Lines of `events.jsonl` replayed.
    pub events: u64,
    /// Rows of `visits.csv`.
    pub visits: u64,
    /// Eligibility questions asked, over all policies.
    pub checks: u64,
    /// Seconds spent loading the state at the start.
    pub load_seconds: f64,
    /// Seconds spent on the period (events and visits).
    pub period_seconds: f64,
}

/// A refusal by the service (or a failure to reach it).
#[derive(Clone, Debug)]
pub struct Refusal {
    /// The error code.
    pub code: String,
    /// The message.
    pub message: String,
    /// Whether the replay cannot go on (a 5xx, a storage or transport failure).
    pub fatal: bool,
}

impl From<ServiceError> for Refusal {
    fn from(e: ServiceError) -> Self {
        let fatal = matches!(e.kind, onshi_service::ErrorKind::Internal | onshi_service::ErrorKind::Unavailable);
        Refusal { code: e.code.to_owned(), message: e.message, fatal }
    }
}

// ------------------------------------------------------------------------------------------- the clock

/// The simulated clock, shared by the service (`now`) and the store (recording times).
struct SimClock(AtomicI64);

impl SimClock {
    /// `day` at `hour`:00 in Japan.
    fn set(&self, day: Date, hour: u32) {
        let t = day.and_hms_opt(hour, 0, 0).map_or(0, |t| t.and_utc().timestamp_micros()) - 9 * 3_600_000_000;
        self.0.store(t, Ordering::SeqCst);
    }
}

impl onshi_service::Clock for SimClock {
    fn now(&self) -> DateTime<Utc> {
        DateTime::from_timestamp_micros(self.0.load(Ordering::SeqCst)).unwrap_or_default()
    }
}

impl onshi_store::RecordClock for SimClock {
    fn now_micros(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

// ------------------------------------------------------------------------------------------- fronts

type Svc = Service<Arc<SqliteStore>>;
// ------------------------------------------------------------------------------------------- state

/// A record's card: what the insurer printed.
#[derive(Clone, Debug)]
struct CardInfo {
    insurer: String,
    symbol: Option<String>,
    number: String,
    branch: String,
    birth_date: String,
}

fn key_of(insurer: &str, symbol: Option<&str>, number: &str, branch: &str) -> String {
    format!("{insurer}|{}|{number}|{branch}", symbol.unwrap_or(""))
}

fn household_of(insurer: &str, symbol: Option<&str>, number: &str) -> String {
    format!("{insurer}|{}|{number}", symbol.unwrap_or(""))
}

#[derive(Default)]
struct Records {
    cards: HashMap<u64, CardInfo>,
    by_key: HashMap<String, u64>,
    /// The dependents of each insured record (their coverage ends with the insured person's).
    dependents: HashMap<u64, Vec<u64>>,
}

impl Records {
    fn add(&mut self, id: u64, b: &EnrolBody, insured: Option<u64>) {
        let c = card_of(b);
        self.by_key.insert(key_of(&c.insurer, c.symbol.as_deref(), &c.number, &c.branch), id);
        self.cards.insert(id, c);
        if let Some(i) = insured {
            self.dependents.entry(i).or_default().push(id);
        }
    }
}

/// When the actions on one record reached the system: read from `members.csv` and `events.jsonl` before
/// the period, so that a wrong answer can be told apart from one the system could not have known
/// ([`crate::measure::explain`]).
#[derive(Default)]
struct RecTimes {
    /// The day its acquisition reached the system.
    acquired_at: Option<Date>,
    /// (effective, reached the system, is a loss) of every loss and change.
    actions: Vec<(Date, Date, bool)>,
}

/// A record's My Number link in one store, as the replay's insurers made it.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Link {
    /// Linked to this My Number.
    To(String),
    /// Linked to this My Number, waiting for the insurer's confirmation (graded B).
    Pending(String),
}

/// Something a replay's insurer does on a later day.
#[derive(Clone, Debug)]
enum Due {
    /// Confirm (or correct) a link graded B, after asking the person.
    Confirm {
        /// The writer (store).
        writer: usize,
        /// The record.
        record: u64,
    },
    /// Work the open cases a counter opened (a card holder nearly matched a record held without a My Number).
    Cases {
        /// The writer (store).
        writer: usize,
        /// The insurer.
        insurer: String,
    },
    /// Accept a death the registry offered.
    Accept {
        /// The writer (store).
        writer: usize,
        /// The registry event.
        event_id: String,
        /// The insurer it was offered to.
        insurer: String,
        /// The member record.
        member_id: String,
        /// The day of death.
        died_on: String,
    },
}

/// One store being written, with the insurers' behaviour under its rules.
struct Writer {
    name: &'static str,
    front: Front,
    /// The insurers behave as under onshi (see the module documentation).
    onshi_rules: bool,
    members: Mutex<HashMap<u64, String>>,
    /// Every record's link, by record.
    links: Mutex<HashMap<u64, Link>>,
    /// Records whose coverage ended through a registry event the insurer accepted (a death), with their
    /// dependents': the insurer's own loss, when it comes, is not sent again.
    lost_by_registry: Mutex<std::collections::HashSet<u64>>,
    stats: Mutex<WriteStats>,
    /// Cards this writer's insurers issued with another birth date than the world's card (the form corrected
    /// from the copy of the person's My Number card), by record.
    reissued: Mutex<HashMap<u64, String>>,
}

impl Writer {
    fn count(&self, f: impl FnOnce(&mut WriteStats)) {
        if let Ok(mut s) = self.stats.lock() {
            f(&mut s);
        }
    }

    fn member(&self, record: u64) -> Option<String> {
        self.members.lock().ok().and_then(|m| m.get(&record).cloned())
    }

    fn record_of(&self, member_id: &str) -> Option<u64> {
        self.members.lock().ok().and_then(|m| m.iter().find(|(_, v)| v.as_str() == member_id).map(|(k, _)| *k))
    }

    fn link(&self, record: u64) -> Option<Link> {
        self.links.lock().ok().and_then(|m| m.get(&record).cloned())
    }

    fn set_link(&self, record: u64, link: Option<Link>) {
        if let Ok(mut m) = self.links.lock() {
            match link {
                Some(l) => m.insert(record, l),
                None => m.remove(&record),
            };
        }
    }
}

/// One policy being asked.
struct Asker {
    label: String,
    factor: Option<f64>,
    /// The writer of the store it asks.
    writer: usize,
    front: Front,
    tally: Mutex<Tally>,
    not_asked: AtomicU64,
    not_asked_unregistered: AtomicU64,
}

struct Shared {
    clock: Arc<SimClock>,
    writers: Vec<Writer>,
    askers: Vec<Asker>,
    records: RwLock<Records>,
    truth: HashMap<u64, MyNumber>,
    times: HashMap<u64, RecTimes>,
    /// The day each resident born in the period was registered (`resident_add`), ISO.
    registered: HashMap<String, String>,
    /// What the replay's insurers do on a later day, by day: confirm a pending link, accept a registry event.
    due: Mutex<BTreeMap<Date, Vec<Due>>>,
    /// The delays of what is due ([`Lags::confirm_link`], [`Lags::accept_registry_event`]).
    lags: Lags,
    /// The first day of the period (links made before it were confirmed by the 総点検).
    start: Date,
    questions: Questions,
    limit: Arc<Semaphore>,
    fatal: Mutex<Option<String>>,
}

// ------------------------------------------------------------------------------------------- writes
// ------------------------------------------------------------------------------------------- questions
// ------------------------------------------------------------------------------------------- running

/// Runs `jobs` (groups run concurrently, each group's items in order) and waits for all of them.
async fn run_groups<T: Send + 'static>(
    sh: &Arc<Shared>,
    groups: Vec<Vec<T>>,
    f: impl Fn(Arc<Shared>, Vec<T>) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>
    + Send
    + Sync
    + 'static,
) {
    let f = Arc::new(f);
    let mut set = JoinSet::new();
    for g in groups {
        let Ok(permit) = sh.limit.clone().acquire_owned().await else { break };
        let sh2 = sh.clone();
        let f2 = f.clone();
        set.spawn(async move {
            f2(sh2, g).await;
            drop(permit);
        });
    }
    while set.join_next().await.is_some() {}
}

/// Groups in first-appearance order by `key`.
fn group_by<T>(items: Vec<T>, key: impl Fn(&T) -> String) -> Vec<Vec<T>> {
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut out: Vec<Vec<T>> = Vec::new();
    for it in items {
        let k = key(&it);
        match index.get(&k) {
            Some(&i) => out[i].push(it),
            None => {
                index.insert(k, out.len());
                out.push(vec![it]);
            }
        }
    }
    out
}

fn bad_row(path: &str, reason: String) -> SimError {
    SimError::Read { path: PathBuf::from(path), line: 0, reason }
}

/// Replays the world in `dir`. Runs on the caller's tokio runtime (multi-threaded for parallel reads).
///
/// # Errors
/// [`SimError::Read`] for a file that is not a world's, [`SimError::Server`] for an HTTP target that cannot
/// be used, [`SimError::Replay`] when the service fails (not when it refuses: refusals are counted).
pub async fn replay(dir: &Path, opts: &ReplayOptions) -> Result<ReplayReport, SimError> {
    let period = files::period(dir)?;
    let clock = Arc::new(SimClock(AtomicI64::new(0)));
    let day0 = add_days(period.start, -365);
    clock.set(day0, 9);
    let tmp;
    let mut writers = Vec::new();
    let mut askers = Vec::new();
    match &opts.target {
        Target::InProcess => {
            let base = match &opts.store_dir {
                Some(d) => d.clone(),
                None => {
                    tmp = tempdir()?;
                    tmp.path().to_path_buf()
                }
            };
            let open = |name: &str| -> Result<Arc<SqliteStore>, SimError> {
                let d = base.join(name);
                if d.exists() {
                    std::fs::remove_dir_all(&d).map_err(|source| SimError::Io { path: d.clone(), source })?;
                }
                SqliteStore::open_with_clock(&d, clock.clone())
                    .map(Arc::new)
                    .map_err(|e| SimError::Replay(format!("cannot open a store in {}: {e}", d.display())))
            };
            let admin = "sim-replay-admin-token-not-served";
            let service = |store: Arc<SqliteStore>, policy: Arc<dyn Policy>| -> Result<Arc<Svc>, SimError> {
                Service::with_policy(store, admin, clock.clone(), policy)
                    .map(Arc::new)
                    .map_err(|e| SimError::Replay(e.to_string()))
            };
            let onshi_store = open("onshi")?;
            let onshi = service(onshi_store, Arc::new(onshi_service::Onshi))?;
            writers.push(writer("onshi", Front::Svc(onshi.clone()), true));
            askers.push(asker("onshi".into(), None, 0, Front::Svc(onshi)));
            if !opts.legacy_factors.is_empty() {
                let legacy_store = open("legacy")?;
                for (i, &f) in opts.legacy_factors.iter().enumerate() {
                    let policy = Arc::new(Legacy::new(&opts.lags, f));
                    let svc = service(legacy_store.clone(), policy.clone())?;
                    if i == 0 {
                        writers.push(writer("legacy", Front::Svc(svc.clone()), false));
                    }
                    askers.push(asker(policy.name().to_owned(), Some(f), 1, Front::Svc(svc)));
                }
            }
        }
        Target::Http { addr, admin_token } => {
            let http = Arc::new(Http::new(*addr, admin_token)?);
            http.ready().await?;
            writers.push(writer("onshi", Front::Http(http.clone()), true));
            askers.push(asker(format!("onshi (HTTP {addr})"), None, 0, Front::Http(http)));
        }
    }

    let mut truth = HashMap::new();
    for r in files::rows::<TruthRow>(dir, "truth.csv")? {
        let r = r?;
        let (Some(id), Ok(mn)) = (record_id(&r.record_id), MyNumber::parse(&r.true_my_number)) else {
            return Err(bad_row("truth.csv", format!("record {:?} / {:?}", r.record_id, r.true_my_number)));
        };
        truth.insert(id, mn);
    }
    let questions = match opts.target {
        Target::Http { .. } => Questions::CardOnly,
        Target::InProcess => opts.questions,
    };
    let (times, registered) = read_times(dir)?;
    let sh = Arc::new(Shared {
        clock: clock.clone(),
        writers,
        askers,
        records: RwLock::new(Records::default()),
        truth,
        times,
        registered,
        due: Mutex::new(BTreeMap::new()),
        lags: opts.lags.clone(),
        start: period.start,
        questions,
        limit: Arc::new(Semaphore::new(opts.concurrency.max(1))),
        fatal: Mutex::new(None),
    });

    let t0 = Instant::now();
    load_start(&sh, dir, &period).await?;
    let load_seconds = t0.elapsed().as_secs_f64();
    let t1 = Instant::now();
    let (events, visits) = run_period(&sh, dir, &period, opts.progress).await?;
    let period_seconds = t1.elapsed().as_secs_f64();

    let mut checks = 0;
    let mut policies = Vec::new();
    for a in &sh.askers {
        let tally = a.tally.lock().map(|t| t.clone()).unwrap_or_default();
        checks += tally.questions;
        policies.push(PolicyResult {
            label: a.label.clone(),
            factor: a.factor,
            tally,
            not_asked: a.not_asked.load(Ordering::Relaxed),
            not_asked_unregistered: a.not_asked_unregistered.load(Ordering::Relaxed),
        });
    }
    let writers =
        sh.writers.iter().map(|w| (w.name.to_owned(), w.stats.lock().map(|s| s.clone()).unwrap_or_default())).collect();
    Ok(ReplayReport { period, policies, writers, events, visits, checks, load_seconds, period_seconds })
}

fn writer(name: &'static str, front: Front, onshi_rules: bool) -> Writer {
    Writer {
        name,
        front,
        onshi_rules,
        members: Mutex::new(HashMap::new()),
        links: Mutex::new(HashMap::new()),
        lost_by_registry: Mutex::new(std::collections::HashSet::new()),
        stats: Mutex::new(WriteStats::default()),
        reissued: Mutex::new(HashMap::new()),
    }
}

fn asker(label: String, factor: Option<f64>, writer: usize, front: Front) -> Asker {
    Asker {
        label,
        factor,
        writer,
        front,
        tally: Mutex::new(Tally::default()),
        not_asked: AtomicU64::new(0),
        not_asked_unregistered: AtomicU64::new(0),
    }
}

/// Every record's times, and the day each resident born in the period was registered (ISO).
type Timeline = (HashMap<u64, RecTimes>, HashMap<String, String>);

/// When every record's actions reached the system: `members.csv` (recorded before the period), then every
/// acquisition, loss and change of `events.jsonl`.
/// Also the day each resident born in the period was registered.
fn read_times(dir: &Path) -> Result<Timeline, SimError> {
    let mut times: HashMap<u64, RecTimes> = HashMap::new();
    let mut registered = HashMap::new();
    for m in files::rows::<MemberRow>(dir, "members.csv")? {
        let m = m?;
        let day = files::date_of(Path::new("members.csv"), 0, "reported_on", &m.reported_on)?;
        if let Some(id) = record_id(&m.record_id) {
            times.entry(id).or_default().acquired_at = Some(day);
        }
    }
    for e in files::events(dir)? {
        let (at, e) = e?;
        if e.kind == "resident_add" {
            if let Some(mn) = &e.my_number {
                registered.insert(mn.clone(), e.at.clone());
            }
        }
        let Some(id) = e.record_id.as_deref().and_then(record_id) else { continue };
        let effective = files::date_of(Path::new("events.jsonl"), 0, "effective_on", &e.effective_on)?;
        let t = times.entry(id).or_default();
        match e.kind.as_str() {
            "acquire" => t.acquired_at = Some(at),
            "lose" => t.actions.push((effective, at, true)),
            "change" => t.actions.push((effective, at, false)),
            _ => {}
        }
    }
    Ok((times, registered))
}

fn tempdir() -> Result<TempDir, SimError> {
    TempDir::new()
}

/// A directory removed when dropped (the replay's stores).
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Result<TempDir, SimError> {
        static N: AtomicU64 = AtomicU64::new(0);
        let p = std::env::temp_dir().join(format!(
            "onshi-sim-replay-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&p).map_err(|source| SimError::Io { path: p.clone(), source })?;
        Ok(TempDir(p))
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn check_fatal(sh: &Shared) -> Result<(), SimError> {
    match sh.fatal.lock().ok().and_then(|f| f.clone()) {
        Some(m) => Err(SimError::Replay(m)),
        None => Ok(()),
    }
}
