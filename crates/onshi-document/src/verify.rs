//! The verifier: a QR text against the keys and the revocation list a clinic holds, on a legal day.
//! Offline by construction: it reads nothing but its arguments.

use chrono::{DateTime, Utc};
use onshi_law::Date;

use crate::content::{Document, Validity};
use crate::keys::KeySet;
use crate::qr::{DOCUMENT_AAD, Unreadable, document_of, open};
use crate::revocation::{Revocation, RevocationList};

/// A revocation list older than this is used, but the verdict warns that it may miss recent
/// revocations.
pub const REVOCATION_LIST_MAX_AGE_HOURS: i64 = 24;

/// What a verifier's caches are missing or how old they are.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum CacheWarning {
    /// No revocation list is cached: a revoked document would pass.
    RevocationListMissing,
    /// The cached list is older than [`REVOCATION_LIST_MAX_AGE_HOURS`].
    RevocationListStale {
        /// Its age in hours.
        hours: i64,
    },
}

impl CacheWarning {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            CacheWarning::RevocationListMissing => "revocation_list_missing",
            CacheWarning::RevocationListStale { .. } => "revocation_list_stale",
        }
    }

    /// Japanese, for the receptionist.
    pub fn message_ja(&self) -> String {
        match self {
            CacheWarning::RevocationListMissing => {
                "失効リストがありません。再交付・資格喪失で無効になった書面を見分けられません。".to_owned()
            }
            CacheWarning::RevocationListStale { hours } => {
                format!("失効リストは{hours}時間前のものです。その後に無効になった書面は見分けられません。")
            }
        }
    }
}

/// The answer about one QR text.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Verdict {
    /// Signed by a published key, not revoked, within its dates.
    Genuine {
        /// The document.
        document: Box<Document>,
        /// The key that signed it.
        kid: String,
        /// What the caches could not tell.
        warnings: Vec<CacheWarning>,
    },
    /// The signature does not verify, or the key may not sign this insurer's documents on that day.
    Tampered {
        /// `signature` or `key_not_allowed`.
        reason: &'static str,
    },
    /// Signed by a key the verifier does not know: a forgery, or the verifier's keys are old.
    UnknownKey {
        /// The key named.
        kid: String,
    },
    /// Genuine but revoked.
    Revoked {
        /// The document.
        document: Box<Document>,
        /// Why and since when.
        revocation: Revocation,
    },
    /// Genuine, past its last day.
    Expired {
        /// The document.
        document: Box<Document>,
    },
    /// Genuine, before its first day.
    NotYetValid {
        /// The document.
        document: Box<Document>,
    },
    /// Not a document's QR text, or damaged beyond reading.
    Unreadable {
        /// Why.
        reason: Unreadable,
    },
}

impl Verdict {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Verdict::Genuine { .. } => "document_genuine",
            Verdict::Tampered { .. } => "document_tampered",
            Verdict::UnknownKey { .. } => "document_unknown_key",
            Verdict::Revoked { .. } => "document_revoked",
            Verdict::Expired { .. } => "document_expired",
            Verdict::NotYetValid { .. } => "document_not_yet_valid",
            Verdict::Unreadable { .. } => "document_unreadable",
        }
    }

    /// The document, when the signature verified.
    pub fn document(&self) -> Option<&Document> {
        match self {
            Verdict::Genuine { document, .. }
            | Verdict::Revoked { document, .. }
            | Verdict::Expired { document }
            | Verdict::NotYetValid { document } => Some(document),
            _ => None,
        }
    }

    /// What the receptionist reads.
    pub fn message_ja(&self) -> String {
        match self {
            Verdict::Genuine { document, .. } => {
                format!("正しい{}です（発行元の署名を確認しました）。", document.kind.label_ja())
            }
            Verdict::Tampered { .. } => "書面の内容が署名と一致しません。改ざん・偽造のおそれがあります。".to_owned(),
            Verdict::UnknownKey { .. } => {
                "発行元が確認できない署名です。偽造のおそれ、または公開鍵が古い可能性があります。".to_owned()
            }
            Verdict::Revoked { revocation, .. } => {
                format!("{}（{}から）。", revocation.reason.label_ja(), revocation.revoked_on)
            }
            Verdict::Expired { document } => format!(
                "{}の有効期限（{}）を過ぎています。",
                document.kind.label_ja(),
                document.valid_until.map(|d| d.to_string()).unwrap_or_default()
            ),
            Verdict::NotYetValid { document } => {
                format!("{}はまだ有効ではありません（{}から有効）。", document.kind.label_ja(), document.valid_from)
            }
            Verdict::Unreadable { reason: Unreadable::NotADocument } => {
                "資格確認書・資格情報のお知らせのQRコードではありません。".to_owned()
            }
            Verdict::Unreadable { .. } => "QRコードを読み取れませんでした（汚れ・破損・読み取り誤り）。".to_owned(),
        }
    }

    /// What to do next.
    pub fn next_step_ja(&self) -> &'static str {
        match self {
            Verdict::Genuine { .. } => {
                "記載の記号・番号でオンライン資格確認を行ってください（回線がない場合は記載内容で受付できます）。"
            }
            Verdict::Tampered { .. } => {
                "この書面では資格を確認できません。マイナ保険証の提示をお願いするか、記載の保険者に電話で確認してください。"
            }
            Verdict::UnknownKey { .. } => {
                "公開鍵を更新して（onshi doc fetch）もう一度確認してください。それでも確認できない場合は保険者に電話で確認してください。"
            }
            Verdict::Revoked { .. } => {
                "新しい資格確認書またはマイナ保険証の提示をお願いし、記号・番号でオンライン資格確認を行ってください。"
            }
            Verdict::Expired { .. } => {
                "マイナ保険証または新しい資格確認書の提示をお願いしてください。お持ちでなければ記号・番号でオンライン資格確認を行ってください。"
            }
            Verdict::NotYetValid { .. } => "有効開始日より前です。現在の保険証・資格確認書の提示をお願いしてください。",
            Verdict::Unreadable { .. } => {
                "もう一度読み取るか、記載の記号・番号を入力してオンライン資格確認を行ってください。"
            }
        }
    }
}

/// Verify a QR text on the legal day `today`, with the keys and revocation list the verifier has
/// cached (`revocations`: the list and when it was fetched), at `now` (for the caches' ages).
///
/// The order of the questions is the order of trust: can it be read, is the key known, does the
/// signature hold and may that key sign for this insurer on that day, is it revoked, is it
/// within its dates.
pub fn verify(
    text: &str,
    keys: &KeySet,
    revocations: Option<(&RevocationList, DateTime<Utc>)>,
    today: Date,
    now: DateTime<Utc>,
) -> Verdict {
    let envelope = match open(text) {
        Ok(e) => e,
        Err(reason) => return Verdict::Unreadable { reason },
    };
    let Some(key) = keys.find(&envelope.kid) else {
        return Verdict::UnknownKey { kid: envelope.kid };
    };
    if !envelope.verifies(DOCUMENT_AAD, key) {
        return Verdict::Tampered { reason: "signature" };
    }
    let document = match document_of(&envelope) {
        Ok(d) => Box::new(d),
        Err(reason) => return Verdict::Unreadable { reason },
    };
    if !key.may_sign(document.insurer.as_str(), document.issued_on) {
        return Verdict::Tampered { reason: "key_not_allowed" };
    }
    if let Some(revocation) =
        revocations.and_then(|(list, _)| list.find(&document.serial)).filter(|r| today >= r.revoked_on)
    {
        return Verdict::Revoked { document, revocation: revocation.clone() };
    }
    match document.validity_on(today) {
        Validity::NotYetValid => return Verdict::NotYetValid { document },
        Validity::Expired => return Verdict::Expired { document },
        Validity::Valid => {}
    }
    let warnings = match revocations {
        None => vec![CacheWarning::RevocationListMissing],
        Some((_, fetched_at)) => {
            let hours = (now - fetched_at).num_hours();
            if hours >= REVOCATION_LIST_MAX_AGE_HOURS {
                vec![CacheWarning::RevocationListStale { hours }]
            } else {
                vec![]
            }
        }
    };
    Verdict::Genuine { document, kid: envelope.kid, warnings }
}
