//! The HTTP contract, exercised in-process on the real router, service and SQLite store (no network).

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use onshi_ids::{InsuredNumber, InsurerNumber, MyNumber};
use onshi_service::{Service, SystemClock};
use onshi_store::{AnyStore, SqliteStore, Store};
use serde_json::{Value, json};
use tower::ServiceExt;

const ADMIN: &str = "test-admin-token-0123456789";

struct Api {
    router: Router,
    app: onshi_http::App,
    _dir: tempfile::TempDir,
}

impl Api {
    fn new() -> Api {
        let dir = tempfile::tempdir().expect("tempdir");
        let store: AnyStore = Box::new(SqliteStore::open(dir.path()).expect("store"));
        let app = Arc::new(Service::new(store, ADMIN, Arc::new(SystemClock)).expect("service"));
        Api { router: onshi_http::router(app.clone()), app, _dir: dir }
    }

    async fn raw(&self, method: &str, path: &str, token: Option<&str>, body: Vec<u8>) -> (StatusCode, Value) {
        let mut req = Request::builder().method(method).uri(path).header("content-type", "application/json");
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        let res = self.router.clone().oneshot(req.body(Body::from(body)).expect("request")).await.expect("infallible");
        let status = res.status();
        let bytes = axum::body::to_bytes(res.into_body(), 1 << 22).await.expect("body");
        let v = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        if !status.is_success() {
            // Every error a user can see, in every test of this file: a stable code, a message, a next step.
            assert_error_is_complete(status, &v, &format!("{method} {path}"));
        }
        (status, v)
    }

    async fn call(&self, method: &str, path: &str, token: Option<&str>, body: Option<Value>) -> (StatusCode, Value) {
        let bytes = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
        self.raw(method, path, token, bytes).await
    }

    async fn token(&self, role: &str, subject: &str) -> String {
        let (s, v) = self
            .call("POST", "/admin/v1/credentials", Some(ADMIN), Some(json!({"role": role, "subject": subject})))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        v["token"].as_str().expect("token").to_owned()
    }

    fn members(&self, insurer: &str, number: &str, birth: &str) -> usize {
        self.app
            .store()
            .members_by_card(
                &InsurerNumber::parse(insurer).expect("insurer"),
                &InsuredNumber::parse(number).expect("number"),
                onshi_law::parse_iso_date(birth).expect("date"),
            )
            .expect("read")
            .len()
    }
}

fn code(v: &Value) -> &str {
    v["error"]["code"].as_str().unwrap_or("<none>")
}

/// The contract's error codes, and the few onshi adds where the contract names nothing that fits.
const CONTRACT_CODES: &[&str] = &[
    "malformed_json",
    "unknown_field",
    "missing_field",
    "invalid_date",
    "invalid_value",
    "invalid_my_number",
    "invalid_insurer_number",
    "unauthorized",
    "forbidden",
    "not_found",
    "linkage_rejected",
    "copay_ratio_mismatch",
    "duplicate_member",
    "branch_required",
];
const PROJECT_CODES: &[&str] = &[
    "exact_number_required",
    "symbol_required",
    "payload_too_large",
    "method_not_allowed",
    "timeout",
    "unavailable",
    "internal_error",
    "credential_revoked",
    "credential_expired",
    "store_unavailable",
    "death_already_recorded",
    "registry_event_decided",
    "link_pending_confirmation",
    "link_suspended",
    "unlinked_record_unconfirmed",
    "link_changed",
    "link_already_suspended",
    "no_link",
    "already_linked",
    "registry_no_match",
    "registry_multiple_matches",
];

fn assert_error_is_complete(status: StatusCode, v: &Value, what: &str) {
    let e = &v["error"];
    let code = e["code"].as_str().unwrap_or_default();
    assert!(
        CONTRACT_CODES.contains(&code) || PROJECT_CODES.contains(&code),
        "{what} → {status}: code {code:?} is not a contract code: {v}"
    );
    for key in ["message", "next_step"] {
        assert!(e[key].as_str().is_some_and(|m| !m.trim().is_empty()), "{what} → {status}: no {key}: {v}");
    }
    if status.is_client_error() {
        assert_ne!(status, StatusCode::INTERNAL_SERVER_ERROR);
    }
}

fn enrol_body(number: &str, branch: &str, rel: &str, name: &str, birth: &str) -> Value {
    json!({
        "insurer_number": "06139992", "symbol": "1", "number": number, "branch": branch, "relationship": rel,
        "name": name, "name_kana": "テスト", "birth_date": birth, "sex": "male",
        "address": "東京都千代田区永田町二丁目1番2号", "acquired_on": "2020-04-01"
    })
}

fn resident(name: &str, kana: &str, birth: &str, sex: &str) -> Value {
    json!({"name": name, "name_kana": kana, "birth_date": birth, "sex": sex, "address": "東京都千代田区永田町二丁目1番2号"})
}

#[tokio::test]
async fn every_kind_of_bad_enrolment_gets_its_code_and_leaves_no_trace() {
    let api = Api::new();
    let good = enrol_body("900", "00", "insured", "小林 進", "1980-02-10");
    let with = |k: &str, v: Value| {
        let mut b = good.clone();
        b[k] = v;
        b
    };
    let without = |k: &str| {
        let mut b = good.clone();
        b.as_object_mut().expect("object").remove(k);
        b
    };
    let cases: Vec<(Vec<u8>, StatusCode, &str, Option<&str>)> = vec![
        (b"{\"insurer_number\": ".to_vec(), StatusCode::BAD_REQUEST, "malformed_json", None),
        (b"not json".to_vec(), StatusCode::BAD_REQUEST, "malformed_json", None),
        (
            with("nickname", json!("x")).to_string().into_bytes(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_field",
            Some("nickname"),
        ),
        (without("name").to_string().into_bytes(), StatusCode::UNPROCESSABLE_ENTITY, "missing_field", Some("name")),
        (
            with("birth_date", json!("1980-02-30")).to_string().into_bytes(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_date",
            Some("birth_date"),
        ),
        (
            with("acquired_on", json!("2020/04/01")).to_string().into_bytes(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_date",
            Some("acquired_on"),
        ),
        (
            with("sex", json!("x")).to_string().into_bytes(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_value",
            Some("sex"),
        ),
        (
            with("relationship", json!(1)).to_string().into_bytes(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_value",
            Some("relationship"),
        ),
        (
            with("name", json!("  ")).to_string().into_bytes(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_value",
            Some("name"),
        ),
        (
            with("insurer_number", json!("06139993")).to_string().into_bytes(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_insurer_number",
            Some("insurer_number"),
        ),
        (
            with("my_number", json!("202404010045")).to_string().into_bytes(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_my_number",
            Some("my_number"),
        ),
        (
            with("my_number", json!("123456789018")).to_string().into_bytes(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "linkage_rejected",
            Some("my_number"),
        ),
        (
            with("branch", json!("0")).to_string().into_bytes(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_value",
            Some("branch"),
        ),
        (
            with("symbol", json!("1".repeat(21))).to_string().into_bytes(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_value",
            Some("symbol"),
        ),
        (
            with("number", json!("9\u{0}00")).to_string().into_bytes(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_value",
            Some("number"),
        ),
        (
            with("number", json!(" ")).to_string().into_bytes(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_value",
            Some("number"),
        ),
        (
            with("copay_ratio", json!(100)).to_string().into_bytes(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_value",
            Some("copay_ratio"),
        ),
        (
            with("copay_ratio", json!(20)).to_string().into_bytes(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "copay_ratio_mismatch",
            Some("copay_ratio"),
        ),
        (
            with("acquired_on", json!("1970-01-01")).to_string().into_bytes(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_value",
            Some("acquired_on"),
        ),
        (
            with("relationship", json!("dependent")).to_string().into_bytes(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_value",
            Some("number"),
        ),
    ];
    for (body, status, want, field) in cases {
        let (s, v) = api.raw("POST", "/insurer/v1/members", Some(ADMIN), body.clone()).await;
        assert_eq!((s, code(&v)), (status, want), "body {} → {v}", String::from_utf8_lossy(&body));
        if let Some(f) = field {
            assert_eq!(v["error"]["field"].as_str(), Some(f), "{v}");
        }
        assert!(v["error"]["message"].as_str().is_some_and(|m| !m.is_empty()));
        assert_eq!(api.members("06139992", "900", "1980-02-10"), 0, "a refused request left a trace: {v}");
    }
    // The good body goes through, once.
    let (s, v) = api.call("POST", "/insurer/v1/members", Some(ADMIN), Some(good.clone())).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(api.members("06139992", "900", "1980-02-10"), 1);
    let (s, v) = api.call("POST", "/insurer/v1/members", Some(ADMIN), Some(good)).await;
    assert_eq!((s, code(&v)), (StatusCode::CONFLICT, "duplicate_member"));
    assert_eq!(api.members("06139992", "900", "1980-02-10"), 1);
}

#[tokio::test]
async fn roles_and_insurer_scoping() {
    let api = Api::new();
    let clinic = api.token("clinic", "1311234567").await;
    let registry = api.token("registry", "jlis").await;
    let insurer = api.token("insurer", "06139992").await;
    let other = api.token("insurer", "01130012").await;
    let (s, v) = api
        .call("POST", "/admin/v1/credentials", Some(&clinic), Some(json!({"role": "clinic", "subject": "1311234567"})))
        .await;
    assert_eq!((s, code(&v)), (StatusCode::FORBIDDEN, "forbidden"));
    let (s, v) = api
        .call("POST", "/admin/v1/credentials", Some(ADMIN), Some(json!({"role": "insurer", "subject": "06139993"})))
        .await;
    assert_eq!((s, code(&v)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_insurer_number"));
    let (s, v) =
        api.call("POST", "/admin/v1/credentials", Some(ADMIN), Some(json!({"role": "root", "subject": "x"}))).await;
    assert_eq!((s, code(&v)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_value"));

    let (s, _) = api.call("GET", "/registry/v1/residents/123456789018", None, None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, v) = api.call("GET", "/registry/v1/residents/123456789018", Some("onshi_forged"), None).await;
    assert_eq!((s, code(&v)), (StatusCode::UNAUTHORIZED, "unauthorized"));
    let (s, _) = api.call("GET", "/registry/v1/residents/123456789018", Some(&clinic), None).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = api
        .call(
            "PUT",
            "/registry/v1/residents/123456789018",
            Some(&insurer),
            Some(resident("山田 太郎", "ヤマダ タロウ", "1980-04-15", "male")),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = api
        .call(
            "PUT",
            "/registry/v1/residents/123456789018",
            Some(&registry),
            Some(resident("山田 太郎", "ヤマダ タロウ", "1980-04-15", "male")),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, _) = api
        .call(
            "PUT",
            "/registry/v1/residents/123456789018",
            Some(&registry),
            Some(resident("山田 太郎", "ヤマダ タロウ", "1980-04-15", "male")),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, v) = api.call("GET", "/registry/v1/residents/123456789018", Some(&registry), None).await;
    assert_eq!((s, v["name"].as_str()), (StatusCode::OK, Some("山田 太郎")));
    let (s, v) = api.call("GET", "/registry/v1/residents/983205673214", Some(&registry), None).await;
    assert_eq!((s, code(&v)), (StatusCode::NOT_FOUND, "not_found"));

    let body = enrol_body("100", "00", "insured", "山田 太郎", "1980-04-15");
    let (s, _) = api.call("POST", "/insurer/v1/members", Some(&other), Some(body.clone())).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = api.call("POST", "/insurer/v1/members", Some(&clinic), Some(body.clone())).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = api.call("POST", "/insurer/v1/members", Some(&insurer), Some(body)).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let id = v["member_id"].as_str().expect("member id").to_owned();
    // Another insurer does not even learn that the member exists.
    let (s, _) = api.call("GET", &format!("/insurer/v1/members/{id}"), Some(&other), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = api
        .call("POST", &format!("/insurer/v1/members/{id}/loss"), Some(&other), Some(json!({"lost_on": "2024-01-01"})))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = api.call("GET", &format!("/insurer/v1/members/{id}"), Some(&clinic), None).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = api.call("GET", &format!("/insurer/v1/members/{id}"), Some(&insurer), None).await;
    assert_eq!((s, v["history"].as_array().map(Vec::len)), (StatusCode::OK, Some(1)));
    let (s, _) = api
        .call(
            "POST",
            "/clinic/v1/eligibility",
            Some(&insurer),
            Some(json!({"insurer_number": "06139992", "number": "100", "birth_date": "1980-04-15"})),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn history_is_kept_and_the_answer_follows_the_service_date() {
    let api = Api::new();
    let clinic = api.token("clinic", "1311234567").await;
    let (_, v) = api
        .call(
            "POST",
            "/insurer/v1/members",
            Some(ADMIN),
            Some(enrol_body("100", "00", "insured", "山田 花子", "1985-05-05")),
        )
        .await;
    let id = v["member_id"].as_str().expect("member id").to_owned();
    let (s, v) = api
        .call(
            "POST",
            &format!("/insurer/v1/members/{id}/changes"),
            Some(ADMIN),
            Some(json!({"effective_on": "2023-06-01", "name": "鈴木 花子"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = api
        .call(
            "POST",
            &format!("/insurer/v1/members/{id}/changes"),
            Some(ADMIN),
            Some(json!({"effective_on": "2023-06-01"})),
        )
        .await;
    assert_eq!((s, code(&v)), (StatusCode::UNPROCESSABLE_ENTITY, "missing_field"));
    let (s, v) = api
        .call("POST", &format!("/insurer/v1/members/{id}/loss"), Some(ADMIN), Some(json!({"lost_on": "2019-01-01"})))
        .await;
    assert_eq!((s, code(&v)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_value"), "a loss before acquisition: {v}");
    let (s, _) = api
        .call("POST", &format!("/insurer/v1/members/{id}/loss"), Some(ADMIN), Some(json!({"lost_on": "2024-11-01"})))
        .await;
    assert_eq!(s, StatusCode::OK);
    let check = |date: &str| json!({"insurer_number": "06139992", "symbol": "1", "number": "100", "birth_date": "1985-05-05", "service_date": date});
    let (_, v) = api.call("POST", "/clinic/v1/eligibility", Some(&clinic), Some(check("2023-05-31"))).await;
    assert_eq!((v["result"].as_str(), v["coverage"]["name"].as_str()), (Some("valid"), Some("山田 花子")));
    let (_, v) = api.call("POST", "/clinic/v1/eligibility", Some(&clinic), Some(check("2023-06-01"))).await;
    assert_eq!((v["result"].as_str(), v["coverage"]["name"].as_str()), (Some("valid"), Some("鈴木 花子")));
    let (_, v) = api.call("POST", "/clinic/v1/eligibility", Some(&clinic), Some(check("2024-11-01"))).await;
    assert_eq!(v["result"].as_str(), Some("invalid"));
    assert_eq!(v["coverage"]["lost_on"].as_str(), Some("2024-11-01"));
    assert!(v["coverage"]["copay_ratio"].is_null(), "no ratio on an invalid answer: {v}");
    let (_, v) = api.call("POST", "/clinic/v1/eligibility", Some(&clinic), Some(check("2020-03-31"))).await;
    assert_eq!(v["result"].as_str(), Some("invalid"));
    let (_, v) = api.call("GET", &format!("/insurer/v1/members/{id}"), Some(ADMIN), None).await;
    let kinds: Vec<&str> =
        v["history"].as_array().expect("history").iter().filter_map(|e| e["kind"].as_str()).collect();
    assert_eq!(kinds, ["acquire", "update", "lose"]);
    // Every read is in the access log: the clinic's four checks and the administrator's read of the member.
    let log = api.app.store().access_log_of(None, &[onshi_store::MemberId(id.parse().expect("id"))], 100).expect("log");
    assert_eq!(log.len(), 5);
    let (clinic_reads, others): (Vec<_>, Vec<_>) = log.iter().partition(|l| l.entry.role == "clinic");
    assert_eq!(clinic_reads.len(), 4);
    assert!(
        clinic_reads
            .iter()
            .all(|l| l.entry.subject == "1311234567" && l.entry.endpoint == "POST /clinic/v1/eligibility")
    );
    assert_eq!(
        (others[0].entry.role.as_str(), others[0].entry.endpoint.as_str(), others[0].entry.outcome.as_str()),
        ("admin", "GET /insurer/v1/members/{member_id}", "member")
    );
}

#[tokio::test]
async fn twins_need_the_branch_and_dependents_name_the_insured() {
    let api = Api::new();
    let clinic = api.token("clinic", "1311234567").await;
    for (branch, rel, name, birth) in [
        ("00", "insured", "佐藤 勇", "1980-01-01"),
        ("01", "dependent", "佐藤 翔太", "2010-05-05"),
        ("02", "dependent", "佐藤 健太", "2010-05-05"),
    ] {
        let (s, v) = api
            .call("POST", "/insurer/v1/members", Some(ADMIN), Some(enrol_body("700", branch, rel, name, birth)))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
    }
    let q = json!({"insurer_number": "06139992", "symbol": "1", "number": "700", "birth_date": "2010-05-05", "service_date": "2024-05-01"});
    let (s, v) = api.call("POST", "/clinic/v1/eligibility", Some(&clinic), Some(q.clone())).await;
    assert_eq!((s, code(&v)), (StatusCode::CONFLICT, "branch_required"));
    let mut with_branch = q;
    with_branch["branch"] = json!("02");
    let (s, v) = api.call("POST", "/clinic/v1/eligibility", Some(&clinic), Some(with_branch)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["coverage"]["name"].as_str(), Some("佐藤 健太"));
    assert_eq!(v["coverage"]["insured_name"].as_str(), Some("佐藤 勇"));
    assert_eq!(v["coverage"]["copay_ratio"].as_u64(), Some(30));
}

/// Issue 10, defect 1: two insured persons under one insurer with different 記号, the same 番号 and birth date,
/// both 枝番 00. A check that leaves the symbol out (absent or "") matches both: 409 `symbol_required` naming
/// `symbol`, never one of them; the symbol decides; the refusal is in the access log.
#[tokio::test]
async fn a_check_without_the_symbol_never_chooses_between_two_people() {
    let api = Api::new();
    let clinic = api.token("clinic", "1311234567").await;
    for (symbol, name) in [("1", "佐藤 勇"), ("2", "鈴木 誠")] {
        let mut b = enrol_body("700", "00", "insured", name, "1980-01-01");
        b["symbol"] = json!(symbol);
        let (s, v) = api.call("POST", "/insurer/v1/members", Some(ADMIN), Some(b)).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
    }
    let q = json!({"insurer_number": "06139992", "number": "700", "branch": "00", "birth_date": "1980-01-01",
                   "service_date": "2024-05-01"});
    for symbol in [Value::Null, json!(""), json!("  ")] {
        let mut left_out = q.clone();
        left_out["symbol"] = symbol.clone();
        let (s, v) = api.call("POST", "/clinic/v1/eligibility", Some(&clinic), Some(left_out)).await;
        assert_eq!((s, code(&v)), (StatusCode::CONFLICT, "symbol_required"), "symbol {symbol}: {v}");
        assert_eq!(v["error"]["field"].as_str(), Some("symbol"), "{v}");
        assert!(v["error"]["next_step"].as_str().is_some_and(|n| n.contains("記号")), "{v}");
    }
    // without the branch too: still the symbol that is asked for
    let mut bare = q.clone();
    bare.as_object_mut().expect("object").remove("branch");
    let (s, v) = api.call("POST", "/clinic/v1/eligibility", Some(&clinic), Some(bare)).await;
    assert_eq!((s, code(&v)), (StatusCode::CONFLICT, "symbol_required"), "{v}");
    // the symbol decides
    for (symbol, name) in [("1", "佐藤 勇"), ("2", "鈴木 誠")] {
        let mut with = q.clone();
        with["symbol"] = json!(symbol);
        let (s, v) = api.call("POST", "/clinic/v1/eligibility", Some(&clinic), Some(with)).await;
        assert_eq!((s, v["result"].as_str()), (StatusCode::OK, Some("valid")), "{v}");
        assert_eq!(v["coverage"]["name"].as_str(), Some(name), "{v}");
    }
    // one person alone is still found without the symbol
    let mut c = enrol_body("701", "00", "insured", "高橋 一", "1980-01-01");
    c["symbol"] = json!("3");
    api.call("POST", "/insurer/v1/members", Some(ADMIN), Some(c)).await;
    let mut alone = q.clone();
    alone["number"] = json!("701");
    let (s, v) = api.call("POST", "/clinic/v1/eligibility", Some(&clinic), Some(alone)).await;
    assert_eq!((s, v["coverage"]["name"].as_str()), (StatusCode::OK, Some("高橋 一")), "{v}");
    let log = api.app.store().access_log_without_my_number(100).expect("log");
    assert_eq!(log.iter().filter(|l| l.entry.outcome == "symbol_required").count(), 4, "{log:?}");
}

/// Issue 10, defect 1, as a new user tries it: the reception screen's 記号 field left empty shows the refusal
/// with its code, the field and the next step, never one of the two people.
#[tokio::test]
async fn the_reception_screen_with_the_symbol_left_empty_shows_the_refusal() {
    let api = Api::new();
    let clinic = api.token("clinic", "1311234567").await;
    for (symbol, name) in [("1", "佐藤 勇"), ("2", "鈴木 誠")] {
        let mut b = enrol_body("700", "00", "insured", name, "1980-01-01");
        b["symbol"] = json!(symbol);
        api.call("POST", "/insurer/v1/members", Some(ADMIN), Some(b)).await;
    }
    let form = |symbol: &str| {
        format!(
            "insurer_number=06139992&symbol={symbol}&number=700&branch=00&birth_date=1980-01-01&service_date=2024-05-01"
        )
    };
    let page = |body: String| {
        let req = Request::builder()
            .method("POST")
            .uri("/reception/number")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", format!("onshi_reception={clinic}"))
            .body(Body::from(body))
            .expect("request");
        let router = api.router.clone();
        async move {
            let res = router.oneshot(req).await.expect("infallible");
            let status = res.status();
            let bytes = axum::body::to_bytes(res.into_body(), 1 << 22).await.expect("body");
            (status, String::from_utf8(bytes.to_vec()).expect("utf-8"))
        }
    };
    let (s, html) = page(form("")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("code: symbol_required / field: symbol"), "{html}");
    assert!(html.contains("次にすること: ask for the card or 資格確認書 and send its 記号"), "{html}");
    assert!(!html.contains("佐藤 勇") && !html.contains("鈴木 誠"), "no person shown: {html}");
    let (s, html) = page(form("2")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("鈴木 誠") && !html.contains("佐藤 勇"), "{html}");
}

/// Issue 10, defect 3: an enrolment cancelled on its first day (lost on the day it was acquired: no day of
/// coverage) does not block the corrected enrolment, over HTTP.
#[tokio::test]
async fn an_enrolment_cancelled_on_its_first_day_does_not_block_the_corrected_one() {
    let api = Api::new();
    let clinic = api.token("clinic", "1311234567").await;
    let mut wrong = enrol_body("710", "00", "insured", "山本 健", "1975-05-05");
    wrong["acquired_on"] = json!("2024-04-01");
    let (s, v) = api.call("POST", "/insurer/v1/members", Some(ADMIN), Some(wrong)).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let id = v["member_id"].as_str().expect("member id").to_owned();
    let (s, v) = api
        .call("POST", &format!("/insurer/v1/members/{id}/loss"), Some(ADMIN), Some(json!({"lost_on": "2024-04-01"})))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let mut corrected = enrol_body("710", "00", "insured", "山本 健", "1975-05-05");
    corrected["acquired_on"] = json!("2024-03-01");
    let (s, v) = api.call("POST", "/insurer/v1/members", Some(ADMIN), Some(corrected)).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let q = json!({"insurer_number": "06139992", "symbol": "1", "number": "710", "branch": "00",
                   "birth_date": "1975-05-05", "service_date": "2024-05-01"});
    let (s, v) = api.call("POST", "/clinic/v1/eligibility", Some(&clinic), Some(q)).await;
    assert_eq!((s, v["result"].as_str()), (StatusCode::OK, Some("valid")), "{v}");
    assert_eq!(v["coverage"]["acquired_on"].as_str(), Some("2024-03-01"), "{v}");
    // a real period still blocks
    let mut dup = enrol_body("710", "00", "insured", "山本 健", "1975-05-05");
    dup["acquired_on"] = json!("2024-06-01");
    let (s, v) = api.call("POST", "/insurer/v1/members", Some(ADMIN), Some(dup)).await;
    assert_eq!((s, code(&v)), (StatusCode::CONFLICT, "duplicate_member"), "{v}");
}

#[tokio::test]
async fn registry_search_answers_only_on_a_unique_match() {
    let api = Api::new();
    let a = MyNumber::from_body("20240401010").expect("mn");
    let b = MyNumber::from_body("20240401011").expect("mn");
    api.call(
        "PUT",
        &format!("/registry/v1/residents/{a}"),
        Some(ADMIN),
        Some(resident("齋藤 光", "サイトウ ヒカル", "1999-09-09", "male")),
    )
    .await;
    api.call(
        "PUT",
        &format!("/registry/v1/residents/{b}"),
        Some(ADMIN),
        Some(resident("斉藤 光", "サイトウ ヒカル", "1999-09-09", "male")),
    )
    .await;
    let search = |name: &str| json!({"name": name, "birth_date": "1999-09-09", "address": "千代田区永田町２－１－２"});
    // 斎 is 齋's standard form; 斉 is a different surname: each search finds exactly one person.
    let (_, v) = api.call("POST", "/registry/v1/search", Some(ADMIN), Some(search("斎藤　光"))).await;
    assert_eq!((v["verdict"].as_str(), v["my_number"].as_str()), (Some("unique"), Some(a.as_str())));
    let (_, v) = api.call("POST", "/registry/v1/search", Some(ADMIN), Some(search("斉藤光"))).await;
    assert_eq!((v["verdict"].as_str(), v["my_number"].as_str()), (Some("unique"), Some(b.as_str())));
    let (_, v) = api.call("POST", "/registry/v1/search", Some(ADMIN), Some(search("佐藤 光"))).await;
    assert_eq!(v["verdict"].as_str(), Some("none"));
    assert!(v.get("my_number").is_none());
}

#[tokio::test]
async fn unknown_routes_methods_and_huge_bodies_get_json_errors() {
    let api = Api::new();
    let (s, v) = api.call("GET", "/nowhere", Some(ADMIN), None).await;
    assert_eq!((s, code(&v)), (StatusCode::NOT_FOUND, "not_found"));
    let (s, v) = api.call("DELETE", "/clinic/v1/eligibility", Some(ADMIN), None).await;
    assert_eq!((s, code(&v)), (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"));
    let big = format!("{{\"lost_on\": \"{}\"}}", "x".repeat(onshi_http::MAX_BODY + 10));
    let (s, v) = api.raw("POST", "/insurer/v1/members/1/loss", Some(ADMIN), big.into_bytes()).await;
    assert_eq!((s, code(&v)), (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"));
    let (s, v) = api.call("GET", "/healthz", None, None).await;
    assert_eq!((s, v["status"].as_str()), (StatusCode::OK, Some("ok")));
}

#[tokio::test]
async fn the_openapi_document_lists_every_route_of_the_contract() {
    let api = Api::new();
    let (s, v) = api.call("GET", "/openapi.json", None, None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(v["openapi"].as_str().is_some_and(|x| x.starts_with("3.")));
    for (path, method) in [
        ("/admin/v1/credentials", "post"),
        ("/registry/v1/residents/{my_number}", "put"),
        ("/registry/v1/residents/{my_number}", "get"),
        ("/registry/v1/search", "post"),
        ("/insurer/v1/members", "post"),
        ("/insurer/v1/members/{member_id}", "get"),
        ("/insurer/v1/members/{member_id}/loss", "post"),
        ("/insurer/v1/members/{member_id}/changes", "post"),
        ("/clinic/v1/eligibility", "post"),
        ("/healthz", "get"),
    ] {
        assert!(v["paths"][path][method].is_object(), "{method} {path} missing from the OpenAPI document");
    }
    assert!(v["components"]["schemas"]["EligibilityAnswer"].is_object());
}

/// The contract's codes only: a symbol, number or branch that is not one, an institution code that is not
/// one, and a dependent without an insured member are `invalid_value` with the field, and the precise cause
/// is in the message and `reason`.
#[tokio::test]
async fn specific_causes_are_invalid_value_with_the_field_and_a_reason() {
    let api = Api::new();
    let good = enrol_body("910", "00", "insured", "加藤 茂", "1975-07-07");
    let with = |k: &str, v: Value| {
        let mut b = good.clone();
        b[k] = v;
        b
    };
    for (body, field, reason) in [
        (with("branch", json!("0")), "branch", "wrong_length"),
        (with("branch", json!("0a")), "branch", "non_digit"),
        (with("symbol", json!("1".repeat(21))), "symbol", "too_long"),
        (with("number", json!("9\u{7}")), "number", "control_char"),
        (with("relationship", json!("dependent")), "number", "insured_not_found"),
        (with("name", json!("")), "name", "empty"),
        (with("copay_ratio", json!(25)), "copay_ratio", "not_a_ratio"),
        (with("sex", json!(1)), "sex", "wrong_type"),
        (with("sex", json!("m")), "sex", "not_accepted"),
    ] {
        let (s, v) = api.call("POST", "/insurer/v1/members", Some(ADMIN), Some(body)).await;
        assert_eq!((s, code(&v)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_value"), "{v}");
        assert_eq!((v["error"]["field"].as_str(), v["error"]["reason"].as_str()), (Some(field), Some(reason)), "{v}");
    }
    let (_, v) = api
        .call("POST", "/admin/v1/credentials", Some(ADMIN), Some(json!({"role": "clinic", "subject": "13112"})))
        .await;
    assert_eq!(
        (code(&v), v["error"]["field"].as_str(), v["error"]["reason"].as_str()),
        ("invalid_value", Some("subject"), Some("wrong_length")),
        "{v}"
    );
    // the contract's own identifier codes stay, with the cause as reason
    let (_, v) = api.call("GET", "/registry/v1/residents/202404010045", Some(ADMIN), None).await;
    assert_eq!((code(&v), v["error"]["reason"].as_str()), ("invalid_my_number", Some("check_digit")), "{v}");
    let (_, v) =
        api.call("POST", "/insurer/v1/members", Some(ADMIN), Some(with("insurer_number", json!("0613999")))).await;
    assert_eq!((code(&v), v["error"]["reason"].as_str()), ("invalid_insurer_number", Some("wrong_length")), "{v}");
    // the eligibility check reads the same values the same way
    let clinic = api.token("clinic", "1311234567").await;
    let (s, v) = api
        .call(
            "POST",
            "/clinic/v1/eligibility",
            Some(&clinic),
            Some(json!({"insurer_number": "06139992", "number": "1", "branch": "1", "birth_date": "1975-07-07"})),
        )
        .await;
    assert_eq!(
        (s, code(&v), v["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_value", Some("branch"))
    );
}

/// Every kind of error the API answers, provoked once each: each has a contract code (or one onshi documents
/// where the contract names nothing), a message and a non-empty next step. (`Api::raw` checks the same of
/// every error in this file.)
#[tokio::test]
async fn every_error_says_what_to_do_next() {
    let api = Api::new();
    let clinic = api.token("clinic", "1311234567").await;
    let (_, v) = api
        .call(
            "POST",
            "/insurer/v1/members",
            Some(ADMIN),
            Some(enrol_body("920", "00", "insured", "林 誠", "1960-03-03")),
        )
        .await;
    let id = v["member_id"].as_str().expect("member id").to_owned();
    let loss = format!("/insurer/v1/members/{id}/loss");
    let changes = format!("/insurer/v1/members/{id}/changes");
    let twins = [("01", "林 一"), ("02", "林 二")];
    for (b, n) in twins {
        api.call("POST", "/insurer/v1/members", Some(ADMIN), Some(enrol_body("920", b, "dependent", n, "2012-12-12")))
            .await;
    }
    for symbol in ["1", "2"] {
        let mut b = enrol_body("922", "00", "insured", "林 誠", "1960-03-03");
        b["symbol"] = json!(symbol);
        api.call("POST", "/insurer/v1/members", Some(ADMIN), Some(b)).await;
    }
    let big = format!("{{\"lost_on\": \"{}\"}}", "x".repeat(onshi_http::MAX_BODY + 10)).into_bytes();
    // (method, path, token, body, the code expected)
    type Case<'a> = (&'a str, String, Option<&'a str>, Vec<u8>, &'a str);
    let cases: Vec<Case<'_>> = vec![
        ("POST", loss.clone(), Some(ADMIN), b"{".to_vec(), "malformed_json"),
        ("POST", loss.clone(), Some(ADMIN), b"[]".to_vec(), "invalid_value"),
        ("POST", loss.clone(), Some(ADMIN), br#"{"lost_on": "2024-01-01", "why": 1}"#.to_vec(), "unknown_field"),
        ("POST", loss.clone(), Some(ADMIN), b"{}".to_vec(), "missing_field"),
        ("POST", loss.clone(), Some(ADMIN), br#"{"lost_on": 20240101}"#.to_vec(), "invalid_value"),
        ("POST", loss.clone(), Some(ADMIN), br#"{"lost_on": "2024-02-30"}"#.to_vec(), "invalid_date"),
        ("POST", loss.clone(), Some(ADMIN), br#"{"lost_on": "2019-01-01"}"#.to_vec(), "invalid_value"),
        ("POST", loss.clone(), None, br#"{"lost_on": "2024-01-01"}"#.to_vec(), "unauthorized"),
        ("POST", loss.clone(), Some("onshi_forged"), br#"{"lost_on": "2024-01-01"}"#.to_vec(), "unauthorized"),
        ("POST", loss.clone(), Some(&clinic), br#"{"lost_on": "2024-01-01"}"#.to_vec(), "forbidden"),
        (
            "POST",
            "/insurer/v1/members/999999/loss".into(),
            Some(ADMIN),
            br#"{"lost_on": "2024-01-01"}"#.to_vec(),
            "not_found",
        ),
        (
            "POST",
            "/insurer/v1/members/x/loss".into(),
            Some(ADMIN),
            br#"{"lost_on": "2024-01-01"}"#.to_vec(),
            "not_found",
        ),
        ("POST", loss.clone(), Some(ADMIN), big, "payload_too_large"),
        ("POST", changes.clone(), Some(ADMIN), br#"{"effective_on": "2024-01-01"}"#.to_vec(), "missing_field"),
        (
            "POST",
            changes.clone(),
            Some(ADMIN),
            br#"{"effective_on": "2024-01-01", "name": "\n"}"#.to_vec(),
            "invalid_value",
        ),
        (
            "POST",
            changes.clone(),
            Some(ADMIN),
            br#"{"effective_on": "2024-01-01", "copay_ratio": 100}"#.to_vec(),
            "invalid_value",
        ),
        (
            "POST",
            changes.clone(),
            Some(ADMIN),
            br#"{"effective_on": "2024-01-01", "copay_ratio": 10}"#.to_vec(),
            "copay_ratio_mismatch",
        ),
        (
            "POST",
            changes.clone(),
            Some(ADMIN),
            br#"{"effective_on": "2010-01-01", "name": "x"}"#.to_vec(),
            "invalid_value",
        ),
        ("GET", "/registry/v1/residents/983205673214".into(), Some(ADMIN), Vec::new(), "not_found"),
        ("GET", "/registry/v1/residents/98320567321".into(), Some(ADMIN), Vec::new(), "invalid_my_number"),
        (
            "POST",
            "/insurer/v1/members".into(),
            Some(ADMIN),
            enrol_body("920", "00", "insured", "林 誠", "1960-03-03").to_string().into_bytes(),
            "duplicate_member",
        ),
        (
            "POST",
            "/insurer/v1/members".into(),
            Some(ADMIN),
            {
                let mut b = enrol_body("921", "00", "insured", "林 誠", "1960-03-03");
                b["my_number"] = json!("123456789018");
                b.to_string().into_bytes()
            },
            "linkage_rejected",
        ),
        (
            "POST",
            "/insurer/v1/members".into(),
            Some(ADMIN),
            {
                let mut b = enrol_body("921", "00", "insured", "林 誠", "1960-03-03");
                b["insurer_number"] = json!("06139993");
                b.to_string().into_bytes()
            },
            "invalid_insurer_number",
        ),
        (
            "POST",
            "/clinic/v1/eligibility".into(),
            Some(&clinic),
            json!({"insurer_number": "06139992", "symbol": "1", "number": "920", "birth_date": "2012-12-12"})
                .to_string()
                .into_bytes(),
            "branch_required",
        ),
        (
            "POST",
            "/clinic/v1/eligibility".into(),
            Some(&clinic),
            json!({"insurer_number": "06139992", "number": "922", "branch": "00", "birth_date": "1960-03-03"})
                .to_string()
                .into_bytes(),
            "symbol_required",
        ),
        (
            "POST",
            "/admin/v1/credentials".into(),
            Some(ADMIN),
            br#"{"role": "root", "subject": "x"}"#.to_vec(),
            "invalid_value",
        ),
        ("GET", "/nowhere".into(), Some(ADMIN), Vec::new(), "not_found"),
        ("DELETE", "/clinic/v1/eligibility".into(), Some(ADMIN), Vec::new(), "method_not_allowed"),
    ];
    for (method, path, token, body, want) in cases {
        let (s, v) = api.raw(method, &path, token, body).await;
        assert_eq!(code(&v), want, "{method} {path} → {s} {v}");
        assert!(s.is_client_error(), "{method} {path} → {s} {v}");
        assert_error_is_complete(s, &v, &format!("{method} {path}"));
    }
}

/// Seed 「国保番号の桁数が変わった後も、以前の桁数(9桁)で資格が存在している状態となる。8桁でオンライン確認を行うと
/// 資格なし、9桁で行ってみると資格あり」: a number is found whatever its count of leading zeros; the answer says how
/// the insurer wrote it; two spellings are never chosen between.
#[tokio::test]
async fn numbers_that_differ_by_leading_zeros_find_the_member_but_never_a_guess() {
    let api = Api::new();
    let clinic = api.token("clinic", "1311234567").await;
    let body = |number: &str, branch: &str, rel: &str, name: &str, birth: &str, acquired: &str| {
        let mut b = enrol_body(number, branch, rel, name, birth);
        b["symbol"] = Value::Null;
        b["acquired_on"] = json!(acquired);
        b
    };
    let (s, v) = api
        .call(
            "POST",
            "/insurer/v1/members",
            Some(ADMIN),
            Some(body("012345678", "00", "insured", "中村 実", "1955-05-05", "2010-04-01")),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let old = v["member_id"].as_str().expect("id").to_owned();
    let check = |number: &str, date: &str| json!({"insurer_number": "06139992", "number": number, "birth_date": "1955-05-05", "service_date": date});
    // 8 digits finds the member registered with 9
    for asked in ["12345678", "0012345678", "１２３４５６７８"] {
        let (s, v) = api.call("POST", "/clinic/v1/eligibility", Some(&clinic), Some(check(asked, "2023-06-01"))).await;
        assert_eq!((s, v["result"].as_str()), (StatusCode::OK, Some("valid")), "{asked}: {v}");
        assert_eq!(v["coverage"]["number"].as_str(), Some("012345678"), "the number as registered: {v}");
        assert_eq!(v["notices"][0]["code"].as_str(), Some("number_written_differently"), "{v}");
        assert!(v["notices"][0]["message"].as_str().is_some_and(|m| m.contains("012345678")), "{v}");
    }
    // sent as registered: no notice
    let (_, v) =
        api.call("POST", "/clinic/v1/eligibility", Some(&clinic), Some(check("012345678", "2023-06-01"))).await;
    assert_eq!(v["result"].as_str(), Some("valid"));
    assert!(
        v["notices"].as_array().is_some_and(|n| n.iter().all(|n| n["code"] != "number_written_differently")),
        "{v}"
    );

    // the same number with another count of zeros, overlapping: a duplicate, which names the registered spelling
    let (s, v) = api
        .call(
            "POST",
            "/insurer/v1/members",
            Some(ADMIN),
            Some(body("12345678", "00", "insured", "中村 実", "1955-05-05", "2020-04-01")),
        )
        .await;
    assert_eq!((s, code(&v)), (StatusCode::CONFLICT, "duplicate_member"), "{v}");
    assert!(v["error"]["message"].as_str().is_some_and(|m| m.contains("012345678")), "{v}");
    // a dependent written with 8 digits belongs to the household registered with 9
    let (s, v) = api
        .call(
            "POST",
            "/insurer/v1/members",
            Some(ADMIN),
            Some(body("12345678", "01", "dependent", "中村 花", "1990-09-09", "2010-04-01")),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (_, v) = api
        .call(
            "POST",
            "/clinic/v1/eligibility",
            Some(&clinic),
            Some(json!({"insurer_number": "06139992", "number": "12345678", "birth_date": "1990-09-09", "service_date": "2023-06-01"})),
        )
        .await;
    assert_eq!(v["coverage"]["insured_name"].as_str(), Some("中村 実"), "{v}");

    // the insurer moves to 8 digits: the 9-digit record ends, an 8-digit one begins
    let (s, _) = api
        .call("POST", &format!("/insurer/v1/members/{old}/loss"), Some(ADMIN), Some(json!({"lost_on": "2024-01-01"})))
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, v) = api
        .call(
            "POST",
            "/insurer/v1/members",
            Some(ADMIN),
            Some(body("12345678", "00", "insured", "中村 実", "1955-05-05", "2024-01-01")),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    // each spelling as printed finds its own record …
    let (_, v) = api.call("POST", "/clinic/v1/eligibility", Some(&clinic), Some(check("12345678", "2024-06-01"))).await;
    assert_eq!((v["result"].as_str(), v["coverage"]["number"].as_str()), (Some("valid"), Some("12345678")), "{v}");
    let (_, v) =
        api.call("POST", "/clinic/v1/eligibility", Some(&clinic), Some(check("012345678", "2024-06-01"))).await;
    assert_eq!((v["result"].as_str(), v["coverage"]["number"].as_str()), (Some("invalid"), Some("012345678")), "{v}");
    // … and a third spelling is not guessed: the exact number is asked for
    let (s, v) =
        api.call("POST", "/clinic/v1/eligibility", Some(&clinic), Some(check("0012345678", "2024-06-01"))).await;
    assert_eq!((s, code(&v)), (StatusCode::CONFLICT, "exact_number_required"), "{v}");
    assert_eq!(v["error"]["field"].as_str(), Some("number"));
    assert!(v["error"]["message"].as_str().is_some_and(|m| m.contains("8 and 9 digits")), "{v}");
    assert!(v["error"]["next_step"].as_str().is_some_and(|m| m.contains("leading zeros")), "{v}");
    // the refusal is in the access log, as every clinic read is (no member: none was chosen)
    let log = api.app.store().access_log_without_my_number(100).expect("log");
    assert!(log.iter().any(|l| l.entry.outcome == "exact_number_required" && l.entry.member_id.is_none()), "{log:?}");
    // another number is another card
    let (_, v) =
        api.call("POST", "/clinic/v1/eligibility", Some(&clinic), Some(check("123456780", "2024-06-01"))).await;
    assert_eq!(v["result"].as_str(), Some("not_found"), "{v}");
}

/// What a member looks like from outside: the insurer's view, what a clinic is told, and the stored history.
async fn member_snapshot(api: &Api, id: &str, clinic: &str) -> (Value, Value, Value, Value) {
    let (_, member) = api.call("GET", &format!("/insurer/v1/members/{id}"), Some(ADMIN), None).await;
    let (_, check) = api
        .call(
            "POST",
            "/clinic/v1/eligibility",
            Some(clinic),
            Some(json!({"insurer_number": "06139992", "symbol": "1", "number": "930", "birth_date": "1950-10-10", "service_date": "2024-06-01"})),
        )
        .await;
    let record = api.app.store().member(onshi_store::MemberId(id.parse().expect("id"))).expect("read").expect("member");
    let history = serde_json::to_value(&record.history).expect("history as JSON");
    (member, check["coverage"].clone(), check["result"].clone(), history)
}

/// A resident as the registry shows it: the current basic four, every version, who is born that day, and
/// what a search answers.
async fn resident_snapshot(api: &Api, path: &str, n: &MyNumber) -> (Value, Vec<String>, Vec<String>, Value) {
    let (_, current) = api.call("GET", path, Some(ADMIN), None).await;
    let store = api.app.store();
    let versions: Vec<String> = store.resident_versions(n).expect("versions").into_iter().map(|r| r.name).collect();
    let born: Vec<String> = store
        .residents_born_on(onshi_law::parse_iso_date("1970-01-20").expect("date"))
        .expect("born")
        .into_iter()
        .map(|r| r.my_number.to_string())
        .collect();
    let (_, search) = api
        .call(
            "POST",
            "/registry/v1/search",
            Some(ADMIN),
            Some(json!({"name": "松本 清", "birth_date": "1970-01-20", "address": "千代田区永田町2-1-2"})),
        )
        .await;
    (current, versions, born, search)
}

/// A refused request changes nothing: the member, its history and what a clinic is told are the same after
/// every refused loss and change.
#[tokio::test]
async fn refused_losses_and_changes_leave_no_trace() {
    let api = Api::new();
    let clinic = api.token("clinic", "1311234567").await;
    let other = api.token("insurer", "01130012").await;
    let (_, v) = api
        .call(
            "POST",
            "/insurer/v1/members",
            Some(ADMIN),
            Some(enrol_body("930", "00", "insured", "森 健一", "1950-10-10")),
        )
        .await;
    let id = v["member_id"].as_str().expect("member id").to_owned();
    // a history with a change and a copay exception, so that there is something to disturb
    let (s, v) = api
        .call(
            "POST",
            &format!("/insurer/v1/members/{id}/changes"),
            Some(ADMIN),
            Some(json!({"effective_on": "2022-04-01", "address": "大阪府大阪市北区梅田1-1-1"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let snapshot = |api| member_snapshot(api, &id, &clinic);
    let before = snapshot(&api).await;
    assert_eq!(before.0["history"].as_array().map(Vec::len), Some(2));
    let loss = format!("/insurer/v1/members/{id}/loss");
    let changes = format!("/insurer/v1/members/{id}/changes");
    let big = format!("{{\"lost_on\": \"{}\"}}", "x".repeat(onshi_http::MAX_BODY + 10)).into_bytes();
    let refused: Vec<(&str, Option<&str>, Vec<u8>)> = vec![
        (&loss, Some(ADMIN), b"{\"lost_on\": ".to_vec()),
        (&loss, Some(ADMIN), br#"{"lost_on": "2024-01-01", "reason": "x"}"#.to_vec()),
        (&loss, Some(ADMIN), b"{}".to_vec()),
        (&loss, Some(ADMIN), br#"{"lost_on": "2024/01/01"}"#.to_vec()),
        (&loss, Some(ADMIN), br#"{"lost_on": "2023-02-29"}"#.to_vec()),
        (&loss, Some(ADMIN), br#"{"lost_on": "2019-04-01"}"#.to_vec()),
        (&loss, Some(ADMIN), big),
        (&loss, Some(&other), br#"{"lost_on": "2024-01-01"}"#.to_vec()),
        (&loss, Some(&clinic), br#"{"lost_on": "2024-01-01"}"#.to_vec()),
        (&loss, None, br#"{"lost_on": "2024-01-01"}"#.to_vec()),
        (&changes, Some(ADMIN), br#"{"effective_on": "2024-01-01"}"#.to_vec()),
        (&changes, Some(ADMIN), br#"{"effective_on": "2024-01-01", "name": " "}"#.to_vec()),
        (&changes, Some(ADMIN), r#"{"effective_on": "2024-01-01", "name": "森\u0000健一"}"#.as_bytes().to_vec()),
        (
            &changes,
            Some(ADMIN),
            format!(r#"{{"effective_on": "2024-01-01", "address": "{}"}}"#, "あ".repeat(201)).into_bytes(),
        ),
        (&changes, Some(ADMIN), br#"{"effective_on": "2024-01-01", "copay_ratio": 100}"#.to_vec()),
        (&changes, Some(ADMIN), br#"{"effective_on": "2024-01-01", "copay_ratio": 10}"#.to_vec()),
        (
            &changes,
            Some(ADMIN),
            br#"{"effective_on": "2024-01-01", "name": "x", "copay_ratio_reason": "why"}"#.to_vec(),
        ),
        (&changes, Some(ADMIN), br#"{"effective_on": "2024-01-01", "income_bracket": "rich"}"#.to_vec()),
        (&changes, Some(ADMIN), r#"{"effective_on": "2019-04-01", "name": "森 健二"}"#.as_bytes().to_vec()),
        (&changes, Some(ADMIN), r#"{"effective_on": "2024-13-01", "name": "森 健二"}"#.as_bytes().to_vec()),
        (&changes, Some(ADMIN), r#"{"effective_on": "2024-01-01", "nickname": "けん"}"#.as_bytes().to_vec()),
        (&changes, Some(&other), r#"{"effective_on": "2024-01-01", "name": "森 健二"}"#.as_bytes().to_vec()),
        (&changes, Some(&clinic), r#"{"effective_on": "2024-01-01", "name": "森 健二"}"#.as_bytes().to_vec()),
    ];
    for (path, token, body) in refused {
        let shown = String::from_utf8_lossy(&body[..body.len().min(120)]).into_owned();
        let (s, v) = api.raw("POST", path, token, body).await;
        assert!(s.is_client_error(), "{path} {shown} → {s} {v}");
        let after = snapshot(&api).await;
        assert_eq!(after, before, "{path} {shown} → {s} {v} left a trace");
    }
    // and the same requests, corrected, do change the member
    let (s, _) = api.call("POST", &loss, Some(ADMIN), Some(json!({"lost_on": "2024-01-01"}))).await;
    assert_eq!(s, StatusCode::OK);
    assert_ne!(snapshot(&api).await, before);
}

/// A refused registry write changes nothing: the resident, its history and the search answer are the same.
#[tokio::test]
async fn refused_registry_writes_leave_no_trace() {
    let api = Api::new();
    let insurer = api.token("insurer", "06139992").await;
    let clinic = api.token("clinic", "1311234567").await;
    let n = MyNumber::from_body("20240401020").expect("mn");
    let path = format!("/registry/v1/residents/{n}");
    let good = resident("松本 清", "マツモト キヨシ", "1970-01-20", "male");
    let (s, v) = api.call("PUT", &path, Some(ADMIN), Some(good.clone())).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let snapshot = |api| resident_snapshot(api, &path, &n);
    let before = snapshot(&api).await;
    let with = |k: &str, v: Value| {
        let mut b = good.clone();
        b[k] = v;
        b.to_string().into_bytes()
    };
    let without = |k: &str| {
        let mut b = good.clone();
        b.as_object_mut().expect("object").remove(k);
        b.to_string().into_bytes()
    };
    let other_path = format!("/registry/v1/residents/{}", MyNumber::from_body("20240401021").expect("mn"));
    let refused: Vec<(String, Option<&str>, Vec<u8>)> = vec![
        (path.clone(), Some(ADMIN), b"{\"name\": ".to_vec()),
        (path.clone(), Some(ADMIN), with("nickname", json!("きよ"))),
        (path.clone(), Some(ADMIN), without("address")),
        (path.clone(), Some(ADMIN), with("birth_date", json!("1970-02-30"))),
        (path.clone(), Some(ADMIN), with("birth_date", json!("2999-01-01"))),
        (path.clone(), Some(ADMIN), with("birth_date", json!("昭和45年"))),
        (path.clone(), Some(ADMIN), with("sex", json!("other"))),
        (path.clone(), Some(ADMIN), with("name", json!(""))),
        (path.clone(), Some(ADMIN), with("name_kana", json!("マツモト\tキヨシ"))),
        (path.clone(), Some(&insurer), good.to_string().into_bytes()),
        (path.clone(), Some(&clinic), good.to_string().into_bytes()),
        (path.clone(), None, good.to_string().into_bytes()),
        ("/registry/v1/residents/202404010205".into(), Some(ADMIN), good.to_string().into_bytes()),
        ("/registry/v1/residents/2024040102".into(), Some(ADMIN), good.to_string().into_bytes()),
        (other_path.clone(), Some(ADMIN), with("birth_date", json!("1970-1-20"))),
    ];
    for (p, token, body) in refused {
        let shown = String::from_utf8_lossy(&body).into_owned();
        let (s, v) = api.raw("PUT", &p, token, body).await;
        assert!(s.is_client_error(), "{p} {shown} → {s} {v}");
        assert_eq!(snapshot(&api).await, before, "PUT {p} {shown} → {s} {v} left a trace");
    }
    let (s, _) = api.call("GET", &other_path, Some(ADMIN), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "a refused creation created nothing");
    // corrected, the write goes through and is seen
    let (s, _) =
        api.call("PUT", &path, Some(ADMIN), Some(resident("松本 清志", "マツモト キヨシ", "1970-01-20", "male"))).await;
    assert_eq!(s, StatusCode::OK);
    assert_ne!(snapshot(&api).await, before);
}

/// A refused credential request issues nothing: the stored credentials are the same, and no token appears.
#[tokio::test]
async fn refused_credential_requests_leave_no_trace() {
    let api = Api::new();
    let clinic = api.token("clinic", "1311234567").await;
    let registry = api.token("registry", "jlis").await;
    let stored = |api: &Api| {
        let mut c: Vec<(String, String, [u8; 32])> = api
            .app
            .store()
            .credentials()
            .expect("credentials")
            .into_iter()
            .map(|c| (c.role, c.subject, c.token_hash))
            .collect();
        c.sort();
        c
    };
    let before = stored(&api);
    assert_eq!(before.len(), 2);
    let refused: Vec<(Option<&str>, Vec<u8>)> = vec![
        (Some(ADMIN), b"{\"role\": ".to_vec()),
        (Some(ADMIN), br#"{"role": "clinic"}"#.to_vec()),
        (Some(ADMIN), br#"{"role": "clinic", "subject": "1311234567", "expires": 1}"#.to_vec()),
        (Some(ADMIN), br#"{"role": "admin", "subject": "root"}"#.to_vec()),
        (Some(ADMIN), br#"{"role": "root", "subject": "x"}"#.to_vec()),
        (Some(ADMIN), br#"{"role": "insurer", "subject": "06139993"}"#.to_vec()),
        (Some(ADMIN), br#"{"role": "clinic", "subject": "131123456"}"#.to_vec()),
        (Some(ADMIN), br#"{"role": "clinic", "subject": "1321234567"}"#.to_vec()),
        (Some(ADMIN), br#"{"role": "registry", "subject": " "}"#.to_vec()),
        (Some(ADMIN), format!(r#"{{"role": "registry", "subject": "{}"}}"#, "j".repeat(65)).into_bytes()),
        (Some(ADMIN), br#"{"role": 1, "subject": "x"}"#.to_vec()),
        (Some(&clinic), br#"{"role": "clinic", "subject": "1311234567"}"#.to_vec()),
        (Some(&registry), br#"{"role": "registry", "subject": "jlis2"}"#.to_vec()),
        (None, br#"{"role": "clinic", "subject": "1311234567"}"#.to_vec()),
        (Some("onshi_forged"), br#"{"role": "clinic", "subject": "1311234567"}"#.to_vec()),
    ];
    for (token, body) in refused {
        let shown = String::from_utf8_lossy(&body).into_owned();
        let (s, v) = api.raw("POST", "/admin/v1/credentials", token, body).await;
        assert!(s.is_client_error(), "{shown} → {s} {v}");
        assert!(v.get("token").is_none(), "{shown} → {v}");
        assert_eq!(stored(&api), before, "{shown} → {s} {v} left a trace");
    }
    // a token that was never issued does not work
    let (s, _) = api.call("GET", "/registry/v1/residents/123456789018", Some("onshi_forged"), None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    api.token("clinic", "1311234568").await;
    assert_eq!(stored(&api).len(), 3);
}
