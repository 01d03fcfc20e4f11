//! Registry events reaching insurers: a resident's death, name change or move, offered to the insurer of every
//! member record linked to the resident, as a change to review. Nothing is applied to a member here until its
//! insurer decides ([`decide`]), and then in the same transaction as the decision.

use onshi_ids::{InsurerNumber, MyNumber};
use onshi_law::Date;
use onshi_ledger::RecordedAt;
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{WriterCtx, append_entries, members_where, resident_from_row};
use crate::mapping::{
    EVENT_COLUMNS, EventCols, change_day, changed, date_str, encode_registry_change, parse_date, still_covered,
};
use crate::{Decide, RegistryChange, RegistryDecision, RegistryEvent, Resident, ResidentWrite, StoreError};

/// A resident's current basic four, read inside the writing transaction.
pub(super) fn current_resident(conn: &Connection, my_number: &MyNumber) -> Result<Option<Resident>, StoreError> {
    conn.prepare_cached(
        "SELECT my_number, name, name_kana, birth_date, sex, address, recorded_at
         FROM residents WHERE my_number = ?1",
    )?
    .query_row([my_number.as_str()], |r| Ok(resident_from_row(r)))
    .optional()?
    .transpose()
}

/// Offers a registry write's change of name, kana or address (effective on the legal day it was recorded) to
/// the insurers of the resident's linked members.
pub(super) fn offer_change(
    ctx: &mut WriterCtx,
    before: &Resident,
    after: &ResidentWrite,
    at: RecordedAt,
) -> Result<(), StoreError> {
    let Some(change) = changed(before, after) else {
        return Ok(());
    };
    let on = change_day(at)?;
    offer(ctx, &after.my_number, change, on, at)?;
    Ok(())
}

/// One open event per member record linked to `my_number` whose coverage had not ended by `effective_on`.
fn offer(
    ctx: &mut WriterCtx,
    my_number: &MyNumber,
    change: RegistryChange,
    effective_on: Date,
    at: RecordedAt,
) -> Result<Vec<RegistryEvent>, StoreError> {
    let details = encode_registry_change(&change)?;
    let linked = members_where(&ctx.conn, "my_number = ?1", [my_number.as_str()])?;
    let mut out = Vec::new();
    for m in linked {
        if !still_covered(&m, effective_on) {
            continue;
        }
        let insurer = m.history.statik.key.insurer_number;
        ctx.conn
            .prepare_cached(
                "INSERT INTO registry_events (my_number, member_id, insurer_number, kind, effective_on, details,
                                              recorded_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                my_number.as_str(),
                m.id.0,
                insurer.as_str(),
                change.kind(),
                date_str(effective_on),
                details,
                at.0
            ])?;
        out.push(RegistryEvent {
            id: ctx.conn.last_insert_rowid(),
            my_number: *my_number,
            member_id: m.id,
            insurer_number: insurer,
            change: change.clone(),
            effective_on,
            recorded_at: at,
            decision: None,
        });
    }
    Ok(out)
}

/// Records a death once and offers it to the insurers of the resident's linked members.
pub(super) fn record_death(
    ctx: &mut WriterCtx,
    my_number: &MyNumber,
    died_on: Date,
) -> Result<Vec<RegistryEvent>, StoreError> {
    if current_resident(&ctx.conn, my_number)?.is_none() {
        return Err(StoreError::ResidentNotFound);
    }
    if let Some(d) = death_of(&ctx.conn, my_number)? {
        return Err(StoreError::DeathRecorded(d));
    }
    let at = ctx.stamp();
    ctx.conn
        .prepare_cached("INSERT INTO resident_deaths (my_number, died_on, recorded_at) VALUES (?1, ?2, ?3)")?
        .execute(params![my_number.as_str(), date_str(died_on), at.0])?;
    offer(ctx, my_number, RegistryChange::Death, died_on, at)
}

pub(super) fn death_of(conn: &Connection, my_number: &MyNumber) -> Result<Option<Date>, StoreError> {
    let d: Option<String> = conn
        .prepare_cached("SELECT died_on FROM resident_deaths WHERE my_number = ?1")?
        .query_row([my_number.as_str()], |r| r.get(0))
        .optional()?;
    d.as_deref().map(parse_date).transpose()
}

fn event_from_row(r: &Row<'_>) -> Result<RegistryEvent, StoreError> {
    EventCols {
        id: r.get(0)?,
        my_number: r.get(1)?,
        member_id: r.get(2)?,
        insurer: r.get(3)?,
        effective_on: r.get(4)?,
        details: r.get(5)?,
        recorded_at: r.get(6)?,
        status: r.get(7)?,
        decided_by: r.get(8)?,
        decided_at: r.get(9)?,
        decision_reason: r.get(10)?,
        applied_seq: r.get(11)?,
    }
    .decode()
}

fn events_where(conn: &Connection, clause: &str, p: impl rusqlite::Params) -> Result<Vec<RegistryEvent>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {EVENT_COLUMNS} FROM registry_events WHERE {clause}"))?;
    let mut rows = stmt.query(p)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(event_from_row(r)?);
    }
    out.sort_unstable_by_key(|e| e.id);
    Ok(out)
}

pub(super) fn list(
    conn: &Connection,
    insurer: Option<&InsurerNumber>,
    open_only: bool,
) -> Result<Vec<RegistryEvent>, StoreError> {
    events_where(
        conn,
        "(?1 IS NULL OR insurer_number = ?1) AND (?2 = 0 OR status = 'open')",
        params![insurer.map(|i| i.as_str()), open_only],
    )
}

pub(super) fn by_id(conn: &Connection, id: i64) -> Result<Option<RegistryEvent>, StoreError> {
    Ok(events_where(conn, "id = ?1", [id])?.pop())
}

/// Stores a decision on an open event and appends its change to the member, all or nothing.
pub(super) fn decide(ctx: &mut WriterCtx, d: Decide) -> Result<RegistryEvent, StoreError> {
    let mut ev = by_id(&ctx.conn, d.id)?.ok_or(StoreError::RegistryEventNotFound(d.id))?;
    if ev.decision.is_some() {
        return Err(StoreError::RegistryEventDecided(d.id));
    }
    let applied_seq = match d.apply {
        Some(change) => {
            let rec = append_entries(ctx, ev.member_id, vec![change])?;
            rec.history.entries.last().map(|e| e.seq)
        }
        None => None,
    };
    let at = ctx.stamp();
    ctx.conn
        .prepare_cached(
            "UPDATE registry_events SET status = ?2, decided_by = ?3, decided_at = ?4, decision_reason = ?5,
                                        applied_seq = ?6
             WHERE id = ?1 AND status = 'open'",
        )?
        .execute(params![
            d.id,
            if d.accepted { "accepted" } else { "rejected" },
            d.by,
            at.0,
            d.reason,
            applied_seq.map(|s| s.0 as i64)
        ])?;
    ev.decision = Some(RegistryDecision { accepted: d.accepted, by: d.by, at, reason: d.reason, applied_seq });
    Ok(ev)
}
