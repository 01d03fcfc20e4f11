//! onshi's HTTP front: the routes of the contract (../shared/spec/api.md) over [`onshi_service`].
//!
//! Handlers are thin: authenticate, read the JSON body with the contract's error codes, call one use-case,
//! write the answer. Around them: a request id on every request and log line, a body size limit, a time
//! limit, JSON errors for unknown routes and methods, and the OpenAPI document generated from this code.

#![forbid(unsafe_code)]

mod body;
mod cards;
mod corrections;
mod documents;
mod links;
mod openapi;
mod reception;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::extract::{DefaultBodyLimit, FromRequestParts, MatchedPath, Path, RawQuery, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use onshi_service::api::*;
use onshi_service::{Actor, Ctx, ErrorKind, Service, ServiceError};
use onshi_store::{AnyStore, PutOutcome};
use tracing::Instrument;

pub use body::JsonBody;
pub use openapi::openapi_json;
pub use reception::{FACE_DIR, IPAMJ_SYSTEM_PATH, Reception, face_request_path, face_result_path};

/// The service every handler calls.
pub type App = Arc<Service<AnyStore>>;

/// The largest request body accepted.
pub const MAX_BODY: usize = 64 * 1024;
/// The longest a request may take.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// The contract's error body: `{"error": {"code", "message", "field"?}}`, extended with `next_step` (always
/// present), `reason` (the specific cause, when finer than the code) and `details`.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ServiceError,
}

/// A [`ServiceError`] on its way out as an HTTP answer.
#[derive(Debug)]
pub struct ApiError(pub ServiceError);

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        ApiError(e)
    }
}

/// The HTTP status of an error kind.
pub fn status_of(kind: ErrorKind) -> StatusCode {
    match kind {
        ErrorKind::BadRequest => StatusCode::BAD_REQUEST,
        ErrorKind::Unauthorized => StatusCode::UNAUTHORIZED,
        ErrorKind::Forbidden => StatusCode::FORBIDDEN,
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::Conflict => StatusCode::CONFLICT,
        ErrorKind::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        ErrorKind::Unprocessable => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorKind::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
        ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        ErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
    }
}

/// The code and field of an error answer, left in the response's extensions for the request's log line.
#[derive(Debug, Clone)]
struct Refusal {
    code: &'static str,
    field: Option<String>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = status_of(self.0.kind);
        let refusal = Refusal { code: self.0.code, field: self.0.field.clone() };
        let mut res = (status, Json(ErrorBody { error: self.0 })).into_response();
        res.extensions_mut().insert(refusal);
        if status == StatusCode::UNAUTHORIZED {
            res.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        res
    }
}

/// The request id of a request (also sent back as `x-request-id`).
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// The authenticated caller of a request.
pub struct Caller {
    pub actor: Actor,
    pub request_id: String,
}

impl Caller {
    fn ctx(self, endpoint: &'static str) -> Ctx {
        Ctx { actor: self.actor, request_id: self.request_id, endpoint }
    }
}

impl FromRequestParts<App> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let bearer = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")));
        let actor = app.authenticate(bearer)?;
        let request_id = parts.extensions.get::<RequestId>().map(|r| r.0.clone()).unwrap_or_default();
        Ok(Caller { actor, request_id })
    }
}

static NEXT_ID: AtomicU64 = AtomicU64::new(0);

fn next_request_id() -> String {
    if NEXT_ID.load(Ordering::Relaxed) == 0 {
        let mut b = [0u8; 4];
        let _ = getrandom::fill(&mut b);
        let _ =
            NEXT_ID.compare_exchange(0, (u32::from_le_bytes(b) as u64) << 32 | 1, Ordering::Relaxed, Ordering::Relaxed);
    }
    format!("{:016x}", NEXT_ID.fetch_add(1, Ordering::Relaxed))
}

/// The route of a request as a template (`/insurer/v1/members/{member_id}`), never the path itself: a path may
/// hold a My Number, which must not end up in a log line. `(unmatched)` when no route matched.
fn route_of(m: Option<&MatchedPath>) -> &str {
    m.map_or("(unmatched)", MatchedPath::as_str)
}

async fn request_context(mut req: Request, next: Next) -> Response {
    let id = next_request_id();
    req.extensions_mut().insert(RequestId(id.clone()));
    // MatchedPath is an `Arc<str>`: cloning it is cheap, and middleware added by `Router::layer` runs after
    // routing, so it is there for every matched route.
    let matched = req.extensions().get::<MatchedPath>().cloned();
    let method = req.method().clone();
    // The span gives every line logged while the request runs its id; what the request was and how it ended
    // are in the one `served` line below (fields formatted once, not twice).
    let span = tracing::info_span!("request", id = %id);
    let start = Instant::now();
    let mut res = next.run(req).instrument(span).await;
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert("x-request-id", v);
    }
    // One event per request, at info: what was asked, what was answered, how long it took.
    let refusal = res.extensions().get::<Refusal>();
    tracing::info!(
        request_id = %id,
        method = %method,
        route = route_of(matched.as_ref()),
        status = res.status().as_u16(),
        micros = start.elapsed().as_micros() as u64,
        code = refusal.map(|r| r.code),
        field = refusal.and_then(|r| r.field.as_deref()),
        "served"
    );
    res
}

async fn timeout(req: Request, next: Next) -> Response {
    match tokio::time::timeout(REQUEST_TIMEOUT, next.run(req)).await {
        Ok(r) => r,
        Err(_) => ApiError(
            ServiceError::new(ErrorKind::Unavailable, "timeout", "the request took too long and was abandoned")
                .next("try again; a write that timed out may or may not have been stored: read it back first"),
        )
        .into_response(),
    }
}

/// The router of the whole contract (and the reception screen, without a card reader).
pub fn router(app: App) -> Router {
    router_with(app, Reception::default())
}

/// The router with the reception screen's card reader and font.
pub fn router_with(app: App, reception: Reception) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/openapi.json", get(openapi))
        .route("/admin/v1/credentials", post(issue_credential).get(list_credentials))
        .route("/admin/v1/credentials/{id}/revoke", post(revoke_credential))
        .route("/admin/v1/access-log", get(access_log))
        .route("/registry/v1/residents/{my_number}", put(put_resident).get(get_resident))
        .route("/registry/v1/search", post(search_registry))
        .route("/insurer/v1/members", post(enrol))
        .route("/insurer/v1/members/{member_id}", get(get_member))
        .route("/insurer/v1/members/{member_id}/loss", post(lose))
        .route("/insurer/v1/members/{member_id}/changes", post(change))
        .route("/clinic/v1/eligibility", post(check))
        .merge(cards::routes())
        .merge(corrections::routes())
        .merge(documents::routes())
        .merge(links::routes())
        .merge(reception::routes(reception))
        .fallback(unknown_route)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(axum::middleware::from_fn(timeout))
        .layer(axum::middleware::from_fn(request_context))
        .with_state(app)
}

async fn unknown_route() -> ApiError {
    ApiError(ServiceError::not_found("this route").next("see GET /openapi.json for the routes onshi serves"))
}

async fn method_not_allowed() -> Response {
    let mut r = ApiError(
        ServiceError::new(ErrorKind::BadRequest, "method_not_allowed", "this route does not take this method")
            .next("use a method this route takes: GET /openapi.json lists each route's methods"),
    )
    .into_response();
    *r.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
    r
}

/// `GET /healthz`: 200 once the server is ready; 503 `store_unavailable` once the store cannot take writes
/// (a writer thread stopped: restart onshi). No authentication.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "ready"),
               (status = 503, description = "store_unavailable", body = ErrorBody)))]
async fn healthz(State(app): State<App>) -> Result<Json<serde_json::Value>, ApiError> {
    app.health()?;
    Ok(Json(serde_json::json!({"status": "ok"})))
}

/// `GET /openapi.json`: this API's OpenAPI 3 document, generated from the code.
async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], openapi_json()).into_response()
}

/// Issue a credential for a role and subject (admin only). The token is shown once.
#[utoipa::path(post, path = "/admin/v1/credentials", tag = "admin", request_body = CredentialBody,
    security(("bearer" = [])),
    responses((status = 201, body = CredentialAnswer), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn issue_credential(
    State(app): State<App>,
    caller: Caller,
    JsonBody(body): JsonBody<CredentialBody>,
) -> Result<(StatusCode, Json<CredentialAnswer>), ApiError> {
    let cx = caller.ctx("POST /admin/v1/credentials");
    Ok((StatusCode::CREATED, Json(app.issue_credential(&cx, body).await?)))
}

/// Every issued credential with its id, role, subject and status (`active`, `expired`, `revoked`), oldest
/// first; never a token (admin only).
#[utoipa::path(get, path = "/admin/v1/credentials", tag = "admin",
    security(("bearer" = [])),
    responses((status = 200, body = CredentialList), (status = 403, body = ErrorBody)))]
async fn list_credentials(State(app): State<App>, caller: Caller) -> Result<Json<CredentialList>, ApiError> {
    let cx = caller.ctx("GET /admin/v1/credentials");
    Ok(Json(app.list_credentials(&cx)?))
}

/// Revoke a credential by its id (admin only): its token gets 401 `credential_revoked` from now on. Never
/// undone; revoking again keeps the first revocation.
#[utoipa::path(post, path = "/admin/v1/credentials/{id}/revoke", tag = "admin",
    params(("id" = String, Path, description = "the credential's id: C and 16 hex digits")),
    security(("bearer" = [])),
    responses((status = 200, body = CredentialView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn revoke_credential(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<CredentialView>, ApiError> {
    let cx = caller.ctx("POST /admin/v1/credentials/{id}/revoke");
    Ok(Json(app.revoke_credential(&cx, &id).await?))
}

/// The query of `GET /admin/v1/access-log`.
#[derive(serde::Deserialize, utoipa::IntoParams)]
struct AccessLogQuery {
    /// The person's 12-digit My Number.
    #[serde(default)]
    my_number: String,
}

/// Every read of one person's data, by every role, newest first (admin only): who (role, subject), when,
/// through which endpoint, under which request id, and what they were told.
#[utoipa::path(get, path = "/admin/v1/access-log", tag = "admin", params(AccessLogQuery),
    security(("bearer" = [])),
    responses((status = 200, body = AccessLogView), (status = 403, body = ErrorBody),
               (status = 422, description = "invalid_my_number", body = ErrorBody)))]
async fn access_log(
    State(app): State<App>,
    caller: Caller,
    axum::extract::Query(q): axum::extract::Query<AccessLogQuery>,
) -> Result<Json<AccessLogView>, ApiError> {
    let cx = caller.ctx("GET /admin/v1/access-log");
    Ok(Json(app.access_log(&cx, &q.my_number)?))
}

/// Create (201) or replace (200) a resident's basic four; the previous version stays in the history.
#[utoipa::path(put, path = "/registry/v1/residents/{my_number}", tag = "registry", request_body = ResidentBody,
    params(("my_number" = String, Path, description = "12-digit My Number")),
    security(("bearer" = [])),
    responses((status = 201, body = ResidentView), (status = 200, body = ResidentView),
               (status = 422, description = "invalid_my_number, invalid_date, invalid_value …", body = ErrorBody)))]
async fn put_resident(
    State(app): State<App>,
    caller: Caller,
    Path(my_number): Path<String>,
    JsonBody(body): JsonBody<ResidentBody>,
) -> Result<(StatusCode, Json<ResidentView>), ApiError> {
    let cx = caller.ctx("PUT /registry/v1/residents/{my_number}");
    let (outcome, view) = app.put_resident(&cx, &my_number, body).await?;
    let status = if outcome == PutOutcome::Created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(view)))
}

/// A resident's current basic four.
#[utoipa::path(get, path = "/registry/v1/residents/{my_number}", tag = "registry",
    params(("my_number" = String, Path, description = "12-digit My Number")),
    security(("bearer" = [])),
    responses((status = 200, body = ResidentView), (status = 404, body = ErrorBody)))]
async fn get_resident(
    State(app): State<App>,
    caller: Caller,
    Path(my_number): Path<String>,
) -> Result<Json<ResidentView>, ApiError> {
    let cx = caller.ctx("GET /registry/v1/residents/{my_number}");
    Ok(Json(app.get_resident(&cx, &my_number).await?))
}

/// Search by name, birth date, address (and sex): a My Number only on a unique match.
#[utoipa::path(post, path = "/registry/v1/search", tag = "registry", request_body = SearchBody,
    security(("bearer" = [])),
    responses((status = 200, body = SearchAnswer), (status = 422, body = ErrorBody)))]
async fn search_registry(
    State(app): State<App>,
    caller: Caller,
    JsonBody(body): JsonBody<SearchBody>,
) -> Result<Json<SearchAnswer>, ApiError> {
    let cx = caller.ctx("POST /registry/v1/search");
    Ok(Json(app.search_registry(&cx, body).await?))
}

/// Enrol a member (資格取得). With a My Number, the record is graded against the registry first.
#[utoipa::path(post, path = "/insurer/v1/members", tag = "insurer", request_body = EnrolBody,
    security(("bearer" = [])),
    responses((status = 201, body = EnrolAnswer),
               (status = 403, body = ErrorBody),
               (status = 409, description = "duplicate_member", body = ErrorBody),
               (status = 422, description = "invalid_insurer_number, linkage_rejected, copay_ratio_mismatch …", body = ErrorBody)))]
async fn enrol(
    State(app): State<App>,
    caller: Caller,
    JsonBody(body): JsonBody<EnrolBody>,
) -> Result<(StatusCode, Json<EnrolAnswer>), ApiError> {
    let cx = caller.ctx("POST /insurer/v1/members");
    Ok((StatusCode::CREATED, Json(app.enrol(&cx, body).await?)))
}

/// A member with its full history; with `known_at`, as onshi knew it then (what a clinic was told).
#[utoipa::path(get, path = "/insurer/v1/members/{member_id}", tag = "insurer",
    params(("member_id" = String, Path),
           ("known_at" = Option<String>, Query, description = "RFC 3339: the member as known at that time")),
    security(("bearer" = [])),
    responses((status = 200, body = MemberView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn get_member(
    State(app): State<App>,
    caller: Caller,
    Path(member_id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Json<MemberView>, ApiError> {
    let cx = caller.ctx("GET /insurer/v1/members/{member_id}");
    Ok(Json(app.member_as_known(&cx, &member_id, query.as_deref()).await?))
}

/// Record a loss (資格喪失): `lost_on` is the first day without coverage.
#[utoipa::path(post, path = "/insurer/v1/members/{member_id}/loss", tag = "insurer", request_body = LossBody,
    params(("member_id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = MemberView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn lose(
    State(app): State<App>,
    caller: Caller,
    Path(member_id): Path<String>,
    JsonBody(body): JsonBody<LossBody>,
) -> Result<Json<MemberView>, ApiError> {
    let cx = caller.ctx("POST /insurer/v1/members/{member_id}/loss");
    Ok(Json(app.lose(&cx, &member_id, body).await?))
}

/// Record a change of personal data, income bracket or copay exception from `effective_on`.
#[utoipa::path(post, path = "/insurer/v1/members/{member_id}/changes", tag = "insurer", request_body = ChangeBody,
    params(("member_id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = MemberView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn change(
    State(app): State<App>,
    caller: Caller,
    Path(member_id): Path<String>,
    JsonBody(body): JsonBody<ChangeBody>,
) -> Result<Json<MemberView>, ApiError> {
    let cx = caller.ctx("POST /insurer/v1/members/{member_id}/changes");
    Ok(Json(app.change(&cx, &member_id, body).await?))
}

/// Check eligibility by what the card or 資格確認書 shows, as of a service date.
#[utoipa::path(post, path = "/clinic/v1/eligibility", tag = "clinic", request_body = EligibilityBody,
    security(("bearer" = [])),
    responses((status = 200, body = EligibilityAnswer),
               (status = 409, description = "branch_required, symbol_required or exact_number_required: \
                  the fields sent match more than one person or spelling; the field named decides", body = ErrorBody),
               (status = 422, body = ErrorBody)))]
async fn check(
    State(app): State<App>,
    caller: Caller,
    JsonBody(body): JsonBody<EligibilityBody>,
) -> Result<Json<EligibilityAnswer>, ApiError> {
    let cx = caller.ctx("POST /clinic/v1/eligibility");
    Ok(Json(app.check(&cx, body).await?))
}
