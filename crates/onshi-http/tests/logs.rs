//! The request log: one info-level line per request. In its own test binary, so that no other test's
//! threads share tracing's callsite cache with the subscriber installed here.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use onshi_service::{Service, SystemClock};
use onshi_store::{AnyStore, SqliteStore};
use serde_json::{Value, json};
use tower::ServiceExt;

const ADMIN: &str = "test-admin-token-0123456789";

/// A successful request leaves one info-level line with its request id, method, route template (never the
/// path: it may hold a My Number), status and latency.
#[tokio::test]
async fn a_served_request_leaves_an_info_line_with_its_id_route_status_and_latency() {
    use std::io::Write;
    use std::sync::{Arc as SyncArc, Mutex};

    #[derive(Clone, Default)]
    struct Buf(SyncArc<Mutex<Vec<u8>>>);
    impl Write for Buf {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().expect("log buffer").extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let buf = Buf::default();
    let writer = buf.clone();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_max_level(tracing::Level::INFO)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let dir = tempfile::tempdir().expect("tempdir");
    let store: AnyStore = Box::new(SqliteStore::open(dir.path()).expect("store"));
    let app = Arc::new(Service::new(store, ADMIN, Arc::new(SystemClock)).expect("service"));
    let router = onshi_http::router(app);
    let send = |method: &str, uri: String, body: Option<Value>| {
        let req = Request::builder()
            .method(method)
            .uri(uri)
            .header("authorization", format!("Bearer {ADMIN}"))
            .header("content-type", "application/json")
            .body(body.map_or_else(Body::empty, |b| Body::from(b.to_string())))
            .expect("request");
        router.clone().oneshot(req)
    };
    let n = "123456789018";
    let resident = json!({"name": "山田 太郎", "name_kana": "ヤマダ タロウ", "birth_date": "1980-04-15", "sex": "male",
                          "address": "東京都千代田区永田町二丁目1番2号"});
    let res = send("PUT", format!("/registry/v1/residents/{n}"), Some(resident)).await.expect("infallible");
    assert_eq!(res.status(), StatusCode::CREATED);
    let req = Request::builder()
        .method("GET")
        .uri(format!("/registry/v1/residents/{n}"))
        .header("authorization", format!("Bearer {ADMIN}"))
        .body(Body::empty())
        .expect("request");
    let res = router.clone().oneshot(req).await.expect("infallible");
    assert_eq!(res.status(), StatusCode::OK);
    let id = res.headers().get("x-request-id").and_then(|v| v.to_str().ok()).expect("request id").to_owned();
    let res = send("GET", "/nowhere".into(), None).await.expect("infallible");
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    let text = String::from_utf8(buf.0.lock().expect("log buffer").clone()).expect("utf-8 log");
    let lines: Vec<Value> = text.lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    let served: Vec<&Value> = lines.iter().filter(|l| l["fields"]["message"] == "served").collect();
    let mine: Vec<&&Value> = served.iter().filter(|l| l["fields"]["request_id"] == id.as_str()).collect();
    assert_eq!(mine.len(), 1, "one line for the request: {text}");
    let f = &mine[0]["fields"];
    assert_eq!(mine[0]["level"], "INFO");
    assert_eq!(f["method"], "GET");
    assert_eq!(f["route"], "/registry/v1/residents/{my_number}");
    assert_eq!(f["status"], 200);
    assert!(f["micros"].as_u64().is_some(), "{f}");
    assert!(f.get("code").is_none() || f["code"].is_null(), "{f}");
    // the My Number in the path is in no line at all
    assert!(!text.contains(n), "a My Number was logged: {text}");
    // a refused request's line carries its error code; an unknown route is logged without its path
    let nowhere = served.iter().find(|l| l["fields"]["status"] == 404).expect("the 404's line");
    assert_eq!(nowhere["fields"]["code"], "not_found");
    assert_eq!(nowhere["fields"]["route"], "(unmatched)");
    assert!(!text.contains("/nowhere"), "an unmatched path is not logged: {text}");
    assert_eq!(served.len(), 3, "one line per request: {text}");
}
