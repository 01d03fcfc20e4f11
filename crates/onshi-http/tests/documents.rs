//! `POST /clinic/v1/documents/verify`: a 資格確認書's QR text verified against the server's cached keys and
//! revocation list, then — only when genuine — checked by its numbers; in-process on the real router,
//! service and SQLite store.

use std::sync::{Arc, RwLock};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::Utc;
use onshi_document::{
    Document, DocumentJson, DocumentSigner, KeySet, Revocation, RevocationList, RevocationReason, SYSTEM_ISSUER, sign,
};
use onshi_service::documents::DocumentCache;
use onshi_service::{Service, SystemClock};
use onshi_store::{AnyStore, SqliteStore};
use serde_json::{Value, json};
use tower::ServiceExt;

const ADMIN: &str = "test-admin-token-0123456789";
const INSURER: &str = "06139992";

struct Api {
    router: Router,
    _dir: tempfile::TempDir,
}

async fn call(router: &Router, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
    let req = Request::builder()
        .method("POST")
        .uri(path)
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {token}"));
    let res =
        router.clone().oneshot(req.body(Body::from(body.to_string())).expect("request")).await.expect("infallible");
    let status = res.status();
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 22).await.expect("body");
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

fn api(caches: Option<DocumentCache>) -> Api {
    let dir = tempfile::tempdir().expect("tempdir");
    let store: AnyStore = Box::new(SqliteStore::open(dir.path()).expect("store"));
    let svc = Service::new(store, ADMIN, Arc::new(SystemClock)).expect("service");
    let svc = match caches {
        Some(c) => svc.with_document_caches(Arc::new(RwLock::new(c))),
        None => svc,
    };
    Api { router: onshi_http::router(Arc::new(svc)), _dir: dir }
}

fn certificate() -> Document {
    let doc: DocumentJson = serde_json::from_value(json!({
        "kind": "eligibility_certificate", "serial": "06139992-000001", "version": 1,
        "insurer_number": INSURER, "insurer_name": "府中市国民健康保険", "number": "4711", "branch": "00",
        "name": "髙橋 花子", "name_display": "高橋 花子", "birth_date": "1980-05-05", "relationship": "insured",
        "acquired_on": "2020-04-01", "copay_ratio": 30, "issued_on": "2026-01-01", "valid_from": "2026-01-01",
        "valid_until": "2030-12-31"
    }))
    .expect("document json");
    Document::try_from(doc).expect("valid document")
}

async fn enrol_and_clinic(a: &Api) -> String {
    let (s, v) = call(&a.router, "/admin/v1/credentials", ADMIN, json!({"role": "insurer", "subject": INSURER})).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let insurer = v["token"].as_str().expect("token").to_owned();
    let (s, v) = call(
        &a.router,
        "/insurer/v1/members",
        &insurer,
        json!({
            "insurer_number": INSURER, "number": "4711", "branch": "00", "relationship": "insured",
            "name": "髙橋 花子", "name_kana": "タカハシ ハナコ", "birth_date": "1980-05-05", "sex": "female",
            "address": "東京都府中市宮西町二丁目24番地", "acquired_on": "2020-04-01"
        }),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, v) =
        call(&a.router, "/admin/v1/credentials", ADMIN, json!({"role": "clinic", "subject": "1312345678"})).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v["token"].as_str().expect("token").to_owned()
}

#[tokio::test]
async fn a_genuine_certificate_is_verified_then_checked_by_its_numbers() {
    let key = DocumentSigner::generate(SYSTEM_ISSUER);
    let doc = certificate();
    let qr = sign(&doc, &key).expect("sign");
    let keys = KeySet { keys: vec![key.published(doc.issued_on, None).expect("publish")], fetched_at: Utc::now() };
    let list = RevocationList { sequence: 1, issued_at: Utc::now(), entries: vec![] }.sign(&key).expect("list");
    let list = RevocationList::open(&list, &keys).expect("open");
    let a = api(Some(DocumentCache { keys: keys.clone(), revocations: Some((list, Utc::now())) }));
    let clinic = enrol_and_clinic(&a).await;

    let (s, v) =
        call(&a.router, "/clinic/v1/documents/verify", &clinic, json!({"qr_text": qr, "service_date": "2026-12-03"}))
            .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["verification"]["code"], "document_genuine", "{v}");
    assert_eq!(v["verification"]["document"]["name"], "髙橋 花子");
    assert_eq!(v["eligibility"]["result"], "valid", "{v}");
    assert_eq!(v["eligibility"]["coverage"]["copay_ratio"], 30, "{v}");

    // one character changed: an answer the receptionist sees, and no check
    let mut forged = qr.clone().into_bytes();
    let i = forged.len() - 10;
    forged[i] = if forged[i] == b'A' { b'B' } else { b'A' };
    let forged = String::from_utf8(forged).expect("ascii");
    let (s, v) = call(&a.router, "/clinic/v1/documents/verify", &clinic, json!({"qr_text": forged})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["verification"]["genuine"], false);
    assert!(v.get("eligibility").is_none(), "{v}");
    assert!(!v["verification"]["next_step"].as_str().unwrap_or_default().is_empty());

    // only clinics (and the administrator) verify
    let (s, _) =
        call(&a.router, "/admin/v1/credentials", ADMIN, json!({"role": "registry", "subject": "registry"})).await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, v) = call(&a.router, "/clinic/v1/documents/verify", "not-a-token", json!({"qr_text": qr})).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{v}");
    let (s, v) = call(&a.router, "/clinic/v1/documents/verify", &clinic, json!({"qr_text": qr, "extra": 1})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
}

#[tokio::test]
async fn a_revoked_certificate_is_refused_with_the_cached_list() {
    let key = DocumentSigner::generate(SYSTEM_ISSUER);
    let doc = certificate();
    let qr = sign(&doc, &key).expect("sign");
    let keys = KeySet { keys: vec![key.published(doc.issued_on, None).expect("publish")], fetched_at: Utc::now() };
    let entry = Revocation {
        serial: doc.serial.clone(),
        reason: RevocationReason::CoverageLost,
        revoked_on: doc.issued_on,
        replaced_by: None,
    };
    let list = RevocationList { sequence: 2, issued_at: Utc::now(), entries: vec![entry] }.sign(&key).expect("list");
    let list = RevocationList::open(&list, &keys).expect("open");
    let a = api(Some(DocumentCache { keys, revocations: Some((list, Utc::now())) }));
    let clinic = enrol_and_clinic(&a).await;
    let (s, v) = call(&a.router, "/clinic/v1/documents/verify", &clinic, json!({"qr_text": qr})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["verification"]["code"], "document_revoked");
    assert_eq!(v["verification"]["revocation"]["reason"], "coverage_lost");
    assert!(v["verification"]["message"].as_str().unwrap_or_default().contains("資格を喪失"));
    assert!(v.get("eligibility").is_none());
}

#[tokio::test]
async fn without_keys_the_server_says_so_and_what_to_do() {
    let a = api(None);
    let clinic = enrol_and_clinic(&a).await;
    let (s, v) = call(&a.router, "/clinic/v1/documents/verify", &clinic, json!({"qr_text": "JPHI1:XYZ"})).await;
    assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE, "{v}");
    assert_eq!(v["error"]["code"], "documents_not_configured");
    assert!(v["error"]["next_step"].as_str().unwrap_or_default().contains("onshi doc verify"));
}
