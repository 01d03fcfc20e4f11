//! Choosing the member record a clinic's query means.

use chrono::Datelike as _;
use onshi_ids::{Branch, InsuredNumber, Symbol};
use onshi_law::Date;

use crate::resolve::{Status, resolve};
use crate::types::MemberHistory;

/// The record a query designates among its candidates.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Selection<'a> {
    /// No candidate (after the symbol and branch filters), or none with an acquisition in force.
    None,
    /// The record to answer with.
    One(&'a MemberHistory),
    /// Several people share the query (twins sharing symbol, number and birth date): the
    /// branch (枝番) must be given. The service never guesses.
    BranchRequired,
    /// Several people share the query because it left the symbol (記号) out: records under more
    /// than one symbol (or with and without one) have the number, branch and birth date sent.
    /// The symbol must be given (and, if they also differ by branch, the branch too, which
    /// [`Selection::BranchRequired`] would ask next). The service never guesses.
    SymbolRequired,
    /// The candidates' numbers differ only by leading zeros (`01234567` and `001234567`, after
    /// an insurer changed its number of digits) and the query spells the number as neither of
    /// them: the number exactly as printed on the card must be given. Only
    /// [`select_by_number`] answers this.
    ExactNumberRequired,
}

/// Picks the member record for a query among `candidates` (the records with the queried
/// insurer, symbol, number and birth date), with everything known now.
///
/// 1. Keep the records of `branch`, when given; drop records with no acquisition in force.
/// 2. More than one distinct symbol left (absent counts as one) → [`Selection::SymbolRequired`];
///    else more than one distinct branch → [`Selection::BranchRequired`]. Records of one
///    symbol and branch are one person; records of two may be two people, and the service
///    never chooses between two people.
/// 3. Among the records of the one symbol and branch (re-acquisitions of one person), pick the
///    one whose period covers `service_date` (the latest acquired if several), else the latest
///    `acquired_on ≤ service_date`, else the earliest acquired.
///
/// ```
/// use onshi_ledger::{select, Selection};
/// let d = onshi_law::Date::from_ymd_opt(2024, 4, 1).unwrap();
/// assert_eq!(select(&[], None, d), Selection::None);
/// ```
pub fn select<'a>(candidates: &[&'a MemberHistory], branch: Option<&Branch>, service_date: Date) -> Selection<'a> {
    pick(candidates.iter().copied().filter(|h| in_play(h, branch)), service_date)
}

/// Picks the member record for a query by card number among `candidates` (the records whose
/// number has the queried number's [`match_key`](InsuredNumber::match_key), with the queried
/// insurer and birth date, under any symbol), with everything known now.
///
/// `symbol` is the 記号 sent, `None` when it was left out (absent or blank): the records under
/// another symbol are then candidates too, and when they are [`Selection::SymbolRequired`]
/// is answered — a query that leaves the symbol out is never answered with one of two people.
///
/// Numbers that differ only by leading zeros may mean the same card (a 国保 that changed its
/// number of digits), so they are all candidates; but two different spellings are never chosen
/// between silently:
///
/// 1. Keep the records whose number has `number`'s key, of `symbol` and of `branch` when
///    given, with an acquisition in force.
/// 2. If one of them is spelled exactly as `number`, keep only those spelled so (the card's
///    own number wins). Otherwise, if they are spelled in more than one way →
///    [`Selection::ExactNumberRequired`]; spelled in one way, they are the candidates.
/// 3. Then as [`select`]: several symbols → [`Selection::SymbolRequired`]; several branches →
///    [`Selection::BranchRequired`]; else the record of the one symbol and branch whose period
///    fits `service_date` best.
///
/// ```
/// use onshi_ids::InsuredNumber;
/// use onshi_ledger::{select_by_number, Selection};
/// let d = onshi_law::Date::from_ymd_opt(2024, 4, 1).unwrap();
/// let n = InsuredNumber::parse("01234567").unwrap();
/// assert_eq!(select_by_number(&[], None, &n, None, d), Selection::None);
/// ```
pub fn select_by_number<'a>(
    candidates: &[&'a MemberHistory],
    symbol: Option<&Symbol>,
    number: &InsuredNumber,
    branch: Option<&Branch>,
    service_date: Date,
) -> Selection<'a> {
    let of_symbol = |h: &MemberHistory| symbol.is_none_or(|want| h.statik.key.symbol.as_ref() == Some(want));
    let fits = |h: &&'a MemberHistory| h.statik.key.number.same_key(number) && of_symbol(h) && in_play(h, branch);
    let spelled_exactly = |h: &&'a MemberHistory| h.statik.key.number == *number;
    if candidates.iter().filter(|h| fits(h)).any(spelled_exactly) {
        return pick(candidates.iter().copied().filter(|h| fits(h) && spelled_exactly(h)), service_date);
    }
    let mut spellings = candidates.iter().filter(|h| fits(h)).map(|h| &h.statik.key.number);
    if let Some(first) = spellings.next() {
        if spellings.any(|s| s != first) {
            return Selection::ExactNumberRequired;
        }
    }
    pick(candidates.iter().copied().filter(fits), service_date)
}

/// Whether a record is a candidate at all: of the branch asked for (if any), with an acquisition
/// in force.
fn in_play(h: &MemberHistory, branch: Option<&Branch>) -> bool {
    branch.is_none_or(|want| *want == h.statik.key.branch) && h.period_opt(None).is_some()
}

/// Steps 2 and 3 of [`select`] over the records in play.
fn pick<'a>(candidates: impl Iterator<Item = &'a MemberHistory>, service_date: Date) -> Selection<'a> {
    let mut first: Option<&'a MemberHistory> = None;
    let (mut symbols_differ, mut branches_differ) = (false, false);
    let mut best: Option<(&'a MemberHistory, (u8, i64, u64))> = None;
    for h in candidates {
        let Some((acquired_on, lost_on)) = h.period_opt(None) else {
            continue;
        };
        let key = &h.statik.key;
        match first {
            Some(f) => {
                symbols_differ |= f.statik.key.symbol != key.symbol;
                branches_differ |= f.statik.key.branch != key.branch;
            }
            None => first = Some(h),
        }
        let day = i64::from(acquired_on.num_days_from_ce());
        let covers = acquired_on <= service_date && lost_on.is_none_or(|l| service_date < l);
        // between records of one period, the one created last (a re-enrolment that corrects) wins, so that
        // the answer never depends on the order the candidates come in
        let created = created(h);
        let rank = if covers {
            (2, day, created)
        } else if acquired_on <= service_date {
            (1, day, created)
        } else {
            (0, -day, created)
        };
        if best.is_none_or(|(_, r)| rank > r) {
            best = Some((h, rank));
        }
    }
    if symbols_differ {
        return Selection::SymbolRequired;
    }
    if branches_differ {
        return Selection::BranchRequired;
    }
    best.map_or(Selection::None, |(h, _)| Selection::One(h))
}

/// When a record was created: the seq of its first entry (records of one period and one key are told
/// apart by it, the newest first).
fn created(h: &MemberHistory) -> u64 {
    h.entries.first().map_or(0, |e| e.seq.0)
}

/// What a check by person (the My Number card, or a number the holder was authenticated for)
/// answers with, among every coverage linked to the person: [`select_for_person`].
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum PersonSelection<'a> {
    /// No coverage linked (none with an acquisition in force).
    None,
    /// `shown` is valid on the service date, and the newest acquisition of those that are;
    /// `also_valid` are the person's other coverages valid that day, newest first — empty unless
    /// coverages overlap, which the answer must then say (an older one's loss may not be
    /// recorded yet).
    Valid {
        /// The coverage answered.
        shown: &'a MemberHistory,
        /// The other coverages valid on the service date, newest acquisition first.
        also_valid: Vec<&'a MemberHistory>,
    },
    /// None is valid on the service date: `shown` is the newest acquisition, answered as not
    /// valid (its status says why).
    Invalid {
        /// The coverage answered.
        shown: &'a MemberHistory,
    },
}

/// The one rule for every check by person (by My Number, by the My Number card, and the
/// simulator's replay of both): which of the person's coverages `candidates` (every record linked
/// to the person, as the asker may see them) is answered on `service_date`, with everything known
/// now.
///
/// 1. Records with no acquisition in force are no candidates.
/// 2. Order the rest newest acquisition first (`acquired_on` descending; equal dates by the
///    card key, descending, so that the order never depends on the order of `candidates`).
/// 3. The coverages valid on `service_date` ([`Status::Covered`]): the first is shown and the
///    others are listed ([`PersonSelection::Valid`]) — never silently one of several.
/// 4. None valid: the first of the order is shown as not valid ([`PersonSelection::Invalid`]).
///
/// ```
/// use onshi_ledger::{select_for_person, PersonSelection};
/// let d = onshi_law::Date::from_ymd_opt(2024, 4, 1).unwrap();
/// assert_eq!(select_for_person(&[], d), PersonSelection::None);
/// ```
pub fn select_for_person<'a>(candidates: &[&'a MemberHistory], service_date: Date) -> PersonSelection<'a> {
    let mut ordered: Vec<(Date, &'a MemberHistory)> =
        candidates.iter().filter_map(|h| h.period_opt(None).map(|(acquired_on, _)| (acquired_on, *h))).collect();
    ordered.sort_by(|(a, x), (b, y)| {
        b.cmp(a).then_with(|| y.statik.key.cmp(&x.statik.key)).then_with(|| created(y).cmp(&created(x)))
    });
    let mut valid = ordered
        .iter()
        .map(|(_, h)| *h)
        .filter(|h| resolve(h, service_date, None).is_some_and(|r| r.status == Status::Covered));
    match (valid.next(), ordered.first()) {
        (Some(shown), _) => PersonSelection::Valid { shown, also_valid: valid.collect() },
        (None, Some((_, shown))) => PersonSelection::Invalid { shown },
        (None, None) => PersonSelection::None,
    }
}
