//! The registry on PostgreSQL: residents with their versions, deaths, and the registry events offered to
//! insurers (decided with the change appended, in one transaction). Writes of a person hold that person's lock.

use std::sync::Arc;

use onshi_ids::MyNumber;
use onshi_law::Date;
use onshi_ledger::RecordedAt;
use tokio_postgres::GenericClient;

use super::pool::Cx;

use super::members::{Params, append_entries, members_where};
use super::{Inner, lock, person_lock};
use crate::mapping::{
    EVENT_COLUMNS, EventCols, RESIDENT_COLUMNS, ResidentCols, change_day, changed, date_str, encode_registry_change,
    parse_date, sex_str, still_covered,
};
use crate::{Decide, PutOutcome, RegistryChange, RegistryDecision, RegistryEvent, Resident, ResidentWrite, StoreError};

async fn residents_where(
    c: &Cx<'_, impl GenericClient + Sync>,
    table: &str,
    clause: &str,
    params: Params<'_>,
) -> Result<Vec<Resident>, StoreError> {
    let rows = c.query(&format!("SELECT {RESIDENT_COLUMNS} FROM {table} WHERE {clause}"), params).await?;
    rows.into_iter()
        .map(|r| {
            ResidentCols {
                my_number: r.try_get(0)?,
                name: r.try_get(1)?,
                name_kana: r.try_get(2)?,
                birth_date: r.try_get(3)?,
                sex: r.try_get(4)?,
                address: r.try_get(5)?,
                recorded_at: r.try_get(6)?,
            }
            .decode()
        })
        .collect()
}

pub(super) async fn resident(
    c: &Cx<'_, impl GenericClient + Sync>,
    n: &MyNumber,
) -> Result<Option<Resident>, StoreError> {
    Ok(residents_where(c, "residents", "my_number = $1", &[&n.as_str()]).await?.pop())
}

pub(super) async fn residents_born_on(
    c: &Cx<'_, impl GenericClient + Sync>,
    birth: Date,
) -> Result<Vec<Resident>, StoreError> {
    let mut out = residents_where(c, "residents", "birth_date = $1", &[&date_str(birth)]).await?;
    out.sort_unstable_by(|a, b| a.my_number.as_str().cmp(b.my_number.as_str()));
    Ok(out)
}

pub(super) async fn resident_versions(
    c: &Cx<'_, impl GenericClient + Sync>,
    n: &MyNumber,
) -> Result<Vec<Resident>, StoreError> {
    residents_where(c, "resident_versions", "my_number = $1 ORDER BY version", &[&n.as_str()]).await
}

pub(super) async fn put_resident(inner: Arc<Inner>, r: ResidentWrite) -> Result<PutOutcome, StoreError> {
    let mut conn = inner.pool.get().await?;
    let cache = conn.cache();
    let tx = conn.transaction().await?;
    let c = Cx::new(&tx, cache);
    lock(&c, &person_lock(&r.my_number)).await?;
    let at = inner.stamp();
    let before = resident(&c, &r.my_number).await?;
    let birth = date_str(r.birth_date);
    let values: Params<'_> =
        &[&r.my_number.as_str(), &r.name, &r.name_kana, &birth, &sex_str(r.sex), &r.address, &at.0];
    c.execute(
        "INSERT INTO resident_versions (my_number, name, name_kana, birth_date, sex, address, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        values,
    )
    .await?;
    c.execute(
        "INSERT INTO residents (my_number, name, name_kana, birth_date, sex, address, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (my_number) DO UPDATE SET name = EXCLUDED.name, name_kana = EXCLUDED.name_kana,
           birth_date = EXCLUDED.birth_date, sex = EXCLUDED.sex, address = EXCLUDED.address,
           recorded_at = EXCLUDED.recorded_at",
        values,
    )
    .await?;
    let outcome = match &before {
        Some(before) => {
            if let Some(change) = changed(before, &r) {
                offer(&c, &r.my_number, change, change_day(at)?, at).await?;
            }
            PutOutcome::Replaced
        }
        None => PutOutcome::Created,
    };
    tx.commit().await?;
    Ok(outcome)
}

/// One open event per member record linked to `my_number` whose coverage had not ended by `effective_on`.
async fn offer(
    c: &Cx<'_, impl GenericClient + Sync>,
    my_number: &MyNumber,
    change: RegistryChange,
    effective_on: Date,
    at: RecordedAt,
) -> Result<Vec<RegistryEvent>, StoreError> {
    let details = encode_registry_change(&change)?;
    let linked = members_where(c, "my_number = $1", &[&my_number.as_str()]).await?;
    let mut out = Vec::new();
    for m in linked {
        if !still_covered(&m, effective_on) {
            continue;
        }
        let insurer = m.history.statik.key.insurer_number;
        let row = c
            .query_one(
                "INSERT INTO registry_events (my_number, member_id, insurer_number, kind, effective_on, details,
                                              recorded_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                &[
                    &my_number.as_str(),
                    &m.id.0,
                    &insurer.as_str(),
                    &change.kind(),
                    &date_str(effective_on),
                    &details,
                    &at.0,
                ],
            )
            .await?;
        out.push(RegistryEvent {
            id: row.try_get(0)?,
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

pub(super) async fn record_death(
    inner: Arc<Inner>,
    my_number: MyNumber,
    died_on: Date,
) -> Result<Vec<RegistryEvent>, StoreError> {
    let mut conn = inner.pool.get().await?;
    let cache = conn.cache();
    let tx = conn.transaction().await?;
    let c = Cx::new(&tx, cache);
    lock(&c, &person_lock(&my_number)).await?;
    if resident(&c, &my_number).await?.is_none() {
        return Err(StoreError::ResidentNotFound);
    }
    if let Some(d) = death_of(&c, &my_number).await? {
        return Err(StoreError::DeathRecorded(d));
    }
    let at = inner.stamp();
    c.execute(
        "INSERT INTO resident_deaths (my_number, died_on, recorded_at) VALUES ($1, $2, $3)",
        &[&my_number.as_str(), &date_str(died_on), &at.0],
    )
    .await?;
    let offered = offer(&c, &my_number, RegistryChange::Death, died_on, at).await?;
    tx.commit().await?;
    Ok(offered)
}

pub(super) async fn death_of(c: &Cx<'_, impl GenericClient + Sync>, n: &MyNumber) -> Result<Option<Date>, StoreError> {
    let row = c.query_opt("SELECT died_on FROM resident_deaths WHERE my_number = $1", &[&n.as_str()]).await?;
    row.map(|r| r.try_get::<_, String>(0)).transpose()?.as_deref().map(parse_date).transpose()
}

async fn events_where(
    c: &Cx<'_, impl GenericClient + Sync>,
    clause: &str,
    p: Params<'_>,
) -> Result<Vec<RegistryEvent>, StoreError> {
    let rows = c.query(&format!("SELECT {EVENT_COLUMNS} FROM registry_events WHERE {clause}"), p).await?;
    let mut out = rows
        .into_iter()
        .map(|r| {
            EventCols {
                id: r.try_get(0)?,
                my_number: r.try_get(1)?,
                member_id: r.try_get(2)?,
                insurer: r.try_get(3)?,
                effective_on: r.try_get(4)?,
                details: r.try_get(5)?,
                recorded_at: r.try_get(6)?,
                status: r.try_get(7)?,
                decided_by: r.try_get(8)?,
                decided_at: r.try_get(9)?,
                decision_reason: r.try_get(10)?,
                applied_seq: r.try_get(11)?,
            }
            .decode()
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    out.sort_unstable_by_key(|e| e.id);
    Ok(out)
}

pub(super) async fn list(
    c: &Cx<'_, impl GenericClient + Sync>,
    insurer: Option<String>,
    open_only: bool,
) -> Result<Vec<RegistryEvent>, StoreError> {
    events_where(
        c,
        "($1::text IS NULL OR insurer_number = $1) AND (NOT $2 OR status = 'open')",
        &[&insurer, &open_only],
    )
    .await
}

/// One event; `for_update` locks its row until the transaction ends.
pub(super) async fn by_id(
    c: &Cx<'_, impl GenericClient + Sync>,
    id: i64,
    for_update: bool,
) -> Result<Option<RegistryEvent>, StoreError> {
    let clause = if for_update { "id = $1 FOR UPDATE" } else { "id = $1" };
    Ok(events_where(c, clause, &[&id]).await?.pop())
}

/// Stores a decision on an open event and appends its change to the member, all or nothing.
pub(super) async fn decide(inner: Arc<Inner>, d: Decide) -> Result<RegistryEvent, StoreError> {
    let mut conn = inner.pool.get().await?;
    let cache = conn.cache();
    let tx = conn.transaction().await?;
    let c = Cx::new(&tx, cache);
    let mut ev = by_id(&c, d.id, true).await?.ok_or(StoreError::RegistryEventNotFound(d.id))?;
    if ev.decision.is_some() {
        return Err(StoreError::RegistryEventDecided(d.id));
    }
    let applied_seq = match d.apply {
        Some(change) => {
            let rec = append_entries(&c, &inner, ev.member_id, vec![change]).await?;
            rec.history.entries.last().map(|e| e.seq)
        }
        None => None,
    };
    let at = inner.stamp();
    c.execute(
        "UPDATE registry_events SET status = $2, decided_by = $3, decided_at = $4, decision_reason = $5,
                                    applied_seq = $6
         WHERE id = $1 AND status = 'open'",
        &[
            &d.id,
            &if d.accepted { "accepted" } else { "rejected" },
            &d.by,
            &at.0,
            &d.reason,
            &applied_seq.map(|s| s.0 as i64),
        ],
    )
    .await?;
    tx.commit().await?;
    ev.decision = Some(RegistryDecision { accepted: d.accepted, by: d.by, at, reason: d.reason, applied_seq });
    Ok(ev)
}
