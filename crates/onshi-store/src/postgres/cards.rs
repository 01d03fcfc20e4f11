//! On PostgreSQL, what SQLite keeps in a file of its own: the card registry (`cards.sqlite3`: certificates,
//! revocations, readers, consents); and the credentials. (The access log, `audit.sqlite3`: `access_log`.)

use std::sync::Arc;

use onshi_ids::MyNumber;
use tokio_postgres::GenericClient;

use super::pool::Cx;

use super::Inner;
use crate::mapping::{
    CERTIFICATE_SELECT, CREDENTIAL_COLUMNS, CertificateCols, CredentialCols, certificates, credential_id_prefix,
    date_str,
};
use crate::{CertificateRecord, ConsentRecord, Credential, ReaderRecord, StoreError};

fn credential_from(r: &tokio_postgres::Row) -> Result<Credential, StoreError> {
    CredentialCols {
        token_hash: r.try_get(0)?,
        role: r.try_get(1)?,
        subject: r.try_get(2)?,
        created_at: r.try_get(3)?,
        expires_at: r.try_get(4)?,
        revoked_at: r.try_get(5)?,
    }
    .decode()
}

pub(super) async fn put_credential(inner: Arc<Inner>, c: Credential) -> Result<(), StoreError> {
    let conn = inner.pool.get().await?;
    conn.cx()
        .execute(
            "INSERT INTO credentials (token_hash, role, subject, created_at, expires_at, revoked_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (token_hash) DO UPDATE SET role = EXCLUDED.role, subject = EXCLUDED.subject,
           created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at, revoked_at = EXCLUDED.revoked_at",
            &[&c.token_hash.as_slice(), &c.role, &c.subject, &c.created_at, &c.expires_at, &c.revoked_at],
        )
        .await?;
    Ok(())
}

pub(super) async fn credentials(c: &Cx<'_, impl GenericClient + Sync>) -> Result<Vec<Credential>, StoreError> {
    let rows =
        c.query(&format!("SELECT {CREDENTIAL_COLUMNS} FROM credentials ORDER BY created_at, token_hash"), &[]).await?;
    rows.iter().map(credential_from).collect()
}

/// Revokes the credential `id` at `at`; a credential revoked before keeps its first revocation.
pub(super) async fn revoke_credential(inner: Arc<Inner>, id: String, at: i64) -> Result<Credential, StoreError> {
    let not_found = || StoreError::CredentialNotFound(id.clone());
    let prefix = credential_id_prefix(id.trim()).ok_or_else(not_found)?;
    let mut conn = inner.pool.get().await?;
    let cache = conn.cache();
    let tx = conn.transaction().await?;
    let c = Cx::new(&tx, cache);
    let found = tx
        .query_opt("SELECT token_hash FROM credentials WHERE substr(token_hash, 1, 8) = $1 LIMIT 1", &[&prefix])
        .await?;
    let hash: Vec<u8> = found.ok_or_else(not_found)?.try_get(0)?;
    c.execute("UPDATE credentials SET revoked_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL", &[&hash, &at])
        .await?;
    let row =
        c.query_one(&format!("SELECT {CREDENTIAL_COLUMNS} FROM credentials WHERE token_hash = $1"), &[&hash]).await?;
    let c = credential_from(&row)?;
    tx.commit().await?;
    Ok(c)
}

pub(super) async fn put_certificate(inner: Arc<Inner>, c: CertificateRecord) -> Result<(), StoreError> {
    let conn = inner.pool.get().await?;
    let at = inner.stamp();
    let n = conn
        .cx()
        .execute(
            "INSERT INTO certificates (serial, my_number, issued_on, expires_on, recorded_at)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            &[&c.serial, &c.my_number.as_str(), &date_str(c.issued_on), &date_str(c.expires_on), &at.0],
        )
        .await?;
    if n == 0 {
        return Err(StoreError::DuplicateCertificate(c.serial));
    }
    Ok(())
}

pub(super) async fn certificates_where(
    c: &Cx<'_, impl GenericClient + Sync>,
    clause: &str,
    value: &str,
) -> Result<Vec<CertificateRecord>, StoreError> {
    let rows = c.query(&format!("{CERTIFICATE_SELECT} WHERE {clause}"), &[&value]).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(CertificateCols {
            serial: r.try_get(0)?,
            my_number: r.try_get(1)?,
            issued_on: r.try_get(2)?,
            expires_on: r.try_get(3)?,
            revocation_reason: r.try_get(4)?,
            revoked_at: r.try_get(5)?,
            recorded_at: r.try_get(6)?,
        });
    }
    certificates(out)
}

pub(super) async fn revoke_certificate(
    inner: Arc<Inner>,
    serial: String,
    reason: String,
) -> Result<CertificateRecord, StoreError> {
    let mut conn = inner.pool.get().await?;
    let cache = conn.cache();
    let tx = conn.transaction().await?;
    let c = Cx::new(&tx, cache);
    let at = inner.stamp();
    if certificates_where(&c, "c.serial = $1", &serial).await?.is_empty() {
        return Err(StoreError::CertificateNotFound(serial));
    }
    c.execute(
        "INSERT INTO revocations (serial, reason, revoked_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        &[&serial, &reason, &at.0],
    )
    .await?;
    let rec = certificates_where(&c, "c.serial = $1", &serial).await?.pop();
    tx.commit().await?;
    rec.ok_or(StoreError::CertificateNotFound(serial))
}

pub(super) async fn put_reader(inner: Arc<Inner>, r: ReaderRecord) -> Result<(), StoreError> {
    let conn = inner.pool.get().await?;
    let at = inner.stamp();
    conn.cx()
        .execute(
            "INSERT INTO readers (reader_id, institution, public_key, registered_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (reader_id) DO UPDATE SET institution = EXCLUDED.institution,
           public_key = EXCLUDED.public_key, registered_at = EXCLUDED.registered_at",
            &[&r.reader_id, &r.institution, &r.public_key, &at.0],
        )
        .await?;
    Ok(())
}

pub(super) async fn reader(
    c: &Cx<'_, impl GenericClient + Sync>,
    reader_id: &str,
) -> Result<Option<ReaderRecord>, StoreError> {
    let row = c
        .query_opt("SELECT reader_id, institution, public_key FROM readers WHERE reader_id = $1", &[&reader_id])
        .await?;
    row.map(|r| Ok(ReaderRecord { reader_id: r.try_get(0)?, institution: r.try_get(1)?, public_key: r.try_get(2)? }))
        .transpose()
}

pub(super) async fn record_consent(inner: Arc<Inner>, c: ConsentRecord) -> Result<(), StoreError> {
    let conn = inner.pool.get().await?;
    conn.cx()
        .execute(
            "INSERT INTO consents (my_number, institution, medication, checkup, given_at, expires_at, request_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[
                &c.my_number.as_str(),
                &c.institution,
                &c.medication,
                &c.checkup,
                &c.given_at,
                &c.expires_at,
                &c.request_id,
            ],
        )
        .await?;
    Ok(())
}

pub(super) async fn consents(
    c: &Cx<'_, impl GenericClient + Sync>,
    my_number: MyNumber,
    institution: String,
    limit: usize,
) -> Result<Vec<ConsentRecord>, StoreError> {
    let rows = c
        .query(
            "SELECT medication, checkup, given_at, expires_at, request_id FROM consents
             WHERE my_number = $1 AND institution = $2 ORDER BY given_at DESC, id DESC LIMIT $3",
            &[&my_number.as_str(), &institution, &(limit as i64)],
        )
        .await?;
    rows.into_iter()
        .map(|r| {
            Ok(ConsentRecord {
                my_number,
                institution: institution.clone(),
                medication: r.try_get(0)?,
                checkup: r.try_get(1)?,
                given_at: r.try_get(2)?,
                expires_at: r.try_get(3)?,
                request_id: r.try_get(4)?,
            })
        })
        .collect()
}
