//! The OpenAPI 3 document, generated from the handlers' annotations and the bodies' types.

use std::sync::OnceLock;

use onshi_service::api::*;
use onshi_service::card_api::*;
use onshi_service::corrections_api::*;
use onshi_service::link_api::*;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::ErrorBody;

struct Bearer;

impl Modify for Bearer {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "onshi",
        description = "Online health-insurance eligibility verification (オンライン資格確認): the resident registry, \
                       insurers' members with verified My Number links, and eligibility checks for clinics. \
                       Errors are `{\"error\": {\"code\", \"message\", \"field\"?, \"next_step\", \"reason\"?}}` (every error \
                       says what to do next; `reason` is the specific cause when it is finer than the code); dates are YYYY-MM-DD \
                       (the legal day in Japan).",
    ),
    paths(
        crate::healthz,
        crate::issue_credential,
        crate::list_credentials,
        crate::revoke_credential,
        crate::access_log,
        crate::put_resident,
        crate::get_resident,
        crate::search_registry,
        crate::enrol,
        crate::get_member,
        crate::lose,
        crate::change,
        crate::check,
        crate::cards::issue_card,
        crate::cards::card_status,
        crate::cards::revoke_card,
        crate::cards::register_reader,
        crate::cards::challenge,
        crate::cards::card_check,
        crate::documents::verify_document,
        crate::corrections::void_entry,
        crate::corrections::correct_date,
        crate::corrections::withdraw_copay,
        crate::corrections::record_death,
        crate::corrections::registry_events,
        crate::corrections::accept,
        crate::corrections::reject,
        crate::links::link,
        crate::links::link_view,
        crate::links::unlink,
        crate::links::confirm,
        crate::links::suspend,
        crate::links::link_search,
        crate::links::reads,
        crate::links::import_cases,
        crate::links::cases,
        crate::links::case,
    ),
    components(schemas(
        ErrorBody, onshi_service::documents::DocumentVerifyBody, onshi_service::documents::DocumentVerifyAnswer, CredentialBody, CredentialAnswer, CredentialView, CredentialList, AccessLineView, AccessLogView, ResidentBody, ResidentView, SearchBody, SearchAnswer,
        EnrolBody, EnrolAnswer, LinkageView, LossBody, ChangeBody, MemberView, HistoryView, EligibilityBody,
        EligibilityAnswer, CoverageView, Notice, SexValue, RelationshipValue, IncomeBracketValue,
        CardIssueBody, CardIssueAnswer, CardRevokeBody, CardStatusView, ChallengeAnswer, ReaderBody, ReaderAnswer,
        CardMethod, FaceAssertion, ConsentBody, CardCheckBody, CardHolderView, CertificateView, ConsentView,
        CardCheckAnswer, VoidedView, VoidBody, DateCorrectionBody, CopayWithdrawalBody, DeathBody, DeathAnswer,
        DecisionBody, RegistryEventView, RegistryEventList, LinkBody, ConfirmBody, ReasonBody, LinkSearchBody, ConfirmationView,
        LinkEventView, LinkView, ReadView, ReadsAnswer, CaseView, SkippedRow, CaseImportBody, CaseImportAnswer, CasesAnswer,
    )),
    modifiers(&Bearer),
    tags(
        (name = "registry", description = "住基ネット role: the basic four by My Number"),
        (name = "insurer", description = "中間サーバー role: members, histories, linking"),
        (name = "clinic", description = "医療機関・薬局 role: eligibility"),
        (name = "cards", description = "マイナ保険証: certificates (registry role), readers, challenges and the check by \
                                          card (clinic role)"),
        (name = "links", description = "中間サーバー role: My Number links after enrolment (add, replace, remove, \
                                          本人確認, 閲覧停止, registry search), who read a member's data, and the cases \
                                          of 総点検"),
        (name = "admin", description = "credentials"),
        (name = "operations", description = "health"),
    )
)]
struct ApiDoc;

/// The OpenAPI document as JSON (built once).
pub fn openapi_json() -> String {
    static DOC: OnceLock<String> = OnceLock::new();
    DOC.get_or_init(|| ApiDoc::openapi().to_pretty_json().unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))).clone()
}
