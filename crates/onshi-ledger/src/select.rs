//! Choosing the member record a clinic's query means.

use chrono::Datelike as _;
use onshi_ids::Branch;
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
    let mut the_branch: Option<&Branch> = None;
    let mut best: Option<(&'a MemberHistory, (u8, i64))> = None;
    for &h in candidates {
        let b = &h.statik.key.branch;
        if branch.is_some_and(|want| want != b) {
            continue;
        }
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
