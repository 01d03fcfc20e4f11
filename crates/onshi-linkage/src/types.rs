//! The vocabulary of a grading: sex, grades, per-field verdicts, reasons.

use serde::{Deserialize, Serialize};

/// Sex as recorded in the basic four (基本4情報). Spelled `"male"` / `"female"` in JSON (api.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// 男.
    Male,
    /// 女.
    Female,
}

impl Sex {
    /// `"male"` or `"female"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Sex::Male => "male",
            Sex::Female => "female",
        }
    }
}

/// The linkage grade of a record against the resident whose My Number it carries (api.md).
///
/// - `A`: the basic four agree once notation is set aside (width, spacing, kana/katakana, 「東京都」 omitted,
///   「二丁目1番2号」 = 「2-1-2」), and so does the reading.
/// - `B`: birth date and sex agree and the record is the resident's up to kanji variants (髙/高, 齊/斉), a
///   different reading, a likely typo (斉藤 for 斎藤 when everything else agrees), a surname changed by
///   marriage, or a stale address — and no other
///   known resident fits as well. A person should confirm.
/// - `C`: birth date or sex differ, the name is another's, or another resident (a twin, a family member, a
///   same-name stranger) fits the record better. Never link.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Grade {
    /// Agrees up to notation.
    A,
    /// Probably the same person; confirm.
    B,
    /// Not this resident, or not provably.
    C,
}

impl Grade {
    /// `"A"`, `"B"` or `"C"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Grade::A => "A",
            Grade::B => "B",
            Grade::C => "C",
        }
    }
}

/// How one field of a record compares with the resident's (files.md: the per-field columns of
/// `onshi reconcile`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Identical as stored.
    Match,
    /// Equal once notation is set aside (width, spacing, kana script, address notation).
    Notation,
    /// Equal up to kanji variants (髙/高) — names only.
    Variant,
    /// The same reading spelled differently (キョウコ/キヨウコ, ヂ/ジ, ー) — readings only.
    Reading,
    /// Likely a typo: one character off (names of 3 or more characters, readings), one 「●」 standing for
    /// one character, or one digit of a birth date off / month and day swapped.
    Typo,
    /// Different.
    Differs,
    /// Absent on one side.
    Missing,
}

impl Verdict {
    /// `match`, `notation`, `variant`, `reading`, `typo`, `differs` or `missing`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Match => "match",
            Verdict::Notation => "notation",
            Verdict::Variant => "variant",
            Verdict::Reading => "reading",
            Verdict::Typo => "typo",
            Verdict::Differs => "differs",
            Verdict::Missing => "missing",
        }
    }
}

macro_rules! reasons {
    ($($(#[doc = $doc:literal])* $v:ident = $s:literal,)*) => {
        /// Why a record got its grade: stable snake_case codes (`as_str`, serde), listed in this order.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        #[repr(u8)]
        pub enum Reason {
            $($(#[doc = $doc])* $v,)*
        }

        impl Reason {
            /// Every reason, in order.
            pub const ALL: &'static [Reason] = &[$(Reason::$v,)*];

            /// The stable snake_case code.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Reason::$v => $s,)*
                }
            }
        }
    };
}

reasons! {
    /// The name agrees up to notation only (width, spacing, kana script, compatibility ideographs).
    NameNotation = "name_notation",
    /// The name agrees up to kanji variants (髙/高, 齊/斉).
    NameVariant = "name_variant",
    /// The name is one character off: a likely typo.
    NameTypo = "name_typo",
    /// The surnames are two real surnames one kanji apart with the same reading (斉藤/斎藤, 伊藤/伊東), or two
    /// kanji surnames read exactly the same (阿部/安倍), the given name and the reading agree: a likely input error (B) when sex and address agree, another family's name
    /// (C, with `name_differs`) otherwise.
    SurnameSameReading = "surname_same_reading",
    /// The given names are written with different kanji read exactly the same (陽康/治安: a conversion slip), the
    /// surname and the whole reading agree: a likely input error (B) when sex and address agree, C (with
    /// `name_differs`) otherwise.
    GivenNameSameReading = "given_name_same_reading",
    /// One side's name has a 「●」/「〓」 placeholder where the other has a character.
    NamePlaceholder = "name_placeholder",
    /// The name is another's.
    NameDiffers = "name_differs",
    /// The surnames differ (marriage, when the given name and its reading agree).
    SurnameDiffers = "surname_differs",
    /// The given names differ (a twin, a sibling).
    GivenNameDiffers = "given_name_differs",
    /// A name is empty.
    NameMissing = "name_missing",
    /// The readings are the same reading spelled differently (small kana, ヂ/ジ, ヅ/ズ, ー).
    KanaReading = "kana_reading",
    /// The readings are one kana off.
    KanaTypo = "kana_typo",
    /// The readings differ.
    KanaDiffers = "kana_differs",
    /// A reading is absent.
    KanaMissing = "kana_missing",
    /// The birth dates differ.
    BirthDateDiffers = "birth_date_differs",
    /// The birth dates differ by one digit or by month and day swapped.
    BirthDateTypo = "birth_date_typo",
    /// The sexes differ.
    SexDiffers = "sex_differs",
    /// A sex is absent.
    SexMissing = "sex_missing",
    /// The addresses agree up to notation (「東京都」 omitted, 「二丁目1番2号」 = 「2-1-2」).
    AddressNotation = "address_notation",
    /// The addresses differ (moved, stale address).
    AddressDiffers = "address_differs",
    /// An address is absent.
    AddressMissing = "address_missing",
    /// Another resident fits the record better than the number's owner (see `Grading::better`).
    BetterCandidate = "better_candidate",
    /// Another resident fits the record exactly as well as the owner (or several fit equally better):
    /// the grader does not guess.
    IndistinguishableResident = "indistinguishable_resident",
    /// Not produced by this crate: for callers whose record carries a My Number unknown to the registry.
    UnknownMyNumber = "unknown_my_number",
    /// Not produced by this crate: for callers whose record carries a My Number failing its check digit.
    InvalidMyNumber = "invalid_my_number",
}

/// A small set of reasons, iterated in [`Reason`] order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct ReasonSet(u32);

impl ReasonSet {
    #[inline]
    pub(crate) fn insert(&mut self, r: Reason) {
        self.0 |= 1 << (r as u8);
    }

    pub(crate) fn to_vec(self) -> Vec<Reason> {
        Reason::ALL.iter().copied().filter(|&r| self.0 & (1 << (r as u8)) != 0).collect()
    }
}

/// The per-field verdicts of a record against a resident.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Fields {
    /// 氏名.
    pub name: Verdict,
    /// 氏名カナ.
    pub name_kana: Verdict,
    /// 生年月日.
    pub birth_date: Verdict,
    /// 性別.
    pub sex: Verdict,
    /// 住所.
    pub address: Verdict,
}

/// The outcome of [`grade`](crate::grade).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grading<Id> {
    /// A, B or C.
    pub grade: Grade,
    /// The record against the number's owner, field by field.
    pub fields: Fields,
    /// Why, in [`Reason`] order (may be non-empty for A: e.g. `address_notation`).
    pub reasons: Vec<Reason>,
    /// Another resident who fits the record better than the owner (a twin, a spouse, a same-name stranger),
    /// when exactly one fits best and it fits at a better grade than the owner or better field by field
    /// ([`Fit::dominates`](crate::Fit::dominates)); `None` otherwise.
    pub better: Option<Id>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable_and_serde_agrees() {
        assert_eq!(Reason::ALL.len(), 25);
        assert!(Reason::ALL.len() <= 32, "ReasonSet is a u32");
        for &r in Reason::ALL {
            let json = serde_json::to_string(&r).unwrap();
            assert_eq!(json, format!("\"{}\"", r.as_str()));
        }
        for v in [
            Verdict::Match,
            Verdict::Notation,
            Verdict::Variant,
            Verdict::Reading,
            Verdict::Typo,
            Verdict::Differs,
            Verdict::Missing,
        ] {
            assert_eq!(serde_json::to_string(&v).unwrap(), format!("\"{}\"", v.as_str()));
        }
        for g in [Grade::A, Grade::B, Grade::C] {
            assert_eq!(serde_json::to_string(&g).unwrap(), format!("\"{}\"", g.as_str()));
        }
        assert_eq!(serde_json::to_string(&Sex::Female).unwrap(), "\"female\"");
        assert_eq!(serde_json::from_str::<Sex>("\"male\"").unwrap(), Sex::Male);
    }

    #[test]
    fn reason_set_orders_and_dedups() {
        let mut s = ReasonSet::default();
        s.insert(Reason::AddressDiffers);
        s.insert(Reason::NameVariant);
        s.insert(Reason::AddressDiffers);
        assert_eq!(s.to_vec(), vec![Reason::NameVariant, Reason::AddressDiffers]);
    }
}
