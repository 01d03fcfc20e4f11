//! My Number links after enrolment on PostgreSQL: link changes with their history, and the cases a
//! reconciliation opened. A link change holds the locks of the people it links (the one before and after)
//! and the member's row; an import of cases holds the lock of each member's cases.

use std::sync::Arc;

use onshi_ids::MyNumber;
use tokio_postgres::GenericClient;

use super::pool::Cx;

use super::members::{Params, members_where};
use super::{Inner, lock, person_lock};
use crate::mapping::{
    CASE_COLUMNS, CaseCols, LINK_EVENT_COLUMNS, LinkEventCols, encode_linkage, encode_reasons, my_number_text,
};
use crate::{
    CaseImport, CaseRecord, CaseWrite, LinkEvent, LinkWrite, LinkageRecord, MemberId, MemberRecord, NewMember,
    StoreError,
};

fn cases_lock(id: MemberId) -> String {
    format!("onshi:member-cases:{}", id.0)
}

/// One link change as recorded.
struct Event<'a> {
    member_id: MemberId,
    action: &'a str,
    my_number: Option<&'a MyNumber>,
    previous: Option<&'a MyNumber>,
    linkage: &'a Option<LinkageRecord>,
    by: &'a str,
    note: Option<&'a str>,
    request_id: &'a str,
}

async fn insert_event(c: &Cx<'_, impl GenericClient + Sync>, inner: &Inner, e: Event<'_>) -> Result<(), StoreError> {
    let at = inner.stamp();
    let linkage = encode_linkage(e.linkage)?;
    c.execute(
        "INSERT INTO link_events (member_id, action, my_number, previous, linkage, by_whom, note, request_id,
                                  recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        &[
            &e.member_id.0,
            &e.action,
            &my_number_text(e.my_number),
            &my_number_text(e.previous),
            &linkage,
            &e.by,
            &e.note,
            &e.request_id,
            &at.0,
        ],
    )
    .await?;
    Ok(())
}

/// The first event of a link made at enrolment (inside the enrolment's transaction).
pub(super) async fn enrolled(
    c: &Cx<'_, impl GenericClient + Sync>,
    inner: &Inner,
    id: MemberId,
    m: &NewMember,
) -> Result<(), StoreError> {
    if m.my_number.is_none() {
        return Ok(());
    }
    let e = Event {
        member_id: id,
        action: "linked_at_enrolment",
        my_number: m.my_number.as_ref(),
        previous: None,
        linkage: &m.linkage,
        by: "enrolment",
        note: None,
        request_id: "",
    };
    insert_event(c, inner, e).await
}

/// [`crate::Store::write_link`]: refused when the link is no longer the expected one.
pub(super) async fn write_link(inner: Arc<Inner>, w: LinkWrite) -> Result<MemberRecord, StoreError> {
    let mut conn = inner.pool.get().await?;
    let cache = conn.cache();
    let tx = conn.transaction().await?;
    let c = Cx::new(&tx, cache);
    let mut people: Vec<&MyNumber> = w.expected.0.iter().chain(w.my_number.iter()).collect();
    people.sort_unstable_by_key(|n| n.as_str());
    people.dedup();
    for n in people {
        lock(&c, &person_lock(n)).await?;
    }
    lock(&c, &cases_lock(w.member_id)).await?;
    let mut rec = members_where(&c, "member_id = $1 FOR UPDATE", &[&w.member_id.0])
        .await?
        .pop()
        .ok_or(StoreError::MemberNotFound(w.member_id))?;
    if (rec.my_number, rec.linkage.clone()) != w.expected {
        return Err(StoreError::LinkChanged(w.member_id));
    }
    let linkage = encode_linkage(&w.linkage)?;
    c.execute(
        "UPDATE members SET my_number = $1, linkage = $2 WHERE member_id = $3",
        &[&my_number_text(w.my_number.as_ref()), &linkage, &w.member_id.0],
    )
    .await?;
    let e = Event {
        member_id: w.member_id,
        action: &w.action,
        my_number: w.my_number.as_ref(),
        previous: rec.my_number.as_ref(),
        linkage: &w.linkage,
        by: &w.by,
        note: w.note.as_deref(),
        request_id: &w.request_id,
    };
    insert_event(&c, &inner, e).await?;
    if let Some(status) = &w.close_cases {
        let at = inner.stamp();
        c.execute(
            "UPDATE link_cases SET status = $1, closed_by = $2, closed_at = $3 WHERE member_id = $4 AND status = 'open'",
            &[status, &w.by, &at.0, &w.member_id.0],
        )
        .await?;
    }
    tx.commit().await?;
    rec.my_number = w.my_number;
    rec.linkage = w.linkage;
    Ok(rec)
}

pub(super) async fn link_events(
    c: &Cx<'_, impl GenericClient + Sync>,
    member_id: MemberId,
) -> Result<Vec<LinkEvent>, StoreError> {
    let rows = c
        .query(
            &format!("SELECT {LINK_EVENT_COLUMNS} FROM link_events WHERE member_id = $1 ORDER BY id"),
            &[&member_id.0],
        )
        .await?;
    rows.into_iter()
        .map(|r| {
            LinkEventCols {
                id: r.try_get(0)?,
                member_id: r.try_get(1)?,
                action: r.try_get(2)?,
                my_number: r.try_get(3)?,
                previous: r.try_get(4)?,
                linkage: r.try_get(5)?,
                by: r.try_get(6)?,
                note: r.try_get(7)?,
                request_id: r.try_get(8)?,
                recorded_at: r.try_get(9)?,
            }
            .decode()
        })
        .collect()
}

/// [`crate::Store::import_cases`]: all or nothing; a member with an open case on the same My Number is skipped.
pub(super) async fn import_cases(inner: Arc<Inner>, cases: Vec<CaseWrite>) -> Result<CaseImport, StoreError> {
    let mut conn = inner.pool.get().await?;
    let cache = conn.cache();
    let tx = conn.transaction().await?;
    let c = Cx::new(&tx, cache);
    let mut members: Vec<MemberId> = cases.iter().map(|c| c.member_id).collect();
    members.sort_unstable();
    members.dedup();
    for m in members {
        lock(&c, &cases_lock(m)).await?;
    }
    let mut done = CaseImport::default();
    for case in cases {
        let mn = my_number_text(case.my_number.as_ref());
        let open = tx
            .query_opt(
                "SELECT case_id FROM link_cases
                 WHERE member_id = $1 AND status = 'open' AND my_number IS NOT DISTINCT FROM $2
                 ORDER BY case_id LIMIT 1",
                &[&case.member_id.0, &mn],
            )
            .await?;
        if let Some(r) = open {
            done.already_open.push(r.try_get(0)?);
            continue;
        }
        let at = inner.stamp();
        let row = tx
            .query_one(
                "INSERT INTO link_cases (insurer_number, member_id, record_id, my_number, grade, reasons,
                                         suggested_my_number, status, opened_by, request_id, opened_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8, $9, $10) RETURNING case_id",
                &[
                    &case.insurer_number.as_str(),
                    &case.member_id.0,
                    &case.record_id,
                    &mn,
                    &case.grade,
                    &encode_reasons(&case.reasons),
                    &my_number_text(case.suggested_my_number.as_ref()),
                    &case.opened_by,
                    &case.request_id,
                    &at.0,
                ],
            )
            .await?;
        done.opened.push(row.try_get(0)?);
    }
    tx.commit().await?;
    Ok(done)
}

pub(super) async fn cases_where(
    c: &Cx<'_, impl GenericClient + Sync>,
    clause: &str,
    p: Params<'_>,
) -> Result<Vec<CaseRecord>, StoreError> {
    let rows = c.query(&format!("SELECT {CASE_COLUMNS} FROM link_cases WHERE {clause} ORDER BY case_id"), p).await?;
    rows.into_iter()
        .map(|r| {
            CaseCols {
                case_id: r.try_get(0)?,
                insurer: r.try_get(1)?,
                member_id: r.try_get(2)?,
                record_id: r.try_get(3)?,
                my_number: r.try_get(4)?,
                grade: r.try_get(5)?,
                reasons: r.try_get(6)?,
                suggested_my_number: r.try_get(7)?,
                status: r.try_get(8)?,
                opened_by: r.try_get(9)?,
                request_id: r.try_get(10)?,
                opened_at: r.try_get(11)?,
                closed_by: r.try_get(12)?,
                closed_at: r.try_get(13)?,
            }
            .decode()
        })
        .collect()
}
