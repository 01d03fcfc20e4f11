//! Credentials, roles and scoping — the one place where "may this caller do this?" is decided.
//!
//! Tokens are 256 random bits, shown once and stored only as their SHA-256. Because a token is random and
//! long, a fast hash is enough; lookup is by hash and the final comparison is constant-time.

use std::collections::HashMap;
use std::sync::RwLock;

use onshi_ids::{InstitutionCode, InsurerNumber};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use utoipa::ToSchema;

use crate::error::{ErrorKind, Result, ServiceError};

/// A role of the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The administrator: may act in every role.
    Admin,
    /// 住基ネット / J-LIS.
    Registry,
    /// An insurer (中間サーバー), scoped to one insurer number.
    Insurer,
    /// A medical institution or pharmacy, identified by its 10-digit code.
    Clinic,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Registry => "registry",
            Role::Insurer => "insurer",
            Role::Clinic => "clinic",
        }
    }

    fn parse(s: &str) -> Option<Role> {
        match s {
            "admin" => Some(Role::Admin),
            "registry" => Some(Role::Registry),
            "insurer" => Some(Role::Insurer),
            "clinic" => Some(Role::Clinic),
            _ => None,
        }
    }
}

/// Who is calling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub role: Role,
    /// The credential's subject: insurer number, institution code, registry id, or `admin`.
    pub subject: String,
    /// For insurers, the insurer the credential acts for.
    pub insurer: Option<InsurerNumber>,
}

impl Actor {
    /// The administrator.
    pub fn admin() -> Actor {
        Actor { role: Role::Admin, subject: "admin".into(), insurer: None }
    }
}

/// What a caller wants to do; [`authorize`] decides.
#[derive(Debug, Clone, Copy)]
pub enum Action<'a> {
    IssueCredential,
    WriteRegistry,
    ReadRegistry,
    WriteMembers(&'a InsurerNumber),
    ReadMember(&'a InsurerNumber),
    CheckEligibility,
    /// Issue or revoke a 利用者証明用電子証明書 (the issuing authority: registry role).
    ManageCards,
    /// Register a card reader of the caller's own institution.
    RegisterReader,
}

/// The one authorisation rule of onshi.
pub fn authorize(actor: &Actor, action: Action<'_>) -> Result<()> {
    let allowed = match (actor.role, action) {
        (Role::Admin, _) => true,
        (Role::Registry, Action::WriteRegistry | Action::ReadRegistry) => true,
        (Role::Insurer, Action::WriteMembers(i) | Action::ReadMember(i)) => actor.insurer.as_ref() == Some(i),
        (Role::Clinic, Action::CheckEligibility | Action::RegisterReader) => true,
        (Role::Registry, Action::ManageCards) => true,
        _ => false,
    };
    if allowed {
        return Ok(());
    }
    Err(ServiceError::forbidden(match action {
        Action::IssueCredential => "issue credentials",
        Action::WriteRegistry => "change the resident registry",
        Action::ReadRegistry => "read the resident registry",
        Action::WriteMembers(_) => "enrol or change members of this insurer",
        Action::ReadMember(_) => "read members of this insurer",
        Action::CheckEligibility => "check eligibility",
        Action::ManageCards => "issue or revoke My Number card certificates",
        Action::RegisterReader => "register a card reader",
    }))
}

/// SHA-256 of a token.
pub fn token_hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// A new random token: `onshi_` and 64 hex digits (256 bits).
pub fn new_token() -> Result<String> {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).map_err(|e| ServiceError::internal(&e))?;
    Ok(format!("onshi_{}", hex::encode(b)))
}

/// An issued credential as the in-memory table holds it.
#[derive(Debug, Clone)]
pub(crate) struct Issued {
    pub(crate) actor: Actor,
    /// From when it is no longer accepted (µs since the UNIX epoch).
    pub(crate) expires_at: Option<i64>,
    /// When it was revoked (µs since the UNIX epoch).
    pub(crate) revoked_at: Option<i64>,
}

/// The credential table, held in memory (loaded from the store at start, added to on issue, marked on
/// revocation — always after the store has committed, so that the table never says more than the store).
pub(crate) struct Credentials {
    admin: [u8; 32],
    issued: RwLock<HashMap<[u8; 32], Issued>>,
}

impl Credentials {
    pub(crate) fn new(admin_token: &str) -> Credentials {
        Credentials { admin: token_hash(admin_token), issued: RwLock::new(HashMap::new()) }
    }

    /// Adds or replaces a credential (on issue, at start, and once its revocation is committed).
    pub(crate) fn insert(&self, hash: [u8; 32], issued: Issued) {
        if let Ok(mut m) = self.issued.write() {
            m.insert(hash, issued);
        }
    }

    /// The actor a bearer token stands for at `now` (µs since the UNIX epoch): 401 `unauthorized` for none
    /// or an unknown token, `credential_revoked` for a revoked one, `credential_expired` for an expired one.
    pub(crate) fn authenticate(&self, bearer: Option<&str>, now: i64) -> Result<Actor> {
        let token = bearer.map(str::trim).filter(|t| !t.is_empty()).ok_or_else(ServiceError::unauthorized)?;
        let h = token_hash(token);
        if bool::from(h.ct_eq(&self.admin)) {
            return Ok(Actor::admin());
        }
        let found = self
            .issued
            .read()
            .ok()
            .and_then(|m| m.get_key_value(&h).filter(|(k, _)| bool::from(k.ct_eq(&h))).map(|(_, a)| a.clone()));
        let found = found.ok_or_else(|| {
            ServiceError::new(ErrorKind::Unauthorized, "unauthorized", "this token is not known to onshi")
                .next("check that the whole token was copied; ask your administrator for a new one")
        })?;
        credential_state(found.expires_at, found.revoked_at, now)?;
        Ok(found.actor)
    }
}

/// Whether a credential is accepted at `now`: the one rule for revocation and expiry (µs since the UNIX
/// epoch; a credential expiring at `t` is refused from `t` on).
pub(crate) fn credential_state(expires_at: Option<i64>, revoked_at: Option<i64>, now: i64) -> Result<()> {
    if revoked_at.is_some() {
        return Err(ServiceError::new(
            ErrorKind::Unauthorized,
            "credential_revoked",
            "this token was revoked by the onshi administrator and is no longer accepted",
        )
        .next("ask your onshi administrator for a new token (POST /admin/v1/credentials), and discard this one"));
    }
    if expires_at.is_some_and(|e| now >= e) {
        return Err(ServiceError::new(ErrorKind::Unauthorized, "credential_expired", "this token has expired")
            .next("ask your onshi administrator for a new token (POST /admin/v1/credentials), and discard this one"));
    }
    Ok(())
}

/// Checks a credential request's role and subject and returns the actor it will stand for.
pub(crate) fn actor_for(role: &str, subject: &str) -> Result<Actor> {
    let role = Role::parse(role).filter(|r| *r != Role::Admin).ok_or_else(|| {
        ServiceError::invalid_value("role", format!("role {role:?} is not one of registry, insurer, clinic"))
            .next("give role registry, insurer or clinic (the admin token itself acts in every role)")
    })?;
    let subject = subject.trim();
    match role {
        Role::Insurer => {
            let i = InsurerNumber::parse(subject).map_err(|e| ServiceError::invalid_id(&e, "subject"))?;
            Ok(Actor { role, subject: i.as_str().to_owned(), insurer: Some(i) })
        }
        Role::Clinic => {
            let c = InstitutionCode::parse(subject).map_err(|e| ServiceError::invalid_id(&e, "subject"))?;
            Ok(Actor { role, subject: c.as_str().to_owned(), insurer: None })
        }
        _ => {
            if subject.is_empty() || subject.chars().count() > 64 || subject.chars().any(char::is_control) {
                return Err(ServiceError::invalid_value("subject", "the subject must be 1–64 printable characters")
                    .next("name the registry's system in 1–64 printable characters, e.g. jlis"));
            }
            Ok(Actor { role, subject: subject.to_owned(), insurer: None })
        }
    }
}

/// Rebuilds an actor from a stored credential row.
pub(crate) fn stored_actor(role: &str, subject: &str) -> Option<Actor> {
    actor_for(role, subject).ok()
}
