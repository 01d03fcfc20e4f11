//! The replay's client for a running `onshi serve`: loopback only, keep-alive connections (hyper), every
//! request bounded in time.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::SimError;
use crate::replay::Refusal;

/// How long one request may take.
const TIMEOUT: Duration = Duration::from_secs(30);

/// A client of one onshi server.
pub(crate) struct Http {
    client: Client<HttpConnector, Full<Bytes>>,
    base: String,
    admin: String,
    clinic_tokens: Mutex<HashMap<String, String>>,
}

#[derive(serde::Deserialize)]
struct ErrorBody {
    error: ErrorInner,
}

#[derive(serde::Deserialize)]
struct ErrorInner {
    code: String,
    message: String,
}

impl Http {
    /// A client of the server at `addr` (a loopback address) acting with the administrator token.
    pub(crate) fn new(addr: SocketAddr, admin: &str) -> Result<Http, SimError> {
        if !addr.ip().is_loopback() {
            return Err(SimError::Server {
                addr: addr.to_string(),
                reason: "the replay talks to 127.0.0.1 (or ::1) only: run `onshi serve` on this machine".into(),
            });
        }
        let mut connector = HttpConnector::new();
        connector.set_connect_timeout(Some(Duration::from_secs(5)));
        connector.set_nodelay(true);
        let client = Client::builder(TokioExecutor::new()).pool_max_idle_per_host(64).build(connector);
        Ok(Http { client, base: format!("http://{addr}"), admin: admin.to_owned(), clinic_tokens: Default::default() })
    }

    /// Checks that the server answers `/healthz` and accepts the administrator token.
    pub(crate) async fn ready(&self) -> Result<(), SimError> {
        let unusable = |reason: String| SimError::Server { addr: self.base.clone(), reason };
        let health: Result<serde_json::Value, Refusal> = self.send("GET", "/healthz", None, None::<&()>).await;
        if let Err(r) = health {
            if r.code != "not_json" {
                return Err(unusable(format!("{} — is `onshi serve` running there?", r.message)));
            }
        }
        let probe = serde_json::json!({"role": "clinic", "subject": "1311234567"});
        let issued: Result<serde_json::Value, Refusal> =
            self.send("POST", "/admin/v1/credentials", Some(&self.admin), Some(&probe)).await;
        issued.map(|_| ()).map_err(|r| {
            unusable(format!(
                "the administrator token was not accepted ({}): pass the server's ONSHI_ADMIN_TOKEN",
                r.code
            ))
        })
    }

    /// A request as the administrator.
    pub(crate) async fn admin<T: DeserializeOwned>(
        &self,
        method: &str,
        path: &str,
        body: &impl Serialize,
    ) -> Result<T, Refusal> {
        self.send(method, path, Some(&self.admin), Some(body)).await
    }

    /// A read as the admin (no body).
    pub(crate) async fn admin_get<T: DeserializeOwned>(&self, path: &str) -> Result<T, Refusal> {
        self.send("GET", path, Some(&self.admin), None::<&()>).await
    }

    /// An eligibility check as the clinic `institution` (a credential is issued on first use).
    pub(crate) async fn clinic<T: DeserializeOwned>(
        &self,
        institution: &str,
        path: &str,
        body: &impl Serialize,
    ) -> Result<T, Refusal> {
        let known = self.clinic_tokens.lock().ok().and_then(|m| m.get(institution).cloned());
        let token = match known {
            Some(t) => t,
            None => {
                #[derive(serde::Deserialize)]
                struct Issued {
                    token: String,
                }
                let body = serde_json::json!({"role": "clinic", "subject": institution});
                let issued: Issued = self.admin("POST", "/admin/v1/credentials", &body).await?;
                if let Ok(mut m) = self.clinic_tokens.lock() {
                    m.insert(institution.to_owned(), issued.token.clone());
                }
                issued.token
            }
        };
        self.send("POST", path, Some(&token), Some(body)).await
    }

    async fn send<T: DeserializeOwned>(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&impl Serialize>,
    ) -> Result<T, Refusal> {
        let fatal = |message: String| Refusal { code: "transport".into(), message, fatal: true };
        let payload = match body {
            Some(b) => serde_json::to_vec(b).map_err(|e| fatal(format!("cannot encode a request: {e}")))?,
            None => Vec::new(),
        };
        let mut req = hyper::Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base))
            .header("content-type", "application/json");
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        let req = req.body(Full::new(Bytes::from(payload))).map_err(|e| fatal(format!("bad request: {e}")))?;
        let answer = tokio::time::timeout(TIMEOUT, async {
            let resp = self.client.request(req).await.map_err(|e| fatal(format!("{method} {path}: {e}")))?;
            let status = resp.status().as_u16();
            let bytes = resp.into_body().collect().await.map_err(|e| fatal(format!("{method} {path}: {e}")))?;
            Ok::<_, Refusal>((status, bytes.to_bytes()))
        })
        .await
        .map_err(|_| fatal(format!("{method} {path}: no answer in {} s", TIMEOUT.as_secs())))??;
        let (status, bytes) = answer;
        if (200..300).contains(&status) {
            return serde_json::from_slice(&bytes).map_err(|e| Refusal {
                code: "not_json".into(),
                message: format!("{method} {path}: the answer is not the expected JSON: {e}"),
                fatal: false,
            });
        }
        let (code, message) = match serde_json::from_slice::<ErrorBody>(&bytes) {
            Ok(e) => (e.error.code, e.error.message),
            Err(_) => (format!("http_{status}"), String::from_utf8_lossy(&bytes).into_owned()),
        };
        Err(Refusal { code, message, fatal: status >= 500 })
    }
}
