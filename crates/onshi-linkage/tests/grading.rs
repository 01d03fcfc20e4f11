//! Linkage grading on the spec's scenarios, the trouble reports' safety cases, and properties.

use chrono::NaiveDate;
use onshi_linkage::*;
use proptest::prelude::*;

const NAGATACHO: &str = "東京都千代田区永田町二丁目1番2号";

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

struct P {
    name: &'static str,
    kana: Option<&'static str>,
    born: &'static str,
    sex: Option<Sex>,
    address: Option<&'static str>,
}

impl P {
    fn new(name: &'static str, kana: &'static str, born: &'static str, sex: Sex) -> Self {
        P { name, kana: Some(kana), born, sex: Some(sex), address: Some(NAGATACHO) }
    }
    fn at(self, address: &'static str) -> Self {
        P { address: Some(address), ..self }
    }
    fn prep(&self) -> Prepared {
        Prepared::new(&Basic4 {
            name: self.name,
            name_kana: self.kana,
            birth_date: date(self.born),
            sex: self.sex,
            address: self.address,
        })
    }
}

use Sex::{Female, Male};

fn alone(record: &P, owner: &P) -> Grading<u32> {
    grade::<u32>(&record.prep(), &owner.prep(), [])
}

#[test]
fn scenario_06_kanji_variants() {
    let ichiro = P::new("髙橋 一郎", "タカハシ イチロウ", "1965-03-03", Male);
    let g = alone(&ichiro, &ichiro);
    assert_eq!(g.grade, Grade::A);
    assert!(g.reasons.is_empty());
    assert_eq!(g.fields.name, Verdict::Match);

    let jiro = P::new("髙橋 二郎", "タカハシ ジロウ", "1967-07-07", Male);
    let record = P::new("高橋 二郎", "タカハシ ジロウ", "1967-07-07", Male);
    let g = alone(&record, &jiro);
    assert_eq!(g.grade, Grade::B);
    assert_eq!(g.fields.name, Verdict::Variant);
    assert_eq!(g.reasons, vec![Reason::NameVariant]);
    // 一郎 is around (same surname, same address) but fits the record worse.
    let g = grade(&record.prep(), &jiro.prep(), [(&1u32, &ichiro.prep())]);
    assert_eq!(g.grade, Grade::B);
    assert_eq!(g.better, None);
}

#[test]
fn scenario_07_twins() {
    let shota = P::new("佐藤 翔太", "サトウ ショウタ", "2010-05-05", Male);
    let kenta = P::new("佐藤 健太", "サトウ ケンタ", "2010-05-05", Male);
    let (ps, pk) = (shota.prep(), kenta.prep());
    // 翔太's record with 健太's number.
    let g = grade(&ps, &pk, [(&"shota", &ps), (&"kenta", &pk)]);
    assert_eq!(g.grade, Grade::C);
    assert_eq!(g.better, Some("shota"));
    assert!(g.reasons.contains(&Reason::BetterCandidate));
    assert!(g.reasons.contains(&Reason::GivenNameDiffers));
    // Even without 翔太 among the candidates: one kanji apart, but the readings disagree.
    let g = alone(&shota, &kenta);
    assert_eq!(g.grade, Grade::C);
    assert_eq!(g.fields.name, Verdict::Differs);
    // 翔太's record with his own number, 翔太 himself among the candidates.
    let g = grade(&ps, &ps, [(&"kenta", &pk), (&"shota", &ps)]);
    assert_eq!(g.grade, Grade::A);
    // ... and as a clone rather than the same reference.
    let clone = ps.clone();
    let g = grade(&ps, &ps, [(&"shota", &clone), (&"kenta", &pk)]);
    assert_eq!(g.grade, Grade::A);
}

#[test]
fn twins_with_a_one_character_difference_and_no_reading() {
    // Readings absent: 翔太/翔大 looks like a typo on its own (B), but the other twin fits exactly (C).
    let a = P { kana: None, ..P::new("佐藤 翔太", "", "2010-05-05", Male) };
    let b = P { kana: None, ..P::new("佐藤 翔大", "", "2010-05-05", Male) };
    assert_eq!(alone(&a, &b).grade, Grade::B);
    let g = grade(&a.prep(), &b.prep(), [(&7u32, &a.prep())]);
    assert_eq!(g.grade, Grade::C);
    assert_eq!(g.better, Some(7));
}

#[test]
fn husband_and_wife_swapped() {
    let husband = P::new("山田 太郎", "ヤマダ タロウ", "1980-06-01", Male);
    let wife = P::new("山田 花子", "ヤマダ ハナコ", "1982-09-15", Female);
    let g = grade(&wife.prep(), &husband.prep(), [(&2u32, &wife.prep())]);
    assert_eq!(g.grade, Grade::C);
    assert_eq!(g.better, Some(2));
    assert!(g.reasons.contains(&Reason::BirthDateDiffers) && g.reasons.contains(&Reason::SexDiffers));
    assert_eq!(alone(&husband, &wife).grade, Grade::C);
}

#[test]
fn parent_and_child_swapped() {
    let father = P::new("鈴木 一郎", "スズキ イチロウ", "1955-02-10", Male);
    let son = P::new("鈴木 一郎", "スズキ イチロウ", "1985-11-30", Male); // named after his father
    let g = grade(&son.prep(), &father.prep(), [(&9u32, &son.prep())]);
    assert_eq!(g.grade, Grade::C);
    assert_eq!(g.better, Some(9));
    assert_eq!(g.fields.birth_date, Verdict::Differs);
}

#[test]
fn same_name_same_birth_date_stranger() {
    let owner = P::new("田中 誠", "タナカ マコト", "1990-01-01", Male).at("大阪府大阪市北区梅田三丁目1番1号");
    let stranger = P::new("田中 誠", "タナカ マコト", "1990-01-01", Male).at("福岡県福岡市中央区天神一丁目8番1号");
    // The record is the stranger's (his address), offered with the owner's number.
    let record = P::new("田中 誠", "タナカ マコト", "1990-01-01", Male).at("福岡市中央区天神1-8-1");
    let g = grade(&record.prep(), &owner.prep(), [(&3u32, &stranger.prep())]);
    assert_eq!(g.grade, Grade::C);
    assert_eq!(g.better, Some(3));
    // Alone, the owner looks like someone who moved.
    let g = alone(&record, &owner);
    assert_eq!(g.grade, Grade::B);
    assert_eq!(g.reasons, vec![Reason::AddressDiffers]);
}

#[test]
fn never_guess_between_two_residents() {
    let a = P::new("中村 光", "ナカムラ ヒカル", "1999-09-09", Male).at("大阪府大阪市北区梅田三丁目1番1号");
    let b = P::new("中村 光", "ナカムラ ヒカル", "1999-09-09", Male).at("兵庫県神戸市中央区加納町6-5-1");
    let record = P { address: None, ..P::new("中村 光", "ナカムラ ヒカル", "1999-09-09", Male) };
    let g = grade(&record.prep(), &a.prep(), [(&2u32, &b.prep())]);
    assert_eq!(g.grade, Grade::B);
    assert_eq!(g.better, None);
    assert!(g.reasons.contains(&Reason::IndistinguishableResident));
    assert!(g.reasons.contains(&Reason::AddressMissing));
}

#[test]
fn duplicate_registration_is_seen_by_id() {
    let p = P::new("中村 光", "ナカムラ ヒカル", "1999-09-09", Female);
    let (owner, dup) = (p.prep(), p.prep());
    // `grade` cannot tell a duplicate from the owner itself: it skips equal content.
    assert_eq!(grade(&owner, &owner, [(&2u32, &dup)]).grade, Grade::A);
    // `grade_by_id` skips only the owner's id.
    let g = grade_by_id(&owner, &1u32, &owner, [(&1u32, &owner), (&2u32, &dup)]);
    assert_eq!(g.grade, Grade::B);
    assert_eq!(g.reasons, vec![Reason::IndistinguishableResident]);
}

#[test]
fn several_equally_better_residents_are_not_named() {
    let owner = P::new("田中 誠", "タナカ マコト", "1990-01-01", Male).at("大阪市北区梅田3-1-1");
    let x = P::new("田中 誠", "タナカ マコト", "1990-01-01", Male).at("福岡市中央区天神1-8-1");
    let y = P::new("田中 誠", "タナカ マコト", "1990-01-01", Male).at("福岡市中央区天神1-8-1");
    let record = x.prep();
    let g = grade(&record, &owner.prep(), [(&1u32, &x.prep()), (&2u32, &y.prep())]);
    assert_eq!(g.grade, Grade::C);
    assert_eq!(g.better, None);
    assert!(g.reasons.contains(&Reason::IndistinguishableResident));
}

#[test]
fn placeholder_stands_for_one_character() {
    let registry = P::new("濱田 太郎", "ハマダ タロウ", "1970-10-10", Male);
    let record = P::new("●田 太郎", "ハマダ タロウ", "1970-10-10", Male);
    let g = alone(&record, &registry);
    assert_eq!(g.grade, Grade::B);
    assert_eq!(g.fields.name, Verdict::Typo);
    assert_eq!(g.reasons, vec![Reason::NamePlaceholder]);
    // The reading says the hidden character is not 濱.
    let yamada = P::new("山田 太郎", "ヤマダ タロウ", "1970-10-10", Male);
    assert_eq!(alone(&record, &yamada).grade, Grade::C);
    // Two placeholders are too many.
    let two = P::new("●● 太郎", "ハマダ タロウ", "1970-10-10", Male);
    let g = alone(&two, &registry);
    assert_eq!(g.grade, Grade::C);
    assert!(g.reasons.contains(&Reason::NamePlaceholder));
}

#[test]
fn sai_to_variants_and_different_surnames() {
    let registry = P::new("齊藤 美咲", "サイトウ ミサキ", "1988-08-08", Female);
    let record = P::new("斉藤 美咲", "サイトウ ミサキ", "1988-08-08", Female);
    let g = alone(&record, &registry);
    assert_eq!(g.grade, Grade::B);
    assert_eq!(g.fields.name, Verdict::Variant);
    // 斉藤 and 斎藤 are two families' names, even read the same: never A, and C as soon as anything else
    // than that one kanji disagrees (another family's name).
    let other = P::new("斎藤 美咲", "サイトウ ミサキ", "1988-08-08", Female);
    let moved = P::new("斎藤 美咲", "サイトウ ミサキ", "1988-08-08", Female).at("大阪市北区梅田3-1-1");
    let g = alone(&record, &moved);
    assert_eq!(g.grade, Grade::C);
    assert_eq!(g.fields.name, Verdict::Typo);
    assert!(g.reasons.contains(&Reason::NameDiffers) && g.reasons.contains(&Reason::SurnameSameReading));
    // 齋藤 folds to 斎藤, so 齊藤 vs 齋藤 is 斉藤 vs 斎藤: B when everything else agrees.
    let g = alone(&registry, &P::new("齋藤 美咲", "サイトウ ミサキ", "1988-08-08", Female));
    assert_eq!(g.grade, Grade::B);
    // Both 斉藤 美咲 and 斎藤 美咲 live there: the record is the one whose name it carries.
    let g = grade(&record.prep(), &other.prep(), [(&1u32, &record.prep())]);
    assert_eq!((g.grade, g.better), (Grade::C, Some(1)));
}

/// Issue 10, defect 4: a surname one kanji off with the same reading (斎藤/斉藤, 伊藤/伊東), where the given
/// name, the reading, the birth date, the sex and the address all agree and no other resident fits, is the
/// seeds' B (「入力ミス等による不一致の可能性」), not C.
#[test]
fn a_surname_one_kanji_off_with_the_same_reading_is_b() {
    for (registry, record, kana) in [
        ("斎藤 美咲", "斉藤 美咲", "サイトウ ミサキ"),
        ("斉藤 美咲", "斎藤 美咲", "サイトウ ミサキ"),
        ("伊藤 健", "伊東 健", "イトウ ケン"),
        ("伊東 健", "伊藤 健", "イトウ ケン"),
        ("渡辺 大輔", "渡部 大輔", "ワタナベ ダイスケ"),
    ] {
        let owner = P::new(registry, kana, "1975-07-17", Male);
        let rec = P::new(record, kana, "1975-07-17", Male).at("千代田区永田町2-1-2");
        let g = alone(&rec, &owner);
        assert_eq!(g.grade, Grade::B, "{record} for {registry}: {:?}", g.reasons);
        assert_eq!(g.fields.name, Verdict::Typo, "{record} for {registry}");
        assert!(g.reasons.contains(&Reason::SurnameSameReading), "{record}: {:?}", g.reasons);
        assert!(!g.reasons.contains(&Reason::NameDiffers), "{record}: {:?}", g.reasons);
        // The reading in another notation (half-width, hiragana) or spelling (ー) still agrees.
        let rec = P { kana: Some("ｲﾄｳ ｹﾝ"), ..P::new(record, kana, "1975-07-17", Male) };
        if kana == "イトウ ケン" {
            assert_eq!(alone(&rec, &owner).grade, Grade::B);
        }
    }
    let owner = P::new("伊藤 健", "イトウ ケン", "1975-07-17", Male);
    let record = || P::new("伊東 健", "イトウ ケン", "1975-07-17", Male);
    // Anything else disagreeing makes it another family's name: C.
    for (why, rec) in [
        ("another address", record().at("大阪市北区梅田3-1-1")),
        ("no address", P { address: None, ..record() }),
        ("no sex", P { sex: None, ..record() }),
        ("no reading", P { kana: None, ..record() }),
        ("another birth date", P::new("伊東 健", "イトウ ケン", "1975-07-18", Male)),
    ] {
        let g = alone(&rec, &owner);
        assert_eq!(g.grade, Grade::C, "{why}: {:?}", g.reasons);
    }
    // The given name off too: not this rule.
    assert_eq!(alone(&P::new("伊東 剣", "イトウ ケン", "1975-07-17", Male), &owner).grade, Grade::C);
    // Every kanji of the surname off but read the same (井東/伊藤, 安倍/阿部): the same rule, B; a surname
    // written in kana against one in kanji: C.
    for (record, registry, kana) in [("井東 健", "伊藤 健", "イトウ ケン"), ("安倍 幸男", "阿部 幸男", "アベ ユキオ")]
    {
        let g = alone(&P::new(record, kana, "1975-07-17", Male), &P::new(registry, kana, "1975-07-17", Male));
        assert_eq!(g.grade, Grade::B, "{record} for {registry}: {:?}", g.reasons);
        assert!(g.reasons.contains(&Reason::SurnameSameReading), "{record}: {:?}", g.reasons);
    }
    let kana_surname = P::new("いとう 健", "イトウ ケン", "1975-07-17", Male);
    assert_eq!(alone(&kana_surname, &P::new("伊藤 健", "イトウ ケン", "1975-07-17", Male)).grade, Grade::C);
    // Another resident who fits: C, and that resident is named.
    let itou = P::new("伊東 健", "イトウ ケン", "1975-07-17", Male);
    let g = grade(&record().prep(), &owner.prep(), [(&9u32, &itou.prep())]);
    assert_eq!((g.grade, g.better), (Grade::C, Some(9)));
    assert!(g.reasons.contains(&Reason::BetterCandidate));
    // Two residents it could equally be (both read イトウ, one kanji off each): never guessed between.
    let ito = P::new("伊籐 健", "イトウ ケン", "1975-07-17", Male);
    let g = grade(&P::new("伊東 健", "イトウ ケン", "1975-07-17", Male).prep(), &owner.prep(), [(&9u32, &ito.prep())]);
    assert_ne!(g.grade, Grade::A);
}

/// Twins, family swaps and same-name strangers stay C under the same-reading rule: their given names
/// differ, or their surname and given name are identical (only the number is wrong).
#[test]
fn the_same_reading_rule_never_links_another_person() {
    let shota = P::new("斉藤 翔太", "サイトウ ショウタ", "2010-05-05", Male);
    let kenta = P::new("斎藤 健太", "サイトウ ケンタ", "2010-05-05", Male);
    assert_eq!(alone(&shota, &kenta).grade, Grade::C);
    let wife = P::new("伊藤 美咲", "イトウ ミサキ", "1984-07-21", Female);
    let husband = P::new("伊東 健", "イトウ ケン", "1984-07-21", Male);
    assert_eq!(alone(&wife, &husband).grade, Grade::C);
    // A same-name stranger elsewhere with one kanji of the surname off: the address disagrees.
    let stranger = P::new("斎藤 美咲", "サイトウ ミサキ", "1988-08-08", Female).at("大阪市北区梅田3-1-1");
    let record = P::new("斉藤 美咲", "サイトウ ミサキ", "1988-08-08", Female);
    assert_eq!(alone(&record, &stranger).grade, Grade::C);
}

#[test]
fn likely_typos() {
    let registry = P::new("佐藤 翔太", "サトウ ショウタ", "2000-01-01", Male);
    let record = P::new("佐藤 翔大", "サトウ ショウタ", "2000-01-01", Male);
    let g = alone(&record, &registry);
    assert_eq!(g.grade, Grade::B);
    assert_eq!(g.reasons, vec![Reason::NameTypo]);
    // 佐籐 is nobody's surname: a typo of 佐藤.
    let record = P::new("佐籐 翔太", "サトウ ショウタ", "2000-01-01", Male);
    assert_eq!(alone(&record, &registry).fields.name, Verdict::Typo);
    // Two-character names are too short for a one-character typo: read otherwise, another person; read
    // exactly the same, the given name typed in other kanji (B, `given_name_same_reading`).
    let short = P::new("林 大", "ハヤシ ダイ", "2000-01-01", Male);
    let other = P::new("林 太", "ハヤシ フトシ", "2000-01-01", Male);
    assert_eq!(alone(&short, &other).grade, Grade::C);
    let same_reading = P::new("林 太", "ハヤシ ダイ", "2000-01-01", Male);
    assert_eq!(alone(&short, &same_reading).grade, Grade::B);
    // Reading typos.
    let record = P::new("佐藤 翔太", "サトウ ショウダ", "2000-01-01", Male);
    let g = alone(&record, &registry);
    assert_eq!(g.grade, Grade::B);
    assert_eq!(g.reasons, vec![Reason::KanaTypo]);
}

#[test]
fn readings() {
    let registry = P::new("中村 京子", "ナカムラ キョウコ", "1950-03-03", Female);
    let g = alone(&P::new("中村 京子", "なかむら きょうこ", "1950-03-03", Female), &registry);
    assert_eq!((g.grade, g.fields.name_kana), (Grade::A, Verdict::Notation));
    let g = alone(&P::new("中村 京子", "ナカムラ キヨウコ", "1950-03-03", Female), &registry);
    assert_eq!((g.grade, g.fields.name_kana), (Grade::B, Verdict::Reading));
    assert_eq!(g.reasons, vec![Reason::KanaReading]);
    let g = alone(&P::new("中村 京子", "ナカムラ ミヤコ", "1950-03-03", Female), &registry);
    assert_eq!((g.grade, g.fields.name_kana), (Grade::B, Verdict::Differs));
    let g = alone(&P { kana: None, ..P::new("中村 京子", "", "1950-03-03", Female) }, &registry);
    assert_eq!((g.grade, g.fields.name_kana), (Grade::B, Verdict::Missing));
}

#[test]
fn marriage() {
    let registry = P::new("鈴木 花子", "スズキ ハナコ", "1992-04-04", Female);
    let record = P::new("山田 花子", "ヤマダ ハナコ", "1992-04-04", Female);
    let g = alone(&record, &registry);
    assert_eq!(g.grade, Grade::B);
    assert_eq!(g.fields.name, Verdict::Differs);
    assert_eq!(g.reasons, vec![Reason::SurnameDiffers, Reason::KanaDiffers]);
    // Married and moved: only given name, birth date and sex agree — not enough.
    let moved = P::new("山田 花子", "ヤマダ ハナコ", "1992-04-04", Female).at("札幌市中央区北1条西2丁目");
    let g = alone(&moved, &registry);
    assert_eq!(g.grade, Grade::C);
    assert!(g.reasons.contains(&Reason::NameDiffers));
    // Without readings the marriage cannot be told from a stranger.
    let no_kana = P { kana: None, ..P::new("山田 花子", "", "1992-04-04", Female) };
    assert_eq!(alone(&no_kana, &registry).grade, Grade::C);
}

#[test]
fn ahead_on_points_within_the_same_grade_is_c_but_names_nobody() {
    // Found by reconciling a 10-million-person synthetic world: a record under the old surname at the
    // owner's address (the insurer missed the marriage), and a same-name woman born the same day in
    // another town. Both fit as B; the stranger scores more (the whole name agrees), the owner has the
    // address. The record may be either's: C, and no suggestion that would relink it to the stranger.
    let owner = P::new("保田 五美", "ヤスダ イズミ", "1987-01-28", Female).at("愛媛県西条市丹原町千原15番地");
    let stranger = P::new("西村 五美", "ニシムラ イズミ", "1987-01-28", Female).at("広島県呉市音戸町有清三丁目8番24号");
    let record = P::new("西村 五美", "ニシムラ イズミ", "1987-01-28", Female).at("愛媛県西条市丹原町千原15番地");
    assert_eq!(alone(&record, &owner).grade, Grade::B);
    assert_eq!(alone(&record, &stranger).grade, Grade::B);
    let g = grade(&record.prep(), &owner.prep(), [(&5u32, &stranger.prep())]);
    assert_eq!(g.grade, Grade::C);
    assert!(g.reasons.contains(&Reason::BetterCandidate));
    assert_eq!(g.better, None);
    // A one-kanji typo at the owner's address against the exact name elsewhere: the same.
    let owner = P::new("佐藤 創太", "サトウ ソウタ", "1958-08-08", Male).at("山口県萩市吉部上2番地");
    let stranger = P::new("佐藤 宗太", "サトウ ソウタ", "1958-08-08", Male).at("栃木県足利市富士見町6番地");
    let record = P::new("佐藤 宗太", "サトウ ソウタ", "1958-08-08", Male).at("山口県萩市吉部上2番地");
    let g = grade(&record.prep(), &owner.prep(), [(&5u32, &stranger.prep())]);
    assert_eq!((g.grade, g.better), (Grade::C, None));
    // The stranger's own record (his address) under the owner's number is his, at a better grade: named.
    let theirs = P::new("佐藤 宗太", "サトウ ソウタ", "1958-08-08", Male).at("栃木県足利市富士見町6番地");
    let g = grade(&theirs.prep(), &owner.prep(), [(&5u32, &stranger.prep())]);
    assert_eq!((g.grade, g.better), (Grade::C, Some(5)));
}

#[test]
fn a_better_grade_won_on_the_name_alone_names_nobody() {
    // Found by reconciling a 10-million-person synthetic world: a record with two kanji of the given name
    // mistyped (same reading) at the owner's exact address, and a woman born the same day in another
    // prefecture whose name is one kanji off. The owner's record it is (the given name in other kanji read
    // the same: B), and a worse fit elsewhere (a typo, and moved) takes nothing from it.
    let owner = P::new("佐藤 千江", "サトウ チエ", "1943-12-24", Female).at("山口県岩国市錦町須川137番地");
    let elsewhere = P::new("佐藤 千恵", "サトウ チエ", "1943-12-24", Female).at("愛知県岡崎市古部町414番地");
    let record = P::new("佐藤 智恵", "サトウ チエ", "1943-12-24", Female).at("山口県岩国市錦町須川137番地");
    assert_eq!(alone(&record, &owner).grade, Grade::B);
    assert_eq!(alone(&record, &elsewhere).grade, Grade::B);
    let g = grade(&record.prep(), &owner.prep(), [(&5u32, &elsewhere.prep())]);
    assert_eq!((g.grade, g.better), (Grade::B, None), "{:?}", g.reasons);
    // A parent's record (the parent moved) under the child's number at the old address: the parent wins
    // on the name and the birth date, loses on the address, at a better grade: named.
    let child = P::new("鈴木 陽菜", "スズキ ヒナ", "2012-03-03", Female).at("山口県岩国市錦町須川137番地");
    let mother = P::new("鈴木 美咲", "スズキ ミサキ", "1984-07-21", Female).at("愛知県岡崎市古部町414番地");
    let record = P::new("鈴木 美咲", "スズキ ミサキ", "1984-07-21", Female).at("山口県岩国市錦町須川137番地");
    let g = grade(&record.prep(), &child.prep(), [(&6u32, &mother.prep())]);
    assert_eq!((g.grade, g.better), (Grade::C, Some(6)));
}

#[test]
fn addresses_and_notation() {
    let registry = P::new("中村 光", "ナカムラ ヒカル", "1999-09-09", Female).at("山口県柳井市南町三丁目12番地の4");
    let record = P::new("中村　光", "ﾅｶﾑﾗ ﾋｶﾙ", "1999-09-09", Female).at("柳井市南町３－１２－４");
    let g = alone(&record, &registry);
    assert_eq!(g.grade, Grade::A);
    assert_eq!(g.fields.name, Verdict::Notation);
    assert_eq!(g.fields.address, Verdict::Notation);
    assert_eq!(g.reasons, vec![Reason::NameNotation, Reason::AddressNotation]);
    let moved = P::new("中村 光", "ナカムラ ヒカル", "1999-09-09", Female).at("柳井市南町3-12-5");
    assert_eq!(alone(&moved, &registry).grade, Grade::B);
    let none = P { address: None, ..P::new("中村 光", "ナカムラ ヒカル", "1999-09-09", Female) };
    let g = alone(&none, &registry);
    assert_eq!((g.grade, g.fields.address), (Grade::B, Verdict::Missing));
}

/// Issue 10, defect 4: 府中市 is in 東京都 and 広島県, 伊達市 in 北海道 and 福島県: the prefecture decides.
#[test]
fn a_city_name_of_two_prefectures_keeps_its_prefecture() {
    let tokyo = P::new("中村 光", "ナカムラ ヒカル", "1999-09-09", Female).at("東京都府中市宮西町二丁目24番地");
    let hiroshima = P::new("中村 光", "ナカムラ ヒカル", "1999-09-09", Female).at("広島県府中市宮西町2-24");
    let g = alone(&hiroshima, &tokyo);
    assert_eq!((g.grade, g.fields.address), (Grade::B, Verdict::Differs));
    // Without the prefecture the record does not contradict the registry: notation.
    let unstated = P::new("中村 光", "ナカムラ ヒカル", "1999-09-09", Female).at("府中市宮西町2-24");
    let g = alone(&unstated, &tokyo);
    assert_eq!((g.grade, g.fields.address), (Grade::A, Verdict::Notation));
    // ... but the one in the other prefecture fits exactly as well: never guessed between.
    let g = grade(&unstated.prep(), &tokyo.prep(), [(&2u32, &hiroshima.prep())]);
    assert_eq!(g.grade, Grade::B);
    assert!(g.reasons.contains(&Reason::IndistinguishableResident));
    let hokkaido = P::new("中村 光", "ナカムラ ヒカル", "1999-09-09", Female).at("北海道伊達市松ヶ枝町1番地");
    let fukushima = P::new("中村 光", "ナカムラ ヒカル", "1999-09-09", Female).at("福島県伊達市松ケ枝町1");
    assert_eq!(alone(&fukushima, &hokkaido).fields.address, Verdict::Differs);
}

#[test]
fn birth_date_and_sex_are_hard() {
    let registry = P::new("伊藤 健", "イトウ ケン", "1975-07-17", Male);
    let g = alone(&P::new("伊藤 健", "イトウ ケン", "1975-07-18", Male), &registry);
    assert_eq!((g.grade, g.fields.birth_date), (Grade::C, Verdict::Typo));
    assert_eq!(g.reasons, vec![Reason::BirthDateTypo]);
    let g = alone(&P::new("伊藤 健", "イトウ ケン", "1975-07-17", Female), &registry);
    assert_eq!((g.grade, g.fields.sex), (Grade::C, Verdict::Differs));
    let g = alone(&P { sex: None, ..P::new("伊藤 健", "イトウ ケン", "1975-07-17", Male) }, &registry);
    assert_eq!((g.grade, g.fields.sex), (Grade::B, Verdict::Missing));
    let g = alone(&P::new("", "イトウ ケン", "1975-07-17", Male), &registry);
    assert_eq!((g.grade, g.fields.name), (Grade::C, Verdict::Missing));
}

#[test]
fn compare_reports_the_pair_alone() {
    let a = P::new("佐藤 翔太", "サトウ ショウタ", "2010-05-05", Male).prep();
    let b = P::new("佐藤 健太", "サトウ ケンタ", "2010-05-05", Male).prep();
    let (fields, reasons, fit) = compare(&a, &b);
    assert_eq!(fields.name, Verdict::Differs);
    assert_eq!(fields.name_kana, Verdict::Differs);
    assert_eq!(reasons, vec![Reason::NameDiffers, Reason::GivenNameDiffers, Reason::KanaDiffers]);
    assert_eq!(fit.grade(), Grade::C);
    assert!(compare(&a, &a).2 > fit);
}

#[test]
fn grading_serialises() {
    let g = alone(
        &P::new("高橋 二郎", "タカハシ ジロウ", "1967-07-07", Male),
        &P::new("髙橋 二郎", "タカハシ ジロウ", "1967-07-07", Male),
    );
    let json = serde_json::to_value(&g).unwrap();
    assert_eq!(json["grade"], "B");
    assert_eq!(json["fields"]["name"], "variant");
    assert_eq!(json["reasons"][0], "name_variant");
    assert!(json["better"].is_null());
}

// ---- properties ----

const SURNAMES: &[&str] = &["佐藤", "髙橋", "高橋", "斉藤", "斎藤", "齊藤", "濱田", "●田", "佐籐"];
const GIVEN: &[&str] = &["翔太", "健太", "翔大", "花子", "一郎", "一朗"];
const KANA: &[&str] = &["サトウ ショウタ", "タカハシ ケンタ", "サイトウ ハナコ", "ハマダ イチロウ", "さとう しょうた"];
const ADDRESSES: &[&str] = &[NAGATACHO, "千代田区永田町2-1-2", "大阪市北区梅田3-1-1"];
const DATES: &[&str] = &["2010-05-05", "2010-05-06", "1980-01-01"];

#[derive(Debug, Clone)]
struct Gen {
    name: String,
    kana: Option<&'static str>,
    born: &'static str,
    sex: Option<Sex>,
    address: Option<&'static str>,
}

impl Gen {
    fn prep(&self) -> Prepared {
        Prepared::new(&Basic4 {
            name: &self.name,
            name_kana: self.kana,
            birth_date: date(self.born),
            sex: self.sex,
            address: self.address,
        })
    }
}

fn person() -> impl Strategy<Value = Gen> {
    (
        prop::sample::select(SURNAMES),
        prop::sample::select(GIVEN),
        prop::option::weighted(0.8, prop::sample::select(KANA)),
        prop::sample::select(DATES),
        prop::option::weighted(0.9, prop_oneof![Just(Male), Just(Female)]),
        prop::option::weighted(0.8, prop::sample::select(ADDRESSES)),
    )
        .prop_map(|(s, g, kana, born, sex, address)| Gen { name: format!("{s} {g}"), kana, born, sex, address })
}

fn rank(g: Grade) -> u8 {
    match g {
        Grade::A => 0,
        Grade::B => 1,
        Grade::C => 2,
    }
}

proptest! {
    #[test]
    fn comparison_is_symmetric(a in person(), b in person()) {
        let (pa, pb) = (a.prep(), b.prep());
        let (f1, r1, fit1) = compare(&pa, &pb);
        let (f2, r2, fit2) = compare(&pb, &pa);
        prop_assert_eq!(f1, f2);
        prop_assert_eq!(r1, r2);
        prop_assert_eq!(fit1, fit2);
    }

    #[test]
    fn a_complete_record_is_a_against_itself(a in person()) {
        let p = a.prep();
        let g = grade::<u8>(&p, &p, []);
        let complete = a.kana.is_some() && a.sex.is_some() && a.address.is_some();
        prop_assert_eq!(g.grade == Grade::A, complete);
        prop_assert!(g.grade != Grade::C);
    }

    #[test]
    fn others_never_improve_the_grade(r in person(), owner in person(), others in prop::collection::vec(person(), 0..4)) {
        let (pr, po) = (r.prep(), owner.prep());
        let prepared: Vec<Prepared> = others.iter().map(Gen::prep).collect();
        let ids: Vec<usize> = (0..prepared.len()).collect();
        let alone = grade::<usize>(&pr, &po, []);
        let with = grade(&pr, &po, ids.iter().zip(prepared.iter()));
        prop_assert!(rank(with.grade) >= rank(alone.grade));
        if let Some(id) = with.better {
            // The suggested resident fits the record better than the owner and would be linkable itself.
            let (_, _, fit_better) = compare(&pr, &prepared[id]);
            let (_, _, fit_owner) = compare(&pr, &po);
            prop_assert!(fit_better > fit_owner);
            prop_assert!(fit_better.grade() != Grade::C);
            prop_assert!(
                fit_better.dominates(fit_owner)
                    || (fit_better.grade() < fit_owner.grade() && fit_better.wins_more_fields(fit_owner))
            );
            prop_assert_eq!(with.grade, Grade::C);
        }
    }

    #[test]
    fn the_right_person_among_others_makes_a_wrong_owner_c(r in person(), owner in person()) {
        // When the record is exactly another resident's and fits the owner less than perfectly, it is C.
        let (pr, po) = (r.prep(), owner.prep());
        let (_, _, fit_owner) = compare(&pr, &po);
        let (_, _, fit_self) = compare(&pr, &pr);
        let g = grade(&pr, &po, [(&1u8, &pr.clone())]);
        if fit_owner < fit_self && fit_self.grade() != Grade::C && pr != po {
            prop_assert_eq!(g.grade, Grade::C);
            // Named only when it fits better field by field, or at a better grade and on more fields.
            let named = fit_self.dominates(fit_owner)
                || (fit_self.grade() < fit_owner.grade() && fit_self.wins_more_fields(fit_owner));
            prop_assert_eq!(g.better, named.then_some(1));
        }
    }
}

/// A given name typed with other kanji of exactly the same reading (陽康 as 治安, 睦美 as 夢津美: an IME
/// conversion slip), the surname, the reading, the birth date, the sex and the address agreeing, is the seeds'
/// B (「入力ミス等による不一致の可能性」): the link waits for the person's confirmation instead of being refused,
/// which left such records held without a My Number and the card holder answered 「該当資格なし」. Anything else
/// disagreeing, or another resident fitting, keeps it C; twins have other readings and stay C.
#[test]
fn a_given_name_in_other_kanji_read_the_same_is_b() {
    for (registry, record, kana) in [
        ("高橋 陽康", "高橋 治安", "タカハシ ハルヤス"),
        ("佐藤 輝良", "佐藤 照義", "サトウ テルヨシ"),
        ("石井 睦美", "石井 夢津美", "イシイ ムツミ"),
        ("森山 里留", "森山 知", "モリヤマ サトル"),
    ] {
        let owner = P::new(registry, kana, "1974-08-05", Male);
        let rec = P::new(record, kana, "1974-08-05", Male);
        let g = alone(&rec, &owner);
        assert_eq!(g.grade, Grade::B, "{record} for {registry}: {:?}", g.reasons);
        assert!(g.reasons.contains(&Reason::GivenNameSameReading), "{record}: {:?}", g.reasons);
        assert!(!g.reasons.contains(&Reason::NameDiffers), "{record}: {:?}", g.reasons);
        // moved, the other sex, or a reading that only loosely agrees: another person
        assert_eq!(alone(&rec, &P::new(registry, kana, "1974-08-05", Male).at("大阪市北区梅田3-1-1")).grade, Grade::C);
        assert_eq!(alone(&rec, &P::new(registry, kana, "1974-08-05", Female)).grade, Grade::C);
    }
    // no reading on the record: nothing says the kanji are read the same
    let owner = P::new("高橋 陽康", "タカハシ ハルヤス", "1974-08-05", Male);
    let bare = P { kana: None, ..P::new("高橋 治安", "タカハシ ハルヤス", "1974-08-05", Male) };
    assert_eq!(alone(&bare, &owner).grade, Grade::C);
    // twins: 翔太 (ショウタ) and 健太 (ケンタ), the record carrying one twin's name and reading
    let shota = P::new("山田 翔太", "ヤマダ ショウタ", "2010-05-05", Male);
    let kenta = P::new("山田 健太", "ヤマダ ケンタ", "2010-05-05", Male);
    assert_eq!(alone(&shota, &kenta).grade, Grade::C);
    // the record's own spelling is another resident's (both 陽康 and 治安 live there): C, that one is better
    let other = P::new("高橋 治安", "タカハシ ハルヤス", "1974-08-05", Male);
    let g = grade(&other.prep(), &owner.prep(), [(&1u32, &other.prep())]);
    assert_eq!((g.grade, g.better), (Grade::C, Some(1)));
}
