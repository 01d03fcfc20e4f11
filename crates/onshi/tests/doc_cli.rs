//! `onshi doc`: a key, a signed and printed 資格確認書, a revocation, and offline verification of the
//! text, of a scan of the paper, and of a forgery — through the binary, as a clerk and a clinic use it.

use std::path::Path;
use std::process::{Command, Output};

fn onshi(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_onshi")).current_dir(dir).args(args).output().expect("run onshi")
}

fn ok(out: &Output) -> String {
    assert!(out.status.success(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

const DOC: &str = r#"{
  "kind": "eligibility_certificate", "serial": "01130012-000001", "version": 1,
  "insurer_number": "01130012", "insurer_name": "全国健康保険協会 東京支部",
  "symbol": "1234", "number": "5678", "branch": "00",
  "name": "髙橋 太郎", "name_display": "高橋 太郎", "name_kana": "タカハシ タロウ",
  "birth_date": "1985-07-07", "relationship": "insured", "acquired_on": "2015-04-01",
  "copay_ratio": 30, "issued_on": "2026-12-01", "valid_from": "2026-12-01", "valid_until": "2031-11-30"
}"#;

#[test]
fn sign_print_revoke_and_verify_offline() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path();
    std::fs::write(dir.join("doc.json"), DOC).expect("doc");
    ok(&onshi(dir, &["doc", "keygen", "--out", "system.key.pem", "--keys", "keys.json", "--valid-from", "2026-01-01"]));
    // the private key is its owner's only, and never overwritten
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(dir.join("system.key.pem")).expect("key").permissions().mode();
        assert_eq!(mode & 0o077, 0, "key readable by others: {mode:o}");
    }
    assert!(!onshi(dir, &["doc", "keygen", "--out", "system.key.pem", "--keys", "keys.json"]).status.success());

    let qr =
        ok(&onshi(dir, &["doc", "sign", "--key", "system.key.pem", "--document", "doc.json", "--pdf", "card.pdf"]));
    let qr = qr.trim();
    assert!(qr.starts_with("JPHI1:"));

    let genuine = onshi(dir, &["doc", "verify", "--keys", "keys.json", "--today", "2026-12-03", qr]);
    let text = ok(&genuine);
    assert!(text.contains("正しい資格確認書です"), "{text}");
    assert!(text.contains("髙橋 太郎（請求時の表記: 高橋 太郎）"), "{text}");
    assert!(text.contains("revocation_list_missing"), "{text}");

    // a scan of the printed card verifies the same
    let r = Command::new("pdftoppm")
        .current_dir(dir)
        .args(["-png", "-r", "600", "-singlefile", "card.pdf", "scan"])
        .status();
    assert!(r.expect("pdftoppm (poppler-utils)").success());
    let scanned = ok(&onshi(
        dir,
        &["doc", "verify", "--keys", "keys.json", "--today", "2026-12-03", "--file", "scan.png", "--json"],
    ));
    let v: serde_json::Value = serde_json::from_str(&scanned).expect("json");
    assert_eq!(v["code"], "document_genuine");
    assert_eq!(v["document"]["serial"], "01130012-000001");

    // one character changed: refused, exit status 3
    let mut forged = qr.as_bytes().to_vec();
    let i = forged.len() / 2;
    forged[i] = if forged[i] == b'A' { b'B' } else { b'A' };
    let forged = String::from_utf8(forged).expect("ascii");
    let out = onshi(dir, &["doc", "verify", "--keys", "keys.json", "--today", "2026-12-03", "--json", &forged]);
    assert_eq!(out.status.code(), Some(3));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_ne!(v["code"], "document_genuine");
    assert!(!v["next_step"].as_str().unwrap_or_default().is_empty());

    // revoked (reissued): refused offline with the cached list
    ok(&onshi(
        dir,
        &[
            "doc",
            "revoke",
            "--key",
            "system.key.pem",
            "--keys",
            "keys.json",
            "--list",
            "revoked.cose",
            "--serial",
            "01130012-000001",
            "--reason",
            "reissued",
            "--on",
            "2026-12-02",
            "--replaced-by",
            "01130012-000002",
        ],
    ));
    let out = onshi(
        dir,
        &["doc", "verify", "--keys", "keys.json", "--revocations", "revoked.cose", "--today", "2026-12-03", qr],
    );
    assert_eq!(out.status.code(), Some(3));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("document_revoked") && text.contains("再交付"), "{text}");
    assert!(text.contains("失効リスト: 第1版"), "{text}");
    // revoking twice changes nothing and says so
    let again = onshi(
        dir,
        &[
            "doc",
            "revoke",
            "--key",
            "system.key.pem",
            "--keys",
            "keys.json",
            "--list",
            "revoked.cose",
            "--serial",
            "01130012-000001",
            "--reason",
            "reissued",
        ],
    );
    assert!(!again.status.success());

    // expired the day after its last day
    let out = onshi(dir, &["doc", "verify", "--keys", "keys.json", "--today", "2031-12-01", qr]);
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stdout).contains("document_expired"));
}

#[test]
fn a_wrong_document_file_names_its_field() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path();
    std::fs::write(dir.join("doc.json"), DOC.replace("2031-11-30", "2031-12-01")).expect("doc");
    ok(&onshi(dir, &["doc", "keygen", "--out", "k.pem", "--keys", "keys.json"]));
    let out = onshi(dir, &["doc", "sign", "--key", "k.pem", "--document", "doc.json"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("valid_until") && err.contains("longer_than_5_years"), "{err}");
}
