//! The fixtures of the store's integration tests: a fresh store of each engine.
#![allow(dead_code)]

use std::sync::atomic::{AtomicU32, Ordering};

use std::sync::Arc;

use onshi_store::{AnyStore, PgOptions, PgStore, RecordClock, SqliteStore};

pub mod members;

/// A fresh store of one engine, which can be opened again.
pub trait Fixture {
    fn open(&self) -> AnyStore;
    /// The store with its recording times taken from `clock`.
    fn open_with_clock(&self, clock: Arc<dyn RecordClock>) -> AnyStore;
}

pub struct SqliteFixture(tempfile::TempDir);

impl SqliteFixture {
    pub fn new() -> Self {
        SqliteFixture(tempfile::tempdir().expect("tempdir"))
    }
}

impl Fixture for SqliteFixture {
    fn open(&self) -> AnyStore {
        Box::new(SqliteStore::open(self.0.path()).expect("open"))
    }
    fn open_with_clock(&self, clock: Arc<dyn RecordClock>) -> AnyStore {
        Box::new(SqliteStore::open_with_clock(self.0.path(), clock).expect("open"))
    }
}

/// A database of its own on the server of `ONSHI_TEST_PG_URL`, dropped when the test ends.
pub struct PgFixture {
    pub server: String,
    pub url: String,
    pub name: String,
}

/// `url` with its database replaced by `name` (hosts, user and parameters kept).
pub fn with_database(url: &str, name: &str) -> String {
    let (head, query) = match url.split_once('?') {
        Some((h, q)) => (h, Some(q)),
        None => (url, None),
    };
    let after_scheme = head.find("://").map_or(0, |i| i + 3);
    let hosts = match head[after_scheme..].find('/') {
        Some(i) => &head[..after_scheme + i],
        None => head,
    };
    match query {
        Some(q) => format!("{hosts}/{name}?{q}"),
        None => format!("{hosts}/{name}"),
    }
}

/// Runs `sql` on the test server (its database), bounded in time.
pub fn on_server(server: &str, sql: String) {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    rt.block_on(async {
        let run = async {
            let (client, conn) = tokio_postgres::connect(server, tokio_postgres::NoTls).await?;
            tokio::spawn(conn);
            client.batch_execute(&sql).await
        };
        match tokio::time::timeout(std::time::Duration::from_secs(30), run).await {
            Ok(r) => r.expect("run on the test server"),
            Err(_) => panic!("the test server did not answer in 30 s: {sql}"),
        }
    });
}

impl PgFixture {
    /// `None` when no server is configured (then the PostgreSQL tests pass without running, unless
    /// `ONSHI_REQUIRE_PG=1`, where they fail).
    pub fn new() -> Option<Self> {
        let server = match std::env::var("ONSHI_TEST_PG_URL") {
            Ok(u) if !u.trim().is_empty() => u,
            _ => {
                assert!(
                    std::env::var("ONSHI_REQUIRE_PG").as_deref() != Ok("1"),
                    "ONSHI_REQUIRE_PG=1 but ONSHI_TEST_PG_URL is not set: start PostgreSQL and set it \
                     (postgres://postgres@127.0.0.1:5450/postgres)"
                );
                eprintln!("ONSHI_TEST_PG_URL is not set: the PostgreSQL conformance tests did not run");
                return None;
            }
        };
        static N: AtomicU32 = AtomicU32::new(0);
        let nanos =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
        let name = format!("onshi_t_{}_{}_{}", std::process::id(), nanos, N.fetch_add(1, Ordering::SeqCst));
        on_server(&server, format!("CREATE DATABASE {name}"));
        let url = with_database(&server, &name);
        Some(PgFixture { server, url, name })
    }
}

impl Fixture for PgFixture {
    fn open(&self) -> AnyStore {
        let options = PgOptions { create_database: false, ..PgOptions::default() };
        Box::new(PgStore::open(&self.url, options).expect("open"))
    }
    fn open_with_clock(&self, clock: Arc<dyn RecordClock>) -> AnyStore {
        let options = PgOptions { create_database: false, clock: Some(clock), ..PgOptions::default() };
        Box::new(PgStore::open(&self.url, options).expect("open"))
    }
}

impl Drop for PgFixture {
    fn drop(&mut self) {
        on_server(&self.server, format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name));
    }
}

/// The first column of the first row of `sql` on the database of `url`, as a number.
pub fn query_i64(url: &str, sql: &str) -> i64 {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    rt.block_on(async {
        let run = async {
            let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls).await?;
            tokio::spawn(conn);
            client.query_one(sql, &[]).await
        };
        match tokio::time::timeout(std::time::Duration::from_secs(30), run).await {
            Ok(r) => r.expect("query the test database").get::<_, i64>(0),
            Err(_) => panic!("the test server did not answer in 30 s: {sql}"),
        }
    })
}
