//! The card endpoints (マイナ保険証): issuing and revoking certificates (registry role), readers, challenges
//! and the check by card (clinic role). Thin: authenticate, read the body, call one use-case.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use onshi_service::card_api::*;

use crate::{ApiError, App, Caller, ErrorBody, JsonBody};

pub(crate) fn routes() -> Router<App> {
    Router::new()
        .route("/registry/v1/cards", post(issue_card))
        .route("/registry/v1/cards/{serial}", get(card_status))
        .route("/registry/v1/cards/{serial}/revoke", post(revoke_card))
        .route("/clinic/v1/readers", post(register_reader))
        .route("/clinic/v1/card/challenges", post(challenge))
        .route("/clinic/v1/card/eligibility", post(card_check))
}

/// Issue a 利用者証明用電子証明書 for a resident's new card (issuing authority: registry role). The card
/// made its key pair; only the public key is sent. The serial is registered to the My Number.
#[utoipa::path(post, path = "/registry/v1/cards", tag = "cards", request_body = CardIssueBody,
    security(("bearer" = [])),
    responses((status = 201, body = CardIssueAnswer),
               (status = 403, body = ErrorBody),
               (status = 422, description = "invalid_my_number, resident_not_found, invalid_value (public_key, issued_on)", body = ErrorBody),
               (status = 503, description = "cards_unavailable", body = ErrorBody)))]
pub(crate) async fn issue_card(
    State(app): State<App>,
    caller: Caller,
    JsonBody(body): JsonBody<CardIssueBody>,
) -> Result<(StatusCode, Json<CardIssueAnswer>), ApiError> {
    let cx = caller.ctx("POST /registry/v1/cards");
    Ok((StatusCode::CREATED, Json(app.issue_card(&cx, body).await?)))
}

/// A registered certificate and whether it was revoked.
#[utoipa::path(get, path = "/registry/v1/cards/{serial}", tag = "cards",
    params(("serial" = String, Path, description = "certificate serial, 32 hex digits")),
    security(("bearer" = [])),
    responses((status = 200, body = CardStatusView), (status = 404, body = ErrorBody)))]
pub(crate) async fn card_status(
    State(app): State<App>,
    caller: Caller,
    Path(serial): Path<String>,
) -> Result<Json<CardStatusView>, ApiError> {
    let cx = caller.ctx("GET /registry/v1/cards/{serial}");
    Ok(Json(app.card_status(&cx, &serial)?))
}

/// Revoke a certificate: the card was lost, returned, replaced, or its holder died. Never undone.
#[utoipa::path(post, path = "/registry/v1/cards/{serial}/revoke", tag = "cards", request_body = CardRevokeBody,
    params(("serial" = String, Path, description = "certificate serial, 32 hex digits")),
    security(("bearer" = [])),
    responses((status = 200, body = CardStatusView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(crate) async fn revoke_card(
    State(app): State<App>,
    caller: Caller,
    Path(serial): Path<String>,
    JsonBody(body): JsonBody<CardRevokeBody>,
) -> Result<Json<CardStatusView>, ApiError> {
    let cx = caller.ctx("POST /registry/v1/cards/{serial}/revoke");
    Ok(Json(app.revoke_card(&cx, &serial, body).await?))
}

/// Register the caller's card reader; its key signs face-authentication results (顔認証).
#[utoipa::path(post, path = "/clinic/v1/readers", tag = "cards", request_body = ReaderBody,
    security(("bearer" = [])),
    responses((status = 201, body = ReaderAnswer), (status = 422, body = ErrorBody)))]
pub(crate) async fn register_reader(
    State(app): State<App>,
    caller: Caller,
    JsonBody(body): JsonBody<ReaderBody>,
) -> Result<(StatusCode, Json<ReaderAnswer>), ApiError> {
    let cx = caller.ctx("POST /clinic/v1/readers");
    Ok((StatusCode::CREATED, Json(app.register_reader(&cx, body).await?)))
}

/// A single-use challenge for a card check, valid for 120 seconds, bound to the caller's institution.
#[utoipa::path(post, path = "/clinic/v1/card/challenges", tag = "cards",
    security(("bearer" = [])),
    responses((status = 201, body = ChallengeAnswer), (status = 403, description = "forbidden", body = ErrorBody),
               (status = 429, description = "challenge_limit_reached (this institution's own share: 1,000 \
                challenges of the last 120 s)", body = ErrorBody),
               (status = 503, description = "cards_unavailable, too_many_challenges", body = ErrorBody)))]
pub(crate) async fn challenge(
    State(app): State<App>,
    caller: Caller,
) -> Result<(StatusCode, Json<ChallengeAnswer>), ApiError> {
    let cx = caller.ctx("POST /clinic/v1/card/challenges");
    Ok((StatusCode::CREATED, Json(app.card_challenge(&cx)?)))
}

/// Check eligibility by My Number card: the card's answer to a challenge (after the PIN, or a registered
/// reader's face authentication). Verifies the chain to onshi's CA, the signed 券面事項, the validity (an
/// expired certificate is accepted for 3 months after the month of expiry, with a notice) and revocation,
/// maps the serial to the person, records the consent (24 hours), logs the access, and answers every linked
/// coverage on the service date — one valid coverage, or `multiple`, never a silent pick. Every attempt,
/// answered or refused (a body that cannot be read included), leaves an access-log line.
#[utoipa::path(post, path = "/clinic/v1/card/eligibility", tag = "cards", request_body = CardCheckBody,
    security(("bearer" = [])),
    responses((status = 200, body = CardCheckAnswer),
               (status = 400, description = "malformed_json", body = ErrorBody),
               (status = 403, description = "forbidden", body = ErrorBody),
               (status = 409, description = "card_challenge_replayed", body = ErrorBody),
               (status = 422, description = "card_untrusted_issuer, card_certificate_forged, card_signature_invalid, \
                card_surface_altered, card_certificate_mismatch, card_not_registered, card_revoked, card_expired, \
                card_not_yet_valid, card_challenge_unknown, card_challenge_expired, reader_unknown, \
                face_assertion_invalid, card_certificate_malformed, card_malformed, missing_field, unknown_field, \
                invalid_value, invalid_date", body = ErrorBody),
               (status = 503, description = "cards_unavailable", body = ErrorBody)))]
pub(crate) async fn card_check(
    State(app): State<App>,
    caller: Caller,
    body: Result<JsonBody<CardCheckBody>, ApiError>,
) -> Result<Json<CardCheckAnswer>, ApiError> {
    let cx = caller.ctx("POST /clinic/v1/card/eligibility");
    let body = match body {
        Ok(JsonBody(body)) => body,
        // a body that cannot be read is an attempt too: it is logged like every refusal of the check
        Err(ApiError(e)) => {
            app.log_card_refusal(&cx, e.code).await?;
            return Err(ApiError(e));
        }
    };
    Ok(Json(app.card_check(&cx, body).await?))
}
