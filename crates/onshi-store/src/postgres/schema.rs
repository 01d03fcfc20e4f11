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
    // 2: the access log partitioned by day (Japan's legal day, UTC+9: `postgres::access_log` says why), with
    // a DEFAULT partition as a safety net; `onshi_access_log_partition(day)` creates a day's partition (moving
    // into it what the DEFAULT one took for that day). The lines of migration 1's table are moved, ids kept.
    r#"
    ALTER TABLE access_log RENAME TO access_log_v1;
    ALTER INDEX access_log_member RENAME TO access_log_v1_member;
    ALTER INDEX access_log_my_number RENAME TO access_log_v1_my_number;
    CREATE SEQUENCE access_log_id_seq2;
    SELECT setval('access_log_id_seq2', COALESCE((SELECT MAX(id) FROM access_log_v1), 0) + 1, false);
    CREATE TABLE access_log (
        id         BIGINT NOT NULL DEFAULT nextval('access_log_id_seq2'),
        at         BIGINT NOT NULL,
        role       TEXT NOT NULL,
        subject    TEXT NOT NULL,
        endpoint   TEXT NOT NULL,
        member_id  BIGINT,
        my_number  TEXT,
        request_id TEXT NOT NULL,
        outcome    TEXT NOT NULL,
        PRIMARY KEY (at, id)
    ) PARTITION BY RANGE (at);
    ALTER SEQUENCE access_log_id_seq2 OWNED BY access_log.id;
    CREATE INDEX access_log_member ON access_log(member_id, at) WHERE member_id IS NOT NULL;
    CREATE INDEX access_log_my_number ON access_log(my_number, at) WHERE my_number IS NOT NULL;
    CREATE TABLE access_log_default PARTITION OF access_log DEFAULT;
    CREATE FUNCTION onshi_access_log_partition(day DATE) RETURNS BOOLEAN LANGUAGE plpgsql AS $$
    DECLARE
        lo BIGINT := ((day - DATE '1970-01-01')::BIGINT * 86400 - 32400) * 1000000;
        hi BIGINT := lo + 86400000000;
        part TEXT := 'access_log_' || to_char(day, 'YYYYMMDD');
    BEGIN
        PERFORM pg_advisory_xact_lock(hashtextextended('onshi:access_log:partitions', 0));
        IF to_regclass(part) IS NOT NULL THEN
            RETURN FALSE;
        END IF;
        -- what the DEFAULT partition took for that day moves into the new partition, in this transaction
        CREATE TEMP TABLE onshi_access_log_moved (LIKE access_log) ON COMMIT DROP;
        WITH moved AS (DELETE FROM access_log_default WHERE at >= lo AND at < hi RETURNING *)
            INSERT INTO onshi_access_log_moved SELECT * FROM moved;
        EXECUTE format('CREATE TABLE %I PARTITION OF access_log FOR VALUES FROM (%s) TO (%s)', part, lo, hi);
        INSERT INTO access_log SELECT * FROM onshi_access_log_moved;
        DROP TABLE onshi_access_log_moved;
        RETURN TRUE;
    END
    $$;
    SELECT onshi_access_log_partition(DATE '1970-01-01' + d)
      FROM (SELECT DISTINCT floor((at + 32400000000)::NUMERIC / 86400000000)::INT AS d FROM access_log_v1) days;
    INSERT INTO access_log (id, at, role, subject, endpoint, member_id, my_number, request_id, outcome)
        SELECT id, at, role, subject, endpoint, member_id, my_number, request_id, outcome FROM access_log_v1;
    DROP TABLE access_log_v1;
    "#,
    // 3: the store's clock floor read at start (`last_recorded_at`: the latest instant any table recorded) by
    // index instead of by scanning: at 20 M members the scans of member_entries and the access log exceeded
    // the 10 s statement timeout and `onshi serve` could not start (docs/benchmarks.md, PostgreSQL at scale).
    // Each index grows at its right edge (times only increase), so a write pays little for it.
    r#"
    CREATE INDEX member_entries_recorded_at ON member_entries(recorded_at);
    CREATE INDEX resident_versions_recorded_at ON resident_versions(recorded_at);
    CREATE INDEX link_events_recorded_at ON link_events(recorded_at);
    CREATE INDEX access_log_at ON access_log(at);
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

#[cfg(test)]
mod tests {
    use super::MIGRATIONS;
    use crate::{MemberId, PgOptions, PgStore, Store};

    /// Runs `sql` on the database of `url`.
    async fn run(url: &str, sql: &str) {
        let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls).await.expect("connect");
        tokio::spawn(conn);
        client.batch_execute(sql).await.expect("run");
    }

    /// Migration 2 moves the lines of migration 1's unpartitioned access log into the day partitions (none
    /// left in the DEFAULT one), ids and times kept, and new lines continue after them.
    #[test]
    fn migration_2_moves_the_old_access_log_into_day_partitions() {
        let Some(server) = std::env::var("ONSHI_TEST_PG_URL").ok().filter(|u| !u.trim().is_empty()) else {
            assert!(std::env::var("ONSHI_REQUIRE_PG").as_deref() != Ok("1"), "ONSHI_TEST_PG_URL is not set");
            return;
        };
        let name = format!("onshi_t_mig2_{}", std::process::id());
        let url = match server.rsplit_once('/') {
            Some((hosts, _)) => format!("{hosts}/{name}"),
            None => panic!("ONSHI_TEST_PG_URL names no database: {server}"),
        };
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        let count = |sql: &'static str| {
            let url = url.clone();
            rt.block_on(async move {
                let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await.expect("connect");
                tokio::spawn(conn);
                client.query_one(sql, &[]).await.expect("query").get::<_, i64>(0)
            })
        };
        rt.block_on(async {
            run(&server, &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
            run(&server, &format!("CREATE DATABASE {name}")).await;
            // a database at schema 1, with lines on three days (two of them either side of midnight in Japan)
            run(
                &url,
                &format!(
                    "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL \
                     DEFAULT now()); INSERT INTO schema_migrations (version) VALUES (1); {}
                     INSERT INTO access_log (at, role, subject, endpoint, member_id, my_number, request_id, outcome)
                     VALUES (1796396399999999, 'clinic', 's', 'e', 5, NULL, 'a', 'valid'),
                            (1796396400000000, 'clinic', 's', 'e', 5, NULL, 'b', 'valid'),
                            (1700000000000000, 'clinic', 's', 'e', 6, NULL, 'c', 'valid');",
                    MIGRATIONS[0]
                ),
            )
            .await;
        });
        let s = PgStore::open(&url, PgOptions { create_database: false, ..PgOptions::default() }).expect("open");
        let lines = s.access_log_of(None, &[MemberId(5), MemberId(6)], 10).expect("log");
        assert_eq!(lines.iter().map(|l| l.entry.request_id.as_str()).collect::<Vec<_>>(), ["b", "a", "c"]);
        assert_eq!(count("SELECT count(*) FROM access_log_default"), 0);
        assert_eq!(count("SELECT count(*) FROM access_log_20261204"), 1);
        assert_eq!(count("SELECT count(*) FROM access_log_20261205"), 1);
        assert_eq!(count("SELECT max(id) FROM access_log"), 3);
        s.log_access(crate::AccessEntry {
            role: "clinic".into(),
            subject: "s".into(),
            endpoint: "e".into(),
            member_id: Some(MemberId(5)),
            my_number: None,
            request_id: "d".into(),
            outcome: "valid".into(),
        })
        .wait()
        .expect("log");
        assert_eq!(count("SELECT id FROM access_log WHERE request_id = 'd'"), 4, "ids continue");
        drop(s);
        rt.block_on(run(&server, &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")));
    }
}
