//! The access log on PostgreSQL: a table partitioned by day (migration 2), written in batches.
//!
//! # Partitions
//! `access_log` is `PARTITION BY RANGE (at)`, one partition per **legal day in Japan** (00:00–24:00 JST,
//! UTC+9, `access_log_YYYYMMDD`), and a DEFAULT partition as a safety net. Japan's day rather than UTC's: the
//! questions asked of the log ("who read my data on 12月3日", retention counted in days) are asked in Japan's
//! days, and a JST midnight is 15:00 UTC's quiet hours — a partition is created or detached while clinics are
//! closed, never at 09:00 JST (UTC midnight), the morning peak of reception. The SQL function
//! `onshi_access_log_partition(day)` creates a day's partition (idempotent, under an advisory lock), moving
//! into it any line the DEFAULT partition took for that day. The store creates partitions ahead of need
//! ([`AHEAD_DAYS`] days, at open and every hour) and on demand: before a batch is inserted, every day it
//! touches that this store has not seen created yet is created. A line is never lost for want of a
//! partition: if its day's cannot be created (a lock, a privilege), the batch is written all the same and the
//! DEFAULT partition takes it, until its day's partition is created and takes it over.
//!
//! # Batches
//! [`log_access`] hands the line to a batcher on the store's runtime: concurrent requests' lines are taken
//! together (up to [`MAX_BATCH`]) and inserted with one multi-row `INSERT … SELECT FROM UNNEST(…)`, one
//! statement in its own transaction: one `COMMIT`, acknowledged by the synchronous standby quorum. Each
//! request's answer waits for its batch's commit; a batch that fails fails every line in it
//! ([`StoreError::Unavailable`], 503 `store_unavailable`): no answer leaves without its line. [`LANES`]
//! batches may be in flight at once, so that a batch forms while the previous one commits. Lines always go
//! to the primary, also for a read that a standby answered.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use onshi_ids::MyNumber;
use onshi_ledger::RecordedAt;
use tokio::sync::{Mutex, mpsc, oneshot};
use tokio_postgres::GenericClient;

use super::Inner;
use super::pool::Cx;
use crate::mapping::{my_number_of, my_number_text};
use crate::{AccessEntry, AccessRecord, MemberId, Pending, StoreError};

/// How many lines one batch may take.
pub(super) const MAX_BATCH: usize = 2048;
/// How many batches may be in flight at once.
pub(super) const LANES: usize = 2;
/// How many days ahead partitions are created.
pub(super) const AHEAD_DAYS: i64 = 7;
/// How often partitions are created ahead of need.
const AHEAD_EVERY: Duration = Duration::from_secs(3600);

const DAY_US: i64 = 86_400_000_000;
const JST_US: i64 = 9 * 3_600_000_000;

/// The legal day in Japan of a time (µs since the epoch), as days since 1970-01-01.
pub(crate) fn jst_day(at_us: i64) -> i64 {
    (at_us + JST_US).div_euclid(DAY_US)
}

/// One line waiting for its batch.
struct Line {
    entry: AccessEntry,
    done: oneshot::Sender<Result<(), StoreError>>,
}

/// The sending end of the batchers' queue.
pub(super) struct Batcher {
    tx: mpsc::UnboundedSender<Line>,
}

impl Batcher {
    /// Starts [`LANES`] batchers and the hourly creation of partitions on `handle`.
    pub(super) fn start(handle: &tokio::runtime::Handle, inner: Arc<Inner>) -> Batcher {
        let (tx, rx) = mpsc::unbounded_channel();
        let rx = Arc::new(Mutex::new(rx));
        let known = Arc::new(std::sync::Mutex::new(HashSet::new()));
        for _ in 0..LANES {
            handle.spawn(lane(inner.clone(), rx.clone(), known.clone()));
        }
        let weak = Arc::downgrade(&inner);
        handle.spawn(async move {
            let mut every = tokio::time::interval(AHEAD_EVERY);
            every.tick().await; // the first tick is now: the store made them at open
            loop {
                every.tick().await;
                let Some(inner) = weak.upgrade() else { return };
                if let Err(e) = create_ahead(&inner).await {
                    tracing::warn!(error = %e, "cannot create the access log's partitions ahead; lines go on being written");
                }
            }
        });
        Batcher { tx }
    }
}

/// Queues a line; the [`Pending`] resolves once its batch committed.
pub(super) fn log_access(b: &Batcher, entry: AccessEntry) -> Pending<()> {
    let (done, rx) = oneshot::channel();
    // if the batchers are gone (the store is closing) the line is dropped, which answers `Closed`
    let _ = b.tx.send(Line { entry, done });
    Pending(rx, None)
}

/// One batcher: takes every line queued (up to [`MAX_BATCH`]), writes them in one statement, answers them.
async fn lane(
    inner: Arc<Inner>,
    rx: Arc<Mutex<mpsc::UnboundedReceiver<Line>>>,
    known: Arc<std::sync::Mutex<HashSet<i64>>>,
) {
    loop {
        let batch = {
            let mut rx = rx.lock().await;
            let Some(first) = rx.recv().await else { return };
            let mut batch = vec![first];
            while batch.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(l) => batch.push(l),
                    Err(_) => break,
                }
            }
            batch
        };
        let limit = inner.op_timeout;
        let r = match tokio::time::timeout(limit, write_batch(&inner, &known, &batch)).await {
            Ok(r) => r,
            Err(_) => Err(super::timed_out(limit, true)),
        };
        match r {
            Ok(()) => {
                inner.note_write().await;
                for l in batch {
                    let _ = l.done.send(Ok(()));
                }
            }
            Err(e) => {
                let why = match e {
                    StoreError::Unavailable(m) => m,
                    e => e.to_string(),
                };
                tracing::error!(lines = batch.len(), error = %why, "an access-log batch failed: every request in it is refused");
                for l in batch {
                    let _ = l.done.send(Err(StoreError::Unavailable(format!(
                        "the access-log line could not be stored ({why}); nothing was answered"
                    ))));
                }
            }
        }
    }
}

/// Stamps the lines, makes sure their days have partitions, and inserts them in one statement.
async fn write_batch(inner: &Inner, known: &std::sync::Mutex<HashSet<i64>>, batch: &[Line]) -> Result<(), StoreError> {
    let n = batch.len();
    let (mut at, mut role, mut subject, mut endpoint) =
        (Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n));
    let (mut member, mut my_number, mut request, mut outcome) =
        (Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n));
    for l in batch {
        let e = &l.entry;
        at.push(inner.stamp().0);
        role.push(e.role.as_str());
        subject.push(e.subject.as_str());
        endpoint.push(e.endpoint.as_str());
        member.push(e.member_id.map(|m| m.0));
        my_number.push(e.my_number.as_ref().map(|n| n.as_str()));
        request.push(e.request_id.as_str());
        outcome.push(e.outcome.as_str());
    }
    let conn = inner.pool.get().await?;
    let c = conn.cx();
    let mut days: Vec<i64> = at.iter().map(|&t| jst_day(t)).collect();
    days.dedup();
    let missing: Vec<i64> = match known.lock() {
        Ok(k) => days.into_iter().filter(|d| !k.contains(d)).collect(),
        Err(_) => days,
    };
    if !missing.is_empty() {
        match create_days(&c, &missing).await {
            Ok(()) => {
                if let Ok(mut k) = known.lock() {
                    k.extend(missing);
                }
            }
            // the lines are written all the same: the DEFAULT partition takes them, and they move into their
            // day's partition when it is created (by the next batch of that day, or the hourly task)
            Err(e) => {
                tracing::warn!(error = %e, "cannot create an access-log partition; the DEFAULT one takes the lines")
            }
        }
    }
    c.execute(
        "INSERT INTO access_log (at, role, subject, endpoint, member_id, my_number, request_id, outcome)
         SELECT * FROM UNNEST($1::BIGINT[], $2::TEXT[], $3::TEXT[], $4::TEXT[], $5::BIGINT[], $6::TEXT[],
                              $7::TEXT[], $8::TEXT[])",
        &[&at, &role, &subject, &endpoint, &member, &my_number, &request, &outcome],
    )
    .await?;
    Ok(())
}

/// Creates the partitions of these days (days since 1970-01-01, Japan's legal days) when missing.
async fn create_days(c: &Cx<'_, impl GenericClient + Sync>, days: &[i64]) -> Result<(), StoreError> {
    let days: Vec<i32> = days.iter().map(|&d| d as i32).collect();
    c.execute("SELECT onshi_access_log_partition(DATE '1970-01-01' + d) FROM UNNEST($1::INT[]) AS d", &[&days]).await?;
    Ok(())
}

/// Creates the partitions of today (Japan's legal day, by the store's clock) and the next [`AHEAD_DAYS`] days.
pub(super) async fn create_ahead(inner: &Inner) -> Result<(), StoreError> {
    let today = jst_day(inner.now_micros());
    let days: Vec<i64> = (today..=today + AHEAD_DAYS).collect();
    let conn = inner.pool.get().await?;
    create_days(&conn.cx(), &days).await
}

/// The lines matching `clause`, newest first, at most `p[0]` (the limit, `$1`; the clause's own parameters
/// are `$2`…).
async fn lines(
    c: &Cx<'_, impl GenericClient + Sync>,
    clause: &str,
    p: &[&(dyn tokio_postgres::types::ToSql + Sync)],
) -> Result<Vec<AccessRecord>, StoreError> {
    let sql = format!(
        "SELECT at, role, subject, endpoint, member_id, my_number, request_id, outcome FROM access_log
         WHERE {clause} ORDER BY at DESC, id DESC LIMIT $1"
    );
    let rows = c.query(&sql, p).await?;
    rows.into_iter()
        .map(|r| {
            let mn: Option<String> = r.try_get(5)?;
            Ok(AccessRecord {
                at: RecordedAt(r.try_get(0)?),
                entry: AccessEntry {
                    role: r.try_get(1)?,
                    subject: r.try_get(2)?,
                    endpoint: r.try_get(3)?,
                    member_id: r.try_get::<_, Option<i64>>(4)?.map(MemberId),
                    my_number: my_number_of(mn.as_deref(), "my_number")?,
                    request_id: r.try_get(6)?,
                    outcome: r.try_get(7)?,
                },
            })
        })
        .collect()
}

/// The lines of a person or member record: naming the My Number (when given) or one of the member ids.
/// `my_number = NULL` is never true: a line recorded without a My Number is matched only by its member id.
pub(super) async fn access_log_of(
    c: &Cx<'_, impl GenericClient + Sync>,
    my_number: Option<MyNumber>,
    member_ids: Vec<i64>,
    limit: usize,
) -> Result<Vec<AccessRecord>, StoreError> {
    let n = my_number_text(my_number.as_ref());
    lines(c, "my_number = $2 OR member_id = ANY($3)", &[&(limit as i64), &n, &member_ids]).await
}

/// The lines recorded without a My Number.
pub(super) async fn without_my_number(
    c: &Cx<'_, impl GenericClient + Sync>,
    limit: usize,
) -> Result<Vec<AccessRecord>, StoreError> {
    lines(c, "my_number IS NULL", &[&(limit as i64)]).await
}
