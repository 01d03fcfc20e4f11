//! Shared scanning of digit identifiers and text identifiers.

use crate::{IdError, IdKind};

/// Trims surrounding ASCII whitespace.
pub(crate) fn trim_ascii(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_ascii_whitespace())
}

/// Maps an ASCII or full-width digit to its value.
pub(crate) fn digit_value(c: char) -> Option<u8> {
    match c {
        '0'..='9' => Some(c as u8 - b'0'),
        '０'..='９' => Some((c as u32 - '０' as u32) as u8),
        _ => None,
    }
}

/// Scans a digit identifier: trims ASCII whitespace, folds full-width digits and writes the
/// digit values (0–9) into `buf`. Returns the number of digits, which may exceed `buf.len()`
/// (the extra ones are counted, not stored). Any other character is an error.
pub(crate) fn scan_digits(kind: IdKind, input: &str, buf: &mut [u8]) -> Result<usize, IdError> {
    let s = trim_ascii(input);
    if s.is_empty() {
        return Err(IdError::Empty { kind });
    }
    let mut n = 0usize;
    for c in s.chars() {
        let Some(d) = digit_value(c) else {
            return Err(IdError::NonDigit { kind, position: n + 1, found: c });
        };
        if let Some(slot) = buf.get_mut(n) {
            *slot = d;
        }
        n += 1;
    }
    Ok(n)
}

/// Scans exactly `N` digits (values 0–9).
pub(crate) fn exact_digits<const N: usize>(
    kind: IdKind,
    expected: &'static str,
    input: &str,
) -> Result<[u8; N], IdError> {
    let mut buf = [0u8; N];
    let n = scan_digits(kind, input, &mut buf)?;
    if n != N {
        return Err(IdError::WrongLength { kind, expected, found: n });
    }
    Ok(buf)
}

/// Converts digit values 0–9 to ASCII digits.
pub(crate) fn to_ascii<const N: usize>(digits: [u8; N]) -> [u8; N] {
    digits.map(|d| b'0' + d)
}

/// Views ASCII digit bytes as `&str` (never fails for bytes built by this crate).
pub(crate) fn ascii_str(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).unwrap_or("")
}

/// Two digit values as a number 0–99.
pub(crate) fn two(a: u8, b: u8) -> u8 {
    a * 10 + b
}

/// Normalises a text identifier (記号 or 番号): trims ASCII whitespace and the ideographic
/// space, folds full-width ASCII (U+FF01–U+FF5E) and the ideographic space to half-width,
/// refuses control and invisible format characters, and checks 1..=`max` characters.
pub(crate) fn text_identifier(kind: IdKind, input: &str, max: usize) -> Result<String, IdError> {
    let s = input.trim_matches(|c: char| c.is_ascii_whitespace() || c == '\u{3000}');
    if s.is_empty() {
        return Err(IdError::Empty { kind });
    }
    let mut out = String::with_capacity(s.len());
    let mut n = 0usize;
    for c in s.chars() {
        n += 1;
        if c.is_control() || is_invisible_format(c) {
            return Err(IdError::ControlChar { kind, position: n, code: c as u32 });
        }
        out.push(fold_width(c));
    }
    if n > max {
        return Err(IdError::TooLong { kind, max, found: n });
    }
    Ok(out)
}

/// Full-width ASCII and the ideographic space to their half-width forms; other characters unchanged.
pub(crate) fn fold_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

/// Zero-width and bidirectional format characters that would make two identifiers look equal.
fn is_invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{FEFF}'
    )
}
