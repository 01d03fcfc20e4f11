//! `onshi serve`: the HTTP service on the embedded store, or on PostgreSQL (`--store postgres://…`).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::Args;
use onshi_service::{Service, SystemClock};
use onshi_store::{AnyStore, PgOptions, PgStore, SqliteStore};

/// Run the onshi service: registry, insurer and clinic roles over HTTP, on embedded SQLite or PostgreSQL.
///
/// The store is the data directory's SQLite files unless `--store` (or ONSHI_STORE) names a PostgreSQL URL.
///
/// The administrator token is read from the environment variable ONSHI_ADMIN_TOKEN; `--demo` creates one.
///
/// Examples:
///   ONSHI_ADMIN_TOKEN=$(openssl rand -hex 32) onshi serve --data ./onshi-data --addr 127.0.0.1:8080
///   onshi serve --data ./onshi-data \
///     --store 'postgres://onshi@db1:5432,db2:5432/onshi?target_session_attrs=read-write'
///   onshi serve --demo
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct ServeArgs {
    /// The data directory (created if missing; an older schema is migrated).
    #[arg(long, value_name = "DIR", required_unless_present = "demo")]
    data: Option<PathBuf>,
    /// Where the member data, the access log and the card registry are stored: a PostgreSQL URL
    /// (`postgres://USER[:PASSWORD]@HOST:PORT[,HOST2:PORT2…]/DATABASE[?target_session_attrs=read-write]`; with
    /// several hosts, `target_session_attrs=read-write` finds the primary; a missing database is created), or
    /// a directory for the embedded SQLite engine. Default: the embedded engine in the data directory. The
    /// card CA stays in the data directory either way.
    #[arg(long, value_name = "URL|DIR", env = "ONSHI_STORE")]
    store: Option<String>,
    /// How long one PostgreSQL statement may run (`statement_timeout` of every connection), in seconds: a
    /// write that waits longer (a lock, an unreachable synchronous standby) is refused with 503.
    #[arg(long, value_name = "SECONDS", default_value_t = 10)]
    store_timeout: u64,
    /// With a PostgreSQL URL naming standbys too: answer reads from a standby that has replayed every write
    /// this server acknowledged (read-your-writes), from the primary otherwise.
    #[arg(long)]
    store_standby_reads: bool,
    /// Where to listen.
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Start with a fresh data directory holding a small built-in world of residents, insurers, members and
    /// dependents that exercises the trouble cases; print tokens and example calls.
    #[arg(long)]
    demo: bool,
    /// The reception screen's card reader: the directory whose card files (`*.card.json`) count as placed on
    /// the reader (the demo uses DATA/reader). Without it the screen checks by insurance number only. 顔認証
    /// needs the reader process too: `onshi card face --reader-dir DIR --key KEY` signs the results with the
    /// key of a reader registered to the clinic (`onshi card reader`); the server never holds a reader key.
    #[arg(long, value_name = "DIR")]
    reader_dir: Option<PathBuf>,
    /// The IPAmj明朝 font the reception screen draws exact names with (Debian: fonts-ipamj-mincho).
    #[arg(long, value_name = "FILE", default_value = onshi_http::IPAMJ_SYSTEM_PATH)]
    font: PathBuf,
    /// The published document keys (a key set written by `onshi doc keygen`): enables verifying 資格確認書
    /// and お知らせ at the counter (`POST /clinic/v1/documents/verify`, the reception screen). Re-read when the
    /// file changes.
    #[arg(long, value_name = "FILE")]
    document_keys: Option<PathBuf>,
    /// The signed revocation list (`onshi doc revoke`) used with --document-keys; re-read when it changes.
    #[arg(long, value_name = "FILE", requires = "document_keys")]
    document_revocations: Option<PathBuf>,
    /// Log as JSON lines (for log collectors) instead of human-readable text.
    #[arg(long)]
    log_json: bool,
}

/// Logs go to stderr through a writer thread of their own, so that a request never waits for the terminal
/// or a log collector's pipe; the writer applies back-pressure when its queue is full instead of dropping
/// lines. Keep the guard until the server has stopped: dropping it flushes what is queued.
fn init_logs(json: bool) -> tracing_appender::non_blocking::WorkerGuard {
    let filter = tracing_subscriber::EnvFilter::try_from_env("ONSHI_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(false)
        .thread_name("onshi-log")
        .finish(std::io::stderr());
    let b = tracing_subscriber::fmt().with_env_filter(filter).with_writer(writer);
    if json {
        b.json().init();
    } else {
        b.init();
    }
    guard
}

pub fn run(args: ServeArgs) -> anyhow::Result<()> {
    let _log_guard = init_logs(args.log_json);
    let env_token = std::env::var("ONSHI_ADMIN_TOKEN").ok().filter(|t| !t.trim().is_empty());
    let (admin, data, _tmp) = if args.demo {
        let token = match env_token {
            Some(t) => t,
            None => onshi_service::auth::new_token().map_err(|e| anyhow::anyhow!("{e}"))?,
        };
        match args.data.clone() {
            Some(d) => (token, d, None),
            None => {
                let tmp = tempfile::Builder::new()
                    .prefix("onshi-demo-")
                    .tempdir()
                    .context("creating a demo data directory")?;
                (token, tmp.path().to_path_buf(), Some(tmp))
            }
        }
    } else {
        let Some(token) = env_token else {
            bail!(
                "ONSHI_ADMIN_TOKEN is not set: set it to a long random secret (e.g. `openssl rand -hex 32`), or use --demo"
            );
        };
        if token.len() < 16 {
            bail!("ONSHI_ADMIN_TOKEN is too short: use at least 16 characters of random text");
        }
        let Some(d) = args.data.clone() else { bail!("--data DIR is required (or use --demo)") };
        (token, d, None)
    };
    let store = open_store(args.store.as_deref(), &data, args.store_timeout, args.store_standby_reads)?;
    // The issuing CA of the My Number cards lives in the data directory (made on first start).
    let today = onshi_law::legal_today(chrono::Utc::now());
    let issuer = onshi_card::Issuer::open_or_create(&data.join("ca"), today)
        .map_err(|e| anyhow::anyhow!("the card CA in {}: {e}", data.join("ca").display()))?;
    let svc = Service::new(store, &admin, Arc::new(SystemClock)).map_err(|e| anyhow::anyhow!("{e}"))?;
    let svc = svc.with_card_issuer(issuer);
    // Bad document caches fail here, at start, never at the first request.
    let (document_caches, demo_documents) = match &args.document_keys {
        Some(keys) => {
            let caches = crate::doc::load_caches(keys, args.document_revocations.as_deref())?;
            (Some(Arc::new(std::sync::RwLock::new(caches))), None)
        }
        None if args.demo => {
            let (caches, printed) = crate::doc::demo_documents(&data, &args.font)?;
            (Some(Arc::new(std::sync::RwLock::new(caches))), Some(printed))
        }
        None => (None, None),
    };
    let svc = Arc::new(match &document_caches {
        Some(c) => svc.with_document_caches(c.clone()),
        None => svc,
    });
    let reader_dir = args.reader_dir.clone().or_else(|| args.demo.then(|| data.join("reader")));
    if !args.font.exists() {
        tracing::warn!(font = %args.font.display(), "IPAmj明朝 is missing: install fonts-ipamj-mincho so that the reception screen draws every registered name");
    }
    let reception = onshi_http::Reception::new(reader_dir.clone(), args.font.clone());
    let store_label = match args.store.as_deref() {
        Some(s) if onshi_store::is_postgres_url(s) => "postgresql".to_owned(),
        Some(s) => format!("sqlite:{s}"),
        None => format!("sqlite:{}", data.display()),
    };
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting the runtime")?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .with_context(|| format!("cannot listen on {} (is another server running there?)", args.addr))?;
        let local = listener.local_addr()?;
        if args.demo {
            let printed = crate::demo::load(&svc, &admin, local, &data).await?;
            println!("{printed}");
            if let Some(dir) = &reader_dir {
                println!("{}", crate::card::demo::load(&svc, dir, &format!("http://{local}")).await?);
            }
            if let Some(printed) = &demo_documents {
                println!("{printed}");
            }
        }
        if let (Some(caches), Some(keys)) = (document_caches, args.document_keys.clone()) {
            tokio::spawn(refresh_document_caches(caches, keys, args.document_revocations.clone()));
        }
        tracing::info!(addr = %local, data = %data.display(), store = %store_label, "onshi is serving");
        let app = onshi_http::router_with(svc.clone(), reception);
        axum::serve(listener, app).with_graceful_shutdown(shutdown()).await.context("serving")?;
        tracing::info!("stopped");
        anyhow::Ok(())
    })?;
    Ok(())
}

/// The store `--store` names: PostgreSQL for a `postgres://` URL, else the embedded engine in that directory
/// (by default the data directory).
fn open_store(
    store: Option<&str>,
    data: &std::path::Path,
    timeout_s: u64,
    standby_reads: bool,
) -> anyhow::Result<AnyStore> {
    match store {
        Some(url) if onshi_store::is_postgres_url(url) => {
            let options = PgOptions {
                statement_timeout: std::time::Duration::from_secs(timeout_s.max(1)),
                standby_reads,
                ..Default::default()
            };
            // the URL may hold a password: never print it
            let store = PgStore::open(url, options).context("opening the PostgreSQL store (--store)")?;
            Ok(Box::new(store))
        }
        other => {
            let dir = other.map(PathBuf::from).unwrap_or_else(|| data.to_path_buf());
            let store = SqliteStore::open(&dir).with_context(|| format!("opening the store in {}", dir.display()))?;
            Ok(Box::new(store))
        }
    }
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

/// Re-read the document caches when their files change (checked every 10 s); an unreadable new version is
/// logged and the previous caches kept.
async fn refresh_document_caches(
    caches: onshi_service::documents::DocumentCaches,
    keys: PathBuf,
    revocations: Option<PathBuf>,
) {
    let stamp = |p: &std::path::Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let mut seen = (stamp(&keys), revocations.as_deref().and_then(stamp));
    loop {
        tokio::time::sleep(std::time::Duration::from_secs(10)).await;
        let now = (stamp(&keys), revocations.as_deref().and_then(stamp));
        if now == seen {
            continue;
        }
        match crate::doc::load_caches(&keys, revocations.as_deref()) {
            Ok(fresh) => {
                if let Ok(mut c) = caches.write() {
                    *c = fresh;
                }
                tracing::info!(keys = %keys.display(), "document keys and revocation list reloaded");
                seen = now;
            }
            Err(e) => {
                tracing::warn!(error = %e, "document caches changed but are unreadable; keeping the previous ones")
            }
        }
    }
}
