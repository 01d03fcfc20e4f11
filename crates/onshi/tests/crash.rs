//! Crash test: a real `onshi serve` is killed with SIGKILL while clients are writing. After a restart on the
//! same data directory, every acknowledged write is there, and an unacknowledged one is either wholly there or
//! not at all. Talks to 127.0.0.1 only, bounded in time and count.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::{Server, http};
use serde_json::{Value, json};

const WRITERS: usize = 4;
/// A bound on each writer, far above what it can do before the kill.
const MAX_PER_WRITER: usize = 50_000;
/// Kill once this many enrolments were acknowledged.
const KILL_AFTER: usize = 300;

#[derive(Default)]
struct Log {
    /// (number, member id, loss acknowledged)
    acknowledged: Vec<(String, String, bool)>,
    /// Requests that were sent but not answered when the server died.
    in_flight: Vec<String>,
}

fn enrol(number: &str) -> Value {
    json!({
        "insurer_number": "06139992", "symbol": "9", "number": number, "branch": "00", "relationship": "insured",
        "name": "山田 太郎", "name_kana": "ヤマダ タロウ", "birth_date": "1980-04-15", "sex": "male",
        "address": "東京都千代田区永田町二丁目1番2号", "acquired_on": "2020-04-01"
    })
}

fn writer(addr: String, token: String, w: usize, acked: Arc<AtomicUsize>) -> Log {
    let mut log = Log::default();
    for i in 0..MAX_PER_WRITER {
        let number = format!("{}", 10_000_000 + w * 1_000_000 + i);
        match http(&addr, "POST", "/insurer/v1/members", Some(&token), Some(&enrol(&number))) {
            Ok((201, v)) => {
                let id = v["member_id"].as_str().unwrap_or_default().to_owned();
                // Every other member also gets a loss, a second write on the same record.
                let lost = if i % 2 == 0 {
                    match http(
                        &addr,
                        "POST",
                        &format!("/insurer/v1/members/{id}/loss"),
                        Some(&token),
                        Some(&json!({"lost_on": "2024-01-01"})),
                    ) {
                        Ok((200, _)) => true,
                        Ok((s, v)) => panic!("loss refused: {s} {v}"),
                        Err(_) => {
                            log.acknowledged.push((number, id, false));
                            break;
                        }
                    }
                } else {
                    false
                };
                log.acknowledged.push((number, id, lost));
                acked.fetch_add(1, Ordering::Relaxed);
            }
            Ok((s, v)) => panic!("enrolment refused: {s} {v}"),
            Err(_) => {
                log.in_flight.push(number);
                break;
            }
        }
    }
    log
}

#[test]
fn acknowledged_writes_survive_sigkill_and_nothing_is_half_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut server = Server::start(dir.path());
    let token = server.admin.clone();
    let acked = Arc::new(AtomicUsize::new(0));
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let (addr, token, acked) = (server.addr.clone(), token.clone(), acked.clone());
            std::thread::spawn(move || writer(addr, token, w, acked))
        })
        .collect();
    // Let the writers get going, then kill the server in the middle of the stream.
    let start = Instant::now();
    while acked.load(Ordering::Relaxed) < KILL_AFTER && start.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(5));
    }
    server.kill();
    let logs: Vec<Log> = writers.into_iter().map(|w| w.join().expect("writer thread")).collect();
    let acknowledged: usize = logs.iter().map(|l| l.acknowledged.len()).sum();
    assert!(acknowledged >= KILL_AFTER, "too few writes before the kill ({acknowledged}) to test anything");
    // Every writer was still writing when the server died: the kill landed mid-stream.
    assert!(
        logs.iter().all(|l| l.acknowledged.len() < MAX_PER_WRITER),
        "a writer finished before the kill; the test did not kill mid-stream"
    );

    let server = Server::start(dir.path());
    let clinic = server.token("clinic", "1311234567");
    for log in &logs {
        for (number, id, lost) in &log.acknowledged {
            let (s, v) = http(&server.addr, "GET", &format!("/insurer/v1/members/{id}"), Some(&server.admin), None)
                .expect("read back");
            assert_eq!(s, 200, "acknowledged member {number} ({id}) is gone: {v}");
            let kinds: Vec<&str> = v["history"]
                .as_array()
                .map(|h| h.iter().filter_map(|e| e["kind"].as_str()).collect())
                .unwrap_or_default();
            if *lost {
                assert_eq!(kinds, ["acquire", "lose"], "acknowledged loss of {number} is gone");
            } else {
                assert_eq!(kinds.first(), Some(&"acquire"));
            }
        }
        for number in &log.in_flight {
            let q = json!({"insurer_number": "06139992", "symbol": "9", "number": number, "birth_date": "1980-04-15", "service_date": "2021-01-01"});
            let (s, v) = http(&server.addr, "POST", "/clinic/v1/eligibility", Some(&clinic), Some(&q)).expect("check");
            assert_eq!(s, 200);
            // Wholly there (valid, with its name) or not at all.
            match v["result"].as_str() {
                Some("not_found") => {}
                Some("valid") => assert_eq!(v["coverage"]["name"].as_str(), Some("山田 太郎")),
                other => panic!("unacknowledged member {number} is half there: {other:?} {v}"),
            }
        }
    }
}
