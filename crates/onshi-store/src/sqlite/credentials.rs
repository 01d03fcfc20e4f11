//! The credentials table: bearer tokens by their hash, with their issue time, expiry and revocation.

use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::mapping::{CREDENTIAL_COLUMNS as COLUMNS, CredentialCols, credential_id_prefix as id_prefix};
use crate::{Credential, StoreError, credential_id};

fn from_row(r: &Row<'_>) -> Result<Credential, StoreError> {
    CredentialCols {
        token_hash: r.get(0)?,
        role: r.get(1)?,
        subject: r.get(2)?,
        created_at: r.get(3)?,
        expires_at: r.get(4)?,
        revoked_at: r.get(5)?,
    }
    .decode()
}

pub(super) fn put(conn: &Connection, c: &Credential) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT OR REPLACE INTO credentials (token_hash, role, subject, created_at, expires_at, revoked_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![c.token_hash.to_vec(), c.role, c.subject, c.created_at, c.expires_at, c.revoked_at])?;
    Ok(())
}

pub(super) fn all(conn: &Connection) -> Result<Vec<Credential>, StoreError> {
    let mut stmt =
        conn.prepare_cached(&format!("SELECT {COLUMNS} FROM credentials ORDER BY created_at, token_hash"))?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(from_row(r)?);
    }
    Ok(out)
}

/// Revokes the credential `id` at `at`; a credential revoked before keeps its first revocation.
pub(super) fn revoke(conn: &Connection, id: &str, at: i64) -> Result<Credential, StoreError> {
    let not_found = || StoreError::CredentialNotFound(id.to_owned());
    let prefix = id_prefix(id.trim()).ok_or_else(not_found)?;
    let found: Option<Vec<u8>> = conn
        .prepare_cached("SELECT token_hash FROM credentials WHERE substr(token_hash, 1, 8) = ?1")?
        .query_row([&prefix], |r| r.get(0))
        .optional()?;
    let hash = found.ok_or_else(not_found)?;
    conn.prepare_cached("UPDATE credentials SET revoked_at = ?2 WHERE token_hash = ?1 AND revoked_at IS NULL")?
        .execute(params![hash, at])?;
    let c = conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM credentials WHERE token_hash = ?1"))?
        .query_row([&hash], |r| Ok(from_row(r)))??;
    debug_assert_eq!(c.id(), credential_id(&c.token_hash));
    Ok(c)
}
