//! `onshi card`: simulated My Number cards — issue one for a resident, read one at the counter (the
//! terminal reader), revoke, reset a locked PIN, register a reader for face authentication, show a card.
//! Wiring only: the chip is `onshi_card::Card`, the checks are the server's.

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, anyhow, bail};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use clap::{Args, Subcommand};
use onshi_card::pki::{self, RsaPrivateKey};
use onshi_card::{Card, CardError, Issued};
use onshi_service::card_api::{CardCheckAnswer, CardIssueAnswer, CardIssueBody, ChallengeAnswer};
use serde_json::{Value, json};

pub mod demo;

/// Simulated My Number cards (マイナ保険証): issue, read at the counter, revoke, reset a PIN.
///
/// A card is a JSON file standing for the chip: the signed 券面事項, the 利用者証明用電子証明書 (X.509 from
/// onshi's CA) and its private key encrypted under the 4-digit PIN (3 wrong tries lock it).
///
/// Examples:
///   onshi card issue --server http://127.0.0.1:8080 --token $ADMIN --my-number 202611250007 --out taro.card.json
///   onshi card read --server http://127.0.0.1:8080 --token $CLINIC --card taro.card.json
///   onshi card reader --server http://127.0.0.1:8080 --token $CLINIC --key reader.der
///   onshi card read --server http://127.0.0.1:8080 --token $CLINIC --card taro.card.json --face --reader-key reader.der
///   onshi card face --reader-dir ./reader --key reader.der
///   onshi card revoke --server http://127.0.0.1:8080 --token $ADMIN --card taro.card.json --reason lost
///   onshi card reset-pin --card taro.card.json
///   onshi card show --card taro.card.json
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct CardArgs {
    #[command(subcommand)]
    command: CardCommand,
}

#[derive(Subcommand)]
enum CardCommand {
    Issue(IssueArgs),
    Read(ReadArgs),
    Revoke(RevokeArgs),
    ResetPin(ResetPinArgs),
    Reader(ReaderArgs),
    Face(FaceArgs),
    Show(ShowArgs),
}

#[derive(Args)]
pub(crate) struct ServerArgs {
    /// The onshi server (plain HTTP on a trusted network or loopback).
    #[arg(long, value_name = "URL", default_value = "http://127.0.0.1:8080", env = "ONSHI_SERVER")]
    server: String,
    /// A bearer token: registry (or admin) to issue and revoke, clinic to read; admin for `onshi credentials`.
    #[arg(long, value_name = "TOKEN", env = "ONSHI_TOKEN", hide_env_values = true)]
    token: String,
}

/// Issue a card for a registered resident: the key pair is made here (as on the chip), the certificate by
/// the server's CA; the 券面事項 come from the registry.
///
/// Example:
///   onshi card issue --token $ADMIN --my-number 202611250007 --out taro.card.json
#[derive(Args)]
#[command(verbatim_doc_comment)]
struct IssueArgs {
    #[command(flatten)]
    server: ServerArgs,
    /// The resident's My Number.
    #[arg(long, value_name = "12 DIGITS")]
    my_number: String,
    /// Where to write the card file (refuses to overwrite).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// The issue date (default today); a past date makes a card issued earlier (e.g. an expired one).
    #[arg(long, value_name = "YYYY-MM-DD")]
    issued_on: Option<String>,
    /// The 4-digit PIN (asked for when absent).
    #[arg(long, env = "ONSHI_CARD_PIN", hide_env_values = true)]
    pin: Option<String>,
}

/// Read a card at the counter: the server's challenge, the PIN (or the reader's face authentication), the
/// consent, and the eligibility answer.
///
/// Examples:
///   onshi card read --token $CLINIC --card taro.card.json
///   onshi card read --token $CLINIC --card taro.card.json --consent medication,checkup --service-date 2026-12-02
#[derive(Args)]
#[command(verbatim_doc_comment)]
struct ReadArgs {
    #[command(flatten)]
    server: ServerArgs,
    /// The card file (its PIN counter is updated in place).
    #[arg(long, value_name = "FILE")]
    card: PathBuf,
    /// The PIN. Asked for on a terminal when absent; without a terminal it is read as one line from standard
    /// input (scripts: --pin, ONSHI_CARD_PIN or `echo 1234 | onshi card read …`).
    #[arg(long, env = "ONSHI_CARD_PIN", hide_env_values = true)]
    pin: Option<String>,
    /// Authenticate by the reader's face authentication instead of the PIN; needs --reader-key.
    #[arg(long, requires = "reader_key")]
    face: bool,
    /// The reader's key (see `onshi card reader`).
    #[arg(long, value_name = "FILE")]
    reader_key: Option<PathBuf>,
    /// The reader's registered id (printed by `onshi card reader`).
    #[arg(long, value_name = "ID", requires = "face")]
    reader_id: Option<String>,
    /// What the patient consents to share: `medication`, `checkup`, both separated by a comma, or `none`
    /// (asked for on a terminal when absent).
    #[arg(long, value_name = "LIST")]
    consent: Option<String>,
    /// The service date (default today in Japan).
    #[arg(long, value_name = "YYYY-MM-DD")]
    service_date: Option<String>,
    /// Print the server's JSON answer instead of the summary.
    #[arg(long)]
    json: bool,
}

/// Revoke a card's certificate (lost, returned, replaced, deceased, other). Never undone: a revoked card is
/// refused at every counter from then on (`card_revoked`).
///
/// Examples:
///   onshi card revoke --token $ADMIN --card taro.card.json --reason lost
///   onshi card revoke --token $ADMIN --serial 4F1BDE572B6DE7D33A4DC083AC43BAA9 --reason returned
#[derive(Args)]
#[command(verbatim_doc_comment)]
struct RevokeArgs {
    #[command(flatten)]
    server: ServerArgs,
    /// The card file (for its serial) …
    #[arg(long, value_name = "FILE", conflicts_with = "serial", required_unless_present = "serial")]
    card: Option<PathBuf>,
    /// … or the certificate serial.
    #[arg(long)]
    serial: Option<String>,
    /// Why: lost (紛失), returned (返納), replaced (再発行), deceased (死亡) or other.
    #[arg(long, default_value = "lost")]
    reason: String,
}

/// At the municipal office (市区町村窓口): reset a locked PIN with the card's reset code (printed by
/// `onshi card issue` and by `onshi serve --demo`). The tries are 3 again; the certificate does not change.
///
/// Example:
///   onshi card reset-pin --card sato-isamu.card.json --reset-code 1234567890123456 --new-pin 1234
#[derive(Args)]
#[command(verbatim_doc_comment)]
struct ResetPinArgs {
    #[arg(long, value_name = "FILE")]
    card: PathBuf,
    /// The 16-digit reset code printed when the card was issued (asked for when absent).
    #[arg(long, env = "ONSHI_CARD_RESET_CODE", hide_env_values = true)]
    reset_code: Option<String>,
    /// The new 4-digit PIN (asked for when absent).
    #[arg(long, env = "ONSHI_CARD_NEW_PIN", hide_env_values = true)]
    new_pin: Option<String>,
}

/// Make (if missing) and register this reader's key, which signs face-authentication results (顔認証); prints
/// the reader id that `onshi card read --face --reader-id` takes.
///
/// Example:
///   onshi card reader --token $CLINIC --key reader.der
#[derive(Args)]
#[command(verbatim_doc_comment)]
struct ReaderArgs {
    #[command(flatten)]
    server: ServerArgs,
    /// The reader's key file (PKCS #8 DER, owner-only; created if missing).
    #[arg(long, value_name = "FILE")]
    key: PathBuf,
}

/// The reader's face authentication (顔認証) for the reception screen: answers every pending request in the
/// reader directory's `face/` folder (left there when the clerk chose 顔認証) with a result signed by this
/// reader's key — the reader, not the server, vouches that the face matched the card's photo. The key must be
/// registered to the clinic (`onshi card reader`, which also writes the reader id beside the key as KEY.id).
///
/// Example:
///   onshi card face --reader-dir ./onshi-data/reader --key reader.der
#[derive(Args)]
#[command(verbatim_doc_comment)]
struct FaceArgs {
    /// The reception screen's reader directory (`onshi serve --reader-dir`).
    #[arg(long, value_name = "DIR")]
    reader_dir: PathBuf,
    /// The reader's key file (PKCS #8 DER), registered by `onshi card reader`.
    #[arg(long, value_name = "FILE")]
    key: PathBuf,
    /// The reader's registered id (default: read from KEY.id, written by `onshi card reader`).
    #[arg(long, value_name = "ID")]
    reader_id: Option<String>,
}

/// Show what a card holds (券面事項, certificate serial and expiry, PIN tries left) without the PIN.
///
/// Example:
///   onshi card show --card taro.card.json
#[derive(Args)]
#[command(verbatim_doc_comment)]
struct ShowArgs {
    #[arg(long, value_name = "FILE")]
    card: PathBuf,
}

pub fn run(args: CardArgs) -> anyhow::Result<()> {
    match args.command {
        CardCommand::Issue(a) => issue(a),
        CardCommand::Read(a) => read(a),
        CardCommand::Revoke(a) => revoke(a),
        CardCommand::ResetPin(a) => reset_pin(a),
        CardCommand::Reader(a) => reader(a),
        CardCommand::Face(a) => face(a),
        CardCommand::Show(a) => show(a),
    }
}

// ---- shared with the demo ---------------------------------------------------------------------------

/// A new card key and the issuance request for it.
pub fn card_request(my_number: &str, issued_on: Option<String>) -> anyhow::Result<(RsaPrivateKey, CardIssueBody)> {
    let key = pki::new_key().map_err(card_err)?;
    let spki = pki::public_key_der(&key.to_public_key()).map_err(card_err)?;
    Ok((key, CardIssueBody { my_number: my_number.to_owned(), public_key: B64.encode(spki), issued_on }))
}

/// The card put together from the issuer's answer: returns it and its PIN reset code.
pub fn finish_card(key: &RsaPrivateKey, a: &CardIssueAnswer, pin: &str) -> anyhow::Result<(Card, String)> {
    let d = |s: &str, what: &str| B64.decode(s).with_context(|| format!("the server's {what} is not base64"));
    let issued = Issued {
        surface: d(&a.surface, "surface")?,
        surface_signature: d(&a.surface_signature, "surface_signature")?,
        certificate: d(&a.certificate, "certificate")?,
    };
    let reset = onshi_card::chip::new_reset_code().map_err(card_err)?;
    let card = Card::assemble(issued, key, pin, &reset).map_err(card_err)?;
    Ok((card, reset))
}

fn card_err(e: CardError) -> anyhow::Error {
    anyhow!("{} ({}). Next: {}", e, e.code(), e.next_step())
}

// ---- HTTP -------------------------------------------------------------------------------------------

pub(crate) struct Client {
    agent: ureq::Agent,
    base: String,
    token: String,
}

impl Client {
    pub(crate) fn new(s: &ServerArgs) -> Client {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .into();
        Client { agent, base: s.server.trim_end_matches('/').to_owned(), token: s.token.clone() }
    }

    /// POSTs JSON; a 2xx answer's body, or the server's error as a message with its next step.
    pub(crate) fn post(&self, path: &str, body: &Value) -> anyhow::Result<Value> {
        let url = format!("{}{path}", self.base);
        let res = self
            .agent
            .post(&url)
            .header("Authorization", &format!("Bearer {}", self.token))
            .send_json(body)
            .with_context(|| format!("cannot reach onshi at {}", self.base))?;
        self.answer(res)
    }

    /// GETs a path; a 2xx answer's body, or the server's error as a message with its next step.
    pub(crate) fn get(&self, path: &str) -> anyhow::Result<Value> {
        let url = format!("{}{path}", self.base);
        let res = self
            .agent
            .get(&url)
            .header("Authorization", &format!("Bearer {}", self.token))
            .call()
            .with_context(|| format!("cannot reach onshi at {}", self.base))?;
        self.answer(res)
    }

    fn answer(&self, mut res: ureq::http::Response<ureq::Body>) -> anyhow::Result<Value> {
        let status = res.status();
        let v: Value = res.body_mut().read_json().unwrap_or(Value::Null);
        if status.is_success() {
            return Ok(v);
        }
        let e = &v["error"];
        let mut msg = format!(
            "{} {}: {}",
            status.as_u16(),
            e["code"].as_str().unwrap_or("error"),
            e["message"].as_str().unwrap_or("the server refused the request")
        );
        if let Some(n) = e["next_step"].as_str() {
            msg.push_str(&format!("\nNext: {n}"));
        }
        Err(anyhow!(msg))
    }
}

// ---- prompts ----------------------------------------------------------------------------------------

fn ask_secret(prompt: &str) -> anyhow::Result<String> {
    if !std::io::stdin().is_terminal() {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line).context("reading from standard input")?;
        return Ok(line.trim().to_owned());
    }
    rpassword::prompt_password(prompt).context("reading the PIN")
}

fn ask_line(prompt: &str) -> anyhow::Result<String> {
    eprint!("{prompt}");
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).context("reading from standard input")?;
    Ok(line.trim().to_owned())
}

fn new_pin(given: Option<String>) -> anyhow::Result<String> {
    let pin = match given {
        Some(p) => p,
        None => {
            let a = ask_secret("New 4-digit PIN (暗証番号): ")?;
            if std::io::stdin().is_terminal() && ask_secret("Again: ")? != a {
                bail!("the two PINs differ");
            }
            a
        }
    };
    if !onshi_card::rules::pin_well_formed(&pin) {
        return Err(card_err(CardError::PinMalformed));
    }
    Ok(pin)
}

// ---- commands ---------------------------------------------------------------------------------------

fn issue(a: IssueArgs) -> anyhow::Result<()> {
    if a.out.exists() {
        bail!("{} exists; choose another --out (a card file is never overwritten)", a.out.display());
    }
    let pin = new_pin(a.pin)?;
    let client = Client::new(&a.server);
    let (key, body) = card_request(&a.my_number, a.issued_on)?;
    let answer: CardIssueAnswer =
        serde_json::from_value(client.post("/registry/v1/cards", &serde_json::to_value(&body)?)?)
            .context("the server's answer is not a card issuance")?;
    let (card, reset) = finish_card(&key, &answer, &pin)?;
    card.save(&a.out).map_err(card_err)?;
    let s = card.surface();
    println!("card written to {}", a.out.display());
    println!("  holder        {} ({}, {})", s.name, s.birth_date, s.sex);
    println!("  certificate   {} valid {} – {}", answer.certificate_serial, answer.issued_on, answer.expires_on);
    println!("  PIN reset code {reset}   (kept by the municipal office; `onshi card reset-pin` after a lock)");
    Ok(())
}

fn parse_consent(s: &str) -> anyhow::Result<(bool, bool)> {
    let mut c = (false, false);
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match part {
            "medication" => c.0 = true,
            "checkup" => c.1 = true,
            "none" => {}
            other => bail!("--consent: unknown item {other:?} (medication, checkup or none)"),
        }
    }
    Ok(c)
}

fn yes(prompt: &str) -> anyhow::Result<bool> {
    Ok(matches!(ask_line(prompt)?.as_str(), "y" | "Y" | "yes" | "はい"))
}

fn read(a: ReadArgs) -> anyhow::Result<()> {
    let client = Client::new(&a.server);
    let mut card = Card::load(&a.card).map_err(card_err)?;
    let s = card.surface().clone();
    eprintln!("card on the reader: certificate {} (expires {})", s.certificate_serial, s.certificate_expires_on);
    let consent = match &a.consent {
        Some(c) => parse_consent(c)?,
        None if std::io::stdin().is_terminal() => (
            yes("Share medication information (薬剤情報) with this clinic? [y/N] ")?,
            yes("Share checkup information (特定健診等情報) with this clinic? [y/N] ")?,
        ),
        None => (false, false),
    };
    let ch: ChallengeAnswer = serde_json::from_value(client.post("/clinic/v1/card/challenges", &json!({}))?)
        .context("the server's answer is not a challenge")?;
    let mut body = json!({
        "nonce": ch.nonce,
        "certificate": B64.encode(card.certificate_der()),
        "surface": B64.encode(card.surface_bytes()),
        "surface_signature": B64.encode(card.surface_signature()),
        "consent": {"medication": consent.0, "checkup": consent.1},
    });
    if let Some(d) = &a.service_date {
        body["service_date"] = json!(d);
    }
    if a.face {
        let key_path = a.reader_key.as_deref().ok_or_else(|| anyhow!("--face needs --reader-key"))?;
        let key =
            pki::private_key_from_der(&std::fs::read(key_path).with_context(|| format!("{}", key_path.display()))?)
                .map_err(card_err)?;
        let reader_id = match a.reader_id {
            Some(id) => id,
            None => register_reader(&client, &key)?,
        };
        let sig = pki::sign(&key, &onshi_card::face_message(&ch.nonce, &s.certificate_serial));
        body["method"] = json!("face");
        body["face"] = json!({"reader_id": reader_id, "signature": B64.encode(sig)});
    } else {
        let pin = match a.pin {
            Some(p) => p,
            None => ask_secret(&format!("PIN (暗証番号, {} tries left): ", card.pin_tries_left()))?,
        };
        let path = a.card.clone();
        let sig = card.sign_with_pin(&pin, &onshi_card::challenge_message(&ch.nonce), |c| c.save(&path));
        let sig = sig.map_err(card_err)?;
        body["method"] = json!("pin");
        body["signature"] = json!(B64.encode(sig));
    }
    let v = client.post("/clinic/v1/card/eligibility", &body)?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(());
    }
    let ans: CardCheckAnswer = serde_json::from_value(v).context("the server's answer is not a card check")?;
    print_answer(&ans);
    Ok(())
}

fn print_answer(a: &CardCheckAnswer) {
    let big = match a.result.as_str() {
        "valid" => "有効 (valid)",
        "invalid" => "無効 (invalid)",
        "not_found" => "該当資格なし (not found)",
        "multiple" => "複数該当 (more than one coverage: ask which is current)",
        other => other,
    };
    println!("{big}");
    println!("  holder        {} ({})", a.holder.name, a.holder.birth_date);
    match &a.certificate.grace_until {
        Some(g) => println!("  certificate   expired {}, accepted until {g} (grace period)", a.certificate.expires_on),
        None => println!("  certificate   valid until {}", a.certificate.expires_on),
    }
    if let Some(c) = &a.coverage {
        println!("  insurer       {} {}", c.insurer_number, c.insurer_kind);
        println!("  name          {}   (claim: {})", c.name, c.name_display);
        if let Some(r) = c.copay_ratio {
            println!("  copay         {}割 ({r}%)", r / 10);
        }
        println!("  acquired on   {}", c.acquired_on);
        if let Some(n) = &c.insured_name {
            println!("  insured       {n} (被保険者名)");
        }
    }
    println!(
        "  consent       medication {}, checkup {} (until {})",
        if a.consent.medication { "yes" } else { "no" },
        if a.consent.checkup { "yes" } else { "no" },
        a.consent.expires_at
    );
    for n in a.notices.iter().chain(a.coverages.iter().flat_map(|c| c.notices.iter())) {
        println!("  notice        {}: {}", n.code, n.message);
    }
}

fn card_serial(card: &Path) -> anyhow::Result<String> {
    Ok(Card::load(card).map_err(card_err)?.surface().certificate_serial.clone())
}

fn revoke(a: RevokeArgs) -> anyhow::Result<()> {
    let serial = match (&a.serial, &a.card) {
        (Some(s), _) => s.clone(),
        (None, Some(c)) => card_serial(c)?,
        (None, None) => bail!("give --card or --serial"),
    };
    let v =
        Client::new(&a.server).post(&format!("/registry/v1/cards/{serial}/revoke"), &json!({"reason": a.reason}))?;
    println!(
        "certificate {serial}: {} ({})",
        v["status"].as_str().unwrap_or("?"),
        v["revocation_reason"].as_str().unwrap_or("")
    );
    Ok(())
}

fn reset_pin(a: ResetPinArgs) -> anyhow::Result<()> {
    let mut card = Card::load(&a.card).map_err(card_err)?;
    let code = match a.reset_code {
        Some(c) => c,
        None => ask_secret("PIN reset code (16 digits): ")?,
    };
    let pin = new_pin(a.new_pin)?;
    card.reset_pin(code.trim(), &pin).map_err(card_err)?;
    card.save(&a.card).map_err(card_err)?;
    println!("the PIN of {} is reset; 3 tries", a.card.display());
    Ok(())
}

fn register_reader(client: &Client, key: &RsaPrivateKey) -> anyhow::Result<String> {
    let spki = pki::public_key_der(&key.to_public_key()).map_err(card_err)?;
    let v = client.post("/clinic/v1/readers", &json!({"public_key": B64.encode(spki)}))?;
    v["reader_id"].as_str().map(str::to_owned).ok_or_else(|| anyhow!("the server did not answer a reader id"))
}

/// Where `onshi card reader` keeps the registered id of the reader whose key is `key`.
fn reader_id_path(key: &Path) -> PathBuf {
    let mut p = key.as_os_str().to_owned();
    p.push(".id");
    PathBuf::from(p)
}

fn reader(a: ReaderArgs) -> anyhow::Result<()> {
    let key = pki::load_or_create_key(&a.key).map_err(card_err)?;
    let id = register_reader(&Client::new(&a.server), &key)?;
    let id_path = reader_id_path(&a.key);
    std::fs::write(&id_path, format!("{id}\n")).with_context(|| format!("writing {}", id_path.display()))?;
    println!("reader {id} registered (key {}, id written to {})", a.key.display(), id_path.display());
    Ok(())
}

/// The reader process's face authentication: signs `onshi-face-auth/1:<nonce>:<serial>:matched` for every
/// pending request of the reception screen.
fn face(a: FaceArgs) -> anyhow::Result<()> {
    let key = pki::private_key_from_der(&std::fs::read(&a.key).with_context(|| format!("{}", a.key.display()))?)
        .map_err(card_err)?;
    let reader_id = match a.reader_id {
        Some(id) => id,
        None => {
            let p = reader_id_path(&a.key);
            std::fs::read_to_string(&p)
                .with_context(|| {
                    format!("{} (register the reader first: onshi card reader --key {})", p.display(), a.key.display())
                })?
                .trim()
                .to_owned()
        }
    };
    let dir = a.reader_dir.join(onshi_http::FACE_DIR);
    let mut pending: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "request"))
            .collect(),
        Err(_) => Vec::new(),
    };
    pending.sort();
    if pending.is_empty() {
        println!("no face authentication is pending in {}", dir.display());
        return Ok(());
    }
    for req in pending {
        let nonce = req.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_owned();
        let card_name = std::fs::read_to_string(&req).with_context(|| format!("{}", req.display()))?;
        let card_name = card_name.trim();
        if card_name.contains('/') || card_name.contains('\\') || card_name.starts_with('.') {
            bail!("{}: not a card on the reader: {card_name:?}", req.display());
        }
        let card = Card::load(&a.reader_dir.join(card_name)).map_err(card_err)?;
        let sig = pki::sign(&key, &onshi_card::face_message(&nonce, &card.surface().certificate_serial));
        let result = json!({"reader_id": reader_id, "signature": B64.encode(sig)});
        let out = onshi_http::face_result_path(&a.reader_dir, &nonce);
        std::fs::write(&out, serde_json::to_vec(&result)?).with_context(|| format!("writing {}", out.display()))?;
        std::fs::remove_file(&req).with_context(|| format!("removing {}", req.display()))?;
        println!("顔認証 {}: matched, signed by reader {reader_id} ({})", card.surface().name, out.display());
    }
    Ok(())
}

fn show(a: ShowArgs) -> anyhow::Result<()> {
    let card = Card::load(&a.card).map_err(card_err)?;
    let s = card.surface();
    println!("券面事項   {} / {} / {} / {}", s.name, s.birth_date, s.sex, s.address);
    println!("個人番号   {}", s.my_number);
    println!("証明書     {} (issued {}, valid until {})", s.certificate_serial, s.issued_on, s.certificate_expires_on);
    println!(
        "PIN        {}",
        if card.locked() {
            "locked (reset at the municipal office)".to_owned()
        } else {
            format!("{} tries left", card.pin_tries_left())
        }
    );
    Ok(())
}
