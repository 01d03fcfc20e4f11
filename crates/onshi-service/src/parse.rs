//! Parsing request values into domain types. Every bad value becomes a 422 with the contract's code, the
//! field it concerns and what to do.

use onshi_ids::{Branch, InsuredNumber, InsurerNumber, MyNumber, Symbol};
use onshi_law::{CopayRatio, Date, IncomeBracket};
use onshi_ledger::{Relationship, Sex};

use crate::api::{IncomeBracketValue, RelationshipValue, SexValue};
use crate::error::{Result, ServiceError};

/// The longest name, reading or address onshi accepts (characters).
pub(crate) const MAX_TEXT: usize = 200;

pub(crate) fn my_number(s: &str, field: &str) -> Result<MyNumber> {
    MyNumber::parse(s).map_err(|e| ServiceError::invalid_id(&e, field))
}

pub(crate) fn insurer_number(s: &str, field: &str) -> Result<InsurerNumber> {
    InsurerNumber::parse(s).map_err(|e| ServiceError::invalid_id(&e, field))
}

/// The symbol, if one is given (empty or blank means the card has none).
pub(crate) fn symbol(s: Option<&str>, field: &str) -> Result<Option<Symbol>> {
    match s {
        None => Ok(None),
        Some(s) if s.trim().is_empty() => Ok(None),
        Some(s) => Symbol::parse(s).map(Some).map_err(|e| ServiceError::invalid_id(&e, field)),
    }
}

pub(crate) fn number(s: &str, field: &str) -> Result<InsuredNumber> {
    InsuredNumber::parse(s).map_err(|e| ServiceError::invalid_id(&e, field))
}

pub(crate) fn branch(s: &str, field: &str) -> Result<Branch> {
    Branch::parse(s).map_err(|e| ServiceError::invalid_id(&e, field))
}

pub(crate) fn date(s: &str, field: &str) -> Result<Date> {
    onshi_law::parse_iso_date(s).map_err(|e| {
        ServiceError::invalid("invalid_date", field, e.to_string()).next(
            "write the date as YYYY-MM-DD, a day that exists (和暦 such as 令和6年4月1日 is YYYY-MM-DD 2024-04-01)",
        )
    })
}

/// A name, reading or address: stored exactly as given, but never empty, never control characters, and of
/// a sane length.
pub(crate) fn text<'a>(s: &'a str, field: &str) -> Result<&'a str> {
    if s.trim().is_empty() {
        return Err(ServiceError::invalid_value(field, format!("{field} is empty"))
            .because("empty")
            .next("give the value as the card, certificate or resident record writes it"));
    }
    if s.chars().count() > MAX_TEXT {
        return Err(ServiceError::invalid_value(field, format!("{field} is longer than {MAX_TEXT} characters"))
            .because("too_long")
            .next("shorten the value to at most 200 characters (a name, reading or address is never longer)"));
    }
    if s.chars().any(|c| c.is_control()) {
        return Err(ServiceError::invalid_value(field, format!("{field} contains a control character"))
            .because("control_char")
            .next("remove line breaks, tabs and other control characters from the value"));
    }
    Ok(s)
}

pub(crate) fn copay_ratio(v: u8, field: &str) -> Result<CopayRatio> {
    CopayRatio::from_percent(v).ok_or_else(|| {
        ServiceError::invalid_value(field, format!("copay_ratio {v} is not one of 10, 20, 30 (percent)"))
            .because("not_a_ratio")
            .next("give 10, 20 or 30 (1割, 2割, 3割), or leave copay_ratio out to follow the law")
    })
}

pub(crate) fn sex(v: SexValue) -> Sex {
    match v {
        SexValue::Male => Sex::Male,
        SexValue::Female => Sex::Female,
    }
}

pub(crate) fn sex_value(s: Sex) -> SexValue {
    match s {
        Sex::Male => SexValue::Male,
        Sex::Female => SexValue::Female,
    }
}

pub(crate) fn relationship(v: RelationshipValue) -> Relationship {
    match v {
        RelationshipValue::Insured => Relationship::Insured,
        RelationshipValue::Dependent => Relationship::Dependent,
    }
}

pub(crate) fn relationship_value(r: Relationship) -> RelationshipValue {
    match r {
        Relationship::Insured => RelationshipValue::Insured,
        Relationship::Dependent => RelationshipValue::Dependent,
    }
}

pub(crate) fn income_bracket(v: IncomeBracketValue) -> IncomeBracket {
    match v {
        IncomeBracketValue::General => IncomeBracket::General,
        IncomeBracketValue::General2 => IncomeBracket::General2,
        IncomeBracketValue::ActiveEquivalent => IncomeBracket::ActiveEquivalent,
    }
}

pub(crate) fn income_bracket_value(b: IncomeBracket) -> IncomeBracketValue {
    match b {
        IncomeBracket::General => IncomeBracketValue::General,
        IncomeBracket::General2 => IncomeBracketValue::General2,
        IncomeBracket::ActiveEquivalent => IncomeBracketValue::ActiveEquivalent,
    }
}

pub(crate) fn member_id(s: &str) -> Result<onshi_store::MemberId> {
    s.trim()
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .map(onshi_store::MemberId)
        .ok_or_else(|| ServiceError::member_not_found(&format!("{s:?}")))
}
