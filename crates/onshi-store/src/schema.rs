//! Numbered schema migrations. `PRAGMA user_version` holds the number of migrations applied; opening a data
//! directory written by an older build applies the missing ones, in order, in one transaction.
//! Never edit a released migration: add a new one.

use rusqlite::Connection;

/// The migrations, in order. Index `i` brings the schema from version `i` to `i + 1`.
pub(crate) const MIGRATIONS: &[&str] = &[
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
];

/// The schema version this build writes.
pub(crate) const CURRENT: i64 = MIGRATIONS.len() as i64;

/// Applies every migration the database lacks. Refuses a database written by a newer build.
pub(crate) fn migrate(conn: &mut Connection) -> Result<i64, MigrateError> {
    let have: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if have > CURRENT {
        return Err(MigrateError::TooNew {
            have,
            this: CURRENT,
        });
    }
    if have == CURRENT {
        return Ok(have);
    }
    let tx = conn.transaction()?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(have as usize) {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
    }
    tx.commit()?;
    Ok(have)
}

/// Applies only the first `n` migrations (tests build "older" data directories with it).
#[cfg(test)]
pub(crate) fn migrate_to(conn: &mut Connection, n: usize) -> rusqlite::Result<()> {
    let tx = conn.transaction()?;
    for (i, sql) in MIGRATIONS.iter().enumerate().take(n) {
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
