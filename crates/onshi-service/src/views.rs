//! Turning stored data into the contract's answers.

use chrono::{DateTime, SecondsFormat};
use onshi_law::Date;
use onshi_ledger::{Change, RecordedAt};
use onshi_store::{LinkageRecord, MemberRecord, Resident};
use serde_json::json;

use crate::api::{HistoryView, IncomeBracketValue, LinkageView, MemberView, ResidentView, VoidedView};
use crate::parse::{income_bracket_value, relationship_value, sex_value};

pub(crate) fn date(d: Date) -> String {
    d.format("%Y-%m-%d").to_string()
}

pub(crate) fn timestamp(t: RecordedAt) -> String {
    DateTime::from_timestamp_micros(t.0).unwrap_or_default().to_rfc3339_opts(SecondsFormat::Micros, true)
}

pub(crate) fn resident(r: &Resident) -> ResidentView {
    ResidentView {
        my_number: r.my_number.as_str().to_owned(),
        name: r.name.clone(),
        name_kana: r.name_kana.clone(),
        birth_date: date(r.birth_date),
        sex: sex_value(r.sex),
        address: r.address.clone(),
    }
}

pub(crate) fn linkage(l: &LinkageRecord) -> LinkageView {
    LinkageView { grade: l.grade.clone(), reasons: l.reasons.clone(), state: l.state.as_str().to_owned() }
}

fn bracket(b: &Option<onshi_law::IncomeBracket>) -> Option<IncomeBracketValue> {
    b.map(income_bracket_value)
}

fn change_json(c: &Change) -> (&'static str, serde_json::Value) {
    let ratio = |o: &Option<onshi_ledger::CopayOverride>| {
        o.as_ref().map(|o| json!({"copay_ratio": o.ratio.percent(), "copay_ratio_reason": o.reason}))
    };
    match c {
        Change::Acquire { name, name_kana, address, income_bracket, copay_override } => (
            "acquire",
            json!({"name": name, "name_kana": name_kana, "address": address,
                   "income_bracket": bracket(income_bracket), "copay_override": ratio(copay_override)}),
        ),
        Change::Lose { reason: None } => ("lose", json!({})),
        Change::Lose { reason: Some(r) } => ("lose", json!({"reason": r.as_str(), "reason_ja": r.label_ja()})),
        Change::Update { name, name_kana, address, income_bracket, copay_override } => (
            "update",
            json!({"name": name, "name_kana": name_kana, "address": address,
                   "income_bracket": bracket(income_bracket), "copay_override": ratio(copay_override)}),
        ),
        Change::WithdrawCopay { reason } => ("withdraw_copay", json!({"reason": reason})),
        Change::Void { target, reason, by } => ("void", json!({"target_seq": target.0, "reason": reason, "by": by})),
    }
}

/// A member with its full history, resolved for `today`.
pub(crate) fn member(m: &MemberRecord, today: Date) -> MemberView {
    member_known_at(m, today, None)
}

/// A member as known at `known_at` (everything when `None`): the entries recorded by then, each voided entry
/// marked with the void known by then (who, when, why), resolved for `today` with that knowledge.
pub(crate) fn member_known_at(m: &MemberRecord, today: Date, known_at: Option<RecordedAt>) -> MemberView {
    let h = &m.history;
    let key = &h.statik.key;
    let r = onshi_ledger::resolve(h, today, known_at);
    let (acquired_on, lost_on) = h.period(known_at);
    let known = |e: &onshi_ledger::Entry| known_at.is_none_or(|t| e.recorded_at <= t);
    let void_of = |seq: onshi_ledger::Seq| {
        h.entries.iter().filter(|v| known(v)).find_map(|v| match &v.change {
            Change::Void { target, reason, by } if *target == seq => Some(VoidedView {
                by_seq: v.seq.0,
                at: timestamp(v.recorded_at),
                by: by.clone(),
                reason: reason.clone(),
            }),
            _ => None,
        })
    };
    MemberView {
        member_id: m.id.to_string(),
        insurer_number: key.insurer_number.as_str().to_owned(),
        symbol: key.symbol.as_ref().map(|s| s.as_str().to_owned()),
        number: key.number.as_str().to_owned(),
        branch: key.branch.as_str().to_owned(),
        relationship: relationship_value(h.statik.relationship),
        my_number: m.my_number.as_ref().map(|n| n.as_str().to_owned()),
        linkage: m.linkage.as_ref().map(linkage),
        birth_date: date(h.statik.birth_date),
        sex: sex_value(h.statik.sex),
        name: r.as_ref().map(|r| r.name.to_owned()).unwrap_or_default(),
        name_kana: r.as_ref().map(|r| r.name_kana.to_owned()).unwrap_or_default(),
        address: r.as_ref().map(|r| r.address.to_owned()).unwrap_or_default(),
        acquired_on: date(acquired_on),
        lost_on: lost_on.map(date),
        income_bracket: r.as_ref().and_then(|r| r.income_bracket).map(income_bracket_value),
        known_at: known_at.map(timestamp),
        history: h
            .entries
            .iter()
            .filter(|e| known(e))
            .map(|e| {
                let (kind, change) = change_json(&e.change);
                HistoryView {
                    seq: e.seq.0,
                    recorded_at: timestamp(e.recorded_at),
                    effective_on: date(e.effective_on),
                    kind: kind.to_owned(),
                    change,
                    voided: void_of(e.seq),
                }
            })
            .collect(),
    }
}
