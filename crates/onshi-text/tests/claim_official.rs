//! Issue 10, defect 6: no 「●」 on the claim where the official maps give one JIS X 0208 form.
//!
//! `data/claim.txt` is the official MJ縮退マップ (JIS包摂規準・UCS統合規則, 法務省告示582号別表第四,
//! 法務省戸籍法関連通達・通知) restricted to the ideographs outside JIS X 0208 that it maps to exactly one JIS
//! X 0208 character. Every one of them must come out of `claim_ready` as that character, and every other
//! ideograph must come out in JIS X 0208 or be listed as unmappable.

use onshi_text::{claim_ready, is_jis_x0208, variant_key};

const CLAIM: &str = include_str!("../data/claim.txt");

/// Characters with exactly one official JIS X 0208 form.
const OFFICIAL_ONE_FORM: usize = 13_051;
/// Ideographs (U+3400..U+9FFF, U+F900..U+FAFF, U+20000..U+323AF) that stay unmappable: no official form in
/// JIS X 0208 or two and more of them, and no standard form in JIS X 0208 (unassigned code points included).
const UNMAPPABLE: usize = 80_787;

fn official() -> Vec<(char, char)> {
    CLAIM
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            let mut f = l.split('\t');
            let mut c = f.next().unwrap().chars();
            let mut t = f.next().unwrap().chars();
            let pair = (c.next().unwrap(), t.next().unwrap());
            assert!(c.next().is_none() && t.next().is_none(), "{l}");
            pair
        })
        .collect()
}

#[test]
fn every_character_with_one_official_form_is_written_in_it() {
    let map = official();
    assert_eq!(map.len(), OFFICIAL_ONE_FORM);
    let mut wrong = Vec::new();
    for &(c, t) in &map {
        assert!(!is_jis_x0208(c) && is_jis_x0208(t), "{c} → {t}");
        let r = claim_ready(&c.to_string());
        if r.text != t.to_string() || !r.unmappable.is_empty() {
            wrong.push(format!("U+{:04X} {c} → {} (official: {t})", u32::from(c), r.text));
        }
        // The claim-ready name is the stored one up to variants.
        assert_eq!(variant_key(&r.text), variant_key(&c.to_string()), "{c} → {t}");
    }
    assert!(
        wrong.is_empty(),
        "{} of {} not written in their official form: {:?}",
        wrong.len(),
        map.len(),
        &wrong[..wrong.len().min(20)]
    );
}

#[test]
fn names_that_had_a_placeholder_on_the_claim() {
    // Kept as they were (and so 「●」 on a レセコン) before: 告示582号別表第四 gives one JIS X 0208 form.
    for (name, claim) in [
        ("\u{3429}上 太郎", "井上 太郎"),
        ("\u{5C7E}田 花子", "山田 花子"),
        ("\u{699E} 一郎", "原 一郎"),
        ("\u{966D}本 \u{5B0D}咲", "崎本 美咲"),
        ("\u{37F6}口 和子", "原口 和子"),
    ] {
        let r = claim_ready(name);
        assert_eq!(r.text, claim, "{name}");
        assert!(r.unmappable.is_empty(), "{name}: {:?}", r.unmappable);
        assert!(r.text.chars().all(|c| is_jis_x0208(c) || c == ' '), "{name}");
    }
    // The official form, not a further simplification: 䆋 → 龝 (JIS X 0208), not 秋.
    assert_eq!(claim_ready("\u{418B}子").text, "龝子");
    // Invariants kept: JIS X 0208 text exactly as stored, 斉 ≠ 斎.
    assert_eq!(claim_ready("濱田 齋藤 斉藤").text, "濱田 齋藤 斉藤");
    assert_eq!(claim_ready("齊藤").text, "齊藤");
    assert_ne!(variant_key("斉藤"), variant_key("斎藤"));
}

#[test]
fn every_ideograph_is_claim_ready_or_listed_unmappable() {
    let ideographs = (0x3400u32..=0x9FFF).chain(0xF900..=0xFAFF).chain(0x20000..=0x323AF).filter_map(char::from_u32);
    let mut unmappable = 0;
    for c in ideographs {
        let r = claim_ready(&c.to_string());
        let mut chars = r.text.chars();
        let out = chars.next().unwrap();
        assert!(chars.next().is_none(), "{c} → {}", r.text);
        if is_jis_x0208(out) {
            assert!(r.unmappable.is_empty());
        } else {
            assert_eq!(out, c);
            assert_eq!(r.unmappable, vec![c.to_string()]);
            unmappable += 1;
        }
        assert!(!r.text.contains('●'));
    }
    assert_eq!(unmappable, UNMAPPABLE);
}
