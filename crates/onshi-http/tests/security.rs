//! Security basics (issue 10, defects 5 and 7): credentials that expire and are revoked, every read of a
//! person's data in the access log whatever the role, each institution's own bound on card challenges, a
//! dead store writer answering 503, and 顔認証 that only a registered reader of the clinic can vouch for —
//! over the API and on the reception screen.

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
    MyNumber::from_body(&format!("{:011}", 31_000_000_000u64 + i * 17)).expect("my number").as_str().to_owned()
}

struct Api {
    router: Router,
    store: Arc<SqliteStore>,
    clock: Arc<TestClock>,
    reader_dir: std::path::PathBuf,
    dir: tempfile::TempDir,
}

impl Api {
    async fn new() -> Api {
        let dir = tempfile::tempdir().expect("tempdir");
        let reader_dir = dir.path().join("reader");
        std::fs::create_dir_all(&reader_dir).expect("reader dir");
        let store = Arc::new(SqliteStore::open(&dir.path().join("data")).expect("store"));
        let clock = Arc::new(TestClock(AtomicI64::new(NOW)));
        let app = Api::service(&store, &clock);
        let reception = onshi_http::Reception::new(Some(reader_dir.clone()), onshi_http::IPAMJ_SYSTEM_PATH.into());
        Api { router: onshi_http::router_with(app, reception), store, clock, reader_dir, dir }
    }

    fn service(store: &Arc<SqliteStore>, clock: &Arc<TestClock>) -> onshi_http::App {
        let any: AnyStore = Box::new(store.clone());
        Arc::new(Service::new(any, ADMIN, clock.clone()).expect("service").with_card_issuer(issuer()))
    }

    async fn send(&self, req: Request<Body>) -> (StatusCode, Vec<u8>) {
        let res = self.router.clone().oneshot(req).await.expect("infallible");
        let status = res.status();
        (status, axum::body::to_bytes(res.into_body(), 1 << 22).await.expect("body").to_vec())
    }

    async fn call(&self, method: &str, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        let mut b = Request::builder().method(method).uri(path).header("authorization", format!("Bearer {token}"));
        let body = if body.is_null() {
            Body::empty()
        } else {
            b = b.header("content-type", "application/json");
            Body::from(body.to_string())
        };
        let (s, bytes) = self.send(b.body(body).expect("request")).await;
        (s, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }

    /// Posts a reception-screen form signed in as `token`; the page's HTML.
    async fn form(&self, path: &str, token: &str, fields: &[(&str, &str)]) -> (StatusCode, String) {
        let body: String = fields
            .iter()
            .map(|(k, v)| format!("{k}={}", v.replace('%', "%25").replace('&', "%26").replace('=', "%3D")))
            .collect::<Vec<_>>()
            .join("&");
        let req = Request::builder()
            .method("POST")
            .uri(path)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", format!("onshi_reception={token}"))
            .body(Body::from(body))
            .expect("request");
        let (s, bytes) = self.send(req).await;
        (s, String::from_utf8_lossy(&bytes).into_owned())
    }

    async fn credential(&self, role: &str, subject: &str) -> String {
        let (s, v) = self.call("POST", "/admin/v1/credentials", ADMIN, json!({"role": role, "subject": subject})).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        v["token"].as_str().expect("token").to_owned()
    }

    /// A resident with one coverage, and their card (PIN 1234) placed on the reader as `file`.
    async fn patient(&self, i: u64, file: &str) -> Card {
        let body = json!({"name": "山田 花子", "name_kana": "ヤマダ ハナコ", "birth_date": "1980-04-15",
                          "sex": "female", "address": "東京都千代田区永田町二丁目1番2号"});
        let (s, v) = self.call("PUT", &format!("/registry/v1/residents/{}", mn(i)), ADMIN, body).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        let body = json!({"insurer_number": "06139992", "symbol": "1", "number": format!("{}", 100 + i),
            "branch": "00", "relationship": "insured", "my_number": mn(i), "name": "山田 花子",
            "name_kana": "ヤマダ ハナコ", "birth_date": "1980-04-15", "sex": "female",
            "address": "東京都千代田区永田町二丁目1番2号", "acquired_on": "2024-04-01"});
        let (s, v) = self.call("POST", "/insurer/v1/members", ADMIN, body).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        let key = pki::new_key().expect("key");
        let spki = pki::public_key_der(&key.to_public_key()).expect("spki");
        let (s, v) = self
            .call("POST", "/registry/v1/cards", ADMIN, json!({"my_number": mn(i), "public_key": B64.encode(spki)}))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        let b = |k: &str| B64.decode(v[k].as_str().expect(k)).expect("base64");
        let issued =
            Issued { surface: b("surface"), surface_signature: b("surface_signature"), certificate: b("certificate") };
        let card = Card::assemble(issued, &key, "1234", "1234567890123456").expect("card");
        card.save(&self.reader_dir.join(file)).expect("card file");
        card
    }

    /// Registers a new reader key for the clinic whose token is `token`.
    async fn reader(&self, token: &str) -> (rsa::RsaPrivateKey, String) {
        let key = pki::new_key().expect("reader key");
        let spki = pki::public_key_der(&key.to_public_key()).expect("spki");
        let (s, v) = self.call("POST", "/clinic/v1/readers", token, json!({"public_key": B64.encode(spki)})).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        (key, v["reader_id"].as_str().expect("id").to_owned())
    }
}

fn nonce_in(page: &str) -> String {
    let at = page.find("name=\"nonce\" value=\"").expect("the pending page carries the challenge");
    page[at + 20..at + 84].to_owned()
}

fn face_body(card: &Card, nonce: &str, key: &rsa::RsaPrivateKey, reader_id: &str) -> Value {
    let sig = pki::sign(key, &onshi_card::face_message(nonce, &card.surface().certificate_serial));
    json!({"nonce": nonce, "certificate": B64.encode(card.certificate_der()),
           "surface": B64.encode(card.surface_bytes()), "surface_signature": B64.encode(card.surface_signature()),
           "method": "face", "face": {"reader_id": reader_id, "signature": B64.encode(sig)}})
}

// ---- credentials ----------------------------------------------------------------------------------

#[tokio::test]
async fn a_revoked_credential_gets_401_credential_revoked_even_after_a_restart() {
    let api = Api::new().await;
    let (s, v) =
        api.call("POST", "/admin/v1/credentials", ADMIN, json!({"role": "insurer", "subject": "06139992"})).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let token = v["token"].as_str().expect("token").to_owned();
    let id = v["id"].as_str().expect("id").to_owned();
    assert!(id.starts_with('C') && id.len() == 17, "{v}");
    let (s, v) = api.call("GET", "/insurer/v1/members/1", &token, Value::Null).await;
    assert_eq!((s, code(&v)), (StatusCode::NOT_FOUND, "not_found"), "the token works before: {v}");

    let (s, v) = api.call("GET", "/admin/v1/credentials", ADMIN, Value::Null).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let listed = v["credentials"].as_array().expect("list");
    assert!(listed.iter().any(|c| c["id"] == id.as_str() && c["status"] == "active"), "{v}");
    assert!(!v.to_string().contains(&token), "a list never shows a token");

    let (s, v) = api.call("POST", &format!("/admin/v1/credentials/{id}/revoke"), ADMIN, Value::Null).await;
    assert_eq!((s, v["status"].as_str()), (StatusCode::OK, Some("revoked")), "{v}");
    let (s, v) = api.call("GET", "/insurer/v1/members/1", &token, Value::Null).await;
    assert_eq!((s, code(&v)), (StatusCode::UNAUTHORIZED, "credential_revoked"), "{v}");
    assert!(v["error"]["next_step"].as_str().is_some_and(|n| n.contains("new token")), "{v}");

    // a new service on the same store (a restart) still refuses it
    let again = Api::service(&api.store, &api.clock);
    let e = again.authenticate(Some(&token)).expect_err("revoked after a restart");
    assert_eq!(e.code, "credential_revoked");

    // bad input
    let (s, v) = api.call("POST", "/admin/v1/credentials/Cnope/revoke", ADMIN, Value::Null).await;
    assert_eq!((s, code(&v)), (StatusCode::NOT_FOUND, "not_found"), "{v}");
    let clinic = api.credential("clinic", "1311234567").await;
    let (s, v) = api.call("GET", "/admin/v1/credentials", &clinic, Value::Null).await;
    assert_eq!((s, code(&v)), (StatusCode::FORBIDDEN, "forbidden"), "{v}");
    let (s, v) = api.call("POST", &format!("/admin/v1/credentials/{id}/revoke"), &clinic, Value::Null).await;
    assert_eq!((s, code(&v)), (StatusCode::FORBIDDEN, "forbidden"), "{v}");
}

#[tokio::test]
async fn an_expired_credential_gets_401_credential_expired_and_bad_expiries_are_refused() {
    let api = Api::new().await;
    let (s, v) = api
        .call(
            "POST",
            "/admin/v1/credentials",
            ADMIN,
            json!({"role": "clinic", "subject": "1311234567", "valid_days": 30}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["expires_at"], "2027-01-01T01:00:00Z", "{v}");
    let token = v["token"].as_str().expect("token").to_owned();
    let check = json!({"insurer_number": "06139992", "number": "1", "birth_date": "1980-01-01"});
    let (s, v) = api.call("POST", "/clinic/v1/eligibility", &token, check.clone()).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    api.clock.0.fetch_add(30 * 86_400, Ordering::SeqCst);
    let (s, v) = api.call("POST", "/clinic/v1/eligibility", &token, check.clone()).await;
    assert_eq!((s, code(&v)), (StatusCode::UNAUTHORIZED, "credential_expired"), "{v}");
    let (_, v) = api.call("GET", "/admin/v1/credentials", ADMIN, Value::Null).await;
    assert_eq!(v["credentials"][0]["status"], "expired", "{v}");

    let (s, v) = api
        .call(
            "POST",
            "/admin/v1/credentials",
            ADMIN,
            json!({"role": "clinic", "subject": "1311234567", "expires_at": "2030-01-01T00:00:00+09:00"}),
        )
        .await;
    assert_eq!((s, v["expires_at"].as_str()), (StatusCode::CREATED, Some("2029-12-31T15:00:00Z")), "{v}");
    for (body, field) in [
        (json!({"role": "clinic", "subject": "1311234567", "valid_days": 0}), "valid_days"),
        (json!({"role": "clinic", "subject": "1311234567", "valid_days": 3651}), "valid_days"),
        (json!({"role": "clinic", "subject": "1311234567", "expires_at": "2020-01-01T00:00:00Z"}), "expires_at"),
        (json!({"role": "clinic", "subject": "1311234567", "expires_at": "tomorrow"}), "expires_at"),
        (
            json!({"role": "clinic", "subject": "1311234567", "expires_at": "2030-01-01T00:00:00Z", "valid_days": 3}),
            "valid_days",
        ),
    ] {
        let before = api.store.credentials().expect("creds").len();
        let (s, v) = api.call("POST", "/admin/v1/credentials", ADMIN, body.clone()).await;
        assert_eq!(
            (s, code(&v), v["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, "invalid_value", Some(field)),
            "{body} → {v}"
        );
        assert!(v["error"]["next_step"].as_str().is_some_and(|n| !n.is_empty()));
        assert_eq!(api.store.credentials().expect("creds").len(), before, "nothing half-written: {body}");
    }
}

// ---- the access log --------------------------------------------------------------------------------

#[tokio::test]
async fn every_read_of_a_person_by_every_role_is_in_the_access_log() {
    let api = Api::new().await;
    let registry = api.credential("registry", "jlis").await;
    let insurer = api.credential("insurer", "06139992").await;
    let body = json!({"name": "山田 太郎", "name_kana": "ヤマダ タロウ", "birth_date": "1980-04-15", "sex": "male",
                      "address": "東京都千代田区永田町二丁目1番2号"});
    let (s, v) = api.call("PUT", &format!("/registry/v1/residents/{}", mn(1)), &registry, body).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let person = MyNumber::parse(&mn(1)).expect("mn");
    let lines = |api: &Api| api.store.access_log_of(Some(&person), &[], 100).expect("log");
    assert!(lines(&api).is_empty());

    let (s, v) = api.call("GET", &format!("/registry/v1/residents/{}", mn(1)), &registry, Value::Null).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let l = lines(&api);
    assert_eq!(l.len(), 1, "{l:?}");
    assert_eq!(
        (
            l[0].entry.role.as_str(),
            l[0].entry.subject.as_str(),
            l[0].entry.endpoint.as_str(),
            l[0].entry.outcome.as_str()
        ),
        ("registry", "jlis", "GET /registry/v1/residents/{my_number}", "resident")
    );
    assert!(!l[0].entry.request_id.is_empty());

    let search = json!({"name": "山田太郎", "birth_date": "1980-04-15", "address": "千代田区永田町2-1-2"});
    let (s, v) = api.call("POST", "/registry/v1/search", &registry, search).await;
    assert_eq!((s, v["verdict"].as_str()), (StatusCode::OK, Some("unique")), "{v}");
    let l = lines(&api);
    assert_eq!((l.len(), l[0].entry.outcome.as_str()), (2, "search:unique"), "{l:?}");

    let body = json!({"insurer_number": "06139992", "symbol": "1", "number": "700", "branch": "00",
        "relationship": "insured", "my_number": mn(1), "name": "山田 太郎", "name_kana": "ヤマダ タロウ",
        "birth_date": "1980-04-15", "sex": "male", "address": "東京都千代田区永田町二丁目1番2号",
        "acquired_on": "2024-04-01"});
    let (s, v) = api.call("POST", "/insurer/v1/members", &insurer, body).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let id = v["member_id"].as_str().expect("id").to_owned();
    let (s, v) = api.call("GET", &format!("/insurer/v1/members/{id}"), &insurer, Value::Null).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let l = lines(&api);
    assert_eq!(l.len(), 3, "{l:?}");
    assert_eq!(
        (l[0].entry.role.as_str(), l[0].entry.subject.as_str(), l[0].entry.outcome.as_str()),
        ("insurer", "06139992", "member")
    );
    assert_eq!(l[0].entry.member_id.map(|m| m.to_string()), Some(id));

    // the administrator reads it over the API
    let (s, v) = api.call("GET", &format!("/admin/v1/access-log?my_number={}", mn(1)), ADMIN, Value::Null).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let outcomes: Vec<&str> =
        v["lines"].as_array().expect("lines").iter().filter_map(|l| l["outcome"].as_str()).collect();
    assert_eq!(outcomes, ["member", "search:unique", "resident"], "{v}");
    let (s, v) = api.call("GET", &format!("/admin/v1/access-log?my_number={}", mn(1)), &registry, Value::Null).await;
    assert_eq!((s, code(&v)), (StatusCode::FORBIDDEN, "forbidden"), "{v}");
    let (s, v) = api.call("GET", "/admin/v1/access-log?my_number=123", ADMIN, Value::Null).await;
    assert_eq!((s, code(&v)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_my_number"), "{v}");
}

// ---- the card challenge table -------------------------------------------------------------------------

#[tokio::test]
async fn one_clinic_cannot_use_up_the_challenge_table_for_everyone() {
    let api = Api::new().await;
    let greedy = api.credential("clinic", "1311234567").await;
    let other = api.credential("clinic", "1319876543").await;
    let bound = onshi_service::card_api::MAX_CHALLENGES_PER_INSTITUTION;
    for _ in 0..bound {
        let (s, v) = api.call("POST", "/clinic/v1/card/challenges", &greedy, json!({})).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
    }
    let (s, v) = api.call("POST", "/clinic/v1/card/challenges", &greedy, json!({})).await;
    assert_eq!((s, code(&v)), (StatusCode::TOO_MANY_REQUESTS, "challenge_limit_reached"), "{v}");
    assert!(v["error"]["next_step"].as_str().is_some_and(|n| !n.is_empty()), "{v}");
    let (s, v) = api.call("POST", "/clinic/v1/card/challenges", &other, json!({})).await;
    assert_eq!(s, StatusCode::CREATED, "another clinic is unaffected: {v}");
    // the greedy clinic's challenges expire, and it may ask again
    api.clock.0.fetch_add(121, Ordering::SeqCst);
    let (s, v) = api.call("POST", "/clinic/v1/card/challenges", &greedy, json!({})).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
}

// ---- a dead writer --------------------------------------------------------------------------------

#[tokio::test]
async fn a_dead_writer_makes_healthz_503_and_writes_fail_with_store_unavailable() {
    let api = Api::new().await;
    let (s, _) = api.call("GET", "/healthz", ADMIN, Value::Null).await;
    assert_eq!(s, StatusCode::OK);
    let failed = api.store.fail_writer().done().await;
    assert!(failed.is_err(), "{failed:?}");
    let (s, v) = api.call("GET", "/healthz", ADMIN, Value::Null).await;
    assert_eq!((s, code(&v)), (StatusCode::SERVICE_UNAVAILABLE, "store_unavailable"), "{v}");
    let body = json!({"name": "山田 太郎", "name_kana": "ヤマダ タロウ", "birth_date": "1980-04-15", "sex": "male",
                      "address": "東京都千代田区永田町二丁目1番2号"});
    let (s, v) = api.call("PUT", &format!("/registry/v1/residents/{}", mn(9)), ADMIN, body).await;
    assert_eq!((s, code(&v)), (StatusCode::SERVICE_UNAVAILABLE, "store_unavailable"), "{v}");
    assert!(v["error"]["next_step"].as_str().is_some_and(|n| n.contains("restart")), "{v}");
    let (s, v) =
        api.call("POST", "/admin/v1/credentials", ADMIN, json!({"role": "clinic", "subject": "1311234567"})).await;
    assert_eq!((s, code(&v)), (StatusCode::SERVICE_UNAVAILABLE, "store_unavailable"), "{v}");
    let mn9 = MyNumber::parse(&mn(9)).expect("mn");
    assert!(api.store.resident(&mn9).expect("read").is_none(), "nothing was written");
}

// ---- 顔認証 ----------------------------------------------------------------------------------------

#[tokio::test]
async fn a_face_assertion_by_another_institutions_reader_or_none_is_refused() {
    let api = Api::new().await;
    let clinic = api.credential("clinic", "1311234567").await;
    let other = api.credential("clinic", "1319876543").await;
    let card = api.patient(1, "hanako.card.json").await;
    let (theirs, their_id) = api.reader(&other).await;
    let nonce = |api: &Api| {
        let clinic = clinic.clone();
        let router = api.router.clone();
        async move {
            let req = Request::builder()
                .method("POST")
                .uri("/clinic/v1/card/challenges")
                .header("authorization", format!("Bearer {clinic}"))
                .body(Body::empty())
                .expect("req");
            let res = router.oneshot(req).await.expect("infallible");
            let v: Value =
                serde_json::from_slice(&axum::body::to_bytes(res.into_body(), 1 << 20).await.expect("b")).expect("j");
            v["nonce"].as_str().expect("nonce").to_owned()
        }
    };
    let n = nonce(&api).await;
    let (s, v) =
        api.call("POST", "/clinic/v1/card/eligibility", &clinic, face_body(&card, &n, &theirs, &their_id)).await;
    assert_eq!((s, code(&v)), (StatusCode::UNPROCESSABLE_ENTITY, "reader_unknown"), "{v}");
    let n = nonce(&api).await;
    let mut b = face_body(&card, &n, &theirs, &their_id);
    b.as_object_mut().expect("o").remove("face");
    let (s, v) = api.call("POST", "/clinic/v1/card/eligibility", &clinic, b).await;
    assert_eq!((s, code(&v)), (StatusCode::UNPROCESSABLE_ENTITY, "missing_field"), "{v}");
    let (mine, my_id) = api.reader(&clinic).await;
    let n = nonce(&api).await;
    let (s, v) = api.call("POST", "/clinic/v1/card/eligibility", &clinic, face_body(&card, &n, &mine, &my_id)).await;
    assert_eq!((s, v["result"].as_str()), (StatusCode::OK, Some("valid")), "{v}");
}

/// The reception screen: choosing 顔認証 never checks the patient in by itself. Only a result signed by a
/// reader registered to this clinic, written by the reader process, does.
#[tokio::test]
async fn the_reception_screen_cannot_skip_the_pin() {
    let api = Api::new().await;
    let clinic = api.credential("clinic", "1311234567").await;
    let other = api.credential("clinic", "1319876543").await;
    let card = api.patient(1, "hanako.card.json").await;
    let tries = card.pin_tries_left();

    // choosing 顔認証 with no PIN: the screen waits for the reader, it does not answer 有効
    let (s, page) = api.form("/reception/card", &clinic, &[("card", "hanako.card.json"), ("method", "face")]).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        !page.contains("有効</p>") && !page.contains(">有効<"),
        "face without a reader checked the patient in: {page}"
    );
    assert!(page.contains("顔認証を待っています"), "{page}");
    let nonce = nonce_in(&page);
    assert!(api.reader_dir.join("face").join(format!("{nonce}.request")).exists());
    assert!(
        !std::fs::read_dir(api.dir.path().join("data"))
            .expect("data")
            .any(|e| { e.ok().is_some_and(|e| e.file_name().to_string_lossy().contains("reader-key")) }),
        "the server keeps no reader key"
    );

    // pressing 顔認証の結果で確認 without a result from the reader
    let fields = [("card", "hanako.card.json"), ("method", "face"), ("nonce", nonce.as_str())];
    let (_, page) = api.form("/reception/card/face", &clinic, &fields).await;
    assert!(page.contains("face_not_authenticated"), "{page}");
    assert!(!page.contains(">有効<"), "{page}");

    // a result signed by another clinic's reader
    let (theirs, their_id) = api.reader(&other).await;
    let face = |api: &Api, nonce: &str, key: &rsa::RsaPrivateKey, id: &str| {
        let sig = pki::sign(key, &onshi_card::face_message(nonce, &card.surface().certificate_serial));
        let out = onshi_http::face_result_path(&api.reader_dir, nonce);
        std::fs::write(out, json!({"reader_id": id, "signature": B64.encode(sig)}).to_string()).expect("result");
    };
    let (_, page) = api.form("/reception/card", &clinic, &[("card", "hanako.card.json"), ("method", "face")]).await;
    let n = nonce_in(&page);
    face(&api, &n, &theirs, &their_id);
    let (_, page) = api
        .form("/reception/card/face", &clinic, &[("card", "hanako.card.json"), ("method", "face"), ("nonce", &n)])
        .await;
    assert!(page.contains("reader_unknown"), "{page}");

    // a registered reader's key that is not the one named
    let (mine, my_id) = api.reader(&clinic).await;
    let (_, page) = api.form("/reception/card", &clinic, &[("card", "hanako.card.json"), ("method", "face")]).await;
    let n = nonce_in(&page);
    face(&api, &n, &theirs, &my_id);
    let (_, page) = api
        .form("/reception/card/face", &clinic, &[("card", "hanako.card.json"), ("method", "face"), ("nonce", &n)])
        .await;
    assert!(page.contains("face_assertion_invalid"), "{page}");

    // the clinic's registered reader, as `onshi card face` signs
    let (_, page) = api.form("/reception/card", &clinic, &[("card", "hanako.card.json"), ("method", "face")]).await;
    let n = nonce_in(&page);
    face(&api, &n, &mine, &my_id);
    let (_, page) = api
        .form("/reception/card/face", &clinic, &[("card", "hanako.card.json"), ("method", "face"), ("nonce", &n)])
        .await;
    assert!(page.contains(">有効<"), "{page}");
    assert!(page.contains("顔認証"), "{page}");
    // the result is used once
    let (_, page) = api
        .form("/reception/card/face", &clinic, &[("card", "hanako.card.json"), ("method", "face"), ("nonce", &n)])
        .await;
    assert!(!page.contains(">有効<"), "{page}");
    // the PIN was never tried on the face path
    let card = Card::load(&api.reader_dir.join("hanako.card.json")).expect("card");
    assert_eq!(card.pin_tries_left(), tries);
}
