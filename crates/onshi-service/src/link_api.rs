//! The bodies of the link lifecycle (an extension of the contract, in docs/api.md): linking a member after
//! enrolment, the insurer's confirmation (本人確認) and suspension (閲覧停止), the cases opened from a
//! reconciliation (総点検), and who read a person's data through a link.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `POST /insurer/v1/members/{member_id}/link`: adds a link, or replaces the one there is. Graded A/B/C as at
/// enrolment: C stores nothing; B waits for the insurer's confirmation.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkBody {
    /// The 12-digit My Number to link.
    pub my_number: String,
    /// Why (kept in the link's history).
    #[serde(default)]
    pub note: Option<String>,
}

/// `POST /insurer/v1/members/{member_id}/link/confirm`: the insurer confirmed the link with the person.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmBody {
    /// How: `card_seen` (the card or its copy was seen), `phone` or `mail`.
    pub method: String,
    #[serde(default)]
    pub note: Option<String>,
}

/// `POST /insurer/v1/members/{member_id}/link/suspend` (閲覧停止) and `…/link/remove`.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonBody {
    /// Why (kept in the link's history).
    pub reason: String,
}

/// `POST /insurer/v1/members/{member_id}/link/search`: links an unlinked member (未登録者) from the registry's
/// search by the member's own basic four, on a unique match only.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkSearchBody {
    #[serde(default)]
    pub note: Option<String>,
}

/// How a link was confirmed.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ConfirmationView {
    pub method: String,
    pub by: String,
    pub at: String,
}

/// One change of a link.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LinkEventView {
    /// `linked_at_enrolment`, `added`, `replaced`, `removed`, `confirmed`, `suspended`.
    pub action: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub my_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grade: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// `role:subject`.
    pub by: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub recorded_at: String,
}

/// A member's link now and its whole history.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LinkView {
    pub member_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub my_number: Option<String>,
    /// `A` or `B` (none when unlinked, or linked without grading).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grade: Option<String>,
    pub reasons: Vec<String>,
    /// `unlinked`, `active`, `pending_confirmation` or `suspended`.
    pub state: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confirmation: Option<ConfirmationView>,
    /// The ids of the member's open cases.
    pub open_cases: Vec<i64>,
    /// What the insurer does next with this link.
    pub next_step: String,
    pub history: Vec<LinkEventView>,
}

/// One read of a person's data from the access log.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReadView {
    pub at: String,
    pub role: String,
    /// The institution code (clinic), insurer number or registry id that read.
    pub subject: String,
    pub endpoint: String,
    /// What they were shown: `card:valid`, `valid`, `invalid`, …
    pub outcome: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub my_number: Option<String>,
    pub request_id: String,
    /// Read through the My Number link (a check by card), not by the card's numbers.
    pub through_link: bool,
}

/// `GET /insurer/v1/members/{member_id}/link/reads`: who read the member's data (閲覧された件数).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReadsAnswer {
    pub member_id: String,
    /// Every read of the member's data.
    pub count: usize,
    /// The reads through a My Number link (checks by card).
    pub through_link: usize,
    /// Newest first.
    pub reads: Vec<ReadView>,
}

/// A case opened from a reconciliation's B or C row.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CaseView {
    pub case_id: i64,
    pub insurer_number: String,
    pub member_id: String,
    pub record_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub my_number: Option<String>,
    /// `B` (入力ミス等による不一致の可能性) or `C` (別人への紐付けの可能性が高い).
    pub grade: String,
    pub reasons: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggested_my_number: Option<String>,
    /// `open`, `confirmed`, `corrected` or `unlinked`.
    pub status: String,
    pub opened_at: String,
    pub opened_by: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closed_by: Option<String>,
    /// The member's link state now.
    pub link_state: String,
    /// What it takes to close the case.
    pub to_close: String,
}

/// `POST /insurer/v1/cases/import` as JSON (the body may also be the CSV file itself, `text/csv`).
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseImportBody {
    /// The whole OUT.csv, header line included.
    pub csv: String,
}

/// A row of an import that opened no case.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SkippedRow {
    /// The line of the file (the header is line 1).
    pub line: usize,
    pub record_id: String,
    /// `grade_a` (nothing to do) or `link_changed` (the member's link is no longer the one graded).
    pub reason: String,
}

/// `POST /insurer/v1/cases/import`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CaseImportAnswer {
    pub opened: usize,
    /// Rows whose member already has an open case on the same My Number.
    pub already_open: usize,
    pub skipped: Vec<SkippedRow>,
    /// The cases opened.
    pub cases: Vec<CaseView>,
}

/// `GET /insurer/v1/cases`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CasesAnswer {
    pub cases: Vec<CaseView>,
}

impl ReadsAnswer {
    /// The reads as CSV (UTF-8 with BOM, so that spreadsheet software opens it), one row per read.
    pub fn to_csv(&self) -> String {
        let a = self;
        let mut out =
            String::from("\u{feff}member_id,at,role,subject,endpoint,outcome,my_number,through_link,request_id\n");
        let field = |s: &str| {
            if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_owned() }
        };
        for r in &a.reads {
            let row = [
                a.member_id.as_str(),
                &r.at,
                &r.role,
                &r.subject,
                &r.endpoint,
                &r.outcome,
                r.my_number.as_deref().unwrap_or(""),
                if r.through_link { "true" } else { "false" },
                &r.request_id,
            ];
            out.push_str(&row.iter().map(|s| field(s)).collect::<Vec<_>>().join(","));
            out.push('\n');
        }
        out
    }
}
