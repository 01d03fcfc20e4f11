//! The My Number link lifecycle over the real router, service and SQLite store (in-process): a B link waits
//! for the insurer's confirmation before a card answers through it, 閲覧停止, linking after enrolment (graded
//! as at enrolment, with its history), linking from the registry's search, cases from 総点検, and who read a
//! member's data.

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
use onshi_service::{Actor, Clock, Ctx, Role, Service};
use onshi_store::{AnyStore, SqliteStore, Store};
use serde_json::{Value, json};
use tower::ServiceExt;

const ADMIN: &str = "test-admin-token-0123456789";
/// 2026-12-02 10:00 in Japan.
const NOW: i64 = 1_796_173_200;
const TOKYO: &str = "東京都千代田区永田町二丁目1番2号";
const OSAKA: &str = "大阪府大阪市北区梅田三丁目1番1号";

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
    MyNumber::from_body(&format!("{:011}", 30_000_000_000u64 + i * 13)).expect("my number").as_str().to_owned()
}

struct Api {
    router: Router,
    app: onshi_http::App,
    clinic: String,
    insurer: String,
    _dir: tempfile::TempDir,
}

impl Api {
    async fn new() -> Api {
        let dir = tempfile::tempdir().expect("tempdir");
        let store: AnyStore = Box::new(SqliteStore::open(dir.path()).expect("store"));
        let clock = Arc::new(TestClock(AtomicI64::new(NOW)));
        let app = Arc::new(Service::new(store, ADMIN, clock).expect("service").with_card_issuer(issuer()));
        let mut api = Api {
            router: onshi_http::router(app.clone()),
            app,
            clinic: String::new(),
            insurer: String::new(),
            _dir: dir,
        };
        api.clinic = api.token("clinic", "1311234567").await;
        api.insurer = api.token("insurer", "06139992").await;
        api
    }

    async fn token(&self, role: &str, subject: &str) -> String {
        let (s, v) = self.call("POST", "/admin/v1/credentials", ADMIN, json!({"role": role, "subject": subject})).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        v["token"].as_str().expect("token").to_owned()
    }

    async fn call(&self, method: &str, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        let body = if body.is_null() { String::new() } else { body.to_string() };
        let (s, bytes) = self.raw(method, path, token, "application/json", body).await;
        (s, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }

    async fn raw(&self, method: &str, path: &str, token: &str, ct: &str, body: String) -> (StatusCode, Vec<u8>) {
        let req = Request::builder()
            .method(method)
            .uri(path)
            .header("content-type", ct)
            .header("authorization", format!("Bearer {token}"))
            .body(Body::from(body))
            .expect("request");
        let res = self.router.clone().oneshot(req).await.expect("infallible");
        let status = res.status();
        let bytes = axum::body::to_bytes(res.into_body(), 1 << 22).await.expect("body");
        if !status.is_success() {
            let v: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
            assert!(v["error"]["next_step"].as_str().is_some_and(|n| !n.trim().is_empty()), "{method} {path}: {v}");
            assert!(
                onshi_service::error::PROJECT_CODES.contains(&code(&v))
                    || onshi_service::error::CONTRACT_CODES.contains(&code(&v))
                    || code(&v).starts_with("card_"),
                "{v}"
            );
        }
        (status, bytes.to_vec())
    }

    async fn resident(&self, i: u64, name: &str, sex: &str, address: &str) {
        let body = json!({"name": name, "name_kana": "テスト", "birth_date": "1980-04-15", "sex": sex,
                          "address": address});
        let (s, v) = self.call("PUT", &format!("/registry/v1/residents/{}", mn(i)), ADMIN, body).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
    }

    /// Enrols a member of 06139992 born 1980-04-15, linked to resident `i` if given.
    async fn enrol(&self, number: &str, link: Option<u64>, name: &str, address: &str) -> (String, Value) {
        let mut body = json!({"insurer_number": "06139992", "symbol": "1", "number": number, "branch": "00",
            "relationship": "insured", "name": name, "name_kana": "テスト", "birth_date": "1980-04-15",
            "sex": "female", "address": address, "acquired_on": "2024-04-01"});
        if let Some(i) = link {
            body["my_number"] = json!(mn(i));
        }
        let (s, v) = self.call("POST", "/insurer/v1/members", &self.insurer, body).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        (v["member_id"].as_str().expect("id").to_owned(), v)
    }

    async fn card(&self, i: u64) -> Card {
        let key = pki::new_key().expect("key");
        let spki = pki::public_key_der(&key.to_public_key()).expect("spki");
        let (s, v) = self
            .call("POST", "/registry/v1/cards", ADMIN, json!({"my_number": mn(i), "public_key": B64.encode(spki)}))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        let b = |k: &str| B64.decode(v[k].as_str().expect(k)).expect("base64");
        let issued =
            Issued { surface: b("surface"), surface_signature: b("surface_signature"), certificate: b("certificate") };
        Card::assemble(issued, &key, "1234", "1234567890123456").expect("card")
    }

    /// A full PIN check by card.
    async fn card_check(&self, card: &mut Card) -> (StatusCode, Value) {
        let (s, v) = self.call("POST", "/clinic/v1/card/challenges", &self.clinic, json!({})).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        let nonce = v["nonce"].as_str().expect("nonce").to_owned();
        let sig = card.sign_with_pin("1234", &onshi_card::challenge_message(&nonce), |_| Ok(())).expect("sign");
        let body = json!({"nonce": nonce, "certificate": B64.encode(card.certificate_der()),
               "surface": B64.encode(card.surface_bytes()), "surface_signature": B64.encode(card.surface_signature()),
               "method": "pin", "signature": B64.encode(sig)});
        self.call("POST", "/clinic/v1/card/eligibility", &self.clinic, body).await
    }

    async fn number_check(&self, number: &str) -> (StatusCode, Value) {
        let body = json!({"insurer_number": "06139992", "symbol": "1", "number": number, "branch": "00",
                          "birth_date": "1980-04-15"});
        self.call("POST", "/clinic/v1/eligibility", &self.clinic, body).await
    }

    async fn link(&self, id: &str) -> Value {
        let (s, v) = self.call("GET", &format!("/insurer/v1/members/{id}/link"), &self.insurer, Value::Null).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        v
    }

    async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call("POST", path, &self.insurer, body).await
    }
}

/// Seeds: a record that differs from the registry (B: 入力ミス等による不一致の可能性) is linked only once the
/// insurer has confirmed it with the person. Until then a card answers `link_pending_confirmation`, and the
/// 資格確認書's numbers still work. Fails on a build where a B link takes effect at once.
#[tokio::test]
async fn a_b_link_answers_no_card_check_until_the_insurer_confirms_it() {
    let api = Api::new().await;
    api.resident(1, "山田 花子", "female", TOKYO).await;
    // the insurer holds the old address: B (address_differs)
    let (id, v) = api.enrol("100", Some(1), "山田 花子", OSAKA).await;
    assert_eq!(v["linkage"]["grade"], "B", "{v}");
    assert_eq!(v["linkage"]["state"], "pending_confirmation", "{v}");
    let mut card = api.card(1).await;
    let (s, v) = api.card_check(&mut card).await;
    assert_eq!((s, code(&v)), (StatusCode::CONFLICT, "link_pending_confirmation"), "{v}");
    assert!(v["error"]["next_step"].as_str().is_some_and(|n| n.contains("資格確認書")), "{v}");
    // the check by person (the simulator's path) passes the same gate
    let cx = Ctx {
        actor: Actor { role: Role::Clinic, subject: "1311234567".into(), insurer: None },
        request_id: "t".into(),
        endpoint: "test",
    };
    let e = api.app.check_person(&cx, &mn(1), None).await.expect_err("pending");
    assert_eq!(e.code, "link_pending_confirmation");
    // the numbers still answer
    let (s, v) = api.number_check("100").await;
    assert_eq!((s, v["result"].as_str()), (StatusCode::OK, Some("valid")), "{v}");
    // the refusal is in the access log, naming the card's holder
    let person = MyNumber::parse(&mn(1)).expect("mn");
    let log = api.app.store().access_log_of(Some(&person), &[], 10).expect("log");
    assert!(log.iter().any(|l| l.entry.outcome == "card:link_pending_confirmation"), "{log:?}");
    // confirmed by phone: the card answers
    let (s, v) = api
        .post(&format!("/insurer/v1/members/{id}/link/confirm"), json!({"method": "phone", "note": "本人に電話"}))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["state"], "active", "{v}");
    assert_eq!(v["confirmation"]["method"], "phone", "{v}");
    assert_eq!(v["confirmation"]["by"], "insurer:06139992", "{v}");
    let actions: Vec<&str> =
        v["history"].as_array().expect("history").iter().filter_map(|e| e["action"].as_str()).collect();
    assert_eq!(actions, ["linked_at_enrolment", "confirmed"], "{v}");
    let (s, v) = api.card_check(&mut card).await;
    assert_eq!((s, v["result"].as_str()), (StatusCode::OK, Some("valid")), "{v}");
}

/// 閲覧停止: a suspended link answers `link_suspended` to a card, the numbers still answer, and confirming lifts
/// it. Every refused request leaves the link as it was.
#[tokio::test]
async fn a_suspended_link_answers_no_card_but_the_numbers_still_work() {
    let api = Api::new().await;
    api.resident(1, "山田 花子", "female", TOKYO).await;
    let (id, v) = api.enrol("100", Some(1), "山田 花子", TOKYO).await;
    assert_eq!(v["linkage"]["state"], "active", "{v}");
    let mut card = api.card(1).await;
    let (s, v) = api.card_check(&mut card).await;
    assert_eq!((s, v["result"].as_str()), (StatusCode::OK, Some("valid")), "{v}");
    let suspend = format!("/insurer/v1/members/{id}/link/suspend");
    let (s, v) = api.post(&suspend, json!({"reason": " "})).await;
    assert_eq!((s, code(&v)), (StatusCode::UNPROCESSABLE_ENTITY, "missing_field"), "{v}");
    let (s, v) = api.post(&suspend, json!({"reason": "総点検でC"})).await;
    assert_eq!((s, v["state"].as_str()), (StatusCode::OK, Some("suspended")), "{v}");
    let (s, v) = api.post(&suspend, json!({"reason": "again"})).await;
    assert_eq!((s, code(&v)), (StatusCode::CONFLICT, "link_already_suspended"), "{v}");
    let (s, v) = api.card_check(&mut card).await;
    assert_eq!((s, code(&v)), (StatusCode::CONFLICT, "link_suspended"), "{v}");
    let (s, v) = api.number_check("100").await;
    assert_eq!((s, v["result"].as_str()), (StatusCode::OK, Some("valid")), "{v}");
    let (s, v) = api.post(&format!("/insurer/v1/members/{id}/link/confirm"), json!({"method": "fax"})).await;
    assert_eq!((s, code(&v)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_value"), "{v}");
    assert_eq!(api.link(&id).await["history"].as_array().map(Vec::len), Some(2));
    let (s, v) = api.post(&format!("/insurer/v1/members/{id}/link/confirm"), json!({"method": "card_seen"})).await;
    assert_eq!((s, v["state"].as_str()), (StatusCode::OK, Some("active")), "{v}");
    let (s, v) = api.card_check(&mut card).await;
    assert_eq!((s, v["result"].as_str()), (StatusCode::OK, Some("valid")), "{v}");
}

/// A link made after enrolment is graded as at enrolment: a C stores nothing, an A takes effect; a
/// replacement and a removal are kept in the history. Bad input leaves no trace.
#[tokio::test]
async fn links_after_enrolment_are_graded_and_their_history_is_kept() {
    let api = Api::new().await;
    api.resident(1, "山田 花子", "female", TOKYO).await;
    api.resident(2, "佐藤 愛", "female", OSAKA).await;
    let (id, v) = api.enrol("100", None, "山田 花子", TOKYO).await;
    assert!(v["linkage"].is_null(), "{v}");
    let path = format!("/insurer/v1/members/{id}/link");
    for (body, status, want) in [
        (json!({"my_number": mn(2)}), StatusCode::UNPROCESSABLE_ENTITY, "linkage_rejected"),
        (json!({"my_number": "123"}), StatusCode::UNPROCESSABLE_ENTITY, "invalid_my_number"),
        (json!({"my_number": mn(1), "extra": 1}), StatusCode::UNPROCESSABLE_ENTITY, "unknown_field"),
        (json!({}), StatusCode::UNPROCESSABLE_ENTITY, "missing_field"),
    ] {
        let (s, v) = api.post(&path, body).await;
        assert_eq!((s, code(&v)), (status, want), "{v}");
    }
    let (s, v) = api.post(&format!("{path}/remove"), json!({"reason": "x"})).await;
    assert_eq!((s, code(&v)), (StatusCode::CONFLICT, "no_link"), "{v}");
    let v = api.link(&id).await;
    assert_eq!((v["state"].as_str(), v["history"].as_array().map(Vec::len)), (Some("unlinked"), Some(0)), "{v}");
    // another insurer sees no such member
    let other = api.token("insurer", "01130012").await;
    let (s, v) = api.call("POST", &path, &other, json!({"my_number": mn(1)})).await;
    assert_eq!((s, code(&v)), (StatusCode::NOT_FOUND, "not_found"), "{v}");
    let (s, v) = api.post(&path, json!({"my_number": mn(1), "note": "資格取得届に記載"})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!((v["grade"].as_str(), v["state"].as_str()), (Some("A"), Some("active")), "{v}");
    let (s, v) = api.post(&path, json!({"my_number": mn(1)})).await;
    assert_eq!((s, code(&v)), (StatusCode::CONFLICT, "already_linked"), "{v}");
    let (s, v) = api.post(&format!("{path}/remove"), json!({"reason": "本人の申出"})).await;
    assert_eq!((s, v["state"].as_str()), (StatusCode::OK, Some("unlinked")), "{v}");
    let history = v["history"].as_array().expect("history");
    assert_eq!(history.len(), 2, "{v}");
    assert_eq!(
        (history[0]["action"].as_str(), history[0]["my_number"].as_str()),
        (Some("added"), Some(mn(1).as_str()))
    );
    assert_eq!(
        (history[1]["action"].as_str(), history[1]["previous"].as_str()),
        (Some("removed"), Some(mn(1).as_str()))
    );
    assert_eq!(history[1]["by"], "insurer:06139992");
}

/// 未登録者: an unlinked member is linked from the registry's 4-information search, on a unique match only.
#[tokio::test]
async fn an_unlinked_member_is_linked_from_the_registry_search_only_on_a_unique_match() {
    let api = Api::new().await;
    api.resident(1, "山田 花子", "female", TOKYO).await;
    api.resident(2, "山田 花子", "male", TOKYO).await;
    api.resident(3, "佐藤 愛", "female", OSAKA).await;
    api.resident(4, "佐藤 愛", "female", OSAKA).await;
    let (unique, _) = api.enrol("100", None, "山田 花子", TOKYO).await;
    let (two, _) = api.enrol("101", None, "佐藤 愛", OSAKA).await;
    let (none, _) = api.enrol("102", None, "鈴木 一", TOKYO).await;
    let search = |id: &str| format!("/insurer/v1/members/{id}/link/search");
    let (s, v) = api.post(&search(&two), json!({})).await;
    assert_eq!((s, code(&v)), (StatusCode::CONFLICT, "registry_multiple_matches"), "{v}");
    let (s, v) = api.post(&search(&none), json!({})).await;
    assert_eq!((s, code(&v)), (StatusCode::UNPROCESSABLE_ENTITY, "registry_no_match"), "{v}");
    assert_eq!(api.link(&two).await["state"], "unlinked");
    assert_eq!(api.link(&none).await["state"], "unlinked");
    // the sex tells the two 山田 花子 apart
    let (s, v) = api.post(&search(&unique), json!({})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!((v["my_number"].as_str(), v["grade"].as_str()), (Some(mn(1).as_str()), Some("A")), "{v}");
    let (s, v) = api.post(&search(&unique), json!({})).await;
    assert_eq!((s, code(&v)), (StatusCode::CONFLICT, "already_linked"), "{v}");
}

fn out_csv(rows: &[(&str, &str, &str)]) -> String {
    let mut s = String::from(
        "\u{feff}record_id,my_number,grade,name,name_kana,birth_date,sex,address,reasons,suggested_my_number\n",
    );
    for (id, number, grade) in rows {
        s.push_str(&format!("{id},{number},{grade},match,match,match,match,differs,address_differs,\n"));
    }
    s
}

/// 総点検 → the live service: OUT.csv's B and C rows become cases, listed per insurer, closed by the link
/// actions; and who read the data of a member whose link is found wrong (閲覧された件数), as JSON and CSV.
#[tokio::test]
async fn cases_from_reconcile_close_through_link_actions_and_reads_are_counted() {
    let api = Api::new().await;
    api.resident(1, "山田 花子", "female", TOKYO).await;
    api.resident(2, "佐藤 愛", "female", TOKYO).await;
    let (m1, _) = api.enrol("100", Some(1), "山田 花子", TOKYO).await;
    let (m2, _) = api.enrol("101", Some(2), "佐藤 愛", TOKYO).await;
    let (m3, _) = api.enrol("102", None, "鈴木 一", TOKYO).await;
    // read twice: by card (through the link) and by the numbers
    let mut card = api.card(1).await;
    assert_eq!(api.card_check(&mut card).await.0, StatusCode::OK);
    assert_eq!(api.number_check("100").await.0, StatusCode::OK);
    let import = "/insurer/v1/cases/import";
    // a bad row refuses the whole file
    let bad = out_csv(&[(&m1, &mn(1), "C"), (&m2, &mn(2), "X")]);
    let (s, b) = api.raw("POST", import, &api.insurer, "text/csv", bad).await;
    let v: Value = serde_json::from_slice(&b).expect("json");
    assert_eq!(
        (s, code(&v), v["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_value", Some("line 3: grade"))
    );
    let (s, b) = api.raw("POST", import, &api.insurer, "text/csv", "id,grade\n1,B\n".into()).await;
    let v: Value = serde_json::from_slice(&b).expect("json");
    assert_eq!((s, v["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("header")), "{v}");
    let (s, v) = api.call("GET", "/insurer/v1/cases", &api.insurer, Value::Null).await;
    assert_eq!((s, v["cases"].as_array().map(Vec::len)), (StatusCode::OK, Some(0)), "{v}");
    // C for m1, B for m2, A for m3 (skipped), and a stale row (m3 is not linked to that number)
    let good = out_csv(&[(&m1, &mn(1), "C"), (&m2, &mn(2), "B"), (&m3, &mn(3), "A"), (&m3, &mn(2), "B")]);
    let (s, v) = api.call("POST", import, &api.insurer, json!({"csv": good})).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!((v["opened"].as_u64(), v["already_open"].as_u64()), (Some(2), Some(0)), "{v}");
    let skipped: Vec<&str> =
        v["skipped"].as_array().expect("skipped").iter().filter_map(|r| r["reason"].as_str()).collect();
    assert_eq!(skipped, ["grade_a", "link_changed"], "{v}");
    assert!(v["cases"][0]["to_close"].as_str().is_some_and(|t| t.contains("suspend")), "{v}");
    let (s, v) = api.raw("POST", import, &api.insurer, "text/csv", good.clone()).await;
    let v: Value = serde_json::from_slice(&v).expect("json");
    assert_eq!((s, v["opened"].as_u64(), v["already_open"].as_u64()), (StatusCode::CREATED, Some(0), Some(2)), "{v}");
    // another insurer cannot import onto these members, nor see the cases
    let other = api.token("insurer", "01130012").await;
    let (s, _) = api.raw("POST", import, &other, "text/csv", good).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, v) = api.call("GET", "/insurer/v1/cases", &other, Value::Null).await;
    assert_eq!((s, v["cases"].as_array().map(Vec::len)), (StatusCode::OK, Some(0)), "{v}");
    // the C: suspend, then unlink → the case closes as unlinked
    let (s, _) = api.post(&format!("/insurer/v1/members/{m1}/link/suspend"), json!({"reason": "総点検 C"})).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(api.card_check(&mut card).await.1["error"]["code"], "link_suspended");
    let (s, _) = api.post(&format!("/insurer/v1/members/{m1}/link/remove"), json!({"reason": "別人"})).await;
    assert_eq!(s, StatusCode::OK);
    // the B: confirmed → confirmed
    let (s, _) = api.post(&format!("/insurer/v1/members/{m2}/link/confirm"), json!({"method": "mail"})).await;
    assert_eq!(s, StatusCode::OK);
    let (s, v) = api.call("GET", "/insurer/v1/cases?status=open", &api.insurer, Value::Null).await;
    assert_eq!((s, v["cases"].as_array().map(Vec::len)), (StatusCode::OK, Some(0)), "{v}");
    let (s, v) = api.call("GET", "/insurer/v1/cases", &api.insurer, Value::Null).await;
    assert_eq!(s, StatusCode::OK);
    let closed: Vec<(&str, &str)> = v["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|c| (c["status"].as_str().unwrap_or(""), c["closed_by"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(closed, [("unlinked", "insurer:06139992"), ("confirmed", "insurer:06139992")], "{v}");
    let (s, v) = api.call("GET", "/insurer/v1/cases?status=shut", &api.insurer, Value::Null).await;
    assert_eq!((s, code(&v)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_value"), "{v}");
    // another patient's check that found nobody (its line names no person and no member) is not m1's read
    let (s, v) = api.number_check("9999999").await;
    assert_eq!((s, v["result"].as_str()), (StatusCode::OK, Some("not_found")), "{v}");
    // who read m1's data: the card check (through the link) and the check by number
    let (s, v) = api.call("GET", &format!("/insurer/v1/members/{m1}/link/reads"), &api.insurer, Value::Null).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let clinic_reads: Vec<(&str, bool)> = v["reads"]
        .as_array()
        .expect("reads")
        .iter()
        .filter(|r| r["role"] == "clinic")
        .map(|r| (r["outcome"].as_str().unwrap_or(""), r["through_link"].as_bool().unwrap_or(false)))
        .collect();
    assert_eq!(clinic_reads, [("valid", false), ("card:valid", true)], "{v}");
    assert_eq!(v["through_link"], 1, "{v}");
    let (s, b) = api
        .raw("GET", &format!("/insurer/v1/members/{m1}/link/reads?format=csv"), &api.insurer, "", String::new())
        .await;
    let csv = String::from_utf8(b).expect("utf-8");
    assert_eq!(s, StatusCode::OK);
    assert!(csv.starts_with("\u{feff}member_id,at,role,subject,endpoint,outcome"), "{csv}");
    assert!(
        csv.lines().any(|l| l.contains(",1311234567,") && l.contains("card:valid") && l.contains(",true,")),
        "{csv}"
    );
    // the insurer's own reads are in the access log too
    let log = api.app.store().access_log_of(None, &[onshi_store::MemberId(m1.parse().expect("id"))], 100).expect("log");
    assert!(log.iter().any(|l| l.entry.outcome == "link:reads" && l.entry.subject == "06139992"), "{log:?}");
}
