//! `onshi sim replay --http`: a generated world fed into a real `onshi serve` on 127.0.0.1 over the contract,
//! every visit asked at the counter by the card's numbers, and every answer compared with the truth.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Server, http};
use serde_json::Value;

/// Runs `onshi ARGS` with at most `limit` of wall time; (success, stdout + stderr).
fn onshi(args: &[&str], env: &[(&str, &str)], limit: Duration) -> (bool, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_onshi"));
    cmd.args(args).stdout(Stdio::piped()).stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("spawn onshi");
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            let out = child.wait_with_output().expect("output");
            let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
            return (status.success(), text);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("onshi {args:?} did not finish in {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_world_replayed_over_http_is_answered_truthfully_by_onshi_serve() {
    let tmp = tempfile::tempdir().expect("tmp");
    let world = tmp.path().join("world");
    let world_s = world.to_str().expect("utf-8 path");
    let (ok, out) = onshi(
        &["sim", "generate", "--persons", "400", "--seed", "3", "--days", "60", "--out", world_s],
        &[],
        Duration::from_secs(60),
    );
    assert!(ok, "generate: {out}");
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(world.join("summary.json")).expect("summary")).expect("json");
    let visits = summary["visits"].as_u64().expect("visits");
    assert!(visits > 50, "{summary}");

    let server = Server::start(&tmp.path().join("data"));
    let json = tmp.path().join("replay.json");
    let (ok, out) = onshi(
        &["sim", "replay", "--world", world_s, "--http", &server.addr, "--json", json.to_str().expect("utf-8")],
        &[("ONSHI_ADMIN_TOKEN", &server.admin)],
        Duration::from_secs(240),
    );
    assert!(ok, "replay: {out}");
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&json).expect("report")).expect("json");
    assert_eq!(report["visits"].as_u64(), Some(visits), "{report}");
    let policies = report["policies"].as_array().expect("policies");
    assert_eq!(policies.len(), 1, "over HTTP only onshi's rules run: {report}");
    let onshi_policy = &policies[0];
    let questions = onshi_policy["questions"].as_u64().expect("questions");
    assert_eq!(questions, visits, "every visit asked once: {report}");
    let truthful = onshi_policy["outcomes"]["truthful"].as_u64().unwrap_or(0);
    // the server's clock is the wall clock and the world lies in the past, so everything the insurers recorded is
    // known when the question is asked: what is left is the notice delay before the insurer records anything
    assert!(truthful as f64 >= 0.97 * questions as f64, "truthful {truthful} of {questions}: {report}");
    for kind in ["wrong_person", "placeholder_in_name", "wrong_copay"] {
        assert_eq!(onshi_policy["outcomes"][kind].as_u64().unwrap_or(0), 0, "{kind}: {report}");
    }

    // the server really holds the world: its members answer at the counter, and each read is in the access log
    let clinic = server.token("clinic", "1311234567");
    let members = std::fs::read_to_string(world.join("members.csv")).expect("members.csv");
    let header: Vec<&str> = members.lines().next().expect("header").split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).expect("column");
    let (ins, sym, num, br, birth) =
        (col("insurer_number"), col("symbol"), col("number"), col("branch"), col("birth_date"));
    let row: Vec<&str> = members.lines().nth(1).expect("a member").split(',').collect();
    let mut body = serde_json::json!({"insurer_number": row[ins], "number": row[num], "branch": row[br],
        "birth_date": row[birth], "service_date": summary["start"]});
    if !row[sym].is_empty() {
        body["symbol"] = Value::from(row[sym]);
    }
    let (status, answer) =
        http(&server.addr, "POST", "/clinic/v1/eligibility", Some(&clinic), Some(&body)).expect("an answer");
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["result"], "valid", "{body} → {answer}");
}
