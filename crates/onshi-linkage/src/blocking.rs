//! Blocking keys: which residents a record must be compared with, so that comparing it with fewer than
//! all residents never changes its grade.

use std::hash::{DefaultHasher, Hash, Hasher};

use crate::prepared::Prepared;

/// At most this many distinct keys per person.
pub const MAX_BLOCKING_KEYS: usize = 7;

impl Prepared {
    /// The blocking keys of a record or resident: 64-bit hashes of the birth date together with
    ///
    /// 1. the first two characters of the name's variant key, the surname's variant key (when the name has
    ///    a space) and, for names of at most three characters, the first character;
    /// 2. the last two characters, the given name's variant key and, for names of at most three characters,
    ///    the last character;
    /// 3. the whole name's variant key.
    ///
    /// Keys of kinds 1 and 2 are hashed with one tag per kind, so equal strings give one key (for 佐藤 翔太
    /// the first two characters *are* the surname). Duplicates are removed; unused slots are zero.
    ///
    /// # The guarantee
    ///
    /// **If [`compare`](crate::compare) grades a record A or B against a resident, the two share a blocking
    /// key.** So a caller that compares a record only with the residents sharing one of its keys — instead
    /// of every resident born the same day — gets exactly the grade [`grade_by_id`](crate::grade_by_id)
    /// would give with all of them (residents that fit as C never change a grade). Why it holds:
    ///
    /// - A or B needs the same birth date, and a name that agrees up to notation or variants (the same
    ///   variant key: kind 3), is one edit away (a typo, or one 「●」 for one character), or has the same
    ///   given name (a marriage: kind 2).
    /// - One edit between two variant keys is either past their first two characters (kind 1 agrees) or
    ///   before their last two (kind 2 agrees) when the longer key has four or more characters; with at
    ///   most three, the first or the last character is untouched (kinds 1 and 2 again).
    ///
    /// The reading needs no key: every A or B is found by the name already.
    ///
    /// The property tests in `tests/blocking.rs` check the guarantee on names built to be near each other.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use onshi_linkage::{Basic4, Prepared, Sex};
    /// let p = |name| Prepared::new(&Basic4 {
    ///     name, name_kana: None, birth_date: NaiveDate::from_ymd_opt(1980, 4, 15).unwrap(),
    ///     sex: Some(Sex::Male), address: None,
    /// });
    /// let shares = |a: &Prepared, b: &Prepared| {
    ///     let kb = b.blocking_keys();
    ///     a.blocking_keys().iter().any(|k| *k != 0 && kb.contains(k))
    /// };
    /// // A typo and no space: still found.
    /// assert!(shares(&p("山田太郎"), &p("山田 太朗")));
    /// assert!(!shares(&p("山田 太郎"), &p("鈴木 花子")));
    /// ```
    pub fn blocking_keys(&self) -> [u64; MAX_BLOCKING_KEYS] {
        let mut keys = [0u64; MAX_BLOCKING_KEYS];
        let mut n = 0usize;
        let mut add = |k: u64| {
            if k != 0 && !keys.contains(&k) {
                if let Some(slot) = keys.get_mut(n) {
                    *slot = k;
                    n += 1;
                }
            }
        };
        let b = self.birth_date();
        let full = self.name_variant_key();
        if !full.is_empty() {
            let chars = full.chars().count();
            add(key(TAG_FULL, b, full));
            add(key(TAG_HEAD, b, head(full, 2)));
            add(key(TAG_TAIL, b, tail(full, 2)));
            if chars <= 3 {
                add(key(TAG_HEAD, b, head(full, 1)));
                add(key(TAG_TAIL, b, tail(full, 1)));
            }
            if let Some((surname, given)) = self.name_parts_variant_keys() {
                if !surname.is_empty() {
                    add(key(TAG_HEAD, b, surname));
                }
                if !given.is_empty() {
                    add(key(TAG_TAIL, b, given));
                }
            }
        }
        keys
    }
}

const TAG_HEAD: u8 = 1;
const TAG_TAIL: u8 = 2;
const TAG_FULL: u8 = 3;

/// The first `n` characters of `s` (all of it when shorter).
fn head(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((i, _)) => s.get(..i).unwrap_or(s),
        None => s,
    }
}

/// The last `n` characters of `s` (all of it when shorter).
fn tail(s: &str, n: usize) -> &str {
    match s.char_indices().rev().nth(n.saturating_sub(1)) {
        Some((i, _)) if n > 0 => s.get(i..).unwrap_or(s),
        _ => s,
    }
}

/// A hash of (tag, birth date, text); never zero. std's `DefaultHasher::new()` is the same in every run
/// of one build, which is all an in-memory index needs.
fn key(tag: u8, birth: chrono::NaiveDate, text: &str) -> u64 {
    let mut h = DefaultHasher::new();
    tag.hash(&mut h);
    birth.hash(&mut h);
    text.hash(&mut h);
    h.finish().max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heads_and_tails() {
        assert_eq!(head("佐藤翔太", 2), "佐藤");
        assert_eq!(tail("佐藤翔太", 2), "翔太");
        assert_eq!(head("林", 2), "林");
        assert_eq!(tail("林", 2), "林");
        assert_eq!(tail("林剛", 1), "剛");
        assert_eq!(head("", 2), "");
        assert_eq!(tail("", 1), "");
    }
}
