//! The request and response bodies of the corrections (取消, a date corrected, a copay exception withdrawn)
//! and of the registry events offered to insurers (death, name change, move): an extension of the contract's
//! insurer and registry roles. Dates are `YYYY-MM-DD`, timestamps RFC 3339.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `POST /insurer/v1/members/{member_id}/void`: an entry recorded by mistake (取消). The entry stays in the
/// history, shown as voided.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VoidBody {
    /// The `seq` of the entry (an acquisition, a loss, a change, a withdrawal) in the member's history.
    pub seq: u64,
    /// Why it was a mistake.
    pub reason: String,
}

/// `POST /insurer/v1/members/{member_id}/date-corrections`: the effective date of an entry was wrong. The entry
/// is voided and recorded again with the right date, in one step.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DateCorrectionBody {
    /// The `seq` of the entry whose date is wrong (an acquisition, a loss, a change, a withdrawal).
    pub seq: u64,
    /// The right date (for a loss: the first day without coverage).
    #[schema(format = Date)]
    pub effective_on: String,
    /// Why.
    pub reason: String,
}

/// `POST /insurer/v1/members/{member_id}/copay-withdrawal`: the copay exception no longer applies from
/// `effective_on`; the law's ratio applies again.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CopayWithdrawalBody {
    #[schema(format = Date)]
    pub effective_on: String,
    /// Why.
    pub reason: String,
}

/// `POST /registry/v1/residents/{my_number}/death`: the registry records a death (once).
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeathBody {
    /// The day of death.
    #[schema(format = Date)]
    pub died_on: String,
}

/// The death as recorded, and how many member records it was offered to for review.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DeathAnswer {
    pub my_number: String,
    #[schema(format = Date)]
    pub died_on: String,
    /// The registry events created: one per member record linked to the resident and still covered.
    pub offered: Vec<RegistryEventView>,
}

/// `POST /insurer/v1/registry-events/{event_id}/accept` and `…/reject`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    /// Why (required to reject; optional to accept).
    #[serde(default)]
    pub reason: Option<String>,
}

/// A registry event offered to an insurer: a change to review for one member record.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RegistryEventView {
    pub event_id: String,
    /// `death` or `change` (name, kana, address).
    pub kind: String,
    pub my_number: String,
    pub member_id: String,
    pub insurer_number: String,
    /// The day of death, or the day the registry recorded the change.
    #[schema(format = Date)]
    pub effective_on: String,
    /// For a change: the new values of what changed (`name`, `name_kana`, `address`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub changes: Option<serde_json::Value>,
    /// When the registry recorded it (RFC 3339).
    pub recorded_at: String,
    /// `open`, `accepted` or `rejected`.
    pub status: String,
    /// What accepting does to the member (資格喪失 the day after the death, reason 死亡; or the change, effective
    /// on the registry's date).
    pub on_accept: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decided_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The `seq` of the entry appended to the member's history on accept.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub applied_seq: Option<u64>,
}

/// `GET /insurer/v1/registry-events`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RegistryEventList {
    pub events: Vec<RegistryEventView>,
}
