//! The synthetic national population of the PostgreSQL scale benchmark (`pg-scale`, docs/benchmarks.md):
//! member `n` of any size of population is a pure function of `n`, so that the loader, the checks and the
//! verification ask for the same members without a list of them.
//!
//! Households of three (`n / 3`): an employee insurer's insured person with a dependent spouse and child
//! (枝番 00, 01, 02 under one 記号・番号), a 国保 household of three insured members (one 番号, three 枝番), or
//! three 後期高齢者 with a number each and no 記号. Insurers are of the real kinds and 8-digit (6-digit for
//! 国保) numbers with valid check digits, skewed so that a few insurers are large (協会けんぽ's branches) and
//! most are small; birth dates are spread over the ages each kind covers; 93% are linked to a My Number (a
//! bijection of `n`, valid check digit, never shared), grade A; one in ten has an address change after its
//! acquisition. Every record is built through the ledger's types and validated by it ([`MemberHistory`]).

use onshi_ids::{Branch, InsuredNumber, InsurerNumber, MyNumber, Scheme, Symbol};
use onshi_law::{Date, IncomeBracket};
use onshi_ledger::{Change, Entry, MemberHistory, MemberKey, MemberStatic, RecordedAt, Relationship, Seq, Sex};
use onshi_store::{LinkState, LinkageRecord};

/// The service date of every check of the benchmark.
pub const SERVICE_DATE: &str = "2025-05-01";

/// The recording time of member 0's first entry (2025-04-01T00:00:00Z, µs): member `n`'s entries are recorded
/// at `BASE_RECORDED_AT + 2n` and `+ 2n + 1`, before any later write of the store's clock.
pub const BASE_RECORDED_AT: i64 = 1_743_465_600_000_000;

/// One generated member, as the engine would have stored it at enrolment.
#[derive(Debug, Clone)]
pub struct ScaleMember {
    /// `members.member_id` (`n + 1`).
    pub member_id: i64,
    pub history: MemberHistory,
    pub my_number: Option<MyNumber>,
    pub linkage: Option<LinkageRecord>,
    /// The income bracket recorded (people of 70 and over, and 後期高齢者).
    pub bracket: Option<IncomeBracket>,
    pub name: String,
    pub name_kana: String,
}

impl ScaleMember {
    pub fn key(&self) -> &MemberKey {
        &self.history.statik.key
    }

    /// The body of `POST /clinic/v1/eligibility` for this member on [`SERVICE_DATE`], as a clinic sends it
    /// from the card (記号 when the card has one, 番号, 枝番, birth date).
    pub fn check_body(&self) -> String {
        let k = self.key();
        let mut b = serde_json::json!({
            "insurer_number": k.insurer_number.as_str(), "number": k.number.as_str(), "branch": k.branch.as_str(),
            "birth_date": self.history.statik.birth_date.format("%Y-%m-%d").to_string(),
            "service_date": SERVICE_DATE,
        });
        if let Some(s) = &k.symbol {
            b["symbol"] = serde_json::Value::from(s.as_str());
        }
        b.to_string()
    }
}

/// splitmix64: a well-mixed hash of `x` (the generator's only source of variety).
pub fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A value in `0..n` from `h`, skewed to small values (`n · u²`): a few large insurers, many small ones.
fn skewed(h: u64, n: u64) -> u64 {
    let u = (h >> 11) as f64 / (1u64 << 53) as f64;
    ((u * u * n as f64) as u64).min(n - 1)
}

fn pick<T: Copy>(h: u64, xs: &[T]) -> T {
    xs[(h % xs.len() as u64) as usize]
}

/// A scramble of `i` over `0..n` (spread over the whole population, not a hot few).
pub fn scramble(i: u64, n: u64) -> u64 {
    mix(i ^ 0x5bd1_e995) % n.max(1)
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Kyokai,
    Kumiai,
    Kyosai,
    Kokuho,
    Koki,
}

/// The insurer of a household: kind (協会けんぽ 32%, 健保組合 23%, 共済 7%, 国保 23%, 後期高齢者 15%) and a
/// number of that kind with its check digit.
fn insurer_of(h: u64) -> (Kind, InsurerNumber) {
    let r = mix(h ^ 0xA11C_E5ED);
    let kind = match r % 100 {
        0..32 => Kind::Kyokai,
        32..55 => Kind::Kumiai,
        55..62 => Kind::Kyosai,
        62..85 => Kind::Kokuho,
        _ => Kind::Koki,
    };
    let s = mix(r);
    let pref = 1 + skewed(s, 47);
    let body = match kind {
        // one branch per prefecture: 01 PP 001
        Kind::Kyokai => format!("01{pref:02}001"),
        // about 1,400 societies, mostly small
        Kind::Kumiai => format!("06{pref:02}{:03}", 1 + skewed(mix(s), 30)),
        Kind::Kyosai => format!("{}{pref:02}{:03}", pick(s >> 7, &["31", "32", "33", "34"]), 1 + skewed(mix(s), 3)),
        // about 1,700 municipalities: PP + 001..299 (3xx are 国保組合)
        Kind::Kokuho => format!("{pref:02}{:03}", 1 + skewed(mix(s), 36) * 8),
        // one 広域連合 per prefecture
        Kind::Koki => format!("39{pref:02}101"),
    };
    let cd = InsurerNumber::check_digit(body.as_bytes());
    let number = InsurerNumber::parse(&format!("{body}{cd}")).unwrap_or_else(|e| panic!("generator: {body}: {e}"));
    (kind, number)
}

const SURNAMES: &[(&str, &str)] = &[
    ("佐藤", "サトウ"),
    ("鈴木", "スズキ"),
    ("高橋", "タカハシ"),
    ("田中", "タナカ"),
    ("伊藤", "イトウ"),
    ("渡辺", "ワタナベ"),
    ("山本", "ヤマモト"),
    ("中村", "ナカムラ"),
    ("小林", "コバヤシ"),
    ("加藤", "カトウ"),
    ("吉田", "ヨシダ"),
    ("山田", "ヤマダ"),
    ("佐々木", "ササキ"),
    ("山口", "ヤマグチ"),
    ("松本", "マツモト"),
    ("井上", "イノウエ"),
    ("木村", "キムラ"),
    ("斎藤", "サイトウ"),
    ("斉藤", "サイトウ"),
    ("髙橋", "タカハシ"),
    ("渡邊", "ワタナベ"),
    ("山﨑", "ヤマサキ"),
];
const MALE: &[(&str, &str)] = &[
    ("太郎", "タロウ"),
    ("翔", "ショウ"),
    ("大輔", "ダイスケ"),
    ("健一", "ケンイチ"),
    ("誠", "マコト"),
    ("浩", "ヒロシ"),
    ("蓮", "レン"),
    ("悠真", "ユウマ"),
];
const FEMALE: &[(&str, &str)] = &[
    ("花子", "ハナコ"),
    ("陽菜", "ヒナ"),
    ("美咲", "ミサキ"),
    ("恵子", "ケイコ"),
    ("裕子", "ユウコ"),
    ("結衣", "ユイ"),
    ("さくら", "サクラ"),
    ("智子", "トモコ"),
];
const PLACES: &[&str] = &[
    "北海道札幌市中央区北一条西",
    "宮城県仙台市青葉区本町",
    "東京都千代田区永田町",
    "東京都世田谷区太子堂",
    "神奈川県横浜市中区日本大通",
    "愛知県名古屋市中区三の丸",
    "大阪府大阪市北区梅田",
    "広島県府中市府川町",
    "福岡県福岡市博多区東公園",
    "沖縄県那覇市泉崎",
];

fn date(y: i32, m: u32, d: u32) -> Date {
    Date::from_ymd_opt(y, m, d).unwrap_or(Date::MIN)
}

/// A day in `[from, to)` from `h`.
fn day_between(h: u64, from: Date, to: Date) -> Date {
    let span = (to - from).num_days().max(1) as u64;
    from + chrono::Days::new(h % span)
}

/// Member `n` of the synthetic population.
pub fn scale_member(n: u64) -> ScaleMember {
    let (h, slot) = (n / 3, n % 3);
    let (kind, insurer) = insurer_of(h);
    let r = mix(n ^ 0x0051_A7E0);
    let hh = mix(h ^ 0x4855_5345);
    let service = date(2025, 5, 1);
    // the insured person's birth, shared by the household's choices
    let (relationship, birth) = match (kind, slot) {
        // 後期高齢者: 75 to 99 on the service date
        (Kind::Koki, _) => (Relationship::Insured, day_between(r, date(1925, 5, 2), date(1950, 5, 1))),
        // the household's head: 20 to 74
        (_, 0) => (Relationship::Insured, day_between(hh, date(1950, 5, 2), date(2005, 5, 1))),
        // spouse: within five years of the head, under 75
        (_, 1) => {
            let head = day_between(hh, date(1950, 5, 2), date(2005, 5, 1));
            let from = (head - chrono::Days::new(5 * 365)).max(date(1950, 5, 2));
            let rel = if kind == Kind::Kokuho { Relationship::Insured } else { Relationship::Dependent };
            (rel, day_between(r, from, head + chrono::Days::new(5 * 365)))
        }
        // child: 0 to 21
        _ => {
            let rel = if kind == Kind::Kokuho { Relationship::Insured } else { Relationship::Dependent };
            (rel, day_between(r, date(2003, 5, 2), date(2025, 4, 30)))
        }
    };
    let sex = match (kind, slot) {
        (Kind::Koki, _) | (_, 2) => {
            if r >> 63 == 0 {
                Sex::Male
            } else {
                Sex::Female
            }
        }
        (_, 0) => {
            if hh % 5 == 0 {
                Sex::Female
            } else {
                Sex::Male
            }
        }
        _ => {
            if hh % 5 == 0 {
                Sex::Male
            } else {
                Sex::Female
            }
        }
    };
    // 記号・番号・枝番
    let (symbol, number, branch) = match kind {
        Kind::Koki => (None, format!("{n:08}"), 0),
        // 協会けんぽ: the employer's office code (8 digits), the household's number in it
        Kind::Kyokai => (Some(format!("{:08}", mix(h / 50) % 100_000_000)), format!("{}", h), slot),
        Kind::Kumiai | Kind::Kyosai => (Some(format!("{}", 1 + (h / 200) % 9_000)), format!("{}", h), slot),
        // 国保: a symbol in kanji and digits, as many municipalities print
        Kind::Kokuho => (Some(format!("国{:02}", (h / 500) % 100)), format!("{:09}", h), slot),
    };
    let key = MemberKey {
        insurer_number: insurer,
        symbol: symbol.map(|s| Symbol::parse(&s).unwrap_or_else(|e| panic!("generator: symbol: {e}"))),
        number: InsuredNumber::parse(&number).unwrap_or_else(|e| panic!("generator: number: {e}")),
        branch: Branch::from_u8(branch as u8).unwrap_or_else(|| panic!("generator: branch {branch}")),
    };
    // names: the household shares a surname
    let (sur, sur_kana) = pick(hh >> 3, SURNAMES);
    let (given, given_kana) = pick(r >> 5, if sex == Sex::Male { MALE } else { FEMALE });
    let (sur, sur_kana) = if kind == Kind::Koki { pick(r >> 9, SURNAMES) } else { (sur, sur_kana) };
    let name = format!("{sur} {given}");
    let name_kana = format!("{sur_kana} {given_kana}");
    let address =
        format!("{}{}丁目{}番{}号", pick(hh >> 17, PLACES), 1 + hh % 5, 1 + (hh >> 7) % 30, 1 + (hh >> 13) % 20);
    // the scheme's copay depends on the income bracket from 70 on, and always in 後期高齢者医療
    let age = onshi_law::age_on(birth, service);
    let bracket = match kind {
        Kind::Koki => Some(match r % 20 {
            0..13 => IncomeBracket::General,
            13..17 => IncomeBracket::General2,
            _ => IncomeBracket::ActiveEquivalent,
        }),
        _ if age >= 70 => Some(if r % 5 == 0 { IncomeBracket::ActiveEquivalent } else { IncomeBracket::General }),
        _ => None,
    };
    // acquisition: 後期 on the 75th birthday (not before the scheme began); others at a day in 2010–2025
    // after birth, the household's dependents with the head
    let acquired_on = match kind {
        Kind::Koki => onshi_law::late_stage_from(birth).max(date(2008, 4, 1)),
        _ => day_between(hh >> 21, date(2010, 4, 1), date(2025, 4, 1)).max(birth),
    };
    let recorded = RecordedAt(BASE_RECORDED_AT + 2 * n as i64);
    let first = Entry {
        seq: Seq(2 * n + 1),
        recorded_at: recorded,
        effective_on: acquired_on,
        change: Change::Acquire {
            name: name.clone(),
            name_kana: name_kana.clone(),
            address,
            income_bracket: bracket,
            copay_override: None,
        },
    };
    let statik = MemberStatic { key, relationship, birth_date: birth, sex };
    let mut history = MemberHistory::new(statik, first).unwrap_or_else(|e| panic!("generator: member {n}: {e}"));
    // one in ten moved after acquiring
    if r % 10 == 3 && acquired_on < date(2025, 3, 1) {
        let moved = day_between(r >> 20, acquired_on + chrono::Days::new(1), date(2025, 4, 1));
        let update = Entry {
            seq: Seq(2 * n + 2),
            recorded_at: RecordedAt(recorded.0 + 1),
            effective_on: moved,
            change: Change::Update {
                name: None,
                name_kana: None,
                address: Some(format!("{}{}丁目{}番", pick(r >> 40, PLACES), 1 + (r >> 24) % 5, 1 + (r >> 28) % 30)),
                income_bracket: None,
                copay_override: None,
            },
        };
        history.append(update).unwrap_or_else(|e| panic!("generator: member {n}: {e}"));
    }
    // 93% linked: the My Number is a bijection of n over 0..10^11 (×7,919,137 is invertible mod 10^11)
    let linked = mix(n ^ 0x4D59_4E55) % 100 < 93;
    let my_number = linked.then(|| {
        let body = (n.wrapping_mul(7_919_137) + 12_345_678_901) % 100_000_000_000;
        MyNumber::from_body(&format!("{body:011}")).unwrap_or_else(|e| panic!("generator: my number: {e}"))
    });
    let linkage = linked.then(|| LinkageRecord {
        grade: "A".into(),
        reasons: Vec::new(),
        graded_at: recorded,
        state: LinkState::Active,
        confirmation: None,
    });
    ScaleMember { member_id: n as i64 + 1, history, my_number, linkage, bracket, name, name_kana }
}

/// The copay ratio (percent) the law gives member `m` on [`SERVICE_DATE`]: what a check must answer.
pub fn expected_copay(m: &ScaleMember) -> Option<u8> {
    let scheme: Scheme = m.key().insurer_number.scheme();
    onshi_law::copay(m.history.statik.birth_date, date(2025, 5, 1), scheme, m.bracket).ratio().map(|r| r.percent())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn members_are_valid_covered_and_unique() {
        let n = 30_000u64;
        let mut keys = HashSet::new();
        let mut numbers = HashSet::new();
        let mut kinds = HashSet::new();
        let mut linked = 0;
        for i in 0..n {
            let m = scale_member(i);
            let k = m.key().clone();
            kinds.insert(k.insurer_number.kind());
            assert!(keys.insert((k.insurer_number, k.symbol, k.number.match_key().to_owned(), k.branch)), "member {i}");
            if let Some(mn) = &m.my_number {
                assert!(numbers.insert(*mn), "my number of {i}");
                linked += 1;
            }
            // every member is covered on the service date, with a copay the law gives
            let r = m.history.resolve(date(2025, 5, 1), None);
            assert!(r.is_some_and(|r| r.status == onshi_ledger::Status::Covered), "member {i} is not covered");
            assert!(expected_copay(&m).is_some(), "member {i} has no copay");
            // a dependent's insured person is in the population: the household's slot 0
            if m.history.statik.relationship == Relationship::Dependent {
                let head = scale_member(i - i % 3);
                assert_eq!(head.history.statik.relationship, Relationship::Insured);
                assert_eq!(head.key().number, k.number);
            }
        }
        assert!(kinds.len() >= 8, "{kinds:?}");
        assert!((n * 90 / 100..n * 96 / 100).contains(&linked), "{linked}");
        assert_eq!(scale_member(12_345).check_body(), scale_member(12_345).check_body());
    }
}
