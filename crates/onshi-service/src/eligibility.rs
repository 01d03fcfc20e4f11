//! The clinic role: eligibility checks (オンライン資格確認) by what the card or certificate shows, or by the
//! person (the My Number card, once its holder is authenticated).
//!
//! The answer is the ledger's resolution of the member's history on the service date, with the copay law
//! applied, the name made claim-ready, and notices that tell the receptionist what to do. What a clinic sees
//! of a history, where the copay ratio comes from and how the name is shown follow the service's
//! [`Policy`](crate::Policy). Every check is in the access log before the answer leaves.

use onshi_ids::MyNumber;
use onshi_law::{Copay, CopayBasis, Date};
use onshi_ledger::{Change, MemberHistory, PersonSelection, RecordedAt, Resolution, Selection, Status};
use onshi_store::{AccessEntry, MemberRecord, Store};

use crate::api::{CoverageView, EligibilityAnswer, EligibilityBody, Notice};
use crate::auth::{Action, authorize};
use crate::error::{ErrorKind, Result, ServiceError};
use crate::members::is_insured;
use crate::{CopaySource, Ctx, Service, parse, views};

fn notice(code: &str, message: impl Into<String>) -> Notice {
    Notice { code: code.to_owned(), message: message.into() }
}

fn basis(b: &CopayBasis) -> &'static str {
    match b {
        CopayBasis::Preschool => "preschool",
        CopayBasis::Working => "working",
        CopayBasis::Elderly70 => "elderly_70",
        CopayBasis::Elderly70Active => "elderly_70_active",
        CopayBasis::LateStage(_) => "late_stage",
    }
}

/// The notice of an answer found under a number written with other leading zeros than the one sent.
fn spelling_notice(registered: &onshi_ids::InsuredNumber, sent: &onshi_ids::InsuredNumber) -> Notice {
    let digits = |n: &onshi_ids::InsuredNumber| n.as_str().chars().count();
    notice(
        "number_written_differently",
        format!(
            "the insurer registered this number as {} ({} digits); {} ({} digits) was sent. They differ only by \
             leading zeros, so they are the same number: write {} on the claim and correct it in the レセコン",
            registered,
            digits(registered),
            sent,
            digits(sent),
            registered
        ),
    )
}

/// The resolution of the record covering `on` among `records` (a household's insured members).
fn covering<'a>(records: &'a [MemberRecord], on: Date) -> Option<Resolution<'a>> {
    let all: Vec<Resolution<'a>> = records.iter().filter_map(|r| onshi_ledger::resolve(&r.history, on, None)).collect();
    let pick = all.iter().position(|r| r.status == Status::Covered).or(if all.is_empty() { None } else { Some(0) });
    pick.and_then(|i| all.into_iter().nth(i))
}

impl<S: Store> Service<S> {
    /// The members as a clinic asking now sees them: only the entries the policy makes visible; a member
    /// whose acquisition is not visible yet does not exist for the clinic.
    pub(crate) fn for_clinic(&self, members: Vec<MemberRecord>) -> Vec<MemberRecord> {
        let now = RecordedAt::from_datetime(self.now());
        let policy = &*self.policy;
        members
            .into_iter()
            .filter_map(|mut m| {
                let statik = &m.history.statik;
                if m.history.entries.iter().all(|e| policy.visible(statik, e, now)) {
                    return Some(m);
                }
                let statik = statik.clone();
                m.history.entries.retain(|e| policy.visible(&statik, e, now));
                m.history.entries.iter().any(|e| matches!(e.change, Change::Acquire { .. })).then_some(m)
            })
            .collect()
    }

    /// `POST /clinic/v1/eligibility`.
    pub async fn check(&self, cx: &Ctx, body: EligibilityBody) -> Result<EligibilityAnswer> {
        authorize(&cx.actor, Action::CheckEligibility)?;
        let insurer = parse::insurer_number(&body.insurer_number, "insurer_number")?;
        let symbol = parse::symbol(body.symbol.as_deref(), "symbol")?;
        let number = parse::number(&body.number, "number")?;
        let branch =
            body.branch.as_deref().filter(|b| !b.trim().is_empty()).map(|b| parse::branch(b, "branch")).transpose()?;
        let birth_date = parse::date(&body.birth_date, "birth_date")?;
        let service_date = self.service_date(body.service_date.as_deref())?;

        let found: Vec<MemberRecord> = self.for_clinic(self.store.members_by_card(&insurer, &number, birth_date)?);
        let histories: Vec<&MemberHistory> = found.iter().map(|m| &m.history).collect();
        let selected = match onshi_ledger::select_by_number(
            &histories,
            symbol.as_ref(),
            &number,
            branch.as_ref(),
            service_date,
        ) {
            Selection::One(h) => found.iter().find(|m| std::ptr::eq(&m.history, h)),
            Selection::BranchRequired => {
                self.log(cx, None, "branch_required").await?;
                return Err(ServiceError::new(
                    ErrorKind::Conflict,
                    "branch_required",
                    "more than one person shares this insurer, symbol, number and birth date (twins?): the 枝番 decides",
                )
                .at("branch")
                .next("ask for the card or 資格確認書 and send its 枝番 (branch)"));
            }
            Selection::SymbolRequired => {
                self.log(cx, None, "symbol_required").await?;
                return Err(ServiceError::new(
                    ErrorKind::Conflict,
                    "symbol_required",
                    "more than one person under this insurer has this number and birth date, under different 記号 \
                     (symbols), and no 記号 was sent: onshi does not choose between two people",
                )
                .at("symbol")
                .next(
                    "ask for the card or 資格確認書 and send its 記号 (symbol) exactly as printed, with its 枝番 \
                     (branch); a card that shows no 記号: check by the My Number card, or ask the insurer",
                ));
            }
            Selection::ExactNumberRequired => {
                self.log(cx, None, "exact_number_required").await?;
                let mut lengths: Vec<usize> =
                    histories.iter().map(|h| h.statik.key.number.as_str().chars().count()).collect();
                lengths.sort_unstable();
                lengths.dedup();
                let lengths: Vec<String> = lengths.iter().map(usize::to_string).collect();
                return Err(ServiceError::new(
                    ErrorKind::Conflict,
                    "exact_number_required",
                    format!(
                        "the insurer has records under this number written with different leading zeros ({} digits), \
                         and the number sent is written as none of them: onshi does not guess which is meant",
                        lengths.join(" and ")
                    ),
                )
                .at("number")
                .next(
                    "send the number exactly as printed on the card or 資格確認書, with its leading zeros (the \
                     レセコン may have dropped or added a zero)",
                ));
            }
            Selection::None => None,
        };
        let Some(member) = selected else {
            self.log(cx, None, "not_found").await?;
            return Ok(self.not_found(
                "no member with this insurer, number and birth date. Check the numbers and the birth date on the \
                 card; if the patient has just joined, the insurer may not have registered yet: ask for a \
                 資格確認書 or 資格情報のお知らせ, or use 被保険者資格申立書 and charge the usual ratio.",
            ));
        };
        let mut answer = self.answer_for(member, service_date, onshi_law::legal_today(self.now()))?;
        let registered = &member.history.statik.key.number;
        if *registered != number {
            answer.notices.insert(0, spelling_notice(registered, &number));
        }
        self.log(cx, Some(member), &answer.result).await?;
        Ok(answer)
    }

    /// Eligibility of a person, found by My Number: every coverage linked to the number, resolved on the
    /// service date (`None`: today in Japan), chosen by the one rule of a check by person
    /// ([`onshi_ledger::select_for_person`], shared with the check by card): the newest valid coverage, the
    /// others valid that day listed in the notice `overlapping_coverage`; when none is valid, the newest
    /// acquisition answered as `invalid`; with no linked record, `not_found`.
    ///
    /// This is the question of the My Number card (マイナ保険証) at the counter. It takes the number as
    /// given: the caller must have authenticated the holder (the card's certificate), which is why it has no
    /// HTTP route of its own.
    pub async fn check_person(
        &self,
        cx: &Ctx,
        my_number: &str,
        service_date: Option<&str>,
    ) -> Result<EligibilityAnswer> {
        authorize(&cx.actor, Action::CheckEligibility)?;
        let mn: MyNumber = parse::my_number(my_number, "my_number")?;
        let service_date = self.service_date(service_date)?;
        let linked = self.for_clinic(self.store.members_by_my_number(&mn)?);
        // a refusal (a link pending or suspended, a record that only nearly matches) is logged like an answer
        let found = match crate::links::link_gate(&linked) {
            Ok(()) => self.person_records(cx, &mn, linked, service_date).await,
            Err(e) => Err(e),
        };
        let (linked, unlinked) = match found {
            Ok(found) => found,
            Err(e) => {
                self.log(cx, None, e.code).await?;
                return Err(e);
            }
        };
        let (member, mut notices) = self.select_for_person(&linked, service_date);
        notices.extend(unlinked);
        let Some(member) = member else {
            self.log(cx, None, "not_found").await?;
            let mut answer = self.not_found(
                "no coverage is linked to this My Number. If the patient has just joined an insurer, it may not \
                 have recorded the membership yet: ask for a 資格確認書 or 資格情報のお知らせ and check by its \
                 numbers, or use 被保険者資格申立書 and charge the usual ratio.",
            );
            answer.notices.extend(self.newborn_pending(&mn, service_date)?);
            return Ok(answer);
        };
        let mut answer = self.answer_for(member, service_date, onshi_law::legal_today(self.now()))?;
        answer.notices.splice(0..0, notices);
        // the person is named even when the record is held without the My Number (未登録者)
        self.log_read(cx, Some(member.id), Some(mn), &answer.result).await?;
        Ok(answer)
    }

    /// The coverage a check by person answers with among the person's `linked` records (as the clinic sees
    /// them), by the ledger's one rule, and the notice of the other valid ones. Shared by the check by My Number
    /// and the check by card.
    pub(crate) fn select_for_person<'a>(
        &self,
        linked: &'a [MemberRecord],
        service_date: Date,
    ) -> (Option<&'a MemberRecord>, Vec<Notice>) {
        let histories: Vec<&MemberHistory> = linked.iter().map(|m| &m.history).collect();
        let record = |h: &MemberHistory| linked.iter().find(|m| std::ptr::eq(&m.history, h));
        match onshi_ledger::select_for_person(&histories, service_date) {
            PersonSelection::None => (None, Vec::new()),
            PersonSelection::Invalid { shown } => (record(shown), Vec::new()),
            PersonSelection::Valid { shown, also_valid } if also_valid.is_empty() => (record(shown), Vec::new()),
            PersonSelection::Valid { shown, also_valid } => {
                let acquired = |h: &MemberHistory| h.period_opt(None).map(|p| views::date(p.0)).unwrap_or_default();
                let others: Vec<String> = also_valid
                    .iter()
                    .map(|h| {
                        let k = &h.statik.key;
                        format!(
                            "{} {}{} (acquired {})",
                            k.insurer_number,
                            k.symbol.as_ref().map(|s| format!("{s}・")).unwrap_or_default(),
                            k.number,
                            acquired(h)
                        )
                    })
                    .collect();
                let notice = notice(
                    "overlapping_coverage",
                    format!(
                        "the person has {} coverages valid on the service date (複数該当); the newest (acquired {}) is \
                         shown, also valid: {}. An older one's loss may not be recorded yet: confirm with the patient \
                         which insurance is current, and tell the insurers so the older one records the loss",
                        also_valid.len() + 1,
                        acquired(shown),
                        others.join(", ")
                    ),
                );
                (record(shown), vec![notice])
            }
        }
    }

    /// For a person with no coverage linked, asked by person (My Number card or `check_person`): a newborn
    /// (born within the policy's pending days before the service date, by the registry) whose enrolment as a
    /// dependent or in 国保 the insurer may not have recorded yet (出生による資格取得) is told so with
    /// `new_coverage_may_be_pending`, as a lost coverage with no newer one is. `None` for anyone else, and under
    /// a policy without pending notices.
    pub(crate) fn newborn_pending(&self, mn: &MyNumber, service_date: Date) -> Result<Option<Notice>> {
        let Some(days) = self.policy.pending_days() else { return Ok(None) };
        let Some(resident) = self.store.resident(mn)? else { return Ok(None) };
        let age_days = service_date.signed_duration_since(resident.birth_date).num_days();
        if !(0..i64::from(days)).contains(&age_days) {
            return Ok(None);
        }
        Ok(Some(notice(
            "new_coverage_may_be_pending",
            format!(
                "the patient was born on {} ({} days before the service date) and no coverage is linked yet: the \
                 parent's insurer or the municipality's 国保 may not have recorded the newborn yet (出生による資格取得). \
                 Do not charge 10割 — use 被保険者資格申立書 and charge the usual ratio (乳幼児: 2割), or ask for the \
                 資格確認書",
                views::date(resident.birth_date),
                age_days
            ),
        )))
    }

    /// The service date given, or today in Japan.
    fn service_date(&self, given: Option<&str>) -> Result<Date> {
        match given {
            Some(s) => parse::date(s, "service_date"),
            None => Ok(onshi_law::legal_today(self.now())),
        }
    }

    /// The `not_found` answer.
    fn not_found(&self, message: &str) -> EligibilityAnswer {
        EligibilityAnswer {
            result: "not_found".into(),
            coverage: None,
            notices: vec![notice("not_found", message)],
            as_of: views::timestamp(RecordedAt(self.now().timestamp_micros())),
        }
    }

    /// What a clinic is told about one member record on a service date: the ledger's resolution, the copay
    /// law, the claim-ready name and the notices. Shared by the check by number and the check by card, so
    /// there is one implementation of the answer. Logs nothing: the caller does.
    pub(crate) fn answer_for(
        &self,
        member: &MemberRecord,
        service_date: Date,
        today: Date,
    ) -> Result<EligibilityAnswer> {
        let mut notices = Vec::new();
        let h = &member.history;
        let Some(r) = onshi_ledger::resolve(h, service_date, None) else {
            return Err(ServiceError::internal(&"a stored member has no history"));
        };
        let valid = r.status == Status::Covered;
        match r.status {
            Status::Covered => {}
            Status::NotYetCovered => notices.push(notice(
                "not_yet_covered",
                format!("coverage starts on {} (資格取得日), after the service date", views::date(r.acquired_on)),
            )),
            Status::Lost => notices.push(notice(
                "coverage_lost",
                "the insurer recorded a loss (資格喪失) before the service date: ask for the new card or 資格確認書; \
                 if the patient has a new insurer that has not registered yet, use 被保険者資格申立書",
            )),
            Status::AgedOut => notices.push(notice(
                "aged_out_75",
                format!(
                    "from the 75th birthday ({}) the patient is covered by 後期高齢者医療, not by this insurer: ask for the \
                     後期高齢者医療 card or 資格確認書",
                    r.aged_out_on.map(views::date).unwrap_or_default()
                ),
            )),
        }
        if !valid {
            let mut newer = false;
            if let Some(mn) = &member.my_number {
                newer = self.for_clinic(self.store.members_by_my_number(mn)?).iter().filter(|o| o.id != member.id).any(
                    |o| {
                        onshi_ledger::resolve(&o.history, service_date, None)
                            .is_some_and(|x| x.status == Status::Covered)
                    },
                );
                if newer {
                    notices.push(notice(
                        "newer_qualification_exists",
                        "the patient has another coverage that is valid on the service date (無効・新しい資格あり): \
                         check by My Number card or ask for the new card",
                    ));
                }
            }
            let recent = |lost: Date, days: u32| {
                service_date.signed_duration_since(lost).num_days() < i64::from(days) && lost <= service_date
            };
            if let (false, Status::Lost, Some(lost), Some(days)) =
                (newer, r.status, r.lost_on, self.policy.pending_days())
            {
                if recent(lost, days) {
                    notices.push(notice(
                        "new_coverage_may_be_pending",
                        format!(
                            "this coverage ended on {} (資格喪失日), {} days before the service date, and no newer \
                             coverage is recorded yet. If the patient has joined another insurer (a new job, 国保), \
                             that insurer may not have recorded it yet: do not charge 10割 — use \
                             被保険者資格申立書 and charge the usual ratio, or ask for the new 資格確認書",
                            views::date(lost),
                            service_date.signed_duration_since(lost).num_days()
                        ),
                    ));
                }
            }
        }
        let display = self.policy.display_name(r.name);
        if !display.substituted.is_empty() {
            let pairs: Vec<String> = display.substituted.iter().map(|s| format!("{}→{}", s.from, s.to)).collect();
            notices.push(notice(
                "name_display_substituted",
                format!(
                    "for the claim the name uses standard forms ({}); the registered name is kept in `name`",
                    pairs.join(", ")
                ),
            ));
        }
        if !display.unmappable.is_empty() {
            notices.push(notice(
                "name_display_unmappable",
                format!(
                    "{} has no standard form in JIS X 0208 and is kept as it is; write it by hand or with an MJ font",
                    display.unmappable.join("")
                ),
            ));
        }
        let as_typed = self.policy.copay_source() == CopaySource::AsTyped;
        // The national system shows the ratio as typed for as long as it is stored: an exception never ends there.
        let over = if as_typed { r.copay_override_stated } else { r.copay_override };
        let (copay_ratio, copay_basis) = match (valid, over, &r.law) {
            (false, _, _) => (None, None),
            (true, Some(o), _) if as_typed => (Some(o.ratio.percent()), Some("insurer_exception")),
            (true, Some(o), law) => {
                let law_text = match law {
                    Copay::Covered { ratio, .. } => format!("{}%", ratio.percent()),
                    _ => "none".into(),
                };
                notices.push(notice(
                    "copay_insurer_exception",
                    format!(
                        "the insurer set {}% as an exception ({}); the law alone would give {law_text}",
                        o.ratio.percent(),
                        o.reason
                    ),
                ));
                (Some(o.ratio.percent()), Some("insurer_exception"))
            }
            (true, None, Copay::Covered { ratio, basis: b }) => (Some(ratio.percent()), Some(basis(b))),
            (true, None, _) => (r.copay_ratio.map(|c| c.percent()), None),
        };
        if let (true, false, Some(ended), Some(stated)) =
            (valid, as_typed, r.copay_override_ended_on, r.copay_override_stated)
        {
            notices.push(notice(
                "copay_exception_ended",
                format!(
                    "the insurer's exception ({}%: {}) ended on {} when the law's ratio changed (an age or income \
                     bracket change); the ratio shown is the law's. If the exception should continue, the insurer must \
                     state it again",
                    stated.ratio.percent(),
                    stated.reason,
                    views::date(ended)
                ),
            ));
        }
        if service_date > today {
            notices.push(notice("future_service_date", "the service date is in the future: the answer may change"));
        }
        let key = &h.statik.key;
        let insured_name = if is_insured(member) {
            None
        } else {
            let insured =
                self.for_clinic(self.store.insured_of(&key.insurer_number, key.symbol.as_ref(), &key.number)?);
            covering(&insured, service_date).map(|r| r.name.to_owned())
        };
        let coverage = CoverageView {
            insurer_number: key.insurer_number.as_str().to_owned(),
            insurer_kind: key.insurer_number.kind().label_ja().to_owned(),
            symbol: key.symbol.as_ref().map(|s| s.as_str().to_owned()),
            number: key.number.as_str().to_owned(),
            branch: key.branch.as_str().to_owned(),
            relationship: parse::relationship_value(h.statik.relationship),
            insured_name,
            name: r.name.to_owned(),
            name_display: display.text,
            name_kana: r.name_kana.to_owned(),
            birth_date: views::date(h.statik.birth_date),
            sex: parse::sex_value(h.statik.sex),
            acquired_on: views::date(r.acquired_on),
            lost_on: r.lost_on.or(r.aged_out_on.filter(|_| r.status == Status::AgedOut)).map(views::date),
            copay_ratio,
            copay_basis: copay_basis.map(str::to_owned),
            income_bracket: r.income_bracket.map(parse::income_bracket_value),
        };
        let result = if valid { "valid" } else { "invalid" };
        let as_of = views::timestamp(r.as_of);
        Ok(EligibilityAnswer { result: result.into(), coverage: Some(coverage), notices, as_of })
    }

    /// Writes an access-log line and waits until it is durable.
    pub(crate) async fn log(&self, cx: &Ctx, member: Option<&MemberRecord>, outcome: &str) -> Result<()> {
        self.log_read(cx, member.map(|m| m.id), member.and_then(|m| m.my_number), outcome).await
    }

    /// Writes the access-log line of a read of a person's data — by any role, through any endpoint (a
    /// clinic's check, the registry's resident or search, an insurer's member) — and waits until it is
    /// durable: the data leaves only once its line is written.
    pub(crate) async fn log_read(
        &self,
        cx: &Ctx,
        member_id: Option<onshi_store::MemberId>,
        my_number: Option<onshi_ids::MyNumber>,
        outcome: &str,
    ) -> Result<()> {
        self.store
            .log_access(AccessEntry {
                role: cx.actor.role.as_str().to_owned(),
                subject: cx.actor.subject.clone(),
                endpoint: cx.endpoint.to_owned(),
                member_id,
                my_number,
                request_id: cx.request_id.clone(),
                outcome: outcome.to_owned(),
            })
            .done()
            .await?;
        Ok(())
    }
}
