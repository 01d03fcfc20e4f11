//! The one COSE_Sign1 envelope both signed things use — a document's CWT and the revocation list: ES256 with
//! the key's `kid` in the protected header, tagged on writing, tagged or untagged on reading. Each use has its
//! own external AAD, so a signature made for one can never verify as the other.

use coset::{CborSerializable, CoseSign1, CoseSign1Builder, HeaderBuilder, TaggedCborSerializable, iana};

use crate::error::DocumentError;
use crate::keys::{DocumentSigner, PublishedKey};

/// Sign `payload` (with `aad` as external data) into COSE_Sign1 bytes.
pub(crate) fn seal(payload: Vec<u8>, aad: &[u8], signer: &DocumentSigner) -> Result<Vec<u8>, DocumentError> {
    let protected =
        HeaderBuilder::new().algorithm(iana::Algorithm::ES256).key_id(signer.kid().as_bytes().to_vec()).build();
    CoseSign1Builder::new()
        .protected(protected)
        .payload(payload)
        .create_signature(aad, |data| signer.sign(data))
        .build()
        .to_tagged_vec()
        .map_err(|e| DocumentError::Encoding(e.to_string()))
}

/// A COSE_Sign1 read but not yet verified, and the key it names.
pub(crate) struct Envelope {
    pub(crate) sign1: CoseSign1,
    pub(crate) kid: String,
}

impl Envelope {
    /// Parse: a COSE_Sign1 (tagged or not) with an ES256 protected header, a non-empty UTF-8 `kid` and a
    /// payload; `None` otherwise.
    pub(crate) fn parse(bytes: &[u8]) -> Option<Envelope> {
        let sign1 = CoseSign1::from_tagged_slice(bytes).or_else(|_| CoseSign1::from_slice(bytes)).ok()?;
        let es256 = coset::Algorithm::Assigned(iana::Algorithm::ES256);
        if sign1.protected.header.alg.as_ref() != Some(&es256) || sign1.payload.is_none() {
            return None;
        }
        let kid = String::from_utf8(sign1.protected.header.key_id.clone()).ok().filter(|k| !k.is_empty())?;
        Some(Envelope { sign1, kid })
    }

    /// Whether `key`'s signature over the payload (with `aad`) holds.
    pub(crate) fn verifies(&self, aad: &[u8], key: &PublishedKey) -> bool {
        self.sign1.verify_signature(aad, |sig, data| if key.verify(data, sig) { Ok(()) } else { Err(()) }).is_ok()
    }

    /// The signed payload.
    pub(crate) fn payload(&self) -> &[u8] {
        self.sign1.payload.as_deref().unwrap_or_default()
    }
}
