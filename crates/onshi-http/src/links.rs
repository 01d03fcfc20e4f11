//! The link lifecycle endpoints (insurer role): a member's My Number link after enrolment — add or replace,
//! remove, confirm (本人確認), suspend (閲覧停止), link from the registry's search —, who read the member's
//! data (JSON or CSV), and the cases imported from a reconciliation's OUT.csv. Thin: authenticate, read the
//! body, call one use-case.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use onshi_service::link_api::*;
use onshi_service::{ErrorKind, ServiceError};

use crate::{ApiError, App, Caller, ErrorBody, JsonBody};

/// The largest OUT.csv accepted by the import (about 100,000 rows).
pub const MAX_IMPORT: usize = 32 * 1024 * 1024;

pub(crate) fn routes() -> Router<App> {
    Router::new()
        .route("/insurer/v1/members/{member_id}/link", post(link).get(link_view))
        .route("/insurer/v1/members/{member_id}/link/remove", post(unlink))
        .route("/insurer/v1/members/{member_id}/link/confirm", post(confirm))
        .route("/insurer/v1/members/{member_id}/link/suspend", post(suspend))
        .route("/insurer/v1/members/{member_id}/link/search", post(link_search))
        .route("/insurer/v1/members/{member_id}/link/reads", get(reads))
        .route("/insurer/v1/cases/import", post(import_cases).layer(DefaultBodyLimit::max(MAX_IMPORT)))
        .route("/insurer/v1/cases", get(cases))
        .route("/insurer/v1/cases/{case_id}", get(case))
}

/// Add a My Number link to a member, or replace the one it has (a correction: open cases close as
/// `corrected`). Graded A/B/C as at enrolment: C stores nothing; a B link waits for the insurer's
/// confirmation (card checks answer `link_pending_confirmation` until then).
#[utoipa::path(post, path = "/insurer/v1/members/{member_id}/link", tag = "links", request_body = LinkBody,
    params(("member_id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = LinkView), (status = 404, body = ErrorBody),
               (status = 409, description = "already_linked, link_changed", body = ErrorBody),
               (status = 422, description = "linkage_rejected, invalid_my_number …", body = ErrorBody)))]
pub(crate) async fn link(
    State(app): State<App>,
    caller: Caller,
    Path(member_id): Path<String>,
    JsonBody(body): JsonBody<LinkBody>,
) -> Result<Json<LinkView>, ApiError> {
    let cx = caller.ctx("POST /insurer/v1/members/{member_id}/link");
    Ok(Json(app.link(&cx, &member_id, body).await?))
}

/// A member's link now (grade, state, confirmation), its whole history and the member's open cases.
#[utoipa::path(get, path = "/insurer/v1/members/{member_id}/link", tag = "links",
    params(("member_id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = LinkView), (status = 404, body = ErrorBody)))]
pub(crate) async fn link_view(
    State(app): State<App>,
    caller: Caller,
    Path(member_id): Path<String>,
) -> Result<Json<LinkView>, ApiError> {
    let cx = caller.ctx("GET /insurer/v1/members/{member_id}/link");
    Ok(Json(app.link_view(&cx, &member_id).await?))
}

/// Remove a member's link (open cases close as `unlinked`; a suspension is lifted). The history keeps it.
#[utoipa::path(post, path = "/insurer/v1/members/{member_id}/link/remove", tag = "links", request_body = ReasonBody,
    params(("member_id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = LinkView), (status = 404, body = ErrorBody),
               (status = 409, description = "no_link, link_changed", body = ErrorBody),
               (status = 422, description = "missing_field", body = ErrorBody)))]
pub(crate) async fn unlink(
    State(app): State<App>,
    caller: Caller,
    Path(member_id): Path<String>,
    JsonBody(body): JsonBody<ReasonBody>,
) -> Result<Json<LinkView>, ApiError> {
    let cx = caller.ctx("POST /insurer/v1/members/{member_id}/link/remove");
    Ok(Json(app.unlink(&cx, &member_id, body).await?))
}

/// Record that the insurer confirmed the link with the person (本人確認: `card_seen`, `phone`, `mail`): a
/// pending or suspended link takes effect; open cases close as `confirmed`.
#[utoipa::path(post, path = "/insurer/v1/members/{member_id}/link/confirm", tag = "links", request_body = ConfirmBody,
    params(("member_id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = LinkView), (status = 404, body = ErrorBody),
               (status = 409, description = "no_link, link_changed", body = ErrorBody),
               (status = 422, description = "invalid_value (method)", body = ErrorBody)))]
pub(crate) async fn confirm(
    State(app): State<App>,
    caller: Caller,
    Path(member_id): Path<String>,
    JsonBody(body): JsonBody<ConfirmBody>,
) -> Result<Json<LinkView>, ApiError> {
    let cx = caller.ctx("POST /insurer/v1/members/{member_id}/link/confirm");
    Ok(Json(app.confirm_link(&cx, &member_id, body).await?))
}

/// Suspend a link under investigation (閲覧停止): checks by card answer `link_suspended`; checks by number
/// still work. Lifted by confirming, correcting or removing the link.
#[utoipa::path(post, path = "/insurer/v1/members/{member_id}/link/suspend", tag = "links", request_body = ReasonBody,
    params(("member_id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = LinkView), (status = 404, body = ErrorBody),
               (status = 409, description = "no_link, link_already_suspended, link_changed", body = ErrorBody),
               (status = 422, description = "missing_field", body = ErrorBody)))]
pub(crate) async fn suspend(
    State(app): State<App>,
    caller: Caller,
    Path(member_id): Path<String>,
    JsonBody(body): JsonBody<ReasonBody>,
) -> Result<Json<LinkView>, ApiError> {
    let cx = caller.ctx("POST /insurer/v1/members/{member_id}/link/suspend");
    Ok(Json(app.suspend_link(&cx, &member_id, body).await?))
}

/// Link an unlinked member (未登録者) to the one resident the registry's 4-information search finds with the
/// member's own name, birth date, sex and address; then graded like any link. Several or none link nothing.
#[utoipa::path(post, path = "/insurer/v1/members/{member_id}/link/search", tag = "links", request_body = LinkSearchBody,
    params(("member_id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = LinkView), (status = 404, body = ErrorBody),
               (status = 409, description = "already_linked, registry_multiple_matches, link_changed", body = ErrorBody),
               (status = 422, description = "registry_no_match, linkage_rejected", body = ErrorBody)))]
pub(crate) async fn link_search(
    State(app): State<App>,
    caller: Caller,
    Path(member_id): Path<String>,
    JsonBody(body): JsonBody<LinkSearchBody>,
) -> Result<Json<LinkView>, ApiError> {
    let cx = caller.ctx("POST /insurer/v1/members/{member_id}/link/search");
    Ok(Json(app.link_by_search(&cx, &member_id, body).await?))
}

/// Who read the member's data (閲覧された件数): every access-log line of the member, newest first, those
/// through a My Number link (checks by card) marked. `?format=csv` (or `Accept: text/csv`) answers CSV.
#[utoipa::path(get, path = "/insurer/v1/members/{member_id}/link/reads", tag = "links",
    params(("member_id" = String, Path), ("format" = Option<String>, Query, description = "`json` (default) or `csv`")),
    security(("bearer" = [])),
    responses((status = 200, body = ReadsAnswer, description = "JSON, or text/csv"), (status = 404, body = ErrorBody),
               (status = 422, description = "invalid_value (format)", body = ErrorBody)))]
pub(crate) async fn reads(
    State(app): State<App>,
    caller: Caller,
    Path(member_id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let cx = caller.ctx("GET /insurer/v1/members/{member_id}/link/reads");
    let accept_csv = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/csv"));
    let csv = match q.get("format").map(String::as_str) {
        Some("csv") => true,
        Some("json") => false,
        None => accept_csv,
        Some(other) => {
            return Err(ApiError(
                ServiceError::invalid_value("format", format!("unknown format `{other}`, expected json or csv"))
                    .next("use ?format=csv for a spreadsheet, or leave format out for JSON"),
            ));
        }
    };
    let answer = app.link_reads(&cx, &member_id).await?;
    if csv {
        return Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], answer.to_csv()).into_response());
    }
    Ok(Json(answer).into_response())
}

/// Import `onshi reconcile`'s OUT.csv (the body, UTF-8, `record_id` = onshi's member_id): every B and C row
/// opens a case. All or nothing: an unreadable row refuses the file, with its line. As JSON, the file is
/// the `csv` field of [`CaseImportBody`].
#[utoipa::path(post, path = "/insurer/v1/cases/import", tag = "links",
    request_body(content = CaseImportBody, description = "OUT.csv as text/csv, or {\"csv\": …} as JSON"),
    params(("insurer_number" = Option<String>, Query, description = "defaults to the credential's insurer")),
    security(("bearer" = [])),
    responses((status = 201, body = CaseImportAnswer), (status = 403, body = ErrorBody),
               (status = 413, description = "payload_too_large", body = ErrorBody),
               (status = 422, description = "invalid_value (header, line N: column), missing_field", body = ErrorBody)))]
pub(crate) async fn import_cases(
    State(app): State<App>,
    caller: Caller,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<CaseImportAnswer>), ApiError> {
    let cx = caller.ctx("POST /insurer/v1/cases/import");
    let body = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError(
                ServiceError::new(
                    ErrorKind::TooLarge,
                    "payload_too_large",
                    format!("the file is larger than {MAX_IMPORT} bytes"),
                )
                .next("split OUT.csv into parts (each with the header line) and import each"),
            )
        } else {
            ApiError(
                ServiceError::new(ErrorKind::BadRequest, "malformed_json", "the request body could not be read")
                    .because("unreadable_body")
                    .next("send the whole file again"),
            )
        }
    })?;
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let csv = if json { crate::body::parse::<CaseImportBody>(&body)?.csv.into_bytes() } else { body.to_vec() };
    let answer = app.import_cases(&cx, q.get("insurer_number").map(String::as_str), &csv).await?;
    Ok((StatusCode::CREATED, Json(answer)))
}

/// An insurer's cases, oldest first, each with what it takes to close it.
#[utoipa::path(get, path = "/insurer/v1/cases", tag = "links",
    params(("insurer_number" = Option<String>, Query, description = "defaults to the credential's insurer"),
           ("status" = Option<String>, Query, description = "open, confirmed, corrected or unlinked")),
    security(("bearer" = [])),
    responses((status = 200, body = CasesAnswer), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(crate) async fn cases(
    State(app): State<App>,
    caller: Caller,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<CasesAnswer>, ApiError> {
    let cx = caller.ctx("GET /insurer/v1/cases");
    let answer =
        app.cases(&cx, q.get("insurer_number").map(String::as_str), q.get("status").map(String::as_str)).await?;
    Ok(Json(answer))
}

/// One case.
#[utoipa::path(get, path = "/insurer/v1/cases/{case_id}", tag = "links",
    params(("case_id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = CaseView), (status = 404, body = ErrorBody)))]
pub(crate) async fn case(
    State(app): State<App>,
    caller: Caller,
    Path(case_id): Path<String>,
) -> Result<Json<CaseView>, ApiError> {
    let cx = caller.ctx("GET /insurer/v1/cases/{case_id}");
    Ok(Json(app.case(&cx, &case_id).await?))
}
