//! From 総点検 to the live service: the B and C rows of `onshi reconcile`'s OUT.csv become cases (open →
//! confirmed / corrected / unlinked), listed per insurer, each with what it takes to close it. A case closes
//! through the link actions of `links` (confirm → confirmed, replace → corrected, remove → unlinked), in the
//! same transaction as the link change.

use onshi_ids::{InsurerNumber, MyNumber};
use onshi_linkage::OUT_COLUMNS;
use onshi_store::{CaseRecord, CaseWrite, MemberId, MemberRecord, Store};

use crate::auth::{Action, authorize};
use crate::error::{ErrorKind, Result, ServiceError};
use crate::link_api::*;
use crate::links::{state_of, to_close};
use crate::{Ctx, Role, Service, parse, views};

/// The statuses a case may have.
const STATUSES: &[&str] = &["open", "confirmed", "corrected", "unlinked"];

fn bad_row(line: usize, column: &str, message: impl Into<String>) -> ServiceError {
    ServiceError::invalid_value(&format!("line {line}: {column}"), message)
        .next("correct that line of the file (OUT.csv of `onshi reconcile`, record_id = onshi's member_id) and import the whole file again: nothing was stored")
}

/// One readable row of OUT.csv that opens a case or is skipped.
enum Row {
    Open(CaseWrite),
    Skip(SkippedRow),
}

impl<S: Store> Service<S> {
    /// The insurer a case request is for: the one given (`insurer_number`), else the credential's own.
    fn case_insurer(&self, cx: &Ctx, given: Option<&str>, write: bool) -> Result<InsurerNumber> {
        let insurer = match given.map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => parse::insurer_number(s, "insurer_number")?,
            None => cx.actor.insurer.ok_or_else(|| {
                ServiceError::invalid("missing_field", "insurer_number", "which insurer's cases?")
                    .next("add ?insurer_number=<保険者番号> to the request")
            })?,
        };
        let action = if write { Action::WriteMembers(&insurer) } else { Action::ReadMember(&insurer) };
        authorize(&cx.actor, action)?;
        Ok(insurer)
    }

    fn case_view(&self, c: &CaseRecord, member: Option<&MemberRecord>) -> CaseView {
        CaseView {
            case_id: c.case_id,
            insurer_number: c.case.insurer_number.as_str().to_owned(),
            member_id: c.case.member_id.to_string(),
            record_id: c.case.record_id.clone(),
            my_number: c.case.my_number.map(|n| n.as_str().to_owned()),
            grade: c.case.grade.clone(),
            reasons: c.case.reasons.clone(),
            suggested_my_number: c.case.suggested_my_number.map(|n| n.as_str().to_owned()),
            status: c.status.clone(),
            opened_at: views::timestamp(c.opened_at),
            opened_by: c.case.opened_by.clone(),
            closed_at: c.closed_at.map(views::timestamp),
            closed_by: c.closed_by.clone(),
            link_state: member.map(state_of).unwrap_or("unlinked").to_owned(),
            to_close: to_close(
                &c.case.grade,
                &c.status,
                c.case.my_number.is_none() && c.case.suggested_my_number.is_some(),
            ),
        }
    }

    /// The views of cases, each read of a member logged (queued together, then awaited).
    async fn case_views(&self, cx: &Ctx, cases: &[CaseRecord], outcome: &str) -> Result<Vec<CaseView>> {
        let mut views = Vec::with_capacity(cases.len());
        let mut logged = Vec::with_capacity(cases.len());
        for c in cases {
            let m = self.store.member(c.case.member_id)?;
            views.push(self.case_view(c, m.as_ref()));
            logged.push(self.store.log_access(onshi_store::AccessEntry {
                role: cx.actor.role.as_str().to_owned(),
                subject: cx.actor.subject.clone(),
                endpoint: cx.endpoint.to_owned(),
                member_id: Some(c.case.member_id),
                my_number: m.and_then(|m| m.my_number),
                request_id: cx.request_id.clone(),
                outcome: outcome.to_owned(),
            }));
        }
        for l in logged {
            l.done().await?;
        }
        Ok(views)
    }

    /// Reads one row of OUT.csv: a case to open, a row to skip, or the reason the whole file is refused.
    fn case_row(&self, cx: &Ctx, insurer: &InsurerNumber, line: usize, r: &csv::StringRecord) -> Result<Row> {
        let col = |i: usize| r.get(i).map(str::trim).unwrap_or("");
        let record_id = col(0);
        let grade = col(2);
        if !["A", "B", "C"].contains(&grade) {
            return Err(bad_row(line, "grade", format!("grade `{grade}` is not A, B or C")));
        }
        let member = record_id
            .parse::<i64>()
            .ok()
            .filter(|id| *id > 0)
            .map(|id| self.store.member(MemberId(id)))
            .transpose()?
            .flatten()
            .filter(|m| m.history.statik.key.insurer_number == *insurer)
            .ok_or_else(|| {
                bad_row(line, "record_id", format!("no member of insurer {insurer} has the member_id `{record_id}`"))
            })?;
        let suggested = match col(9) {
            "" => None,
            s => Some(
                MyNumber::parse(s)
                    .map_err(|e| bad_row(line, "suggested_my_number", format!("not a My Number: {e}")))?,
            ),
        };
        let skip =
            |reason: &str| Row::Skip(SkippedRow { line, record_id: record_id.to_owned(), reason: reason.into() });
        if grade == "A" {
            return Ok(skip("grade_a"));
        }
        // An unreadable or unknown number (reasons invalid_my_number, unknown_my_number) is never linked in
        // onshi: such a row no longer describes the member's link.
        let my_number = MyNumber::parse(col(1)).ok();
        if my_number.is_none() || member.my_number != my_number {
            return Ok(skip("link_changed"));
        }
        Ok(Row::Open(CaseWrite {
            insurer_number: *insurer,
            member_id: member.id,
            record_id: record_id.to_owned(),
            my_number,
            grade: grade.to_owned(),
            reasons: col(8).split(';').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect(),
            suggested_my_number: suggested,
            opened_by: format!("{}:{}", cx.actor.role.as_str(), cx.actor.subject),
            request_id: cx.request_id.clone(),
        }))
    }

    /// `POST /insurer/v1/cases/import`: opens a case for every B and C row of `onshi reconcile`'s OUT.csv
    /// (`record_id` is onshi's member_id). All or nothing: one unreadable row refuses the file. A rows, and
    /// rows whose member is no longer linked to the number graded, are skipped and listed; a member with an
    /// open case on the same number is not opened twice.
    pub async fn import_cases(&self, cx: &Ctx, insurer: Option<&str>, body: &[u8]) -> Result<CaseImportAnswer> {
        let insurer = self.case_insurer(cx, insurer, true)?;
        let body = body.strip_prefix("\u{feff}".as_bytes()).unwrap_or(body);
        let text = std::str::from_utf8(body).map_err(|_| {
            ServiceError::invalid_value("body", "the file is not UTF-8")
                .next("send OUT.csv as `onshi reconcile` wrote it (UTF-8, with or without BOM)")
        })?;
        let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(false).from_reader(text.as_bytes());
        let header: Vec<String> = reader
            .headers()
            .map_err(|e| ServiceError::invalid_value("header", format!("the header cannot be read: {e}")))?
            .iter()
            .map(|h| h.trim().to_owned())
            .collect();
        if header != OUT_COLUMNS {
            return Err(ServiceError::invalid_value(
                "header",
                format!("the header is `{}`, not OUT.csv's `{}`", header.join(","), OUT_COLUMNS.join(",")),
            )
            .next("send the OUT.csv that `onshi reconcile` wrote, with its header line: nothing was stored"));
        }
        let mut open = Vec::new();
        let mut skipped = Vec::new();
        for (i, r) in reader.records().enumerate() {
            let line = i + 2;
            let r = r.map_err(|e| bad_row(line, "row", format!("the line cannot be read: {e}")))?;
            match self.case_row(cx, &insurer, line, &r)? {
                Row::Open(c) => open.push(c),
                Row::Skip(s) => skipped.push(s),
            }
        }
        let done = self.store.import_cases(open).done().await?;
        let mut cases = Vec::with_capacity(done.opened.len());
        for id in &done.opened {
            cases.extend(self.store.case(*id)?);
        }
        let cases = self.case_views(cx, &cases, "case:import").await?;
        Ok(CaseImportAnswer { opened: cases.len(), already_open: done.already_open.len(), skipped, cases })
    }

    /// `GET /insurer/v1/cases`: an insurer's cases (all, or those with `status`), oldest first.
    pub async fn cases(&self, cx: &Ctx, insurer: Option<&str>, status: Option<&str>) -> Result<CasesAnswer> {
        let insurer = self.case_insurer(cx, insurer, false)?;
        let status = status.map(str::trim).filter(|s| !s.is_empty());
        if let Some(s) = status.filter(|s| !STATUSES.contains(s)) {
            return Err(ServiceError::invalid_value(
                "status",
                format!("unknown status `{s}`, expected one of: {}", STATUSES.join(", ")),
            )
            .next("leave status out for every case, or give open, confirmed, corrected or unlinked"));
        }
        let found = self.store.cases(&insurer, status)?;
        Ok(CasesAnswer { cases: self.case_views(cx, &found, "case:list").await? })
    }

    /// `GET /insurer/v1/cases/{case_id}`.
    pub async fn case(&self, cx: &Ctx, case_id: &str) -> Result<CaseView> {
        let not_found = || {
            ServiceError::new(ErrorKind::NotFound, "not_found", format!("case {case_id} does not exist"))
                .next("list the insurer's cases (GET /insurer/v1/cases) for their ids")
        };
        let id = case_id.trim().parse::<i64>().map_err(|_| not_found())?;
        let c = self.store.case(id)?.ok_or_else(not_found)?;
        if authorize(&cx.actor, Action::ReadMember(&c.case.insurer_number)).is_err() {
            if cx.actor.role == Role::Insurer {
                return Err(not_found());
            }
            authorize(&cx.actor, Action::ReadMember(&c.case.insurer_number))?;
        }
        self.case_views(cx, std::slice::from_ref(&c), "case:read").await?.pop().ok_or_else(not_found)
    }
}
