//! `onshi serve --demo` as a user starts it: the hand-made trouble cases and, beside them, a seeded generated
//! world of a few thousand persons, loaded in a few seconds; the printed tokens and example calls still work,
//! and a generated member answers at the counter.

mod common;

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::http;
use serde_json::{Value, json};

struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("free port")
}

/// The word after `label` on the line that holds it.
fn after<'a>(printed: &'a str, label: &str) -> &'a str {
    printed
        .lines()
        .find_map(|l| l.split_once(label).map(|(_, rest)| rest))
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no {label:?} in the demo's output:\n{printed}"))
}

fn check(addr: &str, token: &str, body: Value) -> (u16, Value) {
    http(addr, "POST", "/clinic/v1/eligibility", Some(token), Some(&body)).expect("an answer")
}

#[test]
fn the_demo_loads_a_generated_world_beside_the_hand_made_one() {
    let data = tempfile::tempdir().expect("data");
    let out_path = data.path().join("demo.out");
    let addr = format!("127.0.0.1:{}", free_port());
    let started = Instant::now();
    let _server = Proc(
        Command::new(env!("CARGO_BIN_EXE_onshi"))
            .args(["serve", "--demo", "--addr", &addr, "--data"])
            .arg(data.path().join("d"))
            .env("ONSHI_LOG", "warn")
            .stdout(std::fs::File::create(&out_path).expect("out"))
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn onshi serve --demo"),
    );
    // the guide is printed before the server answers
    let deadline = started + Duration::from_secs(90);
    while !matches!(http(&addr, "GET", "/healthz", None, None), Ok((200, _))) {
        assert!(Instant::now() < deadline, "onshi serve --demo did not start in 90 s");
        std::thread::sleep(Duration::from_millis(100));
    }
    let printed = std::fs::read_to_string(&out_path).expect("the demo's output");

    // the generated world: one line, with the counts and the seed
    let line = printed
        .lines()
        .find(|l| l.starts_with("Beside them, a generated world"))
        .unwrap_or_else(|| panic!("no line about the generated world:\n{printed}"));
    assert!(line.contains("seed 1,") && line.contains("3,000 residents and "), "{line}");
    assert!(!line.contains("refused"), "{line}");
    let seconds: f64 = after(line, "loaded in ").parse().expect("seconds");
    assert!(seconds < 10.0, "the generated world took {seconds} s: {line}");
    let as_of = onshi_law::parse_iso_date(after(line, "as of ").trim_end_matches("):")).expect("as of");

    // what the demo printed before still works
    let admin = after(&printed, "admin token");
    assert!(admin.starts_with("onshi_"), "{admin}");
    let clinic = after(&printed, "clinic token");
    let (status, a) = check(
        &addr,
        clinic,
        json!({"insurer_number": "01130012", "symbol": "10", "number": "1001", "birth_date": "1980-04-15"}),
    );
    assert_eq!((status, a["result"].as_str()), (200, Some("valid")), "example 1: {a}");
    assert_eq!(a["coverage"]["copay_ratio"], 30, "example 1: {a}");
    let (status, a) = check(
        &addr,
        clinic,
        json!({"insurer_number": "06139992", "symbol": "7", "number": "3001", "birth_date": "2015-05-05"}),
    );
    assert_eq!((status, a["error"]["code"].as_str()), (409, Some("branch_required")), "example 2: {a}");
    let (status, a) = check(
        &addr,
        clinic,
        json!({"insurer_number": "06139992", "symbol": "7", "number": "2001", "birth_date": "1965-03-03"}),
    );
    assert_eq!(status, 200, "example 3: {a}");
    assert_eq!(a["coverage"]["name_display"], "高橋 一郎", "example 3: {a}");
    assert!(printed.contains("202611250004  山田 太郎"), "{printed}");
    assert!(printed.contains("every PIN is 1234") && printed.contains("yamada-taro.card.json"), "{printed}");

    // the generated world is the one `onshi sim` makes with that seed and date: its members answer at the counter
    let mut cfg = onshi_sim::Config::new(3_000, 1);
    cfg.start = as_of;
    cfg.days = 0;
    let world = onshi_sim::world(&cfg).expect("the same world");
    let mut asked = 0;
    for m in world.members.iter().filter(|m| m.my_number.is_some()).step_by(97).take(20) {
        let mut body = json!({
            "insurer_number": m.key.insurer_number.as_str(),
            "number": m.key.number.as_str(),
            "branch": m.key.branch.as_str(),
            "birth_date": m.birth_date.to_string(),
        });
        if let Some(s) = &m.key.symbol {
            body["symbol"] = json!(s.as_str());
        }
        let (status, a) = check(&addr, clinic, body.clone());
        assert_eq!((status, a["result"].as_str()), (200, Some("valid")), "{body} → {a}");
        asked += 1;
    }
    assert_eq!(asked, 20);
}
