//! The row ↔ struct mapping shared by both engines, and the few decisions a writing transaction takes on what
//! it read (the overlap refusal, which linked members a registry event reaches, what a registry write changed).
//!
//! Both engines store the same encodings (dates as ISO `YYYY-MM-DD` text, times as µs since the epoch, JSON for
//! a change or a linkage, `;`-joined reasons), with the same column names and order, so that each engine only
//! reads the raw columns of a row (`*Cols`) and this module turns them into the store's structs: one rule, one
//! function.

use onshi_ids::{Branch, InsuredNumber, InsurerNumber, MyNumber, Symbol};
use onshi_law::Date;
use onshi_ledger::{Change, Entry, MemberHistory, MemberKey, MemberStatic, RecordedAt, Relationship, Seq, Sex};

use crate::{
    CaseRecord, CaseWrite, CertificateRecord, Credential, LinkEvent, LinkageRecord, MemberId, MemberRecord,
    RegistryChange, RegistryDecision, RegistryEvent, Resident, ResidentWrite, Revocation, StoreError,
};

pub(crate) fn sex_str(s: Sex) -> &'static str {
    match s {
        Sex::Male => "male",
        Sex::Female => "female",
    }
}

pub(crate) fn parse_sex(s: &str) -> Result<Sex, StoreError> {
    match s {
        "male" => Ok(Sex::Male),
        "female" => Ok(Sex::Female),
        other => Err(StoreError::Corrupt(format!("sex {other:?}"))),
    }
}

pub(crate) fn relationship_str(r: Relationship) -> &'static str {
    match r {
        Relationship::Insured => "insured",
        Relationship::Dependent => "dependent",
    }
}

pub(crate) fn parse_relationship(s: &str) -> Result<Relationship, StoreError> {
    match s {
        "insured" => Ok(Relationship::Insured),
        "dependent" => Ok(Relationship::Dependent),
        other => Err(StoreError::Corrupt(format!("relationship {other:?}"))),
    }
}

pub(crate) fn date_str(d: Date) -> String {
    d.format("%Y-%m-%d").to_string()
}

pub(crate) fn parse_date(s: &str) -> Result<Date, StoreError> {
    onshi_law::parse_iso_date(s).map_err(|e| StoreError::Corrupt(format!("date {s:?}: {e}")))
}

pub(crate) fn corrupt(what: &str) -> impl Fn(onshi_ids::IdError) -> StoreError + '_ {
    move |e| StoreError::Corrupt(format!("{what}: {e}"))
}

pub(crate) fn my_number_of(s: Option<&str>, what: &str) -> Result<Option<MyNumber>, StoreError> {
    s.map(MyNumber::parse).transpose().map_err(corrupt(what))
}

pub(crate) fn my_number_text(n: Option<&MyNumber>) -> Option<String> {
    n.map(|n| n.as_str().to_owned())
}

pub(crate) fn symbol_param(s: &Option<Symbol>) -> Option<&str> {
    s.as_ref().map(|s| s.as_str())
}

pub(crate) fn encode_linkage(l: &Option<LinkageRecord>) -> Result<Option<String>, StoreError> {
    l.as_ref()
        .map(serde_json::to_string)
        .transpose()
        .map_err(|e| StoreError::Corrupt(format!("cannot encode a linkage: {e}")))
}

pub(crate) fn decode_linkage(s: Option<&str>) -> Result<Option<LinkageRecord>, StoreError> {
    s.map(serde_json::from_str).transpose().map_err(|e| StoreError::Corrupt(format!("linkage: {e}")))
}

pub(crate) fn encode_change(c: &Change) -> Result<String, StoreError> {
    serde_json::to_string(c).map_err(|err| StoreError::Corrupt(format!("cannot encode a change: {err}")))
}

pub(crate) fn encode_registry_change(c: &RegistryChange) -> Result<String, StoreError> {
    serde_json::to_string(c).map_err(|e| StoreError::Corrupt(format!("cannot encode an event: {e}")))
}

/// The reasons of a case as stored.
pub(crate) fn encode_reasons(r: &[String]) -> String {
    r.join(";")
}

// ---- residents ----------------------------------------------------------------------------------------

pub(crate) const RESIDENT_COLUMNS: &str = "my_number, name, name_kana, birth_date, sex, address, recorded_at";

/// The columns of [`RESIDENT_COLUMNS`], as read.
pub(crate) struct ResidentCols {
    pub my_number: String,
    pub name: String,
    pub name_kana: String,
    pub birth_date: String,
    pub sex: String,
    pub address: String,
    pub recorded_at: i64,
}

impl ResidentCols {
    pub(crate) fn decode(self) -> Result<Resident, StoreError> {
        Ok(Resident {
            my_number: MyNumber::parse(&self.my_number).map_err(corrupt("my_number"))?,
            name: self.name,
            name_kana: self.name_kana,
            birth_date: parse_date(&self.birth_date)?,
            sex: parse_sex(&self.sex)?,
            address: self.address,
            recorded_at: RecordedAt(self.recorded_at),
        })
    }
}

// ---- members --------------------------------------------------------------------------------------------

pub(crate) const MEMBER_COLUMNS: &str = "member_id, insurer_number, symbol, number, branch, relationship, \
                                         birth_date, sex, my_number, linkage";

/// The columns of [`MEMBER_COLUMNS`], as read.
pub(crate) struct MemberCols {
    pub id: i64,
    pub insurer: String,
    pub symbol: Option<String>,
    pub number: String,
    pub branch: String,
    pub relationship: String,
    pub birth_date: String,
    pub sex: String,
    pub my_number: Option<String>,
    pub linkage: Option<String>,
}

/// A member row before its entries are attached.
pub(crate) struct MemberRow {
    pub id: MemberId,
    pub statik: MemberStatic,
    pub my_number: Option<MyNumber>,
    pub linkage: Option<LinkageRecord>,
}

impl MemberCols {
    pub(crate) fn decode(self) -> Result<MemberRow, StoreError> {
        Ok(MemberRow {
            id: MemberId(self.id),
            statik: MemberStatic {
                key: MemberKey {
                    insurer_number: InsurerNumber::parse(&self.insurer).map_err(corrupt("insurer_number"))?,
                    symbol: self.symbol.as_deref().map(Symbol::parse).transpose().map_err(corrupt("symbol"))?,
                    number: InsuredNumber::parse(&self.number).map_err(corrupt("number"))?,
                    branch: Branch::parse(&self.branch).map_err(corrupt("branch"))?,
                },
                relationship: parse_relationship(&self.relationship)?,
                birth_date: parse_date(&self.birth_date)?,
                sex: parse_sex(&self.sex)?,
            },
            my_number: my_number_of(self.my_number.as_deref(), "my_number")?,
            linkage: decode_linkage(self.linkage.as_deref())?,
        })
    }
}

impl MemberRow {
    /// The record with its entries (in any order: sorted here by sequence).
    pub(crate) fn with_entries(self, mut entries: Vec<Entry>) -> MemberRecord {
        entries.sort_unstable_by_key(|e| e.seq);
        MemberRecord {
            id: self.id,
            my_number: self.my_number,
            linkage: self.linkage,
            history: MemberHistory { statik: self.statik, entries },
        }
    }
}

pub(crate) const ENTRY_COLUMNS: &str = "seq, recorded_at, effective_on, change";

/// The columns of [`ENTRY_COLUMNS`], as read.
pub(crate) struct EntryCols {
    pub seq: i64,
    pub recorded_at: i64,
    pub effective_on: String,
    pub change: String,
}

impl EntryCols {
    pub(crate) fn decode(self) -> Result<Entry, StoreError> {
        let seq = self.seq;
        Ok(Entry {
            seq: Seq(seq as u64),
            recorded_at: RecordedAt(self.recorded_at),
            effective_on: parse_date(&self.effective_on)?,
            change: serde_json::from_str(&self.change).map_err(|e| StoreError::Corrupt(format!("entry {seq}: {e}")))?,
        })
    }
}

/// The duplicate rule: refuses a period that shares a day with the period of another record of the same key
/// (`same_key`: the other records of the key, read inside the writing transaction). Overlap is the ledger's
/// rule ([`MemberHistory::periods_overlap`]): half-open periods sharing a day, so an empty period (an
/// enrolment cancelled on its first day, a voided acquisition) blocks nothing.
pub(crate) fn refuse_overlap(same_key: &[MemberRecord], period: (Date, Option<Date>)) -> Result<(), StoreError> {
    match same_key.iter().find(|o| MemberHistory::periods_overlap(o.history.period(None), period)) {
        Some(dup) => {
            Err(StoreError::Duplicate { existing: dup.id, number: dup.history.statik.key.number.as_str().to_owned() })
        }
        None => Ok(()),
    }
}

// ---- registry events --------------------------------------------------------------------------------------

pub(crate) const EVENT_COLUMNS: &str = "id, my_number, member_id, insurer_number, effective_on, details, \
                                        recorded_at, status, decided_by, decided_at, decision_reason, applied_seq";

/// The columns of [`EVENT_COLUMNS`], as read.
pub(crate) struct EventCols {
    pub id: i64,
    pub my_number: String,
    pub member_id: i64,
    pub insurer: String,
    pub effective_on: String,
    pub details: String,
    pub recorded_at: i64,
    pub status: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
    pub decision_reason: Option<String>,
    pub applied_seq: Option<i64>,
}

impl EventCols {
    pub(crate) fn decode(self) -> Result<RegistryEvent, StoreError> {
        let id = self.id;
        let decision = match self.status.as_str() {
            "open" => None,
            "accepted" | "rejected" => Some(RegistryDecision {
                accepted: self.status == "accepted",
                by: self.decided_by.unwrap_or_default(),
                at: RecordedAt(self.decided_at.unwrap_or_default()),
                reason: self.decision_reason,
                applied_seq: self.applied_seq.map(|s| Seq(s as u64)),
            }),
            other => return Err(StoreError::Corrupt(format!("registry event {id}: status {other:?}"))),
        };
        Ok(RegistryEvent {
            id,
            my_number: MyNumber::parse(&self.my_number).map_err(corrupt("my_number"))?,
            member_id: MemberId(self.member_id),
            insurer_number: InsurerNumber::parse(&self.insurer).map_err(corrupt("insurer_number"))?,
            change: serde_json::from_str(&self.details)
                .map_err(|e| StoreError::Corrupt(format!("registry event {id}: {e}")))?,
            effective_on: parse_date(&self.effective_on)?,
            recorded_at: RecordedAt(self.recorded_at),
            decision,
        })
    }
}

/// What a registry write changed that an insurer keeps too (name, kana, address), if anything.
pub(crate) fn changed(before: &Resident, after: &ResidentWrite) -> Option<RegistryChange> {
    let diff = |old: &String, new: &String| (old != new).then(|| new.clone());
    let name = diff(&before.name, &after.name);
    let name_kana = diff(&before.name_kana, &after.name_kana);
    let address = diff(&before.address, &after.address);
    (name.is_some() || name_kana.is_some() || address.is_some()).then_some(RegistryChange::Change {
        name,
        name_kana,
        address,
    })
}

/// The legal day a registry change recorded at `at` takes effect on.
pub(crate) fn change_day(at: RecordedAt) -> Result<Date, StoreError> {
    at.to_datetime().map(onshi_law::legal_today).ok_or_else(|| StoreError::Corrupt("clock".into()))
}

/// Whether a registry event effective on `effective_on` reaches a linked member: its coverage had not ended
/// by then.
pub(crate) fn still_covered(m: &MemberRecord, effective_on: Date) -> bool {
    m.history.period_opt(None).is_some_and(|(_, lost)| lost.is_none_or(|l| l > effective_on))
}

// ---- links and cases ----------------------------------------------------------------------------------------

pub(crate) const LINK_EVENT_COLUMNS: &str =
    "id, member_id, action, my_number, previous, linkage, by_whom, note, request_id, recorded_at";

/// The columns of [`LINK_EVENT_COLUMNS`], as read.
pub(crate) struct LinkEventCols {
    pub id: i64,
    pub member_id: i64,
    pub action: String,
    pub my_number: Option<String>,
    pub previous: Option<String>,
    pub linkage: Option<String>,
    pub by: String,
    pub note: Option<String>,
    pub request_id: String,
    pub recorded_at: i64,
}

impl LinkEventCols {
    pub(crate) fn decode(self) -> Result<LinkEvent, StoreError> {
        Ok(LinkEvent {
            id: self.id,
            member_id: MemberId(self.member_id),
            action: self.action,
            my_number: my_number_of(self.my_number.as_deref(), "my_number")?,
            previous: my_number_of(self.previous.as_deref(), "previous")?,
            linkage: decode_linkage(self.linkage.as_deref())?,
            by: self.by,
            note: self.note,
            request_id: self.request_id,
            recorded_at: RecordedAt(self.recorded_at),
        })
    }
}

pub(crate) const CASE_COLUMNS: &str = "case_id, insurer_number, member_id, record_id, my_number, grade, reasons, \
                                       suggested_my_number, status, opened_by, request_id, opened_at, closed_by, \
                                       closed_at";

/// The columns of [`CASE_COLUMNS`], as read.
pub(crate) struct CaseCols {
    pub case_id: i64,
    pub insurer: String,
    pub member_id: i64,
    pub record_id: String,
    pub my_number: Option<String>,
    pub grade: String,
    pub reasons: String,
    pub suggested_my_number: Option<String>,
    pub status: String,
    pub opened_by: String,
    pub request_id: String,
    pub opened_at: i64,
    pub closed_by: Option<String>,
    pub closed_at: Option<i64>,
}

impl CaseCols {
    pub(crate) fn decode(self) -> Result<CaseRecord, StoreError> {
        Ok(CaseRecord {
            case_id: self.case_id,
            case: CaseWrite {
                insurer_number: InsurerNumber::parse(&self.insurer).map_err(corrupt("insurer_number"))?,
                member_id: MemberId(self.member_id),
                record_id: self.record_id,
                my_number: my_number_of(self.my_number.as_deref(), "my_number")?,
                grade: self.grade,
                reasons: self.reasons.split(';').filter(|s| !s.is_empty()).map(str::to_owned).collect(),
                suggested_my_number: my_number_of(self.suggested_my_number.as_deref(), "suggested_my_number")?,
                opened_by: self.opened_by,
                request_id: self.request_id,
            },
            status: self.status,
            opened_at: RecordedAt(self.opened_at),
            closed_by: self.closed_by,
            closed_at: self.closed_at.map(RecordedAt),
        })
    }
}

// ---- credentials, certificates ----------------------------------------------------------------------------

pub(crate) const CREDENTIAL_COLUMNS: &str = "token_hash, role, subject, created_at, expires_at, revoked_at";

/// The columns of [`CREDENTIAL_COLUMNS`], as read.
pub(crate) struct CredentialCols {
    pub token_hash: Vec<u8>,
    pub role: String,
    pub subject: String,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

impl CredentialCols {
    pub(crate) fn decode(self) -> Result<Credential, StoreError> {
        let token_hash: [u8; 32] =
            self.token_hash.try_into().map_err(|_| StoreError::Corrupt("a credential hash is not 32 bytes".into()))?;
        Ok(Credential {
            token_hash,
            role: self.role,
            subject: self.subject,
            created_at: self.created_at,
            expires_at: self.expires_at,
            revoked_at: self.revoked_at,
        })
    }
}

/// The 8 hash bytes a credential id names (`C` and 16 hex digits), or `None` if it is not an id.
pub(crate) fn credential_id_prefix(id: &str) -> Option<Vec<u8>> {
    let hex = id.strip_prefix('C').or_else(|| id.strip_prefix('c'))?;
    if hex.len() != 16 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..8).map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()).collect()
}

// The certificate lookup is on the card check's path, so SQLite must not re-prepare it on every use (see
// `sqlite::entries_of`): no `ORDER BY` (the rows are sorted in Rust, by when they were recorded), and the
// revocation comes from correlated subqueries, not a `LEFT JOIN` — SQLite re-prepares the joined form on every
// rebinding too (measured: 59 re-prepares in 60 uses; `hot_reads_are_not_reprepared` checks it). The same
// statement is valid PostgreSQL.
pub(crate) const CERTIFICATE_SELECT: &str = "SELECT c.serial, c.my_number, c.issued_on, c.expires_on,
     (SELECT r.reason FROM revocations r WHERE r.serial = c.serial),
     (SELECT r.revoked_at FROM revocations r WHERE r.serial = c.serial),
     c.recorded_at
     FROM certificates c";

/// The columns a certificate is read from: its row, its revocation (if any) and when it was recorded.
pub(crate) struct CertificateCols {
    pub serial: String,
    pub my_number: String,
    pub issued_on: String,
    pub expires_on: String,
    pub revocation_reason: Option<String>,
    pub revoked_at: Option<i64>,
    pub recorded_at: i64,
}

impl CertificateCols {
    fn decode(self) -> Result<CertificateRecord, StoreError> {
        Ok(CertificateRecord {
            serial: self.serial,
            my_number: MyNumber::parse(&self.my_number).map_err(corrupt("my_number"))?,
            issued_on: parse_date(&self.issued_on)?,
            expires_on: parse_date(&self.expires_on)?,
            revocation: self
                .revocation_reason
                .zip(self.revoked_at)
                .map(|(reason, at)| Revocation { reason, revoked_at: RecordedAt(at) }),
        })
    }
}

/// Certificates in the order they were recorded (then by serial).
pub(crate) fn certificates(mut rows: Vec<CertificateCols>) -> Result<Vec<CertificateRecord>, StoreError> {
    rows.sort_unstable_by(|a, b| (a.recorded_at, &a.serial).cmp(&(b.recorded_at, &b.serial)));
    rows.into_iter().map(CertificateCols::decode).collect()
}
