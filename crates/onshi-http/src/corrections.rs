//! Corrections of a member's history (取消, a date corrected, a copay exception withdrawn) and the registry
//! events offered to insurers (death, name change, move). Thin: authenticate, read the body, call one use-case.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use onshi_service::api::MemberView;
use onshi_service::corrections_api::*;

use crate::{ApiError, App, Caller, ErrorBody, JsonBody};

pub(crate) fn routes() -> Router<App> {
    Router::new()
        .route("/insurer/v1/members/{member_id}/void", post(void_entry))
        .route("/insurer/v1/members/{member_id}/date-corrections", post(correct_date))
        .route("/insurer/v1/members/{member_id}/copay-withdrawal", post(withdraw_copay))
        .route("/registry/v1/residents/{my_number}/death", post(record_death))
        .route("/insurer/v1/registry-events", get(registry_events))
        .route("/insurer/v1/registry-events/{event_id}/accept", post(accept))
        .route("/insurer/v1/registry-events/{event_id}/reject", post(reject))
}

/// 取消: void an entry recorded by mistake (an acquisition, a loss, a change). It stays in the history, shown as
/// voided with who, when and why.
#[utoipa::path(post, path = "/insurer/v1/members/{member_id}/void", tag = "insurer", request_body = VoidBody,
    params(("member_id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = MemberView), (status = 404, body = ErrorBody),
               (status = 422, description = "invalid_value (seq: void_unknown_entry, already_voided, void_of_void; \
                                             lost_before_acquired …), missing_field", body = ErrorBody)))]
pub(crate) async fn void_entry(
    State(app): State<App>,
    caller: Caller,
    Path(member_id): Path<String>,
    JsonBody(body): JsonBody<VoidBody>,
) -> Result<Json<MemberView>, ApiError> {
    let cx = caller.ctx("POST /insurer/v1/members/{member_id}/void");
    Ok(Json(app.void_entry(&cx, &member_id, body).await?))
}

/// Correct the effective date of an acquisition, loss or change: the entry is voided and recorded again on the
/// right date, in one step.
#[utoipa::path(post, path = "/insurer/v1/members/{member_id}/date-corrections", tag = "insurer",
    request_body = DateCorrectionBody, params(("member_id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = MemberView), (status = 404, body = ErrorBody),
               (status = 409, description = "duplicate_member", body = ErrorBody),
               (status = 422, description = "invalid_date, invalid_value (seq, effective_on)", body = ErrorBody)))]
pub(crate) async fn correct_date(
    State(app): State<App>,
    caller: Caller,
    Path(member_id): Path<String>,
    JsonBody(body): JsonBody<DateCorrectionBody>,
) -> Result<Json<MemberView>, ApiError> {
    let cx = caller.ctx("POST /insurer/v1/members/{member_id}/date-corrections");
    Ok(Json(app.correct_date(&cx, &member_id, body).await?))
}

/// Withdraw the copay exception in force from `effective_on`: the law's ratio applies again.
#[utoipa::path(post, path = "/insurer/v1/members/{member_id}/copay-withdrawal", tag = "insurer",
    request_body = CopayWithdrawalBody, params(("member_id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = MemberView), (status = 404, body = ErrorBody),
               (status = 422, description = "invalid_date, invalid_value (effective_on: no_copay_override)", body = ErrorBody)))]
pub(crate) async fn withdraw_copay(
    State(app): State<App>,
    caller: Caller,
    Path(member_id): Path<String>,
    JsonBody(body): JsonBody<CopayWithdrawalBody>,
) -> Result<Json<MemberView>, ApiError> {
    let cx = caller.ctx("POST /insurer/v1/members/{member_id}/copay-withdrawal");
    Ok(Json(app.withdraw_copay(&cx, &member_id, body).await?))
}

/// Record a resident's death (once). It is offered to the insurer of every member record linked to the
/// resident as a change to review; nothing is applied to a member before its insurer accepts.
#[utoipa::path(post, path = "/registry/v1/residents/{my_number}/death", tag = "registry", request_body = DeathBody,
    params(("my_number" = String, Path, description = "12-digit My Number")), security(("bearer" = [])),
    responses((status = 201, body = DeathAnswer), (status = 404, body = ErrorBody),
               (status = 409, description = "death_already_recorded", body = ErrorBody),
               (status = 422, description = "invalid_my_number, invalid_date, invalid_value (died_on)", body = ErrorBody)))]
pub(crate) async fn record_death(
    State(app): State<App>,
    caller: Caller,
    Path(my_number): Path<String>,
    JsonBody(body): JsonBody<DeathBody>,
) -> Result<(StatusCode, Json<DeathAnswer>), ApiError> {
    let cx = caller.ctx("POST /registry/v1/residents/{my_number}/death");
    Ok((StatusCode::CREATED, Json(app.record_death(&cx, &my_number, body).await?)))
}

/// The registry's changes (death, name change, move) offered to this insurer for review, oldest first.
#[utoipa::path(get, path = "/insurer/v1/registry-events", tag = "insurer",
    params(("status" = Option<String>, Query, description = "open (default) or all"),
           ("insurer_number" = Option<String>, Query, description = "administrator only: one insurer's events")),
    security(("bearer" = [])),
    responses((status = 200, body = RegistryEventList), (status = 403, body = ErrorBody),
               (status = 422, body = ErrorBody)))]
pub(crate) async fn registry_events(
    State(app): State<App>,
    caller: Caller,
    RawQuery(query): RawQuery,
) -> Result<Json<RegistryEventList>, ApiError> {
    let cx = caller.ctx("GET /insurer/v1/registry-events");
    Ok(Json(app.registry_events(&cx, query.as_deref()).await?))
}

/// Accept a registry event: a death ends coverage from the next day (資格喪失, reason 死亡); a name change or
/// move is recorded effective on the registry's date.
#[utoipa::path(post, path = "/insurer/v1/registry-events/{event_id}/accept", tag = "insurer",
    request_body = DecisionBody, params(("event_id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = RegistryEventView), (status = 404, body = ErrorBody),
               (status = 409, description = "registry_event_decided", body = ErrorBody),
               (status = 422, body = ErrorBody)))]
pub(crate) async fn accept(
    State(app): State<App>,
    caller: Caller,
    Path(event_id): Path<String>,
    JsonBody(body): JsonBody<DecisionBody>,
) -> Result<Json<RegistryEventView>, ApiError> {
    let cx = caller.ctx("POST /insurer/v1/registry-events/{event_id}/accept");
    Ok(Json(app.decide_registry_event(&cx, &event_id, true, body).await?))
}

/// Reject a registry event, with the reason (nothing is applied to the member).
#[utoipa::path(post, path = "/insurer/v1/registry-events/{event_id}/reject", tag = "insurer",
    request_body = DecisionBody, params(("event_id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = RegistryEventView), (status = 404, body = ErrorBody),
               (status = 409, description = "registry_event_decided", body = ErrorBody),
               (status = 422, description = "missing_field (reason)", body = ErrorBody)))]
pub(crate) async fn reject(
    State(app): State<App>,
    caller: Caller,
    Path(event_id): Path<String>,
    JsonBody(body): JsonBody<DecisionBody>,
) -> Result<Json<RegistryEventView>, ApiError> {
    let cx = caller.ctx("POST /insurer/v1/registry-events/{event_id}/reject");
    Ok(Json(app.decide_registry_event(&cx, &event_id, false, body).await?))
}
