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
            "invalid_branch",
            Some("branch"),
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
            "insured_not_found",
            None,
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
    // Every clinic read is in the access log.
    let log =
        api.app.store().access_log_for(None, &[onshi_store::MemberId(id.parse().expect("id"))], 100).expect("log");
    assert_eq!(log.len(), 4);
    assert!(log.iter().all(|l| l.entry.subject == "1311234567" && l.entry.endpoint == "POST /clinic/v1/eligibility"));
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
