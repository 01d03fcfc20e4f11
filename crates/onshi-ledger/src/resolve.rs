//! The answer to an eligibility check on a service date.

use onshi_ids::Scheme;
use onshi_law::{Copay, CopayRatio, Date, IncomeBracket, copay, late_stage_from};
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
    /// The insurer's override on the service date, if any.
    pub copay_override: Option<&'a CopayOverride>,
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
        let Change::Update { name: n, name_kana: nk, address: a, income_bracket: b, copay_override: o } = &e.change
        else {
            continue;
        };
        if e.effective_on > limit || !view.active(e) {
            continue;
        }
        let key = Some((e.effective_on, e.seq));
        take(&mut name, &mut k_name, n.as_deref(), key);
        take(&mut name_kana, &mut k_kana, nk.as_deref(), key);
        take(&mut address, &mut k_addr, a.as_deref(), key);
        take(&mut income_bracket, &mut k_bracket, b.map(Some), key);
        take(&mut copay_override, &mut k_override, o.as_ref().map(Some), key);
    }

    let birth = h.statik.birth_date;
    let scheme = h.statik.key.insurer_number.scheme();
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
        copay_ratio,
        as_of: k.as_of.unwrap_or(acquire.recorded_at),
    })
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
