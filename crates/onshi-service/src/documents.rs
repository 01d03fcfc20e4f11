//! Documents people carry (資格確認書, 資格情報のお知らせ): verifying one at the counter. The signature,
//! revocation and dates are onshi-document's `verify`, against the key set and revocation list this server
//! has cached (as a clinic's verifier would: no call out); a genuine document's numbers then go through the
//! usual check by number, with its access-log line.

use std::sync::{Arc, RwLock};

use chrono::{DateTime, Utc};
use onshi_document::{KeySet, RevocationList, VerificationJson, verify};
use onshi_law::legal_today;
use onshi_store::Store;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::{EligibilityAnswer, EligibilityBody};
use crate::auth::{Action, authorize};
use crate::error::{ErrorKind, Result, ServiceError};
use crate::{Ctx, Service};

/// The verifier's caches: the published keys and the latest revocation list with when it was fetched.
#[derive(Clone, Debug)]
pub struct DocumentCache {
    /// The published keys.
    pub keys: KeySet,
    /// The revocation list and its fetch time.
    pub revocations: Option<(RevocationList, DateTime<Utc>)>,
}

/// Shared, replaceable caches (a refresh swaps them whole).
pub type DocumentCaches = Arc<RwLock<DocumentCache>>;

/// `POST /clinic/v1/documents/verify`.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentVerifyBody {
    /// The QR code's text (`JPHI1:…`), as a scanner or a paste gives it.
    pub qr_text: String,
    /// The day of the visit (default today in Japan): the document's dates and the check are for that day.
    #[serde(default)]
    #[schema(format = Date)]
    pub service_date: Option<String>,
}

/// The verification, and for a genuine document the usual check by its numbers.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DocumentVerifyAnswer {
    /// onshi-document's verification answer (docs/api.md, Documents).
    #[schema(value_type = Object)]
    pub verification: VerificationJson,
    /// The check by the document's numbers, only when it is genuine.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eligibility: Option<EligibilityAnswer>,
}

impl<S: Store> Service<S> {
    /// The service with a document verifier's caches.
    pub fn with_document_caches(mut self, caches: DocumentCaches) -> Self {
        self.documents = Some(caches);
        self
    }

    /// Verify a document's QR text; a genuine one is then checked by its numbers.
    pub async fn verify_document(&self, cx: &Ctx, body: DocumentVerifyBody) -> Result<DocumentVerifyAnswer> {
        authorize(&cx.actor, Action::CheckEligibility)?;
        let caches = self.documents.as_ref().ok_or_else(|| {
            ServiceError::new(
                ErrorKind::Unavailable,
                "documents_not_configured",
                "this server has no published document keys to verify with",
            )
            .next("書面のQRコードは onshi doc verify（公開鍵・失効リストを取得済みの端末）で確認するか、記載の記号・番号で資格確認してください（運用者: onshi serve --document-keys を設定）")
        })?;
        let now = self.now();
        let today = match body.service_date.as_deref() {
            None => legal_today(now),
            Some(s) => crate::parse::date(s, "service_date")?,
        };
        let verification = {
            let cache = caches.read().map_err(|_| {
                ServiceError::new(ErrorKind::Unavailable, "unavailable", "the document caches are unreadable")
                    .next("restart onshi serve")
            })?;
            let list = cache.revocations.as_ref().map(|(l, at)| (l, *at));
            let verdict = verify(&body.qr_text, &cache.keys, list, today, now);
            VerificationJson::new(&verdict, &cache.keys, list, now)
        };
        let eligibility = match (&verification.document, verification.genuine) {
            (Some(doc), true) => Some(
                self.check(
                    cx,
                    EligibilityBody {
                        insurer_number: doc.insurer_number.clone(),
                        symbol: doc.symbol.clone(),
                        number: doc.number.clone(),
                        branch: doc.branch.clone(),
                        birth_date: doc.birth_date.clone(),
                        service_date: Some(today.to_string()),
                    },
                )
                .await?,
            ),
            _ => None,
        };
        Ok(DocumentVerifyAnswer { verification, eligibility })
    }
}
