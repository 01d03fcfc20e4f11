//! Durable storage for onshi.
//!
//! [`Store`] is the one interface the service uses to persist and read the registry, the insurers' member
//! histories, credentials and the access log. [`SqliteStore`] implements it on an embedded SQLite database
//! (bundled, WAL, `synchronous=FULL`); [`PgStore`] on a PostgreSQL server (or a primary with standbys), with
//! the same behaviour (the conformance suite, `tests/conformance.rs`, runs the same tests on both).
//!
//! # Invariants
//! - **A returned `Ok` from a write means the write is durable.** Writes go through one writer thread that
//!   batches whatever is queued into one transaction (group commit), runs each request inside its own
//!   savepoint (so one failing request never disturbs another), commits with fsync, and only then answers
//!   every request of the batch.
//! - **Nothing is overwritten.** Member histories are append-only ([`onshi_ledger::Entry`] rows); a
//!   resident's previous basic four stay in `resident_versions`.
//! - **Decisions belong to the core.** The store calls [`onshi_ledger`] to validate an append inside the
//!   writing transaction (so the check and the write see the same data) but owns no rule of its own.
//! - Schema changes are numbered migrations (`PRAGMA user_version`); opening an older data directory
//!   migrates it forward in one transaction.

#![forbid(unsafe_code)]

// The member fixtures of tests/common/members.rs name the crate `onshi_store`, in its own tests too.
#[cfg(test)]
extern crate self as onshi_store;

mod links;
mod mapping;
mod postgres;
mod schema;
mod sqlite;

use onshi_ids::{InsuredNumber, InsurerNumber, MyNumber, Symbol};
use onshi_law::Date;
use onshi_ledger::{Change, LedgerError, MemberHistory, MemberStatic, RecordedAt, Seq, Sex};
use serde::{Deserialize, Serialize};

pub use links::{CaseImport, CaseRecord, CaseWrite, Confirmation, LinkEvent, LinkState, LinkWrite};
pub use postgres::{PgOptions, PgStore};
pub use sqlite::{AUDIT_FILE, CARDS_FILE, MAIN_FILE, SqliteStore};

/// The identifier of one member record (one qualification period of one person with one insurer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct MemberId(pub i64);

impl std::fmt::Display for MemberId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A resident's current basic four information (基本4情報) as the registry holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resident {
    pub my_number: MyNumber,
    pub name: String,
    pub name_kana: String,
    pub birth_date: Date,
    pub sex: Sex,
    pub address: String,
    /// When this version was recorded.
    pub recorded_at: RecordedAt,
}

/// What a registry write to be stored carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResidentWrite {
    pub my_number: MyNumber,
    pub name: String,
    pub name_kana: String,
    pub birth_date: Date,
    pub sex: Sex,
    pub address: String,
}

/// Whether a registry write created a resident or replaced the current version of one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PutOutcome {
    Created,
    Replaced,
}

/// The result of linking a member to a My Number, as graded when it was linked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkageRecord {
    pub grade: String,
    pub reasons: Vec<String>,
    pub graded_at: RecordedAt,
    /// Whether the link answers checks by card now (links stored before states existed are active).
    #[serde(default)]
    pub state: LinkState,
    /// The insurer's confirmation with the person, once given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmation: Option<Confirmation>,
}

/// A member record as stored: its identity, its My Number link and its whole history.
#[derive(Debug, Clone)]
pub struct MemberRecord {
    pub id: MemberId,
    pub my_number: Option<MyNumber>,
    pub linkage: Option<LinkageRecord>,
    pub history: MemberHistory,
}

/// An enrolment (資格取得) to be stored.
#[derive(Debug, Clone)]
pub struct NewMember {
    pub statik: MemberStatic,
    pub my_number: Option<MyNumber>,
    pub linkage: Option<LinkageRecord>,
    /// The acquisition date (資格取得日).
    pub acquired_on: Date,
    /// Must be [`Change::Acquire`].
    pub acquire: Change,
}

/// One line of the access log: who read (or tried to read) whose data, when, through which endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccessEntry {
    pub role: String,
    pub subject: String,
    pub endpoint: String,
    pub member_id: Option<MemberId>,
    pub my_number: Option<MyNumber>,
    pub request_id: String,
    /// What the reader was told: `valid`, `invalid`, `not_found`, `branch_required`, …
    pub outcome: String,
}

/// A stored access-log line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccessRecord {
    pub at: RecordedAt,
    #[serde(flatten)]
    pub entry: AccessEntry,
}

/// A credential: the SHA-256 of a bearer token, its role and subject, when it was issued, when it expires
/// and whether it was revoked. The token itself is never stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credential {
    pub token_hash: [u8; 32],
    pub role: String,
    pub subject: String,
    /// When it was issued (µs since the UNIX epoch; 0 for a credential issued before this was recorded).
    pub created_at: i64,
    /// From when it is no longer accepted (µs since the UNIX epoch), if ever.
    pub expires_at: Option<i64>,
    /// When it was revoked (µs since the UNIX epoch), if it was. A revocation is never undone.
    pub revoked_at: Option<i64>,
}

impl Credential {
    /// The credential's public id: `C` and the first 8 bytes of the token's hash in upper-case hex. It names
    /// the credential (to list and revoke it) without revealing anything that lets one use it.
    pub fn id(&self) -> String {
        credential_id(&self.token_hash)
    }
}

/// The public id of the credential whose token hashes to `hash` ([`Credential::id`]).
pub fn credential_id(hash: &[u8; 32]) -> String {
    let mut s = String::with_capacity(17);
    s.push('C');
    for b in &hash[..8] {
        s.push_str(&format!("{b:02X}"));
    }
    s
}

/// A 利用者証明用電子証明書 as the issuing authority registered it: the serial belongs to one My Number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateRecord {
    /// 32 upper-case hex digits.
    pub serial: String,
    pub my_number: MyNumber,
    pub issued_on: Date,
    pub expires_on: Date,
    /// Set once the card was reported lost, returned, or replaced; never cleared.
    pub revocation: Option<Revocation>,
}

/// Why and when a certificate was revoked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revocation {
    pub reason: String,
    pub revoked_at: RecordedAt,
}

/// A clinic's registered card reader: its key signs face-authentication results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReaderRecord {
    pub reader_id: String,
    /// The institution code the reader belongs to.
    pub institution: String,
    /// DER SubjectPublicKeyInfo.
    pub public_key: Vec<u8>,
}

/// A patient's consent, given on the reader, to show a clinic their medication and checkup information.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentRecord {
    pub my_number: MyNumber,
    pub institution: String,
    pub medication: bool,
    pub checkup: bool,
    /// Microseconds since the epoch.
    pub given_at: i64,
    pub expires_at: i64,
    pub request_id: String,
}

/// What the registry recorded about a resident that an insurer holding a link should review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RegistryChange {
    /// 死亡: `effective_on` is the day of death.
    Death,
    /// 氏名変更 / 転居: the new values of what changed (`None`: unchanged); `effective_on` is the day the
    /// registry recorded it.
    Change {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name_kana: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        address: Option<String>,
    },
}

impl RegistryChange {
    /// `"death"` or `"change"`.
    pub fn kind(&self) -> &'static str {
        match self {
            RegistryChange::Death => "death",
            RegistryChange::Change { .. } => "change",
        }
    }
}

/// A registry event offered to the insurer of one linked member record: a change to review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryEvent {
    pub id: i64,
    pub my_number: MyNumber,
    pub member_id: MemberId,
    pub insurer_number: InsurerNumber,
    pub change: RegistryChange,
    /// The day of death, or the day the registry recorded the change.
    pub effective_on: Date,
    pub recorded_at: RecordedAt,
    /// `None` while open.
    pub decision: Option<RegistryDecision>,
}

/// How an insurer decided on a registry event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryDecision {
    pub accepted: bool,
    /// The credential's subject.
    pub by: String,
    pub at: RecordedAt,
    /// Why (required to reject).
    pub reason: Option<String>,
    /// The entry appended to the member's history when accepted (none when nothing had to change).
    pub applied_seq: Option<Seq>,
}

/// An insurer's decision to be stored, with the change to append to the member when accepted.
#[derive(Debug, Clone)]
pub struct Decide {
    pub id: i64,
    pub accepted: bool,
    pub by: String,
    pub reason: Option<String>,
    /// What to append to the event's member (validated by the ledger in the same transaction).
    pub apply: Option<(Date, Change)>,
}

/// Errors of the store. Domain refusals detected inside the writing transaction are distinct variants so
/// that the service can turn them into the contract's error codes.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The same insurer, symbol, number and branch already has a member whose period overlaps. Numbers are
    /// compared on their key ([`InsuredNumber::match_key`]): `01234567` and `001234567` are the same number.
    #[error(
        "a member with the same insurer, symbol, number and branch is already enrolled for overlapping dates \
         (member {existing}, number {number})"
    )]
    Duplicate {
        existing: MemberId,
        /// The existing member's number, as it was given.
        number: String,
    },
    /// A dependent was enrolled but no insured member with that insurer, symbol and number (compared on its
    /// key) exists.
    #[error("no insured member with this insurer, symbol and number exists to be the dependent's insured person")]
    InsuredNotFound,
    /// No member with that id.
    #[error("member {0} does not exist")]
    MemberNotFound(MemberId),
    /// The ledger refused the change.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// The database failed.
    #[error("storage failure: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// Stored data could not be read back (a bug or a damaged file).
    #[error("stored data is damaged: {0}")]
    Corrupt(String),
    /// The data directory cannot be used.
    #[error("cannot open the data directory {path}: {reason}")]
    Open { path: String, reason: String },
    /// A certificate serial registered twice.
    #[error("certificate {0} is already registered")]
    DuplicateCertificate(String),
    /// No certificate with that serial.
    #[error("certificate {0} is not registered")]
    CertificateNotFound(String),
    /// No resident with that My Number.
    #[error("no resident with this My Number is registered")]
    ResidentNotFound,
    /// A death is already recorded for that resident.
    #[error("a death is already recorded for this resident (died on {0})")]
    DeathRecorded(Date),
    /// No registry event with that id.
    #[error("registry event {0} does not exist")]
    RegistryEventNotFound(i64),
    /// The registry event was decided before.
    #[error("registry event {0} was already decided")]
    RegistryEventDecided(i64),
    /// A link change was decided on a link that has changed since (another request changed it first).
    #[error("the member's My Number link changed while this request was decided; nothing was stored")]
    LinkChanged(MemberId),
    /// No case with that id.
    #[error("case {0} does not exist")]
    CaseNotFound(i64),
    /// The write was not carried out: the store is shutting down or could not start a transaction.
    #[error("the write was not carried out (the store is shutting down or failing); nothing was stored, try again")]
    Closed,
    /// A database file's writer thread has stopped (it failed): no write can be carried out until onshi is
    /// restarted. Nothing of the refused write was stored.
    #[error("the store's writer for {0} has stopped: no write can be stored until onshi is restarted")]
    WriterStopped(String),
    /// No credential with that id.
    #[error("credential {0} does not exist")]
    CredentialNotFound(String),
    /// The PostgreSQL server failed a statement (not a connection problem: see [`StoreError::Unavailable`]).
    #[error("PostgreSQL failed: {0}")]
    Postgres(String),
    /// The PostgreSQL server cannot be used now: it cannot be reached, it timed out (`statement_timeout`, a
    /// synchronous standby that does not answer), it is shutting down, or it is a read-only standby. Nothing of
    /// a write refused so is stored, except a write whose COMMIT was sent but not answered (the message says so).
    #[error("the PostgreSQL store is unavailable: {0}")]
    Unavailable(String),
    /// A write that met a concurrent one (a deadlock or a serialisation failure) and was rolled back; the
    /// PostgreSQL engine runs it again, and answers [`StoreError::Unavailable`] if it keeps failing so.
    #[error("the write met a concurrent one and was rolled back: {0}")]
    Retry(String),
}

/// Whether a `--store` value names a PostgreSQL server (`postgres://…`, `postgresql://…`) rather than a
/// data directory.
pub fn is_postgres_url(store: &str) -> bool {
    let s = store.trim_start();
    s.starts_with("postgres://") || s.starts_with("postgresql://")
}

/// Says why a write was answered by nobody: an engine's writer that stopped for good.
pub(crate) trait WriterHealth: Send + Sync {
    /// The error of a write refused because the writer stopped, if it has.
    fn stopped(&self) -> Option<StoreError>;
}

/// A write that has been queued; it resolves once the write is durable (or refused).
pub struct Pending<T>(tokio::sync::oneshot::Receiver<Result<T, StoreError>>, Option<Arc<dyn WriterHealth>>);

impl<T> Pending<T> {
    /// Blocks the current thread until the write is committed. Do not call from an async task.
    pub fn wait(self) -> Result<T, StoreError> {
        let Pending(rx, state) = self;
        rx.blocking_recv().unwrap_or_else(|_| Err(dropped(state.as_deref())))
    }

    /// Waits asynchronously until the write is committed.
    pub async fn done(self) -> Result<T, StoreError> {
        let Pending(rx, state) = self;
        rx.await.unwrap_or_else(|_| Err(dropped(state.as_deref())))
    }
}

/// Why a write was answered by nobody: its writer stopped, or the store is closing.
fn dropped(state: Option<&dyn WriterHealth>) -> StoreError {
    match state.and_then(WriterHealth::stopped) {
        Some(e) => e,
        None => StoreError::Closed,
    }
}

/// The storage interface of onshi. Reads are synchronous and fast (indexed); writes are queued and resolve
/// when durable.
pub trait Store: Send + Sync + 'static {
    /// Creates or replaces a resident's basic four; the previous version stays in the history.
    fn put_resident(&self, r: ResidentWrite) -> Pending<PutOutcome>;
    /// A resident's current basic four.
    fn resident(&self, my_number: &MyNumber) -> Result<Option<Resident>, StoreError>;
    /// Every resident whose current birth date is `birth_date` (the candidate set for searches and for the
    /// better-fitting-resident rule).
    fn residents_born_on(&self, birth_date: Date) -> Result<Vec<Resident>, StoreError>;
    /// Every version of a resident's basic four, oldest first.
    fn resident_versions(&self, my_number: &MyNumber) -> Result<Vec<Resident>, StoreError>;

    /// Enrols a member. Refuses duplicates (same key, overlapping period) and dependents without an insured
    /// member, inside the writing transaction. Numbers are compared on [`InsuredNumber::match_key`] and stored
    /// as given.
    fn enrol(&self, m: NewMember) -> Pending<MemberRecord>;
    /// Appends a change to a member's history after the ledger has validated it against what is stored.
    fn append(&self, id: MemberId, effective_on: Date, change: Change) -> Pending<MemberRecord>;
    /// Appends several changes to one member's history in one transaction (each validated by the ledger after
    /// the previous one): all or nothing. A correction is a void and the entry recorded again.
    fn append_many(&self, id: MemberId, changes: Vec<(Date, Change)>) -> Pending<MemberRecord>;
    /// A member with its whole history.
    fn member(&self, id: MemberId) -> Result<Option<MemberRecord>, StoreError>;
    /// Members found by what is printed on a card: insurer, number and birth date (symbol and branch are
    /// filtered by the caller), from an index. The number is compared on its key
    /// ([`InsuredNumber::match_key`]: `1234567` finds `01234567` and `001234567`); the caller chooses
    /// between spellings (`onshi_ledger::select_by_number`).
    fn members_by_card(
        &self,
        insurer: &InsurerNumber,
        number: &InsuredNumber,
        birth_date: Date,
    ) -> Result<Vec<MemberRecord>, StoreError>;
    /// The insured members (被保険者) of a household: same insurer, symbol and number (compared on its key).
    fn insured_of(
        &self,
        insurer: &InsurerNumber,
        symbol: Option<&Symbol>,
        number: &InsuredNumber,
    ) -> Result<Vec<MemberRecord>, StoreError>;
    /// Every member record linked to a My Number.
    fn members_by_my_number(&self, my_number: &MyNumber) -> Result<Vec<MemberRecord>, StoreError>;
    /// Every member record held without a My Number (未登録者) whose birth date is `birth_date`, from an index.
    fn unlinked_members_born_on(&self, birth_date: Date) -> Result<Vec<MemberRecord>, StoreError>;

    /// Records that someone read a person's data. Resolves when the line is durable.
    fn log_access(&self, e: AccessEntry) -> Pending<()>;
    /// The access log of one person or member record, newest first, at most `limit` lines: the lines naming
    /// `my_number` (when given) and the lines naming one of `member_ids`. Nothing else: a line recorded
    /// without a My Number (another patient's refused check, a read of an unlinked record) is never matched by
    /// the absence of one — it is the person's only when it names one of `member_ids`.
    fn access_log_of(
        &self,
        my_number: Option<&MyNumber>,
        member_ids: &[MemberId],
        limit: usize,
    ) -> Result<Vec<AccessRecord>, StoreError>;
    /// The lines recorded without a My Number (refused card checks before the card named anyone, reads of
    /// records held without one), newest first, at most `limit`: for audits and tests, never a person's
    /// history.
    fn access_log_without_my_number(&self, limit: usize) -> Result<Vec<AccessRecord>, StoreError>;

    /// Stores a credential.
    fn put_credential(&self, c: Credential) -> Pending<()>;
    /// Revokes the credential with this id ([`Credential::id`]) at `at` (µs); the first revocation stands.
    /// Resolves to the credential as revoked.
    fn revoke_credential(&self, id: String, at: i64) -> Pending<Credential>;
    /// Whether the store can take writes: `Err` once a writer thread has stopped.
    fn health(&self) -> Result<(), StoreError>;

    /// Records a resident's death (once) and offers it, in the same transaction, to the insurer of every member
    /// record linked to the resident whose coverage had not ended by then. Resolves to the offers made.
    fn record_death(&self, my_number: MyNumber, died_on: Date) -> Pending<Vec<RegistryEvent>>;
    /// The death recorded for a resident, if any.
    fn death_of(&self, my_number: &MyNumber) -> Result<Option<Date>, StoreError>;
    /// The registry events offered to one insurer (every insurer when `None`), oldest first; only the open ones
    /// when `open_only`.
    fn registry_events(
        &self,
        insurer: Option<&InsurerNumber>,
        open_only: bool,
    ) -> Result<Vec<RegistryEvent>, StoreError>;
    /// One registry event.
    fn registry_event(&self, id: i64) -> Result<Option<RegistryEvent>, StoreError>;
    /// Stores an insurer's decision on an open event and appends its change to the member, in one transaction
    /// (refused when the event was decided before, or when the ledger refuses the change).
    fn decide_registry_event(&self, d: Decide) -> Pending<RegistryEvent>;

    /// Registers an issued certificate (refuses a serial registered before).
    fn put_certificate(&self, c: CertificateRecord) -> Pending<()>;
    /// A registered certificate with its revocation, if any.
    fn certificate(&self, serial: &str) -> Result<Option<CertificateRecord>, StoreError>;
    /// Every certificate registered for a My Number, oldest first.
    fn certificates_of(&self, my_number: &MyNumber) -> Result<Vec<CertificateRecord>, StoreError>;
    /// Revokes a certificate (the first revocation stands); resolves to the record as revoked.
    fn revoke_certificate(&self, serial: String, reason: String) -> Pending<CertificateRecord>;
    /// Registers (or re-registers) a card reader of an institution.
    fn put_reader(&self, r: ReaderRecord) -> Pending<()>;
    /// A registered reader.
    fn reader(&self, reader_id: &str) -> Result<Option<ReaderRecord>, StoreError>;
    /// Records a consent. Resolves when durable.
    fn record_consent(&self, c: ConsentRecord) -> Pending<()>;
    /// A person's consents to one institution, newest first.
    fn consents(&self, my_number: &MyNumber, institution: &str, limit: usize)
    -> Result<Vec<ConsentRecord>, StoreError>;
    /// Every stored credential (loaded once at start into the service's in-memory table).
    fn credentials(&self) -> Result<Vec<Credential>, StoreError>;

    /// Changes a member's My Number link (or its state) and records the change in the link history, in one
    /// transaction; closes the member's open cases when asked. Refuses with [`StoreError::LinkChanged`] if
    /// the link is no longer `expected`.
    fn write_link(&self, w: LinkWrite) -> Pending<MemberRecord>;
    /// A member's link history, oldest first.
    fn link_events(&self, member_id: MemberId) -> Result<Vec<LinkEvent>, StoreError>;
    /// Opens cases from a reconciliation, all or nothing; a member with an open case on the same My Number
    /// is skipped.
    fn import_cases(&self, cases: Vec<CaseWrite>) -> Pending<CaseImport>;
    /// An insurer's cases (optionally only those with `status`), oldest first.
    fn cases(&self, insurer: &InsurerNumber, status: Option<&str>) -> Result<Vec<CaseRecord>, StoreError>;
    /// One case.
    fn case(&self, case_id: i64) -> Result<Option<CaseRecord>, StoreError>;
    /// A member's cases, oldest first.
    fn cases_of(&self, member_id: MemberId) -> Result<Vec<CaseRecord>, StoreError>;
}

/// Where a store reads the recording time (`recorded_at`) from: the wall clock, unless a simulator replays a
/// world in simulated time ([`SqliteStore::open_with_clock`]).
pub trait RecordClock: Send + Sync + 'static {
    /// Microseconds since the UNIX epoch, UTC.
    fn now_micros(&self) -> i64;
}

/// A store chosen at run time: the embedded engine ([`SqliteStore`]) or the PostgreSQL engine ([`PgStore`]).
pub type AnyStore = Box<dyn Store>;

/// A store behind a pointer is a store: `Box<dyn Store>` ([`AnyStore`]), and `Arc<S>` so that several services
/// (the simulator's policies) may answer from one store.
macro_rules! forward_store {
    ($($ptr:ident),*) => {$(
        impl<T: Store + ?Sized> Store for $ptr<T> {
            fn put_resident(&self, r: ResidentWrite) -> Pending<PutOutcome> {
                (**self).put_resident(r)
            }
            fn resident(&self, my_number: &MyNumber) -> Result<Option<Resident>, StoreError> {
                (**self).resident(my_number)
            }
            fn residents_born_on(&self, birth_date: Date) -> Result<Vec<Resident>, StoreError> {
                (**self).residents_born_on(birth_date)
            }
            fn resident_versions(&self, my_number: &MyNumber) -> Result<Vec<Resident>, StoreError> {
                (**self).resident_versions(my_number)
            }
            fn enrol(&self, m: NewMember) -> Pending<MemberRecord> {
                (**self).enrol(m)
            }
            fn append(&self, id: MemberId, effective_on: Date, change: Change) -> Pending<MemberRecord> {
                (**self).append(id, effective_on, change)
            }
            fn append_many(&self, id: MemberId, changes: Vec<(Date, Change)>) -> Pending<MemberRecord> {
                (**self).append_many(id, changes)
            }
            fn member(&self, id: MemberId) -> Result<Option<MemberRecord>, StoreError> {
                (**self).member(id)
            }
            fn record_death(&self, my_number: MyNumber, died_on: Date) -> Pending<Vec<RegistryEvent>> {
                (**self).record_death(my_number, died_on)
            }
            fn death_of(&self, my_number: &MyNumber) -> Result<Option<Date>, StoreError> {
                (**self).death_of(my_number)
            }
            fn registry_events(
                &self,
                insurer: Option<&InsurerNumber>,
                open_only: bool,
            ) -> Result<Vec<RegistryEvent>, StoreError> {
                (**self).registry_events(insurer, open_only)
            }
            fn registry_event(&self, id: i64) -> Result<Option<RegistryEvent>, StoreError> {
                (**self).registry_event(id)
            }
            fn decide_registry_event(&self, d: Decide) -> Pending<RegistryEvent> {
                (**self).decide_registry_event(d)
            }
            fn members_by_card(
                &self,
                insurer: &InsurerNumber,
                number: &InsuredNumber,
                birth_date: Date,
            ) -> Result<Vec<MemberRecord>, StoreError> {
                (**self).members_by_card(insurer, number, birth_date)
            }
            fn insured_of(
                &self,
                insurer: &InsurerNumber,
                symbol: Option<&Symbol>,
                number: &InsuredNumber,
            ) -> Result<Vec<MemberRecord>, StoreError> {
                (**self).insured_of(insurer, symbol, number)
            }
            fn members_by_my_number(&self, my_number: &MyNumber) -> Result<Vec<MemberRecord>, StoreError> {
                (**self).members_by_my_number(my_number)
            }
            fn unlinked_members_born_on(&self, birth_date: Date) -> Result<Vec<MemberRecord>, StoreError> {
                (**self).unlinked_members_born_on(birth_date)
            }
            fn log_access(&self, e: AccessEntry) -> Pending<()> {
                (**self).log_access(e)
            }
            fn access_log_of(
                &self,
                my_number: Option<&MyNumber>,
                member_ids: &[MemberId],
                limit: usize,
            ) -> Result<Vec<AccessRecord>, StoreError> {
                (**self).access_log_of(my_number, member_ids, limit)
            }
            fn access_log_without_my_number(&self, limit: usize) -> Result<Vec<AccessRecord>, StoreError> {
                (**self).access_log_without_my_number(limit)
            }
            fn put_credential(&self, c: Credential) -> Pending<()> {
                (**self).put_credential(c)
            }
            fn credentials(&self) -> Result<Vec<Credential>, StoreError> {
                (**self).credentials()
            }
            fn revoke_credential(&self, id: String, at: i64) -> Pending<Credential> {
                (**self).revoke_credential(id, at)
            }
            fn health(&self) -> Result<(), StoreError> {
                (**self).health()
            }
            fn put_certificate(&self, c: CertificateRecord) -> Pending<()> {
                (**self).put_certificate(c)
            }
            fn certificate(&self, serial: &str) -> Result<Option<CertificateRecord>, StoreError> {
                (**self).certificate(serial)
            }
            fn certificates_of(&self, my_number: &MyNumber) -> Result<Vec<CertificateRecord>, StoreError> {
                (**self).certificates_of(my_number)
            }
            fn revoke_certificate(&self, serial: String, reason: String) -> Pending<CertificateRecord> {
                (**self).revoke_certificate(serial, reason)
            }
            fn put_reader(&self, r: ReaderRecord) -> Pending<()> {
                (**self).put_reader(r)
            }
            fn reader(&self, reader_id: &str) -> Result<Option<ReaderRecord>, StoreError> {
                (**self).reader(reader_id)
            }
            fn record_consent(&self, c: ConsentRecord) -> Pending<()> {
                (**self).record_consent(c)
            }
            fn consents(
                &self,
                my_number: &MyNumber,
                institution: &str,
                limit: usize,
            ) -> Result<Vec<ConsentRecord>, StoreError> {
                (**self).consents(my_number, institution, limit)
            }
            fn write_link(&self, w: LinkWrite) -> Pending<MemberRecord> {
                (**self).write_link(w)
            }
            fn link_events(&self, member_id: MemberId) -> Result<Vec<LinkEvent>, StoreError> {
                (**self).link_events(member_id)
            }
            fn import_cases(&self, cases: Vec<CaseWrite>) -> Pending<CaseImport> {
                (**self).import_cases(cases)
            }
            fn cases(&self, insurer: &InsurerNumber, status: Option<&str>) -> Result<Vec<CaseRecord>, StoreError> {
                (**self).cases(insurer, status)
            }
            fn case(&self, case_id: i64) -> Result<Option<CaseRecord>, StoreError> {
                (**self).case(case_id)
            }
            fn cases_of(&self, member_id: MemberId) -> Result<Vec<CaseRecord>, StoreError> {
                (**self).cases_of(member_id)
            }
        }
    )*};
}

use std::sync::Arc;
forward_store!(Box, Arc);
