//! 個人番号 (My Number).

use crate::digits::{ascii_str, exact_digits, to_ascii};
use crate::{IdError, IdKind};

/// A My Number (個人番号): 12 digits, the last a check digit.
///
/// The check digit follows 行政手続における特定の個人を識別するための番号の利用等に関する法律施行令
/// and 総務省令第85号 第5条: see [`MyNumber::check_digit`]. Stored inline as 12 ASCII digits, so
/// the type is `Copy` and [`as_str`](MyNumber::as_str) costs nothing.
///
/// ```
/// use onshi_ids::MyNumber;
/// let n = MyNumber::parse(" １２３４５６７８９０１８ ")?; // full-width digits, trimmed
/// assert_eq!(n.as_str(), "123456789018");
/// assert_eq!(MyNumber::from_body("12345678901")?, n);
/// # Ok::<(), onshi_ids::IdError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MyNumber([u8; 12]);

impl MyNumber {
    /// Parses 12 digits (ASCII or full-width, surrounding ASCII whitespace trimmed) and verifies
    /// the check digit.
    ///
    /// # Errors
    /// [`IdError`] with code `invalid_my_number`: empty, a non-digit, not 12 digits, or a check
    /// digit that does not match.
    pub fn parse(s: &str) -> Result<Self, IdError> {
        let d: [u8; 12] = exact_digits(IdKind::MyNumber, "12", s)?;
        let mut body = [0u8; 11];
        body.copy_from_slice(&d[..11]);
        let expected = Self::check_digit(&body);
        if d[11] != expected {
            return Err(IdError::CheckDigit { kind: IdKind::MyNumber, expected, found: d[11] });
        }
        Ok(MyNumber(to_ascii(d)))
    }

    /// Builds a My Number from its first 11 digits, computing the check digit.
    ///
    /// # Errors
    /// [`IdError`] with code `invalid_my_number` when the input is not 11 digits.
    pub fn from_body(body: &str) -> Result<Self, IdError> {
        let b: [u8; 11] = exact_digits(IdKind::MyNumber, "11", body)?;
        let mut d = [0u8; 12];
        d[..11].copy_from_slice(&b);
        d[11] = Self::check_digit(&b);
        Ok(MyNumber(to_ascii(d)))
    }

    /// The check digit of an 11-digit body: weights 6,5,4,3,2,7,6,5,4,3,2 over the digits left
    /// to right, `r = sum mod 11`, check = 0 if `r ≤ 1` else `11 − r` (総務省令第85号 第5条).
    ///
    /// Each byte may be a digit value (0–9) or an ASCII digit (`b'0'`–`b'9'`); other bytes are
    /// taken modulo 10 so that the function is total.
    ///
    /// ```
    /// assert_eq!(onshi_ids::MyNumber::check_digit(b"12345678901"), 8);
    /// assert_eq!(onshi_ids::MyNumber::check_digit(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]), 8);
    /// ```
    pub fn check_digit(body: &[u8; 11]) -> u8 {
        const WEIGHTS: [u32; 11] = [6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
        let sum: u32 = body
            .iter()
            .zip(WEIGHTS)
            .map(|(&b, w)| u32::from(b.wrapping_sub(if b >= b'0' { b'0' } else { 0 }) % 10) * w)
            .sum();
        let r = sum % 11;
        if r <= 1 { 0 } else { (11 - r) as u8 }
    }

    /// The 12 ASCII digits.
    pub fn as_str(&self) -> &str {
        ascii_str(&self.0)
    }
}

crate::string_traits!(MyNumber);

/// Shows only the last four digits, so that a My Number does not leak into logs through
/// `{:?}` (番号法 第12条: 安全管理措置). Use [`MyNumber::as_str`] or `Display` for the number.
impl std::fmt::Debug for MyNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MyNumber(********{})", ascii_str(&self.0[8..]))
    }
}
