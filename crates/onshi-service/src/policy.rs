//! Where onshi and the national system it replaces differ, as one small trait.
//!
//! Every front end (HTTP, CLI, demo) runs the use-cases with [`Onshi`], so the HTTP contract is onshi's. The
//! simulator runs the very same use-cases with a second implementation (`onshi_sim::Legacy`: the national
//! system as the seeds describe it) to measure, on one synthetic world, what each difference costs at the
//! counter. It is not a fork of the service: only the five rules below differ.
//!
//! | rule | onshi ([`Onshi`]) | the national system (`onshi_sim::Legacy`) |
//! |---|---|---|
//! | visibility | what the insurer records is visible at once (the insurer records into onshi itself); a recent loss with no newer coverage known is answered with `new_coverage_may_be_pending` | visible only after the insurer's registration lag to the 中間サーバー; a plain 「無効」 |
//! | copay source | the copay law (an insurer's ratio must agree with it or explain the exception) | the ratio as the insurer typed it |
//! | linking check | every My Number link graded A/B/C against the registry; C refused | links taken as given |
//! | 未登録者 at the counter | a check by person with no valid linked coverage answers from the holder's own record held without the My Number, graded A against the holder (`unlinked_record_matched`) | answers only through registered links |
//! | character set | claim-ready names: the standard form in JIS X 0208 (髙 → 高), never 「●」 | characters outside JIS X 0208 shown as 「●」 |

use onshi_ledger::{Entry, MemberStatic, RecordedAt};
use onshi_text::ClaimReady;

/// For how many days after a recorded loss, when no newer coverage is known, onshi tells the clinic that a
/// new insurer may not have recorded yet. Employers have 5 days to notify (健康保険法施行規則 第24条), people
/// 14 days to notify their municipality (国民健康保険法施行規則); 30 days covers both with a margin for late
/// notices, after which a plain 「無効」 is the likelier truth.
pub const PENDING_DAYS: u32 = 30;

/// Where the copay ratio a clinic is told comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CopaySource {
    /// The copay law ([`onshi_law::copay`]) on the service date; an insurer's ratio that contradicts the law
    /// is refused unless the exception is explained (onshi).
    Law,
    /// The ratio as the insurer typed it, unchecked (the national system).
    AsTyped,
}

/// The five rules in which onshi and the national system differ. The default methods are onshi's
/// behaviour; see the module documentation.
pub trait Policy: Send + Sync + 'static {
    /// A short name for reports and logs.
    fn name(&self) -> &str {
        "onshi"
    }

    /// Visibility: whether a clinic asking at `now` sees `entry` of the member `statik`. onshi: every
    /// recorded entry, at once.
    fn visible(&self, _statik: &MemberStatic, _entry: &Entry, _now: RecordedAt) -> bool {
        true
    }

    /// Visibility: for how many days after a recorded loss with no newer coverage known the answer says
    /// that new coverage may be pending (`None`: never). onshi: [`PENDING_DAYS`].
    fn pending_days(&self) -> Option<u32> {
        Some(PENDING_DAYS)
    }

    /// Copay source. onshi: [`CopaySource::Law`].
    fn copay_source(&self) -> CopaySource {
        CopaySource::Law
    }

    /// Linking check: whether a My Number link is graded against the registry before it takes effect (a C
    /// is refused). onshi: yes.
    fn grades_links(&self) -> bool {
        true
    }

    /// 未登録者 at the counter: whether a check by person with no valid linked coverage looks for the holder's
    /// own record held without the My Number (graded A against the holder). onshi: yes.
    fn answers_unlinked(&self) -> bool {
        true
    }

    /// Character set: the name a clinic gets for the claim. onshi: [`onshi_text::claim_ready`].
    fn display_name(&self, name: &str) -> ClaimReady {
        onshi_text::claim_ready(name)
    }
}

/// onshi's behaviour: every default of [`Policy`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Onshi;

impl Policy for Onshi {}
