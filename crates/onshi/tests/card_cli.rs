//! `onshi card issue`, `read` and `show` as a user runs them: real child processes against a real
//! `onshi serve` on 127.0.0.1 (a fresh data directory, whose issuing CA is made on first start). A card is
//! issued for an enrolled resident; `onshi card read` with the PIN given non-interactively (`--pin`,
//! `ONSHI_CARD_PIN`, or a line on standard input) answers valid; three wrong PINs lock the card, and then even
//! the right PIN is refused until `onshi card reset-pin`. Every command is bounded in time.

mod common;

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{Server, http};
use onshi_ids::MyNumber;
use serde_json::{Value, json};

/// The longest any one `onshi card` command may take (a PIN try costs an Argon2id derivation, well under 1 s).
const COMMAND_LIMIT: Duration = Duration::from_secs(60);
const PIN: &str = "2468";
const RESET_CODE_PREFIX: &str = "PIN reset code";

/// Runs `onshi` with `args` (and `stdin` as its standard input), killed after [`COMMAND_LIMIT`].
fn onshi(args: &[&str], envs: &[(&str, &str)], stdin: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_onshi"));
    cmd.args(args)
        .env_remove("ONSHI_SERVER")
        .env_remove("ONSHI_TOKEN")
        .env_remove("ONSHI_CARD_PIN")
        .env_remove("ONSHI_CARD_RESET_CODE")
        .env_remove("ONSHI_CARD_NEW_PIN")
        .env_remove("RUST_BACKTRACE")
        .env_remove("RUST_LIB_BACKTRACE")
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("spawn onshi");
    if let (Some(text), Some(mut input)) = (stdin, child.stdin.take()) {
        input.write_all(text.as_bytes()).expect("write stdin");
    }
    let deadline = Instant::now() + COMMAND_LIMIT;
    loop {
        match child.try_wait().expect("wait") {
            Some(_) => return child.wait_with_output().expect("output"),
            None if Instant::now() > deadline => {
                let _ = child.kill();
                let out = child.wait_with_output().expect("output");
                panic!(
                    "onshi {args:?} took more than {COMMAND_LIMIT:?}\nstdout: {}\nstderr: {}",
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr)
                );
            }
            None => std::thread::sleep(Duration::from_millis(20)),
        }
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Reads `card` at the counter with `pin` and returns the process output.
fn read(base: &str, clinic: &str, card: &Path, pin: &str, json: bool) -> Output {
    let card = card.to_str().expect("utf-8 path");
    let mut args = vec!["card", "read", "--server", base, "--token", clinic, "--card", card, "--pin", pin];
    args.extend(["--consent", "medication"]);
    if json {
        args.push("--json");
    }
    onshi(&args, &[], None)
}

#[test]
fn onshi_card_read_checks_a_card_in_and_three_wrong_pins_lock_it() {
    let data = tempfile::tempdir().expect("data");
    let server = Server::start(&data.path().join("d"));
    let base = format!("http://{}", server.addr);
    let clinic = server.token("clinic", "1311234567");

    // a resident with a linked coverage
    let my_number = MyNumber::from_body("31234567890").expect("my number").as_str().to_owned();
    let resident = json!({"name": "髙橋 花子", "name_kana": "タカハシ ハナコ", "birth_date": "1980-04-15",
                          "sex": "female", "address": "東京都千代田区永田町二丁目1番2号"});
    let r =
        http(&server.addr, "PUT", &format!("/registry/v1/residents/{my_number}"), Some(&server.admin), Some(&resident));
    assert!(matches!(r, Ok((201, _))), "{r:?}");
    let member = json!({"insurer_number": "06139992", "symbol": "1", "number": "100", "branch": "00",
        "relationship": "insured", "my_number": my_number, "name": "髙橋 花子", "name_kana": "タカハシ ハナコ",
        "birth_date": "1980-04-15", "sex": "female", "address": "東京都千代田区永田町二丁目1番2号",
        "acquired_on": "2024-04-01"});
    let r = http(&server.addr, "POST", "/insurer/v1/members", Some(&server.admin), Some(&member));
    assert!(matches!(r, Ok((201, _))), "{r:?}");

    // `onshi card issue`: the PIN from the environment, as a script gives it
    let card = data.path().join("hanako.card.json");
    let card_s = card.to_str().expect("utf-8 path");
    let out = onshi(
        &["card", "issue", "--server", &base, "--token", &server.admin, "--my-number", &my_number, "--out", card_s],
        &[("ONSHI_CARD_PIN", PIN)],
        None,
    );
    assert!(out.status.success(), "card issue failed: {}", text(&out.stderr));
    let issued = text(&out.stdout);
    assert!(issued.contains("髙橋 花子"), "{issued}");
    let reset_code = issued
        .lines()
        .find_map(|l| l.trim().strip_prefix(RESET_CODE_PREFIX))
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no PIN reset code printed:\n{issued}"))
        .to_owned();

    // `onshi card read` with --pin: a valid answer, as JSON
    let out = read(&base, &clinic, &card, PIN, true);
    assert!(out.status.success(), "card read failed: {}", text(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).expect("card read --json prints JSON");
    assert_eq!(v["result"], "valid", "{v}");
    assert_eq!(v["method"], "pin", "{v}");
    assert_eq!(v["holder"]["name"], "髙橋 花子", "{v}");
    assert_eq!(v["coverage"]["insurer_number"], "06139992", "{v}");
    assert_eq!(v["coverage"]["copay_ratio"], 30, "{v}");
    assert_eq!(v["coverage"]["name_display"], "高橋 花子", "{v}");
    assert_eq!(v["certificate"]["status"], "valid", "{v}");
    assert_eq!(v["consent"]["medication"], true, "{v}");
    assert_eq!(v["consent"]["checkup"], false, "{v}");

    // the PIN from the environment, and as one line on standard input (no terminal): the summary
    let read_args = ["card", "read", "--server", &base, "--token", &clinic, "--card", card_s, "--consent", "none"];
    let out = onshi(&read_args, &[("ONSHI_CARD_PIN", PIN)], None);
    assert!(out.status.success(), "card read (ONSHI_CARD_PIN) failed: {}", text(&out.stderr));
    let summary = text(&out.stdout);
    assert!(summary.contains("有効 (valid)") && summary.contains("3割"), "{summary}");
    let out = onshi(&read_args, &[], Some(&format!("{PIN}\n")));
    assert!(out.status.success(), "card read (stdin) failed: {}", text(&out.stderr));
    assert!(text(&out.stdout).contains("有効 (valid)"), "{}", text(&out.stdout));

    // three wrong PINs lock the card; each refusal says how many tries are left and what to do next
    for left in [2, 1] {
        let out = read(&base, &clinic, &card, "0000", false);
        let err = text(&out.stderr);
        assert!(!out.status.success(), "a wrong PIN was accepted");
        assert!(err.contains("pin_wrong") && err.contains(&format!("{left} tries left")), "{err}");
        assert!(err.contains("Next:"), "{err}");
    }
    let out = read(&base, &clinic, &card, "0000", false);
    let err = text(&out.stderr);
    assert!(!out.status.success(), "a third wrong PIN was accepted");
    assert!(err.contains("pin_locked"), "{err}");
    // locked: the right PIN is refused too, and the clerk is told what to do today
    let out = read(&base, &clinic, &card, PIN, false);
    let err = text(&out.stderr);
    assert!(!out.status.success(), "a locked card answered");
    assert!(err.contains("pin_locked") && err.contains("資格確認書"), "{err}");
    let out = onshi(&["card", "show", "--card", card_s], &[], None);
    assert!(out.status.success(), "card show failed: {}", text(&out.stderr));
    assert!(text(&out.stdout).contains("locked"), "{}", text(&out.stdout));

    // at the municipal office: the reset code unlocks it with a new PIN, and the card reads again
    let out = onshi(
        &["card", "reset-pin", "--card", card_s],
        &[("ONSHI_CARD_RESET_CODE", &reset_code), ("ONSHI_CARD_NEW_PIN", "1357")],
        None,
    );
    assert!(out.status.success(), "card reset-pin failed: {}", text(&out.stderr));
    let out = read(&base, &clinic, &card, "1357", true);
    assert!(out.status.success(), "card read after the reset failed: {}", text(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["result"], "valid", "{v}");
}
