//! The one error type every use-case returns. Each error has a stable `code` (the contract's), a plain
//! message, the JSON field it concerns, and the next step for the person who sees it.
//!
//! # Codes
//!
//! The codes are the contract's (../shared/spec/api.md): `malformed_json`, `unknown_field`,
//! `missing_field`, `invalid_date`, `invalid_value`, `invalid_my_number`, `invalid_insurer_number`,
//! `unauthorized`, `forbidden`, `not_found`, `linkage_rejected`, `copay_ratio_mismatch`, `duplicate_member`,
//! `branch_required`. Where a more specific cause exists (which identifier rule failed, why the ledger
//! refused), it is in `reason`, never in a code of its own: a symbol, number or branch that is not one is
//! `invalid_value` with `field` naming it. onshi adds codes only where the contract names nothing that fits
//! ([`PROJECT_CODES`]): `exact_number_required` (409, numbers that differ only by leading zeros),
//! `symbol_required` (409, a check without the 記号 whose other fields match people under several 記号),
//! `payload_too_large` (413), `method_not_allowed` (405), `timeout` and `unavailable` (503),
//! `internal_error` (500), `death_already_recorded` and `registry_event_decided` (409, registry events), and the
//! card endpoints' own codes.
//!
//! # The next step
//!
//! Every error carries a next step: [`ServiceError::new`] starts from the default of its code (or of its
//! kind), and [`ServiceError::next`] replaces it with a more precise one.

use serde::Serialize;
use utoipa::ToSchema;

/// The error codes of the contract.
pub const CONTRACT_CODES: &[&str] = &[
    "malformed_json",
    "unknown_field",
    "missing_field",
    "invalid_date",
    "invalid_value",
    "invalid_my_number",
    "invalid_insurer_number",
    "unauthorized",
    "forbidden",
    "not_found",
    "linkage_rejected",
    "copay_ratio_mismatch",
    "duplicate_member",
    "branch_required",
];

/// The codes onshi adds where the contract names nothing that fits (the card endpoints, an extension, have
/// their own in `onshi_card`).
pub const PROJECT_CODES: &[&str] = &[
    "exact_number_required",
    "symbol_required",
    "payload_too_large",
    "method_not_allowed",
    "timeout",
    "unavailable",
    "internal_error",
    "credential_revoked",
    "credential_expired",
    "store_unavailable",
    "death_already_recorded",
    "registry_event_decided",
    // the My Number link lifecycle (docs/api.md)
    "link_pending_confirmation",
    "link_suspended",
    "link_changed",
    "link_already_suspended",
    "no_link",
    "already_linked",
    "registry_no_match",
    "registry_multiple_matches",
];

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
    /// 429: the caller asks too much at once (its own share is used up; others are unaffected).
    TooManyRequests,
    /// 500: onshi failed; nothing was half-written.
    Internal,
    /// 503: onshi cannot serve now.
    Unavailable,
}

impl ErrorKind {
    /// Every kind (tests walk them).
    pub const ALL: [ErrorKind; 10] = [
        ErrorKind::BadRequest,
        ErrorKind::Unauthorized,
        ErrorKind::Forbidden,
        ErrorKind::NotFound,
        ErrorKind::Conflict,
        ErrorKind::TooLarge,
        ErrorKind::Unprocessable,
        ErrorKind::TooManyRequests,
        ErrorKind::Internal,
        ErrorKind::Unavailable,
    ];
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
    /// What to do next. Every error has one.
    #[schema(value_type = String)]
    pub next_step: &'static str,
    /// The specific, stable cause within the code, when there is a finer one: e.g. `too_long`,
    /// `check_digit`, `wrong_length` for an identifier; `lost_before_acquired` for a refused loss;
    /// `insured_not_found` for a dependent without an insured member.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub reason: Option<&'static str>,
    /// Structured details (e.g. the linkage reasons of a refused link).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Object)]
    pub details: Option<Box<serde_json::Value>>,
}

/// The next step of an error with no more precise one: by its code, else by its kind.
pub fn default_next_step(kind: ErrorKind, code: &str) -> &'static str {
    match code {
        "malformed_json" => "send the body as one JSON object in UTF-8 (Content-Type: application/json)",
        "unknown_field" => "remove the field or correct its spelling (see GET /openapi.json)",
        "missing_field" => "add the field named in `field` (GET /openapi.json lists the required fields)",
        "invalid_date" => "write the date as YYYY-MM-DD, a day that exists (the legal day in Japan)",
        "invalid_value" => "correct the value of the field named in `field` (GET /openapi.json says what it accepts)",
        "invalid_my_number" => "check the 12 digits against the My Number card or notification",
        "invalid_insurer_number" => "check the 保険者番号 printed on the card or 資格確認書 (8 digits, 6 for 国保)",
        "unauthorized" => "send `Authorization: Bearer <token>` with a token your onshi administrator issued",
        "forbidden" => "use a credential issued for this role (and, for insurers, this insurer)",
        "not_found" => "check the identifier in the request path",
        "duplicate_member" => "record a loss for the existing member first, or correct the dates",
        "branch_required" => "ask for the card or 資格確認書 and send its 枝番 (branch)",
        "symbol_required" => {
            "ask for the card or 資格確認書 and send its 記号 (symbol) exactly as printed, with its 枝番 (branch)"
        }
        "exact_number_required" => {
            "send the number exactly as printed on the card or 資格確認書, with its leading zeros"
        }
        "payload_too_large" => "send one record per request",
        "method_not_allowed" => "use a method this route takes (see GET /openapi.json)",
        "timeout" => "try again; a write that timed out may or may not have been stored: read it back first",
        "credential_revoked" | "credential_expired" => {
            "ask your onshi administrator for a new token (POST /admin/v1/credentials), and discard this one"
        }
        "store_unavailable" => {
            "nothing was stored: tell the onshi operator to restart onshi (GET /healthz answers 503 until then); \
             checks by number keep reading"
        }
        _ => match kind {
            ErrorKind::BadRequest => "correct the request (see GET /openapi.json) and send it again",
            ErrorKind::Unauthorized => "ask your onshi administrator for a token for your role",
            ErrorKind::Forbidden => "use a credential issued for this role",
            ErrorKind::NotFound => "check the identifier in the request",
            ErrorKind::Conflict => "read the current state back, then correct the request",
            ErrorKind::TooLarge => "send a smaller request",
            ErrorKind::Unprocessable => "correct the value named in `field` and send the request again",
            ErrorKind::TooManyRequests => "wait a moment, then try again",
            ErrorKind::Internal => {
                "try again; if it keeps failing, tell the onshi operator (the request id is in the x-request-id header)"
            }
            ErrorKind::Unavailable => "try again in a moment",
        },
    }
}

impl ServiceError {
    /// A new error without field or details, with the default next step of its code.
    pub fn new(kind: ErrorKind, code: &'static str, message: impl Into<String>) -> Self {
        ServiceError {
            kind,
            code,
            message: message.into(),
            field: None,
            next_step: default_next_step(kind, code),
            reason: None,
            details: None,
        }
    }

    /// 422 with `code` about `field`.
    pub fn invalid(code: &'static str, field: &str, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unprocessable, code, message).at(field)
    }

    /// 422 `invalid_value` about `field`.
    pub fn invalid_value(field: &str, message: impl Into<String>) -> Self {
        Self::invalid("invalid_value", field, message)
    }

    /// An identifier that is not one, with the identifier's own code when the contract has one
    /// (`invalid_my_number`, `invalid_insurer_number`) and `invalid_value` otherwise (symbol, number,
    /// branch, institution code); the identifier rule that failed is the `reason`.
    pub fn invalid_id(e: &onshi_ids::IdError, field: &str) -> Self {
        use onshi_ids::IdKind as K;
        let code = match e.kind() {
            K::MyNumber => "invalid_my_number",
            K::InsurerNumber => "invalid_insurer_number",
            K::Symbol | K::Number | K::Branch | K::InstitutionCode | K::MunicipalityCode => "invalid_value",
        };
        let next = match e.kind() {
            K::MyNumber => "check the 12 digits against the My Number card or notification",
            K::InsurerNumber => "check the 保険者番号 printed on the card or 資格確認書 (8 digits, 6 for 国保)",
            K::Symbol => {
                "copy the 記号 as printed on the card or 資格確認書 (at most 20 characters), or leave `symbol` out if \
                 the card has none"
            }
            K::Number => "copy the 番号 as printed on the card or 資格確認書 (at most 20 characters)",
            K::Branch => "the 枝番 is the two digits printed after the number (e.g. 00, 01)",
            K::InstitutionCode => "give the 10-digit 医療機関コード (都道府県番号, 点数表番号, then 7 digits)",
            K::MunicipalityCode => "give the 6-digit 全国地方公共団体コード",
        };
        Self::invalid(code, field, e.to_string()).because(e.reason()).next(next)
    }

    /// The JSON path this error concerns.
    pub fn at(mut self, field: &str) -> Self {
        self.field = Some(field.to_owned());
        self
    }

    /// What the person should do next (replaces the default of the code).
    pub fn next(mut self, step: &'static str) -> Self {
        self.next_step = step;
        self
    }

    /// The specific cause within the code.
    pub fn because(mut self, reason: &'static str) -> Self {
        self.reason = Some(reason);
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

    /// 404 `not_found`; the default next step says to check the identifier. Give a precise one with
    /// [`next`](Self::next) where the caller knows where the identifier comes from.
    pub fn not_found(what: &str) -> Self {
        Self::new(ErrorKind::NotFound, "not_found", format!("{what} does not exist"))
    }

    /// 404 for a member id: unknown, or another insurer's (no existence oracle).
    pub fn member_not_found(member_id: &str) -> Self {
        Self::not_found(&format!("member {member_id}")).next(
            "check the member_id: it is the one the enrolment answered (POST /insurer/v1/members); an insurer's \
             credential sees only that insurer's members",
        )
    }

    /// An internal failure. The cause goes to the log; the user gets a plain message.
    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        Self::new(ErrorKind::Internal, "internal_error", "onshi failed to complete the request; nothing was changed")
            .next("try again; if it keeps failing, tell the onshi operator (the request id is in the x-request-id header)")
    }
}

impl From<onshi_store::StoreError> for ServiceError {
    fn from(e: onshi_store::StoreError) -> Self {
        use onshi_store::StoreError as E;
        match e {
            E::Duplicate { existing, number } => ServiceError::new(
                ErrorKind::Conflict,
                "duplicate_member",
                format!(
                    "this insurer, symbol, number and branch is already enrolled for overlapping dates (member \
                     {existing}, number {number}; numbers that differ only by leading zeros are the same number)"
                ),
            )
            .next("record a loss for the existing member first, or correct the dates"),
            E::InsuredNotFound => ServiceError::invalid_value(
                "number",
                "a dependent (被扶養者) needs an insured member (被保険者) with the same insurer, symbol and number, \
                 and there is none",
            )
            .because("insured_not_found")
            .next("enrol the insured person first, then the dependent; or correct the symbol and number"),
            E::MemberNotFound(id) => ServiceError::member_not_found(&id.to_string()),
            E::LinkChanged(id) => ServiceError::new(
                ErrorKind::Conflict,
                "link_changed",
                format!("member {id}'s My Number link was changed by another request while this one was decided"),
            )
            .next(
                "read the link again (GET /insurer/v1/members/{member_id}/link), then decide again: nothing was stored",
            ),
            E::CaseNotFound(id) => ServiceError::not_found(&format!("case {id}")),
            E::Ledger(l) if l.is_storage_bug() => ServiceError::internal(&l),
            E::Ledger(l) => ledger_refusal(&l),
            E::Closed => ServiceError::new(ErrorKind::Unavailable, "unavailable", E::Closed.to_string())
                .next("try again in a moment"),
            E::WriterStopped(f) => ServiceError::new(
                ErrorKind::Unavailable,
                "store_unavailable",
                E::WriterStopped(f).to_string(),
            )
            .next("nothing was stored: tell the onshi operator to restart onshi (GET /healthz answers 503 until then)"),
            E::Unavailable(why) => {
                tracing::error!(error = %why, "the PostgreSQL store is unavailable");
                ServiceError::new(
                    ErrorKind::Unavailable,
                    "store_unavailable",
                    "the store (PostgreSQL) cannot be reached or did not answer in time",
                )
                .next(
                    "try again in a moment; if it keeps failing, tell the onshi operator (the server log says why: \
                     an unreachable or read-only server, or a synchronous standby that does not answer)",
                )
            }
            E::RegistryEventDecided(id) => ServiceError::new(
                ErrorKind::Conflict,
                "registry_event_decided",
                format!("registry event {id} was already decided"),
            )
            .next("read the event (GET /insurer/v1/registry-events?status=all) to see who decided it, and when"),
            E::RegistryEventNotFound(id) => ServiceError::not_found(&format!("registry event {id}")).next(
                "list your open events with GET /insurer/v1/registry-events and use an event_id from there; an \
                 insurer sees only the events of its own members",
            ),
            E::ResidentNotFound => ServiceError::not_found("a resident with this My Number").next(
                "check the 12 digits; a resident not registered yet is written with PUT \
                 /registry/v1/residents/{my_number}",
            ),
            E::DeathRecorded(d) => ServiceError::new(
                ErrorKind::Conflict,
                "death_already_recorded",
                format!("a death is already recorded for this resident (died on {d})"),
            )
            .next("a death is recorded once; if the recorded date is wrong, tell the registry's operator"),
            other => ServiceError::internal(&other),
        }
    }
}

/// A change the ledger refused: `invalid_value` on the field at fault, the ledger's reason, and what to do.
fn ledger_refusal(l: &onshi_ledger::LedgerError) -> ServiceError {
    use onshi_ledger::LedgerError as L;
    let field = l.field().unwrap_or("effective_on");
    let next = match l {
        L::LostBeforeAcquired { .. } => {
            "lost_on is the first day without coverage: give a date on or after the acquisition (資格取得日), \
             or read the member (GET /insurer/v1/members/{member_id}) to see its dates"
        }
        L::AcquiredBeforeBirth { .. } => "give an acquisition date on or after the birth date",
        L::ChangeBeforeAcquired { .. } => "give an effective_on on or after the acquisition date (資格取得日)",
        L::NotAcquired => "the acquisition was voided: enrol the member again",
        L::EmptyChange => "give at least one of name, name_kana, address, income_bracket, copay_ratio",
        L::NoCopayOverride { .. } => {
            "read the member (GET /insurer/v1/members/{member_id}): a copay exception ends by itself at the next \
             change of the law's ratio (70, 75, a new income bracket); to state a new one, send a change with \
             copay_ratio"
        }
        _ => "read the member's history (GET /insurer/v1/members/{member_id}) and correct the request",
    };
    ServiceError::invalid_value(field, l.to_string()).because(l.reason()).next(next)
}

/// The result type of every use-case.
pub type Result<T, E = ServiceError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;
    use onshi_ids::{Branch, InstitutionCode, InsuredNumber, InsurerNumber, MunicipalityCode, MyNumber, Symbol};
    use onshi_law::Date;
    use onshi_ledger::{LedgerError, Seq};
    use onshi_store::{MemberId, StoreError};

    fn d(y: i32, m: u32, day: u32) -> Date {
        Date::from_ymd_opt(y, m, day).unwrap_or(Date::MIN)
    }

    fn assert_complete(e: &ServiceError) {
        assert!(!e.code.is_empty() && e.code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'), "{e:?}");
        assert!(!e.message.trim().is_empty(), "{e:?}");
        assert!(!e.next_step.trim().is_empty(), "{e:?}");
        let json = serde_json::to_value(e).unwrap_or_default();
        assert!(json["next_step"].as_str().is_some_and(|n| !n.trim().is_empty()), "{json}");
        assert!(
            CONTRACT_CODES.contains(&e.code) || PROJECT_CODES.contains(&e.code),
            "{} is neither a contract code nor one onshi documents",
            e.code
        );
    }

    /// Every error a use-case can build has a stable code, a message and a next step.
    #[test]
    fn every_error_has_a_code_a_message_and_a_next_step() {
        let mut all = Vec::new();
        for kind in ErrorKind::ALL {
            for code in CONTRACT_CODES.iter().chain(PROJECT_CODES) {
                all.push(ServiceError::new(kind, code, "x"));
            }
        }
        all.extend([
            ServiceError::unauthorized(),
            ServiceError::forbidden("do this"),
            ServiceError::not_found("x"),
            ServiceError::member_not_found("7"),
            ServiceError::internal(&"boom"),
            ServiceError::invalid_value("f", "bad"),
        ]);
        let ledger = [
            LedgerError::FirstNotAcquire { found: "lose" },
            LedgerError::AcquiredBeforeBirth { acquired_on: d(2000, 1, 1), birth_date: d(2001, 1, 1) },
            LedgerError::LostBeforeAcquired { lost_on: d(2000, 1, 1), acquired_on: d(2001, 1, 1) },
            LedgerError::ChangeBeforeAcquired { effective_on: d(2000, 1, 1), acquired_on: d(2001, 1, 1) },
            LedgerError::NotAcquired,
            LedgerError::VoidUnknownEntry { target: Seq(1) },
            LedgerError::VoidOfVoid { target: Seq(1) },
            LedgerError::AlreadyVoided { target: Seq(1) },
            LedgerError::EmptyChange,
            LedgerError::NoCopayOverride { effective_on: d(2000, 1, 1) },
            LedgerError::SeqNotIncreasing { last: Seq(2), got: Seq(1) },
            LedgerError::RecordedBeforePrevious { last: onshi_ledger::RecordedAt(2), got: onshi_ledger::RecordedAt(1) },
        ];
        for l in ledger {
            let storage_bug = l.is_storage_bug();
            let e = ServiceError::from(StoreError::Ledger(l));
            if storage_bug {
                assert_eq!(e.code, "internal_error");
            } else {
                assert_eq!((e.code, e.kind), ("invalid_value", ErrorKind::Unprocessable));
                assert!(e.field.is_some() && e.reason.is_some(), "{e:?}");
            }
            all.push(e);
        }
        for s in [
            StoreError::Duplicate { existing: MemberId(1), number: "01".into() },
            StoreError::InsuredNotFound,
            StoreError::MemberNotFound(MemberId(1)),
            StoreError::Corrupt("x".into()),
            StoreError::Open { path: "p".into(), reason: "r".into() },
            StoreError::DuplicateCertificate("s".into()),
            StoreError::CertificateNotFound("s".into()),
            StoreError::ResidentNotFound,
            StoreError::DeathRecorded(d(2000, 1, 1)),
            StoreError::RegistryEventNotFound(1),
            StoreError::RegistryEventDecided(1),
            StoreError::Closed,
            StoreError::WriterStopped("onshi.sqlite3".into()),
            StoreError::CredentialNotFound("C0".into()),
        ] {
            all.push(ServiceError::from(s));
        }
        let ids = [
            (MyNumber::parse("1").err(), "invalid_my_number"),
            (InsurerNumber::parse("06139993").err(), "invalid_insurer_number"),
            (Symbol::parse("").err(), "invalid_value"),
            (InsuredNumber::parse("1\u{7}").err(), "invalid_value"),
            (Branch::parse("1").err(), "invalid_value"),
            (InstitutionCode::parse("1").err(), "invalid_value"),
            (MunicipalityCode::parse("1").err(), "invalid_value"),
        ];
        for (e, code) in ids {
            let Some(e) = e else { panic!("{code}: the example must be invalid") };
            let s = ServiceError::invalid_id(&e, "f");
            assert_eq!((s.code, s.field.as_deref(), s.reason), (code, Some("f"), Some(e.reason())));
            all.push(s);
        }
        for e in &all {
            assert_complete(e);
        }
    }

    /// The contract's codes only: the identifier rules of symbol, number and branch, and a dependent with no
    /// insured member, are `invalid_value` with the field and the precise reason.
    #[test]
    fn specific_causes_are_reasons_not_codes() {
        let e = ServiceError::from(StoreError::InsuredNotFound);
        assert_eq!(
            (e.kind, e.code, e.field.as_deref(), e.reason),
            (ErrorKind::Unprocessable, "invalid_value", Some("number"), Some("insured_not_found"))
        );
        let e = ServiceError::invalid_id(&Symbol::parse(&"1".repeat(21)).expect_err("too long"), "symbol");
        assert_eq!((e.code, e.reason), ("invalid_value", Some("too_long")));
        assert!(e.message.contains("at most 20"), "{}", e.message);
        let json = serde_json::to_value(&e).unwrap_or_default();
        assert_eq!(json["reason"], "too_long");
        assert_eq!(json["field"], "symbol");
        // no reason → no key
        let json = serde_json::to_value(ServiceError::not_found("x")).unwrap_or_default();
        assert!(json.get("reason").is_none() && json.get("details").is_none(), "{json}");
        // a more precise next step replaces the default
        let e = ServiceError::invalid_value("f", "x").next("do this");
        assert_eq!(e.next_step, "do this");
    }
}
