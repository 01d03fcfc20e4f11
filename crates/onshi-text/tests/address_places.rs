//! Issue 10, defect 4: the address key drops the prefecture only where the rest still names one place.
//!
//! `data/ambiguous_cities.txt` (generated from Japan Post's KEN_ALL by `scripts/gen_cities.py`) lists the
//! municipality names found in more than one prefecture; every one of them is checked in every one of its
//! prefectures.

use onshi_text::{address_key, address_keys_agree};

const AMBIGUOUS: &str = include_str!("../data/ambiguous_cities.txt");

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

fn ambiguous() -> Vec<(&'static str, Vec<&'static str>)> {
    AMBIGUOUS
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            let (name, prefs) = l.split_once('\t').unwrap();
            (name, prefs.split(',').collect())
        })
        .collect()
}

#[test]
fn the_examples_of_the_issue() {
    let tokyo = address_key("東京都府中市宮西町二丁目24番地");
    let hiroshima = address_key("広島県府中市府川町315番地");
    assert_eq!(tokyo, "東京都府中市宮西町2-24");
    assert_ne!(address_key("東京都府中市府川町315"), hiroshima);
    assert_ne!(address_key("北海道伊達市梅本町1番地"), address_key("福島県伊達市梅本町1番地"));
    assert!(!address_keys_agree(&address_key("北海道伊達市梅本町1"), &address_key("福島県伊達市梅本町1")));
    // Notation still folds, the prefecture included (廣島縣 is not a notation of 広島県, 廣島県 is).
    assert_eq!(address_key("廣島県府中市府川町三一五"), address_key("広島県府中市府川町315"));
    assert_eq!(address_key("〒726-0005 広島県 府中市 府川町 315"), address_key("広島県府中市府川町315"));
    // A place of one prefecture still drops it.
    assert_eq!(address_key("東京都調布市小島町2-1"), "調布市小島町2-1");
    assert_eq!(address_key("山口県柳井市南町三丁目12番地の4"), address_key("柳井市南町3-12-4"));
    // Only the start of the rest counts: 府中 inside a town name, or a longer name, is one place.
    assert_eq!(address_key("広島県安芸郡府中町大通3-1"), "安芸郡府中町大通3-1");
    assert_eq!(address_key("東京都千代田区府中市場1"), "千代田区府中市場1");
}

#[test]
fn without_a_prefecture_an_ambiguous_city_agrees_with_each_but_they_never_agree_with_each_other() {
    let tokyo = address_key("東京都府中市宮西町2-24");
    let hiroshima = address_key("広島県府中市宮西町2-24");
    let unstated = address_key("府中市宮西町2丁目24番地");
    assert_eq!(unstated, "府中市宮西町2-24");
    assert!(address_keys_agree(&tokyo, &unstated) && address_keys_agree(&unstated, &tokyo));
    assert!(address_keys_agree(&hiroshima, &unstated));
    assert!(!address_keys_agree(&tokyo, &hiroshima));
    assert!(!address_keys_agree(&tokyo, &address_key("府中市宮西町2-25")));
    assert!(address_keys_agree(&address_key("調布市小島町2-1"), &address_key("東京都調布市小島町二丁目1番")));
    assert!(!address_keys_agree(&address_key("調布市小島町2-1"), &address_key("調布市小島町2-2")));
    // A prefecture alone never stands for an ambiguous city.
    assert!(!address_keys_agree(&address_key("東京都"), &address_key("府中市")));
}

#[test]
fn every_ambiguous_city_keeps_its_prefecture_in_every_prefecture() {
    let table = ambiguous();
    assert_eq!(table.len(), 25, "KEN_ALL's municipality names of more than one prefecture");
    for (name, prefs) in &table {
        assert!(prefs.len() >= 2, "{name}");
        let keys: Vec<String> = prefs.iter().map(|p| address_key(&format!("{p}{name}中央一丁目2番3号"))).collect();
        let bare = address_key(&format!("{name}中央1-2-3"));
        assert_eq!(bare, format!("{name}中央1-2-3"));
        for (p, k) in prefs.iter().zip(&keys) {
            assert_eq!(k, &format!("{p}{name}中央1-2-3"));
            assert_eq!(&address_key(k), k, "idempotent");
            assert!(address_keys_agree(k, &bare) && address_keys_agree(&bare, k), "{k}");
        }
        for (i, a) in keys.iter().enumerate() {
            for b in &keys[i + 1..] {
                assert_ne!(a, b);
                assert!(!address_keys_agree(a, b), "{a} vs {b}");
            }
        }
        // The name in any other prefecture is kept apart as well (an error of the address, but not the same).
        for p in PREFECTURES.iter().filter(|p| !prefs.contains(p)) {
            let k = address_key(&format!("{p}{name}中央1-2-3"));
            assert!(keys.iter().all(|o| !address_keys_agree(o, &k)), "{k}");
        }
    }
}

#[test]
fn every_prefecture_is_dropped_before_a_city_of_one_prefecture() {
    for p in PREFECTURES {
        for city in ["調布市", "柳井市", "熊毛郡上関町", "札幌市中央区", "千代田区"] {
            let with = address_key(&format!("{p}{city}1-2-3"));
            assert_eq!(with, format!("{city}1-2-3"));
            assert!(address_keys_agree(&with, &address_key(&format!("{city}一丁目2番3号"))));
        }
        // Nothing but a prefecture: kept (there is nothing else to compare).
        assert_eq!(address_key(p), p);
    }
}
