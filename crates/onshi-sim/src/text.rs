//! How names and addresses are written: the registry's notation, the notations insurers use,
//! and the typos they make.

use crate::data::{Town, standard_of, tables};
use crate::rng::Rng;

/// A household's address as numbers: rendered on output.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Addr {
    pub muni: u32,
    pub town: u32,
    /// 丁目 (0: the town has none; then `ban` is the 番地).
    pub chome: u8,
    /// 番 (or 番地).
    pub ban: u16,
    /// 号 (or the 枝番 of a 番地; 0: none).
    pub go: u16,
}

impl Addr {
    /// A random address in municipality `muni`.
    pub(crate) fn random_in(rng: &mut Rng, muni: u32) -> Addr {
        let t = tables();
        let m = &t.munis[muni as usize];
        let town = m.towns.start + rng.below(m.towns.len());
        let Town { chome, .. } = t.towns[town];
        if chome {
            let ch = 1 + rng.pick(&[30.0, 25.0, 18.0, 12.0, 7.0, 4.0, 2.0, 1.0, 1.0]) as u8;
            Addr { muni, town: town as u32, chome: ch, ban: rng.between(1, 30) as u16, go: rng.between(1, 25) as u16 }
        } else {
            // 番地: log-uniform 1–3000, half with an 枝番
            let ban = (3000f64.powf(rng.f())).round().max(1.0) as u16;
            let go = if rng.chance(0.5) { rng.between(1, 20) as u16 } else { 0 };
            Addr { muni, town: town as u32, chome: 0, ban, go }
        }
    }

    /// A random address anywhere, by prefecture population.
    pub(crate) fn random(rng: &mut Rng) -> Addr {
        let t = tables();
        let p = rng.weighted(&t.pref_cum);
        let (ids, cum) = &t.pref_munis[p];
        let m = ids[rng.weighted(cum)];
        Addr::random_in(rng, m)
    }

    /// 都道府県番号 1..=47.
    pub(crate) fn pref(&self) -> u8 {
        tables().munis[self.muni as usize].pref
    }

    /// The address in notation `style` (0 = the registry's; 1–4 = insurers').
    pub(crate) fn render(&self, style: u8) -> String {
        let t = tables();
        let m = &t.munis[self.muni as usize];
        let pref = crate::data::PREFECTURES[usize::from(m.pref) - 1].0;
        let town = t.towns[self.town as usize].name;
        let mut s = String::with_capacity(64);
        if style != 1 && style != 3 {
            s.push_str(pref);
        }
        s.push_str(m.city);
        s.push_str(town);
        let (ban, go) = (self.ban, self.go);
        if self.chome > 0 {
            match style {
                0 => {
                    kanji_number(&mut s, u32::from(self.chome));
                    s.push_str(&format!("丁目{ban}番{go}号"));
                }
                1 => s.push_str(&format!("{}-{ban}-{go}", self.chome)),
                2 => s.push_str(&full_width(&format!("{}-{ban}-{go}", self.chome))),
                3 => {
                    kanji_number(&mut s, u32::from(self.chome));
                    s.push_str(&format!("丁目{ban}番地{go}"));
                }
                _ => s.push_str(&format!("{}丁目{ban}-{go}", self.chome)),
            }
        } else {
            match (style, go) {
                (0, 0) => s.push_str(&format!("{ban}番地")),
                (0, _) => s.push_str(&format!("{ban}番地{go}")),
                (2, 0) => s.push_str(&full_width(&ban.to_string())),
                (2, _) => s.push_str(&full_width(&format!("{ban}-{go}"))),
                (3, 0) | (4, 0) | (1, 0) => s.push_str(&format!("{ban}")),
                (3, _) => s.push_str(&format!("{ban}番{go}")),
                (_, _) => s.push_str(&format!("{ban}-{go}")),
            }
        }
        s
    }
}

/// 1 → 一, 12 → 十二.
fn kanji_number(s: &mut String, n: u32) {
    const D: [char; 10] = ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
    if n >= 10 {
        if n >= 20 {
            s.push(D[(n / 10 % 10) as usize]);
        }
        s.push('十');
        if n % 10 != 0 {
            s.push(D[(n % 10) as usize]);
        }
    } else {
        s.push(D[n as usize]);
    }
}

/// ASCII digits and '-' to full-width (０–９, －).
fn full_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '0'..='9' => char::from_u32(c as u32 + 0xFEE0).unwrap_or(c),
            '-' => '－',
            _ => c,
        })
        .collect()
}

/// A name (surname and given name joined by an ASCII space) in notation `style`:
/// 0 as given, 1 full-width space, 2 no space.
pub(crate) fn name_in(name: &str, style: u8) -> String {
    match style {
        1 => name.replace(' ', "\u{3000}"),
        2 => name.replace(' ', ""),
        _ => name.to_owned(),
    }
}

/// A kana name in notation `style`: 0 as given, 1 full-width space, 2 no space, 3 half-width.
pub(crate) fn kana_in(kana: &str, style: u8) -> String {
    match style {
        3 => half_width_kana(kana),
        _ => name_in(kana, style),
    }
}

const FULL: &str =
    "ァアィイゥウェエォオカキクケコサシスセソタチッツテトナニヌネノハヒフヘホマミムメモャヤュユョヨラリルレロワヲンー";
const HALF: &str = "ｧｱｨｲｩｳｪｴｫｵｶｷｸｹｺｻｼｽｾｿﾀﾁｯﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓｬﾔｭﾕｮﾖﾗﾘﾙﾚﾛﾜｦﾝｰ";

/// Full-width katakana to half-width (ガ → ｶﾞ, パ → ﾊﾟ); other characters unchanged.
pub(crate) fn half_width_kana(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let (base, mark) = match c {
            'ガ'..='ド' | 'バ'..='ポ' | 'ヴ' => unvoice(c),
            _ => (c, None),
        };
        match FULL.chars().position(|f| f == base) {
            Some(i) => {
                out.push(HALF.chars().nth(i).unwrap_or(base));
                if let Some(m) = mark {
                    out.push(m);
                }
            }
            None => out.push(c),
        }
    }
    out
}

/// ガ → (カ, ﾞ), パ → (ハ, ﾟ); anything else unchanged.
fn unvoice(c: char) -> (char, Option<char>) {
    if c == 'ヴ' {
        return ('ウ', Some('ﾞ'));
    }
    let u = c as u32;
    // ハ行: ハ バ パ ヒ ビ ピ … (3 apart); カ–ト: カ ガ キ ギ … (2 apart, ッ/ツ shift handled by table)
    if ('ハ'..='ポ').contains(&c) {
        let off = (u - 'ハ' as u32) % 3;
        let base = char::from_u32(u - off).unwrap_or(c);
        return (base, [None, Some('ﾞ'), Some('ﾟ')][off as usize]);
    }
    let voiced = [
        ('ガ', 'カ'),
        ('ギ', 'キ'),
        ('グ', 'ク'),
        ('ゲ', 'ケ'),
        ('ゴ', 'コ'),
        ('ザ', 'サ'),
        ('ジ', 'シ'),
        ('ズ', 'ス'),
        ('ゼ', 'セ'),
        ('ゾ', 'ソ'),
        ('ダ', 'タ'),
        ('ヂ', 'チ'),
        ('ヅ', 'ツ'),
        ('デ', 'テ'),
        ('ド', 'ト'),
    ];
    voiced.iter().find(|v| v.0 == c).map_or((c, None), |v| (v.1, Some('ﾞ')))
}

/// Kana that are often heard or typed one for the other.
const KANA_SWAPS: [(char, char); 16] = [
    ('ウ', 'オ'),
    ('オ', 'ウ'),
    ('ツ', 'ッ'),
    ('ヨ', 'ョ'),
    ('ユ', 'ュ'),
    ('ヤ', 'ャ'),
    ('ジ', 'ヂ'),
    ('ズ', 'ヅ'),
    ('シ', 'ジ'),
    ('カ', 'ガ'),
    ('タ', 'ダ'),
    ('ハ', 'バ'),
    ('イ', 'エ'),
    ('コ', 'ゴ'),
    ('キ', 'ギ'),
    ('ト', 'ド'),
];

/// One kana of the reading replaced by a look- or sound-alike; `None` when none can be.
pub(crate) fn kana_typo(rng: &mut Rng, kana: &str) -> Option<String> {
    let chars: Vec<char> = kana.chars().collect();
    let spots: Vec<usize> = (0..chars.len()).filter(|&i| KANA_SWAPS.iter().any(|s| s.0 == chars[i])).collect();
    if spots.is_empty() {
        return None;
    }
    let i = spots[rng.below(spots.len())];
    let mut out = chars;
    out[i] = KANA_SWAPS.iter().find(|s| s.0 == out[i]).map_or(out[i], |s| s.1);
    Some(out.into_iter().collect())
}

/// The name with every registered variant typed as the standard character; `None` when it has
/// none. The flag tells whether a character outside JIS X 0208 was among them.
pub(crate) fn standardised(name: &str) -> Option<(String, bool)> {
    let mut changed = false;
    let mut non_jis = false;
    let s: String = name
        .chars()
        .map(|c| match standard_of(c) {
            Some((std, nj)) => {
                changed = true;
                non_jis |= nj;
                std
            }
            None => c,
        })
        .collect();
    changed.then_some((s, non_jis))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kanji_numbers() {
        for (n, want) in [(1, "一"), (9, "九"), (10, "十"), (12, "十二"), (20, "二十"), (23, "二十三")] {
            let mut s = String::new();
            kanji_number(&mut s, n);
            assert_eq!(s, want);
        }
    }

    #[test]
    fn half_width() {
        assert_eq!(half_width_kana("サトウ ハジメ"), "ｻﾄｳ ﾊｼﾞﾒ");
        assert_eq!(half_width_kana("パンダ ヴ"), "ﾊﾟﾝﾀﾞ ｳﾞ");
        assert_eq!(half_width_kana("ビョウイン"), "ﾋﾞｮｳｲﾝ");
    }

    #[test]
    fn variants_are_standardised() {
        assert_eq!(standardised("髙橋 一郎"), Some(("高橋 一郎".to_owned(), true)));
        assert_eq!(standardised("渡邊 進"), Some(("渡辺 進".to_owned(), false)));
        assert_eq!(standardised("佐藤 一"), None);
    }

    #[test]
    fn notations_of_one_address() {
        let t = tables();
        let mi = t.munis.iter().position(|m| m.city == "千代田区").unwrap() as u32;
        let m = &t.munis[mi as usize];
        let town = (m.towns.start..m.towns.end).find(|&i| t.towns[i].name == "永田町").unwrap() as u32;
        let a = Addr { muni: mi, town, chome: 2, ban: 1, go: 2 };
        assert_eq!(a.render(0), "東京都千代田区永田町二丁目1番2号");
        assert_eq!(a.render(1), "千代田区永田町2-1-2");
        assert_eq!(a.render(2), "東京都千代田区永田町２－１－２");
        assert_eq!(a.render(3), "千代田区永田町二丁目1番地2");
        assert_eq!(a.render(4), "東京都千代田区永田町2丁目1-2");
    }
}
