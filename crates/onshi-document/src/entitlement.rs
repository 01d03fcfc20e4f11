//! Who must get a 資格確認書, and who holds no usable proof of coverage.
//!
//! Since 2024-12-02 no 保険証 is issued. Whoever cannot use a マイナ保険証 gets a 資格確認書 **without
//! asking** (職権交付, 令和5年12月22日 事務連絡 and the seeds' 「切れ目のない交付」 A–C): no My Number card;
//! a card not registered for insurance use; a registration cancelled or being cancelled; a certificate (or
//! the card itself) expired past its 3-month grace; a card returned (返納, known daily); whoever has their data
//! hidden (DV victims and others); and 要配慮者 whose requested 資格確認書 is renewed. Others get one on
//! request (card lost, being renewed, a helper needed). No 資格確認書 is issued while a valid 保険証 still
//! serves (valid to its own expiry, at the latest 2025-12-01).

use onshi_card::Registration;
use onshi_card::rules::Validity as CertificateValidity;
use onshi_law::Date;
use serde::{Deserialize, Serialize};

/// The last day any 保険証 issued before 2024-12-02 may be used (経過措置: at most one year).
pub fn legacy_card_last_day() -> Date {
    Date::from_ymd_opt(2025, 12, 1).unwrap_or(Date::MIN)
}

/// The first day no 保険証 is issued any more.
pub fn legacy_card_issue_end() -> Date {
    Date::from_ymd_opt(2024, 12, 2).unwrap_or(Date::MIN)
}

/// What is known of a covered person's card and circumstances on a day.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Situation {
    /// The My Number card, if they have one.
    pub card: Option<CardSituation>,
    /// The last day of a 保険証 issued before 2024-12-02, if they hold one (its own expiry).
    pub legacy_card_until: Option<Date>,
    /// Their data is hidden from clinics and the portal (DV victims and others: 閲覧停止).
    pub data_hidden: bool,
    /// A 要配慮者 whose 資格確認書, issued on request, is due for renewal.
    pub care_renewal_due: bool,
}

/// A My Number card's state on a day.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct CardSituation {
    /// Its registration for insurance use.
    pub registration: Registration,
    /// Its 利用者証明用電子証明書 on that day.
    pub certificate: CertificateValidity,
    /// The card body on that day (its own expiry, with the same grace).
    pub body: CertificateValidity,
    /// Returned (返納) or revoked.
    pub returned: bool,
}

/// Why a 資格確認書 is issued.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IssueReason {
    /// No My Number card (A).
    NoCard,
    /// A card, not registered for insurance use (A).
    NotRegistered,
    /// Registration cancelled, or its cancellation requested (B).
    RegistrationCancelled,
    /// The certificate or the card expired past its grace (C).
    CardExpired,
    /// The card was returned (C, known daily).
    CardReturned,
    /// Data hidden (DV victims and others).
    DataHidden,
    /// A 要配慮者's renewal.
    CareRenewal,
    /// On request: the card was lost.
    RequestCardLost,
    /// On request: the card is being renewed.
    RequestCardRenewal,
    /// On request: a helper must accompany them (マイナ保険証での受診が困難).
    RequestHelperNeeded,
}

impl IssueReason {
    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            IssueReason::NoCard => "no_card",
            IssueReason::NotRegistered => "not_registered",
            IssueReason::RegistrationCancelled => "registration_cancelled",
            IssueReason::CardExpired => "card_expired",
            IssueReason::CardReturned => "card_returned",
            IssueReason::DataHidden => "data_hidden",
            IssueReason::CareRenewal => "care_renewal",
            IssueReason::RequestCardLost => "request_card_lost",
            IssueReason::RequestCardRenewal => "request_card_renewal",
            IssueReason::RequestHelperNeeded => "request_helper_needed",
        }
    }

    /// For the insurer's clerk.
    pub fn label_ja(self) -> &'static str {
        match self {
            IssueReason::NoCard => "マイナンバーカード未取得（職権交付）",
            IssueReason::NotRegistered => "健康保険証利用登録なし（職権交付）",
            IssueReason::RegistrationCancelled => "利用登録の解除・解除申請（職権交付）",
            IssueReason::CardExpired => "電子証明書・カードの有効期限切れ（猶予期間経過、職権交付）",
            IssueReason::CardReturned => "マイナンバーカード返納（職権交付）",
            IssueReason::DataHidden => "自己情報の閲覧停止（DV被害者等、職権交付）",
            IssueReason::CareRenewal => "要配慮者の更新（職権交付）",
            IssueReason::RequestCardLost => "カード紛失（申請）",
            IssueReason::RequestCardRenewal => "カード更新中（申請）",
            IssueReason::RequestHelperNeeded => "介助者等の同行が必要（申請）",
        }
    }

    /// Whether it is issued without a request.
    pub fn ex_officio(self) -> bool {
        !matches!(
            self,
            IssueReason::RequestCardLost | IssueReason::RequestCardRenewal | IssueReason::RequestHelperNeeded
        )
    }
}

/// Whether a 保険証 issued before 2024-12-02 still serves on `day`.
pub fn legacy_card_serves(legacy_card_until: Option<Date>, day: Date) -> bool {
    legacy_card_until.is_some_and(|until| day <= until.min(legacy_card_last_day()))
}

/// Whether the card confirms eligibility on `day` (registered, certificate and card within their grace, not
/// returned). Face-only cards (顔認証マイナンバーカード) are cards: usable at a registered reader's face check.
pub fn card_usable(card: &CardSituation) -> bool {
    card.registration.usable() && card.certificate.usable() && card.body.usable() && !card.returned
}

/// Why the person must be sent a 資格確認書 without asking, on the day the situation describes; `None` when
/// they need none (a usable card, or a 保険証 that still serves). The first reason that applies, in the
/// order of the seeds' list.
pub fn ex_officio_reason(s: &Situation, day: Date) -> Option<IssueReason> {
    if legacy_card_serves(s.legacy_card_until, day) {
        return None;
    }
    if s.data_hidden {
        return Some(IssueReason::DataHidden);
    }
    let reason = match &s.card {
        None => Some(IssueReason::NoCard),
        Some(c) if c.returned => Some(IssueReason::CardReturned),
        Some(c) => match c.registration {
            Registration::NotRegistered => Some(IssueReason::NotRegistered),
            Registration::CancellationPending { .. } | Registration::Cancelled { .. } => {
                Some(IssueReason::RegistrationCancelled)
            }
            Registration::Registered { .. } if !c.certificate.usable() || !c.body.usable() => {
                Some(IssueReason::CardExpired)
            }
            Registration::Registered { .. } => None,
        },
    };
    reason.or(s.care_renewal_due.then_some(IssueReason::CareRenewal))
}

/// Whether a covered person holds a usable means of proof on `day`: a usable card, a 保険証 that still
/// serves, or a valid 資格確認書 (`certificate_valid`). The replay counts those without one (target 0).
pub fn has_usable_proof(s: &Situation, certificate_valid: bool, day: Date) -> bool {
    certificate_valid
        || legacy_card_serves(s.legacy_card_until, day)
        || (!s.data_hidden && s.card.as_ref().is_some_and(card_usable))
}
