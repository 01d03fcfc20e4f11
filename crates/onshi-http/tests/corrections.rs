//! Corrections with the history kept (取消, a date corrected, a copay exception withdrawn or ended by the
//! law, a member as known at a time) and registry events reaching insurers (death, name change), exercised
//! in-process on the real router, service and SQLite store.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use onshi_ids::MyNumber;
use onshi_service::{Service, SystemClock};
use onshi_store::{AnyStore, SqliteStore, Store};
use serde_json::{Value, json};
use tower::ServiceExt;

const ADMIN: &str = "test-admin-token-0123456789";
const INSURER: &str = "06139992";
const HOME: &str = "東京都府中市宮西町二丁目24番地";

/// Every code these routes may answer (the contract's and onshi's documented ones).
const CODES: &[&str] = &[
    "malformed_json",
    "unknown_field",
    "missing_field",
    "invalid_date",
    "invalid_value",
    "invalid_my_number",
    "unauthorized",
    "forbidden",
    "not_found",
    "duplicate_member",
    "death_already_recorded",
    "registry_event_decided",
];

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

    async fn call(&self, method: &str, path: &str, token: &str, body: Option<Value>) -> (StatusCode, Value) {
        let req = Request::builder()
            .method(method)
            .uri(path)
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {token}"));
        let bytes = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
        let res = self.router.clone().oneshot(req.body(Body::from(bytes)).expect("request")).await.expect("infallible");
        let status = res.status();
        let bytes = axum::body::to_bytes(res.into_body(), 1 << 22).await.expect("body");
        let v: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        if !status.is_success() {
            let e = &v["error"];
            let code = e["code"].as_str().unwrap_or_default();
            assert!(CODES.contains(&code), "{method} {path} → {status}: code {code:?}: {v}");
            for key in ["message", "next_step"] {
                assert!(e[key].as_str().is_some_and(|m| !m.trim().is_empty()), "{method} {path}: no {key}: {v}");
            }
            assert!(!status.is_server_error(), "{method} {path} → {status}: {v}");
        }
        (status, v)
    }

    async fn token(&self, role: &str, subject: &str) -> String {
        let (s, v) =
            self.call("POST", "/admin/v1/credentials", ADMIN, Some(json!({"role": role, "subject": subject}))).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        v["token"].as_str().expect("token").to_owned()
    }

    /// Enrols and returns the member id.
    async fn enrol(&self, token: &str, body: Value) -> String {
        let (s, v) = self.call("POST", "/insurer/v1/members", token, Some(body)).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        v["member_id"].as_str().expect("member_id").to_owned()
    }

    async fn member(&self, token: &str, id: &str) -> Value {
        let (s, v) = self.call("GET", &format!("/insurer/v1/members/{id}"), token, None).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        v
    }

    async fn check(&self, number: &str, birth: &str, on: &str) -> Value {
        let (s, v) = self
            .call(
                "POST",
                "/clinic/v1/eligibility",
                ADMIN,
                Some(json!({"insurer_number": INSURER, "number": number, "branch": "00", "birth_date": birth,
                            "service_date": on})),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        v
    }

    fn entries(&self, id: &str) -> usize {
        let id = onshi_store::MemberId(id.parse().expect("id"));
        self.app.store().member(id).expect("read").expect("member").history.entries.len()
    }
}

fn enrol_body(number: &str, birth: &str, acquired: &str) -> Value {
    json!({
        "insurer_number": INSURER, "number": number, "branch": "00", "relationship": "insured",
        "name": "斎藤 花子", "name_kana": "サイトウ ハナコ", "birth_date": birth, "sex": "female",
        "address": HOME, "acquired_on": acquired
    })
}

fn code(v: &Value) -> (&str, Option<&str>, Option<&str>) {
    let e = &v["error"];
    (e["code"].as_str().unwrap_or("<none>"), e["field"].as_str(), e["reason"].as_str())
}

fn last(v: &Value) -> &Value {
    v["history"].as_array().and_then(|h| h.last()).unwrap_or(&Value::Null)
}

#[tokio::test]
async fn a_void_keeps_the_entry_shown_as_voided_and_known_at_shows_what_was_known() {
    let api = Api::new();
    let ins = api.token("insurer", INSURER).await;
    let id = api.enrol(&ins, enrol_body("100", "1980-04-15", "2020-04-01")).await;
    let (s, v) =
        api.call("POST", &format!("/insurer/v1/members/{id}/loss"), &ins, Some(json!({"lost_on": "2024-04-01"}))).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let lose_seq = last(&v)["seq"].as_u64().expect("seq");
    let before_void = last(&v)["recorded_at"].as_str().expect("recorded_at").to_owned();
    assert_eq!(api.check("100", "1980-04-15", "2024-05-01").await["result"], "invalid");

    let (s, v) = api
        .call(
            "POST",
            &format!("/insurer/v1/members/{id}/void"),
            &ins,
            Some(json!({"seq": lose_seq, "reason": "誤登録: 別人の喪失届"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(v.get("lost_on").is_none(), "{v}");
    let voided = v["history"].as_array().and_then(|h| h.iter().find(|e| e["seq"] == lose_seq)).expect("still shown");
    assert_eq!(voided["kind"], "lose");
    assert_eq!(voided["voided"]["by"], INSURER);
    assert_eq!(voided["voided"]["reason"], "誤登録: 別人の喪失届");
    assert!(voided["voided"]["at"].is_string());
    assert_eq!(last(&v)["kind"], "void");
    assert_eq!(api.check("100", "1980-04-15", "2024-05-01").await["result"], "valid");

    // as known just after the loss was recorded: lost, and no void yet
    let then = before_void.replace('+', "%2B");
    let (s, v) = api.call("GET", &format!("/insurer/v1/members/{id}?known_at={then}"), &ins, None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["lost_on"], "2024-04-01");
    assert_eq!(v["known_at"].as_str().map(|t| &t[..19]), Some(&before_void[..19]));
    assert_eq!(v["history"].as_array().map(Vec::len), Some(2));
    assert!(v["history"][1].get("voided").is_none(), "{v}");

    // bad input: a clear code, the field, nothing written
    let n = api.entries(&id);
    for (body, want) in [
        (json!({"seq": 999, "reason": "x"}), ("invalid_value", Some("seq"), Some("void_unknown_entry"))),
        (json!({"seq": lose_seq, "reason": "x"}), ("invalid_value", Some("seq"), Some("already_voided"))),
        (json!({"seq": lose_seq + 1, "reason": "x"}), ("invalid_value", Some("seq"), Some("void_of_void"))),
        (json!({"seq": 1, "reason": " "}), ("invalid_value", Some("reason"), Some("empty"))),
    ] {
        let (s, v) = api.call("POST", &format!("/insurer/v1/members/{id}/void"), &ins, Some(body.clone())).await;
        assert_eq!((s, code(&v)), (StatusCode::UNPROCESSABLE_ENTITY, want), "{body}: {v}");
    }
    let (s, v) = api.call("POST", &format!("/insurer/v1/members/{id}/void"), &ins, Some(json!({"seq": 1}))).await;
    assert_eq!((s, code(&v).0), (StatusCode::UNPROCESSABLE_ENTITY, "missing_field"));
    let (s, v) = api
        .call(
            "POST",
            &format!("/insurer/v1/members/{id}/void"),
            &ins,
            Some(json!({"seq": 1, "reason": "x", "by": "me"})),
        )
        .await;
    assert_eq!((s, code(&v).0), (StatusCode::UNPROCESSABLE_ENTITY, "unknown_field"), "{v}");
    for q in ["known_at=yesterday", "known_at=2025-01-01", "as_of=2025-01-01T00:00:00Z"] {
        let (s, v) = api.call("GET", &format!("/insurer/v1/members/{id}?{q}"), &ins, None).await;
        assert!(s.is_client_error(), "{q}: {v}");
    }
    let other = api.token("insurer", "138016").await;
    let (s, _) = api
        .call("POST", &format!("/insurer/v1/members/{id}/void"), &other, Some(json!({"seq": 1, "reason": "x"})))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(api.entries(&id), n, "nothing half-written");
}

#[tokio::test]
async fn a_date_is_corrected_by_a_new_entry_and_the_old_one_stays() {
    let api = Api::new();
    let ins = api.token("insurer", INSURER).await;
    let id = api.enrol(&ins, enrol_body("200", "1980-04-15", "2020-04-01")).await;
    assert_eq!(api.check("200", "1980-04-15", "2020-04-15").await["result"], "valid");
    let (s, v) = api
        .call(
            "POST",
            &format!("/insurer/v1/members/{id}/date-corrections"),
            &ins,
            Some(json!({"seq": 1, "effective_on": "2020-05-01", "reason": "資格取得届の日付の誤り"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["acquired_on"], "2020-05-01");
    let h = v["history"].as_array().expect("history");
    assert_eq!(h.len(), 3, "{v}");
    assert_eq!((h[0]["effective_on"].as_str(), h[0]["voided"]["by"].as_str()), (Some("2020-04-01"), Some(INSURER)));
    assert!(h[0]["voided"]["reason"].as_str().is_some_and(|r| r.contains("2020-05-01") && r.contains("日付の誤り")));
    assert_eq!((h[2]["kind"].as_str(), h[2]["effective_on"].as_str()), (Some("acquire"), Some("2020-05-01")));
    assert_eq!(api.check("200", "1980-04-15", "2020-04-15").await["result"], "invalid");
    assert_eq!(api.check("200", "1980-04-15", "2020-05-01").await["result"], "valid");

    // a loss's date, too
    let (_, v) =
        api.call("POST", &format!("/insurer/v1/members/{id}/loss"), &ins, Some(json!({"lost_on": "2024-04-01"}))).await;
    let lose = last(&v)["seq"].as_u64().expect("seq");
    let (s, v) = api
        .call(
            "POST",
            &format!("/insurer/v1/members/{id}/date-corrections"),
            &ins,
            Some(json!({"seq": lose, "effective_on": "2024-06-01", "reason": "喪失日の誤り"})),
        )
        .await;
    assert_eq!((s, v["lost_on"].as_str()), (StatusCode::OK, Some("2024-06-01")), "{v}");

    // bad input, nothing written
    let n = api.entries(&id);
    for (body, want) in [
        (
            json!({"seq": 3, "effective_on": "2020-05-01", "reason": "x"}),
            ("invalid_value", Some("effective_on"), Some("same_date")),
        ),
        (
            json!({"seq": 3, "effective_on": "1970-01-01", "reason": "x"}),
            ("invalid_value", Some("acquired_on"), Some("acquired_before_birth")),
        ),
        (
            json!({"seq": 3, "effective_on": "2025-01-01", "reason": "x"}),
            ("invalid_value", Some("lost_on"), Some("lost_before_acquired")),
        ),
        (
            json!({"seq": 1, "effective_on": "2020-06-01", "reason": "x"}),
            ("invalid_value", Some("seq"), Some("already_voided")),
        ),
        (
            json!({"seq": 2, "effective_on": "2020-06-01", "reason": "x"}),
            ("invalid_value", Some("seq"), Some("void_of_void")),
        ),
        (
            json!({"seq": 77, "effective_on": "2020-06-01", "reason": "x"}),
            ("invalid_value", Some("seq"), Some("void_unknown_entry")),
        ),
        (json!({"seq": 3, "effective_on": "2020-02-30", "reason": "x"}), ("invalid_date", Some("effective_on"), None)),
    ] {
        let (s, v) =
            api.call("POST", &format!("/insurer/v1/members/{id}/date-corrections"), &ins, Some(body.clone())).await;
        assert_eq!((s, code(&v)), (StatusCode::UNPROCESSABLE_ENTITY, want), "{body}: {v}");
    }
    assert_eq!(api.entries(&id), n, "nothing half-written");
}

#[tokio::test]
async fn a_copay_exception_is_withdrawn_or_ends_at_70() {
    let api = Api::new();
    let ins = api.token("insurer", INSURER).await;
    // 72, 現役並み by the law (3割), 2割 by the insurer after 基準収入額適用申請
    let mut body = enrol_body("300", "1953-02-10", "2024-04-01");
    body["income_bracket"] = json!("active_equivalent");
    body["copay_ratio"] = json!(20);
    body["copay_ratio_reason"] = json!("基準収入額適用申請");
    let id = api.enrol(&ins, body).await;
    assert_eq!(api.check("300", "1953-02-10", "2024-08-31").await["coverage"]["copay_ratio"], 20);
    let (s, v) = api
        .call(
            "POST",
            &format!("/insurer/v1/members/{id}/copay-withdrawal"),
            &ins,
            Some(json!({"effective_on": "2024-09-01", "reason": "申請の取下げ"})),
        )
        .await;
    assert_eq!((s, last(&v)["kind"].as_str()), (StatusCode::OK, Some("withdraw_copay")), "{v}");
    assert_eq!(api.check("300", "1953-02-10", "2024-08-31").await["coverage"]["copay_ratio"], 20);
    assert_eq!(api.check("300", "1953-02-10", "2024-09-01").await["coverage"]["copay_ratio"], 30);
    let n = api.entries(&id);
    for (body, want) in [
        (
            json!({"effective_on": "2024-10-01", "reason": "x"}),
            ("invalid_value", Some("effective_on"), Some("no_copay_override")),
        ),
        (json!({"effective_on": "2024-13-01", "reason": "x"}), ("invalid_date", Some("effective_on"), None)),
        (json!({"effective_on": "2024-10-01", "reason": ""}), ("invalid_value", Some("reason"), Some("empty"))),
    ] {
        let (s, v) =
            api.call("POST", &format!("/insurer/v1/members/{id}/copay-withdrawal"), &ins, Some(body.clone())).await;
        assert_eq!((s, code(&v)), (StatusCode::UNPROCESSABLE_ENTITY, want), "{body}: {v}");
    }
    assert_eq!(api.entries(&id), n);

    // 65, 現役並み, 2割 by exception (the law: 3割 under 70); from 70 the law's 3割 (現役並み) applies again
    let mut body = enrol_body("301", "1956-12-15", "2021-04-01");
    body["income_bracket"] = json!("active_equivalent");
    body["copay_ratio"] = json!(20);
    body["copay_ratio_reason"] = json!("特例");
    api.enrol(&ins, body).await;
    let before = api.check("301", "1956-12-15", "2026-12-31").await;
    assert_eq!(before["coverage"]["copay_ratio"], 20, "{before}");
    let after = api.check("301", "1956-12-15", "2027-01-01").await;
    assert_eq!(
        (after["coverage"]["copay_ratio"].as_u64(), after["coverage"]["copay_basis"].as_str()),
        (Some(30), Some("elderly_70_active")),
        "{after}"
    );
}

#[tokio::test]
async fn a_death_reaches_the_insurer_and_ends_coverage_only_once_accepted() {
    let api = Api::new();
    let ins = api.token("insurer", INSURER).await;
    let registry = api.token("registry", "jlis").await;
    let clinic = api.token("clinic", "1310000017").await;
    let mn = MyNumber::from_body("20240401050").expect("mn");
    let resident = json!({"name": "斎藤 花子", "name_kana": "サイトウ ハナコ", "birth_date": "1950-04-15",
                          "sex": "female", "address": HOME});
    let (s, v) = api.call("PUT", &format!("/registry/v1/residents/{mn}"), &registry, Some(resident)).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let mut body = enrol_body("400", "1950-04-15", "2020-04-01");
    body["my_number"] = json!(mn.as_str());
    let id = api.enrol(&ins, body).await;

    // bad input first
    for (path, body, status, want) in [
        (
            format!("/registry/v1/residents/{mn}/death"),
            json!({"died_on": "2999-01-01"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            ("invalid_value", Some("died_on")),
        ),
        (
            format!("/registry/v1/residents/{mn}/death"),
            json!({"died_on": "1949-01-01"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            ("invalid_value", Some("died_on")),
        ),
        (
            format!("/registry/v1/residents/{mn}/death"),
            json!({"died_on": "2025-1-10"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            ("invalid_date", Some("died_on")),
        ),
        (
            "/registry/v1/residents/123/death".to_owned(),
            json!({"died_on": "2025-01-10"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            ("invalid_my_number", Some("my_number")),
        ),
        (
            "/registry/v1/residents/983205673214/death".to_owned(),
            json!({"died_on": "2025-01-10"}),
            StatusCode::NOT_FOUND,
            ("not_found", None),
        ),
    ] {
        let (s, v) = api.call("POST", &path, &registry, Some(body.clone())).await;
        assert_eq!((s, (code(&v).0, code(&v).1)), (status, want), "{path} {body}: {v}");
    }
    let (s, _) = api
        .call("POST", &format!("/registry/v1/residents/{mn}/death"), &clinic, Some(json!({"died_on": "2025-01-10"})))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(api.call("GET", "/insurer/v1/registry-events", &ins, None).await.1["events"], json!([]));

    let (s, v) = api
        .call("POST", &format!("/registry/v1/residents/{mn}/death"), &registry, Some(json!({"died_on": "2025-01-10"})))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["offered"].as_array().map(Vec::len), Some(1));
    let (s, _) = api
        .call("POST", &format!("/registry/v1/residents/{mn}/death"), &registry, Some(json!({"died_on": "2025-01-10"})))
        .await;
    assert_eq!(s, StatusCode::CONFLICT);

    // offered, not applied
    let (s, v) = api.call("GET", "/insurer/v1/registry-events", &ins, None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let ev = &v["events"][0];
    assert_eq!(
        (ev["kind"].as_str(), ev["status"].as_str(), ev["member_id"].as_str()),
        (Some("death"), Some("open"), Some(id.as_str()))
    );
    assert!(ev["on_accept"].as_str().is_some_and(|s| s.contains("2025-01-11") && s.contains("死亡")), "{ev}");
    let event_id = ev["event_id"].as_str().expect("id").to_owned();
    assert_eq!(api.check("400", "1950-04-15", "2025-01-11").await["result"], "valid");
    // each event listed is a read of the person's data: logged
    let log = api.app.store().access_log_of(Some(&mn), &[], 50).expect("log");
    assert!(log.iter().any(|l| l.entry.outcome == "registry_event" && l.entry.subject == INSURER), "{log:?}");

    // another insurer neither sees nor decides it
    let other = api.token("insurer", "138016").await;
    assert_eq!(api.call("GET", "/insurer/v1/registry-events", &other, None).await.1["events"], json!([]));
    let (s, _) =
        api.call("POST", &format!("/insurer/v1/registry-events/{event_id}/accept"), &other, Some(json!({}))).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    for bad in ["0", "x", "99"] {
        let (s, _) =
            api.call("POST", &format!("/insurer/v1/registry-events/{bad}/accept"), &ins, Some(json!({}))).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    }
    let (s, v) = api.call("GET", "/insurer/v1/registry-events?status=done", &ins, None).await;
    assert_eq!((s, code(&v).1), (StatusCode::UNPROCESSABLE_ENTITY, Some("status")));
    let (s, v) =
        api.call("POST", &format!("/insurer/v1/registry-events/{event_id}/reject"), &ins, Some(json!({}))).await;
    assert_eq!((s, code(&v).0, code(&v).1), (StatusCode::UNPROCESSABLE_ENTITY, "missing_field", Some("reason")));

    let (s, v) =
        api.call("POST", &format!("/insurer/v1/registry-events/{event_id}/accept"), &ins, Some(json!({}))).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!((v["status"].as_str(), v["decided_by"].as_str()), (Some("accepted"), Some(INSURER)));
    let m = api.member(&ins, &id).await;
    assert_eq!(m["lost_on"], "2025-01-11");
    assert_eq!((last(&m)["kind"].as_str(), last(&m)["change"]["reason"].as_str()), (Some("lose"), Some("death")));
    assert_eq!(v["applied_seq"], last(&m)["seq"]);
    assert_eq!(api.check("400", "1950-04-15", "2025-01-10").await["result"], "valid");
    assert_eq!(api.check("400", "1950-04-15", "2025-01-11").await["result"], "invalid");
    let n = api.entries(&id);
    let (s, _) =
        api.call("POST", &format!("/insurer/v1/registry-events/{event_id}/accept"), &ins, Some(json!({}))).await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, _) = api
        .call("POST", &format!("/insurer/v1/registry-events/{event_id}/reject"), &ins, Some(json!({"reason": "x"})))
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(api.entries(&id), n);
    assert_eq!(api.call("GET", "/insurer/v1/registry-events", &ins, None).await.1["events"], json!([]));
    let all = api.call("GET", "/insurer/v1/registry-events?status=all", &ins, None).await.1;
    assert_eq!(all["events"][0]["status"], "accepted");
}

#[tokio::test]
async fn a_name_change_or_move_is_offered_then_accepted_or_rejected() {
    let api = Api::new();
    let ins = api.token("insurer", INSURER).await;
    let mn = MyNumber::from_body("20240401060").expect("mn");
    let resident = |name: &str, address: &str| json!({"name": name, "name_kana": "サイトウ ハナコ", "birth_date": "1980-04-15", "sex": "female", "address": address});
    api.call("PUT", &format!("/registry/v1/residents/{mn}"), ADMIN, Some(resident("斎藤 花子", HOME))).await;
    let mut body = enrol_body("500", "1980-04-15", "2020-04-01");
    body["my_number"] = json!(mn.as_str());
    let id = api.enrol(&ins, body).await;
    let (s, _) = api
        .call(
            "PUT",
            &format!("/registry/v1/residents/{mn}"),
            ADMIN,
            Some(resident("斎藤 花子", "東京都府中市府中町一丁目1番地")),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let v = api.call("GET", "/insurer/v1/registry-events", &ins, None).await.1;
    let ev = &v["events"][0];
    assert_eq!(
        (ev["kind"].as_str(), ev["changes"]["address"].as_str()),
        (Some("change"), Some("東京都府中市府中町一丁目1番地"))
    );
    assert!(ev["changes"].get("name").is_none(), "{ev}");
    let moved = ev["event_id"].as_str().expect("id").to_owned();
    let (s, v) = api
        .call(
            "POST",
            &format!("/insurer/v1/registry-events/{moved}/accept"),
            &ins,
            Some(json!({"reason": "住所変更届と一致"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(api.member(&ins, &id).await["address"], "東京都府中市府中町一丁目1番地");

    api.call(
        "PUT",
        &format!("/registry/v1/residents/{mn}"),
        ADMIN,
        Some(resident("山本 花子", "東京都府中市府中町一丁目1番地")),
    )
    .await;
    let v = api.call("GET", "/insurer/v1/registry-events", &ins, None).await.1;
    let renamed = v["events"][0]["event_id"].as_str().expect("id").to_owned();
    assert_eq!(v["events"][0]["changes"]["name"], "山本 花子");
    let n = api.entries(&id);
    let (s, v) = api
        .call(
            "POST",
            &format!("/insurer/v1/registry-events/{renamed}/reject"),
            &ins,
            Some(json!({"reason": "別人への紐付けの疑い: 調査中"})),
        )
        .await;
    assert_eq!(
        (s, v["status"].as_str(), v["reason"].as_str()),
        (StatusCode::OK, Some("rejected"), Some("別人への紐付けの疑い: 調査中"))
    );
    assert_eq!(api.entries(&id), n, "a rejection changes nothing");
    assert_eq!(api.member(&ins, &id).await["name"], "斎藤 花子");
}

#[tokio::test]
async fn the_openapi_document_lists_the_new_routes() {
    let api = Api::new();
    let (_, v) = api.call("GET", "/openapi.json", ADMIN, None).await;
    for (path, method) in [
        ("/insurer/v1/members/{member_id}/void", "post"),
        ("/insurer/v1/members/{member_id}/date-corrections", "post"),
        ("/insurer/v1/members/{member_id}/copay-withdrawal", "post"),
        ("/registry/v1/residents/{my_number}/death", "post"),
        ("/insurer/v1/registry-events", "get"),
        ("/insurer/v1/registry-events/{event_id}/accept", "post"),
        ("/insurer/v1/registry-events/{event_id}/reject", "post"),
    ] {
        assert!(v["paths"][path][method].is_object(), "{method} {path} missing from the OpenAPI document");
    }
}
