//! 保険者番号 (insurer number), its kind and scheme.

use crate::digits::{ascii_str, scan_digits, two};
use crate::{IdError, IdKind};

/// An insurer number (保険者番号).
///
/// * 8 digits = 法別番号 (2) + 都道府県番号 (2) + 保険者別番号 (3) + 検証番号 (1), for every insurer
///   but 国民健康保険;
/// * 6 digits = 都道府県番号 (2) + 保険者別番号 (3) + 検証番号 (1) for 国民健康保険 (市町村 and
///   国保組合, whose 保険者別番号 starts with 3).
///
/// Parsing verifies the check digit ([`InsurerNumber::check_digit`]), that an 8-digit number's
/// 法別番号 is a health insurer's (not a 公費負担者番号) and that the prefecture is 01–47. In
/// 8-character fields of the national system a 6-digit number is left-padded with spaces: that
/// form is accepted too, and [`fixed8`](InsurerNumber::fixed8) produces it.
///
/// ```
/// use onshi_ids::{InsurerKind, InsurerNumber, Scheme};
/// let kyokai: InsurerNumber = "01130012".parse()?;
/// assert_eq!(kyokai.kind(), InsurerKind::KyokaiKenpo);
/// assert_eq!(kyokai.prefecture(), Some(13));
/// let kokuho = InsurerNumber::parse("  138016")?;
/// assert_eq!(kokuho.as_str(), "138016");
/// assert_eq!(kokuho.scheme(), Scheme::National);
/// assert_eq!(InsurerNumber::parse("01130013").unwrap_err().code(), "invalid_insurer_number");
/// # Ok::<(), onshi_ids::IdError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct InsurerNumber {
    /// ASCII digits, then zero bytes (so that the derived order is the order of the strings).
    digits: [u8; 8],
    len: u8,
}

/// The 法別番号 of health insurers accepted in an 8-digit insurer number.
pub const INSURER_HOUBETSU: [&str; 17] =
    ["01", "02", "03", "04", "06", "07", "31", "32", "33", "34", "39", "63", "67", "72", "73", "74", "75"];

impl InsurerNumber {
    /// Parses a 6- or 8-digit insurer number (ASCII or full-width digits, surrounding ASCII
    /// whitespace trimmed, so a space-padded 8-character field holding a 6-digit number works).
    ///
    /// # Errors
    /// [`IdError`] with code `invalid_insurer_number`: a non-digit, a length other than 6 or 8,
    /// an unknown 法別番号, a prefecture outside 01–47 or a wrong check digit.
    pub fn parse(s: &str) -> Result<Self, IdError> {
        const K: IdKind = IdKind::InsurerNumber;
        let mut d = [0u8; 8];
        let n = scan_digits(K, s, &mut d)?;
        let pref_at = match n {
            8 => {
                let h = two(d[0], d[1]);
                if kind_of_houbetsu(h).is_none() {
                    return Err(IdError::UnknownHoubetsu { houbetsu: format!("{h:02}") });
                }
                2
            }
            6 => 0,
            _ => {
                return Err(IdError::WrongLength { kind: K, expected: "6 or 8", found: n });
            }
        };
        let pref = two(d[pref_at], d[pref_at + 1]);
        if !(1..=47).contains(&pref) {
            return Err(IdError::InvalidPrefecture { kind: K, found: pref });
        }
        let expected = Self::check_digit(&d[..n - 1]);
        if d[n - 1] != expected {
            return Err(IdError::CheckDigit { kind: K, expected, found: d[n - 1] });
        }
        let mut digits = [0u8; 8];
        for (o, v) in digits.iter_mut().zip(&d[..n]) {
            *o = b'0' + v;
        }
        Ok(InsurerNumber { digits, len: n as u8 })
    }

    /// The check digit of a body (all digits but the last): multiply the digits by 2, 1, 2, 1, …
    /// starting from the rightmost, add the digits of each product, and take
    /// `(10 − sum mod 10) mod 10`.
    ///
    /// Each byte may be a digit value (0–9) or an ASCII digit; other bytes are taken modulo 10.
    ///
    /// ```
    /// assert_eq!(onshi_ids::InsurerNumber::check_digit(b"0113001"), 2);
    /// assert_eq!(onshi_ids::InsurerNumber::check_digit(&[1, 3, 8, 0, 1]), 6);
    /// ```
    pub fn check_digit(body: &[u8]) -> u8 {
        let mut sum = 0u32;
        for (i, &b) in body.iter().rev().enumerate() {
            let v = u32::from(b.wrapping_sub(if b >= b'0' { b'0' } else { 0 }) % 10);
            let p = if i % 2 == 0 { v * 2 } else { v };
            sum += p / 10 + p % 10;
        }
        ((10 - sum % 10) % 10) as u8
    }

    /// The canonical 6 or 8 ASCII digits.
    pub fn as_str(&self) -> &str {
        ascii_str(&self.digits[..usize::from(self.len)])
    }

    /// The number as an 8-character field: a 6-digit 国保 number left-padded with two spaces.
    pub fn fixed8(&self) -> String {
        format!("{:>8}", self.as_str())
    }

    /// Whether this is a 6-digit 国民健康保険 number.
    pub fn is_national_six(&self) -> bool {
        self.len == 6
    }

    /// The 法別番号 (first two digits) of an 8-digit number; `None` for 国保's 6 digits.
    pub fn houbetsu(&self) -> Option<&str> {
        (self.len == 8).then(|| ascii_str(&self.digits[..2]))
    }

    /// The kind of insurer, from the 法別番号 (or the 6-digit 国保 form).
    pub fn kind(&self) -> InsurerKind {
        let d = |i: usize| self.digits[i] - b'0';
        if self.len == 6 {
            if d(2) == 3 {
                InsurerKind::NationalHealthInsuranceAssociation
            } else {
                InsurerKind::NationalHealthInsurance
            }
        } else {
            // parse() refused unknown 法別番号; the fallback is never reached.
            kind_of_houbetsu(two(d(0), d(1))).unwrap_or(InsurerKind::HealthInsuranceSociety)
        }
    }

    /// The scheme the copay law and the 75-year rule depend on; see [`Scheme`].
    pub fn scheme(&self) -> Scheme {
        self.kind().scheme()
    }

    /// The 都道府県番号 (1..=47), always present for a parsed number (the `Option` leaves room for
    /// nationwide insurers should the rule be relaxed).
    pub fn prefecture(&self) -> Option<u8> {
        let at = if self.len == 8 { 2 } else { 0 };
        let p = two(self.digits[at] - b'0', self.digits[at + 1] - b'0');
        (1..=47).contains(&p).then_some(p)
    }
}

fn kind_of_houbetsu(h: u8) -> Option<InsurerKind> {
    use InsurerKind::*;
    Some(match h {
        1 => KyokaiKenpo,
        2 => Seamen,
        3 | 4 => DayLaborer,
        6 => HealthInsuranceSociety,
        7 => SelfDefenseForces,
        31 => NationalPublicServantMutualAid,
        32 => LocalPublicServantMutualAid,
        33 => PoliceMutualAid,
        34 => SchoolMutualAid,
        39 => LateStageElderly,
        63 => SpecificHealthInsuranceRetiree,
        67 => NationalHealthInsuranceRetiree,
        72..=75 => SpecialRetiree,
        _ => return None,
    })
}

crate::string_traits!(InsurerNumber);
crate::debug_as_str!(InsurerNumber);

/// The kind of insurer (保険者の種別), as told by the 法別番号.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub enum InsurerKind {
    /// 01 全国健康保険協会管掌健康保険 (協会けんぽ).
    KyokaiKenpo,
    /// 02 船員保険.
    Seamen,
    /// 03, 04 日雇特例被保険者.
    DayLaborer,
    /// 06 組合管掌健康保険 (健保組合).
    HealthInsuranceSociety,
    /// 07 自衛官等.
    SelfDefenseForces,
    /// 31 国家公務員共済組合 (including 防衛省共済組合).
    NationalPublicServantMutualAid,
    /// 32 地方公務員等共済組合.
    LocalPublicServantMutualAid,
    /// 33 警察共済組合.
    PoliceMutualAid,
    /// 34 公立学校共済組合・日本私立学校振興・共済事業団.
    SchoolMutualAid,
    /// 39 後期高齢者医療 (広域連合).
    LateStageElderly,
    /// 63 特定健康保険組合 (特例退職被保険者).
    SpecificHealthInsuranceRetiree,
    /// 67 国民健康保険 退職者医療.
    NationalHealthInsuranceRetiree,
    /// 72–75 共済組合の特例退職被保険者.
    SpecialRetiree,
    /// 6 digits: 市町村国保.
    NationalHealthInsurance,
    /// 6 digits whose 3rd digit is 3: 国民健康保険組合.
    NationalHealthInsuranceAssociation,
}

impl InsurerKind {
    /// The Japanese name of the kind.
    pub const fn label_ja(self) -> &'static str {
        use InsurerKind::*;
        match self {
            KyokaiKenpo => "協会けんぽ",
            Seamen => "船員保険",
            DayLaborer => "日雇特例被保険者",
            HealthInsuranceSociety => "組合管掌健康保険",
            SelfDefenseForces => "自衛官等",
            NationalPublicServantMutualAid => "国家公務員共済組合",
            LocalPublicServantMutualAid => "地方公務員等共済組合",
            PoliceMutualAid => "警察共済組合",
            SchoolMutualAid => "公立学校共済組合・私学共済",
            LateStageElderly => "後期高齢者医療",
            SpecificHealthInsuranceRetiree => "特定健康保険組合（特例退職）",
            NationalHealthInsuranceRetiree => "国民健康保険（退職者医療）",
            SpecialRetiree => "共済組合（特例退職）",
            NationalHealthInsurance => "国民健康保険",
            NationalHealthInsuranceAssociation => "国民健康保険組合",
        }
    }

    /// The 法別番号 of the kind; `None` for 6-digit 国保. Kinds spanning several numbers
    /// answer with the first (`"03"` for 03/04, `"72"` for 72–75): use
    /// [`InsurerNumber::houbetsu`] for the number actually written.
    pub const fn houbetsu(self) -> Option<&'static str> {
        use InsurerKind::*;
        Some(match self {
            KyokaiKenpo => "01",
            Seamen => "02",
            DayLaborer => "03",
            HealthInsuranceSociety => "06",
            SelfDefenseForces => "07",
            NationalPublicServantMutualAid => "31",
            LocalPublicServantMutualAid => "32",
            PoliceMutualAid => "33",
            SchoolMutualAid => "34",
            LateStageElderly => "39",
            SpecificHealthInsuranceRetiree => "63",
            NationalHealthInsuranceRetiree => "67",
            SpecialRetiree => "72",
            NationalHealthInsurance | NationalHealthInsuranceAssociation => return None,
        })
    }

    /// The scheme of this kind: 国保 (including 退職者医療) → [`Scheme::National`], 39 →
    /// [`Scheme::LateStageElderly`], every other → [`Scheme::Employee`].
    pub const fn scheme(self) -> Scheme {
        use InsurerKind::*;
        match self {
            NationalHealthInsurance | NationalHealthInsuranceAssociation | NationalHealthInsuranceRetiree => {
                Scheme::National
            }
            LateStageElderly => Scheme::LateStageElderly,
            _ => Scheme::Employee,
        }
    }
}

/// The insurance scheme, as far as the copay law and the 75-year rule care.
///
/// Employee insurance (被用者保険) and national health insurance (国民健康保険) end on the 75th
/// birthday (高齢者の医療の確保に関する法律 第50条・第52条); late-stage elderly insurance
/// (後期高齢者医療) starts then. Serialised as `"employee"`, `"national"`, `"late_stage_elderly"`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub enum Scheme {
    /// 被用者保険 (健康保険, 船員保険, 共済組合 …).
    Employee,
    /// 国民健康保険 (市町村, 国保組合, 退職者医療).
    National,
    /// 後期高齢者医療.
    LateStageElderly,
}

impl Scheme {
    /// `"employee"`, `"national"` or `"late_stage_elderly"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Scheme::Employee => "employee",
            Scheme::National => "national",
            Scheme::LateStageElderly => "late_stage_elderly",
        }
    }

    /// The inverse of [`as_str`](Scheme::as_str).
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "employee" => Some(Scheme::Employee),
            "national" => Some(Scheme::National),
            "late_stage_elderly" => Some(Scheme::LateStageElderly),
            _ => None,
        }
    }
}

impl std::fmt::Display for Scheme {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for Scheme {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Scheme {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<'de, str>::deserialize(d)?;
        Scheme::parse(&s).ok_or_else(|| {
            serde::de::Error::custom(format!("unknown scheme {s:?}: expected employee, national or late_stage_elderly"))
        })
    }
}
