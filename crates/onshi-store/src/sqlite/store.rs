//! The `Store` trait on the embedded engine: each method a read on a reader connection or a job for the
//! writer thread (group commit).

use super::*;

impl Store for SqliteStore {
    fn put_resident(&self, r: ResidentWrite) -> Pending<PutOutcome> {
        self.submit(move |ctx| {
            let at = ctx.stamp();
            let before = registry_events::current_resident(&ctx.conn, &r.my_number)?;
            let existed = before.is_some();
            let birth = date_str(r.birth_date);
            ctx.conn
                .prepare_cached(
                    "INSERT INTO resident_versions
                     (my_number, name, name_kana, birth_date, sex, address, recorded_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )?
                .execute(params![r.my_number.as_str(), r.name, r.name_kana, birth, sex_str(r.sex), r.address, at.0])?;
            ctx.conn
                .prepare_cached(
                    "INSERT INTO residents (my_number, name, name_kana, birth_date, sex, address, recorded_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                     ON CONFLICT(my_number) DO UPDATE SET name = excluded.name,
                       name_kana = excluded.name_kana, birth_date = excluded.birth_date,
                       sex = excluded.sex, address = excluded.address, recorded_at = excluded.recorded_at",
                )?
                .execute(params![r.my_number.as_str(), r.name, r.name_kana, birth, sex_str(r.sex), r.address, at.0])?;
            if let Some(before) = before {
                registry_events::offer_change(ctx, &before, &r, at)?;
            }
            Ok(if existed { PutOutcome::Replaced } else { PutOutcome::Created })
        })
    }

    fn resident(&self, my_number: &MyNumber) -> Result<Option<Resident>, StoreError> {
        self.read(|c| {
            c.prepare_cached(
                "SELECT my_number, name, name_kana, birth_date, sex, address, recorded_at
                 FROM residents WHERE my_number = ?1",
            )?
            .query_row([my_number.as_str()], |r| Ok(resident_from_row(r)))
            .optional()?
            .transpose()
        })
    }

    fn residents_born_on(&self, birth_date: Date) -> Result<Vec<Resident>, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT my_number, name, name_kana, birth_date, sex, address, recorded_at
                 FROM residents WHERE birth_date = ?1",
            )?;
            let mut rows = stmt.query([date_str(birth_date)])?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                out.push(resident_from_row(r)?);
            }
            out.sort_unstable_by(|a, b| a.my_number.as_str().cmp(b.my_number.as_str()));
            Ok(out)
        })
    }

    fn resident_versions(&self, my_number: &MyNumber) -> Result<Vec<Resident>, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT my_number, name, name_kana, birth_date, sex, address, recorded_at
                 FROM resident_versions WHERE my_number = ?1 ORDER BY version",
            )?;
            let mut rows = stmt.query([my_number.as_str()])?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                out.push(resident_from_row(r)?);
            }
            Ok(out)
        })
    }

    fn enrol(&self, m: NewMember) -> Pending<MemberRecord> {
        self.submit(move |ctx| {
            let key = &m.statik.key;
            let entry = Entry {
                seq: ctx.next_seq(),
                recorded_at: ctx.stamp(),
                effective_on: m.acquired_on,
                change: m.acquire.clone(),
            };
            let history = MemberHistory::new(m.statik.clone(), entry.clone())?;
            refuse_overlap(&ctx.conn, key, None, history.period(None))?;
            if m.statik.relationship == Relationship::Dependent {
                let insured = members_where(
                    &ctx.conn,
                    "insurer_number = ?1 AND number_key = ?2 AND symbol IS ?3 AND relationship = 'insured'",
                    params![key.insurer_number.as_str(), key.number.match_key(), symbol_param(&key.symbol)],
                )?;
                if insured.is_empty() {
                    return Err(StoreError::InsuredNotFound);
                }
            }
            let linkage = encode_linkage(&m.linkage)?;
            ctx.conn
                .prepare_cached(
                    "INSERT INTO members (insurer_number, symbol, number, branch, relationship,
                                          birth_date, sex, my_number, linkage, number_key)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                )?
                .execute(params![
                    key.insurer_number.as_str(),
                    symbol_param(&key.symbol),
                    key.number.as_str(),
                    key.branch.as_str(),
                    relationship_str(m.statik.relationship),
                    date_str(m.statik.birth_date),
                    sex_str(m.statik.sex),
                    m.my_number.as_ref().map(|n| n.as_str().to_owned()),
                    linkage,
                    key.number.match_key()
                ])?;
            let id = MemberId(ctx.conn.last_insert_rowid());
            insert_entry(ctx, id, &entry)?;
            links::enrolled(ctx, id, &m)?;
            Ok(MemberRecord { id, my_number: m.my_number, linkage: m.linkage, history })
        })
    }

    fn append(&self, id: MemberId, effective_on: Date, change: Change) -> Pending<MemberRecord> {
        self.submit(move |ctx| append_entries(ctx, id, vec![(effective_on, change)]))
    }

    fn append_many(&self, id: MemberId, changes: Vec<(Date, Change)>) -> Pending<MemberRecord> {
        self.submit(move |ctx| append_entries(ctx, id, changes))
    }

    fn member(&self, id: MemberId) -> Result<Option<MemberRecord>, StoreError> {
        self.read(|c| member_by_id(c, id))
    }

    fn record_death(&self, my_number: MyNumber, died_on: Date) -> Pending<Vec<RegistryEvent>> {
        self.submit(move |ctx| registry_events::record_death(ctx, &my_number, died_on))
    }

    fn death_of(&self, my_number: &MyNumber) -> Result<Option<Date>, StoreError> {
        self.read(|c| registry_events::death_of(c, my_number))
    }

    fn registry_events(
        &self,
        insurer: Option<&InsurerNumber>,
        open_only: bool,
    ) -> Result<Vec<RegistryEvent>, StoreError> {
        self.read(|c| registry_events::list(c, insurer, open_only))
    }

    fn registry_event(&self, id: i64) -> Result<Option<RegistryEvent>, StoreError> {
        self.read(|c| registry_events::by_id(c, id))
    }

    fn decide_registry_event(&self, d: Decide) -> Pending<RegistryEvent> {
        self.submit(move |ctx| registry_events::decide(ctx, d))
    }

    fn members_by_card(
        &self,
        insurer: &InsurerNumber,
        number: &InsuredNumber,
        birth_date: Date,
    ) -> Result<Vec<MemberRecord>, StoreError> {
        self.read(|c| {
            members_where(
                c,
                "insurer_number = ?1 AND number_key = ?2 AND birth_date = ?3",
                params![insurer.as_str(), number.match_key(), date_str(birth_date)],
            )
        })
    }

    fn insured_of(
        &self,
        insurer: &InsurerNumber,
        symbol: Option<&Symbol>,
        number: &InsuredNumber,
    ) -> Result<Vec<MemberRecord>, StoreError> {
        self.read(|c| {
            members_where(
                c,
                "insurer_number = ?1 AND number_key = ?2 AND symbol IS ?3 AND relationship = 'insured'",
                params![insurer.as_str(), number.match_key(), symbol.map(|s| s.as_str())],
            )
        })
    }

    fn members_by_my_number(&self, my_number: &MyNumber) -> Result<Vec<MemberRecord>, StoreError> {
        self.read(|c| members_where(c, "my_number = ?1", [my_number.as_str()]))
    }

    fn unlinked_members_born_on(&self, birth_date: Date) -> Result<Vec<MemberRecord>, StoreError> {
        self.read(|c| members_where(c, "my_number IS NULL AND birth_date = ?1", [date_str(birth_date)]))
    }

    fn log_access(&self, e: AccessEntry) -> Pending<()> {
        // one INSERT: atomic by itself, no savepoint needed around it
        self.audit.submit_statement(move |ctx| {
            let at = ctx.stamp();
            ctx.conn
                .prepare_cached(
                    "INSERT INTO access_log (at, role, subject, endpoint, member_id, my_number, request_id, outcome)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                )?
                .execute(params![
                    at.0,
                    e.role,
                    e.subject,
                    e.endpoint,
                    e.member_id.map(|m| m.0),
                    e.my_number.as_ref().map(|n| n.as_str().to_owned()),
                    e.request_id,
                    e.outcome
                ])?;
            Ok(())
        })
    }

    fn access_log_of(
        &self,
        my_number: Option<&MyNumber>,
        member_ids: &[MemberId],
        limit: usize,
    ) -> Result<Vec<AccessRecord>, StoreError> {
        // `my_number = NULL` is never true: without a My Number, only the member ids match
        let ids = member_ids.iter().map(|m| m.0.to_string()).collect::<Vec<_>>().join(",");
        access_lines(
            &self.audit,
            &format!("my_number = ?1 OR member_id IN ({ids})"),
            params![my_number.map(|n| n.as_str())],
            limit,
        )
    }

    fn access_log_without_my_number(&self, limit: usize) -> Result<Vec<AccessRecord>, StoreError> {
        access_lines(&self.audit, "my_number IS NULL", [], limit)
    }

    fn put_credential(&self, c: Credential) -> Pending<()> {
        self.submit(move |ctx| credentials::put(&ctx.conn, &c))
    }

    fn credentials(&self) -> Result<Vec<Credential>, StoreError> {
        self.read(credentials::all)
    }

    fn revoke_credential(&self, id: String, at: i64) -> Pending<Credential> {
        self.submit(move |ctx| credentials::revoke(&ctx.conn, &id, at))
    }

    fn health(&self) -> Result<(), StoreError> {
        self.main.health()?;
        self.audit.health()?;
        self.cards.health()
    }

    fn put_certificate(&self, c: CertificateRecord) -> Pending<()> {
        self.cards.submit(move |ctx| {
            let at = ctx.stamp();
            let n = ctx
                .conn
                .prepare_cached(
                    "INSERT OR IGNORE INTO certificates (serial, my_number, issued_on, expires_on, recorded_at)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )?
                .execute(params![
                    c.serial,
                    c.my_number.as_str(),
                    date_str(c.issued_on),
                    date_str(c.expires_on),
                    at.0
                ])?;
            if n == 0 {
                return Err(StoreError::DuplicateCertificate(c.serial));
            }
            Ok(())
        })
    }

    fn certificate(&self, serial: &str) -> Result<Option<CertificateRecord>, StoreError> {
        self.cards.read(|c| Ok(certificates_where(c, "c.serial = ?1", [serial])?.pop()))
    }

    fn certificates_of(&self, my_number: &MyNumber) -> Result<Vec<CertificateRecord>, StoreError> {
        self.cards.read(|c| certificates_where(c, "c.my_number = ?1", [my_number.as_str()]))
    }

    fn revoke_certificate(&self, serial: String, reason: String) -> Pending<CertificateRecord> {
        self.cards.submit(move |ctx| {
            let at = ctx.stamp();
            if certificates_where(&ctx.conn, "c.serial = ?1", [&serial])?.is_empty() {
                return Err(StoreError::CertificateNotFound(serial));
            }
            ctx.conn
                .prepare_cached("INSERT OR IGNORE INTO revocations (serial, reason, revoked_at) VALUES (?1, ?2, ?3)")?
                .execute(params![serial, reason, at.0])?;
            certificates_where(&ctx.conn, "c.serial = ?1", [&serial])?
                .pop()
                .ok_or(StoreError::CertificateNotFound(serial))
        })
    }

    fn put_reader(&self, r: ReaderRecord) -> Pending<()> {
        self.cards.submit(move |ctx| {
            let at = ctx.stamp();
            ctx.conn
                .prepare_cached(
                    "INSERT OR REPLACE INTO readers (reader_id, institution, public_key, registered_at)
                     VALUES (?1, ?2, ?3, ?4)",
                )?
                .execute(params![r.reader_id, r.institution, r.public_key, at.0])?;
            Ok(())
        })
    }

    fn reader(&self, reader_id: &str) -> Result<Option<ReaderRecord>, StoreError> {
        self.cards.read(|c| {
            Ok(c.prepare_cached("SELECT reader_id, institution, public_key FROM readers WHERE reader_id = ?1")?
                .query_row([reader_id], |r| {
                    Ok(ReaderRecord { reader_id: r.get(0)?, institution: r.get(1)?, public_key: r.get(2)? })
                })
                .optional()?)
        })
    }

    fn record_consent(&self, c: ConsentRecord) -> Pending<()> {
        self.cards.submit(move |ctx| {
            ctx.conn
                .prepare_cached(
                    "INSERT INTO consents (my_number, institution, medication, checkup, given_at, expires_at, request_id)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )?
                .execute(params![
                    c.my_number.as_str(),
                    c.institution,
                    c.medication,
                    c.checkup,
                    c.given_at,
                    c.expires_at,
                    c.request_id
                ])?;
            Ok(())
        })
    }

    fn consents(
        &self,
        my_number: &MyNumber,
        institution: &str,
        limit: usize,
    ) -> Result<Vec<ConsentRecord>, StoreError> {
        self.cards.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT medication, checkup, given_at, expires_at, request_id FROM consents
                 WHERE my_number = ?1 AND institution = ?2 ORDER BY given_at DESC, id DESC LIMIT ?3",
            )?;
            let mut rows = stmt.query(params![my_number.as_str(), institution, limit as i64])?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                out.push(ConsentRecord {
                    my_number: *my_number,
                    institution: institution.to_owned(),
                    medication: r.get(0)?,
                    checkup: r.get(1)?,
                    given_at: r.get(2)?,
                    expires_at: r.get(3)?,
                    request_id: r.get(4)?,
                });
            }
            Ok(out)
        })
    }

    fn write_link(&self, w: LinkWrite) -> Pending<MemberRecord> {
        self.submit(move |ctx| links::write_link(ctx, w))
    }

    fn link_events(&self, member_id: MemberId) -> Result<Vec<LinkEvent>, StoreError> {
        self.read(|c| links::link_events(c, member_id))
    }

    fn import_cases(&self, cases: Vec<CaseWrite>) -> Pending<CaseImport> {
        self.submit(move |ctx| links::import_cases(ctx, cases))
    }

    fn cases(&self, insurer: &InsurerNumber, status: Option<&str>) -> Result<Vec<CaseRecord>, StoreError> {
        self.read(|c| {
            links::cases_where(
                c,
                "insurer_number = ?1 AND (?2 IS NULL OR status = ?2)",
                params![insurer.as_str(), status],
            )
        })
    }

    fn case(&self, case_id: i64) -> Result<Option<CaseRecord>, StoreError> {
        self.read(|c| Ok(links::cases_where(c, "case_id = ?1", [case_id])?.pop()))
    }

    fn cases_of(&self, member_id: MemberId) -> Result<Vec<CaseRecord>, StoreError> {
        self.read(|c| links::cases_where(c, "member_id = ?1", [member_id.0]))
    }
}

/// The access-log lines matching `clause`, newest first, at most `limit`.
fn access_lines(
    audit: &Db,
    clause: &str,
    p: impl rusqlite::Params,
    limit: usize,
) -> Result<Vec<AccessRecord>, StoreError> {
    audit.read(|c| {
        let sql = format!(
            "SELECT at, role, subject, endpoint, member_id, my_number, request_id, outcome
             FROM access_log WHERE {clause} ORDER BY id DESC LIMIT {limit}"
        );
        let mut stmt = c.prepare(&sql)?;
        let mut rows = stmt.query(p)?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let mn: Option<String> = r.get(5)?;
            out.push(AccessRecord {
                at: RecordedAt(r.get(0)?),
                entry: AccessEntry {
                    role: r.get(1)?,
                    subject: r.get(2)?,
                    endpoint: r.get(3)?,
                    member_id: r.get::<_, Option<i64>>(4)?.map(MemberId),
                    my_number: mn.as_deref().map(MyNumber::parse).transpose().map_err(corrupt("my_number"))?,
                    request_id: r.get(6)?,
                    outcome: r.get(7)?,
                },
            });
        }
        Ok(out)
    })
}
