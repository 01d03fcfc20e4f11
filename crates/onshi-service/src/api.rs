//! The request and response bodies of the contract (../shared/spec/api.md), shared by every front end
//! (HTTP, CLI, simulator). Identifiers and dates arrive as strings and are parsed by the use-cases, so that
//! each bad value gets its own error code and field.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The contract's string enums read through `String`, so that a value of the wrong JSON type is an
/// `invalid_value` (serde_json would call a number where an enum belongs a syntax error) and an unknown
/// spelling names the accepted ones.
macro_rules! string_enum {
    ($t:ident { $($v:ident = $s:literal),* $(,)? }) => {
        impl $t {
            /// The contract's spelling.
            pub fn as_str(self) -> &'static str {
                match self { $($t::$v => $s),* }
            }
        }
        impl TryFrom<String> for $t {
            type Error = String;
            fn try_from(s: String) -> Result<Self, String> {
                match s.as_str() {
                    $($s => Ok($t::$v),)*
                    other => Err(format!("unknown value `{other}`, expected one of: {}", [$($s),*].join(", "))),
                }
            }
        }
    };
}

string_enum!(SexValue { Male = "male", Female = "female" });
string_enum!(RelationshipValue { Insured = "insured", Dependent = "dependent" });
string_enum!(IncomeBracketValue { General = "general", General2 = "general_2", ActiveEquivalent = "active_equivalent" });

/// `sex`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case", try_from = "String")]
pub enum SexValue {
    Male,
    Female,
}

/// `relationship`: 被保険者 (insured) or 被扶養者 (dependent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case", try_from = "String")]
pub enum RelationshipValue {
    Insured,
    Dependent,
}

/// `income_bracket`: 一般 (general), 一般Ⅱ (general_2, 後期高齢者医療 only), 現役並み (active_equivalent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "String")]
pub enum IncomeBracketValue {
    #[serde(rename = "general")]
    General,
    #[serde(rename = "general_2")]
    General2,
    #[serde(rename = "active_equivalent")]
    ActiveEquivalent,
}

/// `POST /admin/v1/credentials`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CredentialBody {
    /// `registry`, `insurer` or `clinic`.
    pub role: String,
    /// The insurer number (insurer), the 10-digit institution code (clinic) or an id (registry).
    pub subject: String,
    /// From when the token is no longer accepted (RFC 3339, e.g. `2027-03-31T15:00:00Z`). Absent (and no
    /// `valid_days`): it never expires, until revoked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(format = DateTime, example = "2027-03-31T15:00:00Z")]
    pub expires_at: Option<String>,
    /// Or: how many days from now the token is accepted (1–3650). Not with `expires_at`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 3650)]
    pub valid_days: Option<u32>,
}

/// A new credential. The token is shown only here.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CredentialAnswer {
    pub token: String,
    pub role: String,
    pub subject: String,
    /// The credential's id (`C` and 16 hex digits): lists and revocation name it, never the token.
    #[serde(default)]
    pub id: String,
    /// From when the token is no longer accepted (RFC 3339), if it expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
}

/// A credential as the administrator sees it (never its token).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CredentialView {
    /// `C` and 16 hex digits.
    pub id: String,
    pub role: String,
    pub subject: String,
    /// `active`, `expired` or `revoked`.
    pub status: String,
    /// When it was issued (RFC 3339; absent for credentials issued before onshi recorded it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<String>,
}

/// `GET /admin/v1/credentials`: every credential issued, oldest first.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CredentialList {
    pub credentials: Vec<CredentialView>,
}

/// One line of the access log as the administrator reads it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AccessLineView {
    /// When (RFC 3339, µs).
    pub at: String,
    /// Who: the credential's role and subject.
    pub role: String,
    pub subject: String,
    /// Through which endpoint (the route template).
    pub endpoint: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member_id: Option<String>,
    pub request_id: String,
    /// What the reader was told (`valid`, `resident`, `member`, `search:unique`, `card:valid`, …).
    pub outcome: String,
}

/// `GET /admin/v1/access-log?my_number=…`: every read of one person's data, newest first (at most 1,000).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AccessLogView {
    pub my_number: String,
    pub lines: Vec<AccessLineView>,
}

/// `PUT /registry/v1/residents/{my_number}`: the basic four (基本4情報) and the reading.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResidentBody {
    pub name: String,
    pub name_kana: String,
    /// `YYYY-MM-DD`.
    #[schema(format = Date, example = "1980-04-15")]
    pub birth_date: String,
    pub sex: SexValue,
    pub address: String,
}

/// A resident as the registry holds it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ResidentView {
    pub my_number: String,
    pub name: String,
    pub name_kana: String,
    #[schema(format = Date)]
    pub birth_date: String,
    pub sex: SexValue,
    pub address: String,
}

/// `POST /registry/v1/search`: three or four of the basic four.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchBody {
    pub name: String,
    #[schema(format = Date)]
    pub birth_date: String,
    pub address: String,
    #[serde(default)]
    pub sex: Option<SexValue>,
}

/// The answer to a registry search: a number only on a unique match.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SearchAnswer {
    /// `unique`, `multiple` or `none`.
    pub verdict: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub my_number: Option<String>,
}

/// `POST /insurer/v1/members`: an enrolment (資格取得).
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnrolBody {
    #[schema(example = "06139992")]
    pub insurer_number: String,
    /// 記号 (optional: many 国保 and 後期高齢者医療 cards have none).
    #[serde(default)]
    pub symbol: Option<String>,
    /// 番号.
    pub number: String,
    /// 枝番, two digits.
    #[schema(example = "00")]
    pub branch: String,
    pub relationship: RelationshipValue,
    /// The My Number to link; the record is graded against the registry before anything is stored.
    #[serde(default)]
    pub my_number: Option<String>,
    pub name: String,
    pub name_kana: String,
    #[schema(format = Date)]
    pub birth_date: String,
    pub sex: SexValue,
    pub address: String,
    /// 資格取得日.
    #[schema(format = Date)]
    pub acquired_on: String,
    #[serde(default)]
    pub income_bracket: Option<IncomeBracketValue>,
    /// Only to record an exception to the law; must come with `copay_ratio_reason` when it differs.
    #[serde(default)]
    pub copay_ratio: Option<u8>,
    #[serde(default)]
    pub copay_ratio_reason: Option<String>,
}

/// The linkage grade of a linked enrolment.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LinkageView {
    /// `A` or `B` (a `C` is refused).
    pub grade: String,
    pub reasons: Vec<String>,
    /// `active`, `pending_confirmation` (a B link: checks by card answer `link_pending_confirmation` until the
    /// insurer confirms it) or `suspended` (閲覧停止).
    pub state: String,
}

/// The answer to an enrolment.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EnrolAnswer {
    pub member_id: String,
    pub linkage: Option<LinkageView>,
}

/// `POST /insurer/v1/members/{member_id}/loss` (資格喪失).
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LossBody {
    /// The first day without coverage.
    #[schema(format = Date)]
    pub lost_on: String,
}

/// `POST /insurer/v1/members/{member_id}/changes`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeBody {
    #[schema(format = Date)]
    pub effective_on: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub name_kana: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub income_bracket: Option<IncomeBracketValue>,
    #[serde(default)]
    pub copay_ratio: Option<u8>,
    #[serde(default)]
    pub copay_ratio_reason: Option<String>,
}

/// One entry of a member's history, as recorded.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct HistoryView {
    pub seq: u64,
    /// When onshi recorded it (RFC 3339).
    pub recorded_at: String,
    /// The legal date it takes effect.
    #[schema(format = Date)]
    pub effective_on: String,
    /// `acquire`, `lose`, `update`, `withdraw_copay` or `void`.
    pub kind: String,
    /// The recorded fields.
    #[schema(value_type = Object)]
    pub change: serde_json::Value,
    /// Set when a later entry voided this one (as known at the time asked): the entry still shows, and no
    /// answer uses it any more.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voided: Option<VoidedView>,
}

/// Who voided an entry, when and why.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct VoidedView {
    /// The `seq` of the void.
    pub by_seq: u64,
    /// When (RFC 3339).
    pub at: String,
    /// The credential's subject that voided it, when recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    pub reason: String,
}

/// A member with its full history (`GET /insurer/v1/members/{member_id}`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MemberView {
    pub member_id: String,
    pub insurer_number: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub symbol: Option<String>,
    pub number: String,
    pub branch: String,
    pub relationship: RelationshipValue,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub my_number: Option<String>,
    pub linkage: Option<LinkageView>,
    #[schema(format = Date)]
    pub birth_date: String,
    pub sex: SexValue,
    /// As known now, for today in Japan.
    pub name: String,
    pub name_kana: String,
    pub address: String,
    #[schema(format = Date)]
    pub acquired_on: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(format = Date)]
    pub lost_on: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub income_bracket: Option<IncomeBracketValue>,
    /// When asked "as known at" a time (`?known_at=`): that time (RFC 3339); the member and its history are
    /// then what onshi knew then, and entries recorded later are left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub known_at: Option<String>,
    pub history: Vec<HistoryView>,
}

/// `POST /clinic/v1/eligibility`: a check by what the card or certificate shows.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EligibilityBody {
    pub insurer_number: String,
    #[serde(default)]
    pub symbol: Option<String>,
    pub number: String,
    #[serde(default)]
    pub branch: Option<String>,
    #[schema(format = Date)]
    pub birth_date: String,
    /// Defaults to today in Japan.
    #[serde(default)]
    #[schema(format = Date)]
    pub service_date: Option<String>,
}

/// A notice that comes with an answer: something the receptionist should know.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Notice {
    pub code: String,
    pub message: String,
}

/// Everything a receptionist needs about one coverage.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CoverageView {
    pub insurer_number: String,
    /// The kind of insurer (協会けんぽ, 健保組合, 国保 …).
    pub insurer_kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub symbol: Option<String>,
    pub number: String,
    pub branch: String,
    pub relationship: RelationshipValue,
    /// 被保険者氏名: the insured person's name, for dependents.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub insured_name: Option<String>,
    /// The name exactly as registered.
    pub name: String,
    /// The name ready for a claim: every character in JIS X 0208, never 「●」.
    pub name_display: String,
    pub name_kana: String,
    #[schema(format = Date)]
    pub birth_date: String,
    pub sex: SexValue,
    /// 資格取得日.
    #[schema(format = Date)]
    pub acquired_on: String,
    /// The first day without coverage, if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(format = Date)]
    pub lost_on: Option<String>,
    /// The share the patient pays on the service date, in percent (10, 20, 30); absent when not covered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub copay_ratio: Option<u8>,
    /// Why that ratio: `preschool`, `working`, `elderly_70`, `elderly_70_active`, `late_stage`, `insurer_exception`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub copay_basis: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub income_bracket: Option<IncomeBracketValue>,
}

/// The answer to an eligibility check.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EligibilityAnswer {
    /// `valid`, `invalid` or `not_found`.
    pub result: String,
    pub coverage: Option<CoverageView>,
    pub notices: Vec<Notice>,
    /// When the data answered was last changed (RFC 3339).
    pub as_of: String,
}
