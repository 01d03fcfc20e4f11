//! Registry events reach insurers: a death recorded by the registry, or a name change or move written with
//! `PUT /registry/v1/residents/{my_number}`, is offered to the insurer of every member record linked to that
//! My Number as a change to review. Nothing is applied to a member without its insurer's accept: a death then
//! ends coverage from the next day (資格喪失, reason 死亡); a change is appended effective on the registry's
//! date.

use onshi_ids::InsurerNumber;
use onshi_law::Date;
use onshi_ledger::{Change, LossReason};
use onshi_store::{Decide, RegistryChange, RegistryEvent, Store, StoreError};

use crate::auth::{Action, authorize};
use crate::corrections_api::{DeathAnswer, DeathBody, DecisionBody, RegistryEventList, RegistryEventView};
use crate::error::{Result, ServiceError};
use crate::{Ctx, Role, Service, parse, views};

/// What accepting an event appends to its member, given the member's coverage as known now: for a death, the
/// loss from the day after (unless coverage already ended by then); for a change, an Update on the registry's
/// date (or the acquisition, if later). One rule for the view's `on_accept` and for the accept itself.
pub(crate) fn on_accept(ev: &RegistryEvent, period: Option<(Date, Option<Date>)>) -> Option<(Date, Change)> {
    let (acquired_on, lost_on) = period?;
    match &ev.change {
        RegistryChange::Death => {
            let from = ev.effective_on.succ_opt()?;
            if lost_on.is_some_and(|l| l <= from) {
                return None;
            }
            Some((from, Change::Lose { reason: Some(LossReason::Death) }))
        }
        RegistryChange::Change { name, name_kana, address } => Some((
            ev.effective_on.max(acquired_on),
            Change::Update {
                name: name.clone(),
                name_kana: name_kana.clone(),
                address: address.clone(),
                income_bracket: None,
                copay_override: None,
            },
        )),
    }
}

fn describe(apply: &Option<(Date, Change)>) -> String {
    match apply {
        Some((d, Change::Lose { .. })) => format!("資格喪失 from {} (reason 死亡)", views::date(*d)),
        Some((d, _)) => format!("the change is recorded effective {}", views::date(*d)),
        None => "nothing to change: coverage had already ended (or the acquisition was voided)".to_owned(),
    }
}

fn view(ev: &RegistryEvent, apply: &Option<(Date, Change)>) -> RegistryEventView {
    let changes = match &ev.change {
        RegistryChange::Death => None,
        c => serde_json::to_value(c).ok().map(|mut v| {
            if let Some(o) = v.as_object_mut() {
                o.remove("kind");
            }
            v
        }),
    };
    let d = ev.decision.as_ref();
    RegistryEventView {
        event_id: ev.id.to_string(),
        kind: ev.change.kind().to_owned(),
        my_number: ev.my_number.as_str().to_owned(),
        member_id: ev.member_id.to_string(),
        insurer_number: ev.insurer_number.as_str().to_owned(),
        effective_on: views::date(ev.effective_on),
        changes,
        recorded_at: views::timestamp(ev.recorded_at),
        status: match d {
            None => "open",
            Some(d) if d.accepted => "accepted",
            Some(_) => "rejected",
        }
        .to_owned(),
        on_accept: describe(apply),
        decided_by: d.map(|d| d.by.clone()),
        decided_at: d.map(|d| views::timestamp(d.at)),
        reason: d.and_then(|d| d.reason.clone()),
        applied_seq: d.and_then(|d| d.applied_seq).map(|s| s.0),
    }
}

fn event_not_found(id: &str) -> ServiceError {
    ServiceError::not_found(&format!("registry event {id}")).next(
        "list your open events with GET /insurer/v1/registry-events and use an event_id from there; an insurer \
         sees only the events of its own members",
    )
}

fn store_refusal(e: StoreError) -> ServiceError {
    e.into()
}

impl<S: Store> Service<S> {
    /// `POST /registry/v1/residents/{my_number}/death`: records a death (once) and offers it to the insurer of
    /// every linked member record still covered.
    pub async fn record_death(&self, cx: &Ctx, my_number: &str, body: DeathBody) -> Result<DeathAnswer> {
        authorize(&cx.actor, Action::WriteRegistry)?;
        let mn = parse::my_number(my_number, "my_number")?;
        let died_on = parse::date(&body.died_on, "died_on")?;
        let today = onshi_law::legal_today(self.now());
        if died_on > today {
            return Err(ServiceError::invalid_value("died_on", "the day of death is in the future")
                .next("give the day of death as the 死亡届 states it (YYYY-MM-DD)"));
        }
        let resident = self.store.resident(&mn)?.ok_or_else(|| store_refusal(StoreError::ResidentNotFound))?;
        if died_on < resident.birth_date {
            return Err(ServiceError::invalid_value("died_on", "the day of death is before the birth date")
                .next("check the day of death against the 死亡届 and the resident's birth date"));
        }
        let offered = self.store.record_death(mn, died_on).done().await.map_err(store_refusal)?;
        let mut views = Vec::with_capacity(offered.len());
        for ev in &offered {
            let period = self.store.member(ev.member_id)?.and_then(|m| m.history.period_opt(None));
            views.push(view(ev, &on_accept(ev, period)));
        }
        Ok(DeathAnswer { my_number: mn.as_str().to_owned(), died_on: views::date(died_on), offered: views })
    }

    /// `GET /insurer/v1/registry-events?status=open|all[&insurer_number=…]`: the changes offered to an insurer,
    /// oldest first (open ones by default). Each event listed is a read of a person's data: it is logged.
    pub async fn registry_events(&self, cx: &Ctx, query: Option<&str>) -> Result<RegistryEventList> {
        let mut open_only = true;
        let mut asked: Option<InsurerNumber> = None;
        for pair in query.unwrap_or_default().split('&').filter(|p| !p.is_empty()) {
            match pair.split_once('=').unwrap_or((pair, "")) {
                ("status", "open") => open_only = true,
                ("status", "all") => open_only = false,
                ("status", other) => {
                    return Err(ServiceError::invalid_value("status", format!("status {other:?} is not open or all"))
                        .next("give status=open (the default) or status=all"));
                }
                ("insurer_number", v) => asked = Some(parse::insurer_number(v, "insurer_number")?),
                (k, _) => {
                    return Err(ServiceError::invalid("unknown_field", k, format!("unknown query parameter {k:?}"))
                        .next("this route takes status (open or all) and, for the administrator, insurer_number"));
                }
            }
        }
        let insurer = match cx.actor.role {
            Role::Insurer => cx.actor.insurer,
            _ => asked,
        };
        match &insurer {
            Some(i) => authorize(&cx.actor, Action::ReadMember(i))?,
            None => authorize(&cx.actor, Action::IssueCredential)
                .map_err(|_| ServiceError::forbidden("read registry events"))?,
        }
        let events = self.store.registry_events(insurer.as_ref(), open_only)?;
        let mut out = Vec::with_capacity(events.len());
        for ev in &events {
            let rec = self.store.member(ev.member_id)?;
            if let Some(rec) = &rec {
                self.log(cx, Some(rec), "registry_event").await?;
            }
            let apply =
                if ev.decision.is_none() { on_accept(ev, rec.and_then(|m| m.history.period_opt(None))) } else { None };
            out.push(view(ev, &apply));
        }
        Ok(RegistryEventList { events: out })
    }

    /// `POST /insurer/v1/registry-events/{event_id}/accept` or `…/reject`: the insurer's decision. Accepting
    /// appends the change to the member in the same transaction as the decision; rejecting needs a reason.
    pub async fn decide_registry_event(
        &self,
        cx: &Ctx,
        event_id: &str,
        accept: bool,
        body: DecisionBody,
    ) -> Result<RegistryEventView> {
        let id = event_id.trim().parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| event_not_found(event_id))?;
        let ev = self.store.registry_event(id)?.ok_or_else(|| event_not_found(event_id))?;
        if authorize(&cx.actor, Action::WriteMembers(&ev.insurer_number)).is_err() {
            if cx.actor.role == Role::Insurer {
                return Err(event_not_found(event_id));
            }
            authorize(&cx.actor, Action::WriteMembers(&ev.insurer_number))?;
        }
        let reason = match body.reason.as_deref() {
            Some(r) => Some(parse::text(r, "reason")?.to_owned()),
            None if accept => None,
            None => {
                return Err(ServiceError::invalid("missing_field", "reason", "a rejection needs a reason").next(
                    "say why the registry's change does not apply to this member (e.g. 別人への紐付け: 調査中)",
                ));
            }
        };
        let rec = self.store.member(ev.member_id)?.ok_or_else(|| event_not_found(event_id))?;
        let apply = if accept { on_accept(&ev, rec.history.period_opt(None)) } else { None };
        let decided = self
            .store
            .decide_registry_event(Decide {
                id,
                accepted: accept,
                by: cx.actor.subject.clone(),
                reason,
                apply: apply.clone(),
            })
            .done()
            .await
            .map_err(store_refusal)?;
        self.log(cx, Some(&rec), if accept { "registry_event_accepted" } else { "registry_event_rejected" }).await?;
        Ok(view(&decided, &apply))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use onshi_ids::MyNumber;
    use onshi_ledger::RecordedAt;
    use onshi_store::MemberId;

    fn d(y: i32, m: u32, day: u32) -> Date {
        Date::from_ymd_opt(y, m, day).unwrap_or(Date::MIN)
    }

    fn event(change: RegistryChange, on: Date) -> Option<RegistryEvent> {
        Some(RegistryEvent {
            id: 1,
            my_number: MyNumber::from_body("20240401001").ok()?,
            member_id: MemberId(1),
            insurer_number: InsurerNumber::parse("06139992").ok()?,
            change,
            effective_on: on,
            recorded_at: RecordedAt(0),
            decision: None,
        })
    }

    #[test]
    fn a_death_ends_coverage_the_next_day_unless_it_had_ended() {
        let Some(ev) = event(RegistryChange::Death, d(2025, 1, 10)) else { panic!("event") };
        let lose = Some((d(2025, 1, 11), Change::Lose { reason: Some(LossReason::Death) }));
        assert_eq!(on_accept(&ev, Some((d(2020, 4, 1), None))), lose);
        assert_eq!(on_accept(&ev, Some((d(2020, 4, 1), Some(d(2025, 3, 1))))), lose, "a later loss is moved earlier");
        assert_eq!(on_accept(&ev, Some((d(2020, 4, 1), Some(d(2025, 1, 11))))), None);
        assert_eq!(on_accept(&ev, Some((d(2020, 4, 1), Some(d(2024, 1, 1))))), None);
        assert_eq!(on_accept(&ev, None), None, "no acquisition in force");
    }

    #[test]
    fn a_change_applies_on_the_registry_date_or_the_acquisition() {
        let change = RegistryChange::Change { name: None, name_kana: None, address: Some("新住所".into()) };
        let Some(ev) = event(change, d(2025, 1, 10)) else { panic!("event") };
        let want = |on| {
            Some((
                on,
                Change::Update {
                    name: None,
                    name_kana: None,
                    address: Some("新住所".into()),
                    income_bracket: None,
                    copay_override: None,
                },
            ))
        };
        assert_eq!(on_accept(&ev, Some((d(2020, 4, 1), None))), want(d(2025, 1, 10)));
        assert_eq!(on_accept(&ev, Some((d(2025, 4, 1), None))), want(d(2025, 4, 1)));
    }
}
