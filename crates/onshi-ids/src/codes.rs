//! 医療機関コード and 全国地方公共団体コード.

use crate::digits::{ascii_str, exact_digits, to_ascii, two};
use crate::{IdError, IdKind};

/// A medical institution or pharmacy code (医療機関コード / 薬局コード), 10 digits:
/// 都道府県番号 (2, 01–47) + 点数表番号 (1: [`PointTable`]) + 7 digits (郡市区番号, 医療機関番号
/// and a check digit).
///
/// The trailing check digit is **not** verified: the project's test data uses codes such as
/// `1311234567` that do not satisfy it, and institutions are authenticated by their token,
/// not by the code's arithmetic.
///
/// ```
/// use onshi_ids::{InstitutionCode, PointTable};
/// let c = InstitutionCode::parse("1311234567")?;
/// assert_eq!((c.prefecture(), c.table()), (13, PointTable::Medical));
/// assert_eq!(InstitutionCode::parse("1321234567").unwrap_err().code(), "invalid_institution_code");
/// # Ok::<(), onshi_ids::IdError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct InstitutionCode([u8; 10]);

/// The fee table (点数表) digit of an [`InstitutionCode`].
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub enum PointTable {
    /// 1 医科 (medical).
    Medical,
    /// 3 歯科 (dental).
    Dental,
    /// 4 調剤 (pharmacy).
    Pharmacy,
    /// 6 訪問看護 (home-visit nursing).
    HomeNursing,
}

impl PointTable {
    /// The digit: 1, 3, 4 or 6.
    pub const fn digit(self) -> u8 {
        match self {
            PointTable::Medical => 1,
            PointTable::Dental => 3,
            PointTable::Pharmacy => 4,
            PointTable::HomeNursing => 6,
        }
    }

    /// The table of a digit, if it is one.
    pub const fn from_digit(d: u8) -> Option<Self> {
        match d {
            1 => Some(PointTable::Medical),
            3 => Some(PointTable::Dental),
            4 => Some(PointTable::Pharmacy),
            6 => Some(PointTable::HomeNursing),
            _ => None,
        }
    }

    /// 医科, 歯科, 調剤 or 訪問看護.
    pub const fn label_ja(self) -> &'static str {
        match self {
            PointTable::Medical => "医科",
            PointTable::Dental => "歯科",
            PointTable::Pharmacy => "調剤",
            PointTable::HomeNursing => "訪問看護",
        }
    }
}

impl InstitutionCode {
    /// Parses 10 digits, checking the prefecture (01–47) and the fee-table digit.
    ///
    /// # Errors
    /// [`IdError`] with code `invalid_institution_code`.
    pub fn parse(s: &str) -> Result<Self, IdError> {
        const K: IdKind = IdKind::InstitutionCode;
        let d: [u8; 10] = exact_digits(K, "10", s)?;
        let pref = two(d[0], d[1]);
        if !(1..=47).contains(&pref) {
            return Err(IdError::InvalidPrefecture { kind: K, found: pref });
        }
        if PointTable::from_digit(d[2]).is_none() {
            return Err(IdError::InvalidPointTable { found: d[2] });
        }
        Ok(InstitutionCode(to_ascii(d)))
    }

    /// The 10 ASCII digits.
    pub fn as_str(&self) -> &str {
        ascii_str(&self.0)
    }

    /// The 都道府県番号, 1..=47.
    pub fn prefecture(&self) -> u8 {
        two(self.0[0] - b'0', self.0[1] - b'0')
    }

    /// The fee table (点数表).
    pub fn table(&self) -> PointTable {
        PointTable::from_digit(self.0[2] - b'0').unwrap_or(PointTable::Medical)
    }
}

crate::string_traits!(InstitutionCode);
crate::debug_as_str!(InstitutionCode);

/// A 全国地方公共団体コード (local government code), 6 digits: 都道府県 (2) + 市区町村 (3) + check.
///
/// Check digit (昭和43年 自治省通知): `r = (d1×6 + d2×5 + d3×4 + d4×3 + d5×2) mod 11`,
/// check = `(11 − r) mod 10`.
///
/// ```
/// use onshi_ids::MunicipalityCode;
/// let chiyoda = MunicipalityCode::from_five("13101")?;
/// assert_eq!(chiyoda.as_str(), "131016");
/// assert_eq!(chiyoda.prefecture(), 13);
/// # Ok::<(), onshi_ids::IdError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MunicipalityCode([u8; 6]);

impl MunicipalityCode {
    /// Parses 6 digits and verifies the prefecture (01–47) and the check digit.
    ///
    /// # Errors
    /// [`IdError`] with code `invalid_municipality_code`.
    pub fn parse(s: &str) -> Result<Self, IdError> {
        const K: IdKind = IdKind::MunicipalityCode;
        let d: [u8; 6] = exact_digits(K, "6", s)?;
        let mut body = [0u8; 5];
        body.copy_from_slice(&d[..5]);
        let code = Self::build(body)?;
        if d[5] != code.0[5] - b'0' {
            return Err(IdError::CheckDigit { kind: K, expected: code.0[5] - b'0', found: d[5] });
        }
        Ok(code)
    }

    /// Builds the code from its first 5 digits (as in the postal data's `ken_all.csv`),
    /// computing the check digit.
    ///
    /// # Errors
    /// [`IdError`] with code `invalid_municipality_code`: not 5 digits or a bad prefecture.
    pub fn from_five(s: &str) -> Result<Self, IdError> {
        Self::build(exact_digits(IdKind::MunicipalityCode, "5", s)?)
    }

    fn build(body: [u8; 5]) -> Result<Self, IdError> {
        let pref = two(body[0], body[1]);
        if !(1..=47).contains(&pref) {
            return Err(IdError::InvalidPrefecture { kind: IdKind::MunicipalityCode, found: pref });
        }
        let mut d = [0u8; 6];
        d[..5].copy_from_slice(&body);
        d[5] = Self::check_digit(&body);
        Ok(MunicipalityCode(to_ascii(d)))
    }

    /// The check digit of a 5-digit body (digit values 0–9 or ASCII digits).
    ///
    /// ```
    /// assert_eq!(onshi_ids::MunicipalityCode::check_digit(b"27140"), 3);
    /// ```
    pub fn check_digit(body: &[u8; 5]) -> u8 {
        let sum: u32 = body
            .iter()
            .zip([6u32, 5, 4, 3, 2])
            .map(|(&b, w)| u32::from(b.wrapping_sub(if b >= b'0' { b'0' } else { 0 }) % 10) * w)
            .sum();
        ((11 - sum % 11) % 10) as u8
    }

    /// The 6 ASCII digits.
    pub fn as_str(&self) -> &str {
        ascii_str(&self.0)
    }

    /// The 5 digits without the check digit.
    pub fn five(&self) -> &str {
        ascii_str(&self.0[..5])
    }

    /// The 都道府県コード, 1..=47.
    pub fn prefecture(&self) -> u8 {
        two(self.0[0] - b'0', self.0[1] - b'0')
    }
}

crate::string_traits!(MunicipalityCode);
crate::debug_as_str!(MunicipalityCode);
