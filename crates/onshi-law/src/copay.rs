//! The copay law (一部負担金の割合) and the limit categories (限度額適用認定区分).

use std::fmt;

use onshi_ids::Scheme;
use serde::{Deserialize, Serialize};

use crate::{Date, elderly_from, late_stage_from, preschool_last_day};

/// The income bracket (所得区分) that decides the copay of people aged 70 and over.
///
/// Serialised as `"general"`, `"general_2"`, `"active_equivalent"`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IncomeBracket {
    /// 一般 (一般Ⅰ in 後期高齢者医療, including 低所得).
    General,
    /// 一般Ⅱ (後期高齢者医療 only, since 2022-10-01: 2割).
    #[serde(rename = "general_2")]
    General2,
    /// 現役並み所得者 (課税所得 145万円 以上, with income exceptions): 3割.
    ActiveEquivalent,
}

impl IncomeBracket {
    /// `"general"`, `"general_2"` or `"active_equivalent"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            IncomeBracket::General => "general",
            IncomeBracket::General2 => "general_2",
            IncomeBracket::ActiveEquivalent => "active_equivalent",
        }
    }

    /// The inverse of [`as_str`](IncomeBracket::as_str).
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "general" => Some(IncomeBracket::General),
            "general_2" => Some(IncomeBracket::General2),
            "active_equivalent" => Some(IncomeBracket::ActiveEquivalent),
            _ => None,
        }
    }
}

impl fmt::Display for IncomeBracket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The share of the cost the patient pays (負担割合): 10, 20 or 30 percent (1割, 2割, 3割).
///
/// Serialised as the number (`30`).
///
/// ```
/// use onshi_law::CopayRatio;
/// let r = CopayRatio::from_percent(30).unwrap();
/// assert_eq!((r.percent(), r.national_code()), (30, "030"));
/// assert_eq!(CopayRatio::from_percent(100), None);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct CopayRatio(u8);

impl CopayRatio {
    /// 1割.
    pub const TEN: CopayRatio = CopayRatio(10);
    /// 2割.
    pub const TWENTY: CopayRatio = CopayRatio(20);
    /// 3割.
    pub const THIRTY: CopayRatio = CopayRatio(30);

    /// The ratio of 10, 20 or 30 percent; `None` for anything else.
    pub const fn from_percent(p: u8) -> Option<Self> {
        match p {
            10 | 20 | 30 => Some(CopayRatio(p)),
            _ => None,
        }
    }

    /// 10, 20 or 30.
    pub const fn percent(&self) -> u8 {
        self.0
    }

    /// The national interface's InsuredPartialContributionRatio: `"010"`, `"020"` or `"030"`.
    pub const fn national_code(&self) -> &'static str {
        match self.0 {
            10 => "010",
            20 => "020",
            _ => "030",
        }
    }

    /// The inverse of [`national_code`](CopayRatio::national_code).
    pub fn from_national_code(s: &str) -> Option<Self> {
        match s {
            "010" => Some(CopayRatio::TEN),
            "020" => Some(CopayRatio::TWENTY),
            "030" => Some(CopayRatio::THIRTY),
            _ => None,
        }
    }
}

impl fmt::Display for CopayRatio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}割", self.0 / 10)
    }
}

impl Serialize for CopayRatio {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(self.0)
    }
}

impl<'de> Deserialize<'de> for CopayRatio {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let p = u8::deserialize(d)?;
        CopayRatio::from_percent(p)
            .ok_or_else(|| serde::de::Error::custom(format!("copay ratio {p} is not 10, 20 or 30 (percent)")))
    }
}

/// Why the law gives the ratio it gives.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CopayBasis {
    /// 未就学児 (until the first 31 March after reaching 6): 2割.
    Preschool,
    /// 6 to 69: 3割.
    Working,
    /// 高齢受給者 70–74, 一般: 2割.
    Elderly70,
    /// 高齢受給者 70–74, 現役並み: 3割.
    Elderly70Active,
    /// 後期高齢者医療, with the bracket applied (`General` when none is recorded, and for
    /// `General2` before 2022-10-01).
    LateStage(IncomeBracket),
}

/// The law's answer for one service date.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Copay {
    /// The service date is before the birth date.
    BeforeBirth,
    /// Covered by this scheme at this ratio.
    Covered {
        /// The share the patient pays.
        ratio: CopayRatio,
        /// Which rule gave it.
        basis: CopayBasis,
    },
    /// Employee or national health insurance ended with the 75th birthday: the person belongs
    /// to 後期高齢者医療 from `since`.
    AgedOut {
        /// The 75th birthday.
        since: Date,
    },
}

impl Copay {
    /// The ratio, when covered.
    pub const fn ratio(&self) -> Option<CopayRatio> {
        match self {
            Copay::Covered { ratio, .. } => Some(*ratio),
            _ => None,
        }
    }
}

/// The day 一般Ⅱ (2割) started in 後期高齢者医療.
pub const GENERAL_2_FROM: Date = match Date::from_ymd_opt(2022, 10, 1) {
    Some(d) => d,
    None => panic!("invalid constant date"),
};

/// The copay ratio the law gives someone born on `birth` for care on `service`, insured in
/// `scheme` with the income bracket `bracket`.
///
/// * Employee and national insurance (健康保険法第74条, 国民健康保険法第42条):
///   未就学 2割 up to [`preschool_last_day`]; 3割 to 69; from [`elderly_from`] (the 1st of the
///   month after the month in which 70 is reached) 2割, or 3割 for `ActiveEquivalent`
///   (`General2` does not exist at 70–74 and is treated as `General`); from the 75th birthday
///   [`Copay::AgedOut`].
/// * 後期高齢者医療 (高齢者の医療の確保に関する法律第67条), at any age — members under 75 exist
///   through the 65–74 disability recognition (障害認定): 1割 `General` (also when the bracket is
///   unknown), 2割 `General2` (from 2022-10-01; before it, 1割), 3割 `ActiveEquivalent`.
///
/// The law is applied as in force today: the historic rules (70–74 at 1割 for people born by
/// 1944-04-01, 3歳未満 before 2008) are not modelled.
///
/// ```
/// use onshi_ids::Scheme;
/// use onshi_law::{copay, Date};
/// let d = |y, m, d| Date::from_ymd_opt(y, m, d).unwrap();
/// let born = d(1953, 11, 15);
/// assert_eq!(copay(born, d(2023, 11, 20), Scheme::Employee, None).ratio().map(|r| r.percent()), Some(30));
/// assert_eq!(copay(born, d(2023, 12, 1), Scheme::Employee, None).ratio().map(|r| r.percent()), Some(20));
/// ```
pub fn copay(birth: Date, service: Date, scheme: Scheme, bracket: Option<IncomeBracket>) -> Copay {
    if service < birth {
        return Copay::BeforeBirth;
    }
    let covered = |ratio, basis| Copay::Covered { ratio, basis };
    if scheme == Scheme::LateStageElderly {
        return match bracket {
            Some(IncomeBracket::ActiveEquivalent) => {
                covered(CopayRatio::THIRTY, CopayBasis::LateStage(IncomeBracket::ActiveEquivalent))
            }
            Some(IncomeBracket::General2) if service >= GENERAL_2_FROM => {
                covered(CopayRatio::TWENTY, CopayBasis::LateStage(IncomeBracket::General2))
            }
            _ => covered(CopayRatio::TEN, CopayBasis::LateStage(IncomeBracket::General)),
        };
    }
    let since = late_stage_from(birth);
    if service >= since {
        return Copay::AgedOut { since };
    }
    if service >= elderly_from(birth) {
        return if bracket == Some(IncomeBracket::ActiveEquivalent) {
            covered(CopayRatio::THIRTY, CopayBasis::Elderly70Active)
        } else {
            covered(CopayRatio::TWENTY, CopayBasis::Elderly70)
        };
    }
    if service <= preschool_last_day(birth) {
        return covered(CopayRatio::TWENTY, CopayBasis::Preschool);
    }
    covered(CopayRatio::THIRTY, CopayBasis::Working)
}

/// The days on which the law's answer ([`copay`]) for someone born on `birth` and insured in `scheme` can
/// change with the date alone (the income bracket fixed): the end of 未就学 (the day after
/// [`preschool_last_day`]), the start of 高齢受給者 ([`elderly_from`]) and the 75th birthday
/// ([`late_stage_from`]) outside 後期高齢者医療; the start of 一般Ⅱ ([`GENERAL_2_FROM`]) in it. A change of
/// income bracket is the other way the answer changes; the caller knows when that happens.
///
/// Between two consecutive days of this list (and with one bracket), [`copay`] gives one answer.
///
/// ```
/// use onshi_ids::Scheme;
/// use onshi_law::{copay_law_changes, Date};
/// let d = |y, m, d| Date::from_ymd_opt(y, m, d).unwrap();
/// let days: Vec<Date> = copay_law_changes(d(1953, 11, 15), Scheme::Employee).collect();
/// assert_eq!(days, [d(1960, 4, 1), d(2023, 12, 1), d(2028, 11, 15)]);
/// ```
pub fn copay_law_changes(birth: Date, scheme: Scheme) -> impl Iterator<Item = Date> {
    let late = scheme == Scheme::LateStageElderly;
    let own = |d: Date| (!late).then_some(d);
    [
        own(preschool_last_day(birth)).and_then(|d| d.succ_opt()),
        own(elderly_from(birth)),
        own(late_stage_from(birth)),
        late.then_some(GENERAL_2_FROM),
    ]
    .into_iter()
    .flatten()
}

macro_rules! limit_categories {
    ($($v:ident = $code:literal, $label:literal, $doc:literal;)*) => {
        /// 限度額適用認定証 / 限度額適用・標準負担額減額認定証 categories, with the national
        /// system's codes (OQSCD012). A01–A06 apply under 70, B01–B10 from 70.
        ///
        /// ```
        /// use onshi_law::LimitCategory;
        /// let c = LimitCategory::parse_code("B09").unwrap();
        /// assert_eq!((c.code(), c.label_ja()), ("B09", "一般Ⅱ"));
        /// ```
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
        pub enum LimitCategory {
            $(#[doc = $doc] $v,)*
        }

        impl LimitCategory {
            /// Every category, in code order.
            pub const ALL: &'static [LimitCategory] = &[$(LimitCategory::$v,)*];

            /// The OQSCD012 code, e.g. `"A01"`.
            pub const fn code(self) -> &'static str {
                match self { $(LimitCategory::$v => $code,)* }
            }

            /// The Japanese label, e.g. `"ア"`, `"現役並みⅢ"`.
            pub const fn label_ja(self) -> &'static str {
                match self { $(LimitCategory::$v => $label,)* }
            }

            /// The category of an OQSCD012 code.
            pub fn parse_code(s: &str) -> Option<Self> {
                match s { $($code => Some(LimitCategory::$v),)* _ => None }
            }
        }
    };
}

limit_categories! {
    KubunA = "A01", "ア", "A01 区分ア (under 70, highest income).";
    KubunI = "A02", "イ", "A02 区分イ.";
    KubunU = "A03", "ウ", "A03 区分ウ.";
    KubunE = "A04", "エ", "A04 区分エ.";
    KubunO = "A05", "オ", "A05 区分オ (住民税非課税).";
    KubunOBoundary = "A06", "オ（境）", "A06 区分オ（境界層該当）.";
    ActiveIII = "B01", "現役並みⅢ", "B01 現役並みⅢ.";
    ActiveII = "B02", "現役並みⅡ", "B02 現役並みⅡ.";
    ActiveI = "B03", "現役並みⅠ", "B03 現役並みⅠ.";
    General70 = "B04", "一般", "B04 一般 (70–74).";
    LowIncomeII = "B05", "低所得Ⅱ", "B05 低所得Ⅱ.";
    LowIncomeI = "B06", "低所得Ⅰ", "B06 低所得Ⅰ.";
    LowIncomeIWelfare = "B07", "低所得Ⅰ（老福）", "B07 低所得Ⅰ（老齢福祉年金受給者）.";
    LowIncomeIBoundary = "B08", "低所得Ⅰ（境）", "B08 低所得Ⅰ（境界層該当）.";
    GeneralII = "B09", "一般Ⅱ", "B09 一般Ⅱ (後期高齢者医療).";
    GeneralI = "B10", "一般Ⅰ", "B10 一般Ⅰ (後期高齢者医療).";
}
