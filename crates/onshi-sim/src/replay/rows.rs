//! The world's rows as the service's request bodies.

use super::*;

pub(super) fn record_id(s: &str) -> Option<u64> {
    s.strip_prefix('R').and_then(|d| d.parse().ok())
}

pub(super) fn sex(s: &str) -> Result<SexValue, String> {
    SexValue::try_from(s.to_owned())
}

pub(super) fn bracket(s: Option<&str>) -> Result<Option<IncomeBracketValue>, String> {
    s.filter(|b| !b.is_empty()).map(|b| IncomeBracketValue::try_from(b.to_owned())).transpose()
}

pub(super) fn relationship(s: &str) -> Result<RelationshipValue, String> {
    RelationshipValue::try_from(s.to_owned())
}

pub(super) fn non_empty(s: Option<String>) -> Option<String> {
    s.filter(|v| !v.is_empty())
}

/// An enrolment as the insurer typed it.
#[derive(Clone)]
pub(super) struct Enrolment {
    pub(super) record: u64,
    pub(super) body: EnrolBody,
}

pub(super) fn enrolment_of_member(m: &MemberRow, typed_copay: bool) -> Result<Enrolment, String> {
    let record = record_id(&m.record_id).ok_or_else(|| format!("record_id {:?}", m.record_id))?;
    Ok(Enrolment {
        record,
        body: EnrolBody {
            insurer_number: m.insurer_number.clone(),
            symbol: non_empty(m.symbol.clone()),
            number: m.number.clone(),
            branch: m.branch.clone(),
            relationship: relationship(&m.relationship)?,
            my_number: non_empty(m.my_number.clone()),
            name: m.name.clone(),
            name_kana: m.name_kana.clone(),
            birth_date: m.birth_date.clone(),
            sex: sex(&m.sex)?,
            address: m.address.clone(),
            acquired_on: m.acquired_on.clone(),
            income_bracket: bracket(m.income_bracket.as_deref())?,
            copay_ratio: if typed_copay { m.copay_ratio } else { None },
            copay_ratio_reason: None,
        },
    })
}

pub(super) fn field<'a>(e: &'a EventLine, name: &str, v: &'a Option<String>) -> Result<&'a str, String> {
    v.as_deref().ok_or_else(|| format!("a `{}` line without `{name}`", e.kind))
}

pub(super) fn enrolment_of_event(e: &EventLine) -> Result<Enrolment, String> {
    let rid = field(e, "record_id", &e.record_id)?;
    let record = record_id(rid).ok_or_else(|| format!("record_id {rid:?}"))?;
    Ok(Enrolment {
        record,
        body: EnrolBody {
            insurer_number: field(e, "insurer_number", &e.insurer_number)?.to_owned(),
            symbol: non_empty(e.symbol.clone()),
            number: field(e, "number", &e.number)?.to_owned(),
            branch: field(e, "branch", &e.branch)?.to_owned(),
            relationship: relationship(field(e, "relationship", &e.relationship)?)?,
            my_number: non_empty(e.my_number.clone()),
            name: field(e, "name", &e.name)?.to_owned(),
            name_kana: field(e, "name_kana", &e.name_kana)?.to_owned(),
            birth_date: field(e, "birth_date", &e.birth_date)?.to_owned(),
            sex: sex(field(e, "sex", &e.sex)?)?,
            address: field(e, "address", &e.address)?.to_owned(),
            acquired_on: field(e, "acquired_on", &e.acquired_on)?.to_owned(),
            income_bracket: bracket(e.income_bracket.as_deref())?,
            copay_ratio: e.copay_ratio,
            copay_ratio_reason: None,
        },
    })
}

pub(super) fn card_of(b: &EnrolBody) -> CardInfo {
    CardInfo {
        insurer: b.insurer_number.clone(),
        symbol: b.symbol.clone(),
        number: b.number.clone(),
        branch: b.branch.clone(),
        birth_date: b.birth_date.clone(),
    }
}

pub(super) fn resident_body(
    name: &str,
    kana: &str,
    birth: &str,
    sex_s: &str,
    address: &str,
) -> Result<ResidentBody, String> {
    Ok(ResidentBody {
        name: name.to_owned(),
        name_kana: kana.to_owned(),
        birth_date: birth.to_owned(),
        sex: sex(sex_s)?,
        address: address.to_owned(),
    })
}
