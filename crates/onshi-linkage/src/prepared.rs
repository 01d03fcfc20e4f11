//! Basic four with their comparison keys computed once.

use chrono::NaiveDate;
use std::collections::HashSet;
use std::sync::OnceLock;

use crate::types::Sex;

/// The basic four (基本4情報: name, birth date, sex, address) plus the reading, as given by a registry row or
/// an insurer's record. Nothing is normalised here: pass the stored text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Basic4<'a> {
    /// 氏名, surname and given name separated by whitespace (ASCII or U+3000) when known.
    pub name: &'a str,
    /// 氏名カナ (katakana or hiragana, any width), surname and given name separated by whitespace.
    pub name_kana: Option<&'a str>,
    /// 生年月日.
    pub birth_date: NaiveDate,
    /// 性別.
    pub sex: Option<Sex>,
    /// 住所.
    pub address: Option<&'a str>,
}

/// A byte range of `Prepared::buf`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Span {
    pub(crate) start: u32,
    pub(crate) end: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct KanaSpans {
    pub raw: Span,
    pub key: Span,
    pub loose: Span,
    /// Where the given name's reading starts in `loose`, when the reading has a space.
    pub loose_split: Option<u32>,
}

/// A [`Basic4`] with every comparison key computed once (onshi-text's notation, variant, reading and
/// address keys, the surname/given-name split, the placeholder flag), so that one record can be compared
/// with many residents, and one resident with many records, without recomputing anything.
///
/// All strings live in one buffer: one allocation per `Prepared`. Two `Prepared` are equal when they were
/// made from equal [`Basic4`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prepared {
    pub(crate) buf: String,
    pub(crate) name_raw: Span,
    pub(crate) name_notation: Span,
    /// Surname + given name variant keys, concatenated.
    pub(crate) name_variant: Span,
    /// Where the given name starts in `name_variant`, when the name has a space.
    pub(crate) name_split: Option<u32>,
    pub(crate) surname_known: bool,
    pub(crate) placeholder: bool,
    pub(crate) kana: Option<KanaSpans>,
    pub(crate) address: Option<(Span, Span)>,
    pub(crate) birth_date: NaiveDate,
    pub(crate) sex: Option<Sex>,
}

fn known_surnames() -> &'static HashSet<String> {
    static SET: OnceLock<HashSet<String>> = OnceLock::new();
    SET.get_or_init(|| {
        include_str!("../data/surnames.txt")
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .map(onshi_text::variant_key)
            .collect()
    })
}

/// Whether `surname` (any notation or variant) is one of the ~2,000 most common Japanese surnames.
pub fn is_known_surname(surname: &str) -> bool {
    known_surnames().contains(&onshi_text::variant_key(surname))
}

impl Prepared {
    /// Computes the keys of `b`.
    pub fn new(b: &Basic4<'_>) -> Self {
        let cap = b.name.len() * 3 + b.name_kana.map_or(0, |k| k.len() * 3) + b.address.map_or(0, |a| a.len() * 2);
        let mut buf = String::with_capacity(cap);

        let name_raw = push(&mut buf, |buf| buf.push_str(b.name));
        let name_notation = push(&mut buf, |buf| onshi_text::notation_key_into(b.name, buf));
        let (surname, given) = onshi_text::split_name(b.name);
        let mut name_split = None;
        let name_variant = push(&mut buf, |buf| {
            onshi_text::variant_key_into(surname, buf);
            if !given.is_empty() {
                name_split = Some(len32(buf));
                onshi_text::variant_key_into(given, buf);
            }
        });
        let surname_known = name_split.is_some_and(|split| {
            let start = name_variant.start as usize;
            buf.get(start..split as usize).is_some_and(|s| known_surnames().contains(s))
        });

        let kana = b.name_kana.filter(|k| !k.trim().is_empty()).map(|k| {
            let raw = push(&mut buf, |buf| buf.push_str(k));
            let key = push(&mut buf, |buf| onshi_text::kana_key_into(k, buf));
            let (ks, kg) = onshi_text::split_name(k);
            let mut loose_split = None;
            let loose = push(&mut buf, |buf| {
                onshi_text::kana_loose_key_into(ks, buf);
                if !kg.is_empty() {
                    loose_split = Some(len32(buf));
                    onshi_text::kana_loose_key_into(kg, buf);
                }
            });
            KanaSpans { raw, key, loose, loose_split }
        });

        let address = b.address.filter(|a| !a.trim().is_empty()).map(|a| {
            let raw = push(&mut buf, |buf| buf.push_str(a));
            let key = push(&mut buf, |buf| buf.push_str(&onshi_text::address_key(a)));
            (raw, key)
        });

        Prepared {
            placeholder: onshi_text::has_placeholder(b.name),
            buf,
            name_raw,
            name_notation,
            name_variant,
            name_split,
            surname_known,
            kana,
            address,
            birth_date: b.birth_date,
            sex: b.sex,
        }
    }

    #[inline]
    pub(crate) fn s(&self, span: Span) -> &str {
        self.buf.get(span.start as usize..span.end as usize).unwrap_or("")
    }

    /// The birth date.
    pub fn birth_date(&self) -> NaiveDate {
        self.birth_date
    }

    /// The sex, if known.
    pub fn sex(&self) -> Option<Sex> {
        self.sex
    }

    /// The name as given.
    pub fn name(&self) -> &str {
        self.s(self.name_raw)
    }

    /// The name's notation key (no spaces): see [`onshi_text::notation_key`].
    pub fn name_notation_key(&self) -> &str {
        self.s(self.name_notation)
    }

    /// The name's variant key (no spaces): see [`onshi_text::variant_key`]. A good index key for finding
    /// the residents a record could be (together with the birth date).
    pub fn name_variant_key(&self) -> &str {
        self.s(self.name_variant)
    }

    /// The surname's and the given name's variant keys, when the name has a space between them.
    pub fn name_parts_variant_keys(&self) -> Option<(&str, &str)> {
        let v = self.name_variant_key();
        let at = self.name_split?.saturating_sub(self.name_variant.start) as usize;
        Some((v.get(..at)?, v.get(at..)?))
    }

    /// The reading's loose key (no spaces): see [`onshi_text::kana_loose_key`]; `""` when there is no reading.
    pub fn kana_loose_key(&self) -> &str {
        self.kana.map_or("", |k| self.s(k.loose))
    }

    /// The address key: see [`onshi_text::address_key`]; `None` when there is no address.
    pub fn address_key(&self) -> Option<&str> {
        self.address.map(|(_, key)| self.s(key))
    }

    /// Whether the name contains a placeholder (「●」, 「〓」).
    pub fn has_placeholder(&self) -> bool {
        self.placeholder
    }
}

fn len32(buf: &str) -> u32 {
    u32::try_from(buf.len()).unwrap_or(u32::MAX)
}

fn push(buf: &mut String, f: impl FnOnce(&mut String)) -> Span {
    let start = len32(buf);
    f(buf);
    Span { start, end: len32(buf) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b4<'a>(name: &'a str, kana: &'a str) -> Basic4<'a> {
        Basic4 {
            name,
            name_kana: Some(kana),
            birth_date: NaiveDate::from_ymd_opt(1980, 1, 1).unwrap(),
            sex: Some(Sex::Male),
            address: Some("東京都千代田区永田町二丁目1番2号"),
        }
    }

    #[test]
    fn keys_are_computed_once_and_readable() {
        let p = Prepared::new(&b4("髙橋　一郎", "たかはし いちろう"));
        assert_eq!(p.name(), "髙橋　一郎");
        assert_eq!(p.name_notation_key(), "髙橋一郎");
        assert_eq!(p.name_variant_key(), "高橋一郎");
        assert_eq!(p.name_parts_variant_keys(), Some(("高橋", "一郎")));
        assert_eq!(p.kana_loose_key(), "タカハシイチロウ");
        assert_eq!(p.address_key(), Some("千代田区永田町2-1-2"));
        assert!(p.surname_known);
        assert!(!p.has_placeholder());
        assert_eq!(p, Prepared::new(&b4("髙橋　一郎", "たかはし いちろう")));
    }

    #[test]
    fn missing_and_unsplit() {
        let p = Prepared::new(&Basic4 { name_kana: Some("  "), address: None, ..b4("佐籐花子", "") });
        assert_eq!(p.name_parts_variant_keys(), None);
        assert!(!p.surname_known);
        assert_eq!(p.kana_loose_key(), "");
        assert_eq!(p.address_key(), None);
    }

    #[test]
    fn known_surnames() {
        assert!(is_known_surname("斉藤") && is_known_surname("斎藤") && is_known_surname("齋藤"));
        assert!(is_known_surname("髙橋"));
        assert!(!is_known_surname("佐籐"));
    }
}
