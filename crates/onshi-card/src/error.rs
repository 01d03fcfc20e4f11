//! Every way a card, its PIN or its answer can fail, with a stable code and the next step for the person at
//! the counter.

/// A refusal of a card, a PIN or a card's answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CardError {
    /// The PIN is not four digits (nothing was charged).
    #[error("the PIN must be exactly 4 digits")]
    PinMalformed,
    /// A wrong PIN; `tries_left` more before the card locks.
    #[error("wrong PIN: {tries_left} tries left before the card locks")]
    PinWrong { tries_left: u8 },
    /// Three wrong PINs: the 利用者証明用電子証明書 is locked.
    #[error("the PIN is locked after 3 wrong tries")]
    PinLocked,
    /// The unblocking code (for the municipal office) is wrong.
    #[error("the PIN reset code is wrong")]
    ResetCodeWrong,
    /// The card file cannot be read as a card.
    #[error("the card file cannot be read: {0}")]
    FileUnreadable(String),
    /// The card file cannot be written (the PIN counter must be written before a PIN is checked).
    #[error("the card file cannot be written: {0}")]
    FileUnwritable(String),
    /// A certificate that is not DER X.509, or not RSA/SHA256withRSA.
    #[error("the certificate cannot be read: {0}")]
    CertificateMalformed(String),
    /// The certificate was not issued by onshi's issuing CA.
    #[error("the certificate was not issued by this system's certification authority")]
    UntrustedIssuer,
    /// The certificate's signature does not verify under the CA.
    #[error("the certificate's signature does not verify: it was altered or forged")]
    CertificateForged,
    /// The card's answer to the challenge does not verify under the certificate's key.
    #[error("the card's signature does not verify under its certificate (a swapped certificate or a forged card)")]
    SignatureInvalid,
    /// The signed 券面事項 do not verify: a name, date or number on the card was changed.
    #[error("the card's printed information (券面事項) was altered: its issuer signature does not verify")]
    SurfaceAltered,
    /// The 券面事項 belong to another certificate than the one presented.
    #[error("the card's printed information belongs to another certificate")]
    CertificateMismatch,
    /// A certificate dated in the future.
    #[error("the certificate is not valid before {from}")]
    NotYetValid { from: String },
    /// Expired and past the grace period.
    #[error("the certificate expired on {expired_on}; the grace period ended on {grace_ended}")]
    Expired { expired_on: String, grace_ended: String },
    /// A malformed value in a card, a key or an answer.
    #[error("{0}")]
    Malformed(String),
    /// Randomness or a cryptographic primitive failed (not the user's fault).
    #[error("a cryptographic operation failed: {0}")]
    Crypto(String),
}

impl CardError {
    /// The stable code of the refusal.
    pub fn code(&self) -> &'static str {
        match self {
            CardError::PinMalformed => "pin_malformed",
            CardError::PinWrong { .. } => "pin_wrong",
            CardError::PinLocked => "pin_locked",
            CardError::ResetCodeWrong => "pin_reset_code_wrong",
            CardError::FileUnreadable(_) => "card_unreadable",
            CardError::FileUnwritable(_) => "card_unwritable",
            CardError::CertificateMalformed(_) => "card_certificate_malformed",
            CardError::UntrustedIssuer => "card_untrusted_issuer",
            CardError::CertificateForged => "card_certificate_forged",
            CardError::SignatureInvalid => "card_signature_invalid",
            CardError::SurfaceAltered => "card_surface_altered",
            CardError::CertificateMismatch => "card_certificate_mismatch",
            CardError::NotYetValid { .. } => "card_not_yet_valid",
            CardError::Expired { .. } => "card_expired",
            CardError::Malformed(_) => "card_malformed",
            CardError::Crypto(_) => "card_crypto_failure",
        }
    }

    /// What the receptionist (or the patient) should do next.
    pub fn next_step(&self) -> &'static str {
        match self {
            CardError::PinMalformed => {
                "ask the patient to enter the 4-digit PIN (利用者証明用電子証明書の暗証番号) again"
            }
            CardError::PinWrong { .. } => {
                "ask the patient to enter the PIN again carefully; if unsure, use face authentication instead (顔認証) — \
                 a third wrong PIN locks the card"
            }
            CardError::PinLocked => {
                "today: check by face authentication on the reader (顔認証), or by the insurance number on the \
                 資格確認書 or 資格情報のお知らせ; the patient can have the PIN reset at the municipal office \
                 (市区町村窓口) with the card and photo ID"
            }
            CardError::ResetCodeWrong => "check the PIN reset code issued with the card (held by the municipal office)",
            CardError::FileUnreadable(_) | CardError::Malformed(_) => {
                "the card cannot be read: try again; if it keeps failing, check by the insurance number (資格確認書) \
                 and ask the patient to have the card checked at the municipal office"
            }
            CardError::FileUnwritable(_) => {
                "the reader could not record the PIN attempt, so no PIN was checked: check the reader and try again"
            }
            CardError::CertificateMalformed(_)
            | CardError::UntrustedIssuer
            | CardError::CertificateForged
            | CardError::SignatureInvalid
            | CardError::SurfaceAltered
            | CardError::CertificateMismatch => {
                "do not accept this card: check by the insurance number on the 資格確認書 and photo ID; report a \
                 possibly forged card to the municipal office"
            }
            CardError::NotYetValid { .. } => "check the reader's clock; meanwhile check by the insurance number",
            CardError::Expired { .. } => {
                "the electronic certificate expired more than 3 months ago: check by the insurance number on the \
                 資格確認書 (or 資格情報のお知らせ) today, and ask the patient to renew the certificate at the municipal \
                 office (市区町村窓口)"
            }
            CardError::Crypto(_) => "try again; if it keeps failing, tell the onshi operator",
        }
    }
}

pub type Result<T, E = CardError> = std::result::Result<T, E>;
