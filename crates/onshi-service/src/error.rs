//! The one error type every use-case returns. Each error has a stable `code` (the contract's), a plain
//! message, the JSON field it concerns, and the next step for the person who sees it.

use serde::Serialize;
use utoipa::ToSchema;

/// What kind of failure an error is; the HTTP layer maps it to a status code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// 400: the request could not be read at all.
    BadRequest,
    /// 401: no or an unknown credential.
    Unauthorized,
    /// 403: the credential lacks the right.
    Forbidden,
    /// 404: no such thing (or not visible to this credential).
    NotFound,
    /// 409: the request conflicts with what is stored.
    Conflict,
    /// 413: the request is too large.
    TooLarge,
    /// 422: a value is invalid.
    Unprocessable,
    /// 500: onshi failed; nothing was half-written.
    Internal,
    /// 503: onshi cannot serve now.
    Unavailable,
}

/// A refusal or failure, as a user sees it.
#[derive(Debug, Clone, thiserror::Error, Serialize, ToSchema)]
#[error("{code}: {message}")]
pub struct ServiceError {
    #[serde(skip)]
    pub kind: ErrorKind,
    /// Stable snake_case code (see the API reference).
    pub code: &'static str,
    /// What is wrong, in plain words.
    pub message: String,
    /// The JSON path of the field concerned, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// What to do next.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_step: Option<&'static str>,
    /// Structured details (e.g. the linkage reasons of a refused link).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Object)]
    pub details: Option<Box<serde_json::Value>>,
}

impl ServiceError {
    /// A new error without field, next step or details.
    pub fn new(kind: ErrorKind, code: &'static str, message: impl Into<String>) -> Self {
        ServiceError { kind, code, message: message.into(), field: None, next_step: None, details: None }
    }

    /// 422 with `code` about `field`.
    pub fn invalid(code: &'static str, field: &str, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unprocessable, code, message).at(field)
    }

    /// 422 `invalid_value` about `field`.
    pub fn invalid_value(field: &str, message: impl Into<String>) -> Self {
        Self::invalid("invalid_value", field, message)
    }

    /// The JSON path this error concerns.
    pub fn at(mut self, field: &str) -> Self {
        self.field = Some(field.to_owned());
        self
    }

    /// What the person should do next.
    pub fn next(mut self, step: &'static str) -> Self {
        self.next_step = Some(step);
        self
    }

    /// Structured details.
    pub fn with_details(mut self, d: serde_json::Value) -> Self {
        self.details = Some(Box::new(d));
        self
    }

    pub fn unauthorized() -> Self {
        Self::new(
            ErrorKind::Unauthorized,
            "unauthorized",
            "this request needs a credential: send `Authorization: Bearer <token>`",
        )
        .next("ask your onshi administrator for a token for your role")
    }

    pub fn forbidden(what: &str) -> Self {
        Self::new(ErrorKind::Forbidden, "forbidden", format!("this credential may not {what}"))
            .next("use a credential issued for this role (and, for insurers, this insurer)")
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(ErrorKind::NotFound, "not_found", format!("{what} does not exist"))
    }

    /// An internal failure. The cause goes to the log; the user gets a plain message.
    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        Self::new(ErrorKind::Internal, "internal_error", "onshi failed to complete the request; nothing was changed")
            .next("try again; if it keeps failing, tell the onshi operator (the request id is in the logs)")
    }
}

impl From<onshi_store::StoreError> for ServiceError {
    fn from(e: onshi_store::StoreError) -> Self {
        use onshi_store::StoreError as E;
        match e {
            E::Duplicate { existing } => ServiceError::new(
                ErrorKind::Conflict,
                "duplicate_member",
                format!(
                    "this insurer, symbol, number and branch is already enrolled for overlapping dates (member {existing})"
                ),
            )
            .next("record a loss for the existing member first, or correct the dates"),
            E::InsuredNotFound => ServiceError::invalid(
                "insured_not_found",
                "relationship",
                "a dependent needs an insured member (被保険者) with the same insurer, symbol and number",
            )
            .next("enrol the insured person first, then the dependent"),
            E::MemberNotFound(id) => ServiceError::not_found(&format!("member {id}")),
            E::Ledger(l) => ServiceError::invalid_value(ledger_field(&l), l.to_string()),
            E::Closed => ServiceError::new(ErrorKind::Unavailable, "unavailable", E::Closed.to_string())
                .next("try again in a moment"),
            other => ServiceError::internal(&other),
        }
    }
}

/// The request field a ledger refusal concerns.
fn ledger_field(e: &onshi_ledger::LedgerError) -> &'static str {
    use onshi_ledger::LedgerError as L;
    match e {
        L::LostBeforeAcquired { .. } => "lost_on",
        L::AcquiredBeforeBirth { .. } => "acquired_on",
        _ => "effective_on",
    }
}

/// The result type of every use-case.
pub type Result<T, E = ServiceError> = std::result::Result<T, E>;
