//! The SQLite side of My Number links after enrolment: link changes with their history, and the cases a
//! reconciliation opened. Every write runs on the member data's writer thread, inside its request's
//! savepoint: a refused change leaves no trace.

use onshi_ids::MyNumber;
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{WriterCtx, member_by_id};
use crate::mapping::{CASE_COLUMNS, CaseCols, LINK_EVENT_COLUMNS, LinkEventCols, encode_linkage, encode_reasons};
use crate::{
    CaseImport, CaseRecord, CaseWrite, LinkEvent, LinkWrite, LinkageRecord, MemberId, MemberRecord, NewMember,
    StoreError,
};

#[allow(clippy::too_many_arguments)]
fn insert_event(
    ctx: &mut WriterCtx,
    member_id: MemberId,
    action: &str,
    my_number: Option<&MyNumber>,
    previous: Option<&MyNumber>,
    linkage: &Option<LinkageRecord>,
    by: &str,
    note: Option<&str>,
    request_id: &str,
) -> Result<(), StoreError> {
    let at = ctx.stamp();
    let linkage = encode_linkage(linkage)?;
    ctx.conn
        .prepare_cached(
            "INSERT INTO link_events (member_id, action, my_number, previous, linkage, by_whom, note, request_id,
                                      recorded_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?
        .execute(params![
            member_id.0,
            action,
            my_number.map(|n| n.as_str().to_owned()),
            previous.map(|n| n.as_str().to_owned()),
            linkage,
            by,
            note,
            request_id,
            at.0
        ])?;
    Ok(())
}

/// The first event of a link made at enrolment (inside the enrolment's transaction).
pub(super) fn enrolled(ctx: &mut WriterCtx, id: MemberId, m: &NewMember) -> Result<(), StoreError> {
    if m.my_number.is_none() {
        return Ok(());
    }
    insert_event(ctx, id, "linked_at_enrolment", m.my_number.as_ref(), None, &m.linkage, "enrolment", None, "")
}

/// [`crate::Store::write_link`] inside the writer.
pub(super) fn write_link(ctx: &mut WriterCtx, w: LinkWrite) -> Result<MemberRecord, StoreError> {
    let mut rec = member_by_id(&ctx.conn, w.member_id)?.ok_or(StoreError::MemberNotFound(w.member_id))?;
    if (rec.my_number, rec.linkage.clone()) != w.expected {
        return Err(StoreError::LinkChanged(w.member_id));
    }
    let linkage = encode_linkage(&w.linkage)?;
    ctx.conn
        .prepare_cached("UPDATE members SET my_number = ?1, linkage = ?2 WHERE member_id = ?3")?
        .execute(params![w.my_number.map(|n| n.as_str().to_owned()), linkage, w.member_id.0])?;
    insert_event(
        ctx,
        w.member_id,
        &w.action,
        w.my_number.as_ref(),
        rec.my_number.as_ref(),
        &w.linkage,
        &w.by,
        w.note.as_deref(),
        &w.request_id,
    )?;
    if let Some(status) = &w.close_cases {
        let at = ctx.stamp();
        ctx.conn
            .prepare_cached(
                "UPDATE link_cases SET status = ?1, closed_by = ?2, closed_at = ?3
                 WHERE member_id = ?4 AND status = 'open'",
            )?
            .execute(params![status, w.by, at.0, w.member_id.0])?;
    }
    rec.my_number = w.my_number;
    rec.linkage = w.linkage;
    Ok(rec)
}

pub(super) fn link_events(c: &Connection, member_id: MemberId) -> Result<Vec<LinkEvent>, StoreError> {
    let mut stmt =
        c.prepare_cached(&format!("SELECT {LINK_EVENT_COLUMNS} FROM link_events WHERE member_id = ?1 ORDER BY id"))?;
    let mut rows = stmt.query([member_id.0])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(
            LinkEventCols {
                id: r.get(0)?,
                member_id: r.get(1)?,
                action: r.get(2)?,
                my_number: r.get(3)?,
                previous: r.get(4)?,
                linkage: r.get(5)?,
                by: r.get(6)?,
                note: r.get(7)?,
                request_id: r.get(8)?,
                recorded_at: r.get(9)?,
            }
            .decode()?,
        );
    }
    Ok(out)
}

/// [`crate::Store::import_cases`] inside the writer.
pub(super) fn import_cases(ctx: &mut WriterCtx, cases: Vec<CaseWrite>) -> Result<CaseImport, StoreError> {
    let mut done = CaseImport::default();
    for c in cases {
        let open: Option<i64> = ctx
            .conn
            .prepare_cached(
                "SELECT case_id FROM link_cases WHERE member_id = ?1 AND status = 'open' AND my_number IS ?2",
            )?
            .query_row(params![c.member_id.0, c.my_number.map(|n| n.as_str().to_owned())], |r| r.get(0))
            .optional()?;
        if let Some(id) = open {
            done.already_open.push(id);
            continue;
        }
        let at = ctx.stamp();
        ctx.conn
            .prepare_cached(
                "INSERT INTO link_cases (insurer_number, member_id, record_id, my_number, grade, reasons,
                                         suggested_my_number, status, opened_by, request_id, opened_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'open', ?8, ?9, ?10)",
            )?
            .execute(params![
                c.insurer_number.as_str(),
                c.member_id.0,
                c.record_id,
                c.my_number.map(|n| n.as_str().to_owned()),
                c.grade,
                encode_reasons(&c.reasons),
                c.suggested_my_number.map(|n| n.as_str().to_owned()),
                c.opened_by,
                c.request_id,
                at.0
            ])?;
        done.opened.push(ctx.conn.last_insert_rowid());
    }
    Ok(done)
}

fn case_from_row(r: &Row<'_>) -> Result<CaseRecord, StoreError> {
    CaseCols {
        case_id: r.get(0)?,
        insurer: r.get(1)?,
        member_id: r.get(2)?,
        record_id: r.get(3)?,
        my_number: r.get(4)?,
        grade: r.get(5)?,
        reasons: r.get(6)?,
        suggested_my_number: r.get(7)?,
        status: r.get(8)?,
        opened_by: r.get(9)?,
        request_id: r.get(10)?,
        opened_at: r.get(11)?,
        closed_by: r.get(12)?,
        closed_at: r.get(13)?,
    }
    .decode()
}

pub(super) fn cases_where(
    c: &Connection,
    clause: &str,
    p: impl rusqlite::Params,
) -> Result<Vec<CaseRecord>, StoreError> {
    let mut stmt =
        c.prepare_cached(&format!("SELECT {CASE_COLUMNS} FROM link_cases WHERE {clause} ORDER BY case_id"))?;
    let mut rows = stmt.query(p)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(case_from_row(r)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::LinkState;

    /// Linkages stored before link states existed read back as active links.
    #[test]
    fn a_linkage_stored_without_a_state_is_active() {
        let l: LinkageRecord =
            serde_json::from_str(r#"{"grade":"B","reasons":["name_variant"],"graded_at":5}"#).expect("old linkage");
        assert_eq!((l.state, l.confirmation), (LinkState::Active, None));
    }
}
