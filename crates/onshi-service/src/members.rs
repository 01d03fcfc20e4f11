//! The insurer role (中間サーバー): enrolment (資格取得), loss (資格喪失), changes, and a member's history.

use onshi_ids::{InsurerNumber, Scheme};
use onshi_law::{Copay, CopayRatio, Date, IncomeBracket};
use onshi_ledger::{Change, CopayOverride, MemberKey, MemberStatic, Relationship};
use onshi_store::{MemberRecord, NewMember, Store};

use crate::api::{ChangeBody, EnrolAnswer, EnrolBody, LossBody, MemberView};
use crate::auth::{Action, authorize};
use crate::error::{Result, ServiceError};
use crate::linking::Record;
use crate::{CopaySource, Ctx, Service, parse, views};

/// The reason recorded with a ratio taken as the insurer typed it ([`CopaySource::AsTyped`]).
pub(crate) const AS_TYPED: &str = "as typed by the insurer";

/// The copay override an insurer asks for. With the law as the source ([`CopaySource::Law`]) it is checked
/// against the law on `on`: a ratio equal to the law's is no override; a different one needs a reason. Taken
/// as typed ([`CopaySource::AsTyped`]), every ratio given is recorded as it is.
#[allow(clippy::too_many_arguments)]
fn copay_override(
    source: CopaySource,
    birth: Date,
    on: Date,
    scheme: Scheme,
    bracket: Option<IncomeBracket>,
    ratio: Option<u8>,
    reason: Option<&str>,
) -> Result<Option<CopayOverride>> {
    if source == CopaySource::AsTyped {
        return ratio
            .map(|r| Ok(CopayOverride { ratio: parse::copay_ratio(r, "copay_ratio")?, reason: AS_TYPED.to_owned() }))
            .transpose();
    }
    let Some(ratio) = ratio else {
        if reason.is_some_and(|r| !r.trim().is_empty()) {
            return Err(ServiceError::invalid_value(
                "copay_ratio_reason",
                "copay_ratio_reason explains a copay_ratio; none was given",
            )
            .next("give the copay_ratio the reason explains, or leave copay_ratio_reason out"));
        }
        return Ok(None);
    };
    let ratio: CopayRatio = parse::copay_ratio(ratio, "copay_ratio")?;
    let law = match onshi_law::copay(birth, on, scheme, bracket) {
        Copay::Covered { ratio, .. } => ratio,
        _ => return Ok(None),
    };
    if law == ratio {
        return Ok(None);
    }
    match reason.map(str::trim).filter(|r| !r.is_empty()) {
        Some(reason) => {
            Ok(Some(CopayOverride { ratio, reason: parse::text(reason, "copay_ratio_reason")?.to_owned() }))
        }
        None => Err(ServiceError::invalid(
            "copay_ratio_mismatch",
            "copay_ratio",
            format!(
                "the law gives {}% on {} for this person (age, income bracket, insurer), not {}%",
                law.percent(),
                views::date(on),
                ratio.percent()
            ),
        )
        .next("leave copay_ratio out to follow the law, or explain the exception in copay_ratio_reason")),
    }
}

impl<S: Store> Service<S> {
    /// `POST /insurer/v1/members`: enrols a member. With a My Number, the record is graded against the
    /// registry first; a C stores nothing.
    pub async fn enrol(&self, cx: &Ctx, body: EnrolBody) -> Result<EnrolAnswer> {
        let insurer = parse::insurer_number(&body.insurer_number, "insurer_number")?;
        authorize(&cx.actor, Action::WriteMembers(&insurer))?;
        let key = MemberKey {
            insurer_number: insurer,
            symbol: parse::symbol(body.symbol.as_deref(), "symbol")?,
            number: parse::number(&body.number, "number")?,
            branch: parse::branch(&body.branch, "branch")?,
        };
        let my_number = body.my_number.as_deref().map(|m| parse::my_number(m, "my_number")).transpose()?;
        let name = parse::text(&body.name, "name")?;
        let name_kana = parse::text(&body.name_kana, "name_kana")?;
        let address = parse::text(&body.address, "address")?;
        let birth_date = parse::date(&body.birth_date, "birth_date")?;
        let acquired_on = parse::date(&body.acquired_on, "acquired_on")?;
        let sex = parse::sex(body.sex);
        let relationship = parse::relationship(body.relationship);
        if acquired_on < birth_date {
            return Err(ServiceError::invalid_value("acquired_on", "acquired_on is before the birth date")
                .next("check acquired_on (資格取得日) and birth_date: coverage starts on or after the birth date"));
        }
        let scheme = insurer.scheme();
        let bracket = body.income_bracket.map(parse::income_bracket);
        if let Copay::AgedOut { since } = onshi_law::copay(birth_date, acquired_on, scheme, bracket) {
            return Err(ServiceError::invalid_value(
                "acquired_on",
                format!(
                    "from the 75th birthday ({}) a person is covered by 後期高齢者医療, not by this insurer",
                    views::date(since)
                ),
            )
            .next("enrol the person with the prefecture's 後期高齢者医療広域連合"));
        }
        let over = copay_override(
            self.policy.copay_source(),
            birth_date,
            acquired_on,
            scheme,
            bracket,
            body.copay_ratio,
            body.copay_ratio_reason.as_deref(),
        )?;
        let linkage = match &my_number {
            Some(mn) if self.policy.grades_links() => {
                let g = self.grade_link(&Record { name, name_kana, birth_date, sex, address }, mn)?;
                Some(crate::links::linkage_record(&g, self.now()))
            }
            _ => None,
        };
        let rec = self
            .store
            .enrol(NewMember {
                statik: MemberStatic { key, relationship, birth_date, sex },
                my_number,
                linkage: linkage.clone(),
                acquired_on,
                acquire: Change::Acquire {
                    name: name.to_owned(),
                    name_kana: name_kana.to_owned(),
                    address: address.to_owned(),
                    income_bracket: bracket,
                    copay_override: over,
                },
            })
            .done()
            .await?;
        Ok(EnrolAnswer { member_id: rec.id.to_string(), linkage: linkage.as_ref().map(views::linkage) })
    }

    /// A member the actor may change (404 for another insurer's member: no existence oracle).
    pub(crate) fn member_for(&self, cx: &Ctx, member_id: &str, write: bool) -> Result<MemberRecord> {
        let id = parse::member_id(member_id)?;
        let rec = self.store.member(id)?.ok_or_else(|| ServiceError::member_not_found(member_id))?;
        let insurer: &InsurerNumber = &rec.history.statik.key.insurer_number;
        let action = if write { Action::WriteMembers(insurer) } else { Action::ReadMember(insurer) };
        if authorize(&cx.actor, action).is_err() {
            if cx.actor.role == crate::Role::Insurer {
                return Err(ServiceError::member_not_found(member_id));
            }
            authorize(&cx.actor, action)?;
        }
        Ok(rec)
    }

    /// `POST /insurer/v1/members/{member_id}/loss`: 資格喪失 from `lost_on` (the first day without coverage).
    pub async fn lose(&self, cx: &Ctx, member_id: &str, body: LossBody) -> Result<MemberView> {
        let rec = self.member_for(cx, member_id, true)?;
        let lost_on = parse::date(&body.lost_on, "lost_on")?;
        let rec = self.store.append(rec.id, lost_on, Change::Lose { reason: None }).done().await?;
        Ok(views::member(&rec, onshi_law::legal_today(self.now())))
    }

    /// `POST /insurer/v1/members/{member_id}/changes`: personal data, income bracket or copay exception from
    /// `effective_on`. History is kept.
    pub async fn change(&self, cx: &Ctx, member_id: &str, body: ChangeBody) -> Result<MemberView> {
        let rec = self.member_for(cx, member_id, true)?;
        let effective_on = parse::date(&body.effective_on, "effective_on")?;
        let name = body.name.as_deref().map(|s| parse::text(s, "name")).transpose()?;
        let name_kana = body.name_kana.as_deref().map(|s| parse::text(s, "name_kana")).transpose()?;
        let address = body.address.as_deref().map(|s| parse::text(s, "address")).transpose()?;
        let bracket = body.income_bracket.map(parse::income_bracket);
        if name.is_none() && name_kana.is_none() && address.is_none() && bracket.is_none() && body.copay_ratio.is_none()
        {
            return Err(ServiceError::invalid(
                "missing_field",
                "name",
                "a change needs at least one of name, name_kana, address, income_bracket, copay_ratio",
            )
            .next("add the field that changes: name, name_kana, address, income_bracket or copay_ratio"));
        }
        let h = &rec.history;
        let known_bracket = onshi_ledger::resolve(h, effective_on, None).and_then(|r| r.income_bracket);
        let over = copay_override(
            self.policy.copay_source(),
            h.statik.birth_date,
            effective_on,
            h.statik.key.insurer_number.scheme(),
            bracket.or(known_bracket),
            body.copay_ratio,
            body.copay_ratio_reason.as_deref(),
        )?;
        let change = Change::Update {
            name: name.map(str::to_owned),
            name_kana: name_kana.map(str::to_owned),
            address: address.map(str::to_owned),
            income_bracket: bracket,
            copay_override: over,
        };
        let rec = self.store.append(rec.id, effective_on, change).done().await?;
        Ok(views::member(&rec, onshi_law::legal_today(self.now())))
    }

    /// `GET /insurer/v1/members/{member_id}`: the member with its full history. The read is in the access
    /// log (`member`).
    pub async fn member(&self, cx: &Ctx, member_id: &str) -> Result<MemberView> {
        self.member_as_known(cx, member_id, None).await
    }
}

/// Whether `r` is the insured person (被保険者) of a household.
pub(crate) fn is_insured(r: &MemberRecord) -> bool {
    r.history.statik.relationship == Relationship::Insured
}
