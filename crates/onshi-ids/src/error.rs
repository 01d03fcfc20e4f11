//! The one error type of this crate.

use std::fmt;

/// Which identifier an [`IdError`] is about; decides the error's [`code`](IdError::code).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IdKind {
    /// 個人番号 (My Number), 12 digits.
    MyNumber,
    /// 保険者番号, 8 digits (6 for 国民健康保険).
    InsurerNumber,
    /// 被保険者証等記号 (symbol).
    Symbol,
    /// 被保険者証等番号 (insured number).
    Number,
    /// 枝番 (branch), 2 digits.
    Branch,
    /// 医療機関コード / 薬局コード, 10 digits.
    InstitutionCode,
    /// 全国地方公共団体コード, 6 digits.
    MunicipalityCode,
}

impl IdKind {
    /// The stable error code of an invalid identifier of this kind, e.g. `"invalid_my_number"`.
    pub const fn code(self) -> &'static str {
        match self {
            IdKind::MyNumber => "invalid_my_number",
            IdKind::InsurerNumber => "invalid_insurer_number",
            IdKind::Symbol => "invalid_symbol",
            IdKind::Number => "invalid_number",
            IdKind::Branch => "invalid_branch",
            IdKind::InstitutionCode => "invalid_institution_code",
            IdKind::MunicipalityCode => "invalid_municipality_code",
        }
    }

    /// A short human name, English with the Japanese term, used in messages.
    pub const fn label(self) -> &'static str {
        match self {
            IdKind::MyNumber => "My Number (個人番号)",
            IdKind::InsurerNumber => "insurer number (保険者番号)",
            IdKind::Symbol => "symbol (記号)",
            IdKind::Number => "insured number (番号)",
            IdKind::Branch => "branch (枝番)",
            IdKind::InstitutionCode => "medical institution code (医療機関コード)",
            IdKind::MunicipalityCode => "municipality code (地方公共団体コード)",
        }
    }
}

impl fmt::Display for IdKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Why a string is not a valid identifier.
///
/// Every variant names the identifier ([`IdKind`]) and what is wrong with it; the message never
/// repeats the whole input (a My Number must not end up in a log line).
///
/// ```
/// use onshi_ids::MyNumber;
/// let err = MyNumber::parse("202404010045").unwrap_err();
/// assert_eq!(err.code(), "invalid_my_number");
/// assert!(err.to_string().contains("check digit"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdError {
    /// Nothing left after trimming the surrounding whitespace.
    #[error("{kind} is empty")]
    Empty {
        /// The identifier.
        kind: IdKind,
    },
    /// Wrong number of digits.
    #[error("{kind} must have {expected} digits, got {found}")]
    WrongLength {
        /// The identifier.
        kind: IdKind,
        /// The accepted length(s), e.g. `"12"` or `"6 or 8"`.
        expected: &'static str,
        /// The number of characters given (after trimming).
        found: usize,
    },
    /// A character that is neither an ASCII nor a full-width digit.
    #[error("{kind}: character {position} is {found:?}, not a digit (only 0-9 and ０-９ are accepted)")]
    NonDigit {
        /// The identifier.
        kind: IdKind,
        /// 1-based position of the character, counted after trimming.
        position: usize,
        /// The offending character.
        found: char,
    },
    /// The check digit does not match the other digits: usually one digit is mistyped.
    #[error("{kind}: the check digit should be {expected} but is {found}; a digit is probably mistyped")]
    CheckDigit {
        /// The identifier.
        kind: IdKind,
        /// The check digit computed from the other digits.
        expected: u8,
        /// The last digit given.
        found: u8,
    },
    /// An 8-digit insurer number whose 法別番号 (first two digits) is not a health insurer's.
    #[error(
        "insurer number (保険者番号): 法別番号 {houbetsu} is not a health insurer's \
         (expected 01, 02, 03, 04, 06, 07, 31, 32, 33, 34, 39, 63, 67, 72, 73, 74 or 75; \
         公費負担者番号 are not insurer numbers)"
    )]
    UnknownHoubetsu {
        /// The two digits found.
        houbetsu: String,
    },
    /// The 都道府県番号 is not 01–47.
    #[error("{kind}: prefecture number {found:02} is not between 01 and 47")]
    InvalidPrefecture {
        /// The identifier.
        kind: IdKind,
        /// The two-digit number found.
        found: u8,
    },
    /// The 点数表番号 (third digit of a medical institution code) is not 1, 3, 4 or 6.
    #[error(
        "medical institution code (医療機関コード): fee table digit {found} is not \
         1 (医科), 3 (歯科), 4 (調剤) or 6 (訪問看護)"
    )]
    InvalidPointTable {
        /// The digit found.
        found: u8,
    },
    /// A symbol or number longer than allowed.
    #[error("{kind} has {found} characters; at most {max} are allowed")]
    TooLong {
        /// The identifier.
        kind: IdKind,
        /// The maximum length in characters.
        max: usize,
        /// The length found (after trimming).
        found: usize,
    },
    /// A control character (or another invisible format character) inside a symbol or number.
    #[error("{kind}: character {position} is a control character (U+{code:04X})")]
    ControlChar {
        /// The identifier.
        kind: IdKind,
        /// 1-based position of the character, counted after trimming.
        position: usize,
        /// Its code point.
        code: u32,
    },
}

impl IdError {
    /// The stable snake_case error code: one of `invalid_my_number`, `invalid_insurer_number`,
    /// `invalid_symbol`, `invalid_number`, `invalid_branch`, `invalid_institution_code`,
    /// `invalid_municipality_code`.
    pub fn code(&self) -> &'static str {
        self.kind().code()
    }

    /// The specific cause, in snake_case: `empty`, `wrong_length`, `non_digit`, `check_digit`,
    /// `unknown_houbetsu`, `invalid_prefecture`, `invalid_point_table`, `too_long` or
    /// `control_char`. Stable; a front end may show it next to the [`code`](Self::code).
    ///
    /// ```
    /// use onshi_ids::{Branch, MyNumber};
    /// assert_eq!(MyNumber::parse("202404010045").unwrap_err().reason(), "check_digit");
    /// assert_eq!(Branch::parse("0").unwrap_err().reason(), "wrong_length");
    /// ```
    pub fn reason(&self) -> &'static str {
        match self {
            IdError::Empty { .. } => "empty",
            IdError::WrongLength { .. } => "wrong_length",
            IdError::NonDigit { .. } => "non_digit",
            IdError::CheckDigit { .. } => "check_digit",
            IdError::UnknownHoubetsu { .. } => "unknown_houbetsu",
            IdError::InvalidPrefecture { .. } => "invalid_prefecture",
            IdError::InvalidPointTable { .. } => "invalid_point_table",
            IdError::TooLong { .. } => "too_long",
            IdError::ControlChar { .. } => "control_char",
        }
    }

    /// The identifier this error is about.
    pub fn kind(&self) -> IdKind {
        match self {
            IdError::Empty { kind }
            | IdError::WrongLength { kind, .. }
            | IdError::NonDigit { kind, .. }
            | IdError::CheckDigit { kind, .. }
            | IdError::InvalidPrefecture { kind, .. }
            | IdError::TooLong { kind, .. }
            | IdError::ControlChar { kind, .. } => *kind,
            IdError::UnknownHoubetsu { .. } => IdKind::InsurerNumber,
            IdError::InvalidPointTable { .. } => IdKind::InstitutionCode,
        }
    }
}
