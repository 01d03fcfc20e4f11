//! Numbered schema migrations. `PRAGMA user_version` holds the number of migrations applied; opening a data
//! directory written by an older build applies the missing ones, in order, in one transaction.
//! Never edit a released migration: add a new one.

use std::path::Path;

use rusqlite::Connection;

/// The migrations of the member data (`onshi.sqlite3`), in order. Index `i` brings the schema from version
/// `i` to `i + 1`.
pub(crate) const MAIN: &[&str] = &[
    // 1: the registry, members with append-only histories, credentials, the access log.
    r#"
    CREATE TABLE residents (
        my_number   TEXT PRIMARY KEY,
        name        TEXT NOT NULL,
        name_kana   TEXT NOT NULL,
        birth_date  TEXT NOT NULL,
        sex         TEXT NOT NULL,
        address     TEXT NOT NULL,
        recorded_at INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX residents_birth_date ON residents(birth_date);
    CREATE TABLE resident_versions (
        version     INTEGER PRIMARY KEY,
        my_number   TEXT NOT NULL,
        name        TEXT NOT NULL,
        name_kana   TEXT NOT NULL,
        birth_date  TEXT NOT NULL,
        sex         TEXT NOT NULL,
        address     TEXT NOT NULL,
        recorded_at INTEGER NOT NULL
    );
    CREATE INDEX resident_versions_my_number ON resident_versions(my_number, version);
    CREATE TABLE members (
        member_id      INTEGER PRIMARY KEY,
        insurer_number TEXT NOT NULL,
        symbol         TEXT,
        number         TEXT NOT NULL,
        branch         TEXT NOT NULL,
        relationship   TEXT NOT NULL,
        birth_date     TEXT NOT NULL,
        sex            TEXT NOT NULL,
        my_number      TEXT,
        linkage        TEXT
    );
    CREATE INDEX members_card ON members(insurer_number, number, birth_date);
    CREATE INDEX members_household ON members(insurer_number, number, symbol);
    CREATE INDEX members_my_number ON members(my_number) WHERE my_number IS NOT NULL;
    CREATE TABLE member_entries (
        seq          INTEGER PRIMARY KEY,
        member_id    INTEGER NOT NULL REFERENCES members(member_id),
        recorded_at  INTEGER NOT NULL,
        effective_on TEXT NOT NULL,
        change       TEXT NOT NULL
    );
    CREATE INDEX member_entries_member ON member_entries(member_id, seq);
    CREATE TABLE credentials (
        token_hash BLOB PRIMARY KEY,
        role       TEXT NOT NULL,
        subject    TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE access_log (
        id         INTEGER PRIMARY KEY,
        at         INTEGER NOT NULL,
        role       TEXT NOT NULL,
        subject    TEXT NOT NULL,
        endpoint   TEXT NOT NULL,
        member_id  INTEGER,
        my_number  TEXT,
        request_id TEXT NOT NULL
    );
    CREATE INDEX access_log_member ON access_log(member_id) WHERE member_id IS NOT NULL;
    CREATE INDEX access_log_my_number ON access_log(my_number) WHERE my_number IS NOT NULL;
    "#,
    // 2: the access log records what the reader was told; credentials record when they were issued.
    r#"
    ALTER TABLE access_log ADD COLUMN outcome TEXT NOT NULL DEFAULT '';
    ALTER TABLE credentials ADD COLUMN created_at INTEGER NOT NULL DEFAULT 0;
    "#,
    // 3: the access log moves to its own file (`audit.sqlite3`); `migrate_main` copies its rows first.
    r#"
    DROP TABLE access_log;
    "#,
    // 4: members are found by the key of their number (`InsuredNumber::match_key`: leading zeros folded when
    // the number is all digits), so that a number whose digit count changed (01234567 / 001234567) still
    // finds its member; `number` keeps the number as given. The expression below is `match_key` in SQL
    // (stored numbers are canonical, so digits are ASCII); `number_key_matches_the_rust_key` checks it.
    r#"
    ALTER TABLE members ADD COLUMN number_key TEXT NOT NULL DEFAULT '';
    UPDATE members SET number_key = CASE
        WHEN number GLOB '*[^0-9]*' THEN number
        WHEN ltrim(number, '0') = '' THEN '0'
        ELSE ltrim(number, '0')
    END;
    DROP INDEX members_card;
    DROP INDEX members_household;
    CREATE INDEX members_card ON members(insurer_number, number_key, birth_date);
    CREATE INDEX members_household ON members(insurer_number, number_key, symbol);
    "#,
    // 5: credentials expire and can be revoked (µs since the UNIX epoch; NULL: never expires, not revoked).
    r#"
    ALTER TABLE credentials ADD COLUMN expires_at INTEGER;
    ALTER TABLE credentials ADD COLUMN revoked_at INTEGER;
    "#,
    // 6: registry events reach insurers. A death recorded in the registry (one per resident, never removed),
    // and the queue of changes offered to insurers: one row per member record linked to the resident when the
    // registry recorded a death, a name change or a move; nothing is applied to a member before its insurer
    // accepts (status open → accepted / rejected, with who, when, why, and the entry appended).
    r#"
    CREATE TABLE resident_deaths (
        my_number   TEXT PRIMARY KEY,
        died_on     TEXT NOT NULL,
        recorded_at INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE registry_events (
        id              INTEGER PRIMARY KEY,
        my_number       TEXT NOT NULL,
        member_id       INTEGER NOT NULL,
        insurer_number  TEXT NOT NULL,
        kind            TEXT NOT NULL,
        effective_on    TEXT NOT NULL,
        details         TEXT NOT NULL,
        recorded_at     INTEGER NOT NULL,
        status          TEXT NOT NULL DEFAULT 'open',
        decided_by      TEXT,
        decided_at      INTEGER,
        decision_reason TEXT,
        applied_seq     INTEGER
    );
    CREATE INDEX registry_events_insurer ON registry_events(insurer_number, status, id);
    "#,
    // 7: My Number links after enrolment: every change of a member's link (nothing overwritten: the member
    // row holds the link now, `link_events` how it got there), and the cases a reconciliation (総点検) opened.
    // A link's state (active, pending confirmation, suspended) is part of the member row's `linkage` JSON.
    r#"
    CREATE TABLE link_events (
        id          INTEGER PRIMARY KEY,
        member_id   INTEGER NOT NULL REFERENCES members(member_id),
        action      TEXT NOT NULL,
        my_number   TEXT,
        previous    TEXT,
        linkage     TEXT,
        by_whom     TEXT NOT NULL,
        note        TEXT,
        request_id  TEXT NOT NULL,
        recorded_at INTEGER NOT NULL
    );
    CREATE INDEX link_events_member ON link_events(member_id, id);
    CREATE TABLE link_cases (
        case_id             INTEGER PRIMARY KEY,
        insurer_number      TEXT NOT NULL,
        member_id           INTEGER NOT NULL REFERENCES members(member_id),
        record_id           TEXT NOT NULL,
        my_number           TEXT,
        grade               TEXT NOT NULL,
        reasons             TEXT NOT NULL,
        suggested_my_number TEXT,
        status              TEXT NOT NULL,
        opened_by           TEXT NOT NULL,
        request_id          TEXT NOT NULL,
        opened_at           INTEGER NOT NULL,
        closed_by           TEXT,
        closed_at           INTEGER
    );
    CREATE INDEX link_cases_insurer ON link_cases(insurer_number, case_id);
    CREATE INDEX link_cases_member ON link_cases(member_id, status);
    "#,
    // 8: the members an insurer holds without a My Number (未登録者), by birth date: a check by My Number card
    // that finds no linked coverage looks among them for the holder's own record.
    r#"
    CREATE INDEX members_unlinked_birth ON members(birth_date) WHERE my_number IS NULL;
    "#,
];

/// The migrations of the access log (`audit.sqlite3`).
pub(crate) const AUDIT: &[&str] = &[
    // 1: the access log: who read whose data, when, through which endpoint, and what they were told.
    r#"
    CREATE TABLE access_log (
        id         INTEGER PRIMARY KEY,
        at         INTEGER NOT NULL,
        role       TEXT NOT NULL,
        subject    TEXT NOT NULL,
        endpoint   TEXT NOT NULL,
        member_id  INTEGER,
        my_number  TEXT,
        request_id TEXT NOT NULL,
        outcome    TEXT NOT NULL
    );
    CREATE INDEX access_log_member ON access_log(member_id) WHERE member_id IS NOT NULL;
    CREATE INDEX access_log_my_number ON access_log(my_number) WHERE my_number IS NOT NULL;
    "#,
];

/// The migrations of the card registry (`cards.sqlite3`): what the issuing authority (J-LIS's role) records
/// of each 利用者証明用電子証明書, the clinics' registered card readers, and the patients' consents.
pub(crate) const CARDS: &[&str] = &[
    // 1: certificates (serial → My Number, as registered at issuance), revocations, readers, consents.
    r#"
    CREATE TABLE certificates (
        serial      TEXT PRIMARY KEY,
        my_number   TEXT NOT NULL,
        issued_on   TEXT NOT NULL,
        expires_on  TEXT NOT NULL,
        recorded_at INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX certificates_my_number ON certificates(my_number);
    CREATE TABLE revocations (
        serial     TEXT PRIMARY KEY REFERENCES certificates(serial),
        reason     TEXT NOT NULL,
        revoked_at INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE readers (
        reader_id     TEXT PRIMARY KEY,
        institution   TEXT NOT NULL,
        public_key    BLOB NOT NULL,
        registered_at INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE consents (
        id          INTEGER PRIMARY KEY,
        my_number   TEXT NOT NULL,
        institution TEXT NOT NULL,
        medication  INTEGER NOT NULL,
        checkup     INTEGER NOT NULL,
        given_at    INTEGER NOT NULL,
        expires_at  INTEGER NOT NULL,
        request_id  TEXT NOT NULL
    );
    CREATE INDEX consents_person ON consents(my_number, institution, given_at);
    "#,
];

/// The schema version this build writes for a list of migrations.
pub(crate) fn current(list: &[&str]) -> i64 {
    list.len() as i64
}

fn version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
}

/// Applies the migrations of `list` that the database lacks, up to `until`, in one transaction. Refuses a
/// database written by a newer build. Returns the version found.
fn migrate_until(conn: &mut Connection, list: &[&str], until: usize) -> Result<i64, MigrateError> {
    let have = version(conn)?;
    if have > current(list) {
        return Err(MigrateError::TooNew { have, this: current(list) });
    }
    if have as usize >= until {
        return Ok(have);
    }
    let tx = conn.transaction()?;
    for (i, sql) in list.iter().enumerate().take(until).skip(have as usize) {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
    }
    tx.commit()?;
    Ok(have)
}

/// Applies every migration of `list` the database lacks.
pub(crate) fn migrate(conn: &mut Connection, list: &[&str]) -> Result<i64, MigrateError> {
    migrate_until(conn, list, list.len())
}

/// Migrates the member data. Before migration 3 drops the old in-file access log, its rows are copied into
/// the audit file (keeping their ids, so that a copy interrupted by a crash is simply done again).
pub(crate) fn migrate_main(conn: &mut Connection, audit: &Path) -> Result<i64, MigrateError> {
    let have = migrate_until(conn, MAIN, 2)?;
    if version(conn)? == 2 {
        conn.execute("ATTACH DATABASE ?1 AS audit", [audit.display().to_string()])?;
        let copied = conn.execute_batch(
            "INSERT OR IGNORE INTO audit.access_log
                 (id, at, role, subject, endpoint, member_id, my_number, request_id, outcome)
             SELECT id, at, role, subject, endpoint, member_id, my_number, request_id, outcome FROM main.access_log",
        );
        conn.execute_batch("DETACH DATABASE audit")?;
        copied?;
    }
    migrate(conn, MAIN)?;
    Ok(have)
}

/// Applies only the first `n` migrations of the member data (tests build "older" data directories with it).
#[cfg(test)]
pub(crate) fn migrate_to(conn: &mut Connection, n: usize) -> rusqlite::Result<()> {
    let tx = conn.transaction()?;
    for (i, sql) in MAIN.iter().enumerate().take(n) {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
    }
    tx.commit()
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum MigrateError {
    #[error(
        "the data directory was written by a newer onshi (schema {have}, this build knows {this}); use that build or newer"
    )]
    TooNew { have: i64, this: i64 },
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
}
