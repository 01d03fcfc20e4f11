//! The blocking guarantee: a resident that fits a record as A or B shares a blocking key with it, so
//! grading against the residents that share a key is grading against everyone.

use chrono::NaiveDate;
use onshi_linkage::*;
use proptest::prelude::*;

/// Surnames and given names of 1–3 characters with their readings, including variants (髙/高, 齋/斎/斉),
/// look-alikes and a placeholder, so that derived names are often one edit or one variant apart.
const SURNAMES: &[(&str, &str)] = &[
    ("林", "ハヤシ"),
    ("森", "モリ"),
    ("佐藤", "サトウ"),
    ("髙橋", "タカハシ"),
    ("高橋", "タカハシ"),
    ("斎藤", "サイトウ"),
    ("齋藤", "サイトウ"),
    ("斉藤", "サイトウ"),
    ("佐々木", "ササキ"),
    ("●田", "ハマダ"),
    ("濱田", "ハマダ"),
];
const GIVEN: &[(&str, &str)] = &[
    ("剛", "ツヨシ"),
    ("誠", "マコト"),
    ("翔太", "ショウタ"),
    ("翔大", "ショウタ"),
    ("健太", "ケンタ"),
    ("花子", "ハナコ"),
    ("一郎", "イチロウ"),
    ("一朗", "イチロウ"),
    ("由美子", "ユミコ"),
];
const SPACES: &[&str] = &[" ", "　", ""];
const ADDRESSES: &[&str] = &["東京都千代田区永田町二丁目1番2号", "千代田区永田町2-1-2", "大阪市北区梅田3-1-1"];
const EDIT_CHARS: &[char] = &['郎', '●', '太', '高', '子', '藤'];

#[derive(Clone, Debug)]
struct Gen {
    name: String,
    kana: Option<String>,
    born: u32,
    sex: Option<Sex>,
    address: Option<&'static str>,
}

impl Gen {
    fn prep(&self) -> Prepared {
        Prepared::new(&Basic4 {
            name: &self.name,
            name_kana: self.kana.as_deref(),
            birth_date: NaiveDate::from_ymd_opt(1980, 4, self.born).unwrap_or_default(),
            sex: self.sex,
            address: self.address,
        })
    }
}

/// One character of a name replaced, inserted or deleted (a typo).
fn edit(name: &str, op: u8, at: usize, c: char) -> String {
    let mut chars: Vec<char> = name.chars().collect();
    if chars.is_empty() {
        return name.to_owned();
    }
    let i = at % chars.len();
    match op % 3 {
        0 => chars[i] = c,
        1 => chars.insert(i, c),
        _ if chars.len() > 1 => {
            chars.remove(i);
        }
        _ => {}
    }
    chars.into_iter().collect()
}

/// A person and the knobs to derive another from them.
#[derive(Clone, Debug)]
struct Base {
    surname: usize,
    given: usize,
    born: u32,
    sex: Option<Sex>,
    address: Option<&'static str>,
}

fn base() -> impl Strategy<Value = Base> {
    (
        0..SURNAMES.len(),
        0..GIVEN.len(),
        1u32..3,
        prop::option::weighted(0.9, prop_oneof![Just(Sex::Male), Just(Sex::Female)]),
        prop::option::weighted(0.8, prop::sample::select(ADDRESSES)),
    )
        .prop_map(|(surname, given, born, sex, address)| Base { surname, given, born, sex, address })
}

/// Someone derived from `b`: the same person written another way, with a typo, married, a twin, or a
/// stranger with one thing in common — each field kept or changed at random.
fn near(b: Base) -> impl Strategy<Value = Gen> {
    (
        (0u8..6, 0..SURNAMES.len(), 0..GIVEN.len(), any::<u8>(), any::<usize>(), prop::sample::select(EDIT_CHARS)),
        prop::sample::select(SPACES),
        0u8..4,
        (0u8..10, 0u8..4, 0u8..4),
    )
        .prop_map(move |((how, other_s, other_g, op, at, c), sp, kana_how, (born_how, sex_how, address_how))| {
            let (mut s, mut ks) = SURNAMES[b.surname];
            let (mut g, mut kg) = GIVEN[b.given];
            match how {
                1 => (s, ks) = SURNAMES[other_s], // married, or another family
                2 => (g, kg) = GIVEN[other_g],    // a twin, a sibling
                3 => ((s, ks), (g, kg)) = (SURNAMES[other_s], GIVEN[other_g]),
                _ => {}
            }
            let mut name = format!("{s}{sp}{g}");
            if how >= 4 {
                name = edit(&name, op, at, c); // a typo or a placeholder
            }
            let kana = match kana_how {
                0 => None,
                1 => Some(format!("{ks}{kg}")),
                _ => Some(format!("{ks} {kg}")),
            };
            Gen {
                name,
                kana,
                born: if born_how == 0 { 3 - b.born } else { b.born },
                sex: match sex_how {
                    0 => None,
                    1 => b.sex.map(|x| if x == Sex::Male { Sex::Female } else { Sex::Male }),
                    _ => b.sex,
                },
                address: match address_how {
                    0 => None,
                    1 => Some(ADDRESSES[2]),
                    _ => b.address,
                },
            }
        })
}

/// Two people derived from one base.
fn pair() -> impl Strategy<Value = (Gen, Gen)> {
    base().prop_flat_map(|b| (near(b.clone()), near(b)))
}

fn share_a_key(a: &Prepared, b: &Prepared) -> bool {
    let kb = b.blocking_keys();
    a.blocking_keys().iter().any(|k| *k != 0 && kb.contains(k))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4096, ..ProptestConfig::default() })]

    #[test]
    fn a_or_b_implies_a_shared_key((r, s) in pair()) {
        let (pr, ps) = (r.prep(), s.prep());
        let (_, reasons, fit) = compare(&pr, &ps);
        if fit.grade() != Grade::C {
            prop_assert!(share_a_key(&pr, &ps), "{r:?} and {s:?} fit as {:?} ({reasons:?}) but share no key", fit.grade());
        }
    }

    #[test]
    fn grading_with_the_blocked_residents_is_grading_with_all(
        (r, owner, others) in base().prop_flat_map(|b| (near(b.clone()), near(b.clone()), prop::collection::vec(near(b), 1..6))),
    ) {
        let (pr, po) = (r.prep(), owner.prep());
        let prepared: Vec<(usize, Prepared)> = others.iter().map(Gen::prep).enumerate().map(|(i, p)| (i + 1, p)).collect();
        let all = grade_by_id(&pr, &0, &po, prepared.iter().map(|(i, p)| (i, p)));
        let blocked = grade_by_id(&pr, &0, &po, prepared.iter().filter(|(_, p)| share_a_key(&pr, p)).map(|(i, p)| (i, p)));
        prop_assert_eq!(all, blocked);
    }
}

#[test]
fn keys_are_deduplicated_and_bounded() {
    let p = Gen {
        name: "佐藤 翔太".into(), kana: Some("サトウ ショウタ".into()), born: 1, sex: None, address: None
    }
    .prep();
    let keys = p.blocking_keys();
    // 佐藤 = first two characters, 翔太 = last two: full, head, tail.
    assert_eq!(keys.iter().filter(|k| **k != 0).count(), 3);
    let short = Gen { name: "林 剛".into(), kana: None, born: 1, sex: None, address: None }.prep();
    // 林剛: full, head 2, tail 2, head 1 (= surname 林), tail 1 (= given 剛).
    assert_eq!(short.blocking_keys().iter().filter(|k| **k != 0).count(), 5);
    let other_day =
        Gen { born: 2, ..Gen { name: "林 剛".into(), kana: None, born: 1, sex: None, address: None } }.prep();
    assert!(!share_a_key(&short, &other_day), "the birth date is part of every key");
}

#[test]
fn the_generator_reaches_the_cases_that_matter() {
    // The properties above mean something only if random pairs often fit as A or B through a typo, a
    // placeholder or a marriage, with and without readings and spaces.
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let mut seen = std::collections::BTreeMap::<&str, u32>::new();
    for _ in 0..20_000 {
        let (r, s) = pair().new_tree(&mut runner).expect("value").current();
        let (fields, _, fit) = compare(&r.prep(), &s.prep());
        if fit.grade() == Grade::C {
            continue;
        }
        let no_reading = r.kana.is_none() || s.kana.is_none();
        let case = match (fields.name, no_reading) {
            (Verdict::Typo, true) => "typo without a reading",
            (Verdict::Typo, false) => "typo with readings",
            (Verdict::Differs, _) => "marriage",
            (Verdict::Variant, _) => "variant",
            _ => "same name",
        };
        *seen.entry(case).or_default() += 1;
    }
    for case in ["typo without a reading", "typo with readings", "marriage", "variant", "same name"] {
        assert!(seen.get(case).copied().unwrap_or(0) >= 40, "{case}: {seen:?}");
    }
}
