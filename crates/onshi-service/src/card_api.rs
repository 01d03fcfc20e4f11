//! The request and response bodies of the card endpoints (マイナ保険証), an extension of the contract's
//! clinic and registry roles. Binary values (certificates, signatures, the signed 券面事項) travel as
//! standard base64; dates are `YYYY-MM-DD`, timestamps RFC 3339.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::{CoverageView, EligibilityAnswer, Notice};

/// `POST /registry/v1/cards`: issue a 利用者証明用電子証明書 for a resident's new card. The key pair is made
/// on the card (by `onshi card issue`); only its public key comes here.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CardIssueBody {
    /// The resident's 12-digit My Number (the 券面事項 are taken from the registry).
    pub my_number: String,
    /// The card's RSA-2048 public key, DER SubjectPublicKeyInfo, base64.
    pub public_key: String,
    /// The issue date (defaults to today in Japan); a past date registers a card issued earlier.
    #[serde(default)]
    #[schema(format = Date)]
    pub issued_on: Option<String>,
}

/// What the issuer hands back: everything the card stores besides its key.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CardIssueAnswer {
    /// 32 upper-case hex digits; registered to the My Number.
    pub certificate_serial: String,
    /// The 利用者証明用電子証明書, DER X.509, base64.
    pub certificate: String,
    /// The 券面事項 (JSON), base64 of the exact bytes signed.
    pub surface: String,
    /// The issuer's SHA256withRSA signature over the 券面事項, base64.
    pub surface_signature: String,
    #[schema(format = Date)]
    pub issued_on: String,
    /// The last valid day: the holder's 5th birthday after issuance.
    #[schema(format = Date)]
    pub expires_on: String,
    /// The issuing CA's certificate, DER, base64 (the readers' trust anchor).
    pub issuer_certificate: String,
}

/// `POST /registry/v1/cards/{serial}/revoke`.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CardRevokeBody {
    /// `lost` (紛失), `returned` (返納), `replaced` (再発行), `deceased` (死亡) or `other`.
    pub reason: String,
}

/// A registered certificate and its revocation status.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CardStatusView {
    pub certificate_serial: String,
    pub my_number: String,
    #[schema(format = Date)]
    pub issued_on: String,
    #[schema(format = Date)]
    pub expires_on: String,
    /// `active` or `revoked`.
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revocation_reason: Option<String>,
    /// RFC 3339.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<String>,
}

/// `POST /clinic/v1/card/challenges` answers a single-use nonce.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ChallengeAnswer {
    /// 256 random bits, hex. Answer it once, within `expires_at`.
    pub nonce: String,
    /// RFC 3339.
    pub expires_at: String,
    /// What the card signs (UTF-8): `onshi-card-auth/1:<nonce>`.
    pub card_message: String,
}

/// `POST /clinic/v1/readers`: register the institution's card reader (its key signs face-authentication
/// results).
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReaderBody {
    /// The reader's RSA-2048 public key, DER SubjectPublicKeyInfo, base64.
    pub public_key: String,
}

/// A registered reader.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReaderAnswer {
    pub reader_id: String,
    pub institution: String,
}

/// How the holder was authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CardMethod {
    /// The card signed the challenge after the 4-digit PIN.
    Pin,
    /// The reader's face authentication matched the card's photo (a signed assertion of the reader).
    Face,
}

/// A registered reader's statement that the face matched (顔認証).
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FaceAssertion {
    pub reader_id: String,
    /// SHA256withRSA by the reader's key over `onshi-face-auth/1:<nonce>:<certificate serial>:matched`, base64.
    pub signature: String,
}

/// What the patient answered on the reader.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsentBody {
    /// 薬剤情報 (medication, 3 years) may be shown.
    pub medication: bool,
    /// 特定健診等情報 (checkups, 5 years) may be shown.
    pub checkup: bool,
}

/// `POST /clinic/v1/card/eligibility`: a card's answer to a challenge.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CardCheckBody {
    /// The nonce from `POST /clinic/v1/card/challenges`.
    pub nonce: String,
    /// The card's certificate, DER, base64.
    pub certificate: String,
    /// The card's signed 券面事項, base64 of the bytes as stored.
    pub surface: String,
    pub surface_signature: String,
    pub method: CardMethod,
    /// With `pin`: the card's signature over `card_message`, base64.
    #[serde(default)]
    pub signature: Option<String>,
    /// With `face`: the reader's assertion.
    #[serde(default)]
    pub face: Option<FaceAssertion>,
    /// The consent given on the reader (absent: asked and declined).
    #[serde(default)]
    pub consent: Option<ConsentBody>,
    /// Defaults to today in Japan.
    #[serde(default)]
    #[schema(format = Date)]
    pub service_date: Option<String>,
}

/// The card's holder, from the signed 券面事項.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CardHolderView {
    pub name: String,
    #[schema(format = Date)]
    pub birth_date: String,
    pub sex: String,
}

/// The certificate's state on the day of the check.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CertificateView {
    pub serial: String,
    #[schema(format = Date)]
    pub expires_on: String,
    /// `valid`, or `grace` (expired, still accepted until `grace_until`).
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(format = Date)]
    pub grace_until: Option<String>,
}

/// The consent as recorded.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ConsentView {
    pub medication: bool,
    pub checkup: bool,
    /// RFC 3339: 24 hours after it was given.
    pub expires_at: String,
}

/// The answer to a card check: every coverage linked to the card's holder on the service date.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CardCheckAnswer {
    /// `valid` (a coverage is valid that day: the one shown in `coverage`, chosen by the rule of every check
    /// by person — the newest valid acquisition; when more than one is valid, the notice
    /// `overlapping_coverage` lists the others), `invalid` (linked coverage, none valid that day) or
    /// `not_found` (no coverage linked). (`multiple` was answered for overlapping coverage before issue 10; it
    /// is no longer.)
    pub result: String,
    /// The coverage shown when `result` is `valid`.
    pub coverage: Option<CoverageView>,
    /// Every linked coverage, each answered as `POST /clinic/v1/eligibility` would.
    pub coverages: Vec<EligibilityAnswer>,
    pub holder: CardHolderView,
    pub certificate: CertificateView,
    pub method: CardMethod,
    pub consent: ConsentView,
    pub notices: Vec<Notice>,
    /// When the data answered was last changed (RFC 3339).
    pub as_of: String,
}
pub use crate::cards::MAX_CHALLENGES_PER_INSTITUTION;
