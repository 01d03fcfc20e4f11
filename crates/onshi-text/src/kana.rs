//! Character classes and per-character folds of kana, width, whitespace, dashes and separators.

/// Half-width katakana `U+FF61..=U+FF9F` → full-width forms (punctuation, katakana, ゛ and ゜).
const HALF_WIDTH: &[char; 63] = &[
    '。', '「', '」', '、', '・', 'ヲ', 'ァ', 'ィ', 'ゥ', 'ェ', 'ォ', 'ャ', 'ュ', 'ョ', 'ッ', 'ー', 'ア', 'イ', 'ウ',
    'エ', 'オ', 'カ', 'キ', 'ク', 'ケ', 'コ', 'サ', 'シ', 'ス', 'セ', 'ソ', 'タ', 'チ', 'ツ', 'テ', 'ト', 'ナ', 'ニ',
    'ヌ', 'ネ', 'ノ', 'ハ', 'ヒ', 'フ', 'ヘ', 'ホ', 'マ', 'ミ', 'ム', 'メ', 'モ', 'ヤ', 'ユ', 'ヨ', 'ラ', 'リ', 'ル',
    'レ', 'ロ', 'ワ', 'ン', '゛', '゜',
];

/// Width folding: full-width ASCII → ASCII, half-width katakana → full-width, ideographic space kept (it is
/// whitespace and callers drop or keep it). Everything else unchanged.
#[inline]
pub(crate) fn fold_width(c: char) -> char {
    let u = u32::from(c);
    match u {
        0xFF01..=0xFF5E => char::from_u32(u - 0xFEE0).unwrap_or(c),
        0xFF61..=0xFF9F => HALF_WIDTH[(u - 0xFF61) as usize],
        _ => c,
    }
}

/// Hiragana → katakana (ぁ..ゖ, ゝ, ゞ); everything else unchanged.
#[inline]
pub(crate) fn to_katakana(c: char) -> char {
    let u = u32::from(c);
    match u {
        0x3041..=0x3096 | 0x309D | 0x309E => char::from_u32(u + 0x60).unwrap_or(c),
        _ => c,
    }
}

/// Is this a (combining or spacing, full- or half-width) voiced sound mark ゛?
#[inline]
pub(crate) fn is_dakuten(c: char) -> bool {
    matches!(c, '\u{3099}' | '\u{309B}' | '\u{FF9E}')
}

/// Is this a (combining or spacing, full- or half-width) semi-voiced sound mark ゜?
#[inline]
pub(crate) fn is_handakuten(c: char) -> bool {
    matches!(c, '\u{309A}' | '\u{309C}' | '\u{FF9F}')
}

/// The voiced form of a full-width katakana (カ → ガ, ウ → ヴ, ワ → ヷ), if it has one.
#[inline]
pub(crate) fn voiced(c: char) -> Option<char> {
    let u = u32::from(c);
    let v = match u {
        0x30AB..=0x30C1 if (u - 0x30AB) % 2 == 0 => u + 1,
        0x30C4 | 0x30C6 | 0x30C8 => u + 1,
        0x30CF..=0x30DB if (u - 0x30CF) % 3 == 0 => u + 1,
        0x30A6 => 0x30F4,
        0x30EF..=0x30F2 => u + 8,
        0x30FD => 0x30FE,
        _ => return None,
    };
    char::from_u32(v)
}

/// The semi-voiced form of a full-width katakana (ハ → パ), if it has one.
#[inline]
pub(crate) fn semi_voiced(c: char) -> Option<char> {
    let u = u32::from(c);
    match u {
        0x30CF..=0x30DB if (u - 0x30CF) % 3 == 0 => char::from_u32(u + 2),
        _ => None,
    }
}

/// Whitespace of any kind, including the zero-width and format characters that copy-and-paste leaves in
/// names (ZWSP, ZWNJ, ZWJ, WORD JOINER, BOM).
#[inline]
pub(crate) fn is_space(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{180E}')
}

/// Variation selectors: standardized (`U+FE00..=U+FE0F`) and ideographic (`U+E0100..=U+E01EF`).
#[inline]
pub(crate) fn is_variation_selector(c: char) -> bool {
    matches!(c, '\u{FE00}'..='\u{FE0F}' | '\u{E0100}'..='\u{E01EF}')
}

/// Dash and long-vowel look-alikes, after width folding: hyphen-minus, the Unicode hyphens and dashes,
/// minus sign, box-drawing horizontals, small/superscript/subscript minus, and the katakana long vowel mark.
#[inline]
pub(crate) fn is_dash(c: char) -> bool {
    matches!(
        c,
        '-' | '\u{2010}'
            ..='\u{2015}'
                | '\u{2043}'
                | '\u{207B}'
                | '\u{208B}'
                | '\u{2212}'
                | '\u{2500}'
                | '\u{2501}'
                | '\u{FE58}'
                | '\u{FE63}'
                | '\u{30FC}'
    )
}

/// Separators dropped from comparison keys: middle dots (・ ･ · ‧ • ∙ ⋅), the katakana double hyphen ゠ and
/// '=' (as in ジョン＝スミス).
#[inline]
pub(crate) fn is_separator(c: char) -> bool {
    matches!(c, '\u{30FB}' | '\u{00B7}' | '\u{2027}' | '\u{2022}' | '\u{2219}' | '\u{22C5}' | '\u{30A0}' | '=')
}

/// CJK ideographs: Extension A, the URO, compatibility ideographs and the supplementary ideographic planes.
#[inline]
pub(crate) fn is_ideograph(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{323AF}')
}

/// The large form of a small full-width katakana (ァ → ア, ッ → ツ, ャ → ヤ, ヮ → ワ, ヵ → カ, ヶ → ケ, ㇰ → ク …);
/// any other character unchanged.
#[inline]
pub(crate) fn large_kana(c: char) -> char {
    let u = u32::from(c);
    let r = match u {
        0x30A1 | 0x30A3 | 0x30A5 | 0x30A7 | 0x30A9 => u + 1,
        0x30C3 => 0x30C4,
        0x30E3 | 0x30E5 | 0x30E7 => u + 1,
        0x30EE => 0x30EF,
        0x30F5 => 0x30AB,
        0x30F6 => 0x30B1,
        0x31F0..=0x31FF => {
            const SMALL_EXT: [char; 16] =
                ['ク', 'シ', 'ス', 'ト', 'ヌ', 'ハ', 'ヒ', 'フ', 'ヘ', 'ホ', 'ム', 'ラ', 'リ', 'ル', 'レ', 'ロ'];
            return SMALL_EXT[(u - 0x31F0) as usize];
        }
        _ => return c,
    };
    char::from_u32(r).unwrap_or(c)
}

/// Loose reading fold of one full-width katakana: small → large, ヂ → ジ, ヅ → ズ, ヲ → オ, ヴ → ブ,
/// ヰ → イ, ヱ → エ, ヷ..ヺ → バ, ビ, ベ, ボ. `None` means "drop it" (the long vowel mark ー).
#[inline]
pub(crate) fn loose_kana(c: char) -> Option<char> {
    let c = large_kana(c);
    let r = match c {
        '\u{30FC}' => return None,
        'ヂ' => 'ジ',
        'ヅ' => 'ズ',
        'ヲ' => 'オ',
        'ヴ' => 'ブ',
        'ヰ' => 'イ',
        'ヱ' => 'エ',
        'ヷ' => 'バ',
        'ヸ' => 'ビ',
        'ヹ' => 'ベ',
        'ヺ' => 'ボ',
        _ => c,
    };
    Some(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_width_table_is_aligned() {
        assert_eq!(fold_width('ｦ'), 'ヲ');
        assert_eq!(fold_width('ｱ'), 'ア');
        assert_eq!(fold_width('ﾝ'), 'ン');
        assert_eq!(fold_width('ｰ'), 'ー');
        assert_eq!(fold_width('ﾞ'), '゛');
        assert_eq!(fold_width('ﾟ'), '゜');
        assert_eq!(fold_width('･'), '・');
        assert_eq!(fold_width('Ａ'), 'A');
        assert_eq!(fold_width('～'), '~');
    }

    #[test]
    fn voicing() {
        for (a, b) in [
            ('カ', 'ガ'),
            ('チ', 'ヂ'),
            ('ツ', 'ヅ'),
            ('ト', 'ド'),
            ('ハ', 'バ'),
            ('ホ', 'ボ'),
            ('ウ', 'ヴ'),
            ('ワ', 'ヷ'),
            ('ヲ', 'ヺ'),
        ] {
            assert_eq!(voiced(a), Some(b), "{a}");
        }
        for c in ['ア', 'ナ', 'マ', 'ン', 'ッ', 'ガ'] {
            assert_eq!(voiced(c), None, "{c}");
        }
        assert_eq!(semi_voiced('ヘ'), Some('ペ'));
        assert_eq!(semi_voiced('カ'), None);
    }

    #[test]
    fn loose() {
        for (a, b) in [
            ('ァ', 'ア'),
            ('ッ', 'ツ'),
            ('ャ', 'ヤ'),
            ('ョ', 'ヨ'),
            ('ヵ', 'カ'),
            ('ヶ', 'ケ'),
            ('ヂ', 'ジ'),
            ('ヅ', 'ズ'),
            ('ヲ', 'オ'),
            ('ヴ', 'ブ'),
            ('ㇷ', 'フ'),
        ] {
            assert_eq!(loose_kana(a), Some(b), "{a}");
        }
        assert_eq!(loose_kana('ー'), None);
        assert_eq!(loose_kana('カ'), Some('カ'));
    }
}
