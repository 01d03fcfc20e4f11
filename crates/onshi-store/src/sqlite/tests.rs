use super::*;
#[path = "../../tests/common/members.rs"]
mod members;
use crate::schema;
use members::{d, mn, new_member};

#[test]
fn an_older_schema_is_migrated_on_open() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let mut c = Connection::open(dir.path().join("onshi.sqlite3")).expect("open raw");
        schema::migrate_to(&mut c, 1).expect("v1");
        c.execute(
            "INSERT INTO access_log (at, role, subject, endpoint, member_id, my_number, request_id)
             VALUES (1, 'clinic', '1311234567', 'POST /clinic/v1/eligibility', NULL, NULL, 'old')",
            [],
        )
        .expect("old row");
    }
    let s = SqliteStore::open(dir.path()).expect("open migrates");
    let v: i64 = s.read(|c| Ok(c.query_row("PRAGMA user_version", [], |r| r.get(0))?)).expect("version");
    assert_eq!(v, schema::current(schema::MAIN));
    // The old in-file access log was moved to the audit file, and is gone from the member data.
    let outcome: String = s
        .audit
        .read(|c| Ok(c.query_row("SELECT outcome FROM access_log WHERE request_id = 'old'", [], |r| r.get(0))?))
        .expect("old row kept");
    assert_eq!(outcome, "");
    let tables: i64 = s
        .read(|c| Ok(c.query_row("SELECT count(*) FROM sqlite_master WHERE name = 'access_log'", [], |r| r.get(0))?))
        .expect("schema");
    assert_eq!(tables, 0);
    drop(s);
    // Opening again changes nothing and duplicates nothing.
    let s = SqliteStore::open(dir.path()).expect("reopen");
    let n: i64 =
        s.audit.read(|c| Ok(c.query_row("SELECT count(*) FROM access_log", [], |r| r.get(0))?)).expect("count");
    assert_eq!(n, 1);
}

/// Migration 4 computes `number_key` in SQL: it must be `InsuredNumber::match_key` exactly.
/// The card lookup is answered from the index.
#[test]
fn the_card_lookup_uses_the_index() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = SqliteStore::open(dir.path()).expect("open");
    let plan: Vec<String> = s
        .read(|c| {
            let mut stmt = c.prepare(
                "EXPLAIN QUERY PLAN SELECT member_id FROM members
                 WHERE insurer_number = ?1 AND number_key = ?2 AND birth_date = ?3",
            )?;
            let rows = stmt.query_map(params!["06139992", "12345678", "1980-04-15"], |r| r.get::<_, String>(3))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .expect("plan");
    assert!(plan.iter().any(|p| p.contains("INDEX members_card (insurer_number=? AND number_key=?")), "{plan:?}");
}

#[test]
fn number_key_matches_the_rust_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let numbers = [
        "0",
        "00",
        "000000000",
        "1",
        "01",
        "001234567",
        "01234567",
        "1234567",
        "10",
        "100",
        "0100",
        "A012",
        "0A12",
        "012-3",
        "012番",
        "0 12",
        "０１２",
        "札幌01",
        "1234567890123456789",
        "00000000000000000001",
    ];
    {
        let mut c = Connection::open(dir.path().join("onshi.sqlite3")).expect("open raw");
        schema::migrate_to(&mut c, 3).expect("v3");
        for (i, n) in numbers.iter().enumerate() {
            let canonical = InsuredNumber::parse(n).expect("number");
            c.execute(
                "INSERT INTO members (insurer_number, symbol, number, branch, relationship, birth_date, sex)
                 VALUES ('06139992', NULL, ?1, ?2, 'insured', '1980-04-15', 'male')",
                params![canonical.as_str(), format!("{:02}", i)],
            )
            .expect("old row");
        }
    }
    let s = SqliteStore::open(dir.path()).expect("open migrates");
    let v: i64 = s.read(|c| Ok(c.query_row("PRAGMA user_version", [], |r| r.get(0))?)).expect("version");
    assert_eq!(v, schema::current(schema::MAIN));
    let rows: Vec<(String, String)> = s
        .read(|c| {
            let mut stmt = c.prepare("SELECT number, number_key FROM members ORDER BY member_id")?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .expect("rows");
    assert_eq!(rows.len(), numbers.len());
    for (number, key) in rows {
        let rust = InsuredNumber::parse(&number).expect("stored number");
        assert_eq!(key, rust.match_key(), "{number:?}");
    }
    // and the migrated rows are found by their key
    let found = s
        .members_by_card(
            &InsurerNumber::parse("06139992").expect("insurer"),
            &InsuredNumber::parse("1234567").expect("number"),
            d("1980-04-15"),
        )
        .expect("by card");
    let spellings: Vec<&str> = found.iter().map(|m| m.history.statik.key.number.as_str()).collect();
    assert_eq!(spellings, ["001234567", "01234567", "1234567"]);
}

#[test]
fn a_newer_schema_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let c = Connection::open(dir.path().join("onshi.sqlite3")).expect("open raw");
        c.pragma_update(None, "user_version", schema::current(schema::MAIN) + 1).expect("version");
    }
    assert!(matches!(SqliteStore::open(dir.path()), Err(StoreError::Open { .. })));
}

/// The statements of the eligibility check are prepared once per connection, not once per use: a plan that
/// depends on the bound values (as `ORDER BY` over an index column makes it) is re-prepared every time
/// rusqlite's statement cache hands the statement out again.
#[test]
fn hot_reads_are_not_reprepared() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = SqliteStore::open(dir.path()).expect("open");
    for i in 0..20 {
        s.enrol(new_member(&format!("{}", 100 + i), "00", Relationship::Insured, "2024-04-01")).wait().expect("enrol");
    }
    let insurer = InsurerNumber::parse("06139992").expect("insurer");
    for i in 0..60 {
        let number = InsuredNumber::parse(&format!("{}", 100 + i % 20)).expect("number");
        assert_eq!(s.members_by_card(&insurer, &number, d("1980-04-15")).expect("read").len(), 1);
    }
    let members = format!(
        "SELECT {MEMBER_COLUMNS} FROM members WHERE insurer_number = ?1 AND number_key = ?2 AND birth_date = ?3"
    );
    let entries = "SELECT seq, recorded_at, effective_on, change FROM member_entries WHERE member_id = ?1";
    for sql in [members.as_str(), entries] {
        let reprepared =
            s.read(|c| Ok(c.prepare_cached(sql)?.get_status(rusqlite::StatementStatus::RePrepare))).expect("status");
        assert!(reprepared <= 1, "{sql}: re-prepared {reprepared} times in 60 uses");
    }
    // the card check: the person's coverage by My Number, and the certificate lookup in the card registry
    for i in 0..60 {
        s.members_by_my_number(&mn(&format!("{:011}", 12345678901u64 + i % 20))).expect("read");
    }
    let by_person = format!("SELECT {MEMBER_COLUMNS} FROM members WHERE my_number = ?1");
    let reprepared =
        s.read(|c| Ok(c.prepare_cached(&by_person)?.get_status(rusqlite::StatementStatus::RePrepare))).expect("status");
    assert!(reprepared <= 1, "{by_person}: re-prepared {reprepared} times in 60 uses");
    for i in 0..20 {
        let rec = CertificateRecord {
            serial: format!("{:032X}", 0x1000 + i),
            my_number: mn("12345678901"),
            issued_on: d("2026-05-01"),
            expires_on: d("2031-04-15"),
            revocation: None,
        };
        s.put_certificate(rec).wait().expect("certificate");
    }
    for i in 0..60 {
        assert!(s.certificate(&format!("{:032X}", 0x1000 + i % 20)).expect("read").is_some());
    }
    let certificate = format!("{CERTIFICATE_SELECT} WHERE c.serial = ?1");
    let reprepared = s
        .cards
        .read(|c| Ok(c.prepare_cached(&certificate)?.get_status(rusqlite::StatementStatus::RePrepare)))
        .expect("status");
    assert!(reprepared <= 1, "{certificate}: re-prepared {reprepared} times in 60 uses");
}

fn credential(hash: [u8; 32], expires_at: Option<i64>) -> Credential {
    Credential {
        token_hash: hash,
        role: "clinic".into(),
        subject: "1311234567".into(),
        created_at: 1_700_000_000_000_000,
        expires_at,
        revoked_at: None,
    }
}

/// A job that breaks its own savepoint (releases it, so that the writer's RELEASE fails): the request is
/// answered with an error and nothing of it is committed.
#[test]
fn a_failed_savepoint_aborts_its_request_and_commits_nothing_of_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = SqliteStore::open(dir.path()).expect("open");
    let r = s
        .main
        .submit(|ctx| {
            ctx.conn.execute_batch("RELEASE job")?;
            credentials::put(&ctx.conn, &credential([5; 32], None))
        })
        .wait();
    assert!(r.is_err(), "a request whose savepoint failed was answered Ok");
    assert!(s.credentials().expect("creds").is_empty(), "a request whose savepoint failed was committed");
    // the writer goes on
    s.put_credential(credential([6; 32], None)).wait().expect("the next write");
    assert_eq!(s.credentials().expect("creds").len(), 1);
    s.health().expect("healthy");
}

#[test]
fn a_dead_writer_refuses_every_write_with_writer_stopped_and_health_says_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = SqliteStore::open(dir.path()).expect("open");
    s.health().expect("healthy at start");
    let r = s.fail_writer().wait();
    assert!(matches!(r, Err(StoreError::WriterStopped(_))), "{r:?}");
    assert!(matches!(s.health(), Err(StoreError::WriterStopped(_))));
    let next = s.put_credential(credential([4; 32], None)).wait();
    assert!(matches!(next, Err(StoreError::WriterStopped(_))), "{next:?}");
    assert!(s.credentials().expect("creds").is_empty());
    // reads still work
    assert!(s.resident(&mn("20240401003")).expect("read").is_none());
}
