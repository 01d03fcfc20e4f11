//! Behaviour of the public keys on the examples of the spec and the trouble reports.

use onshi_text::*;
use proptest::prelude::*;

#[test]
fn width_space_and_kana_are_notation() {
    let same = [
        ("髙橋　一郎", "髙橋 一郎"),
        ("髙橋\u{00A0}一郎", "髙橋一郎"),
        ("髙橋 \t 一郎", "髙橋一郎"),
        ("ＳＭＩＴＨ　Ｊｏｈｎ", "smith john"),
        ("ﾀｶﾊｼ ｲﾁﾛｳ", "タカハシ イチロウ"),
        ("ｶﾞｸ ﾊﾟﾝ", "ガク パン"),
        ("たかはし いちろう", "タカハシイチロウ"),
        ("か\u{3099}く", "ガク"),
        ("ジョン・スミス", "ジョンスミス"),
        ("ジョン･スミス", "ジョン＝スミス"),
        ("スミス-ジョーンズ", "スミス－ジョ―ンズ"),
        ("ｼﾞｮｰ", "ジョー"),
        ("\u{FA19}田", "神田"),
        ("葛\u{E0100}城", "葛城"),
        ("辻\u{FE00}", "辻"),
    ];
    for (a, b) in same {
        assert_eq!(notation_key(a), notation_key(b), "{a} vs {b}");
    }
    assert_eq!(notation_key("\u{FA19}"), "神");
    assert_eq!(notation_key("\u{2F800}"), "丽");
}

#[test]
fn variants_are_not_notation() {
    for (a, b) in [("髙橋", "高橋"), ("齊藤", "斉藤"), ("濱田", "浜田"), ("佐々木", "佐佐木")] {
        assert_ne!(notation_key(a), notation_key(b), "{a} vs {b}");
        assert_eq!(variant_key(a), variant_key(b), "{a} vs {b}");
    }
}

#[test]
fn every_listed_variant_pair_folds() {
    let pairs = [
        ("髙", "高"),
        ("﨑", "崎"),
        ("濱", "浜"),
        ("邊", "辺"),
        ("邉", "辺"),
        ("齋", "斎"),
        ("齊", "斉"),
        ("澤", "沢"),
        ("嶋", "島"),
        ("國", "国"),
        ("德", "徳"),
        ("廣", "広"),
        ("櫻", "桜"),
        ("惠", "恵"),
        ("眞", "真"),
        ("冨", "富"),
        ("𠮷", "吉"),
        ("槗", "橋"),
        ("篭", "籠"),
        ("曾", "曽"),
        ("瀨", "瀬"),
        ("\u{FA19}", "神"),
        ("嵜", "崎"),
        ("舘", "館"),
        ("渕", "淵"),
        ("塡", "填"),
    ];
    for (a, b) in pairs {
        assert_eq!(variant_key(a), variant_key(b), "{a} vs {b}");
        assert_eq!(standard_form(a.chars().next().unwrap()), b.chars().next().unwrap(), "{a}");
    }
    assert_eq!(variant_key("渡邊"), variant_key("渡邉"));
}

#[test]
fn different_characters_stay_apart() {
    let apart = [
        ("斉", "斎"),
        ("齊", "齋"),
        ("齊", "斎"),
        ("沢", "択"),
        ("島", "鳥"),
        ("崎", "埼"),
        ("玉", "王"),
        ("藤", "籐"),
        ("坂", "阪"),
        ("己", "巳"),
        ("書", "昼"),
        ("着", "著"),
        ("切", "功"),
        ("祐", "佑"),
        ("萩", "荻"),
    ];
    for (a, b) in apart {
        assert_ne!(variant_key(a), variant_key(b), "{a} vs {b}");
    }
    assert_ne!(variant_key("斉藤 一郎"), variant_key("斎藤 一郎"));
}

#[test]
fn readings() {
    assert_eq!(kana_key("たかはし　いちろう"), kana_key("ﾀｶﾊｼｲﾁﾛｳ"));
    assert_ne!(kana_key("キョウコ"), kana_key("キヨウコ"));
    let loose = [
        ("キョウコ", "キヨウコ"),
        ("ちづこ", "チズコ"),
        ("ミカヅキ", "ミカズキ"),
        ("ヂロウ", "ジロウ"),
        ("ヲノ", "オノ"),
        ("ヴィクター", "ブィクタ"),
        ("ヶ", "ケ"),
        ("ヵ", "カ"),
        ("サッポロ", "サツポロ"),
        ("ユーコ", "ユコ"),
    ];
    for (a, b) in loose {
        assert_ne!(kana_key(a), kana_key(b), "{a} vs {b} differ in spelling");
        assert_eq!(kana_loose_key(a), kana_loose_key(b), "{a} vs {b}");
    }
    assert_ne!(kana_loose_key("サトウ"), kana_loose_key("サイトウ"));
    assert_ne!(kana_loose_key("イチロウ"), kana_loose_key("ジロウ"));
}

#[test]
fn addresses() {
    let nagata = [
        "東京都千代田区永田町二丁目1番2号",
        "千代田区永田町2-1-2",
        "千代田区永田町２－１－２",
        "千代田区永田町2丁目1-2",
        "千代田区永田町2丁目1番地2",
        "東京都 千代田区 永田町 二丁目 一番 二号",
        "〒100-0014 東京都千代田区永田町2-1-2",
        "千代田区永田町2ー1ー2",
    ];
    for a in nagata {
        assert_eq!(address_key(a), "千代田区永田町2-1-2", "{a}");
    }
    assert_eq!(address_key("大阪府大阪市北区梅田三丁目1番1号"), address_key("大阪市北区梅田3-1-1"));
    assert_eq!(address_key("山口県柳井市南町三丁目12番地の4"), address_key("柳井市南町3-12-4"));
    assert_eq!(address_key("千代田区霞が関1-2-2"), address_key("千代田区霞ケ関1-2-2"));
    assert_eq!(address_key("千代田区霞ヶ関1-2-2"), address_key("千代田区霞ケ関1-2-2"));
    assert_eq!(address_key("千代田区霞ヵ関1-2-2"), address_key("千代田区霞ケ関1-2-2"));
    assert_eq!(address_key("山口県熊毛郡上関町大字長島字向1"), address_key("熊毛郡上関町長島向1"));
    assert_eq!(address_key("十二"), "12");
    assert_eq!(address_key("百二十三"), "123");
    assert_eq!(address_key("〇"), "0");
    assert_eq!(address_key("二〇一"), "201");
    // Place names with kanji numerals are not numbers.
    assert_eq!(address_key("千代田区九段南一丁目"), "千代田区九段南1");
    assert_eq!(address_key("中央区八丁堀四丁目"), "中央区八丁堀4");
    // Different places stay different.
    assert_ne!(address_key("千代田区永田町2-1-2"), address_key("千代田区永田町2-1-3"));
    assert_ne!(address_key("千代田区永田町2-1-2"), address_key("千代田区永田町21-2"));
    assert_ne!(address_key("大阪府大阪市北区梅田3-1-1"), address_key("大阪府大阪市北区梅田3-1-11"));
    assert_ne!(address_key("京都府京都市中京区"), address_key("京都市京都市中京区"));
    // Only a leading prefecture is dropped, and 京都市 is not 京都府.
    assert_eq!(address_key("京都市中京区"), "京都市中京区");
    assert_eq!(address_key("京都府京都市中京区"), "京都市中京区");
    // Variants fold in addresses too.
    assert_eq!(address_key("廣島県廣島市"), address_key("広島市"));
}

#[test]
fn names_split_at_the_first_space_run() {
    assert_eq!(split_name("髙橋 一郎"), ("髙橋", "一郎"));
    assert_eq!(split_name("髙橋\u{3000}一郎"), ("髙橋", "一郎"));
    assert_eq!(split_name(" 髙橋 \u{3000} 一郎 "), ("髙橋", "一郎"));
    assert_eq!(split_name("SMITH JOHN PAUL"), ("SMITH", "JOHN PAUL"));
    assert_eq!(split_name("髙橋一郎"), ("髙橋一郎", ""));
    assert_eq!(split_name(""), ("", ""));
}

#[test]
fn jis_x0208_membership() {
    for c in ['高', '崎', '濱', '浜', '●', '〓', '斎', '斉', 'ア', 'あ', 'Ａ', '　', '邉', '邊', '〜', '～', 'ー']
    {
        assert!(is_jis_x0208(c), "{c} is in JIS X 0208");
    }
    for c in ['髙', '﨑', '𠮷', '\u{FA19}', 'A', 'ｱ', ' ', '①', '德', '瀨', '塡'] {
        assert!(!is_jis_x0208(c), "{c} is not in JIS X 0208");
    }
}

#[test]
fn placeholders() {
    assert!(has_placeholder("●田 太郎"));
    assert!(has_placeholder("〓田 太郎"));
    assert!(!has_placeholder("濱田 太郎"));
}

#[test]
fn claim_ready_substitutes_standard_forms() {
    let r = claim_ready("髙橋 一郎");
    assert_eq!(r.text, "高橋 一郎");
    assert_eq!(r.substituted, vec![Substitution { from: "髙".into(), to: "高".into() }]);
    assert!(r.unmappable.is_empty());

    let r = claim_ready("山﨑　𠮷男");
    assert_eq!(r.text, "山崎　吉男");
    assert_eq!(r.substituted.len(), 2);

    // In JIS X 0208 already: kept exactly, even when a simpler form exists.
    let r = claim_ready("濱田 太郎");
    assert_eq!(r.text, "濱田 太郎");
    assert!(r.substituted.is_empty() && r.unmappable.is_empty());

    let r = claim_ready("葛\u{E0100}西 \u{FA19}子");
    assert_eq!(r.text, "葛西 神子");
    assert_eq!(r.substituted[0], Substitution { from: "葛\u{E0100}".into(), to: "葛".into() });
    assert_eq!(r.substituted[1], Substitution { from: "\u{FA19}".into(), to: "神".into() });

    let r = claim_ready("ｽﾐｽ ｼﾞｮﾝ");
    assert_eq!(r.text, "スミス ジョン");
    assert!(r.substituted.iter().any(|s| s.from == "ｼﾞ" && s.to == "ジ"));

    let r = claim_ready("SMITH JOHN");
    assert_eq!(r.text, "ＳＭＩＴＨ ＪＯＨＮ");

    let r = claim_ready("か\u{3099}く");
    assert_eq!(r.text, "がく");

    // Repeated substitutions are listed once.
    let r = claim_ready("髙髙");
    assert_eq!(r.text, "高高");
    assert_eq!(r.substituted.len(), 1);
}

#[test]
fn claim_ready_keeps_what_has_no_standard_form() {
    // U+2A6B2 (CJK Ext B) has no link to JIS X 0208 in the tables.
    let rare = '\u{2A6B2}';
    assert_eq!(standard_form(rare), rare);
    let name = format!("山{rare} 太郎");
    let r = claim_ready(&name);
    assert_eq!(r.text, name);
    assert_eq!(r.unmappable, vec![rare.to_string()]);
    assert!(!r.text.contains('●'));
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,12}",
        "[髙高﨑崎濱浜邊邉辺齋斎齊斉𠮷吉葛\u{E0100}\u{FE00}\u{FA19}\u{2A6B2}ｱｶﾞﾞﾟ あア　Ａa●〓-ー]{0,12}",
    ]
}

proptest! {
    #[test]
    fn claim_ready_never_introduces_a_placeholder(s in any_text()) {
        let r = claim_ready(&s);
        prop_assert_eq!(r.text.contains('●'), s.contains('●'));
        prop_assert_eq!(has_placeholder(&r.text), has_placeholder(&s));
    }

    #[test]
    fn claim_ready_text_is_jis_or_listed(s in any_text()) {
        let r = claim_ready(&s);
        for c in r.text.chars() {
            prop_assert!(
                is_jis_x0208(c) || c.is_whitespace() || r.unmappable.iter().any(|u| u.contains(c)),
                "{:?} in {:?}", c, r.text
            );
        }
    }

    #[test]
    fn claim_ready_keeps_jis_text_exactly(s in "[高崎濱浜邊辺斎斉吉あアＡ●　 ]{0,16}") {
        let r = claim_ready(&s);
        prop_assert_eq!(&r.text, &s);
        prop_assert!(r.substituted.is_empty() && r.unmappable.is_empty());
    }

    #[test]
    fn claim_ready_is_variant_equal_to_its_input(s in any_text()) {
        // The claim name never changes what the name *is*: only notation and variants.
        let r = claim_ready(&s);
        prop_assert_eq!(variant_key(&r.text), variant_key(&s));
    }

    #[test]
    fn keys_are_idempotent(s in any_text()) {
        let n = notation_key(&s);
        prop_assert_eq!(notation_key(&n), n.clone());
        let v = variant_key(&s);
        prop_assert_eq!(variant_key(&v), v.clone());
        let l = kana_loose_key(&s);
        prop_assert_eq!(kana_loose_key(&l), l.clone());
        let a = address_key(&s);
        prop_assert_eq!(address_key(&a), a.clone());
    }

    #[test]
    fn notation_equal_implies_variant_equal(a in any_text(), b in any_text()) {
        if notation_key(&a) == notation_key(&b) {
            prop_assert_eq!(variant_key(&a), variant_key(&b));
        }
    }

    #[test]
    fn whitespace_never_matters(s in any_text(), i in 0usize..12) {
        let chars: Vec<char> = s.chars().collect();
        let at = i.min(chars.len());
        let spaced: String = chars[..at].iter().chain(['　'].iter()).chain(chars[at..].iter()).collect();
        // Even between a base and its voiced mark or variation selector: what folds to nothing goes first.
        prop_assert_eq!(variant_key(&spaced), variant_key(&s));
    }
}

#[test]
fn a_voiced_mark_composes_across_what_folds_to_nothing() {
    // Found by `keys_are_idempotent`: a variation selector or a space between a kana and its voiced mark.
    for s in ["ｶ\u{E0100}\u{3099}", "カ ゙", "か　゛", "ｶﾞ"] {
        assert_eq!(notation_key(s), "ガ", "{s:?}");
        assert_eq!(notation_key(&notation_key(s)), notation_key(s));
    }
    // And in the loose reading key a small kana is made large first: ぅ + ﾞ is ヴ, loosely ブ, in every pass.
    assert_eq!(kana_loose_key("ぅﾞ"), "ブ");
    assert_eq!(kana_loose_key(&kana_loose_key("ぅﾞ")), "ブ");
}
