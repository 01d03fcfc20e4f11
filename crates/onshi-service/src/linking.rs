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

impl<S: Store> Service<S> {
    /// The records a check by person chooses among: the person's `linked` records; and, when none of them is
    /// valid on the service date, the records insurers hold **without** a My Number (未登録者) that are the
    /// holder's own — graded A against the holder by the one grading of every link ([`Service::grade_link`]:
    /// another resident who fits as well makes it C, so a twin or a same-name stranger is never shown). With
    /// such a record, the notice `unlinked_record_matched` says so and what to do. Shared by the check by My
    /// Number and the check by card.
    pub(crate) fn person_records(
        &self,
        my_number: &MyNumber,
        linked: Vec<onshi_store::MemberRecord>,
        service_date: Date,
    ) -> Result<(Vec<onshi_store::MemberRecord>, Option<crate::api::Notice>)> {
        let valid = |m: &onshi_store::MemberRecord| {
            onshi_ledger::resolve(&m.history, service_date, None)
                .is_some_and(|r| r.status == onshi_ledger::Status::Covered)
        };
        if !self.policy.answers_unlinked() || linked.iter().any(valid) {
            return Ok((linked, None));
        }
        let Some(holder) = self.store.resident(my_number)? else {
            return Ok((linked, None));
        };
        let mut own = Vec::new();
        for m in self.for_clinic(self.store.unlinked_members_born_on(holder.birth_date)?) {
            let Some(r) = onshi_ledger::resolve(&m.history, service_date, None) else {
                continue;
            };
            let record = Record {
                name: r.name,
                name_kana: r.name_kana,
                birth_date: m.history.statik.birth_date,
                sex: m.history.statik.sex,
                address: r.address,
            };
            let is_own = match self.grade_link(&record, my_number) {
                Ok(g) => g.grade == Grade::A,
                Err(e) if e.code == "linkage_rejected" => false,
                Err(e) => return Err(e),
            };
            if is_own && valid(&m) {
                own.push(m);
            }
        }
        if own.is_empty() {
            return Ok((linked, None));
        }
        let notice = crate::api::Notice {
            code: "unlinked_record_matched".to_owned(),
            message:
                "保険者がこの資格にマイナンバーを登録していません（未登録者）。カードの持ち主の基本4情報と一致する資格\
                      （判定A）を表示しています。患者さんには保険者へマイナンバーの登録を届け出るよう案内してください \
                      (the insurer holds this coverage without the patient's My Number; it matches the card holder's \
                      basic four, grade A)"
                    .to_owned(),
        };
        let mut all = linked;
        all.extend(own);
        Ok((all, Some(notice)))
    }
}
