//! The PostgreSQL engine's own tests (what every engine must do is in `conformance.rs`): migrations, the
//! statement timeout, and how an unreachable or read-only server is reported. They run when
//! `ONSHI_TEST_PG_URL` names a server, and fail without one when `ONSHI_REQUIRE_PG=1`.

use std::sync::mpsc;
use std::time::Duration;

use onshi_ids::{InsuredNumber, InsurerNumber};
use onshi_ledger::Relationship;
use onshi_store::{AccessEntry, MemberId, PgOptions, PgStore, Store, StoreError};

mod common;
use common::members::{d, new_member};
use common::{Fixture, PgFixture, on_server, query_i64};

fn options() -> PgOptions {
    PgOptions { create_database: false, ..PgOptions::default() }
}

#[test]
fn stores_opened_together_migrate_once_and_a_newer_schema_is_refused() {
    let Some(f) = PgFixture::new() else { return };
    let opened: Vec<_> = (0..4)
        .map(|_| {
            let url = f.url.clone();
            std::thread::spawn(move || PgStore::open(&url, options()).map(|_| ()))
        })
        .collect();
    for t in opened {
        t.join().expect("thread").expect("open");
    }
    // migrations 1, 2 and 3, once each
    assert_eq!(query_i64(&f.url, "SELECT count(*) FROM schema_migrations"), 3);
    // reopening changes nothing
    drop(f.open());
    assert_eq!(query_i64(&f.url, "SELECT count(*) FROM schema_migrations"), 3);
    // a database written by a newer build
    on_server(&f.url, "INSERT INTO schema_migrations (version) VALUES (999)".into());
    let r = PgStore::open(&f.url, options());
    assert!(matches!(&r, Err(StoreError::Open { reason, .. }) if reason.contains("newer onshi")), "{:?}", r.err());
}

/// A write that waits past `statement_timeout` (here on a lock another session holds) is refused as
/// unavailable and leaves nothing; once the lock is gone the same write is stored.
#[test]
fn a_write_held_past_the_statement_timeout_is_refused_and_leaves_no_trace() {
    let Some(f) = PgFixture::new() else { return };
    let store =
        PgStore::open(&f.url, PgOptions { statement_timeout: Duration::from_secs(1), ..options() }).expect("open");
    // another session holds the lock of the member key 06139992 / 900
    let (held_tx, held) = mpsc::channel::<()>();
    let (release, released) = mpsc::channel::<()>();
    let url = f.url.clone();
    let holder = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        rt.block_on(async {
            let (mut client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await.expect("connect");
            tokio::spawn(conn);
            let tx = client.transaction().await.expect("begin");
            tx.execute("SELECT pg_advisory_xact_lock(hashtextextended('onshi:member-key:06139992:900', 0))", &[])
                .await
                .expect("lock");
            held_tx.send(()).expect("signal");
            let _ = released.recv_timeout(Duration::from_secs(30));
            tx.rollback().await.expect("rollback");
        });
    });
    held.recv_timeout(Duration::from_secs(30)).expect("the lock is held");
    let r = store.enrol(new_member("900", "00", Relationship::Insured, "2020-04-01")).wait();
    assert!(matches!(&r, Err(StoreError::Unavailable(why)) if why.contains("statement_timeout")), "{r:?}");
    release.send(()).expect("release");
    holder.join().expect("holder");
    let insurer = InsurerNumber::parse("06139992").expect("insurer");
    let number = InsuredNumber::parse("900").expect("number");
    assert!(store.members_by_card(&insurer, &number, d("1980-04-15")).expect("read").is_empty());
    store
        .enrol(new_member("900", "00", Relationship::Insured, "2020-04-01"))
        .wait()
        .expect("stored once the lock is free");
    assert_eq!(store.members_by_card(&insurer, &number, d("1980-04-15")).expect("read").len(), 1);
}

#[test]
fn an_unreachable_or_read_only_server_is_reported_as_unavailable() {
    let Some(f) = PgFixture::new() else { return };
    // nothing listens on port 1
    let opts = PgOptions { connect_timeout: Duration::from_secs(2), ..options() };
    let r = PgStore::open("postgres://onshi@127.0.0.1:1/onshi", opts);
    assert!(matches!(&r, Err(StoreError::Unavailable(why)) if why.contains("cannot connect")), "{:?}", r.err());
    // a server that takes no writes (as a standby): refused at open, with the step to take
    drop(f.open());
    let read_only = format!("{}?options=-c%20default_transaction_read_only%3Don", f.url);
    let r = PgStore::open(&read_only, options());
    assert!(matches!(&r, Err(StoreError::Unavailable(why)) if why.contains("read-only")), "{:?}", r.err());
    // health answers once the server does
    let s = f.open();
    s.health().expect("healthy");
    // standby reads with no standby up: every read is answered by the primary
    let no_standby = f.url.replacen("/onshi_t_", ",127.0.0.1:1/onshi_t_", 1);
    let s = PgStore::open(&no_standby, PgOptions { standby_reads: true, ..options() }).expect("open");
    let m = s.enrol(new_member("910", "00", Relationship::Insured, "2020-04-01")).wait().expect("enrol");
    assert!(s.member(m.id).expect("read").is_some());
    assert_eq!(s.standby_reads_served(), 0);
}

/// With standby reads, every read answers every write this store acknowledged (read-your-writes): a standby
/// answers once it has replayed them, the primary otherwise. Runs when `ONSHI_TEST_PG_STANDBY_URL` names a
/// standby streaming from the server of `ONSHI_TEST_PG_URL`.
#[test]
fn standby_reads_see_every_acknowledged_write() {
    let Some(standby) = std::env::var("ONSHI_TEST_PG_STANDBY_URL").ok().filter(|u| !u.trim().is_empty()) else {
        eprintln!("ONSHI_TEST_PG_STANDBY_URL is not set: standby reads were not tested");
        return;
    };
    let Some(f) = PgFixture::new() else { return };
    // the primary's and the standby's hosts in one URL, on the fixture's database
    let hosts = |url: &str| {
        let rest = url.split_once("://").map_or(url, |(_, r)| r);
        let rest = rest.split(['/', '?']).next().unwrap_or(rest);
        rest.rsplit_once('@').map_or(rest, |(_, h)| h).to_owned()
    };
    let primary_hosts = hosts(&f.url);
    let both = f.url.replacen(&primary_hosts, &format!("{primary_hosts},{}", hosts(&standby)), 1);
    let sep = if both.contains('?') { '&' } else { '?' };
    let both = format!("{both}{sep}target_session_attrs=read-write");
    let s = PgStore::open(&both, PgOptions { standby_reads: true, ..options() }).expect("open with standby reads");
    let insurer = InsurerNumber::parse("06139992").expect("insurer");
    for i in 0..40 {
        let number = format!("{}", 1000 + i);
        let m = s.enrol(new_member(&number, "00", Relationship::Insured, "2020-04-01")).wait().expect("enrol");
        // read at once: never older than the write just acknowledged
        let read = s.member(m.id).expect("read").expect("the member just enrolled");
        assert_eq!(read.history.entries, m.history.entries);
        let by_card =
            s.members_by_card(&insurer, &InsuredNumber::parse(&number).expect("n"), d("1980-04-15")).expect("by card");
        assert_eq!(by_card.len(), 1, "{number}");
    }
    eprintln!("standby answered {} of the reads", s.standby_reads_served());
    // wait (bounded) until the standby has caught up, then a read is answered there
    let before = s.standby_reads_served();
    let served = (0..300).any(|_| {
        s.member(onshi_store::MemberId(1)).expect("read");
        let more = s.standby_reads_served() > before;
        if !more {
            std::thread::sleep(Duration::from_millis(50));
        }
        more
    });
    assert!(served, "no read was answered by the standby");
    // a read the standby served is logged on the primary before its answer would leave
    s.log_access(access_line(Some(1), "standby-read")).wait().expect("log");
    assert_eq!(query_i64(&f.url, "SELECT count(*) FROM access_log WHERE request_id = 'standby-read'"), 1);
}

fn access_line(member: Option<i64>, request_id: &str) -> AccessEntry {
    AccessEntry {
        role: "clinic".into(),
        subject: "1311234567".into(),
        endpoint: "POST /clinic/v1/eligibility".into(),
        member_id: member.map(MemberId),
        my_number: None,
        request_id: request_id.into(),
        outcome: "valid".into(),
    }
}

/// The access log is partitioned by Japan's legal day: today's and the next 7 days' partitions exist once a
/// store opened, a line lands in its day's partition (none in the DEFAULT one), and a line the DEFAULT
/// partition took (a day without a partition) moves into that day's partition when it is created.
#[test]
fn the_access_log_is_partitioned_by_day_in_japan_and_the_default_partition_is_a_safety_net() {
    let Some(f) = PgFixture::new() else { return };
    let s = f.open();
    let partitions = "SELECT count(*) FROM pg_inherits WHERE inhparent = 'access_log'::regclass";
    assert!(query_i64(&f.url, partitions) >= 9, "today, the next 7 days and DEFAULT");
    s.log_access(access_line(Some(1), "today")).wait().expect("log");
    assert_eq!(query_i64(&f.url, "SELECT count(*) FROM access_log_default"), 0);
    // the partition of a line is named by Japan's day: 2026-12-04 15:00 UTC is 2026-12-05 00:00 JST
    on_server(
        &f.url,
        "SELECT onshi_access_log_partition(DATE '2026-12-05');
         INSERT INTO access_log (at, role, subject, endpoint, request_id, outcome)
             VALUES (1796396400000000, 'clinic', 's', 'e', 'jst-midnight', 'valid')"
            .into(),
    );
    let day = "SELECT count(*) FROM access_log_20261205 WHERE request_id = 'jst-midnight'";
    assert_eq!(query_i64(&f.url, day), 1);
    // a line of a day without a partition (written by hand here, as by a writer that found none): the
    // DEFAULT partition keeps it, and it moves into its day's partition when that is created
    on_server(
        &f.url,
        "INSERT INTO access_log (at, role, subject, endpoint, request_id, outcome)
             VALUES (946652400000000, 'clinic', 's', 'e', 'y2k', 'valid')"
            .into(),
    );
    assert_eq!(query_i64(&f.url, "SELECT count(*) FROM access_log_default"), 1);
    on_server(&f.url, "SELECT onshi_access_log_partition(DATE '2000-01-01')".into());
    assert_eq!(query_i64(&f.url, "SELECT count(*) FROM access_log_default"), 0);
    assert_eq!(query_i64(&f.url, "SELECT count(*) FROM access_log_20000101 WHERE request_id = 'y2k'"), 1);
}

/// A batch that fails fails every line in it (503 `store_unavailable` for each request): no line is
/// acknowledged without being stored, and every acknowledged one is.
#[test]
fn a_failed_access_log_batch_fails_every_line_in_it_and_acknowledges_none_unstored() {
    let Some(f) = PgFixture::new() else { return };
    let s = std::sync::Arc::new(f.open());
    // a line the server refuses, logged among many others at once
    on_server(&f.url, "ALTER TABLE access_log ADD CONSTRAINT poison CHECK (request_id <> 'poison')".into());
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let s = s.clone();
            std::thread::spawn(move || {
                let pending: Vec<_> = (0..100)
                    .map(|i| {
                        let id = if t == 0 && i == 50 { "poison".to_owned() } else { format!("l{t}-{i}") };
                        (id.clone(), s.log_access(access_line(Some(1), &id)))
                    })
                    .collect();
                pending.into_iter().map(|(id, p)| (id, p.wait())).collect::<Vec<_>>()
            })
        })
        .collect();
    let results: Vec<(String, Result<(), StoreError>)> =
        threads.into_iter().flat_map(|t| t.join().expect("thread")).collect();
    let refused: Vec<&String> = results.iter().filter(|(_, r)| r.is_err()).map(|(id, _)| id).collect();
    assert!(refused.contains(&&"poison".to_owned()));
    for (id, r) in &results {
        if let Err(e) = r {
            assert!(matches!(e, StoreError::Unavailable(_)), "{e}");
        }
        let stored = query_i64(&f.url, &format!("SELECT count(*) FROM access_log WHERE request_id = '{id}'"));
        assert_eq!(stored, i64::from(r.is_ok()), "{id}: {r:?}");
    }
    eprintln!("{} of 400 lines shared the poisoned line's batch", refused.len());
}
