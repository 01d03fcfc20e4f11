//! The reception screen (受付画面): a server-rendered page for clinic staff to check a patient in by
//! マイナ保険証 or by the insurance number of a 資格確認書 / 保険証, readable at a glance.
//!
//! - No JavaScript: every check is a plain form post, so the page works with scripts off.
//! - The clerk signs in once with the clinic's token; it is kept in an HttpOnly, SameSite=Strict cookie
//!   scoped to `/reception` (so another site cannot post the forms).
//! - **The card reader.** The simulated card is a file; the cards "placed on the reader" are the card files in
//!   the reader's directory (`onshi serve --reader-dir DIR`; the demo fills one). The clerk picks the card
//!   and the patient types the PIN into the page; the server performs the chip operations on the file — the
//!   PIN counter is written to the card file before the PIN is tried — and answers its own challenge through
//!   the same use-cases as `POST /clinic/v1/card/eligibility`. On a real counter the reader is a device on
//!   the reception PC; `onshi card read` is that client over HTTP.
//! - **顔認証 is the reader's, never the server's.** The server holds no reader key and signs nothing for a
//!   reader. Choosing 顔認証 leaves a request in `DIR/face/<nonce>.request` (the challenge and the card) and
//!   shows the clerk a pending check; the reader process (`onshi card face --reader-dir DIR --key KEY`,
//!   which holds the key of a reader registered to the clinic by `onshi card reader`) authenticates the face
//!   and writes its signed result to `DIR/face/<nonce>.result.json`; the clerk then presses 「顔認証の結果で
//!   確認」 and the server checks that result like any face assertion (the reader registered to this
//!   institution, its signature over `onshi-face-auth/1:<nonce>:<serial>:matched`). Without a result signed by
//!   a registered reader the check is refused: the page cannot skip the PIN.
//! - The exact registered name is drawn in IPAmj明朝 (Debian's fonts-ipamj-mincho, served by onshi from the
//!   system path, never downloaded at run time), so no character becomes 「●」; the claim-ready form is shown
//!   beside it.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Extension, Form, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use maud::{DOCTYPE, Markup, PreEscaped, html};
use onshi_card::{Card, CardError};
use onshi_service::api::{EligibilityAnswer, EligibilityBody};
use onshi_service::card_api::{CardCheckAnswer, CardCheckBody, CardMethod, ConsentBody, FaceAssertion};
use onshi_service::{Actor, Ctx, ServiceError};
use serde::Deserialize;

use crate::{App, RequestId};

mod document;
mod panel;

use panel::result_panel;

/// Where Debian's fonts-ipamj-mincho puts IPAmj明朝.
pub const IPAMJ_SYSTEM_PATH: &str = "/usr/share/fonts/truetype/ipamj/ipamjm.ttf";

const COOKIE: &str = "onshi_reception";

/// The reception screen's configuration: the card reader and the font.
#[derive(Clone)]
pub struct Reception {
    /// The reader's card slot: the card files (`*.card.json`) placed on the reader; its `face/` folder is
    /// where face-authentication requests and the reader process's signed results are exchanged.
    pub reader_dir: Option<PathBuf>,
    /// IPAmj明朝's file.
    pub font_path: PathBuf,
}

impl Default for Reception {
    fn default() -> Self {
        Reception::new(None, PathBuf::from(IPAMJ_SYSTEM_PATH))
    }
}

impl Reception {
    pub fn new(reader_dir: Option<PathBuf>, font_path: PathBuf) -> Reception {
        Reception { reader_dir, font_path }
    }
}

/// The folder of a reader directory where face-authentication requests and results are exchanged.
pub const FACE_DIR: &str = "face";

/// A face-authentication request's file: the card's file name, one line.
pub fn face_request_path(reader_dir: &Path, nonce: &str) -> PathBuf {
    reader_dir.join(FACE_DIR).join(format!("{nonce}.request"))
}

/// A face-authentication result's file, written by the reader process: `{"reader_id", "signature"}`.
pub fn face_result_path(reader_dir: &Path, nonce: &str) -> PathBuf {
    reader_dir.join(FACE_DIR).join(format!("{nonce}.result.json"))
}

/// A nonce as the server issues them (64 lower-case hex digits): anything else never names a file.
fn nonce_ok(n: &str) -> bool {
    n.len() == 64 && n.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

pub(crate) fn routes(cfg: Reception) -> Router<App> {
    Router::new()
        .route("/reception", get(page))
        .route("/reception/login", post(login))
        .route("/reception/logout", post(logout))
        .route("/reception/number", post(by_number))
        .route("/reception/card", post(by_card))
        .route("/reception/card/face", post(by_face_result))
        .route("/reception/document", post(document::by_document))
        .route("/reception/fonts/ipamjm.ttf", get(font))
        .layer(Extension(Arc::new(cfg)))
}

// ---- authentication by cookie -----------------------------------------------------------------------

fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.to_owned())
}

fn actor(app: &App, headers: &HeaderMap) -> Option<Actor> {
    cookie_token(headers).and_then(|t| app.authenticate(Some(&t)).ok())
}

/// The sign-in page (401), the answer to a form posted without a signed-in clinic.
fn sign_in_first() -> Response {
    (StatusCode::UNAUTHORIZED, Html(login_page(Some("ログインしてください。 (please sign in)")).into_string()))
        .into_response()
}

// ---- forms ------------------------------------------------------------------------------------------

#[derive(Deserialize)]
struct LoginForm {
    token: String,
}

#[derive(Deserialize, Default, Clone)]
struct NumberForm {
    #[serde(default)]
    insurer_number: String,
    #[serde(default)]
    symbol: String,
    #[serde(default)]
    number: String,
    #[serde(default)]
    branch: String,
    #[serde(default)]
    birth_date: String,
    #[serde(default)]
    service_date: String,
}

#[derive(Deserialize, Default, Clone)]
struct CardForm {
    #[serde(default)]
    card: String,
    /// Only on the face path's second step: the challenge the reader answered.
    #[serde(default)]
    nonce: String,
    #[serde(default)]
    method: String,
    #[serde(default)]
    pin: String,
    #[serde(default)]
    medication: Option<String>,
    #[serde(default)]
    checkup: Option<String>,
    #[serde(default)]
    service_date: String,
}

fn opt(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

// ---- what a check came to ---------------------------------------------------------------------------

enum Outcome {
    Number(Box<EligibilityAnswer>),
    /// A 資格確認書 or お知らせ verified (and, when genuine, checked by its numbers).
    Document(Box<onshi_service::documents::DocumentVerifyAnswer>),
    Card(Box<CardCheckAnswer>),
    /// 顔認証 asked of the reader: waiting for its signed result (the form carries the nonce).
    FacePending {
        nonce: String,
    },
    Refused {
        code: String,
        message: String,
        next_step: Option<String>,
        field: Option<String>,
    },
}

impl Outcome {
    fn refused(e: &ServiceError) -> Outcome {
        Outcome::Refused {
            code: e.code.to_owned(),
            message: e.message.clone(),
            next_step: Some(e.next_step.to_owned()),
            field: e.field.clone(),
        }
    }

    fn card(e: &CardError) -> Outcome {
        Outcome::Refused {
            code: e.code().to_owned(),
            message: card_message_ja(e),
            next_step: Some(e.next_step().to_owned()),
            field: None,
        }
    }
}

fn card_message_ja(e: &CardError) -> String {
    match e {
        CardError::PinWrong { tries_left } => {
            format!(
                "暗証番号が違います。あと{tries_left}回間違えるとロックされます。 (wrong PIN: {tries_left} tries left)"
            )
        }
        CardError::PinLocked => {
            "暗証番号がロックされています（3回間違えました）。 (the PIN is locked after 3 wrong tries)".into()
        }
        CardError::PinMalformed => "暗証番号は4桁の数字です。 (the PIN is 4 digits)".into(),
        other => other.to_string(),
    }
}

// ---- handlers ---------------------------------------------------------------------------------------

async fn page(State(app): State<App>, Extension(cfg): Extension<Arc<Reception>>, headers: HeaderMap) -> Response {
    match actor(&app, &headers) {
        Some(a) => {
            Html(render(&a, &cfg, None, &NumberForm::default(), &CardForm::default()).into_string()).into_response()
        }
        None => Html(login_page(None).into_string()).into_response(),
    }
}

async fn login(State(app): State<App>, Form(f): Form<LoginForm>) -> Response {
    let token = f.token.trim().to_owned();
    match app.authenticate(Some(&token)) {
        Ok(_) if token.bytes().all(|b| b.is_ascii_graphic()) => {
            let mut r = Redirect::to("/reception").into_response();
            let c = format!("{COOKIE}={token}; Path=/reception; HttpOnly; SameSite=Strict");
            if let Ok(v) = HeaderValue::from_str(&c) {
                r.headers_mut().insert(header::SET_COOKIE, v);
            }
            r
        }
        _ => (
            StatusCode::UNAUTHORIZED,
            Html(
                login_page(Some("このトークンは onshi に登録されていません。 (this token is not known to onshi)"))
                    .into_string(),
            ),
        )
            .into_response(),
    }
}

async fn logout() -> Response {
    let mut r = Redirect::to("/reception").into_response();
    r.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("onshi_reception=; Path=/reception; HttpOnly; SameSite=Strict; Max-Age=0"),
    );
    r
}

fn ctx(a: Actor, rid: &RequestId, endpoint: &'static str) -> Ctx {
    Ctx { actor: a, request_id: rid.0.clone(), endpoint }
}

async fn by_number(
    State(app): State<App>,
    Extension(cfg): Extension<Arc<Reception>>,
    Extension(rid): Extension<RequestId>,
    headers: HeaderMap,
    Form(f): Form<NumberForm>,
) -> Response {
    let Some(a) = actor(&app, &headers) else {
        return sign_in_first();
    };
    let body = EligibilityBody {
        insurer_number: f.insurer_number.trim().to_owned(),
        symbol: opt(&f.symbol),
        number: f.number.trim().to_owned(),
        branch: opt(&f.branch),
        birth_date: f.birth_date.trim().to_owned(),
        service_date: opt(&f.service_date),
    };
    let outcome = match app.check(&ctx(a.clone(), &rid, "POST /reception/number"), body).await {
        Ok(ans) => Outcome::Number(Box::new(ans)),
        Err(e) => Outcome::refused(&e),
    };
    Html(render(&a, &cfg, Some(&outcome), &f, &CardForm::default()).into_string()).into_response()
}

/// The reader's card slot: the names of the card files on the reader.
fn cards_on_reader(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .filter_map(|e| e.file_name().into_string().ok())
                .filter(|n| n.ends_with(".card.json") && !n.starts_with('.'))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

async fn by_card(
    State(app): State<App>,
    Extension(cfg): Extension<Arc<Reception>>,
    Extension(rid): Extension<RequestId>,
    headers: HeaderMap,
    Form(f): Form<CardForm>,
) -> Response {
    let Some(a) = actor(&app, &headers) else {
        return sign_in_first();
    };
    let cx = ctx(a.clone(), &rid, "POST /reception/card");
    let outcome = read_card(&app, &cfg, &cx, &f).await;
    let mut shown = f.clone();
    shown.pin.clear();
    Html(render(&a, &cfg, Some(&outcome), &NumberForm::default(), &shown).into_string()).into_response()
}

/// The card on the reader: the chip operations on the card file (PIN), or the request to the reader process
/// (顔認証), then the server's check. Every attempt is in the access log: the server's check logs its own
/// outcomes, [`logged`] the refusals that come before it.
async fn read_card(app: &App, cfg: &Reception, cx: &Ctx, f: &CardForm) -> Outcome {
    let (dir, path) = match card_on_reader(cfg, f) {
        Ok(x) => x,
        Err(refusal) => return logged(app, cx, refusal).await,
    };
    let challenge = match app.card_challenge(cx) {
        Ok(c) => c,
        Err(e) => return logged(app, cx, Outcome::refused(&e)).await,
    };
    if f.method == "face" {
        // the reader process authenticates the face and signs; the server only asks
        let req = face_request_path(&dir, &challenge.nonce);
        let name = f.card.trim().to_owned();
        let written = tokio::task::spawn_blocking(move || -> std::io::Result<()> {
            if let Some(parent) = req.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(&req, format!("{name}\n"))
        })
        .await;
        return match written {
            Ok(Ok(())) => Outcome::FacePending { nonce: challenge.nonce },
            Ok(Err(e)) => logged(app, cx, Outcome::refused(&ServiceError::internal(&e))).await,
            Err(e) => logged(app, cx, Outcome::refused(&ServiceError::internal(&e))).await,
        };
    }
    let pin = f.pin.trim().to_owned();
    let nonce = challenge.nonce.clone();
    // the chip: Argon2 and RSA take a moment; off the async workers
    let chip = tokio::task::spawn_blocking(move || -> Result<(Card, Vec<u8>), CardError> {
        let mut card = Card::load(&path)?;
        let p = path.clone();
        let sig = card.sign_with_pin(&pin, &onshi_card::challenge_message(&nonce), |c| c.save(&p))?;
        Ok((card, sig))
    })
    .await;
    let (card, signature) = match chip {
        Ok(Ok(x)) => x,
        // the card refused (a wrong or locked PIN, an unreadable file): an attempt all the same
        Ok(Err(e)) => return logged(app, cx, Outcome::card(&e)).await,
        Err(e) => return logged(app, cx, Outcome::refused(&ServiceError::internal(&e))).await,
    };
    let body = check_body(&card, challenge.nonce, CardMethod::Pin, Some(B64.encode(signature)), None, f);
    match app.card_check(cx, body).await {
        Ok(a) => Outcome::Card(Box::new(a)),
        Err(e) => Outcome::refused(&e),
    }
}

/// The card file the clerk chose, if the reader is connected and the card is on it.
fn card_on_reader(cfg: &Reception, f: &CardForm) -> Result<(PathBuf, PathBuf), Outcome> {
    let Some(dir) = cfg.reader_dir.clone() else {
        return Err(Outcome::Refused {
            code: "reader_not_connected".into(),
            message: "この onshi にはカードリーダーが接続されていません。 (no card reader is connected to this onshi)"
                .into(),
            next_step: Some("check by the insurance number below, or run `onshi card read` on the reception PC".into()),
            field: None,
        });
    };
    let name = f.card.trim().to_owned();
    if !cards_on_reader(&dir).contains(&name) {
        return Err(Outcome::Refused {
            code: "card_not_on_reader".into(),
            message: "カードがリーダーに置かれていません。 (no such card on the reader)".into(),
            next_step: Some("ask the patient to place the card on the reader, then choose it".into()),
            field: Some("card".into()),
        });
    }
    let path = dir.join(&name);
    Ok((dir, path))
}

fn check_body(
    card: &Card,
    nonce: String,
    method: CardMethod,
    signature: Option<String>,
    face: Option<FaceAssertion>,
    f: &CardForm,
) -> CardCheckBody {
    CardCheckBody {
        nonce,
        certificate: B64.encode(card.certificate_der()),
        surface: B64.encode(card.surface_bytes()),
        surface_signature: B64.encode(card.surface_signature()),
        method,
        signature,
        face,
        consent: Some(ConsentBody { medication: f.medication.is_some(), checkup: f.checkup.is_some() }),
        service_date: opt(&f.service_date),
    }
}

/// The face path's second step: the reader process's signed result for this challenge, checked by the server
/// like every face assertion (a reader registered to this institution, its signature). No result, no check.
async fn face_result(app: &App, cfg: &Reception, cx: &Ctx, f: &CardForm) -> Outcome {
    let (dir, path) = match card_on_reader(cfg, f) {
        Ok(x) => x,
        Err(refusal) => return logged(app, cx, refusal).await,
    };
    let nonce = f.nonce.trim().to_owned();
    if !nonce_ok(&nonce) {
        let e = ServiceError::invalid(
            "card_challenge_unknown",
            "nonce",
            "this challenge was not issued to this institution",
        )
        .next("read the card again: choose the card and 顔認証, then authenticate on the reader");
        return logged(app, cx, Outcome::refused(&e)).await;
    }
    let (req, res) = (face_request_path(&dir, &nonce), face_result_path(&dir, &nonce));
    let read = tokio::task::spawn_blocking(move || -> Result<(Card, Option<Vec<u8>>), CardError> {
        let card = Card::load(&path)?;
        let result = std::fs::read(&res).ok();
        // a result is used once, whatever the answer
        let _ = std::fs::remove_file(&res);
        let _ = std::fs::remove_file(&req);
        Ok((card, result))
    })
    .await;
    let (card, result) = match read {
        Ok(Ok(x)) => x,
        Ok(Err(e)) => return logged(app, cx, Outcome::card(&e)).await,
        Err(e) => return logged(app, cx, Outcome::refused(&ServiceError::internal(&e))).await,
    };
    let Some(assertion) = result.and_then(|b| serde_json::from_slice::<FaceAssertion>(&b).ok()) else {
        let refusal = Outcome::Refused {
            code: "face_not_authenticated".into(),
            message: "リーダーの顔認証の結果がありません。 (the reader has not authenticated this patient's face)"
                .into(),
            next_step: Some(
                "authenticate the face on the registered reader (`onshi card face`), then press 顔認証の結果で確認 \
                 again — or check by PIN"
                    .into(),
            ),
            field: None,
        };
        return logged(app, cx, refusal).await;
    };
    let body = check_body(&card, nonce, CardMethod::Face, None, Some(assertion), f);
    match app.card_check(cx, body).await {
        Ok(a) => Outcome::Card(Box::new(a)),
        Err(e) => Outcome::refused(&e),
    }
}

async fn by_face_result(
    State(app): State<App>,
    Extension(cfg): Extension<Arc<Reception>>,
    Extension(rid): Extension<RequestId>,
    headers: HeaderMap,
    Form(f): Form<CardForm>,
) -> Response {
    let Some(a) = actor(&app, &headers) else {
        return sign_in_first();
    };
    let cx = ctx(a.clone(), &rid, "POST /reception/card/face");
    let outcome = face_result(&app, &cfg, &cx, &f).await;
    let mut shown = f.clone();
    shown.pin.clear();
    shown.nonce.clear();
    Html(render(&a, &cfg, Some(&outcome), &NumberForm::default(), &shown).into_string()).into_response()
}

/// A card check refused on the reader, before the server's check (which logs its own outcomes): logged as
/// every attempt is. If the line cannot be written, that failure is what the clerk sees.
async fn logged(app: &App, cx: &Ctx, refusal: Outcome) -> Outcome {
    let Outcome::Refused { code, .. } = &refusal else {
        return refusal;
    };
    match app.log_card_refusal(cx, code).await {
        Ok(()) => refusal,
        Err(e) => Outcome::refused(&e),
    }
}

async fn font(Extension(cfg): Extension<Arc<Reception>>) -> Response {
    static FONT: OnceLock<Bytes> = OnceLock::new();
    let bytes = match FONT.get() {
        Some(b) => b.clone(),
        None => {
            let p = cfg.font_path.clone();
            match tokio::task::spawn_blocking(move || std::fs::read(p)).await {
                Ok(Ok(b)) => FONT.get_or_init(|| Bytes::from(b)).clone(),
                _ => {
                    let e = ServiceError::not_found(&format!("the IPAmj明朝 font ({})", cfg.font_path.display()))
                        .next("install it: apt-get install fonts-ipamj-mincho (names are then drawn without 「●」)");
                    return crate::ApiError(e).into_response();
                }
            }
        }
    };
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("font/ttf")),
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable")),
        ],
        bytes,
    )
        .into_response()
}

// ---- rendering --------------------------------------------------------------------------------------

const STYLE: &str = r#"
@font-face { font-family: "IPAmjMincho"; src: url("/reception/fonts/ipamjm.ttf") format("truetype"); font-display: block; }
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; font-family: "Noto Sans CJK JP", "IPAexGothic", sans-serif; font-size: 18px; line-height: 1.5;
       color: #111; background: #fff; }
a { color: #0645ad; }
.skip { position: absolute; left: -999px; } .skip:focus { left: 8px; top: 8px; background: #fff; padding: 4px; }
header { display: flex; justify-content: space-between; align-items: center; padding: 12px 24px; background: #1a1a2e;
         color: #fff; } header h1 { margin: 0; font-size: 24px; } header form { margin: 0; }
main { padding: 16px 24px; max-width: 1200px; }
:focus-visible { outline: 4px solid #ffbf47; outline-offset: 2px; }
.forms { display: grid; grid-template-columns: repeat(auto-fit, minmax(380px, 1fr)); gap: 24px; }
fieldset { border: 2px solid #444; border-radius: 8px; padding: 12px 16px; }
legend { font-weight: bold; font-size: 20px; padding: 0 6px; }
label { display: block; margin-top: 8px; font-weight: bold; }
input[type=text], input[type=password], input[type=date], select { font-size: 20px; padding: 6px 8px; width: 100%;
       border: 2px solid #333; border-radius: 4px; background: #fff; color: #111; }
.row { display: flex; gap: 12px; } .row > div { flex: 1; }
.choice label { display: inline; font-weight: normal; margin-right: 16px; }
button { margin-top: 14px; font-size: 20px; padding: 10px 20px; border-radius: 6px; border: 2px solid #0b3d91;
         background: #0b3d91; color: #fff; cursor: pointer; }
header button { margin: 0; font-size: 16px; padding: 6px 12px; background: #fff; color: #1a1a2e; border-color: #fff; }
.hint { font-size: 15px; color: #333; margin: 2px 0 0; }
.result { border: 4px solid #333; border-radius: 10px; padding: 16px 20px; margin-bottom: 24px; }
.banner { font-size: 56px; font-weight: 900; margin: 0 0 8px; padding: 4px 16px; border-radius: 6px; display: inline-block; }
.valid .banner { background: #0a6b2d; color: #fff; } .valid { border-color: #0a6b2d; }
.invalid .banner { background: #a50e0e; color: #fff; } .invalid { border-color: #a50e0e; }
.not_found .banner, .multiple .banner, .refused .banner { background: #6b4700; color: #fff; }
.not_found, .multiple, .refused { border-color: #6b4700; }
.exact { font-family: "IPAmjMincho", serif; font-size: 44px; line-height: 1.2; margin: 4px 0; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 6px 20px; margin: 12px 0; }
dl.facts dt { font-weight: bold; color: #333; } dl.facts dd { margin: 0; font-size: 22px; }
.ratio { font-size: 44px; font-weight: 900; }
.next { background: #fff4d6; border-left: 8px solid #6b4700; padding: 10px 14px; margin: 12px 0; font-size: 20px; }
.notices li { margin: 4px 0; } .code { font-family: monospace; font-size: 15px; color: #333; }
.coverage { border-top: 2px solid #999; margin-top: 12px; padding-top: 8px; }
"#;

fn shell(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="ja" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                style { (PreEscaped(STYLE)) }
            }
            body { (body) }
        }
    }
}

fn login_page(error: Option<&str>) -> Markup {
    shell(
        "onshi 受付 — サインイン",
        html! {
            header { h1 { "onshi 受付（資格確認）" } }
            main {
                @if let Some(e) = error { p.next role="alert" { (e) } }
                form method="post" action="/reception/login" {
                    fieldset {
                        legend { "サインイン (sign in)" }
                        label for="token" { "医療機関のトークン (the clinic's token)" }
                        input id="token" name="token" type="password" autocomplete="off" required;
                        p.hint { "onshi の管理者が発行した clinic ロールのトークン。" }
                        button type="submit" { "サインイン" }
                    }
                }
            }
        },
    )
}

fn render(a: &Actor, cfg: &Reception, outcome: Option<&Outcome>, nf: &NumberForm, cf: &CardForm) -> Markup {
    let cards = cfg.reader_dir.as_deref().map(cards_on_reader);
    let face = cf.method == "face";
    shell(
        "onshi 受付 — 資格確認",
        html! {
            a.skip href="#forms" { "入力へ移動" }
            header {
                h1 { "onshi 受付（資格確認）" }
                form method="post" action="/reception/logout" {
                    span { "医療機関コード " (a.subject) " " }
                    button type="submit" { "サインアウト" }
                }
            }
            main {
                @if let Some(o) = outcome { (result_panel(o, cf)) }
                div.forms id="forms" {
                    form method="post" action="/reception/card" {
                        fieldset {
                            legend { "マイナ保険証で確認" }
                            @match &cards {
                                None => { p.next { "カードリーダーが接続されていません。保険証・資格確認書の番号で確認してください。" } }
                                Some(list) => {
                                    label for="card" { "リーダー上のカード (card on the reader)" }
                                    select id="card" name="card" required {
                                        @for c in list { option value=(c) selected[*c == cf.card] { (c) } }
                                    }
                                    div.choice role="radiogroup" aria-labelledby="method-label" {
                                        p id="method-label" style="font-weight:bold;margin:10px 0 0" { "本人確認の方法" }
                                        input type="radio" id="m-pin" name="method" value="pin" checked[!face];
                                        label for="m-pin" { "暗証番号 (PIN)" }
                                        input type="radio" id="m-face" name="method" value="face" checked[face];
                                        label for="m-face" { "顔認証 (the reader's face authentication)" }
                                    }
                                    label for="pin" { "暗証番号（4桁、患者が入力）" }
                                    input id="pin" name="pin" type="password" inputmode="numeric" autocomplete="off"
                                        maxlength="4" pattern="[0-9]{4}" aria-describedby="pin-hint";
                                    p.hint id="pin-hint" { "3回間違えるとロックされます。顔認証では不要です（登録済みのリーダーが顔認証の結果に署名します）。" }
                                    div.choice {
                                        p style="font-weight:bold;margin:10px 0 0" { "情報提供への同意（患者が選択、24時間有効）" }
                                        input type="checkbox" id="medication" name="medication" value="yes" checked[cf.medication.is_some()];
                                        label for="medication" { "薬剤情報" }
                                        input type="checkbox" id="checkup" name="checkup" value="yes" checked[cf.checkup.is_some()];
                                        label for="checkup" { "特定健診等情報" }
                                    }
                                    label for="card-date" { "診療日（空欄は今日）" }
                                    input id="card-date" name="service_date" type="text" placeholder="YYYY-MM-DD" value=(cf.service_date);
                                    button type="submit" id="card-submit" { "カードで確認" }
                                }
                            }
                        }
                    }
                    (document::form())
                    form method="post" action="/reception/number" {
                        fieldset {
                            legend { "資格確認書・保険証の番号で確認" }
                            label for="insurer_number" { "保険者番号（8桁、国保は6桁）" }
                            input id="insurer_number" name="insurer_number" type="text" inputmode="numeric" required value=(nf.insurer_number);
                            div.row {
                                div { label for="symbol" { "記号" } input id="symbol" name="symbol" type="text" value=(nf.symbol); }
                                div { label for="number" { "番号" } input id="number" name="number" type="text" required value=(nf.number); }
                                div { label for="branch" { "枝番" } input id="branch" name="branch" type="text" inputmode="numeric" value=(nf.branch); }
                            }
                            label for="birth_date" { "生年月日" }
                            input id="birth_date" name="birth_date" type="text" placeholder="YYYY-MM-DD" required value=(nf.birth_date);
                            label for="service_date" { "診療日（空欄は今日）" }
                            input id="service_date" name="service_date" type="text" placeholder="YYYY-MM-DD" value=(nf.service_date);
                            button type="submit" id="number-submit" { "番号で確認" }
                        }
                    }
                }
            }
        },
    )
}
