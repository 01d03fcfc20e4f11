//! The embedded engine: SQLite (bundled) in WAL mode with `synchronous=FULL`.
//!
//! One writer thread owns the only writing connection and commits queued writes in groups; readers take a
//! read-only connection from a small pool, so reads never wait for a commit.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{SystemTime, UNIX_EPOCH};

use onshi_ids::{InsuredNumber, InsurerNumber, MyNumber, Symbol};
use onshi_law::Date;
use onshi_ledger::{Change, Entry, MemberHistory, MemberKey, RecordedAt, Relationship, Seq};
use rusqlite::{Connection, OpenFlags, OptionalExtension, Row, params};

use crate::WriterHealth as _;
use crate::mapping::{
    self, CERTIFICATE_SELECT, CertificateCols, ENTRY_COLUMNS, EntryCols, MEMBER_COLUMNS, MemberCols, MemberRow,
    ResidentCols, corrupt, date_str, encode_change, encode_linkage, relationship_str, sex_str, symbol_param,
};
use crate::schema;
use crate::{
    AccessEntry, AccessRecord, CaseImport, CaseRecord, CaseWrite, CertificateRecord, ConsentRecord, Credential, Decide,
    LinkEvent, LinkWrite, MemberId, MemberRecord, NewMember, Pending, PutOutcome, ReaderRecord, RecordClock,
    RegistryEvent, Resident, ResidentWrite, Store, StoreError,
};

mod links;

/// How many queued writes one transaction may take.
const MAX_BATCH: usize = 1024;

type Deliver = Box<dyn FnOnce(Result<(), StoreError>) + Send>;
/// What a queued write does: runs in the writer's transaction, says whether it succeeded, and hands back how
/// to answer its request once the group's commit is known.
type JobFn = Box<dyn FnOnce(&mut WriterCtx) -> (bool, Deliver) + Send>;

/// A queued write: what it does, and whether it runs inside a savepoint of its own (a write of several
/// statements) or is one statement, which SQLite makes atomic by itself (an access-log line).
struct Job {
    run: JobFn,
    savepoint: bool,
}

/// The writer thread's state: the writing connection and the clocks it stamps entries with.
struct WriterCtx {
    conn: Connection,
    next_seq: i64,
    last_at: i64,
    clock: Option<Arc<dyn RecordClock>>,
}

impl WriterCtx {
    /// A recording time that never goes backwards, even if the clock does.
    fn stamp(&mut self) -> RecordedAt {
        let now = match &self.clock {
            Some(c) => c.now_micros(),
            None => SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_micros() as i64).unwrap_or(0),
        };
        self.last_at = now.max(self.last_at + 1);
        RecordedAt(self.last_at)
    }

    fn next_seq(&mut self) -> Seq {
        let s = self.next_seq;
        self.next_seq += 1;
        Seq(s as u64)
    }
}

/// Whether a database file's writer thread is still working. Set once, when the thread fails (a job
/// panicked): from then on every write is refused with [`StoreError::WriterStopped`] and `/healthz` says so.
pub(crate) struct WriterState {
    name: String,
    stopped: AtomicBool,
}

impl crate::WriterHealth for WriterState {
    fn stopped(&self) -> Option<StoreError> {
        self.stopped.load(Ordering::SeqCst).then(|| StoreError::WriterStopped(self.name.clone()))
    }
}

/// One SQLite file: a writer thread that owns the only writing connection, and a pool of read-only
/// connections.
struct Db {
    path: PathBuf,
    state: Arc<WriterState>,
    jobs: Mutex<Option<mpsc::Sender<Job>>>,
    writer: Mutex<Option<JoinHandle<()>>>,
    readers: Mutex<Vec<Connection>>,
    cache: CacheSize,
    /// Stops the checkpointer (dropping the sender) and waits for it.
    checkpointer: Mutex<Option<(mpsc::Sender<()>, JoinHandle<()>)>>,
}

/// How often the checkpointer copies the write-ahead log into the database file.
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(1000);
/// The write-ahead log's size (pages) at which the writer checkpoints by itself: only if the checkpointer
/// falls far behind (readers holding old snapshots), so that the log stays bounded.
const WRITER_CHECKPOINT_PAGES: i64 = 16_384;

fn open_error(path: &Path, reason: impl std::fmt::Display) -> StoreError {
    StoreError::Open { path: path.display().to_string(), reason: reason.to_string() }
}

/// Opens the writing connection of a database file, in WAL mode with full durability.
fn open_writer(path: &Path, cache: CacheSize) -> Result<Connection, StoreError> {
    let conn = Connection::open(path).map_err(|e| open_error(path, e))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    tune(&conn, cache)?;
    conn.set_prepared_statement_cache_capacity(64);
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    Ok(conn)
}

impl Db {
    /// Starts the writer thread on `ctx`.
    ///
    /// Checkpoints run on a thread of their own: SQLite's automatic checkpoint runs inside the commit that
    /// crosses the threshold, so every waiting request would wait for it too (measured: it set the p99 of the
    /// eligibility check, whose access-log line is committed before the answer leaves).
    fn start(path: &Path, name: &str, cache: CacheSize, mut ctx: WriterCtx) -> Result<Db, StoreError> {
        ctx.conn.pragma_update(None, "wal_autocheckpoint", WRITER_CHECKPOINT_PAGES)?;
        let checkpoints = Connection::open(path).map_err(|e| open_error(path, e))?;
        checkpoints.busy_timeout(std::time::Duration::from_secs(10))?;
        let (stop, stopped) = mpsc::channel::<()>();
        let checkpointer = std::thread::Builder::new()
            .name(format!("{name}-checkpoint"))
            .spawn(move || checkpoint_loop(&checkpoints, &stopped))
            .map_err(|e| open_error(path, format!("cannot start the checkpoint thread: {e}")))?;
        let (tx, rx) = mpsc::channel::<Job>();
        let file = path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_else(|| name.to_owned());
        let state = Arc::new(WriterState { name: file, stopped: AtomicBool::new(false) });
        let st = state.clone();
        let writer = std::thread::Builder::new()
            .name(name.into())
            .spawn(move || writer_loop(&mut ctx, rx, &st))
            .map_err(|e| open_error(path, format!("cannot start the writer thread: {e}")))?;
        Ok(Db {
            path: path.to_path_buf(),
            state,
            jobs: Mutex::new(Some(tx)),
            writer: Mutex::new(Some(writer)),
            readers: Mutex::new(Vec::new()),
            cache,
            checkpointer: Mutex::new(Some((stop, checkpointer))),
        })
    }

    /// Queues a write job; the returned [`Pending`] resolves once the job's transaction has committed.
    fn submit<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut WriterCtx) -> Result<T, StoreError> + Send + 'static,
    ) -> Pending<T> {
        self.submit_job(f, true)
    }

    /// [`Db::submit`] for a job of exactly one statement, which needs no savepoint: a statement that fails
    /// leaves nothing of itself (SQLite rolls the statement back), and the others of its group go on.
    fn submit_statement<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut WriterCtx) -> Result<T, StoreError> + Send + 'static,
    ) -> Pending<T> {
        self.submit_job(f, false)
    }

    fn submit_job<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut WriterCtx) -> Result<T, StoreError> + Send + 'static,
        savepoint: bool,
    ) -> Pending<T> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let state = self.state.clone();
        let run: JobFn = Box::new(move |ctx| {
            // A panicking write stops the writer: mark it before the reply is dropped, so that the request
            // (and every one after it) is answered `WriterStopped`, never a bare `Closed`.
            let r = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(ctx))) {
                Ok(r) => r,
                Err(p) => {
                    state.stopped.store(true, Ordering::SeqCst);
                    std::panic::resume_unwind(p)
                }
            };
            let ok = r.is_ok();
            let deliver: Deliver = Box::new(move |commit| {
                let _ = tx.send(commit.and(r));
            });
            (ok, deliver)
        });
        let job = Job { run, savepoint };
        // If the writer is gone, dropping the job answers it with `StoreError::WriterStopped` (a writer that
        // failed) or `StoreError::Closed` (a store closing).
        let sender = if self.state.stopped().is_none() { self.jobs.lock().ok().and_then(|g| g.clone()) } else { None };
        if let Some(s) = sender {
            let _ = s.send(job);
        }
        Pending(rx, Some(self.state.clone() as Arc<dyn crate::WriterHealth>))
    }

    /// `Err` once the writer thread has stopped.
    fn health(&self) -> Result<(), StoreError> {
        let finished = self.writer.lock().map(|g| g.as_ref().is_some_and(|h| h.is_finished())).unwrap_or(true);
        match self.state.stopped() {
            Some(e) => Err(e),
            None if finished => Err(StoreError::WriterStopped(self.state.name.clone())),
            None => Ok(()),
        }
    }

    /// Runs `f` on a pooled read-only connection, in one read transaction: every statement of `f` (a member's
    /// row, then its entries) sees the same snapshot, never a write committed between two of them.
    fn read<R>(&self, f: impl FnOnce(&Connection) -> Result<R, StoreError>) -> Result<R, StoreError> {
        let conn = self.readers.lock().ok().and_then(|mut p| p.pop());
        let conn = match conn {
            Some(c) => c,
            None => {
                let c = Connection::open_with_flags(
                    &self.path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?;
                c.busy_timeout(std::time::Duration::from_secs(10))?;
                tune(&c, self.cache)?;
                if self.cache.reader_mmap > 0 {
                    c.pragma_update(None, "mmap_size", self.cache.reader_mmap)?;
                }
                c.set_prepared_statement_cache_capacity(64);
                c
            }
        };
        let r = conn.prepare_cached("BEGIN").and_then(|mut s| s.execute([])).map_err(StoreError::from).and_then(|_| {
            let r = f(&conn);
            // a read transaction ends the same way whatever `f` answered; a connection that cannot end it is dropped
            conn.prepare_cached("COMMIT").and_then(|mut s| s.execute([])).map_err(StoreError::from).and(r)
        });
        if conn.is_autocommit() {
            if let Ok(mut p) = self.readers.lock() {
                p.push(conn);
            }
        }
        r
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        if let Ok(mut g) = self.jobs.lock() {
            g.take();
        }
        if let Some(h) = self.writer.lock().ok().and_then(|mut g| g.take()) {
            let _ = h.join();
        }
        if let Some((stop, h)) = self.checkpointer.lock().ok().and_then(|mut g| g.take()) {
            drop(stop);
            let _ = h.join();
        }
    }
}

/// Copies committed write-ahead-log frames into the database file every [`CHECKPOINT_EVERY`], without
/// blocking the writer or readers (`PASSIVE`), until `stopped` is closed.
fn checkpoint_loop(conn: &Connection, stopped: &mpsc::Receiver<()>) {
    while let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(CHECKPOINT_EVERY) {
        if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
            tracing::warn!(error = %e, "checkpoint failed; the writer will checkpoint when the log grows");
        }
    }
}

/// onshi's embedded store. Cheap to share behind an `Arc`.
///
/// Two files in the data directory: `onshi.sqlite3` (registry, members, credentials) and `audit.sqlite3`
/// (the access log). The access log is written on every clinic read; keeping it apart means those writes
/// never disturb the member data's page caches, and it can be retained, exported or archived on its own.
pub struct SqliteStore {
    main: Db,
    audit: Db,
    cards: Db,
}

/// The file names in a data directory.
pub const MAIN_FILE: &str = "onshi.sqlite3";
pub const AUDIT_FILE: &str = "audit.sqlite3";
/// The card registry (certificates, revocations, readers, consents): the issuing authority's records, kept
/// apart from the insurers' member data as J-LIS's are from the insurers'.
pub const CARDS_FILE: &str = "cards.sqlite3";

impl SqliteStore {
    /// Opens (creating if needed) the store in `dir`, migrating an older schema forward. Entries are stamped
    /// with the wall clock.
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        Self::open_inner(dir, None)
    }

    /// [`SqliteStore::open`] with the recording times taken from `clock` (still never going backwards): for
    /// a simulator that replays a world in simulated time.
    pub fn open_with_clock(dir: &Path, clock: Arc<dyn RecordClock>) -> Result<Self, StoreError> {
        Self::open_inner(dir, Some(clock))
    }

    fn open_inner(dir: &Path, clock: Option<Arc<dyn RecordClock>>) -> Result<Self, StoreError> {
        std::fs::create_dir_all(dir).map_err(|e| open_error(dir, e))?;
        let audit_path = dir.join(AUDIT_FILE);
        let mut audit = open_writer(&audit_path, CacheSize::AUDIT)?;
        schema::migrate(&mut audit, schema::AUDIT).map_err(|e| open_error(&audit_path, e))?;
        let path = dir.join(MAIN_FILE);
        let mut conn = open_writer(&path, CacheSize::MAIN)?;
        let from = schema::migrate_main(&mut conn, &audit_path).map_err(|e| open_error(&path, e))?;
        if from != schema::current(schema::MAIN) {
            tracing::info!(from, to = schema::current(schema::MAIN), "migrated the data directory's schema");
        }
        let next_seq: i64 = conn.query_row("SELECT COALESCE(MAX(seq), 0) + 1 FROM member_entries", [], |r| r.get(0))?;
        let last_at: i64 = conn.query_row(
            "SELECT MAX(COALESCE((SELECT MAX(recorded_at) FROM member_entries), 0),
                        COALESCE((SELECT MAX(recorded_at) FROM resident_versions), 0))",
            [],
            |r| r.get(0),
        )?;
        let audit_last: i64 = audit.query_row("SELECT COALESCE(MAX(at), 0) FROM access_log", [], |r| r.get(0))?;
        let cards_path = dir.join(CARDS_FILE);
        let mut cards = open_writer(&cards_path, CacheSize::CARDS)?;
        schema::migrate(&mut cards, schema::CARDS).map_err(|e| open_error(&cards_path, e))?;
        let cards_last: i64 = cards.query_row(
            "SELECT MAX(COALESCE((SELECT MAX(recorded_at) FROM certificates), 0),
                        COALESCE((SELECT MAX(revoked_at) FROM revocations), 0),
                        COALESCE((SELECT MAX(given_at) FROM consents), 0))",
            [],
            |r| r.get(0),
        )?;
        Ok(SqliteStore {
            main: Db::start(
                &path,
                "onshi-writer",
                CacheSize::MAIN,
                WriterCtx { conn, next_seq, last_at, clock: clock.clone() },
            )?,
            audit: Db::start(
                &audit_path,
                "onshi-audit",
                CacheSize::AUDIT,
                WriterCtx { conn: audit, next_seq: 0, last_at: audit_last, clock: clock.clone() },
            )?,
            cards: Db::start(
                &cards_path,
                "onshi-cards",
                CacheSize::CARDS,
                WriterCtx { conn: cards, next_seq: 0, last_at: cards_last, clock },
            )?,
        })
    }

    /// The member data's database file.
    pub fn path(&self) -> &Path {
        &self.main.path
    }

    /// Fault injection for tests (feature `fault-injection`): makes the member data's writer fail as a
    /// panicking write would. The returned write resolves once the writer has stopped.
    #[cfg(any(test, feature = "fault-injection"))]
    #[doc(hidden)]
    pub fn fail_writer(&self) -> Pending<()> {
        self.main.submit(|_| -> Result<(), StoreError> { panic!("injected writer failure (fault-injection)") })
    }

    fn submit<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut WriterCtx) -> Result<T, StoreError> + Send + 'static,
    ) -> Pending<T> {
        self.main.submit(f)
    }

    fn read<R>(&self, f: impl FnOnce(&Connection) -> Result<R, StoreError>) -> Result<R, StoreError> {
        self.main.read(f)
    }
}

/// How a database file's connections cache it: the page cache of every connection (KiB), and how much of the
/// file the read-only connections map into memory (bytes; SQLite caps it at its compiled maximum).
#[derive(Clone, Copy)]
struct CacheSize {
    cache_kib: i64,
    reader_mmap: i64,
}

impl CacheSize {
    /// The member data: a page cache for the hot indexes, and readers that map the file, so that an
    /// eligibility check reads its pages without copying them out of the OS cache (measured: 67 → 49 µs of
    /// server CPU per check against 1,000,000 members). The writer does not map: its file grows.
    const MAIN: CacheSize = CacheSize { cache_kib: 65_536, reader_mmap: 1 << 36 };
    /// The access log is appended to and rarely read: a small cache, because SQLite walks the whole cache at
    /// the end of every write transaction (measured as 4% of the server's time with the large one).
    const AUDIT: CacheSize = CacheSize { cache_kib: 2_048, reader_mmap: 0 };
    /// The card registry: a certificate lookup per card check, a consent written per check.
    const CARDS: CacheSize = CacheSize { cache_kib: 2_048, reader_mmap: 0 };
}

fn tune(c: &Connection, cache: CacheSize) -> Result<(), StoreError> {
    c.pragma_update(None, "cache_size", -cache.cache_kib)?;
    c.pragma_update(None, "temp_store", "MEMORY")?;
    Ok(())
}

/// Runs one transaction-control statement, prepared once per connection (parsing it for every write was a
/// measurable share of the writer's time).
fn run(c: &Connection, sql: &str) -> rusqlite::Result<()> {
    c.prepare_cached(sql)?.execute([]).map(|_| ())
}

/// The writer thread: takes queued jobs in groups, runs each inside a savepoint of one transaction and
/// commits the group with one fsync.
///
/// - A savepoint that cannot be opened, released or rolled back leaves the transaction in a state nobody
///   can vouch for: the whole group is rolled back and every job of it is refused (never committed).
/// - A job that panics stops the writer for good: the group is rolled back, the thread is marked stopped
///   (so every write from then on is refused with [`StoreError::WriterStopped`] and `/healthz` answers 503)
///   and ends.
fn writer_loop(ctx: &mut WriterCtx, rx: mpsc::Receiver<Job>, state: &WriterState) {
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(j) => batch.push(j),
                Err(_) => break,
            }
        }
        if let Err(e) = run(&ctx.conn, "BEGIN IMMEDIATE") {
            // Dropping the jobs answers each of them with `StoreError::Closed`: nothing was written.
            tracing::error!(error = %e, "cannot begin a write transaction; the batch is refused");
            drop(batch);
            continue;
        }
        let mut delivers = Vec::with_capacity(batch.len());
        let mut failed: Option<String> = None;
        for job in batch {
            if failed.is_some() {
                // the group is lost: the rest is not run, and dropping a job answers it `Closed`
                drop(job);
                continue;
            }
            if job.savepoint
                && let Err(e) = run(&ctx.conn, "SAVEPOINT job")
            {
                tracing::error!(error = %e, "savepoint failed; the group is refused");
                failed = Some(format!("a savepoint could not be opened: {e}"));
                drop(job);
                continue;
            }
            let savepoint = job.savepoint;
            let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| (job.run)(ctx)));
            let Ok((ok, deliver)) = ran else {
                // the writer stops: mark it first, so that every answer dropped below says why
                state.stopped.store(true, Ordering::SeqCst);
                tracing::error!(file = %state.name, "a write panicked: the writer stops; restart onshi");
                let _ = ctx.conn.execute_batch("ROLLBACK");
                return;
            };
            let end = if !savepoint {
                // some failures (I/O, a full disk) roll the whole transaction back: then the group is lost
                if ctx.conn.is_autocommit() {
                    failed = Some("a failed statement rolled the transaction back".into());
                }
                Ok(())
            } else if ok {
                run(&ctx.conn, "RELEASE job")
            } else {
                run(&ctx.conn, "ROLLBACK TO job").and_then(|()| run(&ctx.conn, "RELEASE job"))
            };
            if let Err(e) = end {
                tracing::error!(error = %e, "savepoint release failed; the group is refused");
                failed = Some(format!("a savepoint could not be ended: {e}"));
            }
            delivers.push(deliver);
        }
        if let Some(why) = failed {
            let _ = ctx.conn.execute_batch("ROLLBACK");
            for d in delivers {
                d(Err(StoreError::Corrupt(format!("the write was rolled back, nothing of it is stored: {why}"))));
            }
            continue;
        }
        match run(&ctx.conn, "COMMIT") {
            Ok(()) => {
                for d in delivers {
                    d(Ok(()));
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "commit failed; every write of the batch is refused");
                let _ = ctx.conn.execute_batch("ROLLBACK");
                let msg = e.to_string();
                for d in delivers {
                    d(Err(StoreError::Corrupt(format!("the commit failed: {msg}"))));
                }
            }
        }
    }
}

// ---- row mapping (the decoding is shared with the server engine: `crate::mapping`) ----------------------

fn resident_from_row(r: &Row<'_>) -> Result<Resident, StoreError> {
    ResidentCols {
        my_number: r.get(0)?,
        name: r.get(1)?,
        name_kana: r.get(2)?,
        birth_date: r.get(3)?,
        sex: r.get(4)?,
        address: r.get(5)?,
        recorded_at: r.get(6)?,
    }
    .decode()
}

fn member_row(r: &Row<'_>) -> Result<MemberRow, StoreError> {
    MemberCols {
        id: r.get(0)?,
        insurer: r.get(1)?,
        symbol: r.get(2)?,
        number: r.get(3)?,
        branch: r.get(4)?,
        relationship: r.get(5)?,
        birth_date: r.get(6)?,
        sex: r.get(7)?,
        my_number: r.get(8)?,
        linkage: r.get(9)?,
    }
    .decode()
}

// The hot queries below have no `ORDER BY`: the rows are sorted in Rust instead. With `ORDER BY` over an
// index column, SQLite's planner makes the plan depend on the bound values, so that every reuse of the
// statement from rusqlite's cache (which clears the bindings) re-prepares it: measured as 15% of the
// server's time under an eligibility-check load.

fn entries_of(conn: &Connection, id: MemberId) -> Result<Vec<Entry>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {ENTRY_COLUMNS} FROM member_entries WHERE member_id = ?1"))?;
    let mut rows = stmt.query([id.0])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(
            EntryCols { seq: r.get(0)?, recorded_at: r.get(1)?, effective_on: r.get(2)?, change: r.get(3)? }
                .decode()?,
        );
    }
    Ok(out)
}

fn attach(conn: &Connection, row: MemberRow) -> Result<MemberRecord, StoreError> {
    let entries = entries_of(conn, row.id)?;
    Ok(row.with_entries(entries))
}

fn members_where(
    conn: &Connection,
    clause: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<MemberRecord>, StoreError> {
    let sql = format!("SELECT {MEMBER_COLUMNS} FROM members WHERE {clause}");
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(params)?;
    let mut found = Vec::new();
    while let Some(r) = rows.next()? {
        found.push(member_row(r)?);
    }
    found.sort_unstable_by_key(|m| m.id);
    found.into_iter().map(|m| attach(conn, m)).collect()
}

fn member_by_id(conn: &Connection, id: MemberId) -> Result<Option<MemberRecord>, StoreError> {
    Ok(members_where(conn, "member_id = ?1", [id.0])?.pop())
}

fn insert_entry(ctx: &mut WriterCtx, id: MemberId, e: &Entry) -> Result<(), StoreError> {
    let change = encode_change(&e.change)?;
    ctx.conn
        .prepare_cached(
            "INSERT INTO member_entries (seq, member_id, recorded_at, effective_on, change)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![e.seq.0 as i64, id.0, e.recorded_at.0, date_str(e.effective_on), change])?;
    Ok(())
}

/// Refuses a period that would overlap another record of the same key (insurer, symbol, branch, and the number
/// compared on its key: 0123 = 123); `except` is the record being changed itself (None when enrolling). The
/// decision is the shared [`mapping::refuse_overlap`] (the ledger's `periods_overlap`).
fn refuse_overlap(
    conn: &Connection,
    key: &MemberKey,
    except: Option<MemberId>,
    period: (Date, Option<Date>),
) -> Result<(), StoreError> {
    // member ids are SQLite rowids, never 0
    let same_key = members_where(
        conn,
        "insurer_number = ?1 AND number_key = ?2 AND symbol IS ?3 AND branch = ?4 AND member_id <> ?5",
        params![
            key.insurer_number.as_str(),
            key.number.match_key(),
            symbol_param(&key.symbol),
            key.branch.as_str(),
            except.map_or(0, |id| id.0)
        ],
    )?;
    mapping::refuse_overlap(&same_key, period)
}

/// Appends `changes` to a member's history inside the writing transaction, each validated by the ledger after
/// the previous one; the period that results must not overlap another record of the same key.
fn append_entries(ctx: &mut WriterCtx, id: MemberId, changes: Vec<(Date, Change)>) -> Result<MemberRecord, StoreError> {
    let mut rec = member_by_id(&ctx.conn, id)?.ok_or(StoreError::MemberNotFound(id))?;
    let mut added = Vec::with_capacity(changes.len());
    for (effective_on, change) in changes {
        let entry = Entry { seq: ctx.next_seq(), recorded_at: ctx.stamp(), effective_on, change };
        rec.history.append(entry.clone())?;
        added.push(entry);
    }
    // A correction of the period must not make it overlap another record of the same key.
    refuse_overlap(&ctx.conn, &rec.history.statik.key, Some(id), rec.history.period(None))?;
    for entry in &added {
        insert_entry(ctx, id, entry)?;
    }
    Ok(rec)
}

// The certificate lookup is on the card check's path: see `mapping::CERTIFICATE_SELECT` for its shape.
fn certificates_where(
    c: &Connection,
    clause: &str,
    p: impl rusqlite::Params,
) -> Result<Vec<CertificateRecord>, StoreError> {
    let mut stmt = c.prepare_cached(&format!("{CERTIFICATE_SELECT} WHERE {clause}"))?;
    let mut rows = stmt.query(p)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(CertificateCols {
            serial: r.get(0)?,
            my_number: r.get(1)?,
            issued_on: r.get(2)?,
            expires_on: r.get(3)?,
            revocation_reason: r.get(4)?,
            revoked_at: r.get(5)?,
            recorded_at: r.get(6)?,
        });
    }
    mapping::certificates(out)
}

mod store;

mod credentials;

mod registry_events;
#[cfg(test)]
mod tests;
