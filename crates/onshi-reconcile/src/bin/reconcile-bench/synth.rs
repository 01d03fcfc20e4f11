//! A small synthetic world in files.md's formats (registry.csv, records.csv, truth.csv), streamed so that
//! ten million persons need no memory, and the accuracy of an OUT.csv against its truth.csv.
//!
//! Shared by the `reconcile-bench` binary and the crate's accuracy tests (included with `#[path]`). It
//! stands in for `onshi sim generate` where that is not available; its households, twins and injected
//! errors follow the same kinds as truth.csv's `error` column.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use chrono::{Datelike, NaiveDate};

/// SplitMix64: a tiny deterministic generator (the same seed gives the same world).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }
    pub fn chance(&mut self, p: f64) -> bool {
        ((self.next() >> 11) as f64 / (1u64 << 53) as f64) < p
    }
    pub fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len() as u64) as usize]
    }
}

/// (surname, reading, registry variant or "").
const SURNAMES: &[(&str, &str, &str)] = &[
    ("佐藤", "サトウ", ""),
    ("鈴木", "スズキ", ""),
    ("高橋", "タカハシ", "髙橋"),
    ("田中", "タナカ", ""),
    ("伊藤", "イトウ", ""),
    ("渡辺", "ワタナベ", "渡邊"),
    ("山本", "ヤマモト", ""),
    ("中村", "ナカムラ", ""),
    ("小林", "コバヤシ", ""),
    ("加藤", "カトウ", ""),
    ("吉田", "ヨシダ", ""),
    ("山田", "ヤマダ", ""),
    ("佐々木", "ササキ", ""),
    ("山口", "ヤマグチ", ""),
    ("松本", "マツモト", ""),
    ("井上", "イノウエ", ""),
    ("木村", "キムラ", ""),
    ("林", "ハヤシ", ""),
    ("斎藤", "サイトウ", "齋藤"),
    ("清水", "シミズ", ""),
    ("山崎", "ヤマザキ", "山﨑"),
    ("森", "モリ", ""),
    ("池田", "イケダ", ""),
    ("橋本", "ハシモト", ""),
    ("阿部", "アベ", ""),
    ("石川", "イシカワ", ""),
    ("山下", "ヤマシタ", ""),
    ("中島", "ナカジマ", "中嶋"),
    ("石井", "イシイ", ""),
    ("小川", "オガワ", ""),
    ("前田", "マエダ", ""),
    ("岡田", "オカダ", ""),
    ("長谷川", "ハセガワ", ""),
    ("藤田", "フジタ", ""),
    ("後藤", "ゴトウ", ""),
    ("近藤", "コンドウ", ""),
    ("村上", "ムラカミ", ""),
    ("遠藤", "エンドウ", ""),
    ("青木", "アオキ", ""),
    ("坂本", "サカモト", ""),
    ("斉藤", "サイトウ", "齊藤"),
    ("福田", "フクダ", ""),
    ("太田", "オオタ", ""),
    ("西村", "ニシムラ", ""),
    ("藤井", "フジイ", ""),
    ("金子", "カネコ", ""),
    ("岡本", "オカモト", ""),
    ("藤原", "フジワラ", ""),
    ("中野", "ナカノ", ""),
    ("三浦", "ミウラ", ""),
    ("原田", "ハラダ", ""),
    ("中川", "ナカガワ", ""),
    ("松田", "マツダ", ""),
    ("竹内", "タケウチ", ""),
    ("小野", "オノ", ""),
    ("田村", "タムラ", ""),
    ("中山", "ナカヤマ", ""),
    ("和田", "ワダ", ""),
    ("石田", "イシダ", ""),
    ("森田", "モリタ", ""),
    ("上田", "ウエダ", ""),
    ("原", "ハラ", ""),
    ("内田", "ウチダ", ""),
    ("柴田", "シバタ", ""),
    ("酒井", "サカイ", ""),
    ("宮崎", "ミヤザキ", "宮﨑"),
    ("横山", "ヨコヤマ", ""),
    ("高木", "タカギ", "髙木"),
    ("安藤", "アンドウ", ""),
    ("宮本", "ミヤモト", ""),
    ("大野", "オオノ", ""),
    ("小島", "コジマ", "小嶋"),
    ("谷口", "タニグチ", ""),
    ("今井", "イマイ", ""),
    ("工藤", "クドウ", ""),
    ("高田", "タカダ", "髙田"),
    ("増田", "マスダ", ""),
    ("丸山", "マルヤマ", ""),
    ("杉山", "スギヤマ", ""),
    ("村田", "ムラタ", ""),
    ("大塚", "オオツカ", ""),
    ("新井", "アライ", ""),
    ("小山", "コヤマ", ""),
    ("平野", "ヒラノ", ""),
    ("藤本", "フジモト", ""),
    ("河野", "コウノ", ""),
    ("上野", "ウエノ", ""),
    ("野口", "ノグチ", ""),
    ("武田", "タケダ", ""),
    ("松井", "マツイ", ""),
    ("千葉", "チバ", ""),
    ("岩崎", "イワサキ", "岩﨑"),
    ("菅原", "スガワラ", ""),
    ("木下", "キノシタ", ""),
    ("久保", "クボ", ""),
    ("佐野", "サノ", ""),
    ("野村", "ノムラ", ""),
    ("松尾", "マツオ", ""),
    ("市川", "イチカワ", ""),
    ("菊地", "キクチ", ""),
    ("浜田", "ハマダ", "濱田"),
    ("沢田", "サワダ", "澤田"),
    ("渡部", "ワタナベ", ""),
    ("辺見", "ヘンミ", "邊見"),
];

const MALE: &[(&str, &str)] = &[
    ("翔太", "ショウタ"),
    ("健太", "ケンタ"),
    ("大輔", "ダイスケ"),
    ("拓也", "タクヤ"),
    ("直樹", "ナオキ"),
    ("一郎", "イチロウ"),
    ("二郎", "ジロウ"),
    ("和也", "カズヤ"),
    ("達也", "タツヤ"),
    ("誠", "マコト"),
    ("浩", "ヒロシ"),
    ("隆", "タカシ"),
    ("明夫", "アキオ"),
    ("正樹", "マサキ"),
    ("秀樹", "ヒデキ"),
    ("健一", "ケンイチ"),
    ("修", "オサム"),
    ("茂", "シゲル"),
    ("勇気", "ユウキ"),
    ("大翔", "ヒロト"),
    ("蓮", "レン"),
    ("悠真", "ユウマ"),
    ("陽太", "ヨウタ"),
    ("湊", "ミナト"),
    ("颯太", "ソウタ"),
    ("蒼", "アオイ"),
    ("樹", "イツキ"),
    ("大樹", "ダイキ"),
    ("亮", "リョウ"),
    ("翼", "ツバサ"),
    ("俊介", "シュンスケ"),
    ("康介", "コウスケ"),
    ("雄一", "ユウイチ"),
    ("信夫", "ノブオ"),
    ("昭", "アキラ"),
    ("博之", "ヒロユキ"),
    ("智也", "トモヤ"),
    ("雅人", "マサト"),
    ("哲也", "テツヤ"),
    ("裕太", "ユウタ"),
    ("剛", "ツヨシ"),
    ("聡", "サトシ"),
    ("学", "マナブ"),
    ("進", "ススム"),
    ("豊", "ユタカ"),
    ("清", "キヨシ"),
    ("実", "ミノル"),
    ("勝", "マサル"),
    ("光太郎", "コウタロウ"),
    ("慎太郎", "シンタロウ"),
];

const FEMALE: &[(&str, &str)] = &[
    ("花子", "ハナコ"),
    ("陽子", "ヨウコ"),
    ("恵子", "ケイコ"),
    ("京子", "キョウコ"),
    ("幸子", "サチコ"),
    ("美咲", "ミサキ"),
    ("愛", "アイ"),
    ("真由美", "マユミ"),
    ("由美子", "ユミコ"),
    ("直美", "ナオミ"),
    ("裕子", "ユウコ"),
    ("明美", "アケミ"),
    ("久美子", "クミコ"),
    ("智子", "トモコ"),
    ("千尋", "チヒロ"),
    ("彩", "アヤ"),
    ("結衣", "ユイ"),
    ("陽菜", "ヒナ"),
    ("さくら", "サクラ"),
    ("葵", "アオイ"),
    ("凛", "リン"),
    ("芽依", "メイ"),
    ("結菜", "ユイナ"),
    ("美月", "ミツキ"),
    ("杏", "アン"),
    ("優子", "ユウコ"),
    ("純子", "ジュンコ"),
    ("洋子", "ヨウコ"),
    ("和子", "カズコ"),
    ("節子", "セツコ"),
    ("文子", "フミコ"),
    ("静香", "シズカ"),
    ("麻衣", "マイ"),
    ("奈々", "ナナ"),
    ("舞", "マイ"),
    ("香織", "カオリ"),
    ("沙織", "サオリ"),
    ("理恵", "リエ"),
    ("美穂", "ミホ"),
    ("友美", "トモミ"),
    ("恵美", "エミ"),
    ("順子", "ジュンコ"),
    ("良子", "ヨシコ"),
    ("春香", "ハルカ"),
    ("七海", "ナナミ"),
    ("遥", "ハルカ"),
    ("桃子", "モモコ"),
    ("瞳", "ヒトミ"),
    ("綾乃", "アヤノ"),
    ("絵美", "エミ"),
];

/// (prefecture, city, towns).
const PLACES: &[(&str, &str, &[&str])] = &[
    ("東京都", "千代田区", &["永田町", "霞が関", "神田小川町", "麹町"]),
    ("東京都", "世田谷区", &["太子堂", "三軒茶屋", "北沢", "若林"]),
    ("東京都", "八王子市", &["元本郷町", "明神町", "子安町"]),
    ("神奈川県", "横浜市中区", &["山下町", "本町", "石川町"]),
    ("大阪府", "大阪市北区", &["梅田", "中之島", "天満"]),
    ("愛知県", "名古屋市中区", &["栄", "丸の内", "大須"]),
    ("北海道", "札幌市中央区", &["大通西", "南一条西", "北一条西"]),
    ("福岡県", "福岡市博多区", &["博多駅前", "中洲", "住吉"]),
    ("宮城県", "仙台市青葉区", &["一番町", "国分町", "本町"]),
    ("広島県", "広島市中区", &["紙屋町", "基町", "大手町"]),
];

const KANJI_DIGITS: [&str; 10] = ["〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
const KATAKANA: &[char] = &[
    'ア', 'イ', 'ウ', 'エ', 'オ', 'カ', 'キ', 'ク', 'ケ', 'コ', 'サ', 'シ', 'ス', 'セ', 'ソ', 'タ', 'チ', 'テ', 'ト',
    'ナ', 'ニ', 'ヌ', 'ネ', 'ノ', 'ハ', 'ヒ', 'フ', 'ヘ', 'ホ', 'マ', 'ミ', 'ム', 'メ', 'モ', 'ヤ', 'ユ', 'ヨ', 'ラ',
    'リ', 'ル', 'レ', 'ロ', 'ワ',
];
/// One kanji mistyped as another of the same reading.
const KANJI_TYPOS: &[(char, char)] = &[
    ('太', '大'),
    ('郎', '朗'),
    ('子', '娘'),
    ('美', '実'),
    ('一', '市'),
    ('夫', '雄'),
    ('樹', '喜'),
    ('介', '助'),
    ('也', '哉'),
    ('香', '佳'),
    ('恵', '絵'),
    ('菜', '奈'),
    ('奈', '菜'),
    ('真', '麻'),
    ('和', '一'),
    ('直', '尚'),
    ('明', '章'),
    ('正', '政'),
    ('健', '建'),
    ('智', '知'),
    ('裕', '祐'),
];

/// A resident of the synthetic world.
#[derive(Clone, Debug)]
pub struct Person {
    pub number: String,
    pub surname: String,
    pub surname_std: String,
    pub surname_kana: String,
    pub given: String,
    pub given_kana: String,
    pub birth: NaiveDate,
    pub male: bool,
    pub address: String,
    pub address_short: String,
}

impl Person {
    fn name(&self) -> String {
        format!("{} {}", self.surname, self.given)
    }
    fn kana(&self) -> String {
        format!("{} {}", self.surname_kana, self.given_kana)
    }
}

/// The counts of what was generated.
#[derive(Clone, Debug, Default)]
pub struct World {
    pub persons: u64,
    pub records: u64,
    pub errors: BTreeMap<&'static str, u64>,
}

/// The injected error rates (per record).
pub const RATES: &[(&str, f64)] = &[
    ("twin_swap", 0.004),
    ("family_swap", 0.005),
    ("same_name_stranger", 0.002),
    ("kana_typo", 0.01),
    ("kanji_typo", 0.005),
    ("variant", 0.01),
    ("address_notation", 0.03),
    ("name_notation", 0.02),
    ("moved", 0.02),
    ("birth_date_typo", 0.003),
    ("missing_my_number", 0.002),
];

/// The chance that a twin's record carries the other twin's number (on top of [`RATES`]).
pub const TWIN_SWAP_RATE: f64 = 0.05;

fn my_number(i: u64) -> String {
    // i ↦ i·p mod 10¹¹ is a bijection (p coprime with 10): unique bodies.
    let body = (i.wrapping_add(1).wrapping_mul(7_919_000_003)) % 100_000_000_000;
    let body = format!("{body:011}");
    let d: Vec<u32> = body.bytes().map(|b| u32::from(b - b'0')).collect();
    let w = [6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
    let r = d.iter().zip(w).map(|(a, b)| a * b).sum::<u32>() % 11;
    let check = if r <= 1 { 0 } else { 11 - r };
    format!("{body}{check}")
}

fn kanji_number(n: u64) -> String {
    if n < 10 {
        KANJI_DIGITS[n as usize].to_owned()
    } else {
        format!("十{}", if n % 10 == 0 { "" } else { KANJI_DIGITS[(n % 10) as usize] })
    }
}

fn random_address(rng: &mut Rng) -> (String, String) {
    let (pref, city, towns) = rng.pick(PLACES);
    let town = rng.pick(towns);
    let (c, b, g) = (1 + rng.below(5), 1 + rng.below(30), 1 + rng.below(20));
    (format!("{pref}{city}{town}{}丁目{b}番{g}号", kanji_number(c)), format!("{city}{town}{c}-{b}-{g}"))
}

fn date_between(rng: &mut Rng, from_year: i32, to_year: i32) -> NaiveDate {
    let from = NaiveDate::from_ymd_opt(from_year.clamp(1900, 2024), 1, 1).unwrap_or_default();
    let to = NaiveDate::from_ymd_opt(to_year.clamp(1900, 2024), 12, 31).unwrap_or_default();
    let days = (to - from).num_days().max(1) as u64;
    from + chrono::Duration::days(rng.below(days) as i64)
}

fn given(rng: &mut Rng, male: bool) -> (String, String) {
    let (g, k) = if male { rng.pick(MALE) } else { rng.pick(FEMALE) };
    ((*g).to_owned(), (*k).to_owned())
}

fn household(rng: &mut Rng, next: &mut u64, size: usize) -> Vec<Person> {
    let (surname_std, surname_kana, variant) = *rng.pick(SURNAMES);
    let surname = if !variant.is_empty() && rng.chance(0.3) { variant } else { surname_std };
    let (address, address_short) = random_address(rng);
    let mut out: Vec<Person> = Vec::with_capacity(size);
    let head_male = rng.chance(0.5);
    let head_birth = date_between(rng, 1935, 2000);
    let mut person = |rng: &mut Rng, male: bool, birth: NaiveDate, given_name: Option<(String, String)>| {
        let (g, gk) = given_name.unwrap_or_else(|| given(rng, male));
        *next += 1;
        Person {
            number: my_number(*next),
            surname: surname.to_owned(),
            surname_std: surname_std.to_owned(),
            surname_kana: surname_kana.to_owned(),
            given: g,
            given_kana: gk,
            birth,
            male,
            address: address.clone(),
            address_short: address_short.clone(),
        }
    };
    out.push(person(rng, head_male, head_birth, None));
    if size >= 2 {
        let y = head_birth.year() - 4 + rng.below(9) as i32;
        let birth = date_between(rng, y, y);
        out.push(person(rng, !head_male, birth, None));
    }
    let mut k = 2;
    while k < size {
        let y = head_birth.year() + 24 + rng.below(15) as i32;
        let birth = date_between(rng, y.min(2024), y.min(2024));
        let male = rng.chance(0.5);
        if k + 1 < size && rng.chance(0.25) {
            // Twins: same birth date; often same sex.
            let twin_male = if rng.chance(0.6) { male } else { !male };
            let mut a = given(rng, male);
            while out.iter().any(|p| p.given == a.0) {
                a = given(rng, male);
            }
            let mut b = given(rng, twin_male);
            while b.0 == a.0 || out.iter().any(|p| p.given == b.0) {
                b = given(rng, twin_male);
            }
            out.push(person(rng, male, birth, Some(a)));
            out.push(person(rng, twin_male, birth, Some(b)));
            k += 2;
        } else {
            let mut g = given(rng, male);
            while out.iter().any(|p| p.given == g.0) {
                g = given(rng, male);
            }
            out.push(person(rng, male, birth, Some(g)));
            k += 1;
        }
    }
    out
}

fn twin_of(h: &[Person], i: usize) -> Option<usize> {
    (0..h.len()).find(|&j| j != i && h[j].birth == h[i].birth)
}

fn half_width_kana(s: &str) -> String {
    // Enough for the notation error: a few common letters; the rest stay full-width.
    let table = [
        ('ア', "ｱ"),
        ('イ', "ｲ"),
        ('ウ', "ｳ"),
        ('カ', "ｶ"),
        ('キ', "ｷ"),
        ('サ', "ｻ"),
        ('シ', "ｼ"),
        ('タ', "ﾀ"),
        ('ト', "ﾄ"),
        ('ナ', "ﾅ"),
        ('ハ', "ﾊ"),
        ('マ', "ﾏ"),
        ('ヤ', "ﾔ"),
        ('ラ', "ﾗ"),
        ('リ', "ﾘ"),
        ('ロ', "ﾛ"),
        ('ン', "ﾝ"),
        ('ー', "ｰ"),
        (' ', " "),
    ];
    s.chars()
        .map(|c| table.iter().find(|(k, _)| *k == c).map_or_else(|| c.to_string(), |(_, v)| (*v).to_owned()))
        .collect()
}

/// Writes registry.csv, records.csv and truth.csv for `persons` residents (one record each) into `dir`.
pub fn generate(dir: &Path, persons: u64, seed: u64) -> std::io::Result<World> {
    std::fs::create_dir_all(dir)?;
    let mut reg = BufWriter::with_capacity(1 << 20, File::create(dir.join("registry.csv"))?);
    let mut rec = BufWriter::with_capacity(1 << 20, File::create(dir.join("records.csv"))?);
    let mut tru = BufWriter::with_capacity(1 << 20, File::create(dir.join("truth.csv"))?);
    writeln!(reg, "my_number,name,name_kana,birth_date,sex,address")?;
    writeln!(rec, "record_id,my_number,name,name_kana,birth_date,sex,address,insurer_note")?;
    writeln!(tru, "record_id,true_my_number,error")?;
    let mut rng = Rng::new(seed);
    let mut world = World::default();
    let mut next = 0u64;
    // The last resident seen with each full name: a same-name stranger's number.
    let mut by_name: HashMap<String, String> = HashMap::new();
    let mut record_no = 0u64;
    while world.persons < persons {
        let size = match rng.below(100) {
            0..=29 => 1,
            30..=59 => 2,
            60..=79 => 3,
            80..=94 => 4,
            _ => 5,
        }
        .min((persons - world.persons) as usize);
        let h = household(&mut rng, &mut next, size);
        for p in &h {
            writeln!(
                reg,
                "{},{},{},{},{},{}",
                p.number,
                p.name(),
                p.kana(),
                p.birth,
                if p.male { "male" } else { "female" },
                p.address
            )?;
        }
        for (i, p) in h.iter().enumerate() {
            record_no += 1;
            let mut error: &'static str = "";
            let roll = (rng.next() >> 11) as f64 / (1u64 << 53) as f64;
            let mut acc = 0.0;
            for (kind, rate) in RATES {
                acc += rate;
                if roll < acc {
                    error = kind;
                    break;
                }
            }
            // Twins are few: give each twin a higher chance of the other twin's number.
            if error.is_empty() && twin_of(&h, i).is_some() && rng.chance(TWIN_SWAP_RATE) {
                error = "twin_swap";
            }
            let mut number = p.number.clone();
            let mut name = p.name();
            let mut kana = p.kana();
            let mut birth = p.birth.to_string();
            let mut address = p.address.clone();
            match error {
                "twin_swap" => match twin_of(&h, i) {
                    Some(j) => number = h[j].number.clone(),
                    None => error = "",
                },
                "family_swap" if h.len() > 1 => {
                    let j = (i + 1 + rng.below(h.len() as u64 - 1) as usize) % h.len();
                    if h[j].birth == p.birth {
                        error = "";
                    } else {
                        number = h[j].number.clone();
                    }
                }
                "same_name_stranger" => match by_name.get(&format!("{}{}", p.surname_std, p.given)) {
                    Some(n) => number = n.clone(),
                    None => error = "",
                },
                "kana_typo" => {
                    let chars: Vec<char> = p.given_kana.chars().collect();
                    let at = rng.below(chars.len() as u64) as usize;
                    let mut c = *rng.pick(KATAKANA);
                    while c == chars[at] {
                        c = *rng.pick(KATAKANA);
                    }
                    let g: String = chars.iter().enumerate().map(|(k, &x)| if k == at { c } else { x }).collect();
                    kana = format!("{} {}", p.surname_kana, g);
                }
                "kanji_typo" => {
                    let mut done = false;
                    let g: String = p
                        .given
                        .chars()
                        .map(|c| match KANJI_TYPOS.iter().find(|(a, _)| *a == c) {
                            Some((_, b)) if !done => {
                                done = true;
                                *b
                            }
                            _ => c,
                        })
                        .collect();
                    if done {
                        name = format!("{} {}", p.surname, g);
                    } else {
                        error = "";
                    }
                }
                "variant" if p.surname != p.surname_std => {
                    name = format!("{} {}", p.surname_std, p.given);
                }
                "address_notation" => address = p.address_short.clone(),
                "name_notation" => {
                    name = format!("{}　{}", p.surname, p.given);
                    kana = half_width_kana(&kana);
                }
                "moved" => {
                    let (a, _) = random_address(&mut rng);
                    if a == p.address {
                        error = "";
                    } else {
                        address = a;
                    }
                }
                "birth_date_typo" => {
                    let d = p.birth;
                    let typo = d.with_day(if d.day() == 28 { 27 } else { d.day() % 28 + 1 });
                    match typo {
                        Some(t) if t != d => birth = t.to_string(),
                        _ => error = "",
                    }
                }
                "missing_my_number" => number.clear(),
                _ => error = "",
            }
            if !error.is_empty() {
                *world.errors.entry(error).or_default() += 1;
            }
            let rid = format!("R{record_no:09}");
            let sex = if rng.chance(0.5) {
                if p.male { "1" } else { "2" }
            } else if p.male {
                "男"
            } else {
                "女"
            };
            writeln!(rec, "{rid},{number},{name},{kana},{birth},{sex},{address},note {record_no}")?;
            writeln!(tru, "{rid},{},{error}", p.number)?;
            world.records += 1;
        }
        for p in &h {
            by_name.insert(format!("{}{}", p.surname_std, p.given), p.number.clone());
        }
        world.persons += h.len() as u64;
    }
    reg.flush()?;
    rec.flush()?;
    tru.flush()?;
    Ok(world)
}

/// How OUT.csv's grades compare with truth.csv.
#[derive(Clone, Debug, Default)]
pub struct Accuracy {
    /// Records graded.
    pub graded: u64,
    /// (error kind or "" for correct) → [A, B, C].
    pub by_kind: BTreeMap<String, [u64; 3]>,
    /// Wrong-person records (twin, family, stranger) graded C / all of them.
    pub wrong_person_c: (u64, u64),
    /// C grades whose record has an error / all C grades.
    pub c_real: (u64, u64),
    /// C grades whose record names the wrong person / all C with a suggestion.
    pub suggestion_right: (u64, u64),
    /// Correct records graded A or B / all correct records.
    pub correct_ab: (u64, u64),
}

impl Accuracy {
    pub fn ratio((n, d): (u64, u64)) -> f64 {
        if d == 0 { 1.0 } else { n as f64 / d as f64 }
    }
}

/// Reads OUT.csv (UTF-8 with BOM) and truth.csv and compares.
pub fn evaluate(out: &Path, truth: &Path) -> Result<Accuracy, Box<dyn std::error::Error>> {
    let mut truths: HashMap<String, (String, String)> = HashMap::new();
    let mut t = csv::Reader::from_path(truth)?;
    for r in t.records() {
        let r = r?;
        truths.insert(
            r.get(0).unwrap_or("").to_owned(),
            (r.get(1).unwrap_or("").to_owned(), r.get(2).unwrap_or("").to_owned()),
        );
    }
    let text = std::fs::read_to_string(out)?;
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(&text);
    let mut o = csv::Reader::from_reader(text.as_bytes());
    let mut acc = Accuracy::default();
    for r in o.records() {
        let r = r?;
        let (id, grade, suggested) = (r.get(0).unwrap_or(""), r.get(2).unwrap_or(""), r.get(9).unwrap_or(""));
        let Some((true_number, error)) = truths.get(id) else { continue };
        acc.graded += 1;
        let g = match grade {
            "A" => 0,
            "B" => 1,
            _ => 2,
        };
        acc.by_kind.entry(error.clone()).or_default()[g] += 1;
        let wrong_person = matches!(error.as_str(), "twin_swap" | "family_swap" | "same_name_stranger");
        if wrong_person {
            acc.wrong_person_c.1 += 1;
            if g == 2 {
                acc.wrong_person_c.0 += 1;
            }
        }
        if g == 2 {
            acc.c_real.1 += 1;
            if !error.is_empty() {
                acc.c_real.0 += 1;
            }
            if !suggested.is_empty() {
                acc.suggestion_right.1 += 1;
                if suggested == true_number {
                    acc.suggestion_right.0 += 1;
                }
            }
        }
        if error.is_empty() {
            acc.correct_ab.1 += 1;
            if g < 2 {
                acc.correct_ab.0 += 1;
            }
        }
    }
    Ok(acc)
}
