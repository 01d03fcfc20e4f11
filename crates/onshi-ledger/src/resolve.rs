//! The answer to an eligibility check on a service date.

use onshi_ids::Scheme;
use onshi_law::{Copay, CopayRatio, Date, IncomeBracket, copay, copay_law_changes, late_stage_from};
use serde::Serialize;

use crate::history::View;
use crate::types::{Change, CopayOverride, MemberHistory, RecordedAt, Seq};

/// The coverage status on the service date.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The service date is before the acquisition.
    NotYetCovered,
    /// Covered on the service date.
    Covered,
    /// The service date is on or after the loss date.
    Lost,
    /// Employee or national insurance, service date on or after the 75th birthday: the person
    /// belongs to 後期高齢者医療.
    AgedOut,
}

/// What a member record says for one service date, as known at one time. Borrowed from the
/// history: building it allocates nothing.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct Resolution<'a> {
    /// Coverage on the service date.
    pub status: Status,
    /// 資格取得日 in force.
    pub acquired_on: Date,
    /// 資格喪失日 (first day without coverage) in force, if any.
    pub lost_on: Option<Date>,
    /// The day coverage ends by age — the 75th birthday — when the scheme is not 後期高齢者医療
    /// and no recorded loss ends it earlier (`lost_on`, if any, is later). Present whatever the
    /// status: it is the scheduled end for a covered member, and the reason for
    /// [`Status::AgedOut`].
    pub aged_out_on: Option<Date>,
    /// 氏名 on the service date.
    pub name: &'a str,
    /// カナ氏名 on the service date.
    pub name_kana: &'a str,
    /// 住所 on the service date.
    pub address: &'a str,
    /// 所得区分 on the service date.
    pub income_bracket: Option<IncomeBracket>,
    /// The law's answer for the service date (whatever the status).
    pub law: Copay,
    /// The insurer's override on the service date, if any (and still in force: see
    /// `copay_override_ended_on`).
    pub copay_override: Option<&'a CopayOverride>,
    /// The override as stated for the service date, whether still in force or ended by itself (what
    /// a system that never ends an exception would show).
    pub copay_override_stated: Option<&'a CopayOverride>,
    /// When the override stated for the service date ended by itself: the first day the law's
    /// answer changed after it was stated (an age boundary, a change of income bracket). The
    /// override is then `None` and the law applies.
    pub copay_override_ended_on: Option<Date>,
    /// The override's ratio if any, else the law's; `None` unless [`Status::Covered`].
    pub copay_ratio: Option<CopayRatio>,
    /// The latest `recorded_at` among the entries considered: when the data answered last
    /// changed.
    pub as_of: RecordedAt,
}

/// Resolves a member record for `service_date`, with the knowledge at `known_at` (everything
/// when `None`). `None` when no acquisition is known then (nothing recorded yet, or the
/// acquisition voided).
///
/// The rules are in the crate documentation. Allocation-free, linear in the number of entries
/// (quadratic only while voids are present), total on any history.
pub fn resolve(h: &MemberHistory, service_date: Date, known_at: Option<RecordedAt>) -> Option<Resolution<'_>> {
    let view = View::new(&h.entries, known_at);
    let k = view.knowledge();
    let acquire = k.acquire?;
    let Change::Acquire { name, name_kana, address, income_bracket, copay_override } = &acquire.change else {
        return None;
    };
    let acquired_on = acquire.effective_on;
    let lost_on = k.lose.map(|l| l.effective_on);

    // Fields: the Acquire's, replaced by the last Update (by effective_on, then seq) that sets
    // each field among those effective by max(service, acquisition).
    let limit = service_date.max(acquired_on);
    let mut name: &str = name;
    let mut name_kana: &str = name_kana;
    let mut address: &str = address;
    let mut income_bracket = *income_bracket;
    let mut copay_override = copay_override.as_ref();
    let (mut k_name, mut k_kana, mut k_addr, mut k_bracket, mut k_override): (Key, Key, Key, Key, Key) =
        (None, None, None, None, None);
    for e in &h.entries {
        if e.effective_on > limit || !matches!(e.change, Change::Update { .. } | Change::WithdrawCopay { .. }) {
            continue;
        }
        if !view.active(e) {
            continue;
        }
        let key = Some((e.effective_on, e.seq));
        match &e.change {
            Change::Update { name: n, name_kana: nk, address: a, income_bracket: b, copay_override: o } => {
                take(&mut name, &mut k_name, n.as_deref(), key);
                take(&mut name_kana, &mut k_kana, nk.as_deref(), key);
                take(&mut address, &mut k_addr, a.as_deref(), key);
                take(&mut income_bracket, &mut k_bracket, b.map(Some), key);
                take(&mut copay_override, &mut k_override, o.as_ref().map(Some), key);
            }
            Change::WithdrawCopay { .. } => take(&mut copay_override, &mut k_override, Some(None), key),
            _ => {}
        }
    }

    let birth = h.statik.birth_date;
    let scheme = h.statik.key.insurer_number.scheme();
    // A copay exception never outlives the rule it was checked against: it ends on the first day after it
    // was stated when the law's answer changes (an age boundary or a change of income bracket), unless an
    // Update states it again from then.
    let copay_override_stated = copay_override;
    let mut copay_override_ended_on = None;
    if copay_override.is_some() {
        let stated_on = k_override.map_or(acquired_on, |(d, _)| d.max(acquired_on));
        copay_override_ended_on = law_change_after(h, &view, stated_on, service_date);
        if copay_override_ended_on.is_some() {
            copay_override = None;
        }
    }
    let aged_out_on = if scheme == Scheme::LateStageElderly {
        None
    } else {
        let d = late_stage_from(birth);
        lost_on.is_none_or(|l| d < l).then_some(d)
    };
    let status = if service_date < acquired_on {
        Status::NotYetCovered
    } else if lost_on.is_some_and(|l| l <= service_date) {
        Status::Lost
    } else if aged_out_on.is_some_and(|d| d <= service_date) {
        Status::AgedOut
    } else {
        Status::Covered
    };
    let law = copay(birth, service_date, scheme, income_bracket);
    let copay_ratio = match status {
        Status::Covered => copay_override.map(|o| o.ratio).or(law.ratio()),
        _ => None,
    };
    Some(Resolution {
        status,
        acquired_on,
        lost_on,
        aged_out_on,
        name,
        name_kana,
        address,
        income_bracket,
        law,
        copay_override,
        copay_override_stated,
        copay_override_ended_on,
        copay_ratio,
        as_of: k.as_of.unwrap_or(acquire.recorded_at),
    })
}

/// The first day in `(from, until]` on which the law's copay answer differs from its answer on `from`:
/// an age boundary of [`copay_law_changes`] or the effective day of a change of income bracket. `None`
/// when the law gives the same answer all along.
fn law_change_after(h: &MemberHistory, view: &View<'_>, from: Date, until: Date) -> Option<Date> {
    if until <= from {
        return None;
    }
    let birth = h.statik.birth_date;
    let scheme = h.statik.key.insurer_number.scheme();
    let law_on = |d: Date| copay(birth, d, scheme, bracket_on(h, view, d));
    let base = law_on(from);
    let bracket_days = h.entries.iter().filter_map(|e| match &e.change {
        Change::Update { income_bracket: Some(_), .. } if view.active(e) => Some(e.effective_on),
        _ => None,
    });
    copay_law_changes(birth, scheme)
        .chain(bracket_days)
        .filter(|&d| from < d && d <= until)
        .filter(|&d| law_on(d) != base)
        .min()
}

/// The income bracket in force on `day` (the acquisition's, replaced by the Updates effective by then).
fn bracket_on(h: &MemberHistory, view: &View<'_>, day: Date) -> Option<IncomeBracket> {
    let acquire = view.knowledge().acquire?;
    let Change::Acquire { income_bracket, .. } = &acquire.change else {
        return None;
    };
    let limit = day.max(acquire.effective_on);
    let mut bracket = *income_bracket;
    let mut key: Key = None;
    for e in &h.entries {
        if let Change::Update { income_bracket: b @ Some(_), .. } = &e.change {
            if e.effective_on <= limit && view.active(e) {
                take(&mut bracket, &mut key, Some(*b), Some((e.effective_on, e.seq)));
            }
        }
    }
    bracket
}

type Key = Option<(Date, Seq)>;

/// Replaces `slot` by `value` when set and `key` is later than the key it came from.
#[inline]
fn take<T>(slot: &mut T, slot_key: &mut Key, value: Option<T>, key: Key) {
    if let Some(v) = value {
        if key > *slot_key {
            *slot = v;
            *slot_key = key;
        }
    }
}

impl MemberHistory {
    /// [`resolve`] as a method.
    pub fn resolve(&self, service_date: Date, known_at: Option<RecordedAt>) -> Option<Resolution<'_>> {
        resolve(self, service_date, known_at)
    }
}
