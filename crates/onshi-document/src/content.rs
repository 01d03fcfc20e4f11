//! What a document shows: the fields of a 資格確認書 and of a 資格情報のお知らせ, and the rules a
//! document must keep before it is signed.

use onshi_ids::{Branch, InsuredNumber, InsurerNumber, Symbol};
use onshi_law::{CopayRatio, Date, LimitCategory, nth_birthday};

use crate::error::DocumentError;

/// Which document.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum DocumentKind {
    /// 資格確認書: proof of coverage for whoever has no usable マイナ保険証, issued by the insurer
    /// (職権交付 or on request), valid up to 5 years.
    EligibilityCertificate,
    /// 資格情報のお知らせ: what a card user's coverage says (numbers, ratio), sent when the card's
    /// registration completes and whenever what it shows changes. Not proof on its own: it is shown
    /// with the card when the card cannot be read.
    EligibilityNotice,
}

impl DocumentKind {
    /// The stable code, as in the API and the QR payload.
    pub const fn code(self) -> &'static str {
        match self {
            DocumentKind::EligibilityCertificate => "eligibility_certificate",
            DocumentKind::EligibilityNotice => "eligibility_notice",
        }
    }

    /// The Japanese name printed on the document.
    pub const fn label_ja(self) -> &'static str {
        match self {
            DocumentKind::EligibilityCertificate => "資格確認書",
            DocumentKind::EligibilityNotice => "資格情報のお知らせ",
        }
    }

    /// The inverse of [`code`](DocumentKind::code).
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "eligibility_certificate" => Some(DocumentKind::EligibilityCertificate),
            "eligibility_notice" => Some(DocumentKind::EligibilityNotice),
            _ => None,
        }
    }

    pub(crate) const fn wire(self) -> u8 {
        match self {
            DocumentKind::EligibilityCertificate => 1,
            DocumentKind::EligibilityNotice => 2,
        }
    }

    pub(crate) fn from_wire(n: u8) -> Option<Self> {
        match n {
            1 => Some(DocumentKind::EligibilityCertificate),
            2 => Some(DocumentKind::EligibilityNotice),
            _ => None,
        }
    }
}

/// The holder's place in the coverage.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Relationship {
    /// 被保険者本人.
    Insured,
    /// 被扶養者: the document also shows the insured person's name (被保険者氏名).
    Dependent,
}

impl Relationship {
    /// `insured` or `dependent`.
    pub const fn code(self) -> &'static str {
        match self {
            Relationship::Insured => "insured",
            Relationship::Dependent => "dependent",
        }
    }

    /// 本人 / 家族, as printed.
    pub const fn label_ja(self) -> &'static str {
        match self {
            Relationship::Insured => "本人",
            Relationship::Dependent => "家族（被扶養者）",
        }
    }
}

/// The longest a 資格確認書 may be valid: 5 years (令和5年12月22日 事務連絡: 有効期限は5年以内で保険者が設定).
pub const CERTIFICATE_MAX_YEARS: u32 = 5;

/// The longest serial: ASCII letters, digits and `-`.
pub const MAX_SERIAL_LEN: usize = 40;

/// A document's content: everything it shows and everything its QR signs.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Document {
    /// Which document.
    pub kind: DocumentKind,
    /// Unique per issued document (a reissue gets a new serial); what a revocation names.
    pub serial: String,
    /// 1 for the first document of this coverage, +1 at each reissue.
    pub version: u32,
    /// 保険者番号.
    pub insurer: InsurerNumber,
    /// 保険者名称.
    pub insurer_name: String,
    /// 記号 (absent for 国保 and others without one).
    pub symbol: Option<Symbol>,
    /// 番号.
    pub number: InsuredNumber,
    /// 枝番.
    pub branch: Option<Branch>,
    /// 氏名, exactly as registered (may hold characters outside JIS X 0208).
    pub name: String,
    /// 氏名（カナ）.
    pub name_kana: Option<String>,
    /// The claim-ready name (JIS X 0208 only, never 「●」) printed beside the registered one.
    pub claim_name: String,
    /// 生年月日.
    pub birth_date: Date,
    /// 本人 or 家族.
    pub relationship: Relationship,
    /// 被保険者氏名: the insured person's name, on a dependent's document.
    pub insured_person_name: Option<String>,
    /// 資格取得年月日.
    pub acquired_on: Date,
    /// 一部負担金の割合 (when the document states one).
    pub copay: Option<CopayRatio>,
    /// 限度額適用区分 (when the document states one).
    pub limit_category: Option<LimitCategory>,
    /// 交付年月日.
    pub issued_on: Date,
    /// 有効開始日 (the legal day from which it is valid).
    pub valid_from: Date,
    /// 有効期限 (the last legal day it is valid); a 資格確認書 always has one, a notice none.
    pub valid_until: Option<Date>,
}

impl Document {
    /// The rules a document keeps before it may be signed: a serial of ASCII letters, digits and
    /// `-`; a name; a dependent's document names the insured person; a 資格確認書 has an end of
    /// validity at most 5 years after its start; nothing is valid before it is issued, nor
    /// acquired after birth … in short, every date in order.
    pub fn validate(&self) -> Result<(), DocumentError> {
        if self.serial.is_empty()
            || self.serial.len() > MAX_SERIAL_LEN
            || !self.serial.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return Err(DocumentError::Invalid { field: "serial", reason: "serial_format" });
        }
        if self.version == 0 {
            return Err(DocumentError::Invalid { field: "version", reason: "version_zero" });
        }
        if self.name.trim().is_empty() {
            return Err(DocumentError::Invalid { field: "name", reason: "empty" });
        }
        if self.claim_name.trim().is_empty() {
            return Err(DocumentError::Invalid { field: "claim_name", reason: "empty" });
        }
        if self.insurer_name.trim().is_empty() {
            return Err(DocumentError::Invalid { field: "insurer_name", reason: "empty" });
        }
        match (self.relationship, &self.insured_person_name) {
            (Relationship::Dependent, None) => {
                return Err(DocumentError::Invalid {
                    field: "insured_person_name",
                    reason: "dependent_needs_insured_name",
                });
            }
            (_, Some(n)) if n.trim().is_empty() => {
                return Err(DocumentError::Invalid { field: "insured_person_name", reason: "empty" });
            }
            _ => {}
        }
        if self.acquired_on < self.birth_date {
            return Err(DocumentError::Invalid { field: "acquired_on", reason: "before_birth" });
        }
        if self.valid_from < self.acquired_on {
            return Err(DocumentError::Invalid { field: "valid_from", reason: "before_acquisition" });
        }
        match (self.kind, self.valid_until) {
            (DocumentKind::EligibilityCertificate, None) => {
                return Err(DocumentError::Invalid { field: "valid_until", reason: "certificate_needs_end" });
            }
            (DocumentKind::EligibilityCertificate, Some(until)) => {
                if until < self.valid_from {
                    return Err(DocumentError::Invalid { field: "valid_until", reason: "before_start" });
                }
                if until >= certificate_latest_end(self.valid_from) {
                    return Err(DocumentError::Invalid { field: "valid_until", reason: "longer_than_5_years" });
                }
            }
            (DocumentKind::EligibilityNotice, Some(until)) if until < self.valid_from => {
                return Err(DocumentError::Invalid { field: "valid_until", reason: "before_start" });
            }
            (DocumentKind::EligibilityNotice, _) => {}
        }
        Ok(())
    }

    /// Whether the document is valid on `day` (a legal day), by its dates alone.
    pub fn validity_on(&self, day: Date) -> Validity {
        if day < self.valid_from {
            Validity::NotYetValid
        } else if self.valid_until.is_some_and(|u| day > u) {
            Validity::Expired
        } else {
            Validity::Valid
        }
    }
}

/// The first day a 資格確認書 valid from `from` can no longer be valid: a period of 5 years
/// counted from that day ends on the day before the same date 5 years on, or on the last day of
/// February when that date does not exist (民法第143条: from 29 February 2024, the last valid day is
/// 28 February 2029) — the same arithmetic as a legal age, so it is [`nth_birthday`].
pub fn certificate_latest_end(from: Date) -> Date {
    nth_birthday(from, CERTIFICATE_MAX_YEARS)
}

/// A document's validity on a day, by its dates alone (revocation is the verifier's question).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Validity {
    /// Within its dates.
    Valid,
    /// Before its first day.
    NotYetValid,
    /// After its last day.
    Expired,
}
