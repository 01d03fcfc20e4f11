//! Signing keys and the published key set a verifier caches.
//!
//! Documents are signed with ECDSA P-256 / SHA-256 (COSE `ES256`), as the EU Digital COVID
//! Certificate: a 64-byte signature keeps the QR small. A key is named by its `kid`: the first 8
//! bytes of the SHA-256 of its SubjectPublicKeyInfo (DER), in hex.

use chrono::{DateTime, Utc};
use onshi_law::Date;
use p256::ecdsa::signature::{Signer, Verifier};
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};
use p256::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey, LineEnding};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::DocumentError;

/// Who a key signs for: the system itself (any insurer's documents, and revocation lists) or one
/// insurer (its own documents only).
pub const SYSTEM_ISSUER: &str = "system";

/// A private signing key with its name and whom it signs for.
pub struct DocumentSigner {
    key: SigningKey,
    kid: String,
    issuer: String,
}

impl std::fmt::Debug for DocumentSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DocumentSigner").field("kid", &self.kid).field("issuer", &self.issuer).finish_non_exhaustive()
    }
}

impl DocumentSigner {
    /// A fresh key from the operating system's random source.
    pub fn generate(issuer: &str) -> Self {
        Self::from_key(SigningKey::random(&mut rand_core::OsRng), issuer)
    }

    /// A key from PKCS#8 PEM.
    pub fn from_pkcs8_pem(pem: &str, issuer: &str) -> Result<Self, DocumentError> {
        let key = SigningKey::from_pkcs8_pem(pem).map_err(|e| DocumentError::Key(e.to_string()))?;
        Ok(Self::from_key(key, issuer))
    }

    fn from_key(key: SigningKey, issuer: &str) -> Self {
        let kid = kid_of(key.verifying_key());
        DocumentSigner { key, kid, issuer: issuer.to_owned() }
    }

    /// The key as PKCS#8 PEM (to store it; keep the file private).
    pub fn to_pkcs8_pem(&self) -> Result<String, DocumentError> {
        self.key.to_pkcs8_pem(LineEnding::LF).map(|p| p.to_string()).map_err(|e| DocumentError::Key(e.to_string()))
    }

    /// The key's name.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// Whom it signs for ([`SYSTEM_ISSUER`] or an insurer number).
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// Its public half, to publish, valid from `from` (and until `until`, when it is retired).
    pub fn published(&self, from: Date, until: Option<Date>) -> Result<PublishedKey, DocumentError> {
        let pem = self
            .key
            .verifying_key()
            .to_public_key_pem(LineEnding::LF)
            .map_err(|e| DocumentError::Key(e.to_string()))?;
        Ok(PublishedKey {
            kid: self.kid.clone(),
            issuer: self.issuer.clone(),
            public_key_pem: pem,
            valid_from: from,
            valid_until: until,
        })
    }

    /// ES256 over `data`: the 64-byte r‖s COSE wants.
    pub(crate) fn sign(&self, data: &[u8]) -> Vec<u8> {
        let sig: Signature = self.key.sign(data);
        sig.to_bytes().to_vec()
    }
}

fn kid_of(key: &VerifyingKey) -> String {
    let der = key.to_public_key_der().map(|d| d.as_bytes().to_vec()).unwrap_or_default();
    let digest = Sha256::digest(&der);
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// A public key as published: what a verifier caches.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct PublishedKey {
    /// The key's name (hex of the first 8 bytes of the SHA-256 of its SPKI).
    pub kid: String,
    /// Whom it signs for: [`SYSTEM_ISSUER`] or an insurer number.
    pub issuer: String,
    /// SubjectPublicKeyInfo, PEM.
    pub public_key_pem: String,
    /// The first day documents it signs may be issued.
    pub valid_from: Date,
    /// The last day documents it signs may be issued (a retired key still verifies what it
    /// signed before).
    pub valid_until: Option<Date>,
}

impl PublishedKey {
    pub(crate) fn verifying_key(&self) -> Option<VerifyingKey> {
        let key = VerifyingKey::from_public_key_pem(&self.public_key_pem).ok()?;
        // a key set naming a key by another key's kid is refused: the name is the key
        (kid_of(&key) == self.kid).then_some(key)
    }

    pub(crate) fn verify(&self, data: &[u8], sig: &[u8]) -> bool {
        let Some(key) = self.verifying_key() else { return false };
        let Ok(sig) = Signature::from_slice(sig) else { return false };
        key.verify(data, &sig).is_ok()
    }

    /// Whether this key may sign a document of `insurer` issued on `issued_on`.
    pub(crate) fn may_sign(&self, insurer: &str, issued_on: Date) -> bool {
        (self.issuer == SYSTEM_ISSUER || self.issuer == insurer)
            && issued_on >= self.valid_from
            && self.valid_until.is_none_or(|u| issued_on <= u)
    }
}

/// The published keys as a verifier holds them, with when it fetched them.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct KeySet {
    /// Every published key.
    pub keys: Vec<PublishedKey>,
    /// When the verifier fetched this set (shown as its age).
    pub fetched_at: DateTime<Utc>,
}

impl KeySet {
    /// The key named `kid`.
    pub fn find(&self, kid: &str) -> Option<&PublishedKey> {
        self.keys.iter().find(|k| k.kid == kid)
    }

    /// Read a key set from its JSON file.
    pub fn from_json(text: &str) -> Result<Self, DocumentError> {
        serde_json::from_str(text).map_err(|e| DocumentError::Unreadable { what: "key set", reason: e.to_string() })
    }
}
