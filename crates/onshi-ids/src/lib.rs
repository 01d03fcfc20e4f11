//! Identifiers of Japan's online eligibility system (オンライン資格確認), parsed totally.
//!
//! | type | what | rule checked |
//! | --- | --- | --- |
//! | [`MyNumber`] | 個人番号, 12 digits | check digit (総務省令第85号 第5条) |
//! | [`InsurerNumber`] | 保険者番号, 8 digits (国保: 6) | check digit, 法別番号, prefecture |
//! | [`Symbol`], [`InsuredNumber`] | 記号, 番号 | 1–20 characters, no control characters |
//! | [`Branch`] | 枝番 | exactly 2 digits |
//! | [`InstitutionCode`] | 医療機関コード, 10 digits | prefecture, 点数表 (no check digit) |
//! | [`MunicipalityCode`] | 全国地方公共団体コード, 6 digits | check digit, prefecture |
//!
//! # Invariants
//!
//! * **Parsing is total.** Every `parse` returns either a value or an [`IdError`] whose
//!   [`code`](IdError::code) is stable (`invalid_my_number`, `invalid_insurer_number`,
//!   `invalid_symbol`, `invalid_number`, `invalid_branch`, `invalid_institution_code`,
//!   `invalid_municipality_code`) and whose message says what is wrong (length, the position of
//!   a non-digit, the expected check digit …) without echoing the input. Nothing panics.
//! * **Input tolerance.** Digit identifiers accept ASCII digits and full-width digits (０–９)
//!   with surrounding ASCII whitespace; anything else is refused. Symbols and numbers also fold
//!   full-width ASCII and the ideographic space to half-width.
//! * **Canonical form.** A parsed value holds its canonical ASCII form; `as_str`, `Display`
//!   and serde all produce it, and parsing the canonical form gives the same value back.
//! * **Insured numbers compare on a key.** [`InsuredNumber::match_key`] folds the leading zeros
//!   of an all-digit number (`"001234567"` ~ `"01234567"`), so that a number whose digit count
//!   changed still finds its member; the number itself is kept as given.
//! * Every type (de)serialises as a JSON string through `parse`, so invalid values cannot enter
//!   through serde either.
//!
//! ```
//! use onshi_ids::{InsurerNumber, MyNumber, Scheme};
//! let n: MyNumber = "123456789018".parse()?;
//! assert_eq!(n.to_string(), "123456789018");
//! let ins = InsurerNumber::parse("39131008")?;
//! assert_eq!(ins.scheme(), Scheme::LateStageElderly);
//! # Ok::<(), onshi_ids::IdError>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod codes;
mod digits;
mod error;
mod insurer;
mod member;
mod my_number;

pub use codes::{InstitutionCode, MunicipalityCode, PointTable};
pub use error::{IdError, IdKind};
pub use insurer::{INSURER_HOUBETSU, InsurerKind, InsurerNumber, Scheme};
pub use member::{Branch, InsuredNumber, MAX_SYMBOL_NUMBER_CHARS, Symbol};
pub use my_number::MyNumber;

/// Display, FromStr, AsRef<str> and serde-as-string for a type with `parse` and `as_str`.
macro_rules! string_traits {
    ($t:ty) => {
        impl ::std::fmt::Display for $t {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $t {
            type Err = $crate::IdError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                <$t>::parse(s)
            }
        }

        impl AsRef<str> for $t {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        impl ::serde::Serialize for $t {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $t {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(d)?;
                <$t>::parse(&s).map_err(::serde::de::Error::custom)
            }
        }
    };
}
pub(crate) use string_traits;

/// `Debug` as `Type("canonical")`.
macro_rules! debug_as_str {
    ($t:ident) => {
        impl ::std::fmt::Debug for $t {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                write!(f, concat!(stringify!($t), "({:?})"), self.as_str())
            }
        }
    };
}
pub(crate) use debug_as_str;
