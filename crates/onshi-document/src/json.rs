//! A document as JSON, with the names of the HTTP API's coverage object (`insurer_number`,
//! `name_display` for the claim-ready name, `insured_name` …): what `onshi doc sign` reads and what
//! verification answers show. Reading parses every value (onshi-ids, onshi-law) and applies
//! [`Document::validate`], naming the field that is wrong.

use onshi_ids::{Branch, InsuredNumber, InsurerNumber, Symbol};
use onshi_law::{CopayRatio, LimitCategory, parse_iso_date};
use serde::{Deserialize, Serialize};

use crate::content::{Document, DocumentKind, Relationship};
use crate::error::DocumentError;

/// The JSON form of a [`Document`].
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentJson {
    /// `eligibility_certificate` or `eligibility_notice`.
    pub kind: String,
    /// The document's serial.
    pub serial: String,
    /// 1, then +1 at each reissue.
    pub version: u32,
    /// 保険者番号.
    pub insurer_number: String,
    /// 保険者名称.
    pub insurer_name: String,
    /// 記号.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub symbol: Option<String>,
    /// 番号.
    pub number: String,
    /// 枝番.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    /// 氏名 as registered.
    pub name: String,
    /// The claim-ready name.
    pub name_display: String,
    /// 氏名（カナ）.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_kana: Option<String>,
    /// `YYYY-MM-DD`.
    pub birth_date: String,
    /// `insured` or `dependent`.
    pub relationship: String,
    /// 被保険者氏名 (dependents).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insured_name: Option<String>,
    /// 資格取得年月日.
    pub acquired_on: String,
    /// 10, 20 or 30.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copay_ratio: Option<u8>,
    /// OQSCD012 code (`A01` … `B10`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit_category: Option<String>,
    /// 交付年月日.
    pub issued_on: String,
    /// 有効開始日.
    pub valid_from: String,
    /// 有効期限.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<String>,
}

impl From<&Document> for DocumentJson {
    fn from(d: &Document) -> Self {
        DocumentJson {
            kind: d.kind.code().to_owned(),
            serial: d.serial.clone(),
            version: d.version,
            insurer_number: d.insurer.as_str().to_owned(),
            insurer_name: d.insurer_name.clone(),
            symbol: d.symbol.as_ref().map(|s| s.as_str().to_owned()),
            number: d.number.as_str().to_owned(),
            branch: d.branch.as_ref().map(|b| b.as_str().to_owned()),
            name: d.name.clone(),
            name_display: d.claim_name.clone(),
            name_kana: d.name_kana.clone(),
            birth_date: d.birth_date.to_string(),
            relationship: d.relationship.code().to_owned(),
            insured_name: d.insured_person_name.clone(),
            acquired_on: d.acquired_on.to_string(),
            copay_ratio: d.copay.map(|c| c.percent()),
            limit_category: d.limit_category.map(|l| l.code().to_owned()),
            issued_on: d.issued_on.to_string(),
            valid_from: d.valid_from.to_string(),
            valid_until: d.valid_until.map(|u| u.to_string()),
        }
    }
}

impl TryFrom<DocumentJson> for Document {
    type Error = DocumentError;

    fn try_from(j: DocumentJson) -> Result<Self, DocumentError> {
        let bad = |field: &'static str, reason: &'static str| DocumentError::Invalid { field, reason };
        let date = |s: &str, field: &'static str| parse_iso_date(s).map_err(|_| bad(field, "invalid_date"));
        let doc = Document {
            kind: DocumentKind::parse(&j.kind).ok_or(bad("kind", "unknown_kind"))?,
            serial: j.serial,
            version: j.version,
            insurer: InsurerNumber::parse(&j.insurer_number).map_err(|e| bad("insurer_number", e.code()))?,
            insurer_name: j.insurer_name,
            symbol: j.symbol.as_deref().map(Symbol::parse).transpose().map_err(|e| bad("symbol", e.code()))?,
            number: InsuredNumber::parse(&j.number).map_err(|e| bad("number", e.code()))?,
            branch: j.branch.as_deref().map(Branch::parse).transpose().map_err(|e| bad("branch", e.code()))?,
            name: j.name,
            name_kana: j.name_kana,
            claim_name: j.name_display,
            birth_date: date(&j.birth_date, "birth_date")?,
            relationship: match j.relationship.as_str() {
                "insured" => Relationship::Insured,
                "dependent" => Relationship::Dependent,
                _ => return Err(bad("relationship", "unknown_relationship")),
            },
            insured_person_name: j.insured_name,
            acquired_on: date(&j.acquired_on, "acquired_on")?,
            copay: j
                .copay_ratio
                .map(|p| CopayRatio::from_percent(p).ok_or(bad("copay_ratio", "not_10_20_30")))
                .transpose()?,
            limit_category: j
                .limit_category
                .as_deref()
                .map(|c| LimitCategory::parse_code(c).ok_or(bad("limit_category", "unknown_code")))
                .transpose()?,
            issued_on: date(&j.issued_on, "issued_on")?,
            valid_from: date(&j.valid_from, "valid_from")?,
            valid_until: j.valid_until.as_deref().map(|u| date(u, "valid_until")).transpose()?,
        };
        doc.validate()?;
        Ok(doc)
    }
}

/// A verification's answer as JSON: the same for `onshi doc verify --json` and the API.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct VerificationJson {
    /// The verdict's stable code (`document_genuine`, `document_tampered` …).
    pub code: String,
    /// Whether the document may be accepted (only `document_genuine`).
    pub genuine: bool,
    /// What the receptionist reads.
    pub message: String,
    /// What to do next.
    pub next_step: String,
    /// A reason code for tampered and unreadable documents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The key named by the document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    /// The document, when its signature verified (also when revoked or out of its dates).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<DocumentJson>,
    /// The revocation, when revoked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revocation: Option<crate::Revocation>,
    /// What the verifier's caches could not tell.
    pub warnings: Vec<WarningJson>,
    /// How old the cached keys were, in hours.
    pub keys_age_hours: i64,
    /// The cached revocation list's sequence and age, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revocation_list: Option<RevocationListAge>,
}

/// A warning about the verifier's caches.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct WarningJson {
    /// Stable code.
    pub code: String,
    /// Japanese message.
    pub message: String,
}

/// Which revocation list was used, and how old it was.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct RevocationListAge {
    /// Its sequence number.
    pub sequence: u64,
    /// Hours since it was fetched.
    pub age_hours: i64,
}

impl VerificationJson {
    /// The answer for `verdict`, given the caches it was reached with.
    pub fn new(
        verdict: &crate::Verdict,
        keys: &crate::KeySet,
        revocations: Option<(&crate::RevocationList, chrono::DateTime<chrono::Utc>)>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Self {
        use crate::Verdict;
        let (reason, kid, revocation, warnings) = match verdict {
            Verdict::Genuine { kid, warnings, .. } => (None, Some(kid.clone()), None, warnings.clone()),
            Verdict::Tampered { reason } => (Some((*reason).to_owned()), None, None, vec![]),
            Verdict::UnknownKey { kid } => (None, Some(kid.clone()), None, vec![]),
            Verdict::Revoked { revocation, .. } => (None, None, Some(revocation.clone()), vec![]),
            Verdict::Unreadable { reason } => (Some(reason.reason().to_owned()), None, None, vec![]),
            Verdict::Expired { .. } | Verdict::NotYetValid { .. } => (None, None, None, vec![]),
        };
        VerificationJson {
            code: verdict.code().to_owned(),
            genuine: matches!(verdict, Verdict::Genuine { .. }),
            message: verdict.message_ja(),
            next_step: verdict.next_step_ja().to_owned(),
            reason,
            kid,
            document: verdict.document().map(DocumentJson::from),
            revocation,
            warnings: warnings
                .iter()
                .map(|w| WarningJson { code: w.code().to_owned(), message: w.message_ja() })
                .collect(),
            keys_age_hours: (now - keys.fetched_at).num_hours(),
            revocation_list: revocations
                .map(|(list, at)| RevocationListAge { sequence: list.sequence, age_hours: (now - at).num_hours() }),
        }
    }
}
