//! Simulated My Number cards (マイナ保険証) with real PKI.
//!
//! - [`rules`]: the pure rules — certificate validity (the 5th birthday after issuance), the 3-month grace
//!   after expiry, the PIN retry counter, consent and challenge lifetimes. No I/O, no clock.
//! - [`pki`]: onshi's issuing CA ([`Issuer`]) and what a verifier trusts ([`TrustAnchor`]): X.509 certificates,
//!   RSA-2048, SHA256withRSA.
//! - [`chip`]: the card file standing for the chip ([`Card`]): signed 券面事項, the certificate, the private key
//!   encrypted under the PIN (Argon2id + AES-256-GCM), the retry counter.
//! - [`verify_presentation`]: what the server checks of a card's answer to a challenge, before it asks the
//!   registry who the certificate belongs to and whether it was revoked (that needs the store: onshi-service).
//!
//! The messages a card and a reader sign are domain-separated ([`challenge_message`], [`face_message`]) so a
//! signature made for one purpose never passes for another.

#![forbid(unsafe_code)]

pub mod chip;
pub mod error;
pub mod pki;
pub mod registration;
pub mod rules;

pub use chip::{Card, Issued, Surface};
pub use error::{CardError, Result};
pub use pki::{Issuer, TrustAnchor, UserCertificate};
pub use registration::{Registration, RegistrationEvent, cancellation_last_day, registration_on};
pub use rules::{PinCounter, Validity};

use onshi_law::Date;

/// What the card signs to answer challenge `nonce` (after the PIN).
pub fn challenge_message(nonce: &str) -> Vec<u8> {
    format!("onshi-card-auth/1:{nonce}").into_bytes()
}

/// What a reader signs to state that the face in front of it matched the photo of the card whose certificate
/// has serial `serial`, for challenge `nonce`. onshi does no face recognition: it checks that a registered
/// reader said so.
pub fn face_message(nonce: &str, serial: &str) -> Vec<u8> {
    format!("onshi-face-auth/1:{nonce}:{serial}:matched").into_bytes()
}

/// A card's presentation: what the reader sends the server.
#[derive(Debug, Clone, Copy)]
pub struct Presentation<'a> {
    pub certificate: &'a [u8],
    pub surface: &'a [u8],
    pub surface_signature: &'a [u8],
}

/// A presentation that passed the checks that need no store.
#[derive(Debug, Clone)]
pub struct Verified {
    pub certificate: UserCertificate,
    pub surface: Surface,
    pub validity: Validity,
}

/// Checks a card's presentation on `today`: the certificate chains to `anchor` (issuer, SHA256withRSA,
/// signature), the 券面事項 carry the issuer's signature and name this certificate, and the certificate is
/// usable today (valid, or expired inside the grace period). The proof of possession (the card's signature,
/// or a reader's face assertion) is checked by the caller with [`UserCertificate::verify`].
pub fn verify_presentation(anchor: &TrustAnchor, p: Presentation<'_>, today: Date) -> Result<Verified> {
    let certificate = anchor.verify_certificate(p.certificate)?;
    anchor.verify_surface(p.surface, p.surface_signature)?;
    let surface = Surface::from_bytes(p.surface)?;
    if surface.certificate_serial != certificate.serial {
        return Err(CardError::CertificateMismatch);
    }
    let validity = rules::validity_on(certificate.valid_from, certificate.expires_on, today);
    match validity {
        Validity::NotYetValid { from } => Err(CardError::NotYetValid { from: from.to_string() }),
        Validity::Expired { expired_on, grace_ended } => {
            Err(CardError::Expired { expired_on: expired_on.to_string(), grace_ended: grace_ended.to_string() })
        }
        Validity::Valid { .. } | Validity::Grace { .. } => Ok(Verified { certificate, surface, validity }),
    }
}
