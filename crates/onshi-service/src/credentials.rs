//! Credentials (admin): issue a token for a role and subject, optionally expiring; list them; revoke one.
//! The token is shown once and stored only as its hash; a credential is named by its id
//! ([`onshi_store::Credential::id`]). Revocation and expiry are decided by one rule,
//! [`auth::credential_state`], for every request and for the list.

use chrono::{DateTime, SecondsFormat, Utc};
use onshi_store::{Credential, Store, StoreError};

use crate::api::{AccessLineView, AccessLogView, CredentialAnswer, CredentialBody, CredentialList, CredentialView};
use crate::auth::{self, Action, authorize};
use crate::error::{Result, ServiceError};
use crate::{Ctx, Service, parse, views};

/// The longest validity `valid_days` may give (ten years).
const MAX_VALID_DAYS: u32 = 3650;

fn rfc3339(micros: i64) -> String {
    DateTime::<Utc>::from_timestamp_micros(micros).unwrap_or_default().to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn view(c: &Credential, now: i64) -> CredentialView {
    let status = match auth::credential_state(c.expires_at, c.revoked_at, now) {
        Ok(()) => "active",
        Err(e) if e.code == "credential_revoked" => "revoked",
        Err(_) => "expired",
    };
    CredentialView {
        id: c.id(),
        role: c.role.clone(),
        subject: c.subject.clone(),
        status: status.into(),
        created_at: (c.created_at > 0).then(|| rfc3339(c.created_at)),
        expires_at: c.expires_at.map(rfc3339),
        revoked_at: c.revoked_at.map(rfc3339),
    }
}

/// When a credential asked for at `now` expires: `expires_at` (RFC 3339, in the future) or `valid_days`.
fn expiry(body: &CredentialBody, now: DateTime<Utc>) -> Result<Option<i64>> {
    match (&body.expires_at, body.valid_days) {
        (Some(_), Some(_)) => Err(ServiceError::invalid_value("valid_days", "give expires_at or valid_days, not both")
            .next("remove valid_days (or expires_at)")),
        (Some(s), None) => {
            let t = DateTime::parse_from_rfc3339(s.trim()).map_err(|e| {
                ServiceError::invalid_value("expires_at", format!("expires_at is not an RFC 3339 instant: {e}"))
                    .next("write expires_at as an instant with its offset, e.g. 2027-03-31T15:00:00Z or 2027-04-01T00:00:00+09:00")
            })?;
            let t = t.with_timezone(&Utc);
            if t <= now {
                return Err(ServiceError::invalid_value("expires_at", "expires_at is not in the future")
                    .next("give an instant in the future (or leave expires_at out for a token that does not expire)"));
            }
            Ok(Some(t.timestamp_micros()))
        }
        (None, Some(d)) => {
            if d == 0 || d > MAX_VALID_DAYS {
                return Err(ServiceError::invalid_value(
                    "valid_days",
                    format!("valid_days must be 1–{MAX_VALID_DAYS}, not {d}"),
                )
                .next("give a number of days from 1 to 3650"));
            }
            Ok(Some((now + chrono::Duration::days(i64::from(d))).timestamp_micros()))
        }
        (None, None) => Ok(None),
    }
}

impl<S: Store> Service<S> {
    /// `POST /admin/v1/credentials`: issues a token for a role and subject, optionally expiring. The token is
    /// returned once and stored only as a hash.
    pub async fn issue_credential(&self, cx: &Ctx, body: CredentialBody) -> Result<CredentialAnswer> {
        authorize(&cx.actor, Action::IssueCredential)?;
        let actor = auth::actor_for(&body.role, &body.subject)?;
        let now = self.now();
        let expires_at = expiry(&body, now)?;
        let token = auth::new_token()?;
        let hash = auth::token_hash(&token);
        let c = Credential {
            token_hash: hash,
            role: actor.role.as_str().to_owned(),
            subject: actor.subject.clone(),
            created_at: now.timestamp_micros(),
            expires_at,
            revoked_at: None,
        };
        self.store.put_credential(c.clone()).done().await?;
        let answer = CredentialAnswer {
            token,
            role: c.role.clone(),
            subject: c.subject.clone(),
            id: c.id(),
            expires_at: expires_at.map(rfc3339),
        };
        self.credentials.insert(hash, auth::Issued { actor, expires_at, revoked_at: None });
        Ok(answer)
    }

    /// `GET /admin/v1/credentials`: every issued credential with its status, oldest first (never a token).
    pub fn list_credentials(&self, cx: &Ctx) -> Result<CredentialList> {
        authorize(&cx.actor, Action::IssueCredential)?;
        let now = self.now().timestamp_micros();
        Ok(CredentialList { credentials: self.store.credentials()?.iter().map(|c| view(c, now)).collect() })
    }

    /// `POST /admin/v1/credentials/{id}/revoke`: the token is refused (401 `credential_revoked`) from the
    /// moment the revocation is committed. Never undone; revoking again keeps the first revocation.
    pub async fn revoke_credential(&self, cx: &Ctx, id: &str) -> Result<CredentialView> {
        authorize(&cx.actor, Action::IssueCredential)?;
        let now = self.now().timestamp_micros();
        let c = self.store.revoke_credential(id.trim().to_owned(), now).done().await.map_err(|e| match e {
            StoreError::CredentialNotFound(id) => ServiceError::not_found(&format!("credential {id:?}"))
                .next("give the credential's id as GET /admin/v1/credentials lists it (C and 16 hex digits)"),
            other => other.into(),
        })?;
        if let Some(actor) = auth::stored_actor(&c.role, &c.subject) {
            self.credentials
                .insert(c.token_hash, auth::Issued { actor, expires_at: c.expires_at, revoked_at: c.revoked_at });
        }
        Ok(view(&c, now))
    }

    /// `GET /admin/v1/access-log?my_number=…` (admin): every read of a person's data — by every role, through
    /// every endpoint, refusals of card checks once the card named them included — newest first, at most 1,000
    /// lines (by My Number, and by the members linked to it).
    pub fn access_log(&self, cx: &Ctx, my_number: &str) -> Result<AccessLogView> {
        authorize(&cx.actor, Action::IssueCredential)?;
        let mn = parse::my_number(my_number, "my_number")?;
        let members: Vec<_> = self.store.members_by_my_number(&mn)?.iter().map(|m| m.id).collect();
        let lines = self
            .store
            .access_log_of(Some(&mn), &members, 1000)?
            .into_iter()
            .map(|l| AccessLineView {
                at: views::timestamp(l.at),
                role: l.entry.role,
                subject: l.entry.subject,
                endpoint: l.entry.endpoint,
                member_id: l.entry.member_id.map(|m| m.to_string()),
                request_id: l.entry.request_id,
                outcome: l.entry.outcome,
            })
            .collect();
        Ok(AccessLogView { my_number: mn.as_str().to_owned(), lines })
    }
}
