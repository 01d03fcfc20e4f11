//! `card-bench`: the server-side latency of the check by My Number card (issue 6).
//!
//! Runs the real router, service and SQLite store in-process (no network, so the numbers are the server's
//! own time). It runs in rounds: each of CONCURRENCY clients asks for 25 challenges (timed), the cards sign
//! them (the card's key already opened, as a reader holding the card does; not timed, and never while a check
//! is in flight, so the reader's RSA signing does not take the server's cores), then the clients present them,
//! CONCURRENCY at once, timing each `POST /clinic/v1/card/eligibility` — JSON, base64,
//! the chain to the CA, the signed 券面事項, the card's SHA256withRSA signature, validity and grace, the
//! serial → My Number lookup and revocation, the eligibility resolution, the consent write and the access
//! log line (both durable, group commit) — end to end.
//!
//! Example (see docs/benchmarks.md):
//!   cargo run --release -p onshi-bench --bin card-bench -- --checks 2000 --concurrency 1
//!   cargo run --release -p onshi-bench --bin card-bench -- --checks 4000 --concurrency 8

use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, bail};
use axum::Router;
use axum::body::Body;
use axum::http::Request;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use clap::Parser;
use hdrhistogram::Histogram;
use onshi_card::pki;
use onshi_service::{Service, SystemClock};
use onshi_store::{AnyStore, SqliteStore};
use serde_json::{Value, json};
use tower::ServiceExt;

const ADMIN: &str = "card-bench-admin-token-0123456789";

/// Server-side latency of card checks.
#[derive(Parser)]
#[command(version, about, verbatim_doc_comment)]
struct Cli {
    /// How many card checks to time (after 100 warm-up checks).
    #[arg(long, default_value_t = 2000)]
    checks: u64,
    /// Checks in flight at once.
    #[arg(long, default_value_t = 1)]
    concurrency: u64,
    /// Members linked to other My Numbers in the store (the index the lookups walk).
    #[arg(long, default_value_t = 10_000)]
    members: u64,
}

async fn call(router: &Router, path: &str, token: &str, body: &Value) -> anyhow::Result<(u16, Value)> {
    let req = Request::builder()
        .method("POST")
        .uri(path)
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {token}"))
        .body(Body::from(body.to_string()))?;
    let res = router.clone().oneshot(req).await?;
    let status = res.status().as_u16();
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 22).await?;
    Ok((status, serde_json::from_slice(&bytes).unwrap_or(Value::Null)))
}

fn put(router: &Router, path: &str, body: &Value) -> impl std::future::Future<Output = anyhow::Result<(u16, Value)>> {
    let req = Request::builder()
        .method("PUT")
        .uri(path.to_owned())
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {ADMIN}"))
        .body(Body::from(body.to_string()));
    let router = router.clone();
    async move {
        let res = router.oneshot(req?).await?;
        let status = res.status().as_u16();
        let bytes = axum::body::to_bytes(res.into_body(), 1 << 22).await?;
        Ok((status, serde_json::from_slice(&bytes).unwrap_or(Value::Null)))
    }
}

fn my_number(i: u64) -> anyhow::Result<String> {
    let n = onshi_ids::MyNumber::from_body(&format!("{:011}", 40_000_000_000u64 + i))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(n.as_str().to_owned())
}

struct Fixture {
    router: Router,
    clinic: String,
    key: pki::RsaPrivateKey,
    presentation: Value,
}

async fn fixture(members: u64) -> anyhow::Result<(Fixture, tempfile::TempDir)> {
    let dir = tempfile::tempdir()?;
    let store: AnyStore = Box::new(SqliteStore::open(dir.path())?);
    let today = onshi_law::legal_today(chrono::Utc::now());
    let issuer = onshi_card::Issuer::generate(today).map_err(|e| anyhow::anyhow!("{e}"))?;
    let svc = Service::new(store, ADMIN, Arc::new(SystemClock)).map_err(|e| anyhow::anyhow!("{e}"))?;
    let router = onshi_http::router(Arc::new(svc.with_card_issuer(issuer)));
    let (_, v) =
        call(&router, "/admin/v1/credentials", ADMIN, &json!({"role": "clinic", "subject": "1311234567"})).await?;
    let clinic = v["token"].as_str().context("clinic token")?.to_owned();
    eprintln!("enrolling {members} linked members …");
    for i in 0..=members {
        let mn = my_number(i)?;
        let birth = format!("{}-{:02}-{:02}", 1950 + i % 60, 1 + i % 12, 1 + i % 28);
        let r = json!({"name": "山田 太郎", "name_kana": "ヤマダ タロウ", "birth_date": birth, "sex": "male",
                       "address": "東京都千代田区永田町二丁目1番2号"});
        let (s, v) = put(&router, &format!("/registry/v1/residents/{mn}"), &r).await?;
        if s != 201 {
            bail!("resident: {s} {v}");
        }
        let m = json!({"insurer_number": "06139992", "symbol": "1", "number": format!("{}", 100_000 + i), "branch": "00",
            "relationship": "insured", "my_number": mn, "name": "山田 太郎", "name_kana": "ヤマダ タロウ", "birth_date": birth,
            "sex": "male", "address": "東京都千代田区永田町二丁目1番2号", "acquired_on": "2024-04-01"});
        let (s, v) = call(&router, "/insurer/v1/members", ADMIN, &m).await?;
        if s != 201 {
            bail!("enrol: {s} {v}");
        }
    }
    let key = pki::new_key().map_err(|e| anyhow::anyhow!("{e}"))?;
    let spki = pki::public_key_der(&key.to_public_key()).map_err(|e| anyhow::anyhow!("{e}"))?;
    let (s, v) = call(
        &router,
        "/registry/v1/cards",
        ADMIN,
        &json!({"my_number": my_number(members)?, "public_key": B64.encode(spki)}),
    )
    .await?;
    if s != 201 {
        bail!("issue: {s} {v}");
    }
    let presentation = json!({"certificate": v["certificate"], "surface": v["surface"],
        "surface_signature": v["surface_signature"], "method": "pin",
        "consent": {"medication": true, "checkup": true}});
    Ok((Fixture { router, clinic, key, presentation }, dir))
}

/// A challenge fetched and signed by the card, ready to be presented; with the challenge's latency (µs).
async fn signed_challenge(f: &Fixture) -> anyhow::Result<(u64, Value)> {
    let t0 = Instant::now();
    let (s, ch) = call(&f.router, "/clinic/v1/card/challenges", &f.clinic, &json!({})).await?;
    let challenge = t0.elapsed().as_micros() as u64;
    if s != 201 {
        bail!("challenge: {s} {ch}");
    }
    let nonce = ch["nonce"].as_str().context("nonce")?.to_owned();
    Ok((challenge, json!(nonce)))
}

/// The card's side, off the server's clock: signs each nonce (SHA256withRSA with the card's key) on the
/// blocking pool, so that no server worker waits behind the reader's signing.
async fn sign_all(f: &Arc<Fixture>, nonces: Vec<Value>) -> anyhow::Result<Vec<Value>> {
    let f = f.clone();
    tokio::task::spawn_blocking(move || {
        nonces
            .into_iter()
            .map(|n| {
                let nonce = n.as_str().context("nonce")?;
                let sig = pki::sign(&f.key, &onshi_card::challenge_message(nonce));
                let mut body = f.presentation.clone();
                body["nonce"] = json!(nonce);
                body["signature"] = json!(B64.encode(sig));
                anyhow::Ok(body)
            })
            .collect()
    })
    .await?
}

/// One timed check of a signed presentation (µs).
async fn check(f: &Fixture, body: &Value) -> anyhow::Result<u64> {
    let t1 = Instant::now();
    let (s, v) = call(&f.router, "/clinic/v1/card/eligibility", &f.clinic, body).await?;
    let us = t1.elapsed().as_micros() as u64;
    if s != 200 || v["result"] != "valid" {
        bail!("check: {s} {v}");
    }
    Ok(us)
}

/// One round: `concurrency` clients each fetch `batch` challenges (timed), the cards sign them (untimed,
/// not overlapping the checks), then the clients present them, `concurrency` in flight at once (timed).
async fn round(
    f: &Arc<Fixture>,
    concurrency: u64,
    batch: u64,
    ch: &mut Histogram<u64>,
    ck: &mut Histogram<u64>,
) -> anyhow::Result<()> {
    let mut nonces = Vec::new();
    for _ in 0..concurrency * batch {
        let (us, nonce) = signed_challenge(f).await?;
        ch.record(us)?;
        nonces.push(nonce);
    }
    let bodies = sign_all(f, nonces).await?;
    let mut tasks = Vec::new();
    for part in bodies.chunks(batch as usize) {
        let (f, part) = (f.clone(), part.to_vec());
        tasks.push(tokio::spawn(async move {
            let mut h = Histogram::<u64>::new(3)?;
            for body in &part {
                h.record(check(&f, body).await?)?;
            }
            anyhow::Ok(h)
        }));
    }
    for t in tasks {
        ck.add(t.await??)?;
    }
    Ok(())
}

fn report(what: &str, h: &Histogram<u64>) {
    let ms = |q: f64| h.value_at_quantile(q) as f64 / 1000.0;
    println!(
        "{what:<10} n={:<6} p50 {:>7.3} ms  p90 {:>7.3} ms  p99 {:>7.3} ms  max {:>7.3} ms",
        h.len(),
        ms(0.5),
        ms(0.9),
        ms(0.99),
        h.max() as f64 / 1000.0
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let (f, _dir) = fixture(cli.members).await?;
    let f = Arc::new(f);
    let concurrency = cli.concurrency.max(1);
    let batch = 25;
    let (mut ch, mut ck) = (Histogram::<u64>::new(3)?, Histogram::<u64>::new(3)?);
    // warm-up
    round(&f, concurrency, 100u64.div_ceil(concurrency), &mut ch, &mut ck).await?;
    let (mut ch, mut ck) = (Histogram::<u64>::new(3)?, Histogram::<u64>::new(3)?);
    let mut busy = std::time::Duration::ZERO;
    while ck.len() < cli.checks {
        let t = Instant::now();
        round(&f, concurrency, batch, &mut ch, &mut ck).await?;
        busy += t.elapsed();
    }
    let secs = busy.as_secs_f64();
    println!("card checks, server-side (in-process router, SQLite on disk), concurrency {}", cli.concurrency);
    report("challenge", &ch);
    report("check", &ck);
    println!(
        "rounds of {batch} checks a client; {:.0} checks/s including challenges and card signing",
        ck.len() as f64 / secs
    );
    Ok(())
}
