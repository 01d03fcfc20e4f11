//! Errors of issuing and reading documents (the verifier's answers are [`crate::Verdict`]s, not
//! errors: a forged document is an expected input).

use thiserror::Error;

/// What went wrong while building, signing or loading.
#[derive(Debug, Error)]
pub enum DocumentError {
    /// A document breaks one of [`crate::Document::validate`]'s rules.
    #[error("document field {field} is invalid: {reason}")]
    Invalid {
        /// The field.
        field: &'static str,
        /// A stable reason code.
        reason: &'static str,
    },
    /// A key could not be read (PEM/PKCS#8/SPKI) or is not a P-256 key.
    #[error("key is unreadable: {0}")]
    Key(String),
    /// A key set or revocation list file could not be read.
    #[error("{what} is unreadable: {reason}")]
    Unreadable {
        /// What was being read.
        what: &'static str,
        /// Why.
        reason: String,
    },
    /// CBOR/COSE encoding failed (a bug, never input-derived).
    #[error("encoding failed: {0}")]
    Encoding(String),
}

impl DocumentError {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            DocumentError::Invalid { .. } => "invalid_document",
            DocumentError::Key(_) => "document_key_unreadable",
            DocumentError::Unreadable { .. } => "document_trust_unreadable",
            DocumentError::Encoding(_) => "document_encoding_failed",
        }
    }

    /// The next step for whoever sees it (an insurer's clerk or an operator).
    pub fn next_step(&self) -> &'static str {
        match self {
            DocumentError::Invalid { .. } => "記載事項を確認し、誤りを直してから交付し直してください。",
            DocumentError::Key(_) => {
                "Check the signing key file (PKCS#8 PEM, P-256) or create one with `onshi doc keygen`."
            }
            DocumentError::Unreadable { .. } => {
                "公開鍵・失効リストを取り込み直してください（onshi doc fetch、またはシステム管理者に連絡）。"
            }
            DocumentError::Encoding(_) => "Report this to the onshi maintainers with the document's serial.",
        }
    }
}
