//! What the store keeps of My Number links after enrolment: the state of a link (pending the insurer's
//! confirmation, suspended under investigation), its history (every add, replace, removal, confirmation and
//! suspension, nothing overwritten), and the cases that a reconciliation (総点検) opened on links.

use onshi_ids::{InsurerNumber, MyNumber};
use onshi_ledger::RecordedAt;
use serde::{Deserialize, Serialize};

use crate::{LinkageRecord, MemberId};

/// Whether a link may answer a check by card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkState {
    /// In effect (grade A, or confirmed by the insurer).
    #[default]
    Active,
    /// Grade B: in effect only once the insurer has confirmed it with the person.
    PendingConfirmation,
    /// 閲覧停止: the insurer is investigating the link; the card check answers nothing through it.
    Suspended,
}

impl LinkState {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkState::Active => "active",
            LinkState::PendingConfirmation => "pending_confirmation",
            LinkState::Suspended => "suspended",
        }
    }
}

/// How and by whom a link was confirmed with the person (本人確認).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Confirmation {
    /// `card_seen`, `phone` or `mail`.
    pub method: String,
    /// The credential's subject that confirmed it.
    pub by: String,
    pub at: RecordedAt,
}

/// One change of a member's link, as recorded. The member row holds the link now; these rows hold how it
/// got there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LinkEvent {
    pub id: i64,
    pub member_id: MemberId,
    /// `linked_at_enrolment`, `added`, `replaced`, `removed`, `confirmed`, `suspended`.
    pub action: String,
    /// The link after the change (None once removed).
    pub my_number: Option<MyNumber>,
    /// The link before the change.
    pub previous: Option<MyNumber>,
    /// The grading and state after the change.
    pub linkage: Option<LinkageRecord>,
    /// `role:subject` of who changed it.
    pub by: String,
    /// How it was confirmed, or why it was suspended or changed.
    pub note: Option<String>,
    pub request_id: String,
    pub recorded_at: RecordedAt,
}

/// A change of a member's link to be stored.
#[derive(Debug, Clone)]
pub struct LinkWrite {
    pub member_id: MemberId,
    /// The link the change was decided on (number and linkage, as read); if it changed since, the write is
    /// refused with [`crate::StoreError::LinkChanged`] and nothing is stored.
    pub expected: (Option<MyNumber>, Option<LinkageRecord>),
    pub my_number: Option<MyNumber>,
    pub linkage: Option<LinkageRecord>,
    pub action: String,
    pub by: String,
    pub note: Option<String>,
    pub request_id: String,
    /// Closes every open case of the member with this status (`confirmed`, `corrected`, `unlinked`).
    pub close_cases: Option<String>,
}

/// A case opened from a reconciliation's B or C row, to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseWrite {
    pub insurer_number: InsurerNumber,
    pub member_id: MemberId,
    /// The row's `record_id` as written in OUT.csv.
    pub record_id: String,
    pub my_number: Option<MyNumber>,
    /// `B` or `C`.
    pub grade: String,
    pub reasons: Vec<String>,
    pub suggested_my_number: Option<MyNumber>,
    pub opened_by: String,
    pub request_id: String,
}

/// A stored case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRecord {
    pub case_id: i64,
    pub case: CaseWrite,
    /// `open`, `confirmed`, `corrected` or `unlinked`.
    pub status: String,
    pub opened_at: RecordedAt,
    pub closed_at: Option<RecordedAt>,
    pub closed_by: Option<String>,
}

/// What an import of cases did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CaseImport {
    /// The ids of the cases opened.
    pub opened: Vec<i64>,
    /// The rows skipped because the same member already has an open case on the same My Number.
    pub already_open: Vec<i64>,
}
