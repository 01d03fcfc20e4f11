//! Benchmark helpers for onshi: a keep-alive HTTP/1.1 load generator that reports throughput and latency
//! percentiles, and the synthetic member numbering shared by the enrolment and check phases.
//!
//! Not part of the service; see docs/benchmarks.md for the commands.

#![forbid(unsafe_code)]

pub mod scale;
pub mod synth;

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// The insured number and birth date of synthetic member `n` (deterministic, so the check phase can ask for
/// members the enrolment phase created).
pub fn member(n: u64) -> (String, String) {
    // 1950–2009: everyone is under 75 on the acquisition date (2024-04-01), as an employee insurer's members are.
    let year = 1950 + n % 60;
    let month = 1 + (n / 60) % 12;
    let day = 1 + (n / 720) % 28;
    (format!("{}", 1_000_000 + n), format!("{year:04}-{month:02}-{day:02}"))
}

/// The enrolment body of synthetic member `n` of `insurer`.
pub fn enrol_body(insurer: &str, n: u64) -> String {
    let (number, birth) = member(n);
    serde_json::json!({
        "insurer_number": insurer, "symbol": "1", "number": number, "branch": "00", "relationship": "insured",
        "name": "山田 太郎", "name_kana": "ヤマダ タロウ", "birth_date": birth, "sex": "male",
        "address": "東京都千代田区永田町二丁目1番2号", "acquired_on": "2024-04-01"
    })
    .to_string()
}

/// The check body for synthetic member `n`.
pub fn check_body(insurer: &str, n: u64) -> String {
    let (number, birth) = member(n);
    serde_json::json!({
        "insurer_number": insurer, "symbol": "1", "number": number, "birth_date": birth, "service_date": "2025-05-01"
    })
    .to_string()
}

/// One keep-alive HTTP/1.1 connection.
pub struct Conn {
    host: String,
    io: BufReader<TcpStream>,
    line: String,
}

impl Conn {
    pub async fn connect(addr: &str) -> anyhow::Result<Conn> {
        let s = TcpStream::connect(addr).await.with_context(|| format!("connecting to {addr}"))?;
        s.set_nodelay(true)?;
        Ok(Conn { host: addr.to_owned(), io: BufReader::new(s), line: String::new() })
    }

    /// Sends one POST and returns (status, body).
    pub async fn post(&mut self, path: &str, token: &str, body: &str) -> anyhow::Result<(u16, Vec<u8>)> {
        let req = format!(
            "POST {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            self.host,
            body.len()
        );
        self.io.get_mut().write_all(req.as_bytes()).await?;
        self.line.clear();
        self.io.read_line(&mut self.line).await?;
        let status: u16 = self.line.split_whitespace().nth(1).and_then(|s| s.parse().ok()).context("no status line")?;
        let mut len = 0usize;
        loop {
            self.line.clear();
            if self.io.read_line(&mut self.line).await? == 0 {
                bail!("connection closed");
            }
            let l = self.line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((k, v)) = l.split_once(':') {
                if k.eq_ignore_ascii_case("content-length") {
                    len = v.trim().parse().context("content-length")?;
                }
            }
        }
        let mut body = vec![0; len];
        self.io.read_exact(&mut body).await?;
        Ok((status, body))
    }
}

/// What a load run measured.
pub struct Report {
    pub requests: u64,
    pub errors: u64,
    pub elapsed: Duration,
    pub latency: hdrhistogram::Histogram<u64>,
}

impl Report {
    pub fn print(&self, what: &str) {
        let q = |p: f64| self.latency.value_at_quantile(p) as f64 / 1000.0;
        println!(
            "{what}: {} requests ({} errors) in {:.2} s = {:.0}/s; latency ms p50 {:.3} p90 {:.3} p99 {:.3} p99.9 {:.3} max {:.3}",
            self.requests,
            self.errors,
            self.elapsed.as_secs_f64(),
            self.requests as f64 / self.elapsed.as_secs_f64(),
            q(0.5),
            q(0.9),
            q(0.99),
            q(0.999),
            self.latency.max() as f64 / 1000.0
        );
    }
}

/// One load run: where, what, how hard, how long.
pub struct Load<'a> {
    pub addr: &'a str,
    pub token: &'a str,
    pub path: &'static str,
    pub connections: usize,
    /// Stop after this many requests…
    pub count: u64,
    /// …or after this long.
    pub duration: Duration,
    /// The status a successful request answers.
    pub ok: u16,
}

/// Runs `load.connections` connections, each sending requests made by `body(i)` for `i` drawn from a shared
/// counter until `load.count` requests were sent or `load.duration` has passed.
pub async fn run(load: Load<'_>, body: impl Fn(u64) -> String + Send + Sync + 'static) -> anyhow::Result<Report> {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};
    let Load { addr, token, path, connections, count, duration, ok } = load;
    let next = Arc::new(AtomicU64::new(0));
    let printed = Arc::new(AtomicU64::new(0));
    let body = Arc::new(body);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let (next, body, addr, token) = (next.clone(), body.clone(), addr.to_owned(), token.to_owned());
        let printed = printed.clone();
        tasks.push(tokio::spawn(async move {
            let mut h = hdrhistogram::Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?;
            let mut conn = Conn::connect(&addr).await?;
            let (mut n, mut errors) = (0u64, 0u64);
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= count || start.elapsed() >= duration {
                    break;
                }
                let b = body(i);
                let t = Instant::now();
                let (status, answer) = conn.post(path, &token, &b).await?;
                h.record(t.elapsed().as_micros().max(1) as u64)?;
                n += 1;
                if status != ok {
                    errors += 1;
                    if printed.fetch_add(1, Ordering::Relaxed) < 3 {
                        eprintln!("unexpected {status}: {}", String::from_utf8_lossy(&answer));
                    }
                }
            }
            anyhow::Ok((n, errors, h))
        }));
    }
    let mut latency = hdrhistogram::Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?;
    let (mut requests, mut errors) = (0, 0);
    for t in tasks {
        let (n, e, h) = t.await??;
        requests += n;
        errors += e;
        latency.add(h)?;
    }
    Ok(Report { requests, errors, elapsed: start.elapsed(), latency })
}
