//! Documents people carry: `POST /clinic/v1/documents/verify`. Thin: authenticate, read the body, call one
//! use-case.

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use onshi_service::documents::{DocumentVerifyAnswer, DocumentVerifyBody};

use crate::{ApiError, App, Caller, ErrorBody, JsonBody};

pub(crate) fn routes() -> Router<App> {
    Router::new().route("/clinic/v1/documents/verify", post(verify_document))
}

/// Verify a 資格確認書 or 資格情報のお知らせ by its QR text (`JPHI1:…`) against the server's cached keys and
/// revocation list: genuine, tampered, unknown key, revoked, expired, not yet valid or unreadable, each with the
/// next step. A genuine document's numbers are then checked as `POST /clinic/v1/eligibility` would
/// (`eligibility`). A forged or revoked document is a 200 answer, not an error: it is what the receptionist
/// must see.
#[utoipa::path(post, path = "/clinic/v1/documents/verify", tag = "clinic", request_body = DocumentVerifyBody,
    security(("bearer" = [])),
    responses((status = 200, body = DocumentVerifyAnswer),
               (status = 409, description = "branch_required, symbol_required … (the check of a genuine document)", body = ErrorBody),
               (status = 422, description = "invalid_date (service_date)", body = ErrorBody),
               (status = 503, description = "documents_not_configured", body = ErrorBody)))]
pub(crate) async fn verify_document(
    State(app): State<App>,
    caller: Caller,
    JsonBody(body): JsonBody<DocumentVerifyBody>,
) -> Result<Json<DocumentVerifyAnswer>, ApiError> {
    let cx = caller.ctx("POST /clinic/v1/documents/verify");
    Ok(Json(app.verify_document(&cx, body).await?))
}
