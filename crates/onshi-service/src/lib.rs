//! onshi's use-cases: the registry (住基ネット role), insurers' members (中間サーバー role) with My Number
//! linking verified against the registry, and eligibility checks for clinics and pharmacies.
//!
//! This crate is the only place that combines the store with the pure core ([`onshi_law`],
//! [`onshi_ledger`], [`onshi_linkage`], [`onshi_text`]). Every front end (HTTP, CLI, simulator) calls it,
//! so each rule is enforced once:
//! - who may do what: [`auth::authorize`];
//! - what a value must look like: the parsers in `parse`;
//! - whether a link may take effect: `linking` (the linkage grade, C refused);
//! - what a clinic is told: `eligibility` (the ledger's resolution, the copay law, claim-ready names);
//! - that every read of a person's data by a clinic, and every card check attempt (refusals included), is in
//!   the access log before the answer leaves.
//!
//! The rules in which onshi differs from the national system it replaces (visibility, copay source,
//! linking check, 未登録者 at the counter, character set) are one small trait, [`Policy`]; every front end uses [`Onshi`], and the
//! simulator runs the same use-cases with the national system's rules to measure the difference.

#![forbid(unsafe_code)]

pub mod api;
pub mod auth;
pub mod card_api;
mod cards;
mod cases;
mod corrections;
pub mod corrections_api;
mod credentials;
pub mod documents;
mod eligibility;
pub mod error;
pub mod link_api;
mod linking;
mod links;
mod members;
mod parse;
pub mod policy;
mod registry;
mod registry_events;
mod views;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use onshi_store::Store;

pub use auth::{Action, Actor, Role};
pub use error::{ErrorKind, Result, ServiceError};
pub use policy::{CopaySource, Onshi, Policy};

/// Where the service reads the time from (a parameter, so that tests and the simulator control it).
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> DateTime<Utc>;
}

/// The wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// The context of one request: who asks, through which endpoint, under which request id.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub actor: Actor,
    pub request_id: String,
    pub endpoint: &'static str,
}

/// The service. Share it behind an `Arc`.
pub struct Service<S: Store> {
    store: S,
    clock: Arc<dyn Clock>,
    credentials: auth::Credentials,
    cards: cards::CardDesk,
    policy: Arc<dyn Policy>,
    documents: Option<documents::DocumentCaches>,
}

impl<S: Store> Service<S> {
    /// A service on `store` whose administrator token is `admin_token`, with onshi's rules ([`Onshi`]).
    pub fn new(store: S, admin_token: &str, clock: Arc<dyn Clock>) -> Result<Self> {
        Self::with_policy(store, admin_token, clock, Arc::new(Onshi))
    }

    /// A service with other rules where onshi and the national system differ (the simulator's legacy
    /// policy). Front ends that serve people use [`Service::new`].
    pub fn with_policy(store: S, admin_token: &str, clock: Arc<dyn Clock>, policy: Arc<dyn Policy>) -> Result<Self> {
        let credentials = auth::Credentials::new(admin_token);
        for c in store.credentials()? {
            match auth::stored_actor(&c.role, &c.subject) {
                Some(actor) => credentials
                    .insert(c.token_hash, auth::Issued { actor, expires_at: c.expires_at, revoked_at: c.revoked_at }),
                None => {
                    tracing::warn!(role = %c.role, subject = %c.subject, "ignoring an unreadable credential")
                }
            }
        }
        Ok(Service { store, clock, credentials, cards: cards::CardDesk::default(), policy, documents: None })
    }

    /// The service with onshi's issuing CA: enables card issuance and card-based checks.
    pub fn with_card_issuer(mut self, issuer: onshi_card::Issuer) -> Self {
        self.cards = cards::CardDesk::new(issuer);
        self
    }

    /// The store underneath (for tools that read it directly, such as the simulator's measurements).
    pub fn store(&self) -> &S {
        &self.store
    }

    /// The rules this service answers by.
    pub fn policy(&self) -> &dyn Policy {
        &*self.policy
    }

    /// The current time according to the service's clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// The actor a bearer token stands for (401 if none or unknown, `credential_revoked`,
    /// `credential_expired`).
    pub fn authenticate(&self, bearer: Option<&str>) -> Result<Actor> {
        self.credentials.authenticate(bearer, self.now().timestamp_micros())
    }

    /// Whether onshi can serve: `Err(store_unavailable)` once the store cannot take writes (`GET /healthz`
    /// answers 503).
    pub fn health(&self) -> Result<()> {
        Ok(self.store.health()?)
    }
}
