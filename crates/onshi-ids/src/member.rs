//! 記号・番号・枝番 (symbol, insured number, branch).

use crate::digits::{ascii_str, exact_digits, text_identifier, to_ascii};
use crate::{IdError, IdKind};

/// The longest symbol or number accepted, in characters.
pub const MAX_SYMBOL_NUMBER_CHARS: usize = 20;

/// The symbol (記号) printed on an insurance card or eligibility certificate. Optional in
/// requests: many 国保 and 後期高齢者医療 cards have none.
///
/// Rules: 1–20 characters after trimming (ASCII whitespace and the ideographic space), no
/// control or invisible format characters; full-width ASCII is folded to half-width
/// (`"１２Ａ"` → `"12A"`). Kanji and kana are kept as given, since some 国保 use them.
///
/// ```
/// use onshi_ids::Symbol;
/// assert_eq!(Symbol::parse(" 　１２３４ ")?.as_str(), "1234");
/// assert_eq!(Symbol::parse("札幌")?.as_str(), "札幌");
/// assert_eq!(Symbol::parse("").unwrap_err().code(), "invalid_symbol");
/// # Ok::<(), onshi_ids::IdError>(())
/// ```
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct Symbol(String);

impl Symbol {
    /// Parses and normalises a symbol.
    ///
    /// # Errors
    /// [`IdError`] with code `invalid_symbol`: empty, longer than 20 characters, or holding a
    /// control character.
    pub fn parse(s: &str) -> Result<Self, IdError> {
        text_identifier(IdKind::Symbol, s, MAX_SYMBOL_NUMBER_CHARS).map(Symbol)
    }

    /// The normalised symbol.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

crate::string_traits!(Symbol);

/// The insured number (被保険者証等番号, 番号). Required; same rules as [`Symbol`].
///
/// ```
/// use onshi_ids::InsuredNumber;
/// assert_eq!(InsuredNumber::parse("５６７")?.as_str(), "567");
/// assert_eq!(InsuredNumber::parse("12\u{7}").unwrap_err().code(), "invalid_number");
/// # Ok::<(), onshi_ids::IdError>(())
/// ```
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct InsuredNumber(String);

impl InsuredNumber {
    /// Parses and normalises an insured number.
    ///
    /// # Errors
    /// [`IdError`] with code `invalid_number`: empty, longer than 20 characters, or holding a
    /// control character.
    pub fn parse(s: &str) -> Result<Self, IdError> {
        text_identifier(IdKind::Number, s, MAX_SYMBOL_NUMBER_CHARS).map(InsuredNumber)
    }

    /// The normalised number, as given (leading zeros kept).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key numbers are compared on: a number of ASCII digits only, with its leading zeros
    /// folded (`"001234567"`, `"01234567"` and `"1234567"` all have the key `"1234567"`; all
    /// zeros fold to `"0"`); any other number is its own key. The number itself is kept as
    /// given: the key only decides which numbers may mean the same card.
    ///
    /// Why: when a 国保 changes the number of digits of its numbers (8 → 9 with a leading
    /// zero, or back), a receptionist types what the card or the レセコン shows and the
    /// lookup must not answer "no such member" for a zero (seed: 「8桁でオンライン確認を行うと
    /// 資格なし、9桁で行ってみると資格あり」). Two different spellings with the same key are never
    /// chosen between silently: see `onshi_ledger::select_by_number`.
    ///
    /// A key of digits never equals the key of a number with another character, so folding
    /// cannot make a symbol-like number (`"A012"`) meet a numeric one.
    ///
    /// ```
    /// use onshi_ids::InsuredNumber;
    /// let n = |s| InsuredNumber::parse(s).unwrap();
    /// assert_eq!(n("001234567").match_key(), "1234567");
    /// assert_eq!(n("０１２３４５６７").match_key(), "1234567");
    /// assert_eq!(n("000").match_key(), "0");
    /// assert_eq!(n("A012").match_key(), "A012");
    /// assert!(n("01234567").same_key(&n("001234567")));
    /// assert!(!n("01234567").same_key(&n("12345670")));
    /// ```
    pub fn match_key(&self) -> &str {
        let s = self.0.as_str();
        if !s.bytes().all(|b| b.is_ascii_digit()) {
            return s;
        }
        let folded = s.trim_start_matches('0');
        if folded.is_empty() {
            // the number is all zeros (never empty: parsing refuses that); keep one zero
            s.get(s.len().saturating_sub(1)..).unwrap_or(s)
        } else {
            folded
        }
    }

    /// Whether two numbers have the same [`match_key`](Self::match_key), i.e. differ at most by
    /// leading zeros.
    pub fn same_key(&self, other: &InsuredNumber) -> bool {
        self.match_key() == other.match_key()
    }
}

crate::string_traits!(InsuredNumber);

/// The branch (枝番): exactly two digits, `"00"`–`"99"`, that tell apart the people sharing a
/// symbol and number (the insured and each dependent). Introduced in 2021 so that a card
/// identifies one person.
///
/// ```
/// use onshi_ids::Branch;
/// assert_eq!(Branch::parse("０１")?.as_str(), "01");
/// assert_eq!(Branch::from_u8(7).map(|b| b.as_str().to_owned()), Some("07".to_owned()));
/// assert_eq!(Branch::parse("1").unwrap_err().code(), "invalid_branch");
/// # Ok::<(), onshi_ids::IdError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Branch([u8; 2]);

impl Branch {
    /// Parses exactly two digits (ASCII or full-width, surrounding ASCII whitespace trimmed).
    ///
    /// # Errors
    /// [`IdError`] with code `invalid_branch`: not exactly two digits.
    pub fn parse(s: &str) -> Result<Self, IdError> {
        exact_digits::<2>(IdKind::Branch, "2", s).map(|d| Branch(to_ascii(d)))
    }

    /// The branch numbered `n`, if `n ≤ 99`.
    pub fn from_u8(n: u8) -> Option<Self> {
        (n <= 99).then(|| Branch([b'0' + n / 10, b'0' + n % 10]))
    }

    /// The branch as a number 0–99.
    pub fn value(&self) -> u8 {
        (self.0[0] - b'0') * 10 + (self.0[1] - b'0')
    }

    /// The two ASCII digits.
    pub fn as_str(&self) -> &str {
        ascii_str(&self.0)
    }
}

crate::string_traits!(Branch);
crate::debug_as_str!(Branch);
