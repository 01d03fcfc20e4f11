//! Linkage grading (紐付け): is an insurer's record, carrying a My Number, really that resident's?
//!
//! A record (name, reading, birth date, sex, address) is compared field by field with the basic four
//! (基本4情報) of the resident who owns the number, and with the other residents it could be, and graded
//! (api.md):
//!
//! | grade | when | what the service does |
//! |---|---|---|
//! | **A** | all five agree once notation is set aside: width, spacing, hiragana/katakana, compatibility ideographs and variation selectors, 「東京都」 omitted, 「二丁目1番2号」 = 「2-1-2」 | link |
//! | **B** | birth date and sex agree, and the name agrees up to kanji variants (髙/高, 齊/斉), a different reading, a likely typo (one character off in a name of ≥ 3 characters, with a reading that does not contradict it; one 「●」 standing for one character; two real surnames one kanji apart with the same reading, 斉藤/斎藤, when the given name, the whole reading, sex and address all agree), a surname changed by marriage (the given name and its reading agree, the surname's reading changed, the address agrees), or the address differs or is absent (moved) — and no other resident fits as well | link after a person confirms |
//! | **C** | birth date or sex differ, the name is another's, or another resident fits better | never link |
//!
//! Each field gets a [`Verdict`] (`match`, `notation`, `variant`, `reading`, `typo`, `differs`, `missing`)
//! and the grade comes with [`Reason`] codes.
//!
//! # Why twins and family members are safe
//!
//! The most dangerous error is not a typo but a *right-looking* record under the wrong number: one twin's
//! record with the other twin's number (same surname, birth date, sex, address, reading of the surname),
//! husband and wife swapped, parent and child swapped, a same-name same-birth-date stranger. Comparing a
//! record with the owner alone would grade the twin case B ("one character off"). So [`grade`] also
//! compares the record with every other resident the caller found by the same birth date or name keys, and
//! orders all of them by [`Fit`] (a total order: the pair's own grade first, then per-field scores):
//!
//! - if another resident fits **strictly better** (twin X's record fits twin X exactly), the grade is C
//!   (reason `better_candidate`): the record is someone else's. [`Grading::better`] names that resident
//!   when it fits at a better *grade* than the owner or better field by field ([`Fit::dominates`]); when
//!   it is ahead on points only (an exact name in another town against a one-character difference at the
//!   owner's address), nobody is named, because a wrong suggestion would make a new wrong link;
//! - if another resident fits **exactly as well** (two residents with the same basic four up to notation),
//!   the grade is at most B (reason `indistinguishable_resident`): the grader never guesses.
//!
//! Independently, a one-character difference is not believed to be a typo when the readings disagree
//! (翔太/ショウタ vs 健太/ケンタ), so a twin's record is C even when the other twin is not among `others`. When
//! both spellings are real surnames (斉藤/斎藤, 伊藤/伊東) it is another family's name (C, reason `name_differs`)
//! unless the given name, the whole reading, sex and address all agree: then it is the seeds'
//! 「入力ミス等による不一致の可能性」, B with reason `surname_same_reading` (and still C when another resident
//! fits, as above); so are two kanji surnames read exactly the same however many kanji differ (阿部/安倍). The same holds for a given name written with other kanji read exactly the same (陽康 and
//! 治安, both ハルヤス: a conversion slip) when the surname, the whole reading, sex and address agree: B with
//! reason `given_name_same_reading` — a twin or a sibling has another reading, so stays C.
//!
//! # Performance
//!
//! [`Prepared`] computes every key once (one allocation); [`compare`] and [`grade`] are then plain string
//! comparisons, with an edit distance only when two names differ.
//!
//! ```
//! use chrono::NaiveDate;
//! use onshi_linkage::{Basic4, Grade, Prepared, Sex, grade};
//!
//! let registry = Prepared::new(&Basic4 {
//!     name: "髙橋 二郎", name_kana: Some("タカハシ ジロウ"),
//!     birth_date: NaiveDate::from_ymd_opt(1967, 7, 7).unwrap(), sex: Some(Sex::Male),
//!     address: Some("東京都千代田区永田町二丁目1番2号"),
//! });
//! let record = Prepared::new(&Basic4 {
//!     name: "高橋 二郎", name_kana: Some("ﾀｶﾊｼ ｼﾞﾛｳ"),
//!     birth_date: NaiveDate::from_ymd_opt(1967, 7, 7).unwrap(), sex: Some(Sex::Male),
//!     address: Some("千代田区永田町2-1-2"),
//! });
//! let g = grade::<u64>(&record, &registry, []);
//! assert_eq!(g.grade, Grade::B);
//! assert_eq!(g.fields.name.as_str(), "variant");
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod assess;
mod blocking;
mod prepared;
mod types;

pub use assess::{Fit, compare, grade, grade_by_id};
pub use blocking::MAX_BLOCKING_KEYS;
pub use prepared::{Basic4, Prepared, is_known_surname};
pub use types::{Fields, Grade, Grading, Reason, Sex, Verdict};

/// The columns of a grading report, OUT.csv (`../shared/spec/files.md`), in order: what `onshi reconcile` writes
/// and what the service imports as cases of 総点検. One definition for both.
pub const OUT_COLUMNS: [&str; 10] = [
    "record_id",
    "my_number",
    "grade",
    "name",
    "name_kana",
    "birth_date",
    "sex",
    "address",
    "reasons",
    "suggested_my_number",
];
