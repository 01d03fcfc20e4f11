//! My Number linking (紐付け): a record is graded against the registry before the link takes effect.
//! Grade C stores nothing; the insurer is told why.

use onshi_ids::MyNumber;
use onshi_law::Date;
use onshi_linkage::{Basic4, Grade, Grading, Prepared};
use onshi_store::{Resident, Store};
use serde_json::json;

use crate::Service;
use crate::error::{Result, ServiceError};

/// The record offered for linking: what the insurer holds.
pub(crate) struct Record<'a> {
    pub name: &'a str,
    pub name_kana: &'a str,
    pub birth_date: Date,
    pub sex: onshi_ledger::Sex,
    pub address: &'a str,
}

fn linkage_sex(s: onshi_ledger::Sex) -> onshi_linkage::Sex {
    match s {
        onshi_ledger::Sex::Male => onshi_linkage::Sex::Male,
        onshi_ledger::Sex::Female => onshi_linkage::Sex::Female,
    }
}

/// The prepared comparison keys of a resident.
pub(crate) fn prepare_resident(r: &Resident) -> Prepared {
    Prepared::new(&Basic4 {
        name: &r.name,
        name_kana: Some(&r.name_kana),
        birth_date: r.birth_date,
        sex: Some(linkage_sex(r.sex)),
        address: Some(&r.address),
    })
}

fn rejected(reasons: Vec<String>, detail: serde_json::Value) -> ServiceError {
    ServiceError::invalid(
        "linkage_rejected",
        "my_number",
        format!("the record does not belong to the holder of this My Number ({})", reasons.join(", ")),
    )
    .next(
        "nothing was stored: confirm the member's My Number (card or notification) and basic four, \
         or ask J-LIS (住基ネット照会) with the member's name, birth date and address",
    )
    .with_details(detail)
}

impl<S: Store> Service<S> {
    /// Grades `record` against the holder of `my_number`, with every resident born on the record's birth date
    /// as a possible better fit. Returns the grading of an A or B; a C (or an unknown number) is an error.
    pub(crate) fn grade_link(&self, record: &Record<'_>, my_number: &MyNumber) -> Result<Grading<MyNumber>> {
        let Some(owner) = self.store.resident(my_number)? else {
            return Err(rejected(
                vec!["unknown_my_number".into()],
                json!({"grade": "C", "reasons": ["unknown_my_number"]}),
            ));
        };
        let rec = Prepared::new(&Basic4 {
            name: record.name,
            name_kana: Some(record.name_kana),
            birth_date: record.birth_date,
            sex: Some(linkage_sex(record.sex)),
            address: Some(record.address),
        });
        let owner_p = prepare_resident(&owner);
        // Every resident born on the record's birth date may fit it better (a twin, a same-name stranger);
        // skipping the owner by id keeps a duplicate registration (same basic four, two numbers) visible.
        let others: Vec<(MyNumber, Prepared)> = self
            .store
            .residents_born_on(record.birth_date)?
            .iter()
            .map(|r| (r.my_number, prepare_resident(r)))
            .collect();
        let g = onshi_linkage::grade_by_id(&rec, my_number, &owner_p, others.iter().map(|(id, p)| (id, p)));
        if g.grade == Grade::C {
            let reasons: Vec<String> = g.reasons.iter().map(|r| r.as_str().to_owned()).collect();
            let f = &g.fields;
            return Err(rejected(
                reasons.clone(),
                json!({
                    "grade": "C",
                    "reasons": reasons,
                    "fields": {
                        "name": f.name.as_str(), "name_kana": f.name_kana.as_str(),
                        "birth_date": f.birth_date.as_str(), "sex": f.sex.as_str(), "address": f.address.as_str(),
                    },
                    "better_candidate": g.better.is_some(),
                }),
            ));
        }
        Ok(g)
    }
}
