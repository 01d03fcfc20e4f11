//! Claim-ready names: every character in JIS X 0208.

use crate::kana::{is_dakuten, is_ideograph, is_space, is_variation_selector, semi_voiced, voiced};
use crate::tables::tables;

/// One replacement made by [`claim_ready`]: `from` (one character, or a base character with its variation
/// selector, or a half-width kana with its voiced mark) became `to`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Substitution {
    /// What the stored name had.
    pub from: String,
    /// What the claim-ready name has instead (in JIS X 0208).
    pub to: String,
}

/// A name made ready for a claim (レセプト): see [`claim_ready`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimReady {
    /// The name with every character that has a JIS X 0208 standard form written in that form.
    pub text: String,
    /// Each distinct replacement made, in order of first occurrence (empty when the name was already
    /// claim-ready).
    pub substituted: Vec<Substitution>,
    /// Each distinct character (or character + variation selector) outside JIS X 0208 that has no standard
    /// form in it, in order of first occurrence; it is kept as it is in `text`.
    pub unmappable: Vec<String>,
}

/// The name for a claim (レセプト電算): every character in JIS X 0208, the repertoire of レセプト電算処理システム
/// and of most レセコン.
///
/// - JIS X 0208 characters and whitespace are kept exactly (「濱田」 stays 「濱田」: 濱 is in JIS X 0208).
/// - An ideograph outside JIS X 0208 is replaced by its ONE official JIS X 0208 form when the official
///   MJ縮退マップ schemes (JIS包摂規準・UCS統合規則, 法務省告示582号別表第四, 法務省戸籍法関連通達・通知) give
///   exactly one (13,051 characters: 髙 → 高, 𠮷 → 吉, 䆋 → 龝), else by its standard form when that form is
///   in JIS X 0208: 﨑 → 崎, a compatibility ideograph → its unified ideograph (U+FA19 → 神), an ideographic
///   variation sequence (葛 + U+E0100) → its base; full-width forms for ASCII (A → Ａ) and half-width
///   katakana (ｶﾞ → ガ).
/// - A character with no such form (two or more official forms and no standard one, or none at all) is kept
///   as it is and listed in `unmappable`: a person chooses the character (see the claim notice's next step).
/// - 「●」 is never introduced (a 「●」 already in the stored name, a legacy placeholder, is in JIS X 0208 and
///   is kept; see [`has_placeholder`](crate::has_placeholder)).
///
/// ```
/// use onshi_text::claim_ready;
/// let r = claim_ready("髙橋 一郎");
/// assert_eq!(r.text, "高橋 一郎");
/// assert_eq!(r.substituted.len(), 1);
/// assert!(r.unmappable.is_empty());
/// ```
pub fn claim_ready(s: &str) -> ClaimReady {
    let t = tables();
    let mut out = ClaimReady { text: String::with_capacity(s.len()), substituted: Vec::new(), unmappable: Vec::new() };
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let next = chars.peek().map(|&(j, n)| (j, n));
        let absorbs = next.is_some_and(|(_, n)| is_variation_selector(n) || is_composing_mark(n));
        if is_space(c) || (!absorbs && t.is_jis_x0208(c)) {
            out.text.push(c);
            continue;
        }
        // The source sequence: the character plus a following variation selector or voiced mark it absorbs.
        let mut end = i + c.len_utf8();
        let mut target = None;
        if let Some((j, n)) = next.filter(|_| absorbs) {
            if is_variation_selector(n) {
                chars.next();
                end = j + n.len_utf8();
                target = standard_in_jis(c);
            } else {
                let base = crate::kana::fold_width(crate::kana::to_katakana(c));
                let v = if is_dakuten(n) { voiced(base) } else { semi_voiced(base) };
                let v = v.map(|v| if t.is_jis_x0208(c) && c != base { hiragana_of(v) } else { v });
                if let Some(v) = v.filter(|&v| t.is_jis_x0208(v)) {
                    chars.next();
                    end = j + n.len_utf8();
                    target = Some(v);
                }
            }
        }
        if end == i + c.len_utf8() {
            if is_variation_selector(c) {
                // A selector without a base: invisible, dropped.
                let sub = Substitution { from: c.to_string(), to: String::new() };
                if !out.substituted.contains(&sub) {
                    out.substituted.push(sub);
                }
                continue;
            }
            if t.is_jis_x0208(c) {
                out.text.push(c);
                continue;
            }
            target = standard_in_jis(c);
        }
        let from = &s[i..end];
        match target {
            Some(to) => {
                out.text.push(to);
                let sub = Substitution { from: from.to_string(), to: to.to_string() };
                if !out.substituted.contains(&sub) {
                    out.substituted.push(sub);
                }
            }
            None => {
                out.text.push_str(from);
                if !out.unmappable.iter().any(|u| u == from) {
                    out.unmappable.push(from.to_string());
                }
            }
        }
    }
    out
}

/// Combining (U+3099, U+309A) and half-width (U+FF9E, U+FF9F) voiced marks, which a preceding kana absorbs.
fn is_composing_mark(c: char) -> bool {
    matches!(c, '\u{3099}' | '\u{309A}' | '\u{FF9E}' | '\u{FF9F}')
}

/// The hiragana of a katakana that has one (ガ → が), else the katakana.
fn hiragana_of(c: char) -> char {
    match u32::from(c) {
        u @ 0x30A1..=0x30F6 => char::from_u32(u - 0x60).unwrap_or(c),
        _ => c,
    }
}

/// The JIS X 0208 character standing for `c` in a claim, if there is one (`c` itself when it is in JIS X 0208).
fn standard_in_jis(c: char) -> Option<char> {
    let t = tables();
    if t.is_jis_x0208(c) {
        return Some(c);
    }
    let u = u32::from(c);
    let candidate = if is_ideograph(c) {
        // The one official JIS X 0208 form first (MJ縮退マップ), then the standard form.
        t.official_form(c).unwrap_or_else(|| t.standard(c))
    } else {
        match u {
            // ASCII printable → full-width (U+FF01..=U+FF5E).
            0x21..=0x7E => char::from_u32(u + 0xFEE0).unwrap_or(c),
            // Half-width katakana and punctuation.
            0xFF61..=0xFF9F => crate::kana::fold_width(c),
            // Hiragana outside JIS X 0208 (ゔ, ゕ, ゖ) → katakana.
            0x3094..=0x3096 => crate::kana::to_katakana(c),
            // Combining voiced marks left alone → spacing forms.
            0x3099 => '゛',
            0x309A => '゜',
            _ => c,
        }
    };
    t.is_jis_x0208(candidate).then_some(candidate)
}
