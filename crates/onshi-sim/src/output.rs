//! The file forms: CSV rows and JSON lines, written by hand (no allocation per field, fixed
//! field order, no map iteration) so that the same world gives the same bytes.

use std::io::Write;

use onshi_ids::InsurerKind;
use onshi_law::{Date, IncomeBracket};
use onshi_ledger::MemberKey;

use crate::model::*;

pub(crate) const REGISTRY_HEADER: &str = "my_number,name,name_kana,birth_date,sex,address\n";
pub(crate) const RECORDS_HEADER: &str = "record_id,my_number,name,name_kana,birth_date,sex,address\n";
pub(crate) const TRUTH_HEADER: &str = "record_id,true_my_number,error\n";
pub(crate) const MEMBERS_HEADER: &str = "record_id,insurer_number,symbol,number,branch,relationship,insured_record_id,my_number,name,name_kana,birth_date,sex,address,acquired_on,income_bracket,copay_ratio,reported_on\n";
pub(crate) const INSURERS_HEADER: &str = "insurer_number,kind,name,prefecture,municipality_code\n";
pub(crate) const VISITS_HEADER: &str =
    "service_date,my_number,institution_code,presents,card_record_id,covered_record_id,copay_ratio,income_bracket\n";

/// One CSV field, quoted when it holds a comma, quote or line break.
fn field(out: &mut Vec<u8>, s: &str) {
    if s.contains([',', '"', '\n', '\r']) {
        out.push(b'"');
        out.extend_from_slice(s.replace('"', "\"\"").as_bytes());
        out.push(b'"');
    } else {
        out.extend_from_slice(s.as_bytes());
    }
}

fn date(out: &mut Vec<u8>, d: Date) {
    let _ = write!(out, "{d}");
}

/// The snake_case name of an insurer kind in `insurers.csv`.
pub fn kind_code(k: InsurerKind) -> &'static str {
    use InsurerKind::*;
    match k {
        KyokaiKenpo => "kyokai_kenpo",
        Seamen => "seamen",
        DayLaborer => "day_laborer",
        HealthInsuranceSociety => "health_insurance_society",
        SelfDefenseForces => "self_defense_forces",
        NationalPublicServantMutualAid => "national_public_servant_mutual_aid",
        LocalPublicServantMutualAid => "local_public_servant_mutual_aid",
        PoliceMutualAid => "police_mutual_aid",
        SchoolMutualAid => "school_mutual_aid",
        LateStageElderly => "late_stage_elderly",
        SpecificHealthInsuranceRetiree => "specific_health_insurance_retiree",
        NationalHealthInsuranceRetiree => "national_health_insurance_retiree",
        SpecialRetiree => "special_retiree",
        NationalHealthInsurance => "national_health_insurance",
        NationalHealthInsuranceAssociation => "national_health_insurance_association",
    }
}

pub(crate) fn resident_row(out: &mut Vec<u8>, r: &Resident) {
    out.extend_from_slice(r.my_number.as_str().as_bytes());
    out.push(b',');
    field(out, &r.name);
    out.push(b',');
    field(out, &r.name_kana);
    out.push(b',');
    date(out, r.birth_date);
    out.push(b',');
    out.extend_from_slice(r.sex.as_str().as_bytes());
    out.push(b',');
    field(out, &r.address);
    out.push(b'\n');
}

pub(crate) fn record_row(out: &mut Vec<u8>, r: &Record) {
    let _ = write!(out, "{},", r.record_id);
    if let Some(m) = r.my_number {
        out.extend_from_slice(m.as_str().as_bytes());
    }
    out.push(b',');
    field(out, &r.name);
    out.push(b',');
    field(out, &r.name_kana);
    out.push(b',');
    date(out, r.birth_date);
    out.push(b',');
    out.extend_from_slice(r.sex.as_str().as_bytes());
    out.push(b',');
    field(out, &r.address);
    out.push(b'\n');
}

pub(crate) fn truth_row(out: &mut Vec<u8>, t: &Truth) {
    let _ = writeln!(out, "{},{},{}", t.record_id, t.true_my_number.as_str(), t.error.map_or("", ErrorKind::as_str));
}

fn bracket(b: Option<IncomeBracket>) -> &'static str {
    b.map_or("", IncomeBracket::as_str)
}

pub(crate) fn member_row(out: &mut Vec<u8>, m: &Member) {
    let _ = write!(out, "{},{},", m.record_id, m.key.insurer_number);
    if let Some(s) = &m.key.symbol {
        field(out, s.as_str());
    }
    out.push(b',');
    field(out, m.key.number.as_str());
    let _ = write!(out, ",{},{},", m.key.branch, m.relationship.as_str());
    if let Some(i) = m.insured_record_id {
        let _ = write!(out, "{i}");
    }
    out.push(b',');
    if let Some(n) = m.my_number {
        out.extend_from_slice(n.as_str().as_bytes());
    }
    out.push(b',');
    field(out, &m.name);
    out.push(b',');
    field(out, &m.name_kana);
    out.push(b',');
    date(out, m.birth_date);
    out.push(b',');
    out.extend_from_slice(m.sex.as_str().as_bytes());
    out.push(b',');
    field(out, &m.address);
    out.push(b',');
    date(out, m.acquired_on);
    let _ = writeln!(out, ",{},{},{}", bracket(m.income_bracket), m.copay_ratio.percent(), m.reported_on);
}

pub(crate) fn visit_row(out: &mut Vec<u8>, v: &Visit) {
    date(out, v.service_date);
    let _ = write!(out, ",{},{},{},", v.my_number.as_str(), v.institution_code.as_str(), v.presents.as_str());
    if let Some(c) = v.card {
        let _ = write!(out, "{c}");
    }
    out.push(b',');
    if let Some(r) = v.expect.covered_by {
        let _ = write!(out, "{r}");
    }
    out.push(b',');
    if let Some(r) = v.expect.copay_ratio {
        let _ = write!(out, "{}", r.percent());
    }
    out.push(b',');
    out.extend_from_slice(bracket(v.expect.income_bracket).as_bytes());
    out.push(b'\n');
}

pub(crate) fn insurer_row(out: &mut Vec<u8>, i: &Insurer) {
    let _ = write!(out, "{},{},", i.number, kind_code(i.kind));
    field(out, &i.name);
    let _ = write!(out, ",{},", i.prefecture);
    if let Some(m) = i.municipality_code {
        out.extend_from_slice(m.as_str().as_bytes());
    }
    out.push(b'\n');
}

// ------------------------------------------------------------------------------------- JSON

/// A JSON string literal.
fn js(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    for c in s.chars() {
        match c {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            '\n' => out.extend_from_slice(b"\\n"),
            '\r' => out.extend_from_slice(b"\\r"),
            '\t' => out.extend_from_slice(b"\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => {
                let mut b = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
            }
        }
    }
    out.push(b'"');
}

fn kv(out: &mut Vec<u8>, k: &str, v: &str) {
    out.push(b',');
    js(out, k);
    out.push(b':');
    js(out, v);
}

fn kd(out: &mut Vec<u8>, k: &str, d: Date) {
    let _ = write!(out, ",\"{k}\":\"{d}\"");
}

fn resident_fields(out: &mut Vec<u8>, r: &Resident) {
    kv(out, "my_number", r.my_number.as_str());
    kv(out, "name", &r.name);
    kv(out, "name_kana", &r.name_kana);
    kd(out, "birth_date", r.birth_date);
    kv(out, "sex", r.sex.as_str());
    kv(out, "address", &r.address);
}

fn key_fields(out: &mut Vec<u8>, k: &MemberKey) {
    kv(out, "insurer_number", k.insurer_number.as_str());
    if let Some(s) = &k.symbol {
        kv(out, "symbol", s.as_str());
    }
    kv(out, "number", k.number.as_str());
    kv(out, "branch", k.branch.as_str());
}

/// One line of `events.jsonl` (with its newline).
pub(crate) fn event_line(out: &mut Vec<u8>, e: &Event) {
    let _ = write!(
        out,
        "{{\"at\":\"{}\",\"kind\":\"{}\",\"cause\":\"{}\",\"event_id\":{},\"effective_on\":\"{}\",\"reported_on\":\"{}\"",
        e.at,
        e.action.kind(),
        e.cause,
        e.event_id,
        e.effective_on,
        e.reported_on
    );
    match &e.action {
        Action::ResidentAdd(r) | Action::ResidentUpdate(r) => resident_fields(out, r),
        Action::ResidentRemove { my_number } => kv(out, "my_number", my_number.as_str()),
        Action::Acquire(m) => {
            kv(out, "record_id", &m.record_id.to_string());
            key_fields(out, &m.key);
            kv(out, "relationship", m.relationship.as_str());
            if let Some(i) = m.insured_record_id {
                kv(out, "insured_record_id", &i.to_string());
            }
            if let Some(n) = m.my_number {
                kv(out, "my_number", n.as_str());
            }
            kv(out, "name", &m.name);
            kv(out, "name_kana", &m.name_kana);
            kd(out, "birth_date", m.birth_date);
            kv(out, "sex", m.sex.as_str());
            kv(out, "address", &m.address);
            kd(out, "acquired_on", m.acquired_on);
            if let Some(b) = m.income_bracket {
                kv(out, "income_bracket", b.as_str());
            }
            let _ = write!(out, ",\"copay_ratio\":{}", m.copay_ratio.percent());
        }
        Action::LinkSearch { record_id } => kv(out, "record_id", &record_id.to_string()),
        Action::Lose { record_id, reason } => {
            kv(out, "record_id", &record_id.to_string());
            kd(out, "lost_on", e.effective_on);
            kv(out, "reason", reason.as_str());
        }
        Action::Change(c) => {
            kv(out, "record_id", &c.record_id.to_string());
            if let Some(v) = &c.name {
                kv(out, "name", v);
            }
            if let Some(v) = &c.name_kana {
                kv(out, "name_kana", v);
            }
            if let Some(v) = &c.address {
                kv(out, "address", v);
            }
            if let Some(b) = c.income_bracket {
                kv(out, "income_bracket", b.as_str());
            }
            if let Some(r) = c.copay_ratio {
                let _ = write!(out, ",\"copay_ratio\":{}", r.percent());
            }
        }
    }
    out.extend_from_slice(b"}\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_when_needed() {
        let mut v = Vec::new();
        field(&mut v, "a,b");
        field(&mut v, "say \"hi\"");
        field(&mut v, "plain");
        assert_eq!(String::from_utf8(v).unwrap(), "\"a,b\"\"say \"\"hi\"\"\"plain");
    }

    #[test]
    fn json_strings_are_escaped() {
        let mut v = Vec::new();
        js(&mut v, "a\"b\\c\n\u{1}髙");
        assert_eq!(String::from_utf8(v).unwrap(), "\"a\\\"b\\\\c\\n\\u0001髙\"");
    }
}
