//! My Number links after enrolment (紐付けの追加・訂正・解除): adding, replacing and removing a member's link,
//! graded A/B/C exactly as at enrolment ([`Service::grade_link`]); the insurer's confirmation of a B link
//! (本人確認: card seen, phone, mail); 閲覧停止 (a link suspended under investigation); linking an unlinked
//! member (未登録者) from the registry's 4-information search; and who read a member's data (閲覧された件数).
//!
//! One gate, [`link_gate`], decides whether a person's links may answer a check by card or by person: a link
//! pending confirmation or suspended answers nothing, and says to check by the 資格確認書's numbers (which
//! still work: they do not go through the link).

use chrono::{DateTime, Utc};
use onshi_ids::MyNumber;
use onshi_ledger::RecordedAt;
use onshi_linkage::{Grade, Grading};
use onshi_store::{Confirmation, LinkState, LinkWrite, LinkageRecord, MemberRecord, Store};

use crate::error::{ErrorKind, Result, ServiceError};
use crate::link_api::*;
use crate::linking::Record;
use crate::{Ctx, Service, parse, views};

/// The ways an insurer confirms a link with the person.
pub(crate) const CONFIRM_METHODS: &[&str] = &["card_seen", "phone", "mail"];

/// The stored grading of a link: a B waits for the insurer's confirmation, an A is in effect at once.
/// Shared by enrolment and every link made later, so that a B is pending whichever way it was made.
pub(crate) fn linkage_record(g: &Grading<MyNumber>, now: DateTime<Utc>) -> LinkageRecord {
    LinkageRecord {
        grade: g.grade.as_str().to_owned(),
        reasons: g.reasons.iter().map(|r| r.as_str().to_owned()).collect(),
        graded_at: RecordedAt(now.timestamp_micros()),
        state: if g.grade == Grade::B { LinkState::PendingConfirmation } else { LinkState::Active },
        confirmation: None,
    }
}

/// The refusal of a check through a link pending the insurer's confirmation.
pub(crate) fn pending_error() -> ServiceError {
    ServiceError::new(
        ErrorKind::Conflict,
        "link_pending_confirmation",
        "this person's My Number link has not been confirmed by the insurer yet (the record and the registry differ \
         slightly: grade B): onshi answers nothing through it until the insurer confirms it",
    )
    .next(
        "check by the numbers on the 資格確認書 or 資格情報のお知らせ (保険者番号・記号・番号・枝番) instead; the \
         insurer confirms the link with the patient (本人確認)",
    )
}

/// The refusal of a check through a suspended link (閲覧停止).
pub(crate) fn suspended_error() -> ServiceError {
    ServiceError::new(
        ErrorKind::Conflict,
        "link_suspended",
        "the insurer has suspended this person's My Number link while it investigates it (閲覧停止): onshi answers \
         nothing through it",
    )
    .next(
        "check by the numbers on the 資格確認書 or 資格情報のお知らせ (保険者番号・記号・番号・枝番) instead; if the \
         patient has neither, use 被保険者資格申立書",
    )
}

/// The one gate between a person's links and a check by card or by person: if any linked record is
/// suspended, or pending the insurer's confirmation, nothing is answered through the links (one of them may
/// be another person's record). Checks by number never pass through it.
pub(crate) fn link_gate(members: &[MemberRecord]) -> Result<()> {
    let any = |s: LinkState| members.iter().any(|m| m.linkage.as_ref().is_some_and(|l| l.state == s));
    if any(LinkState::Suspended) {
        return Err(suspended_error());
    }
    if any(LinkState::PendingConfirmation) {
        return Err(pending_error());
    }
    Ok(())
}

/// The state of a member's link as the API names it.
pub(crate) fn state_of(m: &MemberRecord) -> &'static str {
    match (&m.my_number, &m.linkage) {
        (None, _) => "unlinked",
        (Some(_), None) => "active",
        (Some(_), Some(l)) => l.state.as_str(),
    }
}

fn no_link(member_id: &str) -> ServiceError {
    ServiceError::new(ErrorKind::Conflict, "no_link", format!("member {member_id} has no My Number link"))
        .next("link a My Number first (POST /insurer/v1/members/{member_id}/link, or …/link/search)")
}

/// A note or reason: trimmed, non-empty when required.
fn note<'a>(s: Option<&'a str>, field: &str, required: bool) -> Result<Option<&'a str>> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => parse::text(s, field).map(Some),
        None if required => Err(ServiceError::invalid("missing_field", field, format!("{field} is required"))
            .next("say why, in a few words: it is kept in the link's history")),
        None => Ok(None),
    }
}

fn next_step_for(m: &MemberRecord, open_cases: bool) -> &'static str {
    match (state_of(m), open_cases) {
        ("unlinked", _) => "link the member's My Number (POST …/link) or find it in the registry (POST …/link/search)",
        ("pending_confirmation", _) => {
            "confirm the link with the person (本人確認: card seen, phone or mail) and record it (POST …/link/confirm), \
             or correct it (POST …/link) or remove it (POST …/link/remove)"
        }
        ("suspended", _) => {
            "investigate; then confirm (POST …/link/confirm), correct (POST …/link) or remove (POST …/link/remove) \
             the link: each lifts the suspension"
        }
        (_, true) => {
            "an open case asks to check this link: confirm it (POST …/link/confirm), correct it or remove it; \
             suspend it (POST …/link/suspend) while you investigate a C"
        }
        _ => "nothing to do",
    }
}

/// What adding a link to an unlinked member does to its open cases (a counter's 未登録者 case): an active link
/// (grade A) closes them as `corrected`; a pending one (B) leaves them open until its confirmation closes them.
fn closed_by_adding(linkage: &Option<LinkageRecord>) -> Option<&'static str> {
    match linkage {
        Some(l) if l.state == LinkState::Active => Some("corrected"),
        _ => None,
    }
}

/// The next step of a case, by its grade (and, for a record held without a My Number that a card holder
/// nearly matched at the counter, by that).
pub(crate) fn to_close(grade: &str, status: &str, unlinked_with_suggestion: bool) -> String {
    if status != "open" {
        return format!("closed ({status})");
    }
    if unlinked_with_suggestion {
        return "未登録者: a My Number card's holder nearly matched this record at the counter (grade B) and was not \
                shown it. Confirm with the person (card seen, phone or mail) that the record is theirs, then link \
                the suggested My Number (POST /insurer/v1/members/{member_id}/link) and confirm it (POST …/link/confirm \
                → confirmed); correct the record first if it is wrong"
            .into();
    }
    match grade {
        "C" => {
            "別人への紐付けの可能性が高い: suspend the link now (POST /insurer/v1/members/{member_id}/link/suspend), \
                confirm the person by phone or mail, then correct the My Number (POST …/link → corrected), remove the \
                link (POST …/link/remove → unlinked) or, only if the person confirms it, confirm it (POST \
                …/link/confirm → confirmed)"
                .into()
        }
        _ => "入力ミス等による不一致の可能性: check the record against the person (card seen, phone or mail), then \
              confirm the link (POST /insurer/v1/members/{member_id}/link/confirm → confirmed) or correct the My \
              Number (POST …/link → corrected) or remove it (POST …/link/remove → unlinked)"
            .into(),
    }
}

impl<S: Store> Service<S> {
    fn by(cx: &Ctx) -> String {
        format!("{}:{}", cx.actor.role.as_str(), cx.actor.subject)
    }

    /// The view of a member's link, its history and open cases.
    fn link_view_of(&self, m: &MemberRecord) -> Result<LinkView> {
        let events = self.store.link_events(m.id)?;
        let open: Vec<i64> =
            self.store.cases_of(m.id)?.into_iter().filter(|c| c.status == "open").map(|c| c.case_id).collect();
        Ok(LinkView {
            member_id: m.id.to_string(),
            my_number: m.my_number.map(|n| n.as_str().to_owned()),
            grade: m.linkage.as_ref().map(|l| l.grade.clone()),
            reasons: m.linkage.as_ref().map(|l| l.reasons.clone()).unwrap_or_default(),
            state: state_of(m).to_owned(),
            confirmation: m.linkage.as_ref().and_then(|l| l.confirmation.as_ref()).map(|c| ConfirmationView {
                method: c.method.clone(),
                by: c.by.clone(),
                at: views::timestamp(c.at),
            }),
            next_step: next_step_for(m, !open.is_empty()).to_owned(),
            open_cases: open,
            history: events
                .iter()
                .map(|e| LinkEventView {
                    action: e.action.clone(),
                    my_number: e.my_number.map(|n| n.as_str().to_owned()),
                    previous: e.previous.map(|n| n.as_str().to_owned()),
                    grade: e.linkage.as_ref().map(|l| l.grade.clone()),
                    state: e.linkage.as_ref().map(|l| l.state.as_str().to_owned()),
                    by: e.by.clone(),
                    note: e.note.clone(),
                    recorded_at: views::timestamp(e.recorded_at),
                })
                .collect(),
        })
    }

    /// Stores a link change, logs the read of the member it answers, and answers the link's view.
    async fn write_link(
        &self,
        cx: &Ctx,
        m: &MemberRecord,
        (my_number, linkage): (Option<MyNumber>, Option<LinkageRecord>),
        action: &str,
        note: Option<&str>,
        close_cases: Option<&str>,
    ) -> Result<LinkView> {
        let rec = self
            .store
            .write_link(LinkWrite {
                member_id: m.id,
                expected: (m.my_number, m.linkage.clone()),
                my_number,
                linkage,
                action: action.to_owned(),
                by: Self::by(cx),
                note: note.map(str::to_owned),
                request_id: cx.request_id.clone(),
                close_cases: close_cases.map(str::to_owned),
            })
            .done()
            .await?;
        self.log(cx, Some(&rec), &format!("link:{action}")).await?;
        self.link_view_of(&rec)
    }

    /// Grades the member's record (as known today) against the holder of `mn`, as at enrolment. A C (or an
    /// unknown number) is `linkage_rejected` and nothing is stored; without grading (the national system's
    /// policy) the link is stored ungraded.
    fn grade_member(&self, m: &MemberRecord, mn: &MyNumber) -> Result<Option<LinkageRecord>> {
        if !self.policy.grades_links() {
            return Ok(None);
        }
        let today = onshi_law::legal_today(self.now());
        let h = &m.history;
        let r = onshi_ledger::resolve(h, today, None)
            .ok_or_else(|| ServiceError::internal(&"a stored member has no history"))?;
        let record = Record {
            name: r.name,
            name_kana: r.name_kana,
            birth_date: h.statik.birth_date,
            sex: h.statik.sex,
            address: r.address,
        };
        let g = self.grade_link(&record, mn)?;
        Ok(Some(linkage_record(&g, self.now())))
    }

    /// `POST /insurer/v1/members/{member_id}/link`: adds a link, or replaces the one there is (a correction:
    /// closes the member's open cases as `corrected`). Graded as at enrolment.
    pub async fn link(&self, cx: &Ctx, member_id: &str, body: LinkBody) -> Result<LinkView> {
        let m = self.member_for(cx, member_id, true)?;
        let mn = parse::my_number(&body.my_number, "my_number")?;
        let note = note(body.note.as_deref(), "note", false)?;
        if m.my_number == Some(mn) {
            return Err(ServiceError::new(
                ErrorKind::Conflict,
                "already_linked",
                "the member is already linked to this My Number",
            )
            .at("my_number")
            .next("to confirm the link use POST …/link/confirm; to correct it, send the right My Number"));
        }
        let linkage = self.grade_member(&m, &mn)?;
        let (action, close) =
            if m.my_number.is_some() { ("replaced", Some("corrected")) } else { ("added", closed_by_adding(&linkage)) };
        self.write_link(cx, &m, (Some(mn), linkage), action, note, close).await
    }

    /// `POST /insurer/v1/members/{member_id}/link/remove`: unlinks the member (closes its open cases as
    /// `unlinked`). The history keeps the number that was linked.
    pub async fn unlink(&self, cx: &Ctx, member_id: &str, body: ReasonBody) -> Result<LinkView> {
        let m = self.member_for(cx, member_id, true)?;
        let reason = note(Some(&body.reason), "reason", true)?;
        if m.my_number.is_none() {
            return Err(no_link(member_id));
        }
        self.write_link(cx, &m, (None, None), "removed", reason, Some("unlinked")).await
    }

    /// `POST /insurer/v1/members/{member_id}/link/confirm`: the insurer confirmed the link with the person;
    /// a pending or suspended link takes effect, and the member's open cases close as `confirmed`.
    pub async fn confirm_link(&self, cx: &Ctx, member_id: &str, body: ConfirmBody) -> Result<LinkView> {
        let m = self.member_for(cx, member_id, true)?;
        let method = body.method.trim();
        if !CONFIRM_METHODS.contains(&method) {
            return Err(ServiceError::invalid_value(
                "method",
                format!("unknown method `{method}`, expected one of: {}", CONFIRM_METHODS.join(", ")),
            )
            .next("say how the person confirmed the link: card_seen, phone or mail"));
        }
        let note = note(body.note.as_deref(), "note", false)?;
        let Some(mn) = m.my_number else {
            return Err(no_link(member_id));
        };
        let now = RecordedAt(self.now().timestamp_micros());
        let confirmation = Some(Confirmation { method: method.to_owned(), by: Self::by(cx), at: now });
        let linkage = match &m.linkage {
            Some(l) => LinkageRecord { state: LinkState::Active, confirmation, ..l.clone() },
            // a link stored ungraded: the confirmation is recorded on it as it stands
            None => LinkageRecord {
                grade: "unchecked".into(),
                reasons: Vec::new(),
                graded_at: now,
                state: LinkState::Active,
                confirmation,
            },
        };
        self.write_link(cx, &m, (Some(mn), Some(linkage)), "confirmed", note.or(Some(method)), Some("confirmed")).await
    }

    /// `POST /insurer/v1/members/{member_id}/link/suspend` (閲覧停止): checks by card answer `link_suspended`
    /// until the link is confirmed, corrected or removed. Checks by number still work.
    pub async fn suspend_link(&self, cx: &Ctx, member_id: &str, body: ReasonBody) -> Result<LinkView> {
        let m = self.member_for(cx, member_id, true)?;
        let reason = note(Some(&body.reason), "reason", true)?;
        let Some(mn) = m.my_number else {
            return Err(no_link(member_id));
        };
        let linkage = match &m.linkage {
            Some(l) if l.state == LinkState::Suspended => {
                return Err(ServiceError::new(
                    ErrorKind::Conflict,
                    "link_already_suspended",
                    "this link is already suspended",
                )
                .next("lift it by confirming (POST …/link/confirm), correcting (POST …/link) or removing it (POST …/link/remove)"));
            }
            Some(l) => LinkageRecord { state: LinkState::Suspended, ..l.clone() },
            None => LinkageRecord {
                grade: "unchecked".into(),
                reasons: Vec::new(),
                graded_at: RecordedAt(self.now().timestamp_micros()),
                state: LinkState::Suspended,
                confirmation: None,
            },
        };
        self.write_link(cx, &m, (Some(mn), Some(linkage)), "suspended", reason, None).await
    }

    /// `POST /insurer/v1/members/{member_id}/link/search`: links an unlinked member (未登録者) to the one
    /// resident the registry's 4-information search finds with the member's own name, birth date, sex and
    /// address (as known today); then graded like any link. No match or several link nothing.
    pub async fn link_by_search(&self, cx: &Ctx, member_id: &str, body: LinkSearchBody) -> Result<LinkView> {
        let m = self.member_for(cx, member_id, true)?;
        let note = note(body.note.as_deref(), "note", false)?;
        if m.my_number.is_some() {
            return Err(ServiceError::new(
                ErrorKind::Conflict,
                "already_linked",
                "the member is already linked to a My Number; the search links only unlinked members",
            )
            .next("to correct the link, send the right My Number (POST …/link); to drop it, POST …/link/remove"));
        }
        let today = onshi_law::legal_today(self.now());
        let h = &m.history;
        let r = onshi_ledger::resolve(h, today, None)
            .ok_or_else(|| ServiceError::internal(&"a stored member has no history"))?;
        let found = self.registry_matches(r.name, h.statik.birth_date, r.address, Some(h.statik.sex))?;
        let mn = match found.as_slice() {
            [one] => one.my_number,
            [] => {
                return Err(ServiceError::invalid(
                    "registry_no_match",
                    "member",
                    "no resident of the registry has this member's name, birth date, sex and address",
                )
                .next(
                    "check the member's name, birth date and address (POST …/changes), or ask the person for their \
                     My Number (card or notification) and link it (POST …/link)",
                ));
            }
            _ => {
                return Err(ServiceError::new(
                    ErrorKind::Conflict,
                    "registry_multiple_matches",
                    format!(
                        "{} residents have this member's name, birth date, sex and address: onshi does not choose \
                         between people",
                        found.len()
                    ),
                )
                .next("ask the person for their My Number (card or notification) and link it (POST …/link)"));
            }
        };
        let linkage = self.grade_member(&m, &mn)?;
        let close = closed_by_adding(&linkage);
        self.write_link(cx, &m, (Some(mn), linkage), "added", note.or(Some("registry_search")), close).await
    }

    /// `GET /insurer/v1/members/{member_id}/link`: the link now, its history and the member's open cases.
    pub async fn link_view(&self, cx: &Ctx, member_id: &str) -> Result<LinkView> {
        let m = self.member_for(cx, member_id, false)?;
        self.log(cx, Some(&m), "link:read").await?;
        self.link_view_of(&m)
    }

    /// `GET /insurer/v1/members/{member_id}/link/reads`: every read of the member's data in the access log,
    /// newest first, marking the reads through a My Number link (checks by card): the seeds' 閲覧された件数 for
    /// a link found wrong. This read is itself logged.
    pub async fn link_reads(&self, cx: &Ctx, member_id: &str) -> Result<ReadsAnswer> {
        let m = self.member_for(cx, member_id, false)?;
        // by member id only: the lines naming this record (a line naming only the My Number is the person's,
        // perhaps through another record)
        let lines = self.store.access_log_of(None, &[m.id], 100_000)?;
        self.log(cx, Some(&m), "link:reads").await?;
        let reads: Vec<ReadView> = lines
            .into_iter()
            .map(|l| ReadView {
                at: views::timestamp(l.at),
                through_link: l.entry.outcome.starts_with("card:"),
                role: l.entry.role,
                subject: l.entry.subject,
                endpoint: l.entry.endpoint,
                outcome: l.entry.outcome,
                my_number: l.entry.my_number.map(|n| n.as_str().to_owned()),
                request_id: l.entry.request_id,
            })
            .collect();
        Ok(ReadsAnswer {
            member_id: m.id.to_string(),
            count: reads.len(),
            through_link: reads.iter().filter(|r| r.through_link).count(),
            reads,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_open_cases_have_something_to_do() {
        assert!(to_close("C", "open", false).contains("suspend"));
        assert!(to_close("B", "open", false).contains("confirm"));
        assert!(to_close("B", "open", true).contains("suggested My Number"));
        assert_eq!(to_close("B", "confirmed", false), "closed (confirmed)");
        assert_eq!(to_close("B", "confirmed", true), "closed (confirmed)");
    }
}
