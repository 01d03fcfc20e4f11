//! Choosing the member record a clinic's query means.

use chrono::Datelike as _;
use onshi_ids::{Branch, InsuredNumber};
use onshi_law::Date;

use crate::types::MemberHistory;

/// The record a query designates among its candidates.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Selection<'a> {
    /// No candidate (after the branch filter), or none with an acquisition in force.
    None,
    /// The record to answer with.
    One(&'a MemberHistory),
    /// Several people share the query (twins sharing symbol, number and birth date): the
    /// branch (枝番) must be given. The service never guesses.
    BranchRequired,
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
/// 2. More than one distinct branch left → [`Selection::BranchRequired`].
/// 3. Among the records of the one branch (re-acquisitions of one person), pick the one whose
///    period covers `service_date` (the latest acquired if several), else the latest
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
/// insurer, symbol and birth date), with everything known now.
///
/// Numbers that differ only by leading zeros may mean the same card (a 国保 that changed its
/// number of digits), so they are all candidates; but two different spellings are never chosen
/// between silently:
///
/// 1. Keep the records whose number has `number`'s key, of `branch` when given, with an
///    acquisition in force.
/// 2. If one of them is spelled exactly as `number`, keep only those spelled so (the card's
///    own number wins). Otherwise, if they are spelled in more than one way →
///    [`Selection::ExactNumberRequired`]; spelled in one way, they are the candidates.
/// 3. Then as [`select`]: several branches → [`Selection::BranchRequired`]; else the record
///    of the one branch whose period fits `service_date` best.
///
/// ```
/// use onshi_ids::InsuredNumber;
/// use onshi_ledger::{select_by_number, Selection};
/// let d = onshi_law::Date::from_ymd_opt(2024, 4, 1).unwrap();
/// let n = InsuredNumber::parse("01234567").unwrap();
/// assert_eq!(select_by_number(&[], &n, None, d), Selection::None);
/// ```
pub fn select_by_number<'a>(
    candidates: &[&'a MemberHistory],
    number: &InsuredNumber,
    branch: Option<&Branch>,
    service_date: Date,
) -> Selection<'a> {
    let fits = |h: &&'a MemberHistory| h.statik.key.number.same_key(number) && in_play(h, branch);
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
    let mut the_branch: Option<&Branch> = None;
    let mut best: Option<(&'a MemberHistory, (u8, i64))> = None;
    for h in candidates {
        let b = &h.statik.key.branch;
        let Some((acquired_on, lost_on)) = h.period_opt(None) else {
            continue;
        };
        match the_branch {
            Some(seen) if seen != b => return Selection::BranchRequired,
            _ => the_branch = Some(b),
        }
        let day = i64::from(acquired_on.num_days_from_ce());
        let covers = acquired_on <= service_date && lost_on.is_none_or(|l| service_date < l);
        let rank = if covers {
            (2, day)
        } else if acquired_on <= service_date {
            (1, day)
        } else {
            (0, -day)
        };
        if best.is_none_or(|(_, r)| rank > r) {
            best = Some((h, rank));
        }
    }
    best.map_or(Selection::None, |(h, _)| Selection::One(h))
}
