//! `onshi doc`: the documents people carry (資格確認書, 資格情報のお知らせ) — make a signing key, sign
//! and print a document, revoke one, and verify one offline. Wiring only: the rules are
//! onshi-document's, the paper is onshi-document-pdf's.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, anyhow, bail};
use chrono::{DateTime, Utc};
use clap::{Args, Subcommand};
use onshi_document::{
    Document, DocumentJson, DocumentSigner, KeySet, Revocation, RevocationList, RevocationReason, SYSTEM_ISSUER,
    VerificationJson, sign, verify,
};
use onshi_document_pdf::{FontFile, IPAMJ_PATH, render, scan};
use onshi_law::{legal_today, parse_iso_date};
use onshi_service::documents::DocumentCache;

/// The documents people carry: 資格確認書 and 資格情報のお知らせ, signed, printed and verified offline.
///
/// A document's QR code holds its content and the issuer's signature (CWT in COSE_Sign1, ES256, zlib,
/// Base45; text starting with `JPHI1:`). A clinic verifies it with the published keys (keys.json) and the
/// revocation list it has cached — no network.
///
/// Examples:
///   onshi doc keygen --out system.key.pem --keys keys.json
///   onshi doc sign --key system.key.pem --document doc.json --pdf card.pdf
///   onshi doc revoke --key system.key.pem --keys keys.json --list revoked.cose --serial 01130012-000001 --reason reissued
///   onshi doc verify --keys keys.json --revocations revoked.cose 'JPHI1:…'
///   onshi doc verify --keys keys.json --revocations revoked.cose --file scan.png
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct DocArgs {
    #[command(subcommand)]
    command: DocCommand,
}

#[derive(Subcommand)]
enum DocCommand {
    Keygen(KeygenArgs),
    Sign(SignArgs),
    Revoke(RevokeArgs),
    Verify(VerifyArgs),
}

/// Make a signing key (P-256, PKCS#8 PEM, readable by its owner only) and publish its public half in a key
/// set file (created when missing).
///
/// Example:
///   onshi doc keygen --out system.key.pem --keys keys.json
///   onshi doc keygen --issuer 01130012 --out kyokai.key.pem --keys keys.json
#[derive(Args)]
#[command(verbatim_doc_comment)]
struct KeygenArgs {
    /// Whom the key signs for: `system` (any insurer's documents, and revocation lists) or an insurer number.
    #[arg(long, default_value = SYSTEM_ISSUER)]
    issuer: String,
    /// Where to write the private key (refuses to overwrite).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// The key set to add the public key to (what verifiers fetch).
    #[arg(long, value_name = "FILE")]
    keys: PathBuf,
    /// The first day documents signed with it may be issued (default today in Japan).
    #[arg(long, value_name = "YYYY-MM-DD")]
    valid_from: Option<String>,
}

/// Sign a document (JSON: the fields of docs/api.md's document object) and print its QR text; optionally
/// print it on paper (PDF: a card for a 資格確認書, A4 for a お知らせ).
///
/// Example:
///   onshi doc sign --key system.key.pem --document doc.json --pdf card.pdf
#[derive(Args)]
#[command(verbatim_doc_comment)]
struct SignArgs {
    /// The private key (PKCS#8 PEM).
    #[arg(long, value_name = "FILE")]
    key: PathBuf,
    /// Whom the key signs for (as at keygen).
    #[arg(long, default_value = SYSTEM_ISSUER)]
    issuer: String,
    /// The document, as JSON.
    #[arg(long, value_name = "FILE")]
    document: PathBuf,
    /// Also write the printed document here.
    #[arg(long, value_name = "FILE")]
    pdf: Option<PathBuf>,
    /// The font for the printed names (IPAmj明朝: Debian's fonts-ipamj-mincho).
    #[arg(long, value_name = "FILE", default_value = IPAMJ_PATH)]
    font: PathBuf,
}

/// Add a document to the signed revocation list (created when missing; its sequence number goes up by one).
///
/// Example:
///   onshi doc revoke --key system.key.pem --keys keys.json --list revoked.cose --serial 01130012-000001 --reason reissued --replaced-by 01130012-000002
#[derive(Args)]
#[command(verbatim_doc_comment)]
struct RevokeArgs {
    /// A system key (PKCS#8 PEM): only the system signs revocation lists.
    #[arg(long, value_name = "FILE")]
    key: PathBuf,
    /// The key set, to check the existing list's signature.
    #[arg(long, value_name = "FILE")]
    keys: PathBuf,
    /// The revocation list file.
    #[arg(long, value_name = "FILE")]
    list: PathBuf,
    /// The revoked document's serial.
    #[arg(long)]
    serial: String,
    /// Why: reissued, coverage_lost, reported_lost, issued_in_error.
    #[arg(long)]
    reason: String,
    /// From which day it is refused (default today in Japan).
    #[arg(long, value_name = "YYYY-MM-DD")]
    on: Option<String>,
    /// The serial of the document that replaces it.
    #[arg(long)]
    replaced_by: Option<String>,
}

/// Verify a document offline: genuine, tampered, revoked, expired or not yet valid, with the next step.
/// Exit status 0 only for a genuine document that is valid today, 3 for any other verdict, 1 for an error.
///
/// Example:
///   onshi doc verify --keys keys.json --revocations revoked.cose 'JPHI1:…'
///   onshi doc verify --keys keys.json --file scan.png --json
#[derive(Args)]
#[command(verbatim_doc_comment)]
struct VerifyArgs {
    /// The QR text (`JPHI1:…`).
    #[arg(conflicts_with = "file", required_unless_present = "file")]
    text: Option<String>,
    /// A file holding the QR text, or a picture of the QR code (PNG or JPEG).
    #[arg(long, value_name = "FILE")]
    file: Option<PathBuf>,
    /// The cached key set.
    #[arg(long, value_name = "FILE")]
    keys: PathBuf,
    /// The cached revocation list (its age is the file's modification time).
    #[arg(long, value_name = "FILE")]
    revocations: Option<PathBuf>,
    /// The day to verify for (default today in Japan).
    #[arg(long, value_name = "YYYY-MM-DD")]
    today: Option<String>,
    /// Print the answer as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(args: DocArgs) -> anyhow::Result<()> {
    match args.command {
        DocCommand::Keygen(a) => keygen(a),
        DocCommand::Sign(a) => sign_cmd(a),
        DocCommand::Revoke(a) => revoke(a),
        DocCommand::Verify(a) => verify_cmd(a),
    }
}

fn day(arg: Option<&str>, now: DateTime<Utc>) -> anyhow::Result<onshi_law::Date> {
    match arg {
        None => Ok(legal_today(now)),
        Some(s) => parse_iso_date(s).map_err(|e| anyhow!("{s}: {e} (expected YYYY-MM-DD)")),
    }
}

/// The verifier's caches from their files: the key set, and the revocation list (verified against it) with
/// its fetch time (the file's modification time). `onshi doc verify` and `onshi serve --document-keys` share it.
pub(crate) fn load_caches(keys: &Path, revocations: Option<&Path>) -> anyhow::Result<DocumentCache> {
    let keys = read_keys(keys)?;
    let revocations = match revocations {
        None => None,
        Some(p) => {
            let bytes = std::fs::read(p).with_context(|| format!("reading the revocation list {}", p.display()))?;
            let list =
                RevocationList::open(&bytes, &keys).map_err(|e| anyhow!("{}: {e}. {}", p.display(), e.next_step()))?;
            let fetched: DateTime<Utc> = std::fs::metadata(p)?.modified()?.into();
            Some((list, fetched))
        }
    };
    Ok(DocumentCache { keys, revocations })
}

fn read_keys(path: &Path) -> anyhow::Result<KeySet> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading the key set {}", path.display()))?;
    KeySet::from_json(&text)
        .with_context(|| format!("{}: {}", path.display(), "not a key set (onshi doc keygen writes one)"))
}

fn read_signer(path: &Path, issuer: &str) -> anyhow::Result<DocumentSigner> {
    let pem = std::fs::read_to_string(path).with_context(|| format!("reading the key {}", path.display()))?;
    DocumentSigner::from_pkcs8_pem(&pem, issuer).map_err(|e| anyhow!("{}: {e}. {}", path.display(), e.next_step()))
}

fn write_new(path: &Path, bytes: &[u8], private: bool) -> anyhow::Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt as _;
        opts.mode(0o600);
    }
    let _ = private;
    let mut f = opts.open(path).with_context(|| format!("creating {} (it must not exist yet)", path.display()))?;
    f.write_all(bytes)?;
    f.sync_all()?;
    Ok(())
}

/// Replace `path` whole: write a temporary file beside it, fsync, rename.
fn replace(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::File::open(&tmp)?.sync_all()?;
    std::fs::rename(&tmp, path).with_context(|| format!("replacing {}", path.display()))?;
    Ok(())
}

fn keygen(a: KeygenArgs) -> anyhow::Result<()> {
    if a.issuer != SYSTEM_ISSUER {
        onshi_ids::InsurerNumber::parse(&a.issuer)
            .map_err(|e| anyhow!("--issuer {}: {e}; use `system` or an insurer number", a.issuer))?;
    }
    let now = Utc::now();
    let signer = create_key(&a.issuer, &a.out, &a.keys, day(a.valid_from.as_deref(), now)?, now)?;
    println!(
        "key {} for {} written to {}; public key added to {}",
        signer.kid(),
        a.issuer,
        a.out.display(),
        a.keys.display()
    );
    Ok(())
}

/// A new signing key written to `out` (owner-only, never over an existing file), its public half added to the
/// key set at `keys` (created when missing), valid from `from`.
fn create_key(
    issuer: &str,
    out: &Path,
    keys: &Path,
    from: onshi_law::Date,
    now: DateTime<Utc>,
) -> anyhow::Result<DocumentSigner> {
    let mut set = if keys.exists() { read_keys(keys)? } else { KeySet { keys: vec![], fetched_at: now } };
    let signer = DocumentSigner::generate(issuer);
    write_new(out, signer.to_pkcs8_pem()?.as_bytes(), true)?;
    set.keys.push(signer.published(from, None)?);
    set.fetched_at = now;
    replace(keys, serde_json::to_string_pretty(&set)?.as_bytes())?;
    Ok(signer)
}

fn sign_cmd(a: SignArgs) -> anyhow::Result<()> {
    let signer = read_signer(&a.key, &a.issuer)?;
    let text = std::fs::read_to_string(&a.document).with_context(|| format!("reading {}", a.document.display()))?;
    let json: DocumentJson = serde_json::from_str(&text)
        .with_context(|| format!("{}: not a document (see docs/api.md, documents)", a.document.display()))?;
    let doc = Document::try_from(json).map_err(|e| anyhow!("{}: {e}. {}", a.document.display(), e.next_step()))?;
    let qr = sign(&doc, &signer).map_err(|e| anyhow!("{e}. {}", e.next_step()))?;
    if let Some(pdf) = &a.pdf {
        let font = FontFile::read(&a.font).map_err(|e| anyhow!("{e}. {}", e.next_step()))?;
        let bytes = render(&doc, &qr, &font).map_err(|e| anyhow!("{e}. {}", e.next_step()))?;
        write_new(pdf, &bytes, false)?;
        eprintln!("{} {} printed to {}", doc.kind.label_ja(), doc.serial, pdf.display());
    }
    println!("{qr}");
    Ok(())
}

fn revoke(a: RevokeArgs) -> anyhow::Result<()> {
    let now = Utc::now();
    let signer = read_signer(&a.key, SYSTEM_ISSUER)?;
    let keys = read_keys(&a.keys)?;
    let reason: RevocationReason = serde_json::from_value(serde_json::Value::String(a.reason.clone()))
        .map_err(|_| anyhow!("--reason {}: use reissued, coverage_lost, reported_lost or issued_in_error", a.reason))?;
    let mut list = if a.list.exists() {
        let bytes = std::fs::read(&a.list)?;
        RevocationList::open(&bytes, &keys).map_err(|e| anyhow!("{}: {e}. {}", a.list.display(), e.next_step()))?
    } else {
        RevocationList { sequence: 0, issued_at: now, entries: vec![] }
    };
    if list.find(&a.serial).is_some() {
        bail!("{} is already revoked in {} (nothing changed)", a.serial, a.list.display());
    }
    list.entries.push(Revocation {
        serial: a.serial.clone(),
        reason,
        revoked_on: day(a.on.as_deref(), now)?,
        replaced_by: a.replaced_by,
    });
    list.sequence += 1;
    list.issued_at = now;
    let sequence = list.sequence;
    let bytes = list.sign(&signer).map_err(|e| anyhow!("{e}. {}", e.next_step()))?;
    replace(&a.list, &bytes)?;
    println!("{} revoked ({}); {} is now list {sequence}", a.serial, reason.code(), a.list.display());
    Ok(())
}

/// The exit status of a verdict that is not genuine.
const NOT_GENUINE: i32 = 3;

fn verify_cmd(a: VerifyArgs) -> anyhow::Result<()> {
    let now = Utc::now();
    let DocumentCache { keys, revocations: list } = load_caches(&a.keys, a.revocations.as_deref())?;
    let text = match (&a.text, &a.file) {
        (Some(t), _) => t.clone(),
        (None, Some(f)) => {
            let bytes = std::fs::read(f).with_context(|| format!("reading {}", f.display()))?;
            match std::str::from_utf8(&bytes) {
                Ok(t) if t.trim_start().starts_with(onshi_document::QR_PREFIX) => t.to_owned(),
                _ => scan(&bytes).map_err(|e| anyhow!("{}: {e}. {}", f.display(), e.next_step()))?,
            }
        }
        (None, None) => bail!("give the QR text or --file"),
    };
    let today = day(a.today.as_deref(), now)?;
    let cached = list.as_ref().map(|(l, at)| (l, *at));
    let verdict = verify(&text, &keys, cached, today, now);
    let answer = VerificationJson::new(&verdict, &keys, cached, now);
    if a.json {
        println!("{}", serde_json::to_string_pretty(&answer)?);
    } else {
        print_answer(&answer);
    }
    if !answer.genuine {
        std::process::exit(NOT_GENUINE);
    }
    Ok(())
}

fn print_answer(a: &VerificationJson) {
    println!("判定: {} [{}]", a.message, a.code);
    println!("次の対応: {}", a.next_step);
    for w in &a.warnings {
        println!("注意: {} [{}]", w.message, w.code);
    }
    if let Some(d) = &a.document {
        let claim = if d.name_display != d.name {
            format!("（請求時の表記: {}）", d.name_display)
        } else {
            String::new()
        };
        println!("氏名: {}{claim}", d.name);
        println!(
            "保険者番号: {}  記号・番号・枝番: {} {} {}",
            d.insurer_number,
            d.symbol.as_deref().unwrap_or("-"),
            d.number,
            d.branch.as_deref().unwrap_or("-")
        );
        println!("生年月日: {}  有効: {} 〜 {}", d.birth_date, d.valid_from, d.valid_until.as_deref().unwrap_or(""));
        println!("番号: {} 第{}版", d.serial, d.version);
    }
    let list = a
        .revocation_list
        .as_ref()
        .map(|l| format!("第{}版（{}時間前に取得）", l.sequence, l.age_hours))
        .unwrap_or_else(|| "なし".to_owned());
    println!("公開鍵: {}時間前に取得  失効リスト: {list}", a.keys_age_hours);
}

/// `onshi serve --demo`: a system signing key, its key set and an empty revocation list in `DIR/documents/`,
/// and a 資格確認書 for the demo's 髙橋 一郎 (its QR text, and its card as PDF when the font is there), so that
/// the reception screen and `onshi doc verify` have something genuine to verify. Returns the caches and the
/// lines the demo prints.
pub(crate) fn demo_documents(data: &Path, font: &Path) -> anyhow::Result<(DocumentCache, String)> {
    let dir = data.join("documents");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let now = Utc::now();
    let today = legal_today(now);
    let (key_path, keys_path, list_path) =
        (dir.join("system.key.pem"), dir.join("keys.json"), dir.join("revoked.cose"));
    let signer = if key_path.exists() {
        read_signer(&key_path, SYSTEM_ISSUER)?
    } else {
        let s = create_key(SYSTEM_ISSUER, &key_path, &keys_path, today, now)?;
        let list = RevocationList { sequence: 1, issued_at: now, entries: vec![] }.sign(&s)?;
        replace(&list_path, &list)?;
        s
    };
    let until = today.checked_add_months(chrono::Months::new(12)).and_then(|d| d.pred_opt()).unwrap_or(today);
    let json: DocumentJson = serde_json::from_value(serde_json::json!({
        "kind": "eligibility_certificate", "serial": "06139992-DEMO0001", "version": 1,
        "insurer_number": "06139992", "insurer_name": "onshi健康保険組合（デモ）", "symbol": "7", "number": "2001",
        "branch": "00", "name": "髙橋 一郎", "name_display": "高橋 一郎", "name_kana": "タカハシ イチロウ",
        "birth_date": "1965-03-03", "relationship": "insured", "acquired_on": "2010-04-01", "copay_ratio": 30,
        "issued_on": today.to_string(), "valid_from": today.to_string(), "valid_until": until.to_string()
    }))?;
    let doc = Document::try_from(json).map_err(|e| anyhow!("demo document: {e}"))?;
    let qr = sign(&doc, &signer)?;
    let qr_path = dir.join("takahashi.qr.txt");
    replace(&qr_path, qr.as_bytes())?;
    let pdf_path = dir.join("takahashi.pdf");
    let pdf_line = match FontFile::read(font).and_then(|f| render(&doc, &qr, &f)) {
        Ok(pdf) => {
            replace(&pdf_path, &pdf)?;
            format!("  its card (PDF): {}", pdf_path.display())
        }
        Err(e) => format!("  (no PDF: {e})"),
    };
    let caches = load_caches(&keys_path, Some(&list_path))?;
    let printed = format!(
        "A 資格確認書 for 髙橋 一郎, signed (資格確認書・お知らせ; QR text in {qr}):\n{pdf_line}\n  \
         verify offline: onshi doc verify --keys {keys} --revocations {list} --file {qr}\n  \
         or paste it on the reception screen (書面の確認)",
        qr = qr_path.display(),
        keys = keys_path.display(),
        list = list_path.display(),
    );
    Ok((caches, printed))
}
