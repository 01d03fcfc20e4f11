//! What people carry: the 資格確認書 (eligibility certificate) and the 資格情報のお知らせ
//! (eligibility notice), signed so that a clinic can tell a genuine one from a forgery **offline**.
//!
//! # What lives here
//!
//! * [`Document`]: every field a document shows, and the rules it keeps before it is signed
//!   ([`Document::validate`]: a 資格確認書 is valid at most 5 years, a dependent's names the
//!   insured person, dates in order).
//! * [`sign`]: the QR text, `JPHI1:` + Base45(zlib(COSE_Sign1(CWT))) — the EU Digital COVID
//!   Certificate's layout, ES256 (ECDSA P-256) with a `kid` naming the key.
//! * [`DocumentSigner`], [`PublishedKey`], [`KeySet`]: keys, published and cached.
//! * [`RevocationList`]: the serials of reissued or invalidated documents, signed by the system's
//!   key, cached by verifiers with its age.
//! * [`entitlement`]: who must get a 資格確認書 without asking (職権交付) and why, and who holds no
//!   usable proof of coverage on a day.
//! * [`verify`]: a QR text against a cached key set and revocation list on a legal day →
//!   a [`Verdict`] (genuine, tampered, unknown key, revoked, expired, not yet valid, unreadable),
//!   each with a stable code, a Japanese message and the next step.
//!
//! Nothing here reads a clock or the network: time and the caches are parameters.
//!
//! ```
//! use onshi_document::*;
//! # let doc = onshi_document::example_document();
//! let key = DocumentSigner::generate(SYSTEM_ISSUER);
//! let text = sign(&doc, &key)?;
//! let now = chrono::Utc::now();
//! let keys = KeySet { keys: vec![key.published(doc.issued_on, None)?], fetched_at: now };
//! let verdict = verify(&text, &keys, None, doc.valid_from, now);
//! assert_eq!(verdict.code(), "document_genuine");
//! # Ok::<(), DocumentError>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod content;
mod cose;
pub mod entitlement;
mod error;
mod json;
mod keys;
mod qr;
mod revocation;
mod verify;
mod wire;

pub use content::{
    CERTIFICATE_MAX_YEARS, Document, DocumentKind, MAX_SERIAL_LEN, Relationship, Validity, certificate_latest_end,
};
pub use error::DocumentError;
pub use json::{DocumentJson, RevocationListAge, VerificationJson, WarningJson};
pub use keys::{DocumentSigner, KeySet, PublishedKey, SYSTEM_ISSUER};
pub use qr::{DOCUMENT_CLAIM, MAX_INFLATED, MAX_QR_TEXT, QR_PREFIX, Unreadable, sign};
pub use revocation::{Revocation, RevocationList, RevocationReason};
pub use verify::{CacheWarning, REVOCATION_LIST_MAX_AGE_HOURS, Verdict, verify};

/// A 資格確認書 for examples and tests: a dependent of a 協会けんぽ member, valid one year.
#[doc(hidden)]
pub fn example_document() -> Document {
    let d = |y, m, day| onshi_law::Date::from_ymd_opt(y, m, day).unwrap_or_default();
    Document {
        kind: DocumentKind::EligibilityCertificate,
        serial: "01130012-000001".into(),
        version: 1,
        insurer: onshi_ids::InsurerNumber::parse("01130012").unwrap_or_else(|_| unreachable!()),
        insurer_name: "全国健康保険協会 東京支部".into(),
        symbol: onshi_ids::Symbol::parse("1234").ok(),
        number: onshi_ids::InsuredNumber::parse("5678").unwrap_or_else(|_| unreachable!()),
        branch: onshi_ids::Branch::parse("02").ok(),
        name: "髙橋 花子".into(),
        name_kana: Some("タカハシ ハナコ".into()),
        claim_name: "高橋 花子".into(),
        birth_date: d(1990, 4, 1),
        relationship: Relationship::Dependent,
        insured_person_name: Some("髙橋 太郎".into()),
        acquired_on: d(2020, 4, 1),
        copay: onshi_law::CopayRatio::from_percent(30),
        limit_category: None,
        issued_on: d(2026, 12, 1),
        valid_from: d(2026, 12, 1),
        valid_until: Some(d(2027, 11, 30)),
    }
}
