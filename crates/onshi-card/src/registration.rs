//! The card's registration for insurance use (健康保険証利用登録) as a pure state on a day.
//!
//! A My Number card confirms eligibility only once registered — at a clinic's reader or in the portal.
//! A holder may ask their insurer to cancel the registration (利用登録の解除, any form): the insurer
//! issues a 資格確認書 at once and forwards the request, and the registration ends at the **end of the
//! month after** the request reached the 中間サーバー (申請受付の翌月末); until then the card still
//! works. A cancelled registration can be made again.

use chrono::{Datelike, Months};
use onshi_law::Date;
use serde::{Deserialize, Serialize};

/// Where a registration was made.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// At a clinic's or pharmacy's card reader.
    Reader,
    /// In the citizen portal (マイナポータル).
    Portal,
    /// Recorded by the insurer (e.g. at the card's issue at a municipal counter).
    Counter,
}

/// One change of the registration, as recorded.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum RegistrationEvent {
    /// Registered for insurance use from `on`.
    Registered {
        /// The legal day.
        on: Date,
        /// Where.
        via: Channel,
    },
    /// The holder asked for the registration to be cancelled; the request reached the 中間サーバー on `on`.
    CancellationRequested {
        /// The legal day the request was received.
        on: Date,
    },
    /// The holder withdrew a cancellation request before it took effect.
    CancellationWithdrawn {
        /// The legal day.
        on: Date,
    },
}

impl RegistrationEvent {
    /// The day it happened.
    pub fn on(&self) -> Date {
        match *self {
            RegistrationEvent::Registered { on, .. }
            | RegistrationEvent::CancellationRequested { on }
            | RegistrationEvent::CancellationWithdrawn { on } => on,
        }
    }
}

/// The registration on a day.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Registration {
    /// Never registered (or the events start later).
    NotRegistered,
    /// Registered: the card confirms eligibility.
    Registered {
        /// Since when.
        since: Date,
    },
    /// Cancellation requested: the card still works through `last_day`.
    CancellationPending {
        /// When it was requested.
        requested_on: Date,
        /// The last day the card works (the end of the month after the request).
        last_day: Date,
    },
    /// Cancelled: the card no longer confirms eligibility.
    Cancelled {
        /// The first day without registration.
        since: Date,
    },
}

impl Registration {
    /// Whether the card confirms eligibility on that day.
    pub fn usable(self) -> bool {
        matches!(self, Registration::Registered { .. } | Registration::CancellationPending { .. })
    }

    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            Registration::NotRegistered => "not_registered",
            Registration::Registered { .. } => "registered",
            Registration::CancellationPending { .. } => "cancellation_pending",
            Registration::Cancelled { .. } => "cancelled",
        }
    }
}

/// The last day a registration whose cancellation was requested on `requested_on` still works: the last day
/// of the following month (2025-01-31 → 2025-02-28; 2025-12-15 → 2026-01-31).
pub fn cancellation_last_day(requested_on: Date) -> Date {
    let first = requested_on.with_day(1).unwrap_or(requested_on);
    first.checked_add_months(Months::new(2)).and_then(|d| d.pred_opt()).unwrap_or(Date::MAX)
}

/// The registration on `day`, from its events (in any order; those after `day` are ignored). Events on one
/// day apply in the order given. A request to cancel what is not registered, or to withdraw what was not
/// requested, changes nothing.
pub fn registration_on(events: &[RegistrationEvent], day: Date) -> Registration {
    let mut ordered: Vec<(usize, &RegistrationEvent)> =
        events.iter().enumerate().filter(|(_, e)| e.on() <= day).collect();
    ordered.sort_by_key(|(i, e)| (e.on(), *i));
    let mut state = Registration::NotRegistered;
    for (_, event) in ordered {
        // a pending cancellation that took effect before this event
        if let Registration::CancellationPending { last_day, .. } = state
            && event.on() > last_day
        {
            state = Registration::Cancelled { since: last_day.succ_opt().unwrap_or(Date::MAX) };
        }
        state = match (*event, state) {
            (
                RegistrationEvent::Registered { on, .. },
                Registration::NotRegistered | Registration::Cancelled { .. },
            ) => Registration::Registered { since: on },
            (RegistrationEvent::Registered { .. }, s) => s,
            (RegistrationEvent::CancellationRequested { on }, Registration::Registered { .. }) => {
                Registration::CancellationPending { requested_on: on, last_day: cancellation_last_day(on) }
            }
            (RegistrationEvent::CancellationRequested { .. }, s) => s,
            (
                RegistrationEvent::CancellationWithdrawn { .. },
                Registration::CancellationPending { requested_on, .. },
            ) => {
                // the registration was never interrupted: it runs from its first day
                let since = events
                    .iter()
                    .filter_map(|e| match e {
                        RegistrationEvent::Registered { on, .. } if *on <= requested_on => Some(*on),
                        _ => None,
                    })
                    .max()
                    .unwrap_or(requested_on);
                Registration::Registered { since }
            }
            (RegistrationEvent::CancellationWithdrawn { .. }, s) => s,
        };
    }
    if let Registration::CancellationPending { last_day, .. } = state
        && day > last_day
    {
        state = Registration::Cancelled { since: last_day.succ_opt().unwrap_or(Date::MAX) };
    }
    state
}
