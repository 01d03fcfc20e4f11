//! Comparing a record with one resident, and grading it against the owner and the other residents.

use chrono::{Datelike, NaiveDate};

use crate::prepared::Prepared;
use crate::types::{Fields, Grade, Grading, Reason, ReasonSet, Verdict};

/// How well a resident fits a record: a total order, higher is better.
///
/// Compared first by the grade the pair would get on its own (A > B > C), then by the sum of per-field
/// scores, then field by field (name, birth date, sex, reading, address). Notation differences score like
/// exact matches: two residents whose basic four differ only in notation fit any record equally well. Two
/// fits are equal only when every field scored the same.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Fit(u32);

impl Fit {
    /// The per-field scores: name, birth date, sex, reading, address.
    fn fields(self) -> [u32; 5] {
        [(self.0 >> 16) & 0xF, (self.0 >> 12) & 0xF, (self.0 >> 8) & 0xF, (self.0 >> 4) & 0xF, self.0 & 0xF]
    }

    /// Whether this fit is at least as good as `other` on every field and better on one: the resident
    /// fits the record better whatever weight each field is given.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use onshi_linkage::{Basic4, Prepared, Sex, compare};
    /// let p = |name, address| Prepared::new(&Basic4 {
    ///     name, name_kana: None, birth_date: NaiveDate::from_ymd_opt(2010, 5, 5).unwrap(),
    ///     sex: Some(Sex::Male), address: Some(address),
    /// });
    /// let record = p("佐藤 翔太", "千代田区永田町2-1-2");
    /// let exact = compare(&record, &p("佐藤 翔太", "千代田区永田町2-1-2")).2;
    /// let typo = compare(&record, &p("佐藤 翔大", "千代田区永田町2-1-2")).2;
    /// let elsewhere = compare(&record, &p("佐藤 翔太", "札幌市中央区北1条西2丁目")).2;
    /// assert!(exact.dominates(typo));
    /// assert!(!elsewhere.dominates(typo) && !typo.dominates(elsewhere));
    /// ```
    pub fn dominates(self, other: Fit) -> bool {
        let (a, b) = (self.fields(), other.fields());
        a.iter().zip(&b).all(|(x, y)| x >= y) && a != b
    }

    /// Whether this fit is better than `other` on more fields than it is worse on (name, birth date, sex,
    /// reading, address each count once).
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use onshi_linkage::{Basic4, Prepared, Sex, compare};
    /// let p = |name, address| Prepared::new(&Basic4 {
    ///     name, name_kana: Some("サトウ チエ"), birth_date: NaiveDate::from_ymd_opt(1943, 12, 24).unwrap(),
    ///     sex: Some(Sex::Female), address: Some(address),
    /// });
    /// let record = p("佐藤 智恵", "岩国市錦町須川137");
    /// // The owner: a kanji of the surname and two of the given name differ, same reading, same address.
    /// let owner = compare(&record, &p("佐籐 千江", "山口県岩国市錦町須川137番地")).2;
    /// // Elsewhere: one kanji differs, another address. Better on the name, worse on the address.
    /// let elsewhere = compare(&record, &p("佐藤 千恵", "愛知県岡崎市古部町414番地")).2;
    /// assert!(elsewhere > owner && !elsewhere.wins_more_fields(owner));
    /// ```
    pub fn wins_more_fields(self, other: Fit) -> bool {
        let (a, b) = (self.fields(), other.fields());
        let wins = a.iter().zip(&b).filter(|(x, y)| x > y).count();
        let losses = a.iter().zip(&b).filter(|(x, y)| x < y).count();
        wins > losses
    }

    /// The grade the record would get against this resident if no other resident were known.
    pub fn grade(self) -> Grade {
        match self.0 >> 30 {
            2 => Grade::A,
            1 => Grade::B,
            _ => Grade::C,
        }
    }
}

/// What the name comparison concluded, beyond its verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum NameLevel {
    /// Match or notation: A-compatible.
    Agrees,
    /// Variant, typo, placeholder: B.
    Close,
    /// Only the surname differs, its reading differs too, the given name and its reading agree: B when the
    /// address agrees (marriage), C otherwise.
    Married,
    /// Only the surname differs, by one kanji read the same (斉藤/斎藤, 伊藤/伊東), two real surnames, and the
    /// whole reading agrees; or only the given name differs, in kanji read exactly the same (陽康/治安): B when
    /// sex and address agree too (「入力ミス等による不一致の可能性」), C otherwise (another family's name, another
    /// person).
    SameReading,
    /// Another's name: C.
    Differs,
}

pub(crate) struct Assessment {
    pub fields: Fields,
    pub reasons: ReasonSet,
    pub fit: Fit,
}

/// Per-field verdicts of `record` against `resident`, the reasons, and how well the resident fits.
///
/// The reasons and the grade inside [`Fit::grade`] consider this resident alone; [`grade`] adds the other
/// residents.
pub fn compare(record: &Prepared, resident: &Prepared) -> (Fields, Vec<Reason>, Fit) {
    let a = assess(record, resident);
    (a.fields, a.reasons.to_vec(), a.fit)
}

pub(crate) fn assess(r: &Prepared, s: &Prepared) -> Assessment {
    let mut reasons = ReasonSet::default();

    let (kana, kana_score) = kana_verdict(r, s, &mut reasons);
    let (name, level, name_score) = name_verdict(r, s, kana, &mut reasons);

    let (birth_date, birth_score) = if r.birth_date == s.birth_date {
        (Verdict::Match, 4)
    } else if birth_date_typo(r.birth_date, s.birth_date) {
        reasons.insert(Reason::BirthDateTypo);
        (Verdict::Typo, 1)
    } else {
        reasons.insert(Reason::BirthDateDiffers);
        (Verdict::Differs, 0)
    };

    let (sex, sex_score) = match (r.sex, s.sex) {
        (Some(a), Some(b)) if a == b => (Verdict::Match, 2),
        (Some(_), Some(_)) => {
            reasons.insert(Reason::SexDiffers);
            (Verdict::Differs, 0)
        }
        _ => {
            reasons.insert(Reason::SexMissing);
            (Verdict::Missing, 1)
        }
    };

    let (address, address_score) = match (r.address, s.address) {
        (Some((ra, rk)), Some((sa, sk))) => {
            if r.s(ra) == s.s(sa) {
                (Verdict::Match, 2)
            } else if onshi_text::address_keys_agree(r.s(rk), s.s(sk)) {
                reasons.insert(Reason::AddressNotation);
                (Verdict::Notation, 2)
            } else {
                reasons.insert(Reason::AddressDiffers);
                (Verdict::Differs, 0)
            }
        }
        _ => {
            reasons.insert(Reason::AddressMissing);
            (Verdict::Missing, 1)
        }
    };
    let address_agrees = matches!(address, Verdict::Match | Verdict::Notation);

    let grade = if birth_date != Verdict::Match
        || sex == Verdict::Differs
        || level == NameLevel::Differs
        || (level == NameLevel::Married && !address_agrees)
        || (level == NameLevel::SameReading && !(address_agrees && sex == Verdict::Match))
    {
        if matches!(level, NameLevel::Married | NameLevel::SameReading) {
            reasons.insert(Reason::NameDiffers);
        }
        Grade::C
    } else if level == NameLevel::Agrees
        && matches!(kana, Verdict::Match | Verdict::Notation)
        && sex == Verdict::Match
        && address_agrees
    {
        Grade::A
    } else {
        Grade::B
    };
    let rank: u32 = match grade {
        Grade::A => 2,
        Grade::B => 1,
        Grade::C => 0,
    };
    let sum = name_score + birth_score + sex_score + kana_score + address_score;
    let fit = Fit(rank << 30
        | sum << 20
        | name_score << 16
        | birth_score << 12
        | sex_score << 8
        | kana_score << 4
        | address_score);
    Assessment { fields: Fields { name, name_kana: kana, birth_date, sex, address }, reasons, fit }
}

/// The reading: match, notation, reading (same up to spelling), typo (one kana off), differs, missing.
fn kana_verdict(r: &Prepared, s: &Prepared, reasons: &mut ReasonSet) -> (Verdict, u32) {
    let (Some(rk), Some(sk)) = (r.kana, s.kana) else {
        reasons.insert(Reason::KanaMissing);
        return (Verdict::Missing, 1);
    };
    if r.s(rk.raw) == s.s(sk.raw) {
        return (Verdict::Match, 4);
    }
    if r.s(rk.key) == s.s(sk.key) {
        return (Verdict::Notation, 4);
    }
    let (rl, sl) = (r.s(rk.loose), s.s(sk.loose));
    if rl == sl {
        reasons.insert(Reason::KanaReading);
        return (Verdict::Reading, 3);
    }
    if rl.chars().count().max(sl.chars().count()) >= 3 && onshi_text::char_edit_distance(rl, sl) == 1 {
        reasons.insert(Reason::KanaTypo);
        return (Verdict::Typo, 2);
    }
    reasons.insert(Reason::KanaDiffers);
    (Verdict::Differs, 0)
}

fn name_verdict(r: &Prepared, s: &Prepared, kana: Verdict, reasons: &mut ReasonSet) -> (Verdict, NameLevel, u32) {
    let (rv, sv) = (r.name_variant_key(), s.name_variant_key());
    if rv.is_empty() || sv.is_empty() {
        reasons.insert(Reason::NameMissing);
        return (Verdict::Missing, NameLevel::Differs, 0);
    }
    if r.name() == s.name() {
        return (Verdict::Match, NameLevel::Agrees, 6);
    }
    if r.name_notation_key() == s.name_notation_key() {
        reasons.insert(Reason::NameNotation);
        return (Verdict::Notation, NameLevel::Agrees, 6);
    }
    if rv == sv {
        reasons.insert(Reason::NameVariant);
        return (Verdict::Variant, NameLevel::Close, 5);
    }
    // A typo or a placeholder is only believed when the reading does not contradict it.
    let kana_supports = matches!(kana, Verdict::Match | Verdict::Notation | Verdict::Reading | Verdict::Missing);
    if r.placeholder || s.placeholder {
        if let Some(n) = placeholder_positions(rv, sv) {
            reasons.insert(Reason::NamePlaceholder);
            if n == 1 && kana_supports {
                return (Verdict::Typo, NameLevel::Close, 3);
            }
        }
    }
    let parts = r.name_parts_variant_keys().zip(s.name_parts_variant_keys());
    let surname_eq = parts.map(|((a, _), (b, _))| a == b);
    let given_eq = parts.map(|((_, a), (_, b))| a == b);
    if kana_supports && rv.chars().count().max(sv.chars().count()) >= 3 && onshi_text::char_edit_distance(rv, sv) == 1 {
        // 斉藤/斎藤, 伊藤/伊東: one character apart, but two real surnames — another family's name.
        let two_real_surnames = surname_eq == Some(false) && r.surname_known && s.surname_known;
        if !two_real_surnames {
            reasons.insert(Reason::NameTypo);
            return (Verdict::Typo, NameLevel::Close, 3);
        }
    }
    // Two real surnames one kanji apart and read the same, the given name and the whole reading agreeing:
    // an input error (斎藤 typed for 斉藤) when everything else agrees; `assess` decides with sex and address.
    // Any two all-kanji surnames read exactly the same (阿部/安倍) count the same way.
    let reading_agrees = matches!(kana, Verdict::Match | Verdict::Notation | Verdict::Reading);
    let reading_exact = matches!(kana, Verdict::Match | Verdict::Notation);
    if let (true, Some(((r_sur, _), (s_sur, _))), Some(true)) = (reading_agrees, parts, given_eq) {
        let homophones = reading_exact && !r.placeholder && !s.placeholder && all_kanji(r_sur) && all_kanji(s_sur);
        if one_kanji_apart(r_sur, s_sur) || homophones {
            reasons.insert(Reason::SurnameSameReading);
            return (Verdict::Typo, NameLevel::SameReading, 3);
        }
    }
    // The given name written with other kanji of the same reading (治安 typed for 陽康: a conversion slip), the
    // surname and the whole reading agreeing exactly: an input error when sex and address agree too (a twin or a
    // sibling has another reading). `assess` decides with sex and address, like the surname's case.
    if let (true, Some(true), Some(false)) = (reading_exact, surname_eq, given_eq) {
        if !r.placeholder && !s.placeholder {
            reasons.insert(Reason::GivenNameSameReading);
            return (Verdict::Typo, NameLevel::SameReading, 3);
        }
    }
    match (surname_eq, given_eq) {
        (Some(false), Some(true)) => {
            reasons.insert(Reason::SurnameDiffers);
            if !r.placeholder && !s.placeholder && married_reading(r, s) {
                (Verdict::Differs, NameLevel::Married, 2)
            } else {
                reasons.insert(Reason::NameDiffers);
                (Verdict::Differs, NameLevel::Differs, 2)
            }
        }
        (Some(true), Some(false)) => {
            reasons.insert(Reason::NameDiffers);
            reasons.insert(Reason::GivenNameDiffers);
            (Verdict::Differs, NameLevel::Differs, 1)
        }
        _ => {
            reasons.insert(Reason::NameDiffers);
            (Verdict::Differs, NameLevel::Differs, 0)
        }
    }
}

/// Two spellings of the same length that differ in exactly one place, a kanji on both sides (斉藤/斎藤).
fn one_kanji_apart(a: &str, b: &str) -> bool {
    let (mut ai, mut bi) = (a.chars(), b.chars());
    let mut differing = 0;
    loop {
        match (ai.next(), bi.next()) {
            (None, None) => return differing == 1,
            (Some(x), Some(y)) if x == y => {}
            (Some(x), Some(y)) if onshi_text::is_ideograph(x) && onshi_text::is_ideograph(y) => differing += 1,
            _ => return false,
        }
    }
}

/// A non-empty spelling of kanji only.
fn all_kanji(a: &str) -> bool {
    !a.is_empty() && a.chars().all(onshi_text::is_ideograph)
}

/// A surname changed by marriage changes its reading too, while the given name's reading stays.
fn married_reading(r: &Prepared, s: &Prepared) -> bool {
    let (Some(rk), Some(sk)) = (r.kana, s.kana) else {
        return false;
    };
    let (Some(rs), Some(ss)) = (rk.loose_split, sk.loose_split) else {
        return false;
    };
    let (rl, sl) = (r.s(rk.loose), s.s(sk.loose));
    let (rs, ss) = (rs.saturating_sub(rk.loose.start) as usize, ss.saturating_sub(sk.loose.start) as usize);
    match (rl.split_at_checked(rs), sl.split_at_checked(ss)) {
        (Some((r_sur, r_given)), Some((s_sur, s_given))) => r_given == s_given && r_sur != s_sur,
        _ => false,
    }
}

/// When the two keys have the same length and differ only where one of them has a placeholder, the number
/// of such positions.
fn placeholder_positions(a: &str, b: &str) -> Option<usize> {
    let mut n = 0;
    let (mut ai, mut bi) = (a.chars(), b.chars());
    loop {
        match (ai.next(), bi.next()) {
            (None, None) => return (n > 0).then_some(n),
            (Some(x), Some(y)) if x == y => {}
            (Some(x), Some(y)) if onshi_text::is_placeholder(x) || onshi_text::is_placeholder(y) => n += 1,
            _ => return None,
        }
    }
}

/// One digit of YYYYMMDD off, two adjacent digits swapped, or month and day swapped.
fn birth_date_typo(a: NaiveDate, b: NaiveDate) -> bool {
    let digits = |d: NaiveDate| {
        let v = (d.year().clamp(0, 9999) as u32) * 10000 + d.month() * 100 + d.day();
        let mut out = [0u8; 8];
        let mut v = v;
        for slot in out.iter_mut().rev() {
            *slot = (v % 10) as u8;
            v /= 10;
        }
        out
    };
    let (x, y) = (digits(a), digits(b));
    let diff: Vec<usize> = (0..8).filter(|&i| x[i] != y[i]).collect();
    match diff.as_slice() {
        [_] => true,
        [i, j] if *j == i + 1 && x[*i] == y[*j] && x[*j] == y[*i] => true,
        _ => a.year() == b.year() && a.month() == b.day() && a.day() == b.month(),
    }
}

/// Grades `record` against `owner` (the resident whose My Number the record carries), given `others`: the
/// other residents it could be (the caller passes those found by the same birth date or name keys — twins,
/// family members at the same address, same-name strangers).
///
/// - `owner` may also appear in `others`: an entry whose `Prepared` is equal to `owner` (same reference or
///   same content) is skipped. A genuine duplicate registration with identical basic four is therefore not
///   seen here; use [`grade_by_id`] to skip the owner by id instead.
/// - If another resident fits strictly better than the owner and would itself get A or B, the grade is C
///   with reason `better_candidate`, and `better` names it when it [dominates](Fit::dominates) the owner
///   field by field, or fits at a better *grade* (A against the owner's B, A or B against the owner's C)
///   and [is better on more fields than worse](Fit::wins_more_fields). Otherwise (ahead on points only,
///   or a better grade won on the name while the owner has the address) it is not named: the record may
///   be either's. If several fit equally best, `better` is `None` and the reason is
///   `indistinguishable_resident`.
/// - If another resident fits exactly as well as the owner, the grade is at most B with reason
///   `indistinguishable_resident`: the grader never guesses between two residents.
///
/// ```
/// use chrono::NaiveDate;
/// use onshi_linkage::{Basic4, Grade, Prepared, Sex, grade};
///
/// let born = NaiveDate::from_ymd_opt(2010, 5, 5).unwrap();
/// let person = |name, kana| Prepared::new(&Basic4 {
///     name, name_kana: Some(kana), birth_date: born, sex: Some(Sex::Male),
///     address: Some("東京都千代田区永田町二丁目1番2号"),
/// });
/// let shota = person("佐藤 翔太", "サトウ ショウタ");
/// let kenta = person("佐藤 健太", "サトウ ケンタ");
/// // 翔太's record offered with 健太's number.
/// let g = grade(&shota, &kenta, [(&"shota", &shota)]);
/// assert_eq!(g.grade, Grade::C);
/// assert_eq!(g.better, Some("shota"));
/// ```
pub fn grade<'c, Id: Clone + 'c>(
    record: &Prepared,
    owner: &Prepared,
    others: impl IntoIterator<Item = (&'c Id, &'c Prepared)>,
) -> Grading<Id> {
    grade_filtered(record, owner, others.into_iter().filter(|(_, p)| !std::ptr::eq(*p, owner) && *p != owner))
}

/// Like [`grade`], but the owner is recognised in `others` by its id (`owner_id`), so that another resident
/// whose basic four happen to be identical to the owner's (a duplicate registration) is seen and makes the
/// grade at most B.
pub fn grade_by_id<'c, Id: Clone + PartialEq + 'c>(
    record: &Prepared,
    owner_id: &Id,
    owner: &Prepared,
    others: impl IntoIterator<Item = (&'c Id, &'c Prepared)>,
) -> Grading<Id> {
    grade_filtered(record, owner, others.into_iter().filter(|(id, _)| *id != owner_id))
}

fn grade_filtered<'c, Id: Clone + 'c>(
    record: &Prepared,
    owner: &Prepared,
    others: impl Iterator<Item = (&'c Id, &'c Prepared)>,
) -> Grading<Id> {
    let own = assess(record, owner);
    let mut reasons = own.reasons;
    let mut best: Option<(&Id, Fit)> = None;
    let mut best_tied = false;
    let mut equal = false;
    for (id, p) in others {
        let fit = assess(record, p).fit;
        if fit > own.fit && fit.grade() != Grade::C {
            match best {
                Some((_, b)) if fit < b => {}
                Some((_, b)) if fit == b => best_tied = true,
                _ => {
                    best = Some((id, fit));
                    best_tied = false;
                }
            }
        } else if fit == own.fit {
            equal = true;
        }
    }
    let mut grade = own.fit.grade();
    let mut better = None;
    if let Some((id, fit)) = best {
        grade = Grade::C;
        if best_tied {
            reasons.insert(Reason::IndistinguishableResident);
        } else {
            reasons.insert(Reason::BetterCandidate);
            // Named only when it fits at least as well on every field, or at a better grade and better
            // on more fields than worse: ahead on points alone (an exact name elsewhere against a
            // one-character difference at the owner's address), or at a better grade through the name
            // alone (a one-kanji difference elsewhere against a two-kanji one at the owner's address, same
            // reading), the record may be either's, and a wrong suggestion would make a new wrong link.
            if fit.dominates(own.fit) || (fit.grade() < own.fit.grade() && fit.wins_more_fields(own.fit)) {
                better = Some(id.clone());
            }
        }
    } else if equal && grade != Grade::C {
        grade = Grade::B;
        reasons.insert(Reason::IndistinguishableResident);
    }
    Grading { grade, fields: own.fields, reasons: reasons.to_vec(), better }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn birth_date_typos() {
        assert!(birth_date_typo(d(1980, 4, 15), d(1980, 4, 16)));
        assert!(birth_date_typo(d(1980, 4, 15), d(1989, 4, 15)));
        assert!(birth_date_typo(d(1980, 4, 5), d(1980, 5, 4)));
        assert!(birth_date_typo(d(1980, 12, 1), d(1980, 12, 10)));
        assert!(!birth_date_typo(d(1980, 12, 1), d(1980, 11, 30)));
        assert!(birth_date_typo(d(1980, 1, 12), d(1980, 1, 21)));
        assert!(!birth_date_typo(d(1980, 4, 15), d(1975, 9, 2)));
    }

    #[test]
    fn placeholders_stand_for_one_character_each() {
        assert_eq!(placeholder_positions("●田太郎", "浜田太郎"), Some(1));
        assert_eq!(placeholder_positions("●●太郎", "浜田太郎"), Some(2));
        assert_eq!(placeholder_positions("●田太郎", "浜田次郎"), None);
        assert_eq!(placeholder_positions("●田太郎", "浜田太郎X"), None);
        assert_eq!(placeholder_positions("浜田太郎", "浜田太郎"), None);
    }
}
