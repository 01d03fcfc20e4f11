//! The replay: a generated world fed, in simulated time, into the service, and every visit's question
//! answered and compared with the truth.
//!
//! # Flow
//!
//! 1. **Before the period**, day by day over its last 365 days (older records all on the first of them):
//!    the residents of `registry_start.csv` born by that day, then the member records of `members.csv`
//!    the insurers recorded that day (insured before dependents). So a record reported a week before the
//!    period still waits for its registration under the legacy policy.
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
//! the registry with the record's basic four (住基ネット照会): a unique match is linked, otherwise the member
//! is enrolled without a number. A `link_search` line links a member held without a My Number (未登録者)
//! from the registry's search. A link graded B waits for the insurer's confirmation: the insurer asks the
//! person after [`Lags::confirm_link`] and confirms the right number or removes another person's and searches
//! again. A death recorded in the registry is offered to the insurers holding a link; each accepts it after
//! [`Lags::accept_registry_event`] and ends the dependents' coverage with it. Under the legacy policy
//! everything is taken as typed, and deaths reach insurers only as their own losses. Every refusal and
//! correction is counted in [`WriteStats`]; nothing is dropped silently.
//!
//! A check by My Number card refused with a next step to ask by the card's numbers (a link pending
//! confirmation or suspended) is asked again so, as a receptionist would.

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
    RelationshipValue, ResidentBody, SearchAnswer, SearchBody, SexValue,
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

/// One way into the service.
#[derive(Clone)]
enum Front {
    Svc(Arc<Svc>),
    Http(Arc<Http>),
}

fn cx(role: Role, subject: &str, insurer: Option<InsurerNumber>, endpoint: &'static str) -> Ctx {
    Ctx { actor: Actor { role, subject: subject.to_owned(), insurer }, request_id: "sim".into(), endpoint }
}

impl Front {
    async fn put_resident(&self, my_number: &str, body: ResidentBody) -> Result<(), Refusal> {
        match self {
            Front::Svc(s) => {
                let c = cx(Role::Registry, "sim", None, "registry.put");
                s.put_resident(&c, my_number, body).await.map(|_| ()).map_err(Refusal::from)
            }
            Front::Http(h) => h
                .admin::<serde_json::Value>("PUT", &format!("/registry/v1/residents/{my_number}"), &body)
                .await
                .map(|_| ()),
        }
    }

    async fn search(&self, body: SearchBody) -> Result<SearchAnswer, Refusal> {
        match self {
            Front::Svc(s) => s
                .search_registry(&cx(Role::Registry, "sim", None, "registry.search"), body)
                .await
                .map_err(Refusal::from),
            Front::Http(h) => h.admin("POST", "/registry/v1/search", &body).await,
        }
    }

    async fn enrol(&self, body: EnrolBody) -> Result<EnrolAnswer, Refusal> {
        match self {
            Front::Svc(s) => {
                let insurer = InsurerNumber::parse(&body.insurer_number).ok();
                let c = cx(Role::Insurer, &body.insurer_number, insurer, "insurer.enrol");
                s.enrol(&c, body).await.map_err(Refusal::from)
            }
            Front::Http(h) => h.admin("POST", "/insurer/v1/members", &body).await,
        }
    }

    async fn lose(&self, insurer: &str, member_id: &str, body: LossBody) -> Result<(), Refusal> {
        match self {
            Front::Svc(s) => {
                let c = cx(Role::Insurer, insurer, InsurerNumber::parse(insurer).ok(), "insurer.lose");
                s.lose(&c, member_id, body).await.map(|_| ()).map_err(Refusal::from)
            }
            Front::Http(h) => h
                .admin::<serde_json::Value>("POST", &format!("/insurer/v1/members/{member_id}/loss"), &body)
                .await
                .map(|_| ()),
        }
    }

    async fn change(&self, insurer: &str, member_id: &str, body: ChangeBody) -> Result<(), Refusal> {
        match self {
            Front::Svc(s) => {
                let c = cx(Role::Insurer, insurer, InsurerNumber::parse(insurer).ok(), "insurer.change");
                s.change(&c, member_id, body).await.map(|_| ()).map_err(Refusal::from)
            }
            Front::Http(h) => h
                .admin::<serde_json::Value>("POST", &format!("/insurer/v1/members/{member_id}/changes"), &body)
                .await
                .map(|_| ()),
        }
    }

    async fn check(&self, institution: &str, body: EligibilityBody) -> Result<EligibilityAnswer, Refusal> {
        match self {
            Front::Svc(s) => {
                s.check(&cx(Role::Clinic, institution, None, "clinic.eligibility"), body).await.map_err(Refusal::from)
            }
            Front::Http(h) => h.clinic(institution, "/clinic/v1/eligibility", &body).await,
        }
    }

    fn insurer_cx(insurer: &str, endpoint: &'static str) -> Ctx {
        cx(Role::Insurer, insurer, InsurerNumber::parse(insurer).ok(), endpoint)
    }

    /// The insurer links an unlinked member from the registry's 4-information search.
    async fn link_by_search(&self, insurer: &str, member_id: &str) -> Result<LinkView, Refusal> {
        let body = LinkSearchBody { note: None };
        match self {
            Front::Svc(s) => s
                .link_by_search(&Self::insurer_cx(insurer, "insurer.link_search"), member_id, body)
                .await
                .map_err(Refusal::from),
            Front::Http(h) => h.admin("POST", &format!("/insurer/v1/members/{member_id}/link/search"), &body).await,
        }
    }

    /// The insurer confirmed a pending link with the person.
    async fn confirm_link(&self, insurer: &str, member_id: &str, method: &str) -> Result<LinkView, Refusal> {
        let body = ConfirmBody { method: method.to_owned(), note: None };
        match self {
            Front::Svc(s) => s
                .confirm_link(&Self::insurer_cx(insurer, "insurer.link_confirm"), member_id, body)
                .await
                .map_err(Refusal::from),
            Front::Http(h) => h.admin("POST", &format!("/insurer/v1/members/{member_id}/link/confirm"), &body).await,
        }
    }

    /// The insurer's open cases (総点検's, and those a counter opened).
    async fn open_cases(&self, insurer: &str) -> Result<CasesAnswer, Refusal> {
        match self {
            Front::Svc(s) => {
                s.cases(&Self::insurer_cx(insurer, "insurer.cases"), None, Some("open")).await.map_err(Refusal::from)
            }
            Front::Http(h) => {
                h.admin("GET", &format!("/insurer/v1/cases?insurer_number={insurer}&status=open"), &()).await
            }
        }
    }

    /// The insurer links a My Number to a member.
    async fn link(&self, insurer: &str, member_id: &str, my_number: &str, note: &str) -> Result<LinkView, Refusal> {
        let body = LinkBody { my_number: my_number.to_owned(), note: Some(note.to_owned()) };
        match self {
            Front::Svc(s) => {
                s.link(&Self::insurer_cx(insurer, "insurer.link"), member_id, body).await.map_err(Refusal::from)
            }
            Front::Http(h) => h.admin("POST", &format!("/insurer/v1/members/{member_id}/link"), &body).await,
        }
    }

    /// The insurer removes a link found to be another person's.
    async fn unlink(&self, insurer: &str, member_id: &str, reason: &str) -> Result<LinkView, Refusal> {
        let body = ReasonBody { reason: reason.to_owned() };
        match self {
            Front::Svc(s) => s
                .unlink(&Self::insurer_cx(insurer, "insurer.link_remove"), member_id, body)
                .await
                .map_err(Refusal::from),
            Front::Http(h) => h.admin("POST", &format!("/insurer/v1/members/{member_id}/link/remove"), &body).await,
        }
    }

    /// The registry records a death; the answer lists the records it was offered to.
    async fn record_death(&self, my_number: &str, died_on: &str) -> Result<DeathAnswer, Refusal> {
        let body = DeathBody { died_on: died_on.to_owned() };
        match self {
            Front::Svc(s) => s
                .record_death(&cx(Role::Registry, "sim", None, "registry.death"), my_number, body)
                .await
                .map_err(Refusal::from),
            Front::Http(h) => h.admin("POST", &format!("/registry/v1/residents/{my_number}/death"), &body).await,
        }
    }

    /// The insurer accepts a change the registry offered.
    async fn accept_registry_event(&self, insurer: &str, event_id: &str) -> Result<RegistryEventView, Refusal> {
        let body = DecisionBody { reason: None };
        match self {
            Front::Svc(s) => s
                .decide_registry_event(&Self::insurer_cx(insurer, "insurer.registry_event"), event_id, true, body)
                .await
                .map_err(Refusal::from),
            Front::Http(h) => h.admin("POST", &format!("/insurer/v1/registry-events/{event_id}/accept"), &body).await,
        }
    }

    /// `None` when this front cannot ask by My Number.
    async fn check_person(
        &self,
        institution: &str,
        mn: &str,
        date: &str,
    ) -> Option<Result<EligibilityAnswer, Refusal>> {
        match self {
            Front::Svc(s) => {
                let c = cx(Role::Clinic, institution, None, "clinic.eligibility_person");
                Some(s.check_person(&c, mn, Some(date)).await.map_err(Refusal::from))
            }
            Front::Http(_) => None,
        }
    }
}

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

fn record_id(s: &str) -> Option<u64> {
    s.strip_prefix('R').and_then(|d| d.parse().ok())
}

fn sex(s: &str) -> Result<SexValue, String> {
    SexValue::try_from(s.to_owned())
}

fn bracket(s: Option<&str>) -> Result<Option<IncomeBracketValue>, String> {
    s.filter(|b| !b.is_empty()).map(|b| IncomeBracketValue::try_from(b.to_owned())).transpose()
}

fn relationship(s: &str) -> Result<RelationshipValue, String> {
    RelationshipValue::try_from(s.to_owned())
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.filter(|v| !v.is_empty())
}

/// An enrolment as the insurer typed it.
#[derive(Clone)]
struct Enrolment {
    record: u64,
    body: EnrolBody,
}

fn enrolment_of_member(m: &MemberRow, typed_copay: bool) -> Result<Enrolment, String> {
    let record = record_id(&m.record_id).ok_or_else(|| format!("record_id {:?}", m.record_id))?;
    Ok(Enrolment {
        record,
        body: EnrolBody {
            insurer_number: m.insurer_number.clone(),
            symbol: non_empty(m.symbol.clone()),
            number: m.number.clone(),
            branch: m.branch.clone(),
            relationship: relationship(&m.relationship)?,
            my_number: non_empty(m.my_number.clone()),
            name: m.name.clone(),
            name_kana: m.name_kana.clone(),
            birth_date: m.birth_date.clone(),
            sex: sex(&m.sex)?,
            address: m.address.clone(),
            acquired_on: m.acquired_on.clone(),
            income_bracket: bracket(m.income_bracket.as_deref())?,
            copay_ratio: if typed_copay { m.copay_ratio } else { None },
            copay_ratio_reason: None,
        },
    })
}

fn field<'a>(e: &'a EventLine, name: &str, v: &'a Option<String>) -> Result<&'a str, String> {
    v.as_deref().ok_or_else(|| format!("a `{}` line without `{name}`", e.kind))
}

fn enrolment_of_event(e: &EventLine) -> Result<Enrolment, String> {
    let rid = field(e, "record_id", &e.record_id)?;
    let record = record_id(rid).ok_or_else(|| format!("record_id {rid:?}"))?;
    Ok(Enrolment {
        record,
        body: EnrolBody {
            insurer_number: field(e, "insurer_number", &e.insurer_number)?.to_owned(),
            symbol: non_empty(e.symbol.clone()),
            number: field(e, "number", &e.number)?.to_owned(),
            branch: field(e, "branch", &e.branch)?.to_owned(),
            relationship: relationship(field(e, "relationship", &e.relationship)?)?,
            my_number: non_empty(e.my_number.clone()),
            name: field(e, "name", &e.name)?.to_owned(),
            name_kana: field(e, "name_kana", &e.name_kana)?.to_owned(),
            birth_date: field(e, "birth_date", &e.birth_date)?.to_owned(),
            sex: sex(field(e, "sex", &e.sex)?)?,
            address: field(e, "address", &e.address)?.to_owned(),
            acquired_on: field(e, "acquired_on", &e.acquired_on)?.to_owned(),
            income_bracket: bracket(e.income_bracket.as_deref())?,
            copay_ratio: e.copay_ratio,
            copay_ratio_reason: None,
        },
    })
}

fn card_of(b: &EnrolBody) -> CardInfo {
    CardInfo {
        insurer: b.insurer_number.clone(),
        symbol: b.symbol.clone(),
        number: b.number.clone(),
        branch: b.branch.clone(),
        birth_date: b.birth_date.clone(),
    }
}

fn resident_body(name: &str, kana: &str, birth: &str, sex_s: &str, address: &str) -> Result<ResidentBody, String> {
    Ok(ResidentBody {
        name: name.to_owned(),
        name_kana: kana.to_owned(),
        birth_date: birth.to_owned(),
        sex: sex(sex_s)?,
        address: address.to_owned(),
    })
}

// ------------------------------------------------------------------------------------------- writes

impl Shared {
    fn fail(&self, what: &str, r: &Refusal) {
        if let Ok(mut f) = self.fatal.lock() {
            f.get_or_insert_with(|| format!("{what}: {} ({})", r.message, r.code));
        }
    }

    async fn put_resident(&self, w: &Writer, my_number: &str, body: ResidentBody) {
        match w.front.put_resident(my_number, body).await {
            Ok(()) => w.count(|s| *s.applied.entry("resident").or_default() += 1),
            Err(r) if r.fatal => self.fail("registry", &r),
            Err(r) => w.count(|s| s.refuse("resident", my_number, &r)),
        }
    }

    async fn enrol(&self, w: &Writer, e: Enrolment) {
        let mut body = e.body;
        for _ in 0..3 {
            match w.front.enrol(body.clone()).await {
                Ok(a) => {
                    if let Ok(mut m) = w.members.lock() {
                        m.insert(e.record, a.member_id);
                    }
                    let pending = a.linkage.as_ref().is_some_and(|l| l.state == "pending_confirmation");
                    self.linked(w, e.record, body.my_number.clone(), pending);
                    w.count(|s| *s.applied.entry("enrol").or_default() += 1);
                    return;
                }
                Err(r) if r.fatal => return self.fail("enrol", &r),
                Err(r) if w.onshi_rules && r.code == "copay_ratio_mismatch" && body.copay_ratio.is_some() => {
                    w.count(|s| {
                        s.refuse("enrol", &format!("R{:012}", e.record), &r);
                        *s.corrected.entry("copay_from_law").or_default() += 1;
                    });
                    body.copay_ratio = None;
                }
                Err(r) if w.onshi_rules && r.code == "linkage_rejected" && body.my_number.is_some() => {
                    let refused = body.my_number.take();
                    let search = SearchBody {
                        name: body.name.clone(),
                        birth_date: body.birth_date.clone(),
                        address: body.address.clone(),
                        sex: Some(body.sex),
                    };
                    let found = match w.front.search(search).await {
                        Ok(a) if a.verdict == "unique" => a.my_number.filter(|m| Some(m) != refused.as_ref()),
                        Ok(_) => None,
                        Err(r) if r.fatal => return self.fail("registry search", &r),
                        Err(_) => None,
                    };
                    let how = if found.is_some() { "link_from_registry_search" } else { "link_withheld" };
                    w.count(|s| {
                        s.refuse("enrol", &format!("R{:012} ({how})", e.record), &r);
                        *s.corrected.entry(how).or_default() += 1;
                    });
                    body.my_number = found;
                }
                Err(r) => {
                    w.count(|s| s.refuse("enrol", &format!("R{:012}", e.record), &r));
                    return;
                }
            }
        }
        w.count(|s| *s.refused.entry("enrol: gave up after corrections".into()).or_default() += 1);
    }

    async fn insurer_action(&self, w: &Writer, e: &EventLine) -> Result<(), String> {
        match e.kind.as_str() {
            "acquire" => {
                let en = enrolment_of_event(e)?;
                self.enrol(w, en).await;
            }
            "lose" => {
                let rid = field(e, "record_id", &e.record_id)?;
                let lost_on = field(e, "lost_on", &e.lost_on)?.to_owned();
                if record_id(rid).is_some_and(|r| w.lost_by_registry.lock().is_ok_and(|l| l.contains(&r))) {
                    w.count(|s| {
                        *s.skipped.entry("lose: already lost by the registry's death notice").or_default() += 1
                    });
                    return Ok(());
                }
                let (Some(id), Some(insurer)) = (record_id(rid).and_then(|r| w.member(r)), self.insurer_of(rid)) else {
                    w.count(|s| *s.skipped.entry("lose: record not enrolled").or_default() += 1);
                    return Ok(());
                };
                match w.front.lose(&insurer, &id, LossBody { lost_on }).await {
                    Ok(()) => w.count(|s| *s.applied.entry("lose").or_default() += 1),
                    Err(r) if r.fatal => self.fail("lose", &r),
                    Err(r) => w.count(|s| s.refuse("lose", rid, &r)),
                }
            }
            "change" => {
                let rid = field(e, "record_id", &e.record_id)?;
                let (Some(id), Some(insurer)) = (record_id(rid).and_then(|r| w.member(r)), self.insurer_of(rid)) else {
                    w.count(|s| *s.skipped.entry("change: record not enrolled").or_default() += 1);
                    return Ok(());
                };
                let mut body = ChangeBody {
                    effective_on: e.effective_on.clone(),
                    name: e.name.clone(),
                    name_kana: e.name_kana.clone(),
                    address: e.address.clone(),
                    income_bracket: bracket(e.income_bracket.as_deref())?,
                    copay_ratio: e.copay_ratio,
                    copay_ratio_reason: None,
                };
                if w.onshi_rules {
                    // under onshi the law gives the ratio from the bracket; insurers do not type it
                    body.copay_ratio = None;
                }
                if body.name.is_none()
                    && body.name_kana.is_none()
                    && body.address.is_none()
                    && body.income_bracket.is_none()
                    && body.copay_ratio.is_none()
                {
                    w.count(|s| *s.skipped.entry("change: nothing left to send").or_default() += 1);
                    return Ok(());
                }
                match w.front.change(&insurer, &id, body).await {
                    Ok(()) => w.count(|s| *s.applied.entry("change").or_default() += 1),
                    Err(r) if r.fatal => self.fail("change", &r),
                    Err(r) => w.count(|s| s.refuse("change", rid, &r)),
                }
            }
            "link_search" => {
                let rid = field(e, "record_id", &e.record_id)?;
                let record = record_id(rid).ok_or_else(|| format!("record_id {rid:?}"))?;
                self.link_search(w, record).await;
            }
            other => return Err(format!("unknown insurer action `{other}`")),
        }
        Ok(())
    }

    /// `link_search`: the insurer searches the registry with the basic four it holds for a record without a
    /// My Number (未登録者) and links a unique match.
    async fn link_search(&self, w: &Writer, record: u64) {
        let (Some(member), Some(insurer)) = (w.member(record), self.insurer_of(&format!("R{record:012}"))) else {
            w.count(|s| *s.skipped.entry("link_search: record not enrolled").or_default() += 1);
            return;
        };
        if w.link(record).is_some() {
            w.count(|s| *s.skipped.entry("link_search: already linked").or_default() += 1);
            return;
        }
        match w.front.link_by_search(&insurer, &member).await {
            Ok(v) => {
                w.count(|s| *s.applied.entry("link_search").or_default() += 1);
                self.linked(w, record, v.my_number, v.state == "pending_confirmation");
            }
            Err(r) if r.fatal => self.fail("link search", &r),
            Err(r) => w.count(|s| s.refuse("link_search", &format!("R{record:012}"), &r)),
        }
    }

    /// A record's link as the service answered it: in effect, or pending the insurer's confirmation (then due
    /// after [`Lags::confirm_link`]; at once before the period, whose links the 総点検 of 2023–24 confirmed).
    fn linked(&self, w: &Writer, record: u64, my_number: Option<String>, pending: bool) {
        let Some(mn) = my_number else {
            w.set_link(record, None);
            return;
        };
        if !pending {
            w.set_link(record, Some(Link::To(mn)));
            return;
        }
        w.set_link(record, Some(Link::Pending(mn)));
        let writer = self.writers.iter().position(|x| std::ptr::eq(x, w)).unwrap_or(0);
        let today = onshi_law::legal_today(onshi_service::Clock::now(&*self.clock));
        let model = if today < self.start { crate::config::LagModel::ZERO } else { self.lags.confirm_link };
        self.schedule(today, model, record, Due::Confirm { writer, record });
    }

    /// Schedules `what` for the day `model` gives after `from`, drawn from a hash of the record (the same
    /// world gives the same days whatever the replay's scheduling).
    fn schedule(&self, from: Date, model: crate::config::LagModel, record: u64, what: Due) {
        let (z, u) = crate::rng::hash_draws(crate::rng::mix(0xC0_4F_12_4E, record));
        let day = add_days(from, model.days_from(from, z, u).max(0));
        if let Ok(mut d) = self.due.lock() {
            d.entry(day).or_default().push(what);
        }
    }

    /// Does what was due today.
    async fn do_due(&self, d: Due) {
        match d {
            Due::Confirm { writer, record } => self.confirm_link(&self.writers[writer], record).await,
            Due::Cases { writer, insurer } => self.work_counter_cases(&self.writers[writer], &insurer).await,
            Due::Accept { writer, event_id, insurer, member_id, died_on } => {
                self.accept_death(&self.writers[writer], &event_id, &insurer, &member_id, &died_on).await
            }
        }
    }

    /// The insurer accepts a death the registry offered (coverage ends the next day, 死亡), and ends its
    /// dependents' coverage on the same day (被扶養者 lose it with their insured person).
    async fn accept_death(&self, w: &Writer, event_id: &str, insurer: &str, member_id: &str, died_on: &str) {
        match w.front.accept_registry_event(insurer, event_id).await {
            Ok(_) => w.count(|s| *s.applied.entry("registry_event: death accepted").or_default() += 1),
            Err(r) if r.fatal => return self.fail("registry event", &r),
            Err(r) => return w.count(|s| s.refuse("registry_event", member_id, &r)),
        }
        let Some(record) = w.record_of(member_id) else { return };
        let Some(lost_on) = onshi_law::parse_iso_date(died_on).ok().map(|d| add_days(d, 1).to_string()) else {
            return;
        };
        let dependents = self.records.read().ok().and_then(|r| r.dependents.get(&record).cloned()).unwrap_or_default();
        if let Ok(mut l) = w.lost_by_registry.lock() {
            l.insert(record);
        }
        for d in dependents {
            let Some(dm) = w.member(d) else { continue };
            match w.front.lose(insurer, &dm, LossBody { lost_on: lost_on.clone() }).await {
                Ok(()) => {
                    w.count(|s| *s.applied.entry("lose: a dependent with a death").or_default() += 1);
                    if let Ok(mut l) = w.lost_by_registry.lock() {
                        l.insert(d);
                    }
                }
                Err(r) if r.fatal => return self.fail("lose", &r),
                // already lost (before the death, or on the insurer's own notice)
                Err(_) => {}
            }
        }
    }

    /// The insurer confirms a pending link after asking the person (phone, mail): the right person is
    /// confirmed; another person's number is removed and the registry searched again.
    async fn confirm_link(&self, w: &Writer, record: u64) {
        let Some(Link::Pending(mn)) = w.link(record) else { return };
        let rid = format!("R{record:012}");
        let (Some(member), Some(insurer)) = (w.member(record), self.insurer_of(&rid)) else { return };
        let right = self.truth.get(&record).is_some_and(|t| t.as_str() == mn);
        if right {
            match w.front.confirm_link(&insurer, &member, "phone").await {
                Ok(_) => {
                    w.count(|s| *s.corrected.entry("link_confirmed").or_default() += 1);
                    w.set_link(record, Some(Link::To(mn)));
                }
                Err(r) if r.fatal => self.fail("link confirm", &r),
                Err(r) => w.count(|s| s.refuse("link_confirm", &rid, &r)),
            }
            return;
        }
        // the person says the number is not theirs: the link is removed and the registry searched
        match w.front.unlink(&insurer, &member, "本人確認: 別人のマイナンバー").await {
            Ok(_) => {
                w.count(|s| *s.corrected.entry("link_removed_after_confirmation").or_default() += 1);
                w.set_link(record, None);
                Box::pin(self.link_search(w, record)).await;
            }
            Err(r) if r.fatal => self.fail("link remove", &r),
            Err(r) => w.count(|s| s.refuse("link_remove", &rid, &r)),
        }
    }

    /// The insurer works the cases a counter opened: it asks the person (phone) whether the record is theirs;
    /// the right person's number is linked (a B link pending, confirmed in the same call with the person, an A
    /// link in effect at once); a record that is not the suggested person's is left for the insurer's search.
    async fn work_counter_cases(&self, w: &Writer, insurer: &str) {
        let cases = match w.front.open_cases(insurer).await {
            Ok(c) => c.cases,
            Err(r) if r.fatal => return self.fail("cases", &r),
            Err(r) => return w.count(|s| s.refuse("cases", insurer, &r)),
        };
        for c in cases {
            let (None, Some(suggested)) = (&c.my_number, &c.suggested_my_number) else { continue };
            let Some(record) = w.record_of(&c.member_id) else { continue };
            if w.link(record).is_some() || self.truth.get(&record).is_none_or(|t| t.as_str() != suggested) {
                continue;
            }
            match w.front.link(insurer, &c.member_id, suggested, "窓口からのケース: 本人確認済み").await {
                Ok(v) => {
                    w.count(|s| *s.corrected.entry("link_from_counter_case").or_default() += 1);
                    let pending = v.state == "pending_confirmation";
                    w.set_link(
                        record,
                        Some(if pending { Link::Pending(suggested.clone()) } else { Link::To(suggested.clone()) }),
                    );
                    if pending {
                        self.confirm_link(w, record).await;
                    }
                }
                Err(r) if r.fatal => return self.fail("link", &r),
                Err(r) => w.count(|s| s.refuse("link_from_counter_case", &c.record_id, &r)),
            }
        }
    }

    async fn registry_action(&self, w: &Writer, e: &EventLine) -> Result<(), String> {
        match e.kind.as_str() {
            "resident_add" | "resident_update" => {
                let body = resident_body(
                    field(e, "name", &e.name)?,
                    field(e, "name_kana", &e.name_kana)?,
                    field(e, "birth_date", &e.birth_date)?,
                    field(e, "sex", &e.sex)?,
                    field(e, "address", &e.address)?,
                )?;
                self.put_resident(w, field(e, "my_number", &e.my_number)?, body).await;
            }
            // onshi's registry records the death and offers it to every insurer holding a link; the national
            // system has no such feed (a death is the insurer's loss when the family reports it)
            "resident_remove" if w.onshi_rules => {
                let mn = field(e, "my_number", &e.my_number)?;
                match w.front.record_death(mn, &e.effective_on).await {
                    Ok(a) => {
                        w.count(|s| *s.applied.entry("death").or_default() += 1);
                        let writer = self.writers.iter().position(|x| std::ptr::eq(x, w)).unwrap_or(0);
                        let today = onshi_law::legal_today(onshi_service::Clock::now(&*self.clock));
                        for ev in a.offered {
                            let record = w.record_of(&ev.member_id).unwrap_or(0);
                            let due = Due::Accept {
                                writer,
                                event_id: ev.event_id,
                                insurer: ev.insurer_number,
                                member_id: ev.member_id,
                                died_on: a.died_on.clone(),
                            };
                            self.schedule(today, self.lags.accept_registry_event, record, due);
                        }
                    }
                    Err(r) if r.fatal => self.fail("death", &r),
                    Err(r) => w.count(|s| s.refuse("death", mn, &r)),
                }
            }
            "resident_remove" => w.count(|s| {
                *s.skipped.entry("resident_remove: the national system offers no death to insurers").or_default() += 1
            }),
            other => return Err(format!("unknown registry action `{other}`")),
        }
        Ok(())
    }

    fn insurer_of(&self, rid: &str) -> Option<String> {
        let id = record_id(rid)?;
        self.records.read().ok()?.cards.get(&id).map(|c| c.insurer.clone())
    }

    fn household_of_record(&self, rid: &str) -> String {
        record_id(rid)
            .and_then(|id| {
                let r = self.records.read().ok()?;
                r.cards.get(&id).map(|c| household_of(&c.insurer, c.symbol.as_deref(), &c.number))
            })
            .unwrap_or_else(|| format!("unknown {rid}"))
    }
}

// ------------------------------------------------------------------------------------------- questions

/// Refusals of a check by My Number card whose next step is the check by the 資格確認書's numbers: the replay's
/// receptionist follows it (the patient carries the 資格確認書 or 資格情報のお知らせ).
const FOLLOW_BY_NUMBERS: [&str; 3] = ["link_pending_confirmation", "link_suspended", UNLINKED_UNCONFIRMED];

/// The refusal of a check by My Number card that opened a case for the insurer holding the record.
const UNLINKED_UNCONFIRMED: &str = "unlinked_record_unconfirmed";

impl Shared {
    /// A counter's check opened a case for the insurer of the record it nearly matched: the insurer works its
    /// cases after [`Lags::confirm_link`] (one visit a record's insurer and day is enough).
    fn counter_case_opened(&self, a: &Asker, v: &VisitRow) {
        let Some(rid) = v.covered_record_id.as_deref().or(v.card_record_id.as_deref()) else { return };
        let (Some(record), Some(insurer)) = (record_id(rid), self.insurer_of(rid)) else { return };
        let today = onshi_law::legal_today(onshi_service::Clock::now(&*self.clock));
        self.schedule(today, self.lags.confirm_link, record, Due::Cases { writer: a.writer, insurer });
    }

    async fn ask(&self, a: &Asker, v: &VisitRow, path_wanted: Presents) {
        let card = v.card_record_id.as_deref().and_then(record_id);
        let by_person = path_wanted == Presents::MyNumberCard && self.questions == Questions::AsPresented;
        // a newborn whose birth is not registered yet has no My Number, hence no My Number card, and no card
        let unregistered = self.registered.get(&v.my_number).is_some_and(|at| at.as_str() > v.service_date.as_str());
        if card.is_none() && unregistered {
            a.not_asked_unregistered.fetch_add(1, Ordering::Relaxed);
            return;
        }
        let mut path = Presents::Card;
        let mut answer = None;
        let mut followed = None;
        if by_person {
            if let Some(r) = a.front.check_person(&v.institution_code, &v.my_number, &v.service_date).await {
                path = Presents::MyNumberCard;
                match r {
                    // the receptionist follows the refusal's next step: the numbers of the 資格確認書
                    Err(e) if FOLLOW_BY_NUMBERS.contains(&e.code.as_str()) && card.is_some() => {
                        if e.code == UNLINKED_UNCONFIRMED {
                            self.counter_case_opened(a, v);
                        }
                        followed = Some(e.code)
                    }
                    r => answer = Some(r),
                }
            }
        }
        if answer.is_none() {
            let info = card.and_then(|c| self.records.read().ok().and_then(|r| r.cards.get(&c).cloned()));
            let Some(info) = info else {
                a.not_asked.fetch_add(1, Ordering::Relaxed);
                return;
            };
            let body = EligibilityBody {
                insurer_number: info.insurer,
                symbol: info.symbol,
                number: info.number,
                branch: Some(info.branch),
                birth_date: info.birth_date,
                service_date: Some(v.service_date.clone()),
            };
            answer = Some(a.front.check(&v.institution_code, body).await);
        }
        let Some(answer) = answer else { return };
        let Ok(patient) = MyNumber::parse(&v.my_number) else {
            a.not_asked.fetch_add(1, Ordering::Relaxed);
            return;
        };
        if let (Some(code), Ok(mut t)) = (&followed, a.tally.lock()) {
            *t.followed.entry(code.clone()).or_default() += 1;
        }
        let truth = Truth {
            patient,
            // a question asked again by the card's numbers is judged as one (and counted under the My Number card)
            path: if followed.is_some() { Presents::Card } else { path },
            card: card.map(RecordId),
            covered_by: v.covered_record_id.as_deref().and_then(record_id).map(RecordId),
            copay_ratio: v.copay_ratio,
        };
        let said;
        let shown = match answer {
            Ok(ans) => {
                said = describe(&ans);
                self.shown(&ans)
            }
            Err(r) if r.fatal => return self.fail("eligibility", &r),
            Err(r) => {
                said = format!("refused: {}", r.code);
                if let Ok(mut t) = a.tally.lock() {
                    *t.refusals.entry(r.code.clone()).or_default() += 1;
                }
                Shown {
                    verdict: Verdict::Refused,
                    record: None,
                    unknown_record: false,
                    record_person: None,
                    copay_ratio: None,
                    placeholder: false,
                    newer_notice: false,
                    pending_notice: false,
                }
            }
        };
        let outcome = classify(&truth, &shown);
        let why = explain(&truth, &shown, outcome, &self.known(a, v, &truth, &shown));
        let text = || {
            format!(
                "{} {} by {}{}: {said}; truth: {}{}",
                v.service_date,
                v.my_number,
                path.as_str(),
                v.card_record_id.as_deref().map(|c| format!(" (card {c})")).unwrap_or_default(),
                v.covered_record_id.as_deref().map_or("not covered".to_owned(), |r| format!("covered by {r}")),
                v.copay_ratio.map(|c| format!(" at {c}%")).unwrap_or_default()
            )
        };
        if let Ok(mut t) = a.tally.lock() {
            t.add(path, outcome);
            t.example(outcome, text);
            if let Some(why) = why {
                t.explain(path, outcome, why, text);
            }
        }
    }

    /// What the system had been told by the day of visit `v`, for [`explain`].
    fn known(&self, a: &Asker, v: &VisitRow, truth: &Truth, shown: &Shown) -> Known {
        let Ok(day) = onshi_law::parse_iso_date(&v.service_date) else { return Known::default() };
        let w = &self.writers[a.writer.min(self.writers.len().saturating_sub(1))];
        let patient = truth.patient.as_str();
        let (mut k, mut linked, mut pending) = (Known::default(), false, false);
        if let Some(r) = truth.covered_by {
            k.covering_recorded = self.times.get(&r.0).and_then(|t| t.acquired_at).is_some_and(|at| at <= day);
            match w.link(r.0) {
                Some(Link::To(m)) => linked = m == patient,
                Some(Link::Pending(m)) => pending = m == patient,
                None => {}
            }
        }
        k.covering_linked = linked;
        k.covering_pending = pending;
        if let Some(t) = shown.record.and_then(|s| self.times.get(&s.0)) {
            k.shown_unreported = t.actions.iter().any(|&(eff, at, _)| eff <= day && at > day);
            k.shown_loss_known = t.actions.iter().any(|&(_, _, loss)| loss);
        }
        k
    }

    fn shown(&self, a: &EligibilityAnswer) -> Shown {
        let verdict = match a.result.as_str() {
            "valid" => Verdict::Valid,
            "invalid" => Verdict::Invalid,
            _ => Verdict::NotFound,
        };
        let (record, unknown_record) = match &a.coverage {
            Some(c) => {
                let key = key_of(&c.insurer_number, c.symbol.as_deref(), &c.number, &c.branch);
                let id = self.records.read().ok().and_then(|r| r.by_key.get(&key).copied());
                (id.map(RecordId), id.is_none())
            }
            None => (None, false),
        };
        let has = |code: &str| a.notices.iter().any(|n| n.code == code);
        Shown {
            verdict,
            record,
            unknown_record,
            record_person: record.and_then(|r| self.truth.get(&r.0).copied()),
            copay_ratio: a.coverage.as_ref().and_then(|c| c.copay_ratio),
            placeholder: a.coverage.as_ref().is_some_and(|c| c.name_display.contains(PLACEHOLDER)),
            newer_notice: has("newer_qualification_exists"),
            pending_notice: has("new_coverage_may_be_pending"),
        }
    }
}

/// An answer in a few words, for examples.
fn describe(a: &EligibilityAnswer) -> String {
    let notices: Vec<&str> = a.notices.iter().map(|n| n.code.as_str()).collect();
    let cov = a.coverage.as_ref().map(|c| {
        format!(
            " {}|{}|{}|{} {} {}",
            c.insurer_number,
            c.symbol.as_deref().unwrap_or(""),
            c.number,
            c.branch,
            c.name_display,
            c.copay_ratio.map(|r| format!("{r}%")).unwrap_or_default()
        )
    });
    format!("{}{} [{}]", a.result, cov.unwrap_or_default(), notices.join(","))
}

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

/// Step 1 of the flow: the registry and the member records at the start.
async fn load_start(sh: &Arc<Shared>, dir: &Path, period: &Period) -> Result<(), SimError> {
    let day0 = add_days(period.start, -365);
    let mut residents: BTreeMap<Date, Vec<ResidentRow>> = BTreeMap::new();
    for r in files::rows::<ResidentRow>(dir, "registry_start.csv")? {
        let r = r?;
        let birth = files::date_of(Path::new("registry_start.csv"), 0, "birth_date", &r.birth_date)?;
        residents.entry(birth.max(day0)).or_default().push(r);
    }
    let mut members: BTreeMap<Date, Vec<MemberRow>> = BTreeMap::new();
    for m in files::rows::<MemberRow>(dir, "members.csv")? {
        let m = m?;
        let day = files::date_of(Path::new("members.csv"), 0, "reported_on", &m.reported_on)?;
        let en = enrolment_of_member(&m, false).map_err(|e| bad_row("members.csv", e))?;
        if let Ok(mut r) = sh.records.write() {
            r.add(en.record, &en.body, m.insured_record_id.as_deref().and_then(record_id));
        }
        // a record of the start is recorded before the first day at the latest
        members.entry(day.clamp(day0, add_days(period.start, -1))).or_default().push(m);
    }
    let mut day = day0;
    while day < period.start {
        sh.clock.set(day, 9);
        if let Some(rs) = residents.remove(&day) {
            let groups: Vec<Vec<(usize, ResidentRow)>> =
                (0..sh.writers.len()).flat_map(|w| rs.iter().map(move |r| vec![(w, r.clone())])).collect();
            run_groups(sh, groups, |sh, g| {
                Box::pin(async move {
                    for (w, r) in g {
                        match resident_body(&r.name, &r.name_kana, &r.birth_date, &r.sex, &r.address) {
                            Ok(body) => sh.put_resident(&sh.writers[w], &r.my_number, body).await,
                            Err(e) => sh.fail(
                                "registry_start.csv",
                                &Refusal { code: "unreadable".into(), message: e, fatal: true },
                            ),
                        }
                    }
                })
            })
            .await;
        }
        if let Some(ms) = members.remove(&day) {
            // insured first: a dependent needs its insured member
            let (insured, dependents): (Vec<MemberRow>, Vec<MemberRow>) =
                ms.into_iter().partition(|m| m.relationship == "insured");
            for wave in [insured, dependents] {
                let groups: Vec<Vec<(usize, MemberRow)>> =
                    (0..sh.writers.len()).flat_map(|w| wave.iter().map(move |m| vec![(w, m.clone())])).collect();
                run_groups(sh, groups, |sh, g| {
                    Box::pin(async move {
                        for (w, m) in g {
                            let writer = &sh.writers[w];
                            // onshi's insurers migrate without typing ratios (the law decides); the national
                            // system holds the ratio as typed
                            match enrolment_of_member(&m, !writer.onshi_rules) {
                                Ok(en) => sh.enrol(writer, en).await,
                                Err(e) => sh.fail(
                                    "members.csv",
                                    &Refusal { code: "unreadable".into(), message: e, fatal: true },
                                ),
                            }
                        }
                    })
                })
                .await;
            }
        }
        check_fatal(sh)?;
        day = add_days(day, 1);
    }
    Ok(())
}

/// Step 2 of the flow: every day of the period. Returns (events, visits) read.
async fn run_period(sh: &Arc<Shared>, dir: &Path, period: &Period, progress: bool) -> Result<(u64, u64), SimError> {
    let mut events = files::events(dir)?.peekable();
    let mut visits = files::rows::<VisitRow>(dir, "visits.csv")?.peekable();
    let days = (period.end - period.start).num_days().max(0) as u64 + 1;
    let bar = if progress {
        let b = indicatif::ProgressBar::new(days);
        b.set_style(
            indicatif::ProgressStyle::with_template("{elapsed_precise} [{bar:40}] day {pos}/{len} ({eta} left) {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        b
    } else {
        indicatif::ProgressBar::hidden()
    };
    let (mut n_events, mut n_visits) = (0u64, 0u64);
    let mut day = period.start;
    while day <= period.end {
        // the day's events
        let mut registry = Vec::new();
        let mut insurer = Vec::new();
        while let Some(Ok((at, _))) = events.peek() {
            if *at > day {
                break;
            }
            let Some(Ok((_, e))) = events.next() else { break };
            n_events += 1;
            if e.kind.starts_with("resident_") { registry.push(e) } else { insurer.push(e) }
        }
        if let Some(Err(_)) = events.peek() {
            if let Some(Err(e)) = events.next() {
                return Err(e);
            }
        }
        sh.clock.set(day, 9);
        let groups: Vec<Vec<(usize, EventLine)>> = (0..sh.writers.len())
            .flat_map(|w| {
                group_by(registry.clone(), |e| e.my_number.clone().unwrap_or_default())
                    .into_iter()
                    .map(move |g| g.into_iter().map(|e| (w, e)).collect())
            })
            .collect();
        run_groups(sh, groups, |sh, g| {
            Box::pin(async move {
                for (w, e) in g {
                    if let Err(m) = sh.registry_action(&sh.writers[w], &e).await {
                        sh.fail("events.jsonl", &Refusal { code: "unreadable".into(), message: m, fatal: true });
                    }
                }
            })
        })
        .await;
        // the cards of today's acquisitions are known from the event itself
        for e in &insurer {
            if e.kind == "acquire" {
                match enrolment_of_event(e) {
                    Ok(en) => {
                        if let Ok(mut r) = sh.records.write() {
                            r.add(en.record, &en.body, e.insured_record_id.as_deref().and_then(record_id));
                        }
                    }
                    Err(m) => return Err(bad_row("events.jsonl", m)),
                }
            }
        }
        let chain = |e: &EventLine| match e.kind.as_str() {
            "acquire" => household_of(
                e.insurer_number.as_deref().unwrap_or(""),
                e.symbol.as_deref().filter(|s| !s.is_empty()),
                e.number.as_deref().unwrap_or(""),
            ),
            _ => sh.household_of_record(e.record_id.as_deref().unwrap_or("")),
        };
        let chains = group_by(insurer, chain);
        let groups: Vec<Vec<(usize, EventLine)>> = (0..sh.writers.len())
            .flat_map(|w| chains.iter().map(move |c| c.iter().map(|e| (w, e.clone())).collect()))
            .collect();
        run_groups(sh, groups, |sh, g| {
            Box::pin(async move {
                for (w, e) in g {
                    if let Err(m) = sh.insurer_action(&sh.writers[w], &e).await {
                        sh.fail("events.jsonl", &Refusal { code: "unreadable".into(), message: m, fatal: true });
                    }
                }
            })
        })
        .await;
        // what the insurers do today about what was pending
        let due: Vec<Due> = match sh.due.lock() {
            Ok(mut d) => {
                let later = d.split_off(&add_days(day, 1));
                std::mem::replace(&mut *d, later).into_values().flatten().collect()
            }
            Err(_) => Vec::new(),
        };
        let groups: Vec<Vec<Due>> = due.into_iter().map(|d| vec![d]).collect();
        run_groups(sh, groups, |sh, g| {
            Box::pin(async move {
                for d in g {
                    sh.do_due(d).await;
                }
            })
        })
        .await;
        check_fatal(sh)?;

        // the day's visits, each asked of every policy
        sh.clock.set(day, 12);
        let mut today = Vec::new();
        while let Some(next) = visits.peek() {
            match next {
                Ok(v) if v.service_date.as_str() > day.to_string().as_str() => break,
                Ok(_) => {
                    if let Some(Ok(v)) = visits.next() {
                        today.push(v);
                    }
                }
                Err(_) => {
                    if let Some(Err(e)) = visits.next() {
                        return Err(e);
                    }
                }
            }
        }
        n_visits += today.len() as u64;
        let groups: Vec<Vec<(usize, VisitRow)>> = today
            .chunks(4)
            .flat_map(|c| (0..sh.askers.len()).map(move |a| c.iter().map(|v| (a, v.clone())).collect()))
            .collect();
        run_groups(sh, groups, |sh, g| {
            Box::pin(async move {
                for (a, v) in g {
                    let path = Presents::parse(&v.presents).unwrap_or(Presents::Card);
                    sh.ask(&sh.askers[a], &v, path).await;
                }
            })
        })
        .await;
        check_fatal(sh)?;
        bar.inc(1);
        day = add_days(day, 1);
    }
    bar.finish_and_clear();
    Ok((n_events, n_visits))
}
