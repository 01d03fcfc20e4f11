//! 健康保険証利用登録 and its cancellation (解除: the end of the month after the request).

use onshi_card::registration::Channel;
use onshi_card::{Registration, RegistrationEvent as E, cancellation_last_day, registration_on};
use onshi_law::Date;
use proptest::prelude::*;

fn d(y: i32, m: u32, day: u32) -> Date {
    Date::from_ymd_opt(y, m, day).expect("test date")
}

#[test]
fn cancellation_ends_at_the_end_of_the_following_month() {
    assert_eq!(cancellation_last_day(d(2025, 1, 31)), d(2025, 2, 28));
    assert_eq!(cancellation_last_day(d(2025, 1, 1)), d(2025, 2, 28));
    assert_eq!(cancellation_last_day(d(2024, 1, 15)), d(2024, 2, 29));
    assert_eq!(cancellation_last_day(d(2025, 12, 15)), d(2026, 1, 31));
    assert_eq!(cancellation_last_day(d(2025, 11, 30)), d(2025, 12, 31));
}

#[test]
fn a_card_works_until_the_cancellation_takes_effect() {
    let events =
        [E::Registered { on: d(2024, 5, 10), via: Channel::Reader }, E::CancellationRequested { on: d(2025, 1, 20) }];
    assert_eq!(registration_on(&events, d(2024, 5, 9)), Registration::NotRegistered);
    assert_eq!(registration_on(&events, d(2024, 5, 10)), Registration::Registered { since: d(2024, 5, 10) });
    let pending = registration_on(&events, d(2025, 2, 28));
    assert_eq!(pending, Registration::CancellationPending { requested_on: d(2025, 1, 20), last_day: d(2025, 2, 28) });
    assert!(pending.usable());
    let cancelled = registration_on(&events, d(2025, 3, 1));
    assert_eq!(cancelled, Registration::Cancelled { since: d(2025, 3, 1) });
    assert!(!cancelled.usable());
}

#[test]
fn registering_again_after_cancellation_and_withdrawing_a_request() {
    let events = [
        E::Registered { on: d(2024, 5, 10), via: Channel::Portal },
        E::CancellationRequested { on: d(2025, 1, 20) },
        E::Registered { on: d(2025, 6, 1), via: Channel::Reader },
        E::CancellationRequested { on: d(2025, 7, 1) },
        E::CancellationWithdrawn { on: d(2025, 7, 10) },
    ];
    assert_eq!(registration_on(&events, d(2025, 5, 31)), Registration::Cancelled { since: d(2025, 3, 1) });
    assert_eq!(registration_on(&events, d(2025, 6, 1)), Registration::Registered { since: d(2025, 6, 1) });
    assert!(matches!(registration_on(&events, d(2025, 7, 5)), Registration::CancellationPending { .. }));
    assert_eq!(registration_on(&events, d(2025, 9, 1)), Registration::Registered { since: d(2025, 6, 1) });
    // a request to cancel what is not registered changes nothing; a second registration neither
    let odd = [
        E::CancellationRequested { on: d(2024, 1, 1) },
        E::Registered { on: d(2024, 2, 1), via: Channel::Counter },
        E::Registered { on: d(2024, 3, 1), via: Channel::Reader },
    ];
    assert_eq!(registration_on(&odd, d(2024, 12, 1)), Registration::Registered { since: d(2024, 2, 1) });
}

fn event() -> impl Strategy<Value = E> {
    let day = (0i64..1500).prop_map(|n| d(2024, 1, 1) + chrono::Duration::days(n));
    prop_oneof![
        day.clone().prop_map(|on| E::Registered { on, via: Channel::Reader }),
        day.clone().prop_map(|on| E::CancellationRequested { on }),
        day.prop_map(|on| E::CancellationWithdrawn { on }),
    ]
}

proptest! {
    /// Usable on a day exactly when the last registration on or before it is not followed by a request whose
    /// effect (end of the following month) has passed — checked against a day-by-day simulation.
    #[test]
    fn the_state_on_a_day_is_the_day_by_day_walk(mut events in proptest::collection::vec(event(), 0..8), probe in 0i64..1600) {
        events.sort_by_key(|e| e.on());
        let day = d(2024, 1, 1) + chrono::Duration::days(probe);
        // day-by-day reference
        let mut usable = false;
        let mut pending_until: Option<Date> = None;
        let mut t = d(2024, 1, 1);
        while t <= day {
            if let Some(last) = pending_until && t > last { usable = false; pending_until = None; }
            for e in events.iter().filter(|e| e.on() == t) {
                match e {
                    E::Registered { .. } if !usable => { usable = true; }
                    E::CancellationRequested { on } if usable && pending_until.is_none() => pending_until = Some(cancellation_last_day(*on)),
                    E::CancellationWithdrawn { .. } if pending_until.is_some() => pending_until = None,
                    _ => {}
                }
            }
            t = t.succ_opt().expect("day");
        }
        prop_assert_eq!(registration_on(&events, day).usable(), usable);
    }
}
