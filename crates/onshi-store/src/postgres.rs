//! The server engine: PostgreSQL (one server, or a primary with standbys named in one multi-host URL such as
//! `postgres://h1:5432,h2:5432/onshi?target_session_attrs=read-write`).
//!
//! # Threading
//! The service calls the store's synchronous reads from inside its own tokio tasks, where `block_on` panics.
//! So the PostgreSQL clients live on the store's **own** small tokio runtime (owned by [`PgStore`]): a read
//! spawns its query there and waits on a `std::sync::mpsc` channel (a blocking wait, like SQLite's reads); a
//! write spawns there and completes its [`Pending`]'s oneshot once `COMMIT` has returned.
//!
//! # Writes
//! Each write is one transaction on the primary (READ COMMITTED). Where SQLite's single writer makes a
//! check-then-write atomic, the transaction first takes transaction-level advisory locks on what the check
//! reads (`pg_advisory_xact_lock`: the member key for the duplicate rule, the person for registry events and
//! links, the member for its cases, the event for its decision), always in the same order (person, event,
//! member key, member), so that concurrent writers are serialised exactly where SQLite serialises them. A
//! refused write is rolled back (nothing of it stays); a deadlock or serialisation failure is retried.
//!
//! # Timeouts
//! Every connection sets `statement_timeout` (default 10 s), so that a statement waiting on a lock never
//! hangs; the whole operation is bounded on the client side too (a synchronous standby that never answers
//! holds a `COMMIT` past any statement timeout), and answers [`StoreError::Unavailable`].

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use onshi_ids::{InsuredNumber, InsurerNumber, MyNumber, Symbol};
use onshi_law::Date;
use onshi_ledger::{Change, RecordedAt};
use tokio_postgres::error::SqlState;

use crate::{
    AccessEntry, AccessRecord, CaseImport, CaseRecord, CaseWrite, CertificateRecord, ConsentRecord, Credential, Decide,
    LinkEvent, LinkWrite, MemberId, MemberRecord, NewMember, Pending, PutOutcome, ReaderRecord, RecordClock,
    RegistryEvent, Resident, ResidentWrite, Store, StoreError,
};

mod access_log;
mod cards;
mod links;
mod members;
mod pool;
mod registry_events;
mod schema;

use pool::{Cx, Pool};
use tokio_postgres::GenericClient;

/// How a [`PgStore`] connects and how long it waits.
#[derive(Clone)]
pub struct PgOptions {
    /// `statement_timeout` of every connection.
    pub statement_timeout: Duration,
    /// How long to wait for a connection (when the URL sets no `connect_timeout`).
    pub connect_timeout: Duration,
    /// At most this many connections to the server.
    pub max_connections: usize,
    /// Creates the URL's database when the server says it does not exist (connecting to the `postgres`
    /// database to do so).
    pub create_database: bool,
    /// Where recording times come from (the wall clock when `None`): see [`RecordClock`].
    pub clock: Option<Arc<dyn RecordClock>>,
    /// Reads from a standby among the URL's hosts (`target_session_attrs=read-only`) when it has replayed
    /// every write this store acknowledged; from the primary otherwise, or when no standby answers.
    pub standby_reads: bool,
}

impl Default for PgOptions {
    fn default() -> Self {
        PgOptions {
            statement_timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(5),
            max_connections: 16,
            create_database: true,
            clock: None,
            standby_reads: false,
        }
    }
}

/// What every operation shares: the connections and the recording clock.
pub(crate) struct Inner {
    /// The primary's connections (`target_session_attrs` as the URL says: `read-write` to find the primary).
    pool: Pool,
    /// With standby reads, the connections to a standby.
    standby: Option<Pool>,
    /// The primary's WAL position (bytes) after the latest write this store acknowledged.
    last_write_lsn: AtomicI64,
    /// How many reads a standby answered (the rest went to the primary).
    standby_served: AtomicU64,
    /// Until when (ms since the store opened) reads skip the standbys, after one failed: a read never waits
    /// for a standby's connect timeout more than once per [`STANDBY_BACKOFF`].
    standby_skip_until: AtomicU64,
    opened: std::time::Instant,
    clock: Option<Arc<dyn RecordClock>>,
    last_at: AtomicI64,
    /// The bound of one whole read or write, on the client side.
    op_timeout: Duration,
}

/// How long reads go to the primary after a standby failed.
const STANDBY_BACKOFF: Duration = Duration::from_secs(5);
/// The primary's WAL position as a number of bytes (`pg_lsn` minus `0/0`).
const CURRENT_LSN: &str = "SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::BIGINT";
/// How far a standby has replayed the WAL (-1 on a primary, which never answers as a standby).
const REPLAYED_LSN: &str = "SELECT COALESCE((pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::BIGINT, -1)";

impl Inner {
    /// A connection for a read: to a standby that has replayed every acknowledged write (read-your-writes),
    /// else to the primary.
    pub(crate) async fn reader(&self) -> Result<pool::Conn<'_>, StoreError> {
        let now_ms = self.opened.elapsed().as_millis() as u64;
        if let Some(standby) =
            self.standby.as_ref().filter(|_| now_ms >= self.standby_skip_until.load(Ordering::Relaxed))
        {
            let skip = || {
                let until = now_ms + STANDBY_BACKOFF.as_millis() as u64;
                self.standby_skip_until.fetch_max(until, Ordering::Relaxed);
            };
            match standby.get().await {
                Ok(c) => {
                    let replayed: Result<i64, StoreError> = match c.cx().query_one(REPLAYED_LSN, &[]).await {
                        Ok(r) => r.try_get(0).map_err(StoreError::from),
                        Err(e) => Err(e.into()),
                    };
                    match replayed {
                        Ok(lsn) if lsn >= self.last_write_lsn.load(Ordering::SeqCst) => {
                            self.standby_served.fetch_add(1, Ordering::Relaxed);
                            return Ok(c);
                        }
                        Ok(_) => {} // behind: the primary answers
                        Err(e) => {
                            skip();
                            tracing::warn!(error = %e, "a standby failed; reading from the primary");
                        }
                    }
                }
                Err(e) => {
                    skip();
                    tracing::warn!(error = %e, "no standby answers; reading from the primary for a while");
                }
            }
        }
        self.pool.get().await
    }

    /// After an acknowledged write: the primary's WAL position, which a standby must have replayed to answer
    /// a read of this store.
    async fn note_write(&self) {
        if self.standby.is_none() {
            return;
        }
        let lsn = async {
            let c = self.pool.get().await?;
            let lsn: i64 = c.cx().query_one(CURRENT_LSN, &[]).await?.try_get(0)?;
            Ok::<_, StoreError>(lsn)
        };
        match lsn.await {
            Ok(l) => {
                self.last_write_lsn.fetch_max(l, Ordering::SeqCst);
            }
            // nobody can tell how far the standbys must be: every read goes to the primary
            Err(_) => self.last_write_lsn.store(i64::MAX, Ordering::SeqCst),
        }
    }

    /// The store's clock (µs since the epoch): the configured one, else the wall clock.
    pub(crate) fn now_micros(&self) -> i64 {
        match &self.clock {
            Some(c) => c.now_micros(),
            None => SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_micros() as i64).unwrap_or(0),
        }
    }

    /// A recording time that never goes backwards, even if the clock does.
    pub(crate) fn stamp(&self) -> RecordedAt {
        let now = self.now_micros();
        let mut last = self.last_at.load(Ordering::SeqCst);
        loop {
            let next = now.max(last + 1);
            match self.last_at.compare_exchange(last, next, Ordering::SeqCst, Ordering::SeqCst) {
                Ok(_) => return RecordedAt(next),
                Err(seen) => last = seen,
            }
        }
    }
}

/// onshi's PostgreSQL store. Cheap to share behind an `Arc`.
pub struct PgStore {
    rt: Option<tokio::runtime::Runtime>,
    handle: tokio::runtime::Handle,
    inner: Arc<Inner>,
    /// The access log's batchers (`access_log`): every line goes through them.
    log: access_log::Batcher,
}

impl PgStore {
    /// Connects to the server of `url` (a libpq-style URL or key=value string: several hosts and
    /// `target_session_attrs` are understood), creates the database if asked and missing, and applies the
    /// schema's missing migrations (in one transaction, under an advisory lock).
    pub fn open(url: &str, options: PgOptions) -> Result<Self, StoreError> {
        let config = pool::config(url, &options)?;
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("onshi-pg")
            .enable_all()
            .build()
            .map_err(|e| StoreError::Unavailable(format!("cannot start the PostgreSQL client runtime: {e}")))?;
        let handle = rt.handle().clone();
        let op_timeout = options.statement_timeout * 2 + options.connect_timeout;
        let standby = options.standby_reads.then(|| {
            let mut c = config.clone();
            c.target_session_attrs(tokio_postgres::config::TargetSessionAttrs::ReadOnly);
            Pool::new(c, options.max_connections)
        });
        let pool = Pool::new(config, options.max_connections);
        let create = options.create_database;
        let inner = Arc::new(Inner {
            pool,
            standby,
            last_write_lsn: AtomicI64::new(0),
            standby_served: AtomicU64::new(0),
            standby_skip_until: AtomicU64::new(0),
            opened: std::time::Instant::now(),
            clock: options.clock,
            last_at: AtomicI64::new(0),
            op_timeout,
        });
        let opened = {
            let inner = inner.clone();
            wait_on(&handle, op_timeout * 3, async move {
                if create {
                    inner.pool.create_database_if_missing().await?;
                }
                let mut conn = inner.pool.get().await?;
                let from = schema::migrate(&mut conn).await?;
                let last_at = schema::last_recorded_at(&conn.cx()).await?;
                inner.last_at.fetch_max(last_at, Ordering::SeqCst);
                drop(conn);
                access_log::create_ahead(&inner).await?;
                // what is there now was acknowledged before: a standby must have replayed it
                inner.note_write().await;
                Ok(from)
            })
        };
        let from = match opened {
            Ok(v) => v,
            Err(e) => {
                rt.shutdown_background();
                return Err(e);
            }
        };
        if from != schema::current() {
            tracing::info!(from, to = schema::current(), "migrated the PostgreSQL schema");
        }
        let log = access_log::Batcher::start(&handle, inner.clone());
        Ok(PgStore { rt: Some(rt), handle, inner, log })
    }

    /// How many reads a standby has answered (with `standby_reads`; the others went to the primary).
    pub fn standby_reads_served(&self) -> u64 {
        self.inner.standby_served.load(Ordering::Relaxed)
    }

    /// Runs a read on the store's runtime and waits for it (a blocking wait: fine inside a tokio worker, as
    /// SQLite's reads are).
    fn read<R, F>(&self, f: impl FnOnce(Arc<Inner>) -> F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: Future<Output = Result<R, StoreError>> + Send + 'static,
    {
        wait_on(&self.handle, self.inner.op_timeout, f(self.inner.clone()))
    }

    /// Runs a write on the store's runtime; the [`Pending`] resolves once it committed (or was refused). A
    /// write refused by a deadlock or a serialisation failure is run again (a few times).
    fn write<T, F>(&self, f: impl Fn(Arc<Inner>) -> F + Send + 'static) -> Pending<T>
    where
        T: Send + 'static,
        F: Future<Output = Result<T, StoreError>> + Send + 'static,
    {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let inner = self.inner.clone();
        let limit = self.inner.op_timeout;
        self.handle.spawn(async move {
            let mut tries = 0;
            let r = loop {
                tries += 1;
                let r = match tokio::time::timeout(limit, f(inner.clone())).await {
                    Ok(r) => r,
                    Err(_) => Err(timed_out(limit, true)),
                };
                match r {
                    Err(StoreError::Retry(_)) if tries < 5 => continue,
                    Err(StoreError::Retry(why)) => break Err(StoreError::Unavailable(why)),
                    r => break r,
                }
            };
            if r.is_ok() {
                inner.note_write().await;
            }
            let _ = tx.send(r);
        });
        Pending(rx, None)
    }
}

impl Drop for PgStore {
    fn drop(&mut self) {
        // Never blocks: a store may be dropped inside another runtime, where a blocking shutdown panics.
        if let Some(rt) = self.rt.take() {
            rt.shutdown_background();
        }
    }
}

/// Runs `fut` on `handle` and waits for it on this thread, at most `limit`.
fn wait_on<R: Send + 'static>(
    handle: &tokio::runtime::Handle,
    limit: Duration,
    fut: impl Future<Output = Result<R, StoreError>> + Send + 'static,
) -> Result<R, StoreError> {
    let (tx, rx) = std::sync::mpsc::channel();
    handle.spawn(async move {
        let r = match tokio::time::timeout(limit, fut).await {
            Ok(r) => r,
            Err(_) => Err(timed_out(limit, false)),
        };
        let _ = tx.send(r);
    });
    // Inside a multi-threaded runtime (the service's), the wait hands this worker's other tasks to another
    // thread first: a read waiting on PostgreSQL never holds up the requests queued behind it on this core,
    // and as many reads as the pool has connections are in flight however few the cores.
    let in_worker = tokio::runtime::Handle::try_current()
        .is_ok_and(|h| h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread);
    let r = if in_worker { tokio::task::block_in_place(|| rx.recv()) } else { rx.recv() };
    r.unwrap_or(Err(StoreError::Closed))
}

fn timed_out(limit: Duration, write: bool) -> StoreError {
    let what =
        if write { "; if the COMMIT had been sent the write may be stored: read before trying again" } else { "" };
    StoreError::Unavailable(format!(
        "no answer from PostgreSQL within {} s (a server or a synchronous standby that does not answer?){what}",
        limit.as_secs()
    ))
}

/// PostgreSQL's errors as the store's: what an operator can act on (an unreachable or read-only server, a
/// timeout) is [`StoreError::Unavailable`] with the step to take; a deadlock or serialisation failure is
/// retried by [`PgStore::write`]; anything else is a failed statement.
impl From<tokio_postgres::Error> for StoreError {
    fn from(e: tokio_postgres::Error) -> Self {
        if let Some(db) = e.as_db_error() {
            let code = db.code();
            if *code == SqlState::T_R_SERIALIZATION_FAILURE || *code == SqlState::T_R_DEADLOCK_DETECTED {
                return StoreError::Retry(db.message().to_owned());
            }
            if *code == SqlState::READ_ONLY_SQL_TRANSACTION {
                return StoreError::Unavailable(
                    "the server is read-only (a standby): add target_session_attrs=read-write to the store URL and \
                     list the primary's host"
                        .into(),
                );
            }
            if *code == SqlState::QUERY_CANCELED {
                return StoreError::Unavailable(format!(
                    "a statement was cancelled ({}): statement_timeout passed, a lock or a synchronous standby \
                     held it; nothing was stored",
                    db.message()
                ));
            }
            if code.code().starts_with("08") || code.code().starts_with("57") || code.code().starts_with("53") {
                return StoreError::Unavailable(format!("{}: {}", code.code(), db.message()));
            }
            return StoreError::Postgres(format!("{} ({})", db.message(), code.code()));
        }
        if e.is_closed() || std::error::Error::source(&e).is_some_and(|s| s.is::<std::io::Error>()) {
            return StoreError::Unavailable(format!("the connection to PostgreSQL failed: {e}"));
        }
        StoreError::Postgres(e.to_string())
    }
}

/// The key of a transaction-level advisory lock (hashed by the server: `hashtextextended`).
pub(crate) async fn lock(c: &Cx<'_, impl GenericClient + Sync>, key: &str) -> Result<(), StoreError> {
    c.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", &[&key]).await?;
    Ok(())
}

/// The lock on a person (registry writes, deaths, links of that My Number).
pub(crate) fn person_lock(n: &MyNumber) -> String {
    format!("onshi:person:{}", n.as_str())
}

impl Store for PgStore {
    fn put_resident(&self, r: ResidentWrite) -> Pending<PutOutcome> {
        self.write(move |i| registry_events::put_resident(i, r.clone()))
    }

    fn resident(&self, my_number: &MyNumber) -> Result<Option<Resident>, StoreError> {
        let n = *my_number;
        self.read(|i| async move { registry_events::resident(&i.reader().await?.cx(), &n).await })
    }

    fn residents_born_on(&self, birth_date: Date) -> Result<Vec<Resident>, StoreError> {
        self.read(|i| async move { registry_events::residents_born_on(&i.reader().await?.cx(), birth_date).await })
    }

    fn resident_versions(&self, my_number: &MyNumber) -> Result<Vec<Resident>, StoreError> {
        let n = *my_number;
        self.read(|i| async move { registry_events::resident_versions(&i.reader().await?.cx(), &n).await })
    }

    fn enrol(&self, m: NewMember) -> Pending<MemberRecord> {
        self.write(move |i| members::enrol(i, m.clone()))
    }

    fn append(&self, id: MemberId, effective_on: Date, change: Change) -> Pending<MemberRecord> {
        self.write(move |i| members::append(i, id, vec![(effective_on, change.clone())]))
    }

    fn append_many(&self, id: MemberId, changes: Vec<(Date, Change)>) -> Pending<MemberRecord> {
        self.write(move |i| members::append(i, id, changes.clone()))
    }

    fn member(&self, id: MemberId) -> Result<Option<MemberRecord>, StoreError> {
        self.read(|i| async move {
            Ok(members::members_where(&i.reader().await?.cx(), "member_id = $1", &[&id.0]).await?.pop())
        })
    }

    fn members_by_card(
        &self,
        insurer: &InsurerNumber,
        number: &InsuredNumber,
        birth_date: Date,
    ) -> Result<Vec<MemberRecord>, StoreError> {
        let (insurer, key, birth) =
            (insurer.as_str().to_owned(), number.match_key().to_string(), crate::mapping::date_str(birth_date));
        self.read(|i| async move {
            members::members_where(
                &i.reader().await?.cx(),
                "insurer_number = $1 AND number_key = $2 AND birth_date = $3",
                &[&insurer, &key, &birth],
            )
            .await
        })
    }

    fn insured_of(
        &self,
        insurer: &InsurerNumber,
        symbol: Option<&Symbol>,
        number: &InsuredNumber,
    ) -> Result<Vec<MemberRecord>, StoreError> {
        let (insurer, key) = (insurer.as_str().to_owned(), number.match_key().to_string());
        let symbol = symbol.map(|s| s.as_str().to_owned());
        self.read(
            |i| async move { members::insured_of(&i.reader().await?.cx(), &insurer, &key, symbol.as_deref()).await },
        )
    }

    fn members_by_my_number(&self, my_number: &MyNumber) -> Result<Vec<MemberRecord>, StoreError> {
        let n = my_number.as_str().to_owned();
        self.read(|i| async move { members::members_where(&i.reader().await?.cx(), "my_number = $1", &[&n]).await })
    }

    fn unlinked_members_born_on(&self, birth_date: Date) -> Result<Vec<MemberRecord>, StoreError> {
        let birth = crate::mapping::date_str(birth_date);
        self.read(|i| async move {
            members::members_where(&i.reader().await?.cx(), "my_number IS NULL AND birth_date = $1", &[&birth]).await
        })
    }

    fn log_access(&self, e: AccessEntry) -> Pending<()> {
        access_log::log_access(&self.log, e)
    }

    fn access_log_of(
        &self,
        my_number: Option<&MyNumber>,
        member_ids: &[MemberId],
        limit: usize,
    ) -> Result<Vec<AccessRecord>, StoreError> {
        let n = my_number.copied();
        let ids: Vec<i64> = member_ids.iter().map(|m| m.0).collect();
        self.read(|i| async move { access_log::access_log_of(&i.reader().await?.cx(), n, ids, limit).await })
    }

    fn access_log_without_my_number(&self, limit: usize) -> Result<Vec<AccessRecord>, StoreError> {
        self.read(|i| async move { access_log::without_my_number(&i.reader().await?.cx(), limit).await })
    }

    fn put_credential(&self, c: Credential) -> Pending<()> {
        self.write(move |i| cards::put_credential(i, c.clone()))
    }

    fn credentials(&self) -> Result<Vec<Credential>, StoreError> {
        self.read(|i| async move { cards::credentials(&i.reader().await?.cx()).await })
    }

    fn revoke_credential(&self, id: String, at: i64) -> Pending<Credential> {
        self.write(move |i| cards::revoke_credential(i, id.clone(), at))
    }

    fn health(&self) -> Result<(), StoreError> {
        self.read(|i| async move {
            i.pool.get().await?.simple_query("SELECT 1").await?;
            Ok(())
        })
    }

    fn record_death(&self, my_number: MyNumber, died_on: Date) -> Pending<Vec<RegistryEvent>> {
        self.write(move |i| registry_events::record_death(i, my_number, died_on))
    }

    fn death_of(&self, my_number: &MyNumber) -> Result<Option<Date>, StoreError> {
        let n = *my_number;
        self.read(|i| async move { registry_events::death_of(&i.reader().await?.cx(), &n).await })
    }

    fn registry_events(
        &self,
        insurer: Option<&InsurerNumber>,
        open_only: bool,
    ) -> Result<Vec<RegistryEvent>, StoreError> {
        let insurer = insurer.map(|i| i.as_str().to_owned());
        self.read(|i| async move { registry_events::list(&i.reader().await?.cx(), insurer, open_only).await })
    }

    fn registry_event(&self, id: i64) -> Result<Option<RegistryEvent>, StoreError> {
        self.read(|i| async move { registry_events::by_id(&i.reader().await?.cx(), id, false).await })
    }

    fn decide_registry_event(&self, d: Decide) -> Pending<RegistryEvent> {
        self.write(move |i| registry_events::decide(i, d.clone()))
    }

    fn put_certificate(&self, c: CertificateRecord) -> Pending<()> {
        self.write(move |i| cards::put_certificate(i, c.clone()))
    }

    fn certificate(&self, serial: &str) -> Result<Option<CertificateRecord>, StoreError> {
        let serial = serial.to_owned();
        self.read(|i| async move {
            Ok(cards::certificates_where(&i.reader().await?.cx(), "c.serial = $1", &serial).await?.pop())
        })
    }

    fn certificates_of(&self, my_number: &MyNumber) -> Result<Vec<CertificateRecord>, StoreError> {
        let n = my_number.as_str().to_owned();
        self.read(|i| async move { cards::certificates_where(&i.reader().await?.cx(), "c.my_number = $1", &n).await })
    }

    fn revoke_certificate(&self, serial: String, reason: String) -> Pending<CertificateRecord> {
        self.write(move |i| cards::revoke_certificate(i, serial.clone(), reason.clone()))
    }

    fn put_reader(&self, r: ReaderRecord) -> Pending<()> {
        self.write(move |i| cards::put_reader(i, r.clone()))
    }

    fn reader(&self, reader_id: &str) -> Result<Option<ReaderRecord>, StoreError> {
        let id = reader_id.to_owned();
        self.read(|i| async move { cards::reader(&i.reader().await?.cx(), &id).await })
    }

    fn record_consent(&self, c: ConsentRecord) -> Pending<()> {
        self.write(move |i| cards::record_consent(i, c.clone()))
    }

    fn consents(
        &self,
        my_number: &MyNumber,
        institution: &str,
        limit: usize,
    ) -> Result<Vec<ConsentRecord>, StoreError> {
        let (n, inst) = (*my_number, institution.to_owned());
        self.read(|i| async move { cards::consents(&i.reader().await?.cx(), n, inst, limit).await })
    }

    fn write_link(&self, w: LinkWrite) -> Pending<MemberRecord> {
        self.write(move |i| links::write_link(i, w.clone()))
    }

    fn link_events(&self, member_id: MemberId) -> Result<Vec<LinkEvent>, StoreError> {
        self.read(|i| async move { links::link_events(&i.reader().await?.cx(), member_id).await })
    }

    fn import_cases(&self, cases: Vec<CaseWrite>) -> Pending<CaseImport> {
        self.write(move |i| links::import_cases(i, cases.clone()))
    }

    fn cases(&self, insurer: &InsurerNumber, status: Option<&str>) -> Result<Vec<CaseRecord>, StoreError> {
        let (insurer, status) = (insurer.as_str().to_owned(), status.map(str::to_owned));
        self.read(|i| async move {
            links::cases_where(
                &i.reader().await?.cx(),
                "insurer_number = $1 AND ($2::text IS NULL OR status = $2)",
                &[&insurer, &status],
            )
            .await
        })
    }

    fn case(&self, case_id: i64) -> Result<Option<CaseRecord>, StoreError> {
        self.read(|i| async move {
            Ok(links::cases_where(&i.reader().await?.cx(), "case_id = $1", &[&case_id]).await?.pop())
        })
    }

    fn cases_of(&self, member_id: MemberId) -> Result<Vec<CaseRecord>, StoreError> {
        self.read(
            |i| async move { links::cases_where(&i.reader().await?.cx(), "member_id = $1", &[&member_id.0]).await },
        )
    }
}
