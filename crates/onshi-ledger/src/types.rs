//! Plain data: keys, entries, changes.

use std::fmt;

use chrono::{DateTime, Utc};
use onshi_ids::{Branch, InsuredNumber, InsurerNumber, Symbol};
use onshi_law::{CopayRatio, Date, IncomeBracket};
use serde::{Deserialize, Serialize};

/// When an entry was recorded: microseconds since the UNIX epoch, UTC (transaction time).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RecordedAt(pub i64);

impl RecordedAt {
    /// The instant `t`, truncated to microseconds.
    pub fn from_datetime(t: DateTime<Utc>) -> Self {
        RecordedAt(t.timestamp_micros())
    }

    /// The instant, if chrono can represent it.
    pub fn to_datetime(self) -> Option<DateTime<Utc>> {
        DateTime::from_timestamp_micros(self.0)
    }
}

/// The global write order: strictly increasing across every entry of every member.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Seq(pub u64);

impl fmt::Display for Seq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// 本人 or 家族: the insured person (被保険者) or a dependent (被扶養者).
/// Serialised as `"insured"` / `"dependent"`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relationship {
    /// 被保険者 (本人).
    Insured,
    /// 被扶養者 (家族).
    Dependent,
}

impl Relationship {
    /// `"insured"` or `"dependent"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Relationship::Insured => "insured",
            Relationship::Dependent => "dependent",
        }
    }

    /// The inverse of [`as_str`](Relationship::as_str).
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "insured" => Some(Relationship::Insured),
            "dependent" => Some(Relationship::Dependent),
            _ => None,
        }
    }
}

/// Sex as registered. Serialised as `"male"` / `"female"`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// 男.
    Male,
    /// 女.
    Female,
}

impl Sex {
    /// `"male"` or `"female"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Sex::Male => "male",
            Sex::Female => "female",
        }
    }

    /// The inverse of [`as_str`](Sex::as_str).
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "male" => Some(Sex::Male),
            "female" => Some(Sex::Female),
            _ => None,
        }
    }
}

/// What identifies a member record on a card: insurer number, symbol (記号, optional), number
/// (番号) and branch (枝番).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
pub struct MemberKey {
    /// 保険者番号.
    pub insurer_number: InsurerNumber,
    /// 記号, absent on many 国保 and 後期高齢者医療 cards.
    pub symbol: Option<Symbol>,
    /// 番号.
    pub number: InsuredNumber,
    /// 枝番.
    pub branch: Branch,
}

/// What never changes about a member record. A correction of these is a new record.
#[derive(Clone, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
pub struct MemberStatic {
    /// The card key.
    pub key: MemberKey,
    /// 本人 or 家族.
    pub relationship: Relationship,
    /// Date of birth.
    pub birth_date: Date,
    /// Sex.
    pub sex: Sex,
}

/// A copay ratio decided by the insurer against the default of the law, with why
/// (e.g. a 現役並み determination corrected after 基準収入額適用申請).
#[derive(Clone, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
pub struct CopayOverride {
    /// The ratio that applies.
    pub ratio: CopayRatio,
    /// Why it differs from the law's default.
    pub reason: String,
}

/// One change in a member's history. Serialised with a `"kind"` tag (`"acquire"`, `"lose"`,
/// `"update"`, `"withdraw_copay"`, `"void"`).
#[derive(Clone, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    /// 資格取得: coverage from `effective_on`. A later-recorded Acquire corrects the acquisition
    /// (its date and every field).
    Acquire {
        /// 氏名, as given.
        name: String,
        /// カナ氏名, as given.
        name_kana: String,
        /// 住所, as given.
        address: String,
        /// 所得区分, when known.
        income_bracket: Option<IncomeBracket>,
        /// A copay ratio that departs from the law.
        copay_override: Option<CopayOverride>,
    },
    /// 資格喪失: `effective_on` is the first day without coverage. A later-recorded Lose
    /// replaces an earlier one. Stored before the reason existed as `{"kind":"lose"}`, which
    /// still reads (reason `None`).
    Lose {
        /// Why coverage ended (ReasonOfLoss), when recorded.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<LossReason>,
    },
    /// A change of personal data or copay from `effective_on`; `Some` fields replace.
    Update {
        /// New 氏名.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        /// New カナ氏名.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name_kana: Option<String>,
        /// New 住所.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        address: Option<String>,
        /// New 所得区分.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        income_bracket: Option<IncomeBracket>,
        /// New copay override.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        copay_override: Option<CopayOverride>,
    },
    /// The copay exception in force is withdrawn from `effective_on`: the law's ratio applies
    /// again (until an Update states a new exception).
    WithdrawCopay {
        /// Why.
        reason: String,
    },
    /// A correction: the `target` entry is ignored by every question asked as of a time ≥ this
    /// entry's `recorded_at`. Its `effective_on` carries no meaning (use the day it was recorded).
    Void {
        /// The entry voided.
        target: Seq,
        /// Why.
        reason: String,
        /// Who voided it (the credential's subject), when recorded.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<String>,
    },
}

/// Why coverage ended (ReasonOfLoss). Serialised in snake_case (`"death"`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum LossReason {
    /// 死亡: the day after the death is the first day without coverage.
    Death,
}

impl LossReason {
    /// `"death"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            LossReason::Death => "death",
        }
    }

    /// The Japanese label (`"死亡"`).
    pub const fn label_ja(self) -> &'static str {
        match self {
            LossReason::Death => "死亡",
        }
    }
}

impl Change {
    /// `"acquire"`, `"lose"`, `"update"`, `"withdraw_copay"` or `"void"`.
    pub const fn kind(&self) -> &'static str {
        match self {
            Change::Acquire { .. } => "acquire",
            Change::Lose { .. } => "lose",
            Change::Update { .. } => "update",
            Change::WithdrawCopay { .. } => "withdraw_copay",
            Change::Void { .. } => "void",
        }
    }
}

/// One recorded change.
#[derive(Clone, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
pub struct Entry {
    /// Global write order.
    pub seq: Seq,
    /// When it was recorded.
    pub recorded_at: RecordedAt,
    /// The legal date it takes effect.
    pub effective_on: Date,
    /// What changed.
    pub change: Change,
}

/// A member record: the static part and the append-only entries, in `seq` order.
///
/// Build it with [`MemberHistory::new`] and grow it with [`MemberHistory::append`], which keep
/// the invariants listed in the crate documentation. The fields are public so that storage can
/// load a history it wrote; [`crate::resolve`] stays total even on a history that breaks them.
#[derive(Clone, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
pub struct MemberHistory {
    /// What never changes.
    pub statik: MemberStatic,
    /// Every entry, in `seq` order.
    pub entries: Vec<Entry>,
}
