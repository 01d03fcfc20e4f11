//! `pg-scale`: the PostgreSQL scale benchmark of issue 11 (docs/benchmarks.md, "PostgreSQL at scale").
//!
//!   pg-scale load   --url URL --from 0 --count 10000000    COPY members FROM..FROM+COUNT of the synthetic
//!                                                         population (onshi_bench::scale) into onshi's schema
//!   pg-scale verify --addr 127.0.0.1:P --token T --members N --sample 1000
//!                                                         checks a spread sample through a running `onshi serve`
//!   pg-scale check  --addr … --token … --members N --seconds 30 --connections 32
//!                                                         eligibility checks of random members over HTTP
//!   pg-scale sql    --url URL --members N --seconds 30 --connections 32 [--log] [--by-my-number]
//!                                                         the engine's statements of a check, straight on PG
//!
//! The rows are the ones the engine writes at enrolment (crates/onshi-store/src/postgres/members.rs and
//! links.rs): a `members` row, its `member_entries` (the ledger's `Change` as JSON) and, for a linked member,
//! the `link_events` row `linked_at_enrolment`. Into an empty database the secondary indexes are dropped
//! before the COPY and built again after it (each timed); into a loaded one the COPY runs with every index in
//! place, as a national system adding members would. The COPY runs with `session_replication_role = replica`
//! (the foreign keys member_entries → members and link_events → members are not checked row by row: the
//! generator writes each member before its entries, and `verify` reads them back through onshi).

use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use bytes::Bytes;
use clap::{Parser, Subcommand};
use futures_util::SinkExt;
use onshi_bench::Load;
use onshi_bench::scale::{ScaleMember, expected_copay, scale_member, scramble};
use onshi_store::{PgOptions, PgStore};
use tokio_postgres::{Client, NoTls};

#[derive(Parser)]
#[command(version, about, verbatim_doc_comment)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Load members FROM..FROM+COUNT with COPY (the schema is onshi's: opening it migrates).
    Load {
        #[arg(long)]
        url: String,
        #[arg(long, default_value_t = 0)]
        from: u64,
        #[arg(long)]
        count: u64,
        /// Members per COPY chunk handed to the server.
        #[arg(long, default_value_t = 20_000)]
        chunk: u64,
    },
    /// Check a sample spread over members 0..MEMBERS through `onshi serve`: every one must be valid, with the
    /// law's copay, the member's name and birth date.
    Verify {
        #[arg(long)]
        addr: String,
        #[arg(long, env = "ONSHI_TOKEN")]
        token: String,
        #[arg(long)]
        members: u64,
        #[arg(long, default_value_t = 1000)]
        sample: u64,
    },
    /// Eligibility checks of random members 0..MEMBERS over HTTP for SECONDS.
    Check {
        #[arg(long)]
        addr: String,
        #[arg(long, env = "ONSHI_TOKEN")]
        token: String,
        #[arg(long)]
        members: u64,
        #[arg(long, default_value_t = 30)]
        seconds: u64,
        #[arg(long, default_value_t = 32)]
        connections: usize,
        /// Where in the sequence of random members to start (a new run asks for other members).
        #[arg(long, default_value_t = 0)]
        seed: u64,
    },
    /// The statements of a check by number, as the engine sends them, for random members on CONNECTIONS
    /// connections: the member rows by the card index and their entries; with --log, also the access-log
    /// insert committed (fsync) like every check's.
    Sql {
        #[arg(long)]
        url: String,
        #[arg(long)]
        members: u64,
        #[arg(long, default_value_t = 30)]
        seconds: u64,
        #[arg(long, default_value_t = 32)]
        connections: usize,
        #[arg(long)]
        log: bool,
        /// Look members up by My Number (the index of a check by card) instead of the card's numbers.
        #[arg(long)]
        by_my_number: bool,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().cmd {
        Cmd::Load { url, from, count, chunk } => load(&url, from, count, chunk).await,
        Cmd::Verify { addr, token, members, sample } => verify(&addr, &token, members, sample).await,
        Cmd::Check { addr, token, members, seconds, connections, seed } => {
            let load = Load {
                addr: &addr,
                token: &token,
                path: "/clinic/v1/eligibility",
                connections,
                count: u64::MAX,
                duration: Duration::from_secs(seconds),
                ok: 200,
            };
            let r = onshi_bench::run(load, move |i| scale_member(scramble(i + seed, members)).check_body()).await?;
            r.print(&format!("check over {members} members"));
            if r.errors > 0 {
                bail!("{} checks were not answered 200", r.errors);
            }
            Ok(())
        }
        Cmd::Sql { url, members, seconds, connections, log, by_my_number, seed } => {
            sql(&url, members, seconds, connections, log, by_my_number, seed).await
        }
    }
}

async fn connect(url: &str) -> anyhow::Result<Client> {
    let (client, conn) = tokio_postgres::connect(url, NoTls).await.with_context(|| format!("connecting to {url}"))?;
    tokio::spawn(async move {
        if let Err(e) = conn.await {
            eprintln!("pg-scale: connection: {e}");
        }
    });
    Ok(client)
}

// ---- load -------------------------------------------------------------------------------------------------

/// COPY's text format: backslash, tab, newline and carriage return escaped.
fn esc(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

fn opt(out: &mut String, s: Option<&str>) {
    match s {
        Some(s) => esc(out, s),
        None => out.push_str("\\N"),
    }
}

const MEMBERS_COPY: &str = "COPY members (member_id, insurer_number, symbol, number, number_key, branch, relationship, \
                            birth_date, sex, my_number, linkage) FROM STDIN";
const ENTRIES_COPY: &str = "COPY member_entries (seq, member_id, recorded_at, effective_on, change) FROM STDIN";
const LINKS_COPY: &str = "COPY link_events (id, member_id, action, my_number, previous, linkage, by_whom, note, \
                          request_id, recorded_at) FROM STDIN";

/// The three tables' rows of one member, appended in COPY text format (the columns and encodings of
/// onshi-store's `mapping`: dates ISO, times µs, changes and linkages as JSON).
fn rows(m: &ScaleMember, members: &mut String, entries: &mut String, links: &mut String) -> anyhow::Result<()> {
    let s = &m.history.statik;
    let k = &s.key;
    let linkage = m.linkage.as_ref().map(serde_json::to_string).transpose()?;
    let my_number = m.my_number.as_ref().map(|n| n.as_str());
    write!(members, "{}\t{}\t", m.member_id, k.insurer_number.as_str())?;
    opt(members, k.symbol.as_ref().map(|s| s.as_str()));
    members.push('\t');
    esc(members, k.number.as_str());
    members.push('\t');
    esc(members, k.number.match_key());
    write!(
        members,
        "\t{}\t{}\t{}\t{}\t",
        k.branch.as_str(),
        s.relationship.as_str(),
        s.birth_date.format("%Y-%m-%d"),
        s.sex.as_str()
    )?;
    opt(members, my_number);
    members.push('\t');
    opt(members, linkage.as_deref());
    members.push('\n');
    for e in &m.history.entries {
        write!(entries, "{}\t{}\t{}\t{}\t", e.seq.0, m.member_id, e.recorded_at.0, e.effective_on.format("%Y-%m-%d"))?;
        esc(entries, &serde_json::to_string(&e.change)?);
        entries.push('\n');
    }
    if let (Some(n), Some(l)) = (my_number, &linkage) {
        let at = m.history.entries.first().map_or(0, |e| e.recorded_at.0);
        write!(links, "{}\t{}\tlinked_at_enrolment\t{n}\t\\N\t", m.member_id, m.member_id)?;
        esc(links, l);
        writeln!(links, "\tenrolment\t\\N\t\t{at}")?;
    }
    Ok(())
}

/// One COPY fed from a channel of chunks; returns the rows the server counted.
async fn copy(
    client: Arc<Client>,
    sql: &'static str,
    mut rx: tokio::sync::mpsc::Receiver<Bytes>,
) -> anyhow::Result<u64> {
    client.batch_execute("SET session_replication_role = replica").await?;
    let sink = client.copy_in::<_, Bytes>(sql).await.with_context(|| sql)?;
    let mut sink = std::pin::pin!(sink);
    while let Some(b) = rx.recv().await {
        sink.send(b).await.with_context(|| sql)?;
    }
    let n = sink.as_mut().finish().await.with_context(|| sql)?;
    Ok(n)
}

async fn wal_lsn(c: &Client) -> anyhow::Result<String> {
    Ok(c.query_one("SELECT pg_current_wal_lsn()::text", &[]).await?.get(0))
}

async fn load(url: &str, from: u64, count: u64, chunk: u64) -> anyhow::Result<()> {
    // onshi's own opening: creates the database and applies the migrations
    let store_url = url.to_owned();
    tokio::task::spawn_blocking(move || PgStore::open(&store_url, PgOptions::default()).map(drop))
        .await?
        .context("opening the store (migrations)")?;
    let admin = connect(url).await?;
    admin.batch_execute("SET statement_timeout = 0").await?;
    let have: i64 = admin.query_one("SELECT count(*) FROM members", &[]).await?.get(0);
    let empty = have == 0;
    println!(
        "load: members {from}..{} into a table of {have} members ({})",
        from + count,
        if empty { "empty: secondary indexes dropped and built after" } else { "with every index in place" }
    );
    let mut indexes: Vec<(String, String)> = Vec::new();
    if empty {
        for r in admin
            .query(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('members', 'member_entries', 'link_events') \
                 AND indexname NOT LIKE '%_pkey' ORDER BY tablename DESC, indexname",
                &[],
            )
            .await?
        {
            indexes.push((r.get(0), r.get(1)));
        }
        for (name, _) in &indexes {
            admin.batch_execute(&format!("DROP INDEX {name}")).await?;
        }
    }
    let wal_before = wal_lsn(&admin).await?;
    let start = Instant::now();
    let (mtx, mrx) = tokio::sync::mpsc::channel::<Bytes>(4);
    let (etx, erx) = tokio::sync::mpsc::channel::<Bytes>(4);
    let (ltx, lrx) = tokio::sync::mpsc::channel::<Bytes>(4);
    let (c1, c2, c3) = (Arc::new(connect(url).await?), Arc::new(connect(url).await?), Arc::new(connect(url).await?));
    let t1 = tokio::spawn(copy(c1, MEMBERS_COPY, mrx));
    let t2 = tokio::spawn(copy(c2, ENTRIES_COPY, erx));
    let t3 = tokio::spawn(copy(c3, LINKS_COPY, lrx));
    let done = Arc::new(AtomicU64::new(0));
    let progress = {
        let done = done.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(30)).await;
                let d = done.load(Ordering::Relaxed);
                let s = start.elapsed().as_secs_f64();
                println!("  {d} members in {s:.0} s ({:.0}/s)", d as f64 / s);
            }
        })
    };
    let generator = tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
        let mut n = from;
        while n < from + count {
            let end = (n + chunk).min(from + count);
            let (mut m, mut e, mut l) = (String::new(), String::new(), String::new());
            for i in n..end {
                rows(&scale_member(i), &mut m, &mut e, &mut l)?;
            }
            mtx.blocking_send(Bytes::from(m)).context("the members COPY ended")?;
            etx.blocking_send(Bytes::from(e)).context("the entries COPY ended")?;
            if !l.is_empty() {
                ltx.blocking_send(Bytes::from(l)).context("the link events COPY ended")?;
            }
            done.fetch_add(end - n, Ordering::Relaxed);
            n = end;
        }
        Ok(())
    });
    let generated = generator.await?;
    let (m, e, l) = (t1.await?, t2.await?, t3.await?);
    progress.abort();
    generated?;
    let (m, e, l) = (m?, e?, l?);
    let copy_s = start.elapsed().as_secs_f64();
    println!(
        "copy: {m} members, {e} entries, {l} link events in {copy_s:.1} s = {:.0} members/s ({:.0} rows/s)",
        m as f64 / copy_s,
        (m + e + l) as f64 / copy_s
    );
    for (name, def) in &indexes {
        let t = Instant::now();
        admin.batch_execute(def).await.with_context(|| def.clone())?;
        println!("index {name}: built in {:.1} s", t.elapsed().as_secs_f64());
    }
    let t = Instant::now();
    admin
        .batch_execute(
            "SELECT setval('members_member_id_seq', (SELECT max(member_id) FROM members));
             SELECT setval('member_entries_seq', (SELECT max(seq) FROM member_entries));
             SELECT setval('link_events_id_seq', (SELECT max(id) FROM link_events));
             ANALYZE members; ANALYZE member_entries; ANALYZE link_events;",
        )
        .await?;
    println!("sequences and ANALYZE: {:.1} s", t.elapsed().as_secs_f64());
    let wal = admin
        .query_one("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1::text::pg_lsn)::bigint", &[&wal_before])
        .await?
        .get::<_, i64>(0);
    let total = start.elapsed().as_secs_f64();
    println!(
        "load total: {count} members in {total:.1} s = {:.0} members/s; WAL written {:.2} GB ({:.0} bytes a member)",
        count as f64 / total,
        wal as f64 / 1e9,
        wal as f64 / count as f64
    );
    Ok(())
}

// ---- verify -----------------------------------------------------------------------------------------------

async fn verify(addr: &str, token: &str, members: u64, sample: u64) -> anyhow::Result<()> {
    let mut conn = onshi_bench::Conn::connect(addr).await?;
    let mut picks: Vec<u64> = vec![0, members.saturating_sub(1)];
    picks.extend((0..sample.saturating_sub(2)).map(|i| scramble(i + 1_000_003, members)));
    let mut by_kind: std::collections::BTreeMap<&'static str, u64> = Default::default();
    let mut by_copay: std::collections::BTreeMap<u8, u64> = Default::default();
    for n in picks {
        let m = scale_member(n);
        let (status, body) = conn.post("/clinic/v1/eligibility", token, &m.check_body()).await?;
        let a: serde_json::Value = serde_json::from_slice(&body).with_context(|| format!("member {n}: answer"))?;
        if status != 200 {
            bail!("member {n}: {status} {a}");
        }
        let want = expected_copay(&m).context("no copay")?;
        let c = &a["coverage"];
        let got = (a["result"].as_str(), c["copay_ratio"].as_u64(), c["name"].as_str(), c["birth_date"].as_str());
        let birth = m.history.statik.birth_date.format("%Y-%m-%d").to_string();
        if got != (Some("valid"), Some(u64::from(want)), Some(m.name.as_str()), Some(birth.as_str())) {
            bail!("member {n} ({}): expected valid, copay {want}, {}, {birth}; got {a}", m.check_body(), m.name);
        }
        *by_kind.entry(m.key().insurer_number.kind().label_ja()).or_default() += 1;
        *by_copay.entry(want).or_default() += 1;
    }
    println!(
        "verify: {sample} members of {members} answered 有効 (valid) with the law's copay, name and birth date; \
         by kind {by_kind:?}; by copay % {by_copay:?}"
    );
    Ok(())
}

fn now_micros() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_micros() as i64)
}

// ---- sql --------------------------------------------------------------------------------------------------

async fn sql(
    url: &str,
    members: u64,
    seconds: u64,
    connections: usize,
    log: bool,
    by_my_number: bool,
    seed: u64,
) -> anyhow::Result<()> {
    let next = Arc::new(AtomicU64::new(seed << 40));
    let start = Instant::now();
    let duration = Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let (next, url) = (next.clone(), url.to_owned());
        tasks.push(tokio::spawn(async move {
            let mut c = connect(&url).await?;
            // the engine's statements (crates/onshi-store/src/postgres.rs, members.rs, cards.rs)
            let cols = "member_id, insurer_number, symbol, number, branch, relationship, birth_date, sex, my_number, linkage";
            let by_card = c
                .prepare(&format!(
                    "SELECT {cols} FROM members WHERE insurer_number = $1 AND number_key = $2 AND birth_date = $3"
                ))
                .await?;
            let by_mn = c.prepare(&format!("SELECT {cols} FROM members WHERE my_number = $1")).await?;
            let entries = c
                .prepare("SELECT member_id, seq, recorded_at, effective_on, change FROM member_entries WHERE member_id = ANY($1)")
                .await?;
            let insert = c
                .prepare(
                    "INSERT INTO access_log (at, role, subject, endpoint, member_id, my_number, request_id, outcome) \
                     VALUES ($1, 'clinic', '1311234567', 'eligibility', $2, NULL, 'pg-scale', 'valid')",
                )
                .await?;
            let mut h = hdrhistogram::Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?;
            let mut misses = 0u64;
            while start.elapsed() < duration {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let mut n = scramble(i, members);
                if by_my_number {
                    // the unlinked 7% have no My Number: take the next member
                    while scale_member(n).my_number.is_none() {
                        n = (n + 1) % members;
                    }
                }
                let m = scale_member(n);
                let k = m.key();
                let birth = m.history.statik.birth_date.format("%Y-%m-%d").to_string();
                let t = Instant::now();
                let rows = match &m.my_number {
                    Some(mn) if by_my_number => c.query(&by_mn, &[&mn.as_str()]).await?,
                    _ => c.query(&by_card, &[&k.insurer_number.as_str(), &k.number.match_key(), &birth]).await?,
                };
                let ids: Vec<i64> = rows.iter().map(|r| r.get(0)).collect();
                let found = c.query(&entries, &[&ids]).await?;
                if log {
                    let tx = c.transaction().await?;
                    tx.execute(&insert, &[&now_micros(), &ids.first().copied()]).await?;
                    tx.commit().await?;
                }
                h.record(t.elapsed().as_micros().max(1) as u64)?;
                if !ids.contains(&m.member_id) || found.is_empty() {
                    misses += 1;
                }
            }
            anyhow::Ok((h, misses))
        }));
    }
    let mut all = hdrhistogram::Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?;
    let mut misses = 0;
    for t in tasks {
        let (h, m) = t.await??;
        all.add(h)?;
        misses += m;
    }
    let s = start.elapsed().as_secs_f64();
    let q = |p: f64| all.value_at_quantile(p) as f64 / 1000.0;
    println!(
        "sql ({}{}) over {members} members, {connections} connections: {} lookups in {s:.1} s = {:.0}/s; \
         latency ms p50 {:.3} p90 {:.3} p99 {:.3} p99.9 {:.3} max {:.3}; {misses} not found",
        if by_my_number { "by My Number" } else { "by card" },
        if log { " + access-log insert committed" } else { ", reads only" },
        all.len(),
        all.len() as f64 / s,
        q(0.5),
        q(0.9),
        q(0.99),
        q(0.999),
        all.max() as f64 / 1000.0
    );
    if misses > 0 {
        bail!("{misses} members were not found");
    }
    Ok(())
}
