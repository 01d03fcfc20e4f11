use super::*;
use crate::schema;
use onshi_ids::Branch;
use onshi_ledger::{MemberStatic, Sex};

fn d(s: &str) -> Date {
    onshi_law::parse_iso_date(s).expect("test date")
}

fn mn(body: &str) -> MyNumber {
    MyNumber::from_body(body).expect("test my number")
}

fn statik(number: &str, branch: &str, rel: Relationship) -> MemberStatic {
    MemberStatic {
        key: MemberKey {
            insurer_number: InsurerNumber::parse("06139992").expect("insurer"),
            symbol: Some(Symbol::parse("1").expect("symbol")),
            number: InsuredNumber::parse(number).expect("number"),
            branch: Branch::parse(branch).expect("branch"),
        },
        relationship: rel,
        birth_date: d("1980-04-15"),
        sex: Sex::Male,
    }
}

fn acquire(name: &str) -> Change {
    Change::Acquire {
        name: name.into(),
        name_kana: "ヤマダ タロウ".into(),
        address: "東京都千代田区永田町二丁目1番2号".into(),
        income_bracket: None,
        copay_override: None,
    }
}

fn new_member(number: &str, branch: &str, rel: Relationship, acquired: &str) -> NewMember {
    NewMember {
        statik: statik(number, branch, rel),
        my_number: None,
        linkage: None,
        acquired_on: d(acquired),
        acquire: acquire("山田 太郎"),
    }
}

fn resident(n: &MyNumber, name: &str) -> ResidentWrite {
    ResidentWrite {
        my_number: *n,
        name: name.into(),
        name_kana: "ヤマダ タロウ".into(),
        birth_date: d("1980-04-15"),
        sex: Sex::Male,
        address: "東京都千代田区永田町二丁目1番2号".into(),
    }
}

#[test]
fn residents_are_replaced_but_their_history_is_kept() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = SqliteStore::open(dir.path()).expect("open");
    let n = mn("20240401001");
    assert_eq!(s.put_resident(resident(&n, "山田 太郎")).wait().expect("put"), PutOutcome::Created);
    assert_eq!(s.put_resident(resident(&n, "山田 太朗")).wait().expect("put"), PutOutcome::Replaced);
    assert_eq!(s.resident(&n).expect("read").map(|r| r.name), Some("山田 太朗".to_owned()));
    let names: Vec<String> = s.resident_versions(&n).expect("versions").into_iter().map(|r| r.name).collect();
    assert_eq!(names, ["山田 太郎", "山田 太朗"]);
    assert_eq!(s.residents_born_on(d("1980-04-15")).expect("by birth").len(), 1);
    assert!(s.residents_born_on(d("1980-04-16")).expect("by birth").is_empty());
}

#[test]
fn names_are_stored_exactly_as_given() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = SqliteStore::open(dir.path()).expect("open");
    let n = mn("20240401002");
    // A compatibility ideograph (U+FA19) and an ideographic variation sequence must come back unchanged.
    let name = "\u{FA19}田 葛\u{E0100}子";
    s.put_resident(resident(&n, name)).wait().expect("put");
    assert_eq!(s.resident(&n).expect("read").map(|r| r.name), Some(name.to_owned()));
}

#[test]
fn enrolment_refuses_overlapping_duplicates_but_allows_a_later_period() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = SqliteStore::open(dir.path()).expect("open");
    let first = s.enrol(new_member("100", "00", Relationship::Insured, "2020-04-01")).wait().expect("enrol");
    let dup = s.enrol(new_member("100", "00", Relationship::Insured, "2022-04-01")).wait();
    assert!(matches!(dup, Err(StoreError::Duplicate { existing, .. }) if existing == first.id));
    s.append(first.id, d("2023-04-01"), Change::Lose { reason: None }).wait().expect("lose");
    // After the loss, a re-acquisition from the loss date does not overlap.
    let again = s.enrol(new_member("100", "00", Relationship::Insured, "2023-04-01")).wait().expect("re-enrol");
    assert_ne!(again.id, first.id);
    let both = s.members_by_card(
        &InsurerNumber::parse("06139992").expect("insurer"),
        &InsuredNumber::parse("100").expect("number"),
        d("1980-04-15"),
    );
    assert_eq!(both.expect("by card").len(), 2);
}

#[test]
fn an_enrolment_cancelled_on_its_first_day_does_not_block_the_corrected_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = SqliteStore::open(dir.path()).expect("open");
    // Enrolled from the wrong date, then lost on that same day: an empty period, no day of coverage.
    let wrong = s.enrol(new_member("110", "00", Relationship::Insured, "2024-04-01")).wait().expect("enrol");
    s.append(wrong.id, d("2024-04-01"), Change::Lose { reason: None }).wait().expect("cancel");
    // The corrected enrolment, from an earlier date, shares no day with it.
    let corrected = s.enrol(new_member("110", "00", Relationship::Insured, "2024-03-01")).wait();
    assert!(corrected.is_ok(), "{corrected:?}");
    // ... and so does one from a later date, and an open period that surrounds it
    let mut other = new_member("111", "00", Relationship::Insured, "2024-04-01");
    let cancelled = s.enrol(other.clone()).wait().expect("enrol");
    s.append(cancelled.id, d("2024-04-01"), Change::Lose { reason: None }).wait().expect("cancel");
    other.acquired_on = d("2020-01-01");
    assert!(s.enrol(other).wait().is_ok());
    // A real period still blocks.
    let dup = s.enrol(new_member("110", "00", Relationship::Insured, "2024-05-01")).wait();
    assert!(matches!(dup, Err(StoreError::Duplicate { .. })), "{dup:?}");
}

#[test]
fn a_dependent_needs_an_insured_member() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = SqliteStore::open(dir.path()).expect("open");
    let orphan = s.enrol(new_member("200", "01", Relationship::Dependent, "2020-04-01")).wait();
    assert!(matches!(orphan, Err(StoreError::InsuredNotFound)));
    s.enrol(new_member("200", "00", Relationship::Insured, "2020-04-01")).wait().expect("insured");
    s.enrol(new_member("200", "01", Relationship::Dependent, "2020-04-01")).wait().expect("dependent");
}

#[test]
fn a_refused_write_leaves_no_trace_and_does_not_disturb_its_batch() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = SqliteStore::open(dir.path()).expect("open");
    let ok = s.enrol(new_member("300", "00", Relationship::Insured, "2020-04-01")).wait().expect("enrol");
    // Queue a refused append (loss before acquisition) between two good writes without waiting, so that
    // they are likely committed in one group.
    let a = s.append(
        ok.id,
        d("2021-01-01"),
        Change::Update {
            name: Some("山田 太朗".into()),
            name_kana: None,
            address: None,
            income_bracket: None,
            copay_override: None,
        },
    );
    let bad = s.append(ok.id, d("2019-01-01"), Change::Lose { reason: None });
    let c = s.enrol(new_member("301", "00", Relationship::Insured, "2020-04-01"));
    assert!(a.wait().is_ok());
    assert!(matches!(bad.wait(), Err(StoreError::Ledger(_))));
    assert!(c.wait().is_ok());
    let rec = s.member(ok.id).expect("read").expect("exists");
    assert_eq!(rec.history.entries.len(), 2, "the refused loss must not be stored");
    assert!(rec.history.entries.iter().all(|e| !matches!(e.change, Change::Lose { .. })));
}

#[test]
fn entries_get_increasing_sequence_numbers_and_times() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = SqliteStore::open(dir.path()).expect("open");
    let m = s.enrol(new_member("400", "00", Relationship::Insured, "2020-04-01")).wait().expect("enrol");
    for i in 0..20 {
        s.append(
            m.id,
            d("2021-01-01"),
            Change::Update {
                name: Some(format!("名前{i}")),
                name_kana: None,
                address: None,
                income_bracket: None,
                copay_override: None,
            },
        )
        .wait()
        .expect("append");
    }
    let rec = s.member(m.id).expect("read").expect("exists");
    let e = &rec.history.entries;
    assert_eq!(e.len(), 21);
    assert!(e.windows(2).all(|w| w[0].seq < w[1].seq && w[0].recorded_at < w[1].recorded_at));
}

#[test]
fn everything_survives_a_reopen() {
    let dir = tempfile::tempdir().expect("tempdir");
    let n = mn("20240401003");
    let id = {
        let s = SqliteStore::open(dir.path()).expect("open");
        s.put_resident(resident(&n, "山田 太郎")).wait().expect("put");
        s.put_credential(credential([7; 32], Some(1_900_000_000_000_000))).wait().expect("credential");
        let m = s.enrol(new_member("500", "00", Relationship::Insured, "2020-04-01")).wait().expect("enrol");
        s.log_access(AccessEntry {
            role: "clinic".into(),
            subject: "1311234567".into(),
            endpoint: "POST /clinic/v1/eligibility".into(),
            member_id: Some(m.id),
            my_number: Some(n),
            request_id: "r1".into(),
            outcome: "valid".into(),
        })
        .wait()
        .expect("log");
        m.id
    };
    let s = SqliteStore::open(dir.path()).expect("reopen");
    assert!(s.resident(&n).expect("read").is_some());
    assert_eq!(s.credentials().expect("creds"), vec![credential([7; 32], Some(1_900_000_000_000_000))]);
    assert!(s.member(id).expect("read").is_some());
    let log = s.access_log_for(Some(&n), &[id], 10).expect("log");
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].entry.outcome, "valid");
    // New entries continue after the old ones.
    let m2 = s.enrol(new_member("501", "00", Relationship::Insured, "2020-04-01")).wait().expect("enrol");
    let old = s.member(id).expect("read").expect("exists");
    assert!(m2.history.entries[0].seq > old.history.entries[0].seq);
}

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

/// Seed 「8桁でオンライン確認を行うと資格なし、9桁で行ってみると資格あり」: the store finds members by the key of
/// their number (leading zeros folded), from an index, and keeps the number as given.
#[test]
fn members_are_found_by_the_key_of_their_number() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = SqliteStore::open(dir.path()).expect("open");
    let insurer = InsurerNumber::parse("06139992").expect("insurer");
    let nine = s.enrol(new_member("012345678", "00", Relationship::Insured, "2020-04-01")).wait().expect("enrol");
    for asked in ["012345678", "12345678", "0012345678", "０１２３４５６７８"] {
        let found = s
            .members_by_card(&insurer, &InsuredNumber::parse(asked).expect("number"), d("1980-04-15"))
            .expect("by card");
        assert_eq!(found.iter().map(|m| m.id).collect::<Vec<_>>(), [nine.id], "{asked}");
        assert_eq!(found[0].history.statik.key.number.as_str(), "012345678", "stored as given");
    }
    for other in ["123456780", "112345678", "A12345678"] {
        let found = s
            .members_by_card(&insurer, &InsuredNumber::parse(other).expect("number"), d("1980-04-15"))
            .expect("by card");
        assert!(found.is_empty(), "{other}");
    }
    // a dependent written with another count of zeros belongs to the same household
    let dep = s.enrol(new_member("12345678", "01", Relationship::Dependent, "2020-04-01")).wait().expect("dependent");
    assert_eq!(dep.history.statik.key.number.as_str(), "12345678");
    let insured = s
        .insured_of(&insurer, Some(&Symbol::parse("1").expect("symbol")), &InsuredNumber::parse("12345678").expect("n"))
        .expect("insured");
    assert_eq!(insured.iter().map(|m| m.id).collect::<Vec<_>>(), [nine.id]);
    // the same number with other zeros, same branch, overlapping dates: a duplicate, which names the spelling
    let dup = s.enrol(new_member("0012345678", "00", Relationship::Insured, "2022-04-01")).wait();
    assert!(
        matches!(&dup, Err(StoreError::Duplicate { existing, number }) if *existing == nine.id && number == "012345678"),
        "{dup:?}"
    );
    // after a loss, the new spelling may follow (the insurer changed its number of digits)
    let lost = s.append(nine.id, d("2024-01-01"), Change::Lose { reason: None }).wait().expect("lose");
    let lose_seq = lost.history.entries.last().map(|e| e.seq).expect("the loss");
    let eight =
        s.enrol(new_member("12345678", "00", Relationship::Insured, "2024-01-01")).wait().expect("new spelling");
    let both = s
        .members_by_card(&insurer, &InsuredNumber::parse("12345678").expect("number"), d("1980-04-15"))
        .expect("by card");
    assert_eq!(both.iter().map(|m| m.id).collect::<Vec<_>>(), [nine.id, dep.id, eight.id]);
    // voiding the old record's loss would make it overlap the new spelling's period: refused too
    let back =
        s.append(nine.id, d("2024-01-01"), Change::Void { target: lose_seq, reason: "誤登録".into(), by: None }).wait();
    assert!(matches!(&back, Err(StoreError::Duplicate { existing, .. }) if *existing == eight.id), "{back:?}");
    // the lookup is answered from the index
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

/// Migration 4 computes `number_key` in SQL: it must be `InsuredNumber::match_key` exactly.
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

#[test]
fn many_concurrent_writers_are_all_committed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = std::sync::Arc::new(SqliteStore::open(dir.path()).expect("open"));
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let s = s.clone();
            std::thread::spawn(move || {
                let pending: Vec<_> = (0..50)
                    .map(|i| {
                        s.enrol(new_member(
                            &format!("{}", 1000 + t * 100 + i),
                            "00",
                            Relationship::Insured,
                            "2020-04-01",
                        ))
                    })
                    .collect();
                pending.into_iter().map(|p| p.wait().map(|m| m.id)).collect::<Vec<_>>()
            })
        })
        .collect();
    let mut ids = Vec::new();
    for t in threads {
        for r in t.join().expect("thread") {
            ids.push(r.expect("enrol"));
        }
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 400);
    for id in ids {
        assert!(s.member(id).expect("read").is_some());
    }
}

#[test]
fn certificates_revocations_readers_and_consents_are_durable() {
    let dir = tempfile::tempdir().expect("dir");
    let serial = "0123456789ABCDEF0123456789ABCDEF".to_owned();
    {
        let s = SqliteStore::open(dir.path()).expect("open");
        let rec = CertificateRecord {
            serial: serial.clone(),
            my_number: mn("12345678901"),
            issued_on: d("2026-05-01"),
            expires_on: d("2031-04-15"),
            revocation: None,
        };
        s.put_certificate(rec.clone()).wait().expect("put");
        assert!(matches!(s.put_certificate(rec.clone()).wait(), Err(StoreError::DuplicateCertificate(_))));
        assert_eq!(s.certificate(&serial).expect("read"), Some(rec));
        assert!(matches!(
            s.revoke_certificate("FF".into(), "lost".into()).wait(),
            Err(StoreError::CertificateNotFound(_))
        ));
        let revoked = s.revoke_certificate(serial.clone(), "lost".into()).wait().expect("revoke");
        assert_eq!(revoked.revocation.as_ref().map(|r| r.reason.as_str()), Some("lost"));
        // the first revocation stands
        let again = s.revoke_certificate(serial.clone(), "returned".into()).wait().expect("revoke");
        assert_eq!(again.revocation.map(|r| r.reason), Some("lost".into()));
        s.put_reader(ReaderRecord { reader_id: "r1".into(), institution: "1311234567".into(), public_key: vec![1, 2] })
            .wait()
            .expect("reader");
        for (i, med) in [(1, true), (2, false)] {
            s.record_consent(ConsentRecord {
                my_number: mn("12345678901"),
                institution: "1311234567".into(),
                medication: med,
                checkup: true,
                given_at: i,
                expires_at: i + 10,
                request_id: format!("q{i}"),
            })
            .wait()
            .expect("consent");
        }
    }
    let s = SqliteStore::open(dir.path()).expect("reopen");
    let c = s.certificate(&serial).expect("read").expect("kept");
    assert_eq!(c.revocation.map(|r| r.reason), Some("lost".into()));
    assert_eq!(s.certificates_of(&mn("12345678901")).expect("of").len(), 1);
    assert_eq!(s.reader("r1").expect("reader").map(|r| r.public_key), Some(vec![1, 2]));
    assert_eq!(s.reader("r2").expect("reader"), None);
    let consents = s.consents(&mn("12345678901"), "1311234567", 10).expect("consents");
    assert_eq!(consents.iter().map(|c| c.medication).collect::<Vec<_>>(), vec![false, true], "newest first");
    assert!(s.consents(&mn("12345678901"), "1319999999", 10).expect("other").is_empty());
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

/// Several certificates of one person come back in the order they were issued.
#[test]
fn a_persons_certificates_come_in_issue_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = SqliteStore::open(dir.path()).expect("open");
    let serials =
        ["FF000000000000000000000000000000", "01000000000000000000000000000000", "80000000000000000000000000000000"];
    for serial in serials {
        let rec = CertificateRecord {
            serial: serial.to_owned(),
            my_number: mn("12345678901"),
            issued_on: d("2026-05-01"),
            expires_on: d("2031-04-15"),
            revocation: None,
        };
        s.put_certificate(rec).wait().expect("certificate");
    }
    let got: Vec<String> = s.certificates_of(&mn("12345678901")).expect("of").into_iter().map(|c| c.serial).collect();
    assert_eq!(got, serials);
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

#[test]
fn a_credential_is_revoked_once_by_its_id_and_stays_revoked_after_a_reopen() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = [0u8; 32];
    h[0] = 0xAB;
    h[7] = 0x01;
    let c = credential(h, None);
    assert_eq!(c.id(), "CAB00000000000001");
    {
        let s = SqliteStore::open(dir.path()).expect("open");
        s.put_credential(c.clone()).wait().expect("put");
        s.put_credential(credential([9; 32], None)).wait().expect("put");
        let r = s.revoke_credential(c.id(), 1_800_000_000_000_000).wait().expect("revoke");
        assert_eq!(r.revoked_at, Some(1_800_000_000_000_000));
        // the first revocation stands
        let again = s.revoke_credential(c.id().to_lowercase(), 1_900_000_000_000_000).wait().expect("revoke again");
        assert_eq!(again.revoked_at, Some(1_800_000_000_000_000));
        assert!(matches!(
            s.revoke_credential("C0000000000000000".into(), 1).wait(),
            Err(StoreError::CredentialNotFound(_))
        ));
        assert!(matches!(s.revoke_credential("nonsense".into(), 1).wait(), Err(StoreError::CredentialNotFound(_))));
    }
    let s = SqliteStore::open(dir.path()).expect("reopen");
    let all = s.credentials().expect("creds");
    assert_eq!(all.len(), 2);
    let r = all.iter().find(|x| x.token_hash == h).expect("revoked one");
    assert_eq!(r.revoked_at, Some(1_800_000_000_000_000));
    assert!(all.iter().any(|x| x.token_hash == [9; 32] && x.revoked_at.is_none()));
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
