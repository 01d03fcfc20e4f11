//! The revocation list: every document that must no longer be accepted, because it was reissued
//! (what it shows changed: the old one becomes invalid), its coverage was lost, it was reported
//! lost, or it was issued in error. Signed as a COSE_Sign1 by a system key, so a verifier can
//! cache it and check it offline; each list has a sequence number and an issue time, and the
//! verifier shows its age.

use chrono::{DateTime, Utc};
use onshi_law::Date;
use serde::{Deserialize, Serialize};

use crate::cose::{Envelope, seal};
use crate::error::DocumentError;
use crate::keys::{DocumentSigner, KeySet, SYSTEM_ISSUER};

/// The external data of a revocation list's signature: a document's signature never verifies as one.
const REVOCATION_AAD: &[u8] = b"onshi-revocation/1";

/// Why a document was revoked.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RevocationReason {
    /// 再交付: what it shows changed and a new one was issued.
    Reissued,
    /// 資格喪失: the coverage it proves has ended.
    CoverageLost,
    /// 紛失・盗難の届出.
    ReportedLost,
    /// 誤交付.
    IssuedInError,
}

impl RevocationReason {
    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            RevocationReason::Reissued => "reissued",
            RevocationReason::CoverageLost => "coverage_lost",
            RevocationReason::ReportedLost => "reported_lost",
            RevocationReason::IssuedInError => "issued_in_error",
        }
    }

    /// The reason in Japanese, as the verifier shows it.
    pub fn label_ja(self) -> &'static str {
        match self {
            RevocationReason::Reissued => "記載事項の変更により再交付されたため、この書面は無効です",
            RevocationReason::CoverageLost => "資格を喪失したため、この書面は無効です",
            RevocationReason::ReportedLost => "紛失・盗難の届出があったため、この書面は無効です",
            RevocationReason::IssuedInError => "誤って交付されたため、この書面は無効です",
        }
    }
}

/// One revoked document.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Revocation {
    /// The document's serial.
    pub serial: String,
    /// Why.
    pub reason: RevocationReason,
    /// From which legal day it is no longer accepted.
    pub revoked_on: Date,
    /// The serial of the document that replaces it, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaced_by: Option<String>,
}

/// A revocation list as signed.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct RevocationList {
    /// Increases with every list published.
    pub sequence: u64,
    /// When it was made.
    pub issued_at: DateTime<Utc>,
    /// Every revoked document, sorted by serial.
    pub entries: Vec<Revocation>,
}

impl RevocationList {
    /// The entry for `serial`.
    pub fn find(&self, serial: &str) -> Option<&Revocation> {
        self.entries.binary_search_by(|r| r.serial.as_str().cmp(serial)).ok().map(|i| &self.entries[i])
    }

    /// Sign the list (entries sorted by serial first) with a system key: COSE_Sign1 bytes.
    pub fn sign(mut self, signer: &DocumentSigner) -> Result<Vec<u8>, DocumentError> {
        if signer.issuer() != SYSTEM_ISSUER {
            return Err(DocumentError::Key(format!(
                "a revocation list is signed by a system key, not {}'s",
                signer.issuer()
            )));
        }
        self.entries.sort_by(|a, b| a.serial.cmp(&b.serial));
        let mut payload = Vec::new();
        ciborium::into_writer(&self, &mut payload).map_err(|e| DocumentError::Encoding(e.to_string()))?;
        seal(payload, REVOCATION_AAD, signer)
    }

    /// Read and verify a signed list against the cached keys: only a system key may sign one.
    pub fn open(bytes: &[u8], keys: &KeySet) -> Result<Self, DocumentError> {
        let bad = |reason: &str| DocumentError::Unreadable { what: "revocation list", reason: reason.to_owned() };
        let envelope = Envelope::parse(bytes).ok_or_else(|| bad("not an ES256 COSE_Sign1 with a kid"))?;
        let key = keys
            .find(&envelope.kid)
            .filter(|k| k.issuer == SYSTEM_ISSUER)
            .ok_or_else(|| bad("signed by an unknown or non-system key"))?;
        if !envelope.verifies(REVOCATION_AAD, key) {
            return Err(bad("signature does not verify"));
        }
        let payload = envelope.payload();
        let list: RevocationList = ciborium::from_reader(payload).map_err(|e| bad(&e.to_string()))?;
        if !list.entries.windows(2).all(|w| w[0].serial < w[1].serial) {
            return Err(bad("entries not sorted by serial"));
        }
        Ok(list)
    }
}
