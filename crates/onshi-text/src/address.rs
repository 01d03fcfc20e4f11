//! Address comparison keys.

use crate::fold::{Mode, fold};
use crate::kana::is_ideograph;

/// The 47 prefectures (都道府県), in their standard spelling (already variant-folded).
const PREFECTURES: [&str; 47] = [
    "北海道",
    "青森県",
    "岩手県",
    "宮城県",
    "秋田県",
    "山形県",
    "福島県",
    "茨城県",
    "栃木県",
    "群馬県",
    "埼玉県",
    "千葉県",
    "東京都",
    "神奈川県",
    "新潟県",
    "富山県",
    "石川県",
    "福井県",
    "山梨県",
    "長野県",
    "岐阜県",
    "静岡県",
    "愛知県",
    "三重県",
    "滋賀県",
    "京都府",
    "大阪府",
    "兵庫県",
    "奈良県",
    "和歌山県",
    "鳥取県",
    "島根県",
    "岡山県",
    "広島県",
    "山口県",
    "徳島県",
    "香川県",
    "愛媛県",
    "高知県",
    "福岡県",
    "佐賀県",
    "長崎県",
    "熊本県",
    "大分県",
    "宮崎県",
    "鹿児島県",
    "沖縄県",
];

/// The comparison key of an address: two addresses that are the same place written differently have the
/// same key.
///
/// On top of [`variant_key`](crate::variant_key)'s folding (width, spacing, kana, kanji variants), it
/// - drops a leading postal code (`〒100-0014`) and a leading prefecture name (any of the 47, e.g.
///   「東京都」「山口県」), so 「山口県柳井市…」 = 「柳井市…」;
/// - turns kanji numerals into arabic ones where they are numbers of the address (二丁目 → 2, 十二 → 12,
///   百二十三 → 123, 二〇一 → 201) — those followed by 丁目, 番, 号, の, 条, 線, 地割, a dash, a digit or the end;
///   kanji numerals that are part of a place name (千代田, 四谷, 八丁堀) are left alone;
/// - writes 丁目, 番地, 番, 号 and の after a number as '-', collapses repeated dashes and drops a trailing one,
///   so 「二丁目1番2号」 = 「2-1-2」 = 「２－１－２」 = 「2丁目1-2」 = 「2丁目1番地2」;
/// - unifies ケ/ヶ/が/ガ/ヵ between two kanji (霞ケ関 = 霞が関 = 霞ヶ関);
/// - drops 大字 and 字.
///
/// ```
/// use onshi_text::address_key;
/// assert_eq!(address_key("東京都千代田区永田町二丁目1番2号"), address_key("千代田区永田町２－１－２"));
/// assert_ne!(address_key("千代田区永田町2-1-2"), address_key("千代田区永田町2-1-3"));
/// ```
pub fn address_key(s: &str) -> String {
    let folded = fold(s, Mode { variant: true, loose: false, address: true });
    let chars: Vec<char> = folded.chars().collect();
    let mut i = skip_postal_code(&chars);
    for p in PREFECTURES {
        if let Some(len) = starts_with(&chars[i..], p) {
            if chars.len() > i + len {
                i += len;
            }
            break;
        }
    }
    let mut out = String::with_capacity(folded.len());
    let n = chars.len();
    while i < n {
        let c = chars[i];
        let after_number = out.ends_with(|p: char| p.is_ascii_digit())
            || (out.ends_with('-') && out[..out.len() - 1].ends_with(|p: char| p.is_ascii_digit()));
        if is_kanji_numeral(c) {
            let end = i + chars[i..].iter().take_while(|&&k| is_kanji_numeral(k)).count();
            let numeric = after_number || is_number_context(&chars[end..]);
            if numeric {
                if let Some(v) = parse_kanji_number(&chars[i..end]) {
                    out.push_str(&v.to_string());
                    i = end;
                    continue;
                }
            }
            out.extend(&chars[i..end]);
            i = end;
            continue;
        }
        if after_number {
            if let Some(len) = address_marker(&chars[i..]) {
                push_dash(&mut out);
                i += len;
                continue;
            }
        }
        if c == '大' && chars.get(i + 1) == Some(&'字') {
            i += 2;
            continue;
        }
        if c == '字' {
            i += 1;
            continue;
        }
        if matches!(c, 'ケ' | 'ヶ' | 'ガ' | 'ヵ')
            && i > 0
            && is_ideograph(chars[i - 1])
            && chars.get(i + 1).is_some_and(|&k| is_ideograph(k))
        {
            out.push('ケ');
            i += 1;
            continue;
        }
        if c == '-' {
            push_dash(&mut out);
        } else {
            out.push(c);
        }
        i += 1;
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

fn push_dash(out: &mut String) {
    if !out.is_empty() && !out.ends_with('-') {
        out.push('-');
    }
}

fn starts_with(chars: &[char], p: &str) -> Option<usize> {
    let mut len = 0;
    for pc in p.chars() {
        if chars.get(len) != Some(&pc) {
            return None;
        }
        len += 1;
    }
    Some(len)
}

/// `〒NNN-NNNN` or `NNN-NNNN` at the start, followed by more text: its length.
fn skip_postal_code(chars: &[char]) -> usize {
    let start = usize::from(chars.first() == Some(&'〒'));
    let digits = |from: usize, n: usize| (from..from + n).all(|k| chars.get(k).is_some_and(char::is_ascii_digit));
    if digits(start, 3) && chars.get(start + 3) == Some(&'-') && digits(start + 4, 4) {
        let end = start + 8;
        if chars.get(end).is_some_and(|c| !c.is_ascii_digit()) {
            return end;
        }
    }
    start
}

/// 丁目, 番地, 番, 号 or ノ (の after kana folding) after a number: its length.
fn address_marker(chars: &[char]) -> Option<usize> {
    match chars {
        ['丁', '目', ..] | ['番', '地', ..] => Some(2),
        ['番' | '号' | 'ノ', ..] => Some(1),
        _ => None,
    }
}

/// Whether what follows a run of kanji numerals makes it a number of the address.
fn is_number_context(rest: &[char]) -> bool {
    match rest {
        [] => true,
        [c, ..] if c.is_ascii_digit() => true,
        ['-' | '番' | '号' | 'ノ' | '条' | '線', ..] => true,
        ['丁', '目', ..] | ['地', '割', ..] => true,
        _ => false,
    }
}

fn kanji_digit(c: char) -> Option<u64> {
    Some(match c {
        '〇' | '零' => 0,
        '一' => 1,
        '二' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

fn kanji_unit(c: char) -> Option<u64> {
    Some(match c {
        '十' => 10,
        '百' => 100,
        '千' => 1000,
        _ => return None,
    })
}

fn is_kanji_numeral(c: char) -> bool {
    kanji_digit(c).is_some() || kanji_unit(c).is_some()
}

/// 十二 → 12, 百二十三 → 123, 三千 → 3000 (with units), 二〇一 → 201 (digit by digit). `None` when the run
/// is not a well-formed number (二三十, a run too long for u64).
pub(crate) fn parse_kanji_number(run: &[char]) -> Option<u64> {
    if run.len() > 18 {
        return None;
    }
    if run.iter().any(|&c| kanji_unit(c).is_some()) {
        let mut total = 0u64;
        let mut digit: Option<u64> = None;
        let mut last_unit = u64::MAX;
        for &c in run {
            if let Some(d) = kanji_digit(c) {
                if digit.is_some() {
                    return None;
                }
                digit = Some(d);
            } else if let Some(u) = kanji_unit(c) {
                if u >= last_unit {
                    return None;
                }
                last_unit = u;
                total += digit.take().unwrap_or(1) * u;
            }
        }
        Some(total + digit.unwrap_or(0))
    } else {
        run.iter().try_fold(0u64, |acc, &c| acc.checked_mul(10)?.checked_add(kanji_digit(c)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(s: &str) -> Option<u64> {
        parse_kanji_number(&s.chars().collect::<Vec<_>>())
    }

    #[test]
    fn kanji_numbers() {
        assert_eq!(num("二"), Some(2));
        assert_eq!(num("十"), Some(10));
        assert_eq!(num("十二"), Some(12));
        assert_eq!(num("二十"), Some(20));
        assert_eq!(num("百二十三"), Some(123));
        assert_eq!(num("三千五"), Some(3005));
        assert_eq!(num("二〇一"), Some(201));
        assert_eq!(num("〇"), Some(0));
        assert_eq!(num("二三十"), None);
        assert_eq!(num("十百"), None);
    }

    #[test]
    fn postal_code() {
        let c: Vec<char> = "〒100-0014千代田区".chars().collect();
        assert_eq!(skip_postal_code(&c), 9);
        let c: Vec<char> = "100-0014千代田区".chars().collect();
        assert_eq!(skip_postal_code(&c), 8);
        let c: Vec<char> = "2-1-2".chars().collect();
        assert_eq!(skip_postal_code(&c), 0);
    }
}
