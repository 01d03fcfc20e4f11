//! Members on PostgreSQL: the reads, the enrolment and appends with the duplicate rule, each write one
//! transaction holding the lock of the member key it checks.

use std::collections::HashMap;
use std::sync::Arc;

use onshi_law::Date;
use onshi_ledger::{Change, Entry, MemberHistory, MemberKey, Relationship, Seq};
use tokio_postgres::GenericClient;

use super::pool::Cx;
use tokio_postgres::types::ToSql;

use super::{Inner, lock, person_lock};
use crate::mapping::{
    self, EntryCols, MEMBER_COLUMNS, MemberCols, date_str, encode_change, encode_linkage, relationship_str, sex_str,
    symbol_param,
};
use crate::{MemberId, MemberRecord, NewMember, StoreError};

pub(super) type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

/// The members a clause selects (with their whole histories), by id: one statement, so one round trip and
/// one snapshot (a member's row and its entries never straddle a write). The clause is applied to `members`
/// alone (it may end in `FOR UPDATE`), its rows joined with their entries.
pub(crate) async fn members_where(
    c: &Cx<'_, impl GenericClient + Sync>,
    clause: &str,
    params: Params<'_>,
) -> Result<Vec<MemberRecord>, StoreError> {
    let sql = format!(
        "SELECT m.*, e.seq, e.recorded_at, e.effective_on, e.change
         FROM (SELECT {MEMBER_COLUMNS} FROM members WHERE {clause}) m
         LEFT JOIN member_entries e ON e.member_id = m.member_id"
    );
    let rows = c.query(&sql, params).await?;
    let mut found: HashMap<i64, (mapping::MemberRow, Vec<Entry>)> = HashMap::new();
    for r in rows {
        let id: i64 = r.try_get(0)?;
        let (_, entries) = match found.entry(id) {
            std::collections::hash_map::Entry::Occupied(o) => o.into_mut(),
            std::collections::hash_map::Entry::Vacant(v) => v.insert((
                MemberCols {
                    id,
                    insurer: r.try_get(1)?,
                    symbol: r.try_get(2)?,
                    number: r.try_get(3)?,
                    branch: r.try_get(4)?,
                    relationship: r.try_get(5)?,
                    birth_date: r.try_get(6)?,
                    sex: r.try_get(7)?,
                    my_number: r.try_get(8)?,
                    linkage: r.try_get(9)?,
                }
                .decode()?,
                Vec::new(),
            )),
        };
        // a member without entries (none is stored so, but the join allows it) has NULLs here
        if let Some(seq) = r.try_get::<_, Option<i64>>(10)? {
            entries.push(
                EntryCols { seq, recorded_at: r.try_get(11)?, effective_on: r.try_get(12)?, change: r.try_get(13)? }
                    .decode()?,
            );
        }
    }
    let mut found: Vec<_> = found.into_values().collect();
    found.sort_unstable_by_key(|(m, _)| m.id);
    Ok(found.into_iter().map(|(m, e)| m.with_entries(e)).collect())
}

pub(super) async fn insured_of(
    c: &Cx<'_, impl GenericClient + Sync>,
    insurer: &str,
    number_key: &str,
    symbol: Option<&str>,
) -> Result<Vec<MemberRecord>, StoreError> {
    members_where(
        c,
        "insurer_number = $1 AND number_key = $2 AND symbol IS NOT DISTINCT FROM $3 AND relationship = 'insured'",
        &[&insurer, &number_key, &symbol],
    )
    .await
}

/// The lock of a member key's duplicate rule (insurer and number key: coarser than the key, never finer).
fn key_lock(key: &MemberKey) -> String {
    format!("onshi:member-key:{}:{}", key.insurer_number.as_str(), key.number.match_key())
}

async fn next_seq(c: &Cx<'_, impl GenericClient + Sync>) -> Result<Seq, StoreError> {
    let s: i64 = c.query_one("SELECT nextval('member_entries_seq')", &[]).await?.try_get(0)?;
    Ok(Seq(s as u64))
}

async fn insert_entry(c: &Cx<'_, impl GenericClient + Sync>, id: MemberId, e: &Entry) -> Result<(), StoreError> {
    let change = encode_change(&e.change)?;
    c.execute(
        "INSERT INTO member_entries (seq, member_id, recorded_at, effective_on, change) VALUES ($1, $2, $3, $4, $5)",
        &[&(e.seq.0 as i64), &id.0, &e.recorded_at.0, &date_str(e.effective_on), &change],
    )
    .await?;
    Ok(())
}

/// Refuses a period that would overlap another record of the same key (the shared rule,
/// [`mapping::refuse_overlap`]); `except` is the record being changed itself.
async fn refuse_overlap(
    c: &Cx<'_, impl GenericClient + Sync>,
    key: &MemberKey,
    except: Option<MemberId>,
    period: (Date, Option<Date>),
) -> Result<(), StoreError> {
    // member ids come from a sequence starting at 1, never 0
    let same_key = members_where(
        c,
        "insurer_number = $1 AND number_key = $2 AND symbol IS NOT DISTINCT FROM $3 AND branch = $4 \
         AND member_id <> $5",
        &[
            &key.insurer_number.as_str(),
            &key.number.match_key(),
            &symbol_param(&key.symbol),
            &key.branch.as_str(),
            &except.map_or(0, |id| id.0),
        ],
    )
    .await?;
    mapping::refuse_overlap(&same_key, period)
}

pub(super) async fn enrol(inner: Arc<Inner>, m: NewMember) -> Result<MemberRecord, StoreError> {
    let mut conn = inner.pool.get().await?;
    let cache = conn.cache();
    let tx = conn.transaction().await?;
    let c = Cx::new(&tx, cache);
    let key = &m.statik.key;
    if let Some(n) = &m.my_number {
        lock(&c, &person_lock(n)).await?;
    }
    lock(&c, &key_lock(key)).await?;
    let entry = Entry {
        seq: next_seq(&c).await?,
        recorded_at: inner.stamp(),
        effective_on: m.acquired_on,
        change: m.acquire.clone(),
    };
    let history = MemberHistory::new(m.statik.clone(), entry.clone())?;
    refuse_overlap(&c, key, None, history.period(None)).await?;
    if m.statik.relationship == Relationship::Dependent
        && insured_of(&c, key.insurer_number.as_str(), key.number.match_key(), symbol_param(&key.symbol))
            .await?
            .is_empty()
    {
        return Err(StoreError::InsuredNotFound);
    }
    let linkage = encode_linkage(&m.linkage)?;
    let row = tx
        .query_one(
            "INSERT INTO members (insurer_number, symbol, number, branch, relationship, birth_date, sex, my_number,
                                  linkage, number_key)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING member_id",
            &[
                &key.insurer_number.as_str(),
                &symbol_param(&key.symbol),
                &key.number.as_str(),
                &key.branch.as_str(),
                &relationship_str(m.statik.relationship),
                &date_str(m.statik.birth_date),
                &sex_str(m.statik.sex),
                &m.my_number.as_ref().map(|n| n.as_str()),
                &linkage,
                &key.number.match_key(),
            ],
        )
        .await?;
    let id = MemberId(row.try_get(0)?);
    insert_entry(&c, id, &entry).await?;
    super::links::enrolled(&c, &inner, id, &m).await?;
    tx.commit().await?;
    Ok(MemberRecord { id, my_number: m.my_number, linkage: m.linkage, history })
}

pub(super) async fn append(
    inner: Arc<Inner>,
    id: MemberId,
    changes: Vec<(Date, Change)>,
) -> Result<MemberRecord, StoreError> {
    let mut conn = inner.pool.get().await?;
    let cache = conn.cache();
    let tx = conn.transaction().await?;
    let c = Cx::new(&tx, cache);
    let rec = append_entries(&c, &inner, id, changes).await?;
    tx.commit().await?;
    Ok(rec)
}

/// Appends `changes` to a member's history inside the transaction `c`, each validated by the ledger after the
/// previous one; the period that results must not overlap another record of the same key.
pub(super) async fn append_entries(
    c: &Cx<'_, impl GenericClient + Sync>,
    inner: &Inner,
    id: MemberId,
    changes: Vec<(Date, Change)>,
) -> Result<MemberRecord, StoreError> {
    // the key never changes: read it, lock it, and read the member again under the lock
    let key = members_where(c, "member_id = $1", &[&id.0]).await?.pop().ok_or(StoreError::MemberNotFound(id))?;
    lock(c, &key_lock(&key.history.statik.key)).await?;
    let mut rec = members_where(c, "member_id = $1", &[&id.0]).await?.pop().ok_or(StoreError::MemberNotFound(id))?;
    let mut added = Vec::with_capacity(changes.len());
    for (effective_on, change) in changes {
        let entry = Entry { seq: next_seq(c).await?, recorded_at: inner.stamp(), effective_on, change };
        rec.history.append(entry.clone())?;
        added.push(entry);
    }
    refuse_overlap(c, &rec.history.statik.key, Some(id), rec.history.period(None)).await?;
    for entry in &added {
        insert_entry(c, id, entry).await?;
    }
    Ok(rec)
}
