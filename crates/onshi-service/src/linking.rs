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

/// What the records held without a My Number (未登録者) say about a card holder, graded by [`Service::grade_link`].
struct Unlinked {
    /// Valid records graded A: the holder's own.
    own: Vec<onshi_store::MemberRecord>,
    /// Valid records graded B, with the grading's reasons: perhaps the holder's (入力ミス等), never shown before
    /// the insurer confirms it with the person.
    maybe: Vec<(onshi_store::MemberRecord, Vec<String>)>,
}

/// The refusal of a check by person that found no coverage through the links but a record held without a My
/// Number that may be the holder's (grade B): nothing of it is shown; the insurer is asked to confirm it.
pub(crate) fn unlinked_unconfirmed_error() -> ServiceError {
    ServiceError::new(
        crate::error::ErrorKind::Conflict,
        "unlinked_record_unconfirmed",
        "このマイナンバーに紐付いた資格はありませんが、保険者がマイナンバー未登録のまま持つ資格が、カードの持ち主の\
         基本4情報とほぼ一致します（判定B）。本人と確認できるまで表示しません \
         (no coverage is linked to this My Number; a record an insurer holds without it nearly matches the holder: \
         grade B, not shown until the insurer confirms it with the person)",
    )
    .next(
        "資格確認書または資格情報のお知らせの番号（保険者番号・記号・番号・枝番）で確認してください。保険者には本人確認の\
         依頼（ケース）が届いています (check by the numbers on the 資格確認書 or 資格情報のお知らせ instead; the \
         insurer has been sent a case to confirm the record with the patient)",
    )
}

impl<S: Store> Service<S> {
    /// Grades every valid record held without a My Number born on the holder's birth date against the holder.
    fn unlinked_of(&self, holder: &Resident, service_date: Date) -> Result<Unlinked> {
        let mut found = Unlinked { own: Vec::new(), maybe: Vec::new() };
        for m in self.for_clinic(self.store.unlinked_members_born_on(holder.birth_date)?) {
            let Some(r) = onshi_ledger::resolve(&m.history, service_date, None) else {
                continue;
            };
            if r.status != onshi_ledger::Status::Covered {
                continue;
            }
            let record = Record {
                name: r.name,
                name_kana: r.name_kana,
                birth_date: m.history.statik.birth_date,
                sex: m.history.statik.sex,
                address: r.address,
            };
            match self.grade_link(&record, &holder.my_number) {
                Ok(g) if g.grade == Grade::A => found.own.push(m),
                Ok(g) => {
                    let reasons = g.reasons.iter().map(|r| r.as_str().to_owned()).collect();
                    found.maybe.push((m, reasons));
                }
                Err(e) if e.code == "linkage_rejected" => {}
                Err(e) => return Err(e),
            }
        }
        Ok(found)
    }

    /// The records a check by person chooses among: the person's `linked` records; and, when none of them is
    /// valid on the service date, the records insurers hold **without** a My Number (未登録者) that are the
    /// holder's own — graded A against the holder by the one grading of every link ([`Service::grade_link`]:
    /// another resident who fits as well makes it C, so a twin or a same-name stranger is never shown). With
    /// such a record, the notice `unlinked_record_matched` says so and what to do. A record that grades B (perhaps
    /// the holder's, perhaps not) is never shown: the check is refused with `unlinked_record_unconfirmed` (the
    /// next step: the 資格確認書's numbers) and a case is opened for its insurer, naming the holder's My Number
    /// as the suggested link (one open case a record). Shared by the check by My Number and the check by card.
    pub(crate) async fn person_records(
        &self,
        cx: &crate::Ctx,
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
        let found = self.unlinked_of(&holder, service_date)?;
        if found.own.is_empty() {
            if found.maybe.is_empty() {
                return Ok((linked, None));
            }
            self.open_counter_cases(cx, my_number, found.maybe).await?;
            return Err(unlinked_unconfirmed_error());
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
        all.extend(found.own);
        Ok((all, Some(notice)))
    }

    /// Opens, for each record graded B against a card holder at the counter, a case for its insurer (grade B,
    /// the holder's My Number suggested), unless the record has an open case already.
    async fn open_counter_cases(
        &self,
        cx: &crate::Ctx,
        holder: &MyNumber,
        maybe: Vec<(onshi_store::MemberRecord, Vec<String>)>,
    ) -> Result<()> {
        let cases = maybe
            .into_iter()
            .map(|(m, reasons)| onshi_store::CaseWrite {
                insurer_number: m.history.statik.key.insurer_number,
                member_id: m.id,
                record_id: m.id.to_string(),
                my_number: None,
                grade: "B".to_owned(),
                reasons,
                suggested_my_number: Some(*holder),
                opened_by: format!("{}:{} (counter)", cx.actor.role.as_str(), cx.actor.subject),
                request_id: cx.request_id.clone(),
            })
            .collect();
        self.store.import_cases(cases).done().await?;
        Ok(())
    }
}
