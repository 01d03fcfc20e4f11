//! The single-pass folding engine behind every comparison key.

use crate::kana::{
    fold_width, is_dakuten, is_dash, is_handakuten, is_ideograph, is_separator, is_space, is_variation_selector,
    large_kana, loose_kana, semi_voiced, to_katakana, voiced,
};
use crate::tables::tables;

/// What a key folds beyond notation.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Mode {
    /// Fold kanji to their standard form (and expand the iteration mark 々).
    pub variant: bool,
    /// Fold readings loosely (small kana, ヂ/ジ, ヅ/ズ, ヲ/オ, ヴ/ブ, ー dropped).
    pub loose: bool,
    /// Dashes become '-' (addresses) instead of 'ー' (names and readings).
    pub address: bool,
}

/// Folds `s` into `out` according to `mode`. Notation folding always applies: width, whitespace removed,
/// hiragana → katakana with voiced marks composed, compatibility ideographs → unified, variation selectors
/// stripped, dashes unified, separators removed, ASCII letters upper-cased.
pub(crate) fn fold_into(out: &mut String, s: &str, mode: Mode) {
    let dash = if mode.address { '-' } else { 'ー' };
    // Characters that fold to nothing are dropped first, so that a voiced mark separated from its kana by one
    // of them (「ｶ」 + variation selector + 「゙」) composes the same way in every pass: keys stay idempotent.
    let mut chars = s.chars().filter(|&c| !folds_to_nothing(c)).peekable();
    // The last ideograph pushed, for the iteration mark 々.
    let mut last_ideograph: Option<char> = None;
    while let Some(c) = chars.next() {
        // ASCII fast path.
        if c.is_ascii() {
            last_ideograph = None;
            if c == '-' {
                push(out, dash, mode);
            } else {
                out.push(c.to_ascii_uppercase());
            }
            continue;
        }
        let mut c = to_katakana(fold_width(c));
        if mode.loose {
            // Small kana become large before voiced marks compose (ゥ + ゛ = ヴ), as they would in a second pass.
            c = large_kana(c);
        }
        if c.is_ascii() {
            // A full-width ASCII character.
            last_ideograph = None;
            if c == '-' {
                push(out, dash, mode);
            } else {
                out.push(c.to_ascii_uppercase());
            }
            continue;
        }
        if let Some(&next) = chars.peek() {
            if is_dakuten(next) {
                if let Some(v) = voiced(c) {
                    c = v;
                    chars.next();
                }
            } else if is_handakuten(next) {
                if let Some(v) = semi_voiced(c) {
                    c = v;
                    chars.next();
                }
            }
        }
        if is_ideograph(c) {
            let t = tables();
            let c = if mode.variant { t.standard(c) } else { t.unified(c) };
            last_ideograph = Some(c);
            out.push(c);
            continue;
        }
        if c == '々' && mode.variant {
            if let Some(prev) = last_ideograph {
                out.push(prev);
                continue;
            }
        }
        last_ideograph = None;
        if is_dash(c) {
            push(out, dash, mode);
        } else {
            push(out, normalize_mark(c), mode);
        }
    }
}

/// Whitespace, variation selectors, separators and 「=」 (in any width) are not part of any key.
#[inline]
fn folds_to_nothing(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_whitespace() || c == '=';
    }
    let f = to_katakana(fold_width(c));
    if f.is_ascii() {
        return f.is_ascii_whitespace() || f == '=';
    }
    is_space(f) || is_variation_selector(f) || is_separator(f)
}

/// Combining voiced marks that could not be composed become their spacing forms.
#[inline]
fn normalize_mark(c: char) -> char {
    match c {
        '\u{3099}' => '\u{309B}',
        '\u{309A}' => '\u{309C}',
        _ => c,
    }
}

#[inline]
fn push(out: &mut String, c: char, mode: Mode) {
    if mode.loose {
        if let Some(c) = loose_kana(c) {
            out.push(c);
        }
    } else {
        out.push(c);
    }
}

/// Folds `s` into a new string.
pub(crate) fn fold(s: &str, mode: Mode) -> String {
    let mut out = String::with_capacity(s.len());
    fold_into(&mut out, s, mode);
    out
}
