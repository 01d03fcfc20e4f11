//! The PostgreSQL schema as numbered migrations. `schema_migrations` holds one row per migration applied;
//! opening applies the missing ones, in order, in one transaction, under an advisory lock (so that two onshi
//! processes starting together migrate once). Never edit a released migration: add a new one.
//!
//! The tables mirror the SQLite files' (`crate::schema`: the member data, the access log and the card
//! registry, here in one database) with the same columns and encodings — dates as ISO text, times as µs since
//! the epoch (BIGINT), JSON as text — so that both engines share the row mapping (`crate::mapping`).

use tokio_postgres::{Client, GenericClient};

use super::pool::Cx;

use crate::StoreError;

/// The migrations, in order. Index `i` brings the schema from version `i` to `i + 1`.
pub(super) const MIGRATIONS: &[&str] = &[
    // 1: SQLite's member data at its migration 8, its access log and its card registry.
    r#"
    CREATE TABLE residents (
        my_number   TEXT PRIMARY KEY,
        name        TEXT NOT NULL,
        name_kana   TEXT NOT NULL,
        birth_date  TEXT NOT NULL,
        sex         TEXT NOT NULL,
        address     TEXT NOT NULL,
        recorded_at BIGINT NOT NULL
    );
    CREATE INDEX residents_birth_date ON residents(birth_date);
    CREATE TABLE resident_versions (
        version     BIGSERIAL PRIMARY KEY,
        my_number   TEXT NOT NULL,
        name        TEXT NOT NULL,
        name_kana   TEXT NOT NULL,
        birth_date  TEXT NOT NULL,
        sex         TEXT NOT NULL,
        address     TEXT NOT NULL,
        recorded_at BIGINT NOT NULL
    );
    CREATE INDEX resident_versions_my_number ON resident_versions(my_number, version);
    CREATE TABLE members (
        member_id      BIGSERIAL PRIMARY KEY,
        insurer_number TEXT NOT NULL,
        symbol         TEXT,
        number         TEXT NOT NULL,
        number_key     TEXT NOT NULL,
        branch         TEXT NOT NULL,
        relationship   TEXT NOT NULL,
        birth_date     TEXT NOT NULL,
        sex            TEXT NOT NULL,
        my_number      TEXT,
        linkage        TEXT
    );
    CREATE INDEX members_card ON members(insurer_number, number_key, birth_date);
    CREATE INDEX members_household ON members(insurer_number, number_key, symbol);
    CREATE INDEX members_my_number ON members(my_number) WHERE my_number IS NOT NULL;
    CREATE INDEX members_unlinked_birth ON members(birth_date) WHERE my_number IS NULL;
    CREATE SEQUENCE member_entries_seq;
    CREATE TABLE member_entries (
        seq          BIGINT PRIMARY KEY,
        member_id    BIGINT NOT NULL REFERENCES members(member_id),
        recorded_at  BIGINT NOT NULL,
        effective_on TEXT NOT NULL,
        change       TEXT NOT NULL
    );
    CREATE INDEX member_entries_member ON member_entries(member_id, seq);
    CREATE TABLE credentials (
        token_hash BYTEA PRIMARY KEY,
        role       TEXT NOT NULL,
        subject    TEXT NOT NULL,
        created_at BIGINT NOT NULL DEFAULT 0,
        expires_at BIGINT,
        revoked_at BIGINT
    );
    CREATE TABLE resident_deaths (
        my_number   TEXT PRIMARY KEY,
        died_on     TEXT NOT NULL,
        recorded_at BIGINT NOT NULL
    );
    CREATE TABLE registry_events (
        id              BIGSERIAL PRIMARY KEY,
        my_number       TEXT NOT NULL,
        member_id       BIGINT NOT NULL,
        insurer_number  TEXT NOT NULL,
        kind            TEXT NOT NULL,
        effective_on    TEXT NOT NULL,
        details         TEXT NOT NULL,
        recorded_at     BIGINT NOT NULL,
        status          TEXT NOT NULL DEFAULT 'open',
        decided_by      TEXT,
        decided_at      BIGINT,
        decision_reason TEXT,
        applied_seq     BIGINT
    );
    CREATE INDEX registry_events_insurer ON registry_events(insurer_number, status, id);
    CREATE TABLE link_events (
        id          BIGSERIAL PRIMARY KEY,
        member_id   BIGINT NOT NULL REFERENCES members(member_id),
        action      TEXT NOT NULL,
        my_number   TEXT,
        previous    TEXT,
        linkage     TEXT,
        by_whom     TEXT NOT NULL,
        note        TEXT,
        request_id  TEXT NOT NULL,
        recorded_at BIGINT NOT NULL
    );
    CREATE INDEX link_events_member ON link_events(member_id, id);
    CREATE TABLE link_cases (
        case_id             BIGSERIAL PRIMARY KEY,
        insurer_number      TEXT NOT NULL,
        member_id           BIGINT NOT NULL REFERENCES members(member_id),
        record_id           TEXT NOT NULL,
        my_number           TEXT,
        grade               TEXT NOT NULL,
        reasons             TEXT NOT NULL,
        suggested_my_number TEXT,
        status              TEXT NOT NULL,
        opened_by           TEXT NOT NULL,
        request_id          TEXT NOT NULL,
        opened_at           BIGINT NOT NULL,
        closed_by           TEXT,
        closed_at           BIGINT
    );
    CREATE INDEX link_cases_insurer ON link_cases(insurer_number, case_id);
    CREATE INDEX link_cases_member ON link_cases(member_id, status);
    CREATE TABLE access_log (
        id         BIGSERIAL PRIMARY KEY,
        at         BIGINT NOT NULL,
        role       TEXT NOT NULL,
        subject    TEXT NOT NULL,
        endpoint   TEXT NOT NULL,
        member_id  BIGINT,
        my_number  TEXT,
        request_id TEXT NOT NULL,
        outcome    TEXT NOT NULL
    );
    CREATE INDEX access_log_member ON access_log(member_id) WHERE member_id IS NOT NULL;
    CREATE INDEX access_log_my_number ON access_log(my_number) WHERE my_number IS NOT NULL;
    CREATE TABLE certificates (
        serial      TEXT PRIMARY KEY,
        my_number   TEXT NOT NULL,
        issued_on   TEXT NOT NULL,
        expires_on  TEXT NOT NULL,
        recorded_at BIGINT NOT NULL
    );
    CREATE INDEX certificates_my_number ON certificates(my_number);
    CREATE TABLE revocations (
        serial     TEXT PRIMARY KEY REFERENCES certificates(serial),
        reason     TEXT NOT NULL,
        revoked_at BIGINT NOT NULL
    );
    CREATE TABLE readers (
        reader_id     TEXT PRIMARY KEY,
        institution   TEXT NOT NULL,
        public_key    BYTEA NOT NULL,
        registered_at BIGINT NOT NULL
    );
    CREATE TABLE consents (
        id          BIGSERIAL PRIMARY KEY,
        my_number   TEXT NOT NULL,
        institution TEXT NOT NULL,
        medication  BOOLEAN NOT NULL,
        checkup     BOOLEAN NOT NULL,
        given_at    BIGINT NOT NULL,
        expires_at  BIGINT NOT NULL,
        request_id  TEXT NOT NULL
    );
    CREATE INDEX consents_person ON consents(my_number, institution, given_at);
    "#,
];

/// The schema version this build writes.
pub(super) fn current() -> i64 {
    MIGRATIONS.len() as i64
}

/// Applies the missing migrations in one transaction under an advisory lock; refuses a database written by a
/// newer build. Returns the version found.
pub(super) async fn migrate(client: &mut Client) -> Result<i64, StoreError> {
    let tx = client.transaction().await?;
    let c = Cx::new(&tx, Default::default());
    super::lock(&c, "onshi:migrations").await?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version    INTEGER PRIMARY KEY,
             applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
         )",
    )
    .await?;
    let have: i64 =
        c.query_one("SELECT COALESCE(MAX(version), 0)::BIGINT FROM schema_migrations", &[]).await?.try_get(0)?;
    if have > current() {
        return Err(StoreError::Open {
            path: "the PostgreSQL database".into(),
            reason: format!(
                "it was written by a newer onshi (schema {have}, this build knows {}); use that build or newer",
                current()
            ),
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(have as usize) {
        tx.batch_execute(sql).await?;
        c.execute("INSERT INTO schema_migrations (version) VALUES ($1)", &[&((i + 1) as i32)]).await?;
    }
    tx.commit().await?;
    Ok(have)
}

/// The latest recording time stored, so that the store's clock continues after it.
pub(super) async fn last_recorded_at(c: &Cx<'_, impl GenericClient + Sync>) -> Result<i64, StoreError> {
    let row = c
        .query_one(
            "SELECT GREATEST(
                 (SELECT COALESCE(MAX(recorded_at), 0) FROM member_entries),
                 (SELECT COALESCE(MAX(recorded_at), 0) FROM resident_versions),
                 (SELECT COALESCE(MAX(recorded_at), 0) FROM resident_deaths),
                 (SELECT COALESCE(MAX(GREATEST(recorded_at, COALESCE(decided_at, 0))), 0) FROM registry_events),
                 (SELECT COALESCE(MAX(recorded_at), 0) FROM link_events),
                 (SELECT COALESCE(MAX(GREATEST(opened_at, COALESCE(closed_at, 0))), 0) FROM link_cases),
                 (SELECT COALESCE(MAX(at), 0) FROM access_log),
                 (SELECT COALESCE(MAX(recorded_at), 0) FROM certificates),
                 (SELECT COALESCE(MAX(revoked_at), 0) FROM revocations),
                 (SELECT COALESCE(MAX(registered_at), 0) FROM readers))::BIGINT",
            &[],
        )
        .await?;
    Ok(row.try_get(0)?)
}
