//! The connections to the PostgreSQL server: the configuration (from the store URL, with onshi's timeouts
//! added), a small pool of clients, and the creation of a missing database.

use std::collections::HashMap;
use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Mutex};

use tokio::sync::{Semaphore, SemaphorePermit};
use tokio_postgres::error::SqlState;
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, Config, GenericClient, NoTls, Row, Statement};

use super::PgOptions;
use crate::StoreError;

/// The store URL parsed, with onshi's settings: `statement_timeout` on every connection, a connect timeout
/// unless the URL sets one, and `application_name=onshi` unless it sets one.
pub(super) fn config(url: &str, options: &PgOptions) -> Result<Config, StoreError> {
    let mut config: Config = url.parse().map_err(|e| {
        StoreError::Unavailable(format!(
            "the store URL cannot be read ({e}): write it as postgres://USER@HOST:PORT[,HOST2:PORT2]/DATABASE\
             [?target_session_attrs=read-write]"
        ))
    })?;
    let timeout = format!("-c statement_timeout={}", options.statement_timeout.as_millis());
    let opts = match config.get_options() {
        Some(o) if !o.trim().is_empty() => format!("{o} {timeout}"),
        _ => timeout,
    };
    config.options(opts);
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(options.connect_timeout);
    }
    if config.get_application_name().is_none() {
        config.application_name("onshi");
    }
    Ok(config)
}

/// At most `max` clients; idle ones are reused, closed ones dropped, new ones connected on demand (through
/// the URL's hosts in order, honouring `target_session_attrs`, so that a failed-over primary is found again).
pub(super) struct Pool {
    config: Config,
    idle: Mutex<Vec<(Client, Arc<StmtCache>)>>,
    permits: Semaphore,
}

/// The statements prepared on one connection, by their text (a bounded set: onshi's queries are constants).
pub(crate) type StmtCache = Mutex<HashMap<String, Statement>>;

/// A client or a transaction with its connection's prepared statements: every query is parsed and planned
/// once per connection, then runs in one round trip.
pub(crate) struct Cx<'a, C> {
    c: &'a C,
    cache: Arc<StmtCache>,
}

impl<'a, C: GenericClient + Sync> Cx<'a, C> {
    pub(crate) fn new(c: &'a C, cache: Arc<StmtCache>) -> Self {
        Cx { c, cache }
    }

    async fn stmt(&self, sql: &str) -> Result<Statement, tokio_postgres::Error> {
        if let Some(s) = self.cache.lock().ok().and_then(|m| m.get(sql).cloned()) {
            return Ok(s);
        }
        let s = self.c.prepare(sql).await?;
        if let Ok(mut m) = self.cache.lock() {
            m.insert(sql.to_owned(), s.clone());
        }
        Ok(s)
    }

    pub(crate) async fn query(&self, sql: &str, p: &[&(dyn ToSql + Sync)]) -> Result<Vec<Row>, tokio_postgres::Error> {
        let s = self.stmt(sql).await?;
        self.c.query(&s, p).await
    }

    pub(crate) async fn query_one(&self, sql: &str, p: &[&(dyn ToSql + Sync)]) -> Result<Row, tokio_postgres::Error> {
        let s = self.stmt(sql).await?;
        self.c.query_one(&s, p).await
    }

    pub(crate) async fn query_opt(
        &self,
        sql: &str,
        p: &[&(dyn ToSql + Sync)],
    ) -> Result<Option<Row>, tokio_postgres::Error> {
        let s = self.stmt(sql).await?;
        self.c.query_opt(&s, p).await
    }

    pub(crate) async fn execute(&self, sql: &str, p: &[&(dyn ToSql + Sync)]) -> Result<u64, tokio_postgres::Error> {
        let s = self.stmt(sql).await?;
        self.c.execute(&s, p).await
    }
}

/// A client taken from the pool; it goes back when dropped (unless its connection closed).
pub(crate) struct Conn<'a> {
    client: Option<Client>,
    cache: Arc<StmtCache>,
    pool: &'a Pool,
    _permit: SemaphorePermit<'a>,
}

impl Deref for Conn<'_> {
    type Target = Client;
    fn deref(&self) -> &Client {
        // Some until dropped
        self.client.as_ref().unwrap_or_else(|| unreachable!("a pooled client is taken only on drop"))
    }
}

impl DerefMut for Conn<'_> {
    fn deref_mut(&mut self) -> &mut Client {
        self.client.as_mut().unwrap_or_else(|| unreachable!("a pooled client is taken only on drop"))
    }
}

impl Conn<'_> {
    /// The client with the connection's prepared statements.
    pub(crate) fn cx(&self) -> Cx<'_, Client> {
        Cx::new(self, self.cache.clone())
    }

    /// The connection's prepared statements (for a transaction: `Cx::new(&tx, conn.cache())`).
    pub(crate) fn cache(&self) -> Arc<StmtCache> {
        self.cache.clone()
    }
}

impl Drop for Conn<'_> {
    fn drop(&mut self) {
        if let Some(c) = self.client.take().filter(|c| !c.is_closed())
            && let Ok(mut idle) = self.pool.idle.lock()
        {
            idle.push((c, self.cache.clone()));
        }
    }
}

impl Pool {
    pub(super) fn new(config: Config, max: usize) -> Pool {
        Pool { config, idle: Mutex::new(Vec::new()), permits: Semaphore::new(max.max(1)) }
    }

    /// A client (waiting for a free one when `max` are in use).
    pub(crate) async fn get(&self) -> Result<Conn<'_>, StoreError> {
        let permit = self.permits.acquire().await.map_err(|_| StoreError::Closed)?;
        loop {
            let reused = self.idle.lock().ok().and_then(|mut idle| idle.pop());
            match reused {
                Some((c, _)) if c.is_closed() => continue,
                Some((c, cache)) => return Ok(Conn { client: Some(c), cache, pool: self, _permit: permit }),
                None => break,
            }
        }
        let client = connect(&self.config).await?;
        Ok(Conn { client: Some(client), cache: Arc::default(), pool: self, _permit: permit })
    }

    /// Creates the configured database if the server says it does not exist.
    pub(super) async fn create_database_if_missing(&self) -> Result<(), StoreError> {
        let err = match self.config.connect(NoTls).await {
            Ok((client, conn)) => {
                drop(client);
                let _ = conn.await;
                return Ok(());
            }
            Err(e) => e,
        };
        if err.as_db_error().map(|d| d.code()) != Some(&SqlState::INVALID_CATALOG_NAME) {
            return Err(connect_error(err));
        }
        let Some(name) = self.config.get_dbname().map(str::to_owned) else {
            return Err(connect_error(err));
        };
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') {
            return Err(StoreError::Unavailable(format!(
                "the database {name:?} does not exist; create it (onshi creates only names of letters, digits, _ and -)"
            )));
        }
        let mut admin = self.config.clone();
        admin.dbname("postgres");
        let client = connect(&admin).await?;
        match client.batch_execute(&format!("CREATE DATABASE \"{name}\"")).await {
            Ok(()) => {
                tracing::info!(database = %name, "created the PostgreSQL database");
                Ok(())
            }
            // created meanwhile by another onshi
            Err(e) if e.as_db_error().map(|d| d.code()) == Some(&SqlState::DUPLICATE_DATABASE) => Ok(()),
            Err(e) => Err(StoreError::Unavailable(format!(
                "the database {name:?} does not exist and cannot be created ({e}); create it, or grant CREATEDB"
            ))),
        }
    }
}

async fn connect(config: &Config) -> Result<Client, StoreError> {
    let (client, conn) = config.connect(NoTls).await.map_err(connect_error)?;
    tokio::spawn(async move {
        if let Err(e) = conn.await {
            tracing::warn!(error = %e, "a PostgreSQL connection ended");
        }
    });
    Ok(client)
}

/// A connection that could not be made, with what to check.
fn connect_error(e: tokio_postgres::Error) -> StoreError {
    let hint = match e.as_db_error().map(|d| d.code()) {
        Some(c) if *c == SqlState::INVALID_PASSWORD || *c == SqlState::INVALID_AUTHORIZATION_SPECIFICATION => {
            "check the user and password of the store URL (and pg_hba.conf)"
        }
        Some(c) if *c == SqlState::INVALID_CATALOG_NAME => "create the database, or name an existing one",
        _ => {
            "check that the server is up and reachable at the URL's hosts and ports; with several hosts, \
             target_session_attrs=read-write finds the primary"
        }
    };
    StoreError::Unavailable(format!("cannot connect to PostgreSQL ({e}): {hint}"))
}
