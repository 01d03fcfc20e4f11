//! The check by My Number card over the real router, service and SQLite store (in-process): issuance,
//! challenge, PIN signature, face assertion, grace period, revocation, overlapping coverage, consent, the
//! access log, and every forgery refused with its own code.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use chrono::{DateTime, Utc};
use onshi_card::{Card, Issued, Issuer, pki};
use onshi_ids::MyNumber;
use onshi_service::{Clock, Service};
use onshi_store::{AnyStore, SqliteStore, Store};
use serde_json::{Value, json};
use tower::ServiceExt;

const ADMIN: &str = "test-admin-token-0123456789";
/// 2026-12-02 10:00 in Japan.
const NOW: i64 = 1_796_173_200;

struct TestClock(AtomicI64);

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        DateTime::from_timestamp(self.0.load(Ordering::SeqCst), 0).unwrap_or_default()
    }
}

struct Api {
    router: Router,
    app: onshi_http::App,
    clock: Arc<TestClock>,
    clinic: String,
    _dir: tempfile::TempDir,
}

fn issuer() -> Issuer {
    static KEY: std::sync::OnceLock<(Vec<u8>, Vec<u8>)> = std::sync::OnceLock::new();
    let (k, c) = KEY.get_or_init(|| {
        let i = Issuer::generate(onshi_law::parse_iso_date("2020-01-01").expect("date")).expect("ca");
        (i.key_der().expect("key"), i.anchor().certificate_der().to_vec())
    });
    Issuer::from_parts(k, c).expect("ca")
}

fn code(v: &Value) -> &str {
    v["error"]["code"].as_str().unwrap_or("<none>")
}

fn mn(i: u64) -> String {
    MyNumber::from_body(&format!("{:011}", 30_000_000_000u64 + i * 13)).expect("my number").as_str().to_owned()
}

impl Api {
    async fn new() -> Api {
        let dir = tempfile::tempdir().expect("tempdir");
        let store: AnyStore = Box::new(SqliteStore::open(dir.path()).expect("store"));
        let clock = Arc::new(TestClock(AtomicI64::new(NOW)));
        let app = Arc::new(Service::new(store, ADMIN, clock.clone()).expect("service").with_card_issuer(issuer()));
        let mut api = Api { router: onshi_http::router(app.clone()), app, clock, clinic: String::new(), _dir: dir };
        let (s, v) =
            api.call("POST", "/admin/v1/credentials", ADMIN, json!({"role": "clinic", "subject": "1311234567"})).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        api.clinic = v["token"].as_str().expect("token").to_owned();
        api
    }

    async fn call(&self, method: &str, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        self.call_raw(method, path, token, body.to_string()).await
    }

    async fn call_raw(&self, method: &str, path: &str, token: &str, body: String) -> (StatusCode, Value) {
        let req = Request::builder()
            .method(method)
            .uri(path)
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {token}"))
            .body(Body::from(body))
            .expect("request");
        let res = self.router.clone().oneshot(req).await.expect("infallible");
        let status = res.status();
        let bytes = axum::body::to_bytes(res.into_body(), 1 << 22).await.expect("body");
        (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }

    async fn resident(&self, i: u64, name: &str, birth: &str) {
        let body = json!({"name": name, "name_kana": "テスト", "birth_date": birth, "sex": "female",
                          "address": "東京都千代田区永田町二丁目1番2号"});
        let (s, v) = self.call("PUT", &format!("/registry/v1/residents/{}", mn(i)), ADMIN, body).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
    }

    async fn enrol(&self, i: u64, insurer: &str, number: &str, name: &str, birth: &str, acquired: &str) -> String {
        let body = json!({"insurer_number": insurer, "symbol": "1", "number": number, "branch": "00",
            "relationship": "insured", "my_number": mn(i), "name": name, "name_kana": "テスト", "birth_date": birth,
            "sex": "female", "address": "東京都千代田区永田町二丁目1番2号", "acquired_on": acquired});
        let (s, v) = self.call("POST", "/insurer/v1/members", ADMIN, body).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        v["member_id"].as_str().expect("id").to_owned()
    }

    /// Issues a card for resident `i` over HTTP, as `onshi card issue` does.
    async fn card(&self, i: u64, issued_on: Option<&str>) -> Card {
        let key = pki::new_key().expect("key");
        let spki = pki::public_key_der(&key.to_public_key()).expect("spki");
        let mut body = json!({"my_number": mn(i), "public_key": B64.encode(spki)});
        if let Some(d) = issued_on {
            body["issued_on"] = json!(d);
        }
        let (s, v) = self.call("POST", "/registry/v1/cards", ADMIN, body).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        let b = |k: &str| B64.decode(v[k].as_str().expect(k)).expect("base64");
        let issued =
            Issued { surface: b("surface"), surface_signature: b("surface_signature"), certificate: b("certificate") };
        Card::assemble(issued, &key, "1234", "1234567890123456").expect("card")
    }

    async fn nonce(&self) -> String {
        let (s, v) = self.call("POST", "/clinic/v1/card/challenges", &self.clinic, json!({})).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        v["nonce"].as_str().expect("nonce").to_owned()
    }

    fn body(card: &Card, nonce: &str, sig: &[u8]) -> Value {
        json!({"nonce": nonce, "certificate": B64.encode(card.certificate_der()),
               "surface": B64.encode(card.surface_bytes()), "surface_signature": B64.encode(card.surface_signature()),
               "method": "pin", "signature": B64.encode(sig),
               "consent": {"medication": true, "checkup": false}})
    }

    /// A full PIN check: challenge, the card signs after the PIN, the server answers.
    async fn check(&self, card: &mut Card) -> (StatusCode, Value) {
        let nonce = self.nonce().await;
        let sig = card.sign_with_pin("1234", &onshi_card::challenge_message(&nonce), |_| Ok(())).expect("sign");
        self.call("POST", "/clinic/v1/card/eligibility", &self.clinic, Api::body(card, &nonce, &sig)).await
    }
}

/// The outcomes of the card checks in the access log that name no person (refused before the card was
/// verified), newest first; each line must say who asked, through which endpoint, under a request id.
fn unnamed_card_refusals(api: &Api, subject: &str) -> Vec<String> {
    let log = api.app.store().access_log_without_my_number(1000).expect("log");
    log.iter()
        .filter(|l| l.entry.my_number.is_none() && l.entry.member_id.is_none())
        .map(|l| {
            assert_eq!(l.entry.subject, subject, "{l:?}");
            assert_eq!(l.entry.endpoint, "POST /clinic/v1/card/eligibility", "{l:?}");
            assert!(!l.entry.request_id.is_empty(), "{l:?}");
            assert!(l.at.0 > 0, "{l:?}");
            l.entry.outcome.clone()
        })
        .collect()
}

#[tokio::test]
async fn a_card_checks_a_patient_in_with_consent_and_an_access_log_line() {
    let api = Api::new().await;
    api.resident(1, "髙橋 花子", "1980-04-15").await;
    api.enrol(1, "06139992", "100", "髙橋 花子", "1980-04-15", "2024-04-01").await;
    let mut card = api.card(1, None).await;
    let (s, v) = api.check(&mut card).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["result"], "valid", "{v}");
    assert_eq!(v["coverage"]["insurer_number"], "06139992");
    assert_eq!(v["coverage"]["copay_ratio"], 30);
    assert_eq!(v["coverage"]["name"], "髙橋 花子");
    assert_eq!(v["coverage"]["name_display"], "高橋 花子");
    assert_eq!(v["holder"]["name"], "髙橋 花子");
    assert_eq!(v["certificate"]["status"], "valid");
    assert_eq!(v["certificate"]["expires_on"], "2031-04-15");
    assert_eq!(v["method"], "pin");
    assert_eq!(v["consent"]["medication"], true);
    assert_eq!(v["consent"]["expires_at"], "2026-12-03T01:00:00Z");
    let person = MyNumber::parse(&mn(1)).expect("mn");
    let consents = api.app.consents(&person, "1311234567").expect("consents");
    assert_eq!(consents.len(), 1);
    assert!(consents[0].medication && !consents[0].checkup);
    let log = api.app.store().access_log_of(Some(&person), &[], 10).expect("log");
    assert!(log.iter().any(|l| l.entry.outcome == "card:valid" && l.entry.subject == "1311234567"), "{log:?}");
}

#[tokio::test]
async fn a_replayed_nonce_is_refused() {
    let api = Api::new().await;
    api.resident(1, "山田 花子", "1980-04-15").await;
    let mut card = api.card(1, None).await;
    let nonce = api.nonce().await;
    let sig = card.sign_with_pin("1234", &onshi_card::challenge_message(&nonce), |_| Ok(())).expect("sign");
    let (s, v) = api.call("POST", "/clinic/v1/card/eligibility", &api.clinic, Api::body(&card, &nonce, &sig)).await;
    assert_eq!((s, v["result"].as_str()), (StatusCode::OK, Some("not_found")), "{v}");
    let (s, v) = api.call("POST", "/clinic/v1/card/eligibility", &api.clinic, Api::body(&card, &nonce, &sig)).await;
    assert_eq!((s, code(&v)), (StatusCode::CONFLICT, "card_challenge_replayed"), "{v}");
    assert!(v["error"]["next_step"].as_str().is_some_and(|n| !n.is_empty()));
    // a made-up nonce, and one that outlived its two minutes
    let (s, v) = api.call("POST", "/clinic/v1/card/eligibility", &api.clinic, Api::body(&card, "00ff", &sig)).await;
    assert_eq!((s, code(&v)), (StatusCode::UNPROCESSABLE_ENTITY, "card_challenge_unknown"), "{v}");
    let nonce = api.nonce().await;
    let sig = card.sign_with_pin("1234", &onshi_card::challenge_message(&nonce), |_| Ok(())).expect("sign");
    api.clock.0.fetch_add(121, Ordering::SeqCst);
    let (s, v) = api.call("POST", "/clinic/v1/card/eligibility", &api.clinic, Api::body(&card, &nonce, &sig)).await;
    assert_eq!((s, code(&v)), (StatusCode::UNPROCESSABLE_ENTITY, "card_challenge_expired"), "{v}");
    // each refusal is in the access log, newest first, before the card names anyone
    assert_eq!(
        unnamed_card_refusals(&api, "1311234567"),
        ["card:card_challenge_expired", "card:card_challenge_unknown", "card:card_challenge_replayed"]
    );
    // and the answered check names the person
    let person = MyNumber::parse(&mn(1)).expect("mn");
    let log = api.app.store().access_log_of(Some(&person), &[], 10).expect("log");
    let outcomes: Vec<&str> = log.iter().map(|l| l.entry.outcome.as_str()).collect();
    assert_eq!(outcomes, ["card:not_found"], "{log:?}");
}

#[tokio::test]
async fn a_signature_for_another_nonce_and_a_changed_name_are_refused() {
    let api = Api::new().await;
    api.resident(1, "山田 花子", "1980-04-15").await;
    let mut card = api.card(1, None).await;
    let n1 = api.nonce().await;
    let n2 = api.nonce().await;
    let sig = card.sign_with_pin("1234", &onshi_card::challenge_message(&n1), |_| Ok(())).expect("sign");
    let (s, v) = api.call("POST", "/clinic/v1/card/eligibility", &api.clinic, Api::body(&card, &n2, &sig)).await;
    assert_eq!((s, code(&v)), (StatusCode::UNPROCESSABLE_ENTITY, "card_signature_invalid"), "{v}");
    let mut surface = card.surface().clone();
    surface.name = "山田 次郎".into();
    let forged =
        card.with_parts(Some((&surface.to_bytes().expect("bytes"), card.surface_signature())), None).expect("forged");
    let n3 = api.nonce().await;
    let sig = card.sign_with_pin("1234", &onshi_card::challenge_message(&n3), |_| Ok(())).expect("sign");
    let (s, v) = api.call("POST", "/clinic/v1/card/eligibility", &api.clinic, Api::body(&forged, &n3, &sig)).await;
    assert_eq!((s, code(&v)), (StatusCode::UNPROCESSABLE_ENTITY, "card_surface_altered"), "{v}");
}

#[tokio::test]
async fn a_swapped_certificate_and_another_ca_are_refused() {
    let api = Api::new().await;
    api.resident(1, "山田 花子", "1980-04-15").await;
    api.resident(2, "佐藤 愛", "1985-01-01").await;
    let mut a = api.card(1, None).await;
    let b = api.card(2, None).await;
    let swapped = a.with_parts(None, Some(b.certificate_der())).expect("swapped");
    let n = api.nonce().await;
    let sig = a.sign_with_pin("1234", &onshi_card::challenge_message(&n), |_| Ok(())).expect("sign");
    let (s, v) = api.call("POST", "/clinic/v1/card/eligibility", &api.clinic, Api::body(&swapped, &n, &sig)).await;
    assert_eq!((s, code(&v)), (StatusCode::UNPROCESSABLE_ENTITY, "card_certificate_mismatch"), "{v}");
    // B's card data with A's key
    let both = a.with_parts(Some((b.surface_bytes(), b.surface_signature())), Some(b.certificate_der())).expect("b");
    let n = api.nonce().await;
    let sig = a.sign_with_pin("1234", &onshi_card::challenge_message(&n), |_| Ok(())).expect("sign");
    let (s, v) = api.call("POST", "/clinic/v1/card/eligibility", &api.clinic, Api::body(&both, &n, &sig)).await;
    assert_eq!((s, code(&v)), (StatusCode::UNPROCESSABLE_ENTITY, "card_signature_invalid"), "{v}");
    // a card from another onshi's CA
    let other = Issuer::generate(onshi_law::parse_iso_date("2020-01-01").expect("d")).expect("ca");
    let key = pki::new_key().expect("key");
    let spki = pki::public_key_der(&key.to_public_key()).expect("spki");
    let serial = a.surface().certificate_serial.clone();
    let d = |s: &str| onshi_law::parse_iso_date(s).expect("d");
    let cert = other.issue(&spki, &serial, d("2026-01-01"), d("2031-01-01")).expect("cert");
    let sig_surface = other.sign_surface(a.surface_bytes());
    let mut foreign = Card::assemble(
        Issued { surface: a.surface_bytes().to_vec(), surface_signature: sig_surface, certificate: cert },
        &key,
        "1234",
        "1234567890123456",
    )
    .expect("card");
    let n = api.nonce().await;
    let sig = foreign.sign_with_pin("1234", &onshi_card::challenge_message(&n), |_| Ok(())).expect("sign");
    let (s, v) = api.call("POST", "/clinic/v1/card/eligibility", &api.clinic, Api::body(&foreign, &n, &sig)).await;
    assert_eq!((s, code(&v)), (StatusCode::UNPROCESSABLE_ENTITY, "card_untrusted_issuer"), "{v}");
    // refusals are in the access log too: each one, newest first, naming nobody (the card was not verified)
    assert_eq!(
        unnamed_card_refusals(&api, "1311234567"),
        ["card:card_untrusted_issuer", "card:card_signature_invalid", "card:card_certificate_mismatch"]
    );
    for i in [1, 2] {
        let person = MyNumber::parse(&mn(i)).expect("mn");
        let log = api.app.store().access_log_of(Some(&person), &[], 10).expect("log");
        assert!(log.is_empty(), "a refused card named person {i}: {log:?}");
    }
}

#[tokio::test]
async fn every_card_check_attempt_is_in_the_access_log_even_an_unreadable_one() {
    let api = Api::new().await;
    api.resident(1, "山田 花子", "1980-04-15").await;
    let mut card = api.card(1, None).await;
    let path = "/clinic/v1/card/eligibility";
    let (s, v) = api.call_raw("POST", path, &api.clinic, "{\"nonce\": ".into()).await;
    assert_eq!((s, code(&v)), (StatusCode::BAD_REQUEST, "malformed_json"), "{v}");
    let n = api.nonce().await;
    let sig = card.sign_with_pin("1234", &onshi_card::challenge_message(&n), |_| Ok(())).expect("sign");
    let mut b = Api::body(&card, &n, &sig);
    b["reader"] = json!("x");
    let (s, v) = api.call("POST", path, &api.clinic, b).await;
    assert_eq!((s, code(&v)), (StatusCode::UNPROCESSABLE_ENTITY, "unknown_field"), "{v}");
    let (s, v) = api.call("POST", path, &api.clinic, json!({"nonce": n})).await;
    assert_eq!((s, code(&v)), (StatusCode::UNPROCESSABLE_ENTITY, "missing_field"), "{v}");
    let mut b = Api::body(&card, &n, &sig);
    b["certificate"] = json!("not base64!");
    let (s, v) = api.call("POST", path, &api.clinic, b).await;
    assert_eq!((s, code(&v)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_value"), "{v}");
    let mut b = Api::body(&card, &n, &sig);
    b["service_date"] = json!("2026-02-30");
    let (s, v) = api.call("POST", path, &api.clinic, b).await;
    assert_eq!((s, code(&v)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_date"), "{v}");
    // none of these used the challenge: it still answers, once
    let (s, v) = api.call("POST", path, &api.clinic, Api::body(&card, &n, &sig)).await;
    assert_eq!((s, v["result"].as_str()), (StatusCode::OK, Some("not_found")), "{v}");
    assert_eq!(
        unnamed_card_refusals(&api, "1311234567"),
        ["card:invalid_date", "card:invalid_value", "card:missing_field", "card:unknown_field", "card:malformed_json"]
    );
    // a credential without the right is logged with its own role and subject
    let (s, v) =
        api.call("POST", "/admin/v1/credentials", ADMIN, json!({"role": "registry", "subject": "j-lis"})).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let registry = v["token"].as_str().expect("token").to_owned();
    let (s, v) = api.call("POST", path, &registry, Api::body(&card, &n, &sig)).await;
    assert_eq!((s, code(&v)), (StatusCode::FORBIDDEN, "forbidden"), "{v}");
    let log = api.app.store().access_log_without_my_number(10).expect("log");
    let last = log.first().expect("a line for the forbidden attempt");
    assert_eq!(
        (last.entry.role.as_str(), last.entry.subject.as_str(), last.entry.outcome.as_str()),
        ("registry", "j-lis", "card:forbidden"),
        "{log:?}"
    );
}

#[tokio::test]
async fn an_expired_certificate_works_in_the_grace_period_with_a_notice_and_never_after() {
    let api = Api::new().await;
    // born 10 October: issued 2021-11-01 → expires 2026-10-10 → accepted until 2027-01-31
    api.resident(1, "山田 花子", "1990-10-10").await;
    api.enrol(1, "06139992", "100", "山田 花子", "1990-10-10", "2024-04-01").await;
    let mut grace = api.card(1, Some("2021-11-01")).await;
    let (s, v) = api.check(&mut grace).await;
    assert_eq!((s, v["result"].as_str()), (StatusCode::OK, Some("valid")), "{v}");
    assert_eq!(v["certificate"]["status"], "grace");
    assert_eq!(v["certificate"]["grace_until"], "2027-01-31");
    assert!(v["notices"].as_array().expect("notices").iter().any(|n| n["code"] == "certificate_grace_period"), "{v}");
    // born 15 April: issued 2021-05-01 → expired 2026-04-15 → grace ended 2026-07-31
    api.resident(2, "佐藤 愛", "1980-04-15").await;
    api.enrol(2, "06139992", "200", "佐藤 愛", "1980-04-15", "2024-04-01").await;
    let mut old = api.card(2, Some("2021-05-01")).await;
    let (s, v) = api.check(&mut old).await;
    assert_eq!((s, code(&v)), (StatusCode::UNPROCESSABLE_ENTITY, "card_expired"), "{v}");
    assert!(v["error"]["next_step"].as_str().is_some_and(|n| n.contains("資格確認書")), "{v}");
}

#[tokio::test]
async fn a_revoked_card_never_works() {
    let api = Api::new().await;
    api.resident(1, "山田 花子", "1980-04-15").await;
    api.enrol(1, "06139992", "100", "山田 花子", "1980-04-15", "2024-04-01").await;
    let mut card = api.card(1, None).await;
    let serial = card.surface().certificate_serial.clone();
    let (s, v) = api.call("POST", &format!("/registry/v1/cards/{serial}/revoke"), ADMIN, json!({"reason": "x"})).await;
    assert_eq!((s, code(&v)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_value"), "{v}");
    let (s, v) =
        api.call("POST", &format!("/registry/v1/cards/{serial}/revoke"), ADMIN, json!({"reason": "lost"})).await;
    assert_eq!((s, v["status"].as_str()), (StatusCode::OK, Some("revoked")), "{v}");
    let (s, v) = api.check(&mut card).await;
    assert_eq!((s, code(&v)), (StatusCode::UNPROCESSABLE_ENTITY, "card_revoked"), "{v}");
    // the clinic may not revoke or issue
    let (s, _) =
        api.call("POST", &format!("/registry/v1/cards/{serial}/revoke"), &api.clinic, json!({"reason": "lost"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // the refusal was logged with the person
    let person = MyNumber::parse(&mn(1)).expect("mn");
    let log = api.app.store().access_log_of(Some(&person), &[], 10).expect("log");
    assert!(log.iter().any(|l| l.entry.outcome == "card:card_revoked"), "{log:?}");
}

/// Issue 10, defect 2: the check by card and the check by My Number choose by one rule. With two coverages
/// valid on the service date both show the newest acquisition, list the other in `overlapping_coverage` with
/// the next step, and never answer with one silently; the card still lists every coverage.
#[tokio::test]
async fn overlapping_coverage_shows_the_newest_by_the_rule_of_every_check_by_person() {
    let api = Api::new().await;
    api.resident(1, "田中 次郎", "1988-07-07").await;
    api.enrol(1, "06139992", "100", "田中 次郎", "1988-07-07", "2020-04-01").await;
    api.enrol(1, "01130012", "200", "田中 次郎", "1988-07-07", "2026-10-01").await;
    let mut card = api.card(1, None).await;
    let (s, v) = api.check(&mut card).await;
    assert_eq!((s, v["result"].as_str()), (StatusCode::OK, Some("valid")), "{v}");
    assert_eq!(v["coverage"]["insurer_number"].as_str(), Some("01130012"), "the newest acquisition: {v}");
    assert_eq!(v["coverages"].as_array().map(Vec::len), Some(2));
    let overlap = v["notices"].as_array().expect("n").iter().find(|n| n["code"] == "overlapping_coverage").cloned();
    let overlap = overlap.unwrap_or_else(|| panic!("no overlapping_coverage notice: {v}"));
    let message = overlap["message"].as_str().expect("message");
    assert!(message.contains("06139992") && message.contains("confirm with the patient"), "{message}");

    // the check by My Number answers the same coverage with the same notice
    let cx = onshi_service::Ctx {
        actor: onshi_service::Actor { role: onshi_service::Role::Clinic, subject: "1311234567".into(), insurer: None },
        request_id: "test".into(),
        endpoint: "test",
    };
    let by_person = api.app.check_person(&cx, &mn(1), Some("2026-12-02")).await.expect("check_person");
    let by_person = serde_json::to_value(&by_person).expect("json");
    assert_eq!(by_person["result"], v["result"]);
    assert_eq!(by_person["coverage"], v["coverage"], "{by_person}");
    assert!(by_person["notices"].as_array().expect("n").contains(&overlap), "{by_person}");

    // none valid: both answer invalid, and the card lists the coverage check_person shows
    let (s, v) = api.call("POST", "/clinic/v1/card/challenges", &api.clinic, json!({})).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let nonce = v["nonce"].as_str().expect("nonce").to_owned();
    let sig = card.sign_with_pin("1234", &onshi_card::challenge_message(&nonce), |_| Ok(())).expect("sign");
    let mut body = Api::body(&card, &nonce, &sig);
    body["service_date"] = json!("2019-01-01");
    let (s, v) = api.call("POST", "/clinic/v1/card/eligibility", &api.clinic, body).await;
    assert_eq!((s, v["result"].as_str()), (StatusCode::OK, Some("invalid")), "{v}");
    let by_person = api.app.check_person(&cx, &mn(1), Some("2019-01-01")).await.expect("check_person");
    assert_eq!(by_person.result, "invalid");
    let shown = by_person.coverage.expect("the newest acquisition, not valid yet");
    assert_eq!(shown.insurer_number, "01130012");
    assert!(v["coverages"].as_array().expect("c").iter().any(|c| c["coverage"]["insurer_number"] == "01130012"));
}

#[tokio::test]
async fn face_authentication_needs_a_registered_reader_of_this_clinic() {
    let api = Api::new().await;
    api.resident(1, "山田 花子", "1980-04-15").await;
    api.enrol(1, "06139992", "100", "山田 花子", "1980-04-15", "2024-04-01").await;
    let card = api.card(1, None).await;
    let reader = pki::new_key().expect("reader key");
    let spki = pki::public_key_der(&reader.to_public_key()).expect("spki");
    let (s, v) = api.call("POST", "/clinic/v1/readers", &api.clinic, json!({"public_key": B64.encode(spki)})).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let reader_id = v["reader_id"].as_str().expect("id").to_owned();
    let face = |nonce: &str, key: &rsa::RsaPrivateKey, id: &str| {
        let serial = card.surface().certificate_serial.clone();
        let sig = pki::sign(key, &onshi_card::face_message(nonce, &serial));
        let mut b = Api::body(&card, nonce, &[]);
        b["method"] = json!("face");
        b.as_object_mut().expect("o").remove("signature");
        b["face"] = json!({"reader_id": id, "signature": B64.encode(sig)});
        b
    };
    let n = api.nonce().await;
    let (s, v) = api.call("POST", "/clinic/v1/card/eligibility", &api.clinic, face(&n, &reader, &reader_id)).await;
    assert_eq!((s, v["result"].as_str(), v["method"].as_str()), (StatusCode::OK, Some("valid"), Some("face")), "{v}");
    // a key that is not the registered reader's
    let n = api.nonce().await;
    let rogue = pki::new_key().expect("rogue");
    let (s, v) = api.call("POST", "/clinic/v1/card/eligibility", &api.clinic, face(&n, &rogue, &reader_id)).await;
    assert_eq!((s, code(&v)), (StatusCode::UNPROCESSABLE_ENTITY, "face_assertion_invalid"), "{v}");
    let n = api.nonce().await;
    let (s, v) = api.call("POST", "/clinic/v1/card/eligibility", &api.clinic, face(&n, &reader, "Rnope")).await;
    assert_eq!((s, code(&v)), (StatusCode::UNPROCESSABLE_ENTITY, "reader_unknown"), "{v}");
}

#[tokio::test]
async fn bad_bodies_get_codes_and_issuance_checks_the_registry() {
    let api = Api::new().await;
    let (s, v) = api.call("POST", "/clinic/v1/card/eligibility", &api.clinic, json!({"nonce": "x"})).await;
    assert_eq!((s, code(&v)), (StatusCode::UNPROCESSABLE_ENTITY, "missing_field"), "{v}");
    let key = pki::new_key().expect("key");
    let spki = B64.encode(pki::public_key_der(&key.to_public_key()).expect("spki"));
    let (s, v) = api.call("POST", "/registry/v1/cards", ADMIN, json!({"my_number": mn(9), "public_key": spki})).await;
    assert_eq!((s, code(&v)), (StatusCode::UNPROCESSABLE_ENTITY, "resident_not_found"), "{v}");
    let (s, v) = api.call("POST", "/registry/v1/cards", ADMIN, json!({"my_number": mn(9), "public_key": "!!"})).await;
    assert_eq!(
        (s, code(&v), v["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_value", Some("public_key"))
    );
    let (s, v) =
        api.call("POST", "/registry/v1/cards", &api.clinic, json!({"my_number": mn(9), "public_key": spki})).await;
    assert_eq!((s, code(&v)), (StatusCode::FORBIDDEN, "forbidden"), "{v}");
    let (s, v) = api.call("GET", "/registry/v1/cards/00", ADMIN, json!({})).await;
    assert_eq!((s, code(&v)), (StatusCode::NOT_FOUND, "not_found"), "{v}");
    // the OpenAPI document lists the card endpoints
    let doc: Value = serde_json::from_str(&onshi_http::openapi_json()).expect("json");
    for p in ["/registry/v1/cards", "/clinic/v1/card/challenges", "/clinic/v1/card/eligibility", "/clinic/v1/readers"] {
        assert!(doc["paths"][p].is_object(), "{p} missing from the OpenAPI document");
    }
}
