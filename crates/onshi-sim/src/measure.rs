//! What an answer at the counter was, compared with the truth: pure, so that every case is tested.
//!
//! A visit asks one question: by the numbers of a card ([`Presents::Card`]) or by the person
//! ([`Presents::MyNumberCard`]). The truth is the record that covers the patient that day and the law's
//! copay ratio. Each answer gets exactly one [`Outcome`], the first that applies in this order:
//!
//! 1. the service refused the question → [`Outcome::Refused`];
//! 2. the answer shows another person's coverage → [`Outcome::WrongPerson`];
//! 3. valid: the coverage shown is not the one that covers the patient (a lost record, or none covers) →
//!    [`Outcome::InvalidShownValid`]; else the ratio differs from the law's → [`Outcome::WrongCopay`];
//!    else the name holds 「●」 → [`Outcome::PlaceholderInName`]; else [`Outcome::Truthful`];
//! 4. invalid or not found: the patient is not covered → [`Outcome::Truthful`]; covered, the card shown is
//!    not the covering record and the answer says a newer coverage exists → [`Outcome::Truthful`]; the
//!    answer says new coverage may be pending → [`Outcome::HonestPending`]; else
//!    [`Outcome::ValidShownInvalid`].
//!
//! A wrong answer then gets one [`Why`] ([`explain`]): whether the system had been told what it needed by
//! that day. The replay passes what it knew ([`Known`]): whether the covering record's acquisition had
//! reached the system, whether it was linked to the patient's My Number (or waited for the insurer's
//! confirmation), and whether a loss or change of the record shown had taken effect without reaching the
//! system yet.

use std::collections::BTreeMap;

use onshi_ids::MyNumber;

use crate::model::{Presents, RecordId};

/// The kind of an answer, compared with the truth.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub enum Outcome {
    /// The answer is the truth.
    Truthful,
    /// The new coverage was not recorded yet and the answer said so (`new_coverage_may_be_pending`):
    /// not a false 「無効」, the receptionist uses 被保険者資格申立書.
    HonestPending,
    /// Covered, shown invalid or not found: the patient is charged 10割 at the counter.
    ValidShownInvalid,
    /// Not covered by what is shown (a lost record, or no coverage at all), shown valid: the claim is
    /// returned (返戻).
    InvalidShownValid,
    /// The right coverage with another copay ratio than the law's.
    WrongCopay,
    /// Another person's coverage (and data) shown: a wrong My Number link.
    WrongPerson,
    /// The right answer with 「●」 in the name: the patient is registered anew, the claim name is wrong.
    PlaceholderInName,
    /// The service refused the question (an error code).
    Refused,
    /// The answer named a coverage the replay does not know (a replay bug if it ever appears).
    Unmatched,
}

impl Outcome {
    /// Every outcome, in report order.
    pub const ALL: [Outcome; 9] = [
        Outcome::Truthful,
        Outcome::HonestPending,
        Outcome::ValidShownInvalid,
        Outcome::InvalidShownValid,
        Outcome::WrongCopay,
        Outcome::WrongPerson,
        Outcome::PlaceholderInName,
        Outcome::Refused,
        Outcome::Unmatched,
    ];

    /// A stable snake_case code.
    pub const fn code(self) -> &'static str {
        match self {
            Outcome::Truthful => "truthful",
            Outcome::HonestPending => "honest_pending",
            Outcome::ValidShownInvalid => "valid_shown_invalid",
            Outcome::InvalidShownValid => "invalid_shown_valid",
            Outcome::WrongCopay => "wrong_copay",
            Outcome::WrongPerson => "wrong_person",
            Outcome::PlaceholderInName => "placeholder_in_name",
            Outcome::Refused => "refused",
            Outcome::Unmatched => "unmatched",
        }
    }

    /// What it means at the counter.
    pub const fn label(self) -> &'static str {
        match self {
            Outcome::Truthful => "truthful",
            Outcome::HonestPending => "not recorded yet, and the answer says so (申立書, usual ratio)",
            Outcome::ValidShownInvalid => "covered, shown invalid / not found (10割 at the counter)",
            Outcome::InvalidShownValid => "not covered by what is shown, shown valid (claim returned)",
            Outcome::WrongCopay => "wrong copay ratio",
            Outcome::WrongPerson => "another person's coverage shown (wrong link)",
            Outcome::PlaceholderInName => "「●」 in the name",
            Outcome::Refused => "refused with an error",
            Outcome::Unmatched => "unknown coverage named (replay bug)",
        }
    }

    /// Whether it is a wrong answer (everything but truthful and honest pending).
    pub const fn is_wrong(self) -> bool {
        !matches!(self, Outcome::Truthful | Outcome::HonestPending)
    }
}

/// The truth of one question.
#[derive(Clone, Debug)]
pub struct Truth {
    /// The patient.
    pub patient: MyNumber,
    /// How the question was asked.
    pub path: Presents,
    /// The card shown, when asked by card.
    pub card: Option<RecordId>,
    /// The record covering the patient that day.
    pub covered_by: Option<RecordId>,
    /// The law's ratio, when covered.
    pub copay_ratio: Option<u8>,
}

/// The result of an answer.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Verdict {
    /// `valid`.
    Valid,
    /// `invalid`.
    Invalid,
    /// `not_found`.
    NotFound,
    /// An error.
    Refused,
}

/// What an answer showed.
#[derive(Clone, Debug)]
pub struct Shown {
    /// The result.
    pub verdict: Verdict,
    /// The coverage shown, resolved to its record (`None` when the answer has none).
    pub record: Option<RecordId>,
    /// The answer named a coverage that could not be resolved to a record.
    pub unknown_record: bool,
    /// The person the shown record is really about.
    pub record_person: Option<MyNumber>,
    /// The copay ratio shown.
    pub copay_ratio: Option<u8>,
    /// The name shown for the claim holds 「●」.
    pub placeholder: bool,
    /// The answer says a newer coverage exists (`newer_qualification_exists`).
    pub newer_notice: bool,
    /// The answer says new coverage may be pending (`new_coverage_may_be_pending`).
    pub pending_notice: bool,
}

/// The outcome of one answer (the order of the rules is in the module documentation).
pub fn classify(t: &Truth, s: &Shown) -> Outcome {
    if s.verdict == Verdict::Refused {
        return Outcome::Refused;
    }
    if s.unknown_record {
        return Outcome::Unmatched;
    }
    if s.record_person.is_some_and(|p| p != t.patient) {
        return Outcome::WrongPerson;
    }
    match s.verdict {
        Verdict::Valid => {
            if s.record.is_none() || s.record != t.covered_by {
                Outcome::InvalidShownValid
            } else if s.copay_ratio != t.copay_ratio {
                Outcome::WrongCopay
            } else if s.placeholder {
                Outcome::PlaceholderInName
            } else {
                Outcome::Truthful
            }
        }
        _ => {
            let not_covered = t.covered_by.is_none();
            let pointed_to_newer = t.path == Presents::Card && t.card != t.covered_by && s.newer_notice;
            if not_covered || pointed_to_newer {
                Outcome::Truthful
            } else if s.pending_notice {
                Outcome::HonestPending
            } else {
                Outcome::ValidShownInvalid
            }
        }
    }
}

/// Why a wrong answer was wrong: whether the system had been told what it needed by the day of the visit.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub enum Why {
    /// The life event had happened, but the action that tells the system (the acquisition, the loss, the
    /// change of bracket) had not reached it by the day of the visit: it was reported later, or after the
    /// period. Nobody had told the system yet.
    NotReportedYet,
    /// The covering record had reached the system, but was not linked to the patient's My Number that day:
    /// the insurer held no My Number for it (未登録者, before its registry search) or its link had been
    /// refused. Asked by My Number card, or by an old card whose newer coverage cannot be pointed to.
    NotLinkedYet,
    /// The covering record's link was graded B and waited for the insurer's confirmation (本人確認).
    LinkPending,
    /// The system had been told what it needed and still answered wrong.
    Genuine,
}

impl Why {
    /// Every kind, in report order.
    pub const ALL: [Why; 4] = [Why::NotReportedYet, Why::NotLinkedYet, Why::LinkPending, Why::Genuine];

    /// A stable snake_case code.
    pub const fn code(self) -> &'static str {
        match self {
            Why::NotReportedYet => "not_reported_yet",
            Why::NotLinkedYet => "not_linked_yet",
            Why::LinkPending => "link_pending",
            Why::Genuine => "genuine",
        }
    }

    /// What it means.
    pub const fn label(self) -> &'static str {
        match self {
            Why::NotReportedYet => "the event had happened, nobody had reported it to the system yet",
            Why::NotLinkedYet => "recorded, but not linked to the patient's My Number yet (未登録者)",
            Why::LinkPending => "linked, waiting for the insurer's confirmation (B)",
            Why::Genuine => "the system had been told and answered wrong",
        }
    }
}

/// What the system had been told by the day of a visit, as the replay knows it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Known {
    /// The covering record's acquisition had reached the system by that day (false when not covered).
    pub covering_recorded: bool,
    /// The covering record was linked to the patient's My Number that day.
    pub covering_linked: bool,
    /// The covering record's link waited for the insurer's confirmation that day.
    pub covering_pending: bool,
    /// A loss or change of the record shown had taken effect by that day and reached the system only later.
    pub shown_unreported: bool,
    /// A loss of the record shown reached the system during the period (false: never lost, or its loss was
    /// reported after the period).
    pub shown_loss_known: bool,
}

/// Why a wrong answer was wrong (`None` for an answer that is not wrong). The first that applies:
///
/// * another person's data, 「●」, a refusal or an unmatched record: [`Why::Genuine`];
/// * covered, shown invalid or not found: the covering acquisition not recorded yet →
///   [`Why::NotReportedYet`]; recorded but not linked to the patient, asked by My Number card or by an old
///   card → [`Why::LinkPending`] when its link waits for confirmation, else [`Why::NotLinkedYet`];
/// * shown valid, not covered by it: its loss had taken effect and was reported later (or after the
///   period) → [`Why::NotReportedYet`];
/// * a wrong ratio: a change of the record had taken effect and was reported later → [`Why::NotReportedYet`];
/// * else [`Why::Genuine`].
pub fn explain(t: &Truth, s: &Shown, o: Outcome, k: &Known) -> Option<Why> {
    if !o.is_wrong() {
        return None;
    }
    let why = match o {
        Outcome::ValidShownInvalid => {
            let via_link = t.path == Presents::MyNumberCard || (s.verdict != Verdict::Valid && t.card != t.covered_by);
            if t.covered_by.is_some() && !k.covering_recorded {
                Why::NotReportedYet
            } else if via_link && k.covering_pending {
                Why::LinkPending
            } else if via_link && !k.covering_linked {
                Why::NotLinkedYet
            } else {
                Why::Genuine
            }
        }
        Outcome::InvalidShownValid if k.shown_unreported || !k.shown_loss_known => Why::NotReportedYet,
        Outcome::WrongCopay if k.shown_unreported => Why::NotReportedYet,
        Outcome::Refused if k.covering_pending => Why::LinkPending,
        _ => Why::Genuine,
    };
    Some(why)
}

/// Counts of outcomes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Questions asked.
    pub questions: u64,
    /// By outcome.
    pub outcomes: BTreeMap<Outcome, u64>,
    /// By path, then outcome.
    pub by_path: BTreeMap<&'static str, BTreeMap<Outcome, u64>>,
    /// Refusals by error code.
    pub refusals: BTreeMap<String, u64>,
    /// A few examples of each outcome but the truthful (at most [`Tally::EXAMPLES`] each).
    pub examples: BTreeMap<Outcome, Vec<String>>,
    /// Wrong answers by path, then outcome, then why ([`explain`]).
    pub why: BTreeMap<&'static str, BTreeMap<(Outcome, Why), u64>>,
    /// A few examples of each wrong outcome and why (at most [`Tally::EXAMPLES`] each).
    pub why_examples: BTreeMap<(Outcome, Why), Vec<String>>,
    /// Questions by My Number card refused with a next step to ask by the card's numbers, and asked so, by
    /// the refusal's code.
    pub followed: BTreeMap<String, u64>,
}

impl Tally {
    /// How many examples of each outcome are kept.
    pub const EXAMPLES: usize = 3;

    /// Keeps `text` as an example of `o` if there are fewer than [`Tally::EXAMPLES`].
    pub fn example(&mut self, o: Outcome, text: impl FnOnce() -> String) {
        if o == Outcome::Truthful {
            return;
        }
        let v = self.examples.entry(o).or_default();
        if v.len() < Self::EXAMPLES {
            v.push(text());
        }
    }

    /// Counts one answer.
    pub fn add(&mut self, path: Presents, o: Outcome) {
        self.questions += 1;
        *self.outcomes.entry(o).or_default() += 1;
        *self.by_path.entry(path.as_str()).or_default().entry(o).or_default() += 1;
    }

    /// Counts why a wrong answer was wrong, keeping `text` as an example.
    pub fn explain(&mut self, path: Presents, o: Outcome, why: Why, text: impl FnOnce() -> String) {
        *self.why.entry(path.as_str()).or_default().entry((o, why)).or_default() += 1;
        let v = self.why_examples.entry((o, why)).or_default();
        if v.len() < Self::EXAMPLES {
            v.push(text());
        }
    }

    /// Wrong answers of `why`, over every path (`path` `None`) or one.
    pub fn count_why(&self, path: Option<&str>, why: Why) -> u64 {
        self.why
            .iter()
            .filter(|(p, _)| path.is_none_or(|q| q == **p))
            .flat_map(|(_, m)| m.iter())
            .filter(|((_, w), _)| *w == why)
            .map(|(_, n)| n)
            .sum()
    }

    /// The count of an outcome.
    pub fn count(&self, o: Outcome) -> u64 {
        self.outcomes.get(&o).copied().unwrap_or(0)
    }

    /// Wrong answers.
    pub fn wrong(&self) -> u64 {
        self.outcomes.iter().filter(|(o, _)| o.is_wrong()).map(|(_, n)| n).sum()
    }

    /// The share of wrong answers (0 when nothing was asked).
    pub fn wrong_rate(&self) -> f64 {
        if self.questions == 0 { 0.0 } else { self.wrong() as f64 / self.questions as f64 }
    }

    /// Adds another tally's counts.
    pub fn merge(&mut self, o: &Tally) {
        self.questions += o.questions;
        for (k, v) in &o.outcomes {
            *self.outcomes.entry(*k).or_default() += v;
        }
        for (p, m) in &o.by_path {
            let e = self.by_path.entry(p).or_default();
            for (k, v) in m {
                *e.entry(*k).or_default() += v;
            }
        }
        for (k, v) in &o.refusals {
            *self.refusals.entry(k.clone()).or_default() += v;
        }
        for (k, v) in &o.examples {
            for e in v {
                self.example(*k, || e.clone());
            }
        }
        for (p, m) in &o.why {
            let e = self.why.entry(p).or_default();
            for (k, v) in m {
                *e.entry(*k).or_default() += v;
            }
        }
        for (k, v) in &o.followed {
            *self.followed.entry(k.clone()).or_default() += v;
        }
        for (k, v) in &o.why_examples {
            let e = self.why_examples.entry(*k).or_default();
            for x in v {
                if e.len() < Self::EXAMPLES {
                    e.push(x.clone());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mn(s: &str) -> MyNumber {
        MyNumber::parse(s).unwrap()
    }

    const P: &str = "123456789018";
    const OTHER: &str = "983205673214";

    fn truth(card: Option<u64>, covered: Option<u64>, ratio: Option<u8>) -> Truth {
        Truth {
            patient: mn(P),
            path: Presents::Card,
            card: card.map(RecordId),
            covered_by: covered.map(RecordId),
            copay_ratio: ratio,
        }
    }

    fn shown(verdict: Verdict, record: Option<u64>, ratio: Option<u8>) -> Shown {
        Shown {
            verdict,
            record: record.map(RecordId),
            unknown_record: false,
            record_person: record.map(|_| mn(P)),
            copay_ratio: ratio,
            placeholder: false,
            newer_notice: false,
            pending_notice: false,
        }
    }

    #[test]
    fn the_truth_is_truthful() {
        assert_eq!(
            classify(&truth(Some(1), Some(1), Some(30)), &shown(Verdict::Valid, Some(1), Some(30))),
            Outcome::Truthful
        );
        assert_eq!(classify(&truth(Some(1), None, None), &shown(Verdict::Invalid, Some(1), None)), Outcome::Truthful);
        assert_eq!(classify(&truth(None, None, None), &shown(Verdict::NotFound, None, None)), Outcome::Truthful);
    }

    #[test]
    fn each_wrong_kind() {
        let t = truth(Some(1), Some(1), Some(20));
        assert_eq!(classify(&t, &shown(Verdict::Valid, Some(1), Some(30))), Outcome::WrongCopay);
        assert_eq!(classify(&t, &shown(Verdict::NotFound, None, None)), Outcome::ValidShownInvalid);
        assert_eq!(classify(&t, &shown(Verdict::Invalid, Some(1), None)), Outcome::ValidShownInvalid);
        let mut dot = shown(Verdict::Valid, Some(1), Some(20));
        dot.placeholder = true;
        assert_eq!(classify(&t, &dot), Outcome::PlaceholderInName);
        let mut other = shown(Verdict::Valid, Some(9), Some(20));
        other.record_person = Some(mn(OTHER));
        assert_eq!(classify(&t, &other), Outcome::WrongPerson);
        // a lost record still shown valid
        assert_eq!(
            classify(&truth(Some(1), Some(2), Some(30)), &shown(Verdict::Valid, Some(1), Some(30))),
            Outcome::InvalidShownValid
        );
        // no coverage at all, shown valid
        assert_eq!(
            classify(&truth(Some(1), None, None), &shown(Verdict::Valid, Some(1), Some(30))),
            Outcome::InvalidShownValid
        );
        let mut refused = shown(Verdict::Refused, None, None);
        refused.record_person = None;
        assert_eq!(classify(&t, &refused), Outcome::Refused);
    }

    #[test]
    fn an_old_card_with_a_newer_coverage_pointed_to_is_the_truth() {
        let t = truth(Some(1), Some(2), Some(30));
        let mut s = shown(Verdict::Invalid, Some(1), None);
        assert_eq!(classify(&t, &s), Outcome::ValidShownInvalid);
        s.newer_notice = true;
        assert_eq!(classify(&t, &s), Outcome::Truthful);
        s.newer_notice = false;
        s.pending_notice = true;
        assert_eq!(classify(&t, &s), Outcome::HonestPending);
    }

    #[test]
    fn wrong_person_wins_over_everything_but_refusals() {
        let t = truth(Some(1), None, None);
        let mut s = shown(Verdict::Invalid, Some(5), None);
        s.record_person = Some(mn(OTHER));
        assert_eq!(classify(&t, &s), Outcome::WrongPerson);
        s.unknown_record = true;
        assert_eq!(classify(&t, &s), Outcome::Unmatched);
    }

    #[test]
    fn a_wrong_answer_is_explained_by_what_the_system_had_been_told() {
        let t = truth(Some(1), Some(2), Some(30));
        let invalid = shown(Verdict::Invalid, Some(1), None);
        let o = classify(&t, &invalid);
        assert_eq!(o, Outcome::ValidShownInvalid);
        // the new coverage not recorded yet
        assert_eq!(explain(&t, &invalid, o, &Known::default()), Some(Why::NotReportedYet));
        // recorded, not linked: the old card cannot point to it
        let recorded = Known { covering_recorded: true, ..Known::default() };
        assert_eq!(explain(&t, &invalid, o, &recorded), Some(Why::NotLinkedYet));
        let pending = Known { covering_pending: true, ..recorded };
        assert_eq!(explain(&t, &invalid, o, &pending), Some(Why::LinkPending));
        // recorded and linked: the system knew
        let linked = Known { covering_linked: true, ..recorded };
        assert_eq!(explain(&t, &invalid, o, &linked), Some(Why::Genuine));
        // by the covering card itself, the link does not matter
        let own = truth(Some(2), Some(2), Some(30));
        let s = shown(Verdict::Invalid, Some(2), None);
        assert_eq!(explain(&own, &s, classify(&own, &s), &recorded), Some(Why::Genuine));
        // by My Number card, it does
        let mut by_person = own.clone();
        by_person.path = Presents::MyNumberCard;
        let nf = shown(Verdict::NotFound, None, None);
        assert_eq!(explain(&by_person, &nf, classify(&by_person, &nf), &recorded), Some(Why::NotLinkedYet));

        // a lost record shown valid: its loss reported later, after the period, or already known
        let t = truth(Some(1), Some(2), Some(30));
        let valid = shown(Verdict::Valid, Some(1), Some(30));
        let o = classify(&t, &valid);
        assert_eq!(o, Outcome::InvalidShownValid);
        let late = Known { shown_unreported: true, shown_loss_known: true, ..Known::default() };
        assert_eq!(explain(&t, &valid, o, &late), Some(Why::NotReportedYet));
        assert_eq!(explain(&t, &valid, o, &Known::default()), Some(Why::NotReportedYet));
        let told = Known { shown_loss_known: true, ..Known::default() };
        assert_eq!(explain(&t, &valid, o, &told), Some(Why::Genuine));

        // a ratio: its change not reported yet, or known
        let t = truth(Some(1), Some(1), Some(20));
        let s = shown(Verdict::Valid, Some(1), Some(30));
        let o = classify(&t, &s);
        assert_eq!(
            explain(&t, &s, o, &Known { shown_unreported: true, ..Known::default() }),
            Some(Why::NotReportedYet)
        );
        assert_eq!(explain(&t, &s, o, &Known::default()), Some(Why::Genuine));

        // another person's data is never excused; a truthful answer needs no reason
        let mut other = shown(Verdict::Valid, Some(9), Some(20));
        other.record_person = Some(mn(OTHER));
        assert_eq!(explain(&t, &other, classify(&t, &other), &late), Some(Why::Genuine));
        let right = shown(Verdict::Valid, Some(1), Some(20));
        assert_eq!(explain(&t, &right, classify(&t, &right), &Known::default()), None);
    }

    #[test]
    fn tallies_count_and_merge() {
        let mut a = Tally::default();
        a.add(Presents::Card, Outcome::Truthful);
        a.add(Presents::MyNumberCard, Outcome::WrongPerson);
        a.add(Presents::MyNumberCard, Outcome::HonestPending);
        assert_eq!(a.questions, 3);
        assert_eq!(a.wrong(), 1);
        let mut b = Tally::default();
        b.merge(&a);
        b.merge(&a);
        assert_eq!(b.count(Outcome::WrongPerson), 2);
        assert_eq!(b.by_path["my_number_card"][&Outcome::HonestPending], 2);
        assert!((b.wrong_rate() - 1.0 / 3.0).abs() < 1e-12);
        let mut c = Tally::default();
        c.explain(Presents::MyNumberCard, Outcome::ValidShownInvalid, Why::NotLinkedYet, || "x".into());
        c.explain(Presents::Card, Outcome::InvalidShownValid, Why::NotReportedYet, || "y".into());
        let mut d = Tally::default();
        d.merge(&c);
        d.merge(&c);
        assert_eq!(d.count_why(None, Why::NotLinkedYet), 2);
        assert_eq!(d.count_why(Some("card"), Why::NotReportedYet), 2);
        assert_eq!(d.count_why(Some("card"), Why::NotLinkedYet), 0);
    }
}
